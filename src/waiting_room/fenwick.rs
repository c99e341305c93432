//! A concurrent Fenwick tree (binary indexed tree) of counts by sequence, so that "how many
//! people ahead of me are still waiting" is exact in O(log n).
//!
//! People who give back their place before admission leave a hole in the sequence. The number
//! of people ahead of a waiting person at `seq` is `seq − admitted − holes in [admitted, seq)`;
//! this tree answers the last term as a difference of two prefix sums (P. M. Fenwick, "A new
//! data structure for cumulative frequency tables", Software: Practice and Experience 24(3),
//! 1994).
//!
//! Updates are `fetch_add`s on O(log n) counters, so concurrent updates never lose a count;
//! a prefix sum read during an update is a snapshot that may or may not include it.

use crate::platform::alloc::{AllocError, Pages, try_boxed_slice};
use crate::platform::sync::{AtomicU32, Ordering};

pub(crate) struct Fenwick {
    /// 1-based tree; `tree[0]` is unused.
    tree: Box<[AtomicU32]>,
}

impl Fenwick {
    pub(crate) fn new(len: usize) -> Result<Fenwick, AllocError> {
        Ok(Fenwick {
            tree: try_boxed_slice(len.saturating_add(1), Pages::Normal, || AtomicU32::new(0))?,
        })
    }

    /// What [`Fenwick::new`] allocates for `len` counts.
    pub(crate) fn bytes_for(len: usize) -> usize {
        (len + 1) * core::mem::size_of::<AtomicU32>()
    }

    pub(crate) fn memory_bytes(&self) -> usize {
        core::mem::size_of_val(&*self.tree)
    }

    /// Adds one at `index`.
    pub(crate) fn increment(&self, index: usize) {
        let mut node = index + 1;
        while node < self.tree.len() {
            self.tree[node].fetch_add(1, Ordering::Relaxed);
            node += node & node.wrapping_neg();
        }
    }

    /// The sum over `[0, end)`.
    pub(crate) fn prefix_sum(&self, end: usize) -> u64 {
        let mut node = end.min(self.tree.len() - 1);
        let mut sum = 0u64;
        while node > 0 {
            sum += u64::from(self.tree[node].load(Ordering::Relaxed));
            node &= node - 1;
        }
        sum
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;

    #[test]
    fn prefix_sums_match_a_plain_count() {
        let len = 100;
        let tree = Fenwick::new(len).unwrap();
        let mut plain = vec![0u64; len];
        for index in [0, 3, 3, 17, 64, 99, 50, 51, 0] {
            tree.increment(index);
            plain[index] += 1;
        }
        for end in 0..=len {
            assert_eq!(
                tree.prefix_sum(end),
                plain[..end].iter().sum::<u64>(),
                "end {end}"
            );
        }
    }
}
