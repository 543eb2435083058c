-- What-if scenarios: named weights an officer saved for a round, to compare side by side with
-- the agreed weights. A scenario decides nothing: it is not part of a frozen round and may be
-- saved for a frozen round too.

create table weight_scenarios (
    id uuid primary key,
    round_id uuid not null references prioritisation_rounds (id) on delete cascade,
    name text not null check (length(name) between 1 and 100),
    -- Whole percent per criterion position of the round's catalogue version, adding up to 100.
    weights smallint[] not null
        check (array_length(weights, 1) between 1 and 30
               and 0 <= all (weights) and 100 >= all (weights)),
    created_by uuid references users (id) on delete set null,
    created_at timestamptz not null default now(),
    unique (round_id, name)
);
