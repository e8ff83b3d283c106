-- Scheduling: who and what can be booked (practitioners, resources such as rooms), what is booked
-- (services), when people work (weekly hours in the organization's local time, with validity periods), when
-- they do not (time blocks), and the appointments themselves with their change history.
--
-- On SQLite the single writer checks for overlapping appointments inside its `begin immediate` transaction;
-- PostgreSQL enforces the same rule with exclusion constraints (see the postgres migration).

create table practitioner (
    practitioner_id blob primary key not null,
    organization_id blob not null references organization (organization_id),
    name text not null,
    user_id blob references app_user (user_id),
    active integer not null,
    version integer not null,
    created_at integer not null,
    updated_at integer not null
) strict;
create index practitioner_by_organization on practitioner (organization_id, practitioner_id);
create unique index practitioner_by_user on practitioner (organization_id, user_id) where user_id is not null;

create table resource (
    resource_id blob primary key not null,
    organization_id blob not null references organization (organization_id),
    name text not null,
    kind text not null,
    active integer not null,
    version integer not null,
    created_at integer not null,
    updated_at integer not null
) strict;
create index resource_by_organization on resource (organization_id, resource_id);

create table service (
    service_id blob primary key not null,
    organization_id blob not null references organization (organization_id),
    name text not null,
    duration_minutes integer not null,
    buffer_before_minutes integer not null,
    buffer_after_minutes integer not null,
    price_minor integer,
    colour text,
    active integer not null,
    version integer not null,
    created_at integer not null,
    updated_at integer not null
) strict;
create index service_by_organization on service (organization_id, service_id);

create table service_practitioner (
    organization_id blob not null references organization (organization_id),
    service_id blob not null references service (service_id),
    practitioner_id blob not null references practitioner (practitioner_id),
    primary key (service_id, practitioner_id)
) strict;
create index service_practitioner_by_practitioner on service_practitioner (organization_id, practitioner_id);

-- Local wall-clock times ("08:00") and dates ("2026-12-01") of the organization's time zone: converting them
-- to instants happens per day, so a daylight-saving change never shifts anyone's working day.
create table working_hours (
    organization_id blob not null references organization (organization_id),
    practitioner_id blob not null references practitioner (practitioner_id),
    position integer not null,
    weekday text not null,
    start_time text not null,
    end_time text not null,
    valid_from text,
    valid_until text,
    primary key (practitioner_id, position)
) strict;

create table time_block (
    time_block_id blob primary key not null,
    organization_id blob not null references organization (organization_id),
    practitioner_id blob references practitioner (practitioner_id),
    resource_id blob references resource (resource_id),
    kind text not null,
    start_at integer not null,
    end_at integer not null,
    version integer not null,
    created_at integer not null,
    updated_at integer not null,
    check (practitioner_id is not null or resource_id is not null),
    check (start_at < end_at)
) strict;
create index time_block_by_practitioner on time_block (organization_id, practitioner_id, end_at);
create index time_block_by_resource on time_block (organization_id, resource_id, end_at);

create table appointment_series (
    series_id blob primary key not null,
    organization_id blob not null references organization (organization_id),
    patient_id blob not null references patient (patient_id),
    practitioner_id blob not null references practitioner (practitioner_id),
    service_id blob not null references service (service_id),
    resource_id blob references resource (resource_id),
    rrule text not null,
    first_local text not null,
    time_zone text not null,
    created_at integer not null
) strict;

-- `occupied_*` widen the appointment by the service's buffers: practitioners and resources are busy for
-- that long, patients only for the appointment itself.
create table appointment (
    appointment_id blob primary key not null,
    organization_id blob not null references organization (organization_id),
    patient_id blob not null references patient (patient_id),
    practitioner_id blob not null references practitioner (practitioner_id),
    service_id blob not null references service (service_id),
    resource_id blob references resource (resource_id),
    series_id blob references appointment_series (series_id),
    series_index integer,
    start_at integer not null,
    end_at integer not null,
    occupied_start integer not null,
    occupied_end integer not null,
    status text not null,
    cancel_reason text,
    cancelled_by blob,
    cancelled_at integer,
    late_cancellation integer not null,
    override_reason blob,
    version integer not null,
    created_at integer not null,
    updated_at integer not null,
    check (start_at < end_at),
    check (occupied_start <= start_at and end_at <= occupied_end)
) strict;
create index appointment_by_practitioner on appointment (organization_id, practitioner_id, occupied_end);
create index appointment_by_resource on appointment (organization_id, resource_id, occupied_end)
    where resource_id is not null;
create index appointment_by_patient on appointment (organization_id, patient_id, end_at);
create index appointment_by_start on appointment (organization_id, start_at);
create index appointment_by_series on appointment (series_id, series_index) where series_id is not null;

-- One row per version of an appointment: moving it keeps its id, and this keeps where it was.
create table appointment_history (
    organization_id blob not null references organization (organization_id),
    appointment_id blob not null references appointment (appointment_id),
    version integer not null,
    action text not null,
    status text not null,
    practitioner_id blob not null,
    resource_id blob,
    start_at integer not null,
    end_at integer not null,
    actor_id blob not null,
    changed_at integer not null,
    primary key (appointment_id, version)
) strict;
