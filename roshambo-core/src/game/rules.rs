//! The rules: the two games played here (rock-paper-scissors, and
//! rock-paper-scissors-lizard-Spock), what beats what and in which words, and one game
//! between the host's seat and a guest. Pure: no IO, no clock.
//!
//! Everything that differs between the two games is in this file: the moves, their
//! keys, and [`VERDICTS`]. The match, the clock, the help, the bot and the records work
//! for either without knowing which.

use crate::keys::Key;
use std::fmt;

/// What a player throws.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Move {
    Rock,
    Paper,
    Scissors,
    Lizard,
    Spock,
}

/// Which game is played.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Variant {
    /// Rock, paper, scissors: the seed's game.
    #[default]
    Rps,
    /// Rock, paper, scissors, lizard, Spock (Sam Kass and Karen Bryla's).
    Rpsls,
}

/// What beats what, in words: each pair of different moves appears once, winner
/// first. One table for both games: rock-paper-scissors plays the pairs of its three
/// moves.
pub const VERDICTS: [(Move, &str, Move); 10] = [
    (Move::Scissors, "cut", Move::Paper),
    (Move::Paper, "covers", Move::Rock),
    (Move::Rock, "crushes", Move::Lizard),
    (Move::Lizard, "poisons", Move::Spock),
    (Move::Spock, "smashes", Move::Scissors),
    (Move::Scissors, "decapitate", Move::Lizard),
    (Move::Lizard, "eats", Move::Paper),
    (Move::Paper, "disproves", Move::Spock),
    (Move::Spock, "vaporizes", Move::Rock),
    (Move::Rock, "crushes", Move::Scissors),
];

impl Variant {
    /// The moves of this game, in the order their keys are listed.
    pub fn moves(self) -> &'static [Move] {
        match self {
            Variant::Rps => &[Move::Rock, Move::Paper, Move::Scissors],
            Variant::Rpsls => &[
                Move::Rock,
                Move::Paper,
                Move::Scissors,
                Move::Lizard,
                Move::Spock,
            ],
        }
    }

    /// The move a key stands for in this game (either case); `None` for any other key,
    /// an F-key or an arrow among them.
    pub fn from_key(self, key: Key) -> Option<Move> {
        let Key::Char(c) = key else { return None };
        let c = c.to_ascii_lowercase();
        self.moves().iter().copied().find(|m| m.key() == c)
    }

    /// The game's name, as the flag `--game` spells it.
    pub fn flag(self) -> &'static str {
        match self {
            Variant::Rps => "rps",
            Variant::Rpsls => "rpsls",
        }
    }

    /// What beats what in this game, in words, for the help.
    pub fn rules_line(self) -> String {
        let verdicts: Vec<String> = VERDICTS
            .iter()
            .filter(|(winner, _, loser)| self.has(*winner) && self.has(*loser))
            .map(|&(winner, verb, loser)| format!("{} {verb} {}", winner.name(), loser.name()))
            .collect();
        let mut line = verdicts.join(", ");
        if let Some(first) = line.get_mut(..1) {
            first.make_ascii_uppercase();
        }
        line + "."
    }

    fn has(self, choice: Move) -> bool {
        self.moves().contains(&choice)
    }
}

impl Move {
    /// The key that names this move, in the game's messages too.
    pub fn key(self) -> char {
        match self {
            Move::Rock => 'r',
            Move::Paper => 'p',
            Move::Scissors => 's',
            Move::Lizard => 'l',
            Move::Spock => 'k',
        }
    }

    /// The move's name in words.
    pub fn name(self) -> &'static str {
        match self {
            Move::Rock => "rock",
            Move::Paper => "paper",
            Move::Scissors => "scissors",
            Move::Lizard => "lizard",
            Move::Spock => "Spock",
        }
    }

    /// Whether this move beats `other` (see [`VERDICTS`]).
    pub fn beats(self, other: Move) -> bool {
        self.verdict(other).is_some()
    }

    /// How this move beats `other`, in words (`Spock vaporizes rock`); `None` if it
    /// does not.
    pub fn verdict(self, other: Move) -> Option<String> {
        let &(winner, verb, loser) = VERDICTS
            .iter()
            .find(|&&(winner, _, loser)| winner == self && loser == other)?;
        let mut line = format!("{} {verb} {}", winner.name(), loser.name());
        if let Some(first) = line.get_mut(..1) {
            first.make_ascii_uppercase();
        }
        Some(line)
    }
}

