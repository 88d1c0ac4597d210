//! Scenarios: a machine's configuration plus the journal of what was typed
//! and written, with virtual timestamps (issue 5). Replaying a journal on a
//! fresh machine reproduces the same trace, because the engine is
//! deterministic; that is what a shared link or a JSON file carries.
//!
//! The schema is versioned ([`SCENARIO_SCHEMA`]); every field has a default,
//! so a link made by an older version keeps loading after fields are added.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::bdi::VmDirty;
use crate::engine::{EngineMode, DEFAULT_SAMPLE_INTERVAL};
use crate::flavour::KernelFlavour;
#[cfg(feature = "serde")]
use crate::kernel::DEFAULT_RAM_PAGES;
use crate::kernel::{KernelConfig, Version};
use crate::lru::CostModel;
use crate::units::{Nanos, WORK_EVENT};

/// Smallest RAM a scenario may give the machine (64 MiB).
pub const MIN_RAM_PAGES: u64 = 1 << 14;
/// Largest RAM a scenario may give the machine (16 TiB).
pub const MAX_RAM_PAGES: u64 = 1 << 32;
/// Current schema version.
pub const SCENARIO_SCHEMA: u32 = 1;
/// Most journal entries a scenario may hold.
pub const MAX_JOURNAL: usize = 10_000;
/// Longest journal line.
pub const MAX_LINE: usize = 4096;
/// Latest virtual time a shared scenario may ask to reach (1 h).
pub const MAX_NOW: Nanos = 3_600_000_000_000;
/// Most cgroups a replayed scenario may create.
pub const MAX_CGROUPS: usize = 4096;
/// Most engine events a replay may take before it is refused, when its
/// events do nothing but run: the replay's bound is [`MAX_REPLAY_WORK`],
/// this many events' worth.
pub const MAX_REPLAY_EVENTS: u64 = 20_000_000;
/// Most work units a replay may take before it is refused (docs/model.md
/// §18.12): an event is [`WORK_EVENT`] units, and each memcg or task it
/// looks at more, so a link whose events each walk thousands of cgroups
/// is refused after fewer events.
pub const MAX_REPLAY_WORK: u64 = MAX_REPLAY_EVENTS * WORK_EVENT;
/// Shortest sample interval a scenario may ask for (0, no sampling, is
/// allowed too): sampling costs cgroups × tasks per tick.
pub const MIN_SAMPLE_INTERVAL: Nanos = 1_000_000;
/// Longest sample interval a scenario may ask for.
pub const MAX_SAMPLE_INTERVAL: Nanos = MAX_NOW;
/// Largest seed and swap size a scenario may carry: 2^53 − 1, the largest
/// integer a JSON number keeps exactly in JavaScript (the playground parses
/// scenarios with the browser's `JSON`).
pub const MAX_JSON_INT: u64 = (1 << 53) - 1;

/// One thing done to the machine at a virtual instant.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct JournalEntry {
    /// Virtual time, ns.
    pub at: Nanos,
    /// A shell line (`exec`)...
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub exec: Option<String>,
    /// ...or a direct file write: path and exact bytes.
    #[cfg_attr(
        feature = "serde",
        serde(default, skip_serializing_if = "Option::is_none")
    )]
    pub write: Option<(String, String)>,
}

/// A shareable scenario.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(default))]
pub struct Scenario {
    pub schema: u32,
    pub version: Version,
    pub seed: u64,
    pub cpus: usize,
    pub swap_pages: u64,
    pub root_use_hierarchy: bool,
    pub engine: EngineMode,
    pub costs: CostModel,
    /// Interval of the time series, ns (0: none). Left out of the JSON at
    /// its default, so documents without it (older links) and with it
    /// read the same.
    #[cfg_attr(
        feature = "serde",
        serde(skip_serializing_if = "is_default_sample_interval")
    )]
    pub sample_interval: Nanos,
    /// RAM in pages (the global dirty domain, §18.9); left out of the JSON
    /// at its default.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "is_default_ram"))]
    pub ram_pages: u64,
    /// The `vm.dirty_*` sysctls (§18.9); left out of the JSON at their
    /// defaults.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "is_default_vm_dirty"))]
    pub vm_dirty: VmDirty,
    /// The kernel flavour (§19); left out of the JSON for the default
    /// `alinux-4.19`, so older links read as that and keep their hashes.
    #[cfg_attr(feature = "serde", serde(skip_serializing_if = "is_default_flavour"))]
    pub kernel: KernelFlavour,
    pub journal: Vec<JournalEntry>,
    /// Run to this virtual time after the journal.
    pub now: Nanos,
}

