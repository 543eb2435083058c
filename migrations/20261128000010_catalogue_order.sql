-- The catalogue reads its pages in index order. Filtered by status (the most common filter) and
-- sorted newest first, the page is the first 50 entries of this index and the total an
-- index-only count over the same entries; it replaces the plain status index.
create index measures_status_created_at on measures (status, created_at desc, id);
drop index measures_status;

-- Sorted by title, the page is read in this order.
create index measures_title_order on measures (lower(title), created_at desc, id);

-- The full-text search reads a narrow copy of each measure: its search document, the columns
-- the catalogue filters on and its sort keys, without the texts. A very common term is found in
-- thousands of measures, and each hit is read to rank, count and sort it; on this table that
-- reads about half the pages it took on `measures` (measured: 12 ms instead of 20 ms for 12,500
-- hits among 100,000). Triggers keep it in step with `measures` in the same transaction.
create function measure_document(title text, summary text, body text, benefit text)
returns tsvector
language sql immutable parallel safe as $$
    select setweight(to_tsvector('german', title), 'A')
        || setweight(to_tsvector('german', summary), 'B')
        || setweight(to_tsvector('german', body || ' ' || benefit), 'C')
$$;

create table measure_search (
    id uuid primary key references measures (id) on delete cascade,
    status measure_status not null,
    lead_office office not null,
    quick_win boolean not null,
    ozg_id text,
    created_at timestamptz not null,
    support_count integer not null,
    title_key text not null,
    search tsvector not null
);
-- Only listed measures are ever searched (drafts are their authors' alone); with the condition
-- in the index, a hit's status is not checked again on the table.
create index measure_search_listed on measure_search using gin (search) where status <> 'draft';

create function sync_measure_search() returns trigger
language plpgsql as $$
begin
    if tg_op = 'UPDATE'
        and (new.title, new.summary, new.description, new.expected_benefit)
            is not distinct from (old.title, old.summary, old.description, old.expected_benefit)
    then
        update measure_search
        set status = new.status, lead_office = new.lead_office, quick_win = new.quick_win,
            ozg_id = new.ozg_id, created_at = new.created_at, support_count = new.support_count
        where id = new.id
          and (status, lead_office, quick_win, ozg_id, created_at, support_count)
              is distinct from (new.status, new.lead_office, new.quick_win, new.ozg_id,
                                new.created_at, new.support_count);
    else
        insert into measure_search (id, status, lead_office, quick_win, ozg_id, created_at,
                                    support_count, title_key, search)
        values (new.id, new.status, new.lead_office, new.quick_win, new.ozg_id, new.created_at,
                new.support_count, lower(new.title),
                measure_document(new.title, new.summary, new.description, new.expected_benefit))
        on conflict (id) do update
        set status = excluded.status, lead_office = excluded.lead_office,
            quick_win = excluded.quick_win, ozg_id = excluded.ozg_id,
            created_at = excluded.created_at, support_count = excluded.support_count,
            title_key = excluded.title_key, search = excluded.search;
    end if;
    return null;
end;
$$;

create trigger measures_sync_search after insert or update on measures
    for each row execute function sync_measure_search();

insert into measure_search (id, status, lead_office, quick_win, ozg_id, created_at, support_count,
                            title_key, search)
select id, status, lead_office, quick_win, ozg_id, created_at, support_count, lower(title),
       measure_document(title, summary, description, expected_benefit)
from measures;

-- The copy replaces the generated column and its index.
alter table measures drop column search;
