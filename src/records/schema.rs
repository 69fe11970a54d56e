//! The records file's schema and its migrations, numbered by `PRAGMA user_version`.
//! Does IO (the SQLite file, through the connection it is given).
//!
//! A file written by this version opens in the next: each later version adds one step
//! to [`STEPS`], and a file is brought up to date one step at a time, each step with its
//! version in one transaction. A file from a newer roshambo is refused, never touched.

use rusqlite::{Connection, TransactionBehavior};

/// The schema version this build writes.
pub const VERSION: i64 = 1;

/// `PRAGMA application_id`: "RSHB", so `file(1)` and roshambo can tell a roshambo file
/// from any other SQLite database.
pub const APPLICATION_ID: i64 = 0x5253_4842;

/// Step `i` takes a file from version `i` to `i + 1`.
const STEPS: [&str; VERSION as usize] = [V0_TO_V1];

/// Version 1: matches and their games.
///
/// Times are RFC 3339 text in UTC to the millisecond (`2026-12-01T20:29:05.123Z`), which
/// sorts as the times do and reads in the `sqlite3` shell. Names are kept as typed;
/// `name_key` is the name in lower case (Unicode), which lookups and the leaderboard
/// compare, since names are unique regardless of case.
///
/// A match's `host_wins`, `guest_wins` and `ties` grow with each game recorded, so a
/// match cut by a crash still has its score; its end sets the final score. `ended` and
/// `ending` stay NULL until it ends. `ending` names who won: a guest's `won` is the
/// host's `lost`, and the text must not depend on whose side one reads it from.
const V0_TO_V1: &str = "
CREATE TABLE matches (
    id          INTEGER PRIMARY KEY,
    started     TEXT    NOT NULL,
    ended       TEXT,
    guest_name  TEXT    NOT NULL,
    name_key    TEXT    NOT NULL,
    guest_addr  TEXT    NOT NULL,
    host_wins   INTEGER NOT NULL DEFAULT 0,
    guest_wins  INTEGER NOT NULL DEFAULT 0,
    ties        INTEGER NOT NULL DEFAULT 0,
    ending      TEXT CHECK (ending IN
        ('guest won', 'host won', 'timed out', 'left', 'kicked', 'shut down'))
);
CREATE INDEX matches_by_name ON matches (name_key, started);
CREATE INDEX matches_by_start ON matches (started);

CREATE TABLE games (
    id          INTEGER PRIMARY KEY,
    match_id    INTEGER NOT NULL REFERENCES matches (id),
    at          TEXT    NOT NULL,
    guest_name  TEXT    NOT NULL,
    host_move   TEXT    NOT NULL CHECK (host_move IN ('r', 'p', 's', 'l', 'k')),
    guest_move  TEXT    NOT NULL CHECK (guest_move IN ('r', 'p', 's', 'l', 'k')),
    outcome     TEXT    NOT NULL CHECK (outcome IN ('host', 'guest', 'tie'))
);
CREATE INDEX games_by_match ON games (match_id);
";

/// What the file's version says about opening it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Found {
    /// Written by this version: nothing to do.
    Current,
    /// Older (0 is a new, empty file): [`migrate`] brings it up to date.
    Older(i64),
    /// Written by a newer roshambo: refused.
    Newer(i64),
    /// A SQLite database with tables of its own and no roshambo version: not ours.
    Foreign,
}

/// Reads the file's version without writing anything. Fails with `NotADatabase` on a
/// file that is not SQLite.
pub fn inspect(conn: &Connection) -> rusqlite::Result<Found> {
    // One read transaction, so that the three reads see one state of the file: another
    // server may be creating it meanwhile, and its tables without its version would
    // look like another program's file.
    let tx = conn.unchecked_transaction()?;
    let version: i64 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
    let app: i64 = tx.pragma_query_value(None, "application_id", |row| row.get(0))?;
    let tables: i64 = tx.query_row(
        "SELECT count(*) FROM sqlite_schema WHERE type = 'table'",
        [],
        |row| row.get(0),
    )?;
    tx.commit()?;
    Ok(match version {
        _ if app != 0 && app != APPLICATION_ID => Found::Foreign,
        0 if tables > 0 => Found::Foreign,
        v if v > VERSION => Found::Newer(v),
        VERSION => Found::Current,
        v => Found::Older(v),
    })
}

/// Brings the file up to [`VERSION`], one step per transaction. Another server may be
/// migrating the same file: the version is read again inside each write transaction,
/// so a step is never applied twice.
pub fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    loop {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version: i64 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
        let Some(step) = usize::try_from(version).ok().and_then(|v| STEPS.get(v)) else {
            // Up to date, or newer than this build (which `inspect` refused first).
            return tx.commit();
        };
        tx.execute_batch(step)?;
        tx.pragma_update(None, "application_id", APPLICATION_ID)?;
        tx.pragma_update(None, "user_version", version + 1)?;
        tx.commit()?;
    }
}
