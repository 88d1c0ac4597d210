//! The v2 (unified hierarchy) files: their own handlers, then the tables
//! (ALinux 4.19 `memory_files` + `swap_files` and `cgroup_base_files`, §16).

use alloc::format;
use alloc::string::String;

use super::handlers::*;
use super::stat::{events_text, swap_events_text, v2_stat_read};
use super::{CfType, AFTER_419, ALINUX, LINUX66, MEM, NOT_ON_ROOT, OPENEULER, TENCENTOS};
use crate::charge::drain_all_stock;
use crate::kernel::Kernel;
use crate::oom::mem_cgroup_out_of_memory;
use crate::reclaim::try_to_free_mem_cgroup_pages;
use crate::tree::{CgroupId, MemcgEvent};
use crate::units::{kstrtoint, strstrip};
use crate::wmark::setup_memcg_wmark;
use crate::Errno;

/// v2 `memory_max_write` (§12.2): store first, drain, reclaim (five
/// zero-progress tries), then OOM until under or no victim; wmarks, queue;
/// always succeeds once parsed.
fn v2_max_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    let max = parse_limit(buf, "max")?;
    let costs = k.costs;
    k.tree.memcg_mut(id).memory.max = max;
    let mut drained = false;
    let mut nr_reclaims = 5u32;
    for _ in 0..1_000_000 {
        let usage = k.tree.memcg(id).memory.usage;
        if usage <= max {
            break;
        }
        if !drained {
            drain_all_stock(k, id);
            drained = true;
            continue;
        }
        if nr_reclaims > 0 {
            let p = try_to_free_mem_cgroup_pages(k, &costs, id, usage - max, true);
            if p.reclaimed == 0 {
                nr_reclaims -= 1;
            }
            continue;
        }
        k.memcg_memory_event(id, MemcgEvent::Oom);
        if !mem_cgroup_out_of_memory(k, id, 0, None) {
            break;
        }
    }
    let m = k.tree.memcg_mut(id);
    setup_memcg_wmark(m);
    k.queue_wmark_work_if_needed(id);
    k.async_wmark_update(id, true);
    Ok(())
}

fn swap_max_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    let v = parse_limit(buf, "max")?;
    k.tree.memcg_mut(id).swap.max = v;
    Ok(())
}

fn swap_high_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    let v = parse_limit(buf, "max")?;
    k.tree.memcg_mut(id).swap.high = v;
    Ok(())
}

/// v2 `cgroup.subtree_control` (§ issue 2; cgroup_subtree_control_write).
fn subtree_control_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    let mut enable = None::<bool>;
    for tok in strstrip(buf).split(' ') {
        if tok.is_empty() {
            continue;
        }
        enable = match (tok.strip_prefix('+'), tok.strip_prefix('-')) {
            (Some("memory"), _) => Some(true),
            (_, Some("memory")) => Some(false),
            _ => return Err(Errno::EINVAL),
        };
    }
    let Some(on) = enable else { return Ok(()) };
    let cg = k.tree.cg(id);
    if on {
        if cg.subtree_memory {
            return Ok(());
        }
        if cg.memcg.is_none() {
            return Err(Errno::ENOENT);
        }
        if id != CgroupId::ROOT && !cg.procs.is_empty() {
            return Err(Errno::EBUSY);
        }
    } else {
        if !cg.subtree_memory {
            return Ok(());
        }
        if cg.children.values().any(|&c| k.tree.cg(c).subtree_memory) {
            return Err(Errno::EBUSY);
        }
    }
    k.set_subtree_memory(id, on);
    Ok(())
}

fn controllers_read(k: &Kernel, id: CgroupId) -> String {
    if k.tree.cg(id).memcg.is_some() {
        String::from("memory\n")
    } else {
        String::new()
    }
}

fn subtree_control_read(k: &Kernel, id: CgroupId) -> String {
    if k.tree.cg(id).subtree_memory {
        String::from("memory\n")
    } else {
        String::new()
    }
}

fn limit_count_write(buf: &str) -> Result<Option<u32>, Errno> {
    let s = strstrip(buf);
    if s == "max" {
        return Ok(None);
    }
    let v = kstrtoint(s)?;
    if v < 0 {
        return Err(Errno::EINVAL);
    }
    Ok(Some(v as u32))
}

