//! The game table: the host's seat, the guest playing a best-of-N match against them,
//! the queue of guests waiting their turn, the guest's clock and the host's standings.
//! Pure: no IO and no clock inside. Events come in through methods that take `now`;
//! what to say, whom to close and what to log come out through [`Table::poll_action`],
//! and [`Table::poll_timeout`] says when to call [`Table::handle_timeout`].
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

use crate::bot::{Beats, Bot, Habits};
use crate::game::admission::{Admission, TurnedAway};
use crate::game::colour::{paint, Tone};
use crate::game::countdown::{ClockSettings, Countdown, Tick};
use crate::game::happening::{Ending, Happening, Who};
use crate::game::hints::{Hints, NETCAT_HINT};
use crate::game::messages;
use crate::game::messages::Words;
use crate::game::names::{self, NameEntry, NameProblem, Typing};
use crate::game::queue::{place_line, Queue};
use crate::game::rules::{Game, Move, Player, Throw, Variant};
use crate::game::standings::Standings;
use crate::game::GuestId;
use crate::keys::{Key, TypedLine};
use crate::records::{leaderboard_lines, HostRecord, LeaderboardRow, PlayerRecord};
use crate::telnet::{is_colour_terminal, Told};
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

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

/// Who holds the host's seat: the host at the console, or the house bot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seat {
    Host,
    Bot,
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
    /// Watches every game of the match, whoever holds the seat: it plays when the house
    /// bot does, and says how predictable the guest was on their card.
    bot: Bot,
    /// The house bot's move for this game, chosen when the game began (before the guest
    /// could move), and when it is played.
    bot_move: Option<(Move, Instant)>,
    /// The match's games as (guest's move, seat's move), for the guest's habits card.
    games: Vec<(usize, usize)>,
    /// Draws the bot's pauses.
    dice: SplitMix,
}

impl Bout {
    /// Starts the guest's clock again for the next game.
    fn restart_clock(&mut self, now: Instant, settings: ClockSettings) {
        self.clock = Some(Countdown::start(now, settings));
        self.counting = false;
    }
}

/// Which move beats which in `variant`, by the moves' places in [`Variant::moves`], as
/// the bot and the habits card count them.
fn beats(variant: Variant) -> Beats {
    let moves = variant.moves();
    Beats::new(moves.len(), |a, b| moves[a].beats(moves[b]))
}

/// A small PRNG (SplitMix64) for the house bot's pauses: seeded, so a seed replays a
/// run exactly.
#[derive(Clone, Debug)]
struct SplitMix(u64);

