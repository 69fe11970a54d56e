//! The line of waiting guests, and who gets in at all: places told on arrival and
//! whenever the line moves, the games watched from the line, every way of leaving it,
//! the next guest seated the moment a match ends, and `--max-guests` / `--max-per-ip`
//! turning the next connection away. The real binary on a pty, guests on real sockets.

use roshambo_test_support::{connect_from, Expect, Guest, Server, DEADLINE};
use std::io::{self, Read, Write};
use std::net::{Ipv4Addr, TcpStream};
use std::time::{Duration, Instant};

/// Connects a guest who goes to the back of the line at `place`, and checks that both
/// the guest and the host were told so.
#[track_caller]
fn join_line(server: &mut Server, place: usize) -> Guest {
    let mut guest = server.guest();
    server.expect_line(&format!(
        "Guest waiting: {} (number {place} in line)",
        guest.local_addr()
    ));
    guest.expect_line("Welcome! A match is in progress; you play next when your turn comes.");
    guest.expect_line(&format!("You are number {place} in line"));
    guest
}

/// How often `text` occurs in `haystack`.
fn count(haystack: &str, text: &str) -> usize {
    haystack.matches(text).count()
}

#[test]
fn waiting_guests_are_told_their_place_and_watch_the_games() {
    let mut server = Server::start(&["--max-per-ip", "8", "--timeout", "60"]);
    let mut playing = server.seat_guest();
    let mut line: Vec<Guest> = (1..=3).map(|place| join_line(&mut server, place)).collect();

    server.play(&mut playing, 'r', 's');
    server.expect_line("Overall: 100.00%");
    for (i, watcher) in line.iter_mut().enumerate() {
        for result in ["Player 0: r, Player 1: s", "Player 0 wins!", "Wins: 1 - 0"] {
            watcher.expect_line(result);
        }
        // A key from the line is no move: it gets the guest's place again.
        watcher.send(b"p");
        let said = watcher.expect_line(&format!("You are number {} in line", i + 1));
        assert!(
            !said.contains("Invalid key") && !said.contains("Overall"),
            "guest {} in line was told {said:?}",
            i + 1
        );
    }

    // A tie is watched too, and the host's own lines stay the host's.
    server.play(&mut playing, 'p', 'p');
    for watcher in &mut line {
        watcher.expect_line("Player 0: p, Player 1: p");
    }
    server.play(&mut playing, 's', 'r');
    server.expect_line("Overall: 50.00%");
    for watcher in &mut line {
        watcher.expect_line("Player 1 wins!");
        watcher.expect_line("Wins: 1 - 1");
        assert!(
            !watcher.transcript().contains("Overall"),
            "the overall line is the host's alone:\n{}",
            watcher.transcript()
        );
    }
    assert_eq!(
        count(&server.transcript(), "Guest waiting:"),
        3,
        "the host is told once per arrival:\n{}",
        server.transcript()
    );
}

#[test]
fn a_word_typed_in_line_from_netcat_gets_the_place_once() {
    let mut server = Server::start(&["--timeout", "60"]);
    let _playing = server.seat_guest();
    // A client that never negotiates: it plays by lines, as netcat does.
    let mut waiting = Guest::connect_raw(server.port());
    server.expect_line(&format!(
        "Guest waiting: {} (number 1 in line)",
        waiting.local_addr()
    ));
    waiting.expect_line("You are number 1 in line");

    // A word is one key, and no move from the line: the place again, once.
    waiting.send(b"scissors\n");
    waiting.expect_line("You are number 1 in line");
    waiting.expect_absent("in line", Duration::from_millis(300));
    let said = waiting.transcript();
    assert_eq!(count(&said, "You are number 1 in line"), 2, "{said}");
    assert_eq!(count(&said, "Invalid key"), 0, "{said}");
}

