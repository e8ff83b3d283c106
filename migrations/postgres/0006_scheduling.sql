-- Scheduling: who and what can be booked (practitioners, resources such as rooms), what is booked
-- (services), when people work (weekly hours in the organization's local time, with validity periods), when
-- they do not (time blocks), and the appointments themselves with their change history.
--
-- The database itself refuses overlapping active appointments (exclusion constraints below), so no race
-- between instances can double-book a practitioner, a resource or a patient.

create extension if not exists btree_gist;

create table practitioner (
    practitioner_id uuid primary key,
    organization_id uuid not null references organization (organization_id),
    name text not null,
    user_id uuid references app_user (user_id),
    active boolean not null,
    version bigint not null,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create index practitioner_by_organization on practitioner (organization_id, practitioner_id);
create unique index practitioner_by_user on practitioner (organization_id, user_id) where user_id is not null;

create table resource (
    resource_id uuid primary key,
    organization_id uuid not null references organization (organization_id),
    name text not null,
    kind text not null,
    active boolean not null,
    version bigint not null,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create index resource_by_organization on resource (organization_id, resource_id);

create table service (
    service_id uuid primary key,
    organization_id uuid not null references organization (organization_id),
    name text not null,
    duration_minutes bigint not null,
    buffer_before_minutes bigint not null,
    buffer_after_minutes bigint not null,
    price_minor bigint,
    colour text,
    active boolean not null,
    version bigint not null,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create index service_by_organization on service (organization_id, service_id);

create table service_practitioner (
    organization_id uuid not null references organization (organization_id),
    service_id uuid not null references service (service_id),
    practitioner_id uuid not null references practitioner (practitioner_id),
    primary key (service_id, practitioner_id)
);
create index service_practitioner_by_practitioner on service_practitioner (organization_id, practitioner_id);

-- Local wall-clock times ("08:00") and dates ("2026-12-01") of the organization's time zone: converting them
-- to instants happens per day, so a daylight-saving change never shifts anyone's working day.
create table working_hours (
    organization_id uuid not null references organization (organization_id),
    practitioner_id uuid not null references practitioner (practitioner_id),
    position bigint not null,
    weekday text not null,
    start_time text not null,
    end_time text not null,
    valid_from text,
    valid_until text,
    primary key (practitioner_id, position)
);

create table time_block (
    time_block_id uuid primary key,
    organization_id uuid not null references organization (organization_id),
    practitioner_id uuid references practitioner (practitioner_id),
    resource_id uuid references resource (resource_id),
    kind text not null,
    start_at timestamptz not null,
    end_at timestamptz not null,
    version bigint not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    check (practitioner_id is not null or resource_id is not null),
    check (start_at < end_at)
);
create index time_block_by_practitioner on time_block (organization_id, practitioner_id, end_at);
create index time_block_by_resource on time_block (organization_id, resource_id, end_at);

create table appointment_series (
    series_id uuid primary key,
    organization_id uuid not null references organization (organization_id),
    patient_id uuid not null references patient (patient_id),
    practitioner_id uuid not null references practitioner (practitioner_id),
    service_id uuid not null references service (service_id),
    resource_id uuid references resource (resource_id),
    rrule text not null,
    first_local text not null,
    time_zone text not null,
    created_at timestamptz not null
);

-- `occupied_*` widen the appointment by the service's buffers: practitioners and resources are busy for
-- that long, patients only for the appointment itself.
create table appointment (
    appointment_id uuid primary key,
    organization_id uuid not null references organization (organization_id),
    patient_id uuid not null references patient (patient_id),
    practitioner_id uuid not null references practitioner (practitioner_id),
    service_id uuid not null references service (service_id),
    resource_id uuid references resource (resource_id),
    series_id uuid references appointment_series (series_id),
    series_index bigint,
    start_at timestamptz not null,
    end_at timestamptz not null,
    occupied_start timestamptz not null,
    occupied_end timestamptz not null,
    status text not null,
    cancel_reason text,
    cancelled_by uuid,
    cancelled_at timestamptz,
    late_cancellation boolean not null,
    override_reason bytea,
    version bigint not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    check (start_at < end_at),
    check (occupied_start <= start_at and end_at <= occupied_end),
    -- Cancelled and no-show appointments no longer hold their time.
    constraint appointment_practitioner_overlap exclude using gist (
        organization_id with =, practitioner_id with =, tstzrange(occupied_start, occupied_end) with &&
    ) where (status in ('booked', 'arrived', 'in_progress', 'completed')),
    constraint appointment_resource_overlap exclude using gist (
        organization_id with =, resource_id with =, tstzrange(occupied_start, occupied_end) with &&
    ) where (resource_id is not null and status in ('booked', 'arrived', 'in_progress', 'completed')),
    constraint appointment_patient_overlap exclude using gist (
        organization_id with =, patient_id with =, tstzrange(start_at, end_at) with &&
    ) where (status in ('booked', 'arrived', 'in_progress', 'completed'))
);
create index appointment_by_start on appointment (organization_id, start_at);
create index appointment_by_series on appointment (series_id, series_index) where series_id is not null;

-- One row per version of an appointment: moving it keeps its id, and this keeps where it was.
create table appointment_history (
    organization_id uuid not null references organization (organization_id),
    appointment_id uuid not null references appointment (appointment_id),
    version bigint not null,
    action text not null,
    status text not null,
    practitioner_id uuid not null,
    resource_id uuid,
    start_at timestamptz not null,
    end_at timestamptz not null,
    actor_id uuid not null,
    changed_at timestamptz not null,
    primary key (appointment_id, version)
);
