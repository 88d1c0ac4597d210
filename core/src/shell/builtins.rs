//! The file commands: `echo`, `cd`, `cat`, `mkdir`, `rmdir`, `ls`,
//! `tree`, `whoami` and `su`, with coreutils' options and messages.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt::Write as _;

use super::{exec, Output, Shell};
use crate::cgroupfs::{self, Cred, Node};
use crate::kernel::Kernel;
use crate::machine::Machine;
use crate::Errno;

/// coreutils' `quote()` in the C locale: 'name', with shell escaping when
/// the name holds a single quote.
fn quote(s: &str) -> String {
    if s.contains('\'') {
        format!("\"{s}\"")
    } else {
        format!("'{s}'")
    }
}

/// `CMD: MSG` and coreutils' hint, status 1.
pub fn usage_error(cmd: &str, msg: &str) -> Output {
    Output::err(
        format!("{cmd}: {msg}\nTry '{cmd} --help' for more information.\n"),
        1,
    )
}

/// Split leading `-x` options (and `--parents` for `p`); `--` ends them;
/// an option not in `allowed` is the error.
pub fn split_opts<'a>(
    args: &'a [String],
    allowed: &str,
) -> Result<(Vec<char>, &'a [String]), char> {
    let mut opts = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let a = args[i].as_str();
        if a == "--" {
            i += 1;
            break;
        }
        if a.len() < 2 || !a.starts_with('-') {
            break;
        }
        if a == "--parents" && allowed.contains('p') {
            opts.push('p');
            i += 1;
            continue;
        }
        for c in a[1..].chars() {
            if !allowed.contains(c) {
                return Err(c);
            }
            opts.push(c);
        }
        i += 1;
    }
    Ok((opts, &args[i..]))
}

pub(super) fn cmd_cd(k: &Kernel, sh: &mut Shell, args: &[String]) -> Output {
    if args.len() > 1 {
        return Output::err(String::from("bash: cd: too many arguments\n"), 1);
    }
    let target = match args.first() {
        Some(t) => t.as_str(),
        None => k.version().mount_point(),
    };
    match cgroupfs::resolve(k, &sh.cwd, target) {
        Ok(node) if node.is_dir() => {
            sh.cwd = cgroupfs::node_path(k, node);
            Output::default()
        }
        Ok(_) => Output::err(format!("bash: cd: {target}: Not a directory\n"), 1),
        Err(e) => Output::err(format!("bash: cd: {target}: {}\n", e.message()), 1),
    }
}

pub(super) fn cmd_cat(k: &Kernel, sh: &Shell, args: &[String]) -> Output {
    let mut out = Output::default();
    for path in args {
        match cgroupfs::resolve(k, &sh.cwd, path) {
            Ok(Node::File(id, f)) => match cgroupfs::read_file(k, id, f, sh.cred) {
                Ok(text) => out.stdout.push_str(&text),
                Err(e) => {
                    let _ = writeln!(out.stderr, "cat: {path}: {}", e.message());
                    out.status = 1;
                }
            },
            Ok(Node::Proc(p)) if p.is_file() => match cgroupfs::proc::read(k, p) {
                Ok(text) => out.stdout.push_str(&text),
                Err(e) => {
                    let _ = writeln!(out.stderr, "cat: {path}: {}", e.message());
                    out.status = 1;
                }
            },
            Ok(_) => {
                let _ = writeln!(out.stderr, "cat: {path}: Is a directory");
                out.status = 1;
            }
            Err(e) => {
                let _ = writeln!(out.stderr, "cat: {path}: {}", e.message());
                out.status = 1;
            }
        }
    }
    out
}

/// `mkdir(2)` of one path.
fn mkdir_one(k: &mut Kernel, sh: &Shell, path: &str) -> Result<(), Errno> {
    let (parent, name) = cgroupfs::resolve_parent(k, &sh.cwd, path)?;
    if name == "." || name == ".." {
        return Err(Errno::EEXIST);
    }
    mkdir_at(k, sh, parent, name).map(|_| ())
}

