//! The game table: the host's seat, the guest playing a best-of-N match against them,
//! the queue of guests waiting their turn, the guest's clock and the host's standings.
//! Pure: no IO and no clock inside. Events come in through methods that take `now`;
//! what to say, whom to close and what to log come out through [`Table::poll_action`],
//! and [`Table::poll_timeout`] says when to call [`Table::handle_timeout`].
//!
//! This file holds the table's state and its comings and goings; the rest is in:
//! - `door.rs`: a guest's name (typed, sent by their client, or given) and the record
//!   they are greeted with;
//! - `bout.rs`: a match: seating, each game, its end and the rematch question;
//! - `seat.rs`: who holds the host's seat (the host or the house bot), and the habits
//!   card;
//! - `tests.rs`: the table's tests.
//!
//! ```
//! use roshambo_core::game::{Action, GuestId, Recipient, Table, TableSettings};
//! use roshambo_core::keys::Key;
//! use roshambo_core::telnet::Told;
//! use std::time::Instant;
//!
//! let mut table = Table::new(TableSettings::default());
//! let now = Instant::now();
//! let ernie = GuestId(1);
//! table.guest_arrived(ernie, "127.0.0.1:40312".parse().unwrap(), now).unwrap();
//! // A telnet client: it sends every key, and names its user (`telnet -l ernie`).
//! table.guest_negotiated(ernie);
//! table.guest_told(ernie, Told::User(Some("ernie".to_string())), now);
//! fn said_to(table: &mut Table, who: Recipient) -> Vec<String> {
//!     std::iter::from_fn(|| table.poll_action())
//!         .filter_map(|action| match action {
//!             Action::Say { to, text } if to == who => Some(text.to_string()),
//!             _ => None,
//!         })
//!         .collect()
//! }
//! assert_eq!(said_to(&mut table, Recipient::Host), ["Player connected: ernie"]);
//! table.host_pressed(Key::Char('r'), now);
//! table.guest_pressed(ernie, Key::Char('s'), now);
//! assert_eq!(
//!     said_to(&mut table, Recipient::Guest(ernie)),
//!     [
//!         "You chose scissors.",
//!         "Player 0: r, Player 1: s",
//!         "Rock crushes scissors.",
//!         "Player 0 wins!",
//!         "Wins: 1 - 0",
//!         "You 0, host 1",
//!         "Your move: r, p or s.",
//!     ]
//! );
//! ```

use crate::bot::Bot;
use crate::game::admission::{Admission, TurnedAway};
use crate::game::colour::{paint, Tone};
use crate::game::countdown::{ClockSettings, Countdown, Tick};
use crate::game::happening::{Ending, Happening, Who};
use crate::game::hints::{Hints, NETCAT_HINT};
use crate::game::messages;
use crate::game::messages::Words;
use crate::game::names::{self, NameEntry};
use crate::game::queue::{place_line, Queue};
use crate::game::rules::{Game, Move, Player, Variant};
use crate::game::standings::Standings;
use crate::game::GuestId;
use crate::keys::{Key, TypedLine};
use crate::records::{leaderboard_lines, HostRecord, LeaderboardRow};
use crate::telnet::{is_colour_terminal, Told};
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

mod bout;
mod door;
mod seat;
#[cfg(test)]
mod tests;

pub use seat::Seat;
use seat::{beats, SplitMix};

/// The key that shows the help, to a guest or to the host, at any time.
const HELP: Key = Key::Char('?');

/// The guest's key that turns their colours on and off.
const COLOUR: Key = Key::Char('c');

/// The key that shows the leaderboard, to a guest or to the host.
const LEADERBOARD: Key = Key::Char('l');

/// How long a just-named guest waits for their record to be found before they come in
/// without a greeting: the records file is read on a thread of its own, which answers
/// in a millisecond unless the disk is in trouble.
const LOOKUP_PATIENCE: Duration = Duration::from_millis(500);

/// The host's key that sends the playing guest away (Ctrl-K): a control key, so that
/// no slip of a finger does it.
const KICK: Key = Key::Control(0x0b);

