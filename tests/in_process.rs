//! The game loop run in-process, as mini-redis's tests run `server::run`: the real
//! [`Server`] on a loopback listener and guests on real sockets, but no binary and no
//! terminal. The test is the host: its keys go in as events, and the console is a
//! channel it reads. These pin the loop's policies (who is told what, in what order, and
//! how it stops) in milliseconds; what only a terminal can show (cbreak, signals, the
//! terminal given back) stays with the binary-on-a-pty tests.

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, TryRecvError};
use roshambo::edges::acceptor;
use roshambo::events::{Event, StopSignal};
use roshambo::server::{Server, Stop};
use roshambo_core::delivery::outbox::QUEUE_HOLD;
use roshambo_core::game::countdown::ClockSettings;
use roshambo_core::game::messages::is_seed_line;
use roshambo_core::game::TableSettings;
use roshambo_core::keys::Key;
use roshambo_test_support::{Expect, Guest, Pattern, DEADLINE};
use std::io::{self, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

/// The binary's default `--max-key-rate`: far above what these tests type.
const MAX_KEY_RATE: u32 = 20;

/// As `main` sizes it: events a flood of guests can queue before their readers wait.
const EVENT_BACKLOG: usize = 1024;

/// A table where no time passes unless a test makes it: the clock and the netcat hint
/// are a minute away, so every line a test waits for follows from its own events.
fn settings(best_of: u32) -> TableSettings {
    TableSettings {
        best_of,
        clock: ClockSettings {
            timeout: Duration::from_secs(60),
            count_from: 5,
        },
        max_guests: 32,
        max_per_ip: 8,
        hint_after: Duration::from_secs(60),
        read_time: Duration::ZERO,
        // What these tests follow begins once a guest is seated.
        ask_names: false,
        records: false,
        ..TableSettings::default()
    }
}

/// A line the loop wrote to the host's console, and when it wrote it.
#[derive(Debug)]
struct HostLine {
    text: String,
    at: Instant,
}

/// The host's console as the loop sees it: a `Write` that hands each whole line to the
/// test and never blocks, as the binary's console writer never does. Once `broken` is
/// set every write fails, as on a terminal that hung up.
#[derive(Debug)]
struct Screen {
    lines: Sender<HostLine>,
    /// The start of a line whose end has not been written yet.
    partial: Vec<u8>,
    broken: Arc<AtomicBool>,
}

impl Write for Screen {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.broken.load(Ordering::SeqCst) {
            return Err(io::ErrorKind::BrokenPipe.into());
        }
        // Taken before anything else, so that it is when the loop wrote, not when the
        // test looked.
        let at = Instant::now();
        self.partial.extend_from_slice(buf);
        while let Some(end) = self.partial.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = self.partial.drain(..=end).collect();
            let text = String::from_utf8_lossy(&line[..end]).into_owned();
            // A test that has stopped looking is no reason for the loop to stop.
            let _ = self.lines.send(HostLine { text, at });
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.broken.load(Ordering::SeqCst) {
            return Err(io::ErrorKind::BrokenPipe.into());
        }
        Ok(())
    }
}

/// The game loop on a thread of its own, wired as `main` wires it minus the terminal,
/// the signal thread and the console reader: the test is the host. Dropping it stops the
/// loop and its acceptor, so a test that fails midway leaves nothing running.
#[derive(Debug)]
struct GameLoop {
    port: u16,
    events: Sender<Event>,
    urgent: Sender<Event>,
    screen: Receiver<HostLine>,
    /// Every line the host has read so far, for failure messages.
    host_saw: Vec<String>,
    console_broken: Arc<AtomicBool>,
    /// Why the loop stopped, once it has; disconnected without a word if it panicked.
    stopped: Receiver<Stop>,
}

impl GameLoop {
    fn start(settings: TableSettings) -> GameLoop {
        let listener =
            acceptor::listen(Some(Ipv4Addr::LOCALHOST.into()), 0).expect("listen on 127.0.0.1");
        let port = listener
            .local_addr()
            .expect("the listener's address")
            .port();
        let (events_tx, events) = crossbeam_channel::bounded(EVENT_BACKLOG);
        let (urgent_tx, urgent) = crossbeam_channel::unbounded();
        acceptor::spawn(listener, events_tx.clone()).expect("start the acceptor");
        let (lines, screen) = crossbeam_channel::unbounded();
        let console_broken = Arc::new(AtomicBool::new(false));
        let console = Screen {
            lines,
            partial: Vec::new(),
            broken: Arc::clone(&console_broken),
        };
        let server = Server::new(settings, MAX_KEY_RATE, events_tx.clone(), console)
            .expect("start the server");
        let (stop, stopped) = crossbeam_channel::bounded(1);
        thread::Builder::new()
            .name("game".into())
            .spawn(move || {
                let _ = stop.send(server.run(events, urgent));
            })
            .expect("start the game thread");
        GameLoop {
            port,
            events: events_tx,
            urgent: urgent_tx,
            screen,
            host_saw: Vec::new(),
            console_broken,
            stopped,
        }
    }

