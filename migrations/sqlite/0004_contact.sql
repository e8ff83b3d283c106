-- Contacts: people related to patients (owners of animals, guardians of children, next of kin, emergency
-- contacts). A contact is a person of its own, so it has its own data key; its phone, e-mail and address
-- are sealed under it and found through blind indexes, its names stay in clear for search.

create table contact (
    contact_id blob primary key not null,
    organization_id blob not null references organization (organization_id),
    given_name text not null,
    family_name text not null,
    search_given text not null,
    search_family text not null,
    phone blob,
    email blob,
    address blob,
    version integer not null,
    created_at integer not null,
    updated_at integer not null,
    deleted_at integer
) strict;
create index contact_by_family on contact (organization_id, search_family, contact_id);
create index contact_by_given on contact (organization_id, search_given, contact_id);

create table contact_key (
    contact_id blob primary key not null references contact (contact_id),
    organization_id blob not null references organization (organization_id),
    key_id text not null,
    wrapped blob,
    destroyed_at integer
) strict;

create table contact_lookup (
    organization_id blob not null references organization (organization_id),
    contact_id blob not null references contact (contact_id),
    kind text not null,
    blind_index text not null,
    primary key (organization_id, kind, blind_index, contact_id)
) strict;
create index contact_lookup_by_contact on contact_lookup (organization_id, contact_id);

-- One row per role a contact has for a patient: the same person may be owner and emergency contact.
create table patient_contact (
    organization_id blob not null references organization (organization_id),
    patient_id blob not null references patient (patient_id),
    contact_id blob not null references contact (contact_id),
    role text not null,
    relationship text,
    receives_invoices integer not null,
    receives_messages integer not null,
    created_at integer not null,
    updated_at integer not null,
    primary key (organization_id, patient_id, contact_id, role)
) strict;
create index patient_contact_by_contact on patient_contact (organization_id, contact_id, patient_id);
