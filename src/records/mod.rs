//! The records file: every match and game in a SQLite database that the host can also
//! open with the `sqlite3` shell. Does IO (the file). The values it keeps and returns are
//! the core's ([`roshambo_core::records`]), re-exported here.
//!
//! One [`Store`] owns one connection. The server's recorder thread owns the one that
//! writes (the game thread never waits on the disk); `roshambo stats` opens its own,
//! read-only. WAL mode lets both, and a second server on the same file, work at once; a
//! busy timeout makes a writer wait its turn instead of failing. Each write is its own
//! transaction: a game is on disk when [`Store::record_game`] returns, and a crash
//! leaves nothing half-written.

mod schema;

pub use roshambo_core::records::{
    GameRecord, HostRecord, LeaderboardRow, MatchEnd, MatchEnding, MatchId, MatchRow, MatchStart,
    Outcome, PlayerRecord,
};
pub use schema::VERSION;

use roshambo_core::records::utc_text;
use rusqlite::{params, Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior};
use schema::Found;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How long a write waits for another writer (a second server on the file) before it
/// fails. Writes are single rows: anyone holding the lock longer is stuck.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// The records file could not be opened: said in one line that names the file.
#[derive(Debug)]
pub enum OpenError {
    /// `roshambo stats` before any server recorded anything there.
    Missing { path: PathBuf },
    /// `roshambo stats` on an empty file: nothing recorded yet.
    Empty { path: PathBuf },
    /// `roshambo stats` on a file an older roshambo wrote: a server brings it up to date.
    Outdated { path: PathBuf, version: i64 },
    /// Its folder cannot be made (a file is in the way, no permission).
    Folder { path: PathBuf, source: io::Error },
    /// The file is not a SQLite database (a text file, garbage).
    NotADatabase { path: PathBuf },
    /// A SQLite database, but another program's.
    Foreign { path: PathBuf },
    /// Written by a newer roshambo, whose schema this one does not know.
    TooNew { path: PathBuf, version: i64 },
    /// SQLite could not open, read or set it up (permissions, a read-only folder, ...).
    Sqlite {
        path: PathBuf,
        source: rusqlite::Error,
    },
}

impl fmt::Display for OpenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpenError::Missing { path } => write!(
                f,
                "no records at {}: the file does not exist (a server creates it)",
                path.display()
            ),
            OpenError::Empty { path } => {
                write!(f, "no records at {}: the file is empty", path.display())
            }
            OpenError::Outdated { path, version } => write!(
                f,
                "cannot read {}: an older roshambo wrote it (schema version {version}); \
                 start the server once to bring it up to date",
                path.display()
            ),
            OpenError::Folder { path, source } => write!(
                f,
                "cannot keep records at {}: cannot make its folder: {source}",
                path.display()
            ),
            OpenError::NotADatabase { path } => write!(
                f,
                "cannot use {} for records: it is not a SQLite database (left as it is)",
                path.display()
            ),
            OpenError::Foreign { path } => write!(
                f,
                "cannot use {} for records: it is another program's SQLite database (left as it is)",
                path.display()
            ),
            OpenError::TooNew { path, version } => write!(
                f,
                "cannot use {} for records: a newer roshambo wrote it (schema version {version}; \
                 this one knows up to {VERSION})",
                path.display()
            ),
            OpenError::Sqlite { path, source } => {
                write!(f, "cannot open the records at {}: {source}", path.display())
            }
        }
    }
}

impl std::error::Error for OpenError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            OpenError::Folder { source, .. } => Some(source),
            OpenError::Sqlite { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// The records file, open. Owns its connection.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// The file's device and inode when opened, to notice it deleted or replaced.
    identity: Option<(u64, u64)>,
}

