-- Imports of existing PriMa lists: the uploaded table (read and checked by src/import), the
-- column mapping, and once committed the counts; every row's outcome, so each imported measure
-- remembers the file and row it came from. Saved mappings are shared by all who import.

create table imports (
    id uuid primary key,
    file_name text not null check (length(file_name) between 1 and 255),
    owner_id uuid not null references users (id) on delete restrict,
    -- The file's heading row and its data rows ([{number, cells}]), as read.
    headings jsonb not null,
    rows jsonb not null,
    row_count integer not null,
    -- PriMa field → index of the file's column.
    mapping jsonb,
    created_at timestamptz not null default now(),
    committed_at timestamptz,
    created_count integer,
    merged_count integer,
    skipped_count integer
);

create index imports_newest on imports (created_at desc);

create table import_rows (
    import_id uuid not null references imports (id) on delete cascade,
    row_number integer not null,
    action text not null check (action in ('created', 'merged', 'skipped')),
    measure_id uuid references measures (id) on delete set null,
    primary key (import_id, row_number)
);

create index import_rows_of_measure on import_rows (measure_id);

create table import_mappings (
    name text primary key check (length(name) between 1 and 100),
    -- PriMa field → the heading of the file's column.
    columns jsonb not null,
    saved_by uuid references users (id) on delete set null,
    saved_at timestamptz not null default now()
);
