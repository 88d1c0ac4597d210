//! The virtual cgroup filesystem: path lookup, the v1 and v2 file tables,
//! read formats, write parsing and errno (spec §14–16).
//!
//! Files are `CfType`s as in the kernel: a name, placement flags and optional
//! read and write handlers; the mode follows from which handlers exist (§14).

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt::Write as _;

use crate::charge::drain_all_stock;
use crate::kernel::{Kernel, Version, SHELL_PID};
use crate::oom::mem_cgroup_out_of_memory;
use crate::reclaim::try_to_free_mem_cgroup_pages;
use crate::tree::MemcgEvent;
use crate::tree::{CgroupId, MEMCG_EVENT_NAMES};
use crate::units::{
    kstrtoint, kstrtoll, kstrtouint, kstrtoull, page_counter_memparse, pages_to_bytes, strstrip,
    Pages, PAGE_COUNTER_MAX, PAGE_SIZE,
};
use crate::wmark::setup_memcg_wmark;
use crate::Errno;

/// Absent in the root cgroup (`CFTYPE_NOT_ON_ROOT`).
pub const NOT_ON_ROOT: u8 = 1;
/// Only in the root cgroup (`CFTYPE_ONLY_ON_ROOT`).
pub const ONLY_ON_ROOT: u8 = 2;
/// Mode 0222 (`cgroup.event_control`).
pub const WORLD_WRITABLE: u8 = 4;
/// Part of the memory controller (absent in v2 without `+memory`).
const MEM: u8 = 8;

/// Largest write a cgroup file takes (`atomic_write_len` = PAGE_SIZE, §14).
pub const MAX_WRITE: usize = PAGE_SIZE as usize;

pub type ReadFn = fn(&Kernel, CgroupId) -> String;
pub type WriteFn = fn(&mut Kernel, CgroupId, &str) -> Result<(), Errno>;

/// One interface file (`struct cftype`).
pub struct CfType {
    pub name: &'static str,
    pub flags: u8,
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
}

impl Node {
    pub fn is_dir(&self) -> bool {
        !matches!(self, Node::File(..))
    }
}

/// Directories above the mount point, outermost first.
pub fn outer_dirs(v: Version) -> &'static [&'static str] {
    match v {
        Version::V1 => &["/", "/sys", "/sys/fs", "/sys/fs/cgroup"],
        Version::V2 => &["/", "/sys", "/sys/fs"],
    }
}

fn last_component(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

/// The files a cgroup shows, in the kernel's table order.
fn shown(k: &Kernel, id: CgroupId) -> impl Iterator<Item = &'static CfType> {
    let is_root = id == CgroupId::ROOT;
    let has_memcg = k.tree.cg(id).memcg.is_some();
    let (core_files, mem_files): (&'static [CfType], &'static [CfType]) = match k.version() {
        Version::V1 => (V1_CORE_FILES, V1_MEMORY_FILES),
        Version::V2 => (V2_CORE_FILES, V2_MEMORY_FILES),
    };
    core_files.iter().chain(mem_files.iter()).filter(move |f| {
        !(is_root && f.flags & NOT_ON_ROOT != 0
            || !is_root && f.flags & ONLY_ON_ROOT != 0
            || f.flags & MEM != 0 && !has_memcg)
    })
}

/// The files a cgroup shows, sorted by name.
pub fn files(k: &Kernel, id: CgroupId) -> Vec<&'static CfType> {
    let mut out: Vec<&'static CfType> = shown(k, id).collect();
    out.sort_unstable_by(|a, b| a.name.cmp(b.name));
    out
}

/// Look a file up by name in a cgroup.
pub fn find_file(k: &Kernel, id: CgroupId, name: &str) -> Option<&'static CfType> {
    shown(k, id).find(|f| f.name == name)
}

