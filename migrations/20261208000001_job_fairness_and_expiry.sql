-- Jobs are shared fairly: a person has at most a few open jobs (the request is refused beyond
-- them), and the worker takes next the open job whose owner has the fewest open jobs ahead of
-- it, so one person's many reports cannot delay another person's import. Finished jobs (their
-- files) and uploaded tables are kept for `PRIMA_KEEP_FILES_DAYS`; a committed import keeps its
-- outcome per row (which measures came from it), only the uploaded table goes.

create index jobs_open_of_owner on jobs (owner_id, created_at)
    where status in ('queued', 'running');
create index jobs_finished on jobs (finished_at) where status in ('done', 'failed');

alter table imports add column table_removed_at timestamptz;
comment on column imports.table_removed_at is
    'When the uploaded rows were removed after the retention time (the outcomes stay).';
create index imports_to_expire on imports (created_at) where table_removed_at is null;
