//! Dirty page cache and writeback (docs/model.md §18.9): pages go dirty →
//! writeback → clean per memcg, a flusher writes them to the device of
//! [`crate::bdi`], writers are throttled in `balance_dirty_pages`, and
//! reclaim that meets dirty or writeback pages follows `shrink_page_list`.
//!
//! Kernel sources, ALinux 4.19 (the same as upstream 4.19 here):
//! `mm/page-writeback.c` (`global_dirtyable_memory`, `domain_dirty_limits`,
//! `mdtc_calc_avail`, `dirty_freerun_ceiling`, `pos_ratio_polynom`,
//! `balance_dirty_pages`, `wb_over_bg_thresh`), `mm/memcontrol.c`
//! (`mem_cgroup_wb_stats`), `fs/fs-writeback.c` (`wb_writeback`,
//! `wb_check_old_data_flush`, `wb_check_background_flush`,
//! `wb_check_start_all`, `wakeup_flusher_threads`), `mm/vmscan.c`
//! (`shrink_page_list`'s PageWriteback cases 1–3 and PageDirty branch,
//! `sane_reclaim`, `shrink_inactive_list`'s flusher wakeup, `shrink_node`'s
//! PGDAT_DIRTY / PGDAT_WRITEBACK / congestion waits).
//!
//! **Time.** The flusher's submissions take no time: when it is woken
//! (background threshold, reclaim, the periodic timer) it queues the pages
//! at once; the device then writes bio after bio, and the engine's flusher
//! event completes each bio at its end time. A reclaimer inside a charge
//! runs at one instant (§18.3): when it waits for writeback, the pages it
//! waits for are completed at once and the wait is its stall.

use alloc::vec::Vec;

use crate::bdi::{WbReason, MIN_WRITEBACK_PAGES};
use crate::kernel::{KEvent, Kernel, Version};
use crate::lru::{CostModel, MemcgPages};
use crate::tree::CgroupId;
use crate::units::{Nanos, Pages};

/// `RATELIMIT_CALC_SHIFT`: fixed-point shift of `pos_ratio`.
pub const RATELIMIT_CALC_SHIFT: u32 = 10;
/// `MAX_PAUSE` = HZ/5: the longest single `balance_dirty_pages` sleep.
pub const MAX_PAUSE: Nanos = 200_000_000;
/// HZ/10: the `wait_iff_congested` / `congestion_wait` timeout of reclaim.
pub const CONGESTION_TIMEOUT: Nanos = 100_000_000;
/// `PAGE_SIZE`.
const PAGE_SIZE: u64 = 4096;

/// `struct dirty_throttle_control`, the fields the model uses.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Dtc {
    /// Dirtyable memory of the domain.
    pub avail: Pages,
    /// Dirty + writeback pages (what `balance_dirty_pages` compares).
    pub dirty: Pages,
    pub thresh: Pages,
    pub bg_thresh: Pages,
}

/// Machine-wide dirty, writeback and anon pages.
/// Kept incrementally ([`Kernel::nr_file_dirty`] and the next two): O(1).
fn global_counts(k: &Kernel) -> (Pages, Pages, Pages) {
    (k.nr_file_dirty, k.nr_writeback, k.nr_anon)
}

/// `global_dirtyable_memory`: free pages plus file LRU pages + 1. With
/// RAM = free + anon + file, that is RAM − anon + 1 (reserves and highmem
/// are not modelled).
pub fn global_dirtyable_memory(k: &Kernel) -> Pages {
    k.config.ram_pages.saturating_sub(global_counts(k).2) + 1
}

