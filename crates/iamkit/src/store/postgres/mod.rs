//! The PostgreSQL store: the state in memory for reads, every write one PostgreSQL
//! transaction, and several engines (replicas) on one database.
//!
//! A write takes one database-wide lock (`pg_advisory_xact_lock`), applies what the
//! other engines wrote since this one last looked (the [change feed](feed)), runs
//! the operation on that up-to-date state, and commits its rows together with its
//! feed entry before the operation returns. The database checks what must hold
//! across engines: `userName` and `externalId` unique per organization, each code
//! redeemed once. Between writes a follower applies the others' entries, woken by
//! `NOTIFY` and polling; token checks fail closed when it has not heard from the
//! database within [`STALENESS_BOUND`].
//!
//! The database's calls run on a small runtime of the store's own, so the store
//! works the same from plain threads and from inside another async runtime.

mod connection;
mod feed;
mod rows;
mod schema;

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::future::join_all;
use parking_lot::{Mutex, RwLock};
use tokio_postgres::error::SqlState;
use tokio_postgres::Client;

use connection::Connector;
pub use feed::STALENESS_BOUND;
use rows::Delta;

use super::{shown_url, State, Store, StoreError};
use crate::ids::{KeyId, Sid};
use crate::signing::{Algorithm, StoredKey};

/// The key of the database-wide lock every write holds (`iamk`).
const LOCK_KEY: i64 = 0x6961_6d6b;
/// How long a write waits for the lock or a connection before it fails.
const WAIT: Duration = Duration::from_secs(5);

/// Keeps the state in a PostgreSQL database that several engines may share
/// (feature `postgres`).
pub struct PostgresStore {
    shared: Arc<Shared>,
    connector: Connector,
    /// The connection writes use; replaced when it is lost.
    writer: Mutex<Option<Client>>,
    runtime: Option<tokio::runtime::Runtime>,
    /// The URL without its password, for `Debug` and messages.
    shown: String,
}

/// What the store and its follower share.
struct Shared {
    replica: RwLock<Replica>,
    /// When the engine last heard from the database (the start of its last
    /// successful read of the feed).
    heard: Mutex<Option<Instant>>,
}

impl Shared {
    fn heard(&self, at: Instant) {
        let mut heard = self.heard.lock();
        if heard.is_none_or(|h| h < at) {
            *heard = Some(at);
        }
    }
}

/// The state in memory and the feed position it reflects.
struct Replica {
    state: State,
    seq: i64,
    /// A write failed after changing memory and the state could not be read again:
    /// token checks fail until the follower has read it.
    diverged: bool,
}

impl fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresStore")
            .field("database", &self.shown)
            .finish_non_exhaustive()
    }
}

impl Drop for PostgresStore {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl PostgresStore {
    /// Opens the database at `url` (`postgres://USER[:PASSWORD]@HOST:PORT/DB`, with
    /// libpq's `sslmode` and `sslrootcert` for TLS), migrating its schema to this
    /// engine's version, reading the state, and starting to follow the other
    /// engines' writes.
    pub fn open(url: &str) -> Result<Self, StoreError> {
        let shown = shown_url(url);
        let connector = Connector::parse(url, &shown)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("iamkit-postgres")
            .enable_all()
            .build()
            .map_err(|e| StoreError::Io(format!("cannot start the database runtime: {e}")))?;
        let client = connect(&runtime, &connector)?;
        let (state, seq) = block_on(async {
            schema::migrate(&client, schema::MIGRATIONS).await?;
            feed::snapshot(&client).await
        })?;
        let shared = Arc::new(Shared {
            replica: RwLock::new(Replica {
                state,
                seq,
                diverged: false,
            }),
            heard: Mutex::new(Some(Instant::now())),
        });
        runtime.spawn(feed::follow(shared.clone(), connector.clone()));
        Ok(Self {
            shared,
            connector,
            writer: Mutex::new(Some(client)),
            runtime: Some(runtime),
            shown,
        })
    }

    /// The database, its password hidden.
    pub fn url(&self) -> &str {
        &self.shown
    }

    /// The writer connection, connecting again when the last one was lost.
    fn writer(&self) -> Result<parking_lot::MappedMutexGuard<'_, Client>, StoreError> {
        let mut writer = self.writer.lock();
        if writer.as_ref().is_none_or(Client::is_closed) {
            *writer = None;
            let runtime = self.runtime.as_ref().ok_or_else(closed)?;
            *writer = Some(connect(runtime, &self.connector)?);
        }
        parking_lot::MutexGuard::try_map(writer, Option::as_mut).map_err(|_| closed())
    }

