//! The simulator facade: one simulated machine with its shell session.
//!
//! Everything a front end needs goes through [`Simulator`]: the shell
//! ([`Simulator::exec`]), direct file access ([`Simulator::read`],
//! [`Simulator::write`]) and snapshots of the tree for drawing.

use alloc::string::String;
use alloc::vec::Vec;

use crate::cgroupfs::{self, Cred, Node};
use crate::engine::{Engine, EngineMode};
use crate::kernel::{Kernel, KernelConfig, Version};
use crate::lru::CostModel;
use crate::scenario::{JournalEntry, Scenario};
use crate::shell::{self, Output, Shell};
use crate::Errno;

/// A cgroup as a front end lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CgroupInfo {
    /// Absolute path, e.g. `/sys/fs/cgroup/memory/test`.
    pub path: String,
    /// Last path component (the mount's name for the root).
    pub name: String,
    pub depth: usize,
    /// The cgroup has a memory css (always in v1; in v2 when the parent
    /// enabled `+memory`).
    pub has_memory: bool,
}

/// One interface file with its current value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileInfo {
    pub name: String,
    /// 0444, 0644, 0200, 0222 or 0 (§14).
    pub mode: u16,
    /// The text a root `cat` prints, or the errno it gets.
    pub value: Result<String, Errno>,
}

pub use crate::machine::Machine;

/// How to build a [`Simulator`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimConfig {
    pub kernel: KernelConfig,
    pub seed: u64,
    pub mode: EngineMode,
    pub costs: CostModel,
}

impl SimConfig {
    pub fn new(version: Version) -> SimConfig {
        SimConfig {
            kernel: KernelConfig::new(version),
            seed: 0,
            mode: EngineMode::default(),
            costs: CostModel::default(),
        }
    }
}

/// A simulated machine with an interactive root shell.
#[derive(Clone, Debug)]
pub struct Simulator {
    m: Machine,
    shell: Shell,
    config: SimConfig,
    journal: Vec<JournalEntry>,
    /// More entries were made than a scenario can carry.
    journal_overflow: bool,
}

impl Simulator {
    /// A machine mounting the given hierarchy, booted as systemd leaves it.
    pub fn new(version: Version) -> Simulator {
        Simulator::with_config(KernelConfig::new(version))
    }

    pub fn with_config(config: KernelConfig) -> Simulator {
        let mut c = SimConfig::new(config.version);
        c.kernel = config;
        Simulator::build(c)
    }

    /// A machine from a full configuration (CPUs, seed, engine, costs).
    pub fn build(c: SimConfig) -> Simulator {
        let config = c.clone();
        let cpus = c.kernel.cpus.max(1);
        let mut kernel = Kernel::new(c.kernel);
        kernel.costs = c.costs;
        let mut engine = Engine::new(cpus, c.seed);
        engine.mode = c.mode;
        let shell = Shell::new(&kernel);
        Simulator {
            m: Machine { kernel, engine },
            shell,
            config,
            journal: Vec::new(),
            journal_overflow: false,
        }
    }

    fn journal_push(&mut self, e: JournalEntry) {
        if self.journal.len() < crate::scenario::MAX_JOURNAL {
            self.journal.push(e);
        } else {
            self.journal_overflow = true;
        }
    }

    /// What was typed and written so far, with virtual timestamps.
    pub fn journal(&self) -> &[JournalEntry] {
        &self.journal
    }

    /// The scenario that reproduces this machine: configuration, journal
    /// and the current time.
    pub fn scenario(&self) -> Result<Scenario, String> {
        if self.journal_overflow {
            return Err(alloc::format!(
                "more than {} commands were run; such a session cannot be shared",
                crate::scenario::MAX_JOURNAL
            ));
        }
        let c = &self.config;
        Ok(Scenario {
            schema: crate::scenario::SCENARIO_SCHEMA,
            version: c.kernel.version,
            seed: c.seed,
            cpus: c.kernel.cpus,
            swap_pages: c.kernel.swap_pages,
            root_use_hierarchy: c.kernel.root_use_hierarchy,
            engine: c.mode,
            costs: c.costs,
            journal: self.journal.clone(),
            now: self.now(),
        })
    }

    /// Run to `t` processing at most `max_events` events in all. Uses
    /// `run_until`, so a bulk run of faults stops at `t` exactly.
    pub fn run_until_bounded(&mut self, t: u64, max_events: u64) -> Result<(), String> {
        let e = &mut self.m.engine;
        let saved = core::mem::replace(&mut e.event_limit, max_events);
        self.m.engine.run_until(&mut self.m.kernel, t);
        let e = &mut self.m.engine;
        e.event_limit = saved;
        if e.limit_hit {
            return Err(alloc::format!(
                "more than {max_events} events before {} ms of virtual time",
                t / 1_000_000
            ));
        }
        Ok(())
    }

    pub fn machine(&self) -> &Machine {
        &self.m
    }

