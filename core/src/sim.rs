//! The simulator facade: one simulated machine with its shell session.
//!
//! Everything a front end needs goes through [`Simulator`]: the shell
//! ([`Simulator::exec`]), direct file access ([`Simulator::read`],
//! [`Simulator::write`]) and snapshots of the tree for drawing.

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::string::String;
use alloc::vec::Vec;

use crate::cgroupfs::{self, Cred, Node};
use crate::engine::{Engine, EngineMode, DEFAULT_SAMPLE_INTERVAL};
use crate::kernel::{Kernel, KernelConfig, Version};
use crate::lru::CostModel;
use crate::scenario::{JournalEntry, Scenario};
use crate::shell::{self, Output, Shell};
use crate::stats::{MemcgTimes, Series};
use crate::trace::{SinkSlot, TraceSink};
use crate::tree::CgroupId;
use crate::units::Nanos;
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

/// How to build a [`Simulator`]; [`Simulator::builder`] sets it field by
/// field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimConfig {
    pub kernel: KernelConfig,
    pub seed: u64,
    pub mode: EngineMode,
    pub costs: CostModel,
    /// Interval of the per-cgroup time series, ns (0: no series). Sampling
    /// costs cgroups × tasks per tick, so large trees sample less often;
    /// the trace does not depend on it.
    pub sample_interval: Nanos,
    /// The engine stops after this many events in all (`u64::MAX`: never);
    /// [`Simulator::event_limit_hit`] tells it did.
    pub event_limit: u64,
    /// Keep every trace line until [`Simulator::take_trace`] takes it;
    /// without it only the newest lines are kept. Unbounded within one
    /// command: a writer uses [`SimBuilder::trace_to`] instead.
    pub trace_sink: bool,
}

impl SimConfig {
    pub fn new(version: Version) -> SimConfig {
        SimConfig {
            kernel: KernelConfig::new(version),
            seed: 0,
            mode: EngineMode::default(),
            costs: CostModel::default(),
            sample_interval: DEFAULT_SAMPLE_INTERVAL,
            event_limit: u64::MAX,
            trace_sink: false,
        }
    }
}

/// Builds a [`Simulator`]:
/// `Simulator::builder(Version::V2).seed(7).sample_interval(50_000_000).build()`.
///
/// A clone has no trace sink ([`SimBuilder::trace_to`]): one writer, one
/// machine.
#[derive(Clone, Debug)]
pub struct SimBuilder {
    config: SimConfig,
    sink: SinkSlot,
}

impl SimBuilder {
    pub fn seed(mut self, seed: u64) -> SimBuilder {
        self.config.seed = seed;
        self
    }

    /// CPUs, each with its charge stock.
    pub fn cpus(mut self, cpus: usize) -> SimBuilder {
        self.config.kernel.cpus = cpus;
        self
    }

    pub fn engine(mut self, mode: EngineMode) -> SimBuilder {
        self.config.mode = mode;
        self
    }

    pub fn costs(mut self, costs: CostModel) -> SimBuilder {
        self.config.costs = costs;
        self
    }

    pub fn swap_pages(mut self, pages: u64) -> SimBuilder {
        self.config.kernel.swap_pages = pages;
        self
    }

    /// RAM in pages (the global dirty domain, §18.9).
    pub fn ram_pages(mut self, pages: u64) -> SimBuilder {
        self.config.kernel.ram_pages = pages;
        self
    }

    /// The `vm.dirty_*` sysctls (§18.9).
    pub fn vm_dirty(mut self, vm: crate::bdi::VmDirty) -> SimBuilder {
        self.config.kernel.vm_dirty = vm;
        self
    }

    /// Which kernel the machine runs (§19).
    pub fn flavour(mut self, flavour: crate::flavour::KernelFlavour) -> SimBuilder {
        self.config.kernel.flavour = flavour;
        self
    }

    /// v1's root `memory.use_hierarchy`.
    pub fn root_use_hierarchy(mut self, on: bool) -> SimBuilder {
        self.config.kernel.root_use_hierarchy = on;
        self
    }

    /// See [`SimConfig::sample_interval`].
    pub fn sample_interval(mut self, ns: Nanos) -> SimBuilder {
        self.config.sample_interval = ns;
        self
    }

