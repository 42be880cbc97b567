//! A histogram of numbers seen one at a time, with no range known first —
//! what a grouping over parts read in turn (`part_groups`) keeps per group,
//! since it can neither make a second pass nor keep the values.
//!
//! At most `BINS` bins of one power-of-two width `w`, each starting at a
//! multiple of `w`. A value outside them widens the bins to `w·2^m` (the
//! smallest `m` that fits every value so far): each old bin lies inside one
//! new bin, so counts move over exactly and no value is ever counted in a bin
//! whose range does not hold it. Each widening comes from values more than
//! `(BINS - 1)·w` apart, so the width stays under `2·(max - min)/(BINS - 1)`:
//! the bins in use cover at most `1 + 4/(BINS - 1)` times the values' range.
//!
//! Bin positions are kept as whole multiples of the width in `f64`, exact
//! while below 2^53: the width is never below `|x|/2^52` for any value seen,
//! so positions stay exact (and bins are never narrower than the gap between
//! adjacent floats).

/// The most bins a histogram holds.
pub const BINS: usize = 16;

/// The smallest width relative to the largest magnitude seen (2^-52).
const MIN_RELATIVE_WIDTH: f64 = f64::EPSILON;

#[derive(Debug, Clone, Default)]
pub struct GrowingHistogram {
    state: State,
}

#[derive(Debug, Clone, Default)]
enum State {
    #[default]
    Empty,
    /// One distinct value so far: there is no range to choose a width from.
    Single {
        value: f64,
        count: u64,
    },
    Binned(Bins),
}

#[derive(Debug, Clone)]
struct Bins {
    /// A power of two.
    width: f64,
    /// Bin 0 starts at `start · width`; `start` is a whole number.
    start: f64,
    counts: [u64; BINS],
}

/// Edges (`counts.len() + 1`, ascending) and counts of the bins from the
/// first to the last one holding a value.
#[derive(Debug, Clone, PartialEq)]
pub struct HistogramBins {
    pub edges: Vec<f64>,
    pub counts: Vec<u64>,
}

impl GrowingHistogram {
    /// Counts `x`; NaN and infinities are not numbers to bin and are skipped.
    pub fn add(&mut self, x: f64) {
        if !x.is_finite() {
            return;
        }
        match &mut self.state {
            State::Empty => self.state = State::Single { value: x, count: 1 },
            State::Single { value, count } if *value == x => *count += 1,
            State::Single { value, count } => {
                let (lo, hi) = (value.min(x), value.max(x));
                let mut bins = Bins::at(*value, *count, (hi - lo) / BINS as f64);
                bins.add(x);
                self.state = State::Binned(bins);
            }
            State::Binned(bins) => bins.add(x),
        }
    }

    /// How many values were counted.
    pub fn total(&self) -> u64 {
        match &self.state {
            State::Empty => 0,
            State::Single { count, .. } => *count,
            State::Binned(bins) => bins.counts.iter().sum(),
        }
    }

    /// The bins holding values (one bin `[v, v]` when every value was `v`);
    /// `None` before any value.
    pub fn bins(&self) -> Option<HistogramBins> {
        match &self.state {
            State::Empty => None,
            State::Single { value, count } => Some(HistogramBins {
                edges: vec![*value, *value],
                counts: vec![*count],
            }),
            State::Binned(bins) => Some(bins.used()),
        }
    }
}

impl Bins {
    /// Bins of at least `min_width` (and at least the width `value` needs)
    /// with `count` values of `value`.
    fn at(value: f64, count: u64, min_width: f64) -> Bins {
        let width = power_of_two_at_least(min_width.max(value.abs() * MIN_RELATIVE_WIDTH));
        let mut counts = [0; BINS];
        counts[0] = count;
        Bins {
            width,
            start: (value / width).floor(),
            counts,
        }
    }

