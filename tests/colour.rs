//! Colour: the host's console shows the results in colour on a terminal unless NO_COLOR
//! says not to (and on a pipe only if CLICOLOR_FORCE says to); a guest sees colour when
//! their client reports a terminal type known to show it, never netcat, `dumb` or an
//! unknown type, and `c` turns it on and off. Colour never goes inside a seed line's
//! words. The real binary on a pty, with guests on loopback.

use roshambo_test_support::{require_client, Expect, Guest, Program, Server};
use std::process::Stdio;

/// The escape that starts every colour.
const ESC: char = '\u{1b}';

/// `text` with its ANSI escape sequences taken out, as a terminal without colour shows
/// it.
fn strip(text: &str) -> String {
    anstream::adapter::strip_str(text).to_string()
}

/// One game the host wins, then one the guest wins, seen from the console.
#[track_caller]
fn two_games(server: &mut Server) -> Guest {
    let mut guest = server.seat_guest();
    server.press(b"r");
    guest.send(b"s");
    server.expect("Player 0 wins!");
    server.expect_line("Overall: 100.00%");
    server.press(b"r");
    guest.send(b"p");
    server.expect("Player 1 wins!");
    server.expect_line("Overall: 50.00%");
    guest
}

#[test]
fn the_console_shows_results_in_colour_on_a_terminal_around_the_seeds_words() {
    let mut server = Server::launch(&["--timeout", "60"])
        .env("NO_COLOR", "")
        .env("TERM", "xterm")
        .start();
    two_games(&mut server);
    let shown = server.transcript();
    let won = shown
        .lines()
        .find(|l| l.contains("Player 0 wins!"))
        .expect("the host's win");
    let lost = shown
        .lines()
        .find(|l| l.contains("Player 1 wins!"))
        .expect("the host's loss");
    assert!(won.starts_with(ESC), "a win in colour: {won:?}");
    assert!(lost.starts_with(ESC), "a loss in colour: {lost:?}");
    assert_ne!(
        won.split("Player").next(),
        lost.split("Player").next(),
        "a win and a loss in different colours"
    );
    // Only whole result lines are coloured, and stripped of it they are the seed's.
    for line in shown.lines().filter(|l| l.contains(ESC)) {
        let plain = strip(line);
        assert!(
            ["Player 0 wins!", "Player 1 wins!"].contains(&plain.trim_end()),
            "{line:?}"
        );
    }
}

#[test]
fn no_color_or_a_pipe_keeps_the_console_plain_and_clicolor_force_colours_a_pipe() {
    // The harness sets NO_COLOR=1; TERM says the terminal could show colour.
    let mut server = Server::launch(&["--timeout", "60"])
        .env("TERM", "xterm")
        .start();
    two_games(&mut server);
    assert!(
        !server.transcript().contains(ESC),
        "NO_COLOR: no escapes:\n{}",
        server.transcript()
    );

    let mut piped = Server::launch(&["--timeout", "60"])
        .env("NO_COLOR", "")
        .piped(Stdio::piped())
        .start();
    two_games(&mut piped);
    assert!(
        !piped.transcript().contains(ESC),
        "a pipe is no terminal: no escapes"
    );

    let mut forced = Server::launch(&["--timeout", "60"])
        .env("NO_COLOR", "")
        .env("CLICOLOR_FORCE", "1")
        .piped(Stdio::piped())
        .start();
    two_games(&mut forced);
    assert!(
        forced.transcript().contains(ESC),
        "CLICOLOR_FORCE colours even a pipe"
    );
}

/// The line of `text` that holds `words`.
fn line_with<'a>(text: &'a str, words: &str) -> &'a str {
    text.lines()
        .find(|l| l.contains(words))
        .unwrap_or_else(|| panic!("no line holds {words:?}:\n{text:?}"))
}

/// A game the guest wins then one they lose; returns the guest's result lines as sent.
#[track_caller]
fn guest_sees(server: &mut Server, guest: &mut Guest) -> [String; 2] {
    server.press(b"r");
    guest.send(b"p");
    guest.expect("Player 1 wins!");
    guest.expect_line("You 1, host 0");
    server.press(b"r");
    guest.send(b"s");
    guest.expect("Player 0 wins!");
    guest.expect_line("You 1, host 1");
    let shown = guest.transcript();
    [
        line_with(&shown, "Player 1 wins!").to_string(),
        line_with(&shown, "Player 0 wins!").to_string(),
    ]
}

#[test]
fn a_guest_whose_terminal_shows_colour_sees_their_win_and_loss_in_colour_and_c_turns_it_off() {
    // With names, the guest is seated once their client has told the server what it is:
    // it answers the terminal type first.
    let mut server = Server::launch(&["--timeout", "60"]).names().start();
    let mut guest = Guest::connect_with_terminal(server.port(), "XTERM");
    guest.expect("What is your name? ");
    guest.send(b"zoe\r\n");
    server.expect_line("Player connected: zoe");
    let [won, lost] = guest_sees(&mut server, &mut guest);
    assert!(
        won.starts_with(ESC) && lost.starts_with(ESC),
        "{won:?} {lost:?}"
    );
    assert_ne!(won.split("Player").next(), lost.split("Player").next());
    assert_eq!(strip(&won).trim_end(), "Player 1 wins!");
    // The seed's other lines stay plain.
    assert!(!line_with(&guest.transcript(), "Wins: 0 - 1").contains(ESC));

    guest.send(b"c");
    guest.expect("Colour off (c turns it on).");
    server.press(b"r");
    guest.send(b"p");
    let after = guest.expect_line("Player 1 wins!");
    assert!(!after.contains(ESC), "{after:?}");
    guest.send(b"c");
    guest.expect("Colour on (c turns it off).");
}

#[test]
fn a_dumb_terminal_and_netcat_see_no_colour() {
    let mut server = Server::start(&["--timeout", "60"]);
    let mut dumb = server.seat_guest();
    let [won, lost] = guest_sees(&mut server, &mut dumb);
    assert!(
        !won.contains(ESC) && !lost.contains(ESC),
        "{won:?} {lost:?}"
    );
    dumb.close();
    dumb.expect_closed();
    server.expect_line("Opponent disconnected.");

    let mut netcat = Guest::connect_raw(server.port());
    server.expect_line(&format!("Player connected: {}", netcat.local_addr()));
    server.press(b"r");
    netcat.send(b"p\n");
    netcat.expect_line("Player 1 wins!");
    assert!(!netcat.transcript().contains(ESC));
}

#[test]
fn real_telnet_shows_colour_for_term_xterm_and_none_for_term_dumb() {
    if !require_client("telnet") {
        return;
    }
    let mut server = Server::launch(&["--timeout", "60"]).names().start();
    for (term, colour) in [("xterm", true), ("dumb", false)] {
        let client = ["telnet", "-l", term];
        let mut telnet = Program::telnet_on_pty(&client, term, server.port());
        telnet.expect_line("Welcome to the game");
        server.expect_line(&format!("Player connected: {term}"));
        server.press(b"r");
        telnet.press(b"p");
        telnet.expect("Player 1 wins!");
        telnet.expect_line("You 1, host 0");
        let won = line_with(&telnet.transcript(), "Player 1 wins!").to_string();
        assert_eq!(won.contains(ESC), colour, "TERM={term}: {won:?}");
        telnet.press(&[0x03]);
        server.expect_line("Opponent disconnected.");
    }
}