    /// See [`SimConfig::event_limit`].
    pub fn event_limit(mut self, events: u64) -> SimBuilder {
        self.config.event_limit = events;
        self
    }

    /// See [`SimConfig::trace_sink`].
    pub fn trace_sink(mut self, on: bool) -> SimBuilder {
        self.config.trace_sink = on;
        self
    }

    /// Hand every trace line to `sink` as it is recorded, from the first
    /// (a `--trace FILE` writer): nothing is kept for
    /// [`Simulator::take_trace`], and only the [`crate::trace::TRACE_KEEP`]
    /// newest lines stay in memory. A clone of the machine has no sink.
    pub fn trace_to(mut self, sink: Box<dyn TraceSink>) -> SimBuilder {
        self.sink = SinkSlot::new(sink);
        self
    }

    pub fn config(&self) -> &SimConfig {
        &self.config
    }

    pub fn build(mut self) -> Simulator {
        let sink = self.sink.take();
        let mut sim = Simulator::build(self.config);
        if sink.is_some() {
            sim.m.engine.trace.set_sink(sink);
        }
        sim
    }
}

impl From<SimConfig> for SimBuilder {
    fn from(config: SimConfig) -> SimBuilder {
        SimBuilder {
            config,
            sink: SinkSlot::default(),
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

    /// A builder over [`SimConfig`] for a machine of `version`.
    pub fn builder(version: Version) -> SimBuilder {
        SimBuilder::from(SimConfig::new(version))
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
        engine.sample_interval = c.sample_interval;
        engine.event_limit = c.event_limit;
        engine.trace.keep_pending = c.trace_sink;
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
            sample_interval: c.sample_interval,
            ram_pages: c.kernel.ram_pages,
            vm_dirty: c.kernel.vm_dirty,
            kernel: c.kernel.flavour,
            journal: self.journal.clone(),
            now: self.now(),
        })
    }

    /// The configuration the machine was built with (and the sample
    /// interval it uses now).
    pub fn config(&self) -> &SimConfig {
        &self.config
    }

    /// Sample the time series every `ns` from the next tick on (0: stop).
    /// The trace does not depend on it; [`Simulator::scenario`] records it.
    pub fn set_sample_interval(&mut self, ns: Nanos) {
        self.config.sample_interval = ns;
        self.m.engine.sample_interval = ns;
    }

    /// Stop the engine once its work reaches `work` units in all (a
    /// replay's bound, docs/model.md §18.12).
    pub(crate) fn set_work_limit(&mut self, work: u64) {
        self.m.engine.work_limit = work;
        self.m.engine.limit_hit = false;
    }

    /// Work units done so far (docs/model.md §18.12): events, and the
    /// memcgs and tasks each one looked at. No coordinate either.
    pub fn work(&self) -> u64 {
        self.m.engine.work + self.m.kernel.work
    }

    /// The engine stopped at [`SimConfig::event_limit`] (or at a replay's
    /// work bound).
    pub fn event_limit_hit(&self) -> bool {
        self.m.engine.limit_hit
    }

    /// Engine events processed so far (sampler ticks and bulk runs count
    /// too, so this is no coordinate: chunking a run changes it).
    pub fn events_processed(&self) -> u64 {
        self.m.engine.events_processed
    }

    /// Cgroups alive, the root included.
    pub fn cgroup_count(&self) -> usize {
        self.m.kernel.tree.len()
    }

    /// The time series of cgroup `id`, when it has a memcg and sampling is on.
    pub fn series(&self, id: CgroupId) -> Option<&Series> {
        self.m.engine.series.get(&id)
    }

    /// A cgroup's memory pressure now (`memory.pressure`: some/full totals
    /// in µs and the 10/60/300 s averages, §18.10); the root's is the
    /// system-wide one. `None` for an unknown id. Reading changes nothing.
    pub fn memory_pressure(&self, id: CgroupId) -> Option<crate::psi::Pressure> {
        self.machine().kernel.psi.pressure(id)
    }

    /// Stall times and the fault-latency histogram of cgroup `id`'s tasks.
    pub fn memcg_times(&self, id: CgroupId) -> Option<&MemcgTimes> {
        self.m.engine.times.get(&id)
    }