impl Store {
    /// Opens the records at `path` to write, creating the folder and the file on first
    /// use and bringing an older file up to date. A file that is not roshambo's, or is
    /// from a newer roshambo, is refused and left as it was.
    pub fn open(path: &Path) -> Result<Store, OpenError> {
        if let Some(folder) = path.parent().filter(|f| !f.as_os_str().is_empty()) {
            std::fs::create_dir_all(folder).map_err(|source| OpenError::Folder {
                path: path.to_owned(),
                source,
            })?;
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut store = Store::connect(path, flags)?;
        let sqlite = |source| sqlite_error(path, source);
        // Only now that the file is known to be ours (or new) is anything written.
        // Switching a new file to WAL needs it to itself, and SQLite does not wait for
        // that (another server starting at the same moment is reading it): try again.
        let deadline = Instant::now() + BUSY_TIMEOUT;
        loop {
            match store
                .conn
                .pragma_update_and_check(None, "journal_mode", "WAL", |_| Ok(()))
            {
                Err(e)
                    if e.sqlite_error_code() == Some(ErrorCode::DatabaseBusy)
                        && Instant::now() < deadline =>
                {
                    std::thread::sleep(Duration::from_millis(5));
                }
                done => break done.map_err(sqlite)?,
            }
        }
        store
            .conn
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(sqlite)?;
        schema::migrate(&mut store.conn).map_err(sqlite)?;
        Ok(store)
    }

    /// Opens the records at `path` to read, for `roshambo stats`: a missing file is an
    /// error (nothing is created), and so is one that is not up to date.
    pub fn open_read_only(path: &Path) -> Result<Store, OpenError> {
        if !path.exists() {
            return Err(OpenError::Missing {
                path: path.to_owned(),
            });
        }
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let store = Store::connect(path, flags)?;
        Ok(store)
    }

    /// Opens a connection and checks, reading only, that the file is roshambo's and not
    /// newer than this build. An older file passes (a writer migrates it), except for
    /// a reader, which needs the current schema.
    fn connect(path: &Path, flags: OpenFlags) -> Result<Store, OpenError> {
        let sqlite = |source| sqlite_error(path, source);
        let conn = Connection::open_with_flags(path, flags).map_err(sqlite)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(sqlite)?;
        let read_only = !flags.contains(OpenFlags::SQLITE_OPEN_READ_WRITE);
        match schema::inspect(&conn).map_err(sqlite)? {
            Found::Current => {}
            Found::Older(_) if !read_only => {}
            Found::Older(0) => {
                return Err(OpenError::Empty {
                    path: path.to_owned(),
                })
            }
            Found::Older(version) => {
                return Err(OpenError::Outdated {
                    path: path.to_owned(),
                    version,
                })
            }
            Found::Foreign => {
                return Err(OpenError::Foreign {
                    path: path.to_owned(),
                })
            }
            Found::Newer(version) => {
                return Err(OpenError::TooNew {
                    path: path.to_owned(),
                    version,
                })
            }
        }
        Ok(Store {
            conn,
            path: path.to_owned(),
            identity: identity(path),
        })
    }

    /// The file this store keeps.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the file at the path is still the one opened. SQLite goes on writing to
    /// a deleted file without a word, into a file nobody will ever read again.
    pub fn is_still_there(&self) -> bool {
        let now = identity(&self.path);
        now.is_some() && now == self.identity
    }

    /// Records that a match began; its id names it in the calls that follow.
    pub fn begin_match(&mut self, m: &MatchStart) -> rusqlite::Result<MatchId> {
        let tx = self.write()?;
        tx.prepare_cached(
            "INSERT INTO matches (started, guest_name, name_key, guest_addr)
             VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![
            utc_text(m.started),
            m.guest_name,
            name_key(&m.guest_name),
            m.guest_addr.to_string()
        ])?;
        let id = tx.last_insert_rowid();
        tx.commit()?;
        Ok(MatchId(id))
    }

    /// Records one game of match `id`, and adds it to the match's running score. On
    /// disk (or failed) when it returns.
    pub fn record_game(&mut self, id: MatchId, g: &GameRecord) -> rusqlite::Result<()> {
        let tx = self.write()?;
        tx.prepare_cached(
            "INSERT INTO games (match_id, at, guest_name, host_move, guest_move, outcome)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![
            id.0,
            utc_text(g.at),
            g.guest_name,
            g.host_move.to_string(),
            g.guest_move.to_string(),
            g.outcome.as_str()
        ])?;
        let column = match g.outcome {
            Outcome::HostWon => "UPDATE matches SET host_wins = host_wins + 1 WHERE id = ?1",
            Outcome::GuestWon => "UPDATE matches SET guest_wins = guest_wins + 1 WHERE id = ?1",
            Outcome::Tie => "UPDATE matches SET ties = ties + 1 WHERE id = ?1",
        };
        tx.prepare_cached(column)?.execute([id.0])?;
        tx.commit()
    }