    pub fn machine_mut(&mut self) -> &mut Machine {
        &mut self.m
    }

    pub fn engine(&self) -> &Engine {
        &self.m.engine
    }

    /// Virtual time now, in ns.
    pub fn now(&self) -> u64 {
        self.m.engine.now
    }

    /// Process one event; false when nothing is queued.
    pub fn step(&mut self) -> bool {
        self.m.engine.step(&mut self.m.kernel)
    }

    /// Run all events up to virtual time `t` (ns).
    pub fn run_until(&mut self, t: u64) {
        self.m.engine.run_until(&mut self.m.kernel, t);
    }

    pub fn next_event_at(&self) -> Option<u64> {
        self.m.engine.next_event_at()
    }

    /// The cgroup at `path` (absolute or relative to the shell's cwd).
    pub fn lookup(&self, path: &str) -> Option<crate::tree::CgroupId> {
        match cgroupfs::resolve(&self.m.kernel, &self.shell.cwd, path) {
            Ok(Node::Cgroup(id)) => Some(id),
            _ => None,
        }
    }

    /// Hash of the trace so far (determinism checks).
    pub fn trace_hash(&self) -> u64 {
        self.m.engine.trace.hash()
    }

    pub fn version(&self) -> Version {
        self.m.kernel.version()
    }

    pub fn kernel(&self) -> &Kernel {
        &self.m.kernel
    }

    /// Run one shell line.
    pub fn exec(&mut self, line: &str) -> Output {
        if journaled(line) {
            self.journal_push(JournalEntry {
                at: self.now(),
                exec: Some(String::from(line)),
                write: None,
            });
        }
        shell::exec(&mut self.m, &mut self.shell, line)
    }

    /// The shell's working directory.
    pub fn cwd(&self) -> &str {
        &self.shell.cwd
    }

    pub fn mount_point(&self) -> &'static str {
        self.version().mount_point()
    }

    /// All cgroups in pre-order, the root first.
    pub fn cgroups(&self) -> Vec<CgroupInfo> {
        self.cgroups_with_ids()
            .into_iter()
            .map(|(_, c)| c)
            .collect()
    }

    /// [`Simulator::cgroups`] with each cgroup's id.
    fn cgroups_with_ids(&self) -> Vec<(crate::tree::CgroupId, CgroupInfo)> {
        let k = &self.m.kernel;
        let mount = self.mount_point();
        k.tree
            .subtree(crate::tree::CgroupId::ROOT)
            .into_iter()
            .map(|id| {
                let cg = k.tree.cg(id);
                let info = CgroupInfo {
                    path: cgroupfs::node_path(k, Node::Cgroup(id)),
                    name: if cg.parent.is_none() {
                        String::from(mount.rsplit('/').next().unwrap_or(mount))
                    } else {
                        cg.name.clone()
                    },
                    depth: cg.depth as usize,
                    has_memory: cg.memcg.is_some(),
                };
                (id, info)
            })
            .collect()
    }

    /// The interface files of the cgroup directory `dir`, with values.
    pub fn list_files(&self, dir: &str) -> Result<Vec<FileInfo>, Errno> {
        let k = &self.m.kernel;
        match cgroupfs::resolve(k, &self.shell.cwd, dir)? {
            Node::Cgroup(id) => Ok(cgroupfs::files(k, id)
                .into_iter()
                .map(|f| FileInfo {
                    name: String::from(f.name),
                    mode: f.mode(),
                    value: cgroupfs::read_file(k, id, f, Cred::Root),
                })
                .collect()),
            Node::Outer(_) => Ok(Vec::new()),
            Node::File(..) => Err(Errno::ENOTDIR),
        }
    }

    /// Read a file as root.
    pub fn read(&self, path: &str) -> Result<String, Errno> {
        match cgroupfs::resolve(&self.m.kernel, &self.shell.cwd, path)? {
            Node::File(id, f) => cgroupfs::read_file(&self.m.kernel, id, f, Cred::Root),
            _ => Err(Errno::EISDIR),
        }
    }

    /// Write `value` to a file as root, in one `write(2)`, exactly as given.
    pub fn write(&mut self, path: &str, value: &str) -> Result<(), Errno> {
        self.journal_push(JournalEntry {
            at: self.now(),
            exec: None,
            write: Some((String::from(path), String::from(value))),
        });
        match cgroupfs::resolve(&self.m.kernel, &self.shell.cwd, path)? {
            Node::File(id, f) => {
                cgroupfs::open_for_write(f, Cred::Root)?;
                let r = cgroupfs::write_file(&mut self.m.kernel, id, f, value);
                let path = cgroupfs::node_path(&self.m.kernel, Node::File(id, f));
                self.m
                    .engine
                    .note_write(&mut self.m.kernel, path, String::from(value), r);
                r
            }
            _ => Err(Errno::EISDIR),
        }
    }
}

