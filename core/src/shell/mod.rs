//! A small bash: one line in, output or error out (issue 2).
//!
//! Enough of bash and coreutils to type the vendor's examples verbatim:
//! `mkdir [-p]`, `rmdir`, `echo`, `cat`, `ls`, `tree`, `cd`, `pwd`, `su USER
//! -c CMD`, redirections (`>`, `>>`, `2>`, `2>&1`, `/dev/null`), `;`, `&&`,
//! `||`, quotes, `$$`, `$?`, shell variables (`NAME=value`, `$NAME`,
//! `${NAME}`, `unset NAME`), globs in the last path component and `#`
//! comments. Messages read as bash and coreutils print them in the C locale.
//!
//! One table, [`commands`], lists every command with its usage line,
//! whether it is read-only, and its handler: it drives dispatch, `help`,
//! the journal rule ([`is_read_only`]) and the playground console.
//!
//! * `lex` — words, operators, redirections, quoting, `$$`/`$?`/`$NAME`.
//! * `parse` — the list of simple commands joined by `;`, `&&`, `||`.
//! * `builtins` — the file commands: `cd`, `cat`, `ls`, `mkdir`, `su`...
//! * `sim_cmds` — the simulation commands: `spawn`, `wait`, `sleep`...
//! * [`SpawnSpec`] — the `spawn` syntax, parsed and printed in one place.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt::Write as _;

use crate::cgroupfs::{self, Cred, Node};
use crate::kernel::Kernel;
use crate::machine::Machine;
use crate::Errno;

mod agent_cmd;
mod builtins;
mod lex;
mod parse;
mod sim_cmds;
mod spawn;

use lex::{RedirTarget, Word, LAST_STATUS, VAR_END, VAR_QUOTED, VAR_SPLIT};
use parse::{parse_line, Simple};
pub use sim_cmds::{only_sleeps, parse_duration, WAIT_LIMIT_NS};
pub use spawn::SpawnSpec;

/// The shell's syntax for a shell that runs its commands elsewhere: the
/// native CLI's `memcg sh --real` parses each line here, so a script means
/// the same to the simulator and to the machine (issue 15).
pub mod syntax {
    pub use super::builtins::{ls_operands, split_opts, tree_summary, usage_error};
    pub use super::glob_match;
    pub use super::lex::{RedirTarget, Word, LAST_STATUS};
    pub use super::parse::{parse_line, Join, Simple};
    pub use super::write_error;

    /// What `echo ARGS...` prints, as the simulator's shell prints it.
    pub fn echo(args: &[alloc::string::String]) -> super::Output {
        super::builtins::cmd_echo(args)
    }
}

/// What a failed write of a command's output says: bash's own for a
/// builtin (`bash: echo: write error: Invalid argument`), the command's
/// otherwise.
pub fn write_error(name: &str, builtin: bool, message: &str) -> String {
    if builtin {
        format!("bash: {name}: write error: {message}\n")
    } else {
        format!("{name}: write error: {message}\n")
    }
}

/// Longest line the shell accepts, so a pasted blob cannot stall the page.
pub const MAX_LINE: usize = 64 * 1024;

/// What one line printed and its exit status.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Output {
    pub stdout: String,
    pub stderr: String,
    pub status: i32,
}

impl Output {
    fn err(msg: String, status: i32) -> Output {
        Output {
            stdout: String::new(),
            stderr: msg,
            status,
        }
    }

    /// Exit status 0.
    pub fn ok(&self) -> bool {
        self.status == 0
    }
}

/// Per-session shell state: working directory, user, `$?`, variables.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shell {
    pub cwd: String,
    pub cred: Cred,
    pub last_status: i32,
    /// Shell variables set by `NAME=value` (unset ones expand to nothing,
    /// as in sh). Ordered, so listing them is deterministic.
    pub vars: BTreeMap<String, String>,
}

