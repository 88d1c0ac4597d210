//! The virtual cgroup filesystem: path lookup, the v1 and v2 file tables,
//! read formats, write parsing and errno (spec §14–16).
//!
//! Files are `CfType`s as in the kernel: a name, placement flags and optional
//! read and write handlers; the mode follows from which handlers exist (§14).
//!
//! * `resolve` — paths to nodes and back, directory listings (the VFS side);
//! * `handlers` — read formats and write handlers v1 and v2 share;
//! * `stat` — the statistics files, computed from the page model;
//! * `v1`, `v2` — each hierarchy's own handlers and its file tables;
//! * `proc` — `/proc/PID/oom_score_adj`, the one procfs file modelled.

use alloc::string::String;
use alloc::vec::Vec;

use crate::kernel::{Kernel, Version};
use crate::tree::CgroupId;
use crate::units::PAGE_SIZE;
use crate::Errno;

/// A table entry: `file!(name, flags, read, write)`.
macro_rules! file {
    ($name:expr, $flags:expr, $read:expr, $write:expr) => {
        CfType {
            name: $name,
            flags: $flags,
            read: $read,
            write: $write,
        }
    };
}

mod handlers;
pub mod proc;
mod resolve;
mod stat;
mod v1;
mod v2;

pub use resolve::{
    getname, list_dir, lookup_child, node_path, outer_dirs, resolve, resolve_parent,
};
pub use stat::{all_hierarchical_stats, hierarchical_stat, local_stat, StatValues};
pub use v1::{V1_CORE_FILES, V1_MEMORY_FILES};
pub use v2::{V2_CORE_FILES, V2_MEMORY_FILES};

/// Absent in the root cgroup (`CFTYPE_NOT_ON_ROOT`).
pub const NOT_ON_ROOT: u16 = 1;
/// Only in the root cgroup (`CFTYPE_ONLY_ON_ROOT`).
pub const ONLY_ON_ROOT: u16 = 2;
/// Mode 0222 (`cgroup.event_control`).
pub const WORLD_WRITABLE: u16 = 4;
/// Part of the memory controller (absent in v2 without `+memory`).
const MEM: u16 = 8;

// Which kernels lack a file (§19): one bit per flavour
// ([`KernelFlavour::absent_bit`]); a file without these bits is on all.
const NO_ALINUX: u16 = 1 << 8;
const NO_LINUX419: u16 = 1 << 9;
const NO_LINUX66: u16 = 1 << 10;
const NO_OPENEULER: u16 = 1 << 11;
const NO_TENCENTOS: u16 = 1 << 12;
const NO_LINUX618: u16 = 1 << 13;
/// ALinux 4.19 only: the wmark files, `memory.exstat`, the priority OOM
/// files and ALinux's v1 exports of v2 files.
const ALINUX: u16 = NO_LINUX419 | NO_LINUX66 | NO_OPENEULER | NO_TENCENTOS | NO_LINUX618;
/// Upstream after 4.19 (ALinux backported them): absent in community 4.19.
const AFTER_419: u16 = NO_LINUX419;
/// 6.6-based and later kernels only (`memory.reclaim` 5.19, `memory.peak` 5.19).
const LINUX66: u16 = NO_ALINUX | NO_LINUX419;
/// openEuler only (`memory.high_async_ratio`, v1 `memory.reclaim`).
const OPENEULER: u16 = NO_ALINUX | NO_LINUX419 | NO_LINUX66 | NO_TENCENTOS | NO_LINUX618;
/// TencentOS only (`memory.async_*`, §19.5).
const TENCENTOS: u16 = NO_ALINUX | NO_LINUX419 | NO_LINUX66 | NO_OPENEULER | NO_LINUX618;
/// ALinux's, openEuler's and TencentOS's v1 exports of v2 files (low,
/// high, events: TencentOS's `mem_cgroup_legacy_files` has these three):
/// absent in community kernels.
const V1_EXPORT: u16 = NO_LINUX419 | NO_LINUX66 | NO_LINUX618;
/// ALinux's and openEuler's v1 `memory.min` and `memory.events.local`
/// (not in TencentOS's legacy table).
const V1_EXPORT_NOT_TENCENT: u16 = V1_EXPORT | NO_TENCENTOS;

/// Largest write a cgroup file takes (`atomic_write_len` = PAGE_SIZE, §14).
pub const MAX_WRITE: usize = PAGE_SIZE as usize;

pub type ReadFn = fn(&Kernel, CgroupId) -> String;
pub type WriteFn = fn(&mut Kernel, CgroupId, &str) -> Result<(), Errno>;

