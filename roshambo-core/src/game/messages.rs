//! What players are told beyond the seed's lines: the help, the prompts, a tie, the
//! score from each side, the match's end in words. Pure: words in, words out.
//!
//! The seed's own lines (`Welcome to the game`, `Player 0: r, Player 1: s`,
//! `Player 0 wins!`, `Wins: 1 - 0`, `Overall: 100.00%`, `Thank you for playing!`,
//! `Invalid key`, `Opponent disconnected.`, `Timed out. Good-bye`, the bare countdown
//! digits) are said by the table word for word; these are said around them.

use crate::game::happening::Ending;
use crate::game::rules::{Move, Player, Variant};
use crate::records::{count, PlayerRecord};
use std::time::Duration;

/// Whether `text` is one of the seed's lines, which the table says word for word to the
/// same recipients whatever it says around them: for tests that follow the seed's flow
/// through the words added since.
pub fn is_seed_line(text: &str) -> bool {
    const WHOLE: [&str; 5] = [
        "Welcome to the game",
        "Thank you for playing!",
        "Invalid key",
        "Opponent disconnected.",
        "Timed out. Good-bye",
    ];
    WHOLE.contains(&text)
        || text.starts_with("Player 0: ")
        || (text.starts_with("Player ") && text.ends_with(" wins!"))
        || text.starts_with("Wins: ")
        || text.starts_with("Overall: ")
        || text.starts_with("Player connected: ")
        || (!text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()))
}

/// A game nobody won.
pub const TIE: &str = "A tie: nobody scores.";

/// What the playing guest is told when the host stops the server (Ctrl-Z).
pub const PAUSED: &str = "The host has paused the game; your clock is stopped.";

/// What a guest sent away by the host is told, before the connection closes.
pub const KICKED: &str = "The host has ended your match. Thank you for coming, good-bye.";

/// What a guest sees first when asked their name, before the prompt.
pub const INTRODUCTION: &str = "Hello! This is roshambo: rock, paper, scissors against the host.";

/// The name prompt: no line end, so that the name is typed after it.
pub const NAME_PROMPT: &str = "What is your name? (Enter for none) ";

/// Said to a guest who answers the name prompt with `?`.
pub const NAME_HELP: &str = "Your name is how the host and the others will know you: up to 16 letters or digits (and - _ .), then Enter. Enter alone gives you one.";

/// Said to a guest whose name is accepted, or given.
pub fn hello(name: &str) -> String {
    format!("Hello, {name}.")
}

/// Said to a guest whose time at the name prompt ran out.
pub fn name_given(name: &str) -> String {
    format!("Time is up: you are {name}.")
}

/// A returning guest's greeting, with their record.
pub fn welcome_back(name: &str, record: &PlayerRecord) -> String {
    let matches = count(record.matches, "match", "matches");
    format!("Welcome back, {name}: {matches}, {} won.", record.won)
}

/// A guest whose name has no record yet.
pub fn welcome_new(name: &str) -> String {
    format!("Welcome, {name}: your first match here. Press l any time to see the leaderboard.")
}

/// `l` without a records file.
pub const NO_RECORDS: &str = "No records are kept on this server, so there is no leaderboard.";

/// `l` before anyone has finished a match.
pub const NO_LEADERS: &str = "The leaderboard is empty: nobody has played a match yet.";

/// The leaderboard's first line.
pub const LEADERBOARD_TITLE: &str = "Leaderboard (matches won, then share of games won):";

/// The rematch question, asked when a match is won and nobody waits.
pub const PLAY_AGAIN: &str = "Play again? (y/n)";

/// Said for any other key while the rematch question waits.
pub const ANSWER_Y_OR_N: &str = "Press y to play again or n to leave.";

/// Said to a guest who leaves after a match.
pub const GOOD_BYE: &str = "Good-bye, and thank you.";

/// Said to a guest who let the rematch question's clock run out.
pub const NO_ANSWER: &str = "No answer, so good-bye. Come back soon!";

/// Said to a guest deciding whether to play again when another guest comes to play.
pub const SEAT_TAKEN: &str =
    "Another guest has come to play, so the seat is theirs. Thank you, good-bye.";

/// The key that turns a guest's colours on and off, and what it says.
pub fn colour_switched(on: bool) -> &'static str {
    if on {
        "Colour on (c turns it off)."
    } else {
        "Colour off (c turns it on)."
    }
}

/// How the table speaks of the game being played and of who holds the host's seat:
/// the words that differ between rock-paper-scissors and its lizard-Spock variant, and
/// between the host and the house bot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Words {
    pub variant: Variant,
    /// Who holds the host's seat, as a guest calls them: `host` or `house bot`.
    pub opponent: &'static str,
}