impl fmt::Display for Move {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.key())
    }
}

/// The two seats at the table: player 0 is the host on the console, player 1 the guest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Player {
    Host,
    Guest,
}

impl Player {
    /// The player's number in the game's messages.
    pub fn number(self) -> usize {
        match self {
            Player::Host => 0,
            Player::Guest => 1,
        }
    }
}

impl fmt::Display for Player {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Player {}", self.number())
    }
}

/// Both moves of a finished game.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Throw {
    pub host: Move,
    pub guest: Move,
}

impl Throw {
    /// What beat what, in words (`Paper covers rock`); `None` for a tie.
    pub fn verdict(self) -> Option<String> {
        self.host
            .verdict(self.guest)
            .or_else(|| self.guest.verdict(self.host))
    }

    /// Who won, or `None` for a tie (which counts for nobody).
    pub fn winner(self) -> Option<Player> {
        if self.host.beats(self.guest) {
            Some(Player::Host)
        } else if self.guest.beats(self.host) {
            Some(Player::Guest)
        } else {
            None
        }
    }
}

/// One game: each player chooses, and may change their mind until the other has chosen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Game {
    host: Option<Move>,
    guest: Option<Move>,
}

impl Game {
    /// Records `player`'s move. Once both have moved, returns the throw and starts over,
    /// so the same `Game` plays the next game.
    pub fn choose(&mut self, player: Player, choice: Move) -> Option<Throw> {
        match player {
            Player::Host => self.host = Some(choice),
            Player::Guest => self.guest = Some(choice),
        }
        let (host, guest) = (self.host?, self.guest?);
        *self = Game::default();
        Some(Throw { host, guest })
    }

