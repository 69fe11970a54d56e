//! The recorder thread: owns the records file and writes what the game thread sends
//! it, so that the game never waits on the disk. Does IO (the file, through the
//! [`Store`]).
//!
//! The game thread calls [`RecorderHandle::send`], which never blocks: a record that
//! does not fit in the queue is counted as lost. Look-ups (a returning guest's record,
//! the leaderboard for `l`) are answered with an [`Event`] on the game thread's channel.
//! A write that fails (a full disk, a file locked past the busy timeout) is tried again
//! a few times; each kind of fault is logged once, and the first loss of the run is told
//! once as [`Event::RecordsFailing`]. A records file deleted while the server runs is
//! made again, and recording goes on in it.

use crate::events::{Event, GuestId};
use crate::records::{GameRecord, MatchEnd, MatchEnding, MatchId, MatchStart, Outcome, Store};
use crossbeam_channel::{Receiver, Sender, TrySendError};
use roshambo_core::game::happening::{Ending, Who};
use roshambo_core::game::rules::{Player, Throw};
use roshambo_core::game::Happening;
use roshambo_core::game::Recipient;
use rusqlite::ErrorCode;
use std::collections::{HashMap, HashSet};
use std::io;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, SystemTime};

/// Records the game thread may queue before more are lost: minutes of play, and far
/// more than a healthy disk ever lets build up.
pub const BACKLOG: usize = 1024;

/// Records written in one transaction at most, when they pile up.
const BATCH: usize = 256;

/// A returning player's last games that the house bot is given to learn from.
pub const REMEMBERED_GAMES: usize = 500;

/// Players on the leaderboard that `l` shows.
pub const LEADERBOARD_SIZE: usize = 10;

/// How long an answer may wait for room on the game thread's channel.
const ANSWER_PATIENCE: Duration = Duration::from_millis(250);

/// What the game thread asks the recorder to do. `key` is the game thread's own name
/// for a match, any number unique among the matches of the run; the recorder maps it to
/// the store's [`MatchId`].
#[derive(Debug)]
pub enum Record {
    /// A match began.
    MatchStarted { key: u64, start: MatchStart },
    /// A game of match `key` was played.
    Game { key: u64, game: GameRecord },
    /// Match `key` is over; nothing more comes for `key`.
    MatchEnded { key: u64, end: MatchEnd },
    /// Look up `name`'s record for `guest`: answered with [`Event::RecordFound`].
    LookUp { guest: GuestId, name: String },
    /// Read the leaderboard for `for_whom`: answered with [`Event::LeaderboardReady`].
    Leaderboard { for_whom: Recipient },
}

impl Record {
    /// Whether it is written (not a lookup).
    fn is_write(&self) -> bool {
        matches!(
            self,
            Record::MatchStarted { .. } | Record::Game { .. } | Record::MatchEnded { .. }
        )
    }

    /// What to record of something that happened at the table at `at`, if anything: a
    /// match begun, a game played, a match over. The table's number for the match is
    /// the key.
    pub fn of(happening: &Happening, at: SystemTime) -> Option<Record> {
        let game = |who: &Who, throw: &Throw, outcome| GameRecord {
            at,
            guest_name: String::from(&*who.name),
            host_move: throw.host.key(),
            guest_move: throw.guest.key(),
            outcome,
        };
        Some(match happening {
            Happening::Seated { who, number } => Record::MatchStarted {
                key: *number,
                start: MatchStart {
                    started: at,
                    guest_name: String::from(&*who.name),
                    guest_addr: who.addr,
                },
            },
            Happening::GameDecided {
                who,
                number,
                throw,
                winner,
                ..
            } => Record::Game {
                key: *number,
                game: game(
                    who,
                    throw,
                    match winner {
                        Player::Host => Outcome::HostWon,
                        Player::Guest => Outcome::GuestWon,
                    },
                ),
            },
            Happening::GameTied { who, number, throw } => Record::Game {
                key: *number,
                game: game(who, throw, Outcome::Tie),
            },
            Happening::MatchOver {
                number,
                ending,
                wins,
                ..
            } => Record::MatchEnded {
                key: *number,
                end: MatchEnd {
                    ended: at,
                    host_wins: wins[0],
                    guest_wins: wins[1],
                    ending: match ending {
                        Ending::Won if wins[0] > wins[1] => MatchEnding::HostWon,
                        Ending::Won => MatchEnding::GuestWon,
                        Ending::TimedOut => MatchEnding::TimedOut,
                        Ending::GuestLeft => MatchEnding::Left,
                        Ending::Kicked => MatchEnding::Kicked,
                        Ending::ShutDown => MatchEnding::ShutDown,
                    },
                },
            },
            _ => return None,
        })
    }
}