    /// A telnet client connecting now.
    fn guest(&self) -> Guest {
        Guest::connect(self.port)
    }

    /// Connects a guest to the free table, and checks that both sides were told.
    #[track_caller]
    fn seat_guest(&mut self) -> Guest {
        let mut guest = self.guest();
        self.expect_host_line(&format!("Player connected: {}", guest.local_addr()));
        guest.expect_line("Welcome to the game");
        guest
    }

    /// Connects a guest who goes to the back of the line at `place`, and checks that
    /// both they and the host were told so.
    #[track_caller]
    fn join_line(&mut self, place: usize) -> Guest {
        let mut guest = self.guest();
        self.expect_host_line(&format!(
            "Guest waiting: {} (number {place} in line)",
            guest.local_addr()
        ));
        guest.expect_line("Welcome! A match is in progress; you play next when your turn comes.");
        guest.expect_line(&format!("You are number {place} in line"));
        guest
    }

    /// The host presses `key` on the console.
    #[track_caller]
    fn press(&self, key: char) {
        self.events
            .send(Event::HostPressed {
                key: Key::Char(key),
            })
            .expect("the game loop is running");
    }

    /// One game: the host presses `host`, the playing guest sends `visitor`, and both
    /// see the throw. The host's key is queued before the guest's leaves the test.
    #[track_caller]
    fn play(&mut self, guest: &mut Guest, host: char, visitor: char) {
        self.press(host);
        guest.send(visitor.to_string().as_bytes());
        let throw = format!("Player 0: {host}, Player 1: {visitor}");
        self.expect_host_line(&throw);
        guest.expect_line(&throw);
    }

    /// Waits for `line` on the host's console, skipping the lines before it; returns
    /// when the loop wrote it.
    #[track_caller]
    fn expect_host_line(&mut self, line: &str) -> Instant {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let next = self.next_host_line(deadline, line);
            if next.text == line {
                return next.at;
            }
        }
    }

    /// The host's next lines are `lines`, in order, with nothing else between them.
    #[track_caller]
    fn expect_host_lines(&mut self, lines: &[&str]) {
        let deadline = Instant::now() + DEADLINE;
        for &line in lines {
            let next = self.next_host_line(deadline, line);
            if next.text != line {
                self.fail(&format!("the host was told {:?}, not {line:?}", next.text));
            }
        }
    }

    /// The host's next line of the seed's (what is said around them is skipped: these
    /// tests are about the loop, the table's unit tests about the words).
    #[track_caller]
    fn next_host_line(&mut self, deadline: Instant, waiting_for: &str) -> HostLine {
        match self.screen.recv_deadline(deadline) {
            Ok(line) => {
                self.host_saw.push(line.text.clone());
                if !seed_line(&line.text) {
                    return self.next_host_line(deadline, waiting_for);
                }
                line
            }
            Err(RecvTimeoutError::Timeout) => self.fail(&format!(
                "timed out after {} s waiting for {waiting_for:?}",
                DEADLINE.as_secs()
            )),
            Err(RecvTimeoutError::Disconnected) => self.fail(&format!(
                "the loop stopped while the host waited for {waiting_for:?}"
            )),
        }
    }

    /// From now on every write to the host's console fails.
    fn break_console(&self) {
        self.console_broken.store(true, Ordering::SeqCst);
    }

    #[track_caller]
    fn assert_running(&mut self) {
        match self.stopped.try_recv() {
            Err(TryRecvError::Empty) => {}
            Ok(stop) => self.fail(&format!("the loop stopped ({stop}), and it must not")),
            Err(TryRecvError::Disconnected) => self.fail("the game thread panicked"),
        }
    }

    /// Stops the loop as SIGTERM does; returns why the loop says it stopped.
    #[track_caller]
    fn terminate(&mut self) -> Stop {
        self.urgent
            .send(Event::Signalled {
                signal: StopSignal::Terminate,
            })
            .expect("the game loop is running");
        self.stopped()
    }

    /// Waits for the loop to stop (after its good-byes) and returns why it did.
    #[track_caller]
    fn stopped(&mut self) -> Stop {
        match self.stopped.recv_timeout(DEADLINE) {
            Ok(stop) => stop,
            Err(RecvTimeoutError::Timeout) => self.fail(&format!(
                "the loop was still running after {} s",
                DEADLINE.as_secs()
            )),
            Err(RecvTimeoutError::Disconnected) => self.fail("the game thread panicked"),
        }
    }

    #[track_caller]
    fn fail(&self, what: &str) -> ! {
        let saw: String = self
            .host_saw
            .iter()
            .map(|l| format!("\n    | {l}"))
            .collect();
        panic!("host: {what}\n  the host's console so far:{saw}")
    }
}

