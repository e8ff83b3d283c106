//! Clinical codes: finding the ICD-10 and ICPC-2 codes a clinician puts on a note.
//!
//! The lists are the ones that ship with Praxis (`praxis_domain::codes::curated`). Searching them reveals
//! nothing about patients, so a successful search is not audited; a refused one is, like every denial.

use std::sync::LazyLock;

use praxis_domain::access::Permission;
use praxis_domain::codes::{self, CodeEntry, CodeSystem};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::access::Principal;
use super::error::{FieldIssue, ServiceResult, Validation};
use crate::store::Store;

/// How many codes a search answers when the caller does not say.
pub const DEFAULT_LIMIT: u32 = 20;
/// Enough for a pick list; a longer answer means the query should be more precise.
pub const MAX_LIMIT: u32 = 100;
/// Longer than any code or title words a clinician types into a search box.
const MAX_QUERY_CHARS: usize = 200;

/// Both shipped lists in one, so that a search over every system ranks code matches of either system
/// before title matches of either.
static ALL_CURATED: LazyLock<Vec<CodeEntry>> = LazyLock::new(|| {
    let mut entries: Vec<CodeEntry> = CodeSystem::ALL
        .into_iter()
        .flat_map(|system| codes::curated(system).iter().cloned())
        .collect();
    entries.sort_by(|a, b| a.code().cmp(b.code()));
    entries
});

/// Where a code's entry comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CodeSource {
    /// The list that ships with Praxis (see docs/codes.md for its source and licence).
    Curated,
}

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

#[derive(Debug, Clone)]
pub struct CodeService {
    store: Store,
}

impl CodeService {
    pub fn new(store: Store) -> Self {
        Self { store }
    }

    /// Finds codes by code prefix or title words, as [`codes::search`] ranks them, in one system or in
    /// both. Needs [`Permission::ClinicalRead`]: the codes serve clinical notes.
    pub async fn search(&self, principal: &Principal, query: CodeQuery) -> ServiceResult<Vec<CodeView>> {
        principal
            .require(&self.store, Permission::ClinicalRead, "code.search")
            .await?;
        let query = query.check()?;
        let entries: &[CodeEntry] = match query.system {
            Some(system) => codes::curated(system),
            None => &ALL_CURATED,
        };
        Ok(codes::search(entries, &query.q, query.limit)
            .into_iter()
            .map(|entry| CodeView::new(entry, CodeSource::Curated))
            .collect())
    }
}
