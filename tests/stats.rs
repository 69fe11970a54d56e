//! `roshambo stats` as a host or a script meets it: the real binary on a prepared
//! records file, as aligned text, as JSON, for one player, and one line with status 1
//! for a file it cannot read. Every file is in a temporary folder of its own.

use roshambo::records::{GameRecord, MatchEnd, MatchEnding, MatchStart, Outcome, Store};
use roshambo_test_support::{roshambo, Program, TempFolder, DEADLINE};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, UNIX_EPOCH};

/// The guest's name and address, the games as (host, guest), and how it ended.
type Played<'a> = (&'a str, &'a [(char, char)], Option<MatchEnding>);

const ROBERT: &str = "Robert'); DROP TABLE matches;--";

/// alice wins two matches, ROBERT one (a tie in it), bob none; carol's match was cut
/// by a crash. Matches start a minute apart from 2027-01-15 08:00 UTC.
const PLAYED: [Played<'static>; 6] = [
    (
        "alice",
        &[('r', 'p'), ('r', 'p')],
        Some(MatchEnding::GuestWon),
    ),
    ("bob", &[('r', 's'), ('r', 's')], Some(MatchEnding::HostWon)),
    (
        ROBERT,
        &[('r', 'r'), ('s', 'r'), ('p', 's')],
        Some(MatchEnding::GuestWon),
    ),
    (
        "Alice",
        &[('p', 's'), ('s', 'r')],
        Some(MatchEnding::GuestWon),
    ),
    ("bob", &[('r', 'p')], Some(MatchEnding::TimedOut)),
    ("carol", &[('s', 'p')], None),
];

fn prepare(path: &Path) {
    let mut store = Store::open(path).expect("open the records");
    for (i, (name, games, ending)) in PLAYED.iter().enumerate() {
        let minute = |s: u64| UNIX_EPOCH + Duration::from_secs(1_800_000_000 + i as u64 * 60 + s);
        let id = store
            .begin_match(&MatchStart {
                started: minute(0),
                guest_name: name.to_string(),
                guest_addr: format!("127.0.0.1:{}", 40000 + i).parse().unwrap(),
            })
            .unwrap();
        let (mut host, mut guest) = (0, 0);
        for (n, &(host_move, guest_move)) in games.iter().enumerate() {
            let outcome = match (host_move, guest_move) {
                (h, g) if h == g => Outcome::Tie,
                ('r', 's') | ('p', 'r') | ('s', 'p') => Outcome::HostWon,
                _ => Outcome::GuestWon,
            };
            host += u32::from(outcome == Outcome::HostWon);
            guest += u32::from(outcome == Outcome::GuestWon);
            let game = GameRecord {
                at: minute(n as u64 + 1),
                guest_name: name.to_string(),
                host_move,
                guest_move,
                outcome,
            };
            store.record_game(id, &game).unwrap();
        }
        if let Some(ending) = ending {
            let end = MatchEnd {
                ended: minute(30),
                host_wins: host,
                guest_wins: guest,
                ending: *ending,
            };
            store.end_match(id, &end).unwrap();
        }
    }
}

/// What one run of `roshambo stats` did.
#[derive(Debug)]
struct Run {
    status: Option<i32>,
    stdout: String,
    stderr: String,
}

/// Runs `roshambo stats ARGS` with XDG_DATA_HOME set to `data` and HOME to an empty
/// folder, so the user's own records are never read.
fn stats(args: &[&str], data: &Path) -> Run {
    let mut command = Command::new(roshambo());
    command
        .arg("stats")
        .args(args)
        .env("XDG_DATA_HOME", data)
        .env("HOME", data.join("home"));
    let mut program = Program::spawn_piped(command, Stdio::null()).named("roshambo stats");
    let status = program.wait_exit(DEADLINE).code();
    Run {
        status,
        stdout: program.output_to_end(),
        stderr: program.stderr(),
    }
}