    /// Runs one write on `client`, holding the lock: catch up, run `f`, keep its
    /// rows and its feed entry.
    fn write_on(
        &self,
        client: &Client,
        replica: &mut Replica,
        f: &mut dyn FnMut(&mut State) -> bool,
    ) -> Result<(), Failure> {
        let started = Instant::now();
        // In turn, not pipelined: the feed is read only once the lock is held.
        let entries = block_on(async {
            client
                .batch_execute("BEGIN")
                .await
                .map_err(database_error)?;
            client
                .execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_KEY])
                .await
                .map_err(database_error)?;
            feed::since(client, replica.seq).await
        })?;
        if replica.diverged || !feed::apply(replica, entries)? {
            let (state, seq) = block_on(rows::load(client))?;
            *replica = Replica {
                state,
                seq,
                diverged: false,
            };
        }
        self.shared.heard(started);
        let changed = f(&mut replica.state);
        let changes = replica.state.take_changes();
        if !changed {
            block_on(client.batch_execute("ROLLBACK")).map_err(database_error)?;
            return Ok(());
        }
        let seq = replica.seq + 1;
        let kept = Delta::of(&replica.state, &changes)
            .and_then(|delta| block_on(commit(client, &delta, seq)));
        match kept {
            Ok(()) => {
                replica.seq = seq;
                Ok(())
            }
            Err(error) => Err(Failure::AfterChange(error)),
        }
    }
}

/// How a write failed: before it changed memory, or after.
enum Failure {
    Before(StoreError),
    AfterChange(StoreError),
}

impl From<StoreError> for Failure {
    fn from(error: StoreError) -> Self {
        Failure::Before(error)
    }
}

impl Store for PostgresStore {
    fn read(&self, f: &mut dyn FnMut(&State)) {
        f(&self.shared.replica.read().state);
    }

    fn write(&self, f: &mut dyn FnMut(&mut State) -> bool) -> Result<(), StoreError> {
        let mut replica = self.shared.replica.write();
        let client = self.writer()?;
        let error = match self.write_on(&client, &mut replica, f) {
            Ok(()) => return Ok(()),
            Err(Failure::Before(error)) => error,
            Err(Failure::AfterChange(error)) => {
                // Memory holds a change the database may not have kept: read the state
                // again, or leave it to the follower and fail token checks until then.
                let reloaded = block_on(async {
                    let _ = client.batch_execute("ROLLBACK").await;
                    feed::snapshot(&client).await
                });
                match reloaded {
                    Ok((state, seq)) => {
                        *replica = Replica {
                            state,
                            seq,
                            diverged: false,
                        }
                    }
                    Err(_) => replica.diverged = true,
                }
                error
            }
        };
        // A transaction left open by the failure ends here; a lost connection is
        // replaced by the next write.
        if !client.is_closed() {
            let _ = block_on(client.batch_execute("ROLLBACK"));
        }
        Err(error)
    }

    fn signing_key(&self) -> Result<Option<StoredKey>, StoreError> {
        let client = self.writer()?;
        let row = block_on(client.query_opt(
            "SELECT kid, algorithm, material FROM iamkit_signing_key WHERE id = 1",
            &[],
        ))
        .map_err(database_error)?;
        let Some(row) = row else { return Ok(None) };
        let invalid = |e: &dyn fmt::Display| StoreError::Invalid(e.to_string());
        let kid = KeyId::parse(row.get(0)).map_err(|e| invalid(&e))?;
        let algorithm: Algorithm = row.get::<_, &str>(1).parse().map_err(|e| invalid(&e))?;
        Ok(Some(StoredKey::new(kid, algorithm, row.get(2))))
    }

    fn keep_signing_key(&self, key: &StoredKey) -> Result<(), StoreError> {
        self.put_key(key, "DO UPDATE SET kid = excluded.kid, algorithm = excluded.algorithm, material = excluded.material")
    }

    fn adopt_signing_key(&self, key: &StoredKey) -> Result<StoredKey, StoreError> {
        self.put_key(key, "DO NOTHING")?;
        self.signing_key()?
            .ok_or_else(|| StoreError::Io("the signing key was not kept".into()))
    }

    fn check_fresh(&self) -> Result<(), StoreError> {
        if self.shared.replica.read().diverged {
            return Err(StoreError::Unavailable(
                "a write failed midway and the state has not been read again yet".into(),
            ));
        }
        let heard = *self.shared.heard.lock();
        match heard {
            Some(at) if at.elapsed() <= STALENESS_BOUND => Ok(()),
            _ => Err(StoreError::Unavailable(format!(
                "this engine has not heard from the database for more than {} ms",
                STALENESS_BOUND.as_millis()
            ))),
        }
    }
}

impl PostgresStore {
    fn put_key(&self, key: &StoredKey, on_conflict: &str) -> Result<(), StoreError> {
        let client = self.writer()?;
        let sql = format!(
            "INSERT INTO iamkit_signing_key (id, kid, algorithm, material)
             VALUES (1, $1, $2, $3) ON CONFLICT (id) {on_conflict}"
        );
        let kid = key.kid().to_string();
        block_on(client.execute(&sql, &[&kid, &key.algorithm().as_str(), &key.material()]))
            .map_err(database_error)?;
        Ok(())
    }
}

