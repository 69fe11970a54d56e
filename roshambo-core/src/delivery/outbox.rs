//! The outbox: what to send to whom, and when. Pure: it takes the table's actions and
//! `now`, and hands out [`Transmit`]s for the server to carry out with real syscalls.
//!
//! The policy it keeps:
//! - **The players first.** After each event the player waiting for it is served first
//!   (the host after their own key, the playing guest otherwise), then the other one,
//!   and only then is anything for the queue even looked at.
//! - **The queue's output is held and coalesced.** What the queue watches is kept once
//!   ([`QueueNews`]) and each waiting guest's output is sent in rounds: the first round
//!   [`QUEUE_HOLD`] after something was said, a few guests at a time between events, and
//!   never more than [`QUEUE_SENDS_PER_SECOND`] sends a second however long the queue.
//! - **One writer at a time per socket.** While a guest's socket takes their output at
//!   once, the game thread sends it directly ([`Route::Direct`]); when it does not, the
//!   rest and everything after it goes to that guest's writer thread ([`Route::Writer`])
//!   until the writer reports it all written. Nothing is reordered.
//! - **A guest who does not read is cut.** More than [`OUTPUT_LIMIT`] unsent (held here
//!   or with the writer) and the guest is cut; the server tells the table they left.

use crate::delivery::queue_news::QueueNews;
use crate::game::{Action, GuestId, Recipient};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Unsent output a guest may have before they count as not reading and are cut.
pub const OUTPUT_LIMIT: usize = 64 * 1024;

/// How long the queue's output is held at least, so that the games it watches go out
/// several lines to a write: the players' moves are never behind hundreds of sends.
pub const QUEUE_HOLD: Duration = Duration::from_millis(100);

/// Sends a second the queue may cost, however long it is. Each send to a guest costs the
/// machine about the same whatever its size (13 µs on loopback, measured), so a long
/// queue has its output held longer and coalesced more, instead of taking the CPU from
/// the players: with 500 waiting, each hears the games twice a second.
pub const QUEUE_SENDS_PER_SECOND: usize = 1000;

/// Waiting guests whose output is sent in one go between events: small, so that a key
/// arriving meanwhile waits for a few sends at most.
pub const SEND_BATCH: usize = 2;

/// Who may write to a guest's socket now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Route {
    /// The game thread: send what the socket takes without blocking, and give the rest
    /// back with [`Outbox::handle_sent`].
    Direct,
    /// The guest's writer thread, which blocks on the socket: hand the bytes over; it
    /// reports them with [`Outbox::handle_written`].
    Writer,
}

/// One thing for the server to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Transmit {
    /// Lines for the host's console, each ending in a newline. `urgent`: the host is
    /// waiting for them (it was their key).
    Console { text: String, urgent: bool },
    /// Bytes for a guest, by `route`. `urgent`: the guest is a player, waiting for them.
    Guest {
        to: GuestId,
        bytes: Vec<u8>,
        route: Route,
        urgent: bool,
    },
    /// Everything said to the guest has been sent or handed to their writer: close
    /// gently, once it is sent, and tell [`Outbox::guest_gone`].
    Hangup { guest: GuestId },
    /// The guest is not reading (`unsent` bytes waiting): cut the connection now, and
    /// tell the table they left. The outbox has forgotten them already.
    Cut { guest: GuestId, unsent: usize },
}

/// One guest's output.
#[derive(Debug, Default)]
struct Mailbox {
    /// Said, not yet sent, and not yet handed to the writer.
    pending: Vec<u8>,
    /// Handed to the writer and not yet reported written. While it is not zero, the
    /// writer owns the socket's output.
    handed_off: usize,
    /// How far into the queue's news this guest has been given (see [`QueueNews`]).
    news_had: u64,
    /// Told their last words: nothing more is said to them, and they wait for the
    /// server to hang up.
    closing: bool,
}

impl Mailbox {
    fn route(&self) -> Route {
        if self.handed_off == 0 {
            Route::Direct
        } else {
            Route::Writer
        }
    }

    fn unsent(&self) -> usize {
        self.pending.len() + self.handed_off
    }

    /// Adds the news this guest has not had yet.
    fn catch_up(&mut self, news: &QueueNews) {
        self.pending.extend_from_slice(news.since(self.news_had));
        self.news_had = news.end();
    }

