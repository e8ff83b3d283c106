#![allow(clippy::result_large_err)] // figment's Jail fixes the closure's error type
use figment::Jail;

use super::*;

fn load(overrides: &Overrides) -> Result<Settings, ConfigError> {
    Settings::load(overrides)
}

#[test]
fn defaults_apply_when_nothing_is_configured() {
    Jail::expect_with(|_jail| {
        let settings = load(&Overrides::default()).expect("defaults load");
        assert_eq!(settings.listen, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(settings.data_dir, PathBuf::from("praxis-data"));
        assert_eq!(settings.database_kind(), DatabaseKind::Sqlite);
        assert_eq!(settings.sqlite_synchronous, SqliteSynchronous::Full);
        Ok(())
    });
}

#[test]
fn flags_beat_environment_which_beats_the_file() {
    Jail::expect_with(|jail| {
        jail.create_file(
            "praxis.toml",
            r#"
                listen = "127.0.0.1:7001"
                data_dir = "from-file"
                log_level = "debug"
            "#,
        )?;
        jail.set_env("PRAXIS_LISTEN", "127.0.0.1:7002");
        jail.set_env("PRAXIS_DATA_DIR", "from-env");
        let overrides = Overrides {
            data_dir: Some(PathBuf::from("from-flag")),
            ..Overrides::default()
        };
        let settings = load(&overrides).expect("layers load");
        assert_eq!(settings.data_dir, PathBuf::from("from-flag"));
        assert_eq!(settings.listen, "127.0.0.1:7002".parse().unwrap());
        assert_eq!(settings.log_level, "debug");
        Ok(())
    });
}

#[test]
fn a_named_config_file_is_read_and_a_missing_one_is_an_error() {
    Jail::expect_with(|jail| {
        jail.create_file("site.toml", "body_limit_bytes = 2048\n")?;
        jail.set_env("PRAXIS_CONFIG", "site.toml");
        assert_eq!(load(&Overrides::default()).unwrap().body_limit_bytes, 2048);

        let missing = Overrides {
            config_file: Some(PathBuf::from("nowhere.toml")),
            ..Overrides::default()
        };
        let error = load(&missing).unwrap_err().to_string();
        assert!(error.contains("nowhere.toml"), "{error}");
        Ok(())
    });
}

#[test]
fn an_unparsable_environment_value_names_the_variable() {
    Jail::expect_with(|jail| {
        jail.set_env("PRAXIS_LISTEN", "not-an-address");
        let error = load(&Overrides::default()).unwrap_err().to_string();
        assert!(error.contains("`listen`"), "{error}");
        assert!(error.contains("PRAXIS_LISTEN"), "{error}");
        Ok(())
    });
}

#[test]
fn an_unknown_key_in_the_file_is_refused() {
    Jail::expect_with(|jail| {
        jail.create_file("praxis.toml", "lisen = \"127.0.0.1:1\"\n")?;
        let error = load(&Overrides::default()).unwrap_err().to_string();
        assert!(error.contains("lisen"), "{error}");
        Ok(())
    });
}

#[test]
fn cors_origins_come_as_a_comma_separated_variable() {
    Jail::expect_with(|jail| {
        jail.set_env(
            "PRAXIS_CORS_ALLOWED_ORIGINS",
            "https://a.example, https://b.example:8443",
        );
        let settings = load(&Overrides::default()).unwrap();
        assert_eq!(
            settings.cors_allowed_origins,
            ["https://a.example", "https://b.example:8443"]
        );

        jail.set_env("PRAXIS_CORS_ALLOWED_ORIGINS", "https://a.example/path");
        let error = load(&Overrides::default()).unwrap_err().to_string();
        assert!(error.contains("cors_allowed_origins"), "{error}");
        Ok(())
    });
}

#[test]
fn a_database_url_of_an_unknown_kind_is_refused() {
    Jail::expect_with(|jail| {
        jail.set_env("PRAXIS_DATABASE_URL", "mysql://localhost/praxis");
        let error = load(&Overrides::default()).unwrap_err().to_string();
        assert!(error.contains("database_url"), "{error}");
        Ok(())
    });
}

#[test]
fn a_database_password_never_shows_in_debug_output() {
    let url = DatabaseUrl::parse("postgres://praxis:s3cret@db.internal/praxis").unwrap();
    let shown = format!("{url:?}");
    assert!(!shown.contains("s3cret"), "{shown}");
    assert!(shown.contains("postgres"), "{shown}");
}

#[test]
fn the_master_key_comes_from_the_environment_and_never_shows_in_debug_output() {
    Jail::expect_with(|jail| {
        jail.set_env("PRAXIS_MASTER_KEY", "k1:00ff");
        let settings = load(&Overrides::default()).unwrap();
        assert_eq!(settings.master_key.as_ref().map(Secret::expose), Some("k1:00ff"));
        assert!(!format!("{settings:?}").contains("00ff"));
        Ok(())
    });
}

#[test]
fn event_retention_defaults_to_a_week_and_must_be_at_least_an_hour() {
    Jail::expect_with(|jail| {
        assert_eq!(load(&Overrides::default()).unwrap().event_retention_hours, 168);

        jail.set_env("PRAXIS_EVENT_RETENTION_HOURS", "24");
        assert_eq!(load(&Overrides::default()).unwrap().event_retention_hours, 24);

        jail.set_env("PRAXIS_EVENT_RETENTION_HOURS", "0");
        let error = load(&Overrides::default()).unwrap_err().to_string();
        assert!(error.contains("event_retention_hours"), "{error}");
        Ok(())
    });
}
