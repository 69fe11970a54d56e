//! The game table: the host's seat, the guest playing a best-of-N match against them,
//! the queue of guests waiting their turn, the guest's clock and the host's standings.
//! Pure: no IO and no clock inside. Events come in through methods that take `now`;
//! what to say, whom to close and what to log come out through [`Table::poll_action`],
//! and [`Table::poll_timeout`] says when to call [`Table::handle_timeout`].
//!
//! ```
//! use roshambo_core::game::{Action, GuestId, Recipient, Table, TableSettings};
//! use roshambo_core::keys::Key;
//! use std::time::Instant;
//!
//! let mut table = Table::new(TableSettings::default());
//! let now = Instant::now();
//! table.guest_arrived(GuestId(1), "127.0.0.1:40312".parse().unwrap(), now).unwrap();
//! table.host_pressed(Key::Char('r'), now);
//! table.guest_pressed(GuestId(1), Key::Char('s'), now);
//! let host_saw: Vec<String> = std::iter::from_fn(|| table.poll_action())
//!     .filter_map(|action| match action {
//!         Action::Say { to: Recipient::Host, text } => Some(text.to_string()),
//!         _ => None,
//!     })
//!     .collect();
//! assert_eq!(
//!     host_saw,
//!     [
//!         "Player connected: 127.0.0.1:40312",
//!         "Player 0: r, Player 1: s",
//!         "Player 0 wins!",
//!         "Wins: 1 - 0",
//!         "Overall: 100.00%",
//!         "You 1, guest 0",
//!     ]
//! );
//! ```

use crate::game::admission::{Admission, TurnedAway};
use crate::game::countdown::{ClockSettings, Countdown, Tick};
use crate::game::happening::{Ending, Happening};
use crate::game::hints::{Hints, NETCAT_HINT};
use crate::game::messages;
use crate::game::queue::{place_line, Queue};
use crate::game::rules::{Game, Move, Player, Throw};
use crate::game::standings::Standings;
use crate::game::GuestId;
use crate::keys::Key;
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The key that shows the help, to a guest or to the host, at any time.
const HELP: Key = Key::Char('?');

/// The host's key that sends the playing guest away (Ctrl-K): a control key, so that
/// no slip of a finger does it.
const KICK: Key = Key::Control(0x0b);

/// How the table is run: the match length, the clock and who may come in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TableSettings {
    /// Games in a match (odd): the first to win more than half wins the match.
    pub best_of: u32,
    pub clock: ClockSettings,
    /// Guests connected at once, the playing guest included.
    pub max_guests: usize,
    /// Guests connected at once from one address.
    pub max_per_ip: usize,
    /// How long a client may stay silent on telnet negotiation before it is told how to
    /// play without telnet (netcat sends whole lines).
    pub hint_after: Duration,
    /// Added to a just-seated guest's first clock, so they can read who they play and
    /// how before the countdown starts.
    pub read_time: Duration,
}

impl Default for TableSettings {
    fn default() -> Self {
        TableSettings {
            best_of: 9,
            clock: ClockSettings::default(),
            max_guests: 32,
            max_per_ip: 4,
            hint_after: Duration::from_secs(2),
            read_time: Duration::from_secs(10),
        }
    }
}

/// Who hears a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Recipient {
    Host,
    Guest(GuestId),
}

/// What the table asks of the edges.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Say one line to one recipient. Lines said to many share one allocation.
    Say { to: Recipient, text: Arc<str> },
    /// Say one line to everyone who was waiting in the queue when it was said, in their
    /// order. One action however long the queue, so that a queue of hundreds never comes
    /// between a key and the players' result.
    SayToQueue {
        queue: Arc<[GuestId]>,
        text: Arc<str>,
    },
    /// Close the guest's connection once everything said to them has been sent.
    Close { guest: GuestId },
    /// Write this to the log.
    Log(Happening),
}

/// Where a guest is, from arrival to departure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stage {
    /// In the queue (their place is their position in [`Table::queue`]).
    Waiting,
    /// In the seat, playing [`Table::bout`].
    Playing,
}

/// A guest the table let in.
#[derive(Clone, Copy, Debug)]
struct Guest {
    addr: SocketAddr,
    stage: Stage,
}

/// The match being played, and against whom.
#[derive(Debug)]
struct Bout {
    guest: GuestId,
    addr: SocketAddr,
    game: Game,
    wins: [u32; 2],
    /// Running while the table waits for the guest's move.
    clock: Option<Countdown>,
    /// The clock has started counting aloud: its first number came with a line saying
    /// what the numbers mean.
    counting: bool,
    /// The host stopped the server (Ctrl-Z); the clock waits for them.
    paused: bool,
}

impl Bout {
    /// Starts the guest's clock again for the next game.
    fn restart_clock(&mut self, now: Instant, settings: ClockSettings) {
        self.clock = Some(Countdown::start(now, settings));
        self.counting = false;
    }
}

/// The whole game's state. Owned by the game thread; every method returns at once.
///
/// Each guest's state is in [`Table::guests`]; the other parts say where the table
/// stands with them: the seat's match, the queue's order, the admission's counts and the
/// hints' deadlines. A guest comes in through [`Table::guest_arrived`] and goes out
/// through one place, [`Table::forget`].
#[derive(Debug)]
pub struct Table {
    settings: TableSettings,
    guests: HashMap<GuestId, Guest>,
    bout: Option<Bout>,
    queue: Queue,
    admission: Admission,
    hints: Hints,
    standings: Standings,
    actions: VecDeque<Action>,
}

impl Table {
    pub fn new(settings: TableSettings) -> Table {
        Table {
            settings,
            guests: HashMap::new(),
            bout: None,
            queue: Queue::default(),
            admission: Admission::new(settings.max_guests, settings.max_per_ip),
            hints: Hints::new(settings.hint_after),
            standings: Standings::default(),
            actions: VecDeque::new(),
        }
    }