/// `domain_dirty_limits`: `(thresh, bg_thresh)` of a domain with `avail`
/// dirtyable pages; `global_avail` is `Some` for a memcg domain, whose
/// byte limits become ratios of the global domain.
pub fn domain_dirty_limits(
    k: &Kernel,
    avail: Pages,
    global_avail: Option<Pages>,
) -> (Pages, Pages) {
    let vm = &k.config.vm_dirty;
    let (mut bytes, mut bg_bytes) = (vm.dirty_bytes, vm.dirty_background_bytes);
    // Ratios in fractions of PAGE_SIZE, as the kernel keeps them.
    let mut ratio = vm.dirty_ratio * PAGE_SIZE / 100;
    let mut bg_ratio = vm.dirty_background_ratio * PAGE_SIZE / 100;
    if let Some(g) = global_avail {
        if bytes != 0 {
            ratio = bytes.div_ceil(g.max(1)).min(PAGE_SIZE);
        }
        if bg_bytes != 0 {
            bg_ratio = bg_bytes.div_ceil(g.max(1)).min(PAGE_SIZE);
        }
        bytes = 0;
        bg_bytes = 0;
    }
    let thresh = if bytes != 0 {
        bytes.div_ceil(PAGE_SIZE)
    } else {
        ((u128::from(ratio) * u128::from(avail)) / u128::from(PAGE_SIZE)) as u64
    };
    let mut bg = if bg_bytes != 0 {
        bg_bytes.div_ceil(PAGE_SIZE)
    } else {
        ((u128::from(bg_ratio) * u128::from(avail)) / u128::from(PAGE_SIZE)) as u64
    };
    if bg >= thresh {
        bg = thresh / 2;
    }
    (thresh, bg)
}

/// The global domain (`GDTC_INIT`): dirty counts dirty + writeback.
pub fn gdtc(k: &Kernel) -> Dtc {
    gdtc_and_dirty(k).0
}

/// The global domain and its dirty pages alone (`NR_FILE_DIRTY`, what the
/// background threshold compares), from one pass over the memcgs.
fn gdtc_and_dirty(k: &Kernel) -> (Dtc, Pages) {
    let (dirty, wb, anon) = global_counts(k);
    let avail = k.config.ram_pages.saturating_sub(anon) + 1;
    let (thresh, bg_thresh) = domain_dirty_limits(k, avail, None);
    let d = Dtc {
        avail,
        dirty: dirty + wb,
        thresh,
        bg_thresh,
    };
    (d, dirty)
}

/// `mem_cgroup_wb_stats(wb)` for memcg `m`: `(filepages, headroom, dirty,
/// writeback)`; headroom is the least `min(max, high) − usage` of m and its
/// ancestors below the root.
pub fn mem_cgroup_wb_stats(k: &Kernel, m: CgroupId) -> (Pages, Pages, Pages, Pages) {
    let mc = k.tree.memcg(m);
    let mut filepages = mc.pages.file();
    // The memcg's task index holds exactly the tasks charged to it.
    for pid in mc.tasks.iter() {
        filepages += k.tasks.get(pid).map_or(0, |t| t.pages.file_hot);
    }
    let mut headroom = Pages::MAX;
    let mut at = Some(m);
    while let Some(w) = at {
        if w == CgroupId::ROOT {
            break;
        }
        let pc = &k.tree.memcg(w).memory;
        let ceiling = pc.max.min(pc.high);
        headroom = headroom.min(ceiling - ceiling.min(pc.usage));
        at = k.tree.memcg(w).counter_parent;
    }
    (
        filepages,
        headroom,
        mc.pages.file_dirty,
        mc.pages.file_writeback,
    )
}

/// The memcg domain of `m` (`MDTC_INIT`, v2 cgroup writeback only):
/// `mdtc_calc_avail` then `domain_dirty_limits`. `dirty_only` leaves the
/// writeback pages out, as `wb_over_bg_thresh` does.
pub fn mdtc(k: &Kernel, m: CgroupId, g: &Dtc, dirty_only: bool) -> Option<Dtc> {
    if k.version() != Version::V2 || m == CgroupId::ROOT {
        return None;
    }
    let (filepages, headroom, dirty, wb) = mem_cgroup_wb_stats(k, m);
    let dirty = if dirty_only { dirty } else { dirty + wb };
    let clean = filepages - filepages.min(dirty);
    let global_clean = g.avail - g.avail.min(g.dirty);
    let other_clean = global_clean - global_clean.min(clean);
    let avail = filepages + headroom.min(other_clean);
    let (thresh, bg_thresh) = domain_dirty_limits(k, avail, Some(g.avail));
    Some(Dtc {
        avail,
        dirty,
        thresh,
        bg_thresh,
    })
}

/// `dirty_freerun_ceiling`: below it, writers are not throttled.
pub fn dirty_freerun_ceiling(thresh: Pages, bg_thresh: Pages) -> Pages {
    (thresh + bg_thresh) / 2
}

