-- The tenant every other table belongs to.
create table organization (
    organization_id text primary key not null,
    slug text not null unique,
    name text not null,
    time_zone text not null,
    country text not null,
    currency text not null,
    locale text not null,
    version integer not null default 1,
    created_at text not null,
    updated_at text not null
) strict;
