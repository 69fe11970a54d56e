//! Records that last, end to end: a real SQLite file in a temporary folder, the real
//! binary on a pty, guests on loopback. Matches survive a restart (the returning guest's
//! greeting, the leaderboard, the host's lifetime figures), `--no-records` writes
//! nothing, two servers share one file, a server killed with SIGKILL mid-match leaves
//! every game it had recorded, and a file that is not roshambo's is refused in one line.

use roshambo_test_support::{roshambo, Expect, Guest, Program, Server, TempFolder, DEADLINE};
use serde_json::Value;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn arg(path: &Path) -> &str {
    path.to_str().expect("a UTF-8 temp path")
}

/// A server with names, recording to `db`, best of 1.
fn server_on(db: &Path) -> Server {
    Server::launch(&["--db", arg(db), "--best-of", "1", "--timeout", "60"])
        .names()
        .start()
}

/// A telnet guest named `name`, once seated.
#[track_caller]
fn named(server: &mut Server, name: &str) -> Guest {
    let mut guest = server.guest();
    guest.expect("What is your name? ");
    guest.send(format!("{name}\r\n").as_bytes());
    guest.expect_line(&format!("Hello, {name}."));
    server.expect_line(&format!("Player connected: {name}"));
    guest
}

/// `roshambo stats --json ARGS` on `db`: the document.
#[track_caller]
fn stats_json(db: &Path, args: &[&str]) -> Value {
    let mut command = Command::new(roshambo());
    command
        .args(["stats", "--json", "--db", arg(db)])
        .args(args);
    let mut program = Program::spawn_piped(command, Stdio::null()).named("roshambo stats");
    let status = program.wait_exit(DEADLINE);
    let out = program.output_to_end();
    assert_eq!(status.code(), Some(0), "stats: {out} {}", program.stderr());
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("stats --json: {e}: {out}"))
}