impl Words {
    /// The keys, in words: the line after `Invalid key`, and part of the help.
    pub fn keys(self) -> String {
        let moves: Vec<String> = self
            .variant
            .moves()
            .iter()
            .map(|m| format!("{} {}", m.key(), m.name()))
            .collect();
        let leaderboard = match self.variant {
            Variant::Rps => ", l leaderboard",
            // `l` is the lizard: the leaderboard between matches only.
            Variant::Rpsls => "",
        };
        format!("Keys: {}, ? help{leaderboard}.", moves.join(", "))
    }

    /// The prompt for a guest's move: `Your move: r, p or s.`
    pub fn your_move(self) -> String {
        let keys: Vec<String> = self
            .variant
            .moves()
            .iter()
            .map(|m| m.key().to_string())
            .collect();
        let (last, rest) = keys.split_last().expect("a game has moves");
        format!("Your move: {} or {last}.", rest.join(", "))
    }

    /// Said when the host continues the server (`fg`).
    pub fn resumed(self) -> String {
        format!("The game goes on, with a fresh clock. {}", self.your_move())
    }

    /// Who the guest is, told when they sit down.
    pub fn who_you_are(self, name: &str) -> String {
        format!(
            "You are {name}, Player 1; the {} is Player 0.",
            self.opponent
        )
    }

    /// Told to a guest who has moved before the other seat.
    pub fn waiting_for_move(self) -> String {
        format!("Waiting for the {}'s move.", self.opponent)
    }

    /// The help, for whoever pressed `?`.
    pub fn help(self, player: Player, best_of: u32, timeout: Duration) -> Vec<String> {
        let mut lines = vec![
            self.variant.rules_line(),
            self.keys(),
            match_rules(best_of, timeout),
        ];
        if self.variant == Variant::Rpsls {
            lines.push("Between matches, l shows the leaderboard.".to_string());
        }
        match player {
            Player::Guest => {
                lines.push(
                    "Either player may change their move until the other has moved. Ctrl-C leaves."
                        .to_string(),
                );
                lines.push("c turns colour on or off.".to_string());
            }
            Player::Host => {
                lines.push(
                    "Ctrl-K sends the playing guest away; the next in line plays.".to_string(),
                );
                lines.push(
                    "b hands your seat to the house bot, h takes it back (between games)."
                        .to_string(),
                );
                lines.push("Ctrl-C stops the server; Ctrl-D too.".to_string());
            }
        }
        lines
    }

    /// The score from `player`'s side, e.g. `You 2, host 3`; `guest` is the guest's name.
    pub fn score_for(self, player: Player, guest: &str, wins: [u32; 2]) -> String {
        match player {
            Player::Host => format!("You {}, {guest} {}", wins[0], wins[1]),
            Player::Guest => format!("You {}, {} {}", wins[1], self.opponent, wins[0]),
        }
    }

    /// Who won the match, in words, winner's score first: `alice wins the match 5-3`.
    pub fn match_won(self, winner: Player, guest: &str, wins: [u32; 2]) -> String {
        match winner {
            Player::Host => format!(
                "The {} wins the match {}-{}",
                self.opponent, wins[0], wins[1]
            ),
            Player::Guest => format!("{guest} wins the match {}-{}", wins[1], wins[0]),
        }
    }

    /// What the queue hears when a match starts.
    pub fn now_playing(self, guest: &str) -> String {
        format!("Now playing: the {} against {guest}", self.opponent)
    }
}

/// A player's own move, said to them alone.
pub fn you_chose(choice: Move) -> String {
    format!("You chose {}.", choice.name())
}

/// The match's rules: `best_of` games, the first to more than half wins.
pub fn match_rules(best_of: u32, timeout: Duration) -> String {
    format!(
        "Best of {best_of}: first to {} wins. {} for each move.",
        best_of / 2 + 1,
        seconds(timeout)
    )
}

/// The host's one line about a match that ended, however it ended.
pub fn match_summary(guest: &str, ending: Ending, wins: [u32; 2]) -> String {
    let [host, visitor] = wins;
    match ending {
        Ending::Won if host > visitor => {
            format!("Match over: you beat {guest} {host}-{visitor}")
        }
        Ending::Won => format!("Match over: {guest} beat you {visitor}-{host}"),
        Ending::TimedOut => format!("Match over: {guest} timed out at {host}-{visitor}"),
        Ending::GuestLeft => format!("Match over: {guest} left at {host}-{visitor}"),
        Ending::ShutDown => format!("Match over: cut by the shutdown at {host}-{visitor}"),
        Ending::Kicked => format!("Match over: you sent {guest} away at {host}-{visitor}"),
    }
}

/// Before the countdown's digits: what they mean.
pub fn countdown_starts(seconds_left: u32) -> String {
    let unit = if seconds_left == 1 {
        "second"
    } else {
        "seconds"
    };
    format!("Your move, please: {seconds_left} {unit} left")
}