/// Entries of a directory, sorted as `ls` in the C locale sorts them.
pub fn list_dir(k: &Kernel, dir: Node) -> Vec<(String, Node)> {
    match dir {
        Node::Outer(i) => {
            let outer = outer_dirs(k.version());
            let child = if i + 1 < outer.len() {
                (last_component(outer[i + 1]).to_string(), Node::Outer(i + 1))
            } else {
                (
                    last_component(k.version().mount_point()).to_string(),
                    Node::Cgroup(CgroupId::ROOT),
                )
            };
            alloc::vec![child]
        }
        Node::Cgroup(id) => {
            // Both are sorted by bytes already (a BTreeMap of Strings, and
            // `files`): merge them rather than sort again.
            let mut kids = k.tree.cg(id).children.iter().peekable();
            let mut fs = files(k, id).into_iter().peekable();
            let mut v = Vec::new();
            loop {
                let kid_first = match (kids.peek(), fs.peek()) {
                    (Some((n, _)), Some(f)) => n.as_str() <= f.name,
                    (Some(_), None) => true,
                    (None, Some(_)) => false,
                    (None, None) => break,
                };
                if kid_first {
                    if let Some((n, &c)) = kids.next() {
                        v.push((n.clone(), Node::Cgroup(c)));
                    }
                } else if let Some(f) = fs.next() {
                    v.push((f.name.to_string(), Node::File(id, f)));
                }
            }
            v
        }
        Node::File(..) => Vec::new(),
    }
}

fn lookup(k: &Kernel, dir: Node, name: &str) -> Option<Node> {
    match dir {
        Node::Outer(_) => list_dir(k, dir)
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, node)| node),
        Node::Cgroup(id) => {
            if let Some(&c) = k.tree.cg(id).children.get(name) {
                return Some(Node::Cgroup(c));
            }
            find_file(k, id, name).map(|f| Node::File(id, f))
        }
        Node::File(..) => None,
    }
}

/// The canonical absolute path of a node.
pub fn node_path(k: &Kernel, node: Node) -> String {
    match node {
        Node::Outer(i) => outer_dirs(k.version())[i].to_string(),
        Node::Cgroup(id) => format!("{}{}", k.version().mount_point(), k.tree.rel_path(id)),
        Node::File(id, f) => format!(
            "{}{}/{}",
            k.version().mount_point(),
            k.tree.rel_path(id),
            f.name
        ),
    }
}

/// Resolve `path` (absolute, or relative to `cwd`) component by component,
/// as the VFS does: a file in the middle is ENOTDIR, a missing entry ENOENT.
pub fn resolve(k: &Kernel, cwd: &str, path: &str) -> Result<Node, Errno> {
    if path.is_empty() {
        return Err(Errno::ENOENT);
    }
    let full = if path.starts_with('/') {
        String::from(path)
    } else {
        format!("{cwd}/{path}")
    };
    let mut stack: Vec<Node> = alloc::vec![Node::Outer(0)];
    for comp in full.split('/') {
        let cur = *stack.last().expect("stack holds the root");
        if !cur.is_dir() {
            return Err(Errno::ENOTDIR);
        }
        match comp {
            "" | "." => {}
            ".." => {
                if stack.len() > 1 {
                    stack.pop();
                }
            }
            name => {
                if name.len() > crate::kernel::NAME_MAX {
                    return Err(Errno::ENAMETOOLONG);
                }
                let next = lookup(k, cur, name).ok_or(Errno::ENOENT)?;
                stack.push(next);
            }
        }
    }
    let last = *stack.last().expect("stack holds the root");
    if full.ends_with('/') && !last.is_dir() {
        return Err(Errno::ENOTDIR);
    }
    Ok(last)
}

