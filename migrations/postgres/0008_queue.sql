-- The walk-in queue: queues per location or department, and the numbered tickets people take at the door.
-- Tickets carry no names: a patient is referred to by id only, and only when the desk links one.
--
-- `display_token_hash` is the SHA-256 of the waiting-room screen's token; the token itself is shown once.
-- `ticket_day` and `last_ticket_number` count the tickets issued on the organization's current day; the
-- update of this row is what makes two desks issuing at once take turns, on both backends.
-- A ticket's `reason` is kept in clear when the ticket names no patient, and sealed under the patient's data
-- key (`reason_sealed`) when it does, so that erasing the patient erases it too.

create table queue (
    queue_id uuid primary key,
    organization_id uuid not null references organization (organization_id),
    name text not null,
    location text,
    average_service_minutes bigint not null,
    display_token_hash text not null unique,
    ticket_day text,
    last_ticket_number bigint not null,
    version bigint not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    unique (organization_id, name)
);

create table queue_ticket (
    ticket_id uuid primary key,
    organization_id uuid not null references organization (organization_id),
    queue_id uuid not null references queue (queue_id),
    service_day text not null,
    number bigint not null,
    patient_id uuid references patient (patient_id),
    reason text,
    reason_sealed bytea,
    status text not null,
    desk text,
    issued_at timestamptz not null,
    called_at timestamptz,
    serving_at timestamptz,
    finished_at timestamptz,
    version bigint not null,
    updated_at timestamptz not null,
    unique (organization_id, queue_id, service_day, number)
);
create index queue_ticket_by_status on queue_ticket (organization_id, queue_id, service_day, status, number);
create index queue_ticket_by_patient on queue_ticket (organization_id, patient_id);
