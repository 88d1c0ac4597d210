//! The backing device and its flusher's state (`struct backing_dev_info`,
//! `struct bdi_writeback`), and the `vm.dirty_*` sysctls (docs/model.md
//! §18.9). The algorithms that move pages through it live in the
//! `writeback` module; this one is plain state, below the kernel.
//!
//! One device serves the whole machine: bios (at most [`BIO_MAX_PAGES`]
//! pages, one memcg each) are written one after the other, each page taking
//! `CostModel::writeback_ns`, so a write ends at a known virtual time.

use alloc::collections::VecDeque;

use alloc::format;
use alloc::string::String;

use crate::tree::{CgroupId, Tree};
use crate::units::{Nanos, Pages};

/// `BIO_MAX_PAGES` (4.19 `include/linux/bio.h`): pages one bio carries.
pub const BIO_MAX_PAGES: Pages = 256;
/// `MIN_WRITEBACK_PAGES` (4.19 `fs/fs-writeback.c`, 4 MiB): the background
/// flusher writes in chunks of this many pages.
pub const MIN_WRITEBACK_PAGES: Pages = 1024;

/// The `vm.dirty_*` sysctls (4.19 `mm/page-writeback.c`,
/// `Documentation/sysctl/vm.txt`), with the kernel's defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
pub struct VmDirty {
    /// `vm.dirty_ratio`, percent of dirtyable memory (20).
    pub dirty_ratio: u64,
    /// `vm.dirty_bytes`; non-zero overrides the ratio (0).
    pub dirty_bytes: u64,
    /// `vm.dirty_background_ratio` (10).
    pub dirty_background_ratio: u64,
    /// `vm.dirty_background_bytes`; non-zero overrides the ratio (0).
    pub dirty_background_bytes: u64,
    /// `vm.dirty_expire_centisecs` (3000): dirty data older than this is
    /// written by the periodic flush.
    pub dirty_expire_centisecs: u64,
    /// `vm.dirty_writeback_centisecs` (500): the periodic flush interval;
    /// 0 turns it off.
    pub dirty_writeback_centisecs: u64,
}

impl Default for VmDirty {
    fn default() -> Self {
        VmDirty {
            dirty_ratio: 20,
            dirty_bytes: 0,
            dirty_background_ratio: 10,
            dirty_background_bytes: 0,
            dirty_expire_centisecs: 30 * 100,
            dirty_writeback_centisecs: 5 * 100,
        }
    }
}

impl VmDirty {
    /// The sysctl table's bounds (4.19 `kernel/sysctl.c`: ratios 0..=100,
    /// `dirty_bytes` at least 2 pages), plus a cap so time stays in range.
    pub fn validate(&self) -> Result<(), &'static str> {
        if self.dirty_ratio > 100 || self.dirty_background_ratio > 100 {
            return Err("vm.dirty_ratio and vm.dirty_background_ratio must be 0 to 100");
        }
        if self.dirty_bytes != 0 && self.dirty_bytes < 2 * 4096 {
            return Err("vm.dirty_bytes must be 0 or at least 8192 (two pages)");
        }
        let max = 1 << 50;
        if self.dirty_bytes > max || self.dirty_background_bytes > max {
            return Err("vm.dirty_bytes and vm.dirty_background_bytes must be at most 1P");
        }
        // One hour of centisecs: a scenario never runs longer.
        if self.dirty_expire_centisecs > 360_000 || self.dirty_writeback_centisecs > 360_000 {
            return Err(
                "vm.dirty_expire_centisecs and vm.dirty_writeback_centisecs must be at most 360000",
            );
        }
        Ok(())
    }

    /// `dirty_expire_interval` in ns.
    pub fn expire_ns(&self) -> Nanos {
        self.dirty_expire_centisecs * 10_000_000
    }

    /// `dirty_writeback_interval` in ns (0: no periodic flush).
    pub fn writeback_interval_ns(&self) -> Nanos {
        self.dirty_writeback_centisecs * 10_000_000
    }
}

/// Pages of one memcg on their way to the device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bio {
    pub memcg: CgroupId,
    pub pages: Pages,
    /// When the device has written the last of them.
    pub done_at: Nanos,
}

/// Why pages were put under writeback (the kernel's `enum wb_reason`,
/// split by who asked so the wmark worker's share shows).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum WbReason {
    /// `WB_REASON_BACKGROUND`: over a dirty background threshold.
    Background,
    /// `WB_REASON_PERIODIC`: the kupdate flush of expired inodes.
    Periodic,
    /// `WB_REASON_VMSCAN` from direct reclaim (`wakeup_flusher_threads`).
    Vmscan,
    /// `WB_REASON_VMSCAN` from the wmark worker's reclaim.
    VmscanKswapd,
    /// `pageout()` by the wmark worker itself (`NR_VMSCAN_WRITE`).
    Pageout,
}

impl WbReason {
    pub const ALL: [WbReason; 5] = [
        WbReason::Background,
        WbReason::Periodic,
        WbReason::Vmscan,
        WbReason::VmscanKswapd,
        WbReason::Pageout,
    ];

