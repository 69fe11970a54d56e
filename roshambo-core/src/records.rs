//! What is recorded of each match and game, what the records say back (a player's
//! record, the host's lifetime figures, the leaderboard, the latest matches), and how
//! they read as text. Pure: plain values and their words; the store that keeps them on
//! disk is the server's (`roshambo::records`), and a time is read by whoever makes one.
//!
//! The table and `roshambo stats` both show these, so their words live here, once.

use std::fmt;
use std::net::SocketAddr;
use std::time::{SystemTime, UNIX_EPOCH};

/// A match's row in the store.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MatchId(pub i64);

/// Who won one game.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Outcome {
    HostWon,
    GuestWon,
    Tie,
}

impl Outcome {
    /// As stored: `host`, `guest` or `tie`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::HostWon => "host",
            Outcome::GuestWon => "guest",
            Outcome::Tie => "tie",
        }
    }
}

/// How a match ended. Named by who won, never "won" or "lost" alone, so the stored text
/// reads the same from either side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MatchEnding {
    /// The guest won the match.
    GuestWon,
    /// The host won the match.
    HostWon,
    /// The guest did not move in time.
    TimedOut,
    /// The guest left (closed the connection, Ctrl-C, Ctrl-D, flooding).
    Left,
    /// The host sent the guest away (Ctrl-K).
    Kicked,
    /// The server stopped mid-match.
    ShutDown,
}

impl MatchEnding {
    pub const ALL: [MatchEnding; 6] = [
        MatchEnding::GuestWon,
        MatchEnding::HostWon,
        MatchEnding::TimedOut,
        MatchEnding::Left,
        MatchEnding::Kicked,
        MatchEnding::ShutDown,
    ];

    /// As stored and shown: `guest won`, `host won`, `timed out`, `left`, `kicked`,
    /// `shut down`.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchEnding::GuestWon => "guest won",
            MatchEnding::HostWon => "host won",
            MatchEnding::TimedOut => "timed out",
            MatchEnding::Left => "left",
            MatchEnding::Kicked => "kicked",
            MatchEnding::ShutDown => "shut down",
        }
    }

    /// The ending stored as `text`, if it is one.
    pub fn from_stored(text: &str) -> Option<MatchEnding> {
        MatchEnding::ALL.into_iter().find(|e| e.as_str() == text)
    }
}

impl fmt::Display for MatchEnding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A match begins: a guest was seated to play the host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatchStart {
    pub started: SystemTime,
    /// As the guest typed it (their address until names exist).
    pub guest_name: String,
    pub guest_addr: SocketAddr,
}

/// One game played in a match.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GameRecord {
    pub at: SystemTime,
    pub guest_name: String,
    /// `r`, `p` or `s`; anything else is refused by the store.
    pub host_move: char,
    pub guest_move: char,
    pub outcome: Outcome,
}

/// A match is over: the final score and how it ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatchEnd {
    pub ended: SystemTime,
    pub host_wins: u32,
    pub guest_wins: u32,
    pub ending: MatchEnding,
}

/// One player's record, over every run recorded in the file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlayerRecord {
    /// As they last typed it (lookups ignore case).
    pub name: String,
    /// Matches begun, however they ended (unfinished ones included).
    pub matches: u64,
    /// Matches the player won (`guest won`).
    pub won: u64,
    /// Matches the host won (`host won`).
    pub lost: u64,
    /// Games played, ties included.
    pub games: u64,
    pub games_won: u64,
    pub games_lost: u64,
}

impl PlayerRecord {
    /// The share of decided games the player won, as the seed's `Overall` counts the
    /// host's; `None` before any game was decided.
    pub fn share(&self) -> Option<f64> {
        share(self.games_won, self.games_lost)
    }
}

impl fmt::Display for PlayerRecord {
    /// `alice: 12 matches, 5 won, 6 lost; 60 games, 30 won, 25 lost (54.55%)`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {}, {} won, {} lost; {}, {} won, {} lost ({})",
            printable(&self.name),
            count(self.matches, "match", "matches"),
            self.won,
            self.lost,
            count(self.games, "game", "games"),
            self.games_won,
            self.games_lost,
            percent(self.share()),
        )
    }
}

