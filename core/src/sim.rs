//! The simulator facade: one simulated machine with its shell session.
//!
//! Everything a front end needs goes through [`Simulator`]: the shell
//! ([`Simulator::exec`]), direct file access ([`Simulator::read`],
//! [`Simulator::write`]) and snapshots of the tree for drawing.

use alloc::string::String;
use alloc::vec::Vec;

use crate::cgroupfs::{self, Cred, Node};
use crate::kernel::{Kernel, KernelConfig, Version};
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

/// A simulated machine: kernel state plus an interactive root shell.
#[derive(Clone, Debug)]
pub struct Simulator {
    kernel: Kernel,
    shell: Shell,
}

impl Simulator {
    /// A machine mounting the given hierarchy, booted as systemd leaves it.
    pub fn new(version: Version) -> Simulator {
        Simulator::with_config(KernelConfig::new(version))
    }

    pub fn with_config(config: KernelConfig) -> Simulator {
        let kernel = Kernel::new(config);
        let shell = Shell::new(&kernel);
        Simulator { kernel, shell }
    }

    pub fn version(&self) -> Version {
        self.kernel.version()
    }

    pub fn kernel(&self) -> &Kernel {
        &self.kernel
    }

    /// Run one shell line.
    pub fn exec(&mut self, line: &str) -> Output {
        shell::exec(&mut self.kernel, &mut self.shell, line)
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
        let k = &self.kernel;
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
        let k = &self.kernel;
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
        match cgroupfs::resolve(&self.kernel, &self.shell.cwd, path)? {
            Node::File(id, f) => cgroupfs::read_file(&self.kernel, id, f, Cred::Root),
            _ => Err(Errno::EISDIR),
        }
    }

    /// Write `value` to a file as root, in one `write(2)`, exactly as given.
    pub fn write(&mut self, path: &str, value: &str) -> Result<(), Errno> {
        match cgroupfs::resolve(&self.kernel, &self.shell.cwd, path)? {
            Node::File(id, f) => {
                cgroupfs::open_for_write(f, Cred::Root)?;
                cgroupfs::write_file(&mut self.kernel, id, f, value)
            }
            _ => Err(Errno::EISDIR),
        }
    }
}
