-- Large spreadsheet exports (XLSX, ODS) are written as jobs too.
alter table jobs drop constraint jobs_kind_check;
alter table jobs add constraint jobs_kind_check
    check (kind in ('strategy_report', 'import', 'export'));