impl Shell {
    /// A root shell whose working directory is the cgroup mount point.
    pub fn new(k: &Kernel) -> Shell {
        Shell {
            cwd: k.version().mount_point().to_string(),
            cred: Cred::Root,
            last_status: 0,
            vars: BTreeMap::new(),
        }
    }
}

/// Run one line against the kernel.
pub fn exec(m: &mut Machine, sh: &mut Shell, line: &str) -> Output {
    if line.len() > MAX_LINE {
        let out = Output::err(
            format!(
                "memcg: line too long ({} bytes; the limit is {MAX_LINE})\n",
                line.len()
            ),
            2,
        );
        sh.last_status = out.status;
        return out;
    }
    let list = match parse_line(line) {
        Ok(list) => list,
        Err(msg) => {
            sh.last_status = 2;
            return Output::err(msg, 2);
        }
    };
    let mut total = Output::default();
    let mut status = sh.last_status;
    let mut ran = false;
    for (join, cmd) in list {
        if !join.runs(status) {
            continue;
        }
        let out = run_simple(m, sh, cmd);
        m.engine.sync(&mut m.kernel);
        total.stdout.push_str(&out.stdout);
        total.stderr.push_str(&out.stderr);
        status = out.status;
        sh.last_status = status;
        ran = true;
    }
    total.status = if ran { status } else { 0 };
    if ran {
        sh.last_status = total.status;
    }
    total
}

/// Expand one word as bash does when the command runs: `$?` and
/// variables, splitting unquoted variable values into fields on blanks (an
/// unquoted word that expands to nothing disappears), then a glob against
/// the directory in its last component.
fn expand_word(k: &Kernel, sh: &Shell, mut w: Word) -> Vec<String> {
    if w.text.contains(LAST_STATUS) {
        w.text = w.text.replace(LAST_STATUS, &format!("{}", sh.last_status));
    }
    let fields = if w.vars {
        split_fields(&w.text, &sh.vars, w.quoted)
    } else {
        alloc::vec![w.text]
    };
    if !w.glob {
        return fields;
    }
    fields.into_iter().flat_map(|f| glob(k, sh, f)).collect()
}

/// A word's text with its variable markers replaced by their values and
/// nothing split: an assignment's value, a redirection target.
fn expand_plain(text: &str, sh: &Shell) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            LAST_STATUS => {
                let _ = write!(out, "{}", sh.last_status);
            }
            VAR_SPLIT | VAR_QUOTED => {
                let name: String = chars.by_ref().take_while(|&c| c != VAR_END).collect();
                out.push_str(sh.vars.get(&name).map_or("", String::as_str));
            }
            c => out.push(c),
        }
    }
    out
}

/// The fields of a word with variable markers (POSIX field splitting with
/// the default IFS of blanks and newlines, applied to unquoted values
/// only).
fn split_fields(text: &str, vars: &BTreeMap<String, String>, quoted: bool) -> Vec<String> {
    let mut fields = Vec::new();
    let mut cur = String::new();
    // The current field exists even if empty (a literal or a quoted part).
    let mut open = quoted;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            VAR_SPLIT | VAR_QUOTED => {
                let name: String = chars.by_ref().take_while(|&c| c != VAR_END).collect();
                let value = vars.get(&name).map_or("", String::as_str);
                if c == VAR_QUOTED {
                    cur.push_str(value);
                    open = true;
                    continue;
                }
                for ch in value.chars() {
                    if matches!(ch, ' ' | '\t' | '\n') {
                        if open || !cur.is_empty() {
                            fields.push(core::mem::take(&mut cur));
                        }
                        open = false;
                    } else {
                        cur.push(ch);
                        open = true;
                    }
                }
            }
            c => {
                cur.push(c);
                open = true;
            }
        }
    }
    if open || !cur.is_empty() {
        fields.push(cur);
    }
    fields
}

