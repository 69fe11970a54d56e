//! Names at the door: the prompt with the server's echo and Backspace, a taken name,
//! netcat answering with a line, the prompt's own clock, and `--no-names` keeping the
//! seed's flow. Then the match's end: the rematch question, `y` and `n`. The real binary
//! on a pty, with guests on loopback.

use roshambo_test_support::{require_client, Expect, Guest, Program, Server};
use std::process::Stdio;

/// What the server says to ask a guest's name (the prompt has no line end).
const PROMPT: &str = "What is your name? (Enter for none) ";

/// A server that asks names.
fn server_with_names(args: &[&str]) -> Server {
    Server::launch(args).names().start()
}

/// A telnet guest at the prompt.
#[track_caller]
fn at_the_prompt(server: &Server) -> Guest {
    let mut guest = server.guest();
    guest.expect(PROMPT);
    guest
}

#[test]
fn a_telnet_guest_types_their_name_sees_it_echoed_and_plays_by_it() {
    let mut server = server_with_names(&["--timeout", "60"]);
    let mut guest = at_the_prompt(&server);
    // inetutils sends DEL for Backspace and CR NUL for Enter.
    guest.send(b"alx\x7fice\r\0");
    guest.expect_line("Hello, alice.");
    assert!(
        guest
            .transcript()
            .contains(&format!("{PROMPT}alx\u{8} \u{8}ice\r\n")),
        "each key echoed as typed, the x rubbed out:\n{:?}",
        guest.transcript()
    );
    guest.expect_line("Welcome to the game");
    guest.expect_line("You are alice, Player 1; the host is Player 0.");
    server.expect_line("Player connected: alice");

    guest.send(b"p");
    server.expect_line("alice has moved.");
    server.press(b"r");
    server.expect_line("Player 1 wins!");
    server.expect_line("You 0, alice 1");
    guest.expect_line("You 1, host 0");
}

#[test]
fn a_taken_name_gets_one_line_and_the_prompt_again() {
    let mut server = server_with_names(&["--timeout", "60"]);
    let mut alice = at_the_prompt(&server);
    alice.send(b"alice\r\n");
    server.expect_line("Player connected: alice");

    let mut other = at_the_prompt(&server);
    other.send(b"ALICE\r\n");
    other.expect_line("Someone here already has that name.");
    other.expect(PROMPT);
    other.send(b"host\r\n");
    other.expect_line("That name is kept for the host and for guests without one.");
    other.expect(PROMPT);
    other.send(b"alicia\r\n");
    other.expect_line("Hello, alicia.");
    other.expect_line("You are number 1 in line");
    other.expect_line("Now playing: the host against alice");
    server.expect_line("Guest waiting: alicia (number 1 in line)");
}

#[test]
fn enter_alone_or_the_prompts_clock_gives_a_guest_a_name() {
    let mut server = server_with_names(&["--timeout", "60", "--name-time", "0.5"]);
    let mut first = at_the_prompt(&server);
    first.send(b"\r\0");
    first.expect_line("Hello, guest-1.");
    server.expect_line("Player connected: guest-1");

    let mut second = at_the_prompt(&server);
    second.send(b"bo");
    second.expect_line("Time is up: you are guest-2.");
    server.expect_line("Guest waiting: guest-2 (number 1 in line)");
}

#[test]
fn netcat_answers_the_prompt_with_a_line_and_plays_by_words() {
    if !require_client("nc") {
        return;
    }
    let mut server = server_with_names(&["--timeout", "60"]);
    let port = server.port().to_string();
    let mut nc = Program::piped("nc", &["127.0.0.1", &port], Stdio::piped());
    nc.expect(PROMPT);
    nc.press(b"carol\n");
    // On the prompt's line in the bytes; on the next on the screen, after nc's own echo.
    nc.expect("Hello, carol.\r\n");
    nc.expect_line("Welcome to the game");
    server.expect_line("Player connected: carol");
    nc.press(b"paper\n");
    nc.expect_line("You chose paper.");
    server.press(b"r");
    server.expect_line("Player 0: r, Player 1: p");
    nc.expect_line("Player 1 wins!");
    assert!(
        !nc.transcript().contains("carolcarol"),
        "netcat's own terminal shows the name; the server does not echo it:\n{}",
        nc.transcript()
    );
}

#[test]
fn no_names_keeps_the_seeds_flow_the_address_is_the_name_and_the_guest_is_seated_at_once() {
    let mut server = Server::start(&["--no-names"]);
    let mut guest = Guest::connect_raw(server.port());
    let addr = guest.local_addr();
    server.expect_line(&format!("Player connected: {addr}"));
    let first = guest.expect_line("Welcome to the game");
    assert_eq!(
        guest.transcript().find("Welcome to the game"),
        Some(0),
        "the seed's welcome is the first thing a guest sees: {first:?}"
    );
    guest.expect_line(&format!("You are {addr}, Player 1; the host is Player 0."));
    guest.expect_absent("name", std::time::Duration::from_millis(300));
}

