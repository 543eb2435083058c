-- Adding a measure to a round is the central officer's decision (issue 21): when anyone else
-- imports a list with criterion columns, the values of a row whose measure is not in the round
-- are left out, and the row says so ('outside').
alter table import_rows drop constraint import_rows_assessment_check;
alter table import_rows
    add constraint import_rows_assessment_check check (assessment in ('taken', 'kept', 'outside'));
