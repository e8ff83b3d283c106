-- The tenant every other table belongs to.
create table organization (
    organization_id blob primary key not null,
    slug text not null unique,
    name text not null,
    time_zone text not null,
    country text not null,
    currency text not null,
    locale text not null,
    version integer not null default 1,
    created_at integer not null,
    updated_at integer not null
) strict;
