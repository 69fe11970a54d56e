//! The house bot: reads a player's habits and picks its move before it can know theirs,
//! and the habits card shown after a match. Pure: no clock, no IO; its randomness comes
//! from a seed the caller passes in.
//!
//! The bot works on move indices and a [`Beats`] table, so it plays any variant the
//! rules define (rock-paper-scissors, rock-paper-scissors-lizard-Spock) without knowing
//! which.
//!
//! Its strategy is Iocaine Powder's (the winner of the first international RoShamBo
//! contest): several predictors of the player's next move (see [`predictors`]), each
//! played at three levels of second-guessing, every (predictor, level) strategy scored
//! each game on how it would have done, the best one played, and a random move when none
//! is clearly ahead, so that a random player cannot exploit it.

pub mod habits;
pub mod predictors;
pub mod random;

pub use habits::Habits;

use predictors::{Memory, PREDICTORS};
use random::Dice;

/// The most moves a game may have (rock-paper-scissors-lizard-Spock's five).
pub const MAX_MOVES: usize = 5;

/// Which move beats which, for a game of [`Beats::moves`] moves (3 for rps, 5 for
/// rpsls), by move index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Beats {
    moves: usize,
    beats: [[bool; MAX_MOVES]; MAX_MOVES],
}

impl Beats {
    /// The table of a game of `moves` moves where `beats(a, b)` says that move `a`
    /// beats move `b`.
    ///
    /// Panics unless `moves` is 2 to [`MAX_MOVES`] and the table is a proper
    /// tournament: no move beats itself, and of two different moves exactly one beats
    /// the other. The rules are code, so a wrong table is a bug to catch at start-up.
    pub fn new(moves: usize, beats: impl Fn(usize, usize) -> bool) -> Beats {
        assert!(
            (2..=MAX_MOVES).contains(&moves),
            "a game has 2 to {MAX_MOVES} moves, not {moves}"
        );
        let table: [[bool; MAX_MOVES]; MAX_MOVES] =
            std::array::from_fn(|a| std::array::from_fn(|b| a < moves && b < moves && beats(a, b)));
        let pairs = (0..moves).flat_map(|a| (a..moves).map(move |b| (a, b)));
        for (a, b) in pairs {
            if a == b {
                assert!(!table[a][a], "move {a} beats itself");
            } else {
                assert!(
                    table[a][b] != table[b][a],
                    "moves {a} and {b}: exactly one must beat the other"
                );
            }
        }
        Beats {
            moves,
            beats: table,
        }
    }

    /// How many moves the game has; moves are the indices below it.
    pub fn moves(&self) -> usize {
        self.moves
    }

    /// Whether move `a` beats move `b`.
    pub fn beats(&self, a: usize, b: usize) -> bool {
        assert!(a < self.moves && b < self.moves, "no move ({a}, {b})");
        self.beats[a][b]
    }

    /// The move to play against `b`: the first (lowest-index) move that beats it, or `b`
    /// itself if nothing does (a tie is then the best there is).
    ///
    /// The first rather than a random one of several (rpsls has two for every move):
    /// a strategy's move must be the same when it is chosen and when it is scored, and
    /// when several beat `b` they win alike if the guess was right.
    pub fn counter(&self, b: usize) -> usize {
        (0..self.moves).find(|&a| self.beats(a, b)).unwrap_or(b)
    }

    /// +1 if `a` beats `b`, -1 if `b` beats `a`, 0 for a tie.
    fn score(&self, a: usize, b: usize) -> f32 {
        if self.beats(a, b) {
            1.0
        } else if self.beats(b, a) {
            -1.0
        } else {
            0.0
        }
    }
}

/// Levels of second-guessing per predictor, as in Iocaine Powder.
const LEVELS: usize = 3;
/// Every (predictor, level) pair.
const STRATEGIES: usize = PREDICTORS.len() * LEVELS;
/// Each game a strategy's score is multiplied by this before the game's +1, 0 or -1 is
/// added: about the last 30 games count. Shorter memories (0.9) chase luck among the 36
/// strategies against a merely biased player (59% instead of 63% of the decided games
/// against rock half the time, 66.7% at best); a player who changes their ways is still
/// read within a few games, by the predictors whose contexts are new.
const DECAY: f32 = 0.97;
/// The score the best strategy must exceed to be played; below it the bot plays at
/// random. A strategy right every game tends to 1 / (1 - DECAY) = 33, and gets past 3
/// after its first four calls; one right a third of the time hovers around 0.
const CLEARLY_AHEAD: f32 = 3.0;

/// What one strategy would do this game: the player's move it expects, and its reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Plan {
    expects: usize,
    plays: usize,
}