/// `10 seconds`, `2.5 seconds`, `1 second`.
fn seconds(time: Duration) -> String {
    let secs = time.as_secs_f64();
    if secs == 1.0 {
        "1 second".to_string()
    } else if secs.fract() == 0.0 {
        format!("{secs:.0} seconds")
    } else {
        format!("{} seconds", (secs * 10.0).round() / 10.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOST_RPS: Words = Words {
        variant: Variant::Rps,
        opponent: "host",
    };

    #[test]
    fn each_game_has_its_keys_and_prompt() {
        assert_eq!(
            HOST_RPS.keys(),
            "Keys: r rock, p paper, s scissors, ? help, l leaderboard."
        );
        assert_eq!(HOST_RPS.your_move(), "Your move: r, p or s.");
        let rpsls = Words {
            variant: Variant::Rpsls,
            ..HOST_RPS
        };
        assert_eq!(
            rpsls.keys(),
            "Keys: r rock, p paper, s scissors, l lizard, k Spock, ? help."
        );
        assert_eq!(rpsls.your_move(), "Your move: r, p, s, l or k.");
        assert!(rpsls.help(Player::Guest, 9, Duration::from_secs(10))[0].contains("Spock"));
    }

    #[test]
    fn the_rules_name_the_wins_needed_and_the_time() {
        assert_eq!(
            match_rules(9, Duration::from_secs(10)),
            "Best of 9: first to 5 wins. 10 seconds for each move."
        );
        assert_eq!(
            match_rules(1, Duration::from_millis(2500)),
            "Best of 1: first to 1 wins. 2.5 seconds for each move."
        );
        assert_eq!(seconds(Duration::from_secs(1)), "1 second");
    }

    #[test]
    fn the_score_is_told_from_each_side() {
        let words = HOST_RPS;
        assert_eq!(
            words.score_for(Player::Guest, "alice", [3, 2]),
            "You 2, host 3"
        );
        assert_eq!(
            words.score_for(Player::Host, "alice", [3, 2]),
            "You 3, alice 2"
        );
        let bot = Words {
            opponent: "house bot",
            ..words
        };
        assert_eq!(
            bot.score_for(Player::Guest, "alice", [3, 2]),
            "You 2, house bot 3"
        );
    }

    #[test]
    fn the_match_end_says_who_won_with_the_winners_score_first() {
        assert_eq!(
            HOST_RPS.match_won(Player::Guest, "alice", [3, 5]),
            "alice wins the match 5-3"
        );
        assert_eq!(
            HOST_RPS.match_won(Player::Host, "alice", [5, 0]),
            "The host wins the match 5-0"
        );
    }

    #[test]
    fn every_ending_has_its_summary() {
        let guest = "127.0.0.1:4000";
        let cases = [
            (
                Ending::Won,
                [5, 3],
                "Match over: you beat 127.0.0.1:4000 5-3",
            ),
            (
                Ending::Won,
                [2, 5],
                "Match over: 127.0.0.1:4000 beat you 5-2",
            ),
            (
                Ending::TimedOut,
                [1, 2],
                "Match over: 127.0.0.1:4000 timed out at 1-2",
            ),
            (
                Ending::GuestLeft,
                [0, 0],
                "Match over: 127.0.0.1:4000 left at 0-0",
            ),
            (
                Ending::ShutDown,
                [4, 4],
                "Match over: cut by the shutdown at 4-4",
            ),
            (
                Ending::Kicked,
                [1, 0],
                "Match over: you sent 127.0.0.1:4000 away at 1-0",
            ),
        ];
        for (ending, wins, line) in cases {
            assert_eq!(match_summary(guest, ending, wins), line);
        }
    }

    #[test]
    fn the_seeds_lines_are_told_apart_from_the_words_around_them() {
        for seed in [
            "Welcome to the game",
            "Player 0: r, Player 1: s",
            "Player 1 wins!",
            "Wins: 1 - 0",
            "Overall: 100.00%",
            "Thank you for playing!",
            "Invalid key",
            "Opponent disconnected.",
            "Timed out. Good-bye",
            "5",
            "Player connected: 127.0.0.1:4000",
        ] {
            assert!(is_seed_line(seed), "{seed}");
        }
        let (keys, your_move) = (HOST_RPS.keys(), HOST_RPS.your_move());
        for added in [
            keys.as_str(),
            your_move.as_str(),
            TIE,
            NAME_PROMPT,
            PLAY_AGAIN,
            "You 1, host 0",
            "",
        ] {
            assert!(!is_seed_line(added), "{added}");
        }
    }

    #[test]
    fn the_countdown_says_what_its_digits_mean() {
        assert_eq!(countdown_starts(5), "Your move, please: 5 seconds left");
        assert_eq!(countdown_starts(1), "Your move, please: 1 second left");
    }
}