impl SplitMix {
    /// A number below `n` (n > 0).
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) % n
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

    /// The guest's client said who its user is (`telnet -l alice`), or that it will not
    /// say (`None`): the name is tried as if typed, and without one they are asked.
    fn guest_user(&mut self, guest: GuestId, user: Option<&str>, now: Instant) {
        let Some(Stage::Naming { entry, asked, .. }) = self.guests.get(&guest).map(|g| &g.stage)
        else {
            return;
        };
        // Once they are typing at the prompt, what they type wins.
        if !entry.is_empty() {
            return;
        }
        match user {
            Some(name) => self.try_name(guest, name, now),
            None if !asked => self.ask_name(guest, now),
            None => {}
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
        } else if key == Key::Enter {
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

    /// Shows the name prompt, and gives the guest [`TableSettings::name_time`] to
    /// answer it.
    fn ask_name(&mut self, guest: GuestId, now: Instant) {
        let until = now + self.settings.name_time;
        let Some(Stage::Naming { asked, .. }) = self.guests.get_mut(&guest).map(|g| &mut g.stage)
        else {
            return;
        };
        let first = !std::mem::replace(asked, true);
        self.deadlines.insert(guest, until);
        if first {
            self.say(Recipient::Guest(guest), messages::INTRODUCTION);
        }
        self.echo(guest, messages::NAME_PROMPT);
    }

    /// What a key typed at the door did to the name being typed.
    fn name_typed(&mut self, guest: GuestId, typing: Typing, now: Instant) {
        let echoes = matches!(self.guests[&guest].input, Input::Keys);
        match typing {
            Typing::Nothing => {}
            Typing::Added(c) if echoes => self.echo(guest, c.encode_utf8(&mut [0; 4])),
            Typing::RubbedOut if echoes => self.echo(guest, RUB_OUT),
            Typing::Added(_) | Typing::RubbedOut => {}
            Typing::Done(line) => {
                if echoes {
                    self.echo(guest, "\r\n");
                }
                if line.is_empty() {
                    self.give_name(guest, now);
                } else if line == "?" {
                    self.say(Recipient::Guest(guest), messages::NAME_HELP);
                    self.ask_name(guest, now);
                } else {
                    self.try_name(guest, &line, now);
                }
            }
            Typing::Overlong { chars } => {
                if echoes {
                    self.echo(guest, "\r\n");
                }
                self.refuse_name(guest, NameProblem::TooLong { chars }, now);
            }
        }
    }

    /// The guest offered `name`: in they come with it, or they are told why not and
    /// asked again.
    fn try_name(&mut self, guest: GuestId, name: &str, now: Instant) {
        let checked =
            names::check(name).and_then(|()| match self.names.contains_key(&names::folded(name)) {
                true => Err(NameProblem::Taken),
                false => Ok(()),
            });
        match checked {
            Ok(()) => {
                self.name(guest, name, false);
                self.say(Recipient::Guest(guest), messages::hello(name));
                self.find_record_then_come_in(guest, now);
            }
            Err(problem) => self.refuse_name(guest, problem, now),
        }
    }

    fn refuse_name(&mut self, guest: GuestId, problem: NameProblem, now: Instant) {
        self.say(Recipient::Guest(guest), problem.to_string());
        self.ask_name(guest, now);
    }

    /// The guest chose no name, or their time ran out: they get one.
    fn give_name(&mut self, guest: GuestId, now: Instant) {
        let name = names::given(guest);
        self.name(guest, &name, true);
        self.say(Recipient::Guest(guest), messages::hello(&name));
        self.find_record_then_come_in(guest, now);
    }

    /// Names the guest: their name is theirs while they are connected.
    fn name(&mut self, guest: GuestId, name: &str, given: bool) {
        let Some(g) = self.guests.get_mut(&guest) else {
            return;
        };
        g.name = Arc::from(name);
        self.names.insert(names::folded(name), guest);
        self.deadlines.remove(&guest);
        let who = self.who(guest);
        self.log(Happening::Named { who, given });
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

    /// A guest who has just been named: with records kept, their record is looked up
    /// first, so that they are greeted with it before anything else; else in they come.
    fn find_record_then_come_in(&mut self, guest: GuestId, now: Instant) {
        if !self.settings.records {
            self.come_in(guest, now);
            return;
        }
        let Some(g) = self.guests.get_mut(&guest) else {
            return;
        };
        g.stage = Stage::Greeting;
        let name = g.name.clone();
        self.deadlines.insert(guest, now + LOOKUP_PATIENCE);
        self.actions.push_back(Action::FindRecord { guest, name });
    }

    /// The record of `name`, asked for with [`Action::FindRecord`], was found (or `None`:
    /// a new name). The guest is greeted with it and comes in, if they are still here and
    /// still waiting for it.
    /// `games` are their last games, oldest first, as (their move, the host seat's move)
    /// by key: the house bot learns from them in every match they play.
    pub fn guest_record(
        &mut self,
        guest: GuestId,
        name: &str,
        record: Option<PlayerRecord>,
        games: &[(char, char)],
        now: Instant,
    ) {
        let waiting = self
            .guests
            .get(&guest)
            .is_some_and(|g| matches!(g.stage, Stage::Greeting) && *g.name == *name);
        if !waiting {
            return;
        }
        let variant = self.settings.variant;
        let index = |key: char| variant.moves().iter().position(|m| m.key() == key);
        let past: Vec<(usize, usize)> = games
            .iter()
            .filter_map(|&(theirs, seat)| Some((index(theirs)?, index(seat)?)))
            .collect();
        if let Some(g) = self.guests.get_mut(&guest) {
            g.past_games = past;
        }
        let greeting = match record.filter(|r| r.matches > 0) {
            Some(record) => messages::welcome_back(name, &record),
            None => messages::welcome_new(name),
        };
        self.say(Recipient::Guest(guest), greeting);
        self.come_in(guest, now);
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

    /// Seats the guest for a match: a `new` guest is welcomed and told who they are and
    /// how to play; one playing again goes straight to it.
    fn seat(&mut self, guest: GuestId, now: Instant, new: bool) {
        let g = self.guests.get_mut(&guest).expect("only a guest is seated");
        g.stage = Stage::Playing;
        self.deadlines.remove(&guest);
        self.matches_begun += 1;
        let number = self.matches_begun;
        let who = self.who(guest);
        let name = who.name.clone();
        self.log(Happening::Seated { who, number });
        let to = Recipient::Guest(guest);
        let rules = messages::match_rules(self.settings.best_of, self.settings.clock.timeout);
        if new {
            self.say(Recipient::Host, format!("Player connected: {name}"));
            self.say(to, "Welcome to the game");
            self.say(to, self.words().who_you_are(&name));
            self.say(to, self.words().keys());
            self.say(to, rules);
        } else {
            self.say(
                Recipient::Host,
                format!("{name} plays again: a new match begins."),
            );
            self.say(to, format!("A new match! {rules}"));
        }
        self.say(to, self.words().your_move());
        self.say_to_queue(self.words().now_playing(&name));
        // A new guest's first clock leaves time to read all that.
        let first = ClockSettings {
            timeout: self.settings.clock.timeout + self.settings.read_time * u32::from(new),
            ..self.settings.clock
        };
        // Each match's bot starts afresh, from the run's seed and the match's number, so
        // that a seed replays a run match for match.
        let seed = self.settings.bot_seed ^ number.wrapping_mul(0x9e37_79b9_7f4a_7c15);
        let mut bot = Bot::new(beats(self.settings.variant), seed);
        bot.remember(&self.guests[&guest].past_games);
        self.bout = Some(Bout {
            guest,
            number,
            game: Game::default(),
            wins: [0, 0],
            clock: Some(Countdown::start(now, first)),
            counting: false,
            paused: false,
            bot,
            bot_move: None,
            games: Vec::new(),
            dice: SplitMix(seed),
        });
        self.game_begins(now);
    }

    /// A game of the bout begins: the seat changes hands if the host asked, and the house
    /// bot, if it holds the seat, chooses now, before the guest can have moved, and
    /// plays after a pause.
    fn game_begins(&mut self, now: Instant) {
        if let Some(seat) = self.next_seat.take() {
            self.change_seat(seat);
        }
        let moves = self.settings.variant.moves();
        let bot_seat = self.seat == Seat::Bot;
        let average = self.settings.bot_pause.as_micros() as u64;
        let Some(bout) = self.bout.as_mut() else {
            return;
        };
        bout.bot_move = bot_seat.then(|| {
            let choice = moves[bout.bot.choose()];
            let pause = average / 2 + bout.dice.below(average + 1);
            (choice, now + Duration::from_micros(pause))
        });
    }

    /// The host pressed `b` or `h`: the seat goes to the house bot or back to the host,
    /// between games (at once if no one has moved in this one).
    fn hand_seat(&mut self, seat: Seat, now: Instant) {
        if self.seat == seat && self.next_seat.is_none() {
            let already = match seat {
                Seat::Bot => "The house bot already holds your seat: h takes it back.",
                Seat::Host => "The seat is yours: b hands it to the house bot.",
            };
            self.say(Recipient::Host, already);
            return;
        }
        let mid_game = self
            .bout
            .as_ref()
            .is_some_and(|b| b.game.has_moved(Player::Host) || b.game.has_moved(Player::Guest));
        if mid_game {
            self.next_seat = Some(seat);
            self.say(
                Recipient::Host,
                "The seat changes hands when this game is over.",
            );
        } else {
            self.next_seat = None;
            self.change_seat(seat);
            if self.bout.is_some() {
                self.game_begins(now);
            }
        }
    }

    /// The seat is `seat`'s from now on: the host and the playing guest are told.
    fn change_seat(&mut self, seat: Seat) {
        if self.seat == seat {
            return;
        }
        self.seat = seat;
        let (host, guest) = match seat {
            Seat::Bot => (
                "The house bot takes your seat; h takes it back.",
                "The house bot takes the host's seat.",
            ),
            Seat::Host => (
                "Your seat again: the house bot has left it.",
                "The host is back in their seat.",
            ),
        };
        self.say(Recipient::Host, host);
        if let Some(bout) = self.bout.as_mut() {
            bout.bot_move = None;
            let to = Recipient::Guest(bout.guest);
            self.say(to, guest);
        }
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
        let Some(choice) = self.settings.variant.from_key(key) else {
            self.say(to, "Invalid key");
            self.say(to, self.words().keys());
            return;
        };
        if player == Player::Guest {
            bout.clock = None;
        }
        let guest = bout.guest;
        let waiting_for_other = !bout.game.has_moved(other);
        let throw = bout.game.choose(player, choice);
        // The guest is told their move and whom they wait for; the host, at their own
        // keyboard, sees what they pressed and needs no word of it, only of the guest.
        if player == Player::Guest {
            self.say(to, messages::you_chose(choice));
            if waiting_for_other {
                self.say(to, self.words().waiting_for_move());
                // Never which move: the host could still change theirs.
                let name = self.name_of(guest);
                self.say(Recipient::Host, format!("{name} has moved."));
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
        let moves = self.settings.variant.moves();
        let index = |choice: Move| {
            moves
                .iter()
                .position(|&m| m == choice)
                .expect("a move of the game")
        };
        let bout = self.bout.as_mut().expect("a throw is only made in a bout");
        let (guest_move, seat_move) = (index(throw.guest), index(throw.host));
        bout.bot.observe(guest_move, seat_move);
        if bout.games.len() < CARD_GAMES {
            bout.games.push((guest_move, seat_move));
        }
        let Some(winner) = throw.winner() else {
            bout.restart_clock(now, clock);
            let (guest, number) = (bout.guest, bout.number);
            self.standings.record_tie();
            let who = self.who(guest);
            self.log(Happening::GameTied { who, number, throw });
            self.say_result(messages::TIE.to_string(), None);
            self.say(Recipient::Guest(guest), self.words().your_move());
            self.game_begins(now);
            return;
        };
        bout.wins[winner.number()] += 1;
        let (guest, number, wins) = (bout.guest, bout.number, bout.wins);
        let who = self.who(guest);
        let name = who.name.clone();
        self.log(Happening::GameDecided {
            who,
            number,
            throw,
            winner,
            wins,
        });
        self.standings.record(winner);
        if let Some(verdict) = throw.verdict() {
            self.say_to_table(format!("{verdict}."));
        }
        self.say_result(format!("{winner} wins!"), Some(winner));
        self.say_to_table(format!("Wins: {} - {}", wins[0], wins[1]));
        self.say(Recipient::Host, self.standings.overall_line());
        self.say(
            Recipient::Host,
            self.words().score_for(Player::Host, &name, wins),
        );
        self.say(
            Recipient::Guest(guest),
            self.words().score_for(Player::Guest, &name, wins),
        );
        if wins.iter().any(|&w| w > self.settings.best_of / 2) {
            self.standings.record_match(Some(winner));
            let won = self.words().match_won(winner, &name, wins);
            self.say_result(won, Some(winner));
            self.habits_card(guest);
            self.say_to_players("Thank you for playing!");
            self.end_match(Ending::Won, now);
        } else if let Some(bout) = self.bout.as_mut() {
            bout.restart_clock(now, clock);
            self.say(Recipient::Guest(guest), self.words().your_move());
            self.game_begins(now);
        }
    }

    /// The guest's habits this match, said to them at its end (if they played a game).
    fn habits_card(&mut self, guest: GuestId) {
        let Some(bout) = self.bout.as_ref().filter(|b| !b.games.is_empty()) else {
            return;
        };
        let variant = self.settings.variant;
        let names: Vec<&str> = variant.moves().iter().map(|m| m.name()).collect();
        let card = Habits::of(&bout.games, &beats(variant)).card(&names, bout.bot.predictability());
        for line in card {
            self.say(Recipient::Guest(guest), line);
        }
    }

    fn end_match(&mut self, ending: Ending, now: Instant) {
        let Some(bout) = self.bout.take() else { return };
        if ending != Ending::Won {
            self.standings.record_match(None);
        }
        let who = self.who(bout.guest);
        self.say(
            Recipient::Host,
            messages::match_summary(&who.name, ending, bout.wins),
        );
        self.log(Happening::MatchOver {
            who,
            number: bout.number,
            ending,
            wins: bout.wins,
        });
        if ending == Ending::Won && self.queue.is_empty() {
            self.offer_rematch(bout.guest, now);
            return;
        }
        self.forget(bout.guest);
        self.actions.push_back(Action::Close { guest: bout.guest });
        if let Some(next) = self.queue.next_up() {
            self.seat(next, now, true);
            self.tell_places(1);
        }
    }

    /// Nobody waits: the guest who just finished may play again, if they answer in a
    /// move's time.
    fn offer_rematch(&mut self, guest: GuestId, now: Instant) {
        let until = now + self.settings.clock.timeout;
        if let Some(g) = self.guests.get_mut(&guest) {
            g.stage = Stage::Deciding;
        }
        self.deadlines.insert(guest, until);
        self.say(Recipient::Guest(guest), messages::PLAY_AGAIN);
        let name = self.name_of(guest);
        self.say(
            Recipient::Host,
            format!("{name} is asked whether to play again."),
        );
    }

    fn rematch_answered(&mut self, guest: GuestId, key: Key, now: Instant) {
        match key {
            Key::Char('y' | 'Y') => self.seat(guest, now, false),
            Key::Char('n' | 'N') => {
                let name = self.name_of(guest);
                self.say(Recipient::Guest(guest), messages::GOOD_BYE);
                self.say(Recipient::Host, format!("{name} will not play again."));
                self.actions.push_back(Action::Close { guest });
                self.forget(guest);
            }
            _ => {
                self.say(Recipient::Guest(guest), messages::ANSWER_Y_OR_N);
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::game::happening::Weight;

    const HOST: Recipient = Recipient::Host;

    /// The keys, the move prompt and the word after `fg`, in rock-paper-scissors
    /// against the host.
    const KEYS: &str = "Keys: r rock, p paper, s scissors, ? help, l leaderboard.";
    const YOUR_MOVE: &str = "Your move: r, p or s.";
    const RESUMED: &str = "The game goes on, with a fresh clock. Your move: r, p or s.";

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
            ask_names: false,
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

        /// Guest `n` arrives from `addr` with a telnet client (which sends every key as
        /// typed), as most guests do.
        fn arrive(&mut self, n: u64, addr: SocketAddr, now: Instant) {
            if self.table.guest_arrived(guest(n), addr, now).is_ok() {
                self.table.guest_negotiated(guest(n));
            }
        }

        fn at(&self, secs: f64) -> Instant {
            self.start + Duration::from_secs_f64(secs)
        }

        /// Drains the actions as `(recipient, text)`; closes read as `(recipient, "<close>")`.
        fn said(&mut self) -> Vec<(Recipient, String)> {
            std::iter::from_fn(|| self.table.poll_action())
                .flat_map(|action| match action {
                    Action::Say { to, text } => vec![(to, strip_colour(&text))],
                    Action::SayToQueue { queue, text } => queue
                        .iter()
                        .map(|&guest| (Recipient::Guest(guest), text.to_string()))
                        .collect(),
                    Action::Echo { to, text } => {
                        vec![(Recipient::Guest(to), format!("<echo>{text}"))]
                    }
                    Action::Close { guest } => {
                        vec![(Recipient::Guest(guest), "<close>".to_string())]
                    }
                    Action::Log(_) | Action::FindRecord { .. } | Action::ShowLeaderboard { .. } => {
                        vec![]
                    }
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

    /// A line as a reader without colour sees it: the escapes around it taken out.
    fn strip_colour(text: &str) -> String {
        let mut plain = String::new();
        let mut rest = text;
        while let Some(at) = rest.find('\u{1b}') {
            plain.push_str(&rest[..at]);
            let end = rest[at..]
                .find(|c: char| c.is_ascii_alphabetic())
                .map_or(rest.len(), |e| at + e + 1);
            rest = &rest[end..];
        }
        plain.push_str(rest);
        plain
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

        h.arrive(1, ernie, now);
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

        h.arrive(2, bert, now);
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
        for _ in 0..5 {
            h.keys(&[(HOST, b's'), (to(2), b'p')]);
        }
        assert_eq!(h.seed_said(), expected);
        assert_eq!(h.table.playing(), None, "back to waiting");
        // Nobody waits, so Bert is asked whether to play again; he says no.
        h.keys(&[(to(2), b'n')]);
        assert_eq!(h.seed_said(), lines(&[(to(2), "<close>")]));
    }

    #[test]
    fn a_tie_counts_for_nobody_and_restarts_the_clock() {
        let mut h = Harness::new(quick());
        h.arrive(1, addr(1, 1), h.at(0.0));
        h.said();
        h.table.guest_pressed(guest(1), Key::Char('r'), h.at(4.0));
        assert_eq!(h.table.poll_timeout(), None, "nothing is timed");
        h.table.host_pressed(Key::Char('r'), h.at(6.0));
        let said = h.said();
        let seed: Vec<_> = said.iter().filter(|(_, t)| seed_line(t)).cloned().collect();
        assert_eq!(seed, both("Player 0: r, Player 1: r", 1));
        for line in both(messages::TIE, 1) {
            assert!(said.contains(&line), "the tie gets its own line: {said:?}");
        }
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
        h.arrive(1, addr(1, 1), h.at(0.0));
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
        h.arrive(1, addr(1, 1), h.at(0.0));
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
        h.arrive(1, addr(1, 1), h.at(0.0));
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
        // Netcat's line `r`: a move.
        h.table.guest_pressed(guest(1), Key::Char('r'), h.at(0.1));
        h.table.guest_pressed(guest(1), Key::Enter, h.at(0.1));
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
            h.arrive(n, addr(n as u8, 1), now);
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
                (
                    to(2),
                    "You are 127.0.0.2:1, Player 1; the host is Player 0."
                ),
                (to(2), KEYS),
                (
                    to(2),
                    "Best of 9: first to 5 wins. 10 seconds for each move."
                ),
                (to(2), YOUR_MOVE),
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
        h.arrive(1, addr(1, 1), h.at(0.0));
        h.arrive(2, addr(2, 1), h.at(0.0));
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
        h.arrive(1, addr(1, 1), now);
        h.arrive(2, addr(1, 2), now);
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
        h.arrive(4, addr(2, 1), now);
        h.arrive(5, addr(3, 1), now);
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
        h.arrive(6, addr(1, 4), now);
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
            h.arrive(n, addr(1, n as u16), h.at(0.0));
        }
        assert_eq!(h.table.guests(), 1);
        h.table.guest_left(guest(1), h.at(0.0));
        h.arrive(51, addr(1, 51), h.at(0.0));
        assert_eq!(h.table.playing(), Some(guest(51)));
    }

    #[test]
    fn a_flooding_guest_is_warned() {
        let mut h = Harness::new(quick());
        h.arrive(1, addr(1, 1), h.at(0.0));
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
            h.arrive(n, addr(n as u8, 1), h.at(0.0));
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
        h.arrive(1, addr(1, 7), h.at(0.0));
        h.arrive(2, addr(2, 7), h.at(0.0));
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
                    who, ending, wins, ..
                } => Some((who.guest.0, *ending, *wins)),
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
            h.arrive(n, addr(n as u8, 1), h.at(0.0));
        }
        let logged = h.logged();
        let who = |n: u64, addr: SocketAddr| Who {
            guest: guest(n),
            name: Arc::from(addr.to_string()),
            addr,
        };
        assert!(logged.contains(&Happening::Seated {
            who: who(1, addr(1, 1)),
            number: 1,
        }));
        assert!(logged.contains(&Happening::Queued {
            who: who(3, addr(3, 1)),
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
        h.arrive(1, addr(1, 1), h.at(0.0));
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
        h.arrive(1, addr(1, 1), h.at(0.0));
        h.arrive(2, addr(2, 1), h.at(0.0));
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
            h.arrive(n, addr(1, n as u16), h.at(0.0));
        }
        assert_eq!(
            h.table.guests(),
            2,
            "the third from one address is turned away"
        );
        h.table.guest_left(guest(2), h.at(0.0));
        assert_eq!(h.table.place_in_queue(guest(2)), None);
        h.said();
        h.arrive(4, addr(1, 4), h.at(0.0));
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
        h.arrive(1, addr(1, 1), h.at(0.0));
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
                    (to(1), KEYS),
                    (HOST, "Invalid key"),
                    (HOST, KEYS)
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
        h.arrive(1, addr(1, 7), h.at(0.0));
        h.arrive(2, addr(2, 7), h.at(0.0));
        let said = h.said();
        for line in [
            (to(1), "Welcome to the game"),
            (
                to(1),
                "You are 127.0.0.1:7, Player 1; the host is Player 0.",
            ),
            (
                to(1),
                "Keys: r rock, p paper, s scissors, ? help, l leaderboard.",
            ),
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
                (HOST, "127.0.0.1:7 has moved."),
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
            said.contains(&(HOST, "You 0, 127.0.0.1:7 1".to_string())),
            "{said:?}"
        );
        assert!(!said
            .iter()
            .any(|(who, t)| *who == to(2) && t.starts_with("You ")));

        // The match ends: who won, in words, to everyone, before the seed's thanks.
        h.keys(&[(HOST, b's'), (to(1), b'r')]);
        let said = h.said();
        let won = "127.0.0.1:7 wins the match 2-0".to_string();
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
        assert!(said.iter().any(|(_, t)| t == KEYS), "{said:?}");
        h.arrive(1, addr(1, 1), h.at(0.0));
        h.arrive(2, addr(2, 1), h.at(0.0));
        h.said();
        h.keys(&[(to(1), b'?')]);
        let said = h.said();
        assert!(said.iter().all(|(who, _)| *who == to(1)), "{said:?}");
        assert!(!said.iter().any(|(_, t)| t == "Invalid key"), "{said:?}");
        h.keys(&[(to(2), b'?')]);
        let said = h.said();
        assert!(said.iter().any(|(_, t)| t == KEYS));
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
        h.arrive(1, addr(1, 1), h.at(0.0));
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
        h.arrive(1, addr(1, 1), h.at(0.0));
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
        h.arrive(1, addr(1, 1), h.at(0.0));
        h.arrive(2, addr(2, 1), h.at(0.0));
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
        h.arrive(1, addr(1, 1), h.at(0.0));
        h.table.guest_negotiated(guest(1));
        h.said();
        h.table.paused();
        assert_eq!(h.said(), lines(&[(to(1), messages::PAUSED)]));
        assert_eq!(h.table.poll_timeout(), None, "the clock waits for the host");
        h.table.resumed(h.at(60.0));
        assert_eq!(h.said(), lines(&[(to(1), RESUMED)]));
        assert_eq!(
            h.table.poll_timeout(),
            Some(h.at(65.0)),
            "a fresh clock from the moment the game goes on"
        );
        h.table.resumed(h.at(70.0));
        assert_eq!(h.said(), [], "once");
    }

    /// The defaults with names asked, and short times to see them run out.
    fn naming() -> TableSettings {
        TableSettings {
            ask_names: true,
            hint_after: Duration::from_secs(2),
            name_time: Duration::from_secs(60),
            ..quick()
        }
    }

    /// What a guest's screen shows of what they were sent: lines end in a newline,
    /// echoes and prompts are as sent, Backspace's rub-out is applied.
    fn screen(said: &[(Recipient, String)], guest_id: u64) -> String {
        let mut shown = String::new();
        for (who, text) in said {
            if *who != to(guest_id) {
                continue;
            }
            match text.strip_prefix("<echo>") {
                Some(RUB_OUT) => {
                    shown.pop();
                }
                Some(echo) => shown.push_str(&echo.replace("\r\n", "\n")),
                None => {
                    shown.push_str(text);
                    shown.push('\n');
                }
            }
        }
        shown
    }

    fn type_keys(h: &mut Harness, n: u64, keys: &[Key], secs: f64) {
        let now = h.at(secs);
        for &key in keys {
            h.table.guest_pressed(guest(n), key, now);
        }
    }

    fn chars(text: &str) -> Vec<Key> {
        text.chars()
            .map(|c| match c {
                '\n' => Key::Enter,
                '\u{7f}' => Key::Backspace,
                c => Key::Char(c),
            })
            .collect()
    }

    #[test]
    fn a_telnet_guest_types_a_name_with_echo_and_backspace_and_plays_by_it() {
        let mut h = Harness::new(naming());
        h.arrive(1, addr(1, 1), h.at(0.0));
        assert_eq!(
            h.said(),
            [],
            "nothing until the client has said what it knows"
        );
        // The client will not say who its user is: the prompt comes at once.
        h.table.guest_user(guest(1), None, h.at(0.1));
        type_keys(&mut h, 1, &chars("alx\u{7f}ice\n"), 1.0);
        let said = h.said();
        assert_eq!(
            screen(&said, 1),
            format!(
                "{}\n{}alice\nHello, alice.\nWelcome to the game\n\
                 You are alice, Player 1; the host is Player 0.\n{}\n\
                 Best of 9: first to 5 wins. 10 seconds for each move.\n{}\n",
                messages::INTRODUCTION,
                messages::NAME_PROMPT,
                KEYS,
                YOUR_MOVE
            )
        );
        assert!(said.contains(&(HOST, "Player connected: alice".to_string())));
        h.keys(&[(to(1), b'p'), (HOST, b'r')]);
        let said = h.said();
        assert!(
            said.contains(&(HOST, "alice has moved.".to_string())),
            "{said:?}"
        );
        assert!(
            said.contains(&(HOST, "You 0, alice 1".to_string())),
            "{said:?}"
        );
        assert_eq!(h.table.status_line(), "Playing against alice: Wins: 0 - 1");
    }

    #[test]
    fn telnet_l_names_the_guest_without_a_prompt() {
        let mut h = Harness::new(naming());
        h.arrive(1, addr(1, 1), h.at(0.0));
        h.table.guest_user(guest(1), Some("bert"), h.at(0.1));
        let said = h.said();
        assert!(!screen(&said, 1).contains("name?"), "{said:?}");
        assert!(said.contains(&(to(1), "Hello, bert.".to_string())));
        assert!(said.contains(&(HOST, "Player connected: bert".to_string())));
        let logged = h.logged();
        assert_eq!(logged, [], "said with the lines");
    }

    #[test]
    fn a_taken_or_bad_name_gets_one_line_and_the_prompt_again() {
        let mut h = Harness::new(naming());
        h.arrive(1, addr(1, 1), h.at(0.0));
        h.table.guest_user(guest(1), Some("Alice"), h.at(0.0));
        h.arrive(2, addr(2, 1), h.at(0.0));
        // Taken, whatever the case; then the name the telnet client sent is bad.
        h.table.guest_user(guest(2), Some("ALICE"), h.at(0.1));
        assert!(screen(&h.said(), 2).starts_with(&format!(
            "{}\n{}\n{}",
            NameProblem::Taken,
            messages::INTRODUCTION,
            messages::NAME_PROMPT
        )));
        type_keys(&mut h, 2, &chars("host\n"), 1.0);
        type_keys(&mut h, 2, &chars("al ice\n"), 2.0);
        type_keys(&mut h, 2, &chars("abcdefghijklmnopqrstu\n"), 3.0);
        type_keys(&mut h, 2, &chars("?\n"), 3.5);
        type_keys(&mut h, 2, &chars("zoë\n"), 4.0);
        let shown = screen(&h.said(), 2);
        let expected = [
            "host",
            &NameProblem::Reserved.to_string(),
            "al ice",
            &NameProblem::BadCharacter(' ').to_string(),
            "abcdefghijklmnopqrstu",
            &NameProblem::TooLong { chars: 21 }.to_string(),
            messages::NAME_HELP,
            "zoë",
            "Hello, zoë.",
        ];
        let mut rest = shown.as_str();
        for line in expected {
            let at = rest
                .find(line)
                .unwrap_or_else(|| panic!("{line:?} in {shown:?}"));
            rest = &rest[at + line.len()..];
        }
        assert_eq!(h.table.place_in_queue(guest(2)), Some(1));
        // A name is free again once its guest has gone.
        h.table.guest_left(guest(1), h.at(5.0));
        h.arrive(3, addr(3, 1), h.at(5.0));
        h.table.guest_user(guest(3), Some("alice"), h.at(5.0));
        assert!(h.said().contains(&(to(3), "Hello, alice.".to_string())));
    }

    #[test]
    fn netcat_is_asked_after_its_silence_and_answers_with_a_line_unechoed() {
        let mut h = Harness::new(naming());
        let _ = h.table.guest_arrived(guest(1), addr(1, 1), h.at(0.0));
        assert_eq!(h.table.poll_timeout(), Some(h.at(2.0)));
        h.table.handle_timeout(h.at(2.0));
        let said = h.said();
        assert!(
            screen(&said, 1).ends_with(messages::NAME_PROMPT),
            "{said:?}"
        );
        assert_eq!(
            h.table.poll_timeout(),
            Some(h.at(62.0)),
            "a minute to answer"
        );
        type_keys(&mut h, 1, &chars("  carol \n"), 3.0);
        let said = h.said();
        assert!(
            !said.iter().any(|(_, t)| t.starts_with("<echo>")),
            "{said:?}"
        );
        assert!(said.contains(&(to(1), "Hello, carol.".to_string())));
        assert!(said.contains(&(to(1), NETCAT_HINT.to_string())), "{said:?}");
        // Then plays by words.
        type_keys(&mut h, 1, &chars("paper\n"), 4.0);
        h.keys(&[(HOST, b'r')]);
        assert!(h
            .said()
            .contains(&(HOST, "Player 0: r, Player 1: p".to_string())));
    }

    #[test]
    fn a_guest_who_names_no_one_or_lets_the_clock_run_gets_a_name() {
        let mut h = Harness::new(naming());
        h.arrive(1, addr(1, 1), h.at(0.0));
        h.arrive(2, addr(2, 1), h.at(0.0));
        h.table.guest_user(guest(1), None, h.at(0.0));
        h.table.guest_user(guest(2), None, h.at(0.0));
        type_keys(&mut h, 1, &[Key::Enter], 1.0);
        assert!(h.said().contains(&(to(1), "Hello, guest-1.".to_string())));
        type_keys(&mut h, 2, &chars("da"), 1.0);
        h.said();
        h.table.handle_timeout(h.at(59.9));
        assert!(!h.said().iter().any(|(who, _)| *who == to(2)));
        h.table.handle_timeout(h.at(60.0));
        let said = h.said();
        assert!(
            said.contains(&(to(2), "Time is up: you are guest-2.".to_string())),
            "{said:?}"
        );
        // Guest 1's clock ran out meanwhile, so guest 2 plays.
        assert!(said.contains(&(HOST, "Player connected: guest-2".to_string())));
    }

    #[test]
    fn guests_at_the_door_are_closed_by_a_shutdown_and_leave_no_trace() {
        let mut h = Harness::new(naming());
        h.arrive(1, addr(1, 1), h.at(0.0));
        h.arrive(2, addr(1, 2), h.at(0.0));
        h.table.guest_user(guest(2), None, h.at(0.0));
        h.said();
        h.table.guest_left(guest(1), h.at(1.0));
        assert_eq!(h.said(), lines(&[(to(1), "<close>")]));
        assert_eq!(h.table.guests(), 1);
        h.table.shut_down();
        let said = h.said();
        assert!(said.contains(&(to(2), "Server shutting down. Good-bye".to_string())));
        assert!(said.contains(&(to(2), "<close>".to_string())));
        assert_eq!(h.table.guests(), 0);
        assert_eq!(h.table.poll_timeout(), None);
    }

    #[test]
    fn a_won_match_with_nobody_waiting_offers_a_rematch() {
        let settings = TableSettings {
            best_of: 1,
            ..quick()
        };
        let mut h = Harness::new(settings);
        h.arrive(1, addr(1, 1), h.at(0.0));
        h.said();
        h.keys(&[(HOST, b'r'), (to(1), b'p')]);
        let said = h.said();
        let asked = said
            .iter()
            .position(|l| *l == (to(1), messages::PLAY_AGAIN.to_string()))
            .expect("asked");
        let thanked = said
            .iter()
            .position(|l| *l == (to(1), "Thank you for playing!".to_string()))
            .unwrap();
        assert!(thanked < asked);
        assert!(!said.contains(&(to(1), "<close>".to_string())));
        assert_eq!(
            h.table.poll_timeout(),
            Some(h.at(10.0)),
            "a move's time to answer"
        );

        // Other keys are asked about; `y` starts a new match at once.
        h.keys(&[(to(1), b'x')]);
        assert_eq!(h.said(), lines(&[(to(1), messages::ANSWER_Y_OR_N)]));
        h.keys(&[(to(1), b'y')]);
        let said = h.said();
        assert!(said.contains(&(
            HOST,
            "127.0.0.1:1 plays again: a new match begins.".to_string()
        )));
        assert!(said.contains(&(to(1), YOUR_MOVE.to_string())));
        assert_eq!(h.table.playing(), Some(guest(1)));
        h.keys(&[(HOST, b'r'), (to(1), b's')]);
        h.said();
        // `n` thanks them and closes.
        h.keys(&[(to(1), b'n')]);
        assert_eq!(
            h.said(),
            lines(&[
                (to(1), messages::GOOD_BYE),
                (HOST, "127.0.0.1:1 will not play again."),
                (to(1), "<close>")
            ])
        );
        assert_eq!(h.table.guests(), 0);
    }

    #[test]
    fn the_rematch_question_times_out_and_gives_way_to_a_newcomer() {
        let settings = TableSettings {
            best_of: 1,
            ..quick()
        };
        let mut h = Harness::new(settings);
        h.arrive(1, addr(1, 1), h.at(0.0));
        h.keys(&[(HOST, b'r'), (to(1), b'p')]);
        h.said();
        h.table.handle_timeout(h.at(9.9));
        assert_eq!(h.said(), []);
        h.table.handle_timeout(h.at(10.0));
        let said = h.said();
        assert!(said.contains(&(to(1), messages::NO_ANSWER.to_string())));
        assert!(said.contains(&(to(1), "<close>".to_string())));

        h.arrive(2, addr(2, 1), h.at(11.0));
        h.keys(&[(HOST, b'r'), (to(2), b'p')]);
        h.said();
        h.arrive(3, addr(3, 1), h.at(12.0));
        let said = h.said();
        assert!(said.contains(&(to(2), messages::SEAT_TAKEN.to_string())));
        assert!(said.contains(&(to(2), "<close>".to_string())));
        assert_eq!(h.table.playing(), Some(guest(3)));
        // With someone waiting, there is no question: the next plays.
        h.arrive(4, addr(4, 1), h.at(12.0));
        h.keys(&[(HOST, b'r'), (to(3), b'p')]);
        let said = h.said();
        assert!(!said.contains(&(to(3), messages::PLAY_AGAIN.to_string())));
        assert!(said.contains(&(to(3), "<close>".to_string())));
        assert_eq!(h.table.playing(), Some(guest(4)));
    }

    /// The raw lines said to `who`, escapes and all.
    fn raw(h: &mut Harness, who: Recipient) -> Vec<String> {
        std::iter::from_fn(|| h.table.poll_action())
            .filter_map(|action| match action {
                Action::Say { to, text } if to == who => Some(text.to_string()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn results_are_coloured_for_a_colour_terminal_never_inside_the_words_and_c_toggles() {
        let mut h = Harness::new(quick());
        h.arrive(1, addr(1, 1), h.at(0.0));
        h.arrive(2, addr(2, 1), h.at(0.0));
        h.table.guest_terminal(guest(1), true);
        // Only the first word of the client counts.
        h.table.guest_terminal(guest(1), false);
        h.table.guest_terminal(guest(2), true);
        h.said();
        h.keys(&[(HOST, b'r'), (to(1), b'p')]);
        let guest_saw = raw(&mut h, to(1));
        assert!(
            guest_saw.contains(&paint(Tone::Won, "Player 1 wins!")),
            "{guest_saw:?}"
        );
        assert!(guest_saw.contains(&"Player 0: r, Player 1: p".to_string()));
        h.keys(&[(HOST, b'r'), (to(1), b's')]);
        let host_saw = raw(&mut h, HOST);
        assert!(
            host_saw.contains(&paint(Tone::Won, "Player 0 wins!")),
            "{host_saw:?}"
        );
        h.keys(&[(HOST, b'r'), (to(1), b'r')]);
        let guest_saw = raw(&mut h, to(1));
        assert!(
            guest_saw.contains(&paint(Tone::Even, messages::TIE)),
            "{guest_saw:?}"
        );
        // The queue watches in plain words.
        h.keys(&[(HOST, b'r'), (to(1), b's')]);
        let watcher = raw(&mut h, to(2));
        assert!(watcher.iter().all(|l| !l.contains('\u{1b}')), "{watcher:?}");

        h.keys(&[(to(1), b'c')]);
        assert_eq!(
            h.said(),
            lines(&[(to(1), messages::colour_switched(false))])
        );
        h.keys(&[(HOST, b'r'), (to(1), b'p')]);
        let guest_saw = raw(&mut h, to(1));
        assert!(
            guest_saw.iter().all(|l| !l.contains('\u{1b}')),
            "{guest_saw:?}"
        );
        h.keys(&[(to(1), b'c')]);
        assert_eq!(
            raw(&mut h, to(1)),
            [paint(Tone::Won, messages::colour_switched(true))]
        );
    }

    #[test]
    fn a_guest_without_a_colour_terminal_sees_none() {
        let mut h = Harness::new(quick());
        h.arrive(1, addr(1, 1), h.at(0.0));
        h.table.guest_terminal(guest(1), false);
        h.keys(&[(HOST, b'r'), (to(1), b'p')]);
        let guest_saw = raw(&mut h, to(1));
        assert!(
            guest_saw.iter().all(|l| !l.contains('\u{1b}')),
            "{guest_saw:?}"
        );
    }

    fn house_bot(seed: u64) -> TableSettings {
        TableSettings {
            house_bot: true,
            bot_seed: seed,
            best_of: 99,
            ..quick()
        }
    }

    /// Runs the clocks until the house bot has moved (or nothing is due within 2 s).
    fn let_the_bot_move(h: &mut Harness, from: f64) -> Vec<(Recipient, String)> {
        let mut said = Vec::new();
        let mut at = from;
        while at < from + 2.0 {
            at += 0.05;
            h.table.handle_timeout(h.at(at));
            said.extend(h.said());
            if said.iter().any(|(_, t)| t.starts_with("Player 0: ")) {
                break;
            }
        }
        said
    }

    /// The throw line of `said`.
    fn throw_line(said: &[(Recipient, String)]) -> String {
        said.iter()
            .find(|(who, t)| *who == HOST && t.starts_with("Player 0: "))
            .map(|(_, t)| t.clone())
            .unwrap_or_default()
    }

    #[test]
    fn the_house_bot_chooses_before_the_guest_moves_and_never_sees_that_move() {
        for seed in 0..40 {
            let mut bot_moves = Vec::new();
            for guest_key in ['r', 'p', 's'] {
                let mut h = Harness::new(house_bot(seed));
                h.arrive(1, addr(1, 1), h.at(0.0));
                // The guest moves at once, long before the bot's pause is over.
                h.table
                    .guest_pressed(guest(1), Key::Char(guest_key), h.at(0.01));
                let said = let_the_bot_move(&mut h, 0.01);
                let line = throw_line(&said);
                assert!(
                    line.ends_with(&format!("Player 1: {guest_key}")),
                    "{said:?}"
                );
                bot_moves.push(line[..12].to_string());
            }
            assert!(
                bot_moves.windows(2).all(|w| w[0] == w[1]),
                "seed {seed}: the bot's move changed with the guest's: {bot_moves:?}"
            );
        }
    }

    /// The transcript of a scripted match against the house bot seeded with `seed`.
    fn scripted(seed: u64) -> Vec<String> {
        let mut h = Harness::new(house_bot(seed));
        h.arrive(1, addr(1, 1), h.at(0.0));
        let mut throws = Vec::new();
        let mut at = 0.0;
        for key in "rrpspsrrppss".chars() {
            h.table.guest_pressed(guest(1), Key::Char(key), h.at(at));
            throws.push(throw_line(&let_the_bot_move(&mut h, at)));
            at += 2.0;
        }
        throws
    }

    #[test]
    fn a_bot_seed_replays_a_match_move_for_move() {
        assert_eq!(scripted(7), scripted(7));
        assert!(scripted(7).iter().all(|t| t.starts_with("Player 0: ")));
        let others: Vec<Vec<String>> = (8..12).map(scripted).collect();
        assert!(others.iter().any(|o| *o != scripted(7)), "the seed matters");
    }

    #[test]
    fn guests_are_told_they_play_the_house_bot_and_its_move_comes_after_a_pause() {
        let mut h = Harness::new(house_bot(1));
        h.arrive(1, addr(1, 1), h.at(0.0));
        let said = h.said();
        assert!(said.contains(&(
            to(1),
            "You are 127.0.0.1:1, Player 1; the house bot is Player 0.".to_string()
        )));
        h.table.guest_pressed(guest(1), Key::Char('r'), h.at(0.0));
        assert!(h
            .said()
            .contains(&(to(1), "Waiting for the house bot's move.".to_string())));
        h.table.handle_timeout(h.at(0.39));
        assert_eq!(
            throw_line(&h.said()),
            "",
            "not before half the average pause"
        );
        let said = let_the_bot_move(&mut h, 0.39);
        assert!(!throw_line(&said).is_empty());
        // The host's own move keys are not theirs to play now.
        h.keys(&[(HOST, b'r')]);
        assert_eq!(
            h.said(),
            lines(&[(HOST, "The house bot holds your seat: h takes it back.")])
        );
    }

    #[test]
    fn the_host_hands_the_seat_to_the_bot_and_takes_it_back_between_games() {
        let settings = TableSettings {
            best_of: 99,
            ..quick()
        };
        let mut h = Harness::new(settings);
        h.arrive(1, addr(1, 1), h.at(0.0));
        h.keys(&[(HOST, b'r')]);
        h.said();
        // Mid-game: the host has moved; the bot takes over after this game.
        h.keys(&[(HOST, b'b')]);
        assert_eq!(
            h.said(),
            lines(&[(HOST, "The seat changes hands when this game is over.")])
        );
        h.keys(&[(to(1), b's')]);
        let said = h.said();
        assert_eq!(throw_line(&said), "Player 0: r, Player 1: s");
        assert!(said.contains(&(to(1), "The house bot takes the host's seat.".to_string())));
        h.table.guest_pressed(guest(1), Key::Char('p'), h.at(1.0));
        assert!(
            !throw_line(&let_the_bot_move(&mut h, 1.0)).is_empty(),
            "the bot played"
        );
        // Between games: at once.
        h.keys(&[(HOST, b'h')]);
        let said = h.said();
        assert!(said.contains(&(to(1), "The host is back in their seat.".to_string())));
        h.keys(&[(HOST, b'p'), (to(1), b'r')]);
        assert_eq!(throw_line(&h.said()), "Player 0: p, Player 1: r");
    }

    #[test]
    fn the_guest_gets_a_card_of_their_habits_after_the_match() {
        let settings = TableSettings {
            best_of: 3,
            ..quick()
        };
        let mut h = Harness::new(settings);
        h.arrive(1, addr(1, 1), h.at(0.0));
        h.said();
        // Rock wins, rock again loses, then a change to paper wins: 2-1 to the guest.
        for (host, visitor) in [(b's', b'r'), (b'p', b'r'), (b'r', b'p')] {
            h.keys(&[(HOST, host), (to(1), visitor)]);
        }
        let said = h.said();
        let card: Vec<&String> = said
            .iter()
            .filter(|(who, t)| {
                *who == to(1) && (t.starts_with("Your habits") || t.starts_with("After"))
            })
            .map(|(_, t)| t)
            .collect();
        assert_eq!(
            card,
            [
                "Your habits this match: rock 67%, paper 33%, scissors 0%.",
                "After a win you played the same move again 1 time in 1 (100%); after a loss you changed 1 time in 1 (100%)."
            ],
            "{said:?}"
        );
        assert!(said
            .iter()
            .any(|(who, t)| *who == to(1) && t.starts_with("The house bot called your next move")));
    }

    #[test]
    fn rpsls_is_played_by_its_keys_and_its_words_and_l_is_the_lizard_in_a_match() {
        let settings = TableSettings {
            variant: Variant::Rpsls,
            ..quick()
        };
        let mut h = Harness::new(settings);
        h.arrive(1, addr(1, 1), h.at(0.0));
        h.arrive(2, addr(2, 1), h.at(0.0));
        let said = h.said();
        assert!(said.contains(&(to(1), "Your move: r, p, s, l or k.".to_string())));
        h.keys(&[(HOST, b'r'), (to(1), b'k')]);
        let said = h.said();
        for line in [
            "Player 0: r, Player 1: k",
            "Spock vaporizes rock.",
            "Player 1 wins!",
        ] {
            assert!(
                said.contains(&(to(1), line.to_string())),
                "{line}: {said:?}"
            );
            assert!(
                said.contains(&(to(2), line.to_string())),
                "the queue too: {line}"
            );
        }
        h.keys(&[(HOST, b'l'), (to(1), b'p')]);
        assert!(h.said().contains(&(HOST, "Lizard eats paper.".to_string())));
        // Not a move for the guest in line: the leaderboard (there is none here).
        h.keys(&[(to(2), b'l')]);
        assert_eq!(h.said(), lines(&[(to(2), messages::NO_RECORDS)]));
    }

    #[test]
    fn the_house_bot_remembers_a_returning_players_earlier_games() {
        let settings = TableSettings {
            ask_names: true,
            records: true,
            ..house_bot(3)
        };
        let first_bot_move = |past: &[(char, char)]| {
            let mut h = Harness::new(settings);
            h.arrive(1, addr(1, 1), h.at(0.0));
            h.table
                .guest_told(guest(1), Told::User(Some("ann".into())), h.at(0.0));
            h.table.guest_record(guest(1), "ann", None, past, h.at(0.0));
            h.said();
            h.table.guest_pressed(guest(1), Key::Char('r'), h.at(0.0));
            throw_line(&let_the_bot_move(&mut h, 0.0))
        };
        // Ann always played rock against scissors: the bot opens with paper.
        assert_eq!(
            first_bot_move(&[('r', 's'); 60]),
            "Player 0: p, Player 1: r"
        );
        // Against one it has never met, the bot has nothing to go on: it plays at random.
        let fresh: Vec<String> = (0..8)
            .map(|seed| {
                let mut h = Harness::new(house_bot(seed));
                h.arrive(1, addr(1, 1), h.at(0.0));
                h.table.guest_pressed(guest(1), Key::Char('r'), h.at(0.0));
                throw_line(&let_the_bot_move(&mut h, 0.0))
            })
            .collect();
        assert!(
            fresh.iter().any(|t| t != "Player 0: p, Player 1: r"),
            "{fresh:?}"
        );
    }
}