/// The host's figures over every run recorded in the file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HostRecord {
    pub matches: u64,
    /// Matches the host won.
    pub won: u64,
    /// Matches a guest won.
    pub lost: u64,
    pub games: u64,
    pub games_won: u64,
    pub games_lost: u64,
    pub games_tied: u64,
}

impl HostRecord {
    /// The host's lifetime share of decided games, as `Overall` counts one run's.
    pub fn share(&self) -> Option<f64> {
        share(self.games_won, self.games_lost)
    }
}

impl fmt::Display for HostRecord {
    /// `42 matches, 30 won, 12 lost; 470 games, 250 won, 180 lost, 40 tied (58.14%)`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}, {} won, {} lost; {}, {} won, {} lost, {} tied ({})",
            count(self.matches, "match", "matches"),
            self.won,
            self.lost,
            count(self.games, "game", "games"),
            self.games_won,
            self.games_lost,
            self.games_tied,
            percent(self.share()),
        )
    }
}

/// One line of the leaderboard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaderboardRow {
    /// 1 for the top.
    pub rank: usize,
    pub player: PlayerRecord,
}

/// One match, for the list of the latest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatchRow {
    pub id: MatchId,
    /// RFC 3339, UTC, to the millisecond: `2026-12-01T20:29:05.123Z`.
    pub started: String,
    /// `None` while it is played, or if the server was killed during it.
    pub ended: Option<String>,
    pub guest_name: String,
    pub guest_addr: String,
    pub host_wins: u32,
    pub guest_wins: u32,
    pub ties: u32,
    /// `None` while it is played, or if the server was killed during it.
    pub ending: Option<MatchEnding>,
}

impl MatchRow {
    /// How it ended, in words: `unfinished` when it never did.
    pub fn ending_text(&self) -> &'static str {
        self.ending.map_or("unfinished", MatchEnding::as_str)
    }
}

fn share(won: u64, lost: u64) -> Option<f64> {
    let decided = won + lost;
    (decided > 0).then(|| won as f64 * 100.0 / decided as f64)
}

/// `54.55%`, or `-` when nothing was decided.
pub fn percent(share: Option<f64>) -> String {
    share.map_or_else(|| "-".to_string(), |s| format!("{s:.2}%"))
}

/// `1 match`, `12 matches`.
pub fn count(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `name` with control characters escaped, so that a name cannot move a terminal's
/// cursor or change its colours when shown.
pub fn printable(name: &str) -> String {
    name.chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}

/// `time` as RFC 3339 in UTC to the millisecond, `2026-12-01T20:29:05.123Z`: the form
/// the store keeps, which sorts as the times do. Times before 1970 read as 1970.
pub fn utc_text(time: SystemTime) -> String {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = since.as_secs();
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (year, month, day) = civil_from_days(days as i64);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60,
        since.subsec_millis()
    )
}

/// The date `days` after 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The leaderboard as aligned lines, a heading first: what `l` and `roshambo stats`
/// show. No lines but the heading's when nobody has played.
pub fn leaderboard_lines(rows: &[LeaderboardRow]) -> Vec<String> {
    let names: Vec<String> = rows.iter().map(|r| printable(&r.player.name)).collect();
    let width = names
        .iter()
        .map(|n| n.chars().count())
        .chain([4])
        .max()
        .unwrap_or(4);
    let mut lines = vec![format!(
        "{:>3}  {:<width$}  {:>7}  {:>4}  {:>4}  {:>6}  {:>7}",
        "#", "name", "matches", "won", "lost", "games", "share"
    )];
    for (row, name) in rows.iter().zip(&names) {
        let p = &row.player;
        lines.push(format!(
            "{:>3}  {}  {:>7}  {:>4}  {:>4}  {:>6}  {:>7}",
            row.rank,
            pad(name, width),
            p.matches,
            p.won,
            p.lost,
            p.games,
            percent(p.share())
        ));
    }
    lines
}

