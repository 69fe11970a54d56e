//! Colour: the host's console shows the results in colour on a terminal unless NO_COLOR
//! says not to (and on a pipe only if CLICOLOR_FORCE says to); a guest sees colour when
//! their client reports a terminal type known to show it, never netcat, `dumb` or an
//! unknown type, and `c` turns it on and off. Colour never goes inside a seed line's
//! words. The real binary on a pty, with guests on loopback.

use roshambo_test_support::{Expect, Guest, Server};
use std::process::Stdio;

/// The escape that starts every colour.
const ESC: char = '\u{1b}';

/// `text` with its ANSI escape sequences taken out.
fn strip(text: &str) -> String {
    let mut plain = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == ESC {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            plain.push(c);
        }
    }
    plain
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
