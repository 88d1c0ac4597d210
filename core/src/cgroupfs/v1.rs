//! The v1 (legacy hierarchy) files: their own handlers, then the tables
//! (ALinux 4.19 `mem_cgroup_legacy_files` and `cgroup1_base_files`, §15).

use alloc::format;
use alloc::string::{String, ToString};

use super::handlers::*;
use super::stat::{events_text, hierarchical_stat, numa_stat_read, swap_events_text, v1_stat_read};
use super::{
    CfType, ALINUX, MEM, NOT_ON_ROOT, ONLY_ON_ROOT, OPENEULER, TENCENTOS, V1_EXPORT,
    V1_EXPORT_NOT_TENCENT, WORLD_WRITABLE,
};
use crate::charge::drain_all_stock;
use crate::kernel::Kernel;
use crate::reclaim::try_to_free_mem_cgroup_pages;
use crate::tree::{CgroupId, MemcgEvent};
use crate::units::{kstrtoint, kstrtoll, kstrtouint, kstrtoull, strstrip, Pages};
use crate::wmark::setup_memcg_wmark;
use crate::Errno;

/// `mem_cgroup_resize_max` for the memory or the memsw counter (§12.1):
/// memory.max ≤ memsw.max must hold after the write (EINVAL); drain once,
/// then reclaim ≥ 32 pages per try (without swap for memsw); EBUSY on zero
/// progress. On error the limit and the watermarks are unchanged.
fn mem_cgroup_resize_max(
    k: &mut Kernel,
    id: CgroupId,
    max: Pages,
    memsw: bool,
) -> Result<(), Errno> {
    let costs = k.costs;
    let mut drained = false;
    for _ in 0..1_000_000 {
        let mc = k.tree.memcg_mut(id);
        let limits_invariant = if memsw {
            max >= mc.memory.max
        } else {
            max <= mc.memsw.max
        };
        if !limits_invariant {
            return Err(Errno::EINVAL);
        }
        let counter = if memsw { &mut mc.memsw } else { &mut mc.memory };
        if counter.set_max(max).is_ok() {
            setup_memcg_wmark(k.tree.memcg_mut(id));
            k.queue_wmark_work_if_needed(id);
            k.async_wmark_update(id, true);
            return Ok(());
        }
        if !drained {
            drain_all_stock(k, id);
            drained = true;
            continue;
        }
        let p = try_to_free_mem_cgroup_pages(k, &costs, id, 1, !memsw);
        if p.reclaimed == 0 {
            return Err(Errno::EBUSY);
        }
    }
    Err(Errno::EBUSY)
}

fn v1_limit_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    let pages = parse_limit(buf, "-1")?;
    if id == CgroupId::ROOT {
        return Err(Errno::EINVAL);
    }
    mem_cgroup_resize_max(k, id, pages, false)
}

/// `memory.memsw.limit_in_bytes` (`mem_cgroup_write`, `_MEMSWAP`).
fn memsw_limit_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    let pages = parse_limit(buf, "-1")?;
    if id == CgroupId::ROOT {
        return Err(Errno::EINVAL);
    }
    mem_cgroup_resize_max(k, id, pages, true)
}

fn reset_memsw_peak(k: &mut Kernel, id: CgroupId, _buf: &str) -> Result<(), Errno> {
    let m = &mut k.tree.memcg_mut(id).memsw;
    m.watermark = m.usage;
    Ok(())
}

fn reset_memsw_failcnt(k: &mut Kernel, id: CgroupId, _buf: &str) -> Result<(), Errno> {
    k.tree.memcg_mut(id).memsw.failcnt = 0;
    Ok(())
}

/// v1 `memory.swap.high` (`swap_high_write`): memsw.high, no reclaim; the
/// penalty of `mem_cgroup_handle_over_high` reads it (§8.3).
fn v1_swap_high_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    let v = parse_limit(buf, "max")?;
    k.tree.memcg_mut(id).memsw.high = v;
    Ok(())
}

/// `mem_cgroup_usage(memcg, swap = true)`: the root reads its page
/// statistics (file + anon + swap), others the memsw counter.
fn memsw_usage_read(k: &Kernel, id: CgroupId) -> String {
    if id == CgroupId::ROOT {
        let v = hierarchical_stat(k, id);
        return bytes_line(v.file() + v.anon() + v.swap);
    }
    bytes_line(memcg(k, id).memsw.usage)
}

/// v1 kmem / kmem.tcp limits: stored; no wmark effect.
fn v1_kmem_limit_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    let pages = parse_limit(buf, "-1")?;
    if id == CgroupId::ROOT {
        return Err(Errno::EINVAL);
    }
    k.tree.memcg_mut(id).kmem.set_max(pages)
}