/// `mkdirat(2)` of `name` in the directory `parent`; the new directory.
fn mkdir_at(k: &mut Kernel, sh: &Shell, parent: Node, name: &str) -> Result<Node, Errno> {
    match parent {
        Node::Cgroup(id) => {
            if cgroupfs::find_file(k, id, name).is_some() {
                return Err(Errno::EEXIST);
            }
            if k.tree.cg(id).children.contains_key(name) {
                return Err(Errno::EEXIST);
            }
            if sh.cred != Cred::Root {
                return Err(Errno::EACCES);
            }
            k.mkdir(id, name).map(Node::Cgroup)
        }
        Node::Outer(_) | Node::Proc(_) => {
            let exists = cgroupfs::list_dir(k, parent).iter().any(|(n, _)| n == name);
            if exists {
                Err(Errno::EEXIST)
            } else if sh.cred != Cred::Root {
                Err(Errno::EACCES)
            } else {
                // sysfs directories have no mkdir operation.
                Err(Errno::EPERM)
            }
        }
        Node::File(..) => Err(Errno::ENOTDIR),
    }
}

pub(super) fn cmd_mkdir(k: &mut Kernel, sh: &Shell, args: &[String]) -> Output {
    let (opts, paths) = match split_opts(args, "p") {
        Ok(v) => v,
        Err(c) => return usage_error("mkdir", &format!("invalid option -- '{c}'")),
    };
    if paths.is_empty() {
        return usage_error("mkdir", "missing operand");
    }
    let parents = opts.contains(&'p');
    let mut out = Output::default();
    for path in paths {
        let result = if parents {
            mkdir_parents(k, sh, path)
        } else {
            mkdir_one(k, sh, path)
        };
        if let Err(e) = result {
            let _ = writeln!(
                out.stderr,
                "mkdir: cannot create directory {}: {}",
                quote(path),
                e.message()
            );
            out.status = 1;
        }
    }
    out
}

/// One component of a walk: `.` and empty ones stay, `..` climbs (not
/// above `/`); a name is returned to be looked up or made.
fn walk<'c>(stack: &mut Vec<Node>, comp: &'c str) -> Option<&'c str> {
    match comp {
        "" | "." => None,
        ".." => {
            if stack.len() > 1 {
                stack.pop();
            }
            None
        }
        name => Some(name),
    }
}

/// `mkdir -p`: create each missing ancestor; an existing directory is fine.
/// As coreutils' `mkancesdirs`, which makes each directory relative to the
/// one before (it changes into it): one lookup per component, so the cost
/// is linear in depth, and only each component is bounded (`NAME_MAX`), not
/// the whole path (`PATH_MAX`), as GNU `mkdir -p` creates trees deeper
/// than a path can name.
fn mkdir_parents(k: &mut Kernel, sh: &Shell, path: &str) -> Result<(), Errno> {
    let path = path.split('\0').next().unwrap_or(path);
    if path.is_empty() {
        return Err(Errno::ENOENT);
    }
    // The working directory's own components must exist: they are walked,
    // never created. `..` climbs back up through them.
    let mut stack: Vec<Node> = alloc::vec![Node::Outer(0)];
    if !path.starts_with('/') {
        for comp in sh.cwd.split('/') {
            if let Some(name) = walk(&mut stack, comp) {
                let cur = *stack.last().expect("stack holds the root");
                stack.push(cgroupfs::lookup_child(k, cur, name)?);
            }
        }
    }
    let comps: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
    for (i, comp) in comps.iter().enumerate() {
        let Some(name) = walk(&mut stack, comp) else {
            continue;
        };
        let cur = *stack.last().expect("stack holds the root");
        let next = match cgroupfs::lookup_child(k, cur, name) {
            Ok(node) if node.is_dir() => node,
            Ok(_) => {
                return Err(if i + 1 == comps.len() {
                    Errno::EEXIST
                } else {
                    Errno::ENOTDIR
                })
            }
            Err(Errno::ENOENT) => mkdir_at(k, sh, cur, name)?,
            Err(e) => return Err(e),
        };
        stack.push(next);
    }
    Ok(())
}