fn prepared(tag: &str) -> (TempFolder, PathBuf) {
    let folder = TempFolder::new(tag);
    let path = folder.0.join("roshambo").join("roshambo.db");
    prepare(&path);
    (folder, path)
}

#[test]
fn stats_prints_the_host_the_leaderboard_and_the_latest_matches() {
    let (folder, path) = prepared("stats-text");
    // No --db: the default place under XDG_DATA_HOME.
    let run = stats(&[], &folder.0);
    assert_eq!(run.status, Some(0), "{run:?}");
    assert_eq!(run.stderr, "");
    let out = &run.stdout;
    assert!(
        out.starts_with(&format!("Records: {}\n", path.display())),
        "{out}"
    );
    assert!(
        out.contains(
            "Host, all runs: 6 matches, 1 won, 3 lost; 11 games, 3 won, 7 lost, 1 tied (30.00%)"
        ),
        "{out}"
    );
    let lines: Vec<&str> = out.lines().collect();
    let board = lines
        .iter()
        .position(|l| l.starts_with("  #  name"))
        .expect("the leaderboard");
    let ranked: Vec<&str> = lines[board + 1..board + 5].to_vec();
    assert!(
        ranked[0].contains(" 1  Alice ") && ranked[0].ends_with("100.00%"),
        "{ranked:#?}"
    );
    assert!(
        ranked[1].contains(" 2  Robert'); DROP TABLE matches;--"),
        "{ranked:#?}"
    );
    assert!(ranked[2].contains(" 3  bob "), "{ranked:#?}");
    assert!(ranked[3].contains(" 4  carol "), "{ranked:#?}");
    let widths: Vec<usize> = lines[board..board + 5]
        .iter()
        .map(|l| l.chars().count())
        .collect();
    assert!(
        widths.windows(2).all(|w| w[0] == w[1]),
        "aligned: {widths:?}\n{out}"
    );

    let latest = lines
        .iter()
        .position(|l| l.starts_with("started (UTC)"))
        .expect("the matches");
    let matches = &lines[latest + 1..];
    assert_eq!(matches.len(), 6, "{out}");
    assert!(
        matches[0].starts_with("2027-01-15 08:05:00  carol"),
        "{matches:#?}"
    );
    assert!(matches[0].ends_with("1-0  unfinished"), "{matches:#?}");
    assert!(
        matches[1].contains("bob") && matches[1].ends_with("0-1  timed out"),
        "{matches:#?}"
    );
    assert!(matches[5].contains("127.0.0.1:40000") && matches[5].ends_with("0-2  guest won"));

    let two = stats(
        &["--limit", "2", "--db", path.to_str().unwrap()],
        &folder.0.join("elsewhere"),
    );
    assert_eq!(two.status, Some(0), "{two:?}");
    let after = two
        .stdout
        .split("started (UTC)")
        .nth(1)
        .expect("the matches");
    assert_eq!(
        after.lines().count(),
        3,
        "the heading's rest and two: {}",
        two.stdout
    );
}

#[test]
fn stats_json_is_one_document() {
    let (folder, path) = prepared("stats-json");
    let run = stats(&["--json", "--db", path.to_str().unwrap()], &folder.0);
    assert_eq!(run.status, Some(0), "{run:?}");
    assert_eq!(run.stdout.lines().count(), 1, "one line: {}", run.stdout);
    let doc: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(doc["records"], path.display().to_string());
    assert_eq!(doc["host"]["matches"], 6);
    assert_eq!(doc["host"]["games_tied"], 1);
    let board = doc["leaderboard"].as_array().expect("a leaderboard");
    assert_eq!(board.len(), 4);
    assert_eq!(board[0]["name"], "Alice");
    assert_eq!(board[0]["won"], 2);
    assert_eq!(board[0]["share"], 100.0);
    assert_eq!(board[1]["name"], ROBERT);
    assert_eq!(board[1]["rank"], 2);
    let matches = doc["matches"].as_array().expect("matches");
    assert_eq!(matches.len(), 6);
    assert_eq!(matches[0]["guest_name"], "carol");
    assert_eq!(matches[0]["ending"], Value::Null);
    assert_eq!(matches[0]["ended"], Value::Null);
    assert_eq!(matches[0]["started"], "2027-01-15T08:05:00.000Z");
    assert_eq!(matches[1]["ending"], "timed out");
}

