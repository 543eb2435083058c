-- Every change to the strategy tree notifies listeners, so that PriMa instances can keep the
-- tree in memory and drop it the moment it changes (see src/db/strategy_cache.rs).

create function notify_strategy_changed() returns trigger
language plpgsql as $$
begin
    perform pg_notify('prima_strategy_changed', tg_table_name);
    return null;
end;
$$;

create trigger strategies_changed after insert or update or delete or truncate on strategies
    for each statement execute function notify_strategy_changed();
create trigger pillars_changed after insert or update or delete or truncate on pillars
    for each statement execute function notify_strategy_changed();
create trigger action_dimensions_changed after insert or update or delete or truncate on action_dimensions
    for each statement execute function notify_strategy_changed();
create trigger fields_changed after insert or update or delete or truncate on fields
    for each statement execute function notify_strategy_changed();
create trigger goals_changed after insert or update or delete or truncate on goals
    for each statement execute function notify_strategy_changed();
