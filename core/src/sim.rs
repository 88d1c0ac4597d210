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

/// The simulated machine: kernel state and the engine that moves it.
#[derive(Clone, Debug)]
pub struct Machine {
    pub kernel: Kernel,
    pub engine: Engine,
}

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
        let cpus = c.kernel.cpus.max(1);
        let mut kernel = Kernel::new(c.kernel);
        kernel.costs = c.costs;
        let mut engine = Engine::new(cpus, c.seed);
        engine.mode = c.mode;
        let shell = Shell::new(&kernel);
        Simulator {
            m: Machine { kernel, engine },
            shell,
        }
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
        let k = &self.m.kernel;
        let mount = self.mount_point();
        k.tree
            .subtree(crate::tree::CgroupId::ROOT)
            .into_iter()
            .map(|id| {
                let cg = k.tree.cg(id);
                CgroupInfo {
                    path: cgroupfs::node_path(k, Node::Cgroup(id)),
                    name: if cg.parent.is_none() {
                        String::from(mount.rsplit('/').next().unwrap_or(mount))
                    } else {
                        cg.name.clone()
                    },
                    depth: cg.depth as usize,
                    has_memory: cg.memcg.is_some(),
                }
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
        match cgroupfs::resolve(&self.m.kernel, &self.shell.cwd, path)? {
            Node::File(id, f) => {
                cgroupfs::open_for_write(f, Cred::Root)?;
                let r = cgroupfs::write_file(&mut self.m.kernel, id, f, value);
                let path = cgroupfs::node_path(&self.m.kernel, Node::File(id, f));
                self.m
                    .engine
                    .note_write(&mut self.m.kernel, path, String::from(value));
                r
            }
            _ => Err(Errno::EISDIR),
        }
    }
}
