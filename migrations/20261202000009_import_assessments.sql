-- Columns of an imported list may hold the importing officer's assessment of criteria: the
-- import names the open prioritisation round they go into, and each row remembers whether its
-- values were taken as the importer's assessment or an assessment of theirs already existed
-- (it is never overwritten).
alter table imports
    add column round_id uuid references prioritisation_rounds (id) on delete set null;

alter table import_rows
    add column assessment text check (assessment in ('taken', 'kept'));
