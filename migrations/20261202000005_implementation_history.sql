-- Every state an office's implementation row has had, with the day it held from: the
-- dashboard's progress over time reads the state of each row at the end of each month from
-- here. Kept by a trigger, so no writer can forget it; existing rows are taken over once with
-- the day they state (or the day they were last written).

create table implementation_history (
    measure_id uuid not null references measures (id) on delete cascade,
    office office not null,
    state implementation_state not null,
    -- The day the state holds from.
    as_of date not null,
    recorded_at timestamptz not null default now()
);

create index implementation_history_as_of on implementation_history (as_of);

insert into implementation_history (measure_id, office, state, as_of, recorded_at)
select measure_id, office, state, coalesce(as_of, updated_at::date), updated_at
from measure_implementations;

create function record_implementation_state() returns trigger language plpgsql as $$
begin
    if tg_op = 'INSERT' or new.state is distinct from old.state
        or new.as_of is distinct from old.as_of then
        insert into implementation_history (measure_id, office, state, as_of)
        values (new.measure_id, new.office, new.state, coalesce(new.as_of, current_date));
    end if;
    return new;
end;
$$;

create trigger measure_implementations_history
after insert or update on measure_implementations
for each row execute function record_implementation_state();
