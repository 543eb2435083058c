-- A password an administrator (or the command line) generated is a one-time password (issue
-- 21): it signs in until this moment and only to choose one's own; choosing one clears it.
alter table users add column one_time_until timestamptz;
