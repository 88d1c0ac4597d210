//! Memcg reclaim: `try_to_free_mem_cgroup_pages` over a subtree (spec §5),
//! with protection (§7) and the kswapd-context early stop of the wmark
//! worker (§9.6).
//!
//! Reclaim is a resumable [`Reclaim`] cursor. Direct reclaim runs it to the
//! end inside the charge; the wmark worker runs it one chunk (≤ 32 pages) per
//! event so tasks keep charging while it works (§10).
//!
//! Model (spec §5 abstraction, priority variant): priorities 12 down to 0;
//! each pass walks the subtree in pre-order from where the last walk at that
//! priority stopped (the reclaim cookie, §5.2), honours protection, and scans
//! `reclaimable >> priority` pages of each memcg (all of them at priority 0)
//! in chunks of at most 32, taking pages in the order of [`crate::lru`],
//! until the request is met. The stop conditions are the kernel's.

use alloc::vec::Vec;

use crate::counter::CounterKind;
use crate::kernel::{Kernel, Version};
use crate::lru::{CostModel, TaskPages};
use crate::tree::{CgroupId, MemcgEvent, Pid, ReclaimCookie, SwapEvent};
use crate::units::{Nanos, Pages, WORK_RECLAIM_STEP, WORK_TASK};
use crate::writeback::shrink_dirty_file;

/// `SWAP_CLUSTER_MAX`.
pub const SWAP_CLUSTER_MAX: Pages = 32;
/// `DEF_PRIORITY`.
pub const DEF_PRIORITY: u8 = 12;

/// Who reclaims: an allocating task (or a file write), or the wmark worker
/// running "as kswapd" (PF_KSWAPD, §9.6).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum ReclaimCtx {
    Direct,
    Kswapd,
}

/// Result of `mem_cgroup_protected` (§7).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Protection {
    None,
    Low,
    Min,
}

/// `mem_cgroup_protected(root, memcg)`, 4.19 (§7). Stores emin/elow.
pub fn mem_cgroup_protected(k: &mut Kernel, root: CgroupId, m: CgroupId) -> Protection {
    if m == root {
        return Protection::None;
    }
    let (usage, min, low, parent) = {
        let mc = k.tree.memcg(m);
        (
            mc.memory.usage,
            mc.memory.min,
            mc.memory.low,
            mc.counter_parent,
        )
    };
    if usage == 0 {
        return Protection::None;
    }
    let mut emin = min;
    let mut elow = low;
    let Some(parent) = parent else {
        return Protection::None;
    };
    if parent != root {
        let p = &k.tree.memcg(parent).memory;
        let (pemin, pelow) = (p.emin, p.elow);
        let (pcmin, pclow) = (p.children_min_usage, p.children_low_usage);
        emin = emin.min(pemin);
        if emin != 0 && pemin != 0 {
            let min_usage = usage.min(min);
            if min_usage != 0 && pcmin != 0 {
                emin = emin.min(mul_div(pemin, min_usage, pcmin));
            }
        }
        elow = elow.min(pelow);
        if elow != 0 && pelow != 0 {
            let low_usage = usage.min(low);
            if low_usage != 0 && pclow != 0 {
                elow = elow.min(mul_div(pelow, low_usage, pclow));
            }
        }
    }
    let pc = &mut k.tree.memcg_mut(m).memory;
    pc.emin = emin;
    pc.elow = elow;
    if usage <= emin {
        Protection::Min
    } else if usage <= elow {
        Protection::Low
    } else {
        Protection::None
    }
}

/// `a * b / c` in the kernel's `unsigned long` (wrapping multiply).
fn mul_div(a: u64, b: u64, c: u64) -> u64 {
    a.wrapping_mul(b) / c
}

/// Tasks whose pages are charged to memcg `m`, in pid order (its task
/// index, §18.4).
pub fn tasks_of(k: &Kernel, m: CgroupId) -> Vec<Pid> {
    k.tree.memcg(m).tasks.iter().copied().collect()
}