/// `pos_ratio_polynom`: 1 + ((setpoint − dirty) / (limit − setpoint))³ in
/// units of 2^-10, clamped to [0, 2].
pub fn pos_ratio_polynom(setpoint: Pages, dirty: Pages, limit: Pages) -> u64 {
    let x = (((setpoint as i128) - (dirty as i128)) << RATELIMIT_CALC_SHIFT)
        / (((limit as i128) - (setpoint as i128)) | 1);
    let mut p = x;
    p = (p * x) >> RATELIMIT_CALC_SHIFT;
    p = (p * x) >> RATELIMIT_CALC_SHIFT;
    p += 1 << RATELIMIT_CALC_SHIFT;
    p.clamp(0, 2 << RATELIMIT_CALC_SHIFT) as u64
}

/// `wb_position_ratio`, domain part: 0 at or above the limit, the cubic
/// around setpoint = (freerun + limit) / 2 below it. (The per-wb share of
/// the threshold is not modelled: one wb per domain.)
pub fn position_ratio(d: &Dtc) -> u64 {
    let freerun = dirty_freerun_ceiling(d.thresh, d.bg_thresh);
    let limit = d.thresh;
    if d.dirty >= limit {
        return 0;
    }
    let setpoint = (freerun + limit) / 2;
    pos_ratio_polynom(setpoint, d.dirty, limit)
}

/// The device's write bandwidth in pages/s: the model's `dirty_ratelimit`
/// (the kernel's estimate converges to it with one dirtier per wb).
pub fn write_bandwidth(costs: &CostModel) -> u64 {
    1_000_000_000 / costs.writeback_ns.max(1)
}

/// `account_page_dirtied` for `n` pages of memcg `m`: they go dirty; the
/// first dirty page sets the files' `dirtied_when` and, if the flusher has
/// no dirty data yet, arms its periodic wakeup (`wb_wakeup_delayed`).
pub fn account_page_dirtied(k: &mut Kernel, m: CgroupId, n: Pages) {
    let now = k.bdi.clock;
    let interval = k.config.vm_dirty.writeback_interval_ns();
    let Some(mc) = k.tree.cg_mut(m).memcg.as_mut() else {
        return;
    };
    let newly = mc.pages.file_dirty == 0 && n > 0;
    if mc.pages.file_dirty == 0 {
        mc.pages.dirtied_when = Some(now);
    }
    mc.pages.file_dirty += n;
    k.nr_file_dirty += n;
    if newly {
        let e = (now, m);
        let at = k.b_dirty.partition_point(|x| *x < e);
        k.b_dirty.insert(at, e);
    }
    if k.bdi.periodic_at.is_none() && interval > 0 {
        k.bdi.periodic_at = Some(now + interval);
    }
}

/// Faults of memcg `m` that dirty a page and leave `balance_dirty_pages` a
/// no-op (under every freerun ceiling and the global background threshold)
/// and the flusher's timers alone: what the bulk engine may skip. Thresholds
/// only grow while a run stays inside the charge stock (§18.4).
pub fn quiet_room(k: &Kernel, m: CgroupId) -> Pages {
    let interval = k.config.vm_dirty.writeback_interval_ns();
    let armed = interval == 0 || k.bdi.periodic_at.is_some();
    let dirty = k
        .tree
        .get(m)
        .and_then(|c| c.memcg.as_ref())
        .map_or(0, |mc| mc.pages.file_dirty);
    if !armed || dirty == 0 {
        return 0;
    }
    let (g, nr_dirty) = gdtc_and_dirty(k);
    let mut room = g
        .bg_thresh
        .saturating_sub(nr_dirty)
        .min(dirty_freerun_ceiling(g.thresh, g.bg_thresh).saturating_sub(g.dirty));
    if let Some(md) = mdtc(k, m, &g, false) {
        room = room.min(dirty_freerun_ceiling(md.thresh, md.bg_thresh).saturating_sub(md.dirty));
    }
    room
}

