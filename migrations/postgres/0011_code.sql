-- Code lists an organization imported (`praxis codes import`). For a system with no rows here, the
-- organization searches the list that ships with Praxis. An import replaces the organization's whole list
-- for that system, and all its rows carry the same `imported_at`.

create table clinical_code (
    organization_id uuid not null references organization (organization_id),
    system text not null,
    code text not null,
    title text not null,
    imported_at timestamptz not null,
    primary key (organization_id, system, code)
);