    /// Adds what was said, after any news not had yet.
    fn tell(&mut self, news: &QueueNews, said: &Said) {
        self.catch_up(news);
        self.pending.extend_from_slice(said.text().as_bytes());
        if !matches!(said, Said::Echo(..)) {
            self.pending.extend_from_slice(b"\r\n");
        }
    }
}

/// A line for guests, kept until the players have been served.
#[derive(Debug)]
enum Said {
    One(GuestId, Arc<str>),
    /// Text that is no whole line: a prompt, or an echo of typing.
    Echo(GuestId, Arc<str>),
    /// To everyone in the queue as it was when this was said.
    Queue(Arc<[GuestId]>, Arc<str>),
}

impl Said {
    fn reaches(&self, guest: GuestId) -> bool {
        match self {
            Said::One(to, _) | Said::Echo(to, _) => *to == guest,
            Said::Queue(queue, _) => queue.contains(&guest),
        }
    }

    fn text(&self) -> &str {
        match self {
            Said::One(_, text) | Said::Echo(_, text) | Said::Queue(_, text) => text,
        }
    }
}

/// Every guest's output, and the host's lines of the event being handled.
#[derive(Debug, Default)]
pub struct Outbox {
    mailboxes: HashMap<GuestId, Mailbox>,
    /// What the queue watches, kept once for everyone waiting.
    news: QueueNews,
    /// The host's lines since the last [`Outbox::commit`].
    console: String,
    /// The guests' lines since the last [`Outbox::commit`].
    staged: Vec<Said>,
    /// What the server is to do next, in order.
    ready: VecDeque<Transmit>,
    /// When the queue's held output is due; `None` while nothing is held.
    queue_due: Option<Instant>,
    /// Waiting guests whose held output is due, sent [`SEND_BATCH`] at a time between
    /// events. Output said meanwhile is held for the next round, so each round ends.
    round: VecDeque<GuestId>,
}

impl Outbox {
    pub fn new() -> Outbox {
        Outbox::default()
    }

    /// A guest connected: `greeting` goes out at once (telnet clients wait for it to
    /// pick their mode). News from before they came is not theirs.
    pub fn guest_connected(&mut self, guest: GuestId, greeting: &[u8]) {
        let mailbox = Mailbox {
            pending: greeting.to_vec(),
            news_had: self.news.end(),
            ..Mailbox::default()
        };
        self.mailboxes.insert(guest, mailbox);
        self.flush(guest, false);
    }

    /// Bytes for a guest that go out at once, ahead of anything held (telnet answers:
    /// the client waits for them). Bounded by the telnet filter, so never over the limit.
    pub fn send_now(&mut self, guest: GuestId, bytes: &[u8]) {
        if let Some(mailbox) = self.mailboxes.get_mut(&guest) {
            mailbox.pending.extend_from_slice(bytes);
            self.flush(guest, false);
        }
    }

    /// Takes one of the table's actions ([`Action::Log`] is the server's, not ours).
    /// Lines are kept until [`Outbox::commit`], so that the players are served first.
    pub fn handle_action(&mut self, action: Action) {
        match action {
            Action::Say {
                to: Recipient::Host,
                text,
            } => {
                self.console.push_str(&text);
                self.console.push('\n');
            }
            Action::Say {
                to: Recipient::Guest(guest),
                text,
            } => self.staged.push(Said::One(guest, text)),
            Action::Echo { to, text } => self.staged.push(Said::Echo(to, text)),
            Action::SayToQueue { queue, text } => self.staged.push(Said::Queue(queue, text)),
            Action::Close { guest } => self.close(guest),
            Action::Log(_) | Action::FindRecord { .. } | Action::ShowLeaderboard { .. } => {}
        }
    }

