-- Finding similar measures while proposing: trigram similarity on title and summary.

create extension if not exists pg_trgm;

create index measures_title_summary_trgm on measures
    using gin ((title || ' ' || summary) gin_trgm_ops);