/// How a failed write is tried again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Retry {
    /// Tries in all, the first included.
    pub attempts: u32,
    /// The pause after the first failure, doubled after each next one.
    pub pause: Duration,
}

impl Default for Retry {
    /// Three tries over about a third of a second (plus the busy timeout of each, for
    /// a locked file): enough for a moment's trouble, short enough that a lasting one
    /// costs records rather than a queue that never drains.
    fn default() -> Self {
        Retry {
            attempts: 3,
            pause: Duration::from_millis(100),
        }
    }
}

/// Records lost in this run, shared by the game thread's handle and the recorder.
#[derive(Debug)]
struct Losses {
    lost: AtomicU64,
    told: AtomicBool,
    events: Sender<Event>,
}

impl Losses {
    /// Counts `n` more records lost, and tells the game thread the first time.
    fn lose(&self, n: u64) {
        let lost = self.lost.fetch_add(n, Ordering::Relaxed) + n;
        if !self.told.swap(true, Ordering::Relaxed) {
            log::warn!("records: {lost} lost so far; the game goes on without them");
            // Never blocks: this may run on the game thread.
            let _ = self.events.try_send(Event::RecordsFailing { lost });
        }
    }
}

/// Starts the recorder thread.
#[derive(Debug)]
pub struct Recorder;

impl Recorder {
    /// Starts the recorder thread, which owns `store` and answers on `events`, with
    /// the default queue and retries.
    pub fn start(store: Store, events: Sender<Event>) -> io::Result<RecorderHandle> {
        Recorder::start_with(store, events, BACKLOG, Retry::default())
    }

    /// As [`Recorder::start`], with a queue of `backlog` records and `retry`.
    pub fn start_with(
        store: Store,
        events: Sender<Event>,
        backlog: usize,
        retry: Retry,
    ) -> io::Result<RecorderHandle> {
        let (records, queue) = crossbeam_channel::bounded(backlog);
        let (finished, done) = crossbeam_channel::bounded(0);
        let losses = Arc::new(Losses {
            lost: AtomicU64::new(0),
            told: AtomicBool::new(false),
            events: events.clone(),
        });
        let writer = Writer {
            path: store.path().to_owned(),
            store,
            events,
            losses: losses.clone(),
            retry,
            matches: HashMap::new(),
            warned: HashSet::new(),
        };
        thread::Builder::new()
            .name("recorder".into())
            .spawn(move || {
                yield_to_the_players();
                writer.run(&queue);
                // The receiver's end, not a message: `done` disconnects when this
                // thread ends, a panic included.
                drop(finished);
            })?;
        Ok(RecorderHandle {
            records,
            losses,
            done,
        })
    }
}

/// Lowers this thread's priority as far as it goes (nice 19): the disk can wait a
/// moment, the players cannot, and on a machine of two CPUs a write woken by a game's
/// result would otherwise take a CPU from the threads delivering it.
fn yield_to_the_players() {
    // SAFETY: setpriority(2) on this thread's own id (gettid), with no pointers.
    let lowered = unsafe {
        let tid = libc::gettid() as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, 19)
    };
    if lowered != 0 {
        log::debug!(
            "the recorder keeps its priority: {}",
            io::Error::last_os_error()
        );
    }
}

/// The game thread's end of the recorder.
#[derive(Debug)]
pub struct RecorderHandle {
    records: Sender<Record>,
    losses: Arc<Losses>,
    done: Receiver<()>,
}

