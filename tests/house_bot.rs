//! The house plays too: rock-paper-scissors-lizard-Spock through a real guest, the house
//! bot serving a whole match with no console at all (stdin at /dev/null) and stopping on
//! SIGTERM, the host handing their seat to the bot and taking it back, `--bot-seed`
//! replaying a match move for move, and the guest's habits card. The real binary,
//! guests on loopback.

use roshambo_test_support::{Expect, Guest, Server, DEADLINE};
use std::process::Stdio;

/// Plays `keys` as the guest against the house bot, one game each, and returns the
/// throws as the guest saw them.
#[track_caller]
fn play_the_bot(guest: &mut Guest, keys: &str) -> Vec<String> {
    keys.chars()
        .map(|key| {
            guest.send(&[key as u8]);
            guest.expect_rest_of_line("Player 0: ").to_string()
        })
        .collect()
}

#[test]
fn rpsls_is_played_through_a_guest_with_its_keys_and_its_words() {
    let mut server = Server::start(&["--game", "rpsls", "--timeout", "60"]);
    let mut guest = server.seat_guest();
    guest.expect_line("Keys: r rock, p paper, s scissors, l lizard, k Spock, ? help.");
    guest.expect_line("Your move: r, p, s, l or k.");
    server.press(b"r");
    guest.send(b"k");
    for line in [
        "Player 0: r, Player 1: k",
        "Spock vaporizes rock.",
        "Player 1 wins!",
    ] {
        guest.expect_line(line);
        server.expect_line(line);
    }
    server.press(b"l");
    guest.send(b"p");
    guest.expect_line("Player 0: l, Player 1: p");
    guest.expect_line("Lizard eats paper.");
    guest.send(b"?");
    guest.expect("Spock vaporizes rock");
}

#[test]
fn the_house_bot_serves_a_whole_match_with_no_console_and_stops_on_sigterm() {
    let mut server = Server::launch(&[
        "--house-bot",
        "--best-of",
        "3",
        "--timeout",
        "60",
        "--bot-pause",
        "0",
    ])
    .piped(Stdio::null())
    .start();
    server.expect("The house bot holds your seat");
    let mut guest = Guest::connect(server.port());
    guest.expect_line("Welcome to the game");
    guest.expect_line(&format!(
        "You are {}, Player 1; the house bot is Player 0.",
        guest.local_addr()
    ));
    // The console's input ended at once; the server serves on.
    let mut games = 0;
    while !guest.transcript().contains("wins the match") {
        guest.send(b"r");
        guest.expect("Player 0: ");
        games += 1;
        assert!(games < 200, "a best of 3 ends");
    }
    guest.expect("Your habits this match: rock 100%");
    guest.expect_line("Play again? (y/n)");
    guest.send(b"n");
    guest.expect_closed();
    // The host's lines still go to stdout.
    server.expect("Player 0: ");

    server.signal(libc::SIGTERM);
    assert_eq!(server.wait_exit(DEADLINE).code(), Some(0));
}

#[test]
fn a_bot_seed_replays_the_bots_moves() {
    let script = "rpsrpsrrppsslkrs";
    let run = |seed: &str| {
        let mut server = Server::launch(&[
            "--house-bot",
            "--bot-seed",
            seed,
            "--game",
            "rpsls",
            "--best-of",
            "99",
            "--timeout",
            "60",
            "--bot-pause",
            "0",
        ])
        .piped(Stdio::null())
        .start();
        let mut guest = Guest::connect(server.port());
        guest.expect_line("Welcome to the game");
        let throws = play_the_bot(&mut guest, script);
        server.signal(libc::SIGTERM);
        assert_eq!(server.wait_exit(DEADLINE).code(), Some(0));
        throws
    };
    let first = run("42");
    assert_eq!(first, run("42"), "the same seed, the same moves");
    assert_ne!(first, run("43"), "another seed, other moves");
}

#[test]
fn the_host_hands_the_seat_to_the_house_bot_and_takes_it_back() {
    let mut server = Server::start(&["--timeout", "60"]);
    let mut guest = server.seat_guest();
    server.press(b"b");
    server.expect_line("The house bot takes your seat; h takes it back.");
    guest.expect_line("The house bot takes the host's seat.");
    guest.send(b"r");
    guest.expect_line("Waiting for the house bot's move.");
    guest.expect("Player 0: ");
    server.press(b"r");
    server.expect_line("The house bot holds your seat: h takes it back.");
    server.press(b"h");
    server.expect_line("Your seat again: the house bot has left it.");
    guest.expect_line("The host is back in their seat.");
    server.play(&mut guest, 'p', 's');
}