/// `balance_dirty_pages` after a task of memcg `m` dirtied `pages` pages
/// (called for every dirtying fault: the kernel's ratelimiting spreads the
/// same pauses over fewer calls). Kicks background writeback; returns the
/// pause, which the caller adds to the fault's latency as a stall.
pub fn balance_dirty_pages(k: &mut Kernel, m: CgroupId, pages: Pages) -> Nanos {
    let (g, nr_reclaimable) = gdtc_and_dirty(k);
    let md = mdtc(k, m, &g, false);
    let g_free = g.dirty <= dirty_freerun_ceiling(g.thresh, g.bg_thresh);
    let m_free = md.is_none_or(|d| d.dirty <= dirty_freerun_ceiling(d.thresh, d.bg_thresh));
    if g_free && m_free {
        // The tail: background writeback from the global bg threshold.
        if nr_reclaimable > g.bg_thresh {
            wb_start_background_writeback(k, m);
        }
        return 0;
    }
    wb_start_background_writeback(k, m);
    // The stricter domain sets the pace (sdtc).
    let mut pos = position_ratio(&g);
    if let Some(d) = md {
        pos = pos.min(position_ratio(&d));
    }
    let task_ratelimit = (write_bandwidth(&k.costs) * pos) >> RATELIMIT_CALC_SHIFT;
    // task_ratelimit 0 (at the limit): the longest pause.
    let pause = (pages * 1_000_000_000)
        .checked_div(task_ratelimit)
        .map_or(MAX_PAUSE, |p| p.min(MAX_PAUSE));
    if let Some(mc) = k.tree.cg_mut(m).memcg.as_mut() {
        mc.stat.dirty_throttle_ns += pause;
    }
    pause
}

/// Put up to `n` dirty pages of `m` under writeback for `reason`: marked
/// pages first (they keep `PG_reclaim`), queued on the device at the clock.
fn submit(k: &mut Kernel, m: CgroupId, n: Pages, reason: WbReason) -> Pages {
    let ns = k.costs.writeback_ns;
    let Some(mc) = k.tree.cg_mut(m).memcg.as_mut() else {
        return 0;
    };
    let n = n.min(mc.pages.file_dirty);
    if n == 0 {
        return 0;
    }
    let p = &mut mc.pages;
    let was = p.dirtied_when.unwrap_or(0);
    let marked = n.min(p.dirty_reclaim);
    p.dirty_reclaim -= marked;
    p.writeback_reclaim += marked;
    p.file_dirty -= n;
    p.file_writeback += n;
    if p.file_dirty == 0 {
        p.dirtied_when = None;
    }
    let clean = mc.pages.file_dirty == 0;
    mc.stat.written[reason as usize] += n;
    k.nr_file_dirty -= n;
    k.nr_writeback += n;
    if clean {
        if let Ok(at) = k.b_dirty.binary_search(&(was, m)) {
            k.b_dirty.remove(at);
        }
    }
    k.bdi.submit(m, n, ns);
    k.log(KEvent::Writeback {
        memcg: m,
        pages: n,
        reason,
    });
    n
}

/// Memcgs with dirty pages, oldest `dirtied_when` first (the b_io order):
/// [`Kernel::b_dirty`].
fn dirty_memcgs(k: &Kernel) -> Vec<(Nanos, CgroupId)> {
    k.b_dirty.clone()
}

/// The `b_dirty` key of a memcg whose pages are `p`: `None` when clean.
fn b_dirty_key(p: &MemcgPages, m: CgroupId) -> Option<(Nanos, CgroupId)> {
    (p.file_dirty > 0).then(|| (p.dirtied_when.unwrap_or(0), m))
}

/// Memcg `m`'s pages went from `old` to `new` (`None`: it is gone): keep
/// [`Kernel::b_dirty`] sorted and exact.
pub fn b_dirty_set(k: &mut Kernel, m: CgroupId, old: &MemcgPages, new: Option<&MemcgPages>) {
    let (old, new) = (b_dirty_key(old, m), new.and_then(|p| b_dirty_key(p, m)));
    if old == new {
        return;
    }
    if let Some(e) = old {
        if let Ok(at) = k.b_dirty.binary_search(&e) {
            k.b_dirty.remove(at);
        }
    }
    if let Some(e) = new {
        let at = k.b_dirty.partition_point(|x| *x < e);
        k.b_dirty.insert(at, e);
    }
}

