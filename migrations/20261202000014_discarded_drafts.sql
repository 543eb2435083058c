-- A draft iteration the strategy team gives up (a Fortschreibung started by mistake, or one to
-- begin afresh) is deleted with its tree, history, carry-over decisions and criteria copy. What
-- stays is this record of it: which draft, who started and who discarded it, and how much work
-- went with it, so the iterations list can say so.
create table discarded_drafts (
    id uuid primary key,
    version_label text not null,
    title text not null,
    started_at timestamptz not null,
    discarded_at timestamptz not null default now(),
    discarded_by uuid references users (id) on delete set null,
    changes integer not null check (changes >= 0),
    decisions integer not null check (decisions >= 0)
);

create index discarded_drafts_at on discarded_drafts (discarded_at desc);

-- A criteria version stays as it is, with one exception: the copy a draft iteration started
-- with goes when the draft is discarded. No round can use it (rounds use the iteration in
-- force), and the foreign keys of rounds would refuse the delete anyway.
create or replace function criteria_versions_are_final() returns trigger
language plpgsql as $$
declare
    catalogue uuid;
begin
    if tg_op = 'DELETE' then
        if tg_table_name = 'criteria' then
            catalogue := old.catalogue_id;
        else
            catalogue := old.id;
        end if;
        if exists (select 1 from criteria_catalogues c join strategies s on s.id = c.strategy_id
                   where c.id = catalogue and s.status = 'draft') then
            return old;
        end if;
    end if;
    raise exception 'a criteria catalogue version is never changed; write a new version'
        using errcode = 'integrity_constraint_violation';
end;
$$;
