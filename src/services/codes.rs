//! Clinical codes: finding the ICD-10 and ICPC-2 codes a clinician puts on a note, and loading an
//! organization's own lists.
//!
//! For each system an organization searches the list it imported (`praxis codes import`) or, without one,
//! the list that ships with Praxis (`praxis_domain::codes::curated`). Searching reveals nothing about
//! patients, so a successful search is not audited; a refused one is, like every denial.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use praxis_domain::access::Permission;
use praxis_domain::audit::{Actor, Outcome};
use praxis_domain::codes::{self, Code, CodeEntry, CodeSystem};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::access::{Principal, RequestMeta};
use super::audit::{self, EventExt};
use super::error::{FieldIssue, ServiceError, ServiceResult, Validation};
use crate::store::{DbTime, Store, Tx};

/// How many codes a search answers when the caller does not say.
pub const DEFAULT_LIMIT: u32 = 20;
/// Enough for a pick list; a longer answer means the query should be more precise.
pub const MAX_LIMIT: u32 = 100;
/// Longer than any code or title words a clinician types into a search box.
const MAX_QUERY_CHARS: usize = 200;

/// Where a code's entry comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CodeSource {
    /// The list that ships with Praxis (see docs/codes.md for its source and licence).
    Curated,
    /// The list the organization imported for this system.
    Imported,
}

/// The list an organization searches for one system.
enum CodeList {
    Curated(&'static [CodeEntry]),
    Imported(Arc<Vec<CodeEntry>>),
}

impl CodeList {
    fn entries(&self) -> &[CodeEntry] {
        match self {
            Self::Curated(entries) => entries,
            Self::Imported(entries) => entries,
        }
    }

    fn source(&self) -> CodeSource {
        match self {
            Self::Curated(_) => CodeSource::Curated,
            Self::Imported(_) => CodeSource::Imported,
        }
    }
}

/// An imported list as last read, with the time of the import it came from.
type CachedList = (DbTime, Arc<Vec<CodeEntry>>);

/// One code with its title, as a clinician picks it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(example = json!({"system": "icd10", "code": "M54.50", "title": "Low back pain, unspecified", "source": "curated"}))]
pub struct CodeView {
    /// `icd10` or `icpc2`.
    #[schema(value_type = String)]
    pub system: CodeSystem,
    /// In the normalised form of its system: uppercase, ICD-10 with its dot.
    pub code: String,
    pub title: String,
    pub source: CodeSource,
}

impl CodeView {
    fn new(entry: &CodeEntry, source: CodeSource) -> Self {
        Self {
            system: entry.system(),
            code: entry.code().to_string(),
            title: entry.title().to_owned(),
            source,
        }
    }
}

/// A search as the caller sent it.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CodeQuery {
    /// `icd10` or `icpc2`; without it, both.
    #[param(example = "icd10")]
    pub system: Option<String>,
    /// The start of a code (case and dot ignored: `m545` finds `M54.50`) or words of the title (each word
    /// the start of a title word, case and accents ignored).
    #[param(example = "low back")]
    pub q: Option<String>,
    /// How many codes to return, 1 to 100 (default 20).
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

/// A search once its fields are checked.
struct ValidQuery {
    system: Option<CodeSystem>,
    q: String,
    limit: usize,
}

impl CodeQuery {
    fn check(self) -> ServiceResult<ValidQuery> {
        let mut validation = Validation::default();
        let system = self
            .system
            .map(|system| validation.field("system", system.parse::<CodeSystem>(), |error| error.code()));
        let q = self.q.map(|q| q.trim().to_owned()).unwrap_or_default();
        if q.is_empty() {
            validation.push(FieldIssue::new(
                "q",
                "empty_query",
                "q is the code or words to search for",
            ));
        } else if q.chars().count() > MAX_QUERY_CHARS {
            validation.push(FieldIssue::new(
                "q",
                "query_too_long",
                format!("q is at most {MAX_QUERY_CHARS} characters"),
            ));
        }
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            validation.push(FieldIssue::new(
                "limit",
                "invalid_limit",
                format!("limit must be between 1 and {MAX_LIMIT}"),
            ));
        }
        validation.finish()?;
        Ok(ValidQuery {
            system: system.flatten(),
            q,
            limit: usize::try_from(limit).unwrap_or(usize::MAX),
        })
    }
}

