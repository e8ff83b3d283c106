-- Staff accounts, their sessions, integration keys, and the tamper-evident audit trail.

create table app_user (
    user_id uuid primary key,
    organization_id uuid not null references organization (organization_id),
    email text not null,
    display_name text not null,
    password_hash text not null,
    roles text not null,
    active boolean not null default true,
    failed_logins bigint not null default 0,
    first_failed_login_at timestamptz,
    locked_until timestamptz,
    version bigint not null default 1,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    unique (organization_id, email)
);

create table session (
    session_id uuid primary key,
    organization_id uuid not null references organization (organization_id),
    user_id uuid not null references app_user (user_id),
    token_hash text not null unique,
    created_at timestamptz not null,
    last_seen_at timestamptz not null,
    expires_at timestamptz not null,
    revoked_at timestamptz,
    ip text,
    user_agent text
);
create index session_by_user on session (organization_id, user_id);

create table api_key (
    api_key_id uuid primary key,
    organization_id uuid not null references organization (organization_id),
    name text not null,
    prefix text not null,
    secret_hash text not null unique,
    scopes text not null,
    created_by uuid not null references app_user (user_id),
    created_at timestamptz not null,
    expires_at timestamptz,
    revoked_at timestamptz,
    last_used_at timestamptz
);
create index api_key_organization on api_key (organization_id, api_key_id);

create table audit_head (
    organization_id uuid primary key references organization (organization_id),
    seq bigint not null,
    hash text not null
);

create table audit_event (
    organization_id uuid not null references organization (organization_id),
    seq bigint not null,
    occurred_at timestamptz not null,
    actor_kind text not null,
    actor_id uuid,
    actor_role text,
    action text not null,
    entity_type text,
    entity_id text,
    patient_id uuid,
    outcome text not null,
    request_id text,
    ip text,
    user_agent text,
    details text not null,
    hash text not null,
    primary key (organization_id, seq)
);
create index audit_event_patient on audit_event (organization_id, patient_id, seq);
create index audit_event_actor on audit_event (organization_id, actor_id, seq);

create function audit_event_refuse_change() returns trigger language plpgsql as $$
begin
    raise exception 'audit events cannot be changed or deleted';
end;
$$;

create trigger audit_event_immutable before update or delete on audit_event
    for each row execute function audit_event_refuse_change();
create trigger audit_event_no_truncate before truncate on audit_event
    for each statement execute function audit_event_refuse_change();
