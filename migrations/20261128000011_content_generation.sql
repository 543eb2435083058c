-- A number that grows with every committed change to what measure pages and the catalogue show.
-- Each request reads it together with its session (no extra query); caches in the application
-- keep what they computed for the number they were computed at and are used only while it is
-- still the current one. So a cached page is never older than what its reader could already
-- see, also right after their own change and across several application instances.
create table content_generation (
    only_row boolean primary key default true check (only_row),
    value bigint not null default 0,
    -- The transaction that last counted up, so that a transaction counts up only once.
    bumped_by xid8
);
insert into content_generation default values;

create function bump_content_generation() returns trigger
language plpgsql as $$
begin
    update content_generation
    set value = value + 1, bumped_by = pg_current_xact_id()
    where bumped_by is distinct from pg_current_xact_id();
    return null;
end;
$$;

-- Deferred to the commit: the row is locked last, after every other lock the transaction took,
-- so two transactions can never wait for each other through it.
do $$
declare
    watched text;
begin
    foreach watched in array array[
        'measures', 'measure_goals', 'measure_offices', 'measure_dependencies', 'measure_tags',
        'measure_events', 'comments', 'measure_implementations', 'milestones', 'users',
        'fields', 'goals'
    ] loop
        execute format(
            'create constraint trigger %I after insert or update or delete on %I
             deferrable initially deferred for each row execute function bump_content_generation()',
            watched || '_bump_generation', watched
        );
        execute format(
            'create trigger %I after truncate on %I
             for each statement execute function bump_content_generation()',
            watched || '_truncate_bump_generation', watched
        );
    end loop;
end;
$$;