/// The host's keys that hand their seat to the house bot and take it back.
const TO_BOT: Key = Key::Char('b');
const TO_HOST: Key = Key::Char('h');

/// Games of a match kept for the guest's habits card: a match of endless ties cannot
/// grow it without bound.
const CARD_GAMES: usize = 10_000;

/// What a guest's terminal is sent to take back the last character typed.
const RUB_OUT: &str = "\u{8} \u{8}";

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
    /// How long a client may stay silent on telnet negotiation before it is taken for
    /// netcat: told how to play without telnet, or asked its name.
    pub hint_after: Duration,
    /// Added to a just-seated guest's first clock, so they can read who they play and
    /// how before the countdown starts.
    pub read_time: Duration,
    /// Whether a guest is asked their name before they play. Without, their address is
    /// their name and they are seated at once, as in the seed.
    pub ask_names: bool,
    /// How long a guest has to answer the name prompt before they are given a name.
    pub name_time: Duration,
    /// Whether a records file is kept: a named guest is greeted with their record, and
    /// `l` shows the leaderboard.
    pub records: bool,
    /// The game played: rock-paper-scissors, or with lizard and Spock.
    pub variant: Variant,
    /// Whether the house bot holds the host's seat from the start.
    pub house_bot: bool,
    /// The house bot's seed: the same seed and the same games give the same moves.
    pub bot_seed: u64,
    /// How long the house bot seems to think before its move, on average (each pause is
    /// drawn from half to one and a half times this): it chooses in microseconds, and an
    /// instant answer feels like no opponent at all.
    pub bot_pause: Duration,
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
            ask_names: true,
            name_time: Duration::from_secs(60),
            records: false,
            variant: Variant::Rps,
            house_bot: false,
            bot_seed: 0,
            bot_pause: Duration::from_millis(800),
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
    /// Send a guest text that is no whole line, as it is: a prompt, or the echo of what
    /// they type at it.
    Echo { to: GuestId, text: Arc<str> },
    /// Say one line to everyone who was waiting in the queue when it was said, in their
    /// order. One action however long the queue, so that a queue of hundreds never comes
    /// between a key and the players' result.
    SayToQueue {
        queue: Arc<[GuestId]>,
        text: Arc<str>,
    },
    /// Close the guest's connection once everything said to them has been sent.
    Close { guest: GuestId },
    /// Write this to the log (and, with records kept, to the records).
    Log(Happening),
    /// Find the record of `name`, just given by `guest`: answered with
    /// [`Table::guest_record`].
    FindRecord { guest: GuestId, name: Arc<str> },
    /// Read the leaderboard for `to`: answered with [`Table::leaderboard_ready`].
    ShowLeaderboard { to: Recipient },
}

/// Where a guest is, from arrival to departure.
#[derive(Clone, Debug)]
enum Stage {
    /// At the door, saying who they are. Until `asked`, the table listens for the name
    /// their telnet client may send (`telnet -l alice`) before it asks. Their deadline
    /// (in [`Table::deadlines`]) is when it asks anyway, or, once asked, when it gives
    /// them a name.
    Naming { entry: NameEntry, asked: bool },
    /// Named, and waiting (until their deadline at most) for their record, to be
    /// greeted with it before they come in.
    Greeting,
    /// In the queue (their place is their position in [`Table::queue`]).
    Waiting,
    /// In the seat, playing [`Table::bout`].
    Playing,
    /// Their match is won and nobody waits: asked whether to play again, until their
    /// deadline.
    Deciding,
}

/// How a guest's keys reach the game, by whether their client speaks telnet.
#[derive(Clone, Debug)]
enum Input {
    /// No telnet command yet, as from netcat: the client sends whole lines (its terminal
    /// edits them), so a line `paper` is paper, not five keys of which the last `r` was
    /// rock.
    Lines(TypedLine),
    /// The client negotiated: every key on its own, for good, and the server echoes.
    Keys,
}

