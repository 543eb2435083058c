-- Every check of a password (login, password change, any later confirmation) first reserves its
-- row here, in a transaction serialised per account and per client address, so that guesses
-- sent in parallel count at once instead of after their hashes; the outcome follows when the
-- hash has been checked. A row without an outcome counts while its check can still be running.
create table credential_attempts (
    id bigint generated always as identity primary key,
    -- The e-mail address as typed (login) or the account's (confirmations), lower case.
    account text not null,
    client_address text not null,
    purpose text not null check (purpose in ('login', 'password_change')),
    started_at timestamptz not null default now(),
    outcome text check (outcome in ('failed', 'succeeded'))
);

create index credential_attempts_account on credential_attempts (account, started_at);
create index credential_attempts_address on credential_attempts (client_address, started_at);
create index credential_attempts_started_at on credential_attempts (started_at);

-- The throttle no longer counts the security log; the log keeps every event for reading.
drop index security_events_failed_email;
drop index security_events_failed_address;
