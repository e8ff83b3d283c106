//! `praxis serve`: runs until SIGTERM or SIGINT, then shuts down gracefully and exits 0.

use crate::app::Application;
use crate::config::Settings;

pub async fn run(settings: Settings, demo: bool) -> anyhow::Result<()> {
    install_panic_hook();
    // Handlers go in before the port opens: a signal that arrives as soon as the server is up must
    // shut it down gracefully, not kill it.
    let stop = shutdown_signal()?;
    let backend = format!("{:?}", settings.database_kind()).to_lowercase();
    let app = Application::build(settings).await?;
    if demo {
        super::demo::seed(app.state()).await?;
    }
    tracing::info!(address = %app.local_addr()?, backend, version = env!("CARGO_PKG_VERSION"), "praxis is listening");
    app.run_until(stop).await?;
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

/// Installs the SIGTERM and SIGINT handlers now and resolves when either signal arrives.
fn shutdown_signal() -> std::io::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = signal(SignalKind::terminate())?;
    let mut interrupt = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => tracing::info!("received SIGINT"),
            _ = terminate.recv() => tracing::info!("received SIGTERM"),
        }
    })
}
