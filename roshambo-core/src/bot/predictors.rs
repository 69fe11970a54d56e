//! What the house bot remembers of one player, in tables of fixed size, and the
//! predictors that read the player's next move from it. Pure: no clock, no IO.

use super::{Beats, MAX_MOVES};
use std::collections::VecDeque;

/// Games in the recent window (the recent-frequency predictor, and the contexts).
pub const RECENT: usize = 20;
/// The longest context the Markov predictors read: the orders 1 to 4.
pub const MAX_ORDER: usize = 4;
/// Contexts a table holds at most; a table that would need more is hashed into this
/// many slots. A power of two.
pub const SLOTS: usize = 4096;
/// A context's counts are halved when one reaches this: old habits fade, so a player
/// who changes their ways is read again within a few games, and a count never overflows.
const FADE_AT: u8 = 16;

/// One way of guessing the player's next move.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Predictor {
    /// The player's most common move over every game seen.
    Favourite,
    /// The player's most common move over the last [`RECENT`] games.
    RecentFavourite,
    /// What most often followed the player's last `order` moves.
    Markov { order: usize },
    /// What most often followed the last `order` games, both players' moves.
    PairMarkov { order: usize },
    /// After a win the same move; after a loss the move that beat them (in
    /// rock-paper-scissors, the next one along r, p, s); after a tie the same.
    WinStayLoseShift,
    /// The move that beats the opponent's most common move: a player who reads the bot.
    BeatsOpponentsFavourite,
}

/// Every predictor the bot runs, in the order its strategies are scored and ties broken.
pub const PREDICTORS: [Predictor; 12] = [
    Predictor::Favourite,
    Predictor::RecentFavourite,
    Predictor::Markov { order: 1 },
    Predictor::Markov { order: 2 },
    Predictor::Markov { order: 3 },
    Predictor::Markov { order: 4 },
    Predictor::PairMarkov { order: 1 },
    Predictor::PairMarkov { order: 2 },
    Predictor::PairMarkov { order: 3 },
    Predictor::PairMarkov { order: 4 },
    Predictor::WinStayLoseShift,
    Predictor::BeatsOpponentsFavourite,
];

/// What the bot remembers of one player: bounded whatever the length of the match.
///
/// There is no history vector: whole-history figures are counts, the recent window is a
/// ring of [`RECENT`] games, and the Markov tables have at most [`SLOTS`] contexts each.
/// For five moves the player's order-4 table needs 5^4 = 625 contexts, but the pair
/// table of order 3 needs 25^3 = 15,625 and of order 4 25^4 = 390,625: those are
/// hashed into [`SLOTS`] slots, each tagged with its full context, so a collision
/// forgets the older context's counts and never reads another context's as its own.
/// A 1,000-game match visits at most 1,000 contexts, so little is forgotten; the whole
/// memory is about 110 KB.
#[derive(Clone, Debug)]
pub struct Memory {
    moves: usize,
    played: [u64; MAX_MOVES],
    opponent_played: [u64; MAX_MOVES],
    /// The last [`RECENT`] games, oldest first: (player's move, opponent's move).
    recent: VecDeque<(usize, usize)>,
    recent_played: [u32; MAX_MOVES],
    /// `markov[k - 1]`: what followed the player's last k moves.
    markov: Vec<Follows>,
    /// `pair_markov[k - 1]`: what followed the last k games.
    pair_markov: Vec<Follows>,
}

impl Memory {
    /// An empty memory for a game of `moves` moves.
    pub fn new(moves: usize) -> Memory {
        let contexts = |per_game: usize, order: usize| per_game.pow(order as u32);
        Memory {
            moves,
            played: [0; MAX_MOVES],
            opponent_played: [0; MAX_MOVES],
            recent: VecDeque::with_capacity(RECENT),
            recent_played: [0; MAX_MOVES],
            markov: (1..=MAX_ORDER)
                .map(|k| Follows::new(contexts(moves, k)))
                .collect(),
            pair_markov: (1..=MAX_ORDER)
                .map(|k| Follows::new(contexts(moves * moves, k)))
                .collect(),
        }
    }

    /// Each predictor's guess at the player's next move, in [`PREDICTORS`] order; `None`
    /// where it has nothing to go on yet.
    pub fn predict(&self, beats: &Beats) -> [Option<usize>; PREDICTORS.len()] {
        PREDICTORS.map(|predictor| match predictor {
            Predictor::Favourite => most_common(&self.played),
            Predictor::RecentFavourite => most_common(&self.recent_played),
            Predictor::Markov { order } => self
                .player_context(order)
                .and_then(|context| self.markov[order - 1].predict(context)),
            Predictor::PairMarkov { order } => self
                .pair_context(order)
                .and_then(|context| self.pair_markov[order - 1].predict(context)),
            Predictor::WinStayLoseShift => self.recent.back().map(|&(player, opponent)| {
                if beats.beats(opponent, player) {
                    opponent
                } else {
                    player
                }
            }),
            Predictor::BeatsOpponentsFavourite => {
                most_common(&self.opponent_played).map(|favourite| beats.counter(favourite))
            }
        })
    }

