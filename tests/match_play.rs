//! Playing a match end to end: the greeting, the result lines on both sides, the match's
//! end, invalid keys, Enter in every spelling, and changing a move. The real binary on a
//! pty, a guest on a real socket.

use roshambo_test_support::{Expect, Server, GREETING};

#[test]
fn a_whole_match_is_played_and_the_guest_is_asked_to_play_again_after_the_thanks() {
    let mut server = Server::start(&["--best-of", "3"]);
    let mut guest = server.guest();
    server.expect_line(&format!("Player connected: {}", guest.local_addr()));
    guest.expect_line("Welcome to the game");
    assert_eq!(
        guest.received_raw()[..GREETING.len()],
        GREETING,
        "the first bytes are IAC WILL ECHO, IAC WILL SGA, IAC DO TTYPE, IAC DO NEW-ENVIRON"
    );

    server.play(&mut guest, 'r', 's');
    for line in ["Player 0 wins!", "Wins: 1 - 0"] {
        server.expect_line(line);
        guest.expect_line(line);
    }
    server.expect_line("Overall: 100.00%");

    // A tie counts for nobody and the match goes on.
    server.play(&mut guest, 'p', 'p');

    server.play(&mut guest, 'p', 'r');
    let said = guest.expect_line("Player 0 wins!");
    assert!(
        !said.contains("Overall"),
        "the overall line is the host's alone; the guest got {said:?}"
    );
    for line in ["Wins: 2 - 0", "Thank you for playing!"] {
        server.expect_line(line);
        guest.expect_line(line);
    }
    // Nobody waits, so the guest is asked to play again; they say no.
    guest.expect_line("Play again? (y/n)");
    guest.send(b"n");
    guest.expect_closed();
    assert!(
        !guest.transcript().contains("Overall"),
        "the overall line is the host's alone:\n{}",
        guest.transcript()
    );

    // The table is free again: a second guest plays, and the host's average moves on.
    let mut second = server.guest();
    server.expect_line(&format!("Player connected: {}", second.local_addr()));
    second.expect_line("Welcome to the game");
    server.play(&mut second, 'r', 'p');
    for line in ["Player 1 wins!", "Wins: 0 - 1"] {
        server.expect_line(line);
        second.expect_line(line);
    }
    server.expect_line("Overall: 66.67%");
}

#[test]
fn invalid_keys_are_told_only_to_whoever_typed_them() {
    let mut server = Server::start(&[]);
    let mut guest = server.seat_guest();

    server.press(b"x");
    server.expect_line("Invalid key");
    guest.send(b"q");
    guest.expect_line("Invalid key");
    server.press(b"1");
    server.expect_line("Invalid key");

    // The server handles each side's keys in order, so by the time each side sees the
    // result, it has been told everything about the keys before it.
    server.play(&mut guest, 'r', 's');
    let host_invalid = server.transcript().matches("Invalid key").count();
    let guest_invalid = guest.transcript().matches("Invalid key").count();
    assert_eq!(
        host_invalid,
        2,
        "the host typed two invalid keys:\n{}",
        server.transcript()
    );
    assert_eq!(
        guest_invalid,
        1,
        "the guest typed one invalid key:\n{}",
        guest.transcript()
    );
}

#[test]
fn enter_in_every_spelling_is_never_an_invalid_key() {
    let mut server = Server::start(&[]);
    let mut guest = server.seat_guest();

    // CR NUL (inetutils telnet), CR LF (busybox), LF (netcat), and a lone CR followed
    // by a move in a later segment.
    guest.send(b"\r\0");
    guest.send(b"\r\n");
    guest.send(b"\n");
    guest.send(b"\r");
    server.press(b"\r");
    server.press(b"\n");
    server.play(&mut guest, 'r', 'r');
    // The key right after a lone CR is still a key.
    guest.send(b"\r");
    guest.expect_absent("Invalid key", std::time::Duration::from_millis(100));
    server.play(&mut guest, 's', 'p');
    // A move with its Enter, as a line-mode client sends it.
    guest.send(b"r\r\n");
    server.press(b"p\n");
    server.expect_line("Player 0: p, Player 1: r");
    guest.expect_line("Player 0: p, Player 1: r");

    assert!(
        !server.transcript().contains("Invalid key"),
        "the host's Enter is not a key:\n{}",
        server.transcript()
    );
    assert!(
        !guest.transcript().contains("Invalid key"),
        "no spelling of Enter is a key:\n{}",
        guest.transcript()
    );
}

#[test]
fn a_player_may_change_their_move_until_the_other_moves() {
    let mut server = Server::start(&[]);
    let mut guest = server.seat_guest();

    // The guest changes their mind; the invalid key after it shows both moves were
    // taken before the host moves.
    guest.send(b"rp");
    guest.send(b"x");
    guest.expect_line("Invalid key");
    server.press(b"r");
    server.expect_line("Player 0: r, Player 1: p");
    guest.expect_line("Player 0: r, Player 1: p");

    // Now the host changes their mind.
    server.press(b"rs");
    server.press(b"x");
    server.expect_line("Invalid key");
    guest.send(b"p");
    server.expect_line("Player 0: s, Player 1: p");
    guest.expect_line("Player 0: s, Player 1: p");

    // Once both moved, the game is over: a later key starts the next game rather than
    // changing the last one.
    guest.send(b"s");
    guest.send(b"x");
    guest.expect_line("Invalid key");
    server.press(b"s");
    server.expect_line("Player 0: s, Player 1: s");
}

#[test]
fn keys_before_any_guest_give_the_host_a_hint_and_no_game() {
    let mut server = Server::start(&[]);
    server.press(b"r");
    server.expect_line("No guest yet: keys count once a guest connects.");
    server.press(b"x");
    server.expect_line("No guest yet: keys count once a guest connects.");

    // The key pressed before the guest came is not a move in the guest's game.
    let mut guest = server.seat_guest();
    guest.send(b"s");
    guest.send(b"x");
    guest.expect_line("Invalid key");
    server.expect_absent("Player 0:", std::time::Duration::from_millis(200));
    server.press(b"p");
    server.expect_line("Player 0: p, Player 1: s");
    guest.expect_line("Player 0: p, Player 1: s");
}
