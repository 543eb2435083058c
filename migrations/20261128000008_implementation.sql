-- Implementation in the offices: for accepted measures, each district office records where it
-- stands; the lead office keeps the overall progress and its milestones.

create type implementation_state as enum ('not_relevant', 'planned', 'in_progress', 'done');

create table measure_implementations (
    measure_id uuid not null references measures (id) on delete cascade,
    office office not null,
    state implementation_state not null,
    note text not null default '' check (length(note) <= 1000),
    as_of date,
    updated_at timestamptz not null default now(),
    updated_by uuid references users (id) on delete set null,
    primary key (measure_id, office)
);

create index measure_implementations_office on measure_implementations (office, state);

alter table measures
    add column progress_percent smallint not null default 0
        check (progress_percent between 0 and 100);

create table milestones (
    id uuid primary key,
    measure_id uuid not null references measures (id) on delete cascade,
    title text not null check (length(title) between 1 and 200),
    due_on date,
    done boolean not null default false,
    created_at timestamptz not null default now()
);

create index milestones_measure on milestones (measure_id, due_on);