impl Default for Scenario {
    fn default() -> Self {
        let k = KernelConfig::new(Version::V1);
        Scenario {
            schema: SCENARIO_SCHEMA,
            version: Version::V1,
            seed: 0,
            cpus: k.cpus,
            swap_pages: k.swap_pages,
            root_use_hierarchy: k.root_use_hierarchy,
            engine: EngineMode::default(),
            costs: CostModel::default(),
            sample_interval: DEFAULT_SAMPLE_INTERVAL,
            ram_pages: k.ram_pages,
            vm_dirty: k.vm_dirty,
            kernel: k.flavour,
            journal: Vec::new(),
            now: 0,
        }
    }
}

#[cfg(feature = "serde")]
fn is_default_sample_interval(ns: &Nanos) -> bool {
    *ns == DEFAULT_SAMPLE_INTERVAL
}

#[cfg(feature = "serde")]
fn is_default_ram(pages: &u64) -> bool {
    *pages == DEFAULT_RAM_PAGES
}

#[cfg(feature = "serde")]
fn is_default_flavour(f: &KernelFlavour) -> bool {
    *f == KernelFlavour::default()
}

#[cfg(feature = "serde")]
fn is_default_vm_dirty(v: &VmDirty) -> bool {
    *v == VmDirty::default()
}

impl Scenario {
    /// A scenario of a fresh machine of `version` running `lines` at time 0.
    pub fn from_script(version: Version, lines: &[&str]) -> Scenario {
        Scenario {
            version,
            journal: lines
                .iter()
                .map(|l| JournalEntry {
                    at: 0,
                    exec: Some(String::from(*l)),
                    write: None,
                })
                .collect(),
            ..Scenario::default()
        }
    }