/// Writes `delta`'s rows and its feed entry `seq`, notifies, and commits, in one
/// round of pipelined statements; any failure rolls the whole transaction back.
async fn commit(client: &Client, delta: &Delta, seq: i64) -> Result<(), StoreError> {
    let body = serde_json::to_string(delta).map_err(|e| StoreError::Io(e.to_string()))?;
    let writes = rows::statements(delta);
    let mut statements = Vec::with_capacity(writes.len());
    for write in &writes {
        statements.push(client.prepare(&write.sql).await.map_err(database_error)?);
    }
    let trim = seq - feed::KEPT;
    let seq_text = seq.to_string();
    let feed_params: [&(dyn tokio_postgres::types::ToSql + Sync); 2] = [&seq, &body];
    let notify_params: [&(dyn tokio_postgres::types::ToSql + Sync); 2] =
        [&feed::CHANNEL, &seq_text];
    let trim_params: [&(dyn tokio_postgres::types::ToSql + Sync); 1] = [&trim];
    let (written, fed, notified, trimmed) = futures_util::join!(
        join_all(writes.iter().zip(&statements).map(|(write, statement)| {
            let params = write.params.as_sql();
            async move { client.execute(statement, &params).await }
        })),
        client.execute(
            "INSERT INTO iamkit_changes (seq, body) VALUES ($1, $2)",
            &feed_params
        ),
        client.execute("SELECT pg_notify($1, $2)", &notify_params),
        client.execute("DELETE FROM iamkit_changes WHERE seq <= $1", &trim_params),
    );
    let mut failure = None;
    for (write, result) in writes.iter().zip(written) {
        match (result, write.exact) {
            (Err(e), _) => failure = failure.or(Some(database_error(e))),
            (Ok(n), Some(exact)) if n != exact => {
                failure = failure.or(Some(StoreError::Io(
                    "another engine changed the same records first; nothing was applied".into(),
                )))
            }
            _ => {}
        }
    }
    for result in [fed, notified, trimmed] {
        if let Err(e) = result {
            failure = failure.or(Some(database_error(e)));
        }
    }
    if let Some(failure) = failure {
        let _ = client.batch_execute("ROLLBACK").await;
        return Err(failure);
    }
    client.batch_execute("COMMIT").await.map_err(database_error)
}

/// Connects on `runtime`, which drives the connection from then on.
fn connect(runtime: &tokio::runtime::Runtime, connector: &Connector) -> Result<Client, StoreError> {
    let connector = connector.clone();
    let connected = block_on(runtime.spawn(async move {
        let client = connector.connect(None).await?;
        client
            .batch_execute(&format!(
                "SET lock_timeout = '{}ms'; SET statement_timeout = '{}ms'",
                WAIT.as_millis(),
                WAIT.as_millis() * 6
            ))
            .await?;
        Ok::<_, tokio_postgres::Error>(client)
    }));
    // Whatever keeps a connection from opening, it is worth retrying later.
    match connected {
        Ok(result) => result.map_err(|e| match database_error(e) {
            StoreError::Io(message) => StoreError::Unavailable(message),
            other => other,
        }),
        Err(_) => Err(closed()),
    }
}

fn closed() -> StoreError {
    StoreError::Unavailable("the database runtime has stopped".into())
}

/// Waits for `future` on this thread. The futures of the database client need no
/// runtime of their own (the store's runtime drives the connections), so this
/// works from any thread, inside another runtime too.
fn block_on<F: Future>(future: F) -> F::Output {
    futures_executor::block_on(future)
}

/// A database error as the store's: the database out of reach (connection lost,
/// shutting down, a lock or statement timeout) is `Unavailable`, worth retrying.
fn database_error(error: tokio_postgres::Error) -> StoreError {
    let unavailable = error.is_closed()
        || match error.code() {
            None => true,
            Some(code) => {
                let class = code.code().get(..2).unwrap_or_default();
                matches!(class, "08" | "53" | "57")
                    || *code == SqlState::LOCK_NOT_AVAILABLE
                    || *code == SqlState::QUERY_CANCELED
            }
        };
    let message = match error.as_db_error() {
        Some(db) => db.message().to_owned(),
        None => with_causes(&error),
    };
    if unavailable {
        StoreError::Unavailable(message)
    } else {
        StoreError::Io(message)
    }
}

/// `error` and what caused it (a TLS handshake's reason, say), on one line.
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut cause = error.source();
    while let Some(e) = cause {
        message = format!("{message}: {e}");
        cause = e.source();
    }
    message
}