    /// Records how match `id` ended, with its final score.
    pub fn end_match(&mut self, id: MatchId, m: &MatchEnd) -> rusqlite::Result<()> {
        let tx = self.write()?;
        tx.prepare_cached(
            "UPDATE matches SET ended = ?2, host_wins = ?3, guest_wins = ?4, ending = ?5
             WHERE id = ?1",
        )?
        .execute(params![
            id.0,
            utc_text(m.ended),
            m.host_wins,
            m.guest_wins,
            m.ending.as_str()
        ])?;
        tx.commit()
    }

    /// The record of the player called `name` (in any case), if they ever played.
    pub fn player(&self, name: &str) -> rusqlite::Result<Option<PlayerRecord>> {
        self.conn
            .prepare_cached(&format!("{PLAYERS} WHERE name_key = ?1 GROUP BY name_key"))?
            .query_row([name_key(name)], player_row)
            .optional()
    }

    /// `name`'s last `limit` games (any case), oldest first, as (their move, the host
    /// seat's move): what the house bot remembers of a returning player.
    pub fn recent_games(&self, name: &str, limit: usize) -> rusqlite::Result<Vec<(char, char)>> {
        let mut games: Vec<(char, char)> = self
            .conn
            .prepare_cached(
                "SELECT g.guest_move, g.host_move FROM games g JOIN matches m ON m.id = g.match_id
                 WHERE m.name_key = ?1 ORDER BY g.id DESC LIMIT ?2",
            )?
            .query_map(params![name_key(name), limit as i64], |row| {
                let first = |text: String| text.chars().next().unwrap_or('?');
                Ok((first(row.get(0)?), first(row.get(1)?)))
            })?
            .collect::<rusqlite::Result<_>>()?;
        games.reverse();
        Ok(games)
    }

    /// The host's figures over every run recorded in this file.
    pub fn host_lifetime(&self) -> rusqlite::Result<HostRecord> {
        self.conn
            .prepare_cached(
                "SELECT count(*),
                        coalesce(sum(ending = 'host won'), 0),
                        coalesce(sum(ending = 'guest won'), 0),
                        coalesce(sum(host_wins + guest_wins + ties), 0),
                        coalesce(sum(host_wins), 0),
                        coalesce(sum(guest_wins), 0),
                        coalesce(sum(ties), 0)
                 FROM matches",
            )?
            .query_row([], |row| {
                Ok(HostRecord {
                    matches: count(row, 0)?,
                    won: count(row, 1)?,
                    lost: count(row, 2)?,
                    games: count(row, 3)?,
                    games_won: count(row, 4)?,
                    games_lost: count(row, 5)?,
                    games_tied: count(row, 6)?,
                })
            })
    }

    /// The top `limit` players: by matches won, then by share of decided games won,
    /// then by fewer matches (the same wins in fewer tries), then by name. Everyone
    /// listed has played at least one match.
    pub fn leaderboard(&self, limit: usize) -> rusqlite::Result<Vec<LeaderboardRow>> {
        let sql = format!(
            "{PLAYERS} GROUP BY name_key
             ORDER BY won DESC,
                      coalesce(CAST(games_won AS REAL) / nullif(games_won + games_lost, 0), 0) DESC,
                      matches ASC,
                      name_key ASC
             LIMIT ?1"
        );
        let mut statement = self.conn.prepare_cached(&sql)?;
        let rows = statement.query_map([limit as i64], player_row)?;
        rows.enumerate()
            .map(|(i, player)| {
                Ok(LeaderboardRow {
                    rank: i + 1,
                    player: player?,
                })
            })
            .collect()
    }