    /// Refuse what cannot be replayed sensibly, before doing any work.
    pub fn validate(&self) -> Result<(), String> {
        if self.schema == 0 || self.schema > SCENARIO_SCHEMA {
            return Err(format!(
                "scenario schema {} is not supported (this build reads 1 to {SCENARIO_SCHEMA})",
                self.schema
            ));
        }
        if self.seed > MAX_JSON_INT || self.swap_pages > MAX_JSON_INT {
            return Err(format!(
                "seed and swap_pages must be at most {MAX_JSON_INT} (2^53 - 1)"
            ));
        }
        if !(1..=256).contains(&self.cpus) {
            return Err(format!("cpus must be 1 to 256, not {}", self.cpus));
        }
        self.costs.validate().map_err(String::from)?;
        if !(MIN_RAM_PAGES..=MAX_RAM_PAGES).contains(&self.ram_pages) {
            return Err(format!(
                "ram_pages must be {MIN_RAM_PAGES} (64M) to {MAX_RAM_PAGES} (16T), not {}",
                self.ram_pages
            ));
        }
        self.vm_dirty.validate().map_err(String::from)?;
        if self.sample_interval != 0
            && !(MIN_SAMPLE_INTERVAL..=MAX_SAMPLE_INTERVAL).contains(&self.sample_interval)
        {
            return Err(format!(
                "sample_interval must be 0 (no time series) or {MIN_SAMPLE_INTERVAL} to \
                 {MAX_SAMPLE_INTERVAL} ns, not {}",
                self.sample_interval
            ));
        }
        if self.journal.len() > MAX_JOURNAL {
            return Err(format!(
                "the scenario has {} journal entries; at most {MAX_JOURNAL} are allowed",
                self.journal.len()
            ));
        }
        let mut last = 0;
        for (i, e) in self.journal.iter().enumerate() {
            if e.at < last {
                return Err(format!("journal entry {i} goes back in time"));
            }
            last = e.at;
            let len = match (&e.exec, &e.write) {
                (Some(l), None) => l.len(),
                (None, Some((p, v))) => p.len() + v.len(),
                _ => {
                    return Err(format!(
                        "journal entry {i} must have exactly one of exec or write"
                    ))
                }
            };
            if len > MAX_LINE {
                return Err(format!("journal entry {i} is longer than {MAX_LINE} bytes"));
            }
        }
        if self.now > MAX_NOW || last > MAX_NOW {
            return Err(String::from(
                "the scenario runs past 1 hour of virtual time",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::Simulator;

    fn session() -> Simulator {
        let mut sim = Simulator::new(Version::V2);
        for line in [
            "mkdir app",
            "echo 128M > app/memory.max",
            "echo 95 > app/memory.wmark_ratio",
            "spawn app burst 40M",
            "cat app/memory.current",
        ] {
            sim.exec(line);
        }
        sim.run_until(700_000_000);
        sim.write("/sys/fs/cgroup/app/memory.wmark_scale_factor", "200")
            .unwrap();
        sim.exec("spawn app stream 64M");
        sim.run_until(1_500_000_000);
        sim
    }

    #[test]
    fn replay_reproduces_the_trace() {
        let sim = session();
        let sc = sim.scenario().unwrap();
        assert_eq!(sc.journal.len(), 6, "cat is not journaled");
        assert_eq!(sc.now, 1_500_000_000);
        let again = sc.instantiate().unwrap();
        assert_eq!(again.trace_hash(), sim.trace_hash());
        assert_eq!(again.snapshot(), sim.snapshot());
        // Both go on identically.
        let (mut a, mut b) = (sim, again);
        a.run_until(3_000_000_000);
        b.run_until(3_000_000_000);
        assert_eq!(a.trace_hash(), b.trace_hash());
    }

    #[test]
    fn hostile_scenarios_are_refused_quickly() {
        let mut sc = Scenario::from_script(Version::V1, &["mkdir a"]);
        sc.schema = 99;
        assert!(sc.validate().unwrap_err().contains("schema 99"));
        let lines: Vec<String> = (0..MAX_JOURNAL + 1)
            .map(|i| alloc::format!("mkdir c{i}"))
            .collect();
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let sc = Scenario::from_script(Version::V1, &refs);
        assert!(sc.instantiate().unwrap_err().contains("journal entries"));
        // Many cgroups per line: stopped at MAX_CGROUPS.
        let mut script = Vec::new();
        for j in 0..10 {
            let mut l = alloc::format!("mkdir x{j}");
            for i in 0..450 {
                l.push_str(&alloc::format!(" x{j}/d{i}"));
            }
            script.push(l);
        }
        let refs: Vec<&str> = script.iter().map(String::as_str).collect();
        let sc = Scenario::from_script(Version::V1, &refs);
        assert!(sc
            .instantiate()
            .unwrap_err()
            .contains("more than 4096 cgroups"));
        let mut sc = Scenario::from_script(Version::V1, &[]);
        sc.now = MAX_NOW + 1;
        assert!(sc.instantiate().is_err());
        let mut sc = Scenario::from_script(Version::V1, &[]);
        sc.seed = MAX_JSON_INT;
        assert!(sc.validate().is_ok());
        sc.seed = MAX_JSON_INT + 1;
        assert!(sc.validate().unwrap_err().contains("2^53"));
        let mut sc = Scenario::from_script(Version::V1, &[]);
        sc.costs.fault_ns = 0;
        assert!(sc.instantiate().is_err());
        // One line that would run far past the work bound stops inside it.
        let mut sc = Scenario::from_script(
            Version::V1,
            &["mkdir a", "spawn a sawtooth 64M --rate 1G/s", "sleep 59m"],
        );
        sc.engine = EngineMode::PerPage;
        assert!(sc
            .instantiate()
            .unwrap_err()
            .contains("units of work to replay"));
        // One that sleeps past the time bound is refused before it runs.
        sc.journal[2].exec = Some("sleep 24h".into());
        assert!(sc.instantiate().unwrap_err().contains("sleeps past 1 hour"));
        // A sample interval that would flood the engine.
        let mut sc = Scenario::from_script(Version::V1, &[]);
        sc.sample_interval = 1000;
        assert!(sc.validate().unwrap_err().contains("sample_interval"));
        sc.sample_interval = 0;
        assert!(sc.validate().is_ok());
    }
}

#[cfg(test)]
mod replay_timing {
    use super::*;
    use crate::sim::Simulator;

    /// A write that lands in the middle of a bulk fault run must see the
    /// machine as it was at its instant when replayed, not a little later.
    #[test]
    fn writes_mid_fault_run_replay_exactly() {
        let mut sim = Simulator::new(Version::V2);
        sim.exec("mkdir a");
        sim.exec("spawn a anon 200M --rate 100M/s --hold");
        sim.run_until(5_000_000);
        sim.write("/sys/fs/cgroup/a/memory.max", "4M").unwrap();
        sim.run_until(7_500_000);
        sim.exec("echo 95 > a/memory.wmark_ratio");
        sim.run_until(50_000_000);
        let again = sim.scenario().unwrap().instantiate().unwrap();
        assert_eq!(again.snapshot(), sim.snapshot());
        assert_eq!(again.trace_hash(), sim.trace_hash());
    }
}
