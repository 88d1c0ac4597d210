//! A small bash: one line in, output or error out (issue 2).
//!
//! Enough of bash and coreutils to type the vendor's examples verbatim:
//! `mkdir [-p]`, `rmdir`, `echo`, `cat`, `ls`, `tree`, `cd`, `pwd`, `su USER
//! -c CMD`, redirections (`>`, `>>`, `2>`, `2>&1`, `/dev/null`), `;`, `&&`,
//! `||`, quotes, `$$`, `$?`, globs in the last path component and `#`
//! comments. Messages read as bash and coreutils print them in the C locale.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt::Write as _;

use crate::cgroupfs::{self, Cred, Node};
use crate::kernel::{Kernel, SHELL_PID};
use crate::sim::Machine;
use crate::Errno;

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

/// Per-session shell state: working directory, user, `$?`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shell {
    pub cwd: String,
    pub cred: Cred,
    pub last_status: i32,
}

impl Shell {
    /// A root shell whose working directory is the cgroup mount point.
    pub fn new(k: &Kernel) -> Shell {
        Shell {
            cwd: k.version().mount_point().to_string(),
            cred: Cred::Root,
            last_status: 0,
        }
    }
}

// ---------------------------------------------------------------------------
// Lexing

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Word(Word),
    /// `;`, `&&`, `||`, `|`, `&`, `<`
    Op(&'static str),
    /// fd, append, target
    Redir(u8, bool, RedirTarget),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum RedirTarget {
    Path(Word),
    Fd(u8),
    Missing,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Word {
    text: String,
    /// Contains an unquoted `*` or `?`.
    glob: bool,
}

struct Lexer<'a> {
    chars: core::iter::Peekable<core::str::Chars<'a>>,
    pid: u32,
}

/// Stands for `$?` in a lexed word until the command runs (a private-use
/// code point, so typed text cannot collide with it in practice).
const LAST_STATUS: char = '\u{F8FF}';

impl Lexer<'_> {
    fn skip_blanks(&mut self) {
        while matches!(self.chars.peek(), Some(' ' | '\t' | '\r' | '\n')) {
            self.chars.next();
        }
    }

    fn expand_dollar(&mut self, out: &mut String) {
        match self.chars.peek() {
            Some('$') => {
                self.chars.next();
                let _ = write!(out, "{}", self.pid);
            }
            Some('?') => {
                // Expanded when the command runs, after the ones before it.
                self.chars.next();
                out.push(LAST_STATUS);
            }
            Some('{') => {
                self.chars.next();
                // ${NAME}: no variables are set.
                for c in self.chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                }
            }
            Some(c) if c.is_ascii_alphabetic() || *c == '_' => {
                while matches!(self.chars.peek(), Some(c) if c.is_ascii_alphanumeric() || *c == '_')
                {
                    self.chars.next();
                }
            }
            _ => out.push('$'),
        }
    }

    /// Read one word; `Ok(None)` when none starts here.
    fn word(&mut self) -> Result<Option<Word>, String> {
        let mut w = Word::default();
        let mut any = false;
        while let Some(&c) = self.chars.peek() {
            match c {
                ' ' | '\t' | '\r' | '\n' | ';' | '&' | '|' | '>' | '<' => break,
                '\'' => {
                    self.chars.next();
                    any = true;
                    loop {
                        match self.chars.next() {
                            Some('\'') => break,
                            Some(c) => w.text.push(c),
                            None => return Err(unexpected_eof('\'')),
                        }
                    }
                }
                '"' => {
                    self.chars.next();
                    any = true;
                    loop {
                        match self.chars.next() {
                            Some('"') => break,
                            Some('\\') => match self.chars.next() {
                                Some(c @ ('"' | '\\' | '$' | '`')) => w.text.push(c),
                                Some(c) => {
                                    w.text.push('\\');
                                    w.text.push(c);
                                }
                                None => return Err(unexpected_eof('"')),
                            },
                            Some('$') => self.expand_dollar(&mut w.text),
                            Some(c) => w.text.push(c),
                            None => return Err(unexpected_eof('"')),
                        }
                    }
                }
                '\\' => {
                    self.chars.next();
                    any = true;
                    if let Some(c) = self.chars.next() {
                        w.text.push(c);
                    }
                }
                '$' => {
                    self.chars.next();
                    any = true;
                    self.expand_dollar(&mut w.text);
                }
                '*' | '?' => {
                    self.chars.next();
                    any = true;
                    w.glob = true;
                    w.text.push(c);
                }
                _ => {
                    self.chars.next();
                    any = true;
                    w.text.push(c);
                }
            }
        }
        Ok(any.then_some(w))
    }

    fn redirect(&mut self, fd: u8) -> Result<Tok, String> {
        // The first '>' is consumed by the caller.
        let append = if self.chars.peek() == Some(&'>') {
            self.chars.next();
            true
        } else {
            false
        };
        if self.chars.peek() == Some(&'&') {
            self.chars.next();
            return match self.chars.next() {
                Some('1') => Ok(Tok::Redir(fd, append, RedirTarget::Fd(1))),
                Some('2') => Ok(Tok::Redir(fd, append, RedirTarget::Fd(2))),
                _ => Err(String::from(
                    "bash: syntax error near unexpected token `&'\n",
                )),
            };
        }
        self.skip_blanks();
        match self.word()? {
            Some(w) => Ok(Tok::Redir(fd, append, RedirTarget::Path(w))),
            None => Ok(Tok::Redir(fd, append, RedirTarget::Missing)),
        }
    }

    fn tokens(mut self) -> Result<Vec<Tok>, String> {
        let mut out = Vec::new();
        loop {
            self.skip_blanks();
            let Some(&c) = self.chars.peek() else { break };
            match c {
                '#' => break,
                ';' => {
                    self.chars.next();
                    out.push(Tok::Op(";"));
                }
                '&' => {
                    self.chars.next();
                    if self.chars.peek() == Some(&'&') {
                        self.chars.next();
                        out.push(Tok::Op("&&"));
                    } else {
                        out.push(Tok::Op("&"));
                    }
                }
                '|' => {
                    self.chars.next();
                    if self.chars.peek() == Some(&'|') {
                        self.chars.next();
                        out.push(Tok::Op("||"));
                    } else {
                        out.push(Tok::Op("|"));
                    }
                }
                '<' => {
                    self.chars.next();
                    out.push(Tok::Op("<"));
                }
                '>' => {
                    self.chars.next();
                    out.push(self.redirect(1)?);
                }
                '1' | '2' => {
                    // "2>" is a redirection only when the digit stands alone.
                    let mut look = self.chars.clone();
                    look.next();
                    if look.peek() == Some(&'>') {
                        self.chars.next();
                        self.chars.next();
                        out.push(self.redirect(if c == '1' { 1 } else { 2 })?);
                    } else if let Some(w) = self.word()? {
                        out.push(Tok::Word(w));
                    }
                }
                _ => {
                    if let Some(w) = self.word()? {
                        out.push(Tok::Word(w));
                    }
                }
            }
        }
        Ok(out)
    }
}