/// The ways a waiting guest can leave, and what each one sends.
#[derive(Clone, Copy, Debug)]
enum Leaving {
    /// FIN: the client hangs up.
    Fin,
    /// RST: the client's connection is reset.
    Rst,
    /// Bytes the client types: Ctrl-C, Ctrl-D, IAC IP, IAC EOF.
    Typed(&'static [u8]),
}

#[test]
fn a_guest_leaving_from_the_middle_closes_up_the_line_every_way_of_leaving() {
    let ways = [
        Leaving::Fin,
        Leaving::Rst,
        Leaving::Typed(b"\x03"),
        Leaving::Typed(b"\x04"),
        Leaving::Typed(b"\xff\xf4"),
        Leaving::Typed(b"\xff\xec"),
    ];
    let mut server = Server::start(&["--max-per-ip", "16", "--timeout", "60"]);
    let _playing = server.seat_guest();
    let mut front = join_line(&mut server, 1);
    // The line grows by one on every round: `stayer` stays, the middle guest leaves.
    let mut stayers: Vec<Guest> = Vec::new();
    for way in ways {
        let length = 1 + stayers.len();
        let leaver = join_line(&mut server, length + 1);
        let mut behind = join_line(&mut server, length + 2);
        match way {
            Leaving::Fin => {
                let mut leaver = leaver;
                leaver.close();
                // The server hangs up in turn once it has taken the guest out of line.
                leaver.expect_closed();
            }
            Leaving::Rst => leaver.reset(),
            Leaving::Typed(bytes) => {
                let mut leaver = leaver;
                leaver.send(bytes);
                let ended = leaver.expect_disconnected();
                assert!(
                    !leaver.transcript().contains("Invalid key"),
                    "{way:?}: leaving is not a key; the guest got {:?} then was {ended}",
                    leaver.transcript()
                );
            }
        }
        let told = behind.expect_line(&format!("You are number {} in line", length + 1));
        assert!(
            !told.contains("in line"),
            "{way:?}: one new place, not several: {told:?}"
        );
        stayers.push(behind);
    }
    // Those in front of every leaver were never told anything new: one place line each.
    front.send(b"x");
    front.expect_line("You are number 1 in line");
    assert_eq!(
        count(&front.transcript(), "in line"),
        2,
        "the front guest's places:\n{}",
        front.transcript()
    );
    for (i, stayer) in stayers.iter_mut().enumerate() {
        stayer.send(b"x");
        stayer.expect_line(&format!("You are number {} in line", i + 2));
    }
    // Nobody who left is counted: the playing guest is still the only one seated, and
    // the host never saw anyone else connect.
    assert_eq!(
        count(&server.transcript(), "Player connected:"),
        1,
        "{}",
        server.transcript()
    );
}

#[test]
fn when_a_match_ends_the_next_in_line_plays_at_once_however_it_ended() {
    // best of 1: one won game ends a match. The clock is short enough to watch a
    // time-out, and long enough for the set-up before it.
    let mut server = Server::start(&[
        "--best-of",
        "1",
        "--timeout",
        "3",
        "--countdown",
        "0",
        "--max-per-ip",
        "8",
    ]);
    let mut first = server.seat_guest();
    let mut second = join_line(&mut server, 1);
    let mut third = join_line(&mut server, 2);
    let mut fourth = join_line(&mut server, 3);

    // A tie first, so that the line has games not yet sent to it (held up to 100 ms)
    // when the match ends.
    server.play(&mut first, 'p', 'p');
    // Won: the next in line is welcomed at once, not after the winner's connection
    // winds down (it lingers up to 2 s for the guest to hang up).
    server.press(b"r");
    let won_at = Instant::now();
    first.send(b"s");
    first.expect_line("Thank you for playing!");
    second.expect_line("Welcome to the game");
    let waited = won_at.elapsed();
    server.expect_line("Thank you for playing!");
    server.expect_line(&format!("Player connected: {}", second.local_addr()));
    assert!(
        waited < Duration::from_millis(1500),
        "the next guest was seated {waited:?} after the match was won"
    );
    first.expect_closed();
    third.expect_line("You are number 1 in line");
    fourth.expect_line("You are number 2 in line");

    // Timed out: the second guest says nothing.
    second.expect_line("Timed out. Good-bye");
    // Moved up from the line, the second guest heard every game as a watcher, once
    // each and in order, before being welcomed; and nothing twice since.
    let heard = second.transcript();
    let story = [
        "You are number 1 in line",
        "Player 0: p, Player 1: p",
        "Player 0: r, Player 1: s",
        "Player 0 wins!",
        "Wins: 1 - 0",
        "Welcome to the game",
        "Timed out. Good-bye",
    ];
    for line in story {
        assert_eq!(count(&heard, line), 1, "{line:?} once in:\n{heard}");
    }
    let at: Vec<usize> = story.iter().map(|line| heard.find(line).unwrap()).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "out of order:\n{heard}");
    server.expect_line("Timed out. Good-bye");
    third.expect_line("Welcome to the game");
    server.expect_line(&format!("Player connected: {}", third.local_addr()));
    second.expect_closed();
    fourth.expect_line("You are number 1 in line");

