-- Accounts, server-side sessions and the security log.

create type office as enum (
    'altona', 'bergedorf', 'eimsbuettel', 'hamburg_mitte', 'hamburg_nord', 'harburg', 'wandsbek',
    'central'
);

create type role as enum (
    'staff', 'district_officer', 'central_officer', 'strategy_team', 'administrator'
);

create table users (
    id uuid primary key,
    email text not null check (length(email) between 3 and 254),
    display_name text not null check (length(display_name) between 1 and 100),
    office office not null,
    roles role[] not null check (cardinality(roles) > 0),
    -- Argon2id in PHC format; null for an account that cannot sign in with a password.
    password_hash text,
    active boolean not null default true,
    password_changed_at timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);

-- E-mail addresses are unique whatever their case.
create unique index users_email_unique on users (lower(email));

-- Only a hash of the session token is stored: a leaked table does not hand out sessions.
create table sessions (
    -- Shown in "your sessions" to end one; the token itself is never shown or stored.
    id uuid primary key,
    token_hash bytea not null unique,
    user_id uuid not null references users (id) on delete cascade,
    csrf_token text not null,
    created_at timestamptz not null default now(),
    last_seen_at timestamptz not null default now(),
    client_address text not null default '',
    user_agent text not null default ''
);

create index sessions_user_id on sessions (user_id);

create type security_event_kind as enum (
    'login_succeeded', 'login_failed', 'login_throttled', 'logout', 'password_changed',
    'password_reset', 'user_created', 'roles_changed', 'office_changed', 'user_deactivated',
    'user_reactivated', 'sessions_ended'
);

create table security_events (
    id bigint generated always as identity primary key,
    occurred_at timestamptz not null default now(),
    kind security_event_kind not null,
    -- Who acted (null: nobody signed in, e.g. a failed login).
    actor_id uuid references users (id) on delete set null,
    -- Whom it concerned; for logins of unknown accounts only the e-mail as entered.
    subject_id uuid references users (id) on delete set null,
    subject_email text not null default '',
    client_address text not null default '',
    details text not null default ''
);

create index security_events_occurred_at on security_events (occurred_at desc);
-- Throttling counts recent failures per account and per client address.
create index security_events_failed_email on security_events (lower(subject_email), occurred_at)
    where kind = 'login_failed';
create index security_events_failed_address on security_events (client_address, occurred_at)
    where kind = 'login_failed';
