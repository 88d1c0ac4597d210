//! Run metrics (issue 13): what a run cost and who paid, per cgroup and for
//! the machine, computed from a [`Simulator`] at any instant. The CLI's
//! `sweep`, its JSON and the playground all use this one computation; how
//! each number is made is in docs/model.md §18.13.
//!
//! All values are integers (ns, µs, pages, counts), so two runs compare
//! exactly; [`fmt_fixed`] prints them with a fixed number of decimals.

use alloc::string::String;
use alloc::vec::Vec;

use crate::sim::Simulator;
use crate::stats::{MemcgTimes, Quantiles};
use crate::tree::{CgroupId, MEMCG_EVENT_NAMES};
use crate::units::{Nanos, PAGE_SIZE};

/// Index of `name` in `memory.events` ([`MEMCG_EVENT_NAMES`]).
fn event(name: &str) -> usize {
    MEMCG_EVENT_NAMES
        .iter()
        .position(|&n| n == name)
        .expect("memory.events name")
}

/// The costs of one cgroup's subtree (or of the machine).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct MemcgMetrics {
    /// Path relative to the mount ("" for the root / the machine).
    pub path: String,
    /// Page faults of the tasks (allocations and refaults), the latency
    /// histogram's sample count.
    pub faults: u64,
    /// Fault latency percentiles ([`Quantiles::percentile`]: a latency
    /// that occurred, at most 1/16 above the exact percentile) and the
    /// maximum, ns.
    pub p50_stall_ns: Nanos,
    pub p99_stall_ns: Nanos,
    pub max_stall_ns: Nanos,
    /// Tasks' time reclaiming in the charge path: `try_charge`'s reclaim and
    /// `reclaim_high` on return to user, writeback waits in them included.
    pub direct_reclaim_ns: Nanos,
    /// Tasks' `memory.high` penalty sleep.
    pub high_throttle_ns: Nanos,
    /// Tasks' waits on writeback: reclaim's (v1 `wait_on_page_writeback`,
    /// v2 `wait_iff_congested`) and `balance_dirty_pages` pauses.
    pub writeback_wait_ns: Nanos,
    /// Reclaim CPU paid by the allocating tasks: `direct_reclaim_ns`
    /// without its writeback waits.
    pub task_reclaim_cpu_ns: Nanos,
    /// Reclaim time of the `memcg_wmark` work items of the memcgs here:
    /// what exstat `wmark_reclaim_work_ms` counts (in ns).
    pub worker_cpu_ns: Nanos,
    /// CPU of user-space agents acting on the cgroup (§20): their syscalls
    /// and the reclaim their writes do; the machine's counts every agent.
    pub agent_cpu_ns: Nanos,
    /// `workingset_refault_anon + workingset_refault_file`.
    pub refaults: u64,
    /// `memory.events` counts (local, summed over the subtree).
    pub oom_kills: u64,
    pub max_events: u64,
    pub high_events: u64,
    /// `memory.pressure` totals, µs.
    pub psi_some_total_us: u64,
    pub psi_full_total_us: u64,
    /// Bytes the tasks' allocation ops charged (refaults not included).
    pub alloc_bytes: u64,
}

impl MemcgMetrics {
    /// All reclaim CPU, whoever paid it.
    pub fn reclaim_cpu_ns(&self) -> Nanos {
        self.task_reclaim_cpu_ns + self.worker_cpu_ns + self.agent_cpu_ns
    }
}

/// The costs of a run so far: the machine and every cgroup with a memcg.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct RunMetrics {
    /// Virtual time the run took (the clock now), ns.
    pub runtime_ns: Nanos,
    /// The whole machine: every memcg's tasks and work items, removed
    /// memcgs' times included; PSI is the system's.
    pub machine: MemcgMetrics,
    /// Each live cgroup with a memcg, pre-order: its subtree.
    pub cgroups: Vec<MemcgMetrics>,
}

/// Sums of the engine's per-memcg times.
#[derive(Default)]
struct Acc {
    latency: Quantiles,
    times: MemcgTimes,
}

impl Acc {
    fn add(&mut self, t: &MemcgTimes) {
        self.latency.merge(&t.quantiles);
        let s = &mut self.times;
        s.direct_reclaim_ns += t.direct_reclaim_ns;
        s.penalty_ns += t.penalty_ns;
        s.high_sleep_ns += t.high_sleep_ns;
        s.reclaim_wait_ns += t.reclaim_wait_ns;
        s.dirty_pause_ns += t.dirty_pause_ns;
        s.alloc_pages += t.alloc_pages;
        s.worker_ns += t.worker_ns;
        s.agent_cpu_ns += t.agent_cpu_ns;
    }