    // The guest left: the host is told, and the last one in line plays.
    third.reset();
    server.expect_line("Opponent disconnected.");
    server.expect_line(&format!("Player connected: {}", fourth.local_addr()));
    fourth.expect_line("Welcome to the game");
    server.play(&mut fourth, 'p', 's');
    fourth.expect_line("Player 1 wins!");
    server.expect_line("Player 1 wins!");
}

// ---------------------------------------------------------------------------------------
// Limits.

/// Reads `stream` until `text` has arrived; returns everything read (telnet commands
/// and all). Fails at the deadline or if the connection ends first.
#[track_caller]
fn read_until(stream: &mut TcpStream, text: &str) -> String {
    let deadline = Instant::now() + DEADLINE;
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let seen = String::from_utf8_lossy(&got).into_owned();
        if seen.contains(text) {
            return seen;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        assert!(!left.is_zero(), "no {text:?} in time; got {seen:?}");
        stream.set_read_timeout(Some(left)).unwrap();
        match stream.read(&mut buf) {
            Ok(0) => panic!("the connection ended before {text:?}; got {seen:?}"),
            Ok(n) => got.extend_from_slice(&buf[..n]),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
            Err(e) => panic!("read failed before {text:?}: {e}; got {seen:?}"),
        }
    }
}

/// Checks that a turned-away guest got exactly one line, holding `reason`, and then
/// the end of the connection.
#[track_caller]
fn assert_turned_away(guest: &mut Guest, reason: &str) {
    guest.expect(reason);
    let ended = guest.expect_disconnected();
    let said = guest.transcript();
    assert_eq!(
        said.lines().count(),
        1,
        "one line, then {ended}; got {said:?}"
    );
    assert!(said.ends_with("\r\n"), "a whole line: {said:?}");
    assert!(
        !said.contains("Welcome") && !said.contains("in line"),
        "turned away, not let in: {said:?}"
    );
}

#[test]
fn a_full_server_turns_the_next_guest_away_until_someone_leaves() {
    // Three guests at once, the playing one included.
    let mut server = Server::start(&["--max-guests", "3", "--max-per-ip", "8", "--timeout", "60"]);
    let mut playing = server.seat_guest();
    let mut second = join_line(&mut server, 1);
    let mut third = join_line(&mut server, 2);

    let mut turned_away = server.guest();
    assert_turned_away(&mut turned_away, "full");
    let mut again = server.guest();
    assert_turned_away(&mut again, "full");

    // The front of the line leaves; the line closing up shows the server counted it.
    second.close();
    third.expect_line("You are number 1 in line");
    let _fourth = join_line(&mut server, 2);
    let mut refused = server.guest();
    assert_turned_away(&mut refused, "full");

    // Refusals cost the match nothing.
    server.play(&mut playing, 's', 'p');
    assert!(
        !server
            .transcript()
            .contains(&turned_away.local_addr().to_string()),
        "the host never hears of a guest who was turned away:\n{}",
        server.transcript()
    );
}

#[test]
fn too_many_connections_from_one_address_are_turned_away_but_not_others() {
    let mut server = Server::start(&["--max-per-ip", "2", "--timeout", "60"]);
    let mut playing = server.seat_guest();
    let mut second = join_line(&mut server, 1);

    let mut refused = server.guest();
    assert_turned_away(&mut refused, "too many connections from your address");

    // Another address is a different guest.
    let elsewhere_ip = Ipv4Addr::new(127, 0, 0, 2);
    let mut elsewhere = connect_from(elsewhere_ip, server.port()).expect("connect from 127.0.0.2");
    read_until(&mut elsewhere, "You are number 2 in line");
    server.expect_line(&format!(
        "Guest waiting: {} (number 2 in line)",
        elsewhere.local_addr().unwrap()
    ));

    // When one of the two from 127.0.0.1 leaves, 127.0.0.1 may come in again.
    second.close();
    second.expect_closed();
    let mut back = server.guest();
    back.expect_line("You are number 2 in line");
    server.expect_line(&format!(
        "Guest waiting: {} (number 2 in line)",
        back.local_addr()
    ));
    let mut over = server.guest();
    assert_turned_away(&mut over, "too many connections from your address");

    server.play(&mut playing, 'r', 'r');
    // A line, as netcat sends it: this client never negotiates, so it plays by lines.
    elsewhere.write_all(b"x\n").unwrap();
    read_until(&mut elsewhere, "Player 0: r, Player 1: r");
}
