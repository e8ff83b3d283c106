//! The demo: a general practice and an animal clinic (owners with their animals), each with one user per role and synthetic patients,
//! so a newcomer sees Praxis working a minute after the first start. Every value is made up; identifiers
//! are valid by their check digits but drawn at random, so demo data must never leave a demo installation.

use jiff::civil::{Date, Weekday, date};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use praxis_domain::access::Role;
use praxis_domain::identifier::{IdentifierSystem, synthetic};
use praxis_domain::patient::search_key;
use uuid::Uuid;

use super::access::users::NewUser;
use super::access::{Principal, secrets};
use super::contacts::{ContactInput, ContactService, LinkInput};
use super::error::ServiceResult;
use super::organizations::{self, Bootstrap, OrganizationFields};
use super::patients::{AddressInput, IdentifierInput, PatientInput, PatientService};
use super::scheduling::{
    BookingInput, PractitionerInput, ResourceInput, SchedulingService, ServiceInput, WeeklyHours,
    WorkingHoursInput,
};
use crate::store::Store;

/// A login of the demo, shown once when the demo is created.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub organization: String,
    pub email: String,
    pub role: Role,
    pub password: String,
}

#[derive(Debug)]
pub enum Seeded {
    Created(Vec<DemoLogin>),
    /// The demo clinics exist already; their logins were shown when they were created.
    AlreadyThere,
}

const GP: &str = "fjordklinikken";
const VET: &str = "dyreklinikken";
const PEOPLE: usize = 40;
const ANIMALS: usize = 16;

const GIVEN: &[&str] = &[
    "Kari", "Ola", "Ingrid", "Lars", "Åse", "Jürgen", "Sofie", "Magnus", "Nora", "Emil", "Astrid", "Henrik",
    "Sigrid", "Øystein", "Liv", "Bjørn",
];
const FAMILY: &[&str] = &[
    "Østby", "Hansen", "Johansen", "Müller", "Berg", "Ærø", "Larsen", "Dahl", "Lie", "Strand", "Haugen",
    "Nilsen", "Bakke", "Sæther",
];
const PETS: &[(&str, &str, &[&str])] = &[
    ("dog", "Labrador retriever", &["Rex", "Bella", "Luna", "Max"]),
    ("cat", "Norwegian forest cat", &["Mons", "Pus", "Tiger", "Frøya"]),
    ("rabbit", "Dwarf lop", &["Trampe", "Snøball"]),
    ("horse", "Fjord horse", &["Blakken", "Dagros"]),
];

/// A small deterministic generator: the demo is the same on every machine.
struct Draw(u64);

impl Draw {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }

    fn birth_date(&mut self, from_year: i16, years: u64) -> Date {
        let year = from_year + (self.next() % years) as i16;
        date(year, (1 + self.next() % 12) as i8, (1 + self.next() % 28) as i8)
    }
}

/// Creates both demo clinics unless they exist.
pub async fn seed(
    store: &Store,
    patients: &PatientService,
    contacts: &ContactService,
    scheduling: &SchedulingService,
) -> ServiceResult<Seeded> {
    let mut tx = store.begin_read().await?;
    let exists = tx.organization_by_slug(GP).await?.is_some();
    tx.commit().await?;
    if exists {
        return Ok(Seeded::AlreadyThere);
    }
    let mut logins = Vec::new();
    let gp = clinic(store, GP, "Fjordklinikken", &mut logins).await?;
    let mut draw = Draw(2026);
    let mut people = Vec::with_capacity(PEOPLE);
    for number in 0..PEOPLE {
        let patient = patients.create(&gp, person(&mut draw, number as u64)).await?;
        people.push(patient.id);
        // Every fourth patient has a next of kin on file, as a front desk records them.
        if number % 4 == 0 {
            let relative = contacts
                .create(&gp, contact(&mut draw, number as u64, "kin"))
                .await?;
            let link = LinkInput {
                role: "next_of_kin".to_owned(),
                relationship: Some(draw.pick(&["spouse", "daughter", "son", "sister"]).to_string()),
                receives_invoices: false,
                receives_messages: true,
            };
            contacts.link(&gp, patient.id, relative.id, link).await?;
        }
    }
    let week = Week {
        practitioner: "Dr. Ingrid Fjell",
        room: "Consulting room 1",
        services: &[("Consultation", 20, 5), ("Long consultation", 40, 5)],
    };
    schedule(scheduling, &gp, &week, &people).await?;
    let vet = clinic(store, VET, "Dyreklinikken", &mut logins).await?;
    // Owners come first; each takes two animals, since one owner with several pets is the common case.
    let mut owners = Vec::with_capacity(ANIMALS / 2);
    for number in 0..ANIMALS / 2 {
        owners.push(
            contacts
                .create(&vet, contact(&mut draw, number as u64, "owner"))
                .await?,
        );
    }
    let mut pets = Vec::with_capacity(ANIMALS);
    for number in 0..ANIMALS {
        let pet = patients
            .create(&vet, animal(&mut draw, &owners[number / 2].family_name))
            .await?;
        pets.push(pet.id);
        let link = LinkInput {
            role: "owner".to_owned(),
            relationship: Some("owner".to_owned()),
            receives_invoices: true,
            receives_messages: true,
        };
        contacts.link(&vet, pet.id, owners[number / 2].id, link).await?;
    }
    let week = Week {
        practitioner: "Veterinarian Ola Dyr",
        room: "Examination room",
        services: &[("Vaccination", 15, 5), ("Examination", 30, 10)],
    };
    schedule(scheduling, &vet, &week, &pets).await?;
    Ok(Seeded::Created(logins))
}

