//! Memcg OOM (spec §11): `mem_cgroup_oom`, victim choice, kill, oom.group.

use alloc::vec::Vec;

use crate::kernel::{KEvent, Kernel};
use crate::tree::{CgroupId, MemcgEvent, Pid};
use crate::units::PAGE_ALLOC_COSTLY_ORDER;

/// Outcome of `mem_cgroup_oom` (§11.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OomResult {
    Success,
    Failed,
    Skipped,
    /// v1 `oom_kill_disable`: the fault fails and the task waits.
    Async,
}

/// `mem_cgroup_oom(m, gfp, order)`, ALinux 4.19.
pub fn mem_cgroup_oom(k: &mut Kernel, m: CgroupId, order: u32, current: Option<Pid>) -> OomResult {
    if order > PAGE_ALLOC_COSTLY_ORDER {
        return OomResult::Skipped;
    }
    k.memcg_memory_event(m, MemcgEvent::Oom);
    if k.tree.memcg(m).oom_kill_disable {
        k.tree.memcg_mut(m).under_oom = true;
        return OomResult::Async;
    }
    if mem_cgroup_out_of_memory(k, m, order, current) {
        OomResult::Success
    } else {
        OomResult::Failed
    }
}

/// `totalpages` for badness: `mem_cgroup_get_max` (ALinux 4.19): memory.max,
/// plus the swap it may use when swappiness > 0 (swap.max, at most the swap
/// space), at most memsw.max (v1; max in v2).
fn totalpages(k: &Kernel, m: CgroupId) -> u64 {
    let mc = k.tree.memcg(m);
    let mut max = mc.memory.max;
    if k.swappiness(m) > 0 {
        let swap = mc.swap.max.min(k.config.swap_pages);
        max = max.saturating_add(swap).min(mc.memsw.max);
    }
    max
}

/// `mem_cgroup_out_of_memory` (§11.2): true when the charge may retry.
pub fn mem_cgroup_out_of_memory(
    k: &mut Kernel,
    m: CgroupId,
    order: u32,
    current: Option<Pid>,
) -> bool {
    if k.mem_cgroup_margin(m) >= 1 << order {
        return true;
    }
    if current.is_some_and(|p| k.tasks.get(&p).is_some_and(|t| t.dying)) {
        return true;
    }
    let total = totalpages(k, m) as i64;
    let mut chosen: Option<(Pid, i64)> = None;
    // mem_cgroup_scan_tasks: the tasks charged in m's subtree (its memcgs'
    // task indexes, §18.4), in pid order as a walk of every task would be.
    let mut pids: Vec<Pid> = k
        .tree
        .css_subtree(m)
        .into_iter()
        .flat_map(|c| k.tree.memcg(c).tasks.iter().copied())
        .collect();
    pids.sort_unstable();
    for t in pids.iter().map(|p| &k.tasks[p]) {
        if t.oom_score_adj == -1000 {
            continue;
        }
        if t.dying {
            // An earlier victim is still exiting: no new kill.
            return true;
        }
        // oom_badness: `adj *= totalpages / 1000`, the division first.
        let points =
            (t.pages.anon() + t.pages.swapped) as i64 + i64::from(t.oom_score_adj) * (total / 1000);
        let points = points.max(1);
        if chosen.is_none_or(|(_, p)| points > p) {
            chosen = Some((t.pid, points));
        }
    }
    let Some((victim, _)) = chosen else {
        return false;
    };
    let victim_cg = k.tasks[&victim].cgroup;
    // memory.oom.group: the highest ancestor up to m with oom.group = 1.
    let mut group = None;
    let mut at = Some(victim_cg);
    while let Some(c) = at {
        if k.tree.cg(c).memcg.as_ref().is_some_and(|mc| mc.oom_group) {
            group = Some(c);
        }
        if c == m {
            break;
        }
        at = k.tree.cg(c).parent;
    }
    let members: Vec<Pid> = match group {
        Some(g) => k
            .tasks
            .values()
            .filter(|t| k.tree.is_ancestor_or_self(g, t.cgroup) && t.oom_score_adj != -1000)
            .map(|t| t.pid)
            .collect(),
        None => Vec::new(),
    };
    let victim_memcg = k.effective_memcg(victim_cg);
    kill(k, victim);
    for pid in members {
        if pid == victim {
            // oom.group visits the victim again: OOM_KILL counts twice (§11.2).
            k.memcg_memory_event(victim_memcg, MemcgEvent::OomKill);
        } else {
            kill(k, pid);
        }
    }
    true
}

/// SIGKILL + oom reaper: raise OOM_KILL and mark the task dying. The engine
/// reaps it (frees its pages) before anything else runs.
fn kill(k: &mut Kernel, pid: Pid) {
    let Some(t) = k.tasks.get_mut(&pid) else {
        return;
    };
    t.dying = true;
    let cg = t.cgroup;
    let m = k.effective_memcg(cg);
    k.memcg_memory_event(m, MemcgEvent::OomKill);
    k.log(KEvent::OomKill { pid, memcg: m });
    k.reap(pid);
}
