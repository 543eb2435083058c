-- A measure takes its number ("M-42") when it is stored, not when an insert is tried: the
-- identity's sequence was used up by refused and repeated submissions (M-356 … M-360 never
-- appeared). The last number given is one row, updated in the inserting transaction, so a
-- rollback gives the number back and numbers have no gaps from now on.

create table measure_numbers (
    last bigint not null check (last >= 0)
);
create unique index measure_numbers_one_row on measure_numbers ((true));
insert into measure_numbers select coalesce(max(number), 0) from measures;

create function next_measure_number() returns bigint
    language sql volatile
    as $$ update measure_numbers set last = last + 1 returning last $$;

alter table measures alter column number drop identity;
alter table measures alter column number set default next_measure_number();
alter table measures alter column number set not null;
