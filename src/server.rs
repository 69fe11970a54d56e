//! The game thread: one `select!` loop that owns the table and every guest's
//! connection. It turns events into calls on the [`Table`] and the table's actions into
//! console lines and queued guest output; it never blocks on a guest.

use crate::edges::guest::{Connection, Flushed, Overflow};
use crate::edges::timer::Timer;
use crate::events::{Departure, Event, StopSignal};
use crossbeam_channel::{select, Receiver, Sender};
use roshambo_core::delivery::QueueNews;
use roshambo_core::game::GuestId;
use roshambo_core::game::{Action, Recipient, Table, TableSettings};
use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::io::{self, Write};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long a shutdown waits for the good-byes to be sent.
const GOODBYE_PATIENCE: Duration = Duration::from_millis(500);

/// How long the line's output is held at least, so that the games it watches go out
/// several lines to a write: the players' moves are never behind hundreds of sends.
const LINE_DELAY: Duration = Duration::from_millis(100);

/// Sends a second the line may cost, however long it is. Each send to a guest costs the
/// machine about the same whatever its size (13 µs on loopback, measured), so a long
/// line has its output held longer and coalesced more, instead of taking the CPU from
/// the players: with 500 waiting, each hears the games twice a second.
const LINE_SENDS_PER_SECOND: usize = 1000;

/// Waiting guests whose output is sent in one go between events: small, so that a key
/// arriving meanwhile waits for a few sends at most.
const FLUSH_BATCH: usize = 2;

/// Why the server stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// The console ended or the host pressed Ctrl-D.
    HostLeft,
    Signalled(StopSignal),
    /// A thread panicked.
    Panicked,
}

impl Stop {
    /// The process's exit status: 0 when the host asked to stop, non-zero for SIGQUIT
    /// (as a shell reports a death by signal) and for a panic (as Rust does).
    pub fn exit_code(self) -> u8 {
        match self {
            Stop::HostLeft => 0,
            Stop::Signalled(StopSignal::Quit) => 128 + libc::SIGQUIT as u8,
            Stop::Signalled(_) => 0,
            Stop::Panicked => 101,
        }
    }
}

impl fmt::Display for Stop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Stop::HostLeft => f.write_str("the host left"),
            Stop::Signalled(signal) => write!(f, "{signal}"),
            Stop::Panicked => f.write_str("a thread panicked"),
        }
    }
}

/// The game thread's state: the table, the guests' connections and the timer.
#[derive(Debug)]
pub struct Server<W: Write> {
    table: Table,
    connections: HashMap<GuestId, Connection>,
    /// The players' output is sent at once; the line's is held (see [`line_delay`]) so
    /// that it goes out several lines a write. What is said to the whole line is kept
    /// here once, and given to each waiting guest when their output is sent.
    news: QueueNews,
    /// When the line's held output is due; `None` while nothing is held.
    line_due: Option<Instant>,
    /// Guests whose held output is due, sent a few at a time between events. Output
    /// said meanwhile is held for the next round of sending, so each round ends.
    sending: VecDeque<GuestId>,
    next_guest: u64,
    timer: Timer,
    /// Handed to each guest's reader.
    events: Sender<Event>,
    max_key_rate: u32,
    flushed: Flushed,
    console: W,
}

impl<W: Write> Server<W> {
    /// A server whose guests report on `events`, writing the host's lines to `console`.
    pub fn new(
        settings: TableSettings,
        max_key_rate: u32,
        events: Sender<Event>,
        console: W,
    ) -> io::Result<Self> {
        Ok(Server {
            table: Table::new(settings),
            connections: HashMap::new(),
            news: QueueNews::default(),
            line_due: None,
            sending: VecDeque::new(),
            next_guest: 1,
            timer: Timer::spawn(events.clone())?,
            events,
            max_key_rate,
            flushed: Flushed::default(),
            console,
        })
    }

