//! How well the host has done against everyone since the server started: the running
//! average of decided games. Pure: no IO.

use crate::game::rules::Player;

/// The host's record over all decided games against all guests. Ties are not counted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Standings {
    host_wins: u64,
    decided: u64,
}

impl Standings {
    /// Counts one decided game.
    pub fn record(&mut self, winner: Player) {
        self.decided += 1;
        if winner == Player::Host {
            self.host_wins += 1;
        }
    }

    /// The host's share of decided games, in percent; `None` before any game was decided.
    ///
    /// Kept as two counters rather than a running float so that a long-lived server
    /// never drifts.
    pub fn host_percent(&self) -> Option<f64> {
        (self.decided > 0).then(|| self.host_wins as f64 * 100.0 / self.decided as f64)
    }

    /// The line the host sees after each decided game, e.g. `Overall: 66.67%`.
    pub fn overall_line(&self) -> String {
        format!("Overall: {:5.2}%", self.host_percent().unwrap_or(0.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Player::*;

    #[test]
    fn the_running_average_matches_the_seed() {
        // The seed's transcript: the host wins, loses, then wins five in a row.
        let winners = [Host, Guest, Host, Host, Host, Host, Host];
        let expected = [
            "Overall: 100.00%",
            "Overall: 50.00%",
            "Overall: 66.67%",
            "Overall: 75.00%",
            "Overall: 80.00%",
            "Overall: 83.33%",
            "Overall: 85.71%",
        ];
        let mut standings = Standings::default();
        for (winner, line) in winners.into_iter().zip(expected) {
            standings.record(winner);
            assert_eq!(standings.overall_line(), line);
        }
    }

    #[test]
    fn small_shares_are_padded_to_five_characters() {
        let mut standings = Standings::default();
        standings.record(Host);
        for _ in 0..2 {
            standings.record(Guest);
        }
        assert_eq!(standings.overall_line(), "Overall: 33.33%");
        for _ in 0..97 {
            standings.record(Guest);
        }
        assert_eq!(standings.overall_line(), "Overall:  1.00%");
    }

    #[test]
    fn nothing_is_known_before_the_first_decided_game() {
        assert_eq!(Standings::default().host_percent(), None);
    }

    #[test]
    fn a_long_run_is_exact() {
        let mut standings = Standings::default();
        for i in 0..3_000_000u32 {
            standings.record(if i % 3 == 0 { Guest } else { Host });
        }
        assert_eq!(standings.overall_line(), "Overall: 66.67%");
    }
}