/// Split `path` into its parent directory and final name, for mkdir/rmdir.
/// Returns the parent node and the name (`.`/`..` included as given).
pub fn resolve_parent<'p>(k: &Kernel, cwd: &str, path: &'p str) -> Result<(Node, &'p str), Errno> {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        // "/" itself.
        return Ok((Node::Outer(0), "."));
    }
    let (dir, name) = match trimmed.rfind('/') {
        Some(0) => ("/", &trimmed[1..]),
        Some(i) => (&trimmed[..i], &trimmed[i + 1..]),
        None => (".", trimmed),
    };
    let parent = resolve(k, cwd, dir)?;
    if !parent.is_dir() {
        return Err(Errno::ENOTDIR);
    }
    Ok((parent, name))
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
    match f.write {
        Some(write) => write(k, id, data),
        None => Err(Errno::EINVAL),
    }
}

// ---------------------------------------------------------------------------
// Read helpers

fn bytes_line(pages: Pages) -> String {
    format!("{}\n", pages_to_bytes(pages))
}

/// v2 style: "max" at PAGE_COUNTER_MAX, else bytes (§16).
fn max_or_bytes(pages: Pages) -> String {
    if pages == PAGE_COUNTER_MAX {
        String::from("max\n")
    } else {
        bytes_line(pages)
    }
}

fn u64_line(v: u64) -> String {
    format!("{v}\n")
}

fn memcg(k: &Kernel, id: CgroupId) -> &crate::tree::Memcg {
    k.tree.memcg(id)
}

// ---------------------------------------------------------------------------
// Write handlers shared by v1 and v2

/// `page_counter_memparse` on a stripped buffer.
fn parse_limit(buf: &str, maxstr: &str) -> Result<Pages, Errno> {
    page_counter_memparse(strstrip(buf), maxstr)
}

/// `mem_cgroup_resize_max` for the memory counter (§12.1): drain once,
/// then reclaim ≥ 32 pages per try; EBUSY on zero progress. On error the
/// limit and the watermarks are unchanged.
fn mem_cgroup_resize_max(k: &mut Kernel, id: CgroupId, max: Pages) -> Result<(), Errno> {
    let costs = k.costs;
    let mut drained = false;
    for _ in 0..1_000_000 {
        if k.tree.memcg_mut(id).memory.set_max(max).is_ok() {
            setup_memcg_wmark(k.tree.memcg_mut(id));
            k.queue_wmark_work_if_needed(id);
            return Ok(());
        }
        if !drained {
            drain_all_stock(k, id);
            drained = true;
            continue;
        }
        let p = try_to_free_mem_cgroup_pages(k, &costs, id, 1, true);
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
    mem_cgroup_resize_max(k, id, pages)
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

fn soft_limit_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    let pages = parse_limit(buf, "-1")?;
    k.tree.memcg_mut(id).soft_limit = pages;
    Ok(())
}

/// `memory_high_write` (ALinux, §12.3): drain, reclaim until under (six
/// zero-progress attempts at most), *then* store high, recompute the
/// watermarks and queue. No HIGH event.
fn high_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    let high = parse_limit(buf, "max")?;
    let costs = k.costs;
    let mut drained = false;
    let mut retries = 5u32;
    for _ in 0..1_000_000 {
        let usage = k.tree.memcg(id).memory.usage;
        if usage <= high {
            break;
        }
        if !drained {
            drain_all_stock(k, id);
            drained = true;
            continue;
        }
        let p = try_to_free_mem_cgroup_pages(k, &costs, id, usage - high, true);
        if p.reclaimed == 0 {
            if retries == 0 {
                break;
            }
            retries -= 1;
        }
    }
    let m = k.tree.memcg_mut(id);
    m.memory.high = high;
    setup_memcg_wmark(m);
    k.queue_wmark_work_if_needed(id);
    Ok(())
}

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
    Ok(())
}

fn min_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    let v = parse_limit(buf, "max")?;
    k.tree.page_counter_set_protection(id, Some(v), None);
    Ok(())
}

fn low_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    let v = parse_limit(buf, "max")?;
    k.tree.page_counter_set_protection(id, None, Some(v));
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

