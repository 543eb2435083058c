-- The strategy tree: an iteration of the district offices' digital strategy with its vision,
-- pillars, action dimensions, design fields and cross-cutting themes, and their goals.
-- A new iteration (Fortschreibung) gets rows of its own, so earlier ones stay readable.

create type strategy_status as enum ('draft', 'published', 'archived');

create table strategies (
    id uuid primary key,
    title text not null check (length(title) between 1 and 200),
    motto text not null default '',
    version_label text not null unique check (length(version_label) between 1 and 50),
    publisher text not null default '',
    published_on date,
    valid_until date,
    status strategy_status not null default 'draft',
    vision_statement text not null default '',
    vision_introduction text not null default '',
    created_at timestamptz not null default now(),
    check (valid_until is null or published_on is null or valid_until >= published_on)
);

-- At most one iteration is in force at a time.
create unique index strategies_one_published on strategies ((true)) where status = 'published';

create table pillars (
    id uuid primary key,
    strategy_id uuid not null references strategies (id) on delete cascade,
    position integer not null check (position > 0),
    name text not null check (length(name) between 1 and 100),
    explanation text not null default '',
    unique (strategy_id, position),
    unique (strategy_id, name)
);

create table action_dimensions (
    id uuid primary key,
    strategy_id uuid not null references strategies (id) on delete cascade,
    position integer not null check (position > 0),
    name text not null check (length(name) between 1 and 200),
    -- The heading under which the strategy process grouped the dimension ("Services & Prozesse").
    process_label text not null default '',
    description text not null default '',
    deferred boolean not null default false,
    deferral_note text,
    unique (strategy_id, position),
    unique (strategy_id, name)
);

create type field_kind as enum ('design_field', 'cross_cutting_theme');

-- Design fields and cross-cutting themes share one table: both carry a text and goals, and the
-- strategy team adds fields over time (the 2020 document already skips numbers).
create table fields (
    id uuid primary key,
    strategy_id uuid not null references strategies (id) on delete cascade,
    kind field_kind not null,
    position integer not null check (position > 0),
    -- The section number in the published document ("3.2.4"), if any.
    section text not null default '',
    name text not null check (length(name) between 1 and 200),
    description text not null default '',
    unique (strategy_id, position),
    unique (strategy_id, name)
);

create table goals (
    id uuid primary key,
    field_id uuid not null references fields (id) on delete restrict,
    position integer not null check (position > 0),
    statement text not null check (length(statement) between 1 and 1000),
    note text,
    unique (field_id, position)
);

-- The catalogue of measures is filled by the measures feature; the foundation links it to goals
-- so that goal pages can already show what pays into them.
create table measures (
    id uuid primary key,
    title text not null check (length(title) between 1 and 200),
    summary text not null default '' check (length(summary) <= 500),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);

create table measure_goals (
    measure_id uuid not null references measures (id) on delete cascade,
    goal_id uuid not null references goals (id) on delete restrict,
    primary key (measure_id, goal_id)
);

create index measure_goals_goal_id on measure_goals (goal_id);