fn glob(k: &Kernel, sh: &Shell, text: String) -> Vec<String> {
    let (dir, pat) = match text.rfind('/') {
        Some(i) => (&text[..=i], &text[i + 1..]),
        None => ("", text.as_str()),
    };
    let dir_node = cgroupfs::resolve(k, &sh.cwd, if dir.is_empty() { "." } else { dir });
    let mut hits: Vec<String> = match dir_node {
        Ok(node) if node.is_dir() => cgroupfs::list_dir(k, node)
            .into_iter()
            .filter(|(name, _)| glob_match(pat.as_bytes(), name.as_bytes()))
            .map(|(name, _)| format!("{dir}{name}"))
            .collect(),
        _ => Vec::new(),
    };
    if hits.is_empty() {
        hits.push(text);
    }
    hits
}

/// A word as typed, for messages: its markers back as `$NAME`.
fn as_typed(text: &str) -> String {
    text.replace(LAST_STATUS, "$?")
        .replace([VAR_SPLIT, VAR_QUOTED], "${")
        .replace(VAR_END, "}")
}

/// Whether the name `s` matches the glob `p` (`*` and `?`).
pub fn glob_match(p: &[u8], s: &[u8]) -> bool {
    // Iterative matcher with one backtrack point for '*'.
    let (mut pi, mut si) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while si < s.len() {
        if pi < p.len() && (p[pi] == b'?' || p[pi] == s[si]) {
            pi += 1;
            si += 1;
        } else if pi < p.len() && p[pi] == b'*' {
            star = Some(pi);
            mark = si;
            pi += 1;
        } else if let Some(sp) = star {
            pi = sp + 1;
            mark += 1;
            si = mark;
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == b'*' {
        pi += 1;
    }
    pi == p.len()
}

/// Where a redirected stream goes.
#[derive(Clone, Copy)]
enum Sink<'a> {
    /// The session's own stdout (1) or stderr (2).
    Tty(u8),
    Null,
    File(cgroupfs::Node, &'a str),
}

fn run_simple(m: &mut Machine, sh: &mut Shell, cmd: Simple) -> Output {
    let k = &mut m.kernel;
    // Leading NAME=value words: on their own they set shell variables;
    // before a command they would set its environment, which no command
    // here reads, so they are dropped (bash expands the command's words
    // before assigning, so `X=1 echo $X` sees the old X either way).
    let assigns = cmd.argv.iter().take_while(|w| w.assign.is_some()).count();
    let mut words = cmd.argv.into_iter();
    let assigned: Vec<(String, String)> = words
        .by_ref()
        .take(assigns)
        .map(|w| {
            let n = w.assign.unwrap_or(0);
            (
                String::from(&w.text[..n]),
                expand_plain(&w.text[n + 1..], sh),
            )
        })
        .collect();
    let mut argv: Vec<String> = Vec::new();
    for w in words {
        argv.extend(expand_word(k, sh, w));
    }
    if argv.is_empty() {
        for (name, value) in assigned {
            sh.vars.insert(name, value);
        }
    }
    // Open redirections left to right, as bash does before running.
    let mut targets: Vec<String> = Vec::new();
    for (_, _, t) in &cmd.redirs {
        if let RedirTarget::Path(w) = t {
            let text = w.text.replace(LAST_STATUS, &format!("{}", sh.last_status));
            if !w.vars {
                targets.push(text);
                continue;
            }
            let mut fields = split_fields(&text, &sh.vars, w.quoted);
            if fields.len() != 1 {
                return Output::err(
                    format!("bash: {}: ambiguous redirect\n", as_typed(&w.text)),
                    1,
                );
            }
            targets.extend(fields.pop());
        }
    }
    let mut sinks: [Sink; 3] = [Sink::Tty(0), Sink::Tty(1), Sink::Tty(2)];
    let mut ti = 0;
    for (fd, _append, target) in &cmd.redirs {
        let sink = match target {
            RedirTarget::Fd(n) => sinks[*n as usize],
            RedirTarget::Path(_) => {
                let path = targets[ti].as_str();
                ti += 1;
                if path == "/dev/null" {
                    Sink::Null
                } else {
                    match open_write(k, sh, path) {
                        Ok(node) => Sink::File(node, path),
                        Err(e) => {
                            return Output::err(format!("bash: {path}: {}\n", e.message()), 1)
                        }
                    }
                }
            }
            RedirTarget::Missing => sinks[*fd as usize],
        };
        sinks[*fd as usize] = sink;
    }
    let name = argv.first().cloned().unwrap_or_default();
    let builtin = command(&name).is_some_and(|c| c.builtin);
    let out = if argv.is_empty() {
        Output::default()
    } else {
        run_command(m, sh, &argv)
    };
    // Deliver the streams.
    let mut result = Output {
        status: out.status,
        ..Output::default()
    };
    let streams = [(1u8, out.stdout), (2u8, out.stderr)];
    for (fd, text) in streams {
        match sinks[fd as usize] {
            Sink::Tty(tty) => {
                if tty == 1 {
                    result.stdout.push_str(&text);
                } else {
                    result.stderr.push_str(&text);
                }
            }
            Sink::Null => {}
            Sink::File(node, _path) => {
                if text.is_empty() {
                    continue;
                }
                let res = match node {
                    Node::File(id, f) => Some(cgroupfs::write_file(&mut m.kernel, id, f, &text)),
                    Node::Proc(p) if p.is_file() => {
                        Some(cgroupfs::proc::write(&mut m.kernel, p, &text))
                    }
                    _ => None,
                };
                if let Some(res) = res {
                    let path = cgroupfs::node_path(&m.kernel, node);
                    m.engine.note_write(&mut m.kernel, path, text.clone(), res);
                    if let Err(e) = res {
                        result
                            .stderr
                            .push_str(&write_error(&name, builtin, e.message()));
                        result.status = 1;
                    }
                }
            }
        }
    }
    result
}

/// `open(path, O_WRONLY|O_CREAT|O_TRUNC)` as bash does for `>`.
fn open_write(k: &Kernel, sh: &Shell, path: &str) -> Result<Node, Errno> {
    match cgroupfs::resolve(k, &sh.cwd, path) {
        Ok(Node::File(id, f)) => {
            cgroupfs::open_for_write(f, sh.cred)?;
            Ok(Node::File(id, f))
        }
        Ok(Node::Proc(p)) if p.is_file() => {
            cgroupfs::proc::open_for_write(p, sh.cred)?;
            Ok(Node::Proc(p))
        }
        Ok(_) => Err(Errno::EISDIR),
        Err(Errno::ENOENT) => {
            // The directory exists but kernfs/sysfs cannot create files.
            cgroupfs::resolve_parent(k, &sh.cwd, path)?;
            if path.ends_with('/') {
                return Err(Errno::EISDIR);
            }
            Err(Errno::EACCES)
        }
        Err(e) => Err(e),
    }
}

// ---------------------------------------------------------------------------
// The command table

/// What a command does with the machine and the session, given its words
/// after the name.
type Handler = fn(&mut Machine, &mut Shell, &[String]) -> Output;

/// One command of the shell.
#[derive(Clone, Copy, Debug)]
pub struct Command {
    pub name: &'static str,
    /// Changes neither the machine nor the session (working directory,
    /// user) when its output goes to the terminal: such lines are left out
    /// of the journal and may run on a scratch copy.
    pub read_only: bool,
    /// bash runs it itself, so a failed write of its output reads
    /// `bash: NAME: write error: ...`.
    pub builtin: bool,
    /// Synopsis, e.g. `mkdir [-p] DIR...`.
    pub usage: &'static str,
    /// One line saying what it does.
    pub description: &'static str,
    run: Handler,
}

/// Every command, in the order `help` lists them.
static COMMANDS: [Command; 20] = [
    Command {
        name: "mkdir",
        read_only: false,
        builtin: false,
        usage: "mkdir [-p] DIR...",
        description: "create cgroups",
        run: |m, sh, a| builtins::cmd_mkdir(&mut m.kernel, sh, a),
    },
    Command {
        name: "rmdir",
        read_only: false,
        builtin: false,
        usage: "rmdir DIR...",
        description: "remove cgroups",
        run: |m, sh, a| builtins::cmd_rmdir(&mut m.kernel, sh, a),
    },
    Command {
        name: "echo",
        read_only: true,
        builtin: true,
        usage: "echo [-n] VALUE > FILE",
        description: "write an interface file (also >>, 2>, 2>&1, /dev/null)",
        run: |_, _, a| builtins::cmd_echo(a),
    },
    Command {
        name: "cat",
        read_only: true,
        builtin: false,
        usage: "cat FILE...",
        description: "read interface files",
        run: |m, sh, a| builtins::cmd_cat(&m.kernel, sh, a),
    },
    Command {
        name: "ls",
        read_only: true,
        builtin: false,
        usage: "ls [-1] [PATH...]",
        description: "list a directory",
        run: |m, sh, a| builtins::cmd_ls(&m.kernel, sh, a),
    },
    Command {
        name: "tree",
        read_only: true,
        builtin: false,
        usage: "tree [-d] [DIR...]",
        description: "show a subtree",
        run: |m, sh, a| builtins::cmd_tree(&m.kernel, sh, a),
    },
    Command {
        name: "cd",
        read_only: false,
        builtin: true,
        usage: "cd [DIR]",
        description: "change the working directory (relative paths work)",
        run: |m, sh, a| builtins::cmd_cd(&m.kernel, sh, a),
    },
    Command {
        name: "pwd",
        read_only: true,
        builtin: true,
        usage: "pwd",
        description: "print the working directory",
        run: |_, sh, _| line_out(format!("{}\n", sh.cwd)),
    },
    Command {
        name: "su",
        read_only: false,
        builtin: false,
        usage: "su USER -c 'CMD'",
        description: "run CMD as USER (root or nobody)",
        run: builtins::cmd_su,
    },
    Command {
        name: "whoami",
        read_only: true,
        builtin: false,
        usage: "whoami",
        description: "print the user",
        run: |_, sh, _| builtins::cmd_whoami(sh),
    },
    Command {
        name: "spawn",
        read_only: false,
        builtin: false,
        usage: spawn::USAGE,
        description: "start a task in a cgroup and print its pid",
        run: |m, sh, a| sim_cmds::cmd_spawn(m, sh, a),
    },
    Command {
        name: "wait",
        read_only: false,
        // Its write errors have always read as a utility's.
        builtin: false,
        usage: "wait [PID]",
        description: "run virtual time until the task (or the newest) ends or holds",
        run: |m, _, a| sim_cmds::cmd_wait(m, a),
    },
    Command {
        name: "sleep",
        read_only: false,
        builtin: false,
        usage: "sleep DURATION",
        description: "run virtual time, e.g. 5s, 250ms, 10us (at most 24h)",
        run: |m, _, a| sim_cmds::cmd_sleep(m, a),
    },
    Command {
        name: "kill",
        read_only: false,
        builtin: false,
        usage: "kill PID...",
        description: "kill tasks",
        run: |m, _, a| sim_cmds::cmd_kill(m, a),
    },
    Command {
        name: "agent",
        read_only: false,
        builtin: false,
        usage: agent_cmd::USAGE,
        description: "start a user-space agent on a cgroup and print its pid",
        run: |m, sh, a| agent_cmd::cmd_agent(m, sh, a),
    },
    Command {
        name: "ps",
        read_only: true,
        builtin: false,
        usage: "ps",
        description: "list the tasks with their state, RSS and cgroup",
        run: |m, _, _| sim_cmds::cmd_ps(m),
    },
    Command {
        name: "unset",
        read_only: false,
        builtin: true,
        usage: "unset NAME...",
        description: "remove shell variables (set them with NAME=value)",
        run: |_, sh, a| builtins::cmd_unset(sh, a),
    },
    Command {
        name: "true",
        read_only: true,
        builtin: true,
        usage: "true",
        description: "exit with status 0",
        run: |_, _, _| Output::default(),
    },
    Command {
        name: "false",
        read_only: true,
        builtin: true,
        usage: "false",
        description: "exit with status 1",
        run: |_, _, _| Output::err(String::new(), 1),
    },
    Command {
        name: "help",
        read_only: true,
        builtin: true,
        usage: "help",
        description: "list the commands",
        run: |_, _, _| line_out(help()),
    },
];

/// Every command of the shell, in the order `help` lists them.
pub fn commands() -> &'static [Command] {
    &COMMANDS
}

/// The command called `name`.
pub fn command(name: &str) -> Option<&'static Command> {
    COMMANDS.iter().find(|c| c.name == name)
}

