//! A guest leaving mid-match, every way a client can: FIN, RST, Ctrl-C, Ctrl-D, IAC IP,
//! IAC EOF, and Ctrl-C or Ctrl-D from netcat in the middle of a line. The host is told,
//! and the server goes on serving the next guest.

use roshambo_test_support::{Expect, Guest, Server};

/// A new guest can still be seated and play a game to its end.
fn next_guest_plays(server: &mut Server) {
    let mut guest = server.seat_guest();
    server.press(b"r");
    guest.send(b"s");
    server.expect_line("Player 0: r, Player 1: s");
    guest.expect_line("Player 0: r, Player 1: s");
}

/// Seats a guest and makes one of the players move, so the guest leaves mid-game.
fn mid_move(server: &mut Server, host_moves: bool) -> Guest {
    let mut guest = server.seat_guest();
    // The invalid key after the move shows the server has taken the move: a key still
    // on its way when the guest leaves would count in the next guest's game.
    if host_moves {
        server.press(b"px");
        server.expect_line("Invalid key");
    } else {
        guest.send(b"rx");
        guest.expect_line("Invalid key");
    }
    guest
}

#[test]
fn a_guest_who_hangs_up_mid_move_is_reported_and_the_server_goes_on() {
    let mut server = Server::start(&[]);
    for host_moves in [false, true] {
        let mut guest = mid_move(&mut server, host_moves);
        guest.close();
        server.expect_line("Opponent disconnected.");
        // The server hangs up too.
        guest.expect_closed();
    }
    next_guest_plays(&mut server);
}

#[test]
fn a_guest_whose_connection_is_reset_mid_move_is_reported_and_the_server_goes_on() {
    let mut server = Server::start(&[]);
    for host_moves in [false, true] {
        let guest = mid_move(&mut server, host_moves);
        guest.reset();
        server.expect_line("Opponent disconnected.");
    }
    next_guest_plays(&mut server);
}

#[test]
fn ctrl_c_ctrl_d_iac_ip_and_iac_eof_from_a_guest_each_end_their_match() {
    let mut server = Server::start(&[]);
    let ways: [(&str, &[u8]); 4] = [
        ("Ctrl-C", &[0x03]),
        ("Ctrl-D", &[0x04]),
        ("IAC IP", &[0xff, 0xf4]),
        ("IAC EOF", &[0xff, 0xec]),
    ];
    for (name, bytes) in ways {
        let mut guest = mid_move(&mut server, true);
        guest.send(bytes);
        let shown = server.expect_line("Opponent disconnected.");
        assert!(
            !shown.contains("Player 0:"),
            "{name}: no game was played on the way out: {shown:?}"
        );
        // The server hangs up on them (a reset is fine: they may have left unread data).
        guest.expect_disconnected();
    }
    next_guest_plays(&mut server);
}

#[test]
fn ctrl_c_and_ctrl_d_from_netcat_end_the_match_at_once_even_mid_line() {
    let mut server = Server::start(&[]);
    for (name, key) in [("Ctrl-C", 0x03), ("Ctrl-D", 0x04)] {
        // A client that never negotiates plays by lines; the host has moved.
        let mut guest = Guest::connect_raw(server.port());
        server.expect_line(&format!("Player connected: {}", guest.local_addr()));
        guest.expect_line("Welcome to the game");
        server.press(b"px");
        server.expect_line("Invalid key");
        // Half a line, then the key: no Enter is waited for, and the half line is no move.
        guest.send(b"sci");
        guest.send(&[key]);
        let shown = server.expect_line("Opponent disconnected.");
        assert!(
            !shown.contains("Player 0:"),
            "{name}: no game was played on the way out: {shown:?}"
        );
        guest.expect_disconnected();
    }
    next_guest_plays(&mut server);
}

#[test]
fn a_key_pressed_after_the_guest_left_is_not_a_move() {
    let mut server = Server::start(&[]);
    let mut guest = mid_move(&mut server, false);
    guest.close();
    server.expect_line("Opponent disconnected.");
    server.press(b"s");
    server.expect_line("No guest yet: keys count once a guest connects.");
}