impl RecorderHandle {
    /// Queues `record` without ever blocking. When the queue is full (the disk is slow
    /// or failing) the record is counted as lost; a look-up that does not fit is
    /// dropped unanswered, so nothing may wait for an answer.
    pub fn send(&self, record: Record) {
        match self.records.try_send(record) {
            Ok(()) => {}
            Err(TrySendError::Full(Record::LookUp { .. } | Record::Leaderboard { .. })) => {}
            Err(TrySendError::Full(_) | TrySendError::Disconnected(_)) => self.losses.lose(1),
        }
    }

    /// Records lost so far in this run.
    pub fn lost(&self) -> u64 {
        self.losses.lost.load(Ordering::Relaxed)
    }

    /// Closes the queue and waits up to `within` for what is in it to be written (the
    /// last match's end, at shutdown). Whether it all was.
    pub fn finish(self, within: Duration) -> bool {
        drop(self.records);
        matches!(
            self.done.recv_timeout(within),
            Err(crossbeam_channel::RecvTimeoutError::Disconnected)
        )
    }
}

/// A match the recorder knows of: its start, and its row once it has one.
#[derive(Debug)]
struct OpenMatch {
    start: MatchStart,
    /// `None` until its row is written (again, after the file was made anew).
    id: Option<MatchId>,
}

/// The kinds of fault that are each logged once.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Fault {
    Full,
    Locked,
    ReadOnly,
    Vanished,
    Unknown,
    Other,
}

impl Fault {
    fn of(e: &rusqlite::Error) -> Fault {
        match e.sqlite_error_code() {
            Some(ErrorCode::DiskFull) => Fault::Full,
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Fault::Locked,
            Some(ErrorCode::ReadOnly | ErrorCode::PermissionDenied) => Fault::ReadOnly,
            _ => Fault::Other,
        }
    }
}

/// The recorder thread's state.
struct Writer {
    store: Store,
    path: PathBuf,
    events: Sender<Event>,
    losses: Arc<Losses>,
    retry: Retry,
    matches: HashMap<u64, OpenMatch>,
    warned: HashSet<Fault>,
}

impl Writer {
    /// Writes and answers until the game thread's handle is gone and the queue empty.
    /// Writes what comes until the game thread's end of the queue is gone. What has
    /// piled up meanwhile (a burst of quick games, the end of a match) is written in one
    /// transaction: one commit for all of it. Nothing waits to be batched.
    fn run(mut self, queue: &Receiver<Record>) {
        while let Ok(first) = queue.recv() {
            let burst: Vec<Record> = std::iter::once(first)
                .chain(queue.try_iter().take(BATCH - 1))
                .collect();
            let writes = burst.iter().filter(|r| r.is_write()).count();
            if writes < 2 {
                burst.into_iter().for_each(|record| self.handle(record));
                continue;
            }
            self.check_file();
            let batched = self.store.begin_batch().is_ok();
            for record in burst {
                self.handle(record);
            }
            if batched {
                match self.store.end_batch() {
                    Ok(true) => {}
                    // A write failed and SQLite undid the batch: that fault was logged.
                    Ok(false) => self.losses.lose(writes as u64),
                    Err(e) => {
                        self.warn_once(Fault::of(&e), &format!("cannot write: {e}"));
                        self.losses.lose(writes as u64);
                    }
                }
            }
        }
    }

    fn handle(&mut self, record: Record) {
        if record.is_write() {
            // Before the match's id is looked up, which a new file changes.
            self.check_file();
        }
        match record {
            Record::MatchStarted { key, start } => {
                self.matches.insert(key, OpenMatch { start, id: None });
                if self.match_id(key).is_none() {
                    self.losses.lose(1);
                }
            }
            Record::Game { key, game } => {
                let written = self
                    .match_id(key)
                    .and_then(|id| self.write(|store| store.record_game(id, &game)));
                if written.is_none() {
                    self.losses.lose(1);
                }
            }
            Record::MatchEnded { key, end } => {
                let written = self
                    .match_id(key)
                    .and_then(|id| self.write(|store| store.end_match(id, &end)));
                if written.is_none() {
                    self.losses.lose(1);
                }
                self.matches.remove(&key);
            }
            Record::LookUp { guest, name } => {
                let record = self.read("look up a player", |store| store.player(&name));
                let games = self.read("read a player's last games", |store| {
                    store.recent_games(&name, REMEMBERED_GAMES)
                });
                self.answer(Event::RecordFound {
                    guest,
                    name,
                    record: record.flatten(),
                    games: games.unwrap_or_default(),
                });
            }
            Record::Leaderboard { for_whom } => {
                let rows = self.read("read the leaderboard", |store| {
                    store.leaderboard(LEADERBOARD_SIZE)
                });
                self.answer(Event::LeaderboardReady {
                    for_whom,
                    rows: rows.unwrap_or_default(),
                });
            }
        }
    }

