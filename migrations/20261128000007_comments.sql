-- Comments on measures; internal notes are seen by officers only. A deleted comment keeps its
-- row as a visible marker, without its text.

create table comments (
    id uuid primary key,
    measure_id uuid not null references measures (id) on delete cascade,
    author_id uuid references users (id) on delete set null,
    body text not null check (length(body) <= 5000),
    internal boolean not null default false,
    created_at timestamptz not null default now(),
    edited_at timestamptz,
    deleted_at timestamptz,
    deleted_by uuid references users (id) on delete set null,
    check ((deleted_at is null) = (length(body) > 0))
);

create index comments_measure on comments (measure_id, created_at);
