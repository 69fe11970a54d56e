//! The host's console: cbreak while running, the terminal given back exactly on every
//! way out (Ctrl-C, SIGTERM, SIGHUP, SIGQUIT, Ctrl-D, a panic), guests told good-bye,
//! and a console that is a pipe or /dev/null. The real binary on a real pty.

use roshambo_test_support::{Ended, Expect, Guest, Server, DEADLINE};
use std::process::Stdio;
use std::time::{Duration, Instant};
use termios::{ECHO, ICANON, ISIG, VMIN, VTIME};

/// How soon the server must be gone after being asked to stop: its good-byes wait at
/// most half a second for slow guests.
const PROMPTLY: Duration = Duration::from_secs(3);

const CTRL_C: u8 = 0x03;
const CTRL_D: u8 = 0x04;
const CTRL_BACKSLASH: u8 = 0x1c;

/// Stops a server with a seated guest by `stop`, then checks the exit status, the
/// terminal and the guest's good-bye.
fn stops_cleanly(stop: impl FnOnce(&mut Server), expected_code: i32) {
    let mut server = Server::start(&[]);
    let mut guest = server.seat_guest();
    let asked = Instant::now();
    stop(&mut server);
    let status = server.wait_exit(PROMPTLY);
    assert_eq!(
        status.code(),
        Some(expected_code),
        "exit status {status} after {:?}",
        asked.elapsed()
    );
    assert_eq!(
        server.termios_now(),
        server.termios_before(),
        "the terminal settings are given back exactly"
    );
    server.expect_line("Server shutting down. Good-bye");
    guest.expect_line("Server shutting down. Good-bye");
    guest.expect_closed();
}

#[test]
fn ctrl_c_stops_the_server_with_status_0_and_restores_the_terminal() {
    stops_cleanly(|server| server.press(&[CTRL_C]), 0);
}

#[test]
fn sigterm_stops_the_server_with_status_0_and_restores_the_terminal() {
    stops_cleanly(|server| server.signal(libc::SIGTERM), 0);
}

#[test]
fn sighup_stops_the_server_with_status_0_and_restores_the_terminal() {
    stops_cleanly(|server| server.signal(libc::SIGHUP), 0);
}

#[test]
fn ctrl_backslash_quits_with_status_131_and_restores_the_terminal() {
    stops_cleanly(
        |server| server.press(&[CTRL_BACKSLASH]),
        128 + libc::SIGQUIT,
    );
}

#[test]
fn ctrl_d_on_the_console_makes_the_host_leave_with_status_0() {
    stops_cleanly(|server| server.press(&[CTRL_D]), 0);
}

#[test]
fn ctrl_c_with_no_guest_stops_at_once() {
    let mut server = Server::start(&[]);
    server.press(&[CTRL_C]);
    assert_eq!(server.wait_exit(PROMPTLY).code(), Some(0));
    assert_eq!(server.termios_now(), server.termios_before());
}

#[test]
fn while_running_the_console_is_in_cbreak_mode() {
    let mut server = Server::start(&[]);
    let before = server.termios_before();
    assert_ne!(
        before.c_lflag & ICANON,
        0,
        "a new pty starts in canonical mode"
    );
    let now = server.termios_now();
    assert_eq!(now.c_lflag & ICANON, 0, "ICANON off: keys come one by one");
    assert_eq!(now.c_lflag & ECHO, 0, "ECHO off: keys are not shown");
    assert_ne!(now.c_lflag & ISIG, 0, "ISIG on: Ctrl-C is still SIGINT");
    assert_eq!(now.c_cc[VMIN], 1, "VMIN 1");
    assert_eq!(now.c_cc[VTIME], 0, "VTIME 0");

    // Keys are taken without Enter and not echoed: the host's `r` appears nowhere.
    let mut guest = server.seat_guest();
    server.press(b"r");
    guest.send(b"s");
    let shown = server.expect_line("Player 0: r, Player 1: s");
    // Every line the server writes starts with a capital: an echoed `r` would start one.
    assert!(
        !shown.lines().any(|line| line.starts_with('r')),
        "the host's key is not echoed; the console showed {shown:?} before the result"
    );
}

