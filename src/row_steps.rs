//! Which rows the grid draws next, when a new screenful would be too much for
//! one frame.
//!
//! A screenful is ~30 rows of ~10 cells; building and laying them out in one
//! task took 40-65 ms on a slow two-core machine (the first rows of a load, a
//! far scroll, a new query's answer). So the grid draws at most `limit` new
//! rows per frame: the rows in view first, from the top one down, then the
//! ones above. Until a row's new drawing is due, the one already on screen for
//! it stays (an older version's, for at most a frame or two) rather than
//! leaving a gap.

use std::ops::Range;

/// A drawn row: (the grid model's version, view row).
pub type RowKey = (u64, usize);

/// The rows to draw now, and whether that is all of what is wanted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowsToDraw {
    /// Sorted by view row; at most one key per row.
    pub rows: Vec<RowKey>,
    /// Every wanted row is drawn in the current version.
    pub complete: bool,
}

/// The next step from the `drawn` rows toward `wanted` rows of model
/// `version`: rows already drawn in `version` stay, at most `limit` more are
/// added (those from `first_visible` down, then those above it), and an older
/// drawing of a wanted row stays until its turn comes. Rows outside `wanted`
/// are dropped.
pub fn next_rows(
    drawn: &[RowKey],
    version: u64,
    wanted: Range<usize>,
    first_visible: usize,
    limit: usize,
) -> RowsToDraw {
    let drawn_as = |r: usize| {
        drawn
            .iter()
            .filter(|(_, row)| *row == r)
            .map(|(v, _)| *v)
            .max_by_key(|v| (*v == version, *v))
    };
    // Which wanted rows get drawn in `version` now: those that are, and the
    // first `limit` others in priority order.
    let mut current = vec![false; wanted.len()];
    let mut budget = limit;
    let start = first_visible.clamp(wanted.start, wanted.end);
    for r in (start..wanted.end).chain((wanted.start..start).rev()) {
        let already = drawn_as(r) == Some(version);
        if already || budget > 0 {
            budget -= usize::from(!already);
            current[r - wanted.start] = true;
        }
    }
    let mut complete = true;
    let rows = wanted
        .zip(current)
        .filter_map(|(r, now)| {
            complete &= now;
            match now {
                true => Some((version, r)),
                false => drawn_as(r).map(|v| (v, r)),
            }
        })
        .collect();
    RowsToDraw { rows, complete }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rows(version: u64, range: Range<usize>) -> Vec<RowKey> {
        range.map(|r| (version, r)).collect()
    }

    #[test]
    fn a_first_screenful_comes_in_two_frames_top_rows_first() {
        let step = next_rows(&[], 1, 0..31, 0, 20);
        assert_eq!(step.rows, rows(1, 0..20));
        assert!(!step.complete);
        let step = next_rows(&step.rows, 1, 0..31, 0, 20);
        assert_eq!(step.rows, rows(1, 0..31));
        assert!(step.complete);
    }

    #[test]
    fn a_short_scroll_adds_its_rows_at_once() {
        let step = next_rows(&rows(1, 0..31), 1, 3..34, 9, 20);
        assert_eq!(step.rows, rows(1, 3..34));
        assert!(step.complete);
    }

    #[test]
    fn a_far_scroll_draws_the_rows_in_view_first() {
        let step = next_rows(&rows(1, 0..31), 1, 994..1031, 1000, 20);
        assert_eq!(step.rows, rows(1, 1000..1020));
        assert!(!step.complete);
        let step = next_rows(&step.rows, 1, 994..1031, 1000, 20);
        assert_eq!(step.rows, rows(1, 994..1031));
        assert!(step.complete);
    }

    #[test]
    fn a_new_version_replaces_rows_and_keeps_old_ones_until_their_turn() {
        let step = next_rows(&rows(1, 0..31), 2, 0..31, 0, 20);
        let mut expected = rows(2, 0..20);
        expected.extend(rows(1, 20..31));
        assert_eq!(step.rows, expected);
        assert!(!step.complete);
        let step = next_rows(&step.rows, 2, 0..31, 0, 20);
        assert_eq!(step.rows, rows(2, 0..31));
        assert!(step.complete);
    }

    #[test]
    fn nothing_wanted_draws_nothing() {
        let step = next_rows(&rows(1, 0..5), 1, 0..0, 0, 20);
        assert_eq!(
            step,
            RowsToDraw {
                rows: vec![],
                complete: true
            }
        );
    }

    proptest! {
        /// Stepping from any drawn rows reaches exactly the wanted rows in the
        /// current version; each step adds at most `limit` rows of it, keeps
        /// the ones it had, and never draws a row twice or outside the wanted ones.
        #[test]
        fn steps_reach_the_wanted_rows(
            drawn in proptest::collection::btree_map(0usize..120, 0u64..3, 0..60),
            version in 0u64..4,
            start in 0usize..100,
            len in 0usize..60,
            visible in 0usize..170,
            limit in 1usize..25,
        ) {
            let wanted = start..start + len;
            let mut now: Vec<RowKey> = drawn.into_iter().map(|(r, v)| (v, r)).collect();
            for _ in 0..=len {
                let step = next_rows(&now, version, wanted.clone(), visible, limit);
                let current = |keys: &[RowKey]| keys.iter().filter(|k| k.0 == version).count();
                prop_assert!(step.rows.windows(2).all(|w| w[0].1 < w[1].1));
                prop_assert!(step.rows.iter().all(|k| wanted.contains(&k.1)));
                let kept = now.iter().filter(|k| k.0 == version && wanted.contains(&k.1)).count();
                prop_assert!(current(&step.rows) <= kept + limit);
                prop_assert!(now.iter().filter(|k| k.0 == version && wanted.contains(&k.1)).all(|k| step.rows.contains(k)));
                prop_assert_eq!(step.complete, step.rows == rows(version, wanted.clone()));
                now = step.rows;
                if step.complete {
                    break;
                }
            }
            prop_assert_eq!(now, rows(version, wanted));
        }
    }
}