pub(super) fn cmd_rmdir(k: &mut Kernel, sh: &Shell, args: &[String]) -> Output {
    let (_, paths) = match split_opts(args, "") {
        Ok(v) => v,
        Err(c) => return usage_error("rmdir", &format!("invalid option -- '{c}'")),
    };
    if paths.is_empty() {
        return usage_error("rmdir", "missing operand");
    }
    let mut out = Output::default();
    for path in paths {
        let result = match cgroupfs::resolve(k, &sh.cwd, path) {
            Ok(Node::Cgroup(id)) if id == crate::tree::CgroupId::ROOT => Err(Errno::EBUSY),
            Ok(Node::Cgroup(id)) => {
                if sh.cred != Cred::Root {
                    Err(Errno::EACCES)
                } else {
                    k.rmdir(id)
                }
            }
            Ok(Node::Outer(_)) => Err(Errno::EBUSY),
            Ok(Node::File(..)) => Err(Errno::ENOTDIR),
            Ok(Node::Proc(p)) if p.is_file() => Err(Errno::ENOTDIR),
            // procfs directories have no rmdir operation.
            Ok(Node::Proc(_)) => Err(Errno::EPERM),
            Err(e) => Err(e),
        };
        if let Err(e) = result {
            let _ = writeln!(
                out.stderr,
                "rmdir: failed to remove {}: {}",
                quote(path),
                e.message()
            );
            out.status = 1;
        }
    }
    out
}

/// `ls [-1] [PATH...]`'s paths (`.` when none), or coreutils' usage error
/// (status 2). The simulator's `ls` and `--real`'s take them from here.
pub fn ls_operands(args: &[String]) -> Result<Vec<String>, Output> {
    match split_opts(args, "1") {
        Ok((_, [])) => Ok(alloc::vec![String::from(".")]),
        Ok((_, paths)) => Ok(paths.to_vec()),
        Err(c) => {
            let mut o = usage_error("ls", &format!("invalid option -- '{c}'"));
            o.status = 2;
            Err(o)
        }
    }
}

/// `tree`'s last line: `N directories, M files` (directories only with
/// `-d`), after a blank line. The simulator's `tree` and `--real`'s print it.
pub fn tree_summary(nd: usize, nf: usize, dirs_only: bool) -> String {
    let d = if nd == 1 { "directory" } else { "directories" };
    if dirs_only {
        format!("\n{nd} {d}\n")
    } else {
        let f = if nf == 1 { "file" } else { "files" };
        format!("\n{nd} {d}, {nf} {f}\n")
    }
}

pub(super) fn cmd_ls(k: &Kernel, sh: &Shell, args: &[String]) -> Output {
    let paths = match ls_operands(args) {
        Ok(p) => p,
        Err(o) => return o,
    };
    let paths = &paths[..];
    let mut out = Output::default();
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    for p in paths {
        // Kept sorted by ordered insertion: no sort code in the wasm.
        match cgroupfs::resolve(k, &sh.cwd, p) {
            Ok(node) if node.is_dir() => dirs.insert(dirs.partition_point(|q| *q <= p), p),
            Ok(_) => files.insert(files.partition_point(|q| *q <= p), p),
            Err(e) => {
                let _ = writeln!(
                    out.stderr,
                    "ls: cannot access {}: {}",
                    quote(p),
                    e.message()
                );
                out.status = 2;
            }
        }
    }
    for f in &files {
        let _ = writeln!(out.stdout, "{f}");
    }
    let many = paths.len() > 1;
    for (i, p) in dirs.iter().enumerate() {
        let Ok(node) = cgroupfs::resolve(k, &sh.cwd, p) else {
            continue;
        };
        if many {
            if i > 0 || !files.is_empty() {
                out.stdout.push('\n');
            }
            let _ = writeln!(out.stdout, "{p}:");
        }
        for (name, _) in cgroupfs::list_dir(k, node) {
            let _ = writeln!(out.stdout, "{name}");
        }
    }
    out
}

pub(super) fn cmd_tree(k: &Kernel, sh: &Shell, args: &[String]) -> Output {
    let (opts, paths) = match split_opts(args, "d") {
        Ok(v) => v,
        Err(c) => return Output::err(format!("tree: Invalid argument -`{c}'.\n"), 2),
    };
    let dirs_only = opts.contains(&'d');
    let default = [String::from(".")];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    let mut out = Output::default();
    let (mut nd, mut nf) = (0usize, 0usize);
    for p in paths {
        match cgroupfs::resolve(k, &sh.cwd, p) {
            Ok(node) if node.is_dir() => {
                let _ = writeln!(out.stdout, "{p}");
                tree_walk(k, node, "", dirs_only, &mut out.stdout, &mut nd, &mut nf);
            }
            Ok(_) => {
                let _ = writeln!(out.stdout, "{p} [error opening dir]");
                out.status = 2;
            }
            Err(_) => {
                let _ = writeln!(out.stdout, "{p} [error opening dir]");
                out.status = 2;
            }
        }
    }
    out.stdout.push_str(&tree_summary(nd, nf, dirs_only));
    out
}