/// What [`Kernel::b_dirty`] must hold, from a walk of every memcg (for
/// `check_invariants`).
pub fn dirty_memcgs_walk(k: &Kernel) -> Vec<(Nanos, CgroupId)> {
    // Ordered insertion rather than a sort: sort code is a few KB of wasm.
    let mut v: Vec<(Nanos, CgroupId)> = Vec::new();
    for id in k.tree.ids() {
        let Some(mc) = k.tree.cg(id).memcg.as_ref() else {
            continue;
        };
        if mc.pages.file_dirty > 0 {
            let e = (mc.pages.dirtied_when.unwrap_or(0), id);
            let at = v.partition_point(|x| *x < e);
            v.insert(at, e);
        }
    }
    v
}

/// Dirty pages counted by `wb_over_bg_thresh` (writeback left out).
fn global_dirty(k: &Kernel) -> Pages {
    global_counts(k).0
}

/// `wb_start_background_writeback` → `wb_writeback` of a background work:
/// chunks of [`MIN_WRITEBACK_PAGES`] while `wb_over_bg_thresh`. v1 has one
/// wb that writes every memcg's files, oldest first; v2 (cgroup writeback)
/// writes `m`'s own, while the global or `m`'s domain is over background.
pub fn wb_start_background_writeback(k: &mut Kernel, m: CgroupId) {
    if k.version() == Version::V1 || m == CgroupId::ROOT {
        for _ in 0..1_000_000 {
            let (g, dirty) = gdtc_and_dirty(k);
            if dirty <= g.bg_thresh {
                break;
            }
            let Some(&(_, oldest)) = k.b_dirty.first() else {
                break;
            };
            submit(k, oldest, MIN_WRITEBACK_PAGES, WbReason::Background);
        }
        return;
    }
    for _ in 0..1_000_000 {
        let (g, dirty) = gdtc_and_dirty(k);
        let g_over = dirty > g.bg_thresh;
        let m_over = mdtc(k, m, &g, true).is_some_and(|d| d.dirty > d.bg_thresh);
        if !(g_over || m_over) || submit(k, m, MIN_WRITEBACK_PAGES, WbReason::Background) == 0 {
            break;
        }
    }
}

/// `wakeup_flusher_threads(WB_REASON_VMSCAN)` → `wb_check_start_all` on
/// every wb: all dirty pages go under writeback, oldest files first.
pub fn wakeup_flusher_threads(k: &mut Kernel, reason: WbReason) {
    for (_, m) in dirty_memcgs(k) {
        submit(k, m, Pages::MAX, reason);
    }
}

/// `end_page_writeback` for every bio done by `t`: the pages are clean
/// (those with `PG_reclaim` rotate to the tail: cold, reclaimed first).
pub fn end_writeback_until(k: &mut Kernel, t: Nanos) {
    while let Some(b) = k.bdi.bios.front().copied() {
        if b.done_at > t {
            break;
        }
        k.bdi.bios.pop_front();
        if let Some(mc) = k.tree.get_mut(b.memcg).and_then(|c| c.memcg.as_mut()) {
            let p = &mut mc.pages;
            let n = b.pages.min(p.file_writeback);
            p.file_writeback -= n;
            p.file_clean += n;
            p.writeback_reclaim = p.writeback_reclaim.min(p.file_writeback);
            k.nr_writeback -= n;
        }
    }
}

/// The flusher's event at the clock (`wb_workfn`): finished bios complete;
/// when the periodic wakeup is due, `wb_check_old_data_flush` writes every
/// memcg whose files were dirtied more than `dirty_expire_centisecs` ago,
/// `wb_check_background_flush` writes while over a background threshold,
/// and the wakeup is re-armed while dirty data is left.
pub fn wb_workfn(k: &mut Kernel) {
    let now = k.bdi.clock;
    end_writeback_until(k, now);
    if k.bdi.periodic_at.is_some_and(|t| t <= now) {
        let expire = k.config.vm_dirty.expire_ns();
        for (when, m) in dirty_memcgs(k) {
            if when.saturating_add(expire) <= now {
                submit(k, m, Pages::MAX, WbReason::Periodic);
            }
        }
        let ids: Vec<CgroupId> = dirty_memcgs(k).into_iter().map(|(_, m)| m).collect();
        match k.version() {
            Version::V1 => wb_start_background_writeback(k, CgroupId::ROOT),
            Version::V2 => {
                for m in ids {
                    wb_start_background_writeback(k, m);
                }
            }
        }
        let interval = k.config.vm_dirty.writeback_interval_ns();
        k.bdi.periodic_at = (interval > 0 && global_dirty(k) > 0).then_some(now + interval);
    }
}

