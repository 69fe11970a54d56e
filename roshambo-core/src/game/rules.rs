//! The rules of rock-paper-scissors, and one game between the host and a guest.
//! Pure: no IO, no clock.

use crate::keys::Key;
use std::fmt;

/// What a player throws.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Move {
    Rock,
    Paper,
    Scissors,
}

impl Move {
    /// The move a key stands for: `r`, `p` or `s` (either case); `None` for any other
    /// key, an F-key or an arrow among them.
    pub fn from_key(key: Key) -> Option<Move> {
        match key {
            Key::Char('r' | 'R') => Some(Move::Rock),
            Key::Char('p' | 'P') => Some(Move::Paper),
            Key::Char('s' | 'S') => Some(Move::Scissors),
            _ => None,
        }
    }

    /// The key that names this move in the game's messages.
    pub fn key(self) -> char {
        match self {
            Move::Rock => 'r',
            Move::Paper => 'p',
            Move::Scissors => 's',
        }
    }

    /// Whether this move beats `other`: rock blunts scissors, scissors cut paper,
    /// paper wraps rock.
    pub fn beats(self, other: Move) -> bool {
        matches!(
            (self, other),
            (Move::Rock, Move::Scissors)
                | (Move::Scissors, Move::Paper)
                | (Move::Paper, Move::Rock)
        )
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

    #[test]
    fn keys_name_moves_in_either_case_and_nothing_else_does() {
        for (key, expected) in [('r', Rock), ('p', Paper), ('s', Scissors), ('R', Rock)] {
            assert_eq!(Move::from_key(Key::Char(key)), Some(expected));
        }
        for c in ('\0'..='\u{3000}').filter(|c| !"rpsRPS".contains(*c)) {
            assert_eq!(Move::from_key(Key::Char(c)), None, "key {c:?}");
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
            assert_eq!(Move::from_key(key), None, "{key:?}");
        }
        assert_eq!(ALL.map(Move::key), ['r', 'p', 's']);
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
