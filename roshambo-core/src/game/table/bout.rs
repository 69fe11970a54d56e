//! A match: seating a guest, each game's moves and result, the match's end, and the
//! rematch question.

use super::{beats, Action, Bout, Recipient, Seat, SplitMix, Stage, Table, CARD_GAMES};
use crate::bot::Bot;
use crate::game::countdown::{ClockSettings, Countdown};
use crate::game::happening::{Ending, Happening};
use crate::game::rules::{Game, Move, Player, Throw};
use crate::game::{messages, GuestId};
use crate::keys::Key;
use std::time::Instant;

impl Table {
    /// Seats the guest for a match: a `new` guest is welcomed and told who they are and
    /// how to play; one playing again goes straight to it.
    pub(super) fn seat(&mut self, guest: GuestId, now: Instant, new: bool) {
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
            watched: 0,
            bot_move: None,
            games: Vec::new(),
            dice: SplitMix(seed),
        });
        self.game_begins(now);
    }

    pub(super) fn play(&mut self, player: Player, key: Key, now: Instant) {
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

    pub(super) fn announce(&mut self, throw: Throw, now: Instant) {
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
        let bot_plays = self.seat == Seat::Bot;
        let bout = self.bout.as_mut().expect("a throw is only made in a bout");
        let (guest_move, seat_move) = (index(throw.guest), index(throw.host));
        if bout.games.len() < CARD_GAMES {
            bout.games.push((guest_move, seat_move));
        } else if bot_plays {
            // Past what the card keeps, the bot still learns from each game it plays.
            bout.watching_bot().observe(guest_move, seat_move);
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

    pub(super) fn end_match(&mut self, ending: Ending, now: Instant) {
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
    pub(super) fn offer_rematch(&mut self, guest: GuestId, now: Instant) {
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

    pub(super) fn rematch_answered(&mut self, guest: GuestId, key: Key, now: Instant) {
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
}
