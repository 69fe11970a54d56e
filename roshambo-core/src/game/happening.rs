//! What happened at the table, for the log: the table says it, the server writes it.
//! Pure: the core itself never logs, so nothing it does can reach the host's console
//! or wait on a log file.

use crate::game::admission::TurnedAway;
use crate::game::rules::{Player, Throw};
use crate::game::GuestId;
use crate::telnet::Told;
use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;

/// Why a match ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// Someone won more than half the games.
    Won,
    /// The guest let their clock run out.
    TimedOut,
    /// The guest left mid-match.
    GuestLeft,
    /// The server stopped mid-match.
    ShutDown,
    /// The host sent the guest away.
    Kicked,
}

impl fmt::Display for Ending {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Ending::Won => "won",
            Ending::TimedOut => "timed out",
            Ending::GuestLeft => "guest left",
            Ending::ShutDown => "cut by shutdown",
            Ending::Kicked => "kicked",
        })
    }
}

/// A guest as the log names them: their name, their number and where they came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Who {
    pub guest: GuestId,
    pub name: Arc<str>,
    pub addr: SocketAddr,
}

impl fmt::Display for Who {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Who { guest, name, addr } = self;
        // Without names a guest's name is their address: said once.
        if **name == addr.to_string() {
            write!(f, "{guest} from {addr}")
        } else {
            write!(f, "{name} ({guest} from {addr})")
        }
    }
}

/// One thing worth a line in the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Happening {
    TurnedAway {
        guest: GuestId,
        addr: SocketAddr,
        why: TurnedAway,
    },
    /// A guest said who they are (or was given a name).
    Named { who: Who, given: bool },
    /// A guest was put in the queue at `place`.
    Queued { who: Who, place: usize },
    /// A guest sat down to play match number `number` of this run.
    Seated { who: Who, number: u64 },
    /// A guest typed faster than a person can, and was told to slow down.
    WarnedTooFast { guest: GuestId },
    /// A game of match `number` was decided; `wins` is the score after it.
    GameDecided {
        who: Who,
        number: u64,
        throw: Throw,
        winner: Player,
        wins: [u32; 2],
    },
    /// A game of match `number` was tied: both threw the same.
    GameTied { who: Who, number: u64, throw: Throw },
    MatchOver {
        who: Who,
        number: u64,
        ending: Ending,
        wins: [u32; 2],
    },
    /// A waiting guest left the queue.
    LeftQueue { guest: GuestId },
    /// A guest left before they had a name.
    LeftUnnamed { guest: GuestId },
    /// A guest's telnet client said what it is, or who it is for.
    Told { guest: GuestId, told: Told },
}

/// How much a happening matters to whoever reads the log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weight {
    /// Every tie of a long match: for `--log-level debug`.
    Detail,
    /// Joins, results, matches.
    News,
    /// Something a guest did wrong.
    Warning,
}

impl Happening {
    /// How much it matters: the server logs it at the matching level.
    pub fn weight(&self) -> Weight {
        match self {
            Happening::WarnedTooFast { .. } => Weight::Warning,
            Happening::GameTied { .. } | Happening::Told { .. } => Weight::Detail,
            _ => Weight::News,
        }
    }

    /// Whether it is something a guest did wrong.
    pub fn is_warning(&self) -> bool {
        self.weight() == Weight::Warning
    }
}

impl fmt::Display for Happening {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Happening::TurnedAway { guest, addr, why } => {
                let why = match why {
                    TurnedAway::Full { .. } => "server full".to_string(),
                    TurnedAway::TooManyFromAddress { connected } => {
                        format!("{connected} connections from that address")
                    }
                };
                write!(f, "{guest} from {addr} turned away: {why}")
            }
            Happening::Named { who, given: false } => write!(f, "{who} named"),
            Happening::Named { who, given: true } => write!(f, "{who} given a name"),
            Happening::Queued { who, place } => write!(f, "{who} waits in line, number {place}"),
            Happening::Seated { who, number } => write!(f, "{who} plays match {number}"),
            Happening::WarnedTooFast { guest } => write!(f, "{guest} typing too fast: warned"),
            Happening::GameDecided {
                who,
                throw,
                winner,
                wins,
                ..
            } => write!(
                f,
                "{who}: host {}, guest {}, {winner} wins, {} - {}",
                throw.host, throw.guest, wins[0], wins[1]
            ),
            Happening::GameTied { who, throw, .. } => write!(
                f,
                "{who}: host {}, guest {}, a tie",
                throw.host, throw.guest
            ),
            Happening::MatchOver {
                who,
                number,
                ending,
                wins,
            } => write!(
                f,
                "match {number}, host against {who}, over ({ending}): {} - {}",
                wins[0], wins[1]
            ),
            Happening::LeftQueue { guest } => write!(f, "{guest} left the line"),
            Happening::LeftUnnamed { guest } => write!(f, "{guest} left before giving a name"),
            // The client chose these words: escaped, so that they cannot write to the
            // log's reader's terminal or forge a line.
            Happening::Told { guest, told } => match told {
                Told::TerminalType(name) => {
                    write!(f, "{guest} told: terminal {}", name.escape_debug())
                }
                Told::User(Some(name)) => write!(f, "{guest} told: user {}", name.escape_debug()),
                Told::User(None) => write!(f, "{guest} told: no user name"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::game::rules::Move;

    #[test]
    fn log_lines_are_words_not_debug_output() {
        let addr: SocketAddr = "127.0.0.1:4000".parse().unwrap();
        let who = Who {
            guest: GuestId(3),
            name: Arc::from("alice"),
            addr,
        };
        let decided = Happening::GameDecided {
            who: who.clone(),
            number: 1,
            throw: Throw {
                host: Move::Rock,
                guest: Move::Scissors,
            },
            winner: Player::Host,
            wins: [1, 0],
        };
        assert_eq!(
            decided.to_string(),
            "alice (guest #3 from 127.0.0.1:4000): host r, guest s, Player 0 wins, 1 - 0"
        );
        let unnamed = Who {
            name: Arc::from("127.0.0.1:4000"),
            ..who
        };
        let over = Happening::MatchOver {
            who: unnamed,
            number: 2,
            ending: Ending::TimedOut,
            wins: [2, 1],
        };
        assert_eq!(
            over.to_string(),
            "match 2, host against guest #3 from 127.0.0.1:4000, over (timed out): 2 - 1"
        );
        let away = Happening::TurnedAway {
            guest: GuestId(4),
            addr,
            why: TurnedAway::TooManyFromAddress { connected: 4 },
        };
        assert_eq!(
            away.to_string(),
            "guest #4 from 127.0.0.1:4000 turned away: 4 connections from that address"
        );
        let told = |told| Happening::Told {
            guest: GuestId(3),
            told,
        };
        #[rustfmt::skip]
        let cases = [
            (Told::TerminalType("XTERM".into()), "guest #3 told: terminal XTERM"),
            (Told::User(Some("alice".into())), "guest #3 told: user alice"),
            (Told::User(None), "guest #3 told: no user name"),
            (Told::User(Some("a\nb\x1b[2J".into())), "guest #3 told: user a\\nb\\u{1b}[2J"),
        ];
        for (what, line) in cases {
            let happening = told(what);
            assert_eq!(happening.to_string(), line);
            assert_eq!(happening.weight(), Weight::Detail, "debug weight");
        }
    }
}
