//! Seeded randomness: the only source of random choices in the crate.
//!
//! The engine's rule is that nothing is random unless a seed says so, so that every run of a
//! benchmark, a simulation or a test can be replayed exactly. This module owns the two small
//! generators that make that possible:
//!
//! - [`SplitMix64`], the generator of Steele, Lea and Flood ("Fast splittable pseudorandom
//!   number generators", OOPSLA 2014), in the form Vigna publishes for seeding other
//!   generators. Its output function, [`SplitMix64::mix`], is a bijection on `u64` and doubles
//!   as a cheap, high-quality hash of an integer.
//! - [`Rng`], Blackman and Vigna's xoshiro256++ ("Scrambled linear pseudorandom number
//!   generators", ACM TOMS 47(4), 2021; reference code at <https://prng.di.unimi.it/>),
//!   seeded from a single `u64` by running [`SplitMix64`] four times, as its authors
//!   recommend.
//!
//! On top of the raw stream, [`Rng::below`] draws an unbiased integer in `0..bound` with
//! Lemire's multiply-shift method and its rejection step ("Fast random integer generation in
//! an interval", ACM TOMACS 29(1), 2019), [`Rng::unit_f64`] draws a float in `[0, 1)` from
//! the top 53 bits, and [`Rng::shuffle`] is the Fisher–Yates shuffle (Durstenfeld's in-place
//! form, Knuth TAOCP vol. 2, Algorithm P).
//!
//! None of this is cryptographic: a seed is for replaying a run, not for keeping a secret.
//!
//! # Example
//! ```
//! use fairbook_lab::rng::Rng;
//!
//! let mut first = Rng::new(2021);
//! let mut second = Rng::new(2021);
//! assert_eq!(first.next_u64(), second.next_u64());
//!
//! let die_roll = first.below(6);
//! assert!(die_roll < 6);
//!
//! let mut order = [1, 2, 3, 4, 5];
//! first.shuffle(&mut order);
//! order.sort_unstable();
//! assert_eq!(order, [1, 2, 3, 4, 5]);
//! ```

/// The SplitMix64 generator: a 64-bit counter advanced by the golden-ratio gamma and passed
/// through a bijective mixing function.
///
/// It is used here to expand one `u64` seed into the 256-bit state of [`Rng`], and, through
/// [`SplitMix64::mix`], to turn indices into random-looking but distinct identifiers. It
/// passes BigCrush on its own, but its 64-bit state makes it a poor choice for long streams;
/// use [`Rng`] for those.
///
/// # Example
/// ```
/// use fairbook_lab::rng::SplitMix64;
///
/// let mut seeder = SplitMix64::new(0);
/// assert_eq!(seeder.next_u64(), 0xE220_A839_7B1D_CDAF);
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SplitMix64 {
    state: u64,
}

impl SplitMix64 {
    /// The increment added to the state at every step: 2^64 divided by the golden ratio,
    /// rounded to an odd number, so that the counter visits every `u64` before repeating.
    pub const GOLDEN_GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

    /// A generator whose first output is `mix(seed + GOLDEN_GAMMA)`.
    pub const fn new(seed: u64) -> SplitMix64 {
        SplitMix64 { state: seed }
    }

