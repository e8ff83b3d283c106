-- The waitlist: patients waiting for a service (optionally with one practitioner) within time windows, and
-- the offers made to them when matching time frees up. An offer is accepted by booking it, so the
-- appointment's overlap rules decide who gets a slot two patients were offered.

create table waitlist_entry (
    entry_id uuid primary key,
    organization_id uuid not null references organization (organization_id),
    patient_id uuid not null references patient (patient_id),
    service_id uuid not null references service (service_id),
    practitioner_id uuid references practitioner (practitioner_id),
    priority bigint not null,
    status text not null,
    appointment_id uuid references appointment (appointment_id),
    version bigint not null,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create index waitlist_entry_waiting on waitlist_entry (organization_id, status, priority, created_at);

create table waitlist_window (
    organization_id uuid not null references organization (organization_id),
    entry_id uuid not null references waitlist_entry (entry_id),
    start_at timestamptz not null,
    end_at timestamptz not null,
    primary key (entry_id, start_at)
);

create table waitlist_offer (
    offer_id uuid primary key,
    organization_id uuid not null references organization (organization_id),
    entry_id uuid not null references waitlist_entry (entry_id),
    practitioner_id uuid not null references practitioner (practitioner_id),
    start_at timestamptz not null,
    end_at timestamptz not null,
    status text not null,
    appointment_id uuid references appointment (appointment_id),
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create index waitlist_offer_by_status on waitlist_offer (organization_id, status, start_at);
create index waitlist_offer_by_entry on waitlist_offer (entry_id);
