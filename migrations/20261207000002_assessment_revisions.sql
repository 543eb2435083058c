-- An assessor sees the others' values of a measure once their own assessment of it gives points.
-- Changing a value after that is allowed (a slip, a new fact), but it stays visible (issue 21):
-- the value it replaced is kept here, with when, and shown beside the new one to everyone who
-- sees each office's values. Like the assessments, nothing of a frozen round changes.
create table assessment_revisions (
    id bigint generated always as identity primary key,
    round_id uuid not null,
    measure_id uuid not null,
    criterion_id uuid not null references criteria (id) on delete restrict,
    rater_id uuid not null references users (id) on delete restrict,
    rater_office office not null,
    -- The value replaced (null: "nicht beurteilbar").
    value smallint check (value between 0 and 10),
    submitted_at timestamptz not null,
    replaced_at timestamptz not null default now(),
    foreign key (round_id, measure_id) references round_measures (round_id, measure_id)
        on delete restrict
);

create index assessment_revisions_round on assessment_revisions (round_id, measure_id);

create trigger assessment_revisions_frozen before insert or update or delete on assessment_revisions
    for each row execute function refuse_frozen_round_change();
create trigger assessment_revisions_no_truncate before truncate on assessment_revisions
    for each statement execute function refuse_truncate_of_rounds();
create constraint trigger assessment_revisions_bump_generation
    after insert or update or delete on assessment_revisions
    deferrable initially deferred for each row execute function bump_content_generation();
