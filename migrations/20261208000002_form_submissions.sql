-- Every form a signed-in person sends carries a one-time key (`form_key`, rendered fresh with
-- each form). The first request with a key claims it here; a second one with the same key (a
-- double click, a reload of the answer, the back button) does not act again but is sent where
-- the first one led, once that is known. A refused form (4xx) gives its key back. Keys are
-- kept for a day.

create table form_submissions (
    user_id uuid not null references users (id) on delete cascade,
    key uuid not null,
    claimed_at timestamptz not null default now(),
    finished_at timestamptz,
    -- Where the first request's answer led (its Location), if it redirected.
    location text check (length(location) <= 2000),
    primary key (user_id, key)
);

create index form_submissions_claimed on form_submissions (claimed_at);