    /// The event's actions are all in: decides what goes out now and in what order.
    /// `player` is the guest now playing; `host_first` says the event was the host's
    /// key, so the host is waiting before the guest; `answering` is the guest whose key
    /// the event was, if it was one: what they are told goes out now, not with the
    /// queue's held output (the echo of a name being typed, the help, a place).
    pub fn commit(
        &mut self,
        player: Option<GuestId>,
        answering: Option<GuestId>,
        host_first: bool,
        now: Instant,
    ) {
        let mut overflowed = Vec::new();
        // The player hears their lines directly (after any news from before they were
        // seated), never as news.
        if let Some(mailbox) = player.and_then(|p| self.mailboxes.get_mut(&p)) {
            let player = player.expect("a mailbox was found for the player");
            for item in self.staged.iter().filter(|item| item.reaches(player)) {
                mailbox.tell(&self.news, item);
            }
        }
        if host_first {
            self.take_console(true);
        }
        if let Some(player) = player {
            self.flush(player, true);
        }
        self.take_console(false);
        let mut hold = false;
        let mut answered = false;
        for item in std::mem::take(&mut self.staged) {
            match &item {
                Said::One(guest, _) | Said::Echo(guest, _) if Some(*guest) != player => {
                    let guest = *guest;
                    let mailbox = self.mailboxes.get_mut(&guest);
                    if let Some(mailbox) = mailbox.filter(|m| !m.closing) {
                        mailbox.tell(&self.news, &item);
                        if mailbox.unsent() > OUTPUT_LIMIT {
                            overflowed.push(guest);
                        }
                        if Some(guest) == answering {
                            answered = true;
                        } else {
                            hold = true;
                        }
                    }
                }
                Said::One(..) | Said::Echo(..) => {}
                Said::Queue(_, text) => {
                    self.news.publish(text);
                    hold = true;
                }
            }
        }
        if let Some(mailbox) = player.and_then(|p| self.mailboxes.get_mut(&p)) {
            mailbox.news_had = self.news.end();
            if mailbox.unsent() > OUTPUT_LIMIT {
                overflowed.push(player.expect("a mailbox was found for the player"));
            }
        }
        if answered {
            let guest = answering.expect("an answer has a guest");
            if !overflowed.contains(&guest) {
                self.flush(guest, false);
            }
        }
        if hold {
            self.hold_queue_output(now);
        }
        for guest in overflowed {
            self.cut(guest);
        }
    }

