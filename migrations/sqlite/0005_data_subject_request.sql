-- Data-subject requests (GDPR articles 15, 17 and 20) and their outcomes, for compliance officers.
-- `legal_reason` is free text in clear: it survives the erasure of the patient's data key, so it must name
-- the legal ground (e.g. "court order 2026/123"), never personal data. `refused_until` is the ISO 8601 date
-- until which the retention rule keeps the record, when the request was refused for that reason.

create table data_subject_request (
    request_id blob primary key not null,
    organization_id blob not null references organization (organization_id),
    patient_id blob not null references patient (patient_id),
    kind text not null,
    requested_by blob not null references app_user (user_id),
    requested_at integer not null,
    outcome text not null,
    legal_reason text,
    refused_until text
) strict;
create index data_subject_request_by_organization on data_subject_request (organization_id, request_id);
create index data_subject_request_by_patient on data_subject_request (organization_id, patient_id, request_id);