/// The house bot: picks a move for each game from what it has seen of the player.
///
/// Pure: no clock, no IO; its randomness is a small PRNG seeded by the caller, so the
/// same seed and the same games give the same moves. Its memory is bounded (see
/// [`predictors::Memory`]): a long match cannot grow it.
#[derive(Clone, Debug)]
pub struct Bot {
    beats: Beats,
    dice: Dice,
    memory: Memory,
    /// Each strategy's decayed score, strategy `p * LEVELS + level`.
    scores: [f32; STRATEGIES],
    /// Games observed this match, and how many of them the leading strategy called.
    called: u32,
    games: u32,
}

impl Bot {
    /// A bot for the game `beats` describes, its random moves drawn from `seed`.
    pub fn new(beats: Beats, seed: u64) -> Bot {
        let memory = Memory::new(beats.moves());
        Bot {
            beats,
            dice: Dice::seeded(seed),
            memory,
            scores: [0.0; STRATEGIES],
            called: 0,
            games: 0,
        }
    }

    /// Learns from an earlier match against the same player (per-player memory):
    /// `games` oldest first, each (player's move, their opponent's move).
    ///
    /// It trains the bot as [`Bot::observe`] would, but does not count towards
    /// [`Bot::predictability`], which is about this match.
    pub fn remember(&mut self, games: &[(usize, usize)]) {
        for &(player, opponent) in games {
            self.learn(player, opponent);
        }
    }

    /// The bot's move for the next game.
    ///
    /// It takes nothing about the coming game: the bot cannot see the player's pending
    /// move, only the games passed to [`Bot::observe`] (and [`Bot::remember`]) before
    /// this call. Choosing teaches it nothing: calling it twice without an `observe`
    /// between gives the same move unless the bot is playing at random.
    pub fn choose(&mut self) -> usize {
        let plans = self.plans();
        match self.leader(&plans) {
            Some((plan, score)) if score > CLEARLY_AHEAD => plan.plays,
            _ => self.dice.roll(self.beats.moves()),
        }
    }

    /// A game was played: the player's move and the bot's (or, when the bot watches a
    /// match it does not play, the other player's).
    ///
    /// Panics if a move is not below [`Beats::moves`].
    pub fn observe(&mut self, player: usize, opponent: usize) {
        if let Some((plan, _)) = self.leader(&self.plans()) {
            self.called += u32::from(plan.expects == player);
        }
        self.games = self.games.saturating_add(1);
        self.learn(player, opponent);
    }

    /// How predictable the bot found the player this match: of the games observed, how
    /// many the bot's leading strategy called (named the player's move), as
    /// `(called, games)`; `None` before any game.
    ///
    /// Counts rather than a fraction, so the card can say "6 times in 10". The leading
    /// strategy is counted whether or not the bot was confident enough to play it, and a
    /// game it had no guess for counts as not called.
    pub fn predictability(&self) -> Option<(u32, u32)> {
        (self.games > 0).then_some((self.called, self.games))
    }

    /// Scores every strategy on the game just played, then remembers the game.
    fn learn(&mut self, player: usize, opponent: usize) {
        let plans = self.plans();
        for (score, plan) in self.scores.iter_mut().zip(plans) {
            *score *= DECAY;
            if let Some(plan) = plan {
                *score += self.beats.score(plan.plays, player);
            }
        }
        self.memory.learn(player, opponent);
    }

    /// What each strategy would do now. Level 0 expects the predicted move P and beats
    /// it; level 1 assumes the player expected that and beat it, and beats their move;
    /// level 2 goes once more round. In rock-paper-scissors the three levels are the
    /// three rotations of P; in rpsls they follow [`Beats::counter`].
    fn plans(&self) -> [Option<Plan>; STRATEGIES] {
        let mut plans = [None; STRATEGIES];
        for (p, guess) in self.memory.predict(&self.beats).into_iter().enumerate() {
            let Some(mut expects) = guess else { continue };
            for level in 0..LEVELS {
                let plays = self.beats.counter(expects);
                plans[p * LEVELS + level] = Some(Plan { expects, plays });
                expects = self.beats.counter(plays);
            }
        }
        plans
    }

