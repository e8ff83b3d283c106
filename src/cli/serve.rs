//! `praxis serve`: runs until SIGTERM or SIGINT, then shuts down gracefully and exits 0.

use crate::app::Application;
use crate::config::Settings;

pub async fn run(settings: Settings) -> anyhow::Result<()> {
    install_panic_hook();
    let backend = format!("{:?}", settings.database_kind()).to_lowercase();
    let app = Application::build(settings).await?;
    tracing::info!(address = %app.local_addr()?, backend, version = env!("CARGO_PKG_VERSION"), "praxis is listening");
    app.run_until(shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

/// A panic's message can carry whatever data the code was handling, so only its location is logged.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let location = info.location().map(ToString::to_string).unwrap_or_default();
        tracing::error!(location, "panic");
    }));
}

async fn shutdown_signal() {
    let interrupt = tokio::signal::ctrl_c();
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("installing a SIGTERM handler succeeds on Unix");
    tokio::select! {
        _ = interrupt => tracing::info!("received SIGINT"),
        _ = terminate.recv() => tracing::info!("received SIGTERM"),
    }
}