/// Can reclaim swap anon pages out of `m`? (§5 shrink_lruvec rules.)
pub fn can_swap(k: &Kernel, m: CgroupId, may_swap: bool) -> bool {
    if !may_swap || k.swap_free == 0 || k.swappiness(m) <= 0 {
        return false;
    }
    if k.version() == Version::V2 {
        for id in k.tree.counter_chain(m) {
            if id == CgroupId::ROOT {
                break;
            }
            let s = &k.tree.memcg(id).swap;
            if s.usage >= s.max {
                return false;
            }
        }
    }
    true
}

/// Pages of `m` reclaim could consider.
pub fn reclaimable(k: &Kernel, m: CgroupId, may_swap: bool) -> Pages {
    let mc = k.tree.memcg(m);
    let swap = can_swap(k, m, may_swap);
    let mut n = mc.pages.file();
    for pid in mc.tasks.iter() {
        let p = &k.tasks[pid].pages;
        n += p.file_hot;
        if swap {
            n += p.anon();
        }
    }
    if swap {
        n += mc.left_behind.values().map(TaskPages::anon).sum::<Pages>();
    }
    n
}

/// Swap out up to `want` anon pages tasks left charged to `m` when they
/// moved away (§18.6): cold pages, nobody here touches them. Pid order.
pub fn shrink_left_behind(
    k: &mut Kernel,
    costs: &CostModel,
    m: CgroupId,
    want: Pages,
    may_swap: bool,
) -> Progress {
    let mut pr = Progress::default();
    if want == 0 || !can_swap(k, m, may_swap) {
        return pr;
    }
    let pids: Vec<Pid> = k.tree.memcg(m).left_behind.keys().copied().collect();
    let mut left = want;
    for pid in pids {
        let have = k.tree.memcg(m).left_behind[&pid].anon_cold;
        let t = swap_out(k, m, left.min(have));
        if t == 0 {
            continue;
        }
        let e = k
            .tree
            .memcg_mut(m)
            .left_behind
            .get_mut(&pid)
            .expect("entry");
        e.anon_cold -= t;
        e.swapped += t;
        // Swap-out keeps the memsw charge (mem_cgroup_swapout).
        swapout_uncharge(k, m, t);
        pr.reclaimed += t;
        pr.scanned += t;
        pr.cost += t * (costs.scan_ns + costs.swapout_ns);
        left -= t;
        if left == 0 {
            break;
        }
    }
    pr
}

/// What one chunk (or a whole call) did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    pub reclaimed: Pages,
    pub scanned: Pages,
    pub cost: Nanos,
    /// Working-set pages taken (each will refault).
    pub refaults_caused: Pages,
}

impl Progress {
    fn add(&mut self, o: Progress) {
        self.reclaimed += o.reclaimed;
        self.scanned += o.scanned;
        self.cost += o.cost;
        self.refaults_caused += o.refaults_caused;
    }
}

/// Uncharge `n` reclaimed pages from memory (hierarchically).
fn uncharge(k: &mut Kernel, m: CgroupId, n: Pages) {
    if n > 0 {
        k.tree.page_counter_uncharge(m, n, CounterKind::Memory);
        k.tree.memcg_mut(m).stat.pgpgout += n;
    }
}

/// Swap out up to `n` anon pages of memcg `m`: returns how many went.
/// Page by page as `get_swap_page` → `mem_cgroup_try_charge_swap` (ALinux
/// 4.19, v2 only): a page without a swap slot raises SWAP_FAIL, one over
/// a swap.max raises SWAP_MAX and SWAP_FAIL; the others are charged.
/// Their memory charge goes in [`swapout_uncharge`] (v1 keeps memsw).
fn swap_out(k: &mut Kernel, m: CgroupId, n: Pages) -> Pages {
    let slots = n.min(k.swap_free);
    let mut ok = slots;
    if k.version() == Version::V2 && m != CgroupId::ROOT {
        // Room under every swap.max up the counter chain (the root's
        // counter is never charged).
        let room = k
            .tree
            .counter_chain(m)
            .filter(|&w| w != CgroupId::ROOT)
            .map(|w| k.tree.memcg(w).swap.margin())
            .min()
            .unwrap_or(Pages::MAX);
        ok = slots.min(room);
        for _ in ok..slots {
            k.memcg_swap_event(m, SwapEvent::Max);
        }
        for _ in ok..n {
            k.memcg_swap_event(m, SwapEvent::Fail);
        }
        if ok > 0 {
            k.tree.page_counter_charge(m, ok, CounterKind::Swap);
        }
    }
    k.swap_free -= ok;
    ok
}

