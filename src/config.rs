//! Settings, from one loader for `serve` and every other subcommand.
//!
//! Precedence, highest first: command-line flags, `PRAXIS_*` environment variables, the configuration file
//! (`--config`, `PRAXIS_CONFIG`, or `./praxis.toml` when it exists), then the defaults below.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Deserializer, Serialize};

const ENV_PREFIX: &str = "PRAXIS_";
const DEFAULT_CONFIG_FILE: &str = "praxis.toml";

/// Everything Praxis can be told. Each field is documented in `docs/configuration.md`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    /// Absent: SQLite in `data_dir`. `postgres://…` or `sqlite:…` otherwise.
    pub database_url: Option<DatabaseUrl>,
    pub sqlite_synchronous: SqliteSynchronous,
    pub db_max_connections: u32,
    pub log_format: LogFormat,
    pub log_level: String,
    pub body_limit_bytes: usize,
    pub request_timeout_secs: u64,
    pub shutdown_grace_secs: u64,
    #[serde(deserialize_with = "list_or_comma_separated")]
    pub cors_allowed_origins: Vec<String>,
    pub session_idle_minutes: u32,
    pub session_absolute_hours: u32,
    pub lockout_threshold: u32,
    pub lockout_window_minutes: u32,
    pub lockout_minutes: u32,
    /// Login attempts per client IP per minute; 0 turns the limit off.
    pub rate_limit_login_per_ip: u32,
    /// Login attempts per account (organization and e-mail) per minute; 0 turns the limit off.
    pub rate_limit_login_per_account: u32,
    /// Requests per signed-in user or API key per minute; 0 turns the limit off.
    pub rate_limit_per_principal: u32,
    /// The master and blind-index keys (format in `docs/security.md`); absent: the key file in `data_dir`.
    pub master_key: Option<Secret>,
    /// Years a patient's record is kept after its last change before it may be erased without a legal
    /// reason; 0: no retention rule.
    pub retention_years: u32,
    /// Cancelling an appointment this many hours before its start, or later, flags it as a late cancellation.
    pub late_cancellation_hours: u32,
    /// Hours the live event stream keeps events for clients that reconnect and resume.
    pub event_retention_hours: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: PathBuf::from("praxis-data"),
            database_url: None,
            sqlite_synchronous: SqliteSynchronous::Full,
            db_max_connections: 16,
            log_format: LogFormat::Auto,
            log_level: "info".to_owned(),
            body_limit_bytes: 1024 * 1024,
            request_timeout_secs: 30,
            shutdown_grace_secs: 30,
            cors_allowed_origins: Vec::new(),
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            lockout_threshold: 5,
            lockout_window_minutes: 15,
            lockout_minutes: 15,
            rate_limit_login_per_ip: 30,
            rate_limit_login_per_account: 10,
            rate_limit_per_principal: 6000,
            master_key: None,
            retention_years: 10,
            late_cancellation_hours: 24,
            event_retention_hours: 168,
        }
    }
}

/// The keys a file or the environment may set; anything else in the file is a typo and stops the start.
const KEYS: &[&str] = &[
    "listen",
    "data_dir",
    "database_url",
    "sqlite_synchronous",
    "db_max_connections",
    "log_format",
    "log_level",
    "body_limit_bytes",
    "request_timeout_secs",
    "shutdown_grace_secs",
    "cors_allowed_origins",
    "session_idle_minutes",
    "session_absolute_hours",
    "lockout_threshold",
    "lockout_window_minutes",
    "lockout_minutes",
    "rate_limit_login_per_ip",
    "rate_limit_login_per_account",
    "rate_limit_per_principal",
    "master_key",
    "retention_years",
    "late_cancellation_hours",
    "event_retention_hours",
];

/// What the command line set; `None` leaves the setting to the layers below.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Overrides {
    #[serde(skip)]
    pub config_file: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub listen: Option<SocketAddr>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data_dir: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub database_url: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SqliteSynchronous {
    /// Survives power loss: every commit is on disk before it is answered.
    Full,
    /// Survives a killed process but may lose the last commits on power loss; faster.
    Normal,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// Readable text on a terminal, JSON lines otherwise.
    Auto,
    Json,
    Text,
}

/// A database URL. It may hold a password, so `Debug` shows only the scheme.
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(into = "String")]
pub struct DatabaseUrl(String);

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatabaseKind {
    Sqlite,
    Postgres,
}

impl DatabaseUrl {
    pub fn parse(url: &str) -> Result<Self, String> {
        let url = Self(url.to_owned());
        url.kind()
            .map(|_| url)
            .ok_or_else(|| "expected a URL starting with postgres://, postgresql:// or sqlite:".to_owned())
    }