/// Widest usage line that `help` lines up with the descriptions.
const HELP_COLUMN: usize = 26;

/// What `help` prints: one line per command of the table.
fn help() -> String {
    let mut s = String::from("memcg shell: a small bash over the simulated cgroup filesystem.\n");
    for c in &COMMANDS {
        if c.usage.len() < HELP_COLUMN {
            let _ = writeln!(s, "  {:<HELP_COLUMN$}{}", c.usage, c.description);
        } else {
            let _ = writeln!(s, "  {}\n  {:<HELP_COLUMN$}{}", c.usage, "", c.description);
        }
    }
    let _ = writeln!(
        s,
        "PRESET is one of: {}.",
        crate::workload::PRESETS.join(", ")
    );
    s.push_str("Join commands with ; && ||. $$ is the shell's pid, $? the last status.\n");
    s.push_str(
        "NAME=value sets a variable; $NAME and ${NAME} expand to its value (nothing when unset).\n",
    );
    s
}

fn run_command(m: &mut Machine, sh: &mut Shell, argv: &[String]) -> Output {
    match command(&argv[0]) {
        Some(c) => (c.run)(m, sh, &argv[1..]),
        None => Output::err(format!("bash: {}: command not found\n", argv[0]), 127),
    }
}

fn line_out(s: String) -> Output {
    Output {
        stdout: s,
        ..Output::default()
    }
}