/// `memory_wmark_ratio_write` (§9.5, §15): strstrip, kstrtouint into an
/// `int`, signed `> 100` check (so ≥ 2^31 passes), store, recompute, queue.
fn wmark_ratio_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    let v = kstrtouint(strstrip(buf))?;
    if (v as i32) > 100 {
        return Err(Errno::EINVAL);
    }
    let m = k.tree.memcg_mut(id);
    m.wmark_ratio = v;
    setup_memcg_wmark(m);
    k.queue_wmark_work_if_needed(id);
    Ok(())
}

/// `memory_wmark_scale_factor_write`: 1..=1000 (signed compare), recompute,
/// no queue (§9.5).
fn wmark_scale_factor_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    let v = kstrtouint(strstrip(buf))?;
    let s = v as i32;
    if !(1..=1000).contains(&s) {
        return Err(Errno::EINVAL);
    }
    let m = k.tree.memcg_mut(id);
    m.wmark_scale_factor = v;
    setup_memcg_wmark(m);
    Ok(())
}

fn wmark_min_adj_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    let v = kstrtoint(strstrip(buf))?;
    if !(-25..=50).contains(&v) {
        return Err(Errno::EINVAL);
    }
    k.tree.memcg_mut(id).wmark_min_adj = v;
    Ok(())
}

fn oom_group_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    let v = kstrtoint(strstrip(buf))?;
    if v != 0 && v != 1 {
        return Err(Errno::EINVAL);
    }
    k.tree.memcg_mut(id).oom_group = v == 1;
    Ok(())
}

fn priority_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    let v = kstrtoull(buf)?;
    if v > 12 {
        return Err(Errno::EINVAL);
    }
    k.tree.memcg_mut(id).priority = v;
    Ok(())
}

fn use_priority_oom_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    let v = kstrtoull(buf)?;
    if v > 1 {
        return Err(Errno::EINVAL);
    }
    k.tree.memcg_mut(id).use_priority_oom = v == 1;
    Ok(())
}

fn reset_peak(k: &mut Kernel, id: CgroupId, _buf: &str) -> Result<(), Errno> {
    let m = &mut k.tree.memcg_mut(id).memory;
    m.watermark = m.usage;
    Ok(())
}

fn reset_failcnt(k: &mut Kernel, id: CgroupId, _buf: &str) -> Result<(), Errno> {
    k.tree.memcg_mut(id).memory.failcnt = 0;
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
        if !k.tree.cg(id).children.is_empty() {
            return Err(Errno::EBUSY);
        }
        k.tree.memcg_mut(id).use_hierarchy = v == 1;
        Ok(())
    } else {
        Err(Errno::EINVAL)
    }
}

/// `mem_cgroup_swappiness_write` (ALinux, §15).
fn swappiness_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    let v = kstrtoll(buf)?;
    let is_root = id == CgroupId::ROOT;
    if !(-1..=100).contains(&v) || (!is_root && v < 0) {
        return Err(Errno::EINVAL);
    }
    if is_root {
        k.vm_swappiness = v;
    } else {
        k.tree.memcg_mut(id).swappiness = v;
    }
    Ok(())
}

fn move_charge_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    let v = kstrtoull(buf)?;
    if v & !0x3 != 0 {
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

/// `cgroup.procs` / `tasks`: a pid (0 = the writer, the shell), ESRCH when
/// unknown.
fn procs_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    let pid = kstrtoint(strstrip(buf))?;
    if pid < 0 {
        return Err(Errno::EINVAL);
    }
    let pid = if pid == 0 { SHELL_PID } else { pid as u32 };
    k.attach(pid, id)
}

fn procs_read(k: &Kernel, id: CgroupId) -> String {
    let mut s = String::new();
    for pid in k.tree.cg(id).procs.iter() {
        let _ = writeln!(s, "{pid}");
    }
    s
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
    k.tree.cg_mut(id).max_descendants = limit_count_write(buf)?;
    Ok(())
}

fn depth_write(k: &mut Kernel, id: CgroupId, buf: &str) -> Result<(), Errno> {
    k.tree.cg_mut(id).max_depth = limit_count_write(buf)?;
    Ok(())
}