/// `mem_cgroup_swapout`: `n` swapped-out pages leave memory; on v1 their
/// memsw charge stays with the swap entries.
fn swapout_uncharge(k: &mut Kernel, m: CgroupId, n: Pages) {
    if n > 0 {
        k.tree.mem_cgroup_swapout(m, n);
        k.tree.memcg_mut(m).stat.pgpgout += n;
    }
}

/// Take up to `want` pages from memcg `m` in the model's order (§5 model).
/// Every page looked at counts as scanned.
pub fn shrink_memcg(
    k: &mut Kernel,
    costs: &CostModel,
    m: CgroupId,
    want: Pages,
    ctx: ReclaimCtx,
    may_swap: bool,
) -> Progress {
    let mut pr = Progress::default();
    let mut left = want;
    // 1. Clean cold page cache.
    let t = left.min(k.tree.memcg(m).pages.file_clean);
    if t > 0 {
        k.tree.memcg_mut(m).pages.file_clean -= t;
        uncharge(k, m, t);
        pr.reclaimed += t;
        pr.scanned += t;
        pr.cost += t * (costs.scan_ns + costs.reclaim_clean_ns);
        left -= t;
    }
    // 2. Dirty and writeback page cache: shrink_page_list's rules (§18.9).
    let clean_taken = t;
    let f = shrink_dirty_file(k, costs, m, left, ctx == ReclaimCtx::Kswapd, clean_taken);
    if f.scanned > 0 {
        uncharge(k, m, f.freed);
        pr.reclaimed += f.freed;
        pr.scanned += f.scanned;
        pr.cost += f.cost;
        left -= f.scanned;
    }
    if left == 0 {
        return pr;
    }
    let pids = tasks_of(k, m);
    k.work += pids.len() as u64 * WORK_TASK;
    let swap = can_swap(k, m, may_swap);
    // 3. Cold anon, pid order.
    if swap {
        for &pid in &pids {
            let t = left.min(k.tasks[&pid].pages.anon_cold);
            if t == 0 {
                continue;
            }
            let t = swap_out(k, m, t);
            if t == 0 {
                break;
            }
            let task = k.tasks.get_mut(&pid).expect("task");
            task.pages.anon_cold -= t;
            task.pages.swapped += t;
            k.nr_anon -= t;
            swapout_uncharge(k, m, t);
            pr.reclaimed += t;
            pr.scanned += t;
            pr.cost += t * (costs.scan_ns + costs.swapout_ns);
            left -= t;
            if left == 0 {
                return pr;
            }
        }
    }
    // 4. Working sets: anon share = swappiness / 200 of what is left.
    let anon_share = if swap {
        k.swappiness(m).clamp(0, 200) as u64
    } else {
        0
    };
    let mut anon_left = left * anon_share / 200;
    let mut file_left = left - anon_left;
    for pass in 0..2 {
        for &pid in &pids {
            let t = file_left.min(k.tasks[&pid].pages.file_hot);
            if t > 0 {
                let task = k.tasks.get_mut(&pid).expect("task");
                task.pages.file_hot -= t;
                task.pages.refault_file += t;
                uncharge(k, m, t);
                pr.reclaimed += t;
                pr.scanned += t;
                pr.refaults_caused += t;
                pr.cost += t * (costs.scan_ns + costs.reclaim_clean_ns);
                file_left -= t;
            }
            let t = anon_left.min(k.tasks[&pid].pages.anon_hot);
            if t > 0 {
                let t = swap_out(k, m, t);
                let task = k.tasks.get_mut(&pid).expect("task");
                task.pages.anon_hot -= t;
                task.pages.swapped += t;
                k.nr_anon -= t;
                task.pages.refault_anon += t;
                swapout_uncharge(k, m, t);
                pr.reclaimed += t;
                pr.scanned += t;
                pr.refaults_caused += t;
                pr.cost += t * (costs.scan_ns + costs.swapout_ns);
                anon_left -= t;
            }
        }
        // Second pass: what one type could not give, the other may.
        if pass == 0 {
            if swap {
                let rest = anon_left + file_left;
                anon_left = rest;
                file_left = rest;
            } else {
                break;
            }
        }
        if anon_left == 0 || file_left == 0 {
            break;
        }
    }
    pr
}