fn unexpected_eof(q: char) -> String {
    format!("bash: unexpected EOF while looking for matching `{q}'\nbash: syntax error: unexpected end of file\n")
}

// ---------------------------------------------------------------------------
// Parsing into a list of simple commands joined by ; && ||

#[derive(Debug)]
struct Simple {
    argv: Vec<Word>,
    redirs: Vec<(u8, bool, RedirTarget)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Join {
    Seq,
    And,
    Or,
}

fn syntax_error(tok: &str) -> String {
    format!("bash: syntax error near unexpected token `{tok}'\n")
}

fn parse(tokens: Vec<Tok>) -> Result<Vec<(Join, Simple)>, String> {
    let mut list = Vec::new();
    let mut join = Join::Seq;
    let mut cur = Simple {
        argv: Vec::new(),
        redirs: Vec::new(),
    };
    let mut tokens = tokens.into_iter().peekable();
    while let Some(t) = tokens.next() {
        match t {
            Tok::Word(w) => cur.argv.push(w),
            Tok::Redir(fd, append, target) => {
                if target == RedirTarget::Missing {
                    let next = match tokens.peek() {
                        Some(Tok::Op(op)) => op,
                        Some(Tok::Redir(..)) => ">",
                        _ => "newline",
                    };
                    return Err(syntax_error(next));
                }
                cur.redirs.push((fd, append, target));
            }
            Tok::Op(op) => {
                match op {
                    "|" => return Err(String::from("memcg: pipes are not supported\n")),
                    "&" => return Err(String::from("memcg: background jobs are not supported\n")),
                    "<" => return Err(String::from("memcg: input redirection is not supported\n")),
                    _ => {}
                }
                if cur.argv.is_empty() && cur.redirs.is_empty() {
                    return Err(syntax_error(op));
                }
                let next_join = match op {
                    "&&" => Join::And,
                    "||" => Join::Or,
                    _ => Join::Seq,
                };
                list.push((
                    join,
                    core::mem::replace(
                        &mut cur,
                        Simple {
                            argv: Vec::new(),
                            redirs: Vec::new(),
                        },
                    ),
                ));
                join = next_join;
                if next_join != Join::Seq && tokens.peek().is_none() {
                    return Err(String::from("bash: syntax error: unexpected end of file\n"));
                }
            }
        }
    }
    if !cur.argv.is_empty() || !cur.redirs.is_empty() {
        list.push((join, cur));
    }
    Ok(list)
}

// ---------------------------------------------------------------------------
// Execution

/// coreutils' `quote()` in the C locale: 'name', with shell escaping when
/// the name holds a single quote.
fn quote(s: &str) -> String {
    if s.contains('\'') {
        format!("\"{s}\"")
    } else {
        format!("'{s}'")
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
    let lexer = Lexer {
        chars: line.chars().peekable(),
        pid: SHELL_PID,
    };
    let list = match lexer.tokens().and_then(parse) {
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
        let run = match join {
            Join::Seq => true,
            Join::And => status == 0,
            Join::Or => status != 0,
        };
        if !run {
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

/// Expand a glob word against the directory in its last component.
fn expand_word(k: &Kernel, sh: &Shell, mut w: Word) -> Vec<String> {
    if w.text.contains(LAST_STATUS) {
        w.text = w.text.replace(LAST_STATUS, &format!("{}", sh.last_status));
    }
    if !w.glob {
        return alloc::vec![w.text];
    }
    let (dir, pat) = match w.text.rfind('/') {
        Some(i) => (&w.text[..=i], &w.text[i + 1..]),
        None => ("", w.text.as_str()),
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
        hits.push(w.text);
    }
    hits
}

fn glob_match(p: &[u8], s: &[u8]) -> bool {
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
    let mut argv: Vec<String> = Vec::new();
    for w in cmd.argv {
        argv.extend(expand_word(k, sh, w));
    }
    // Open redirections left to right, as bash does before running.
    let mut targets: Vec<String> = Vec::new();
    for (_, _, t) in &cmd.redirs {
        if let RedirTarget::Path(w) = t {
            targets.push(w.text.clone());
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
    let builtin = matches!(
        name.as_str(),
        "echo" | "pwd" | "cd" | "help" | "true" | "false"
    );
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
                if let Node::File(id, f) = node {
                    let res = cgroupfs::write_file(&mut m.kernel, id, f, &text);
                    let path = cgroupfs::node_path(&m.kernel, node);
                    m.engine.note_write(&mut m.kernel, path, text.clone(), res);
                    if let Err(e) = res {
                        let msg = if builtin {
                            format!("bash: {name}: write error: {}\n", e.message())
                        } else {
                            format!("{name}: write error: {}\n", e.message())
                        };
                        result.stderr.push_str(&msg);
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

fn usage_error(cmd: &str, msg: &str) -> Output {
    Output::err(
        format!("{cmd}: {msg}\nTry '{cmd} --help' for more information.\n"),
        1,
    )
}

/// Split leading `-x` options; `--` ends them.
fn split_opts<'a>(args: &'a [String], allowed: &str) -> Result<(Vec<char>, &'a [String]), char> {
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

const HELP: &str = "\
memcg shell: a small bash over the simulated cgroup filesystem.
  mkdir [-p] DIR...         create cgroups
  rmdir DIR...              remove cgroups
  echo [-n] VALUE > FILE    write an interface file (also >>, 2>, 2>&1, /dev/null)
  cat FILE...               read interface files
  ls [-1] [PATH...]         list a directory
  tree [-d] [DIR]           show a subtree
  cd [DIR], pwd             move around (relative paths work)
  su USER -c 'CMD'          run CMD as USER (root or nobody)
  whoami, true, false, help
Join commands with ; && ||. $$ is the shell's pid, $? the last status.
";

fn run_command(m: &mut Machine, sh: &mut Shell, argv: &[String]) -> Output {
    let args = &argv[1..];
    let k = &mut m.kernel;
    match argv[0].as_str() {
        "echo" => {
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
            Output {
                stdout: s,
                ..Output::default()
            }
        }
        "true" => Output::default(),
        "false" => Output::err(String::new(), 1),
        "help" => Output {
            stdout: String::from(HELP),
            ..Output::default()
        },
        "whoami" => Output {
            stdout: match sh.cred {
                Cred::Root => String::from("root\n"),
                Cred::User(_) => String::from("nobody\n"),
            },
            ..Output::default()
        },
        "pwd" => Output {
            stdout: format!("{}\n", sh.cwd),
            ..Output::default()
        },
        "cd" => cmd_cd(k, sh, args),
        "cat" => cmd_cat(k, sh, args),
        "mkdir" => cmd_mkdir(k, sh, args),
        "rmdir" => cmd_rmdir(k, sh, args),
        "ls" => cmd_ls(k, sh, args),
        "tree" => cmd_tree(k, sh, args),
        "su" => cmd_su(m, sh, args),
        "spawn" => cmd_spawn(m, sh, args),
        "wait" => cmd_wait(m, args),
        "sleep" => cmd_sleep(m, args),
        "kill" => cmd_kill(m, args),
        "ps" => cmd_ps(m),
        other => Output::err(format!("bash: {other}: command not found\n"), 127),
    }
}

fn cmd_cd(k: &Kernel, sh: &mut Shell, args: &[String]) -> Output {
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

fn cmd_cat(k: &Kernel, sh: &Shell, args: &[String]) -> Output {
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
            k.mkdir(id, name).map(|_| ())
        }
        Node::Outer(_) => {
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

fn cmd_mkdir(k: &mut Kernel, sh: &Shell, args: &[String]) -> Output {
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

/// `mkdir -p`: create each missing ancestor; an existing directory is fine.
fn mkdir_parents(k: &mut Kernel, sh: &Shell, path: &str) -> Result<(), Errno> {
    let mut prefix = String::new();
    if path.starts_with('/') {
        prefix.push('/');
    }
    let comps: Vec<&str> = path.split('/').filter(|c| !c.is_empty()).collect();
    for (i, comp) in comps.iter().enumerate() {
        if i > 0 || !prefix.is_empty() && prefix != "/" {
            prefix.push('/');
        }
        prefix.push_str(comp);
        match cgroupfs::resolve(k, &sh.cwd, &prefix) {
            Ok(node) if node.is_dir() => continue,
            Ok(_) => {
                return Err(if i + 1 == comps.len() {
                    Errno::EEXIST
                } else {
                    Errno::ENOTDIR
                })
            }
            Err(Errno::ENOENT) => mkdir_one(k, sh, &prefix)?,
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

fn cmd_rmdir(k: &mut Kernel, sh: &Shell, args: &[String]) -> Output {
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

fn cmd_ls(k: &Kernel, sh: &Shell, args: &[String]) -> Output {
    let (_, paths) = match split_opts(args, "1") {
        Ok(v) => v,
        Err(c) => {
            let mut o = usage_error("ls", &format!("invalid option -- '{c}'"));
            o.status = 2;
            return o;
        }
    };
    let default = [String::from(".")];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    let mut out = Output::default();
    let mut files = Vec::new();
    let mut dirs = Vec::new();
    for p in paths {
        match cgroupfs::resolve(k, &sh.cwd, p) {
            Ok(node) if node.is_dir() => dirs.push(p),
            Ok(_) => files.push(p),
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
    // One sort (of &String) for both: each is a code instantiation in wasm.
    files.sort_unstable();
    dirs.sort_unstable();
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

fn cmd_tree(k: &Kernel, sh: &Shell, args: &[String]) -> Output {
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
    let d = if nd == 1 { "directory" } else { "directories" };
    if dirs_only {
        let _ = write!(out.stdout, "\n{nd} {d}\n");
    } else {
        let f = if nf == 1 { "file" } else { "files" };
        let _ = write!(out.stdout, "\n{nd} {d}, {nf} {f}\n");
    }
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
fn cmd_su(m: &mut Machine, sh: &mut Shell, args: &[String]) -> Output {
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
    };
    exec(m, &mut inner, &command)
}

// ---------------------------------------------------------------------------
// Simulation commands (issue 3)

/// Parse "5s", "250ms", "10us", "100ns", "2m" into ns (at most one day).
pub fn parse_duration(s: &str) -> Option<u64> {
    let split = s.find(|c: char| !c.is_ascii_digit())?;
    let (num, unit) = s.split_at(split);
    if num.is_empty() || num.len() > 15 {
        return None;
    }
    let v: u64 = num.parse().ok()?;
    let mult: u64 = match unit {
        "ns" => 1,
        "us" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" | "min" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        _ => return None,
    };
    let ns = v.checked_mul(mult)?;
    (ns <= 86_400_000_000_000).then_some(ns)
}

/// Parse "512M" or "4K" into pages (rounded up to whole pages).
fn parse_pages(s: &str) -> Option<u64> {
    let bytes = crate::units::parse_size(s)?;
    Some(bytes.div_ceil(crate::units::PAGE_SIZE))
}

const SPAWN_USAGE: &str =
    "spawn: usage: spawn PATH anon|file|dirty|PRESET SIZE [--rate SIZE/s] [--ws SIZE] [--hold]\n";

/// `spawn PATH anon|file SIZE [--rate SIZE/s] [--hold]`: prints the pid.
fn cmd_spawn(m: &mut Machine, sh: &Shell, args: &[String]) -> Output {
    use crate::workload::{preset, Op, PageKind, Program, PRESETS};
    let mut pos = Vec::new();
    let mut rate = None;
    let mut ws = None;
    let mut hold = false;
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--hold" => hold = true,
            "--rate" | "--ws" => {
                let flag = args[i].clone();
                i += 1;
                let Some(v) = args.get(i) else {
                    return Output::err(format!("spawn: {flag} needs a value\n{SPAWN_USAGE}"), 2);
                };
                if flag == "--rate" {
                    let v = v.strip_suffix("/s").unwrap_or(v);
                    match parse_pages(v) {
                        Some(p) if p > 0 && p <= crate::workload::MAX_RATE => rate = Some(p),
                        _ => {
                            return Output::err(
                                format!("spawn: invalid rate '{v}/s' (use e.g. 100M/s)\n"),
                                2,
                            )
                        }
                    }
                } else {
                    match parse_pages(v) {
                        Some(p) => ws = Some(p),
                        None => {
                            return Output::err(format!("spawn: invalid working set '{v}'\n"), 2)
                        }
                    }
                }
            }
            a if a.starts_with("--") => {
                return Output::err(format!("spawn: unknown option '{a}'\n{SPAWN_USAGE}"), 2)
            }
            a => pos.push(a.to_string()),
        }
        i += 1;
    }
    if pos.len() != 3 {
        return Output::err(String::from(SPAWN_USAGE), 2);
    }
    let (path, kind, size) = (&pos[0], pos[1].as_str(), &pos[2]);
    let pages = match parse_pages(size) {
        Some(p) if p > 0 && p <= crate::workload::MAX_OP_PAGES => p,
        _ => {
            return Output::err(
                format!("spawn: invalid size '{size}' (4K to 1T, e.g. 512M)\n"),
                2,
            )
        }
    };
    let k = &mut m.kernel;
    let cg = match cgroupfs::resolve(k, &sh.cwd, path) {
        Ok(Node::Cgroup(id)) => id,
        Ok(_) => return Output::err(format!("spawn: {path}: Not a cgroup directory\n"), 1),
        Err(e) => return Output::err(format!("spawn: {path}: {}\n", e.message()), 1),
    };
    if k.version() == crate::kernel::Version::V2
        && cg != crate::tree::CgroupId::ROOT
        && k.tree.cg(cg).subtree_memory
    {
        return Output::err(
            format!("spawn: {path}: Device or resource busy (no processes in a cgroup with controllers enabled)\n"),
            1,
        );
    }
    let program = match kind {
        "anon" | "file" | "dirty" => {
            let kind_enum = match kind {
                "anon" => PageKind::Anon,
                "file" => PageKind::File,
                _ => PageKind::FileDirty,
            };
            let mut ops = alloc::vec![Op::Alloc {
                kind: kind_enum,
                pages,
                rate
            }];
            ops.push(if hold { Op::Hold(None) } else { Op::Exit });
            Program {
                name: String::from(kind),
                ops,
                ws: ws.unwrap_or(if kind_enum == PageKind::Anon {
                    pages
                } else {
                    0
                }),
                jitter_pct: 0,
            }
        }
        p => match preset(p, pages, rate) {
            Some(mut prog) => {
                if let Some(w) = ws {
                    prog.ws = w;
                }
                prog
            }
            None => {
                return Output::err(
                    format!(
                        "spawn: unknown kind '{p}' (anon, file, dirty, or a preset: {})\n",
                        PRESETS.join(", ")
                    ),
                    2,
                )
            }
        },
    };
    match m.engine.spawn(&mut m.kernel, cg, program) {
        Ok(pid) => Output {
            stdout: format!("{pid}\n"),
            ..Output::default()
        },
        Err(e) => Output::err(format!("spawn: {e}\n"), 1),
    }
}

/// Longest a `wait` advances virtual time.
pub const WAIT_LIMIT_NS: u64 = 3_600_000_000_000;

/// `wait [PID]`: run until the task exits, is killed, or (with --hold)
/// finishes allocating.
fn cmd_wait(m: &mut Machine, args: &[String]) -> Output {
    use crate::engine::TaskState;
    let pid = match args.first() {
        Some(a) => match a.parse::<u32>() {
            Ok(p) => p,
            Err(_) => {
                return Output::err(
                    format!("bash: wait: `{a}': not a pid or valid job spec\n"),
                    1,
                )
            }
        },
        None => match m.engine.tasks.keys().next_back() {
            Some(&p) => p,
            None => return Output::default(),
        },
    };
    if !m.engine.tasks.contains_key(&pid) {
        return Output::err(
            format!("bash: wait: pid {pid} is not a child of this shell\n"),
            127,
        );
    }
    let deadline = m.engine.now.saturating_add(WAIT_LIMIT_NS);
    loop {
        let tr = &m.engine.tasks[&pid];
        match tr.state {
            TaskState::Exited => return line_out(format!("{pid} exited\n")),
            TaskState::Killed => return line_out(format!("{pid} killed\n")),
            _ if tr.holding_reached => return line_out(format!("{pid} holding\n")),
            _ => {}
        }
        if m.engine.now >= deadline || !m.engine.step(&mut m.kernel) {
            return Output::err(
                format!(
                    "wait: {pid} still running after {}s of virtual time\n",
                    WAIT_LIMIT_NS / 1_000_000_000
                ),
                1,
            );
        }
    }
}

fn line_out(s: String) -> Output {
    Output {
        stdout: s,
        ..Output::default()
    }
}

/// `sleep DURATION`: advance virtual time.
fn cmd_sleep(m: &mut Machine, args: &[String]) -> Output {
    let Some(a) = args.first() else {
        return usage_error("sleep", "missing operand");
    };
    let Some(ns) = parse_duration(a) else {
        return Output::err(
            format!("sleep: invalid time interval '{a}' (e.g. 5s, 250ms, 10us; at most 24h)\n"),
            1,
        );
    };
    let t = m.engine.now.saturating_add(ns);
    m.engine.run_until(&mut m.kernel, t);
    Output::default()
}

/// `kill PID`.
fn cmd_kill(m: &mut Machine, args: &[String]) -> Output {
    let mut out = Output::default();
    if args.is_empty() {
        return Output::err(String::from("kill: usage: kill PID...\n"), 2);
    }
    for a in args {
        let a = a.strip_prefix("-9").map(|_| "").unwrap_or(a);
        if a.is_empty() {
            continue;
        }
        match a.parse::<u32>() {
            Ok(pid) if m.engine.kill(&mut m.kernel, pid) => {}
            Ok(pid) => {
                let _ = writeln!(out.stderr, "bash: kill: ({pid}) - No such process");
                out.status = 1;
            }
            Err(_) => {
                let _ = writeln!(
                    out.stderr,
                    "bash: kill: {a}: arguments must be process or job IDs"
                );
                out.status = 1;
            }
        }
    }
    out
}

/// `ps`: one line per task.
fn cmd_ps(m: &Machine) -> Output {
    let k = &m.kernel;
    let mut s = String::from("    PID STATE           RSS CGROUP               COMMAND\n");
    for t in k.tasks.values() {
        let state = m
            .engine
            .tasks
            .get(&t.pid)
            .map(|r| r.state.label())
            .unwrap_or("sleeping");
        let path = k.tree.rel_path(t.cgroup);
        let path = if path.is_empty() {
            String::from("/")
        } else {
            path
        };
        let _ = writeln!(
            s,
            "{:>7} {:<9} {:>9} {:<20} {}",
            t.pid,
            state,
            format!("{}K", t.pages.anon() * 4),
            path,
            t.comm
        );
    }
    line_out(s)
}