fn limit_count_read(v: Option<u32>) -> String {
    match v {
        None => String::from("max\n"),
        Some(v) => format!("{v}\n"),
    }
}

fn descendants_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    let v = limit_count_write(buf)?;
    let depth = k.tree.cg(id).max_depth;
    k.tree.set_hierarchy_limits(id, v, depth);
    Ok(())
}

fn depth_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    let v = limit_count_write(buf)?;
    let descendants = k.tree.cg(id).max_descendants;
    k.tree.set_hierarchy_limits(id, descendants, v);
    Ok(())
}

/// `cgroup.type`: threaded cgroups are outside the simulator.
fn cgroup_type_write(_k: &mut Kernel, _id: CgroupId, buf: &str) -> Result<(), Errno> {
    match strstrip(buf) {
        "threaded" => Err(Errno::EOPNOTSUPP),
        _ => Err(Errno::EINVAL),
    }
}

/// v2 memory files (ALinux 4.19 `memory_files` + `swap_files`, §16).
pub static V2_MEMORY_FILES: &[CfType] = &[
    file!(
        "memory.current",
        MEM | NOT_ON_ROOT,
        Some(|k, id| bytes_line(memcg(k, id).memory.usage)),
        None
    ),
    // 6.6 `memory_peak_read`: the counter's watermark (5.19+).
    file!(
        "memory.peak",
        MEM | NOT_ON_ROOT | LINUX66,
        Some(|k, id| bytes_line(memcg(k, id).memory.watermark)),
        None
    ),
    file!(
        "memory.min",
        MEM | NOT_ON_ROOT,
        Some(|k, id| max_or_bytes(memcg(k, id).memory.min)),
        Some(min_write)
    ),
    file!(
        "memory.low",
        MEM | NOT_ON_ROOT,
        Some(|k, id| max_or_bytes(memcg(k, id).memory.low)),
        Some(low_write)
    ),
    file!(
        "memory.high",
        MEM | NOT_ON_ROOT,
        Some(|k, id| max_or_bytes(memcg(k, id).memory.high)),
        Some(high_write)
    ),
    file!(
        "memory.max",
        MEM | NOT_ON_ROOT,
        Some(|k, id| max_or_bytes(memcg(k, id).memory.max)),
        Some(v2_max_write)
    ),
    file!(
        "memory.wmark_ratio",
        MEM | NOT_ON_ROOT | ALINUX,
        Some(|k, id| format!("{}\n", memcg(k, id).wmark_ratio as i32)),
        Some(wmark_ratio_write)
    ),
    file!(
        "memory.wmark_high",
        MEM | NOT_ON_ROOT | ALINUX,
        Some(|k, id| max_or_bytes(memcg(k, id).memory.wmark_high)),
        None
    ),
    file!(
        "memory.wmark_low",
        MEM | NOT_ON_ROOT | ALINUX,
        Some(|k, id| max_or_bytes(memcg(k, id).memory.wmark_low)),
        None
    ),
    file!(
        "memory.wmark_scale_factor",
        MEM | NOT_ON_ROOT | ALINUX,
        Some(|k, id| format!("{}\n", memcg(k, id).wmark_scale_factor as i32)),
        Some(wmark_scale_factor_write)
    ),
    file!(
        "memory.priority",
        MEM | NOT_ON_ROOT | ALINUX,
        Some(|k, id| u64_line(memcg(k, id).priority)),
        Some(priority_write)
    ),
    file!(
        "memory.use_priority_oom",
        MEM | ALINUX,
        Some(|k, id| u64_line(u64::from(memcg(k, id).use_priority_oom))),
        Some(use_priority_oom_write)
    ),
    file!(
        "memory.events",
        MEM | NOT_ON_ROOT,
        Some(|k, id| events_text(&memcg(k, id).events)),
        None
    ),
    file!(
        "memory.events.local",
        MEM | NOT_ON_ROOT | AFTER_419,
        Some(|k, id| events_text(&memcg(k, id).events_local)),
        None
    ),
    file!("memory.stat", MEM | NOT_ON_ROOT, Some(v2_stat_read), None),
    file!(
        "memory.oom.group",
        MEM | NOT_ON_ROOT,
        Some(|k, id| format!("{}\n", u8::from(memcg(k, id).oom_group))),
        Some(oom_group_write)
    ),
    // 6.6 `memory_reclaim` (5.19+): on the root too.
    file!(
        "memory.reclaim",
        MEM | LINUX66,
        None,
        Some(memory_reclaim_write)
    ),
    file!(
        "memory.high_async_ratio",
        MEM | NOT_ON_ROOT | OPENEULER,
        Some(high_async_ratio_read),
        Some(high_async_ratio_write)
    ),
    // TencentOS `memory_files` (§19.5): the marks read through
    // `seq_puts_memcg_tunable` ("max" or bytes).
    file!(
        "memory.async_ratio",
        MEM | NOT_ON_ROOT | TENCENTOS,
        Some(async_ratio_read),
        Some(async_ratio_write)
    ),
    file!(
        "memory.async_high",
        MEM | NOT_ON_ROOT | TENCENTOS,
        Some(|k, id| max_or_bytes(memcg(k, id).async_high)),
        None
    ),
    file!(
        "memory.async_low",
        MEM | NOT_ON_ROOT | TENCENTOS,
        Some(|k, id| max_or_bytes(memcg(k, id).async_low)),
        None
    ),
    file!(
        "memory.async_distance_factor",
        MEM | NOT_ON_ROOT | TENCENTOS,
        Some(async_distance_factor_read),
        Some(async_distance_factor_write)
    ),
    file!(
        "memory.swap.current",
        MEM | NOT_ON_ROOT,
        Some(|k, id| bytes_line(memcg(k, id).swap.usage)),
        None
    ),
    file!(
        "memory.swap.high",
        MEM | NOT_ON_ROOT | AFTER_419,
        Some(|k, id| max_or_bytes(memcg(k, id).swap.high)),
        Some(swap_high_write)
    ),
    file!(
        "memory.swap.max",
        MEM | NOT_ON_ROOT,
        Some(|k, id| max_or_bytes(memcg(k, id).swap.max)),
        Some(swap_max_write)
    ),
    file!(
        "memory.swap.events",
        MEM | NOT_ON_ROOT,
        Some(|k, id| {
            let ev = &memcg(k, id).swap_events;
            if k.flavour() == crate::flavour::KernelFlavour::Linux419 {
                // 4.19 `swap_events_show`: max and fail (high came in 5.8).
                format!("max {}\nfail {}\n", ev[1], ev[2])
            } else {
                swap_events_text(ev)
            }
        }),
        None
    ),
];