    /// Plays until something stops the server, then says good-bye to every guest.
    /// `urgent` carries signals and panics, so a flood of guest events cannot delay them.
    pub fn run(mut self, events: Receiver<Event>, urgent: Receiver<Event>) -> Stop {
        let stop = loop {
            // `self.events` keeps `events` open; `urgent` is kept open by its senders
            // for the life of the process (a closed one would always be ready and spin).
            let event = if self.sending.is_empty() {
                select! {
                    recv(urgent) -> event => event,
                    recv(events) -> event => event,
                }
            } else {
                select! {
                    recv(urgent) -> event => event,
                    recv(events) -> event => event,
                    default => {
                        if self.flush_line(Instant::now()) {
                            self.set_timer();
                        }
                        // A key's reader woken onto this CPU would otherwise wait for
                        // the whole line to be sent before it could run.
                        std::thread::yield_now();
                        continue;
                    }
                }
            };
            let Ok(event) = event else {
                break Stop::HostLeft;
            };
            let now = Instant::now();
            let host_first = matches!(event, Event::HostPressed { .. });
            if let Some(stop) = self.handle(event, now) {
                break stop;
            }
            self.carry_out(now, host_first);
            if !self.sending.is_empty() {
                // A steady stream of events must not starve the line.
                self.flush_line(now);
            }
            self.set_timer();
        };
        self.shut_down(stop);
        stop
    }

    fn handle(&mut self, event: Event, now: Instant) -> Option<Stop> {
        match event {
            Event::HostPressed { key } => {
                fault_injection(key);
                self.table.host_pressed(key, now);
            }
            Event::HostLeft => return Some(Stop::HostLeft),
            Event::GuestConnected { stream, addr } => {
                let guest = GuestId(self.next_guest);
                self.next_guest += 1;
                match Connection::open(
                    guest,
                    stream,
                    self.events.clone(),
                    self.max_key_rate,
                    &self.flushed,
                ) {
                    Ok(mut connection) => {
                        log::info!("{guest} connected from {addr}");
                        connection.skip_news(&self.news);
                        // The telnet greeting: clients wait for it to pick their mode.
                        connection.flush();
                        self.connections.insert(guest, connection);
                        self.table.guest_arrived(guest, addr, now);
                    }
                    Err(e) => {
                        log::warn!("{guest} from {addr} turned away: cannot start its threads: {e}")
                    }
                }
            }
            Event::GuestPressed { guest, key } => self.table.guest_pressed(guest, key, now),
            Event::GuestNegotiated { guest, reply } => {
                if let Some(connection) = self.connections.get_mut(&guest) {
                    // Clients wait for these answers: they go out at once. Replies are
                    // bounded (each option is answered once), so no overflow check.
                    let _ = connection.send_raw(&reply);
                    connection.flush();
                }
                self.table.guest_negotiated(guest);
            }
            Event::GuestTooFast { guest } => self.table.guest_too_fast(guest),
            Event::GuestLeft { guest, why } => {
                if self.connections.contains_key(&guest) {
                    match why {
                        Departure::Flooded => log::warn!("{guest} dropped: {why}"),
                        _ => log::info!("{guest} left: {why}"),
                    }
                    self.table.guest_left(guest, now);
                }
            }
            Event::ClockFired { epoch } => {
                if self.timer.is_current(epoch) {
                    self.table.poll(now);
                    if self.line_due.is_some_and(|due| due <= now) {
                        self.line_due = None;
                        self.start_sending_line(now);
                    }
                }
            }
            Event::Signalled { signal } => return Some(Stop::Signalled(signal)),
            Event::Resumed => {
                let status = self.table.status_line();
                self.host_line(&status);
            }
            Event::Panicked => return Some(Stop::Panicked),
        }
        None
    }

