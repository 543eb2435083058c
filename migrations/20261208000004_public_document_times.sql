-- When each open-data document last changed, as served: its content's digest and the moment it
-- changed. A withdrawal (whose events then no longer count) or a Fortschreibung (the strategy
-- tree is in the document too) moves the time forward; it never goes backwards, so clients
-- revalidating by date always see a change.

create table public_documents (
    name text primary key,
    digest text not null,
    modified timestamptz not null
);
