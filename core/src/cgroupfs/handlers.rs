//! Read formats and the write handlers v1 and v2 share (§15, §16).

use alloc::format;
use alloc::string::String;
use core::fmt::Write as _;

use crate::charge::drain_all_stock;
use crate::charge::MAX_RECLAIM_RETRIES;
use crate::flavour::KernelFlavour;
use crate::kernel::{Kernel, SHELL_PID};
use crate::reclaim::try_to_free_mem_cgroup_pages;
use crate::reclaim::SWAP_CLUSTER_MAX;
use crate::tree::{CgroupId, Memcg};
use crate::units::{
    kstrtoint, kstrtouint, kstrtoull, page_counter_memparse, pages_to_bytes, strstrip, Pages,
    PAGE_COUNTER_MAX,
};
use crate::wmark::{
    setup_memcg_wmark, ASYNC_DISTANCE_FACTOR_MAX, HIGH_ASYNC_RATIO_BASE, HIGH_ASYNC_RATIO_GAP,
};
use crate::Errno;

// ---------------------------------------------------------------------------
// Read helpers

pub(super) fn bytes_line(pages: Pages) -> String {
    format!("{}\n", pages_to_bytes(pages))
}

/// v2 style: "max" at PAGE_COUNTER_MAX, else bytes (§16).
pub(super) fn max_or_bytes(pages: Pages) -> String {
    if pages == PAGE_COUNTER_MAX {
        String::from("max\n")
    } else {
        bytes_line(pages)
    }
}

pub(super) fn u64_line(v: u64) -> String {
    format!("{v}\n")
}

pub(super) fn memcg(k: &Kernel, id: CgroupId) -> &Memcg {
    k.tree.memcg(id)
}

// ---------------------------------------------------------------------------
// Write handlers

/// `page_counter_memparse` on a stripped buffer.
pub(super) fn parse_limit(buf: &str, maxstr: &str) -> Result<Pages, Errno> {
    page_counter_memparse(strstrip(buf), maxstr)
}

pub(super) fn soft_limit_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    let pages = parse_limit(buf, "-1")?;
    k.tree.memcg_mut(id).soft_limit = pages;
    Ok(())
}

/// `memory_high_write` (ALinux, §12.3): drain, reclaim until under (six
/// zero-progress attempts at most), *then* store high, recompute the
/// watermarks and queue. No HIGH event.
pub(super) fn high_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    let high = parse_limit(buf, "max")?;
    let costs = k.costs;
    if k.flavour() == KernelFlavour::Linux419 {
        // Community 4.19 `memory_high_write`: store, then one reclaim call
        // for the excess, no drain, no retries (§19.2).
        k.tree.memcg_mut(id).memory.high = high;
        let usage = k.tree.memcg(id).memory.usage;
        if usage > high {
            try_to_free_mem_cgroup_pages(k, &costs, id, usage - high, true);
        }
        return Ok(());
    }
    let mut drained = false;
    let mut retries = 5u32;
    for _ in 0..1_000_000 {
        let usage = k.tree.memcg(id).memory.usage;
        if usage <= high {
            break;
        }
        if !drained {
            drain_all_stock(k, id);
            drained = true;
            continue;
        }
        let p = try_to_free_mem_cgroup_pages(k, &costs, id, usage - high, true);
        if p.reclaimed == 0 {
            if retries == 0 {
                break;
            }
            retries -= 1;
        }
    }
    let m = k.tree.memcg_mut(id);
    m.memory.high = high;
    setup_memcg_wmark(m);
    k.queue_wmark_work_if_needed(id);
    // TencentOS: setup_async_wmark, queue if over async_high (§19.5).
    k.async_wmark_update(id, true);
    Ok(())
}

/// `memory.reclaim` (Linux 6.6 `memory_reclaim`, §19.3): the size as
/// `page_counter_memparse(buf, "")` (an empty write asks for everything),
/// then `try_to_free_mem_cgroup_pages` for at most 32 pages at a time until
/// that much was reclaimed; EAGAIN after `MAX_RECLAIM_RETRIES` + 1 calls
/// that reclaimed nothing. 6.6 takes no `swappiness=` key: it fails the
/// parse (EINVAL).
pub(super) fn memory_reclaim_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    let nr_to_reclaim = parse_limit(buf, "")?;
    let costs = k.costs;
    let mut nr_retries = MAX_RECLAIM_RETRIES;
    let mut nr_reclaimed: Pages = 0;
    while nr_reclaimed < nr_to_reclaim {
        // The final attempt's lru_add_drain_all: no per-CPU LRU caches here.
        let ask = (nr_to_reclaim - nr_reclaimed).min(SWAP_CLUSTER_MAX);
        let reclaimed = try_to_free_mem_cgroup_pages(k, &costs, id, ask, true).reclaimed;
        if reclaimed == 0 {
            if nr_retries == 0 {
                return Err(Errno::EAGAIN);
            }
            nr_retries -= 1;
        }
        nr_reclaimed += reclaimed;
    }
    Ok(())
}

/// TencentOS `memory_async_reclaim_wmark_show`: "%d\n".
pub(super) fn async_ratio_read(k: &Kernel, id: CgroupId) -> String {
    format!("{}\n", memcg(k, id).async_ratio)
}

/// TencentOS `memory_async_reclaim_wmark_write` (§19.5): `kstrtoint` base
/// 0 (its EINVAL or ERANGE), `> 100` → EINVAL with no lower bound (a
/// negative ratio is stored), then `setup_async_wmark` and a queue if over
/// `async_high`.
pub(super) fn async_ratio_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    let v = kstrtoint(strstrip(buf))?;
    if v > 100 {
        return Err(Errno::EINVAL);
    }
    k.tree.memcg_mut(id).async_ratio = v;
    k.async_wmark_update(id, true);
    Ok(())
}