    /// The next output.
    pub fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(Self::GOLDEN_GAMMA);
        Self::mix(self.state)
    }

    /// The SplitMix64 output function (Stafford's "Mix13" variant of the MurmurHash3
    /// finaliser): a bijection on `u64` with strong avalanche.
    ///
    /// Because it is a bijection, distinct inputs always give distinct outputs, which is what
    /// makes it suitable for turning dense indices into scattered but unique identifiers.
    ///
    /// # Example
    /// ```
    /// use fairbook_lab::rng::SplitMix64;
    ///
    /// assert_ne!(SplitMix64::mix(1), SplitMix64::mix(2));
    /// assert_eq!(SplitMix64::mix(0), 0);
    /// ```
    pub const fn mix(value: u64) -> u64 {
        let mut mixed = value;
        mixed = (mixed ^ (mixed >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        mixed = (mixed ^ (mixed >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        mixed ^ (mixed >> 31)
    }
}

/// The xoshiro256++ generator: 256 bits of state, period 2^256 − 1, fast and statistically
/// strong for simulation.
///
/// Seed it with [`Rng::new`]. Cloning an `Rng` clones its position in the stream, so a clone
/// replays exactly what the original would have produced.
///
/// # Example
/// ```
/// use fairbook_lab::rng::Rng;
///
/// let mut rng = Rng::new(7);
/// let probability = rng.unit_f64();
/// assert!((0.0..1.0).contains(&probability));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rng {
    state: [u64; 4],
}

impl Rng {
    /// A generator seeded from `seed` through [`SplitMix64`].
    ///
    /// Four consecutive SplitMix64 outputs are distinct (its output function is a bijection
    /// of a counter that never repeats within four steps), so at most one of them is zero and
    /// the state is never the all-zero state that xoshiro cannot leave.
    pub fn new(seed: u64) -> Rng {
        let mut seeder = SplitMix64::new(seed);
        Rng {
            state: [
                seeder.next_u64(),
                seeder.next_u64(),
                seeder.next_u64(),
                seeder.next_u64(),
            ],
        }
    }

    /// A generator started from a raw xoshiro256++ state, so that tests can compare against
    /// the reference implementation's published vectors.
    #[cfg(test)]
    fn from_state(state: [u64; 4]) -> Rng {
        Rng { state }
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let [s0, s1, s2, s3] = &mut self.state;
        let output = s0.wrapping_add(*s3).rotate_left(23).wrapping_add(*s0);
        let shifted = *s1 << 17;
        *s2 ^= *s0;
        *s3 ^= *s1;
        *s1 ^= *s2;
        *s0 ^= *s3;
        *s2 ^= shifted;
        *s3 = s3.rotate_left(45);
        output
    }

    /// A uniformly distributed integer in `0..bound`, without modulo bias.
    ///
    /// Lemire's method multiplies a random `u64` by `bound` and keeps the high 64 bits; the
    /// low 64 bits tell whether the draw fell in the small biased zone, which is then redrawn.
    /// Rejection happens with probability below `bound / 2^64`, so it almost never costs a
    /// division.
    ///
    /// # Panics
    /// Panics if `bound` is 0, since `0..0` has no element to return.
    ///
    /// # Example
    /// ```
    /// use fairbook_lab::rng::Rng;
    ///
    /// let mut rng = Rng::new(1);
    /// assert!((0..10).all(|_| rng.below(3) < 3));
    /// ```
    pub fn below(&mut self, bound: u64) -> u64 {
        assert!(bound > 0, "Rng::below needs a bound of at least 1");
        let mut product = u128::from(self.next_u64()) * u128::from(bound);
        let mut low_bits = product as u64;
        if low_bits < bound {
            // `2^64 mod bound`: the number of low values that would make some results one
            // draw more likely than others.
            let biased_zone = bound.wrapping_neg() % bound;
            while low_bits < biased_zone {
                product = u128::from(self.next_u64()) * u128::from(bound);
                low_bits = product as u64;
            }
        }
        (product >> 64) as u64
    }

    /// A uniformly distributed float in `[0, 1)`, with 53 random bits (every representable
    /// multiple of 2^−53 in that range is equally likely).
    pub fn unit_f64(&mut self) -> f64 {
        const TWO_TO_MINUS_53: f64 = 1.0 / (1u64 << 53) as f64;
        (self.next_u64() >> 11) as f64 * TWO_TO_MINUS_53
    }

    /// `true` with probability `probability` (clamped to `[0, 1]`).
    ///
    /// # Example
    /// ```
    /// use fairbook_lab::rng::Rng;
    ///
    /// let mut rng = Rng::new(3);
    /// assert!(rng.chance(1.0));
    /// assert!(!rng.chance(0.0));
    /// ```
    pub fn chance(&mut self, probability: f64) -> bool {
        self.unit_f64() < probability
    }

    /// Puts `items` in a uniformly random order (Fisher–Yates, from the last position down).
    ///
    /// # Example
    /// ```
    /// use fairbook_lab::rng::Rng;
    ///
    /// let mut deck: Vec<u32> = (0..52).collect();
    /// Rng::new(9).shuffle(&mut deck);
    /// assert_ne!(deck, (0..52).collect::<Vec<u32>>());
    /// ```
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for last in (1..items.len()).rev() {
            let other = self.below(last as u64 + 1) as usize;
            items.swap(last, other);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_matches_reference_outputs_for_seed_zero() {
        // Values of Vigna's splitmix64.c started from state 0.
        let mut seeder = SplitMix64::new(0);
        assert_eq!(seeder.next_u64(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(seeder.next_u64(), 0x6E78_9E6A_A1B9_65F4);
        assert_eq!(seeder.next_u64(), 0x06C4_5D18_8009_454F);
    }

    #[test]
    fn mix_is_injective_on_a_sample() {
        let mut outputs: Vec<u64> = (0..100_000u64).map(SplitMix64::mix).collect();
        outputs.sort_unstable();
        outputs.dedup();
        assert_eq!(outputs.len(), 100_000);
    }

    #[test]
    fn xoshiro_matches_reference_outputs_from_raw_state() {
        // Vigna's xoshiro256plusplus.c started from the state {1, 2, 3, 4}.
        let mut rng = Rng::from_state([1, 2, 3, 4]);
        let expected: [u64; 10] = [
            41_943_041,
            58_720_359,
            3_588_806_011_781_223,
            3_591_011_842_654_386,
            9_228_616_714_210_784_205,
            9_973_669_472_204_895_162,
            14_011_001_112_246_962_877,
            12_406_186_145_184_390_807,
            15_849_039_046_786_891_736,
            10_450_023_813_501_588_000,
        ];
        for value in expected {
            assert_eq!(rng.next_u64(), value);
        }
    }

    #[test]
    fn seeded_xoshiro_matches_reference_outputs() {
        // xoshiro256++ whose state is the first four SplitMix64 outputs of the seed, as in
        // the reference seeding procedure (and in other libraries that seed it the same way).
        let mut rng = Rng::new(1_234_567_890);
        assert_eq!(rng.next_u64(), 10_656_210_946_825_422_025);
        assert_eq!(rng.next_u64(), 3_029_598_875_750_717_312);
        assert_eq!(rng.next_u64(), 8_253_387_787_243_700_537);

        // The crate's reference seed, pinned so that a change to seeding shows up here before
        // it silently changes every generated workload.
        let mut rng = Rng::new(2021);
        assert_eq!(rng.next_u64(), 14_732_983_469_598_543_490);
        assert_eq!(rng.next_u64(), 12_980_839_666_477_012_161);
        assert_eq!(rng.next_u64(), 9_894_824_917_369_554_110);

        let mut rng = Rng::new(0);
        assert_eq!(rng.next_u64(), 5_987_356_902_031_041_503);
        assert_eq!(rng.next_u64(), 7_051_070_477_665_621_255);
        assert_eq!(rng.next_u64(), 6_633_766_593_972_829_180);
    }

    #[test]
    fn same_seed_same_stream_and_different_seed_different_stream() {
        let mut first = Rng::new(2021);
        let mut second = Rng::new(2021);
        let mut other = Rng::new(2022);
        let first_values: Vec<u64> = (0..1_000).map(|_| first.next_u64()).collect();
        let second_values: Vec<u64> = (0..1_000).map(|_| second.next_u64()).collect();
        let other_values: Vec<u64> = (0..1_000).map(|_| other.next_u64()).collect();
        assert_eq!(first_values, second_values);
        assert_ne!(first_values, other_values);
    }

    #[test]
    fn clone_replays_the_stream() {
        let mut original = Rng::new(5);
        original.next_u64();
        let mut copy = original.clone();
        assert_eq!(original.next_u64(), copy.next_u64());
    }

    #[test]
    fn below_stays_in_range_for_awkward_bounds() {
        let mut rng = Rng::new(11);
        for bound in [1, 2, 3, 7, 1_000, (1 << 63) + 1, u64::MAX] {
            for _ in 0..1_000 {
                assert!(rng.below(bound) < bound);
            }
        }
        assert!((0..100).all(|_| rng.below(1) == 0));
    }

    #[test]
    #[should_panic(expected = "bound of at least 1")]
    fn below_zero_panics() {
        Rng::new(0).below(0);
    }

    #[test]
    fn below_is_roughly_uniform() {
        // Chi-square with 9 degrees of freedom: the 99.99th percentile is about 33.7, and the
        // seed is fixed, so a bound of 40 can only fail if the method itself is biased.
        const BUCKETS: u64 = 10;
        const DRAWS: u64 = 1_000_000;
        let mut rng = Rng::new(2021);
        let mut counts = [0u64; BUCKETS as usize];
        for _ in 0..DRAWS {
            counts[rng.below(BUCKETS) as usize] += 1;
        }
        let expected = (DRAWS / BUCKETS) as f64;
        let chi_square: f64 = counts
            .iter()
            .map(|&count| {
                let difference = count as f64 - expected;
                difference * difference / expected
            })
            .sum();
        assert!(
            chi_square < 40.0,
            "chi-square {chi_square}, counts {counts:?}"
        );
    }

    #[test]
    fn below_with_a_huge_bound_rejects_the_biased_zone() {
        // With bound = 3 * 2^62, a plain modulo would return values below 2^62 half of the
        // time instead of a third, and multiply-shift without its rejection step would return
        // multiples of 3 half of the time instead of a third. Both shares must be a third.
        let bound = 3u64 << 62;
        let mut rng = Rng::new(99);
        let draws: Vec<u64> = (0..300_000).map(|_| rng.below(bound)).collect();
        let low_share = draws.iter().filter(|&&value| value < 1 << 62).count() as f64 / 300_000.0;
        let multiple_of_three_share =
            draws.iter().filter(|&&value| value % 3 == 0).count() as f64 / 300_000.0;
        assert!(
            (low_share - 1.0 / 3.0).abs() < 0.01,
            "low share {low_share}"
        );
        assert!(
            (multiple_of_three_share - 1.0 / 3.0).abs() < 0.01,
            "multiple-of-three share {multiple_of_three_share}"
        );
    }

    #[test]
    fn unit_f64_is_in_range_and_centred() {
        let mut rng = Rng::new(4);
        let mut total = 0.0;
        for _ in 0..100_000 {
            let value = rng.unit_f64();
            assert!((0.0..1.0).contains(&value));
            total += value;
        }
        let mean = total / 100_000.0;
        assert!((mean - 0.5).abs() < 0.01, "mean {mean}");
    }

    #[test]
    fn chance_respects_its_probability() {
        let mut rng = Rng::new(8);
        let hits = (0..100_000).filter(|_| rng.chance(0.3)).count();
        assert!((29_000..31_000).contains(&hits), "hits {hits}");
    }

    #[test]
    fn shuffle_is_a_permutation_and_moves_things() {
        let mut rng = Rng::new(12);
        let mut items: Vec<u32> = (0..10_000).collect();
        rng.shuffle(&mut items);
        assert_ne!(items, (0..10_000).collect::<Vec<u32>>());
        items.sort_unstable();
        assert_eq!(items, (0..10_000).collect::<Vec<u32>>());

        let mut empty: [u8; 0] = [];
        rng.shuffle(&mut empty);
        let mut single = [42];
        rng.shuffle(&mut single);
        assert_eq!(single, [42]);
    }

    #[test]
    fn shuffle_puts_each_item_first_about_equally_often() {
        let mut rng = Rng::new(13);
        let mut first_counts = [0u32; 4];
        for _ in 0..40_000 {
            let mut items = [0usize, 1, 2, 3];
            rng.shuffle(&mut items);
            first_counts[items[0]] += 1;
        }
        assert!(
            first_counts
                .iter()
                .all(|&count| (9_500..10_500).contains(&count)),
            "{first_counts:?}"
        );
    }
}