/// `wait_on_page_writeback` for up to `n` pages of `m` (v1 memcg reclaim,
/// case 3): the memcg's oldest bios, completed now; returns the pages
/// (now clean, for the caller to free) and the wait from the clock until
/// the device finished the last of them.
pub fn wait_on_page_writeback(k: &mut Kernel, m: CgroupId, n: Pages) -> (Pages, Nanos) {
    let mut left = n;
    let mut last = 0;
    for b in k.bdi.bios.iter_mut() {
        if left == 0 {
            break;
        }
        if b.memcg != m {
            continue;
        }
        let t = left.min(b.pages);
        b.pages -= t;
        left -= t;
        last = last.max(b.done_at);
    }
    k.bdi.bios.retain(|b| b.pages > 0);
    let got = n - left;
    let mc = k.tree.memcg_mut(m);
    let got = got.min(mc.pages.file_writeback);
    mc.pages.file_writeback -= got;
    mc.pages.writeback_reclaim -= got.min(mc.pages.writeback_reclaim);
    k.nr_writeback -= got;
    let wait = last.saturating_sub(k.bdi.waited_until);
    k.bdi.waited_until = k.bdi.waited_until.max(last);
    mc.stat.writeback_wait_ns += wait;
    k.stalls.reclaim_wait_ns += wait;
    (got, wait)
}

/// `wait_iff_congested(BLK_RW_ASYNC, HZ/10)` of a reclaiming task (v2
/// memcg reclaim): with writes in flight, sleep until the device finishes
/// its next bio, at most HZ/10; the bios done by then complete. Returns
/// the sleep.
pub fn wait_iff_congested(k: &mut Kernel, m: CgroupId) -> Nanos {
    let Some(head) = k.bdi.bios.front().map(|b| b.done_at) else {
        return 0;
    };
    let from = k.bdi.waited_until;
    let until = head.max(from).min(from + CONGESTION_TIMEOUT);
    end_writeback_until(k, until);
    k.bdi.waited_until = until;
    let wait = until - from;
    k.stalls.reclaim_wait_ns += wait;
    if let Some(mc) = k.tree.get_mut(m).and_then(|c| c.memcg.as_mut()) {
        mc.stat.writeback_wait_ns += wait;
    }
    wait
}

/// `congestion_wait(BLK_RW_ASYNC, HZ/10)` of the wmark worker: until the
/// device finishes its next bio, at most HZ/10. The worker is an engine
/// entity, so nothing completes early: its next chunk simply comes later.
pub fn congestion_wait(k: &Kernel) -> Nanos {
    k.bdi.bios.front().map_or(0, |b| {
        b.done_at
            .saturating_sub(k.bdi.clock)
            .min(CONGESTION_TIMEOUT)
    })
}

/// What reclaim did with one memcg's dirty and writeback page cache.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FileScan {
    pub scanned: Pages,
    /// Pages now clean and taken off the LRU: the caller uncharges them.
    pub freed: Pages,
    pub cost: Nanos,
}

