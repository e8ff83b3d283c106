//! The audit trail: what was done to whose data, by whom, and a hash chain that shows the record has not
//! been altered since.
//!
//! Each organization's events are numbered 1, 2, 3, … without gaps and chained:
//! `hash(n) = SHA-256(hash(n-1) ‖ canonical(event n))`, with 32 zero bytes before event 1. Removing, altering
//! or reordering a stored event breaks every link after it, and [`verify_chain`] names the first. A chain
//! cut short at its end still verifies, so its head ([`ChainHead`]) must also be compared with one recorded
//! elsewhere (a backup manifest, an export).
//!
//! # Canonical encoding, format `praxis.audit.v1`
//!
//! The hash must come out the same from SQLite and PostgreSQL, today and in every later version, and an
//! external auditor may need to recompute it, so the encoding is fixed here byte for byte. It is a JSON
//! array, UTF-8, with no whitespace between tokens, of these 16 elements in this order:
//!
//! | # | element | JSON |
//! |---|---|---|
//! | 0 | the format tag | `"praxis.audit.v1"` |
//! | 1 | `organization_id` | string, lowercase hyphenated UUID |
//! | 2 | `seq` | integer |
//! | 3 | `occurred_at` | string, RFC 3339 in UTC with exactly 6 fractional digits: `2024-05-17T08:30:00.123456Z` |
//! | 4 | actor kind | `"user"`, `"api_key"`, `"anonymous"` or `"system"` |
//! | 5 | actor id | string, lowercase hyphenated UUID, or `null` for an anonymous or system actor |
//! | 6 | `actor_role` | string or `null` |
//! | 7 | `action` | string |
//! | 8 | `entity_type` | string or `null` |
//! | 9 | `entity_id` | string or `null` |
//! | 10 | `patient_id` | string, lowercase hyphenated UUID, or `null` |
//! | 11 | `outcome` | `"success"`, `"denied"` or `"failure"` |
//! | 12 | `request_id` | string or `null` |
//! | 13 | `ip` | string or `null` |
//! | 14 | `user_agent` | string or `null` |
//! | 15 | `details` | the JSON value, canonicalised as below |
//!
//! Strings are written unescaped except for `"` as `\"`, `\` as `\\`, and characters below U+0020: as `\b`,
//! `\f`, `\n`, `\r`, `\t`, or else `\u00XX` with lowercase hex. Everything else, `/` and non-ASCII included,
//! is written as its UTF-8 bytes. In `details`, object members are sorted by key, comparing the keys' UTF-8
//! bytes, at every depth; array elements keep their order; integers are written in plain decimal and other
//! numbers in the shortest form that reads back as the same 64-bit float (`1.0`, `0.1`, `1e300`). Details
//! name fields and counts, so they should hold integers, never floats, whose spelling a database may change.
//! For such details, Python's `json.dumps(event, separators=(",", ":"), ensure_ascii=False, sort_keys=True)`
//! produces exactly these bytes; the golden test in this module was checked that way.
//!
//! Time is truncated to whole microseconds (towards the past) before it is written, because PostgreSQL
//! stores no finer: an event hashed before it is stored hashes the same after it is read back.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use jiff::fmt::temporal::DateTimePrinter;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The first element of every canonical encoding, so that a later format can never be mistaken for this one.
pub const CANONICAL_FORMAT: &str = "praxis.audit.v1";

/// One thing that happened, as the audit trail keeps it. `details` names what changed (for example
/// `{"fields": ["phone", "email"]}`) and never holds the values themselves: the trail is read by auditors
/// who may not see patient data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub organization_id: Uuid,
    /// 1-based and gapless per organization.
    pub seq: i64,
    pub occurred_at: Timestamp,
    pub actor: Actor,
    /// The roles the actor held, comma-joined (`admin,clinician`).
    pub actor_role: Option<String>,
    /// Dotted, entity first: `auth.login`, `user.create`, `patient.read`.
    pub action: String,
    pub entity_type: Option<String>,
    pub entity_id: Option<String>,
    pub patient_id: Option<Uuid>,
    pub outcome: Outcome,
    pub request_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub details: Value,
}

