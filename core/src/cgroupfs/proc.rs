//! The one corner of procfs the simulator models: `/proc/PID/oom_score_adj`
//! of each live task, read and written as on Linux 4.19
//! (`fs/proc/base.c`: `oom_score_adj_read`, `oom_score_adj_write`,
//! `__set_oom_adj`), so victim selection can be steered (§11.2).
//!
//! `/proc` lists the pid directories only, `/proc/self` is the shell;
//! each pid directory holds `oom_score_adj` alone. On the `tencentos`
//! flavour `/proc/sys/vm/memory_qos` is there too: the one sysctl the
//! simulator models as a file (TencentOS `sysctl_vm_memory_qos`, §19.5).

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::{Cred, Node};
use crate::kernel::{Kernel, SHELL_PID};
use crate::tree::Pid;
use crate::units::{kstrtoint, strstrip};
use crate::Errno;

/// `OOM_SCORE_ADJ_MIN`, `OOM_SCORE_ADJ_MAX` (include/uapi/linux/oom.h).
pub const OOM_SCORE_ADJ_MIN: i32 = -1000;
pub const OOM_SCORE_ADJ_MAX: i32 = 1000;
/// `PROC_NUMBUF`: `oom_score_adj_write` reads at most this minus one bytes.
const PROC_NUMBUF: usize = 13;
/// The only file of a pid directory.
pub const OOM_SCORE_ADJ: &str = "oom_score_adj";

/// A node under `/proc`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProcNode {
    /// `/proc` itself.
    Dir,
    /// `/proc/PID`.
    Pid(Pid),
    /// `/proc/PID/oom_score_adj`.
    OomScoreAdj(Pid),
    /// `/proc/sys` (TencentOS only).
    Sys,
    /// `/proc/sys/vm`.
    SysVm,
    /// `/proc/sys/vm/memory_qos`.
    MemoryQos,
}

/// `memory_qos` in `/proc/sys/vm`.
pub const MEMORY_QOS: &str = "memory_qos";

impl ProcNode {
    /// A regular file (the rest are directories).
    pub fn is_file(self) -> bool {
        matches!(self, ProcNode::OomScoreAdj(_) | ProcNode::MemoryQos)
    }
}

/// `/proc/sys` exists on the flavours with a modelled sysctl file.
fn has_sys(k: &Kernel) -> bool {
    k.flavour().has_async_ratio()
}

/// Read a `/proc` file.
pub fn read(k: &Kernel, node: ProcNode) -> Result<String, Errno> {
    match node {
        ProcNode::OomScoreAdj(pid) => oom_score_adj_read(k, pid),
        ProcNode::MemoryQos => Ok(format!("{}\n", k.vm_memory_qos)),
        _ => Err(Errno::EISDIR),
    }
}

/// Open a `/proc` file for writing: root's, mode 0644.
pub fn open_for_write(node: ProcNode, cred: Cred) -> Result<(), Errno> {
    if !node.is_file() {
        return Err(Errno::EISDIR);
    }
    oom_score_adj_open_for_write(cred)
}

/// Write a `/proc` file.
pub fn write(k: &mut Kernel, node: ProcNode, data: &str) -> Result<(), Errno> {
    match node {
        ProcNode::OomScoreAdj(pid) => oom_score_adj_write(k, pid, data),
        ProcNode::MemoryQos => memory_qos_write(k, data),
        _ => Err(Errno::EISDIR),
    }
}

/// `vm.memory_qos` (TencentOS `kernel/sysctl.c`: an `int`,
/// `memory_qos_sysctl_handler` with extra1 = 0, extra2 = 1): the
/// `proc_dointvec_minmax` bounds, so anything but 0 or 1 is EINVAL. The
/// number is read as `kstrtoint` base 0 reads it; proc_dointvec's
/// several-numbers and trailing-text cases are not modelled, nor what the
/// handler does besides storing (its priority-reclaim bookkeeping).
fn memory_qos_write(k: &mut Kernel, data: &str) -> Result<(), Errno> {
    let buf = data.split('\0').next().unwrap_or("");
    let v = kstrtoint(strstrip(buf)).map_err(|_| Errno::EINVAL)?;
    if !(0..=1).contains(&v) {
        return Err(Errno::EINVAL);
    }
    k.vm_memory_qos = v;
    Ok(())
}

