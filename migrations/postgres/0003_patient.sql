-- Patients (people and animals). Fields that identify a person are sealed with the patient's data key;
-- names and birth dates stay in clear so they can be searched and sorted (folded for accent-free search).
-- Birth dates are ISO 8601 text on both backends: they sort and compare correctly as text.

create table patient_counter (
    organization_id uuid primary key references organization (organization_id),
    last_number bigint not null
);

create table patient (
    patient_id uuid primary key,
    organization_id uuid not null references organization (organization_id),
    patient_number bigint not null,
    kind text not null,
    given_name text not null,
    family_name text not null,
    search_given text collate "C" not null,
    search_family text collate "C" not null,
    birth_date text,
    sex text not null,
    status text not null,
    deceased_on text,
    species text,
    breed text,
    colour text,
    neuter_status text,
    microchip text,
    phone bytea,
    email bytea,
    address bytea,
    notes bytea,
    version bigint not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    deleted_at timestamptz,
    unique (organization_id, patient_number)
);
create index patient_by_family on patient (organization_id, search_family, patient_id);
create index patient_by_given on patient (organization_id, search_given, patient_id);
create index patient_by_birth_date on patient (organization_id, birth_date, patient_id);

create table patient_key (
    patient_id uuid primary key references patient (patient_id),
    organization_id uuid not null references organization (organization_id),
    key_id text not null,
    wrapped bytea,
    destroyed_at timestamptz
);

create table patient_identifier (
    organization_id uuid not null references organization (organization_id),
    patient_id uuid not null references patient (patient_id),
    system text not null,
    value bytea not null,
    blind_index text not null,
    primary key (organization_id, system, blind_index)
);
create index patient_identifier_by_patient on patient_identifier (organization_id, patient_id);

create table patient_lookup (
    organization_id uuid not null references organization (organization_id),
    patient_id uuid not null references patient (patient_id),
    kind text not null,
    blind_index text not null,
    primary key (organization_id, kind, blind_index, patient_id)
);
create index patient_lookup_by_patient on patient_lookup (organization_id, patient_id);