    /// The next thing to do, in order; call until `None`.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.ready.pop_front()
    }

    /// A [`Route::Direct`] send took the first `sent` of `bytes`. The rest goes to the
    /// writer, next, and so does everything after it until the writer has written it.
    pub fn handle_sent(&mut self, guest: GuestId, mut bytes: Vec<u8>, sent: usize) {
        let Some(mailbox) = self.mailboxes.get_mut(&guest) else {
            return;
        };
        if sent >= bytes.len() {
            // Keep the allocation for the next lines.
            if mailbox.pending.is_empty() {
                bytes.clear();
                mailbox.pending = bytes;
            }
            return;
        }
        bytes.drain(..sent);
        bytes.append(&mut mailbox.pending);
        mailbox.handed_off += bytes.len();
        self.ready.push_front(Transmit::Guest {
            to: guest,
            bytes,
            route: Route::Writer,
            urgent: false,
        });
    }

    /// The guest's writer has written (or, failing, given back) `bytes` it was handed.
    /// Returns whether it has none left: the socket is the game thread's again, and the
    /// writer is no longer needed.
    pub fn handle_written(&mut self, guest: GuestId, bytes: usize) -> bool {
        let Some(mailbox) = self.mailboxes.get_mut(&guest) else {
            return false;
        };
        mailbox.handed_off = mailbox.handed_off.saturating_sub(bytes);
        mailbox.handed_off == 0
    }

    /// A guest's connection is gone (the server has hung up on them or cut them):
    /// forget them.
    pub fn guest_gone(&mut self, guest: GuestId) {
        self.mailboxes.remove(&guest);
    }

    /// When [`Outbox::handle_timeout`] must next be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.queue_due
    }

    /// The queue's held output is due: starts a round of sending it, first in the queue
    /// first. A round still going (the queue is very long) is finished first.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.queue_due.is_none_or(|due| due > now) {
            return;
        }
        self.queue_due = None;
        if !self.round.is_empty() {
            self.hold_queue_output(now);
            return;
        }
        let news_end = self.news.end();
        let mut oldest = news_end;
        for (&guest, mailbox) in self.mailboxes.iter().filter(|(_, m)| !m.closing) {
            oldest = oldest.min(mailbox.news_had);
            if !mailbox.pending.is_empty() || mailbox.news_had < news_end {
                self.round.push_back(guest);
            }
        }
        self.round.make_contiguous().sort_unstable();
        self.news.forget_before(oldest);
    }

    /// Whether a round of the queue's output is under way: the server should call
    /// [`Outbox::send_round`] whenever it has no event to handle.
    pub fn is_sending_round(&self) -> bool {
        !self.round.is_empty()
    }

    /// Makes the next [`SEND_BATCH`] waiting guests' output ready to send. The player is
    /// skipped: they were served with their event.
    pub fn send_round(&mut self, player: Option<GuestId>) {
        let batch = SEND_BATCH.min(self.round.len());
        let guests: Vec<GuestId> = self.round.drain(..batch).collect();
        for guest in guests {
            if Some(guest) == player {
                continue;
            }
            let Some(mailbox) = self.mailboxes.get_mut(&guest).filter(|m| !m.closing) else {
                continue;
            };
            mailbox.catch_up(&self.news);
            if mailbox.unsent() > OUTPUT_LIMIT {
                self.cut(guest);
            } else {
                self.flush(guest, false);
            }
        }
    }

    /// Guests with a mailbox.
    pub fn guests(&self) -> usize {
        self.mailboxes.len()
    }

    /// The guest's output so far goes out: what was said to them, then a hang-up.
    fn close(&mut self, guest: GuestId) {
        let Some(mailbox) = self.mailboxes.get_mut(&guest).filter(|m| !m.closing) else {
            return;
        };
        mailbox.catch_up(&self.news);
        for item in self.staged.iter().filter(|item| item.reaches(guest)) {
            mailbox.tell(&self.news, item);
        }
        mailbox.closing = true;
        self.staged
            .retain(|item| !matches!(item, Said::One(g, _) | Said::Echo(g, _) if *g == guest));
        self.flush(guest, false);
        self.ready.push_back(Transmit::Hangup { guest });
    }

    fn cut(&mut self, guest: GuestId) {
        if let Some(mailbox) = self.mailboxes.remove(&guest) {
            let unsent = mailbox.unsent();
            self.ready.push_back(Transmit::Cut { guest, unsent });
        }
    }

    /// Makes the guest's pending output ready to send, by whichever route owns it.
    fn flush(&mut self, guest: GuestId, urgent: bool) {
        let Some(mailbox) = self.mailboxes.get_mut(&guest) else {
            return;
        };
        if mailbox.pending.is_empty() {
            return;
        }
        let route = mailbox.route();
        let bytes = std::mem::take(&mut mailbox.pending);
        if route == Route::Writer {
            mailbox.handed_off += bytes.len();
        }
        self.ready.push_back(Transmit::Guest {
            to: guest,
            bytes,
            route,
            urgent,
        });
    }

    fn take_console(&mut self, urgent: bool) {
        if !self.console.is_empty() {
            let text = std::mem::take(&mut self.console);
            self.ready.push_back(Transmit::Console { text, urgent });
        }
    }

    /// Makes the queue's output due (see [`queue_hold`]) unless it already is.
    fn hold_queue_output(&mut self, now: Instant) {
        let hold = queue_hold(self.mailboxes.len());
        self.queue_due.get_or_insert(now + hold);
    }
}