#[test]
fn stats_name_shows_one_players_record_in_any_case() {
    let (folder, path) = prepared("stats-name");
    let db = path.to_str().unwrap();
    let run = stats(&["--db", db, "ALICE"], &folder.0);
    assert_eq!(run.status, Some(0), "{run:?}");
    assert!(
        run.stdout
            .contains("Alice: 2 matches, 2 won, 0 lost; 4 games, 4 won, 0 lost (100.00%)"),
        "{}",
        run.stdout
    );
    assert_eq!(run.stdout.matches("guest won").count(), 2, "{}", run.stdout);
    assert!(!run.stdout.contains("bob"), "{}", run.stdout);

    let robert = stats(&["--db", db, "--json", ROBERT], &folder.0);
    let doc: Value = serde_json::from_str(&robert.stdout).expect("JSON");
    assert_eq!(doc["player"]["name"], ROBERT);
    assert_eq!(doc["player"]["games"], 3);
    assert_eq!(doc["matches"][0]["ties"], 1);

    let nobody = stats(&["--db", db, "dave"], &folder.0);
    assert_eq!(nobody.status, Some(0), "{nobody:?}");
    assert!(
        nobody.stdout.contains("dave: no matches recorded"),
        "{}",
        nobody.stdout
    );
    let nobody = stats(&["--db", db, "--json", "dave"], &folder.0);
    let doc: Value = serde_json::from_str(&nobody.stdout).expect("JSON");
    assert_eq!(doc["player"], Value::Null);
}

/// Checks that `run` failed with one line naming `path` and saying `reason`.
#[track_caller]
fn one_line_and_status_1(run: &Run, path: &Path, reason: &str) {
    assert_eq!(run.status, Some(1), "{run:?}");
    assert_eq!(run.stdout, "", "{run:?}");
    assert_eq!(run.stderr.lines().count(), 1, "{run:?}");
    assert!(
        run.stderr.contains(&path.display().to_string()) && run.stderr.contains(reason),
        "{run:?}"
    );
}

#[test]
fn a_file_stats_cannot_read_is_one_line_and_status_1() {
    let folder = TempFolder::new("stats-bad");
    let missing = folder.0.join("none.db");
    one_line_and_status_1(
        &stats(&["--db", missing.to_str().unwrap()], &folder.0),
        &missing,
        "does not exist",
    );
    assert!(!missing.exists(), "stats created nothing");

    let text = folder.0.join("notes.db");
    std::fs::write(&text, "not a database\n".repeat(200)).unwrap();
    one_line_and_status_1(
        &stats(&["--db", text.to_str().unwrap()], &folder.0),
        &text,
        "not a SQLite database",
    );
    assert_eq!(
        std::fs::read_to_string(&text).unwrap(),
        "not a database\n".repeat(200)
    );

    // A real roshambo file whose pages past the first were overwritten.
    let damaged = folder.0.join("damaged.db");
    prepare(&damaged);
    let mut bytes = std::fs::read(&damaged).unwrap();
    assert!(bytes.len() > 8192, "more than two pages: {}", bytes.len());
    let page = 4096;
    for b in &mut bytes[page..] {
        *b = 0xA5;
    }
    std::fs::write(&damaged, &bytes).unwrap();
    let run = stats(&["--db", damaged.to_str().unwrap()], &folder.0);
    one_line_and_status_1(&run, &damaged, "malformed");
}