/// tree(1) in the C locale draws with ASCII.
fn tree_walk(
    k: &Kernel,
    node: Node,
    prefix: &str,
    dirs_only: bool,
    out: &mut String,
    nd: &mut usize,
    nf: &mut usize,
) {
    let entries: Vec<(String, Node)> = cgroupfs::list_dir(k, node)
        .into_iter()
        .filter(|(_, n)| !dirs_only || n.is_dir())
        .collect();
    let last = entries.len().saturating_sub(1);
    for (i, (name, child)) in entries.into_iter().enumerate() {
        let (branch, cont) = if i == last {
            ("`-- ", "    ")
        } else {
            ("|-- ", "|   ")
        };
        let _ = writeln!(out, "{prefix}{branch}{name}");
        if child.is_dir() {
            *nd += 1;
            let p = format!("{prefix}{cont}");
            tree_walk(k, child, &p, dirs_only, out, nd, nf);
        } else {
            *nf += 1;
        }
    }
}

/// `su [-] USER [-s SHELL] -c CMD`.
pub(super) fn cmd_su(m: &mut Machine, sh: &mut Shell, args: &[String]) -> Output {
    let mut user = None;
    let mut command = None;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "-" | "-l" | "--login" => {}
            "-s" | "--shell" => i += 1,
            "-c" | "--command" => {
                i += 1;
                command = args.get(i).cloned();
            }
            u if user.is_none() && !u.starts_with('-') => user = Some(u.to_string()),
            other => {
                return Output::err(
                    format!(
                    "su: unrecognized option '{other}'\nTry 'su --help' for more information.\n"
                ),
                    1,
                )
            }
        }
        i += 1;
    }
    let user = user.unwrap_or_else(|| String::from("root"));
    let cred = match user.as_str() {
        "root" => Cred::Root,
        "nobody" => Cred::User(65534),
        other => {
            return Output::err(
                format!("su: user {other} does not exist or the user entry does not contain all the required fields\n"),
                1,
            )
        }
    };
    let Some(command) = command else {
        return Output::err(
            String::from("memcg: su needs -c COMMAND (there is no interactive login)\n"),
            1,
        );
    };
    let mut inner = Shell {
        cwd: sh.cwd.clone(),
        cred,
        last_status: sh.last_status,
        // A new shell: variables were never exported.
        vars: Default::default(),
    };
    exec(m, &mut inner, &command)
}

/// `echo [-n] WORDS...` (`-e` and `-E` are accepted and change nothing).
pub(super) fn cmd_echo(args: &[String]) -> Output {
    let mut newline = true;
    let mut rest = args;
    while let Some(first) = rest.first() {
        if first == "-n" {
            newline = false;
            rest = &rest[1..];
        } else if first == "-e" || first == "-E" {
            rest = &rest[1..];
        } else {
            break;
        }
    }
    let mut s = rest.join(" ");
    if newline {
        s.push('\n');
    }
    super::line_out(s)
}

/// `whoami`: the two users the machine has.
pub(super) fn cmd_whoami(sh: &Shell) -> Output {
    super::line_out(String::from(match sh.cred {
        Cred::Root => "root\n",
        Cred::User(_) => "nobody\n",
    }))
}

/// `unset NAME...`: bash's builtin for variables (`unset -v`); a name that
/// is not a valid identifier is an error, an unset one is not.
pub(super) fn cmd_unset(sh: &mut Shell, args: &[String]) -> Output {
    let mut err = String::new();
    for a in args {
        if a == "-v" {
            continue;
        }
        if !super::lex::is_name(a) {
            err.push_str(&format!("bash: unset: `{a}': not a valid identifier\n"));
            continue;
        }
        sh.vars.remove(a.as_str());
    }
    let status = i32::from(!err.is_empty());
    Output {
        stdout: String::new(),
        stderr: err,
        status,
    }
}