    fn add(&mut self, x: f64) {
        if !(0.0..BINS as f64).contains(&self.slot(x)) {
            // `None` only for values near ±f64::MAX, whose width would pass
            // the largest float: they go to the nearest end bin (still counted).
            if let Some((factor, start)) = self.fit(x) {
                self.rebin(factor, start);
            }
        }
        self.counts[clamp_slot(self.slot(x))] += 1;
    }

    /// `x`'s bin, counted from bin 0 (a whole number; may be outside the bins).
    fn slot(&self, x: f64) -> f64 {
        (x / self.width).floor() - self.start
    }

    /// The first and last bins holding values.
    fn used_range(&self) -> (usize, usize) {
        let first = self.counts.iter().position(|&c| c > 0).unwrap_or(0);
        let last = self.counts.iter().rposition(|&c| c > 0).unwrap_or(first);
        (first, last)
    }

    /// The smallest power-of-two factor (1: the same width, bins shifted) the
    /// width must grow by for the bins in use and `x` to fit in `BINS` bins
    /// (and for `x`'s position to stay exact), with where the bins then start
    /// (in the new width); `None` if that width is not a finite float.
    fn fit(&self, x: f64) -> Option<(f64, f64)> {
        let (first, last) = self.used_range();
        let low = self.start + first as f64;
        let high = self.start + last as f64;
        let need = x.abs() * MIN_RELATIVE_WIDTH;
        let mut factor = 1.0;
        loop {
            let width = self.width * factor;
            if !width.is_finite() {
                return None;
            }
            let at = (x / width).floor();
            let lo = at.min((low / factor).floor());
            let hi = at.max((high / factor).floor());
            if hi - lo < BINS as f64 && width >= need {
                return Some((factor, lo));
            }
            factor *= 2.0;
        }
    }

    /// Moves every bin's count into the bin of `factor` times the width that
    /// holds it, the bins starting at `start` (in the new width; from `fit`).
    fn rebin(&mut self, factor: f64, start: f64) {
        let width = self.width * factor;
        let mut counts = [0; BINS];
        for (i, &c) in self.counts.iter().enumerate().filter(|(_, c)| **c > 0) {
            let to = ((self.start + i as f64) / factor).floor() - start;
            counts[clamp_slot(to)] += c;
        }
        *self = Bins {
            width,
            start,
            counts,
        };
    }

    fn used(&self) -> HistogramBins {
        let (first, last) = self.used_range();
        HistogramBins {
            edges: (first..=last + 1)
                .map(|i| (self.start + i as f64) * self.width)
                .collect(),
            counts: self.counts[first..=last].to_vec(),
        }
    }
}

/// A slot as an index of the bins, the nearest end bin if outside them
/// (which the widths chosen above never leave but for values near the
/// largest floats).
fn clamp_slot(slot: f64) -> usize {
    slot.clamp(0.0, (BINS - 1) as f64) as usize
}

