-- Rules the application keeps, held by the database as well (security review, issue 8).

-- A measure names the measure it was merged into exactly while it is merged; earlier versions
-- kept a target from a refused or later step.
update measures set merged_into = null where status <> 'merged' and merged_into is not null;
alter table measures
    add constraint measures_merged_into_exactly_when_merged
        check ((status = 'merged') = (merged_into is not null));

-- A form's one-time key belongs to the person who sent it: someone else's key finds nothing.
alter table measures drop constraint measures_submission_key_key;
alter table measures
    add constraint measures_submission_key_per_author unique (author_id, submission_key);