    /// The word a trace line shows.
    pub fn label(self) -> &'static str {
        match self {
            WbReason::Background => "background",
            WbReason::Periodic => "periodic",
            WbReason::Vmscan => "vmscan",
            WbReason::VmscanKswapd => "vmscan_kswapd",
            WbReason::Pageout => "pageout",
        }
    }
}

/// The device queue and the flusher's timers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Bdi {
    /// Bios in flight, in the order the device writes them.
    pub bios: VecDeque<Bio>,
    /// When the device has written everything queued.
    pub busy_until: Nanos,
    /// The engine's clock: the time of the event being processed (or of
    /// the shell command). Submissions and waits are measured from it.
    pub clock: Nanos,
    /// How far reclaimers have already waited at this instant (a second
    /// `wait_on_page_writeback` in the same charge waits only for the rest).
    pub waited_until: Nanos,
    /// The flusher's delayed wakeup (`wb_wakeup_delayed`): the next periodic
    /// flush, armed while there is dirty data.
    pub periodic_at: Option<Nanos>,
    /// `PGDAT_DIRTY`: the worker's reclaim met only unqueued dirty file pages.
    pub pgdat_dirty: bool,
    /// `PGDAT_WRITEBACK`: the worker's reclaim met only pages under writeback.
    pub pgdat_writeback: bool,
}

impl Bdi {
    /// Set the clock to the engine's time (a new instant: no waits yet).
    pub fn set_clock(&mut self, now: Nanos) {
        self.clock = now;
        self.waited_until = now;
    }

    /// When the flusher next has something to do: a bio completes or the
    /// periodic flush is due.
    pub fn next_event(&self) -> Option<Nanos> {
        let head = self.bios.front().map(|b| b.done_at);
        match (head, self.periodic_at) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Queue `pages` of `memcg` on the device at the clock, `ns` per page,
    /// in bios of at most [`BIO_MAX_PAGES`].
    pub fn submit(&mut self, memcg: CgroupId, mut pages: Pages, ns: Nanos) {
        let mut at = self.busy_until.max(self.clock);
        while pages > 0 {
            let n = pages.min(BIO_MAX_PAGES);
            at += n * ns;
            self.bios.push_back(Bio {
                memcg,
                pages: n,
                done_at: at,
            });
            pages -= n;
        }
        self.busy_until = at;
    }

    /// Pages of `memcg` in flight.
    pub fn in_flight(&self, memcg: CgroupId) -> Pages {
        self.bios
            .iter()
            .filter(|b| b.memcg == memcg)
            .map(|b| b.pages)
            .sum()
    }

    /// Every memcg's writeback pages are its bios' pages, and marked pages
    /// are no more than the pages they mark.
    pub fn check(&self, tree: &Tree) -> Result<(), String> {
        for id in tree.ids() {
            let Some(mc) = tree.cg(id).memcg.as_ref() else {
                continue;
            };
            let p = &mc.pages;
            let bios = self.in_flight(id);
            if p.file_writeback != bios
                || p.dirty_reclaim > p.file_dirty
                || p.writeback_reclaim > p.file_writeback
                || (p.file_dirty > 0) != p.dirtied_when.is_some()
            {
                return Err(format!(
                    "{}: dirty {} (marked {}, since {:?}), writeback {} (marked {}), bios {bios}",
                    tree.rel_path(id),
                    p.file_dirty,
                    p.dirty_reclaim,
                    p.dirtied_when,
                    p.file_writeback,
                    p.writeback_reclaim
                ));
            }
        }
        Ok(())
    }

    /// Bios of a memcg whose pages are dropped with it (a v1
    /// non-hierarchical rmdir) go with them.
    pub fn forget(&mut self, memcg: CgroupId) {
        self.bios.retain(|b| b.memcg != memcg);
    }

    /// Bios of a memcg that goes away now belong to `to` (its pages were
    /// handed there).
    pub fn reparent(&mut self, from: CgroupId, to: CgroupId) {
        for b in self.bios.iter_mut() {
            if b.memcg == from {
                b.memcg = to;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn submit_splits_into_bios_written_in_turn() {
        let mut d = Bdi::default();
        d.set_clock(1000);
        d.submit(CgroupId(2), 300, 10);
        assert_eq!(d.bios.len(), 2);
        assert_eq!(d.bios[0].pages, 256);
        assert_eq!(d.bios[0].done_at, 1000 + 2560);
        assert_eq!(d.bios[1].done_at, 1000 + 3000);
        // A later submission queues behind the first.
        d.set_clock(2000);
        d.submit(CgroupId(3), 10, 10);
        assert_eq!(d.bios[2].done_at, 4100);
        assert_eq!(d.in_flight(CgroupId(2)), 300);
        assert_eq!(d.next_event(), Some(3560));
        d.periodic_at = Some(3000);
        assert_eq!(d.next_event(), Some(3000));
    }

    #[test]
    fn sysctl_bounds() {
        assert!(VmDirty::default().validate().is_ok());
        let bad = VmDirty {
            dirty_ratio: 101,
            ..VmDirty::default()
        };
        assert!(bad.validate().is_err());
        let bad = VmDirty {
            dirty_bytes: 4096,
            ..VmDirty::default()
        };
        assert!(bad.validate().is_err());
    }
}
