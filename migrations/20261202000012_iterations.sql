-- Fortschreibung: a new iteration starts as a draft copy of the one in force, and every copied
-- design field, cross-cutting theme and goal remembers the one it came from (lineage), so the
-- two iterations can be compared and measures carried over. Retired fields and goals stay in
-- their iteration (links to them keep working); they are just no longer part of the strategy.
alter table strategies
    add column origin_id uuid references strategies (id) on delete restrict;

alter table fields
    add column origin_id uuid references fields (id) on delete restrict,
    add column retired_at timestamptz;

alter table goals
    add column origin_id uuid references goals (id) on delete restrict,
    add column retired_at timestamptz;

create index fields_origin on fields (origin_id) where origin_id is not null;
create index goals_origin on goals (origin_id) where origin_id is not null;

-- At most one draft at a time: one Fortschreibung runs, not two competing ones.
create unique index strategies_one_draft on strategies ((true)) where status = 'draft';