/// How long the queue's output is held with `guests` connected: [`QUEUE_HOLD`], or
/// longer if the queue would otherwise cost more than [`QUEUE_SENDS_PER_SECOND`].
pub fn queue_hold(guests: usize) -> Duration {
    let spread = Duration::from_secs_f64(guests as f64 / QUEUE_SENDS_PER_SECOND as f64);
    spread.max(QUEUE_HOLD)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOST: Recipient = Recipient::Host;

    fn g(n: u64) -> GuestId {
        GuestId(n)
    }

    fn to(n: u64) -> Recipient {
        Recipient::Guest(g(n))
    }

    fn say(to: Recipient, text: &str) -> Action {
        Action::Say {
            to,
            text: text.into(),
        }
    }

    fn to_queue(guests: &[u64], text: &str) -> Action {
        Action::SayToQueue {
            queue: guests.iter().map(|&n| g(n)).collect(),
            text: text.into(),
        }
    }

    /// An outbox and a clock, with a server that sends everything it is given at once.
    struct Harness {
        outbox: Outbox,
        start: Instant,
    }

    /// What the server was asked to do, readably: `("console", text)`,
    /// `("guest 2", text)`, `("hang up 2", "")`, `("cut 2", "")`.
    type Done = Vec<(String, String)>;

    impl Harness {
        fn new() -> Harness {
            Harness {
                outbox: Outbox::new(),
                start: Instant::now(),
            }
        }

        fn at(&self, ms: u64) -> Instant {
            self.start + Duration::from_millis(ms)
        }

        fn connect(&mut self, guests: impl IntoIterator<Item = u64>) {
            for n in guests {
                self.outbox.guest_connected(g(n), b"");
            }
        }

        fn event(
            &mut self,
            actions: Vec<Action>,
            player: Option<u64>,
            host_first: bool,
            ms: u64,
        ) -> Done {
            for action in actions {
                self.outbox.handle_action(action);
            }
            self.outbox
                .commit(player.map(g), None, host_first, self.at(ms));
            self.drain()
        }

        /// As [`Harness::event`], for an event that was the key of guest `answering`.
        fn answer(
            &mut self,
            actions: Vec<Action>,
            player: Option<u64>,
            answering: Option<u64>,
            ms: u64,
        ) -> Done {
            for action in actions {
                self.outbox.handle_action(action);
            }
            self.outbox
                .commit(player.map(g), answering.map(g), false, self.at(ms));
            self.drain()
        }

        /// Carries out every transmit as a socket that takes everything would.
        fn drain(&mut self) -> Done {
            let mut done = Vec::new();
            while let Some(transmit) = self.outbox.poll_transmit() {
                done.push(match transmit {
                    Transmit::Console { text, .. } => ("console".to_string(), text),
                    Transmit::Guest {
                        to, bytes, route, ..
                    } => {
                        let len = bytes.len();
                        let text = String::from_utf8(bytes.clone()).unwrap();
                        match route {
                            Route::Direct => self.outbox.handle_sent(to, bytes, len),
                            Route::Writer => {
                                self.outbox.handle_written(to, len);
                            }
                        }
                        (format!("guest {}", to.0), text)
                    }
                    Transmit::Hangup { guest } => {
                        self.outbox.guest_gone(guest);
                        (format!("hang up {}", guest.0), String::new())
                    }
                    Transmit::Cut { guest, .. } => (format!("cut {}", guest.0), String::new()),
                });
            }
            done
        }

        /// Runs the queue's output until nothing is held, from `ms` on; returns what was
        /// sent and how many batches it took.
        fn run_queue(&mut self, ms: u64, player: Option<u64>) -> (Done, usize) {
            let due = self
                .outbox
                .poll_timeout()
                .expect("the queue's output is held");
            assert!(due >= self.at(ms));
            self.outbox.handle_timeout(due);
            let mut done = Vec::new();
            let mut batches = 0;
            while self.outbox.is_sending_round() {
                self.outbox.send_round(player.map(g));
                batches += 1;
                done.extend(self.drain());
            }
            (done, batches)
        }
    }

    fn lines(list: &[(&str, &str)]) -> Done {
        list.iter()
            .map(|&(who, text)| (who.to_string(), text.to_string()))
            .collect()
    }

    #[test]
    fn the_host_is_served_first_after_their_key_and_the_guest_after_theirs() {
        let mut h = Harness::new();
        h.connect([1]);
        let result = || {
            vec![
                say(HOST, "Player 0: r, Player 1: s"),
                say(to(1), "Player 0: r, Player 1: s"),
                say(HOST, "Player 0 wins!"),
                say(to(1), "Player 0 wins!"),
            ]
        };
        let both = "Player 0: r, Player 1: s\nPlayer 0 wins!\n";
        let guest = "Player 0: r, Player 1: s\r\nPlayer 0 wins!\r\n";
        assert_eq!(
            h.event(result(), Some(1), true, 0),
            lines(&[("console", both), ("guest 1", guest)])
        );
        assert_eq!(
            h.event(result(), Some(1), false, 0),
            lines(&[("guest 1", guest), ("console", both)])
        );
        assert_eq!(h.outbox.poll_timeout(), None, "nothing for a queue");
    }

    #[test]
    fn a_waiting_guests_answer_to_their_own_key_goes_out_at_once_and_echoes_have_no_line_end() {
        let mut h = Harness::new();
        h.connect(1..=3);
        let echo = Action::Echo {
            to: g(2),
            text: Arc::from("a"),
        };
        let done = h.answer(
            vec![
                to_queue(&[2, 3], "game 1"),
                echo,
                say(to(2), "You are number 1 in line"),
                say(to(3), "held"),
            ],
            Some(1),
            Some(2),
            0,
        );
        assert_eq!(
            done,
            lines(&[("guest 2", "game 1\r\naYou are number 1 in line\r\n")]),
            "guest 2 pressed the key; guest 3's line waits with the queue's"
        );
        assert_eq!(h.outbox.poll_timeout(), Some(h.at(100)));
        let (sent, _) = h.run_queue(100, Some(1));
        assert_eq!(sent, lines(&[("guest 3", "game 1\r\nheld\r\n")]));
    }

    #[test]
    fn the_players_go_out_before_the_queue_which_is_held_and_coalesced() {
        let mut h = Harness::new();
        h.connect(1..=3);
        let mut done = Vec::new();
        for (ms, text) in [(0, "Player 0: r, Player 1: s"), (30, "Wins: 1 - 0")] {
            done.extend(h.event(
                vec![say(HOST, text), say(to(1), text), to_queue(&[2, 3], text)],
                Some(1),
                false,
                ms,
            ));
        }
        assert!(
            done.iter()
                .all(|(who, _)| who == "guest 1" || who == "console"),
            "only the players so far: {done:?}"
        );
        assert_eq!(
            h.outbox.poll_timeout(),
            Some(h.at(100)),
            "held from the first line"
        );
        let (sent, _) = h.run_queue(100, Some(1));
        let watched = "Player 0: r, Player 1: s\r\nWins: 1 - 0\r\n";
        assert_eq!(
            sent,
            lines(&[("guest 2", watched), ("guest 3", watched)]),
            "one write each, both lines"
        );
        assert_eq!(h.outbox.poll_timeout(), None);
    }

    #[test]
    fn news_reaches_each_waiting_guest_once_in_order_before_their_own_lines() {
        let mut h = Harness::new();
        h.connect(1..=3);
        h.event(vec![to_queue(&[2, 3], "game 1")], Some(1), false, 0);
        h.event(
            vec![
                to_queue(&[2, 3], "game 2"),
                say(to(3), "You are number 1 in line"),
            ],
            Some(1),
            false,
            10,
        );
        let (sent, _) = h.run_queue(100, Some(1));
        assert_eq!(
            sent,
            lines(&[
                ("guest 2", "game 1\r\ngame 2\r\n"),
                (
                    "guest 3",
                    "game 1\r\ngame 2\r\nYou are number 1 in line\r\n"
                ),
            ])
        );
        // Guest 2 moves up: the news since their last round first, then their welcome,
        // and nothing twice.
        h.event(vec![to_queue(&[2, 3], "game 3")], Some(1), false, 200);
        let seated = h.event(
            vec![
                say(to(1), "Thank you for playing!"),
                Action::Close { guest: g(1) },
                say(HOST, "Player connected: 2"),
                say(to(2), "Welcome to the game"),
            ],
            Some(2),
            false,
            210,
        );
        assert_eq!(
            seated,
            lines(&[
                ("guest 1", "Thank you for playing!\r\n"),
                ("hang up 1", ""),
                ("guest 2", "game 3\r\nWelcome to the game\r\n"),
                ("console", "Player connected: 2\n"),
            ])
        );
        let (sent, _) = h.run_queue(300, Some(2));
        assert_eq!(sent, lines(&[("guest 3", "game 3\r\n")]));
        h.event(vec![to_queue(&[3], "game 4")], Some(2), false, 400);
        let (sent, _) = h.run_queue(500, Some(2));
        assert_eq!(
            sent,
            lines(&[("guest 3", "game 4\r\n")]),
            "the player never hears news"
        );
    }

    #[test]
    fn a_newcomer_does_not_hear_the_news_from_before_they_came() {
        let mut h = Harness::new();
        h.connect(1..=2);
        h.event(vec![to_queue(&[2], "old game")], Some(1), false, 0);
        h.connect([3]);
        h.event(vec![to_queue(&[2, 3], "new game")], Some(1), false, 10);
        let (sent, _) = h.run_queue(100, Some(1));
        assert_eq!(
            sent,
            lines(&[
                ("guest 2", "old game\r\nnew game\r\n"),
                ("guest 3", "new game\r\n")
            ])
        );
    }

    #[test]
    fn the_queue_costs_at_most_its_send_budget_with_500_waiting() {
        let mut h = Harness::new();
        let waiting: Vec<u64> = (2..=501).collect();
        h.connect(1..=501);
        let mut sends = 0;
        let mut ms = 0;
        let mut rounds = 0;
        // A game every 20 ms for 10 s.
        while ms < 10_000 {
            h.event(vec![to_queue(&waiting, "a game")], Some(1), false, ms);
            if h.outbox.poll_timeout().is_some_and(|due| due <= h.at(ms)) {
                let due = h.outbox.poll_timeout().unwrap();
                h.outbox.handle_timeout(due);
                rounds += 1;
                while h.outbox.is_sending_round() {
                    h.outbox.send_round(Some(g(1)));
                    sends += h.drain().len();
                }
            }
            ms += 20;
        }
        assert_eq!(queue_hold(501), Duration::from_millis(501));
        assert!(
            sends <= 10 * QUEUE_SENDS_PER_SECOND + 501,
            "{sends} sends in 10 s"
        );
        assert!(
            rounds >= 9,
            "each waiting guest still hears the games twice a second or so: {rounds} rounds"
        );
    }

    #[test]
    fn queue_hold_keeps_the_queues_sends_within_budget() {
        assert_eq!(queue_hold(0), QUEUE_HOLD);
        assert_eq!(queue_hold(32), QUEUE_HOLD);
        assert_eq!(queue_hold(100), QUEUE_HOLD);
        assert_eq!(queue_hold(500), Duration::from_millis(500));
        for guests in [1, 10, 100, 101, 500, 5000] {
            let sends_per_second = guests as f64 / queue_hold(guests).as_secs_f64();
            assert!(
                sends_per_second <= QUEUE_SENDS_PER_SECOND as f64 + 1e-6,
                "{guests} guests: {sends_per_second} sends a second"
            );
        }
    }

    #[test]
    fn a_round_sends_a_batch_at_a_time_and_a_long_round_is_finished_first() {
        let mut h = Harness::new();
        h.connect(1..=7);
        h.event(vec![to_queue(&[2, 3, 4, 5, 6, 7], "x")], Some(1), false, 0);
        h.outbox.handle_timeout(h.at(100));
        h.outbox.send_round(Some(g(1)));
        assert_eq!(h.drain().len(), SEND_BATCH);
        // More is said and falls due while the round is still going.
        h.event(
            vec![to_queue(&[2, 3, 4, 5, 6, 7], "y")],
            Some(1),
            false,
            150,
        );
        h.outbox.handle_timeout(h.at(250));
        assert!(
            h.outbox.poll_timeout().is_some(),
            "held for after this round"
        );
        let mut rest = Vec::new();
        while h.outbox.is_sending_round() {
            h.outbox.send_round(Some(g(1)));
            rest.extend(h.drain());
        }
        assert_eq!(rest.len(), 4);
        assert!(
            rest.iter().all(|(_, text)| text == "x\r\ny\r\n"),
            "{rest:?}"
        );
    }

    #[test]
    fn a_full_socket_hands_the_rest_to_the_writer_until_it_reports_it_written() {
        let mut h = Harness::new();
        h.connect([1]);
        h.outbox.handle_action(say(to(1), "hello"));
        h.outbox.commit(Some(g(1)), None, false, h.at(0));
        let Some(Transmit::Guest { bytes, route, .. }) = h.outbox.poll_transmit() else {
            panic!("the player's line");
        };
        assert_eq!(route, Route::Direct);
        h.outbox.handle_sent(g(1), bytes, 2);
        assert_eq!(
            h.outbox.poll_transmit(),
            Some(Transmit::Guest {
                to: g(1),
                bytes: b"llo\r\n".to_vec(),
                route: Route::Writer,
                urgent: false
            }),
            "the rest goes to the writer, next"
        );
        h.outbox.handle_action(say(to(1), "again"));
        h.outbox.commit(Some(g(1)), None, false, h.at(1));
        let Some(Transmit::Guest { route, .. }) = h.outbox.poll_transmit() else {
            panic!("the player's second line");
        };
        assert_eq!(
            route,
            Route::Writer,
            "behind the writer's bytes, never before"
        );
        assert!(!h.outbox.handle_written(g(1), 5), "the writer has more");
        assert!(h.outbox.handle_written(g(1), 7), "the writer is done");
        h.outbox.handle_action(say(to(1), "direct"));
        h.outbox.commit(Some(g(1)), None, false, h.at(2));
        let Some(Transmit::Guest { route, .. }) = h.outbox.poll_transmit() else {
            panic!("the player's third line");
        };
        assert_eq!(
            route,
            Route::Direct,
            "all written: the socket is ours again"
        );
    }

    #[test]
    fn a_guest_over_64_kib_unsent_is_cut_once() {
        let mut h = Harness::new();
        h.connect(1..=2);
        // Guest 2's socket is full: what they have is with the writer, unwritten.
        h.outbox.send_now(g(2), &[b'x'; 60 * 1024]);
        let Some(Transmit::Guest { bytes, .. }) = h.outbox.poll_transmit() else {
            panic!("the bytes");
        };
        h.outbox.handle_sent(g(2), bytes, 0);
        assert!(matches!(
            h.outbox.poll_transmit(),
            Some(Transmit::Guest {
                route: Route::Writer,
                ..
            })
        ));
        let line = "y".repeat(1000);
        let mut done = Vec::new();
        for ms in 0..6 {
            done.extend(h.event(vec![say(to(2), &line)], Some(1), false, ms));
        }
        assert_eq!(done, lines(&[("cut 2", "")]), "cut when past the limit");
        h.event(vec![say(to(2), &line)], Some(1), false, 10);
        assert_eq!(h.outbox.guests(), 1, "and forgotten");
        assert_eq!(h.drain(), [], "once");
    }

    #[test]
    fn closing_sends_the_news_and_the_last_words_then_hangs_up() {
        let mut h = Harness::new();
        h.connect(1..=3);
        h.event(vec![to_queue(&[2, 3], "game 1")], Some(1), false, 0);
        let done = h.event(
            vec![
                say(to(1), "Server shutting down. Good-bye"),
                Action::Close { guest: g(1) },
                say(to(2), "Server shutting down. Good-bye"),
                Action::Close { guest: g(2) },
                say(to(3), "Server shutting down. Good-bye"),
                Action::Close { guest: g(3) },
                say(HOST, "Server shutting down. Good-bye"),
            ],
            None,
            true,
            10,
        );
        assert_eq!(
            done,
            lines(&[
                ("guest 1", "Server shutting down. Good-bye\r\n"),
                ("hang up 1", ""),
                ("guest 2", "game 1\r\nServer shutting down. Good-bye\r\n"),
                ("hang up 2", ""),
                ("guest 3", "game 1\r\nServer shutting down. Good-bye\r\n"),
                ("hang up 3", ""),
                ("console", "Server shutting down. Good-bye\n"),
            ])
        );
        assert_eq!(h.outbox.guests(), 0);
    }

    #[test]
    fn the_greeting_and_telnet_answers_go_out_at_once() {
        let mut h = Harness::new();
        h.outbox.guest_connected(g(1), &[255, 251, 1]);
        h.outbox.send_now(g(1), &[255, 254, 24]);
        let sent: Vec<Vec<u8>> = std::iter::from_fn(|| h.outbox.poll_transmit())
            .map(|transmit| match transmit {
                Transmit::Guest {
                    bytes,
                    route: Route::Direct,
                    ..
                } => bytes,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(sent, [vec![255, 251, 1], vec![255, 254, 24]]);
    }

    #[test]
    fn last_words_that_fill_the_socket_go_to_the_writer_before_the_hang_up() {
        let mut h = Harness::new();
        h.connect([1]);
        h.outbox.handle_action(say(to(1), "Thank you for playing!"));
        h.outbox.handle_action(Action::Close { guest: g(1) });
        h.outbox.commit(None, None, false, h.at(0));
        let Some(Transmit::Guest { bytes, route, .. }) = h.outbox.poll_transmit() else {
            panic!("the last words");
        };
        assert_eq!(route, Route::Direct);
        h.outbox.handle_sent(g(1), bytes, 6);
        assert_eq!(
            h.outbox.poll_transmit(),
            Some(Transmit::Guest {
                to: g(1),
                bytes: b"you for playing!\r\n".to_vec(),
                route: Route::Writer,
                urgent: false
            })
        );
        assert_eq!(
            h.outbox.poll_transmit(),
            Some(Transmit::Hangup { guest: g(1) })
        );
        assert_eq!(h.outbox.poll_transmit(), None);
    }
}
