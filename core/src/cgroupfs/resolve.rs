//! Path resolution (the VFS side of the cgroupfs): the directories above
//! the mount, a cgroup's entries, and paths to nodes and back.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::{files, find_file, proc, Node};
use crate::kernel::{Kernel, Version, NAME_MAX, PATH_MAX};
use crate::tree::CgroupId;
use crate::Errno;

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
            if i == 0 {
                // `/` also holds `/proc` (the pid directories, §11.2).
                let proc_dir = (String::from("proc"), Node::Proc(proc::ProcNode::Dir));
                return alloc::vec![proc_dir, child];
            }
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
        Node::Proc(p) => proc::list(k, p),
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
        Node::Proc(p) => proc::lookup(k, p, name),
    }
}

/// `dir`'s entry `name` (one path component): ENAMETOOLONG over
/// `NAME_MAX`, ENOTDIR when `dir` is a file, ENOENT when it has no such
/// entry. `mkdir -p` walks with it one component at a time.
pub fn lookup_child(k: &Kernel, dir: Node, name: &str) -> Result<Node, Errno> {
    if !dir.is_dir() {
        return Err(Errno::ENOTDIR);
    }
    if name.len() > NAME_MAX {
        return Err(Errno::ENAMETOOLONG);
    }
    lookup(k, dir, name).ok_or(Errno::ENOENT)
}

/// A path as the kernel's `getname` copies it from user space (4.19
/// `fs/namei.c`, `strncpy_from_user` into a `PATH_MAX` buffer): a C string,
/// so it ends at the first NUL; `PATH_MAX` bytes or more with no NUL among
/// them is ENAMETOOLONG.
pub fn getname(path: &str) -> Result<&str, Errno> {
    let path = path.split('\0').next().unwrap_or(path);
    if path.len() >= PATH_MAX {
        return Err(Errno::ENAMETOOLONG);
    }
    Ok(path)
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
        Node::Proc(p) => proc::path(p),
    }
}

/// Resolve `path` (absolute, or relative to `cwd`) component by component,
/// as the VFS does: a file in the middle is ENOTDIR, a missing entry ENOENT.
pub fn resolve(k: &Kernel, cwd: &str, path: &str) -> Result<Node, Errno> {
    let path = getname(path)?;
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
                if name.len() > NAME_MAX {
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
    let path = getname(path)?;
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