/// v2 cgroup core files (`cgroup_base_files`, 4.19).
pub static V2_CORE_FILES: &[CfType] = &[
    file!(
        "cgroup.type",
        NOT_ON_ROOT,
        Some(|_, _| String::from("domain\n")),
        Some(cgroup_type_write)
    ),
    file!("cgroup.procs", 0, Some(procs_read), Some(procs_write)),
    file!("cgroup.threads", 0, Some(procs_read), Some(procs_write)),
    file!("cgroup.controllers", 0, Some(controllers_read), None),
    file!(
        "cgroup.subtree_control",
        0,
        Some(subtree_control_read),
        Some(subtree_control_write)
    ),
    file!(
        "cgroup.events",
        NOT_ON_ROOT,
        Some(|k, id| {
            let populated = k
                .tree
                .subtree(id)
                .iter()
                .any(|&c| !k.tree.cg(c).procs.is_empty());
            format!("populated {}\n", u8::from(populated))
        }),
        None
    ),
    file!(
        "cgroup.max.descendants",
        0,
        Some(|k, id| limit_count_read(k.tree.cg(id).max_descendants)),
        Some(descendants_write)
    ),
    file!(
        "cgroup.max.depth",
        0,
        Some(|k, id| limit_count_read(k.tree.cg(id).max_depth)),
        Some(depth_write)
    ),
    file!(
        "cgroup.stat",
        0,
        Some(|k, id| format!(
            "nr_descendants {}\nnr_dying_descendants {}\n",
            k.tree.nr_descendants(id),
            // Offline memcgs still charged (§18.7).
            k.tree
                .css_subtree(id)
                .iter()
                .filter(|&&c| k.tree.cg(c).offline)
                .count()
        )),
        None
    ), // ALinux 4.19 `cgroup_memory_pressure_show` / `_write` (§18.10).
    file!(
        "memory.pressure",
        AFTER_419,
        Some(pressure_read),
        Some(pressure_write)
    ),
];
