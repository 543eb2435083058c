-- Transparency (strategy 3.2.2, 3.2.4, 4.1.2): the strategy team releases measures for the
-- public page and the open data, each with a review step – one member proposes, another
-- releases (four eyes). What is released is a snapshot of the texts the reviewer read, so an
-- edit after the release reaches the public only through the next review. Only the fields
-- declared public are kept (docs/transparency.md); status and implementation are shown live.
create table measure_publications (
    measure_id uuid primary key references measures (id) on delete cascade,
    -- The texts waiting for review: {"title", "summary", "description", "expected_benefit"}.
    proposal jsonb,
    proposed_by uuid references users (id) on delete set null,
    proposed_at timestamptz,
    -- The texts the public sees, as reviewed.
    released jsonb,
    released_by uuid references users (id) on delete set null,
    released_at timestamptz,
    -- Counted up with every write, for concurrent reviews.
    version integer not null default 1,
    check ((proposal is null) = (proposed_at is null)),
    check ((released is null) = (released_at is null)),
    check (proposal is not null or released is not null)
);

create index measure_publications_released on measure_publications (released_at)
    where released is not null;

-- A publication step is part of the measure's history.
alter table measure_events drop constraint measure_events_kind_check;
alter table measure_events add constraint measure_events_kind_check
    check (kind in ('created', 'updated', 'status_changed', 'implementation', 'publication'));

-- The public page and the open data follow releases like the other pages.
create constraint trigger measure_publications_bump_generation
    after insert or update or delete on measure_publications
    deferrable initially deferred for each row execute function bump_content_generation();

-- The public texts are searched in German, as the catalogue is.
alter table measure_publications add column search tsvector generated always as (
    case when released is null then null
         else measure_document(released ->> 'title', released ->> 'summary',
                               released ->> 'description', released ->> 'expected_benefit')
    end
) stored;
create index measure_publications_search on measure_publications using gin (search);

-- Every change to what the public page shows notifies the instances, which keep the page in
-- memory (src/web/public/cache.rs) and drop it the moment it changes.
create function notify_public_changed() returns trigger
language plpgsql as $$
begin
    perform pg_notify('prima_public_changed', tg_table_name);
    return null;
end;
$$;

do $$
declare
    watched text;
begin
    foreach watched in array array[
        'measure_publications', 'measures', 'measure_goals', 'measure_offices',
        'measure_implementations', 'strategies', 'pillars', 'action_dimensions', 'fields', 'goals'
    ] loop
        execute format(
            'create trigger %I after insert or update or delete or truncate on %I
             for each statement execute function notify_public_changed()',
            watched || '_public_changed', watched
        );
    end loop;
end;
$$;