    /// Match `key`'s row, written now if it has none yet (its start failed before, or
    /// the file was made anew). `None` if that fails, or the match was never begun.
    fn match_id(&mut self, key: u64) -> Option<MatchId> {
        let Some(open) = self.matches.get(&key) else {
            self.warn_once(
                Fault::Unknown,
                &format!("a record for match {key}, never begun"),
            );
            return None;
        };
        if let Some(id) = open.id {
            return Some(id);
        }
        let start = open.start.clone();
        let id = self.write(|store| store.begin_match(&start))?;
        if let Some(open) = self.matches.get_mut(&key) {
            open.id = Some(id);
        }
        Some(id)
    }

    /// Runs `op`, tried again as [`Retry`] says; `None` when every try failed.
    fn write<T>(&mut self, mut op: impl FnMut(&mut Store) -> rusqlite::Result<T>) -> Option<T> {
        let mut pause = self.retry.pause;
        for attempt in 1..=self.retry.attempts.max(1) {
            match op(&mut self.store) {
                Ok(value) => return Some(value),
                Err(e) => {
                    let what = format!("cannot write: {e}");
                    self.warn_once(Fault::of(&e), &what);
                    if attempt < self.retry.attempts {
                        thread::sleep(pause);
                        pause = pause.saturating_mul(2);
                    }
                }
            }
        }
        None
    }

    /// Runs a read once; a failure is logged (once per kind) and read as nothing.
    fn read<T>(&mut self, what: &str, op: impl FnOnce(&Store) -> rusqlite::Result<T>) -> Option<T> {
        match op(&self.store) {
            Ok(value) => Some(value),
            Err(e) => {
                self.warn_once(Fault::of(&e), &format!("cannot {what}: {e}"));
                None
            }
        }
    }

    /// SQLite writes on into a deleted file without a word: if the file is gone (or
    /// another took its place), it is made anew, and the matches under way are written
    /// there again from their next record.
    fn check_file(&mut self) {
        if self.store.is_still_there() {
            return;
        }
        self.warn_once(
            Fault::Vanished,
            "the file was deleted or replaced; recording goes on in a new one",
        );
        match Store::open(&self.path) {
            Ok(store) => {
                self.store = store;
                for open in self.matches.values_mut() {
                    open.id = None;
                }
            }
            Err(e) => self.warn_once(Fault::Other, &e.to_string()),
        }
    }

    fn warn_once(&mut self, fault: Fault, what: &str) {
        if self.warned.insert(fault) {
            log::warn!(
                "records at {}: {what} (said once; retried, and the game goes on)",
                self.path.display()
            );
        }
    }

    fn answer(&self, event: Event) {
        let _ = self.events.send_timeout(event, ANSWER_PATIENCE);
    }
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer").field("path", &self.path).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::{MatchEnding, Outcome};
    use roshambo_test_support::temp_path;
    use std::sync::{Mutex, OnceLock};
    use std::time::{Instant, SystemTime};

    /// The warnings logged while the tests run, to count them.
    struct Warnings(Mutex<Vec<String>>);

    impl log::Log for Warnings {
        fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
            metadata.level() <= log::Level::Warn
        }

        fn log(&self, record: &log::Record<'_>) {
            if self.enabled(record.metadata()) {
                let mut lines = self.0.lock().unwrap_or_else(|e| e.into_inner());
                lines.push(record.args().to_string());
            }
        }