/// A clinic's working week: one practitioner, one room, services as (name, minutes, minutes after).
struct Week {
    practitioner: &'static str,
    room: &'static str,
    services: &'static [(&'static str, i64, i64)],
}

/// The practitioner works weekdays 08:00–15:30 and has the next working day's morning booked, so the day
/// view and the availability search show a real day.
async fn schedule(
    scheduling: &SchedulingService,
    admin: &Principal,
    week: &Week,
    patients: &[Uuid],
) -> ServiceResult<()> {
    let practitioner = scheduling
        .create_practitioner(
            admin,
            PractitionerInput {
                name: week.practitioner.to_owned(),
                user_id: None,
            },
        )
        .await?;
    let weekly = ["monday", "tuesday", "wednesday", "thursday", "friday"]
        .iter()
        .map(|day| WeeklyHours {
            weekday: (*day).to_owned(),
            start: "08:00".to_owned(),
            end: "15:30".to_owned(),
            valid_from: None,
            valid_until: None,
        })
        .collect();
    scheduling
        .replace_working_hours(admin, practitioner.id, WorkingHoursInput { weekly })
        .await?;
    let room = scheduling
        .create_resource(
            admin,
            ResourceInput {
                name: week.room.to_owned(),
                kind: None,
            },
        )
        .await?;
    let mut services = Vec::with_capacity(week.services.len());
    for (name, minutes, after) in week.services {
        let service = ServiceInput {
            name: (*name).to_owned(),
            duration_minutes: *minutes,
            buffer_before_minutes: 0,
            buffer_after_minutes: *after,
            price_minor: Some(*minutes * 2_500),
            colour: None,
            practitioner_ids: vec![practitioner.id],
        };
        services.push(scheduling.create_service(admin, service).await?);
    }
    let mut start = next_working_morning();
    for (number, patient_id) in patients.iter().take(6).enumerate() {
        let service = &services[number % services.len()];
        let booking = BookingInput {
            patient_id: *patient_id,
            practitioner_id: practitioner.id,
            service_id: service.id,
            resource_id: Some(room.id),
            start,
            override_reason: None,
        };
        scheduling.book(admin, booking).await?;
        start += jiff::SignedDuration::from_mins(service.duration_minutes + service.buffer_after_minutes);
    }
    Ok(())
}

/// 09:00 in Oslo (the demo clinics' time zone) on the next weekday after today.
fn next_working_morning() -> Timestamp {
    let oslo = TimeZone::get("Europe/Oslo").expect("the bundled time zone database has Europe/Oslo");
    let mut day = Timestamp::now().to_zoned(oslo.clone()).date();
    loop {
        day = day.saturating_add(1.day());
        if !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) {
            break;
        }
    }
    day.at(9, 0, 0, 0)
        .to_zoned(oslo)
        .expect("09:00 exists on every day in Oslo")
        .timestamp()
}