impl Drop for GameLoop {
    fn drop(&mut self) {
        let _ = self.urgent.send(Event::Signalled {
            signal: StopSignal::Terminate,
        });
        let _ = self.stopped.recv_timeout(DEADLINE);
        // The acceptor blocks in accept(2) and cannot be told to stop; one more
        // connection wakes it, and with the loop gone its report fails and it returns.
        let _ = TcpStream::connect_timeout(
            &SocketAddr::from((Ipv4Addr::LOCALHOST, self.port)),
            DEADLINE,
        );
    }
}

/// `lines` as a guest's screen shows them, each ended by CR LF.
fn screen_of(lines: &[&str]) -> String {
    lines.iter().map(|line| format!("{line}\r\n")).collect()
}

/// Whether `text` is one of the seed's lines, or the queue's own (its welcome and the
/// places): what these tests follow. The words said around them are the table's, and
/// its unit tests check them.
fn seed_line(text: &str) -> bool {
    is_seed_line(text)
        || text == "Server shutting down. Good-bye"
        || text == "Welcome! A match is in progress; you play next when your turn comes."
        || text.starts_with("Guest waiting: ")
        || (text.starts_with("You are number ") && text.ends_with(" in line"))
}

/// A guest's screen, with only the lines [`seed_line`] keeps.
fn seed_screen(transcript: &str) -> String {
    transcript
        .split_inclusive("\r\n")
        .filter(|line| seed_line(line.trim_end()))
        .collect()
}

#[test]
fn a_best_of_three_match_tells_each_side_the_seeds_lines_and_asks_the_guest_to_play_again() {
    let mut server = GameLoop::start(settings(3));
    let mut guest = server.guest();
    server.expect_host_lines(&[&format!("Player connected: {}", guest.local_addr())]);

    for wins in ["Wins: 1 - 0", "Wins: 2 - 0"] {
        server.press('r');
        guest.send(b"s");
        server.expect_host_lines(&[
            "Player 0: r, Player 1: s",
            "Player 0 wins!",
            wins,
            "Overall: 100.00%",
        ]);
    }
    server.expect_host_lines(&["Thank you for playing!"]);
    // Nobody waits, so the guest may play again; they say no.
    guest.expect_line("Play again? (y/n)");
    guest.send(b"n");
    guest.expect_closed();
    assert_eq!(
        seed_screen(&guest.transcript()),
        screen_of(&[
            "Welcome to the game",
            "Player 0: r, Player 1: s",
            "Player 0 wins!",
            "Wins: 1 - 0",
            "Player 0: r, Player 1: s",
            "Player 0 wins!",
            "Wins: 2 - 0",
            "Thank you for playing!",
        ]),
        "the guest's whole screen; the overall line is the host's alone"
    );

    // Nothing more was said to the host about the guest who left after their match.
    assert_eq!(server.terminate(), Stop::Signalled(StopSignal::Terminate));
    server.expect_host_lines(&["Server shutting down. Good-bye"]);
}

