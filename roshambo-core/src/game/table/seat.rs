//! The host's seat: who holds it (the host, or the house bot), handing it over between
//! games, the bot's move chosen as each game begins, and the guest's habits card.

use super::{Recipient, Table};
use crate::bot::{Beats, Habits};
use crate::game::rules::{Player, Variant};
use crate::game::GuestId;
use std::time::{Duration, Instant};

/// Who holds the host's seat: the host at the console, or the house bot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seat {
    Host,
    Bot,
}

/// Which move beats which in `variant`, by the moves' places in [`Variant::moves`], as
/// the bot and the habits card count them.
pub(super) fn beats(variant: Variant) -> Beats {
    let moves = variant.moves();
    Beats::new(moves.len(), |a, b| moves[a].beats(moves[b]))
}

/// A small PRNG (SplitMix64) for the house bot's pauses: seeded, so a seed replays a
/// run exactly.
#[derive(Clone, Debug)]
pub(super) struct SplitMix(pub(super) u64);

impl SplitMix {
    /// A number below `n` (n > 0).
    pub(super) fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        (z ^ (z >> 31)) % n
    }
}

impl Table {
    /// A game of the bout begins: the seat changes hands if the host asked, and the house
    /// bot, if it holds the seat, chooses now, before the guest can have moved, and
    /// plays after a pause.
    pub(super) fn game_begins(&mut self, now: Instant) {
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
            let choice = moves[bout.watching_bot().choose()];
            let pause = average / 2 + bout.dice.below(average + 1);
            (choice, now + Duration::from_micros(pause))
        });
    }

    /// The host pressed `b` or `h`: the seat goes to the house bot or back to the host,
    /// between games (at once if no one has moved in this one).
    pub(super) fn hand_seat(&mut self, seat: Seat, now: Instant) {
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
    pub(super) fn change_seat(&mut self, seat: Seat) {
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

    /// The guest's habits this match, said to them at its end (if they played a game).
    pub(super) fn habits_card(&mut self, guest: GuestId) {
        let Some(bout) = self.bout.as_mut().filter(|b| !b.games.is_empty()) else {
            return;
        };
        let variant = self.settings.variant;
        let names: Vec<&str> = variant.moves().iter().map(|m| m.name()).collect();
        let called = bout.watching_bot().predictability();
        let card = Habits::of(&bout.games, &beats(variant)).card(&names, called);
        for line in card {
            self.say(Recipient::Guest(guest), line);
        }
    }
}