/// A resumable `try_to_free_mem_cgroup_pages(target, nr, may_swap)`.
///
/// Each pass (one priority) is ALinux 4.19 `shrink_node` (alibaba/cloud-kernel
/// `mm/vmscan.c`): a [`Tree::mem_cgroup_iter`] walk with a reclaim cookie, so
/// it starts after the memcg where the last walk rooted at `target` at this
/// priority stopped, and it breaks (`mem_cgroup_iter_break`) as soon as
/// `nr_to_reclaim` is met or, for the wmark worker, usage(target) is under
/// wmark_low (§5.2).
///
/// [`Tree::mem_cgroup_iter`]: crate::tree::Tree::mem_cgroup_iter
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reclaim {
    pub target: CgroupId,
    /// `sc.nr_to_reclaim = max(nr, SWAP_CLUSTER_MAX)`.
    pub nr_to_reclaim: Pages,
    pub ctx: ReclaimCtx,
    pub may_swap: bool,
    pub priority: u8,
    /// The memcg of the walk being shrunk (`memcg` in shrink_node).
    pos: Option<CgroupId>,
    /// A pass (a walk at `priority`) is under way.
    in_pass: bool,
    /// The cookie's generation for this pass.
    generation: u32,
    in_memcg: bool,
    scan_left: Pages,
    low_skipped: bool,
    memcg_low_reclaim: bool,
    pub progress: Progress,
    pub done: bool,
}

impl Reclaim {
    pub fn new(target: CgroupId, nr: Pages, ctx: ReclaimCtx, may_swap: bool) -> Reclaim {
        Reclaim {
            target,
            nr_to_reclaim: nr.max(SWAP_CLUSTER_MAX),
            ctx,
            may_swap,
            priority: DEF_PRIORITY,
            pos: None,
            in_pass: false,
            generation: 0,
            in_memcg: false,
            scan_left: 0,
            low_skipped: false,
            memcg_low_reclaim: false,
            progress: Progress::default(),
            done: false,
        }
    }

    fn kswapd_done(&self, k: &Kernel) -> bool {
        // ALinux: memcg kswapd stops once usage < wmark_low (§5, §9.6).
        self.ctx == ReclaimCtx::Kswapd && {
            let pc = &k.tree.memcg(self.target).memory;
            pc.usage < pc.wmark_low
        }
    }

    /// `mem_cgroup_iter(target, prev, &cookie)`; the end of the walk ends
    /// the pass. Dropping the reference on `prev` may free an offline memcg
    /// reclaim emptied (css release, §18.7).
    fn iter_next(&mut self, k: &mut Kernel) {
        let prev = self.pos;
        let mut cookie = ReclaimCookie {
            priority: self.priority,
            generation: self.generation,
        };
        self.pos = k.tree.mem_cgroup_iter(self.target, prev, &mut cookie);
        self.in_memcg = false;
        if let Some(p) = prev {
            k.css_put_offline(p);
        }
        if self.pos.is_none() {
            self.end_pass();
        }
    }