/// An organization in Norway with one user per role; answers its admin, who creates the patients.
async fn clinic(
    store: &Store,
    slug: &str,
    name: &str,
    logins: &mut Vec<DemoLogin>,
) -> ServiceResult<Principal> {
    let admin_email = format!("admin@{slug}.example");
    let admin_password = secrets::generate_password(&admin_email)?;
    let bootstrap = Bootstrap {
        slug: slug.to_owned(),
        fields: OrganizationFields {
            name: Some(name.to_owned()),
            time_zone: Some("Europe/Oslo".to_owned()),
            country: Some("NO".to_owned()),
            currency: Some("NOK".to_owned()),
            locale: Some("nb-NO".to_owned()),
        },
        admin_email: admin_email.clone(),
        admin_name: "Demo admin".to_owned(),
        admin_password: admin_password.clone(),
    };
    let (organization, admin) = organizations::bootstrap(store, bootstrap).await?;
    logins.push(DemoLogin {
        organization: slug.to_owned(),
        email: admin_email,
        role: Role::Admin,
        password: admin_password,
    });
    for role in [Role::Clinician, Role::Reception, Role::Billing, Role::Auditor] {
        let email = format!("{role}@{slug}.example");
        let password = secrets::generate_password(&email)?;
        let user = NewUser::parse(
            &email,
            &format!("Demo {role}"),
            &[role.to_string()],
            password.clone(),
        )?;
        organizations::create_user_from_shell(store, slug, user).await?;
        logins.push(DemoLogin {
            organization: slug.to_owned(),
            email,
            role,
            password,
        });
    }
    Ok(Principal::from_shell(
        organization.id,
        admin.id,
        vec![Role::Admin],
    ))
}

fn person(draw: &mut Draw, number: u64) -> PatientInput {
    let given = *draw.pick(GIVEN);
    let family = *draw.pick(FAMILY);
    let birth_date = draw.birth_date(1935, 85);
    let identifier = synthetic(IdentifierSystem::NoFnr, birth_date, draw.next());
    let mailbox = format!("{}.{}{number}", search_key(given), search_key(family)).replace(' ', "");
    PatientInput {
        kind: "person".to_owned(),
        given_name: given.to_owned(),
        family_name: family.to_owned(),
        birth_date: Some(birth_date),
        sex: Some(draw.pick(&["female", "male", "other", "unknown"]).to_string()),
        status: None,
        deceased_on: None,
        identifiers: vec![IdentifierInput {
            system: "no-fnr".to_owned(),
            value: identifier.value().to_owned(),
        }],
        phone: Some(format!("9{:07}", draw.next() % 10_000_000)),
        email: Some(format!("{mailbox}@example.org")),
        address: Some(AddressInput {
            lines: vec![format!("Strandgaten {}", 1 + draw.next() % 120)],
            postal_code: Some(format!("50{:02}", draw.next() % 100)),
            city: "Bergen".to_owned(),
            country: None,
        }),
        notes: None,
        species: None,
        breed: None,
        colour: None,
        neuter_status: None,
        microchip: None,
    }
}

fn contact(draw: &mut Draw, number: u64, label: &str) -> ContactInput {
    let given = *draw.pick(GIVEN);
    let family = *draw.pick(FAMILY);
    let mailbox = format!("{}.{}.{label}{number}", search_key(given), search_key(family)).replace(' ', "");
    ContactInput {
        given_name: given.to_owned(),
        family_name: family.to_owned(),
        phone: Some(format!("9{:07}", draw.next() % 10_000_000)),
        email: Some(format!("{mailbox}@example.org")),
        address: None,
    }
}

/// Animals carry their owner's family name, as clinics file them.
fn animal(draw: &mut Draw, owner_family_name: &str) -> PatientInput {
    let (species, breed, names) = *draw.pick(PETS);
    PatientInput {
        kind: "animal".to_owned(),
        given_name: draw.pick(names).to_string(),
        family_name: owner_family_name.to_owned(),
        birth_date: Some(draw.birth_date(2008, 17)),
        sex: Some(draw.pick(&["female", "male"]).to_string()),
        status: None,
        deceased_on: None,
        identifiers: Vec::new(),
        phone: None,
        email: None,
        address: None,
        notes: None,
        species: Some(species.to_owned()),
        breed: Some(breed.to_owned()),
        colour: None,
        neuter_status: Some(draw.pick(&["intact", "neutered"]).to_string()),
        microchip: Some(format!("578{:012}", draw.next() % 274_877_906_943)),
    }
}