/// Lines that cannot change the machine or the session are left out of
/// the journal; the shell decides from the parsed line.
fn journaled(line: &str) -> bool {
    !shell::is_read_only(line)
}

/// A plain-data picture of the machine for front ends (issue 3/4/5).
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Snapshot {
    /// Virtual time, ns.
    pub now: u64,
    pub version: Version,
    /// Pre-order, root first.
    pub cgroups: Vec<CgroupSnapshot>,
    pub tasks: Vec<TaskSnapshot>,
    pub trace_len: u64,
    pub trace_hash: u64,
}

/// One cgroup in a [`Snapshot`]. Sizes in bytes; `None` means "max".
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CgroupSnapshot {
    pub path: String,
    pub name: String,
    pub depth: usize,
    pub has_memory: bool,
    pub usage: u64,
    pub anon: u64,
    pub file: u64,
    pub max: Option<u64>,
    pub high: Option<u64>,
    pub wmark_high: Option<u64>,
    pub wmark_low: Option<u64>,
    pub wmark_ratio: i32,
    pub low: u64,
    /// "idle", "pending", "running" or "running+pending".
    pub work: String,
    /// memory.events (hierarchical in v2, local in v1): low, high, max, oom, oom_kill.
    pub events: [u64; 5],
    /// exstat wmark_reclaim_work, ns.
    pub worker_ns: u64,
    /// Direct reclaim + penalty + refault stall of its tasks, ns.
    pub stall_ns: u64,
    pub refaults: u64,
    pub pgscan_direct: u64,
    pub pgscan_kswapd: u64,
}

/// One task in a [`Snapshot`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TaskSnapshot {
    pub pid: u32,
    pub cgroup: String,
    pub program: String,
    pub state: String,
    pub rss: u64,
    pub faults: u64,
    pub stall_ns: u64,
    pub p50_ns: u64,
    pub p99_ns: u64,
    pub max_ns: u64,
}

impl Simulator {
    /// Everything a front end draws, as plain data.
    pub fn snapshot(&self) -> Snapshot {
        use crate::units::{pages_to_bytes as b, PAGE_COUNTER_MAX};
        let k = &self.m.kernel;
        let e = &self.m.engine;
        let opt = |p: u64| (p != PAGE_COUNTER_MAX).then(|| b(p));
        let mut cgroups = Vec::new();
        let stats = cgroupfs::all_hierarchical_stats(k);
        for (id, info) in self.cgroups_with_ids() {
            let mut c = CgroupSnapshot {
                path: info.path,
                name: info.name,
                depth: info.depth,
                has_memory: info.has_memory,
                usage: 0,
                anon: 0,
                file: 0,
                max: None,
                high: None,
                wmark_high: None,
                wmark_low: None,
                wmark_ratio: 0,
                low: 0,
                work: String::from("idle"),
                events: [0; 5],
                worker_ns: 0,
                stall_ns: e.times.get(&id).map_or(0, |t| t.stall_ns),
                refaults: 0,
                pgscan_direct: 0,
                pgscan_kswapd: 0,
            };
            if let Some(m) = k.tree.cg(id).memcg.as_ref() {
                let st = stats[id.0 as usize].clone().unwrap_or_default();
                c.usage = b(m.memory.usage);
                c.anon = b(st.anon());
                c.file = b(st.file());
                c.max = opt(m.memory.max);
                c.high = opt(m.memory.high);
                c.wmark_high = opt(m.memory.wmark_high);
                c.wmark_low = opt(m.memory.wmark_low);
                c.wmark_ratio = m.wmark_ratio as i32;
                c.low = b(m.memory.low);
                c.work = String::from(m.wmark_work.label());
                c.events = match k.version() {
                    Version::V1 => m.events_local,
                    Version::V2 => m.events,
                };
                c.worker_ns = m.wmark_reclaim_ns;
                c.refaults = st.refault_anon + st.refault_file;
                c.pgscan_direct = m.stat.pgscan_direct;
                c.pgscan_kswapd = m.stat.pgscan_kswapd;
            }
            cgroups.push(c);
        }
        let tasks = e
            .tasks
            .values()
            .map(|t| {
                let kt = k.tasks.get(&t.pid);
                TaskSnapshot {
                    pid: t.pid,
                    cgroup: kt
                        .map_or_else(|| t.memcg_path.clone(), |kt| k.tree.rel_path(kt.cgroup)),
                    program: t.program.name.clone(),
                    state: String::from(t.state.label()),
                    rss: kt.map_or(0, |kt| b(kt.pages.anon())),
                    faults: t.faults,
                    stall_ns: t.stall_ns,
                    p50_ns: t.latency.percentile(500),
                    p99_ns: t.latency.percentile(990),
                    max_ns: t.latency.max,
                }
            })
            .collect();
        Snapshot {
            now: e.now,
            version: k.version(),
            cgroups,
            tasks,
            trace_len: e.trace.len(),
            trace_hash: e.trace.hash(),
        }
    }
}
