//! Moving a task between memcgs: a `cgroup.procs` / `tasks` write
//! (docs/model.md §18.6), as 4.19 `mm/memcontrol.c` does it.
//!
//! v2 never moves charges: the pages a task charged stay charged to the
//! memcg it leaves. v1 moves them only as the *destination's*
//! `memory.move_charge_at_immigrate` says (`mem_cgroup_can_attach`): bit 1
//! (`MOVE_ANON`) the task's anon pages, bit 2 (`MOVE_FILE`) the file pages
//! it maps. Before anything moves, `mem_cgroup_precharge_mc` charges the
//! destination for all of them, reclaiming from it if need be; if that
//! fails the write fails with `-ENOMEM` and the task stays where it was.

use crate::charge::drain_all_stock;
use crate::counter::CounterKind;
use crate::kernel::{Kernel, Version, MOVE_ANON, MOVE_FILE};
use crate::reclaim::try_to_free_mem_cgroup_pages;
use crate::tree::{CgroupId, MemcgEvent, Pid};
use crate::units::Pages;
use crate::Errno;

/// A write of `pid` to `dst`'s `cgroup.procs`: `mem_cgroup_can_attach`
/// (precharge), then `cgroup_migrate` and `mem_cgroup_move_charge`.
pub fn attach(k: &mut Kernel, pid: Pid, dst: CgroupId) -> Result<(), Errno> {
    k.can_attach(pid, dst)?;
    let src = k.tasks[&pid].cgroup;
    let (from, to) = (k.effective_memcg(src), k.effective_memcg(dst));
    let flags = if k.version() == Version::V1 && from != to {
        k.tree.memcg(to).move_charge_at_immigrate & (MOVE_ANON | MOVE_FILE)
    } else {
        0
    };
    let count = mem_cgroup_count_precharge(k, pid, flags);
    if count > 0 {
        mem_cgroup_do_precharge(k, to, count)?;
    }
    // The precharge's reclaim may have taken some of the task's own pages
    // (the destination can be an ancestor): what is left of the precharge
    // after the move is cancelled (`__mem_cgroup_clear_mc`).
    let moved = mem_cgroup_count_precharge(k, pid, flags);
    k.cgroup_migrate(pid, dst, flags);
    if count > moved && to != CgroupId::ROOT {
        k.tree
            .page_counter_uncharge(to, count - moved, CounterKind::Memory);
    }
    Ok(())
}

/// `mem_cgroup_count_precharge`: the pages the move will take. In the page
/// model the task's anon pages (resident; v1 swap carries no charge without
/// memsw accounting) and its file working set, the file pages it maps.
/// Page cache no task maps (the memcg's cold cache) never moves.
pub fn mem_cgroup_count_precharge(k: &Kernel, pid: Pid, flags: u64) -> Pages {
    let Some(t) = k.tasks.get(&pid) else {
        return 0;
    };
    let mut n = 0;
    if flags & MOVE_ANON != 0 {
        n += t.pages.anon();
    }
    if flags & MOVE_FILE != 0 {
        n += t.pages.file_hot;
    }
    n
}

/// `mem_cgroup_do_precharge(count)` into `to`: one bulk charge without
/// reclaim, else page by page with reclaim and `__GFP_NORETRY` (one
/// reclaim, one drain, no retries, no OOM). On failure the pages already
/// precharged are cancelled (`mem_cgroup_clear_mc`) and the write returns
/// `-ENOMEM`. Modelled: the charges bypass the per-CPU stock, and the
/// reclaim takes no virtual time (a shell write is instant, §18.3).
pub fn mem_cgroup_do_precharge(k: &mut Kernel, to: CgroupId, count: Pages) -> Result<(), Errno> {
    if to == CgroupId::ROOT {
        return Ok(());
    }
    if charge_counters(k, to, count).is_ok() {
        return Ok(());
    }
    let costs = k.costs;
    let mut done: Pages = 0;
    while done < count {
        if try_charge_noretry(k, &costs, to).is_err() {
            if done > 0 {
                k.tree.page_counter_uncharge(to, done, CounterKind::Memory);
            }
            return Err(Errno::ENOMEM);
        }
        done += 1;
    }
    Ok(())
}

/// `try_charge(to, GFP_KERNEL | __GFP_NORETRY, 1)` without the stock.
fn try_charge_noretry(
    k: &mut Kernel,
    costs: &crate::lru::CostModel,
    to: CgroupId,
) -> Result<(), Errno> {
    let mut drained = false;
    // The kernel loops while reclaim leaves a margin; bound it.
    for _ in 0..64 {
        let (over, memsw) = match charge_counters(k, to, 1) {
            Ok(()) => return Ok(()),
            Err(e) => e,
        };
        k.memcg_memory_event(over, MemcgEvent::Max);
        // Over memsw, swapping cannot help (try_charge's may_swap).
        try_to_free_mem_cgroup_pages(k, costs, over, 1, !memsw);
        if k.mem_cgroup_margin(over) >= 1 {
            continue;
        }
        if !drained {
            drain_all_stock(k, over);
            drained = true;
            continue;
        }
        break;
    }
    Err(Errno::ENOMEM)
}

/// The counters `try_charge` charges: memsw first when it is accounted (v1),
/// then memory; a memory failure cancels the memsw charge. The error names
/// the memcg over its limit and whether that limit was memsw's.
fn charge_counters(k: &mut Kernel, to: CgroupId, n: Pages) -> Result<(), (CgroupId, bool)> {
    let memsw = k.tree.memsw_account;
    if memsw {
        k.tree
            .page_counter_try_charge(to, n, CounterKind::Memsw)
            .map_err(|over| (over, true))?;
    }
    if let Err(over) = k.tree.page_counter_try_charge(to, n, CounterKind::Memory) {
        if memsw {
            k.tree.page_counter_uncharge(to, n, CounterKind::Memsw);
        }
        return Err((over, false));
    }
    Ok(())
}
