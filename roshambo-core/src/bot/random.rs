//! The bot's dice: a small seeded random source (SplitMix64), so that the same seed
//! replays the same match. Pure: no clock, no IO, no entropy from the system.

/// A seeded source of random moves: every seed, zero included, gives a good stream.
///
/// SplitMix64 (Steele, Lea and Flood, 2014): one add and three multiply-xorshifts a
/// draw, 8 bytes of state, and it passes BigCrush; more than a bot's coin needs, and
/// no dependency.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dice {
    state: u64,
}

impl Dice {
    /// Dice that replay the same rolls for the same seed.
    pub fn seeded(seed: u64) -> Dice {
        Dice { state: seed }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..sides`, each equally likely (to within 2^-64: the high half of a
    /// 64 × 64-bit product, Lemire's way, with no division).
    pub fn roll(&mut self, sides: usize) -> usize {
        assert!(sides > 0, "a die needs a side");
        ((u128::from(self.next_u64()) * sides as u128) >> 64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_rolls_the_same_and_another_seed_does_not() {
        let rolls = |seed| {
            let mut dice = Dice::seeded(seed);
            (0..32).map(|_| dice.roll(5)).collect::<Vec<_>>()
        };
        assert_eq!(rolls(7), rolls(7));
        assert_ne!(rolls(7), rolls(8));
        assert_ne!(rolls(0), rolls(1), "seed 0 is as good as any");
    }

    #[test]
    fn the_first_draw_of_seed_zero_is_splitmix64s() {
        // The reference output of SplitMix64 seeded with 0.
        assert_eq!(Dice::seeded(0).next_u64(), 0xe220_a839_7b1d_cdaf);
    }

    #[test]
    fn every_side_comes_up_about_as_often() {
        for sides in [2, 3, 5] {
            let mut dice = Dice::seeded(42);
            let mut counts = [0u32; 5];
            let rolls = 30_000;
            for _ in 0..rolls {
                counts[dice.roll(sides)] += 1;
            }
            let expected = rolls as f64 / sides as f64;
            for (side, &count) in counts.iter().enumerate().take(sides) {
                let off = (count as f64 - expected).abs() / expected;
                assert!(off < 0.05, "{sides} sides: side {side} came {count} times");
            }
            assert!(counts[sides..].iter().all(|&c| c == 0));
        }
    }
}
