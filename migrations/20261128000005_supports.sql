-- Supports (Unterstützung): one per person per measure. The count is kept on the measure, in
-- the same transaction, so the catalogue can sort by it without counting.

create table supports (
    measure_id uuid not null references measures (id) on delete cascade,
    user_id uuid not null references users (id) on delete cascade,
    created_at timestamptz not null default now(),
    primary key (measure_id, user_id)
);

create index supports_user on supports (user_id);

alter table measures add column support_count integer not null default 0 check (support_count >= 0);

create index measures_support_count on measures (support_count desc, created_at desc);
