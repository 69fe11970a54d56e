//! What real telnet clients tell the server of themselves: inetutils `telnet -l alice`
//! and `busybox telnet -l alice`, with `TERM=xterm`, give their terminal type and user
//! name, which the server logs at debug level; the harness's guest (DUMB, no user
//! name) and a guest that never answers still play. Skipped loudly when a client is
//! missing, unless ROSHAMBO_REQUIRE_CLIENTS=1.

use roshambo_test_support::{require_client, temp_path, Expect, Program, Server, DEADLINE};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// A server that logs at debug level to a file of its own, which is removed on drop.
struct Logged {
    server: Server,
    log: PathBuf,
}

impl Logged {
    fn start() -> Logged {
        let log = temp_path("identity-log");
        let path = log.to_str().expect("a UTF-8 temp path").to_owned();
        let server = Server::start(&["--log-file", &path, "--log-level", "debug"]);
        Logged { server, log }
    }

    /// Waits until a line of the log holds every one of `words`, and returns it.
    #[track_caller]
    fn expect_logged(&self, words: &[&str]) -> String {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let log = std::fs::read_to_string(&self.log).unwrap_or_default();
            if let Some(line) = log
                .lines()
                .find(|line| words.iter().all(|word| line.contains(word)))
            {
                return line.to_owned();
            }
            assert!(
                Instant::now() < deadline,
                "no line of the log holds {words:?}:\n{log}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Logged {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.log);
    }
}

/// `program args...` on a pty with `TERM=xterm`, connecting to `port`.
fn client_on_pty(program: &str, args: &[&str], port: u16) -> Program {
    let mut client = vec![program];
    client.extend_from_slice(args);
    Program::telnet_on_pty(&client, "xterm", port)
}

/// The guest numbers in the log are the server's; the first to connect is #1.
#[test]
fn inetutils_telnet_tells_its_terminal_and_its_user() {
    if !require_client("telnet") {
        return;
    }
    let mut logged = Logged::start();
    let mut telnet = client_on_pty("telnet", &["-l", "alice"], logged.server.port());
    telnet.expect_line("Welcome to the game");
    // inetutils upper-cases the terminal type.
    logged.expect_logged(&["guest #1 told: terminal XTERM"]);
    logged.expect_logged(&["guest #1 told: user alice"]);
    // Still in character mode with no local echo: a key goes alone, and is not shown.
    logged.server.press(b"p");
    telnet.press(b"r");
    let on_screen = telnet.expect_line("Player 0: p, Player 1: r");
    assert!(
        !on_screen.lines().any(|line| line.starts_with('r')),
        "no local echo: {on_screen:?}"
    );
}

#[test]
fn busybox_telnet_tells_its_terminal_and_its_user() {
    if !require_client("busybox") {
        return;
    }
    let mut logged = Logged::start();
    let mut telnet = client_on_pty("busybox", &["telnet", "-l", "alice"], logged.server.port());
    telnet.expect_line("Welcome to the game");
    logged.expect_logged(&["guest #1 told: terminal xterm"]);
    logged.expect_logged(&["guest #1 told: user alice"]);
    logged.server.press(b"s");
    telnet.press(b"p");
    telnet.expect_line("Player 0: s, Player 1: p");
}

/// busybox without -l refuses NEW-ENVIRON: no user name, said once.
#[test]
fn busybox_telnet_without_a_login_has_no_user_name() {
    if !require_client("busybox") {
        return;
    }
    let logged = Logged::start();
    let mut telnet = client_on_pty("busybox", &["telnet"], logged.server.port());
    telnet.expect_line("Welcome to the game");
    logged.expect_logged(&["guest #1 told: terminal xterm"]);
    logged.expect_logged(&["guest #1 told: no user name"]);
}

/// The harness's guest answers as inetutils does without -l; netcat never answers, and
/// is told nothing about, but plays.
#[test]
fn the_harness_guest_and_a_silent_guest_still_play() {
    let mut logged = Logged::start();
    let mut guest = logged.server.seat_guest();
    logged.server.press(b"r");
    guest.send(b"s");
    // The harness's guest reads (and so answers the SENDs) only while a test waits.
    guest.expect_line("Player 0: r, Player 1: s");
    logged.expect_logged(&["guest #1 told: terminal DUMB"]);
    logged.expect_logged(&["guest #1 told: no user name"]);

    let mut silent = roshambo_test_support::Guest::connect_raw(logged.server.port());
    silent.expect_line("You are number 1 in line");
    silent.send(b"x\n");
    silent.expect_line("You are number 1 in line");
    let log = std::fs::read_to_string(&logged.log).unwrap_or_default();
    assert!(
        !log.contains("guest #2 told"),
        "a guest that never answers tells nothing:\n{log}"
    );
}
