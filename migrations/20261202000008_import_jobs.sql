-- The commit of an import runs as a job too (thousands of rows take seconds).
alter table jobs drop constraint jobs_kind_check;
alter table jobs add constraint jobs_kind_check check (kind in ('strategy_report', 'import'));
