//! `roshambo stats` on a records file of 100,000 games: the release binary run end to
//! end (process start, open, queries, print), p50 of several runs against the 100 ms
//! target, and what the file costs on disk per recorded game. The file is built through
//! the store's own API, one transaction a game as the recorder writes them, in a
//! temporary folder removed afterwards. Run with `cargo bench --bench stats`.
//!
//! `ROSHAMBO_STATS_GAMES=N` builds N games instead (for a quick look; the target is
//! meant for 100,000).

use roshambo::records::{GameRecord, MatchEnd, MatchEnding, MatchStart, Outcome, Store};
use roshambo_test_support::{roshambo, temp_path};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant, SystemTime};

/// Games recorded.
const GAMES: usize = 100_000;
/// Games in each match: a best of 9 that goes 5-0 or so.
const GAMES_A_MATCH: usize = 5;
/// Distinct guests the matches are spread over.
const PLAYERS: usize = 500;
/// Runs of each `stats` command timed.
const RUNS: usize = 15;
/// The target for `roshambo stats`.
const TARGET: Duration = Duration::from_millis(100);

fn main() -> ExitCode {
    let games = std::env::var("ROSHAMBO_STATS_GAMES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(GAMES);
    let folder = temp_path("bench-stats");
    let path = folder.join("roshambo.db");
    let built = Instant::now();
    build(&path, games);
    let build_time = built.elapsed();
    let size: u64 = ["", "-wal"]
        .iter()
        .filter_map(|s| std::fs::metadata(format!("{}{s}", path.display())).ok())
        .map(|m| m.len())
        .sum();
    let db = path.to_str().expect("a UTF-8 temp path");

    println!(
        "roshambo stats on {games} recorded games ({} matches, {PLAYERS} players)",
        games / GAMES_A_MATCH
    );
    println!(
        "  recording: {:.1} µs a game (one transaction each), {:.0} bytes on disk a game ({:.1} MiB)",
        build_time.as_secs_f64() * 1e6 / games as f64,
        size as f64 / games as f64,
        size as f64 / (1024.0 * 1024.0)
    );
    let mut pass = true;
    for args in [
        vec!["stats", "--db", db],
        vec!["stats", "--db", db, "--json"],
        vec!["stats", "--db", db, "player-7"],
        vec!["stats", "--db", db, "--limit", "1000"],
    ] {
        let times = time(&args);
        let p50 = times[times.len() / 2];
        let max = times[times.len() - 1];
        let ok = p50 < TARGET;
        let label: Vec<&str> = args
            .iter()
            .copied()
            .filter(|a| *a != db && *a != "--db")
            .collect();
        let label = label.join(" ");
        pass &= ok;
        println!(
            "  {:<40} p50 {:>6.1} ms  max {:>6.1} ms  (target < {} ms: {})",
            label,
            ms(p50),
            ms(max),
            TARGET.as_millis(),
            if ok { "PASS" } else { "FAIL" }
        );
    }
    let _ = std::fs::remove_dir_all(&folder);
    if pass {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Records `games` games, in matches of [`GAMES_A_MATCH`], as the recorder would.
fn build(path: &std::path::Path, games: usize) {
    let mut store = Store::open(path).expect("open the records");
    let moves = ['r', 'p', 's'];
    for m in 0..games.div_ceil(GAMES_A_MATCH) {
        let name = format!("player-{}", m % PLAYERS);
        let start = MatchStart {
            started: SystemTime::now(),
            guest_name: name.clone(),
            guest_addr: format!("127.0.0.1:{}", 1024 + m % 60_000).parse().unwrap(),
        };
        let id = store.begin_match(&start).expect("begin");
        let (mut host, mut guest) = (0, 0);
        for g in 0..GAMES_A_MATCH.min(games - m * GAMES_A_MATCH) {
            let (h, v) = (moves[(m + g) % 3], moves[(m * 7 + g * 3) % 3]);
            let outcome = match (h, v) {
                _ if h == v => Outcome::Tie,
                ('r', 's') | ('p', 'r') | ('s', 'p') => Outcome::HostWon,
                _ => Outcome::GuestWon,
            };
            host += u32::from(outcome == Outcome::HostWon);
            guest += u32::from(outcome == Outcome::GuestWon);
            let game = GameRecord {
                at: SystemTime::now(),
                guest_name: name.clone(),
                host_move: h,
                guest_move: v,
                outcome,
            };
            store.record_game(id, &game).expect("record");
        }
        let ending = match host.cmp(&guest) {
            std::cmp::Ordering::Greater => MatchEnding::HostWon,
            std::cmp::Ordering::Less => MatchEnding::GuestWon,
            std::cmp::Ordering::Equal => MatchEnding::TimedOut,
        };
        let end = MatchEnd {
            ended: SystemTime::now(),
            host_wins: host,
            guest_wins: guest,
            ending,
        };
        store.end_match(id, &end).expect("end");
    }
    // Closing checkpoints the WAL into the file: its size is then the file's own.
}

/// Wall-clock times of [`RUNS`] runs of `roshambo ARGS`, sorted.
fn time(args: &[&str]) -> Vec<Duration> {
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let began = Instant::now();
            let status = Command::new(roshambo())
                .args(args)
                .stdout(Stdio::null())
                .stderr(Stdio::inherit())
                .status()
                .expect("run roshambo stats");
            let took = began.elapsed();
            assert!(status.success(), "roshambo {args:?}: {status}");
            took
        })
        .collect();
    times.sort();
    times
}