    /// The next thing for the edges to do, in the order it must be done.
    pub fn poll_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    /// When [`Table::handle_timeout`] must next be called; `None` while nothing is
    /// timed.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let clock = self.bout.as_ref().and_then(|b| b.clock?.poll_timeout());
        [clock, self.hints.poll_timeout()]
            .into_iter()
            .flatten()
            .min()
    }

    /// Guests connected: the playing guest and those in the queue.
    pub fn guests(&self) -> usize {
        self.guests.len()
    }

    /// Someone connected from `addr`: seat them, put them in the queue, or turn them
    /// away (they are told why and closed). Decided before anything is spent on them:
    /// the caller starts their reader only once they are let in.
    pub fn guest_arrived(
        &mut self,
        guest: GuestId,
        addr: SocketAddr,
        now: Instant,
    ) -> Result<(), TurnedAway> {
        if let Err(why) = self.admission.admit(addr.ip()) {
            self.log(Happening::TurnedAway { guest, addr, why });
            self.say(Recipient::Guest(guest), why.to_string());
            self.actions.push_back(Action::Close { guest });
            return Err(why);
        }
        self.hints.arrived(guest, now);
        if self.bout.is_none() {
            self.seat(guest, addr, now);
            return Ok(());
        }
        self.guests.insert(
            guest,
            Guest {
                addr,
                stage: Stage::Waiting,
            },
        );
        let place = self.queue.join(guest);
        self.log(Happening::Queued { guest, addr, place });
        let to = Recipient::Guest(guest);
        self.say(
            to,
            "Welcome! A match is in progress; you play next when your turn comes.",
        );
        self.say(to, place_line(place));
        if let Some(bout) = &self.bout {
            self.say(to, messages::now_playing(&bout.addr.to_string()));
        }
        self.say(to, "Press ? for help while you wait.");
        self.say(
            Recipient::Host,
            format!("Guest waiting: {addr} (number {place} in line)"),
        );
        Ok(())
    }

    /// The guest's client answered telnet negotiation: no need for the netcat hint.
    pub fn guest_negotiated(&mut self, guest: GuestId) {
        // Its deadline goes too, so that the timer is not woken for nothing.
        self.hints.cancel(guest);
    }

    /// The guest's telnet client told what it is (its terminal type) or who it is for
    /// (the user name `telnet -l` gives). Only logged for now: naming guests, and colour
    /// for terminals that show it, will be built on it.
    pub fn guest_told(&mut self, guest: GuestId, told: crate::telnet::Told, _now: Instant) {
        if self.guests.contains_key(&guest) {
            self.log(Happening::Told { guest, told });
        }
    }

    /// The guest typed faster than a person can; their keys are being dropped.
    pub fn guest_too_fast(&mut self, guest: GuestId) {
        if self.guests.contains_key(&guest) {
            self.log(Happening::WarnedTooFast { guest });
            self.say(
                Recipient::Guest(guest),
                "Slow down: that is faster than anyone types. Keep it up and you will be disconnected.",
            );
        }
    }

    /// The host pressed a key on the console.
    pub fn host_pressed(&mut self, key: Key, now: Instant) {
        if key == HELP {
            self.help(Recipient::Host, Player::Host);
        } else if key == KICK && self.bout.is_some() {
            let guest = self.playing().expect("a bout has a guest");
            self.say(Recipient::Guest(guest), messages::KICKED);
            self.end_match(Ending::Kicked, now);
        } else if self.bout.is_some() {
            self.play(Player::Host, key, now);
        } else {
            self.say(
                Recipient::Host,
                "No guest yet: keys count once a guest connects.",
            );
        }
    }

    /// A guest typed a key.
    pub fn guest_pressed(&mut self, guest: GuestId, key: Key, now: Instant) {
        let stage = self.guests.get(&guest).map(|g| g.stage);
        if key == HELP && stage.is_some() {
            self.help(Recipient::Guest(guest), Player::Guest);
        }
        match stage {
            Some(Stage::Playing) if key == HELP => {}
            Some(Stage::Playing) => self.play(Player::Guest, key, now),
            Some(Stage::Waiting) => {
                if let Some(place) = self.queue.place_of(guest) {
                    self.say(Recipient::Guest(guest), place_line(place));
                }
            }
            None => {}
        }
    }

    /// A guest's connection ended, or the server dropped them.
    pub fn guest_left(&mut self, guest: GuestId, now: Instant) {
        match self.guests.get(&guest).map(|g| g.stage) {
            Some(Stage::Playing) => {
                self.say(Recipient::Host, "Opponent disconnected.");
                self.end_match(Ending::GuestLeft, now);
            }
            Some(Stage::Waiting) => {
                self.log(Happening::LeftQueue { guest });
                self.actions.push_back(Action::Close { guest });
                self.forget(guest);
            }
            None => {}
        }
    }

    /// Lets the clock and the hints speak: call when [`Table::poll_timeout`] has passed.
    pub fn handle_timeout(&mut self, now: Instant) {
        while let Some(guest) = self.hints.poll_due(now) {
            self.say(Recipient::Guest(guest), NETCAT_HINT);
        }
        while let Some(tick) = self
            .bout
            .as_mut()
            .and_then(|b| b.clock.as_mut()?.poll_tick(now))
        {
            let bout = self.bout.as_mut().expect("a clock is only in a bout");
            let guest = bout.guest;
            match tick {
                Tick::Say(n) => {
                    if !std::mem::replace(&mut bout.counting, true) {
                        self.say(Recipient::Guest(guest), messages::countdown_starts(n));
                    }
                    self.say(Recipient::Guest(guest), n.to_string());
                }
                Tick::TimedOut => {
                    self.say_to_players("Timed out. Good-bye");
                    self.end_match(Ending::TimedOut, now);
                }
            }
        }
    }

    /// The server is stopping: every guest is told and closed, and the host hears how
    /// the match in play ended and how the whole session went.
    pub fn shut_down(&mut self) {
        if let Some(bout) = &self.bout {
            let line = messages::match_summary(&bout.addr.to_string(), Ending::ShutDown, bout.wins);
            let happening = Happening::MatchOver {
                guest: bout.guest,
                addr: bout.addr,
                ending: Ending::ShutDown,
                wins: bout.wins,
            };
            self.say(Recipient::Host, line);
            self.log(happening);
            self.standings.record_match(None);
        }
        let session = self.standings.session_line();
        self.say(Recipient::Host, session);
        let guests: Vec<GuestId> = self
            .playing()
            .into_iter()
            .chain(self.queue.iter())
            .collect();
        let goodbye: Arc<str> = Arc::from("Server shutting down. Good-bye");
        for guest in guests {
            self.actions.push_back(Action::Say {
                to: Recipient::Guest(guest),
                text: goodbye.clone(),
            });
            self.actions.push_back(Action::Close { guest });
        }
        self.guests.clear();
        self.bout = None;
        self.queue.clear();
        self.admission.clear();
        self.hints.clear();
    }

    /// The host stopped the server (Ctrl-Z): the playing guest is told, and their clock
    /// stops until [`Table::resumed`].
    pub fn paused(&mut self) {
        let Some(bout) = self.bout.as_mut() else {
            return;
        };
        bout.clock = None;
        bout.paused = true;
        let guest = bout.guest;
        self.say(Recipient::Guest(guest), messages::PAUSED);
    }

    /// The host continued the server (`fg`): the game goes on, with a fresh clock.
    pub fn resumed(&mut self, now: Instant) {
        let clock = self.settings.clock;
        let Some(bout) = self.bout.as_mut().filter(|b| b.paused) else {
            return;
        };
        bout.paused = false;
        let guest = bout.guest;
        if !bout.game.has_moved(Player::Guest) {
            bout.restart_clock(now, clock);
        }
        self.say(Recipient::Guest(guest), messages::RESUMED);
    }

    /// One line for the host about where things stand, e.g. after `fg`.
    pub fn status_line(&self) -> String {
        let waiting = match self.queue.len() {
            0 => String::new(),
            n => format!(", {n} waiting in line"),
        };
        match &self.bout {
            Some(b) => format!(
                "Playing against {}: Wins: {} - {}{waiting}",
                b.addr, b.wins[0], b.wins[1]
            ),
            None => "Waiting for a guest to connect".to_string(),
        }
    }

    /// The guest now playing, if any.
    pub fn playing(&self) -> Option<GuestId> {
        self.bout.as_ref().map(|b| b.guest)
    }

    /// A waiting guest's place in the queue, counting from 1.
    pub fn place_in_queue(&self, guest: GuestId) -> Option<usize> {
        self.queue.place_of(guest)
    }

    fn seat(&mut self, guest: GuestId, addr: SocketAddr, now: Instant) {
        self.guests.insert(
            guest,
            Guest {
                addr,
                stage: Stage::Playing,
            },
        );
        self.log(Happening::Seated { guest, addr });
        self.say(Recipient::Host, format!("Player connected: {addr}"));
        let to = Recipient::Guest(guest);
        self.say(to, "Welcome to the game");
        self.say(to, messages::WHO_YOU_ARE);
        self.say(to, messages::KEYS);
        self.say(
            to,
            messages::match_rules(self.settings.best_of, self.settings.clock.timeout),
        );
        self.say(to, messages::YOUR_MOVE);
        self.say_to_queue(messages::now_playing(&addr.to_string()));
        // The first clock of a match leaves time to read all that.
        let first = ClockSettings {
            timeout: self.settings.clock.timeout + self.settings.read_time,
            ..self.settings.clock
        };
        self.bout = Some(Bout {
            guest,
            addr,
            game: Game::default(),
            wins: [0, 0],
            clock: Some(Countdown::start(now, first)),
            counting: false,
            paused: false,
        });
    }

    /// The help, to whoever pressed `?`, and a waiting guest's place.
    fn help(&mut self, to: Recipient, player: Player) {
        for line in messages::help(player, self.settings.best_of, self.settings.clock.timeout) {
            self.say(to, line);
        }
    }

    fn play(&mut self, player: Player, key: Key, now: Instant) {
        let Some(bout) = self.bout.as_mut() else {
            return;
        };
        if key == Key::Enter {
            // Enter is never a move, and never a mistake either.
            return;
        }
        let (to, other) = match player {
            Player::Host => (Recipient::Host, Player::Guest),
            Player::Guest => (Recipient::Guest(bout.guest), Player::Host),
        };
        let Some(choice) = Move::from_key(key) else {
            self.say(to, "Invalid key");
            self.say(to, messages::KEYS);
            return;
        };
        if player == Player::Guest {
            bout.clock = None;
        }
        let waiting_for_other = !bout.game.has_moved(other);
        let throw = bout.game.choose(player, choice);
        // The guest is told their move and whom they wait for; the host, at their own
        // keyboard, sees what they pressed and needs no word of it, only of the guest.
        if player == Player::Guest {
            self.say(to, messages::you_chose(choice));
            if waiting_for_other {
                self.say(to, "Waiting for the host's move.");
                // Never which move: the host could still change theirs.
                self.say(Recipient::Host, "The guest has moved.");
            }
        }
        if let Some(throw) = throw {
            self.announce(throw, now);
        }
    }

    fn announce(&mut self, throw: Throw, now: Instant) {
        self.say_to_table(format!(
            "Player 0: {}, Player 1: {}",
            throw.host, throw.guest
        ));
        let clock = self.settings.clock;
        let bout = self.bout.as_mut().expect("a throw is only made in a bout");
        let Some(winner) = throw.winner() else {
            bout.restart_clock(now, clock);
            let (guest, addr) = (bout.guest, bout.addr);
            self.standings.record_tie();
            self.log(Happening::GameTied { guest, addr, throw });
            self.say_to_table(messages::TIE.to_string());
            self.say(Recipient::Guest(guest), messages::YOUR_MOVE);
            return;
        };
        bout.wins[winner.number()] += 1;
        let (guest, addr, wins) = (bout.guest, bout.addr, bout.wins);
        self.log(Happening::GameDecided {
            guest,
            addr,
            throw,
            winner,
            wins,
        });
        self.standings.record(winner);
        self.say_to_table(format!("{winner} wins!"));
        self.say_to_table(format!("Wins: {} - {}", wins[0], wins[1]));
        self.say(Recipient::Host, self.standings.overall_line());
        self.say(Recipient::Host, messages::score_for(Player::Host, wins));
        self.say(
            Recipient::Guest(guest),
            messages::score_for(Player::Guest, wins),
        );
        if wins.iter().any(|&w| w > self.settings.best_of / 2) {
            self.standings.record_match(Some(winner));
            self.say_to_table(messages::match_won(winner, wins));
            self.say_to_players("Thank you for playing!");
            self.end_match(Ending::Won, now);
        } else if let Some(bout) = self.bout.as_mut() {
            bout.restart_clock(now, clock);
            self.say(Recipient::Guest(guest), messages::YOUR_MOVE);
        }
    }

    fn end_match(&mut self, ending: Ending, now: Instant) {
        let Some(bout) = self.bout.take() else { return };
        if ending != Ending::Won {
            self.standings.record_match(None);
        }
        self.say(
            Recipient::Host,
            messages::match_summary(&bout.addr.to_string(), ending, bout.wins),
        );
        self.log(Happening::MatchOver {
            guest: bout.guest,
            addr: bout.addr,
            ending,
            wins: bout.wins,
        });
        self.forget(bout.guest);
        self.actions.push_back(Action::Close { guest: bout.guest });
        if let Some(next) = self.queue.next_up() {
            let addr = self.guests[&next].addr;
            self.seat(next, addr, now);
            self.tell_places(1);
        }
    }

    /// Tells everyone in the queue from `place` on their new place.
    fn tell_places(&mut self, place: usize) {
        let moved: Vec<(usize, GuestId)> = self.queue.from_place(place).collect();
        for (place, guest) in moved {
            self.say(Recipient::Guest(guest), place_line(place));
        }
    }

    /// The one way out: `guest` is no longer at the table, in the queue or due a hint,
    /// and their place and their address's share are free.
    fn forget(&mut self, guest: GuestId) {
        let Some(gone) = self.guests.remove(&guest) else {
            return;
        };
        self.hints.cancel(guest);
        self.admission.release(gone.addr.ip());
        if gone.stage == Stage::Waiting {
            if let Some(place) = self.queue.leave(guest) {
                self.tell_places(place);
            }
        }
    }

    fn log(&mut self, happening: Happening) {
        self.actions.push_back(Action::Log(happening));
    }

    fn say(&mut self, to: Recipient, text: impl Into<Arc<str>>) {
        self.actions.push_back(Action::Say {
            to,
            text: text.into(),
        });
    }

    /// The host and the playing guest.
    fn say_to_players(&mut self, text: impl Into<Arc<str>>) {
        let text = text.into();
        self.actions.push_back(Action::Say {
            to: Recipient::Host,
            text: text.clone(),
        });
        if let Some(guest) = self.playing() {
            self.actions.push_back(Action::Say {
                to: Recipient::Guest(guest),
                text,
            });
        }
    }

    /// The players and everyone watching from the queue.
    fn say_to_table(&mut self, text: String) {
        let text: Arc<str> = Arc::from(text);
        self.say_to_players(text.clone());
        self.say_to_queue(text);
    }

    /// Everyone waiting in the queue, if anyone is.
    fn say_to_queue(&mut self, text: impl Into<Arc<str>>) {
        if !self.queue.is_empty() {
            let queue = self.queue.snapshot();
            let text = text.into();
            self.actions.push_back(Action::SayToQueue { queue, text });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::game::happening::Weight;

    const HOST: Recipient = Recipient::Host;

    fn addr(last: u8, port: u16) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, last], port))
    }

    fn guest(n: u64) -> GuestId {
        GuestId(n)
    }

    fn to(n: u64) -> Recipient {
        Recipient::Guest(guest(n))
    }

    /// The defaults, with no reading time added to a new guest's first clock: the
    /// clock's own schedule is what these tests check.
    fn quick() -> TableSettings {
        TableSettings {
            read_time: Duration::ZERO,
            ..TableSettings::default()
        }
    }

    /// The seed's lines (see [`messages::is_seed_line`]), the server's good-bye and
    /// closes.
    fn seed_line(text: &str) -> bool {
        messages::is_seed_line(text)
            || text == "<close>"
            || text == "Server shutting down. Good-bye"
    }

    /// A table with a fixed start time and helpers to read what it said.
    struct Harness {
        table: Table,
        start: Instant,
    }

    impl Harness {
        fn new(settings: TableSettings) -> Harness {
            Harness {
                table: Table::new(settings),
                start: Instant::now(),
            }
        }

        fn at(&self, secs: f64) -> Instant {
            self.start + Duration::from_secs_f64(secs)
        }

        /// Drains the actions as `(recipient, text)`; closes read as `(recipient, "<close>")`.
        fn said(&mut self) -> Vec<(Recipient, String)> {
            std::iter::from_fn(|| self.table.poll_action())
                .flat_map(|action| match action {
                    Action::Say { to, text } => vec![(to, text.to_string())],
                    Action::SayToQueue { queue, text } => queue
                        .iter()
                        .map(|&guest| (Recipient::Guest(guest), text.to_string()))
                        .collect(),
                    Action::Close { guest } => {
                        vec![(Recipient::Guest(guest), "<close>".to_string())]
                    }
                    Action::Log(_) => vec![],
                })
                .collect()
        }

        /// As [`Harness::said`], keeping only the seed's lines.
        fn seed_said(&mut self) -> Vec<(Recipient, String)> {
            self.said()
                .into_iter()
                .filter(|(_, text)| seed_line(text))
                .collect()
        }

        /// Drains the actions, keeping only what the table logged.
        fn logged(&mut self) -> Vec<Happening> {
            std::iter::from_fn(|| self.table.poll_action())
                .filter_map(|action| match action {
                    Action::Log(happening) => Some(happening),
                    _ => None,
                })
                .collect()
        }

        fn keys(&mut self, keys: &[(Recipient, u8)]) {
            let now = self.at(0.0);
            for &(who, key) in keys {
                let key = Key::Char(char::from(key));
                match who {
                    Recipient::Host => self.table.host_pressed(key, now),
                    Recipient::Guest(g) => self.table.guest_pressed(g, key, now),
                }
            }
        }
    }

    fn lines(list: &[(Recipient, &str)]) -> Vec<(Recipient, String)> {
        list.iter()
            .map(|&(to, text)| (to, text.to_string()))
            .collect()
    }

    /// The seed's transcript, where `all` went to both players.
    fn both(text: &str, guest_id: u64) -> [(Recipient, String); 2] {
        [(HOST, text.to_string()), (to(guest_id), text.to_string())]
    }

    #[test]
    fn the_seeds_transcript_of_ernie_and_bert() {
        let mut h = Harness::new(quick());
        let (ernie, bert) = (addr(1, 1001), addr(2, 1002));
        let now = h.at(0.0);

        let _ = h.table.guest_arrived(guest(1), ernie, now);
        assert_eq!(
            h.seed_said(),
            lines(&[
                (HOST, "Player connected: 127.0.0.1:1001"),
                (to(1), "Welcome to the game")
            ])
        );

        h.keys(&[(HOST, b'r')]);
        assert_eq!(h.seed_said(), []);
        h.keys(&[(to(1), b's')]);
        let mut expected = Vec::new();
        expected.extend(both("Player 0: r, Player 1: s", 1));
        expected.extend(both("Player 0 wins!", 1));
        expected.extend(both("Wins: 1 - 0", 1));
        expected.push((HOST, "Overall: 100.00%".to_string()));
        assert_eq!(h.seed_said(), expected);

        h.table.guest_left(guest(1), now);
        assert_eq!(
            h.seed_said(),
            lines(&[(HOST, "Opponent disconnected."), (to(1), "<close>")])
        );

        let _ = h.table.guest_arrived(guest(2), bert, now);
        assert_eq!(
            h.seed_said(),
            lines(&[
                (HOST, "Player connected: 127.0.0.2:1002"),
                (to(2), "Welcome to the game")
            ])
        );
        h.keys(&[(to(2), b'x')]);
        assert_eq!(h.seed_said(), lines(&[(to(2), "Invalid key")]));
        h.keys(&[(to(2), b'p')]);
        assert_eq!(h.seed_said(), []);
        h.keys(&[(HOST, b'r')]);
        let mut expected = Vec::new();
        expected.extend(both("Player 0: r, Player 1: p", 2));
        expected.extend(both("Player 1 wins!", 2));
        expected.extend(both("Wins: 0 - 1", 2));
        expected.push((HOST, "Overall: 50.00%".to_string()));
        assert_eq!(h.seed_said(), expected);

        let mut expected = Vec::new();
        for (wins, overall) in [
            (1, "66.67"),
            (2, "75.00"),
            (3, "80.00"),
            (4, "83.33"),
            (5, "85.71"),
        ] {
            expected.extend(both("Player 0: s, Player 1: p", 2));
            expected.extend(both("Player 0 wins!", 2));
            expected.extend(both(&format!("Wins: {wins} - 1"), 2));
            expected.push((HOST, format!("Overall: {overall}%")));
        }
        expected.extend(both("Thank you for playing!", 2));
        expected.push((to(2), "<close>".to_string()));
        for _ in 0..5 {
            h.keys(&[(HOST, b's'), (to(2), b'p')]);
        }
        assert_eq!(h.seed_said(), expected);
        assert_eq!(h.table.playing(), None, "back to waiting");
    }

    #[test]
    fn a_tie_counts_for_nobody_and_restarts_the_clock() {
        let mut h = Harness::new(quick());
        let _ = h.table.guest_arrived(guest(1), addr(1, 1), h.at(0.0));
        h.said();
        h.table.guest_pressed(guest(1), Key::Char('r'), h.at(4.0));
        assert_eq!(
            h.table.poll_timeout(),
            Some(h.at(2.0)),
            "only the netcat hint is timed"
        );
        h.table.host_pressed(Key::Char('r'), h.at(6.0));
        let said = h.said();
        let seed: Vec<_> = said.iter().filter(|(_, t)| seed_line(t)).cloned().collect();
        assert_eq!(seed, both("Player 0: r, Player 1: r", 1));
        for line in both(messages::TIE, 1) {
            assert!(said.contains(&line), "the tie gets its own line: {said:?}");
        }
        h.table.guest_negotiated(guest(1));
        h.table.handle_timeout(h.at(6.0));
        h.said();
        assert_eq!(
            h.table.poll_timeout(),
            Some(h.at(11.0)),
            "5 s of silence from the tie on"
        );
    }

    #[test]
    fn the_host_alone_gets_a_hint_and_no_game() {
        let mut h = Harness::new(quick());
        h.keys(&[(HOST, b'r')]);
        let said = h.said();
        assert_eq!(said.len(), 1);
        assert_eq!(said[0].0, HOST);
        assert!(said[0].1.contains("No guest"), "{said:?}");
    }

    #[test]
    fn the_host_may_change_their_move_until_the_guest_moves() {
        let mut h = Harness::new(quick());
        let _ = h.table.guest_arrived(guest(1), addr(1, 1), h.at(0.0));
        h.said();
        h.keys(&[(HOST, b'r'), (HOST, b'q'), (HOST, b'p'), (to(1), b'r')]);
        let said = h.seed_said();
        assert_eq!(said[0], (HOST, "Invalid key".to_string()));
        assert_eq!(said[1], (HOST, "Player 0: p, Player 1: r".to_string()));
    }

    #[test]
    fn a_silent_guest_hears_the_countdown_then_times_out() {
        let settings = TableSettings {
            clock: ClockSettings {
                timeout: Duration::from_secs(10),
                count_from: 3,
            },
            ..quick()
        };
        let mut h = Harness::new(settings);
        let _ = h.table.guest_arrived(guest(1), addr(1, 1), h.at(0.0));
        h.table.guest_negotiated(guest(1));
        h.said();
        let mut heard = Vec::new();
        while let Some(due) = h.table.poll_timeout() {
            h.table.handle_timeout(due);
            heard.extend(
                h.said()
                    .into_iter()
                    .map(|(to, text)| (due.duration_since(h.start).as_secs(), to, text)),
            );
        }
        let expected: Vec<(u64, Recipient, String)> = [
            (7, to(1), "Your move, please: 3 seconds left"),
            (7, to(1), "3"),
            (8, to(1), "2"),
            (9, to(1), "1"),
            (10, HOST, "Timed out. Good-bye"),
            (10, to(1), "Timed out. Good-bye"),
            (10, HOST, "Match over: 127.0.0.1:1 timed out at 0-0"),
            (10, to(1), "<close>"),
        ]
        .into_iter()
        .map(|(s, to, text)| (s, to, text.to_string()))
        .collect();
        assert_eq!(heard, expected);
        assert_eq!(h.table.playing(), None);
    }

    #[test]
    fn a_valid_move_stops_the_clock_and_an_invalid_one_does_not() {
        let mut h = Harness::new(quick());
        let _ = h.table.guest_arrived(guest(1), addr(1, 1), h.at(0.0));
        h.table.guest_negotiated(guest(1));
        h.table.guest_pressed(guest(1), Key::Char('x'), h.at(1.0));
        assert_eq!(h.table.poll_timeout(), Some(h.at(5.0)));
        h.table.guest_pressed(guest(1), Key::Char('p'), h.at(1.0));
        assert_eq!(h.table.poll_timeout(), None);
    }

    #[test]
    fn a_netcat_guest_gets_a_hint_after_two_seconds_and_a_telnet_guest_does_not() {
        let mut h = Harness::new(quick());
        let _ = h.table.guest_arrived(guest(1), addr(1, 1), h.at(0.0));
        let _ = h.table.guest_arrived(guest(2), addr(2, 2), h.at(0.5));
        h.table.guest_negotiated(guest(2));
        h.said();
        h.table.handle_timeout(h.at(1.9));
        assert_eq!(h.said(), []);
        h.table.handle_timeout(h.at(2.0));
        let said = h.said();
        assert_eq!(said.len(), 1);
        assert_eq!(said[0].0, to(1));
        assert!(said[0].1.contains("Type r, p or s and press Enter"));
        h.table.handle_timeout(h.at(3.0));
        assert_eq!(h.said(), [], "once only, and not to the telnet guest");
    }

    #[test]
    fn a_guest_who_negotiates_leaves_nothing_timed_but_the_clock() {
        let mut h = Harness::new(quick());
        let _ = h.table.guest_arrived(guest(1), addr(1, 1), h.at(0.0));
        h.table.guest_pressed(guest(1), Key::Char('r'), h.at(0.1));
        assert_eq!(h.table.poll_timeout(), Some(h.at(2.0)), "the hint is due");
        h.table.guest_negotiated(guest(1));
        assert_eq!(
            h.table.poll_timeout(),
            None,
            "nothing wakes the timer mid-move"
        );
    }

    #[test]
    fn guests_wait_in_line_watch_the_games_and_move_up() {
        let mut h = Harness::new(quick());
        let now = h.at(0.0);
        for n in 1..=4 {
            let _ = h.table.guest_arrived(guest(n), addr(n as u8, 1), now);
        }
        let said = h.said();
        assert!(said.contains(&(to(2), "You are number 1 in line".to_string())));
        assert!(said.contains(&(to(4), "You are number 3 in line".to_string())));
        assert!(said.contains(&(
            HOST,
            "Guest waiting: 127.0.0.4:1 (number 3 in line)".to_string()
        )));

        // The waiting guests see the result lines, the host's standing stays private.
        h.keys(&[(HOST, b'r'), (to(1), b's')]);
        let said = h.said();
        for n in 2..=4 {
            assert!(said.contains(&(to(n), "Player 0: r, Player 1: s".to_string())));
            assert!(said.contains(&(to(n), "Wins: 1 - 0".to_string())));
            assert!(!said
                .iter()
                .any(|(who, text)| *who == to(n) && text.starts_with("Overall")));
        }

        // Someone leaves from the middle: only those behind them move up.
        h.table.guest_left(guest(3), now);
        assert_eq!(
            h.said(),
            lines(&[(to(3), "<close>"), (to(4), "You are number 2 in line")])
        );

        // The match ends: the next guest plays at once, the rest move up.
        h.table.guest_left(guest(1), now);
        assert_eq!(
            h.said(),
            lines(&[
                (HOST, "Opponent disconnected."),
                (HOST, "Match over: 127.0.0.1:1 left at 1-0"),
                (to(1), "<close>"),
                (HOST, "Player connected: 127.0.0.2:1"),
                (to(2), "Welcome to the game"),
                (to(2), messages::WHO_YOU_ARE),
                (to(2), messages::KEYS),
                (
                    to(2),
                    "Best of 9: first to 5 wins. 10 seconds for each move."
                ),
                (to(2), messages::YOUR_MOVE),
                (to(4), "Now playing: the host against 127.0.0.2:1"),
                (to(4), "You are number 1 in line"),
            ])
        );
        assert_eq!(h.table.playing(), Some(guest(2)));
        h.keys(&[(to(4), b'r')]);
        assert_eq!(
            h.said(),
            lines(&[(to(4), "You are number 1 in line")]),
            "a waiting guest's key tells their place"
        );
    }

    #[test]
    fn a_timed_out_guest_makes_way_for_the_next() {
        let mut h = Harness::new(quick());
        let _ = h.table.guest_arrived(guest(1), addr(1, 1), h.at(0.0));
        let _ = h.table.guest_arrived(guest(2), addr(2, 1), h.at(0.0));
        h.said();
        h.table.handle_timeout(h.at(10.0));
        let said = h.said();
        let close = said
            .iter()
            .position(|l| *l == (to(1), "<close>".to_string()))
            .unwrap();
        assert_eq!(said[close + 2], (to(2), "Welcome to the game".to_string()));
        assert_eq!(
            h.table.poll_timeout(),
            Some(h.at(15.0)),
            "the new guest's clock runs"
        );
    }

    #[test]
    fn the_server_full_and_too_many_from_one_address_are_turned_away() {
        let settings = TableSettings {
            max_guests: 3,
            max_per_ip: 2,
            ..quick()
        };
        let mut h = Harness::new(settings);
        let now = h.at(0.0);
        let _ = h.table.guest_arrived(guest(1), addr(1, 1), now);
        let _ = h.table.guest_arrived(guest(2), addr(1, 2), now);
        h.said();
        assert_eq!(
            h.table.guest_arrived(guest(3), addr(1, 3), now),
            Err(TurnedAway::TooManyFromAddress { connected: 2 }),
            "decided before anything is spent on them"
        );
        let said = h.said();
        assert!(
            said[0].1.contains("too many connections from your address"),
            "{said:?}"
        );
        assert_eq!(said[1], (to(3), "<close>".to_string()));
        let _ = h.table.guest_arrived(guest(4), addr(2, 1), now);
        let _ = h.table.guest_arrived(guest(5), addr(3, 1), now);
        let said = h.said();
        assert!(
            said.iter()
                .any(|(who, text)| *who == to(5) && text.contains("full")),
            "{said:?}"
        );
        assert_eq!(h.table.guests(), 3);
        // Leaving frees both the place and the address's share.
        h.table.guest_left(guest(2), now);
        h.said();
        let _ = h.table.guest_arrived(guest(6), addr(1, 4), now);
        assert_eq!(h.table.place_in_queue(guest(6)), Some(2));
    }

    #[test]
    fn turned_away_guests_are_not_counted() {
        let settings = TableSettings {
            max_guests: 1,
            ..quick()
        };
        let mut h = Harness::new(settings);
        for n in 1..=50 {
            let _ = h
                .table
                .guest_arrived(guest(n), addr(1, n as u16), h.at(0.0));
        }
        assert_eq!(h.table.guests(), 1);
        h.table.guest_left(guest(1), h.at(0.0));
        let _ = h.table.guest_arrived(guest(51), addr(1, 51), h.at(0.0));
        assert_eq!(h.table.playing(), Some(guest(51)));
    }

    #[test]
    fn a_flooding_guest_is_warned() {
        let mut h = Harness::new(quick());
        let _ = h.table.guest_arrived(guest(1), addr(1, 1), h.at(0.0));
        h.said();
        h.table.guest_too_fast(guest(1));
        let said = h.said();
        assert_eq!(said.len(), 1);
        assert!(said[0].1.starts_with("Slow down"));
        h.table.guest_too_fast(guest(9));
        assert_eq!(h.said(), [], "nobody to warn");
    }

    #[test]
    fn shutting_down_says_good_bye_to_every_guest_and_closes_them() {
        let mut h = Harness::new(quick());
        for n in 1..=3 {
            let _ = h.table.guest_arrived(guest(n), addr(n as u8, 1), h.at(0.0));
        }
        h.said();
        h.table.shut_down();
        let said = h.said();
        for n in 1..=3 {
            let i = said
                .iter()
                .position(|l| *l == (to(n), "Server shutting down. Good-bye".to_string()))
                .unwrap();
            assert_eq!(said[i + 1], (to(n), "<close>".to_string()));
        }
        assert_eq!(h.table.guests(), 0);
        assert_eq!(h.table.poll_timeout(), None);
    }

    #[test]
    fn the_status_line_tells_the_host_where_things_stand() {
        let mut h = Harness::new(quick());
        assert_eq!(h.table.status_line(), "Waiting for a guest to connect");
        let _ = h.table.guest_arrived(guest(1), addr(1, 7), h.at(0.0));
        let _ = h.table.guest_arrived(guest(2), addr(2, 7), h.at(0.0));
        h.keys(&[(HOST, b'p'), (to(1), b'r')]);
        assert_eq!(
            h.table.status_line(),
            "Playing against 127.0.0.1:7: Wins: 1 - 0, 1 waiting in line"
        );
    }

    #[test]
    fn keys_from_strangers_are_ignored() {
        let mut h = Harness::new(quick());
        h.table.guest_pressed(guest(7), Key::Char('r'), h.at(0.0));
        h.table.guest_left(guest(7), h.at(0.0));
        assert_eq!(h.said(), []);
    }

    /// The match endings the table logged, as (guest, ending, score).
    fn endings(logged: &[Happening]) -> Vec<(u64, Ending, [u32; 2])> {
        logged
            .iter()
            .filter_map(|h| match h {
                Happening::MatchOver {
                    guest,
                    ending,
                    wins,
                    ..
                } => Some((guest.0, *ending, *wins)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn every_match_is_logged_once_however_it_ends() {
        let settings = TableSettings {
            best_of: 1,
            ..quick()
        };
        let mut h = Harness::new(settings);
        for n in 1..=3 {
            let _ = h.table.guest_arrived(guest(n), addr(n as u8, 1), h.at(0.0));
        }
        let logged = h.logged();
        assert!(logged.contains(&Happening::Seated {
            guest: guest(1),
            addr: addr(1, 1)
        }));
        assert!(logged.contains(&Happening::Queued {
            guest: guest(3),
            addr: addr(3, 1),
            place: 2
        }));

        h.keys(&[(HOST, b'r'), (to(1), b'p')]);
        let logged = h.logged();
        assert_eq!(endings(&logged), [(1, Ending::Won, [0, 1])]);
        assert!(
            logged.iter().all(|h| h.weight() != Weight::Detail),
            "no tie"
        );
        assert!(
            logged.iter().any(|h| matches!(
                h,
                Happening::GameDecided {
                    winner: Player::Guest,
                    ..
                }
            )),
            "{logged:?}"
        );

        h.table.handle_timeout(h.at(10.0));
        assert_eq!(endings(&h.logged()), [(2, Ending::TimedOut, [0, 0])]);

        h.table.guest_left(guest(3), h.at(10.0));
        assert_eq!(endings(&h.logged()), [(3, Ending::GuestLeft, [0, 0])]);
        assert_eq!(h.table.guests(), 0);
    }

    #[test]
    fn ties_are_logged_as_detail() {
        let mut h = Harness::new(quick());
        let _ = h.table.guest_arrived(guest(1), addr(1, 1), h.at(0.0));
        h.logged();
        h.keys(&[(HOST, b'r'), (to(1), b'r')]);
        let logged = h.logged();
        assert_eq!(logged.len(), 1, "{logged:?}");
        assert_eq!(logged[0].weight(), Weight::Detail);
        assert_eq!(
            logged[0].to_string(),
            "guest #1 from 127.0.0.1:1: host r, guest r, a tie"
        );
    }

    #[test]
    fn a_warning_is_logged_for_a_guest_typing_too_fast_and_turned_away_guests_are_logged() {
        let settings = TableSettings {
            max_guests: 1,
            ..quick()
        };
        let mut h = Harness::new(settings);
        let _ = h.table.guest_arrived(guest(1), addr(1, 1), h.at(0.0));
        let _ = h.table.guest_arrived(guest(2), addr(2, 1), h.at(0.0));
        h.table.guest_too_fast(guest(1));
        let logged = h.logged();
        assert!(logged.contains(&Happening::TurnedAway {
            guest: guest(2),
            addr: addr(2, 1),
            why: TurnedAway::Full { max_guests: 1 }
        }));
        let warnings: Vec<&Happening> = logged.iter().filter(|h| h.is_warning()).collect();
        assert_eq!(
            warnings,
            [&Happening::WarnedTooFast { guest: guest(1) }],
            "only the guest's fault is a warning"
        );
    }

    #[test]
    fn a_guest_leaving_the_queue_frees_their_place_and_their_address() {
        let settings = TableSettings {
            max_guests: 3,
            max_per_ip: 2,
            ..quick()
        };
        let mut h = Harness::new(settings);
        for n in 1..=3 {
            let _ = h
                .table
                .guest_arrived(guest(n), addr(1, n as u16), h.at(0.0));
        }
        assert_eq!(
            h.table.guests(),
            2,
            "the third from one address is turned away"
        );
        h.table.guest_left(guest(2), h.at(0.0));
        assert_eq!(h.table.place_in_queue(guest(2)), None);
        h.said();
        let _ = h.table.guest_arrived(guest(4), addr(1, 4), h.at(0.0));
        assert_eq!(h.table.place_in_queue(guest(4)), Some(1));
        h.table.guest_left(guest(1), h.at(0.0));
        assert_eq!(h.table.playing(), Some(guest(4)));
        assert_eq!(
            h.table.place_in_queue(guest(4)),
            None,
            "seated, not waiting"
        );
        h.table.guest_pressed(guest(4), Key::Char('r'), h.at(0.0));
        h.table.host_pressed(Key::Char('s'), h.at(0.0));
        assert!(h
            .said()
            .contains(&(to(4), "Player 0: s, Player 1: r".to_string())));
    }

    #[test]
    fn a_function_key_is_one_invalid_key_and_never_a_move_and_enter_is_nothing() {
        use crate::keys::SpecialKey;
        let mut h = Harness::new(quick());
        let _ = h.table.guest_arrived(guest(1), addr(1, 1), h.at(0.0));
        h.table.guest_negotiated(guest(1));
        h.said();
        for key in [
            Key::Special(SpecialKey::F(1)),
            Key::Special(SpecialKey::F(3)),
            Key::Special(SpecialKey::Up),
            Key::Char('é'),
        ] {
            h.table.guest_pressed(guest(1), key, h.at(0.0));
            h.table.host_pressed(key, h.at(0.0));
            assert_eq!(
                h.said(),
                lines(&[
                    (to(1), "Invalid key"),
                    (to(1), messages::KEYS),
                    (HOST, "Invalid key"),
                    (HOST, messages::KEYS)
                ]),
                "{key:?}"
            );
        }
        h.table.guest_pressed(guest(1), Key::Enter, h.at(0.0));
        h.table.host_pressed(Key::Enter, h.at(0.0));
        assert_eq!(h.said(), []);
        assert_eq!(
            h.table.poll_timeout(),
            Some(h.at(5.0)),
            "no move was made: the guest's clock still runs"
        );
    }

    #[test]
    fn a_guest_is_told_who_they_are_how_to_play_and_how_it_went() {
        let settings = TableSettings {
            best_of: 3,
            ..quick()
        };
        let mut h = Harness::new(settings);
        let _ = h.table.guest_arrived(guest(1), addr(1, 7), h.at(0.0));
        let _ = h.table.guest_arrived(guest(2), addr(2, 7), h.at(0.0));
        let said = h.said();
        for line in [
            (to(1), "Welcome to the game"),
            (to(1), "You are Player 1; the host is Player 0."),
            (to(1), "Keys: r rock, p paper, s scissors, ? help."),
            (
                to(1),
                "Best of 3: first to 2 wins. 10 seconds for each move.",
            ),
            (to(1), "Your move: r, p or s."),
            (to(2), "Now playing: the host against 127.0.0.1:7"),
        ] {
            assert!(
                said.contains(&(line.0, line.1.to_string())),
                "{line:?} in {said:?}"
            );
        }

        // The guest moves first: told their move, the host only that they moved.
        h.keys(&[(to(1), b'p')]);
        assert_eq!(
            h.said(),
            lines(&[
                (to(1), "You chose paper."),
                (to(1), "Waiting for the host's move."),
                (HOST, "The guest has moved."),
            ])
        );
        // A tie, then a decided game: the score from each side.
        h.keys(&[(HOST, b'p')]);
        let said = h.said();
        assert!(
            !said
                .iter()
                .any(|(who, t)| *who == HOST && t.starts_with("You chose")),
            "the host sees their own key: {said:?}"
        );
        assert!(said.contains(&(to(2), "A tie: nobody scores.".to_string())));
        h.keys(&[(HOST, b'r'), (to(1), b'p')]);
        let said = h.said();
        assert!(
            said.contains(&(to(1), "You 1, host 0".to_string())),
            "{said:?}"
        );
        assert!(
            said.contains(&(HOST, "You 0, guest 1".to_string())),
            "{said:?}"
        );
        assert!(!said
            .iter()
            .any(|(who, t)| *who == to(2) && t.starts_with("You ")));

        // The match ends: who won, in words, to everyone, before the seed's thanks.
        h.keys(&[(HOST, b's'), (to(1), b'r')]);
        let said = h.said();
        let won = "The guest wins the match 2-0".to_string();
        for who in [HOST, to(1), to(2)] {
            assert!(said.contains(&(who, won.clone())), "{who:?}: {said:?}");
        }
        let at = |line: &(Recipient, String)| said.iter().position(|l| l == line).unwrap();
        assert!(
            at(&(to(1), won.clone())) < at(&(to(1), "Thank you for playing!".to_string())),
            "{said:?}"
        );
        assert!(said.contains(&(HOST, "Match over: 127.0.0.1:7 beat you 2-0".to_string())));
    }

    #[test]
    fn question_mark_shows_the_help_to_whoever_pressed_it_and_is_no_move() {
        let mut h = Harness::new(quick());
        h.keys(&[(HOST, b'?')]);
        let said = h.said();
        assert!(!said.is_empty() && said.iter().all(|(who, _)| *who == HOST));
        assert!(said.iter().any(|(_, t)| t == messages::KEYS), "{said:?}");
        let _ = h.table.guest_arrived(guest(1), addr(1, 1), h.at(0.0));
        let _ = h.table.guest_arrived(guest(2), addr(2, 1), h.at(0.0));
        h.said();
        h.keys(&[(to(1), b'?')]);
        let said = h.said();
        assert!(said.iter().all(|(who, _)| *who == to(1)), "{said:?}");
        assert!(!said.iter().any(|(_, t)| t == "Invalid key"), "{said:?}");
        h.keys(&[(to(2), b'?')]);
        let said = h.said();
        assert!(said.iter().any(|(_, t)| t == messages::KEYS));
        assert_eq!(
            said.last(),
            Some(&(to(2), "You are number 1 in line".to_string())),
            "and their place"
        );
        h.keys(&[(HOST, b'r'), (to(1), b'?'), (to(1), b's')]);
        assert!(h
            .seed_said()
            .contains(&(to(1), "Player 0: r, Player 1: s".to_string())));
    }

    #[test]
    fn a_new_guest_has_the_reading_time_before_the_clock_counts_aloud() {
        let settings = TableSettings {
            read_time: Duration::from_secs(10),
            ..quick()
        };
        let mut h = Harness::new(settings);
        let _ = h.table.guest_arrived(guest(1), addr(1, 1), h.at(0.0));
        h.table.guest_negotiated(guest(1));
        assert_eq!(
            h.table.poll_timeout(),
            Some(h.at(15.0)),
            "10 s of reading, then the 10 s clock's last 5 counted"
        );
        h.keys(&[(to(1), b'r'), (HOST, b'r')]);
        assert_eq!(
            h.table.poll_timeout(),
            Some(h.at(5.0)),
            "the next games get the plain clock"
        );
    }

    #[test]
    fn a_shutdown_mid_match_is_summed_up_for_the_host_and_logged() {
        let mut h = Harness::new(quick());
        let _ = h.table.guest_arrived(guest(1), addr(1, 1), h.at(0.0));
        h.keys(&[(HOST, b'r'), (to(1), b's')]);
        h.said();
        h.table.shut_down();
        let actions: Vec<Action> = std::iter::from_fn(|| h.table.poll_action()).collect();
        assert!(actions.contains(&Action::Say {
            to: HOST,
            text: "Match over: cut by the shutdown at 1-0".into()
        }));
        assert!(actions.contains(&Action::Say {
            to: HOST,
            text: "This session: 1 match (0 won, 0 lost, 1 ended early); 1 game (1 won, 0 lost, 0 tied); your share 100.00%".into()
        }), "{actions:?}");
        assert!(actions.iter().any(|a| matches!(
            a,
            Action::Log(Happening::MatchOver {
                ending: Ending::ShutDown,
                ..
            })
        )));
    }

    #[test]
    fn ctrl_k_sends_the_playing_guest_away_politely_and_the_next_plays() {
        let mut h = Harness::new(quick());
        let _ = h.table.guest_arrived(guest(1), addr(1, 1), h.at(0.0));
        let _ = h.table.guest_arrived(guest(2), addr(2, 1), h.at(0.0));
        h.keys(&[(HOST, b'r'), (to(1), b's')]);
        h.said();
        h.table.host_pressed(KICK, h.at(1.0));
        let said = h.said();
        let told = said
            .iter()
            .position(|l| *l == (to(1), messages::KICKED.to_string()))
            .expect("the guest is told");
        let closed = said
            .iter()
            .position(|l| *l == (to(1), "<close>".to_string()))
            .expect("and let go");
        assert!(told < closed);
        assert!(said.contains(&(
            HOST,
            "Match over: you sent 127.0.0.1:1 away at 1-0".to_string()
        )));
        assert_eq!(h.table.playing(), Some(guest(2)));
        h.table.host_pressed(KICK, h.at(2.0));
        h.said();
        h.table.host_pressed(KICK, h.at(3.0));
        let said = h.said();
        assert_eq!(
            said.len(),
            1,
            "with nobody playing, a key like any other: {said:?}"
        );
    }

    #[test]
    fn a_pause_stops_the_guests_clock_and_fg_gives_a_fresh_one() {
        let mut h = Harness::new(quick());
        let _ = h.table.guest_arrived(guest(1), addr(1, 1), h.at(0.0));
        h.table.guest_negotiated(guest(1));
        h.said();
        h.table.paused();
        assert_eq!(h.said(), lines(&[(to(1), messages::PAUSED)]));
        assert_eq!(h.table.poll_timeout(), None, "the clock waits for the host");
        h.table.resumed(h.at(60.0));
        assert_eq!(h.said(), lines(&[(to(1), messages::RESUMED)]));
        assert_eq!(
            h.table.poll_timeout(),
            Some(h.at(65.0)),
            "a fresh clock from the moment the game goes on"
        );
        h.table.resumed(h.at(70.0));
        assert_eq!(h.said(), [], "once");
    }
}
