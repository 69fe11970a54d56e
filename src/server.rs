//! The game thread: one `select!` loop that owns the table, the outbox and every
//! guest's connection. Events in, the table, delivery, syscalls out; it never blocks on
//! a guest. What to say and to whom is the [`Table`]'s; what to send when is the
//! [`Outbox`]'s; this loop only carries both out.

use crate::edges::guest::{Flushed, GuestConnection, Lingering};
use crate::edges::logging::GUESTS;
use crate::edges::recorder::{Record, RecorderHandle};
use crate::edges::timer::Timer;
use crate::events::{Departure, Event, StopSignal};
use crossbeam_channel::{select, Receiver, Sender};
use roshambo_core::delivery::{Cause, Notices, Outbox, Route, Transmit};
use roshambo_core::game::happening::Weight;
use roshambo_core::game::{Action, GuestId, Happening, Table, TableSettings};
use roshambo_core::keys::Key;
use roshambo_core::records::HostRecord;
use roshambo_core::telnet;
use std::collections::HashMap;
use std::fmt;
use std::io::{self, Write};
use std::time::{Duration, Instant, SystemTime};

/// How long a shutdown waits for the good-byes to be sent.
const GOODBYE_PATIENCE: Duration = Duration::from_millis(500);

/// How long the last records (the match cut by the shutdown) may take to be written
/// before the server exits without them. A healthy disk takes a millisecond.
const RECORDS_PATIENCE: Duration = Duration::from_secs(2);

/// Why the server stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stop {
    /// The console ended or the host pressed Ctrl-D.
    HostLeft,
    /// The console's output is gone (a broken pipe, a terminal that hung up): the host
    /// can no longer see the game.
    ConsoleGone,
    Signalled(StopSignal),
    /// A thread panicked.
    Panicked,
}

impl Stop {
    /// The process's exit status: 0 when the host asked to stop, non-zero for SIGQUIT
    /// (as a shell reports a death by signal) and for a panic (as Rust does).
    pub fn exit_code(self) -> u8 {
        match self {
            Stop::HostLeft | Stop::ConsoleGone => 0,
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
            Stop::ConsoleGone => f.write_str("the console's output is gone"),
            Stop::Signalled(signal) => write!(f, "{signal}"),
            Stop::Panicked => f.write_str("a thread panicked"),
        }
    }
}