    /// Whether `player` has a move in for this game.
    pub fn has_moved(&self, player: Player) -> bool {
        match player {
            Player::Host => self.host.is_some(),
            Player::Guest => self.guest.is_some(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::SpecialKey;
    use Move::*;

    const ALL: [Move; 3] = [Rock, Paper, Scissors];
    const FIVE: [Move; 5] = [Rock, Paper, Scissors, Lizard, Spock];

    #[test]
    fn keys_name_moves_in_either_case_and_nothing_else_does() {
        let rps = Variant::Rps;
        for (key, expected) in [('r', Rock), ('p', Paper), ('s', Scissors), ('R', Rock)] {
            assert_eq!(rps.from_key(Key::Char(key)), Some(expected));
        }
        for c in ('\0'..='\u{3000}').filter(|c| !"rpsRPS".contains(*c)) {
            assert_eq!(rps.from_key(Key::Char(c)), None, "key {c:?}");
        }
        let rpsls = Variant::Rpsls;
        for (key, expected) in [('l', Lizard), ('k', Spock), ('K', Spock), ('s', Scissors)] {
            assert_eq!(rpsls.from_key(Key::Char(key)), Some(expected));
        }
        for c in ('\0'..='\u{3000}').filter(|c| !"rpslkRPSLK".contains(*c)) {
            assert_eq!(rpsls.from_key(Key::Char(c)), None, "key {c:?}");
        }
        let not_moves = [
            Key::Special(SpecialKey::F(1)),
            Key::Special(SpecialKey::F(3)),
            Key::Special(SpecialKey::Up),
            Key::Alt('r'),
            Key::Enter,
            Key::Escape,
            Key::Invalid,
            Key::Control(0x12),
        ];
        for key in not_moves {
            assert_eq!(rps.from_key(key), None, "{key:?}");
            assert_eq!(rpsls.from_key(key), None, "{key:?}");
        }
        assert_eq!(FIVE.map(Move::key), ['r', 'p', 's', 'l', 'k']);
    }

    #[test]
    fn every_pair_has_the_classic_outcome() {
        let table = [
            (Rock, Rock, None),
            (Rock, Paper, Some(Player::Guest)),
            (Rock, Scissors, Some(Player::Host)),
            (Paper, Rock, Some(Player::Host)),
            (Paper, Paper, None),
            (Paper, Scissors, Some(Player::Guest)),
            (Scissors, Rock, Some(Player::Guest)),
            (Scissors, Paper, Some(Player::Host)),
            (Scissors, Scissors, None),
        ];
        for (host, guest, winner) in table {
            assert_eq!(Throw { host, guest }.winner(), winner, "{host} vs {guest}");
        }
    }

    #[test]
    fn each_move_beats_exactly_one_other() {
        for a in ALL {
            assert_eq!(ALL.iter().filter(|&&b| a.beats(b)).count(), 1);
            assert!(!a.beats(a));
        }
    }

    #[test]
    fn every_pair_of_rpsls_has_its_outcome_and_its_words() {
        // Row beats column: the rules as Sam Kass wrote them.
        let table = [
            (
                "rock",
                [
                    None,
                    None,
                    Some("Rock crushes scissors"),
                    Some("Rock crushes lizard"),
                    None,
                ],
            ),
            (
                "paper",
                [
                    Some("Paper covers rock"),
                    None,
                    None,
                    None,
                    Some("Paper disproves Spock"),
                ],
            ),
            (
                "scissors",
                [
                    None,
                    Some("Scissors cut paper"),
                    None,
                    Some("Scissors decapitate lizard"),
                    None,
                ],
            ),
            (
                "lizard",
                [
                    None,
                    Some("Lizard eats paper"),
                    None,
                    None,
                    Some("Lizard poisons Spock"),
                ],
            ),
            (
                "Spock",
                [
                    Some("Spock vaporizes rock"),
                    None,
                    Some("Spock smashes scissors"),
                    None,
                    None,
                ],
            ),
        ];
        for (a, (name, row)) in FIVE.into_iter().zip(table) {
            assert_eq!(a.name(), name);
            for (b, words) in FIVE.into_iter().zip(row) {
                assert_eq!(a.verdict(b).as_deref(), words, "{a:?} against {b:?}");
                assert_eq!(a.beats(b), words.is_some());
                let throw = Throw { host: a, guest: b };
                let winner = if a.beats(b) {
                    Some(Player::Host)
                } else if b.beats(a) {
                    Some(Player::Guest)
                } else {
                    None
                };
                assert_eq!(throw.winner(), winner);
                assert_eq!(throw.verdict().is_some(), a != b, "only a tie has no words");
            }
        }
        for a in FIVE {
            assert_eq!(FIVE.iter().filter(|&&b| a.beats(b)).count(), 2, "{a:?}");
        }
    }

    #[test]
    fn the_help_says_each_games_rules_in_words() {
        assert_eq!(
            Variant::Rps.rules_line(),
            "Scissors cut paper, paper covers rock, rock crushes scissors."
        );
        assert!(Variant::Rpsls.rules_line().contains("Spock vaporizes rock"));
        assert_eq!(Variant::Rpsls.rules_line().matches(", ").count(), 9);
    }

    #[test]
    fn a_player_may_change_their_move_until_the_other_moves() {
        let mut game = Game::default();
        assert_eq!(game.choose(Player::Guest, Scissors), None);
        assert_eq!(game.choose(Player::Guest, Paper), None);
        assert!(game.has_moved(Player::Guest) && !game.has_moved(Player::Host));
        let throw = game.choose(Player::Host, Scissors);
        assert_eq!(
            throw,
            Some(Throw {
                host: Scissors,
                guest: Paper
            })
        );
        assert_eq!(game, Game::default(), "the next game starts empty");
    }

    #[test]
    fn players_are_numbered_as_in_the_messages() {
        assert_eq!(Player::Host.to_string(), "Player 0");
        assert_eq!(Player::Guest.to_string(), "Player 1");
    }
}