    /// Run until at most `budget` pages were scanned (one chunk for the
    /// worker) or the call ends. Returns this step's progress.
    pub fn step(&mut self, k: &mut Kernel, costs: &CostModel, budget: Pages) -> Progress {
        let mut step = Progress::default();
        // Every pass over every memcg is bounded; `guard` proves termination.
        let mut guard = 0usize;
        while !self.done && step.scanned < budget {
            guard += 1;
            k.work += WORK_RECLAIM_STEP;
            if guard > 1_000_000 {
                self.done = true;
                break;
            }
            if k.tree
                .get(self.target)
                .and_then(|c| c.memcg.as_ref())
                .is_none()
            {
                self.done = true;
                break;
            }
            if !self.in_pass {
                if self.kswapd_done(k) {
                    self.done = true;
                    break;
                }
                let mut cookie = ReclaimCookie {
                    priority: self.priority,
                    generation: 0,
                };
                self.pos = k.tree.mem_cgroup_iter(self.target, None, &mut cookie);
                self.generation = cookie.generation;
                self.in_pass = true;
                self.in_memcg = false;
                if self.pos.is_none() {
                    self.end_pass();
                    continue;
                }
            }
            let Some(m) = self.pos else {
                self.end_pass();
                continue;
            };
            if k.tree.get(m).and_then(|c| c.memcg.as_ref()).is_none() {
                // Freed between two chunks of the worker: go on from the
                // shared position.
                self.iter_next(k);
                continue;
            }
            if !self.in_memcg {
                match mem_cgroup_protected(k, self.target, m) {
                    Protection::Min => {
                        self.iter_next(k);
                        continue;
                    }
                    Protection::Low if !self.memcg_low_reclaim => {
                        self.low_skipped = true;
                        self.iter_next(k);
                        continue;
                    }
                    Protection::Low => k.memcg_memory_event(m, MemcgEvent::Low),
                    Protection::None => {}
                }
                let r = reclaimable(k, m, self.may_swap);
                k.work += k.tree.memcg(m).tasks.len() as u64 * WORK_TASK;
                self.scan_left = if self.priority == 0 {
                    r
                } else {
                    r >> self.priority
                };
                self.in_memcg = true;
            }
            if self.scan_left > 0 && self.progress.reclaimed < self.nr_to_reclaim {
                let chunk = self
                    .scan_left
                    .min(SWAP_CLUSTER_MAX)
                    .min(budget - step.scanned);
                let mut p = shrink_memcg(k, costs, m, chunk, self.ctx, self.may_swap);
                if p.scanned < chunk && !k.tree.memcg(m).left_behind.is_empty() {
                    p.add(shrink_left_behind(
                        k,
                        costs,
                        m,
                        chunk - p.scanned,
                        self.may_swap,
                    ));
                }
                self.scan_left -= chunk;
                {
                    let st = &mut k.tree.memcg_mut(m).stat;
                    match self.ctx {
                        ReclaimCtx::Direct => {
                            st.pgscan_direct += p.scanned;
                            st.pgsteal_direct += p.reclaimed;
                        }
                        ReclaimCtx::Kswapd => {
                            st.pgscan_kswapd += p.scanned;
                            st.pgsteal_kswapd += p.reclaimed;
                        }
                    }
                }
                // A chunk that found nothing scannable ends this memcg.
                if p.scanned == 0 {
                    self.scan_left = 0;
                }
                self.progress.add(p);
                step.add(p);
            } else if self.progress.reclaimed >= self.nr_to_reclaim || self.kswapd_done(k) {
                // mem_cgroup_iter_break: the shared position stays at m.
                self.in_memcg = false;
                self.pos = None;
                k.css_put_offline(m);
                if self.kswapd_done(k) {
                    self.done = true;
                } else {
                    self.end_pass();
                }
            } else {
                self.iter_next(k);
            }
        }
        step
    }

    fn end_pass(&mut self) {
        self.in_pass = false;
        self.in_memcg = false;
        self.pos = None;
        if self.progress.reclaimed >= self.nr_to_reclaim {
            self.done = true;
            return;
        }
        if self.priority > 0 {
            self.priority -= 1;
            return;
        }
        // After priority 0: one retry that may break memory.low, never for
        // the wmark worker ("memcg kswapd should not break low protection").
        if self.progress.reclaimed == 0
            && self.low_skipped
            && !self.memcg_low_reclaim
            && self.ctx == ReclaimCtx::Direct
        {
            self.memcg_low_reclaim = true;
            self.priority = DEF_PRIORITY;
            return;
        }
        self.done = true;
    }

    /// Run to the end (direct reclaim).
    pub fn run(&mut self, k: &mut Kernel, costs: &CostModel) -> Progress {
        self.step(k, costs, Pages::MAX)
    }
}

/// Direct reclaim to completion: `try_to_free_mem_cgroup_pages`.
pub fn try_to_free_mem_cgroup_pages(
    k: &mut Kernel,
    costs: &CostModel,
    target: CgroupId,
    nr: Pages,
    may_swap: bool,
) -> Progress {
    let mut r = Reclaim::new(target, nr, ReclaimCtx::Direct, may_swap);
    let p = r.run(k, costs);
    k.direct_reclaim_ns = k.direct_reclaim_ns.saturating_add(p.cost);
    k.direct_reclaimed = k.direct_reclaimed.saturating_add(p.reclaimed);
    p
}