/// Whether running `line` leaves the machine and the session as they were
/// (only `$?` changes), judged from the parsed line: every command in it is
/// [`Command::read_only`] and no redirection opens a file other than
/// `/dev/null`. A command whose name is only known when it runs (a glob,
/// `$?`) or is not in the table counts as changing things.
///
/// Blank lines, comments, lines over [`MAX_LINE`] and lines that do not
/// parse are read-only: the shell runs none of them. The simulator leaves
/// read-only lines out of the scenario journal.
pub fn is_read_only(line: &str) -> bool {
    if line.len() > MAX_LINE {
        return true;
    }
    let Ok(list) = parse_line(line) else {
        return true;
    };
    list.iter().all(|(_, cmd)| simple_is_read_only(cmd))
}

fn simple_is_read_only(cmd: &Simple) -> bool {
    let opens_a_file = cmd.redirs.iter().any(|(_, _, target)| match target {
        RedirTarget::Path(w) => w.text != "/dev/null",
        RedirTarget::Fd(_) | RedirTarget::Missing => false,
    });
    let reads = match cmd.argv.first() {
        None => true,
        // An assignment changes the session; a name from a variable is
        // only known when it runs.
        Some(w) if w.assign.is_some() || w.vars => false,
        Some(w) if w.glob || w.text.contains(LAST_STATUS) => false,
        Some(w) => command(&w.text).is_some_and(|c| c.read_only),
    };
    reads && !opens_a_file
}
