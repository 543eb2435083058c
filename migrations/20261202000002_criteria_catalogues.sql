-- The criteria catalogue of the prioritisation, versioned: every change makes a new version of
-- the strategy iteration's catalogue, and a version once written never changes (assessments and
-- rounds keep the version they were made with). The weights of a version add up to 100 %.

create type criterion_group as enum ('benefit', 'cost');

create table criteria_catalogues (
    id uuid primary key,
    strategy_id uuid not null references strategies (id) on delete restrict,
    version integer not null check (version > 0),
    note text not null default '' check (length(note) <= 1000),
    created_by uuid references users (id) on delete set null,
    created_at timestamptz not null default now(),
    unique (strategy_id, version)
);

create table criteria (
    id uuid primary key,
    catalogue_id uuid not null references criteria_catalogues (id) on delete restrict,
    position integer not null check (position > 0),
    name text not null check (length(name) between 1 and 120),
    explanation text not null default '' check (length(explanation) <= 2000),
    criterion_group criterion_group not null,
    weight smallint not null check (weight between 0 and 100),
    -- The anchor texts at 0, 2, 4, 6, 8 and 10 points.
    anchors text[] not null check (cardinality(anchors) = 6),
    unique (catalogue_id, position),
    unique (catalogue_id, name)
);

-- At the end of the transaction that wrote them, a version's weights add up to 100.
create function criteria_weights_add_up() returns trigger
language plpgsql as $$
declare
    total integer;
begin
    select coalesce(sum(weight), 0) into total from criteria where catalogue_id = new.catalogue_id;
    if total <> 100 then
        raise exception 'the weights of criteria catalogue % add up to %, not 100', new.catalogue_id, total
            using errcode = 'check_violation';
    end if;
    return null;
end;
$$;

create constraint trigger criteria_weights_total
    after insert on criteria
    deferrable initially deferred
    for each row execute function criteria_weights_add_up();

-- A version is final: a change is a new version.
create function criteria_versions_are_final() returns trigger
language plpgsql as $$
begin
    raise exception 'a criteria catalogue version is never changed; write a new version'
        using errcode = 'integrity_constraint_violation';
end;
$$;

create trigger criteria_final
    before update or delete on criteria
    for each row execute function criteria_versions_are_final();

create trigger criteria_catalogues_final
    before update or delete on criteria_catalogues
    for each row execute function criteria_versions_are_final();