fn v1_tcp_limit_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    let pages = parse_limit(buf, "-1")?;
    if id == CgroupId::ROOT {
        return Err(Errno::EINVAL);
    }
    k.tree.memcg_mut(id).tcpmem.set_max(pages)
}

fn wmark_min_adj_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    let v = kstrtoint(strstrip(buf))?;
    if !(-25..=50).contains(&v) {
        return Err(Errno::EINVAL);
    }
    k.tree.memcg_mut(id).wmark_min_adj = v;
    Ok(())
}

fn reset_kmem_peak(k: &mut Kernel, id: CgroupId, _buf: &str) -> Result<(), Errno> {
    let m = &mut k.tree.memcg_mut(id).kmem;
    m.watermark = m.usage;
    Ok(())
}

fn reset_kmem_failcnt(k: &mut Kernel, id: CgroupId, _buf: &str) -> Result<(), Errno> {
    k.tree.memcg_mut(id).kmem.failcnt = 0;
    Ok(())
}

fn reset_tcp_peak(k: &mut Kernel, id: CgroupId, _buf: &str) -> Result<(), Errno> {
    let m = &mut k.tree.memcg_mut(id).tcpmem;
    m.watermark = m.usage;
    Ok(())
}

fn reset_tcp_failcnt(k: &mut Kernel, id: CgroupId, _buf: &str) -> Result<(), Errno> {
    k.tree.memcg_mut(id).tcpmem.failcnt = 0;
    Ok(())
}

/// v1 `force_empty` (§15): root → EINVAL; drain, then reclaim until usage
/// is 0 or after five zero-progress rounds; returns 0.
fn force_empty_write(k: &mut Kernel, id: CgroupId, _buf: &str) -> Result<(), Errno> {
    if id == CgroupId::ROOT {
        return Err(Errno::EINVAL);
    }
    let costs = k.costs;
    drain_all_stock(k, id);
    let mut retries = 5u32;
    for _ in 0..1_000_000 {
        if retries == 0 || k.tree.memcg(id).memory.usage == 0 {
            break;
        }
        let p = try_to_free_mem_cgroup_pages(k, &costs, id, 1, true);
        if p.reclaimed == 0 {
            retries -= 1;
        }
    }
    Ok(())
}

/// `mem_cgroup_hierarchy_write` (§15).
fn use_hierarchy_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    let v = kstrtoull(buf)?;
    let m = k.tree.memcg(id);
    if u64::from(m.use_hierarchy) == v {
        return Ok(());
    }
    let parent_hier = k
        .tree
        .cg(id)
        .parent
        .map(|p| k.tree.memcg(p).use_hierarchy)
        .unwrap_or(false);
    if !parent_hier && (v == 0 || v == 1) {
        // memcg_has_children: offline children count until released.
        if !k.tree.cg(id).children.is_empty() || !k.tree.cg(id).dying.is_empty() {
            return Err(Errno::EBUSY);
        }
        k.tree.memcg_mut(id).use_hierarchy = v == 1;
        Ok(())
    } else {
        Err(Errno::EINVAL)
    }
}

/// `mem_cgroup_swappiness_write` (ALinux, §15): up to 100, -1 on the
/// root. Upstream's takes a u64 (`write_u64`, so no -1) up to 100 on 4.19
/// and 200 from 5.15 (§19.6).
fn swappiness_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    let is_root = id == CgroupId::ROOT;
    let alinux = k.flavour() == crate::flavour::KernelFlavour::Alinux419;
    let v = if alinux {
        kstrtoll(buf)?
    } else {
        i64::try_from(kstrtoull(buf)?).map_err(|_| Errno::EINVAL)?
    };
    if !(-1..=k.flavour().max_swappiness()).contains(&v) || (!is_root && v < 0) {
        return Err(Errno::EINVAL);
    }
    if is_root {
        k.vm_swappiness = v;
    } else {
        k.tree.memcg_mut(id).swappiness = v;
    }
    Ok(())
}

/// `mem_cgroup_move_charge_write`: the MOVE_ANON|MOVE_FILE bits; after
/// charge moving was removed (`linux-6.18`), 0 only (§19.6).
fn move_charge_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    let v = kstrtoull(buf)?;
    let mask = if k.flavour().has_move_charge() {
        0x3
    } else {
        0
    };
    if v & !mask != 0 {
        return Err(Errno::EINVAL);
    }
    k.tree.memcg_mut(id).move_charge_at_immigrate = v;
    Ok(())
}

