//! The page model behind reclaim (design.md "Exact vs modelled"; spec §5
//! "recommended simulator abstraction").
//!
//! The kernel keeps real LRU lists with referenced bits. We keep counts:
//!
//! * per memcg, **page cache nobody uses any more** (`file_clean`,
//!   `file_dirty`, `file_writeback`): cold, reclaimed first;
//! * per task, **anon pages** split into the working set (`anon_hot`) and the
//!   rest (`anon_cold`), pages in swap (`swapped`), and the task's **file
//!   working set** (`file_hot`).
//!
//! Reclaim takes, per memcg and in this order: clean cold file; dirty cold
//! file and file under writeback follow the kernel's `shrink_page_list`
//! rules (marked for immediate reclaim, the flusher woken, v1 waits for
//! writeback; docs/model.md §18.9); cold anon of each task in pid
//! order when swap is possible; then hot pages, file and anon mixed by
//! swappiness. A reclaimed hot page is part of a working set, so its task
//! refaults it later: a new charge plus a major-fault latency.
//!
//! Costs are per page and come from [`CostModel`]; they are a model, not
//! kernel fact. Defaults are round numbers of the right order for a server
//! with an SSD: they set the scale of the stalls, not the decisions.

use crate::units::{Nanos, Pages};

/// Per-page costs of the modelled operations, in ns. A field left out of a
/// scenario's `costs` takes its default (so `{"fault_ns": 500}` is a whole
/// cost model).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
pub struct CostModel {
    /// A minor fault that allocates and zeroes one page (the allocation
    /// itself; charged time comes on top).
    pub fault_ns: Nanos,
    /// Scanning one page on an LRU list.
    pub scan_ns: Nanos,
    /// Freeing one clean page cache page.
    pub reclaim_clean_ns: Nanos,
    /// The device's write time per page: a bio of n pages takes
    /// n × this (20 µs: about 200 MB/s, §18.9).
    pub writeback_ns: Nanos,
    /// Swapping out one anon page.
    pub swapout_ns: Nanos,
    /// A major fault: reading a reclaimed working-set page back in.
    pub refault_ns: Nanos,
    /// How often a holding task touches its working set.
    pub touch_interval_ns: Nanos,
}

impl Default for CostModel {
    fn default() -> Self {
        CostModel {
            fault_ns: 250,
            scan_ns: 40,
            reclaim_clean_ns: 300,
            writeback_ns: 20_000,
            swapout_ns: 15_000,
            refault_ns: 60_000,
            touch_interval_ns: 100_000_000,
        }
    }
}

/// Longest `touch_interval_ns` (24 h, the longest `sleep`): a holding task
/// that touches its working set less often than that never does within a
/// scenario, and time stays far from wrapping.
pub const MAX_TOUCH_INTERVAL_NS: Nanos = 86_400_000_000_000;

impl CostModel {
    /// Reject values that would make the engine useless (zero-time loops)
    /// or push its clock towards `u64::MAX`.
    pub fn validate(&self) -> Result<(), &'static str> {
        if self.fault_ns == 0 {
            return Err("fault_ns must be at least 1");
        }
        if self.touch_interval_ns < 1_000 {
            return Err("touch_interval_ns must be at least 1000");
        }
        if self.touch_interval_ns > MAX_TOUCH_INTERVAL_NS {
            return Err("touch_interval_ns must be at most 86400000000000 (24 h)");
        }
        let max = 1_000_000_000;
        for v in [
            self.fault_ns,
            self.scan_ns,
            self.reclaim_clean_ns,
            self.writeback_ns,
            self.swapout_ns,
            self.refault_ns,
        ] {
            if v > max {
                return Err("per-page costs must be at most 1 s");
            }
        }
        Ok(())
    }
}

/// Page cache a memcg holds that no task's working set uses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemcgPages {
    pub file_clean: Pages,
    pub file_dirty: Pages,
    /// Pages under writeback (`NR_WRITEBACK`): on the device, not yet done.
    pub file_writeback: Pages,
    /// Of `file_dirty`, pages reclaim marked `PG_reclaim` (§18.9).
    pub dirty_reclaim: Pages,
    /// Of `file_writeback`, pages with `PG_reclaim`.
    pub writeback_reclaim: Pages,
    /// The memcg's files' `inode->dirtied_when`: when its page cache last
    /// went from clean to dirty (the periodic flush writes it once expired).
    pub dirtied_when: Option<Nanos>,
}

impl MemcgPages {
    pub fn file(&self) -> Pages {
        self.file_clean + self.file_dirty + self.file_writeback
    }
}

/// Pages a task owns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TaskPages {
    pub anon_hot: Pages,
    pub anon_cold: Pages,
    pub file_hot: Pages,
    /// Anon pages swapped out (charged to swap, not memory).
    pub swapped: Pages,
    /// Working-set pages reclaimed and not yet faulted back in.
    pub refault_anon: Pages,
    pub refault_file: Pages,
}

impl TaskPages {
    /// Resident pages charged to memory (rss plus the file working set).
    pub fn resident(&self) -> Pages {
        self.anon_hot + self.anon_cold + self.file_hot
    }

    pub fn anon(&self) -> Pages {
        self.anon_hot + self.anon_cold
    }
}

/// Per-memcg event counters behind memory.stat (§13.3), local values.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemcgCounters {
    pub pgfault: u64,
    pub pgmajfault: u64,
    pub pgscan_direct: u64,
    pub pgscan_kswapd: u64,
    pub pgsteal_direct: u64,
    pub pgsteal_kswapd: u64,
    pub workingset_refault_anon: u64,
    pub workingset_refault_file: u64,
    pub pgpgin: u64,
    pub pgpgout: u64,
    /// Pages reclaim met dirty and marked for immediate reclaim
    /// (`NR_VMSCAN_IMMEDIATE`).
    pub vmscan_immediate: u64,
    /// Pages put under writeback, by reason: background, periodic, vmscan
    /// (direct reclaim woke the flusher), vmscan_kswapd (the wmark worker
    /// did), pageout (the worker wrote them itself), §18.9.
    pub written: [u64; 5],
    /// Time tasks of this memcg slept in `balance_dirty_pages`, ns.
    pub dirty_throttle_ns: u64,
    /// Time reclaimers of this memcg waited for writeback, ns.
    pub writeback_wait_ns: u64,
}