/// One interface file (`struct cftype`).
pub struct CfType {
    pub name: &'static str,
    pub flags: u16,
    pub read: Option<ReadFn>,
    pub write: Option<WriteFn>,
}

impl CfType {
    /// `cgroup_file_mode` (§14).
    pub fn mode(&self) -> u16 {
        if self.flags & WORLD_WRITABLE != 0 {
            return 0o222;
        }
        let mut mode = 0;
        if self.read.is_some() {
            mode |= 0o444;
        }
        if self.write.is_some() {
            mode |= 0o200;
        }
        mode
    }
}

impl core::fmt::Debug for CfType {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name)
    }
}

/// Who performs an operation. Files are root-owned (§14).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cred {
    Root,
    User(u32),
}

/// A looked-up path.
#[derive(Clone, Copy, Debug)]
pub enum Node {
    /// A directory above the cgroup mount (`/`, `/sys`, …); index into
    /// [`outer_dirs`].
    Outer(usize),
    Cgroup(CgroupId),
    File(CgroupId, &'static CfType),
    /// `/proc`, a pid directory or its `oom_score_adj` ([`proc`]).
    Proc(proc::ProcNode),
}

impl Node {
    pub fn is_dir(&self) -> bool {
        match self {
            Node::File(..) => false,
            Node::Proc(p) => !p.is_file(),
            _ => true,
        }
    }
}

/// The files a cgroup shows, in the kernel's table order.
fn shown(k: &Kernel, id: CgroupId) -> impl Iterator<Item = &'static CfType> {
    let is_root = id == CgroupId::ROOT;
    let has_memcg = k.tree.cg(id).memcg.is_some();
    let absent = k.flavour().absent_bit();
    let (core_files, mem_files): (&'static [CfType], &'static [CfType]) = match k.version() {
        Version::V1 => (V1_CORE_FILES, V1_MEMORY_FILES),
        Version::V2 => (V2_CORE_FILES, V2_MEMORY_FILES),
    };
    core_files.iter().chain(mem_files.iter()).filter(move |f| {
        !(is_root && f.flags & NOT_ON_ROOT != 0
            || !is_root && f.flags & ONLY_ON_ROOT != 0
            || f.flags & MEM != 0 && !has_memcg
            || f.flags & absent != 0)
    })
}

/// The files a cgroup shows, sorted by name.
pub fn files(k: &Kernel, id: CgroupId) -> Vec<&'static CfType> {
    // Ordered insertion rather than a sort (no sort code in the wasm).
    let mut out: Vec<&'static CfType> = Vec::new();
    for f in shown(k, id) {
        let at = out.partition_point(|g| g.name < f.name);
        out.insert(at, f);
    }
    out
}

/// Look a file up by name in a cgroup.
pub fn find_file(k: &Kernel, id: CgroupId, name: &str) -> Option<&'static CfType> {
    shown(k, id).find(|f| f.name == name)
}

/// `open(O_RDONLY)` then `read` (§14): non-root needs a read bit; root gets
/// EINVAL from a file without a read handler.
pub fn read_file(k: &Kernel, id: CgroupId, f: &CfType, cred: Cred) -> Result<String, Errno> {
    if cred != Cred::Root && f.mode() & 0o004 == 0 {
        return Err(Errno::EACCES);
    }
    match f.read {
        Some(read) => Ok(read(k, id)),
        None => Err(Errno::EINVAL),
    }
}

/// `open(O_WRONLY)`: only root may write (files are root-owned), except a
/// world-writable file (§14).
pub fn open_for_write(f: &CfType, cred: Cred) -> Result<(), Errno> {
    if cred != Cred::Root && f.flags & WORLD_WRITABLE == 0 {
        return Err(Errno::EACCES);
    }
    Ok(())
}

/// `write(2)` on an open cgroup file: E2BIG past one page, EINVAL without a
/// handler, else the handler's result (§14).
pub fn write_file(k: &mut Kernel, id: CgroupId, f: &CfType, data: &str) -> Result<(), Errno> {
    if data.len() > MAX_WRITE {
        return Err(Errno::E2BIG);
    }
    // kernfs_fop_write NUL-terminates the copied buffer and every handler
    // reads it as a C string (`strstrip`, `kstrto*`): a NUL ends the value.
    let data = data.split('\0').next().unwrap_or(data);
    match f.write {
        Some(write) => write(k, id, data),
        None => Err(Errno::EINVAL),
    }
}