    /// Trace lines recorded so far (more than are kept).
    pub fn trace_len(&self) -> u64 {
        self.m.engine.trace.len()
    }

    /// The newest trace lines, oldest first (at most
    /// [`crate::trace::TRACE_KEEP`]).
    pub fn trace_recent(&self) -> impl Iterator<Item = &str> + '_ {
        self.m.engine.trace.recent().map(String::as_str)
    }

    /// The trace lines recorded since the last call, with
    /// [`SimConfig::trace_sink`] on (empty otherwise).
    pub fn take_trace(&mut self) -> VecDeque<String> {
        self.m.engine.trace.take_pending()
    }

    /// Trace memcg paths of the tasks that are allocating now (running an
    /// allocation op): where charge flows are drawn.
    pub fn charging_tasks(&self) -> Vec<String> {
        use crate::engine::TaskState;
        use crate::workload::Op;
        self.m
            .engine
            .tasks
            .values()
            .filter(|t| {
                t.state == TaskState::Running
                    && matches!(t.program.ops.get(t.pc), Some(Op::Alloc { .. }))
            })
            .map(|t| t.memcg_path.clone())
            .collect()
    }

    /// The machine itself, for white-box tests; front ends use the
    /// accessors above.
    pub fn machine(&self) -> &Machine {
        &self.m
    }

    /// White-box tests only: changing the machine behind the facade's back
    /// leaves it out of the journal.
    pub fn machine_mut(&mut self) -> &mut Machine {
        &mut self.m
    }

    /// White-box tests only (see [`Simulator::machine`]).
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

    /// [`Simulator::run_until`], pausing between two events once
    /// [`Simulator::work`] reaches `pause`; false when it paused.
    pub(crate) fn run_until_paused(&mut self, t: u64, pause: u64) -> bool {
        self.m.engine.run_until_paused(&mut self.m.kernel, t, pause)
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

    /// White-box tests only (see [`Simulator::machine`]).
    pub fn kernel(&self) -> &Kernel {
        &self.m.kernel
    }

    /// Run one shell line, after everything due at this instant (as
    /// [`crate::timeline::Timeline::edit`] and a replay run it, so a saved
    /// scenario replays to the same trace).
    pub fn exec(&mut self, line: &str) -> Output {
        let now = self.now();
        self.m.engine.run_until(&mut self.m.kernel, now);
        if journaled(line) {
            self.journal_push(JournalEntry {
                at: self.now(),
                exec: Some(String::from(line)),
                write: None,
            });
        }
        shell::exec(&mut self.m, &mut self.shell, line)
    }

    /// The instant part of [`Simulator::exec`] of a line that only sleeps
    /// (`sleep D`, [`shell::only_sleeps`]): its journal entry. The caller
    /// then runs the clock to `now + D` (in slices, a replay, §18.12) and
    /// calls [`Simulator::exec_sleep_end`]; together they do what `exec`
    /// does.
    pub(crate) fn exec_sleep_begin(&mut self, line: &str) {
        self.journal_push(JournalEntry {
            at: self.now(),
            exec: Some(String::from(line)),
            write: None,
        });
    }

    /// What the shell does once the sleep has run (see
    /// [`Simulator::exec_sleep_begin`]).
    pub(crate) fn exec_sleep_end(&mut self) -> Output {
        self.m.engine.sync(&mut self.m.kernel);
        self.shell.last_status = 0;
        Output::default()
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
            Node::Proc(p) if p.is_file() => Err(Errno::ENOTDIR),
            Node::Proc(_) => Ok(Vec::new()),
        }
    }

    /// Read a file as root.
    pub fn read(&self, path: &str) -> Result<String, Errno> {
        match cgroupfs::resolve(&self.m.kernel, &self.shell.cwd, path)? {
            Node::File(id, f) => cgroupfs::read_file(&self.m.kernel, id, f, Cred::Root),
            Node::Proc(p) if p.is_file() => cgroupfs::proc::read(&self.m.kernel, p),
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
            node @ Node::Proc(p) if p.is_file() => {
                let r = cgroupfs::proc::write(&mut self.m.kernel, p, value);
                let path = cgroupfs::node_path(&self.m.kernel, node);
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