#[test]
fn the_players_are_served_first_and_the_waiting_guests_hear_the_result_later() {
    let mut server = GameLoop::start(settings(9));
    let mut player = server.seat_guest();
    let mut line: Vec<Guest> = (1..=3).map(|place| server.join_line(place)).collect();

    // A key from the line is no move: it gets the guest's place again. Waiting for
    // these answers also lets the hold their arrival started run out, so that the
    // game's is counted from the game.
    for watcher in &mut line {
        watcher.send(b"p");
    }
    for (i, watcher) in line.iter_mut().enumerate() {
        let said = watcher.expect_line(&format!("You are number {} in line", i + 1));
        assert!(
            !said.contains("Invalid key"),
            "guest {} in line was told {said:?}",
            i + 1
        );
    }

    server.press('r');
    player.send(b"s");
    let throw = "Player 0: r, Player 1: s";
    let host_told = server.expect_host_line(throw);
    player.expect_line(throw);
    for (i, watcher) in line.iter_mut().enumerate() {
        let watched = watcher.expect_seen(Pattern::Line(throw)).at;
        // A lower bound only, which a slow machine cannot break: the queue's copy is
        // held behind the players' for QUEUE_HOLD from the event.
        assert!(
            watched >= host_told + QUEUE_HOLD / 2,
            "guest {} in line heard the throw {:?} after the host, within the queue's hold",
            i + 1,
            watched.saturating_duration_since(host_told)
        );
        for result in ["Player 0 wins!", "Wins: 1 - 0"] {
            watcher.expect_line(result);
        }
    }
    server.expect_host_line("Overall: 100.00%");
}

#[test]
fn a_guest_who_moves_up_hears_each_game_they_watched_once_and_in_order_before_their_welcome() {
    let mut server = GameLoop::start(settings(3));
    let mut first = server.seat_guest();
    let mut next = server.join_line(1);

    // The match ends on a won game, whose result the next guest watches in the very
    // event that seats them.
    server.play(&mut first, 'r', 's');
    server.play(&mut first, 'p', 's');
    server.play(&mut first, 's', 'p');
    first.expect_line("Thank you for playing!");
    first.expect_closed();
    server.expect_host_line(&format!("Player connected: {}", next.local_addr()));

    // Their own first game: news they already had must not come round again.
    server.play(&mut next, 'r', 'p');
    next.expect_line("Wins: 0 - 1");
    assert_eq!(
        seed_screen(&next.transcript()),
        screen_of(&[
            "Welcome! A match is in progress; you play next when your turn comes.",
            "You are number 1 in line",
            "Player 0: r, Player 1: s",
            "Player 0 wins!",
            "Wins: 1 - 0",
            "Player 0: p, Player 1: s",
            "Player 1 wins!",
            "Wins: 1 - 1",
            "Player 0: s, Player 1: p",
            "Player 0 wins!",
            "Wins: 2 - 1",
            "Welcome to the game",
            "Player 0: r, Player 1: p",
            "Player 1 wins!",
            "Wins: 0 - 1",
        ]),
        "the guest who moved up"
    );
}

#[test]
fn a_terminate_signal_stops_the_loop_after_good_byes_to_every_guest_and_the_host() {
    let mut server = GameLoop::start(settings(9));
    let mut player = server.seat_guest();
    let mut line = vec![server.join_line(1), server.join_line(2)];

    assert_eq!(server.terminate(), Stop::Signalled(StopSignal::Terminate));
    for guest in std::iter::once(&mut player).chain(&mut line) {
        guest.expect_line("Server shutting down. Good-bye");
        guest.expect_closed();
    }
    server.expect_host_lines(&["Server shutting down. Good-bye"]);
}

#[test]
fn a_failing_console_stops_the_loop_once_the_host_is_told_something_and_the_guests_hear_good_bye() {
    let mut server = GameLoop::start(settings(9));
    let mut player = server.seat_guest();
    let mut waiting = server.join_line(1);
    server.break_console();

    // Nothing for the host in a waiting guest's key: the loop plays on.
    waiting.send(b"r");
    waiting.expect_line("You are number 1 in line");
    server.assert_running();

    // The player's move is news for the host too ("The guest has moved."); the player,
    // whose move it was, is told first.
    player.send(b"s");
    player.expect_line("You chose scissors.");
    assert_eq!(server.stopped(), Stop::ConsoleGone);
    for guest in [&mut player, &mut waiting] {
        guest.expect_line("Server shutting down. Good-bye");
        guest.expect_closed();
    }
}

#[test]
fn a_guest_turned_away_from_a_full_table_is_told_and_closed_and_the_player_plays_on() {
    let mut server = GameLoop::start(TableSettings {
        max_guests: 1,
        ..settings(9)
    });
    let mut player = server.seat_guest();

    let mut turned_away = server.guest();
    turned_away.expect_line("Sorry, the server is full (1 guests). Please try again later.");
    turned_away.expect_closed();

    server.play(&mut player, 'r', 's');
    for result in ["Player 0 wins!", "Wins: 1 - 0"] {
        server.expect_host_line(result);
        player.expect_line(result);
    }
    assert!(
        !player.transcript().contains("Sorry"),
        "the turned-away guest's line is theirs alone:\n{}",
        player.transcript()
    );
}
