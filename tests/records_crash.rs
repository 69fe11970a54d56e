//! `kill -9` of a process writing records: the file opens cleanly afterwards, every game
//! whose write had returned is there, and nothing half-written is visible. The writer is
//! this test binary run again in a mode of its own, so the kill lands mid-write.

use roshambo::records::{GameRecord, MatchStart, Outcome, Store};
use roshambo_test_support::{temp_path, Expect, Program, DEADLINE};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::SystemTime;

/// Set in the child: the records file to write games to until killed.
const WRITER: &str = "ROSHAMBO_TEST_RECORD_FOREVER";

/// Games in a match, in the writer.
const GAMES_A_MATCH: u64 = 9;

/// Games confirmed before the kill.
const CONFIRMED: u64 = 300;

/// The child's role: a test that does nothing unless [`WRITER`] names a file. It then
/// records games for ever, printing `committed N` once the Nth game's write returned.
#[test]
fn record_forever() {
    let Some(path) = std::env::var_os(WRITER) else {
        return;
    };
    let mut store = Store::open(Path::new(&path)).expect("open the records");
    let mut out = std::io::stdout().lock();
    let mut committed = 0u64;
    loop {
        let start = MatchStart {
            started: SystemTime::now(),
            guest_name: "O'Brien".into(),
            guest_addr: "127.0.0.1:5000".parse().unwrap(),
        };
        let id = store.begin_match(&start).expect("begin a match");
        for n in 0..GAMES_A_MATCH {
            let game = GameRecord {
                at: SystemTime::now(),
                guest_name: "O'Brien".into(),
                host_move: 'r',
                guest_move: ['r', 'p', 's'][n as usize % 3],
                outcome: [Outcome::Tie, Outcome::GuestWon, Outcome::HostWon][n as usize % 3],
            };
            store.record_game(id, &game).expect("record a game");
            committed += 1;
            let _ = writeln!(out, "committed {committed}");
            let _ = out.flush();
        }
    }
}

#[test]
fn a_sigkilled_writer_leaves_every_confirmed_game_and_a_sound_file() {
    let folder = temp_path("sigkill");
    let path = folder.join("roshambo.db");
    let mut command = Command::new(std::env::current_exe().expect("this test's binary"));
    command
        .args([
            "--exact",
            "record_forever",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env(WRITER, &path);
    let mut writer = Program::spawn_piped(command, Stdio::null()).named("records writer");
    writer.expect_line(&format!("committed {CONFIRMED}"));
    writer.signal(libc::SIGKILL);
    let status = writer.wait_exit(DEADLINE);
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(libc::SIGKILL),
        "killed mid-write: {status}"
    );

    // Opened to write, as the next server would: the WAL is recovered.
    let store = Store::open(&path).expect("the file opens cleanly after the kill");
    let conn = store.connection();
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(integrity, "ok");
    let games: u64 = conn
        .query_row("SELECT count(*) FROM games", [], |r| r.get::<_, i64>(0))
        .unwrap() as u64;
    assert!(
        games >= CONFIRMED,
        "{games} games kept, {CONFIRMED} confirmed"
    );
    // Each game and its match's running score were written together or not at all.
    let torn: i64 = conn
        .query_row(
            "SELECT count(*) FROM matches m
             WHERE host_wins + guest_wins + ties
                   != (SELECT count(*) FROM games g WHERE g.match_id = m.id)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(torn, 0, "no match's score disagrees with its games");
    let player = store.player("o'brien").unwrap().expect("the player");
    assert_eq!(player.games, games);
    drop(store);
    let _ = std::fs::remove_dir_all(&folder);
}
