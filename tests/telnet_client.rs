//! Real clients against the real server: inetutils `telnet` on a pty of its own (character
//! mode, no local echo) and OpenBSD `nc` (whole lines, and a hint for clients that never
//! negotiate). Skipped loudly when a client is missing, unless ROSHAMBO_REQUIRE_CLIENTS=1.

use roshambo_test_support::{require_client, Expect, Guest, Program, Server};
use std::process::Stdio;
use std::time::{Duration, Instant};

/// What the server tells a client that never answers telnet negotiation.
const NETCAT_HINT: &str = "Not a telnet client? Type r, p or s and press Enter to play.";

#[test]
fn inetutils_telnet_plays_in_character_mode_without_local_echo() {
    if !require_client("telnet") {
        return;
    }
    let mut server = Server::start(&[]);
    // A terminal without colour, so that the results read as the seed's words.
    let mut telnet = Program::telnet_on_pty(&["telnet"], "dumb", server.port());
    telnet.expect_line("Welcome to the game");
    server.expect("Player connected: 127.0.0.1:");

    server.press(b"p");
    // No Enter: in character mode the key goes out on its own.
    telnet.press(b"r");
    server.expect_line("Player 0: p, Player 1: r");
    let on_screen = telnet.expect_line("Player 0: p, Player 1: r");
    // Every line the server writes starts with a capital: an echo would start one.
    assert!(
        !on_screen.lines().any(|line| line.starts_with('r')),
        "the typed `r` is not echoed on the telnet user's screen; between the welcome \
         and the result it showed {on_screen:?}"
    );

    // Enter as inetutils spells it (CR NUL) is not a key; a wrong key is told.
    telnet.press(b"\r");
    telnet.press(b"x");
    telnet.expect_line("Invalid key");
    assert!(
        !server.transcript().contains("Invalid key"),
        "the guest's invalid key is theirs alone:\n{}",
        server.transcript()
    );
    assert!(
        !telnet.transcript().contains(NETCAT_HINT),
        "telnet negotiates, so it gets no netcat hint:\n{}",
        telnet.transcript()
    );
}

#[test]
fn netcat_plays_a_move_sent_as_a_line() {
    if !require_client("nc") {
        return;
    }
    let mut server = Server::start(&[]);
    let port = server.port().to_string();
    let mut nc = Program::piped("nc", &["127.0.0.1", &port], Stdio::piped());
    server.expect("Player connected: 127.0.0.1:");
    // After the raw negotiation bytes, which nc shows as they are.
    nc.expect("Welcome to the game");
    nc.press(b"r\n");
    server.press(b"s");
    server.expect_line("Player 0: s, Player 1: r");
    nc.expect_line("Player 0: s, Player 1: r");
    assert!(
        !nc.transcript().contains("Invalid key"),
        "the newline is no key:\n{}",
        nc.transcript()
    );
}

#[test]
fn netcat_gets_a_hint_after_two_silent_seconds() {
    if !require_client("nc") {
        return;
    }
    let server = Server::start(&[]);
    let port = server.port().to_string();
    let mut nc = Program::piped("nc", &["127.0.0.1", &port], Stdio::piped());
    // After the raw negotiation bytes, which nc shows as they are.
    nc.expect("Welcome to the game");
    // What a seated guest is told first: who they are, the keys, the prompt.
    nc.expect_line("Your move: r, p or s.");
    let welcomed = Instant::now();
    let line = nc.expect_line(NETCAT_HINT);
    let waited = welcomed.elapsed();
    assert!(line.trim().is_empty(), "nothing else came first: {line:?}");
    assert!(
        waited >= Duration::from_millis(1500),
        "the hint waits for ~2 s of silence, not {waited:?}"
    );
    assert!(
        NETCAT_HINT.contains("Type r, p or s and press Enter"),
        "the hint says how to play"
    );
    // The hint is for the guest only.
    assert!(!server.transcript().contains("Not a telnet client"));
}

#[test]
fn a_client_that_negotiates_gets_no_hint() {
    let mut server = Server::start(&[]);
    let mut guest: Guest = server.seat_guest();
    guest.expect_absent("Not a telnet client", Duration::from_millis(2800));
}