/// TencentOS `memory_async_distance_factor_show`: "%d\n".
pub(super) fn async_distance_factor_read(k: &Kernel, id: CgroupId) -> String {
    format!("{}\n", memcg(k, id).async_distance_factor)
}

/// TencentOS `memory_async_distance_factor_write` (§19.5): `kstrtoint`
/// base 0, 1..=150000 (EINVAL otherwise), `setup_async_wmark`; nothing is
/// queued.
pub(super) fn async_distance_factor_write(
    k: &mut Kernel,
    id: CgroupId,
    buf: &str,
) -> Result<(), Errno> {
    let v = kstrtoint(strstrip(buf))?;
    if !(1..=ASYNC_DISTANCE_FACTOR_MAX).contains(&v) {
        return Err(Errno::EINVAL);
    }
    k.tree.memcg_mut(id).async_distance_factor = v;
    k.async_wmark_update(id, false);
    Ok(())
}

/// openEuler `memcg_high_async_ratio_show`.
pub(super) fn high_async_ratio_read(k: &Kernel, id: CgroupId) -> String {
    format!("{}\n", memcg(k, id).high_async_ratio)
}

/// openEuler `memcg_high_async_ratio_write` (§19.4): `kstrtoint`, then
/// 11..=100 (EINVAL otherwise); nothing is queued by the write.
pub(super) fn high_async_ratio_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    let v = kstrtoint(strstrip(buf))?;
    if v > HIGH_ASYNC_RATIO_BASE as i32 || v <= HIGH_ASYNC_RATIO_GAP as i32 {
        return Err(Errno::EINVAL);
    }
    k.tree.memcg_mut(id).high_async_ratio = v as u32;
    Ok(())
}

pub(super) fn min_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    let v = parse_limit(buf, "max")?;
    k.tree.page_counter_set_protection(id, Some(v), None);
    Ok(())
}

pub(super) fn low_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    let v = parse_limit(buf, "max")?;
    k.tree.page_counter_set_protection(id, None, Some(v));
    Ok(())
}

/// `memory_wmark_ratio_write` (§9.5, §15): strstrip, kstrtouint into an
/// `int`, signed `> 100` check (so ≥ 2^31 passes), store, recompute, queue.
pub(super) fn wmark_ratio_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    let v = kstrtouint(strstrip(buf))?;
    if (v as i32) > 100 {
        return Err(Errno::EINVAL);
    }
    let m = k.tree.memcg_mut(id);
    m.wmark_ratio = v;
    setup_memcg_wmark(m);
    k.queue_wmark_work_if_needed(id);
    Ok(())
}

/// `memory_wmark_scale_factor_write`: 1..=1000 (signed compare), recompute,
/// no queue (§9.5).
pub(super) fn wmark_scale_factor_write(
    k: &mut Kernel,
    id: CgroupId,
    buf: &str,
) -> Result<(), Errno> {
    let v = kstrtouint(strstrip(buf))?;
    let s = v as i32;
    if !(1..=1000).contains(&s) {
        return Err(Errno::EINVAL);
    }
    let m = k.tree.memcg_mut(id);
    m.wmark_scale_factor = v;
    setup_memcg_wmark(m);
    Ok(())
}

pub(super) fn oom_group_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    let v = kstrtoint(strstrip(buf))?;
    if v != 0 && v != 1 {
        return Err(Errno::EINVAL);
    }
    k.tree.memcg_mut(id).oom_group = v == 1;
    Ok(())
}

pub(super) fn priority_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    let v = kstrtoull(buf)?;
    if v > 12 {
        return Err(Errno::EINVAL);
    }
    k.tree.memcg_mut(id).priority = v;
    Ok(())
}

pub(super) fn use_priority_oom_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    let v = kstrtoull(buf)?;
    if v > 1 {
        return Err(Errno::EINVAL);
    }
    k.tree.memcg_mut(id).use_priority_oom = v == 1;
    Ok(())
}

pub(super) fn reset_peak(k: &mut Kernel, id: CgroupId, _buf: &str) -> Result<(), Errno> {
    let m = &mut k.tree.memcg_mut(id).memory;
    m.watermark = m.usage;
    Ok(())
}

pub(super) fn reset_failcnt(k: &mut Kernel, id: CgroupId, _buf: &str) -> Result<(), Errno> {
    k.tree.memcg_mut(id).memory.failcnt = 0;
    Ok(())
}

/// `cgroup.procs` / `tasks`: a pid (0 = the writer, the shell), ESRCH when
/// unknown.
pub(super) fn procs_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    let pid = kstrtoint(strstrip(buf))?;
    if pid < 0 {
        return Err(Errno::EINVAL);
    }
    let pid = if pid == 0 { SHELL_PID } else { pid as u32 };
    crate::migrate::attach(k, pid, id)
}

pub(super) fn procs_read(k: &Kernel, id: CgroupId) -> String {
    let mut s = String::new();
    for pid in k.tree.cg(id).procs.iter() {
        let _ = writeln!(s, "{pid}");
    }
    s
}

/// `memory.pressure` (§18.10): the cgroup's PSI group, `psi_system` at the
/// root (`cgroup->id == 1`).
pub(super) fn pressure_read(k: &Kernel, id: CgroupId) -> String {
    k.psi.pressure(id).unwrap_or_default().text()
}

/// A trigger write (`psi_trigger_create`'s checks); it lasts while the file
/// is open, so nothing stays.
pub(super) fn pressure_write(_k: &mut Kernel, _id: CgroupId, buf: &str) -> Result<(), Errno> {
    crate::psi::psi_trigger_parse(buf)
}