    /// Does what the table asked, in order. The players' output goes out first, to
    /// whoever's key this was first (they are waiting for it); only then is the line's
    /// added, to be sent later. Guests found not reading are cut and the table told,
    /// until nothing more is asked.
    fn carry_out(&mut self, now: Instant, host_first: bool) {
        let mut said: Vec<Said> = Vec::new();
        let mut not_reading: Vec<(GuestId, Overflow)> = Vec::new();
        loop {
            while let Some(action) = self.table.poll_action() {
                match action {
                    Action::Say {
                        to: Recipient::Host,
                        text,
                    } => self.host_line(&text),
                    Action::Say {
                        to: Recipient::Guest(guest),
                        text,
                    } => said.push(Said::One(guest, text)),
                    Action::SayToLine { line, text } => said.push(Said::Line(line, text)),
                    Action::Close { guest } => {
                        // What was said to them goes first; dropping the connection
                        // sends it, then hangs up.
                        if let Some(connection) = self.connections.get_mut(&guest) {
                            let _ = connection.catch_up(&self.news);
                        }
                        for item in said.iter().filter(|item| item.reaches(guest)) {
                            self.tell(guest, item.text(), now, &mut not_reading);
                        }
                        said.retain(|item| !matches!(item, Said::One(g, _) if *g == guest));
                        self.connections.remove(&guest);
                    }
                }
            }
            // Each guest hears all of this event's lines in one of the two passes below,
            // in order: the player in the first, everyone else in the second.
            let player = self.table.playing();
            if let Some(player) = player {
                for item in said.iter().filter(|item| item.reaches(player)) {
                    self.tell(player, item.text(), now, &mut not_reading);
                }
            }
            // Whoever a write wakes may be queued on this CPU: yielding after each of
            // the players' writes lets them read it before this thread goes on.
            if host_first {
                let _ = self.console.flush();
                std::thread::yield_now();
            }
            if let Some(connection) = player.and_then(|g| self.connections.get_mut(&g)) {
                connection.flush();
                std::thread::yield_now();
            }
            let _ = self.console.flush();
            for item in said.drain(..) {
                match &item {
                    Said::One(guest, text) => {
                        if Some(*guest) != player {
                            self.tell(*guest, text, now, &mut not_reading);
                        }
                    }
                    Said::Line(_, text) => {
                        self.news.publish(text);
                        self.hold_line_output(now);
                    }
                }
            }
            // The player hears the games directly, not as news.
            if let Some(connection) = player.and_then(|g| self.connections.get_mut(&g)) {
                connection.skip_news(&self.news);
            }
            if not_reading.is_empty() {
                break;
            }
            for (guest, overflow) in not_reading.drain(..) {
                self.drop_not_reading(guest, overflow, now);
            }
        }
    }

    /// Cuts a guest who stopped reading, and tells the table they are gone.
    fn drop_not_reading(&mut self, guest: GuestId, overflow: Overflow, now: Instant) {
        if let Some(connection) = self.connections.remove(&guest) {
            log::warn!(
                "{guest} dropped: not reading, {} bytes unsent",
                overflow.unsent
            );
            connection.cut();
            self.table.guest_left(guest, now);
        }
    }

    /// Adds a line to a guest's output, after any news they have not had; a guest in
    /// line has it held (see [`line_delay`]).
    fn tell(
        &mut self,
        guest: GuestId,
        text: &str,
        now: Instant,
        not_reading: &mut Vec<(GuestId, Overflow)>,
    ) {
        let Some(connection) = self.connections.get_mut(&guest) else {
            return;
        };
        let told = connection
            .catch_up(&self.news)
            .and_then(|()| connection.say(text));
        if let Err(overflow) = told {
            if !not_reading.iter().any(|(g, _)| *g == guest) {
                not_reading.push((guest, overflow));
            }
        }
        if self.table.playing() != Some(guest) {
            self.hold_line_output(now);
        }
    }

    /// Makes the line's output due (see [`line_delay`]) unless it already is.
    fn hold_line_output(&mut self, now: Instant) {
        let delay = line_delay(self.connections.len());
        self.line_due.get_or_insert(now + delay);
    }

    /// The line's output is due: every waiting guest with something to hear is sent it
    /// in the coming round of sending, first in line first.
    fn start_sending_line(&mut self, now: Instant) {
        if !self.sending.is_empty() {
            // The last round is not over (the line is very long): after it, then.
            self.hold_line_output(now);
            return;
        }
        let player = self.table.playing();
        let news_end = self.news.end();
        let mut oldest = news_end;
        for (&guest, connection) in &self.connections {
            oldest = oldest.min(connection.news_had());
            if Some(guest) != player
                && (connection.has_pending() || connection.news_had() < news_end)
            {
                self.sending.push_back(guest);
            }
        }
        self.sending.make_contiguous().sort_unstable();
        self.news.forget_before(oldest);
    }