    /// The latest `limit` matches, newest first: everyone's, or those of the player
    /// called `name` (in any case).
    pub fn recent_matches(
        &self,
        name: Option<&str>,
        limit: usize,
    ) -> rusqlite::Result<Vec<MatchRow>> {
        let columns = "SELECT id, started, ended, guest_name, guest_addr,
                              host_wins, guest_wins, ties, ending
                       FROM matches";
        let mut statement;
        let rows = match name {
            Some(name) => {
                statement = self.conn.prepare_cached(&format!(
                    "{columns} WHERE name_key = ?1 ORDER BY started DESC, id DESC LIMIT ?2"
                ))?;
                statement.query_map(params![name_key(name), limit as i64], match_row)?
            }
            None => {
                statement = self.conn.prepare_cached(&format!(
                    "{columns} ORDER BY started DESC, id DESC LIMIT ?1"
                ))?;
                statement.query_map([limit as i64], match_row)?
            }
        };
        rows.collect()
    }

    /// Begins a write: a transaction of its own that takes the write lock at once (so
    /// that a second writer waits for it, up to the busy timeout, instead of failing
    /// mid-way), or, inside a batch ([`Store::begin_batch`]), a savepoint of the
    /// batch's transaction.
    fn write(&mut self) -> rusqlite::Result<Write<'_>> {
        if self.conn.is_autocommit() {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            Ok(Write::Alone(tx))
        } else {
            Ok(Write::InBatch(self.conn.savepoint()?))
        }
    }

    /// Begins a batch: the writes until [`Store::end_batch`] share one transaction,
    /// which costs the disk one commit for all of them. For a burst of records.
    pub fn begin_batch(&mut self) -> rusqlite::Result<()> {
        self.conn.execute_batch("BEGIN IMMEDIATE")
    }

    /// Commits the batch begun with [`Store::begin_batch`]: whether it was kept. It
    /// was not if a write in it failed so badly that SQLite rolled it all back (a full
    /// disk does), or if the commit fails, when it is rolled back here.
    pub fn end_batch(&mut self) -> rusqlite::Result<bool> {
        if self.conn.is_autocommit() {
            return Ok(false);
        }
        let committed = self.conn.execute_batch("COMMIT");
        if committed.is_err() && !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        committed.map(|()| true)
    }

    /// The connection itself, for checks the API does not offer (tests: integrity).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }
}

/// One write of the store's: a transaction of its own, or a part of a batch's.
enum Write<'a> {
    Alone(rusqlite::Transaction<'a>),
    InBatch(rusqlite::Savepoint<'a>),
}

impl Write<'_> {
    fn commit(self) -> rusqlite::Result<()> {
        match self {
            Write::Alone(tx) => tx.commit(),
            Write::InBatch(point) => point.commit(),
        }
    }
}

impl std::ops::Deref for Write<'_> {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        match self {
            Write::Alone(tx) => tx,
            Write::InBatch(point) => point,
        }
    }
}

/// Each player's figures from their matches: the latest spelling of their name, then
/// what [`player_row`] reads.
const PLAYERS: &str = "
    SELECT (SELECT m.guest_name FROM matches m WHERE m.name_key = matches.name_key
            ORDER BY m.id DESC LIMIT 1),
           count(*) AS matches,
           coalesce(sum(ending = 'guest won'), 0) AS won,
           coalesce(sum(ending = 'host won'), 0) AS lost,
           coalesce(sum(host_wins + guest_wins + ties), 0) AS games,
           coalesce(sum(guest_wins), 0) AS games_won,
           coalesce(sum(host_wins), 0) AS games_lost
    FROM matches";

fn player_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<PlayerRecord> {
    Ok(PlayerRecord {
        name: row.get(0)?,
        matches: count(row, 1)?,
        won: count(row, 2)?,
        lost: count(row, 3)?,
        games: count(row, 4)?,
        games_won: count(row, 5)?,
        games_lost: count(row, 6)?,
    })
}

/// A count, which SQLite keeps as a signed integer.
fn count(row: &rusqlite::Row<'_>, column: usize) -> rusqlite::Result<u64> {
    let n: i64 = row.get(column)?;
    Ok(n.max(0) as u64)
}

