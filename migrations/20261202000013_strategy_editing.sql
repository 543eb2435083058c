-- Editing a draft iteration and carrying the measures over into it.
--
-- Every edited row carries a version: a save names the version it started from, and a save
-- against an older one is a conflict, never an overwrite. Every change is written to the
-- iteration's history with who, when, and the values before and after.

alter table strategies add column version integer not null default 1;
alter table pillars add column version integer not null default 1;
alter table action_dimensions add column version integer not null default 1;
alter table fields add column version integer not null default 1;
alter table goals add column version integer not null default 1;

-- Reordering swaps and renumbers positions within one statement or transaction; the uniqueness
-- of a position is checked at the end of the transaction.
alter table fields
    drop constraint fields_strategy_id_position_key,
    add constraint fields_strategy_id_position_key
        unique (strategy_id, position) deferrable initially deferred;
alter table goals
    drop constraint goals_field_id_position_key,
    add constraint goals_field_id_position_key
        unique (field_id, position) deferrable initially deferred;
alter table pillars
    drop constraint pillars_strategy_id_position_key,
    add constraint pillars_strategy_id_position_key
        unique (strategy_id, position) deferrable initially deferred;
alter table action_dimensions
    drop constraint action_dimensions_strategy_id_position_key,
    add constraint action_dimensions_strategy_id_position_key
        unique (strategy_id, position) deferrable initially deferred;

create table strategy_events (
    id bigint generated always as identity primary key,
    strategy_id uuid not null references strategies (id) on delete cascade,
    at timestamptz not null default now(),
    actor_id uuid references users (id) on delete set null,
    subject text not null check (subject in ('strategy', 'pillar', 'dimension', 'field', 'goal')),
    subject_id uuid not null,
    -- The subject's version after the change: a conflicting save shows the lines after its own.
    version integer not null,
    action text not null check (action in ('added', 'updated', 'moved', 'retired', 'restored',
                                           'published', 'carried_over')),
    -- What the line says in the history ("Ziel 3 in Personal").
    label text not null check (length(label) between 1 and 300),
    before jsonb,
    after jsonb
);

create index strategy_events_strategy on strategy_events (strategy_id, at desc, id desc);

-- The carry-over: the strategy team's decision per measure, made while the draft is worked on
-- and applied when it is published. keep: relink to the successors by lineage; relink: to the
-- goals named by hand; retire: Eingestellt with the reason "Fortschreibung"; merge: into another
-- measure.
create table carryover_decisions (
    strategy_id uuid not null references strategies (id) on delete cascade,
    measure_id uuid not null references measures (id) on delete cascade,
    decision text not null check (decision in ('keep', 'relink', 'retire', 'merge')),
    goal_ids uuid[] not null default '{}',
    merge_into uuid references measures (id) on delete restrict,
    decided_by uuid references users (id) on delete set null,
    decided_at timestamptz not null default now(),
    primary key (strategy_id, measure_id),
    check ((decision = 'relink') = (cardinality(goal_ids) > 0)),
    check ((decision = 'merge') = (merge_into is not null))
);

-- The links of measures to the goals of an iteration, as they were when it was archived: the
-- archived iteration reads as it was, while measure_goals holds the links to the one in force.
create table archived_measure_goals (
    measure_id uuid not null references measures (id) on delete cascade,
    goal_id uuid not null references goals (id) on delete restrict,
    primary key (measure_id, goal_id)
);

create index archived_measure_goals_goal on archived_measure_goals (goal_id);

alter table strategies add column archived_at timestamptz;
