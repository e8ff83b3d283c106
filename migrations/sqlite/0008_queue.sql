-- The walk-in queue: queues per location or department, and the numbered tickets people take at the door.
-- Tickets carry no names: a patient is referred to by id only, and only when the desk links one.
--
-- `display_token_hash` is the SHA-256 of the waiting-room screen's token; the token itself is shown once.
-- `ticket_day` and `last_ticket_number` count the tickets issued on the organization's current day; the
-- update of this row is what makes two desks issuing at once take turns, on both backends.
-- A ticket's `reason` is kept in clear when the ticket names no patient, and sealed under the patient's data
-- key (`reason_sealed`) when it does, so that erasing the patient erases it too.

create table queue (
    queue_id blob primary key not null,
    organization_id blob not null references organization (organization_id),
    name text not null,
    location text,
    average_service_minutes integer not null,
    display_token_hash text not null unique,
    ticket_day text,
    last_ticket_number integer not null,
    version integer not null,
    created_at integer not null,
    updated_at integer not null,
    unique (organization_id, name)
) strict;

create table queue_ticket (
    ticket_id blob primary key not null,
    organization_id blob not null references organization (organization_id),
    queue_id blob not null references queue (queue_id),
    service_day text not null,
    number integer not null,
    patient_id blob references patient (patient_id),
    reason text,
    reason_sealed blob,
    status text not null,
    desk text,
    issued_at integer not null,
    called_at integer,
    serving_at integer,
    finished_at integer,
    version integer not null,
    updated_at integer not null,
    unique (organization_id, queue_id, service_day, number)
) strict;
create index queue_ticket_by_status on queue_ticket (organization_id, queue_id, service_day, status, number);
create index queue_ticket_by_patient on queue_ticket (organization_id, patient_id);
