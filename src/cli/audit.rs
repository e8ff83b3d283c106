//! `praxis audit verify`: recomputes every organization's hash chain.

use crate::services::audit;
use crate::store::Store;

/// Prints one line per organization and fails when any chain is broken, naming the first broken link.
pub async fn verify(store: &Store) -> anyhow::Result<()> {
    let reports = audit::verify_all(store).await.map_err(super::admin::explain)?;
    let mut broken = 0;
    for report in &reports {
        match &report.outcome {
            Ok(head) => println!(
                "organization {}: {} events, chain intact, head {head}",
                report.organization_id, report.events
            ),
            Err(error) => {
                broken += 1;
                println!(
                    "organization {}: BROKEN after event {}: {error}",
                    report.organization_id, report.events
                );
            }
        }
    }
    if broken > 0 {
        anyhow::bail!("{broken} of {} audit chains are broken", reports.len());
    }
    println!("{} audit chains verified", reports.len());
    Ok(())
}