/// A guest the table let in.
#[derive(Clone, Debug)]
struct Guest {
    addr: SocketAddr,
    /// Their address until they have a name.
    name: Arc<str>,
    stage: Stage,
    input: Input,
    /// Whether results reach them in colour.
    colour: bool,
    /// Whether their client has said what terminal it is (only the first word counts).
    terminal_known: bool,
    /// Their games of earlier runs, from the records: the house bot learns from them.
    past_games: Vec<(usize, usize)>,
}

/// The match being played, and against whom.
#[derive(Debug)]
struct Bout {
    guest: GuestId,
    /// This run's number for the match, from 1.
    number: u64,
    game: Game,
    wins: [u32; 2],
    /// Running while the table waits for the guest's move.
    clock: Option<Countdown>,
    /// The clock has started counting aloud: its first number came with a line saying
    /// what the numbers mean.
    counting: bool,
    /// The host stopped the server (Ctrl-Z); the clock waits for them.
    paused: bool,
    /// Learns from every game of the match, whoever holds the seat: it plays when the
    /// house bot does, and says how predictable the guest was on their card. While the
    /// host plays it is not needed, so it catches up only when asked
    /// ([`Bout::watching_bot`]): a game costs the players nothing for it.
    bot: Bot,
    /// How many of `games` the bot has learnt from.
    watched: usize,
    /// The house bot's move for this game, chosen when the game began (before the guest
    /// could move), and when it is played.
    bot_move: Option<(Move, Instant)>,
    /// The match's games as (guest's move, seat's move), for the guest's habits card.
    games: Vec<(usize, usize)>,
    /// Draws the bot's pauses.
    dice: SplitMix,
}

impl Bout {
    /// The bot, once it has learnt from every game kept so far.
    fn watching_bot(&mut self) -> &mut Bot {
        for &(guest, seat) in &self.games[self.watched..] {
            self.bot.observe(guest, seat);
        }
        self.watched = self.games.len();
        &mut self.bot
    }

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
/// hints' deadlines. A guest comes in through [`Table::guest_arrived`], says who they
/// are at the door ([`Stage::Naming`]), and goes out through one place,
/// [`Table::forget`].
#[derive(Debug)]
pub struct Table {
    settings: TableSettings,
    guests: HashMap<GuestId, Guest>,
    /// The names of the guests who have one, folded (see [`names::folded`]).
    names: HashMap<String, GuestId>,
    /// When each guest at the door or deciding on a rematch is next due: few at a time,
    /// so that finding the next deadline never walks the whole queue.
    deadlines: HashMap<GuestId, Instant>,
    bout: Option<Bout>,
    matches_begun: u64,
    queue: Queue,
    admission: Admission,
    hints: Hints,
    standings: Standings,
    /// The host's figures over the earlier runs recorded, if records are kept.
    lifetime: Option<HostRecord>,
    /// Who holds the host's seat, and who will from the next game on (`b` and `h` wait
    /// for a game to end).
    seat: Seat,
    next_seat: Option<Seat>,
    actions: VecDeque<Action>,
}

impl Table {
    pub fn new(settings: TableSettings) -> Table {
        Table {
            settings,
            guests: HashMap::new(),
            names: HashMap::new(),
            deadlines: HashMap::new(),
            bout: None,
            matches_begun: 0,
            queue: Queue::default(),
            admission: Admission::new(settings.max_guests, settings.max_per_ip),
            hints: Hints::new(settings.hint_after),
            standings: Standings::default(),
            lifetime: None,
            seat: if settings.house_bot {
                Seat::Bot
            } else {
                Seat::Host
            },
            next_seat: None,
            actions: VecDeque::new(),
        }
    }

    /// The host played `earlier` in the runs recorded before this one: the session's
    /// summary also says how they have done over all of them.
    pub fn set_earlier_runs(&mut self, earlier: HostRecord) {
        self.lifetime = Some(earlier);
    }

    /// The next thing for the edges to do, in the order it must be done.
    pub fn poll_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
    }

    /// When [`Table::handle_timeout`] must next be called; `None` while nothing is
    /// timed.
    pub fn poll_timeout(&self) -> Option<Instant> {
        let clock = self.bout.as_ref().and_then(|b| b.clock?.poll_timeout());
        let bot = self.bout.as_ref().and_then(|b| Some(b.bot_move?.1));
        let door = self.deadlines.values().min().copied();
        [clock, bot, self.hints.poll_timeout(), door]
            .into_iter()
            .flatten()
            .min()
    }