#[test]
fn a_piped_console_reads_keys_as_they_come_and_ends_cleanly_at_eof() {
    let mut server = Server::start_piped(&[], Stdio::piped());
    let mut guest = server.seat_guest();
    // No newline: a key counts as soon as it is read.
    server.press(b"r");
    guest.send(b"s");
    server.expect_line("Player 0: r, Player 1: s");
    guest.expect_line("Player 0: r, Player 1: s");
    // A line as a script would write it: the move counts, the newline is no key.
    server.press(b"p\n");
    guest.send(b"r");
    server.expect_line("Player 0: p, Player 1: r");
    assert!(!server.transcript().contains("Invalid key"));

    server.close_input();
    assert_eq!(server.wait_exit(PROMPTLY).code(), Some(0));
    server.expect_line("Server shutting down. Good-bye");
    guest.expect_line("Server shutting down. Good-bye");
    guest.expect_closed();
    let stderr = server.stderr();
    assert!(
        stderr.is_empty(),
        "a console that is no terminal is no error: stderr said {stderr:?}"
    );
}

#[test]
fn keys_from_a_pipe_leave_the_terminal_showing_the_output_untouched() {
    // A script feeding keys while the host watches on a terminal: cbreak is for a
    // keyboard, and the terminal that is only the screen must keep its settings.
    let mut server = Server::launch(&[]).keys_from(Stdio::piped()).start();
    assert_eq!(
        server.termios_now(),
        server.termios_before(),
        "no cbreak on a terminal that is not stdin"
    );
    let mut guest = server.seat_guest();
    server.press(b"s");
    guest.send(b"p");
    server.expect_line("Player 0: s, Player 1: p");
    server.close_input();
    assert_eq!(server.wait_exit(PROMPTLY).code(), Some(0));
    guest.expect_line("Server shutting down. Good-bye");
    assert_eq!(server.termios_now(), server.termios_before());
}

#[test]
fn a_dev_null_console_is_end_of_input_at_once_and_a_clean_exit() {
    let mut server = Server::start_piped(&[], Stdio::null());
    assert_eq!(server.wait_exit(PROMPTLY).code(), Some(0));
    server.expect_line("Server shutting down. Good-bye");
    let stderr = server.stderr();
    assert!(stderr.is_empty(), "stderr said {stderr:?}");
}

/// A panic on `where_` (game or thread) after the host presses `!`.
fn panics_restore_the_terminal(where_: &str) -> (Server, Guest) {
    let mut server = Server::launch(&[])
        .env("ROSHAMBO_PANIC_ON_BANG", where_)
        .start();
    let guest = server.seat_guest();
    server.press(b"!");
    let status = server.wait_exit(DEADLINE);
    assert_eq!(
        status.code(),
        Some(101),
        "a panic exits as Rust's do: {status}"
    );
    assert_eq!(
        server.termios_now(),
        server.termios_before(),
        "a panic gives the terminal back"
    );
    server.expect("panicked");
    (server, guest)
}

#[test]
fn a_panic_on_the_game_thread_restores_the_terminal_and_closes_the_guest() {
    if !cfg!(debug_assertions) {
        eprintln!("SKIP: fault injection exists only in debug builds");
        return;
    }
    let (_server, mut guest) = panics_restore_the_terminal("game");
    let ended = guest.expect_disconnected();
    assert!(
        matches!(ended, Ended::Closed | Ended::Reset),
        "the guest's connection ended: {ended}"
    );
}

#[test]
fn a_panic_on_another_thread_restores_the_terminal_and_says_good_bye() {
    if !cfg!(debug_assertions) {
        eprintln!("SKIP: fault injection exists only in debug builds");
        return;
    }
    let (_server, mut guest) = panics_restore_the_terminal("thread");
    guest.expect_line("Server shutting down. Good-bye");
    guest.expect_closed();
}

#[test]
fn the_host_gets_one_line_for_the_session_when_the_server_stops() {
    let mut server = Server::start(&["--best-of", "1"]);
    let mut guest = server.seat_guest();
    server.play(&mut guest, 'r', 's');
    server.expect("Match over: you beat 127.0.0.1:");
    let mut second = server.seat_guest();
    server.play(&mut second, 'p', 'p');
    server.press(&[CTRL_C]);
    let summary = server.expect_rest_of_line("This session: ");
    assert_eq!(
        summary.trim(),
        "2 matches (1 won, 0 lost, 1 ended early); 2 games (1 won, 0 lost, 1 tied); your share 100.00%"
    );
    assert_eq!(server.wait_exit(PROMPTLY).code(), Some(0));
}

#[test]
fn ctrl_k_sends_the_playing_guest_away_and_the_next_in_line_plays() {
    let mut server = Server::start(&[]);
    let mut guest = server.seat_guest();
    let mut next = server.guest();
    next.expect_line("You are number 1 in line");
    server.press(&[0x0b]);
    guest.expect_line("The host has ended your match. Thank you for coming, good-bye.");
    guest.expect_closed();
    server.expect("Match over: you sent 127.0.0.1:");
    next.expect_line("Welcome to the game");
}
