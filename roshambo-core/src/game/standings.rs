//! How well the host has done against everyone since the server started: the running
//! average of decided games, and the session's matches for the summary at the end.
//! Pure: no IO.

use crate::game::rules::Player;
use crate::records::HostRecord;

/// The host's record over all decided games against all guests (ties are not counted
/// in the share), and over the session's matches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Standings {
    host_wins: u64,
    decided: u64,
    ties: u64,
    matches_won: u64,
    matches_lost: u64,
    /// Matches that ended before anyone won: a time-out, a guest who left, a shutdown.
    matches_unfinished: u64,
}

impl Standings {
    /// Counts one decided game.
    pub fn record(&mut self, winner: Player) {
        self.decided += 1;
        if winner == Player::Host {
            self.host_wins += 1;
        }
    }

    /// Counts one tie.
    pub fn record_tie(&mut self) {
        self.ties += 1;
    }

    /// Counts one match that ended, won by `winner`, or by nobody (`None`: it ended
    /// early).
    pub fn record_match(&mut self, winner: Option<Player>) {
        match winner {
            Some(Player::Host) => self.matches_won += 1,
            Some(Player::Guest) => self.matches_lost += 1,
            None => self.matches_unfinished += 1,
        }
    }

    /// The host's summary of the session, said when the server stops.
    pub fn session_line(&self) -> String {
        let matches = self.matches_won + self.matches_lost + self.matches_unfinished;
        let early = match self.matches_unfinished {
            0 => String::new(),
            n => format!(", {n} ended early"),
        };
        let share = match self.host_percent() {
            Some(percent) => format!("{percent:.2}%"),
            None => "none decided".to_string(),
        };
        let games = self.decided + self.ties;
        format!(
            "This session: {matches} {} ({} won, {} lost{early}); {games} {} ({} won, {} lost, {} tied); your share {share}",
            if matches == 1 { "match" } else { "matches" },
            self.matches_won,
            self.matches_lost,
            if games == 1 { "game" } else { "games" },
            self.host_wins,
            self.decided - self.host_wins,
            self.ties,
        )
    }

    /// The host's figures of `earlier` runs with this session's added.
    pub fn added_to(&self, earlier: &HostRecord) -> HostRecord {
        let matches = self.matches_won + self.matches_lost + self.matches_unfinished;
        HostRecord {
            matches: earlier.matches + matches,
            won: earlier.won + self.matches_won,
            lost: earlier.lost + self.matches_lost,
            games: earlier.games + self.decided + self.ties,
            games_won: earlier.games_won + self.host_wins,
            games_lost: earlier.games_lost + (self.decided - self.host_wins),
            games_tied: earlier.games_tied + self.ties,
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

    #[test]
    fn the_session_line_counts_matches_and_games() {
        let mut standings = Standings::default();
        assert_eq!(
            standings.session_line(),
            "This session: 0 matches (0 won, 0 lost); 0 games (0 won, 0 lost, 0 tied); your share none decided"
        );
        for winner in [Host, Host, Guest] {
            standings.record(winner);
        }
        standings.record_tie();
        standings.record_match(Some(Host));
        standings.record_match(Some(Guest));
        standings.record_match(None);
        assert_eq!(
            standings.session_line(),
            "This session: 3 matches (1 won, 1 lost, 1 ended early); 4 games (2 won, 1 lost, 1 tied); your share 66.67%"
        );
    }
}
