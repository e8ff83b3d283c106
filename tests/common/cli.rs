//! Running the `praxis` binary against a test server's database, as an operator would from the shell.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use super::TestApp;

/// The result of one `praxis` run.
#[derive(Debug)]
pub struct Run {
    pub success: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn from(output: Output) -> Self {
        Self {
            success: output.status.success(),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        }
    }

    #[track_caller]
    pub fn succeeded(self) -> Self {
        assert!(self.success, "praxis failed: {self:#?}");
        self
    }

    #[track_caller]
    pub fn failed(self) -> Self {
        assert!(!self.success, "praxis should have failed: {self:#?}");
        self
    }
}

/// Runs `praxis <group> <args>` against the app's database (SQLite data directory or PostgreSQL URL),
/// with no inherited `PRAXIS_*` settings, feeding `stdin` when given.
pub async fn praxis(app: &TestApp, args: &[&str], stdin: Option<&str>) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_praxis"));
    command.current_dir(app.data_dir.path());
    for (key, _) in std::env::vars() {
        if key.starts_with("PRAXIS_") {
            command.env_remove(key);
        }
    }
    command.args(args);
    match &app.database {
        Some(database) => command.args(["--database-url", &database.url()]),
        None => command.arg("--data-dir").arg(app.data_dir.path()),
    };
    command
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let input = stdin.map(str::to_owned);
    let output = tokio::task::spawn_blocking(move || {
        let mut child = command.spawn()?;
        if let Some(input) = input {
            let mut pipe = child.stdin.take().expect("stdin is piped");
            pipe.write_all(input.as_bytes())?;
        }
        child.wait_with_output()
    })
    .await
    .unwrap()
    .expect("praxis runs");
    Run::from(output)
}
