//! A player's habits in one match, and the card that tells them after it: how often they
//! played each move, whether they repeated after a win and changed after a loss, and how
//! predictable the house bot found them. Pure: no IO.

use super::Beats;

/// A player's habits in one match, for the card shown after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Habits {
    /// Games in which the player played each move, by move index.
    played: Vec<u32>,
    games: u32,
    /// (next moves that repeated, wins followed by a game).
    after_win: (u32, u32),
    /// (next moves that changed, losses followed by a game).
    after_loss: (u32, u32),
}

impl Habits {
    /// The habits in a match's games, oldest first, each (player's move, opponent's
    /// move), under the rules `beats`.
    ///
    /// Panics if a move is not below [`Beats::moves`].
    pub fn of(games: &[(usize, usize)], beats: &Beats) -> Habits {
        let mut played = vec![0; beats.moves()];
        for &(player, opponent) in games {
            assert!(opponent < beats.moves(), "no move {opponent}");
            played[player] += 1;
        }
        let (mut after_win, mut after_loss) = ((0, 0), (0, 0));
        for pair in games.windows(2) {
            let ((player, opponent), (next, _)) = (pair[0], pair[1]);
            if beats.beats(player, opponent) {
                after_win.0 += u32::from(next == player);
                after_win.1 += 1;
            } else if beats.beats(opponent, player) {
                after_loss.0 += u32::from(next != player);
                after_loss.1 += 1;
            }
        }
        Habits {
            played,
            games: games.len() as u32,
            after_win,
            after_loss,
        }
    }

    /// Per move index, the share of the games in which the player played it (all 0.0
    /// when there were no games).
    pub fn move_shares(&self) -> Vec<f64> {
        self.played
            .iter()
            .map(|&n| share(n, self.games).unwrap_or(0.0))
            .collect()
    }

    /// Of the wins followed by another game, the share after which the player played
    /// the same move again; `None` if no win was followed by a game.
    pub fn repeated_after_win(&self) -> Option<f64> {
        share(self.after_win.0, self.after_win.1)
    }

    /// Of the losses followed by another game, the share after which the player changed
    /// move; `None` if no loss was followed by a game.
    pub fn shifted_after_loss(&self) -> Option<f64> {
        share(self.after_loss.0, self.after_loss.1)
    }

    /// The card in words: a few short lines, given the moves' names by index (e.g.
    /// `["rock", "paper", "scissors"]`) and the bot's predictability as (called,
    /// games), from [`super::Bot::predictability`]; without it the last line is left
    /// out.
    ///
    /// Panics if `names` does not name every move.
    pub fn card(&self, names: &[&str], predictability: Option<(u32, u32)>) -> Vec<String> {
        assert_eq!(names.len(), self.played.len(), "one name for each move");
        if self.games == 0 {
            return vec!["Your habits this match: no games played.".to_string()];
        }
        let shares: Vec<String> = names
            .iter()
            .zip(&self.played)
            .map(|(name, &n)| format!("{name} {}", percent(n, self.games)))
            .collect();
        let mut card = vec![format!("Your habits this match: {}.", shares.join(", "))];

        let win = match self.after_win {
            (_, 0) => "no win was followed by another game".to_string(),
            (repeated, wins) => format!(
                "after a win you played the same move again {} ({})",
                times_in(repeated, wins),
                percent(repeated, wins)
            ),
        };
        let loss = match self.after_loss {
            (_, 0) => "no loss was followed by another game".to_string(),
            (shifted, losses) => format!(
                "after a loss you changed {} ({})",
                times_in(shifted, losses),
                percent(shifted, losses)
            ),
        };
        card.push(capitalised(&format!("{win}; {loss}.")));

        if let Some((called, games)) = predictability.filter(|&(_, games)| games > 0) {
            card.push(format!(
                "The house bot called your next move {} ({}): {}.",
                times_in(called, games),
                percent(called, games),
                verdict(called, games, names.len())
            ));
        }
        card
    }
}

/// Fewer games than this and the card does not judge how predictable a player was.
const FEW_GAMES: u32 = 5;

/// How predictable `called` in `games` is, for a game of `moves` moves: judged by how
/// far above chance (1 in `moves`, what the bot scores against a random player) the
/// rate is, as a share of the way from chance to always.
fn verdict(called: u32, games: u32, moves: usize) -> &'static str {
    if games < FEW_GAMES {
        return "too few games to tell";
    }
    let chance = 1.0 / moves as f64;
    let rate = f64::from(called) / f64::from(games);
    let above = (rate - chance) / (1.0 - chance);
    match above {
        a if a < 0.1 => "no more predictable than chance",
        a if a < 0.3 => "somewhat predictable",
        a if a < 0.6 => "fairly predictable",
        _ => "very predictable",
    }
}

fn share(part: u32, whole: u32) -> Option<f64> {
    (whole > 0).then(|| f64::from(part) / f64::from(whole))
}

/// `part` of `whole` as a whole percentage, halves rounded up: "67%".
fn percent(part: u32, whole: u32) -> String {
    let (part, whole) = (u64::from(part), u64::from(whole));
    format!("{}%", (200 * part + whole) / (2 * whole))
}