/// The latest matches as aligned lines, a heading first. The score is the host's
/// first, as the seed's `Wins:` line gives it.
pub fn match_lines(rows: &[MatchRow]) -> Vec<String> {
    let names: Vec<String> = rows.iter().map(|r| printable(&r.guest_name)).collect();
    let width = |items: &mut dyn Iterator<Item = usize>, least: usize| {
        items.chain([least]).max().unwrap_or(least)
    };
    let name_width = width(&mut names.iter().map(|n| n.chars().count()), 5);
    let addr_width = width(&mut rows.iter().map(|r| r.guest_addr.len()), 7);
    let mut lines = vec![format!(
        "{:<19}  {:<name_width$}  {:<addr_width$}  {:>10}  ending",
        "started (UTC)", "guest", "address", "host-guest"
    )];
    for (row, name) in rows.iter().zip(&names) {
        // "2026-12-01T20:29:05.123Z" reads as "2026-12-01 20:29:05".
        let started = row
            .started
            .get(..19)
            .unwrap_or(&row.started)
            .replace('T', " ");
        let score = format!("{}-{}", row.host_wins, row.guest_wins);
        lines.push(format!(
            "{started:<19}  {}  {:<addr_width$}  {score:>10}  {}",
            pad(name, name_width),
            row.guest_addr,
            row.ending_text()
        ));
    }
    lines
}

/// `text` padded with spaces to `width` characters (`format!` pads by chars too, but
/// says so less plainly).
fn pad(text: &str, width: usize) -> String {
    let len = text.chars().count();
    format!("{text}{}", " ".repeat(width.saturating_sub(len)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn times_read_as_rfc_3339_utc() {
        let at = |secs: u64, millis: u64| {
            utc_text(UNIX_EPOCH + Duration::from_secs(secs) + Duration::from_millis(millis))
        };
        let cases = [
            (0, 0, "1970-01-01T00:00:00.000Z"),
            (951_782_400, 7, "2000-02-29T00:00:00.007Z"),
            (1_795_983_045, 123, "2026-11-29T20:10:45.123Z"),
            (4_102_444_799, 999, "2099-12-31T23:59:59.999Z"),
        ];
        for (secs, millis, text) in cases {
            assert_eq!(at(secs, millis), text);
        }
        assert_eq!(
            utc_text(UNIX_EPOCH - Duration::from_secs(5)),
            "1970-01-01T00:00:00.000Z"
        );
    }

    #[test]
    fn every_ending_reads_back_as_itself() {
        for ending in MatchEnding::ALL {
            assert_eq!(MatchEnding::from_stored(ending.as_str()), Some(ending));
        }
        assert_eq!(MatchEnding::from_stored("won"), None);
    }

    fn player(name: &str, won: u64, games_won: u64, games_lost: u64) -> PlayerRecord {
        PlayerRecord {
            name: name.to_string(),
            matches: won + 1,
            won,
            lost: 1,
            games: games_won + games_lost + 1,
            games_won,
            games_lost,
        }
    }

    #[test]
    fn a_record_reads_in_words() {
        assert_eq!(
            player("alice", 5, 30, 25).to_string(),
            "alice: 6 matches, 5 won, 1 lost; 56 games, 30 won, 25 lost (54.55%)"
        );
        let none = PlayerRecord {
            name: "bo".into(),
            matches: 1,
            ..PlayerRecord::default()
        };
        assert_eq!(
            none.to_string(),
            "bo: 1 match, 0 won, 0 lost; 0 games, 0 won, 0 lost (-)"
        );
    }

    #[test]
    fn the_leaderboard_lines_up_and_escapes_names() {
        let rows = [
            LeaderboardRow {
                rank: 1,
                player: player("émile", 3, 10, 5),
            },
            LeaderboardRow {
                rank: 2,
                player: player("evil\u{1b}[2J", 1, 2, 2),
            },
        ];
        let lines = leaderboard_lines(&rows);
        assert_eq!(lines.len(), 3);
        assert!(!lines.iter().any(|l| l.contains('\u{1b}')), "{lines:?}");
        assert!(lines[2].contains("evil\\u{1b}[2J"), "{lines:?}");
        let share_at = |l: &String| l.chars().count();
        assert_eq!(share_at(&lines[1]), share_at(&lines[2]), "{lines:#?}");
        assert!(lines[1].ends_with("66.67%"), "{lines:?}");
    }
}