/// `cgroup.type`: threaded cgroups are outside the simulator.
fn cgroup_type_write(_k: &mut Kernel, _id: CgroupId, buf: &str) -> Result<(), Errno> {
    match strstrip(buf) {
        "threaded" => Err(Errno::EOPNOTSUPP),
        _ => Err(Errno::EINVAL),
    }
}

// ---------------------------------------------------------------------------
// Statistics files (§13), computed from the page model (crate::lru).

/// memory.stat values of one memcg, local or hierarchical, in pages or
/// event counts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StatValues {
    pub anon_active: Pages,
    pub anon_inactive: Pages,
    pub file_active: Pages,
    pub file_inactive: Pages,
    pub file_dirty: Pages,
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
fn memcg_only_stat(k: &Kernel, id: CgroupId) -> StatValues {
    let mc = memcg(k, id);
    StatValues {
        file_inactive: mc.pages.file(),
        file_dirty: mc.pages.file_dirty,
        pgfault: mc.stat.pgfault,
        pgmajfault: mc.stat.pgmajfault,
        pgpgin: mc.stat.pgpgin,
        pgpgout: mc.stat.pgpgout,
        pgscan: mc.stat.pgscan_direct + mc.stat.pgscan_kswapd,
        pgsteal: mc.stat.pgsteal_direct + mc.stat.pgsteal_kswapd,
        refault_anon: mc.stat.workingset_refault_anon,
        refault_file: mc.stat.workingset_refault_file,
        ..StatValues::default()
    }
}

