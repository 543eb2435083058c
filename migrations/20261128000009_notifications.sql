-- Following measures and the in-app notifications about them.

create table follows (
    measure_id uuid not null references measures (id) on delete cascade,
    user_id uuid not null references users (id) on delete cascade,
    created_at timestamptz not null default now(),
    primary key (measure_id, user_id)
);

create index follows_user on follows (user_id);

create table notifications (
    id bigint generated always as identity primary key,
    user_id uuid not null references users (id) on delete cascade,
    measure_id uuid not null references measures (id) on delete cascade,
    -- For merges: the measure that now carries on.
    target_id uuid references measures (id) on delete cascade,
    kind text not null check (kind in ('status_changed', 'comment', 'merged')),
    message text not null,
    created_at timestamptz not null default now(),
    read_at timestamptz
);

create index notifications_unread on notifications (user_id, created_at desc) where read_at is null;
create index notifications_user on notifications (user_id, created_at desc);