fn oom_control_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    let v = kstrtoull(buf)?;
    if id == CgroupId::ROOT || !(v == 0 || v == 1) {
        return Err(Errno::EINVAL);
    }
    k.tree.memcg_mut(id).oom_kill_disable = v == 1;
    Ok(())
}

/// v1 `cgroup.event_control`: "<event_fd> <control_fd> <args>". The
/// simulated shell has no eventfds open, so well-formed lines fail EBADF.
fn event_control_write(_k: &mut Kernel, _id: CgroupId, buf: &str) -> Result<(), Errno> {
    let s = strstrip(buf);
    let mut it = s.splitn(3, ' ');
    let efd = it.next().unwrap_or("");
    let cfd = it.next().unwrap_or("");
    if efd.is_empty() || cfd.is_empty() {
        return Err(Errno::EINVAL);
    }
    kstrtouint(efd).map_err(|_| Errno::EINVAL)?;
    kstrtouint(cfd).map_err(|_| Errno::EINVAL)?;
    Err(Errno::EBADF)
}

fn clone_children_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    let v = kstrtoull(buf)?;
    k.tree.cg_mut(id).clone_children = v != 0;
    Ok(())
}

fn notify_on_release_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    let v = kstrtoull(buf)?;
    k.tree.cg_mut(id).notify_on_release = v != 0;
    Ok(())
}

fn release_agent_write(k: &mut Kernel, _id: CgroupId, buf: &str) -> Result<(), Errno> {
    k.release_agent = strstrip(buf).to_string();
    Ok(())
}

fn exstat_read(k: &Kernel, id: CgroupId) -> String {
    let m = memcg(k, id);
    format!(
        "wmark_min_throttled_ms {}\nwmark_reclaim_work_ms {}\n",
        m.wmark_min_throttled_ns >> 20,
        m.wmark_reclaim_ns >> 20
    )
}

fn oom_control_read(k: &Kernel, id: CgroupId) -> String {
    let m = memcg(k, id);
    format!(
        "oom_kill_disable {}\nunder_oom {}\noom_kill {}\n",
        u8::from(m.oom_kill_disable),
        u8::from(m.under_oom),
        m.events_local[MemcgEvent::OomKill as usize]
    )
}

/// v1 `usage_in_bytes`; the root reads the page statistics (file + anon of
/// the whole machine) rather than its counter (§15).
fn v1_usage_read(k: &Kernel, id: CgroupId) -> String {
    if id == CgroupId::ROOT {
        let v = hierarchical_stat(k, id);
        return bytes_line(v.file() + v.anon());
    }
    bytes_line(memcg(k, id).memory.usage)
}

const SLABINFO_HEADER: &str = "slabinfo - version: 2.1\n# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>\n";