/// The smallest power of two (down to the smallest subnormal, up to 2^1023)
/// at least `x`.
fn power_of_two_at_least(x: f64) -> f64 {
    const LARGEST: f64 = f64::from_bits(0x7fe << 52); // 2^1023
    let mut p = f64::from_bits(1); // 2^-1074
    if x.is_normal() {
        // The power of two `x`'s exponent gives: at most `x`.
        p = f64::from_bits(x.to_bits() & (0x7ff << 52));
    }
    while p < x && p < LARGEST {
        p *= 2.0;
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy;

    fn histogram_of(values: &[f64]) -> GrowingHistogram {
        let mut h = GrowingHistogram::default();
        values.iter().for_each(|&x| h.add(x));
        h
    }

    #[test]
    fn powers_of_two() {
        assert_eq!(power_of_two_at_least(1.0), 1.0);
        assert_eq!(power_of_two_at_least(1.5), 2.0);
        assert_eq!(power_of_two_at_least(0.3), 0.5);
        assert_eq!(power_of_two_at_least(0.0), f64::from_bits(1));
        assert_eq!(power_of_two_at_least(3e-320), f64::from_bits(1 << 13));
        assert_eq!(power_of_two_at_least(f64::INFINITY), 2f64.powi(1023));
    }

    #[test]
    fn one_value_is_one_bin_and_none_is_no_histogram() {
        assert_eq!(GrowingHistogram::default().bins(), None);
        let h = histogram_of(&[2.5, 2.5, f64::NAN, 2.5]);
        let bins = h.bins().expect("bins");
        assert_eq!(bins.edges, [2.5, 2.5]);
        assert_eq!(bins.counts, [3]);
    }

    #[test]
    fn zero_to_fifteen_is_a_bin_each() {
        let values: Vec<f64> = (0..16).map(f64::from).collect();
        let bins = histogram_of(&values).bins().expect("bins");
        assert_eq!(bins.counts, [1; 16]);
        assert_eq!(bins.edges.first(), Some(&0.0));
        assert_eq!(bins.edges.last(), Some(&16.0));
        // A 16th value past them halves the resolution, not more.
        let mut h = histogram_of(&values);
        h.add(-1.0);
        let bins = h.bins().expect("bins");
        assert_eq!(
            bins.edges,
            (-1..=8).map(|e| f64::from(e) * 2.0).collect::<Vec<_>>()
        );
        assert_eq!(bins.counts, [1, 2, 2, 2, 2, 2, 2, 2, 2]);
    }

    #[test]
    fn values_at_the_ends_of_the_floats_are_counted() {
        let h = histogram_of(&[f64::MAX, -f64::MAX, 0.0, 1e-300, f64::MIN_POSITIVE]);
        assert_eq!(h.total(), 5);
        let bins = h.bins().expect("bins");
        assert_eq!(bins.counts.iter().sum::<u64>(), 5);
        assert!(bins.counts.len() <= BINS);
        assert!(bins.edges.iter().all(|e| !e.is_nan()), "{:?}", bins.edges);
    }

    #[test]
    fn neighbouring_floats_far_from_zero() {
        let x: f64 = 1e15;
        let next = f64::from_bits(x.to_bits() + 1);
        let bins = histogram_of(&[x, next, x]).bins().expect("bins");
        assert_eq!(bins.counts.iter().sum::<u64>(), 3);
        assert!(bins.edges[0] <= x && next < bins.edges[bins.edges.len() - 1]);
    }

    proptest::proptest! {
        /// Every value is counted in a bin whose range holds it, the bins
        /// ascend, and they cover at most `1 + 4/(BINS-1)` times the range.
        #[test]
        fn each_bin_counts_exactly_the_values_in_it(
            values in proptest::collection::vec(
                proptest::prop_oneof![
                    (-1e6f64..1e6),
                    (-20i32..20).prop_map(f64::from),
                    (0.0f64..1e-3),
                ],
                0..200,
            ),
        ) {
            let h = histogram_of(&values);
            proptest::prop_assert_eq!(h.total(), values.len() as u64);
            let Some(bins) = h.bins() else {
                proptest::prop_assert!(values.is_empty());
                return Ok(());
            };
            proptest::prop_assert!(bins.counts.len() <= BINS);
            proptest::prop_assert_eq!(bins.edges.len(), bins.counts.len() + 1);
            proptest::prop_assert!(bins.counts.first() > Some(&0) && bins.counts.last() > Some(&0));
            let lo = values.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if lo == hi {
                proptest::prop_assert_eq!(&bins.edges, &vec![lo, lo]);
                return Ok(());
            }
            for (b, pair) in bins.edges.windows(2).enumerate() {
                proptest::prop_assert!(pair[0] < pair[1]);
                let inside = values.iter().filter(|&&x| pair[0] <= x && x < pair[1]).count();
                proptest::prop_assert_eq!(bins.counts[b], inside as u64, "bin {:?}", pair);
            }
            let covered = bins.edges[bins.edges.len() - 1] - bins.edges[0];
            let bound = (hi - lo) * (1.0 + 4.0 / (BINS as f64 - 1.0)) + hi.abs().max(lo.abs()) * 1e-12;
            proptest::prop_assert!(covered <= bound, "{} over a range of {}", covered, hi - lo);
        }
    }
}
