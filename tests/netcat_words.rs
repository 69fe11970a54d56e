//! Words in line mode: a client that never speaks telnet (OpenBSD `nc`, on a terminal or
//! on pipes, and raw sockets that behave as it does) plays by lines, `paper` and Enter is
//! paper, and a line that is no move is one `Invalid key`; a client that negotiates
//! still plays key by key, with no Enter. The real binary on a pty. Skipped loudly when
//! `nc` is missing, unless ROSHAMBO_REQUIRE_CLIENTS=1.

use roshambo_test_support::{require_client, Expect, Guest, Program, Server};
use std::process::Stdio;
use std::time::Duration;

/// How long a test watches for something that must not come: a line without Enter, or
/// a key that must draw nothing. The server answers a key in milliseconds.
const QUIET: Duration = Duration::from_millis(300);

/// The server for a test that types lines faster than a person could: with no key rate,
/// which judges every key typed, a line's letters and spaces too (that is tested in
/// tests/misbehaving_guests.rs).
fn fast_typing_server() -> Server {
    Server::start(&["--timeout", "60", "--max-key-rate", "0"])
}

/// `nc` connected to `server` on pipes (its stdin is the test's), once it is seated.
#[track_caller]
fn seated_netcat(server: &mut Server) -> Program {
    let port = server.port().to_string();
    let mut nc = Program::piped("nc", &["127.0.0.1", &port], Stdio::piped());
    server.expect("Player connected: 127.0.0.1:");
    // After the raw negotiation bytes, which nc shows as they are.
    nc.expect("Welcome to the game");
    nc
}

/// A guest that never negotiates, as netcat, once it is seated.
#[track_caller]
fn seated_raw_guest(server: &mut Server) -> Guest {
    let mut guest = Guest::connect_raw(server.port());
    server.expect_line(&format!("Player connected: {}", guest.local_addr()));
    guest.expect_line("Welcome to the game");
    guest
}

/// How many `Invalid key` lines `text` holds.
fn invalid_keys(text: &str) -> usize {
    text.matches("Invalid key").count()
}

#[test]
fn netcat_on_a_terminal_plays_the_word_paper_as_paper() {
    if !require_client("nc") {
        return;
    }
    let mut server = Server::start(&["--timeout", "60"]);
    let port = server.port().to_string();
    // On a terminal, as a person runs it: the terminal edits the line (the typo is taken
    // back with Backspace there) and nc sends it whole on Enter.
    let mut nc = Program::on_pty("nc", &["127.0.0.1", &port]);
    server.expect("Player connected: 127.0.0.1:");
    nc.expect("Welcome to the game");

    nc.press(b"papx\x7fer\r");
    // The whole line was taken before the host moves: the guest's move is paper.
    nc.expect_line("You chose paper.");
    server.press(b"r");
    server.expect_line("Player 0: r, Player 1: p");
    nc.expect_line("Player 0: r, Player 1: p");
    nc.expect_line("Player 1 wins!");
    let said = nc.transcript();
    assert_eq!(invalid_keys(&said), 0, "a word is no invalid key:\n{said}");
    assert!(
        !said.contains("You chose rock"),
        "the word's last letter is no move of its own:\n{said}"
    );
}

#[test]
fn netcat_plays_rock_in_capitals_and_scissors_with_spaces_around() {
    if !require_client("nc") {
        return;
    }
    let mut server = fast_typing_server();
    let mut nc = seated_netcat(&mut server);

    let games: [(&[u8], &str, char, char); 3] = [
        (b"ROCK\n", "You chose rock.", 's', 'r'),
        (b"  scissors  \n", "You chose scissors.", 'p', 's'),
        (b"Paper\r\n", "You chose paper.", 'p', 'p'),
    ];
    for (line, chose, host, visitor) in games {
        nc.press(line);
        nc.expect_line(chose);
        server.press(&[host as u8]);
        let result = format!("Player 0: {host}, Player 1: {visitor}");
        server.expect_line(&result);
        nc.expect_line(&result);
    }
    assert_eq!(invalid_keys(&nc.transcript()), 0, "{}", nc.transcript());
    assert_eq!(
        invalid_keys(&server.transcript()),
        0,
        "{}",
        server.transcript()
    );
}

#[test]
fn a_line_that_is_no_move_is_one_invalid_key_and_an_empty_one_is_nothing() {
    if !require_client("nc") {
        return;
    }
    let mut server = fast_typing_server();
    let mut nc = seated_netcat(&mut server);

    nc.press(b"banana\n");
    nc.expect_line("Invalid key");
    // A word too many, a letter too many, an empty line, a line of spaces.
    nc.press(b"rock paper\npaperr\n\n   \n");
    // A move after them: everything before it has been answered once it is.
    nc.press(b"s\n");
    nc.expect_line("You chose scissors.");
    let said = nc.transcript();
    assert_eq!(
        invalid_keys(&said),
        3,
        "one Invalid key per line that is no move, none for an empty line:\n{said}"
    );
    server.press(b"r");
    server.expect_line("Player 0: r, Player 1: s");
    assert_eq!(
        invalid_keys(&server.transcript()),
        0,
        "the guest's invalid lines are theirs alone:\n{}",
        server.transcript()
    );
}

#[test]
fn netcat_gets_the_help_from_a_question_mark_line_or_the_word_help() {
    if !require_client("nc") {
        return;
    }
    let mut server = Server::start(&["--timeout", "60"]);
    let mut nc = seated_netcat(&mut server);
    for line in [&b"?\n"[..], b"help\n"] {
        nc.press(line);
        nc.expect_line("Scissors cut paper, paper covers rock, rock crushes scissors.");
    }
    assert_eq!(invalid_keys(&nc.transcript()), 0, "{}", nc.transcript());
}

#[test]
fn a_line_is_heard_only_at_enter_however_its_bytes_arrive() {
    let mut server = Server::start(&["--timeout", "60"]);
    let mut guest = seated_raw_guest(&mut server);

    // Half a word draws nothing, not even an Invalid key: the line is not over.
    guest.send(b"sci");
    guest.expect_absent("You chose", QUIET);
    assert_eq!(
        invalid_keys(&guest.transcript()),
        0,
        "{}",
        guest.transcript()
    );
    guest.send(b"ssors\r");
    guest.expect_line("You chose scissors.");
    // The LF of that CR LF, sent apart, is no empty line and no key.
    guest.send(b"\n");
    server.press(b"p");
    server.expect_line("Player 0: p, Player 1: s");
    guest.expect_line("Player 0: p, Player 1: s");
    assert_eq!(
        invalid_keys(&guest.transcript()),
        0,
        "{}",
        guest.transcript()
    );
}

#[test]
fn a_telnet_client_still_plays_key_by_key_with_no_enter() {
    let mut server = Server::start(&["--timeout", "60"]);
    let mut guest = server.seat_guest();

    // One key, no Enter: a move at once.
    guest.send(b"p");
    guest.expect_line("You chose paper.");
    // A wrong key is told at once too, with no Enter either.
    guest.send(b"x");
    guest.expect_line("Invalid key");
    // In character mode a word is its keys: `roof` is rock, then three wrong keys.
    guest.send(b"roof");
    guest.expect_line("You chose rock.");
    for _ in 0..3 {
        guest.expect_line("Invalid key");
    }
    server.press(b"s");
    server.expect_line("Player 0: s, Player 1: r");
    guest.expect_line("Player 0: s, Player 1: r");
}