/// v1 memory files (ALinux 4.19 `mem_cgroup_legacy_files`, §15).
pub static V1_MEMORY_FILES: &[CfType] = &[
    // openEuler OLK-6.6 exports to v1 (CONFIG_MEMCG_V1_RECLAIM, _QOS, §19.4).
    file!(
        "memory.reclaim",
        MEM | OPENEULER,
        None,
        Some(memory_reclaim_write)
    ),
    file!(
        "memory.high_async_ratio",
        MEM | NOT_ON_ROOT | OPENEULER,
        Some(high_async_ratio_read),
        Some(high_async_ratio_write)
    ),
    // TencentOS `mem_cgroup_legacy_files` (§19.5): v1 reads of the marks
    // are `mem_cgroup_read_u64` bytes (ASYNC_HIGH_LIMIT, ASYNC_LOW_LIMIT).
    file!(
        "memory.async_ratio",
        MEM | NOT_ON_ROOT | TENCENTOS,
        Some(async_ratio_read),
        Some(async_ratio_write)
    ),
    file!(
        "memory.async_high",
        MEM | NOT_ON_ROOT | TENCENTOS,
        Some(|k, id| bytes_line(memcg(k, id).async_high)),
        None
    ),
    file!(
        "memory.async_low",
        MEM | NOT_ON_ROOT | TENCENTOS,
        Some(|k, id| bytes_line(memcg(k, id).async_low)),
        None
    ),
    file!(
        "memory.async_distance_factor",
        MEM | NOT_ON_ROOT | TENCENTOS,
        Some(async_distance_factor_read),
        Some(async_distance_factor_write)
    ),
    file!("memory.usage_in_bytes", MEM, Some(v1_usage_read), None),
    file!(
        "memory.max_usage_in_bytes",
        MEM,
        Some(|k, id| bytes_line(memcg(k, id).memory.watermark)),
        Some(reset_peak)
    ),
    file!(
        "memory.limit_in_bytes",
        MEM,
        Some(|k, id| bytes_line(memcg(k, id).memory.max)),
        Some(v1_limit_write)
    ),
    file!(
        "memory.soft_limit_in_bytes",
        MEM,
        Some(|k, id| bytes_line(memcg(k, id).soft_limit)),
        Some(soft_limit_write)
    ),
    file!(
        "memory.failcnt",
        MEM,
        Some(|k, id| u64_line(memcg(k, id).memory.failcnt)),
        Some(reset_failcnt)
    ),
    file!("memory.stat", MEM, Some(v1_stat_read), None),
    file!("memory.exstat", MEM | ALINUX, Some(exstat_read), None),
    file!(
        "memory.wmark_ratio",
        MEM | NOT_ON_ROOT | ALINUX,
        Some(|k, id| format!("{}\n", memcg(k, id).wmark_ratio as i32)),
        Some(wmark_ratio_write)
    ),
    file!(
        "memory.wmark_high",
        MEM | NOT_ON_ROOT | ALINUX,
        Some(|k, id| bytes_line(memcg(k, id).memory.wmark_high)),
        None
    ),
    file!(
        "memory.wmark_low",
        MEM | NOT_ON_ROOT | ALINUX,
        Some(|k, id| bytes_line(memcg(k, id).memory.wmark_low)),
        None
    ),
    file!(
        "memory.wmark_scale_factor",
        MEM | NOT_ON_ROOT | ALINUX,
        Some(|k, id| format!("{}\n", memcg(k, id).wmark_scale_factor as i32)),
        Some(wmark_scale_factor_write)
    ),
    file!(
        "memory.wmark_min_adj",
        MEM | NOT_ON_ROOT | ALINUX,
        Some(|k, id| format!("{}\n", memcg(k, id).wmark_min_adj)),
        Some(wmark_min_adj_write)
    ),
    file!("memory.force_empty", MEM, None, Some(force_empty_write)),
    file!(
        "memory.use_hierarchy",
        MEM,
        Some(|k, id| u64_line(u64::from(memcg(k, id).use_hierarchy))),
        Some(use_hierarchy_write)
    ),
    file!(
        "memory.use_priority_oom",
        MEM | ALINUX,
        Some(|k, id| u64_line(u64::from(memcg(k, id).use_priority_oom))),
        Some(use_priority_oom_write)
    ),
    file!(
        "memory.priority",
        MEM | NOT_ON_ROOT | ALINUX,
        Some(|k, id| u64_line(memcg(k, id).priority)),
        Some(priority_write)
    ),
    file!(
        "memory.swappiness",
        MEM,
        Some(|k, id| format!("{}\n", k.swappiness(id))),
        Some(swappiness_write)
    ),
    file!(
        "memory.move_charge_at_immigrate",
        MEM,
        Some(|k, id| u64_line(memcg(k, id).move_charge_at_immigrate)),
        Some(move_charge_write)
    ),
    file!(
        "memory.oom_control",
        MEM,
        Some(oom_control_read),
        Some(oom_control_write)
    ),
    file!(
        "memory.oom.group",
        MEM | NOT_ON_ROOT | ALINUX,
        Some(|k, id| format!("{}\n", u8::from(memcg(k, id).oom_group))),
        Some(oom_group_write)
    ),
    file!("memory.pressure_level", MEM, None, None),
    file!("memory.numa_stat", MEM, Some(numa_stat_read), None),
    file!(
        "memory.kmem.limit_in_bytes",
        MEM,
        Some(|k, id| bytes_line(memcg(k, id).kmem.max)),
        Some(v1_kmem_limit_write)
    ),
    file!(
        "memory.kmem.usage_in_bytes",
        MEM,
        Some(|k, id| bytes_line(memcg(k, id).kmem.usage)),
        None
    ),
    file!(
        "memory.kmem.failcnt",
        MEM,
        Some(|k, id| u64_line(memcg(k, id).kmem.failcnt)),
        Some(reset_kmem_failcnt)
    ),
    file!(
        "memory.kmem.max_usage_in_bytes",
        MEM,
        Some(|k, id| bytes_line(memcg(k, id).kmem.watermark)),
        Some(reset_kmem_peak)
    ),
    file!(
        "memory.kmem.slabinfo",
        MEM,
        Some(|_, _| String::from(SLABINFO_HEADER)),
        None
    ),
    file!(
        "memory.kmem.tcp.limit_in_bytes",
        MEM,
        Some(|k, id| bytes_line(memcg(k, id).tcpmem.max)),
        Some(v1_tcp_limit_write)
    ),
    file!(
        "memory.kmem.tcp.usage_in_bytes",
        MEM,
        Some(|k, id| bytes_line(memcg(k, id).tcpmem.usage)),
        None
    ),
    file!(
        "memory.kmem.tcp.failcnt",
        MEM,
        Some(|k, id| u64_line(memcg(k, id).tcpmem.failcnt)),
        Some(reset_tcp_failcnt)
    ),
    file!(
        "memory.kmem.tcp.max_usage_in_bytes",
        MEM,
        Some(|k, id| bytes_line(memcg(k, id).tcpmem.watermark)),
        Some(reset_tcp_peak)
    ),
    // ALinux v1 memcg QoS (4.19.91-18.al7+, §15).
    file!(
        "memory.min",
        MEM | NOT_ON_ROOT | V1_EXPORT_NOT_TENCENT,
        Some(|k, id| max_or_bytes(memcg(k, id).memory.min)),
        Some(min_write)
    ),
    file!(
        "memory.low",
        MEM | NOT_ON_ROOT | V1_EXPORT,
        Some(|k, id| max_or_bytes(memcg(k, id).memory.low)),
        Some(low_write)
    ),
    file!(
        "memory.high",
        MEM | NOT_ON_ROOT | V1_EXPORT,
        Some(|k, id| max_or_bytes(memcg(k, id).memory.high)),
        Some(high_write)
    ),
    file!(
        "memory.events",
        MEM | NOT_ON_ROOT | V1_EXPORT_NOT_TENCENT,
        Some(|k, id| events_text(&memcg(k, id).events_local)),
        None
    ),
    file!(
        "memory.events.local",
        MEM | NOT_ON_ROOT | V1_EXPORT_NOT_TENCENT,
        Some(|k, id| events_text(&memcg(k, id).events_local)),
        None
    ),
    file!(
        "memory.swap.high",
        MEM | NOT_ON_ROOT | ALINUX,
        Some(|k, id| max_or_bytes(memcg(k, id).memsw.high)),
        Some(v1_swap_high_write)
    ),
    file!(
        "memory.swap.events",
        MEM | NOT_ON_ROOT | ALINUX,
        Some(|k, id| swap_events_text(&memcg(k, id).swap_events)),
        None
    ),
    file!(
        "cgroup.event_control",
        MEM | WORLD_WRITABLE,
        None,
        Some(event_control_write)
    ),
    // `memsw_files`, added after the legacy table by mem_cgroup_swap_init
    // when swap accounting is on (§15).
    file!(
        "memory.memsw.usage_in_bytes",
        MEM,
        Some(memsw_usage_read),
        None
    ),
    file!(
        "memory.memsw.max_usage_in_bytes",
        MEM,
        Some(|k, id| bytes_line(memcg(k, id).memsw.watermark)),
        Some(reset_memsw_peak)
    ),
    file!(
        "memory.memsw.limit_in_bytes",
        MEM,
        Some(|k, id| bytes_line(memcg(k, id).memsw.max)),
        Some(memsw_limit_write)
    ),
    file!(
        "memory.memsw.failcnt",
        MEM,
        Some(|k, id| u64_line(memcg(k, id).memsw.failcnt)),
        Some(reset_memsw_failcnt)
    ),
];

/// v1 cgroup core files (`cgroup1_base_files`).
pub static V1_CORE_FILES: &[CfType] = &[
    file!("cgroup.procs", 0, Some(procs_read), Some(procs_write)),
    file!("tasks", 0, Some(procs_read), Some(procs_write)),
    file!(
        "cgroup.clone_children",
        0,
        Some(|k, id| u64_line(u64::from(k.tree.cg(id).clone_children))),
        Some(clone_children_write)
    ),
    file!(
        "notify_on_release",
        0,
        Some(|k, id| u64_line(u64::from(k.tree.cg(id).notify_on_release))),
        Some(notify_on_release_write)
    ),
    file!(
        "cgroup.sane_behavior",
        ONLY_ON_ROOT,
        Some(|_, _| String::from("0\n")),
        None
    ),
    file!(
        "release_agent",
        ONLY_ON_ROOT,
        Some(|k, _| format!("{}\n", k.release_agent)),
        Some(release_agent_write)
    ), // ALinux 4.19 `cgroup_memory_pressure_show` / `_write` (§18.10).
    file!(
        "memory.pressure",
        ALINUX,
        Some(pressure_read),
        Some(pressure_write)
    ),
];
