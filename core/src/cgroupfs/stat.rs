//! Statistics files (§13), computed from the page model (`lru`): the
//! memory.stat values of a memcg, local or summed over its subtree, and
//! their v1 and v2 formats.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt::Write as _;

use super::handlers::memcg;
use crate::kernel::Kernel;
use crate::lru::TaskPages;
use crate::tree::{CgroupId, MEMCG_EVENT_NAMES};
use crate::units::{pages_to_bytes, Pages};

/// memory.stat values of one memcg, local or hierarchical, in pages or
/// event counts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatValues {
    pub anon_active: Pages,
    pub anon_inactive: Pages,
    pub file_active: Pages,
    pub file_inactive: Pages,
    pub file_dirty: Pages,
    pub file_writeback: Pages,
    pub swap: Pages,
    pub pgfault: u64,
    pub pgmajfault: u64,
    pub pgpgin: u64,
    pub pgpgout: u64,
    pub pgscan: u64,
    pub pgsteal: u64,
    pub refault_anon: u64,
    pub refault_file: u64,
}

impl StatValues {
    fn add(&mut self, o: &StatValues) {
        self.anon_active += o.anon_active;
        self.anon_inactive += o.anon_inactive;
        self.file_active += o.file_active;
        self.file_inactive += o.file_inactive;
        self.file_dirty += o.file_dirty;
        self.file_writeback += o.file_writeback;
        self.swap += o.swap;
        self.pgfault += o.pgfault;
        self.pgmajfault += o.pgmajfault;
        self.pgpgin += o.pgpgin;
        self.pgpgout += o.pgpgout;
        self.pgscan += o.pgscan;
        self.pgsteal += o.pgsteal;
        self.refault_anon += o.refault_anon;
        self.refault_file += o.refault_file;
    }

    pub fn anon(&self) -> Pages {
        self.anon_active + self.anon_inactive
    }

    pub fn file(&self) -> Pages {
        self.file_active + self.file_inactive
    }
}

/// The memcg's own counters, without its tasks' pages.
pub(super) fn memcg_only_stat(k: &Kernel, id: CgroupId) -> StatValues {
    let mc = memcg(k, id);
    StatValues {
        file_inactive: mc.pages.file(),
        file_dirty: mc.pages.file_dirty,
        file_writeback: mc.pages.file_writeback,
        pgfault: mc.stat.pgfault,
        pgmajfault: mc.stat.pgmajfault,
        pgpgin: mc.stat.pgpgin,
        pgpgout: mc.stat.pgpgout,
        pgscan: mc.stat.pgscan_direct + mc.stat.pgscan_kswapd,
        pgsteal: mc.stat.pgsteal_direct + mc.stat.pgsteal_kswapd,
        refault_anon: mc.stat.workingset_refault_anon,
        refault_file: mc.stat.workingset_refault_file,
        // Anon and swap of tasks that moved away, still charged here (§18.6).
        anon_inactive: mc.left_behind.values().map(TaskPages::anon).sum(),
        swap: mc.left_behind.values().map(|p| p.swapped).sum(),
        ..StatValues::default()
    }
}

pub(super) fn add_task_pages(v: &mut StatValues, p: &TaskPages) {
    v.anon_active += p.anon_hot;
    v.anon_inactive += p.anon_cold;
    v.file_active += p.file_hot;
    v.swap += p.swapped;
}

/// The memcg's own pages: its page cache and its tasks' pages.
pub fn local_stat(k: &Kernel, id: CgroupId) -> StatValues {
    let mut v = memcg_only_stat(k, id);
    for t in k.tasks.values() {
        if k.effective_memcg(t.cgroup) == id {
            add_task_pages(&mut v, &t.pages);
        }
    }
    v
}

/// Local values summed over the memcg's subtree.
pub fn hierarchical_stat(k: &Kernel, id: CgroupId) -> StatValues {
    let mut v = StatValues::default();
    // Offline memcgs included: their pages are still charged here (§18.7).
    for c in k.tree.css_subtree(id) {
        v.add(&memcg_only_stat(k, c));
    }
    for t in k.tasks.values() {
        if k.tree.is_ancestor_or_self(id, t.cgroup) {
            add_task_pages(&mut v, &t.pages);
        }
    }
    v
}

/// Hierarchical stats of every memcg at once, indexed by cgroup id
/// (`None`: no memcg): one pass over the tasks, then sums from the leaves
/// up (what a per-frame snapshot needs).
pub fn all_hierarchical_stats(k: &Kernel) -> Vec<Option<StatValues>> {
    let mut local: Vec<Option<StatValues>> = alloc::vec![None; k.tree.slots()];
    for id in k.tree.ids() {
        if k.tree.cg(id).memcg.is_some() {
            local[id.0 as usize] = Some(memcg_only_stat(k, id));
        }
    }
    for t in k.tasks.values() {
        let m = k.effective_memcg(t.cgroup);
        if let Some(v) = local[m.0 as usize].as_mut() {
            add_task_pages(v, &t.pages);
        }
    }
    // Post-order: children before parents (offline ones too, §18.7).
    let order = k.tree.css_subtree(CgroupId::ROOT);
    for &id in order.iter().rev() {
        let Some(v) = local[id.0 as usize].clone() else {
            continue;
        };
        let mut p = k.tree.cg(id).parent;
        while let Some(pid) = p {
            if let Some(pv) = local[pid.0 as usize].as_mut() {
                pv.add(&v);
                break;
            }
            p = k.tree.cg(pid).parent;
        }
    }
    local
}

