-- Staff accounts, their sessions, integration keys, and the tamper-evident audit trail.

create table app_user (
    user_id blob primary key not null,
    organization_id blob not null references organization (organization_id),
    email text not null,
    display_name text not null,
    password_hash text not null,
    roles text not null,
    active integer not null default 1,
    failed_logins integer not null default 0,
    first_failed_login_at integer,
    locked_until integer,
    version integer not null default 1,
    created_at integer not null,
    updated_at integer not null,
    unique (organization_id, email)
) strict;

create table session (
    session_id blob primary key not null,
    organization_id blob not null references organization (organization_id),
    user_id blob not null references app_user (user_id),
    token_hash text not null unique,
    created_at integer not null,
    last_seen_at integer not null,
    expires_at integer not null,
    revoked_at integer,
    ip text,
    user_agent text
) strict;
create index session_by_user on session (organization_id, user_id);

create table api_key (
    api_key_id blob primary key not null,
    organization_id blob not null references organization (organization_id),
    name text not null,
    prefix text not null,
    secret_hash text not null unique,
    scopes text not null,
    created_by blob not null references app_user (user_id),
    created_at integer not null,
    expires_at integer,
    revoked_at integer,
    last_used_at integer
) strict;
create index api_key_organization on api_key (organization_id, api_key_id);

create table audit_head (
    organization_id blob primary key not null references organization (organization_id),
    seq integer not null,
    hash text not null
) strict;

create table audit_event (
    organization_id blob not null references organization (organization_id),
    seq integer not null,
    occurred_at integer not null,
    actor_kind text not null,
    actor_id blob,
    actor_role text,
    action text not null,
    entity_type text,
    entity_id text,
    patient_id blob,
    outcome text not null,
    request_id text,
    ip text,
    user_agent text,
    details text not null,
    hash text not null,
    primary key (organization_id, seq)
) strict;
create index audit_event_patient on audit_event (organization_id, patient_id, seq);
create index audit_event_actor on audit_event (organization_id, actor_id, seq);

create trigger audit_event_no_update before update on audit_event
begin
    select raise(abort, 'audit events cannot be changed');
end;

create trigger audit_event_no_delete before delete on audit_event
begin
    select raise(abort, 'audit events cannot be deleted');
end;
