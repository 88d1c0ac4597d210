//! The charge path: `try_charge` (§3) over the per-CPU stock of
//! [`crate::stock`] (§2), draining all stocks, uncharge (§4) and memory.high
//! handling on return to user (§8).
//!
//! Everything here runs at one instant of virtual time: reclaim done inside
//! a charge happens at once and its cost comes back as the stall the
//! charging task must sit out ([`ChargeOutcome::cost`]).

use crate::counter::CounterKind;
use crate::kernel::{KEvent, Kernel};
use crate::lru::CostModel;
use crate::oom::{mem_cgroup_oom, OomResult};
use crate::reclaim::try_to_free_mem_cgroup_pages;
use crate::stock::{self, consume_stock, drain_stock, refill_stock};
use crate::tree::{CgroupId, MemcgEvent, Pid, SwapEvent};
use crate::units::{Nanos, Pages, MEMCG_CHARGE_BATCH, PAGE_ALLOC_COSTLY_ORDER};
use crate::wmark::{is_high_async_reclaim, is_wmark_ok, need_memcg_async_reclaim};

/// `MAX_RECLAIM_RETRIES` (§0.2).
pub const MAX_RECLAIM_RETRIES: u32 = 5;
/// HZ (§0.2): jiffies are milliseconds.
pub const HZ: u64 = 1000;
/// `MEMCG_MAX_HIGH_DELAY_JIFFIES`.
pub const MEMCG_MAX_HIGH_DELAY_JIFFIES: u64 = 2 * HZ;
const MEMCG_DELAY_PRECISION_SHIFT: u32 = 20;
const MEMCG_DELAY_SCALING_SHIFT: u32 = 14;

/// Who charges.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChargeCtx {
    pub cpu: usize,
    /// The task whose fault this is (`current`); `None` for kernel work.
    pub pid: Option<Pid>,
    /// PF_MEMALLOC (a reclaimer, e.g. the wmark worker): over the limit → FORCE.
    pub memalloc: bool,
}

