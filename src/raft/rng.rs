//! The model's one source of chance: SplitMix64 (Steele, Lea and Flood, 2014), kept as a plain
//! `u64` inside the cluster's state, so a clone, an undo or a replay draws the same numbers.
//! A library generator would do the drawing as well, but none is `Hash`, and the explorer
//! hashes whole clusters.

/// A seeded pseudo-random generator whose whole state is one `u64`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    /// A generator starting from `seed`.
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number drawn uniformly from `min..=max` (`min` when `max <= min`). Lemire's
    /// multiply-and-shift: the bias is below span / 2^64, far under anything measured here.
    pub fn between(&mut self, min: u64, max: u64) -> u64 {
        if max <= min {
            return min;
        }
        let span = u128::from(max - min) + 1;
        min + ((u128::from(self.next_u64()) * span) >> 64) as u64
    }

    /// A seed for a separate stream (one trial of a simulation, say), derived from this seed
    /// and `index` so that streams do not overlap in practice.
    pub fn derive(seed: u64, index: u64) -> u64 {
        let mut mix = SplitMix64(seed ^ index.wrapping_mul(0xD1B5_4A32_D192_ED03));
        mix.next_u64()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_draws_the_same_numbers() {
        let mut a = SplitMix64::new(42);
        let mut b = SplitMix64::new(42);
        let drawn: Vec<u64> = (0..5).map(|_| a.next_u64()).collect();
        assert_eq!(drawn, (0..5).map(|_| b.next_u64()).collect::<Vec<_>>());
        let mut c = SplitMix64::new(43);
        assert_ne!(drawn[0], c.next_u64());
    }

    #[test]
    fn the_reference_sequence_for_seed_zero() {
        // The first outputs of SplitMix64 from 0, as its authors' reference code gives them.
        let mut rng = SplitMix64::new(0);
        assert_eq!(rng.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(rng.next_u64(), 0x6E78_9E6A_A1B9_65F4);
    }

    #[test]
    fn between_stays_inside_and_reaches_both_ends() {
        let mut rng = SplitMix64::new(7);
        let mut seen = [false; 4];
        for _ in 0..1000 {
            let x = rng.between(10, 13);
            assert!((10..=13).contains(&x));
            seen[(x - 10) as usize] = true;
        }
        assert_eq!(seen, [true; 4]);
        assert_eq!(rng.between(5, 5), 5);
        assert_eq!(rng.between(9, 3), 9);
    }
}
