-- The catalogue of measures: content, lifecycle, links to goals, offices, dependencies and tags,
-- and a history that records every change in the same transaction.

create type measure_status as enum (
    'draft', 'submitted', 'in_review', 'accepted', 'rejected', 'deferred', 'merged',
    'in_progress', 'implemented', 'discontinued'
);

create type measure_source as enum (
    'strategy_workshop', 'prima_list', 'specialist_authority', 'staff_proposal'
);

alter table measures
    -- The short number people use ("M-42").
    add column number bigint generated always as identity unique,
    add column description text not null default '',
    add column expected_benefit text not null default '',
    add column lead_office office not null default 'central',
    add column responsible_unit text not null default '',
    add column contact_person text not null default '',
    add column source measure_source not null default 'staff_proposal',
    add column effort_person_days integer check (effort_person_days >= 0),
    add column cost_euros bigint check (cost_euros >= 0),
    add column planned_start date,
    add column planned_end date,
    add column quick_win boolean not null default false,
    add column ozg_id text,
    add column leika_key text check (leika_key ~ '^[0-9]{14}$'),
    add column maturity_now smallint check (maturity_now between 0 and 4),
    add column maturity_target smallint check (maturity_target between 0 and 4),
    add column status measure_status not null default 'submitted',
    add column status_reason text,
    add column merged_into uuid references measures (id),
    add column author_id uuid references users (id) on delete set null,
    -- Optimistic locking: every change bumps it; a save with an older one is refused (409).
    add column version integer not null default 1,
    add column submitted_at timestamptz,
    -- The form's one-time key: a form sent twice creates one measure.
    add column submission_key uuid unique,
    add column search tsvector generated always as (
        setweight(to_tsvector('german', title), 'A')
        || setweight(to_tsvector('german', summary), 'B')
        || setweight(to_tsvector('german', description || ' ' || expected_benefit), 'C')
    ) stored,
    add constraint measures_planned_order check (planned_end is null or planned_start is null or planned_end >= planned_start),
    add constraint measures_maturity_order check (maturity_target is null or maturity_now is null or maturity_target >= maturity_now),
    add constraint measures_not_merged_into_itself check (merged_into <> id);

create index measures_search on measures using gin (search);
create index measures_status on measures (status);
create index measures_lead_office on measures (lead_office);
create index measures_created_at on measures (created_at desc, id);
create index measures_author on measures (author_id);

create table measure_offices (
    measure_id uuid not null references measures (id) on delete cascade,
    office office not null,
    primary key (measure_id, office)
);

create index measure_offices_office on measure_offices (office);

create table measure_dependencies (
    measure_id uuid not null references measures (id) on delete cascade,
    requires_id uuid not null references measures (id) on delete cascade,
    primary key (measure_id, requires_id),
    check (measure_id <> requires_id)
);

create table measure_tags (
    measure_id uuid not null references measures (id) on delete cascade,
    tag text not null check (length(tag) between 1 and 40),
    primary key (measure_id, tag)
);

create index measure_tags_tag on measure_tags (tag);

-- The history: who changed what, when, from what to what.
create table measure_events (
    id bigint generated always as identity primary key,
    measure_id uuid not null references measures (id) on delete cascade,
    occurred_at timestamptz not null default now(),
    actor_id uuid references users (id) on delete set null,
    -- The version the measure had after this change.
    version integer not null,
    kind text not null check (kind in ('created', 'updated', 'status_changed', 'implementation')),
    from_status measure_status,
    to_status measure_status,
    reason text,
    -- For updates: [{"field": label, "before": text, "after": text}, …]
    changes jsonb not null default '[]'
);

create index measure_events_measure on measure_events (measure_id, id);