/// The game thread's state: the table, the outbox, the guests' connections and the
/// timer.
#[derive(Debug)]
pub struct Server<W: Write> {
    table: Table,
    outbox: Outbox,
    connections: HashMap<GuestId, GuestConnection>,
    /// Hung-up connections giving their guests time to read the last lines.
    lingering: Lingering,
    /// What guests did that the host hears of, once a minute at most.
    notices: Notices,
    next_guest: u64,
    timer: Timer,
    /// Handed to each guest's reader and writer.
    events: Sender<Event>,
    max_key_rate: u32,
    flushed: Flushed,
    console: W,
    /// Whether the console shows colour; without, the escapes in the table's lines are
    /// taken out before they are written.
    console_colour: bool,
    /// A write to the console failed: it is gone, and the server stops.
    console_gone: bool,
    /// Where matches are recorded, if records are kept.
    recorder: Option<RecorderHandle>,
    /// What the event being handled gives the recorder: sent after the players' output.
    to_record: Vec<Record>,
    /// The house bot holds the host's seat for the run: the end of the console's input
    /// does not stop the server.
    console_optional: bool,
    /// The console's input has ended (and was let pass).
    console_closed: bool,
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
            outbox: Outbox::new(),
            connections: HashMap::new(),
            lingering: Lingering::default(),
            notices: Notices::new(),
            next_guest: 1,
            timer: Timer::spawn(events.clone())?,
            events,
            max_key_rate,
            flushed: Flushed::default(),
            console,
            console_colour: false,
            console_gone: false,
            recorder: None,
            to_record: Vec::new(),
            console_optional: settings.house_bot,
            console_closed: false,
        })
    }

    /// Records every match to `recorder`, and answers the table's questions from it;
    /// `earlier` is the host's figures over the runs recorded before this one.
    pub fn with_records(mut self, recorder: RecorderHandle, earlier: HostRecord) -> Self {
        self.table.set_earlier_runs(earlier);
        self.recorder = Some(recorder);
        self
    }

    /// Shows the table's colours on the console (off unless asked for: see
    /// [`console_shows_colour`]).
    pub fn with_console_colour(mut self, on: bool) -> Self {
        self.console_colour = on;
        self
    }

    /// Plays until something stops the server, then says good-bye to every guest.
    /// `urgent` carries signals and panics, so a flood of guest events cannot delay them.
    pub fn run(mut self, events: Receiver<Event>, urgent: Receiver<Event>) -> Stop {
        let stop = loop {
            // `self.events` keeps `events` open; `urgent` is kept open by its senders
            // for the life of the process (a closed one would always be ready and spin).
            let event = if self.outbox.is_sending_round() {
                select! {
                    recv(urgent) -> event => event,
                    recv(events) -> event => event,
                    default => {
                        self.send_round(Instant::now());
                        self.set_timer();
                        // A key's reader woken onto this CPU would otherwise wait for
                        // the whole queue to be sent before it could run.
                        std::thread::yield_now();
                        continue;
                    }
                }
            } else {
                select! {
                    recv(urgent) -> event => event,
                    recv(events) -> event => event,
                }
            };
            let Ok(event) = event else {
                break Stop::HostLeft;
            };
            let now = Instant::now();
            let host_first = matches!(event, Event::HostPressed { .. });
            // A guest's key, or what their client told (which may bring the name
            // prompt), is answered at once.
            let answering = match event {
                Event::GuestPressed { guest, .. } | Event::GuestTold { guest, .. } => Some(guest),
                _ => None,
            };
            if let Some(stop) = self.handle(event, now) {
                break stop;
            }
            self.carry_out(now, host_first, answering);
            if self.console_gone {
                break Stop::ConsoleGone;
            }
            if self.outbox.is_sending_round() {
                // A steady stream of events must not starve the queue.
                self.send_round(now);
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
            // With the house bot in the seat the console is optional (a server run
            // headless, under systemd or with `</dev/null`): it serves on until a signal.
            Event::HostLeft if self.console_optional => {
                if !std::mem::replace(&mut self.console_closed, true) {
                    log::info!("the console's input ended; the house bot plays on until a signal");
                }
            }
            Event::HostLeft => return Some(Stop::HostLeft),
            Event::GuestConnected { stream, addr } => {
                let guest = GuestId(self.next_guest);
                self.next_guest += 1;
                log::info!("{guest} connected from {addr}");
                self.connections
                    .insert(guest, GuestConnection::new(guest, stream));
                self.outbox.guest_connected(guest, &telnet::GREETING);
                // The table decides first; a guest turned away gets no thread.
                if self.table.guest_arrived(guest, addr, now).is_ok() {
                    let connection = self.connections.get_mut(&guest).expect("just added");
                    if let Err(e) = connection.start_reader(self.events.clone(), self.max_key_rate)
                    {
                        log::warn!(target: GUESTS, "{guest} from {addr} dropped: cannot start its reader: {e}");
                        self.notice(Cause::Fault, now);
                        self.table.guest_left(guest, now);
                    }
                }
            }
            Event::GuestPressed { guest, key } => self.table.guest_pressed(guest, key, now),
            Event::GuestNegotiated { guest, reply } => {
                // Clients wait for these answers: they go out at once.
                self.outbox.send_now(guest, &reply);
                self.table.guest_negotiated(guest);
            }
            Event::GuestTold { guest, told } => self.table.guest_told(guest, told, now),
            Event::GuestTooFast { guest } => self.table.guest_too_fast(guest),
            Event::GuestWritten { guest, bytes } => {
                if self.outbox.handle_written(guest, bytes) {
                    if let Some(connection) = self.connections.get_mut(&guest) {
                        connection.writer_done();
                    }
                }
            }
            Event::GuestLeft { guest, why } => {
                if self.connections.contains_key(&guest) {
                    match why {
                        Departure::Flooded => {
                            log::warn!(target: GUESTS, "{guest} dropped: {why}");
                            self.notice(Cause::Flooding, now);
                        }
                        Departure::Failed => {
                            log::warn!(target: GUESTS, "{guest} dropped: {why}");
                            self.notice(Cause::Fault, now);
                        }
                        _ => log::info!("{guest} left: {why}"),
                    }
                    self.table.guest_left(guest, now);
                }
            }
            Event::ClockFired { epoch } => {
                if self.timer.is_current(epoch) {
                    for line in self.notices.handle_timeout(now) {
                        self.host_line(&line);
                    }
                    self.table.handle_timeout(now);
                    self.outbox.handle_timeout(now);
                    self.lingering.handle_timeout(now);
                }
            }
            Event::Signalled { signal } => return Some(Stop::Signalled(signal)),
            Event::Pausing { done } => {
                self.table.paused();
                self.carry_out(now, false, None);
                // Told: the process may stop now.
                let _ = done.send(());
            }
            Event::Resumed => {
                let status = self.table.status_line();
                self.host_line(&status);
                self.table.resumed(now);
            }
            Event::Panicked => return Some(Stop::Panicked),
            Event::ConsoleGone => return Some(Stop::ConsoleGone),
            Event::AcceptFailed => self.notice(Cause::AcceptFailed, now),
            Event::RecordFound {
                guest,
                name,
                record,
                games,
            } => self.table.guest_record(guest, &name, record, &games, now),
            Event::LeaderboardReady { for_whom, rows } => {
                self.table.leaderboard_ready(for_whom, &rows)
            }
            Event::RecordsFailing { lost } => self.host_line(&format!(
                "Records are not being saved: {lost} lost so far (the log says why). The game goes on."
            )),
        }
        None
    }

    /// Hands the table's actions to the outbox and carries out what it makes ready,
    /// until a round of it cuts nobody (a cut guest is news to the table, which may
    /// say more). `host_first` and `answering` say whose key the event was (see
    /// [`roshambo_core::delivery::Outbox::commit`]).
    fn carry_out(&mut self, now: Instant, host_first: bool, answering: Option<GuestId>) {
        loop {
            while let Some(action) = self.table.poll_action() {
                match action {
                    Action::Log(happening) => {
                        log_happening(&happening);
                        if self.recorder.is_some() {
                            let record = Record::of(&happening, SystemTime::now());
                            self.to_record.extend(record);
                        }
                    }
                    Action::FindRecord { guest, name } => {
                        let name = name.to_string();
                        self.to_record.push(Record::LookUp { guest, name });
                    }
                    Action::ShowLeaderboard { to } => {
                        self.to_record.push(Record::Leaderboard { for_whom: to });
                    }
                    action => self.outbox.handle_action(action),
                }
            }
            self.outbox
                .commit(self.table.playing(), answering, host_first, now);
            if !self.transmit(now) {
                break;
            }
        }
        // Only once the players have been served: a send may wake the recorder.
        if let Some(recorder) = &self.recorder {
            for record in self.to_record.drain(..) {
                recorder.send(record);
            }
        }
        self.to_record.clear();
    }

    /// Sends the next few waiting guests' held output.
    fn send_round(&mut self, now: Instant) {
        self.outbox.send_round(self.table.playing());
        if self.transmit(now) {
            self.carry_out(now, false, None);
        }
    }

    /// Carries out everything the outbox has ready. Returns whether a guest was cut
    /// for not reading (and the table told).
    fn transmit(&mut self, now: Instant) -> bool {
        let mut cut = false;
        while let Some(transmit) = self.outbox.poll_transmit() {
            match transmit {
                Transmit::Console { text, urgent } => {
                    // Most lines have no colour to take out.
                    if self.console_colour || !text.contains('\u{1b}') {
                        self.host_write(text.as_bytes());
                    } else {
                        let plain = anstream::adapter::strip_str(&text).to_string();
                        self.host_write(plain.as_bytes());
                    }
                    if urgent {
                        // Whoever this write wakes may be queued on this CPU.
                        std::thread::yield_now();
                    }
                }
                Transmit::Guest {
                    to,
                    bytes,
                    route,
                    urgent,
                } => {
                    let Some(connection) = self.connections.get_mut(&to) else {
                        continue;
                    };
                    match route {
                        Route::Direct => {
                            let sent = connection.send_now(&bytes);
                            self.outbox.handle_sent(to, bytes, sent);
                        }
                        Route::Writer => {
                            if let Err(e) =
                                connection.hand_to_writer(bytes, &self.events, &self.flushed)
                            {
                                log::warn!(target: GUESTS, "{to} dropped: cannot start its writer: {e}");
                                self.notice(Cause::Fault, now);
                                cut |= self.cut(to, now);
                            }
                        }
                    }
                    if urgent {
                        std::thread::yield_now();
                    }
                }
                Transmit::Hangup { guest } => {
                    self.outbox.guest_gone(guest);
                    if let Some(connection) = self.connections.remove(&guest) {
                        connection.hang_up(&mut self.lingering, now);
                    }
                }
                Transmit::Cut { guest, unsent } => {
                    log::warn!(target: GUESTS, "{guest} dropped: not reading, {unsent} bytes unsent");
                    self.notice(Cause::NotReading, now);
                    cut |= self.cut(guest, now);
                }
            }
        }
        cut
    }

    /// Tells the host what guests did, at most once a minute per cause (the log has
    /// each one).
    fn notice(&mut self, cause: Cause, now: Instant) {
        if let Some(line) = self.notices.record(cause, now) {
            self.host_line(&line);
        }
    }

    /// Cuts a guest's connection now and tells the table they left. Returns whether
    /// they were still connected.
    fn cut(&mut self, guest: GuestId, now: Instant) -> bool {
        self.outbox.guest_gone(guest);
        let Some(connection) = self.connections.remove(&guest) else {
            return false;
        };
        connection.cut();
        self.table.guest_left(guest, now);
        true
    }

    /// Wakes this thread when the table, the queue's output or a lingering hang-up is
    /// next due.
    fn set_timer(&mut self) {
        let next = [
            self.table.poll_timeout(),
            self.outbox.poll_timeout(),
            self.lingering.poll_timeout(),
            self.notices.poll_timeout(),
        ];
        self.timer
            .set(next.into_iter().flatten().min(), Instant::now());
    }

    fn host_line(&mut self, text: &str) {
        self.host_write(format!("{text}\n").as_bytes());
    }

    /// Writes to the console, which never blocks (see [`crate::edges::output`]). A
    /// console that fails is gone: the host can no longer see the game, so the loop
    /// stops as if the console's input had ended.
    fn host_write(&mut self, bytes: &[u8]) {
        let written = self
            .console
            .write_all(bytes)
            .and_then(|()| self.console.flush());
        if written.is_err() {
            self.console_gone = true;
        }
    }

    fn shut_down(mut self, stop: Stop) {
        log::info!("shutting down: {stop}");
        self.table.shut_down();
        self.carry_out(Instant::now(), true, None);
        self.host_line("Server shutting down. Good-bye");
        self.connections.clear();
        if !self.flushed.wait(Instant::now() + GOODBYE_PATIENCE) {
            log::warn!("some guests were not reading; their good-bye was not sent");
        }
        if let Some(recorder) = self.recorder.take() {
            if !recorder.finish(RECORDS_PATIENCE) {
                log::warn!("the records file did not take the last records in time");
            }
        }
    }
}

/// Whether the host's console should show colour: only on a terminal, and as NO_COLOR,
/// CLICOLOR, CLICOLOR_FORCE and TERM say (decided by `anstream`, as most terminal tools
/// decide it).
pub fn console_shows_colour() -> bool {
    anstream::AutoStream::choice(&io::stdout()) != anstream::ColorChoice::Never
}

/// Writes what the table says happened to the log, at the level its weight says; what a
/// guest did wrong goes to the log alone (see [`GUESTS`]).
fn log_happening(happening: &Happening) {
    match happening.weight() {
        Weight::Warning => log::warn!(target: GUESTS, "{happening}"),
        Weight::News => log::info!("{happening}"),
        Weight::Detail => log::debug!("{happening}"),
    }
}

/// In debug builds only, `ROSHAMBO_PANIC_ON_BANG=game` (or `=thread`) makes the host's
/// `!` key panic on the game thread (or on a thread of its own), so the tests can prove
/// that a panic anywhere gives the terminal back.
fn fault_injection(key: Key) {
    if !cfg!(debug_assertions) || key != Key::Char('!') {
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