/// Plays a best-of-1 match the guest wins, up to the rematch question.
#[track_caller]
fn win_a_match(server: &mut Server, guest: &mut Guest) {
    server.press(b"r");
    guest.send(b"p");
    guest.expect_line("Thank you for playing!");
    guest.expect_line("Play again? (y/n)");
}

#[test]
fn y_to_play_again_starts_a_new_match_at_once_and_n_closes() {
    let mut server = Server::start(&["--best-of", "1", "--timeout", "60"]);
    let mut guest = server.seat_guest();
    let addr = guest.local_addr();
    win_a_match(&mut server, &mut guest);
    server.expect_line(&format!("{addr} is asked whether to play again."));

    guest.send(b"y");
    guest.expect_line("A new match! Best of 1: first to 1 wins. 60 seconds for each move.");
    server.expect_line(&format!("{addr} plays again: a new match begins."));
    win_a_match(&mut server, &mut guest);

    guest.send(b"n");
    guest.expect_line("Good-bye, and thank you.");
    guest.expect_closed();
    server.expect_line(&format!("{addr} will not play again."));
}

#[test]
fn the_rematch_question_has_a_moves_clock_and_a_waiting_guest_plays_instead() {
    let mut server = Server::start(&["--best-of", "1", "--timeout", "0.5"]);
    let mut guest = server.seat_guest();
    win_a_match(&mut server, &mut guest);
    guest.expect_line("No answer, so good-bye. Come back soon!");
    guest.expect_closed();

    // With someone in line, the next plays and nobody is asked.
    let mut first = server.seat_guest();
    let mut waiting = server.guest();
    waiting.expect_line("You are number 1 in line");
    server.press(b"r");
    first.send(b"p");
    first.expect_line("Thank you for playing!");
    first.expect_closed();
    assert!(!first.transcript().contains("Play again"));
    waiting.expect_line("Welcome to the game");
}

/// `telnet -l NAME` with a real client: no prompt, and the guest plays as NAME.
#[track_caller]
fn login_plays_as_that_name(client: &[&str]) {
    let mut server = server_with_names(&["--timeout", "60"]);
    let mut telnet = Program::telnet_on_pty(client, "xterm", server.port());
    telnet.expect_line("Hello, alice.");
    telnet.expect_line("You are alice, Player 1; the host is Player 0.");
    server.expect_line("Player connected: alice");
    telnet.press(b"p");
    server.expect_line("alice has moved.");
    server.press(b"r");
    server.expect_line("You 0, alice 1");
    assert!(
        !telnet.transcript().contains("name?"),
        "no prompt:\n{}",
        telnet.transcript()
    );
}

#[test]
fn inetutils_telnet_l_alice_plays_as_alice_without_a_prompt() {
    if require_client("telnet") {
        login_plays_as_that_name(&["telnet", "-l", "alice"]);
    }
}

#[test]
fn busybox_telnet_l_alice_plays_as_alice_without_a_prompt() {
    if require_client("busybox") {
        login_plays_as_that_name(&["busybox", "telnet", "-l", "alice"]);
    }
}

#[test]
fn plain_inetutils_telnet_is_asked_and_sees_its_name_typed_with_backspace() {
    if !require_client("telnet") {
        return;
    }
    let mut server = server_with_names(&["--timeout", "60"]);
    let mut telnet = Program::telnet_on_pty(&["telnet"], "xterm", server.port());
    telnet.expect(PROMPT);
    // As a person types it: a typo taken back with Backspace, then Enter.
    telnet.press(b"dab\x7fve\r");
    telnet.expect_line("Hello, dave.");
    server.expect_line("Player connected: dave");
    // The client shows what the server echoed: the name, the typo rubbed out.
    assert!(
        telnet
            .transcript()
            .contains(&format!("{PROMPT}dab\u{8} \u{8}ve")),
        "{:?}",
        telnet.transcript()
    );
}

#[test]
fn a_telnet_l_name_that_is_taken_gets_the_prompt() {
    if !require_client("busybox") {
        return;
    }
    let mut server = server_with_names(&["--timeout", "60"]);
    let mut first = at_the_prompt(&server);
    first.send(b"alice\r\n");
    server.expect_line("Player connected: alice");
    let mut telnet = Program::telnet_on_pty(
        &["busybox", "telnet", "-l", "Alice"],
        "xterm",
        server.port(),
    );
    telnet.expect_line("Someone here already has that name.");
    telnet.expect(PROMPT);
    telnet.press(b"alf\r");
    telnet.expect_line("Hello, alf.");
    server.expect_line("Guest waiting: alf (number 1 in line)");
}