    /// Wakes this thread when the table or the line's output is next due.
    fn set_timer(&mut self) {
        let next = [self.table.next_deadline(), self.line_due];
        self.timer.set(next.into_iter().flatten().min());
    }

    /// Sends the due output of the next few guests in line. Returns whether any were
    /// found not reading, and dropped: the table may have changed.
    fn flush_line(&mut self, now: Instant) -> bool {
        let mut not_reading = Vec::new();
        for guest in self.sending.drain(..FLUSH_BATCH.min(self.sending.len())) {
            if let Some(connection) = self.connections.get_mut(&guest) {
                match connection.catch_up(&self.news) {
                    Ok(()) => connection.flush(),
                    Err(overflow) => not_reading.push((guest, overflow)),
                }
            }
        }
        if not_reading.is_empty() {
            return false;
        }
        for (guest, overflow) in not_reading {
            self.drop_not_reading(guest, overflow, now);
        }
        self.carry_out(now, false);
        true
    }

    fn host_line(&mut self, text: &str) {
        // A console that is gone cannot be told; the server still serves its guests
        // until the hang-up or the end of input stops it.
        let _ = writeln!(self.console, "{text}");
    }

    fn shut_down(mut self, stop: Stop) {
        log::info!("shutting down: {stop}");
        self.table.shut_down();
        self.carry_out(Instant::now(), true);
        self.host_line("Server shutting down. Good-bye");
        let _ = self.console.flush();
        self.connections.clear();
        if !self.flushed.wait(Instant::now() + GOODBYE_PATIENCE) {
            log::warn!("some guests were not reading; their good-bye was not sent");
        }
    }
}

/// How long the line's output is held with `guests` connected: [`LINE_DELAY`], or
/// longer if the line would otherwise cost more than [`LINE_SENDS_PER_SECOND`].
fn line_delay(guests: usize) -> Duration {
    let spread = Duration::from_secs_f64(guests as f64 / LINE_SENDS_PER_SECOND as f64);
    spread.max(LINE_DELAY)
}

/// A line for guests, kept while the players are served first.
#[derive(Debug)]
enum Said {
    One(GuestId, Arc<str>),
    /// To everyone in the line as it was when this was said.
    Line(Arc<[GuestId]>, Arc<str>),
}

impl Said {
    fn reaches(&self, guest: GuestId) -> bool {
        match self {
            Said::One(to, _) => *to == guest,
            Said::Line(line, _) => line.contains(&guest),
        }
    }

    fn text(&self) -> &str {
        match self {
            Said::One(_, text) | Said::Line(_, text) => text,
        }
    }
}

/// In debug builds only, `ROSHAMBO_PANIC_ON_BANG=game` (or `=thread`) makes the host's
/// `!` key panic on the game thread (or on a thread of its own), so the tests can prove
/// that a panic anywhere gives the terminal back.
fn fault_injection(key: u8) {
    if !cfg!(debug_assertions) || key != b'!' {
        return;
    }
    match std::env::var("ROSHAMBO_PANIC_ON_BANG").as_deref() {
        Ok("game") => panic!("test panic on the game thread"),
        Ok("thread") => {
            let _ = std::thread::Builder::new()
                .name("doomed".into())
                .spawn(|| panic!("test panic on a thread of its own"));
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_delay_keeps_the_lines_sends_within_budget() {
        assert_eq!(line_delay(0), LINE_DELAY);
        assert_eq!(line_delay(32), LINE_DELAY);
        assert_eq!(line_delay(100), LINE_DELAY);
        assert_eq!(line_delay(500), Duration::from_millis(500));
        for guests in [1, 10, 100, 101, 500, 5000] {
            let sends_per_second = guests as f64 / line_delay(guests).as_secs_f64();
            assert!(
                sends_per_second <= LINE_SENDS_PER_SECOND as f64 + 1e-6,
                "{guests} guests: {sends_per_second} sends a second"
            );
        }
    }
}