    /// Guests connected: those at the door, the playing guest and those in the queue.
    pub fn guests(&self) -> usize {
        self.guests.len()
    }

    /// Someone connected from `addr`: ask their name, seat them, put them in the queue,
    /// or turn them away (they are told why and closed). Decided before anything is
    /// spent on them: the caller starts their reader only once they are let in.
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
        let stage = if self.settings.ask_names {
            // A telnet client answers within moments; what it says of its user decides
            // whether to ask. Netcat says nothing, and is asked when this runs out.
            self.deadlines.insert(guest, now + self.settings.hint_after);
            Stage::Naming {
                entry: NameEntry::new(),
                asked: false,
            }
        } else {
            self.hints.arrived(guest, now);
            Stage::Waiting
        };
        self.guests.insert(
            guest,
            Guest {
                addr,
                name: Arc::from(addr.to_string()),
                stage,
                input: Input::Lines(TypedLine::new()),
                colour: false,
                terminal_known: false,
                past_games: Vec::new(),
            },
        );
        if !self.settings.ask_names {
            self.come_in(guest, now);
        }
        Ok(())
    }

    /// The guest's client answered telnet negotiation: it sends every key as it is
    /// typed, and needs no netcat hint.
    pub fn guest_negotiated(&mut self, guest: GuestId) {
        // Its deadline goes too, so that the timer is not woken for nothing.
        self.hints.cancel(guest);
        if let Some(g) = self.guests.get_mut(&guest) {
            // A line begun before was typed for a mode that is over.
            g.input = Input::Keys;
        }
    }

    /// The guest's client said what terminal it is: `colour` if it shows ANSI colour.
    /// Only its first word counts; after that the guest's own `c` decides.
    fn guest_terminal(&mut self, guest: GuestId, colour: bool) {
        if let Some(g) = self.guests.get_mut(&guest).filter(|g| !g.terminal_known) {
            g.terminal_known = true;
            g.colour = colour;
        }
    }

    /// The guest's telnet client told what it is (its terminal type: colour if it shows
    /// it) or who it is for (the user name `telnet -l alice` gives, tried as if typed;
    /// without one the guest is asked).
    pub fn guest_told(&mut self, guest: GuestId, told: Told, now: Instant) {
        if !self.guests.contains_key(&guest) {
            return;
        }
        self.log(Happening::Told {
            guest,
            told: told.clone(),
        });
        match told {
            Told::TerminalType(name) => self.guest_terminal(guest, is_colour_terminal(&name)),
            Told::User(user) => self.guest_user(guest, user.as_deref(), now),
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
        } else if key == LEADERBOARD && !self.is_move_now(key) {
            self.leaderboard(Recipient::Host);
        } else if key == TO_BOT || key == TO_HOST {
            let seat = if key == TO_BOT { Seat::Bot } else { Seat::Host };
            self.hand_seat(seat, now);
        } else if self.seat == Seat::Bot && self.bout.is_some() && key != KICK {
            self.say(
                Recipient::Host,
                "The house bot holds your seat: h takes it back.",
            );
        } else if key == KICK && self.bout.is_some() {
            let guest = self.playing().expect("a bout has a guest");
            self.say(Recipient::Guest(guest), messages::KICKED);
            self.end_match(Ending::Kicked, now);
        } else if self.bout.is_some() {
            self.play(Player::Host, key, now);
        } else if let Some(deciding) = self.deciding() {
            let name = self.name_of(deciding);
            self.say(
                Recipient::Host,
                format!("No match now: {name} is deciding whether to play again."),
            );
        } else {
            self.say(
                Recipient::Host,
                "No guest yet: keys count once a guest connects.",
            );
        }
    }

    /// A guest typed a key (Enter included).
    pub fn guest_pressed(&mut self, guest: GuestId, key: Key, now: Instant) {
        let Some(g) = self.guests.get_mut(&guest) else {
            return;
        };
        if let Stage::Naming { entry, .. } = &mut g.stage {
            let typing = entry.press(key);
            self.name_typed(guest, typing, now);
            return;
        }
        let key = match &mut g.input {
            Input::Lines(line) => match line.press(key) {
                Some(key) => key,
                None => return,
            },
            // Enter is no key once a line is no longer needed.
            Input::Keys if key == Key::Enter => return,
            Input::Keys => key,
        };
        let to = Recipient::Guest(guest);
        if key == HELP {
            self.help(to, Player::Guest);
            if let Some(place) = self.queue.place_of(guest) {
                self.say(to, place_line(place));
            }
            return;
        }
        let lizard = self.settings.variant.from_key(key).is_some();
        if key == LEADERBOARD && !(matches!(g.stage, Stage::Playing) && lizard) {
            self.leaderboard(to);
            return;
        }
        if key == COLOUR {
            g.colour = !g.colour;
            let line = messages::colour_switched(g.colour);
            let line = if g.colour {
                paint(Tone::Won, line)
            } else {
                line.to_string()
            };
            self.say(to, line);
            return;
        }
        match g.stage {
            Stage::Playing => self.play(Player::Guest, key, now),
            Stage::Waiting => {
                if let Some(place) = self.queue.place_of(guest) {
                    self.say(to, place_line(place));
                }
            }
            Stage::Deciding => self.rematch_answered(guest, key, now),
            Stage::Naming { .. } | Stage::Greeting => {}
        }
    }

    /// A guest's connection ended, or the server dropped them.
    pub fn guest_left(&mut self, guest: GuestId, now: Instant) {
        match self.guests.get(&guest).map(|g| &g.stage) {
            Some(Stage::Playing) => {
                self.say(Recipient::Host, "Opponent disconnected.");
                self.end_match(Ending::GuestLeft, now);
            }
            Some(Stage::Waiting) => {
                self.log(Happening::LeftQueue { guest });
                self.actions.push_back(Action::Close { guest });
                self.forget(guest);
            }
            Some(Stage::Naming { .. }) => {
                self.log(Happening::LeftUnnamed { guest });
                self.actions.push_back(Action::Close { guest });
                self.forget(guest);
            }
            Some(Stage::Greeting) => {
                self.actions.push_back(Action::Close { guest });
                self.forget(guest);
            }
            Some(Stage::Deciding) => {
                let name = self.name_of(guest);
                self.say(Recipient::Host, format!("{name} left after the match."));
                self.actions.push_back(Action::Close { guest });
                self.forget(guest);
            }
            None => {}
        }
    }

    /// Lets the clocks and the hints speak: call when [`Table::poll_timeout`] has passed.
    pub fn handle_timeout(&mut self, now: Instant) {
        while let Some(guest) = self.hints.poll_due(now) {
            self.say(Recipient::Guest(guest), NETCAT_HINT);
        }
        let due: Vec<GuestId> = self
            .deadlines
            .iter()
            .filter(|&(_, &at)| at <= now)
            .map(|(&guest, _)| guest)
            .collect();
        for guest in due {
            self.deadline_passed(guest, now);
        }
        if let Some((choice, _)) = self
            .bout
            .as_mut()
            .and_then(|b| b.bot_move.take_if(|&mut (_, due)| due <= now))
        {
            self.play(Player::Host, Key::Char(choice.key()), now);
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
                    self.habits_card(guest);
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
            let who = self.who(bout.guest);
            let line = messages::match_summary(&who.name, Ending::ShutDown, bout.wins);
            let happening = Happening::MatchOver {
                who,
                number: bout.number,
                ending: Ending::ShutDown,
                wins: bout.wins,
            };
            self.say(Recipient::Host, line);
            self.log(happening);
            self.standings.record_match(None);
        }
        let session = self.standings.session_line();
        self.say(Recipient::Host, session);
        if let Some(earlier) = &self.lifetime {
            let all = self.standings.added_to(earlier);
            self.say(Recipient::Host, format!("All runs recorded: {all}"));
        }
        // The player first, then the queue in its order, then the rest.
        let mut guests: Vec<GuestId> = self
            .playing()
            .into_iter()
            .chain(self.queue.iter())
            .collect();
        let mut others: Vec<GuestId> = self
            .guests
            .iter()
            .filter(|(_, g)| {
                matches!(
                    g.stage,
                    Stage::Naming { .. } | Stage::Greeting | Stage::Deciding
                )
            })
            .map(|(&id, _)| id)
            .collect();
        others.sort_unstable();
        guests.extend(others);
        let goodbye: Arc<str> = Arc::from("Server shutting down. Good-bye");
        for guest in guests {
            // A guest at the prompt is mid-line.
            if matches!(
                self.guests.get(&guest).map(|g| &g.stage),
                Some(Stage::Naming { asked: true, .. })
            ) {
                self.echo(guest, "\r\n");
            }
            self.actions.push_back(Action::Say {
                to: Recipient::Guest(guest),
                text: goodbye.clone(),
            });
            self.actions.push_back(Action::Close { guest });
        }
        self.guests.clear();
        self.names.clear();
        self.deadlines.clear();
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
        let resumed = self.words().resumed();
        self.say(Recipient::Guest(guest), resumed);
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
                self.name_of(b.guest),
                b.wins[0],
                b.wins[1]
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

    /// A guest's name (their address until they have one).
    pub fn name_of(&self, guest: GuestId) -> Arc<str> {
        self.guests
            .get(&guest)
            .map_or_else(|| Arc::from("?"), |g| g.name.clone())
    }

    /// How the table speaks of the game and of who holds the host's seat.
    fn words(&self) -> Words {
        Words {
            variant: self.settings.variant,
            opponent: match self.seat {
                Seat::Host => "host",
                Seat::Bot => "house bot",
            },
        }
    }

    /// Whether `key` is a move that the player pressing it could make now: in a match,
    /// in this game. (`l` is the lizard in a match of rpsls, the leaderboard otherwise.)
    fn is_move_now(&self, key: Key) -> bool {
        self.bout.is_some() && self.settings.variant.from_key(key).is_some()
    }

    /// The guest deciding whether to play again, if one is.
    fn deciding(&self) -> Option<GuestId> {
        self.guests
            .iter()
            .find(|(_, g)| matches!(g.stage, Stage::Deciding))
            .map(|(&id, _)| id)
    }

    fn who(&self, guest: GuestId) -> Who {
        let g = &self.guests[&guest];
        Who {
            guest,
            name: g.name.clone(),
            addr: g.addr,
        }
    }

    /// A deadline of a guest at the door or deciding on a rematch has come.
    fn deadline_passed(&mut self, guest: GuestId, now: Instant) {
        match self.guests.get(&guest).map(|g| &g.stage) {
            Some(Stage::Naming { asked: false, .. }) => self.ask_name(guest, now),
            Some(Stage::Naming { asked: true, .. }) => {
                self.echo(guest, "\r\n");
                let name = names::given(guest);
                self.name(guest, &name, true);
                self.say(Recipient::Guest(guest), messages::name_given(&name));
                self.find_record_then_come_in(guest, now);
            }
            // Their record was not found in time: in they come without it.
            Some(Stage::Greeting) => self.come_in(guest, now),
            Some(Stage::Deciding) => {
                let name = self.name_of(guest);
                self.say(Recipient::Guest(guest), messages::NO_ANSWER);
                self.say(
                    Recipient::Host,
                    format!("{name} did not answer whether to play again."),
                );
                self.actions.push_back(Action::Close { guest });
                self.forget(guest);
            }
            _ => {
                self.deadlines.remove(&guest);
            }
        }
    }

    /// `l`: the leaderboard, once the records have been read; or why there is none.
    fn leaderboard(&mut self, to: Recipient) {
        if self.settings.records {
            self.actions.push_back(Action::ShowLeaderboard { to });
        } else {
            self.say(to, messages::NO_RECORDS);
        }
    }

    /// The leaderboard asked for with [`Action::ShowLeaderboard`] was read: `to` sees
    /// it, if they are still here.
    pub fn leaderboard_ready(&mut self, to: Recipient, rows: &[LeaderboardRow]) {
        if let Recipient::Guest(guest) = to {
            if !self.guests.contains_key(&guest) {
                return;
            }
        }
        if rows.is_empty() {
            self.say(to, messages::NO_LEADERS);
            return;
        }
        self.say(to, messages::LEADERBOARD_TITLE);
        for line in leaderboard_lines(rows) {
            self.say(to, line);
        }
    }

    /// A guest who has a name comes in: to the seat if it is free, else to the queue.
    fn come_in(&mut self, guest: GuestId, now: Instant) {
        if self.settings.ask_names && matches!(self.guests[&guest].input, Input::Lines(_)) {
            // Only netcat is still in line mode by now.
            self.say(Recipient::Guest(guest), NETCAT_HINT);
        }
        if let Some(deciding) = self.deciding() {
            // The rematch was offered only because nobody waited.
            self.say(Recipient::Guest(deciding), messages::SEAT_TAKEN);
            let name = self.name_of(deciding);
            self.say(
                Recipient::Host,
                format!("{name} gives the seat to the guest who came."),
            );
            self.actions.push_back(Action::Close { guest: deciding });
            self.forget(deciding);
        }
        if self.bout.is_none() {
            self.seat(guest, now, true);
            return;
        }
        let g = self.guests.get_mut(&guest).expect("a guest comes in once");
        g.stage = Stage::Waiting;
        let place = self.queue.join(guest);
        let who = self.who(guest);
        let name = who.name.clone();
        self.log(Happening::Queued { who, place });
        let to = Recipient::Guest(guest);
        self.say(
            to,
            "Welcome! A match is in progress; you play next when your turn comes.",
        );
        self.say(to, place_line(place));
        if let Some(bout) = &self.bout {
            let playing = self.name_of(bout.guest);
            self.say(to, self.words().now_playing(&playing));
        }
        self.say(to, "Press ? for help while you wait.");
        self.say(
            Recipient::Host,
            format!("Guest waiting: {name} (number {place} in line)"),
        );
    }

    /// The help, to whoever pressed `?`.
    fn help(&mut self, to: Recipient, player: Player) {
        let help = self
            .words()
            .help(player, self.settings.best_of, self.settings.clock.timeout);
        for line in help {
            self.say(to, line);
        }
    }

    /// Tells everyone in the queue from `place` on their new place.
    fn tell_places(&mut self, place: usize) {
        let moved: Vec<(usize, GuestId)> = self.queue.from_place(place).collect();
        for (place, guest) in moved {
            self.say(Recipient::Guest(guest), place_line(place));
        }
    }

    /// The one way out: `guest` is no longer at the table, in the queue, at the door or
    /// due anything, and their name, their place and their address's share are free.
    fn forget(&mut self, guest: GuestId) {
        let Some(gone) = self.guests.remove(&guest) else {
            return;
        };
        self.hints.cancel(guest);
        self.deadlines.remove(&guest);
        let folded = names::folded(&gone.name);
        if self.names.get(&folded) == Some(&guest) {
            self.names.remove(&folded);
        }
        self.admission.release(gone.addr.ip());
        if matches!(gone.stage, Stage::Waiting) {
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

    fn echo(&mut self, to: GuestId, text: &str) {
        self.actions.push_back(Action::Echo {
            to,
            text: Arc::from(text),
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

    /// A result, to the table: each player sees it in the colour of their win, loss or
    /// tie (`winner` is `None` for a tie). The host's console is always sent colour, and
    /// takes it out itself if it has none; a guest gets it if theirs is on. The queue,
    /// who neither won nor lost, sees it plain.
    fn say_result(&mut self, text: String, winner: Option<Player>) {
        let tone = |player: Player| match winner {
            None => Tone::Even,
            Some(w) if w == player => Tone::Won,
            Some(_) => Tone::Lost,
        };
        self.say(Recipient::Host, paint(tone(Player::Host), &text));
        if let Some(guest) = self.playing() {
            let line = match self.guests.get(&guest) {
                Some(g) if g.colour => paint(tone(Player::Guest), &text),
                _ => text.clone(),
            };
            self.say(Recipient::Guest(guest), line);
        }
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
