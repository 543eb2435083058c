-- A CSV that is not UTF-8 is read as Windows-1252 (issue 21): the import remembers it, so that
-- its mapping and preview can say so (umlauts are worth a look then).
alter table imports add column windows_1252 boolean not null default false;