    /// Learns one game: the player's move and their opponent's.
    pub fn learn(&mut self, player: usize, opponent: usize) {
        assert!(
            player < self.moves && opponent < self.moves,
            "a move is an index below {}: got ({player}, {opponent})",
            self.moves
        );
        // The contexts are those that preceded this game.
        for order in 1..=MAX_ORDER {
            if let Some(context) = self.player_context(order) {
                self.markov[order - 1].learn(context, player);
            }
            if let Some(context) = self.pair_context(order) {
                self.pair_markov[order - 1].learn(context, player);
            }
        }
        self.played[player] += 1;
        self.opponent_played[opponent] += 1;
        if self.recent.len() == RECENT {
            if let Some((gone, _)) = self.recent.pop_front() {
                self.recent_played[gone] -= 1;
            }
        }
        self.recent.push_back((player, opponent));
        self.recent_played[player] += 1;
    }

    /// The last game, if any: (player's move, opponent's move).
    pub fn last(&self) -> Option<(usize, usize)> {
        self.recent.back().copied()
    }

    /// The player's last `order` moves as one number, base `moves`.
    fn player_context(&self, order: usize) -> Option<u32> {
        self.context(order, self.moves, |(player, _)| player)
    }

    /// The last `order` games as one number, base `moves`².
    fn pair_context(&self, order: usize) -> Option<u32> {
        let moves = self.moves;
        self.context(order, moves * moves, |(player, opponent)| {
            player * moves + opponent
        })
    }

    fn context(
        &self,
        order: usize,
        base: usize,
        digit: impl Fn((usize, usize)) -> usize,
    ) -> Option<u32> {
        let len = self.recent.len();
        if len < order {
            return None;
        }
        let key = self
            .recent
            .range(len - order..)
            .fold(0, |key, &game| key * base + digit(game));
        // At most 25^4 = 390,625: fits.
        Some(key as u32)
    }
}

/// The most common move in `counts`, the lowest index on a tie; `None` if all are 0.
fn most_common<T: Copy + Ord + Default>(counts: &[T; MAX_MOVES]) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (i, &count) in counts.iter().enumerate() {
        if count > T::default() && best.is_none_or(|b| count > counts[b]) {
            best = Some(i);
        }
    }
    best
}

/// What followed each context: per context, a count of each next move.
#[derive(Clone, Debug)]
struct Follows {
    slots: Vec<Slot>,
    hashed: bool,
}

#[derive(Clone, Copy, Debug)]
struct Slot {
    /// The context whose counts these are, or [`EMPTY`].
    context: u32,
    counts: [u8; MAX_MOVES],
}

const EMPTY: u32 = u32::MAX;

impl Follows {
    fn new(contexts: usize) -> Follows {
        let empty = Slot {
            context: EMPTY,
            counts: [0; MAX_MOVES],
        };
        Follows {
            slots: vec![empty; contexts.min(SLOTS)],
            hashed: contexts > SLOTS,
        }
    }

    fn slot(&self, context: u32) -> usize {
        if self.hashed {
            // Fibonacci hashing: the top bits of the product, log2(SLOTS) of them.
            (context.wrapping_mul(0x9e37_79b1) >> (32 - SLOTS.trailing_zeros())) as usize
        } else {
            context as usize
        }
    }

    fn predict(&self, context: u32) -> Option<usize> {
        let slot = &self.slots[self.slot(context)];
        if slot.context == context {
            most_common(&slot.counts)
        } else {
            None
        }
    }