/// Who acted. Failed logins and denied requests are audited too, often before anyone is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Actor {
    User { id: Uuid },
    ApiKey { id: Uuid },
    Anonymous,
    System,
}

impl Actor {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::User { .. } => "user",
            Self::ApiKey { .. } => "api_key",
            Self::Anonymous => "anonymous",
            Self::System => "system",
        }
    }

    pub fn id(&self) -> Option<Uuid> {
        match self {
            Self::User { id } | Self::ApiKey { id } => Some(*id),
            Self::Anonymous | Self::System => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Success,
    Denied,
    Failure,
}

impl Outcome {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Denied => "denied",
            Self::Failure => "failure",
        }
    }
}

/// Drops everything below a microsecond, rounding towards the past, as PostgreSQL would store it.
pub fn truncate_to_micros(ts: Timestamp) -> Timestamp {
    let nanos = ts.as_nanosecond();
    Timestamp::from_nanosecond(nanos - nanos.rem_euclid(1_000))
        .expect("Timestamp::MIN is a whole second, so flooring a valid timestamp stays in range")
}

impl AuditEvent {
    /// An event with no optional parts and empty details; its time is truncated to microseconds so that
    /// the value held in memory is exactly the one the database will give back.
    pub fn new(
        organization_id: Uuid,
        seq: i64,
        occurred_at: Timestamp,
        actor: Actor,
        action: impl Into<String>,
        outcome: Outcome,
    ) -> Self {
        Self {
            organization_id,
            seq,
            occurred_at: truncate_to_micros(occurred_at),
            actor,
            actor_role: None,
            action: action.into(),
            entity_type: None,
            entity_id: None,
            patient_id: None,
            outcome,
            request_id: None,
            ip: None,
            user_agent: None,
            details: Value::Object(serde_json::Map::new()),
        }
    }

    /// The bytes that are hashed, in the format the module documentation defines.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let occurred_at = DateTimePrinter::new()
            .precision(Some(6))
            .timestamp_to_string(&truncate_to_micros(self.occurred_at));
        let head = [
            Value::from(CANONICAL_FORMAT),
            Value::from(self.organization_id.to_string()),
            Value::from(self.seq),
            Value::from(occurred_at),
            Value::from(self.actor.kind()),
            Value::from(self.actor.id().map(|id| id.to_string())),
            Value::from(self.actor_role.as_deref()),
            Value::from(self.action.as_str()),
            Value::from(self.entity_type.as_deref()),
            Value::from(self.entity_id.as_deref()),
            Value::from(self.patient_id.map(|id| id.to_string())),
            Value::from(self.outcome.as_str()),
            Value::from(self.request_id.as_deref()),
            Value::from(self.ip.as_deref()),
            Value::from(self.user_agent.as_deref()),
        ];
        let mut out = Vec::with_capacity(512);
        out.push(b'[');
        for value in &head {
            write_canonical(value, &mut out);
            out.push(b',');
        }
        write_canonical(&self.details, &mut out);
        out.push(b']');
        out
    }
}

/// Written by hand rather than by serializing the value, because `serde_json::Map` keeps insertion order
/// whenever any crate in the build enables its `preserve_order` feature.
fn write_canonical(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_canonical(item, out);
            }
            out.push(b']');
        }
        Value::Object(members) => {
            let mut members: Vec<_> = members.iter().collect();
            members.sort_unstable_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
            out.push(b'{');
            for (i, (key, item)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_scalar(key, out);
                out.push(b':');
                write_canonical(item, out);
            }
            out.push(b'}');
        }
        scalar => write_scalar(scalar, out),
    }
}

fn write_scalar<T: Serialize + ?Sized>(scalar: &T, out: &mut Vec<u8>) {
    serde_json::to_writer(out, scalar).expect("a string or JSON scalar always serializes into memory");
}

/// A link of the chain: the SHA-256 of the previous link and one event's canonical encoding.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ChainHash(pub [u8; 32]);