    fn fill(&self, m: &mut MemcgMetrics) {
        let (h, t) = (&self.latency, &self.times);
        m.faults = h.count;
        m.p50_stall_ns = h.percentile(500);
        m.p99_stall_ns = h.percentile(990);
        m.max_stall_ns = h.max;
        // The penalty's reclaim_high is reclaim in the charge path too.
        m.direct_reclaim_ns = t.direct_reclaim_ns + (t.penalty_ns - t.high_sleep_ns);
        m.high_throttle_ns = t.high_sleep_ns;
        m.writeback_wait_ns = t.reclaim_wait_ns + t.dirty_pause_ns;
        m.task_reclaim_cpu_ns = m.direct_reclaim_ns.saturating_sub(t.reclaim_wait_ns);
        m.worker_cpu_ns = t.worker_ns;
        m.agent_cpu_ns = t.agent_cpu_ns;
        m.alloc_bytes = t.alloc_pages * PAGE_SIZE;
    }
}

impl RunMetrics {
    /// The metrics of `sim` now. Reads only; O(cgroups × depth).
    pub fn of(sim: &Simulator) -> RunMetrics {
        let k = sim.kernel();
        let times = &sim.engine().times;
        let memcgs: Vec<CgroupId> = k
            .tree
            .subtree(CgroupId::ROOT)
            .into_iter()
            .filter(|&id| k.tree.cg(id).memcg.is_some())
            .collect();
        let counters = |ids: &[CgroupId], m: &mut MemcgMetrics| {
            for &id in ids {
                let Some(mc) = k.tree.cg(id).memcg.as_ref() else {
                    continue;
                };
                m.refaults += mc.stat.workingset_refault_anon + mc.stat.workingset_refault_file;
                m.oom_kills += mc.events_local[event("oom_kill")];
                m.max_events += mc.events_local[event("max")];
                m.high_events += mc.events_local[event("high")];
            }
        };
        let psi = |id: CgroupId, m: &mut MemcgMetrics| {
            if let Some(p) = sim.memory_pressure(id) {
                m.psi_some_total_us = p.some.total_us;
                m.psi_full_total_us = p.full.total_us;
            }
        };
        let mut cgroups = Vec::new();
        for &id in &memcgs {
            let sub: Vec<CgroupId> = k
                .tree
                .subtree(id)
                .into_iter()
                .filter(|&c| k.tree.cg(c).memcg.is_some())
                .collect();
            let mut acc = Acc::default();
            for c in &sub {
                if let Some(t) = times.get(c) {
                    acc.add(t);
                }
            }
            let mut m = MemcgMetrics {
                path: k.tree.rel_path(id),
                ..MemcgMetrics::default()
            };
            acc.fill(&mut m);
            counters(&sub, &mut m);
            psi(id, &mut m);
            cgroups.push(m);
        }
        let mut acc = Acc::default();
        for t in times.values() {
            acc.add(t);
        }
        let mut machine = MemcgMetrics::default();
        acc.fill(&mut machine);
        // Also agents whose cgroup went away (their CPU stays theirs).
        machine.agent_cpu_ns = sim.engine().agent_cpu_ns();
        counters(&memcgs, &mut machine);
        psi(CgroupId::ROOT, &mut machine);
        RunMetrics {
            runtime_ns: sim.now(),
            machine,
            cgroups,
        }
    }

    /// The cgroup at `path` (relative to the mount, "" for the root).
    pub fn cgroup(&self, path: &str) -> Option<&MemcgMetrics> {
        self.cgroups.iter().find(|m| m.path == path)
    }
}

/// How a column's integer is printed: `v / 10^scale` with `decimals`
/// decimals ([`fmt_fixed`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unit {
    pub scale: u32,
    pub decimals: u32,
}

/// µs from ns, three decimals.
pub const US: Unit = Unit {
    scale: 3,
    decimals: 3,
};
/// ms from ns, three decimals.
pub const MS: Unit = Unit {
    scale: 6,
    decimals: 3,
};
/// A count, as is.
pub const COUNT: Unit = Unit {
    scale: 0,
    decimals: 0,
};

/// The machine's metric columns, named as the CLI's CSV (`memcg sweep`)
/// names them: the order, then extras. The CLI and the
/// playground's compare view print them with [`RunMetrics::column`].
pub const COLUMNS: &[&str] = &[
    "p50_stall_us",
    "p99_stall_us",
    "max_stall_us",
    "direct_reclaim_ms",
    "high_throttle_ms",
    "writeback_wait_ms",
    "task_reclaim_cpu_ms",
    "worker_cpu_ms",
    "agent_cpu_ms",
    "refaults",
    "oom_kills",
    "max_events",
    "psi_some_total_us",
    "alloc_mb",
    "runtime_ms",
    // Extras.
    "reclaim_cpu_ms",
    "high_events",
    "psi_full_total_us",
    "faults",
];

