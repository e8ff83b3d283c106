-- Idempotency keys of creating requests: the first answer to a caller's key, replayed for 24 hours.
-- The key and the request's fingerprint are stored as blind indexes (HMAC under the index key), never as
-- sent, since a client may put anything in a key and the body holds personal data. The answer's body is
-- sealed under a data key of its own, wrapped by the master key like a patient's.

create table idempotency_key (
    idempotency_key_id blob primary key not null,
    organization_id blob not null references organization (organization_id),
    -- The user or API key that sent it: another caller's identical key is another key.
    principal_id blob not null,
    key_hash text not null,
    fingerprint text not null,
    -- `in_progress` while the first request runs, `completed` once its answer is stored.
    state text not null,
    created_at integer not null,
    status integer,
    location text,
    etag text,
    content_type text,
    -- The record the answer's Location names, so erasing a patient also forgets answers about them.
    record_id blob,
    key_id text,
    wrapped_key blob,
    body blob,
    unique (organization_id, principal_id, key_hash)
) strict;
create index idempotency_key_by_age on idempotency_key (organization_id, created_at);
create index idempotency_key_by_record on idempotency_key (organization_id, record_id);