impl ChargeCtx {
    /// A user page fault of task `pid` on `cpu`.
    pub fn fault(cpu: usize, pid: Pid) -> ChargeCtx {
        ChargeCtx {
            cpu,
            pid: Some(pid),
            memalloc: false,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChargeResult {
    Charged,
    /// Charged over the limit (§3 FORCE).
    Forced,
    /// -ENOMEM.
    Nomem,
}

/// Outcome of one `try_charge`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChargeOutcome {
    pub result: ChargeResult,
    /// Time spent in direct reclaim.
    pub cost: Nanos,
    /// The counters were charged (not just the stock consumed).
    pub refilled: bool,
}

// ---------------------------------------------------------------------------
// Stock (§2)

/// `drain_all_stock(root)`: every CPU caching `root` or a descendant.
pub fn drain_all_stock(k: &mut Kernel, root: CgroupId) {
    for cpu in 0..k.stocks.len() {
        if let Some(m) = k.stocks[cpu].cached {
            if k.tree.is_ancestor_or_self(root, m) {
                drain_stock(&mut k.stocks[cpu], &mut k.tree);
            }
        }
    }
    k.log(KEvent::Drain { memcg: root });
}

/// Pages held in the CPUs' stocks for `m`.
pub fn stock_of(k: &Kernel, m: CgroupId) -> Pages {
    stock::stock_of(&k.stocks, m)
}

// ---------------------------------------------------------------------------
// try_charge (§3)

/// `try_charge(M, GFP_KERNEL-ish user fault, n)`, ALinux 4.19 (§3).
pub fn try_charge(
    k: &mut Kernel,
    costs: &CostModel,
    m: CgroupId,
    n: Pages,
    ctx: ChargeCtx,
) -> ChargeOutcome {
    let mut out = ChargeOutcome {
        result: ChargeResult::Charged,
        cost: 0,
        refilled: false,
    };
    if m == CgroupId::ROOT {
        return out;
    }
    let mut batch = n.max(MEMCG_CHARGE_BATCH);
    let mut retries = MAX_RECLAIM_RETRIES;
    let mut drained = false;
    let mut guard = 0u32;
    loop {
        guard += 1;
        // retry:
        if consume_stock(&mut k.stocks[ctx.cpu], m, n) {
            return out;
        }
        let (over_limit, may_swap) = match try_charge_counters(k, m, batch) {
            Ok(()) => {
                done_restock(k, m, n, batch, ctx);
                out.refilled = true;
                return out;
            }
            Err(over) => over,
        };
        if batch > n {
            batch = n;
            continue;
        }
        let dying = ctx
            .pid
            .is_some_and(|p| k.tasks.get(&p).is_none_or(|t| t.dying));
        if ctx.memalloc || dying || guard > 10_000 {
            return force(k, m, n, out);
        }
        k.memcg_memory_event(over_limit, MemcgEvent::Max);
        let p = try_to_free_mem_cgroup_pages(k, costs, over_limit, n, may_swap);
        out.cost += p.cost;
        k.log(KEvent::DirectReclaim {
            pid: ctx.pid,
            memcg: over_limit,
            nr: n.max(32),
            reclaimed: p.reclaimed,
            scanned: p.scanned,
            cost: p.cost,
        });
        if k.mem_cgroup_margin(over_limit) >= n {
            continue;
        }
        if !drained {
            drain_all_stock(k, over_limit);
            drained = true;
            continue;
        }
        if p.reclaimed > 0 && n <= (1 << PAGE_ALLOC_COSTLY_ORDER) {
            continue;
        }
        if retries > 0 {
            retries -= 1;
            continue;
        }
        let order = order_of(n);
        match mem_cgroup_oom(k, over_limit, order, ctx.pid) {
            OomResult::Success => {
                retries = MAX_RECLAIM_RETRIES;
                continue;
            }
            OomResult::Failed => return force(k, m, n, out),
            OomResult::Skipped | OomResult::Async => {
                out.result = ChargeResult::Nomem;
                return out;
            }
        }
    }
}

/// The counters of `try_charge` (§3 steps 3–4): memsw first when memsw is
/// accounted, then memory, whose failure gives the memsw charge back. `Err`
/// holds `mem_over_limit` and `may_swap`, false when memsw was the limit
/// (swapping out does not lower memsw).
fn try_charge_counters(k: &mut Kernel, m: CgroupId, batch: Pages) -> Result<(), (CgroupId, bool)> {
    if k.tree.memsw_account {
        if let Err(over) = k.tree.page_counter_try_charge(m, batch, CounterKind::Memsw) {
            return Err((over, false));
        }
    }
    match k
        .tree
        .page_counter_try_charge(m, batch, CounterKind::Memory)
    {
        Ok(()) => Ok(()),
        Err(over) => {
            if k.tree.memsw_account {
                k.tree.page_counter_uncharge(m, batch, CounterKind::Memsw);
            }
            Err((over, true))
        }
    }
}

/// `get_order(n pages)`.
fn order_of(n: Pages) -> u32 {
    let mut order = 0;
    while (1u64 << order) < n {
        order += 1;
    }
    order
}

/// FORCE: charge unconditionally, no high or wmark checks (§3).
fn force(k: &mut Kernel, m: CgroupId, n: Pages, mut out: ChargeOutcome) -> ChargeOutcome {
    k.tree.page_counter_charge(m, n, CounterKind::Memory);
    k.tree.memcg_mut(m).forced += 1;
    k.log(KEvent::Force { memcg: m, pages: n });
    out.result = ChargeResult::Forced;
    out.refilled = true;
    out
}

/// DONE_RESTOCK (§3): refill the stock, then walk up: the wmark test comes
/// first and ends the walk; otherwise memory.high arms the return-to-user
/// handling and ends the walk.
fn done_restock(k: &mut Kernel, m: CgroupId, n: Pages, batch: Pages, ctx: ChargeCtx) {
    if batch > n {
        refill_stock(&mut k.stocks[ctx.cpu], &mut k.tree, m, batch - n);
    }
    let mut at = Some(m);
    while let Some(w) = at {
        let pc = &k.tree.memcg(w).memory;
        if !is_wmark_ok(pc, true) {
            if k.tree.memcg_mut(w).wmark_work.queue() {
                k.log(KEvent::WorkQueued { memcg: w });
            }
            break;
        }
        // TencentOS: over async_high (with vm.memory_qos) queues
        // `async_work` and ends the walk, before the memory.high test
        // (§19.5).
        if k.config.flavour.has_async_ratio()
            && need_memcg_async_reclaim(k.vm_memory_qos, k.tree.memcg(w))
        {
            if k.tree.memcg_mut(w).wmark_work.queue() {
                k.log(KEvent::WorkQueued { memcg: w });
            }
            break;
        }
        // openEuler: over high·ratio/100 schedules `high_work`; the walk
        // goes on to the memory.high test (§19.4).
        if k.config.flavour.has_high_async()
            && is_high_async_reclaim(k.tree.memcg(w))
            && k.tree.memcg_mut(w).wmark_work.queue()
        {
            k.log(KEvent::WorkQueued { memcg: w });
        }
        let pc = &k.tree.memcg(w).memory;
        if pc.usage > pc.high || swap_high(k, w) {
            if let Some(task) = ctx.pid.and_then(|p| k.tasks.get_mut(&p)) {
                task.nr_pages_over_high += batch;
            }
            break;
        }
        at = k.tree.memcg(w).counter_parent;
    }
}

/// Uncharge `n` pages of `m` (§4): no stock, no high or wmark checks.
pub fn uncharge(k: &mut Kernel, m: CgroupId, n: Pages) {
    if n > 0 && m != CgroupId::ROOT {
        k.tree.page_counter_uncharge(m, n, CounterKind::Memory);
    }
}

// ---------------------------------------------------------------------------
// memory.high (§8)

/// `calculate_overage(usage, high)`.
pub fn calculate_overage(usage: Pages, high: Pages) -> u64 {
    if usage <= high {
        return 0;
    }
    let overage = usage - high;
    (overage << MEMCG_DELAY_PRECISION_SHIFT) / high.max(1)
}

/// `calculate_high_delay` for one overage, in jiffies (before the cap).
pub fn calculate_high_delay(nr_pages: Pages, max_overage: u64) -> u64 {
    if max_overage == 0 {
        return 0;
    }
    let mut penalty = max_overage.wrapping_mul(max_overage).wrapping_mul(HZ);
    penalty >>= MEMCG_DELAY_PRECISION_SHIFT;
    penalty >>= MEMCG_DELAY_SCALING_SHIFT;
    penalty.wrapping_mul(nr_pages) / MEMCG_CHARGE_BATCH
}

/// The capped penalty of one overage (memory or swap alone).
pub fn high_penalty_jiffies(nr_pages: Pages, max_overage: u64) -> u64 {
    calculate_high_delay(nr_pages, max_overage).min(MEMCG_MAX_HIGH_DELAY_JIFFIES)
}

/// `reclaim_high(m, nr)` (§8.2): every level up to, not including, the root.
fn reclaim_high(k: &mut Kernel, costs: &CostModel, m: CgroupId, nr: Pages) -> (Pages, Nanos) {
    let (mut reclaimed, mut cost) = (0, 0);
    let mut at = Some(m);
    while let Some(w) = at {
        if w == CgroupId::ROOT {
            break;
        }
        let pc = &k.tree.memcg(w).memory;
        if pc.usage > pc.high {
            k.memcg_memory_event(w, MemcgEvent::High);
            let p = try_to_free_mem_cgroup_pages(k, costs, w, nr, true);
            reclaimed += p.reclaimed;
            cost += p.cost;
        }
        at = k.tree.memcg(w).counter_parent;
    }
    (reclaimed, cost)
}

/// `mem_find_max_overage`: the memcg and its ancestors, root excluded.
fn max_overage(k: &Kernel, m: CgroupId) -> u64 {
    k.tree
        .counter_chain(m)
        .filter(|&w| w != CgroupId::ROOT)
        .map(|w| {
            let pc = &k.tree.memcg(w).memory;
            calculate_overage(pc.usage, pc.high)
        })
        .max()
        .unwrap_or(0)
}

/// `mem_cgroup_v1_swap_usage`: memsw − memory when memsw is accounted.
fn v1_swap_usage(k: &Kernel, m: CgroupId) -> Pages {
    let mc = k.tree.memcg(m);
    if k.tree.memsw_account {
        mc.memsw.usage.saturating_sub(mc.memory.usage)
    } else {
        0
    }
}

/// Swap usage and swap.high of `m`: v2 the swap counter, v1 memsw − memory
/// against `memsw.high` (v1 `memory.swap.high`).
fn swap_usage_high(k: &Kernel, m: CgroupId) -> (Pages, Pages) {
    let mc = k.tree.memcg(m);
    match k.version() {
        crate::kernel::Version::V2 => (mc.swap.usage, mc.swap.high),
        crate::kernel::Version::V1 => (v1_swap_usage(k, m), mc.memsw.high),
    }
}

/// `swap_high` of the DONE_RESTOCK walk (§3 b.2).
pub fn swap_high(k: &Kernel, m: CgroupId) -> bool {
    let (usage, high) = swap_usage_high(k, m);
    usage > high
}

/// `swap_find_max_overage` (ALinux swap.high backport): the largest swap
/// overage of `m` and its ancestors, root excluded; each memcg with an
/// overage raises SWAP_HIGH.
fn swap_find_max_overage(k: &mut Kernel, m: CgroupId) -> u64 {
    let chain: alloc::vec::Vec<CgroupId> = k
        .tree
        .counter_chain(m)
        .filter(|&w| w != CgroupId::ROOT)
        .collect();
    let mut max = 0;
    for w in chain {
        let (usage, high) = swap_usage_high(k, w);
        let overage = calculate_overage(usage, high);
        if overage > 0 {
            k.memcg_swap_event(w, SwapEvent::High);
        }
        max = max.max(overage);
    }
    max
}

/// `mem_cgroup_handle_over_high` on return to user (§8.3). Returns the time
/// the task spends: reclaim plus the penalty sleep.
pub fn handle_over_high(k: &mut Kernel, costs: &CostModel, pid: Pid) -> Nanos {
    let Some(task) = k.tasks.get_mut(&pid) else {
        return 0;
    };
    let nr_pages = task.nr_pages_over_high;
    if nr_pages == 0 {
        return 0;
    }
    task.nr_pages_over_high = 0;
    let cg = task.cgroup;
    let m = k.effective_memcg(cg);
    if !k.config.flavour.has_high_penalty() {
        // Community 4.19: one reclaim_high pass, no penalty (§19.2).
        return reclaim_high(k, costs, m, nr_pages).1;
    }
    let mut retries = MAX_RECLAIM_RETRIES;
    let mut in_retry = false;
    let mut cost = 0;
    for _ in 0..10_000 {
        let (reclaimed, c) = reclaim_high(k, costs, m, if in_retry { 32 } else { nr_pages });
        cost += c;
        let penalty = (calculate_high_delay(nr_pages, max_overage(k, m))
            + calculate_high_delay(nr_pages, swap_find_max_overage(k, m)))
        .min(MEMCG_MAX_HIGH_DELAY_JIFFIES);
        if penalty <= HZ / 100 {
            return cost;
        }
        if reclaimed > 0 || retries > 0 {
            if reclaimed == 0 {
                retries -= 1;
            }
            in_retry = true;
            continue;
        }
        k.log(KEvent::HighPenalty {
            pid,
            memcg: m,
            jiffies: penalty,
        });
        k.stalls.high_sleep_ns += penalty * 1_000_000;
        return cost + penalty * 1_000_000;
    }
    cost
}

#[cfg(test)]
mod tests {
    use super::*;

    /// §17 memory.high penalty table (high = 100M = 25600 pages).
    #[test]
    fn high_delay_table() {
        let high = 25600;
        let table: &[(u64, u64, u64)] = &[
            (100, 0, 0),
            (101, 10485, 6),
            (102, 20971, 25),
            (103, 31457, 57),
            (104, 41943, 102),
            (105, 52428, 159),
            (106, 62914, 230),
            (107, 73400, 313),
            (108, 83886, 409),
            (109, 94371, 518),
            (110, 104857, 639),
            (111, 115343, 774),
            (112, 125829, 921),
            (113, 136314, 1081),
            (114, 146800, 1254),
            (115, 157286, 1439),
            (116, 167772, 1638),
            (117, 178257, 1849),
            (118, 188743, 2000),
            (119, 199229, 2000),
            (120, 209715, 2000),
        ];
        for &(mib, overage, jiffies) in table {
            let usage = mib * 256;
            assert_eq!(calculate_overage(usage, high), overage, "{mib}M");
            assert_eq!(high_penalty_jiffies(32, overage), jiffies, "{mib}M");
        }
        assert_eq!(calculate_high_delay(32, 188743), 2073, "raw before the cap");
        assert_eq!(
            high_penalty_jiffies(64, calculate_overage(105 * 256, high)),
            318
        );
        assert_eq!(
            high_penalty_jiffies(1, calculate_overage(110 * 256, high)),
            19
        );
        let (h30, u31) = (30 * 256, 31 * 256);
        assert_eq!(calculate_overage(u31, h30), 34952);
        assert_eq!(high_penalty_jiffies(32, 34952), 71);
    }
}