/// `shrink_page_list` on up to `want` of `m`'s dirty, then writeback page
/// cache, after `clean_taken` clean pages in the same batch (4.19
/// `mm/vmscan.c`; §18.9):
///
/// * dirty: marked `PG_reclaim` (`NR_VMSCAN_IMMEDIATE`) and kept, except
///   that the wmark worker (PF_KSWAPD) writes a page itself (`pageout`)
///   when it was marked before and PGDAT_DIRTY is set;
/// * writeback, the worker: case 1 (marked, PGDAT_WRITEBACK) counts as
///   immediate and the worker sleeps in `congestion_wait`; case 2 marks;
/// * writeback, v2 direct reclaim (`sane_reclaim`): case 2 marks;
/// * writeback, v1 direct reclaim: case 3 waits for marked pages
///   (`wait_on_page_writeback`) and frees them; case 2 marks the others;
/// * a batch of only unqueued dirty pages wakes the flushers
///   (`shrink_inactive_list`); the worker sets PGDAT_DIRTY /
///   PGDAT_WRITEBACK as `shrink_node` does; v2 direct reclaim that freed
///   nothing while writes are in flight is throttled (`wait_iff_congested`).
pub fn shrink_dirty_file(
    k: &mut Kernel,
    costs: &CostModel,
    m: CgroupId,
    want: Pages,
    kswapd: bool,
    clean_taken: Pages,
) -> FileScan {
    let mut out = FileScan::default();
    let mut left = want;
    // Dirty pages, marked ones first.
    let d = left.min(k.tree.memcg(m).pages.file_dirty);
    if d > 0 {
        out.scanned += d;
        out.cost += d * costs.scan_ns;
        left -= d;
        let pgdat_dirty = k.bdi.pgdat_dirty;
        let mc = k.tree.memcg_mut(m);
        let marked = mc.pages.dirty_reclaim;
        let write = if kswapd && pgdat_dirty {
            d.min(marked)
        } else {
            0
        };
        mc.pages.dirty_reclaim = if d <= marked {
            marked - write
        } else {
            marked - write + (d - marked)
        };
        mc.stat.vmscan_immediate += d - write;
        if write > 0 {
            let n = submit(k, m, write, WbReason::Pageout);
            out.cost += n * costs.reclaim_clean_ns;
        }
    }
    // Pages under writeback, marked ones first.
    let w = left.min(k.tree.memcg(m).pages.file_writeback);
    if w > 0 {
        out.scanned += w;
        out.cost += w * costs.scan_ns;
        let marked = k.tree.memcg(m).pages.writeback_reclaim;
        if kswapd {
            let immediate = if k.bdi.pgdat_writeback {
                w.min(marked)
            } else {
                0
            };
            let mc = k.tree.memcg_mut(m);
            mc.pages.writeback_reclaim = marked.max(w);
            mc.stat.vmscan_immediate += immediate;
            if immediate > 0 {
                out.cost += congestion_wait(k);
            }
        } else if k.version() == Version::V2 {
            k.tree.memcg_mut(m).pages.writeback_reclaim = marked.max(w);
        } else {
            let waited = w.min(marked);
            let (freed, wait) = wait_on_page_writeback(k, m, waited);
            out.freed += freed;
            out.cost += wait + freed * costs.reclaim_clean_ns;
            let mc = k.tree.memcg_mut(m);
            mc.pages.writeback_reclaim =
                (mc.pages.writeback_reclaim + (w - waited)).min(mc.pages.file_writeback);
        }
    }
    if kswapd {
        // shrink_node: nr.unqueued_dirty == nr.file_taken, nr.writeback == nr.taken.
        if clean_taken == 0 && w == 0 {
            k.bdi.pgdat_dirty = true;
        }
        if w > 0 && clean_taken == 0 && d == 0 {
            k.bdi.pgdat_writeback = true;
        }
    }
    if d > 0 && clean_taken == 0 && w == 0 {
        let reason = if kswapd {
            WbReason::VmscanKswapd
        } else {
            WbReason::Vmscan
        };
        wakeup_flusher_threads(k, reason);
    }
    if !kswapd && k.version() == Version::V2 && clean_taken == 0 && out.freed == 0 && d + w > 0 {
        out.cost += wait_iff_congested(k, m);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::KernelConfig;

    #[test]
    fn pos_ratio_is_one_at_setpoint_and_two_far_below() {
        assert_eq!(pos_ratio_polynom(1000, 1000, 2000), 1 << 10);
        assert_eq!(pos_ratio_polynom(1000, 0, 1100), 2 << 10);
        assert!(pos_ratio_polynom(1000, 1500, 2000) < 1 << 10);
        let d = Dtc {
            avail: 0,
            dirty: 100,
            thresh: 100,
            bg_thresh: 50,
        };
        assert_eq!(position_ratio(&d), 0, "at the limit: no dirtying");
    }

    #[test]
    fn global_limits_follow_the_sysctls() {
        let mut k = Kernel::new(KernelConfig::new(Version::V2));
        // 16 GiB, no anon: 20 % and 10 % of 4M + 1 pages.
        let g = gdtc(&k);
        assert_eq!(g.avail, (4 << 20) + 1);
        assert_eq!(g.thresh, (819 * g.avail) / 4096);
        assert_eq!(g.bg_thresh, (409 * g.avail) / 4096);
        k.config.vm_dirty.dirty_bytes = 1 << 30;
        k.config.vm_dirty.dirty_background_bytes = 1 << 30;
        let g = gdtc(&k);
        assert_eq!(g.thresh, 1 << 18);
        assert_eq!(g.bg_thresh, 1 << 17, "bg >= thresh: half of thresh");
    }

    #[test]
    fn memcg_domain_is_a_share_of_its_headroom() {
        let mut k = Kernel::new(KernelConfig::new(Version::V2));
        let m = k.mkdir(CgroupId::ROOT, "a").unwrap();
        k.tree.memcg_mut(m).memory.max = 12800;
        let g = gdtc(&k);
        let d = mdtc(&k, m, &g, false).unwrap();
        assert_eq!(d.avail, 12800);
        assert_eq!(d.thresh, 819 * 12800 / 4096);
        assert_eq!(d.bg_thresh, 409 * 12800 / 4096);
        let mut k1 = Kernel::new(KernelConfig::new(Version::V1));
        let m1 = k1.mkdir(CgroupId::ROOT, "a").unwrap();
        let g1 = gdtc(&k1);
        assert!(mdtc(&k1, m1, &g1, false).is_none(), "v1: no memcg domain");
    }

    #[test]
    fn dirty_pages_go_to_writeback_then_clean() {
        let mut k = Kernel::new(KernelConfig::new(Version::V1));
        let m = k.mkdir(CgroupId::ROOT, "a").unwrap();
        k.bdi.set_clock(1_000);
        account_page_dirtied(&mut k, m, 300);
        assert_eq!(k.tree.memcg(m).pages.dirtied_when, Some(1_000));
        assert_eq!(k.bdi.periodic_at, Some(1_000 + 5_000_000_000));
        wakeup_flusher_threads(&mut k, WbReason::Vmscan);
        let p = &k.tree.memcg(m).pages;
        assert_eq!((p.file_dirty, p.file_writeback), (0, 300));
        assert_eq!(p.dirtied_when, None);
        let first = k.bdi.bios[0].done_at;
        assert_eq!(first, 1_000 + 256 * k.costs.writeback_ns);
        k.bdi.set_clock(first);
        wb_workfn(&mut k);
        let p = &k.tree.memcg(m).pages;
        assert_eq!((p.file_writeback, p.file_clean), (44, 256));
    }

    #[test]
    fn v1_reclaim_waits_for_marked_writeback() {
        let mut k = Kernel::new(KernelConfig::new(Version::V1));
        let m = k.mkdir(CgroupId::ROOT, "a").unwrap();
        let costs = k.costs;
        account_page_dirtied(&mut k, m, 64);
        // First meeting: dirty pages are marked and the flusher woken.
        let s = shrink_dirty_file(&mut k, &costs, m, 32, false, 0);
        assert_eq!((s.scanned, s.freed), (32, 0));
        assert_eq!(k.tree.memcg(m).pages.file_writeback, 64);
        assert_eq!(k.tree.memcg(m).pages.writeback_reclaim, 32);
        // Next: the marked writeback pages are waited for and freed.
        let s = shrink_dirty_file(&mut k, &costs, m, 32, false, 0);
        assert_eq!(s.freed, 32);
        assert_eq!(
            k.tree.memcg(m).stat.writeback_wait_ns,
            64 * costs.writeback_ns
        );
        // v2 marks, wakes the flusher and is throttled instead: the bio
        // completes during the wait_iff_congested sleep.
        let mut k = Kernel::new(KernelConfig::new(Version::V2));
        let m = k.mkdir(CgroupId::ROOT, "a").unwrap();
        account_page_dirtied(&mut k, m, 64);
        let s = shrink_dirty_file(&mut k, &costs, m, 32, false, 0);
        assert_eq!(s.freed, 0);
        assert_eq!(s.cost, 32 * costs.scan_ns + 64 * costs.writeback_ns);
        assert_eq!(k.tree.memcg(m).pages.file_clean, 64, "the bio completed");
    }
}
