//! The change feed: how an engine learns what the other engines on its database
//! wrote.
//!
//! Every write appends its [`Delta`] to `iamkit_changes` under the next sequence
//! number and notifies `iamkit_changes`; all writes hold one lock, so numbers follow
//! commit order. A follower task listens for the notification and also polls every
//! [`POLL`], applying each new entry in order, whole. An engine that has not heard
//! from the database within [`STALENESS_BOUND`] answers `storage_error` to token
//! checks rather than risk accepting what another engine revoked.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Notify;
use tokio_postgres::Client;

use super::connection::Connector;
use super::rows::{self, Delta};
use super::{database_error, Replica, Shared};
use crate::store::StoreError;

/// How often a follower polls when no notification arrives.
pub(super) const POLL: Duration = Duration::from_millis(100);
/// The hard bound: an engine that has not heard from the database for this long
/// refuses token checks.
pub const STALENESS_BOUND: Duration = Duration::from_secs(1);
/// How long a follower waits before connecting again.
const RETRY: Duration = Duration::from_millis(200);
/// How many feed entries are kept; an engine further behind reloads the whole state.
pub(super) const KEPT: i64 = 10_000;
/// The channel writes notify.
pub(super) const CHANNEL: &str = "iamkit_changes";

/// The feed entries after `seq`, in order.
pub(super) async fn since(client: &Client, seq: i64) -> Result<Vec<(i64, Delta)>, StoreError> {
    let found = client
        .query(
            "SELECT seq, body FROM iamkit_changes WHERE seq > $1 ORDER BY seq",
            &[&seq],
        )
        .await
        .map_err(database_error)?;
    found
        .into_iter()
        .map(|row| {
            let body: String = row.get(1);
            let delta = serde_json::from_str(&body)
                .map_err(|e| StoreError::Invalid(format!("change feed entry: {e}")))?;
            Ok((row.get(0), delta))
        })
        .collect()
}

/// Applies the entries that follow `replica`'s position, in order. `false` when
/// entries are missing (trimmed from the feed): the whole state must be read again.
pub(super) fn apply(replica: &mut Replica, entries: Vec<(i64, Delta)>) -> Result<bool, StoreError> {
    for (seq, delta) in entries {
        if seq <= replica.seq {
            continue;
        }
        if seq != replica.seq + 1 {
            return Ok(false);
        }
        delta.apply(&mut replica.state)?;
        replica.seq = seq;
    }
    Ok(true)
}

/// Follows the feed until the store's runtime stops: connects (again, after a
/// failure), listens, and catches up on every notification and every [`POLL`].
pub(super) async fn follow(shared: Arc<Shared>, connector: Connector) {
    let wake = Arc::new(Notify::new());
    loop {
        if let Ok(client) = listen(&connector, wake.clone()).await {
            while !client.is_closed() {
                let started = Instant::now();
                if catch_up(&client, &shared).await.is_err() {
                    break;
                }
                shared.heard(started);
                tokio::select! {
                    _ = wake.notified() => {}
                    _ = tokio::time::sleep(POLL) => {}
                }
            }
        }
        tokio::time::sleep(RETRY).await;
    }
}

/// A connection listening on [`CHANNEL`]; each notification wakes the follower.
async fn listen(connector: &Connector, wake: Arc<Notify>) -> Result<Client, tokio_postgres::Error> {
    let client = connector.connect(Some(wake)).await?;
    client.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
    Ok(client)
}

/// Applies what is new in the feed, or reads the whole state again when the
/// engine is too far behind or its memory may hold a write the database refused.
/// The state's lock is taken off the runtime's thread: a writer holding it waits on
/// connections that thread drives.
async fn catch_up(client: &Client, shared: &Arc<Shared>) -> Result<(), StoreError> {
    let (seq, diverged) = locked(shared, |replica| (replica.seq, replica.diverged)).await?;
    if !diverged {
        let entries = since(client, seq).await?;
        if entries.is_empty() || locked(shared, move |replica| apply(replica, entries)).await?? {
            return Ok(());
        }
    }
    let (state, seq) = snapshot(client).await?;
    locked(shared, move |replica| {
        if replica.diverged || seq >= replica.seq {
            *replica = Replica {
                state,
                seq,
                diverged: false,
            };
        }
    })
    .await
}

/// Runs `f` on the replica under its lock, on a blocking thread.
async fn locked<R: Send + 'static>(
    shared: &Arc<Shared>,
    f: impl FnOnce(&mut Replica) -> R + Send + 'static,
) -> Result<R, StoreError> {
    let shared = shared.clone();
    tokio::task::spawn_blocking(move || f(&mut shared.replica.write()))
        .await
        .map_err(|e| StoreError::Io(e.to_string()))
}

/// The whole state, read in one snapshot.
pub(super) async fn snapshot(client: &Client) -> Result<(crate::store::State, i64), StoreError> {
    client
        .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        .await
        .map_err(database_error)?;
    let loaded = rows::load(client).await;
    client
        .batch_execute("COMMIT")
        .await
        .map_err(database_error)?;
    loaded
}