    pub fn kind(&self) -> Option<DatabaseKind> {
        if self.0.starts_with("postgres://") || self.0.starts_with("postgresql://") {
            Some(DatabaseKind::Postgres)
        } else if self.0.starts_with("sqlite:") {
            Some(DatabaseKind::Sqlite)
        } else {
            None
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = self.0.split(':').next().unwrap_or_default();
        write!(f, "DatabaseUrl({scheme}:[redacted])")
    }
}

impl From<DatabaseUrl> for String {
    fn from(url: DatabaseUrl) -> Self {
        url.0
    }
}

impl<'de> Deserialize<'de> for DatabaseUrl {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

/// A secret setting: readable by the code that needs it, never shown by `Debug`.
#[derive(Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// A bad setting: which one, where it came from, and what is wrong with it.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("invalid setting `{setting}` (from {origin}): {message}")]
    Invalid {
        setting: String,
        origin: String,
        message: String,
    },
    #[error("configuration file {0}: not found")]
    MissingFile(PathBuf),
}

impl ConfigError {
    pub fn invalid(setting: &str, origin: &str, message: impl Into<String>) -> Self {
        Self::Invalid {
            setting: setting.to_owned(),
            origin: origin.to_owned(),
            message: message.into(),
        }
    }
}

impl Settings {
    /// Reads the layers in order of precedence and checks what serde alone cannot.
    pub fn load(overrides: &Overrides) -> Result<Self, ConfigError> {
        let config_file = match &overrides.config_file {
            Some(path) => Some(required_file(path)?),
            None => match std::env::var_os(format!("{ENV_PREFIX}CONFIG")) {
                Some(path) => Some(required_file(Path::new(&path))?),
                None => Some(PathBuf::from(DEFAULT_CONFIG_FILE)).filter(|path| path.exists()),
            },
        };
        let mut figment = Figment::from(Serialized::defaults(Settings::default()));
        if let Some(file) = config_file {
            figment = figment.merge(Toml::file_exact(file));
        }
        let settings: Settings = figment
            .merge(Env::prefixed(ENV_PREFIX).only(KEYS))
            .merge(Serialized::defaults(overrides))
            .extract()
            .map_err(from_figment)?;
        settings.check()?;
        Ok(settings)
    }

    fn check(&self) -> Result<(), ConfigError> {
        let setting =
            |name: &str, message: String| ConfigError::invalid(name, "the merged settings", message);
        tracing_subscriber::EnvFilter::try_new(&self.log_level)
            .map_err(|e| setting("log_level", format!("not a log filter: {e}")))?;
        for origin in &self.cors_allowed_origins {
            check_origin(origin).map_err(|message| setting("cors_allowed_origins", message))?;
        }
        if self.db_max_connections == 0 {
            return Err(setting("db_max_connections", "must be at least 1".into()));
        }
        if self.request_timeout_secs == 0 {
            return Err(setting("request_timeout_secs", "must be at least 1".into()));
        }
        for (name, value) in [
            ("session_idle_minutes", self.session_idle_minutes),
            ("session_absolute_hours", self.session_absolute_hours),
            ("lockout_threshold", self.lockout_threshold),
            ("lockout_window_minutes", self.lockout_window_minutes),
            ("lockout_minutes", self.lockout_minutes),
            ("event_retention_hours", self.event_retention_hours),
        ] {
            if value == 0 {
                return Err(setting(name, "must be at least 1".into()));
            }
        }
        if self.body_limit_bytes < 1024 {
            return Err(setting("body_limit_bytes", "must be at least 1024".into()));
        }
        Ok(())
    }

    pub fn database_kind(&self) -> DatabaseKind {
        self.database_url
            .as_ref()
            .and_then(DatabaseUrl::kind)
            .unwrap_or(DatabaseKind::Sqlite)
    }
}

fn required_file(path: &Path) -> Result<PathBuf, ConfigError> {
    if path.is_file() {
        Ok(path.to_owned())
    } else {
        Err(ConfigError::MissingFile(path.to_owned()))
    }
}

fn from_figment(error: figment::Error) -> ConfigError {
    let setting = error.path.join(".");
    let origin = match &error.metadata {
        Some(metadata) => match &metadata.source {
            Some(figment::Source::File(path)) => format!("file {}", path.display()),
            _ if metadata.name.contains("environment") => {
                format!("environment variable {ENV_PREFIX}{}", setting.to_uppercase())
            }
            _ => metadata.name.to_string(),
        },
        None => "the settings".to_owned(),
    };
    ConfigError::Invalid {
        setting: if setting.is_empty() {
            "(file)".to_owned()
        } else {
            setting
        },
        origin,
        message: error.kind.to_string(),
    }
}

/// An origin as browsers send it: scheme, host and an optional port, nothing else.
fn check_origin(origin: &str) -> Result<(), String> {
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .ok_or_else(|| format!("{origin:?} must start with https:// or http://"))?;
    let well_formed = !rest.is_empty()
        && rest
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    if well_formed {
        Ok(())
    } else {
        Err(format!(
            "{origin:?} is not an origin (scheme://host[:port], no path)"
        ))
    }
}

/// Environment variables carry lists as `a,b`; files carry them as arrays. Both are accepted.
fn list_or_comma_separated<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum ListOrString {
        List(Vec<String>),
        String(String),
    }
    Ok(match ListOrString::deserialize(deserializer)? {
        ListOrString::List(items) => items,
        ListOrString::String(joined) => joined
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(str::to_owned)
            .collect(),
    })
}

#[cfg(test)]
mod tests;