    fn learn(&mut self, context: u32, next: usize) {
        let i = self.slot(context);
        let slot = &mut self.slots[i];
        if slot.context != context {
            slot.context = context;
            slot.counts = [0; MAX_MOVES];
        }
        slot.counts[next] += 1;
        if slot.counts[next] >= FADE_AT {
            for count in &mut slot.counts {
                *count /= 2;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bot::tests::{rps, rpsls};

    /// Games: (player's move, opponent's move).
    type Games = [(usize, usize)];

    fn after(moves: usize, games: &[(usize, usize)]) -> Memory {
        let mut memory = Memory::new(moves);
        for &(player, opponent) in games {
            memory.learn(player, opponent);
        }
        memory
    }

    fn guess(memory: &Memory, beats: &Beats, predictor: Predictor) -> Option<usize> {
        let i = PREDICTORS.iter().position(|&p| p == predictor).unwrap();
        memory.predict(beats)[i]
    }

    #[test]
    fn an_empty_memory_guesses_nothing() {
        let beats = rps();
        assert_eq!(Memory::new(3).predict(&beats), [None; PREDICTORS.len()]);
    }

    #[test]
    fn each_predictor_reads_its_pattern() {
        use Predictor::*;
        let (r, p, s) = (0, 1, 2);
        let cases: &[(&str, &Games, Predictor, Option<usize>)] = &[
            ("favourite", &[(r, p), (s, p), (r, s)], Favourite, Some(r)),
            (
                "favourite tie: lowest",
                &[(s, r), (p, r)],
                Favourite,
                Some(p),
            ),
            (
                "recent",
                &[(r, r), (r, r), (p, r)],
                RecentFavourite,
                Some(r),
            ),
            (
                "markov 1",
                &[(r, r), (p, r), (r, r)],
                Markov { order: 1 },
                Some(p),
            ),
            (
                "markov 1 unseen",
                &[(r, r), (p, r)],
                Markov { order: 1 },
                None,
            ),
            (
                "markov 2",
                &[(r, r), (s, r), (p, r), (r, r), (s, r)],
                Markov { order: 2 },
                Some(p),
            ),
            (
                "markov 4 short",
                &[(r, r), (s, r), (p, r)],
                Markov { order: 4 },
                None,
            ),
            (
                "pair 1",
                &[(r, s), (p, s), (r, s)],
                PairMarkov { order: 1 },
                Some(p),
            ),
            (
                "pair 1 other",
                &[(r, s), (p, s), (r, p)],
                PairMarkov { order: 1 },
                None,
            ),
            ("won: stay", &[(r, s)], WinStayLoseShift, Some(r)),
            (
                "lost: the winner's move",
                &[(r, p)],
                WinStayLoseShift,
                Some(p),
            ),
            ("tie: stay", &[(s, s)], WinStayLoseShift, Some(s)),
            (
                "beats opponent's",
                &[(r, s), (r, s), (r, p)],
                BeatsOpponentsFavourite,
                Some(r),
            ),
        ];
        let beats = rps();
        for (name, games, predictor, expected) in cases {
            let memory = after(3, games);
            assert_eq!(guess(&memory, &beats, *predictor), *expected, "{name}");
        }
    }

    #[test]
    fn the_recent_window_forgets_older_games() {
        let beats = rps();
        let mut games = vec![(0, 0); 30];
        games.extend([(2, 0); RECENT / 2 + 1]);
        let memory = after(3, &games);
        assert_eq!(guess(&memory, &beats, Predictor::Favourite), Some(0));
        assert_eq!(guess(&memory, &beats, Predictor::RecentFavourite), Some(2));
    }

    #[test]
    fn old_habits_fade_within_a_few_games() {
        // 100 times p after r, then s after r: the faded counts let s lead after 13.
        let beats = rps();
        let mut games = Vec::new();
        for _ in 0..100 {
            games.extend([(0, 0), (1, 0)]);
        }
        for _ in 0..13 {
            games.extend([(0, 0), (2, 0)]);
        }
        games.push((0, 0));
        let memory = after(3, &games);
        assert_eq!(
            guess(&memory, &beats, Predictor::Markov { order: 1 }),
            Some(2)
        );
    }

    #[test]
    fn the_tables_stay_bounded_and_a_long_match_keeps_its_recent_contexts() {
        // Every one of rpsls's pair contexts of order 4 would be 390,625 slots.
        let beats = rpsls();
        let mut memory = Memory::new(5);
        let mut x = 1u64;
        for _ in 0..50_000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            memory.learn((x >> 33) as usize % 5, (x >> 45) as usize % 5);
        }
        assert!(memory.pair_markov.iter().all(|t| t.slots.len() <= SLOTS));
        assert_eq!(memory.recent.len(), RECENT);
        // A pattern repeated now is read at order 4 despite the crowded table.
        for _ in 0..3 {
            for game in [(0, 1), (2, 3), (4, 0), (1, 1), (3, 2)] {
                memory.learn(game.0, game.1);
            }
        }
        memory.learn(0, 1);
        memory.learn(2, 3);
        memory.learn(4, 0);
        memory.learn(1, 1);
        let order4 = Predictor::PairMarkov { order: 4 };
        assert_eq!(guess(&memory, &beats, order4), Some(3));
    }
}