fn match_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<MatchRow> {
    let ending: Option<String> = row.get(8)?;
    Ok(MatchRow {
        id: MatchId(row.get(0)?),
        started: row.get(1)?,
        ended: row.get(2)?,
        guest_name: row.get(3)?,
        guest_addr: row.get(4)?,
        host_wins: row.get(5)?,
        guest_wins: row.get(6)?,
        ties: row.get(7)?,
        ending: ending.as_deref().and_then(MatchEnding::from_stored),
    })
}

fn identity(path: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()))
}

/// What lookups compare: names are unique regardless of case.
fn name_key(name: &str) -> String {
    name.to_lowercase()
}

/// A SQLite failure while opening `path`, said as what it means.
fn sqlite_error(path: &Path, source: rusqlite::Error) -> OpenError {
    let path = path.to_owned();
    match source.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => OpenError::NotADatabase { path },
        _ => OpenError::Sqlite { path, source },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use roshambo_test_support::TempFolder;
    use std::net::SocketAddr;
    use std::time::{SystemTime, UNIX_EPOCH};

    fn at(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_800_000_000 + secs)
    }

    fn addr() -> SocketAddr {
        "127.0.0.1:40312".parse().unwrap()
    }

    /// Plays a whole match for `name`: `games` as (host, guest) moves, then `ending`.
    fn play(store: &mut Store, name: &str, when: u64, games: &[(char, char)], ending: MatchEnding) {
        let id = store
            .begin_match(&MatchStart {
                started: at(when),
                guest_name: name.to_string(),
                guest_addr: addr(),
            })
            .unwrap();
        let (mut host_wins, mut guest_wins) = (0, 0);
        for (i, &(host_move, guest_move)) in games.iter().enumerate() {
            let outcome = match (host_move, guest_move) {
                (h, g) if h == g => Outcome::Tie,
                ('r', 's') | ('p', 'r') | ('s', 'p') => Outcome::HostWon,
                _ => Outcome::GuestWon,
            };
            host_wins += u32::from(outcome == Outcome::HostWon);
            guest_wins += u32::from(outcome == Outcome::GuestWon);
            let game = GameRecord {
                at: at(when + i as u64 + 1),
                guest_name: name.to_string(),
                host_move,
                guest_move,
                outcome,
            };
            store.record_game(id, &game).unwrap();
        }
        let end = MatchEnd {
            ended: at(when + 60),
            host_wins,
            guest_wins,
            ending,
        };
        store.end_match(id, &end).unwrap();
    }

    fn pragma(store: &Store, name: &str) -> String {
        store
            .connection()
            .pragma_query_value(None, name, |row| {
                Ok(match row.get_ref(0)? {
                    rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                    other => format!("{:?}", other.as_i64()),
                })
            })
            .unwrap()
    }

    #[test]
    fn a_new_file_gets_the_schema_in_wal_mode() {
        let folder = TempFolder::new("schema");
        let path = folder.0.join("deeper/still/roshambo.db");
        let store = Store::open(&path).unwrap();
        assert!(path.is_file(), "the folder and the file are made");
        assert_eq!(pragma(&store, "user_version"), "Ok(1)");
        assert_eq!(
            pragma(&store, "application_id"),
            format!("Ok({})", 0x5253_4842)
        );
        assert_eq!(pragma(&store, "journal_mode"), "wal");
        assert_eq!(pragma(&store, "busy_timeout"), "Ok(5000)");
        let tables: Vec<String> = store
            .connection()
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(tables, ["games", "matches"]);
        drop(store);
        // Opened again: already current, nothing to do.
        let again = Store::open(&path).unwrap();
        assert_eq!(pragma(&again, "user_version"), "Ok(1)");
    }

    #[test]
    fn an_empty_version_0_database_is_migrated() {
        let folder = TempFolder::new("migrate");
        let path = folder.db();
        {
            let conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "user_version", 0).unwrap();
            conn.execute_batch("VACUUM").unwrap();
        }
        let mut store = Store::open(&path).unwrap();
        assert_eq!(pragma(&store, "user_version"), "Ok(1)");
        play(&mut store, "alice", 0, &[('r', 's')], MatchEnding::HostWon);
        assert_eq!(store.host_lifetime().unwrap().won, 1);
    }

    /// The file's bytes, to prove a refused file was left as it was.
    fn bytes(path: &Path) -> Vec<u8> {
        std::fs::read(path).unwrap()
    }

    #[test]
    fn files_that_are_not_ours_are_refused_and_left_as_they_were() {
        let folder = TempFolder::new("refused");
        let text = folder.0.join("notes.txt");
        std::fs::write(&text, "shopping: eggs, milk\n".repeat(100)).unwrap();
        let newer = folder.0.join("newer.db");
        {
            let conn = Connection::open(&newer).unwrap();
            conn.pragma_update(None, "application_id", schema::APPLICATION_ID)
                .unwrap();
            conn.pragma_update(None, "user_version", 2).unwrap();
            conn.execute_batch("CREATE TABLE future (x)").unwrap();
        }
        let foreign = folder.0.join("foreign.db");
        Connection::open(&foreign)
            .unwrap()
            .execute_batch("CREATE TABLE notes (body TEXT)")
            .unwrap();
        let cases: [(&Path, &str); 3] = [
            (&text, "is not a SQLite database"),
            (
                &newer,
                "a newer roshambo wrote it (schema version 2; this one knows up to 1)",
            ),
            (&foreign, "another program's SQLite database"),
        ];
        for (path, reason) in cases {
            let before = bytes(path);
            for result in [Store::open(path), Store::open_read_only(path)] {
                let message = result.expect_err("refused").to_string();
                assert!(
                    message.contains(&path.display().to_string()) && message.contains(reason),
                    "{}: {message}",
                    path.display()
                );
                assert!(!message.contains('\n'), "{message:?}");
            }
            assert_eq!(bytes(path), before, "{} is unchanged", path.display());
            let wal = PathBuf::from(format!("{}-wal", path.display()));
            assert!(!wal.exists(), "no WAL made beside {}", path.display());
        }
    }

    #[test]
    fn a_folder_that_cannot_be_made_or_written_is_said_in_words() {
        let folder = TempFolder::new("unwritable");
        // Root ignores permissions, so the folder's place is taken by a regular file.
        let in_the_way = folder.0.join("data");
        std::fs::write(&in_the_way, "a file where the folder should be").unwrap();
        let path = in_the_way.join("roshambo/roshambo.db");
        let message = Store::open(&path).expect_err("refused").to_string();
        assert!(
            message.contains(&path.display().to_string())
                && message.contains("cannot make its folder"),
            "{message}"
        );
        // SAFETY: geteuid only reads the process's credentials.
        if unsafe { libc::geteuid() } != 0 {
            use std::os::unix::fs::PermissionsExt;
            let locked = folder.0.join("locked");
            std::fs::create_dir(&locked).unwrap();
            std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o555)).unwrap();
            let message = Store::open(&locked.join("roshambo.db"))
                .expect_err("refused")
                .to_string();
            assert!(message.contains("locked/roshambo.db"), "{message}");
            std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
    }

    #[test]
    fn reading_needs_a_file_and_writes_nothing() {
        let folder = TempFolder::new("read-only");
        let path = folder.db();
        let message = Store::open_read_only(&path)
            .expect_err("missing")
            .to_string();
        assert!(message.contains("does not exist"), "{message}");
        assert!(!path.exists(), "reading created nothing");
        std::fs::write(&path, "").unwrap();
        let message = Store::open_read_only(&path).expect_err("empty").to_string();
        assert!(message.contains("is empty"), "{message}");
        std::fs::remove_file(&path).unwrap();

        play(
            &mut Store::open(&path).unwrap(),
            "alice",
            0,
            &[('r', 'p')],
            MatchEnding::GuestWon,
        );
        let mut reader = Store::open_read_only(&path).unwrap();
        assert_eq!(reader.player("alice").unwrap().unwrap().won, 1);
        let start = MatchStart {
            started: at(0),
            guest_name: "bob".into(),
            guest_addr: addr(),
        };
        assert!(reader.begin_match(&start).is_err(), "a reader cannot write");
    }

    #[test]
    fn names_full_of_sql_are_kept_as_typed() {
        let folder = TempFolder::new("names");
        let mut store = Store::open(&folder.db()).unwrap();
        let names = [
            "Robert'); DROP TABLE matches;--",
            "O'Brien",
            "100%_sure",
            "semi;colon",
            "\"quoted\"",
            "back\\slash",
            "émile",
        ];
        for (i, name) in names.iter().enumerate() {
            play(
                &mut store,
                name,
                i as u64 * 100,
                &[('r', 'p')],
                MatchEnding::GuestWon,
            );
        }
        for name in names {
            let record = store.player(name).unwrap().expect(name);
            assert_eq!(record.name, name);
            assert_eq!((record.matches, record.won), (1, 1), "{name}");
            let matches = store.recent_matches(Some(name), 10).unwrap();
            assert_eq!(matches.len(), 1, "{name}: {matches:?}");
            assert_eq!(matches[0].guest_name, name);
        }
        // `%` and `_` are not patterns: no one else is found by them.
        assert_eq!(store.player("100%").unwrap(), None);
        assert_eq!(store.player("100__sure").unwrap(), None);
        assert_eq!(store.leaderboard(10).unwrap().len(), names.len());
        let games: String = store
            .connection()
            .query_row("SELECT guest_name FROM games WHERE id = 1", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(games, names[0]);
    }

    #[test]
    fn lookups_ignore_case_and_show_the_latest_spelling() {
        let folder = TempFolder::new("case");
        let mut store = Store::open(&folder.db()).unwrap();
        play(&mut store, "alice", 0, &[('r', 'p')], MatchEnding::GuestWon);
        play(
            &mut store,
            "ALICE",
            100,
            &[('r', 's')],
            MatchEnding::HostWon,
        );
        play(
            &mut store,
            "Émile",
            200,
            &[('r', 'r'), ('p', 's')],
            MatchEnding::GuestWon,
        );
        for spelling in ["alice", "Alice", "aLiCe"] {
            let record = store.player(spelling).unwrap().expect(spelling);
            assert_eq!(
                record,
                PlayerRecord {
                    name: "ALICE".into(),
                    matches: 2,
                    won: 1,
                    lost: 1,
                    games: 2,
                    games_won: 1,
                    games_lost: 1,
                }
            );
        }
        let emile = store.player("émile").unwrap().expect("émile");
        assert_eq!((emile.games, emile.games_won, emile.games_lost), (2, 1, 0));
        assert_eq!(store.recent_matches(Some("Alice"), 10).unwrap().len(), 2);
        assert_eq!(store.player("bob").unwrap(), None);
    }

    #[test]
    fn the_leaderboard_ranks_by_matches_won_then_share() {
        let folder = TempFolder::new("leaderboard");
        let mut store = Store::open(&folder.db()).unwrap();
        let win = [('r', 'p')];
        let lose = [('r', 's')];
        // carol: 2 matches won; bob: 1 won at 100%; alice: 1 won at 50%; dave: none.
        play(
            &mut store,
            "alice",
            0,
            &[('r', 'p'), ('r', 's')],
            MatchEnding::GuestWon,
        );
        play(&mut store, "bob", 10, &win, MatchEnding::GuestWon);
        play(&mut store, "carol", 20, &win, MatchEnding::GuestWon);
        play(&mut store, "carol", 30, &lose, MatchEnding::HostWon);
        play(&mut store, "carol", 40, &win, MatchEnding::GuestWon);
        play(&mut store, "dave", 50, &lose, MatchEnding::TimedOut);
        let board = store.leaderboard(10).unwrap();
        let names: Vec<(usize, &str)> = board
            .iter()
            .map(|r| (r.rank, r.player.name.as_str()))
            .collect();
        assert_eq!(names, [(1, "carol"), (2, "bob"), (3, "alice"), (4, "dave")]);
        assert_eq!(store.leaderboard(2).unwrap().len(), 2);

        let host = store.host_lifetime().unwrap();
        assert_eq!(
            host,
            HostRecord {
                matches: 6,
                won: 1,
                lost: 4,
                games: 7,
                games_won: 3,
                games_lost: 4,
                games_tied: 0,
            }
        );
        let latest = store.recent_matches(None, 2).unwrap();
        let latest: Vec<(&str, Option<MatchEnding>)> = latest
            .iter()
            .map(|m| (m.guest_name.as_str(), m.ending))
            .collect();
        assert_eq!(
            latest,
            [
                ("dave", Some(MatchEnding::TimedOut)),
                ("carol", Some(MatchEnding::GuestWon))
            ]
        );
    }

    #[test]
    fn a_match_cut_short_keeps_its_running_score() {
        let folder = TempFolder::new("running");
        let mut store = Store::open(&folder.db()).unwrap();
        let start = MatchStart {
            started: at(0),
            guest_name: "alice".into(),
            guest_addr: addr(),
        };
        let id = store.begin_match(&start).unwrap();
        for (outcome, guest_move) in [
            (Outcome::HostWon, 's'),
            (Outcome::Tie, 'r'),
            (Outcome::GuestWon, 'p'),
        ] {
            let game = GameRecord {
                at: at(1),
                guest_name: "alice".into(),
                host_move: 'r',
                guest_move,
                outcome,
            };
            store.record_game(id, &game).unwrap();
        }
        let row = &store.recent_matches(None, 1).unwrap()[0];
        assert_eq!((row.host_wins, row.guest_wins, row.ties), (1, 1, 1));
        assert_eq!((row.ending, row.ended.as_deref()), (None, None));
        assert_eq!(row.started, "2027-01-15T08:00:00.000Z");
        assert_eq!(row.guest_addr, "127.0.0.1:40312");
        let bad = GameRecord {
            at: at(2),
            guest_name: "alice".into(),
            host_move: 'x',
            guest_move: 'r',
            outcome: Outcome::Tie,
        };
        assert!(
            store.record_game(id, &bad).is_err(),
            "only r, p and s are moves"
        );
        assert_eq!(
            store.recent_matches(None, 1).unwrap()[0].ties,
            1,
            "nothing half-written"
        );
    }

    #[test]
    fn servers_starting_together_on_a_new_file_all_open_it() {
        for round in 0..20 {
            let folder = TempFolder::new(&format!("together-{round}"));
            let path = folder.db();
            let barrier = std::sync::Arc::new(std::sync::Barrier::new(4));
            let openers: Vec<_> = (0..4)
                .map(|_| {
                    let (path, barrier) = (path.clone(), barrier.clone());
                    std::thread::spawn(move || {
                        barrier.wait();
                        Store::open(&path).map(drop).map_err(|e| e.to_string())
                    })
                })
                .collect();
            for opener in openers {
                assert_eq!(opener.join().unwrap(), Ok(()), "round {round}");
            }
        }
    }

    #[test]
    fn two_stores_write_to_one_file_at_once() {
        let folder = TempFolder::new("two-writers");
        let path = folder.db();
        drop(Store::open(&path).unwrap());
        const GAMES: usize = 150;
        let writers: Vec<_> = ["alice", "bob"]
            .into_iter()
            .map(|name| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let mut store = Store::open(&path).unwrap();
                    let start = MatchStart {
                        started: at(0),
                        guest_name: name.into(),
                        guest_addr: addr(),
                    };
                    let id = store.begin_match(&start).unwrap();
                    for i in 0..GAMES {
                        let game = GameRecord {
                            at: at(i as u64),
                            guest_name: name.into(),
                            host_move: 'r',
                            guest_move: 'p',
                            outcome: Outcome::GuestWon,
                        };
                        store.record_game(id, &game).unwrap();
                    }
                })
            })
            .collect();
        for writer in writers {
            writer.join().expect("a writer finished without an error");
        }
        let store = Store::open_read_only(&path).unwrap();
        for name in ["alice", "bob"] {
            assert_eq!(store.player(name).unwrap().unwrap().games, GAMES as u64);
        }
        let games: i64 = store
            .connection()
            .query_row("SELECT count(*) FROM games", [], |r| r.get(0))
            .unwrap();
        assert_eq!(games, 2 * GAMES as i64);
    }
}