    /// The best-scoring strategy that has a plan, the first on a tie, with its score.
    fn leader(&self, plans: &[Option<Plan>; STRATEGIES]) -> Option<(Plan, f32)> {
        let mut best: Option<(Plan, f32)> = None;
        for (plan, &score) in plans.iter().zip(&self.scores) {
            if let Some(plan) = plan {
                if best.is_none_or(|(_, b)| score > b) {
                    best = Some((*plan, score));
                }
            }
        }
        best
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::random::Dice;
    use super::*;

    /// Rock 0, paper 1, scissors 2.
    pub(crate) fn rps() -> Beats {
        Beats::new(3, |a, b| (a + 3 - b) % 3 == 1)
    }

    /// Rock 0, paper 1, scissors 2, lizard 3, Spock 4, with the rules' verbs.
    pub(crate) fn rpsls() -> Beats {
        const WINS: [(usize, usize); 10] = [
            (0, 2), // rock crushes scissors
            (0, 3), // rock crushes lizard
            (1, 0), // paper covers rock
            (1, 4), // paper disproves Spock
            (2, 1), // scissors cut paper
            (2, 3), // scissors decapitate lizard
            (3, 1), // lizard eats paper
            (3, 4), // lizard poisons Spock
            (4, 0), // Spock vaporizes rock
            (4, 2), // Spock smashes scissors
        ];
        Beats::new(5, |a, b| WINS.contains(&(a, b)))
    }

    /// Plays `games` games of `bot` against `player` (which sees the history, both
    /// moves, player's first) and returns them.
    fn play(
        bot: &mut Bot,
        games: usize,
        mut player: impl FnMut(&[(usize, usize)]) -> usize,
    ) -> Vec<(usize, usize)> {
        let mut history = Vec::new();
        for _ in 0..games {
            let theirs = bot.choose();
            let mine = player(&history);
            bot.observe(mine, theirs);
            history.push((mine, theirs));
        }
        history
    }

    /// Of the decided games in `history` (player, bot), the share the bot won.
    fn bot_share(beats: &Beats, history: &[(usize, usize)]) -> f64 {
        let won = history.iter().filter(|&&(p, b)| beats.beats(b, p)).count();
        let lost = history.iter().filter(|&&(p, b)| beats.beats(p, b)).count();
        won as f64 / (won + lost) as f64
    }

    #[test]
    fn proper_tournaments_are_accepted() {
        for (name, beats, moves) in [("rps", rps(), 3), ("rpsls", rpsls(), 5)] {
            assert_eq!(beats.moves(), moves, "{name}");
            for a in 0..moves {
                let beaten = (0..moves).filter(|&b| beats.beats(a, b)).count();
                assert_eq!(beaten, (moves - 1) / 2, "{name}: move {a} is balanced");
                assert!(
                    beats.beats(beats.counter(a), a),
                    "{name}: {a} has a counter"
                );
            }
        }
        // A lopsided but proper tournament is accepted; a move nothing beats is met
        // with itself.
        let lopsided = Beats::new(3, |a, b| a < b);
        assert_eq!(lopsided.counter(0), 0);
        assert_eq!(lopsided.counter(2), 0);
    }

    type Table = fn(usize, usize) -> bool;

    #[test]
    fn improper_tables_panic() {
        let cases: [(&str, usize, Table); 5] = [
            ("a move beats itself", 3, |a, b| {
                a == b || (a + 3 - b) % 3 == 1
            }),
            ("a pair undecided", 3, |a, b| {
                (a, b) == (1, 0) || (a, b) == (2, 1)
            }),
            ("a pair both ways", 3, |a, b| a != b),
            ("one move", 1, |_, _| false),
            ("six moves", 6, |a, b| (a + 6 - b) % 6 < 3 && a != b),
        ];
        for (name, moves, table) in cases {
            let built = std::panic::catch_unwind(|| Beats::new(moves, table));
            assert!(built.is_err(), "{name} should panic");
        }
    }

    #[test]
    fn the_same_seed_and_games_give_the_same_moves_and_another_seed_does_not() {
        for beats in [rps(), rpsls()] {
            let moves = beats.moves();
            let run = |seed| {
                let mut bot = Bot::new(beats.clone(), seed);
                let mut dice = Dice::seeded(99);
                play(&mut bot, 200, |_| dice.roll(moves))
            };
            assert_eq!(run(1), run(1));
            assert_ne!(run(1), run(2));
        }
    }

    #[test]
    fn a_choice_depends_only_on_the_games_observed_before_it() {
        // Two players who agree on the first 30 games and then differ: the bot's first
        // 31 moves are the same against both, whatever the 31st game's moves.
        for beats in [rps(), rpsls()] {
            let moves = beats.moves();
            let mut histories = Vec::new();
            for future in 0..moves {
                let mut bot = Bot::new(beats.clone(), 5);
                let mut dice = Dice::seeded(3);
                let history = play(&mut bot, 40, |seen| {
                    let roll = dice.roll(moves);
                    if seen.len() < 30 {
                        roll
                    } else {
                        (roll + future) % moves
                    }
                });
                histories.push(history);
            }
            for history in &histories[1..] {
                let bots = |h: &[(usize, usize)]| h.iter().map(|g| g.1).collect::<Vec<_>>();
                assert_eq!(bots(&history[..31]), bots(&histories[0][..31]));
                assert_ne!(history[30].0, histories[0][30].0, "the 31st moves differ");
            }
        }
    }

    #[test]
    fn choosing_teaches_the_bot_nothing() {
        // A bot that chose 100 times and observed nothing still plays at random, as a
        // fresh bot with the same seed does, and has read no one.
        let mut chooser = Bot::new(rps(), 11);
        let mut fresh = Bot::new(rps(), 11);
        let chose: Vec<usize> = (0..100).map(|_| chooser.choose()).collect();
        let fresh_chose: Vec<usize> = (0..100).map(|_| fresh.choose()).collect();
        assert_eq!(chose, fresh_chose);
        assert!(
            (0..3).all(|m| chose.contains(&m)),
            "all three moves, at random"
        );
        assert_eq!(chooser.predictability(), None);
        // Only observe teaches: after rock ten times it plays paper.
        for _ in 0..10 {
            let theirs = chooser.choose();
            chooser.observe(0, theirs);
        }
        assert_eq!(chooser.choose(), 1);
        assert_eq!(chooser.predictability().map(|(_, games)| games), Some(10));
    }

    #[test]
    fn against_always_rock_it_soon_plays_paper() {
        let (rock, paper) = (0, 1);
        for (beats, counters) in [(rps(), [paper].as_slice()), (rpsls(), &[paper, 4])] {
            for seed in 0..10 {
                let mut bot = Bot::new(beats.clone(), seed);
                let history = play(&mut bot, 30, |_| rock);
                assert!(
                    history[5..].iter().all(|g| counters.contains(&g.1)),
                    "seed {seed}: {history:?}"
                );
            }
        }
    }

    #[test]
    fn against_a_fixed_cycle_it_wins_most_games_after_a_short_warm_up() {
        for beats in [rps(), rpsls()] {
            let moves = beats.moves();
            for seed in 0..10 {
                let mut bot = Bot::new(beats.clone(), seed);
                let history = play(&mut bot, 120, |seen| seen.len() % moves);
                let won = history[20..]
                    .iter()
                    .filter(|&&(p, b)| beats.beats(b, p))
                    .count();
                assert!(won >= 95, "{moves} moves, seed {seed}: won {won} of 100");
            }
        }
    }

    #[test]
    fn a_player_who_changes_their_ways_is_read_again_within_a_few_games() {
        // r p s for 200 games, then s p r: after ten games the bot wins again.
        for beats in [rps(), rpsls()] {
            let moves = beats.moves();
            for seed in 0..5 {
                let mut bot = Bot::new(beats.clone(), seed);
                let history = play(&mut bot, 300, |seen| {
                    let i = seen.len();
                    if i < 200 {
                        i % moves
                    } else {
                        moves - 1 - i % moves
                    }
                });
                let won = history[210..]
                    .iter()
                    .filter(|&&(p, b)| beats.beats(b, p))
                    .count();
                assert!(won >= 85, "{moves} moves, seed {seed}: won {won} of 90");
            }
        }
    }

    #[test]
    fn against_a_random_player_it_stays_near_half() {
        // 4,500 games are about 3,000 decided in rps, 3,600 in rpsls: one standard
        // deviation of the share is under 1%, so 42-58% never fails by chance, and a bot
        // that saw the pending move, or lost to randomness, would fall outside.
        for beats in [rps(), rpsls()] {
            let moves = beats.moves();
            for seed in [1, 2] {
                let mut bot = Bot::new(beats.clone(), seed);
                let mut dice = Dice::seeded(1000 + seed);
                let history = play(&mut bot, 4500, |_| dice.roll(moves));
                let share = bot_share(&beats, &history);
                assert!(
                    (0.42..=0.58).contains(&share),
                    "{moves} moves, seed {seed}: {share:.3}"
                );
            }
        }
    }

    #[test]
    fn remembered_games_train_the_bot_but_do_not_count_as_this_match() {
        let mut bot = Bot::new(rps(), 4);
        let earlier: Vec<(usize, usize)> = (0..30).map(|i| (i % 3, (i + 1) % 3)).collect();
        bot.remember(&earlier);
        assert_eq!(bot.predictability(), None);
        // The cycle goes on where the earlier match left it: r p s ... next is r (30 % 3).
        let history = play(&mut bot, 9, |seen| (30 + seen.len()) % 3);
        let beats = rps();
        assert!(
            history.iter().all(|&(p, b)| beats.beats(b, p)),
            "{history:?}"
        );
        assert_eq!(bot.predictability(), Some((9, 9)));
    }

    #[test]
    fn a_watching_bot_learns_from_the_other_players_moves() {
        // The bot watches a match it does not play: observe only, never choose.
        let mut bot = Bot::new(rps(), 8);
        for i in 0..60 {
            bot.observe(i % 3, 0);
        }
        let (called, games) = bot.predictability().unwrap();
        assert_eq!(games, 60);
        assert!(called >= 50, "a cycle is predictable: called {called}");
    }
}