/// A full classification has tens of thousands of entries, so each organization's imported lists are read
/// and folded for search once per import, not for every keystroke. The time of the import tells whether
/// the copy is current, also when another Praxis instance or the command line imported a new list.
#[derive(Debug, Clone)]
pub struct CodeService {
    store: Store,
    imported: Arc<Mutex<HashMap<(Uuid, CodeSystem), CachedList>>>,
}

impl CodeService {
    pub fn new(store: Store) -> Self {
        Self {
            store,
            imported: Arc::default(),
        }
    }

    /// Finds codes by code prefix or title words, as [`codes::search`] ranks them, in one system or in
    /// both. Needs [`Permission::ClinicalRead`]: the codes serve clinical notes.
    pub async fn search(&self, principal: &Principal, query: CodeQuery) -> ServiceResult<Vec<CodeView>> {
        principal
            .require(&self.store, Permission::ClinicalRead, "code.search")
            .await?;
        let query = query.check()?;
        let systems = match query.system {
            Some(system) => vec![system],
            None => CodeSystem::ALL.to_vec(),
        };
        let mut tx = self.store.begin_read().await?;
        let mut lists = HashMap::with_capacity(systems.len());
        for system in systems {
            lists.insert(
                system,
                self.list(&mut tx, principal.organization_id, system).await?,
            );
        }
        tx.commit().await?;
        let entries = lists.values().flat_map(CodeList::entries);
        Ok(codes::search(entries, &query.q, query.limit)
            .into_iter()
            .map(|entry| CodeView::new(entry, lists[&entry.system()].source()))
            .collect())
    }

    async fn list(&self, tx: &mut Tx, organization_id: Uuid, system: CodeSystem) -> ServiceResult<CodeList> {
        let Some(imported_at) = tx
            .clinical_codes_imported_at(organization_id, system.as_str())
            .await?
        else {
            return Ok(CodeList::Curated(codes::curated(system)));
        };
        let key = (organization_id, system);
        if let Some((at, entries)) = self.cached(&key)
            && at == imported_at
        {
            return Ok(CodeList::Imported(entries));
        }
        let rows = tx.clinical_codes(organization_id, system.as_str()).await?;
        let entries = Arc::new(
            rows.iter()
                .map(|(code, title)| stored_entry(system, code, title))
                .collect::<ServiceResult<Vec<_>>>()?,
        );
        self.imported
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .insert(key, (imported_at, entries.clone()));
        Ok(CodeList::Imported(entries))
    }

    fn cached(&self, key: &(Uuid, CodeSystem)) -> Option<CachedList> {
        self.imported
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .get(key)
            .cloned()
    }
}

/// An imported row was checked when it was imported, so one that no longer parses was changed in the
/// database by hand.
fn stored_entry(system: CodeSystem, code: &str, title: &str) -> ServiceResult<CodeEntry> {
    let code = Code::parse(system, code)
        .map_err(|_| ServiceError::Internal(format!("a stored {system} code does not parse")))?;
    CodeEntry::new(system, code, title)
        .map_err(|_| ServiceError::Internal(format!("a stored {system} title is invalid")))
}

/// Replaces an organization's list of `system` with `entries` (already parsed, so every row is valid) in
/// one transaction, from the shell, and records it in the audit trail. Answers how many codes were loaded.
pub async fn import_from_shell(
    store: &Store,
    slug: &str,
    system: CodeSystem,
    entries: &[CodeEntry],
) -> ServiceResult<usize> {
    let mut tx = store.begin_write().await?;
    let organization = tx
        .organization_by_slug(slug)
        .await?
        .ok_or(ServiceError::NotFound("organization"))?;
    let rows: Vec<(&str, &str)> = entries
        .iter()
        .map(|entry| (entry.code().as_str(), entry.title()))
        .collect();
    tx.replace_clinical_codes(
        organization.organization_id,
        system.as_str(),
        &rows,
        DbTime::now(),
    )
    .await?;
    let event = audit::event(
        organization.organization_id,
        Actor::System,
        None,
        &RequestMeta::default(),
        "codes.import",
        Outcome::Success,
    )
    .details(serde_json::json!({ "system": system.as_str(), "count": rows.len() }));
    tx.append_audit(event).await?;
    tx.commit().await?;
    Ok(rows.len())
}
