-- Long work (a PDF report, an import) runs as a job: the person who asked gets a page with its
-- progress to leave and come back to. Any instance takes queued jobs with
-- `for update skip locked`, so exactly one runs each; a running job keeps its heartbeat fresh,
-- and a job whose heartbeat went stale (its instance died) is taken again until its attempts
-- are used up, then marked failed with a German message.

create type job_status as enum ('queued', 'running', 'done', 'failed');

create table jobs (
    id uuid primary key,
    kind text not null check (kind in ('strategy_report')),
    params jsonb not null default '{}'::jsonb,
    owner_id uuid not null references users (id) on delete cascade,
    status job_status not null default 'queued',
    -- Progress: `step` of `steps` done, and what is being done now (German, for the page).
    step integer not null default 0 check (step >= 0),
    steps integer not null check (steps > 0),
    phase text not null default '',
    attempts integer not null default 0,
    -- The instance running it and when it last said so.
    worker text,
    heartbeat_at timestamptz,
    result bytea,
    result_name text,
    result_type text,
    -- Why it failed, for the person who asked (never internal error text).
    error text,
    created_at timestamptz not null default now(),
    finished_at timestamptz,
    check (step <= steps),
    check ((status = 'done') = (result is not null))
);

create index jobs_to_do on jobs (created_at) where status in ('queued', 'running');
create index jobs_of_owner on jobs (owner_id, created_at desc);