/// Waits until `stats --json` on `db` satisfies `done`.
#[track_caller]
fn await_stats(db: &Path, args: &[&str], what: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + DEADLINE;
    loop {
        let doc = stats_json(db, args);
        if done(&doc) {
            return doc;
        }
        assert!(Instant::now() < deadline, "never {what}: {doc}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_returning_guest_is_greeted_with_their_record_and_the_host_sees_all_runs() {
    let folder = TempFolder::new("records-restart");
    let db = folder.db();
    let mut server = server_on(&db);
    server.expect_line(&format!("Records kept in {}", db.display()));
    let mut alice = named(&mut server, "alice");
    alice.expect_line(
        "Welcome, alice: your first match here. Press l any time to see the leaderboard.",
    );
    server.press(b"r");
    alice.send(b"p");
    alice.expect_line("Play again? (y/n)");
    alice.send(b"n");
    alice.expect_closed();
    server.press(&[0x03]);
    server.expect("All runs recorded: 1 match, 0 won, 1 lost; 1 game, 0 won, 1 lost");
    assert_eq!(server.wait_exit(DEADLINE).code(), Some(0));

    let mut server = server_on(&db);
    server.expect_line(
        "All runs recorded: 1 match, 0 won, 1 lost; 1 game, 0 won, 1 lost, 0 tied (0.00%)",
    );
    let mut again = named(&mut server, "Alice");
    again.expect_line("Welcome back, Alice: 1 match, 1 won.");
    again.send(b"l");
    again.expect_line("Leaderboard (matches won, then share of games won):");
    let row = again.expect_rest_of_line("1  ");
    assert!(row.contains("alice") || row.contains("Alice"), "{row:?}");
    server.press(b"l");
    server.expect_line("Leaderboard (matches won, then share of games won):");
}

#[test]
fn no_records_writes_nothing_and_says_so() {
    let folder = TempFolder::new("records-none");
    let mut server = Server::launch(&["--no-records", "--best-of", "1", "--timeout", "60"])
        .env("XDG_DATA_HOME", &folder.0)
        .start();
    server.expect_line("No records kept (--no-records)");
    let mut guest = server.seat_guest();
    server.press(b"r");
    guest.send(b"s");
    guest.expect_line("Play again? (y/n)");
    guest.send(b"l");
    guest.expect_line("No records are kept on this server, so there is no leaderboard.");
    server.press(&[0x03]);
    assert_eq!(server.wait_exit(DEADLINE).code(), Some(0));
    let written: Vec<_> = std::fs::read_dir(&folder.0).unwrap().collect();
    assert!(written.is_empty(), "nothing stored: {written:?}");
}

#[test]
fn two_servers_on_one_file_both_record_and_stats_reads_while_they_run() {
    let folder = TempFolder::new("records-two");
    let db = folder.db();
    let mut first = server_on(&db);
    let mut second = server_on(&db);
    for (server, name) in [(&mut first, "ann"), (&mut second, "ben")] {
        let mut guest = named(server, name);
        server.press(b"r");
        guest.send(b"p");
        guest.expect_line("Play again? (y/n)");
    }
    let doc = await_stats(&db, &[], "two matches", |doc| {
        doc["matches"].as_array().is_some_and(|m| m.len() == 2)
    });
    let names: Vec<&str> = doc["leaderboard"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"ann") && names.contains(&"ben"), "{doc}");
}

#[test]
fn sigkill_mid_match_leaves_every_recorded_game_and_a_sound_file() {
    let folder = TempFolder::new("records-kill");
    let db = folder.db();
    let mut server = Server::launch(&["--db", arg(&db), "--best-of", "9", "--timeout", "60"])
        .names()
        .start();
    let mut guest = named(&mut server, "carl");
    for (host, visitor) in [(b"r", b"s"), (b"p", b"p"), (b"s", b"r")] {
        server.press(host);
        guest.send(visitor);
        guest.expect("Player 0: ");
    }
    await_stats(&db, &["carl"], "three games recorded", |doc| {
        doc["player"]["games"] == 3
    });
    server.signal(libc::SIGKILL);
    let _ = server.wait_exit(DEADLINE);

    let doc = stats_json(&db, &["carl"]);
    assert_eq!(doc["player"]["games"], 3, "{doc}");
    assert_eq!(doc["player"]["games_won"], 1, "{doc}");
    let last = &doc["matches"][0];
    assert_eq!(last["guest_name"], "carl");
    assert_eq!(
        last["ending"],
        Value::Null,
        "cut by the kill: no ending: {doc}"
    );
    for (field, count) in [("host_wins", 1), ("guest_wins", 1), ("ties", 1)] {
        assert_eq!(last[field], count, "{field}: {doc}");
    }

    // The file opens cleanly for a server too, which then records on.
    let mut server = server_on(&db);
    server.expect_line(
        "All runs recorded: 1 match, 0 won, 0 lost; 3 games, 1 won, 1 lost, 1 tied (50.00%)",
    );
}

#[test]
fn a_file_that_is_not_roshambos_is_one_line_and_status_1_and_left_as_it_was() {
    let folder = TempFolder::new("records-bad");
    let text = folder.0.join("notes.txt");
    let content = "my notes\n".repeat(100);
    std::fs::write(&text, &content).unwrap();
    let mut server = Server::launch(&["--db", arg(&text)]).stderr_apart().spawn();
    let status = server.wait_exit(DEADLINE);
    assert_eq!(status.code(), Some(1));
    let said = server.stderr();
    assert_eq!(said.lines().count(), 1, "{said:?}");
    assert!(said.contains(arg(&text)), "names the file: {said:?}");
    assert!(!server.transcript().contains("Listening"), "never served");
    assert_eq!(std::fs::read_to_string(&text).unwrap(), content);

    // A folder that cannot be made (a file stands in its way).
    let blocked = folder.0.join("file").join("roshambo.db");
    std::fs::write(folder.0.join("file"), "x").unwrap();
    let mut server = Server::launch(&["--db", arg(&blocked)])
        .stderr_apart()
        .spawn();
    assert_eq!(server.wait_exit(DEADLINE).code(), Some(1));
    let said = server.stderr();
    assert_eq!(said.lines().count(), 1, "{said:?}");
    assert!(said.contains(arg(&blocked)), "names the file: {said:?}");
}

#[test]
fn lizard_spock_games_are_recorded_too() {
    let folder = TempFolder::new("records-rpsls");
    let db = folder.db();
    let mut server = Server::launch(&["--db", arg(&db), "--game", "rpsls", "--timeout", "60"])
        .names()
        .start();
    let mut guest = named(&mut server, "dora");
    server.press(b"r");
    guest.send(b"k");
    guest.expect_line("Spock vaporizes rock.");
    let doc = await_stats(&db, &["dora"], "the game recorded", |doc| {
        doc["player"]["games"] == 1
    });
    assert_eq!(doc["player"]["games_won"], 1, "{doc}");
}
