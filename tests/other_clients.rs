//! Real clients other than inetutils telnet: `busybox telnet` on a pty of its own, and
//! OpenBSD `nc` (line by line, never negotiating) waiting in line. inetutils telnet and
//! netcat's first game and hint are in tests/telnet_client.rs. Skipped loudly when a
//! client is missing, unless ROSHAMBO_REQUIRE_CLIENTS=1.

use roshambo_test_support::{require_client, Expect, Program, Server, DEADLINE};
use std::process::Stdio;

/// What the server tells a client that never answers telnet negotiation.
const NETCAT_HINT: &str = "Not a telnet client? Type r, p or s and press Enter to play.";

/// busybox telnet's escape key, Ctrl-]: it then reads one command key (`e`: exit).
const ESCAPE: u8 = 0x1d;

fn busybox_telnet(port: u16) -> Program {
    // A terminal without colour, so that the results read as the seed's words.
    Program::telnet_on_pty(&["busybox", "telnet"], "dumb", port)
}

#[test]
fn busybox_telnet_plays_in_character_mode_and_leaves_with_ctrl_c() {
    if !require_client("busybox") {
        return;
    }
    let mut server = Server::start(&["--timeout", "60"]);
    let mut telnet = busybox_telnet(server.port());
    telnet.expect_line("Welcome to the game");
    server.expect("Player connected: 127.0.0.1:");

    server.press(b"r");
    // No Enter: in character mode the key goes out on its own.
    telnet.press(b"p");
    for line in ["Player 0: r, Player 1: p", "Player 1 wins!", "Wins: 0 - 1"] {
        server.expect_line(line);
        let on_screen = telnet.expect_line(line);
        // Every line the server writes starts with a capital: an echo would start one.
        assert!(
            !on_screen.lines().any(|line| line.starts_with('p')),
            "the typed `p` is not echoed on the busybox user's screen: {on_screen:?}"
        );
    }
    let overall = server.expect_rest_of_line("Overall:");
    assert_eq!(overall.trim(), "0.00%", "the host's average after a loss");

    // Enter as busybox spells it (CR LF) is no key; a wrong key is told, to them alone.
    telnet.press(b"\r");
    telnet.press(b"x");
    let said = telnet.expect_line("Invalid key");
    assert!(
        !said.contains("Invalid key"),
        "Enter was taken for a key: {said:?}"
    );
    telnet.press(b"s");
    server.press(b"s");
    server.expect_line("Player 0: s, Player 1: s");
    telnet.expect_line("Player 0: s, Player 1: s");

    // busybox answers the negotiation: no netcat hint, however long it waits.
    telnet.expect_absent(
        "Not a telnet client",
        std::time::Duration::from_millis(2500),
    );

    // Ctrl-C is sent as 0x03, which ends the guest's match; the server hangs up and
    // busybox exits.
    telnet.press(&[0x03]);
    server.expect_line("Opponent disconnected.");
    telnet.wait_exit(DEADLINE);
    assert!(
        !server.transcript().contains("Invalid key"),
        "the guest's keys are theirs alone:\n{}",
        server.transcript()
    );
}

#[test]
fn busybox_telnet_watches_from_the_line_and_leaves_it_by_its_escape() {
    if !require_client("busybox") {
        return;
    }
    let mut server = Server::start(&["--timeout", "60"]);
    let mut playing = server.seat_guest();
    let mut telnet = busybox_telnet(server.port());
    telnet.expect_line("You are number 1 in line");
    server.expect("(number 1 in line)");
    let mut behind = server.guest();
    behind.expect_line("You are number 2 in line");

    server.press(b"s");
    playing.send(b"p");
    telnet.expect_line("Player 0: s, Player 1: p");
    telnet.expect_line("Player 0 wins!");
    // A key from the line gets the place again.
    telnet.press(b"r");
    telnet.expect_line("You are number 1 in line");

    // Ctrl-] e: busybox exits and hangs up; the guest behind moves up.
    telnet.press(&[ESCAPE]);
    telnet.expect("exit telnet");
    telnet.press(b"e");
    telnet.wait_exit(DEADLINE);
    behind.expect_line("You are number 1 in line");
}

#[test]
fn netcat_waits_in_line_with_a_hint_and_plays_when_its_turn_comes() {
    if !require_client("nc") {
        return;
    }
    let mut server = Server::start(&["--timeout", "60"]);
    let mut playing = server.seat_guest();
    let port = server.port().to_string();
    let mut nc = Program::piped("nc", &["127.0.0.1", &port], Stdio::piped());
    nc.expect_line("You are number 1 in line");
    server.expect("(number 1 in line)");
    // Waiting guests are hinted too: they need to know how to play when their turn comes.
    nc.expect_line(NETCAT_HINT);

    // A key sent as a line gets the place; the newline is no key.
    nc.press(b"x\n");
    let said = nc.expect_line("You are number 1 in line");
    assert!(!said.contains("Invalid key"), "{said:?}");

    server.press(b"r");
    playing.send(b"s");
    nc.expect_line("Player 0: r, Player 1: s");

    // The player leaves: netcat plays at once.
    playing.reset();
    server.expect_line("Opponent disconnected.");
    server.expect("Player connected: 127.0.0.1:");
    nc.expect_line("Welcome to the game");
    nc.press(b"p\n");
    server.press(b"r");
    server.expect_line("Player 0: r, Player 1: p");
    nc.expect_line("Player 0: r, Player 1: p");
    nc.expect_line("Player 1 wins!");

    // Ctrl-C on netcat ends it: its connection closes, and the host is told.
    nc.signal(libc::SIGINT);
    server.expect_line("Opponent disconnected.");
    nc.wait_exit(DEADLINE);
    assert!(
        !nc.transcript().contains("Invalid key"),
        "no newline was taken for a key:\n{}",
        nc.transcript()
    );
}
