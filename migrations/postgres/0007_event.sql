-- The live event stream: what happened in an organization (an appointment booked, a ticket issued), for
-- subscribers of `GET /api/v1/events`. Ids increase across all organizations, so a client resumes after the
-- last id it saw. `data` is JSON holding ids, times and statuses only, never personal data. Rows older than
-- `event_retention_hours` are pruned.

create table event (
    event_id bigint generated always as identity primary key,
    organization_id uuid not null references organization (organization_id),
    kind text not null,
    data text not null,
    occurred_at timestamptz not null
);
create index event_by_organization on event (organization_id, event_id);
