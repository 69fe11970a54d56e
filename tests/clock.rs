//! The guest's clock: the last seconds counted aloud, the time-out, a valid move stopping
//! the clock and each new game starting it again. Short flags keep the tests quick.

use roshambo_test_support::{Expect, Server};
use std::time::{Duration, Instant};

#[test]
fn a_silent_guest_hears_the_countdown_and_is_timed_out() {
    // 2.5 s: `2` after 0.5 s, `1` after 1.5 s, the time-out after 2.5 s.
    let mut server = Server::start(&["--timeout", "2.5", "--countdown", "2"]);
    let mut guest = server.guest();
    let joined = Instant::now();
    server.expect_line(&format!("Player connected: {}", guest.local_addr()));
    guest.expect_line("Welcome to the game");
    guest.expect_line("2");
    // An invalid key is no move: the clock runs on.
    guest.send(b"x");
    guest.expect_line("Invalid key");
    guest.expect_line("1");
    guest.expect_line("Timed out. Good-bye");
    let waited = joined.elapsed();
    guest.expect_closed();
    server.expect_line("Timed out. Good-bye");
    assert!(
        waited >= Duration::from_millis(2400),
        "timed out after {waited:?}, before the 2.5 s were up"
    );
    assert!(
        !server.transcript().contains("\n2\r"),
        "the countdown is the guest's alone:\n{}",
        server.transcript()
    );

    // The table is free for the next guest.
    let mut next = server.seat_guest();
    server.press(b"r");
    next.send(b"p");
    next.expect_line("Player 0: r, Player 1: p");
}

#[test]
fn a_valid_move_stops_the_clock_and_each_new_game_starts_it_again() {
    let mut server = Server::start(&["--timeout", "1.5", "--countdown", "1"]);
    let mut guest = server.seat_guest();
    guest.send(b"r");
    // Well past the time-out: the guest moved, so nobody is waiting on them.
    guest.expect_absent("Timed out", Duration::from_millis(2000));
    server.expect_absent("Timed out", Duration::ZERO);
    assert!(guest.ended().is_none(), "the guest is still connected");

    server.press(b"s");
    guest.expect_line("Player 0: s, Player 1: r");
    // A new game: the clock runs again from the result.
    let result_seen = Instant::now();
    guest.expect_line("1");
    guest.expect_line("Timed out. Good-bye");
    guest.expect_closed();
    server.expect_line("Timed out. Good-bye");
    assert!(
        result_seen.elapsed() >= Duration::from_millis(1300),
        "the new game's clock ran the whole 1.5 s, not {:?}",
        result_seen.elapsed()
    );
}

#[test]
fn the_host_moving_does_not_stop_the_guests_clock() {
    let mut server = Server::start(&["--timeout", "1.5", "--countdown", "1"]);
    let mut guest = server.seat_guest();
    server.press(b"r");
    guest.expect_line("1");
    guest.expect_line("Timed out. Good-bye");
    server.expect_line("Timed out. Good-bye");
    guest.expect_closed();
}
