//! The HTTP edge: thin handlers that parse, call a service and map its answer.

mod extract;
pub mod middleware;
mod openapi;
pub mod problem;
mod routes;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::FromRef;
use utoipa_swagger_ui::SwaggerUi;

pub use openapi::{OPENAPI_PATH, openapi};

use crate::config::Settings;
use crate::crypto::LiveKeys;
use crate::services::access::AccessService;
use crate::services::codes::CodeService;
use crate::services::contacts::ContactService;
use crate::services::data_subject::DataSubjectService;
use crate::services::events::EventService;
use crate::services::health::HealthService;
use crate::services::idempotency::IdempotencyService;
use crate::services::patients::PatientService;
use crate::services::queue::QueueService;
use crate::services::scheduling::SchedulingService;
use crate::store::Store;
use crate::telemetry::metrics::Metrics;

/// What handlers may reach; each takes only the part it needs.
#[derive(Clone, Debug, FromRef)]
pub struct AppState {
    pub settings: Arc<Settings>,
    pub store: Store,
    pub metrics: Arc<Metrics>,
    pub health: HealthService,
    pub access: AccessService,
    pub patients: PatientService,
    pub contacts: ContactService,
    pub data_subject: DataSubjectService,
    pub scheduling: SchedulingService,
    pub idempotency: IdempotencyService,
    pub queues: QueueService,
    pub events: EventService,
    pub codes: CodeService,
}

impl AppState {
    pub fn new(settings: Settings, store: Store, keys: LiveKeys) -> Self {
        let health = HealthService::new(store.clone(), settings.data_dir.clone());
        let access = AccessService::new(store.clone(), &settings);
        let keys = Arc::new(keys);
        let contacts = ContactService::new(store.clone(), keys.clone());
        let scheduling = SchedulingService::new(
            store.clone(),
            keys.clone(),
            jiff::SignedDuration::from_hours(i64::from(settings.late_cancellation_hours)),
        );
        let idempotency = IdempotencyService::new(
            store.clone(),
            keys.clone(),
            Duration::from_secs(settings.request_timeout_secs),
        );
        let queues = QueueService::new(store.clone(), keys.clone());
        let patients = PatientService::new(store.clone(), keys);
        let data_subject = DataSubjectService::new(
            store.clone(),
            patients.clone(),
            contacts.clone(),
            scheduling.clone(),
            settings.retention_years,
        );
        let events = EventService::new(store.clone(), &settings);
        let codes = CodeService::new(store.clone());
        Self {
            access,
            patients,
            contacts,
            data_subject,
            scheduling,
            idempotency,
            queues,
            events,
            codes,
            settings: Arc::new(settings),
            store,
            metrics: Arc::new(Metrics::new()),
            health,
        }
    }
}

/// Every route with its handler, before the pipeline. Tests may add routes here before applying it.
pub fn routes(state: AppState) -> Router {
    let (api, document) = routes::api(&state).split_for_parts();
    api.with_state(state)
        .merge(SwaggerUi::new("/docs").url(OPENAPI_PATH, document))
        .fallback(routes::no_route)
}

/// The complete application: routes wrapped in the request pipeline.
pub fn router(state: AppState) -> Router {
    middleware::apply(routes(state.clone()), &state)
}