        fn flush(&self) {}
    }

    /// The warnings so far that mention `path`.
    fn warnings_about(path: &std::path::Path) -> Vec<String> {
        static WARNINGS: OnceLock<&'static Warnings> = OnceLock::new();
        let warnings = WARNINGS.get_or_init(|| {
            let warnings: &'static Warnings = Box::leak(Box::new(Warnings(Mutex::new(Vec::new()))));
            let _ = log::set_logger(warnings);
            log::set_max_level(log::LevelFilter::Warn);
            warnings
        });
        let lines = warnings.0.lock().unwrap_or_else(|e| e.into_inner());
        let path = path.display().to_string();
        lines
            .iter()
            .filter(|l| l.contains(&path))
            .cloned()
            .collect()
    }

    /// A records file in a folder of its own, and the game thread's channel.
    fn setup(tag: &str) -> (PathBuf, Store, Sender<Event>, Receiver<Event>) {
        let folder = temp_path(tag);
        let path = folder.join("roshambo.db");
        warnings_about(&path);
        let store = Store::open(&path).expect("open the records");
        let (events_tx, events) = crossbeam_channel::bounded(64);
        (path, store, events_tx, events)
    }

    fn cleanup(path: &std::path::Path) {
        let _ = std::fs::remove_dir_all(path.parent().expect("a folder"));
    }

    fn start(key: u64, name: &str) -> Record {
        Record::MatchStarted {
            key,
            start: MatchStart {
                started: SystemTime::now(),
                guest_name: name.to_string(),
                guest_addr: "127.0.0.1:5000".parse().unwrap(),
            },
        }
    }

    fn game(key: u64, name: &str) -> Record {
        Record::Game {
            key,
            game: GameRecord {
                at: SystemTime::now(),
                guest_name: name.to_string(),
                host_move: 'r',
                guest_move: 'p',
                outcome: Outcome::GuestWon,
            },
        }
    }

    fn end(key: u64, guest_wins: u32) -> Record {
        Record::MatchEnded {
            key,
            end: MatchEnd {
                ended: SystemTime::now(),
                host_wins: 0,
                guest_wins,
                ending: MatchEnding::GuestWon,
            },
        }
    }

    fn failing(events: &Receiver<Event>) -> Vec<u64> {
        events
            .try_iter()
            .filter_map(|e| match e {
                Event::RecordsFailing { lost } => Some(lost),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn matches_are_written_and_look_ups_answered() {
        let (path, store, events_tx, events) = setup("recorder");
        let recorder = Recorder::start(store, events_tx).unwrap();
        recorder.send(start(7, "Alice"));
        recorder.send(game(7, "Alice"));
        recorder.send(game(7, "Alice"));
        recorder.send(end(7, 2));
        recorder.send(Record::LookUp {
            guest: GuestId(3),
            name: "alice".into(),
        });
        recorder.send(Record::LookUp {
            guest: GuestId(4),
            name: "bob".into(),
        });
        recorder.send(Record::Leaderboard {
            for_whom: Recipient::Host,
        });
        let mut answers = Vec::new();
        for _ in 0..3 {
            answers.push(
                events
                    .recv_timeout(Duration::from_secs(10))
                    .expect("an answer"),
            );
        }
        assert!(recorder.finish(Duration::from_secs(10)), "all written");
        match &answers[..] {
            [Event::RecordFound {
                guest: GuestId(3),
                name,
                record: Some(alice),
                games,
            }, Event::RecordFound {
                guest: GuestId(4),
                record: None,
                ..
            }, Event::LeaderboardReady {
                for_whom: Recipient::Host,
                rows,
            }] => {
                assert_eq!(name, "alice");
                assert_eq!(
                    games,
                    &[('p', 'r'), ('p', 'r')],
                    "the last games, oldest first"
                );
                assert_eq!(
                    (alice.name.as_str(), alice.won, alice.games_won),
                    ("Alice", 1, 2)
                );
                assert_eq!(rows.len(), 1);
            }
            other => panic!("unexpected answers: {other:?}"),
        }
        let store = Store::open_read_only(&path).unwrap();
        let row = &store.recent_matches(None, 5).unwrap()[0];
        assert_eq!(
            (row.guest_wins, row.ending),
            (2, Some(MatchEnding::GuestWon))
        );
        assert!(failing(&events).is_empty(), "nothing lost");
        cleanup(&path);
    }

    #[test]
    fn a_stuck_disk_never_blocks_the_sender_and_losses_are_told_once() {
        let (path, store, events_tx, events) = setup("recorder-stuck");
        // Another connection holds the write lock: every write waits out the busy
        // timeout, so the recorder is as stuck as behind a hung disk.
        let mut blocker = rusqlite::Connection::open(&path).unwrap();
        let lock = blocker
            .transaction_with_behavior(rusqlite::TransactionBehavior::Exclusive)
            .unwrap();
        let retry = Retry {
            attempts: 1,
            pause: Duration::ZERO,
        };
        let recorder = Recorder::start_with(store, events_tx, 4, retry).unwrap();
        let began = Instant::now();
        for key in 0..200 {
            recorder.send(start(key, "alice"));
        }
        let took = began.elapsed();
        assert!(took < Duration::from_millis(100), "200 sends took {took:?}");
        assert!(recorder.lost() >= 190, "lost {}", recorder.lost());
        let told = failing(&events);
        assert_eq!(told.len(), 1, "told once: {told:?}");
        drop(lock);
        drop(blocker);
        recorder.finish(Duration::from_secs(30));
        assert!(failing(&events).is_empty(), "never told again");
        cleanup(&path);
    }

    #[test]
    fn a_full_disk_is_retried_logged_once_and_told_once() {
        let (path, store, events_tx, events) = setup("recorder-full");
        // The file may not grow: SQLite answers SQLITE_FULL, as on a full disk.
        let pages: i64 = store
            .connection()
            .pragma_query_value(None, "page_count", |r| r.get(0))
            .unwrap();
        store
            .connection()
            .pragma_update(None, "max_page_count", pages)
            .unwrap();
        let retry = Retry {
            attempts: 2,
            pause: Duration::from_millis(1),
        };
        let recorder = Recorder::start_with(store, events_tx, 64, retry).unwrap();
        recorder.send(start(1, &"x".repeat(2000)));
        for _ in 0..20 {
            recorder.send(game(1, &"y".repeat(2000)));
        }
        assert!(recorder.finish(Duration::from_secs(30)));
        let told = failing(&events);
        assert_eq!(told.len(), 1, "told once: {told:?}");
        let warnings = warnings_about(&path);
        let full: Vec<&String> = warnings.iter().filter(|w| w.contains("full")).collect();
        assert_eq!(full.len(), 1, "one warning for a full disk: {warnings:#?}");
        cleanup(&path);
    }

    #[test]
    fn a_deleted_file_is_made_again_and_recording_goes_on() {
        let (path, store, events_tx, events) = setup("recorder-deleted");
        let recorder = Recorder::start(store, events_tx).unwrap();
        recorder.send(start(1, "alice"));
        recorder.send(game(1, "alice"));
        recorder.send(Record::LookUp {
            guest: GuestId(1),
            name: "alice".into(),
        });
        events
            .recv_timeout(Duration::from_secs(10))
            .expect("written");
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        recorder.send(game(1, "alice"));
        recorder.send(end(1, 2));
        recorder.send(start(2, "bob"));
        recorder.send(end(2, 0));
        assert!(recorder.finish(Duration::from_secs(10)));
        let store = Store::open_read_only(&path).expect("the file is there again");
        let names: Vec<String> = store
            .recent_matches(None, 10)
            .unwrap()
            .into_iter()
            .map(|m| m.guest_name)
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
        // The match's end gives its whole score; the games before the deletion are gone.
        assert_eq!(store.player("alice").unwrap().unwrap().games_won, 2);
        let games: i64 = store
            .connection()
            .query_row("SELECT count(*) FROM games", [], |r| r.get(0))
            .unwrap();
        assert_eq!(games, 1, "the game after the deletion");
        let warnings = warnings_about(&path);
        assert_eq!(
            warnings.iter().filter(|w| w.contains("deleted")).count(),
            1,
            "{warnings:#?}"
        );
        assert!(
            failing(&events).is_empty(),
            "nothing was lost after the deletion"
        );
        cleanup(&path);
    }
}
