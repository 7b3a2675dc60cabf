//! An insertion-ordered set of resources of one kind ([`Collection`]), and the full scan
//! filters run over.

use super::{Hasher, Id, Stored};
use indexmap::IndexMap;
use std::sync::Arc;

/// Resources read ahead together by [`Collection::scan`].
pub(super) const SCAN_BATCH: usize = 16;

/// Collections at least this large are scanned on several threads (a thread costs tens of
/// microseconds; 20,000 resources take a few milliseconds).
pub const PARALLEL_SCAN_MIN: usize = 20_000;

/// The most threads one scan uses.
const MAX_SCAN_THREADS: usize = 4;

/// An insertion-ordered set of resources of one kind.
#[derive(Debug, Default)]
pub struct Collection {
    pub(super) items: IndexMap<Id, Arc<Stored>, Hasher>,
}

impl Collection {
    /// Number of resources.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The resource with this id.
    pub fn get(&self, id: &str) -> Option<&Arc<Stored>> {
        self.items.get(id)
    }

    /// The resource at position `i` in insertion order.
    pub fn at(&self, i: usize) -> Option<&Arc<Stored>> {
        self.items.get_index(i).map(|(_, v)| v)
    }

    /// Resources in insertion order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Arc<Stored>> + ExactSizeIterator {
        self.items.values()
    }

    /// The resources for which `keep` is true, in insertion order.
    ///
    /// Made for full scans, which are bound by memory latency: a resource is three dependent
    /// reads away (its `Stored`, then its document's nodes and text), each usually a cache
    /// miss. Resources are taken [`SCAN_BATCH`] at a time and the lines each will need are
    /// read for the whole batch first; those reads are independent of one another, so the
    /// processor overlaps their misses instead of waiting for them one resource at a time.
    /// Collections of [`PARALLEL_SCAN_MIN`] or more are split across the machine's cores.
    pub fn scan(&self, keep: impl Fn(&Stored) -> bool + Sync) -> Vec<Arc<Stored>> {
        let len = self.items.len();
        let threads = if len < PARALLEL_SCAN_MIN {
            1
        } else {
            std::thread::available_parallelism().map_or(1, |n| n.get().min(MAX_SCAN_THREADS))
        };
        if threads == 1 {
            return self.scan_range(0, len, &keep);
        }
        let share = len.div_ceil(threads);
        std::thread::scope(|scope| {
            let keep = &keep;
            let others: Vec<_> = (1..threads)
                .map(|t| {
                    let (from, to) = ((t * share).min(len), ((t + 1) * share).min(len));
                    scope.spawn(move || self.scan_range(from, to, keep))
                })
                .collect();
            let mut out = self.scan_range(0, share.min(len), keep);
            for h in others {
                match h.join() {
                    Ok(part) => out.extend(part),
                    Err(panic) => std::panic::resume_unwind(panic),
                }
            }
            out
        })
    }

    fn scan_range(
        &self,
        from: usize,
        to: usize,
        keep: &impl Fn(&Stored) -> bool,
    ) -> Vec<Arc<Stored>> {
        let mut out = Vec::new();
        for start in (from..to).step_by(SCAN_BATCH) {
            let Some(batch) = self.items.get_range(start..(start + SCAN_BATCH).min(to)) else {
                break;
            };
            let mut touched = 0u64;
            for s in batch.values() {
                touched ^= s.version;
            }
            for s in batch.values() {
                touched ^= s.doc.touch();
            }
            std::hint::black_box(touched);
            for s in batch.values() {
                if keep(s) {
                    out.push(s.clone());
                }
            }
        }
        out
    }

    /// The position of the first resource whose sequence number is `>= seq`.
    pub fn position_of_seq(&self, seq: u64) -> usize {
        let (mut lo, mut hi) = (0, self.items.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.items.get_index(mid) {
                Some((_, s)) if s.seq < seq => lo = mid + 1,
                _ => hi = mid,
            }
        }
        lo
    }
}