impl RunMetrics {
    /// Column `name` ([`COLUMNS`]) of the machine: its integer and how it
    /// is printed; `None` for an unknown name.
    pub fn column(&self, name: &str) -> Option<(u64, Unit)> {
        let m = &self.machine;
        Some(match name {
            "p50_stall_us" => (m.p50_stall_ns, US),
            "p99_stall_us" => (m.p99_stall_ns, US),
            "max_stall_us" => (m.max_stall_ns, US),
            "direct_reclaim_ms" => (m.direct_reclaim_ns, MS),
            "high_throttle_ms" => (m.high_throttle_ns, MS),
            "writeback_wait_ms" => (m.writeback_wait_ns, MS),
            "task_reclaim_cpu_ms" => (m.task_reclaim_cpu_ns, MS),
            "worker_cpu_ms" => (m.worker_cpu_ns, MS),
            "agent_cpu_ms" => (m.agent_cpu_ns, MS),
            "reclaim_cpu_ms" => (m.reclaim_cpu_ns(), MS),
            "refaults" => (m.refaults, COUNT),
            "oom_kills" => (m.oom_kills, COUNT),
            "max_events" => (m.max_events, COUNT),
            "high_events" => (m.high_events, COUNT),
            "psi_some_total_us" => (m.psi_some_total_us, COUNT),
            "psi_full_total_us" => (m.psi_full_total_us, COUNT),
            // MiB (2^20 bytes), thousandths rounded down.
            "alloc_mb" => (m.alloc_bytes * 1000 / (1 << 20), US),
            "runtime_ms" => (self.runtime_ns, MS),
            "faults" => (m.faults, COUNT),
            _ => return None,
        })
    }

    /// Column `name` as the CLI's CSV prints it.
    pub fn shown(&self, name: &str) -> Option<String> {
        self.column(name)
            .map(|(v, u)| fmt_fixed(v, u.scale, u.decimals))
    }
}

/// `v / 10^scale` with `decimals` decimals, rounded half up, from
/// integers only (so every platform prints the same digits).
pub fn fmt_fixed(v: u64, scale: u32, decimals: u32) -> String {
    let div = 10u128.pow(scale);
    let unit = 10u128.pow(decimals);
    let scaled = (u128::from(v) * unit + div / 2) / div;
    // Both parts fit in u64 (the whole part is at most `v`; the fraction is
    // below 10^decimals): printing u64s keeps u128's Display out of the wasm.
    let (whole, frac) = ((scaled / unit) as u64, (scaled % unit) as u64);
    if decimals == 0 {
        return alloc::format!("{whole}");
    }
    alloc::format!("{whole}.{frac:0w$}", w = decimals as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_point_prints_exact_digits() {
        assert_eq!(fmt_fixed(1_234_567, 3, 3), "1234.567");
        assert_eq!(fmt_fixed(250, 3, 3), "0.250");
        assert_eq!(fmt_fixed(1_500_000, 6, 0), "2");
        assert_eq!(fmt_fixed(1_499_999, 6, 3), "1.500");
        assert_eq!(fmt_fixed(0, 6, 3), "0.000");
        assert_eq!(fmt_fixed(u64::MAX, 0, 1), "18446744073709551615.0");
    }

    #[test]
    fn every_column_is_shown_with_its_unit() {
        let m = RunMetrics {
            runtime_ns: 2_500_000_000,
            machine: MemcgMetrics {
                p99_stall_ns: 412_345,
                task_reclaim_cpu_ns: 1_000_000,
                worker_cpu_ns: 2_000_000,
                alloc_bytes: 3 << 20,
                oom_kills: 2,
                ..MemcgMetrics::default()
            },
            cgroups: Vec::new(),
        };
        for c in COLUMNS {
            assert!(m.column(c).is_some(), "{c}");
        }
        assert_eq!(m.column("errors"), None);
        assert_eq!(m.shown("p99_stall_us").as_deref(), Some("412.345"));
        assert_eq!(m.shown("reclaim_cpu_ms").as_deref(), Some("3.000"));
        assert_eq!(m.shown("alloc_mb").as_deref(), Some("3.000"));
        assert_eq!(m.shown("oom_kills").as_deref(), Some("2"));
        assert_eq!(m.shown("runtime_ms").as_deref(), Some("2500.000"));
    }
}
