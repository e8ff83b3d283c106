//! The `event` table behind the live event stream, and the signals that wake its subscribers.
//!
//! The row is the source of truth; a signal only says "look again". Within one process the store's
//! [`EventSignal`] is woken after every commit that wrote events. On PostgreSQL each insert also sends a
//! notification, delivered at commit to every instance, whose listener wakes its own signal.

use std::future::Future;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgListener, PgPool, PgPoolOptions};
use tokio::sync::watch;
use uuid::Uuid;

use super::postgres::PgStore;
use super::tx::{TxConn, on_conn};
use super::{ACQUIRE_TIMEOUT, DbTime, Store, StoreError, Tx};

/// The notification channel every instance listens on; the payload is the organization's id.
const CHANNEL: &str = "praxis_events";
/// How the listener's connection shows in `pg_stat_activity`.
const LISTENER_NAME: &str = "praxis event listener";
const RECONNECT_FIRST: Duration = Duration::from_millis(250);
const RECONNECT_MAX: Duration = Duration::from_secs(30);
/// Returning the listener's connection takes one round trip; a dead server must not hold up shutdown.
const LISTENER_CLOSE: Duration = Duration::from_secs(5);

/// Wakes this process's event subscribers. It carries no data: whoever wakes reads the table.
#[derive(Clone, Debug)]
pub struct EventSignal(watch::Sender<()>);

impl EventSignal {
    pub(super) fn new() -> Self {
        Self(watch::Sender::new(()))
    }

    pub fn wake(&self) {
        self.0.send_modify(|()| {});
    }

    /// A receiver that sees every wake after this call.
    pub fn subscribe(&self) -> watch::Receiver<()> {
        self.0.subscribe()
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub event_id: i64,
    pub organization_id: Uuid,
    pub kind: String,
    /// A JSON document.
    pub data: String,
    pub occurred_at: DbTime,
}

/// The lowest and highest id an organization still has in the table; `None` when it has none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EventBounds {
    pub oldest: Option<i64>,
    pub newest: Option<i64>,
}

impl Tx {
    /// Appends an event and answers its id; subscribers are woken once the transaction commits.
    ///
    /// On PostgreSQL the organization's audit-chain head is locked first. Ids come from a sequence, so
    /// without it two transactions could commit in the opposite order of their ids and a subscriber that
    /// had read the higher one would never see the lower. Every transaction that writes an audit event takes
    /// this lock anyway, so it adds no new lock order. SQLite's single writer already commits in id order.
    pub async fn insert_event(
        &mut self,
        organization_id: Uuid,
        kind: &str,
        data: &str,
        occurred_at: DbTime,
    ) -> Result<i64, StoreError> {
        if let TxConn::Postgres(conn) = &mut self.conn {
            sqlx::query("select seq from audit_head where organization_id = $1 for update")
                .bind(organization_id)
                .fetch_optional(&mut **conn)
                .await?;
        }
        let event_id: i64 = on_conn!(self, |conn| sqlx::query_scalar(
            "insert into event (organization_id, kind, data, occurred_at) values ($1, $2, $3, $4)
             returning event_id"
        )
        .bind(organization_id)
        .bind(kind)
        .bind(data)
        .bind(occurred_at)
        .fetch_one(conn)
        .await?);
        if let TxConn::Postgres(conn) = &mut self.conn {
            // Delivered at commit, and only then: other instances never look before the row is visible.
            sqlx::query("select pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(organization_id.to_string())
                .execute(&mut **conn)
                .await?;
        }
        self.mark_events_written();
        Ok(event_id)
    }

    /// The organization's events after `after`, in id order, at most `limit`.
    pub async fn events_after(
        &mut self,
        organization_id: Uuid,
        after: i64,
        limit: i64,
    ) -> Result<Vec<EventRow>, StoreError> {
        Ok(on_conn!(self, |conn| sqlx::query_as(
            "select event_id, organization_id, kind, data, occurred_at from event
             where organization_id = $1 and event_id > $2 order by event_id limit $3"
        )
        .bind(organization_id)
        .bind(after)
        .bind(limit)
        .fetch_all(conn)
        .await?))
    }

    /// The oldest and newest event the organization still has. Two subqueries, so each is one index probe.
    pub async fn event_bounds(&mut self, organization_id: Uuid) -> Result<EventBounds, StoreError> {
        let (oldest, newest): (Option<i64>, Option<i64>) = on_conn!(self, |conn| sqlx::query_as(
            "select (select min(event_id) from event where organization_id = $1),
                    (select max(event_id) from event where organization_id = $1)"
        )
        .bind(organization_id)
        .fetch_one(conn)
        .await?);
        Ok(EventBounds { oldest, newest })
    }

    /// Deletes the organization's events that occurred before `before`; answers how many.
    pub async fn prune_events(&mut self, organization_id: Uuid, before: DbTime) -> Result<u64, StoreError> {
        Ok(on_conn!(self, |conn| sqlx::query(
            "delete from event where organization_id = $1 and occurred_at < $2"
        )
        .bind(organization_id)
        .bind(before)
        .execute(conn)
        .await?
        .rows_affected()))
    }
}

impl Store {
    pub fn event_signal(&self) -> &EventSignal {
        match self {
            Self::Sqlite(store) => &store.signal,
            Self::Postgres(store) => &store.signal,
        }
    }

    /// Relays other instances' events to this process's signal until `until` resolves. On SQLite there are
    /// no other instances, so it returns at once.
    pub async fn relay_event_notifications(&self, until: impl Future<Output = ()>) {
        if let Self::Postgres(store) = self {
            store.relay_notifications(until).await;
        }
    }
}

impl PgStore {
    async fn relay_notifications(&self, until: impl Future<Output = ()>) {
        // A connection of its own, outside the request pool: LISTEN holds it for the server's lifetime,
        // which would leave a small pool one short.
        let options = PgConnectOptions::clone(&self.options).application_name(LISTENER_NAME);
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(ACQUIRE_TIMEOUT)
            .max_lifetime(None)
            .idle_timeout(None)
            .connect_lazy_with(options);
        tokio::select! {
            () = relay(&pool, &self.signal) => {}
            () = until => {}
        }
        if tokio::time::timeout(LISTENER_CLOSE, pool.close()).await.is_err() {
            tracing::warn!("the event listener's connection did not close in time");
        }
    }
}

/// Listens for ever, reconnecting with a growing pause. Notifications are lost while the connection is
/// down, so the signal is woken after every (re)connection too: subscribers then look again and find
/// whatever was committed meanwhile.
async fn relay(pool: &PgPool, signal: &EventSignal) {
    let mut pause = RECONNECT_FIRST;
    loop {
        match listen(pool).await {
            Ok(mut listener) => {
                pause = RECONNECT_FIRST;
                signal.wake();
                // `Some` is a notification; `None` means the connection was lost and is listening again.
                let error = loop {
                    match listener.try_recv().await {
                        Ok(_) => signal.wake(),
                        Err(error) => break error,
                    }
                };
                tracing::warn!(%error, "the event listener lost its connection; reconnecting");
            }
            Err(error) => tracing::warn!(%error, "cannot listen for events; retrying"),
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(RECONNECT_MAX);
    }
}

async fn listen(pool: &PgPool) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    Ok(listener)
}