impl ChainHash {
    /// What the first event of every organization is chained to.
    pub const GENESIS: Self = Self([0; 32]);
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ChainHashError {
    #[error("A chain hash must be 64 hexadecimal digits.")]
    Format,
}

impl ChainHashError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Format => "chain_hash_format",
        }
    }
}

impl FromStr for ChainHash {
    type Err = ChainHashError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut bytes = [0; 32];
        hex::decode_to_slice(s, &mut bytes).map_err(|_| ChainHashError::Format)?;
        Ok(Self(bytes))
    }
}

impl TryFrom<String> for ChainHash {
    type Error = ChainHashError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<ChainHash> for String {
    fn from(value: ChainHash) -> Self {
        value.to_string()
    }
}

impl fmt::Display for ChainHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for ChainHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ChainHash({self})")
    }
}

pub fn chain_hash(prev: &ChainHash, event: &AuditEvent) -> ChainHash {
    let mut hasher = Sha256::new();
    hasher.update(prev.0);
    hasher.update(event.canonical_bytes());
    ChainHash(hasher.finalize().into())
}

/// The last event of a chain that verified: what a backup manifest records and a later check compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainHead {
    pub seq: i64,
    pub hash: ChainHash,
}

impl ChainHead {
    pub const EMPTY: Self = Self {
        seq: 0,
        hash: ChainHash::GENESIS,
    };
}

/// The first place where one organization's stored events stop forming an unbroken chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("The audit chain is broken at event {seq}: {kind}.")]
pub struct BrokenLink {
    /// The sequence number of the stored event at which the break was found.
    pub seq: i64,
    pub kind: BrokenLinkKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BrokenLinkKind {
    /// Events before this one are missing: a row was removed.
    MissingEvent { expected_seq: i64 },
    /// The event's number comes too early: a row was duplicated, renumbered or read out of order.
    OutOfOrder { expected_seq: i64 },
    /// The stored hash is not the one recomputed from the event: the event or its hash was altered.
    HashMismatch,
}

impl fmt::Display for BrokenLinkKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingEvent { expected_seq } => {
                write!(f, "event {expected_seq} is missing before it")
            }
            Self::OutOfOrder { expected_seq } => {
                write!(f, "it stands where event {expected_seq} should be")
            }
            Self::HashMismatch => f.write_str("its stored hash does not match the event"),
        }
    }
}

impl BrokenLink {
    pub fn code(&self) -> &'static str {
        match self.kind {
            BrokenLinkKind::MissingEvent { .. } => "audit_event_missing",
            BrokenLinkKind::OutOfOrder { .. } => "audit_event_out_of_order",
            BrokenLinkKind::HashMismatch => "audit_hash_mismatch",
        }
    }
}

/// Recomputes one organization's chain from its events, given in `seq` order with their stored hashes.
///
/// Stops at the first broken link, since every hash after it is derived from a value that can no longer
/// be trusted.
pub fn verify_chain<'a>(
    events: impl IntoIterator<Item = (&'a AuditEvent, &'a ChainHash)>,
) -> Result<ChainHead, BrokenLink> {
    verify_chain_from(ChainHead::EMPTY, events)
}

/// Continues a verification from a head already verified, so a long chain can be checked page by page.
pub fn verify_chain_from<'a>(
    start: ChainHead,
    events: impl IntoIterator<Item = (&'a AuditEvent, &'a ChainHash)>,
) -> Result<ChainHead, BrokenLink> {
    let mut head = start;
    for (event, stored) in events {
        let expected_seq = head.seq + 1;
        let broken = |kind| BrokenLink { seq: event.seq, kind };
        if event.seq > expected_seq {
            return Err(broken(BrokenLinkKind::MissingEvent { expected_seq }));
        }
        if event.seq < expected_seq {
            return Err(broken(BrokenLinkKind::OutOfOrder { expected_seq }));
        }
        let hash = chain_hash(&head.hash, event);
        if hash != *stored {
            return Err(broken(BrokenLinkKind::HashMismatch));
        }
        head = ChainHead { seq: event.seq, hash };
    }
    Ok(head)
}

#[cfg(test)]
mod tests;