/// The entries of a `/proc` directory, sorted as `ls` sorts them.
pub(super) fn list(k: &Kernel, node: ProcNode) -> Vec<(String, Node)> {
    match node {
        ProcNode::Dir => {
            // Ordered insertion rather than a sort: each sort instantiation
            // is a few KB of wasm (README "Measurements").
            let mut v: Vec<(String, Node)> = Vec::with_capacity(k.tasks.len() + 1);
            let mut add = |name: String, p: Pid| {
                let at = v.partition_point(|e| e.0 < name);
                v.insert(at, (name, Node::Proc(ProcNode::Pid(p))));
            };
            for &p in k.tasks.keys() {
                add(p.to_string(), p);
            }
            add(String::from("self"), SHELL_PID);
            if has_sys(k) {
                let at = v.partition_point(|e| e.0.as_str() < "sys");
                v.insert(at, (String::from("sys"), Node::Proc(ProcNode::Sys)));
            }
            v
        }
        ProcNode::Sys => alloc::vec![(String::from("vm"), Node::Proc(ProcNode::SysVm))],
        ProcNode::SysVm => alloc::vec![(String::from(MEMORY_QOS), Node::Proc(ProcNode::MemoryQos))],
        ProcNode::MemoryQos => Vec::new(),
        ProcNode::Pid(p) => alloc::vec![(
            String::from(OOM_SCORE_ADJ),
            Node::Proc(ProcNode::OomScoreAdj(p))
        )],
        ProcNode::OomScoreAdj(_) => Vec::new(),
    }
}

/// `name` in a `/proc` directory: a live task's pid (or `self`), then
/// `oom_score_adj` in it.
pub(super) fn lookup(k: &Kernel, node: ProcNode, name: &str) -> Option<Node> {
    match node {
        ProcNode::Dir if name == "sys" => has_sys(k).then_some(Node::Proc(ProcNode::Sys)),
        ProcNode::Sys => (name == "vm").then_some(Node::Proc(ProcNode::SysVm)),
        ProcNode::SysVm => (name == MEMORY_QOS).then_some(Node::Proc(ProcNode::MemoryQos)),
        ProcNode::MemoryQos => None,
        ProcNode::Dir => {
            let pid = if name == "self" {
                SHELL_PID
            } else {
                // proc_pid_lookup: name_to_int, no sign, no leading zero.
                if name.starts_with('0') || !name.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                name.parse().ok()?
            };
            k.tasks
                .contains_key(&pid)
                .then_some(Node::Proc(ProcNode::Pid(pid)))
        }
        ProcNode::Pid(p) => (name == OOM_SCORE_ADJ && k.tasks.contains_key(&p))
            .then_some(Node::Proc(ProcNode::OomScoreAdj(p))),
        ProcNode::OomScoreAdj(_) => None,
    }
}

/// The absolute path of a `/proc` node.
pub(super) fn path(node: ProcNode) -> String {
    match node {
        ProcNode::Dir => String::from("/proc"),
        ProcNode::Pid(p) => format!("/proc/{p}"),
        ProcNode::OomScoreAdj(p) => format!("/proc/{p}/{OOM_SCORE_ADJ}"),
        ProcNode::Sys => String::from("/proc/sys"),
        ProcNode::SysVm => String::from("/proc/sys/vm"),
        ProcNode::MemoryQos => format!("/proc/sys/vm/{MEMORY_QOS}"),
    }
}

/// `oom_score_adj_read`: "%d\n". Mode 0644, readable by anyone; ESRCH once
/// the task is gone.
pub fn oom_score_adj_read(k: &Kernel, pid: Pid) -> Result<String, Errno> {
    let t = k.tasks.get(&pid).ok_or(Errno::ESRCH)?;
    Ok(format!("{}\n", t.oom_score_adj))
}

/// Open for writing: the tasks are root's, mode 0644.
pub fn oom_score_adj_open_for_write(cred: Cred) -> Result<(), Errno> {
    if cred != Cred::Root {
        return Err(Errno::EACCES);
    }
    Ok(())
}

/// `oom_score_adj_write`: the first 12 bytes, stripped, `kstrtoint` base 0
/// (its EINVAL or ERANGE), outside -1000..=1000 → EINVAL; root may lower
/// it (CAP_SYS_RESOURCE). ESRCH once the task is gone.
pub fn oom_score_adj_write(k: &mut Kernel, pid: Pid, data: &str) -> Result<(), Errno> {
    let mut end = data.len().min(PROC_NUMBUF - 1);
    while !data.is_char_boundary(end) {
        end -= 1;
    }
    // A C string from here on (`proc_oom_score_adj_write`): a NUL ends it.
    let buf = data[..end].split('\0').next().unwrap_or("");
    let v = kstrtoint(strstrip(buf))?;
    if !(OOM_SCORE_ADJ_MIN..=OOM_SCORE_ADJ_MAX).contains(&v) {
        return Err(Errno::EINVAL);
    }
    let t = k.tasks.get_mut(&pid).ok_or(Errno::ESRCH)?;
    t.oom_score_adj = v;
    Ok(())
}