/// "1 time in 2", "3 times in 4".
fn times_in(part: u32, whole: u32) -> String {
    let times = if part == 1 { "time" } else { "times" };
    format!("{part} {times} in {whole}")
}

fn capitalised(line: &str) -> String {
    let mut chars = line.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bot::tests::{rps, rpsls};

    const RPS: [&str; 3] = ["rock", "paper", "scissors"];
    const RPSLS: [&str; 5] = ["rock", "paper", "scissors", "lizard", "Spock"];
    /// A match's games: (player's move, opponent's move).
    type Games = [(usize, usize)];
    /// A card's lines.
    type Card = [&'static str];

    const R: usize = 0;
    const P: usize = 1;
    const S: usize = 2;

    /// Eight games: (player, opponent), with what each is to the player.
    const SCRIPTED: [(usize, usize); 8] = [
        (R, S), // win, then repeats
        (R, P), // loss, then changes
        (P, R), // win, then repeats
        (P, P), // tie
        (P, S), // loss, then stays
        (P, R), // win, then changes
        (S, S), // tie
        (R, P), // loss, the last game
    ];

    #[test]
    fn the_scripted_matchs_figures() {
        let habits = Habits::of(&SCRIPTED, &rps());
        assert_eq!(habits.move_shares(), vec![0.375, 0.5, 0.125]);
        assert_eq!(habits.repeated_after_win(), Some(2.0 / 3.0));
        assert_eq!(habits.shifted_after_loss(), Some(0.5));
        assert_eq!(
            habits.card(&RPS, Some((6, 10))),
            [
                "Your habits this match: rock 38%, paper 50%, scissors 13%.",
                "After a win you played the same move again 2 times in 3 (67%); after a loss you changed 1 time in 2 (50%).",
                "The house bot called your next move 6 times in 10 (60%): fairly predictable.",
            ]
        );
    }

    #[test]
    fn cases_with_nothing_to_tell() {
        let beats = rps();
        // Games; after a win and after a loss; the card.
        let cases: &[(&Games, [Option<f64>; 2], &Card)] = &[
            (&[], [None, None], &["Your habits this match: no games played."]),
            (
                &[(P, R)],
                [None, None],
                &[
                    "Your habits this match: rock 0%, paper 100%, scissors 0%.",
                    "No win was followed by another game; no loss was followed by another game.",
                ],
            ),
            (
                &[(R, R), (S, R)],
                [None, None],
                &[
                    "Your habits this match: rock 50%, paper 0%, scissors 50%.",
                    "No win was followed by another game; no loss was followed by another game.",
                ],
            ),
            (
                &[(S, R), (S, P)],
                [None, Some(0.0)],
                &[
                    "Your habits this match: rock 0%, paper 0%, scissors 100%.",
                    "No win was followed by another game; after a loss you changed 0 times in 1 (0%).",
                ],
            ),
        ];
        for (games, [win, loss], card) in cases {
            let habits = Habits::of(games, &beats);
            assert_eq!(habits.repeated_after_win(), *win, "{games:?}");
            assert_eq!(habits.shifted_after_loss(), *loss, "{games:?}");
            assert_eq!(habits.card(&RPS, None), *card, "{games:?}");
        }
        assert_eq!(Habits::of(&[], &beats).move_shares(), vec![0.0; 3]);
    }

    #[test]
    fn the_verdict_goes_by_how_far_above_chance() {
        let cases = [
            ((0, 0), 3, None),
            ((1, 3), 3, Some("1 time in 3 (33%): too few games to tell")),
            (
                (3, 10),
                3,
                Some("3 times in 10 (30%): no more predictable than chance"),
            ),
            (
                (5, 10),
                3,
                Some("5 times in 10 (50%): somewhat predictable"),
            ),
            ((6, 10), 3, Some("6 times in 10 (60%): fairly predictable")),
            ((9, 10), 3, Some("9 times in 10 (90%): very predictable")),
            (
                (2, 10),
                5,
                Some("2 times in 10 (20%): no more predictable than chance"),
            ),
            (
                (4, 10),
                5,
                Some("4 times in 10 (40%): somewhat predictable"),
            ),
            ((6, 10), 5, Some("6 times in 10 (60%): fairly predictable")),
        ];
        for ((called, games), moves, expected) in cases {
            let (beats, names): (Beats, &[&str]) = if moves == 3 {
                (rps(), &RPS)
            } else {
                (rpsls(), &RPSLS)
            };
            let card = Habits::of(&[(R, R), (P, S)], &beats).card(names, Some((called, games)));
            let last = expected.map(|e| format!("The house bot called your next move {e}."));
            assert_eq!(card.get(2), last.as_ref(), "{called}/{games} of {moves}");
        }
    }

    #[test]
    fn percentages_round_halves_up() {
        let cases = [
            (1, 8, "13%"),
            (3, 8, "38%"),
            (2, 3, "67%"),
            (1, 3, "33%"),
            (0, 4, "0%"),
        ];
        for (part, whole, expected) in cases {
            assert_eq!(percent(part, whole), expected);
        }
    }
}
