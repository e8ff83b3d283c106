-- Patients (people and animals). Fields that identify a person are sealed with the patient's data key;
-- names and birth dates stay in clear so they can be searched and sorted (folded for accent-free search).
-- Birth dates are ISO 8601 text on both backends: they sort and compare correctly as text.

create table patient_counter (
    organization_id blob primary key not null references organization (organization_id),
    last_number integer not null
) strict;

create table patient (
    patient_id blob primary key not null,
    organization_id blob not null references organization (organization_id),
    patient_number integer not null,
    kind text not null,
    given_name text not null,
    family_name text not null,
    search_given text not null,
    search_family text not null,
    birth_date text,
    sex text not null,
    status text not null,
    deceased_on text,
    species text,
    breed text,
    colour text,
    neuter_status text,
    microchip text,
    phone blob,
    email blob,
    address blob,
    notes blob,
    version integer not null,
    created_at integer not null,
    updated_at integer not null,
    deleted_at integer,
    unique (organization_id, patient_number)
) strict;
create index patient_by_family on patient (organization_id, search_family, patient_id);
create index patient_by_given on patient (organization_id, search_given, patient_id);
create index patient_by_birth_date on patient (organization_id, birth_date, patient_id);

create table patient_key (
    patient_id blob primary key not null references patient (patient_id),
    organization_id blob not null references organization (organization_id),
    key_id text not null,
    wrapped blob,
    destroyed_at integer
) strict;

create table patient_identifier (
    organization_id blob not null references organization (organization_id),
    patient_id blob not null references patient (patient_id),
    system text not null,
    value blob not null,
    blind_index text not null,
    primary key (organization_id, system, blind_index)
) strict;
create index patient_identifier_by_patient on patient_identifier (organization_id, patient_id);

create table patient_lookup (
    organization_id blob not null references organization (organization_id),
    patient_id blob not null references patient (patient_id),
    kind text not null,
    blind_index text not null,
    primary key (organization_id, kind, blind_index, patient_id)
) strict;
create index patient_lookup_by_patient on patient_lookup (organization_id, patient_id);