/// The v1 `memcg1_stats` lines, `swap` among them as memsw accounting is on
/// in v1 (`memcg_stat_show`, §13.3).
/// The v1 `memory.stat` lines before the limits (`memcg_stat_show`). 4.19's
/// `memcg1_stat_names`; on `linux-6.18` the 6.x names (§19.6): the refault
/// counter split into anon and file, `swap` after them, `swapcached`, and no
/// `workingset_activate`/`workingset_nodereclaim`.
pub(super) fn v1_stat_lines(v: &StatValues, six_x: bool) -> Vec<(&'static str, u64)> {
    let b = pages_to_bytes;
    let mut out = vec![
        ("cache", b(v.file())),
        ("rss", b(v.anon())),
        ("rss_huge", 0),
        ("shmem", 0),
        ("mapped_file", 0),
        ("dirty", b(v.file_dirty)),
        ("writeback", b(v.file_writeback)),
    ];
    if six_x {
        out.extend([
            ("workingset_refault_anon", v.refault_anon),
            ("workingset_refault_file", v.refault_file),
            ("swap", b(v.swap)),
            // No page stays in a swap cache here: a swap-in frees its slot.
            ("swapcached", 0),
        ]);
    } else {
        out.extend([
            ("swap", b(v.swap)),
            ("workingset_refault", v.refault_anon + v.refault_file),
            ("workingset_activate", 0),
            ("workingset_nodereclaim", 0),
        ]);
    }
    out.extend([
        ("pgpgin", v.pgpgin),
        ("pgpgout", v.pgpgout),
        ("pgfault", v.pgfault),
        ("pgmajfault", v.pgmajfault),
        ("inactive_anon", b(v.anon_inactive)),
        ("active_anon", b(v.anon_active)),
        ("inactive_file", b(v.file_inactive)),
        ("active_file", b(v.file_active)),
        ("unevictable", 0),
    ]);
    out
}

pub(super) fn v1_stat_read(k: &Kernel, id: CgroupId) -> String {
    let mut s = String::new();
    let six_x = k.flavour() == crate::flavour::KernelFlavour::Linux618;
    for (key, val) in v1_stat_lines(&local_stat(k, id), six_x) {
        let _ = writeln!(s, "{key} {val}");
    }
    let _ = writeln!(
        s,
        "hierarchical_memory_limit {}",
        pages_to_bytes(k.hierarchical_memory_limit(id))
    );
    // hierarchical_memsw_limit: the min of memsw.max up parent_mem_cgroup.
    let memsw = k
        .tree
        .counter_chain(id)
        .map(|c| k.tree.memcg(c).memsw.max)
        .min()
        .unwrap_or(crate::units::PAGE_COUNTER_MAX);
    let _ = writeln!(s, "hierarchical_memsw_limit {}", pages_to_bytes(memsw));
    for (key, val) in v1_stat_lines(&hierarchical_stat(k, id), six_x) {
        let _ = writeln!(s, "total_{key} {val}");
    }
    s
}

pub(super) fn v2_stat_read(k: &Kernel, id: CgroupId) -> String {
    let v = hierarchical_stat(k, id);
    let b = pages_to_bytes;
    let lines: [(&str, u64); 32] = [
        ("anon", b(v.anon())),
        ("file", b(v.file())),
        ("kernel_stack", 0),
        ("slab", 0),
        ("sock", 0),
        ("shmem", 0),
        ("file_mapped", 0),
        ("file_dirty", b(v.file_dirty)),
        ("file_writeback", b(v.file_writeback)),
        ("inactive_anon", b(v.anon_inactive)),
        ("active_anon", b(v.anon_active)),
        ("inactive_file", b(v.file_inactive)),
        ("active_file", b(v.file_active)),
        ("unevictable", 0),
        ("slab_reclaimable", 0),
        ("slab_unreclaimable", 0),
        ("pgfault", v.pgfault),
        ("pgmajfault", v.pgmajfault),
        ("workingset_refault_anon", v.refault_anon),
        ("workingset_refault_file", v.refault_file),
        ("workingset_activate_anon", 0),
        ("workingset_activate_file", 0),
        ("workingset_restore_anon", 0),
        ("workingset_restore_file", 0),
        ("workingset_nodereclaim", 0),
        ("pgrefill", 0),
        ("pgscan", v.pgscan),
        ("pgsteal", v.pgsteal),
        ("pgactivate", 0),
        ("pgdeactivate", 0),
        ("pglazyfree", 0),
        ("pglazyfreed", 0),
    ];
    let mut s = String::new();
    for (key, val) in lines {
        let _ = writeln!(s, "{key} {val}");
    }
    s
}

pub(super) fn numa_stat_read(k: &Kernel, id: CgroupId) -> String {
    let mut s = String::new();
    for (prefix, v) in [
        ("", local_stat(k, id)),
        ("hierarchical_", hierarchical_stat(k, id)),
    ] {
        let (file, anon) = (v.file(), v.anon());
        for (key, n) in [
            ("total", file + anon),
            ("file", file),
            ("anon", anon),
            ("unevictable", 0),
        ] {
            let _ = writeln!(s, "{prefix}{key}={n} N0={n}");
        }
    }
    s
}

/// `swap_events_show`: high, max, fail (§13.1).
pub(super) fn swap_events_text(ev: &[u64; 3]) -> String {
    alloc::format!("high {}\nmax {}\nfail {}\n", ev[0], ev[1], ev[2])
}

pub(super) fn events_text(ev: &[u64; 5]) -> String {
    let mut s = String::new();
    for (name, v) in MEMCG_EVENT_NAMES.iter().zip(ev) {
        let _ = writeln!(s, "{name} {v}");
    }
    s
}
