-- The tenant every other table belongs to.
create table organization (
    organization_id uuid primary key,
    slug text not null unique,
    name text not null,
    time_zone text not null,
    country text not null,
    currency text not null,
    locale text not null,
    version bigint not null default 1,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