fn add_task_pages(v: &mut StatValues, p: &crate::lru::TaskPages) {
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
    for c in k.tree.subtree(id) {
        if k.tree.cg(c).memcg.is_some() {
            v.add(&memcg_only_stat(k, c));
        }
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
    // Post-order: children before parents.
    let order = k.tree.subtree(CgroupId::ROOT);
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

fn v1_stat_lines(v: &StatValues) -> [(&'static str, u64); 19] {
    let b = pages_to_bytes;
    [
        ("cache", b(v.file())),
        ("rss", b(v.anon())),
        ("rss_huge", 0),
        ("shmem", 0),
        ("mapped_file", 0),
        ("dirty", b(v.file_dirty)),
        ("writeback", 0),
        ("workingset_refault", v.refault_anon + v.refault_file),
        ("workingset_activate", 0),
        ("workingset_nodereclaim", 0),
        ("pgpgin", v.pgpgin),
        ("pgpgout", v.pgpgout),
        ("pgfault", v.pgfault),
        ("pgmajfault", v.pgmajfault),
        ("inactive_anon", b(v.anon_inactive)),
        ("active_anon", b(v.anon_active)),
        ("inactive_file", b(v.file_inactive)),
        ("active_file", b(v.file_active)),
        ("unevictable", 0),
    ]
}

fn v1_stat_read(k: &Kernel, id: CgroupId) -> String {
    let mut s = String::new();
    for (key, val) in v1_stat_lines(&local_stat(k, id)) {
        let _ = writeln!(s, "{key} {val}");
    }
    let _ = writeln!(
        s,
        "hierarchical_memory_limit {}",
        pages_to_bytes(k.hierarchical_memory_limit(id))
    );
    for (key, val) in v1_stat_lines(&hierarchical_stat(k, id)) {
        let _ = writeln!(s, "total_{key} {val}");
    }
    s
}

fn v2_stat_read(k: &Kernel, id: CgroupId) -> String {
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
        ("file_writeback", 0),
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

fn numa_stat_read(k: &Kernel, id: CgroupId) -> String {
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

fn events_text(ev: &[u64; 5]) -> String {
    let mut s = String::new();
    for (name, v) in MEMCG_EVENT_NAMES.iter().zip(ev) {
        let _ = writeln!(s, "{name} {v}");
    }
    s
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
        m.events_local[crate::tree::MemcgEvent::OomKill as usize]
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

/// v1 memory files (ALinux 4.19 `mem_cgroup_legacy_files`, §15).
pub static V1_MEMORY_FILES: &[CfType] = &[
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
    file!("memory.exstat", MEM, Some(exstat_read), None),
    file!(
        "memory.wmark_ratio",
        MEM | NOT_ON_ROOT,
        Some(|k, id| format!("{}\n", memcg(k, id).wmark_ratio as i32)),
        Some(wmark_ratio_write)
    ),
    file!(
        "memory.wmark_high",
        MEM | NOT_ON_ROOT,
        Some(|k, id| bytes_line(memcg(k, id).memory.wmark_high)),
        None
    ),
    file!(
        "memory.wmark_low",
        MEM | NOT_ON_ROOT,
        Some(|k, id| bytes_line(memcg(k, id).memory.wmark_low)),
        None
    ),
    file!(
        "memory.wmark_scale_factor",
        MEM | NOT_ON_ROOT,
        Some(|k, id| format!("{}\n", memcg(k, id).wmark_scale_factor as i32)),
        Some(wmark_scale_factor_write)
    ),
    file!(
        "memory.wmark_min_adj",
        MEM | NOT_ON_ROOT,
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
        MEM,
        Some(|k, id| u64_line(u64::from(memcg(k, id).use_priority_oom))),
        Some(use_priority_oom_write)
    ),
    file!(
        "memory.priority",
        MEM | NOT_ON_ROOT,
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
        MEM | NOT_ON_ROOT,
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
        "memory.events",
        MEM | NOT_ON_ROOT,
        Some(|k, id| events_text(&memcg(k, id).events_local)),
        None
    ),
    file!(
        "memory.events.local",
        MEM | NOT_ON_ROOT,
        Some(|k, id| events_text(&memcg(k, id).events_local)),
        None
    ),
    file!(
        "cgroup.event_control",
        MEM | WORLD_WRITABLE,
        None,
        Some(event_control_write)
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
    ),
];

/// v2 memory files (ALinux 4.19 `memory_files` + `swap_files`, §16).
pub static V2_MEMORY_FILES: &[CfType] = &[
    file!(
        "memory.current",
        MEM | NOT_ON_ROOT,
        Some(|k, id| bytes_line(memcg(k, id).memory.usage)),
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
        MEM | NOT_ON_ROOT,
        Some(|k, id| format!("{}\n", memcg(k, id).wmark_ratio as i32)),
        Some(wmark_ratio_write)
    ),
    file!(
        "memory.wmark_high",
        MEM | NOT_ON_ROOT,
        Some(|k, id| max_or_bytes(memcg(k, id).memory.wmark_high)),
        None
    ),
    file!(
        "memory.wmark_low",
        MEM | NOT_ON_ROOT,
        Some(|k, id| max_or_bytes(memcg(k, id).memory.wmark_low)),
        None
    ),
    file!(
        "memory.wmark_scale_factor",
        MEM | NOT_ON_ROOT,
        Some(|k, id| format!("{}\n", memcg(k, id).wmark_scale_factor as i32)),
        Some(wmark_scale_factor_write)
    ),
    file!(
        "memory.priority",
        MEM | NOT_ON_ROOT,
        Some(|k, id| u64_line(memcg(k, id).priority)),
        Some(priority_write)
    ),
    file!(
        "memory.use_priority_oom",
        MEM,
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
        MEM | NOT_ON_ROOT,
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
    file!(
        "memory.swap.current",
        MEM | NOT_ON_ROOT,
        Some(|k, id| bytes_line(memcg(k, id).swap.usage)),
        None
    ),
    file!(
        "memory.swap.high",
        MEM | NOT_ON_ROOT,
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
            let e = memcg(k, id).swap_events;
            format!("high {}\nmax {}\nfail {}\n", e[0], e[1], e[2])
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
            "nr_descendants {}\nnr_dying_descendants 0\n",
            k.tree.nr_descendants(id)
        )),
        None
    ),
];
