-- Prioritisation rounds: the central officer opens a round with a catalogue version and the
-- measures taking part; every district officer and the central officer assess each measure
-- blind; the central officer may set a final value with a reason; freezing stores the result.
-- A frozen round reads the same forever: triggers refuse every change to it and its rows.

-- The gate before the points (WiBe 5.0): a legal obligation, with its reason, puts a measure in
-- the tier "Pflicht" above every scored one. Null: no obligation.
alter table measures
    add column legal_obligation text check (length(legal_obligation) between 1 and 500);

create type round_status as enum ('open', 'frozen');

create table prioritisation_rounds (
    id uuid primary key,
    strategy_id uuid not null references strategies (id) on delete restrict,
    catalogue_id uuid not null references criteria_catalogues (id) on delete restrict,
    name text not null check (length(name) between 1 and 200),
    deadline date not null,
    status round_status not null default 'open',
    opened_by uuid references users (id) on delete set null,
    opened_at timestamptz not null default now(),
    -- The class thresholds on the score (A from, B from), kept with the round.
    class_a_from smallint not null default 65,
    class_b_from smallint not null default 50,
    frozen_at timestamptz,
    frozen_by uuid references users (id) on delete set null,
    decided_on date,
    decision_body text check (length(decision_body) between 1 and 200),
    decision_note text not null default '' check (length(decision_note) <= 2000),
    -- The seed of the stored robustness figures (SMAA-2), so they can be reproduced.
    robustness_seed bigint,
    check (0 <= class_b_from and class_b_from <= class_a_from and class_a_from <= 100),
    check ((status = 'frozen') = (frozen_at is not null and decided_on is not null
                                  and decision_body is not null)),
    unique (strategy_id, name)
);

create index prioritisation_rounds_strategy on prioritisation_rounds (strategy_id, opened_at desc);

-- The measures taking part, and, once frozen, what the round decided for each.
create table round_measures (
    round_id uuid not null references prioritisation_rounds (id) on delete restrict,
    measure_id uuid not null references measures (id) on delete restrict,
    -- Frozen with the round (null while it is open):
    legal_obligation text,
    supports integer check (supports >= 0),
    tier text check (tier in ('mandatory', 'scored', 'incomplete')),
    -- Twenty times the score (0–2000), exact.
    score20 smallint check (score20 between 0 and 2000),
    class text check (class in ('A', 'B', 'C')),
    rank integer check (rank > 0),
    -- Consolidated values per criterion position: [{"half_points": 13, "origin": "median", "n": 4}, …]
    consolidated jsonb,
    -- Rank range, acceptabilities and the like (docs/prioritisation.md).
    robustness jsonb,
    primary key (round_id, measure_id)
);

create index round_measures_measure on round_measures (measure_id);

-- One rater's assessment of one criterion of one measure in a round. A rater submits all
-- criteria of a measure at once; the value is 0–10, or null for "nicht beurteilbar".
create table assessments (
    round_id uuid not null,
    measure_id uuid not null,
    criterion_id uuid not null references criteria (id) on delete restrict,
    rater_id uuid not null references users (id) on delete restrict,
    -- The office the rater assessed for (their office when they submitted).
    rater_office office not null,
    value smallint check (value between 0 and 10),
    reason text not null default '' check (length(reason) <= 1000),
    submitted_at timestamptz not null default now(),
    primary key (round_id, measure_id, rater_id, criterion_id),
    foreign key (round_id, measure_id) references round_measures (round_id, measure_id)
        on delete restrict
);

create index assessments_rater on assessments (rater_id, round_id);

-- The central officer's final value of a criterion, with the reason; it replaces the median.
create table final_values (
    round_id uuid not null,
    measure_id uuid not null,
    criterion_id uuid not null references criteria (id) on delete restrict,
    value smallint not null check (value between 0 and 10),
    reason text not null check (length(reason) between 1 and 1000),
    set_by uuid references users (id) on delete set null,
    set_at timestamptz not null default now(),
    primary key (round_id, measure_id, criterion_id),
    foreign key (round_id, measure_id) references round_measures (round_id, measure_id)
        on delete restrict
);

-- Nothing of a frozen round changes: not the round, not its measures, assessments or final
-- values. The freezing transaction writes the results first and sets the status last.
create function refuse_frozen_round_change() returns trigger
language plpgsql as $$
declare
    round uuid;
begin
    if tg_table_name = 'prioritisation_rounds' then
        if old.status = 'frozen' then
            raise exception 'prioritisation round % is frozen and never changes', old.id
                using errcode = 'integrity_constraint_violation';
        end if;
        return case when tg_op = 'DELETE' then old else new end;
    end if;
    round := case when tg_op = 'INSERT' then new.round_id else old.round_id end;
    if exists (select 1 from prioritisation_rounds where id = round and status = 'frozen') then
        raise exception 'prioritisation round % is frozen and never changes', round
            using errcode = 'integrity_constraint_violation';
    end if;
    if tg_op = 'UPDATE' and new.round_id <> old.round_id
       and exists (select 1 from prioritisation_rounds where id = new.round_id and status = 'frozen') then
        raise exception 'prioritisation round % is frozen and never changes', new.round_id
            using errcode = 'integrity_constraint_violation';
    end if;
    return case when tg_op = 'DELETE' then old else new end;
end;
$$;

-- A truncate passes row triggers by: refused while any round is frozen.
create function refuse_truncate_of_rounds() returns trigger
language plpgsql as $$
begin
    if exists (select 1 from prioritisation_rounds where status = 'frozen') then
        raise exception 'frozen prioritisation rounds are never removed'
            using errcode = 'integrity_constraint_violation';
    end if;
    return null;
end;
$$;

create trigger prioritisation_rounds_no_truncate
    before truncate on prioritisation_rounds
    for each statement execute function refuse_truncate_of_rounds();

create trigger prioritisation_rounds_frozen
    before update or delete on prioritisation_rounds
    for each row execute function refuse_frozen_round_change();

do $$
declare
    guarded text;
begin
    foreach guarded in array array['round_measures', 'assessments', 'final_values'] loop
        execute format(
            'create trigger %I before insert or update or delete on %I
             for each row execute function refuse_frozen_round_change()',
            guarded || '_frozen', guarded
        );
        execute format(
            'create trigger %I before truncate on %I
             for each statement execute function refuse_truncate_of_rounds()',
            guarded || '_no_truncate', guarded
        );
    end loop;
end;
$$;

-- Pages that show rounds (a measure's rank, the ranking) follow their changes like the others
-- (see 20261128000011_content_generation.sql).
do $$
declare
    watched text;
begin
    foreach watched in array array[
        'prioritisation_rounds', 'round_measures', 'assessments', 'final_values',
        'criteria_catalogues'
    ] loop
        execute format(
            'create constraint trigger %I after insert or update or delete on %I
             deferrable initially deferred for each row execute function bump_content_generation()',
            watched || '_bump_generation', watched
        );
    end loop;
end;
$$;

-- Opening a round notifies every district officer: a notification about a round, not a measure.
alter table notifications
    alter column measure_id drop not null,
    add column round_id uuid references prioritisation_rounds (id) on delete cascade,
    drop constraint notifications_kind_check,
    add constraint notifications_kind_check
        check (kind in ('status_changed', 'comment', 'merged', 'round_opened')),
    add constraint notifications_about_something
        check ((measure_id is not null) <> (round_id is not null));
