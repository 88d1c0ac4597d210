//! `memcg sh --real`: the shell's script on this machine's cgroupfs
//! (issue 15), so the simulator can be held against a real kernel.
//!
//! A run owns one cgroup, `memcg-<pid>` under the v1 memory mount, made
//! for it and capped (`memory.limit_in_bytes`, and `memsw` where present);
//! the simulator's mount point maps onto it, so `mkdir a` makes
//! `/sys/fs/cgroup/memory/memcg-<pid>/a`. Lines are parsed by the
//! simulator's own parser ([`memcg::shell::syntax`]) and print the same
//! messages, with the kernel's errno in place of the model's.
//!
//! Safe by construction: every path is mapped into the run's cgroup (or a
//! `/proc/PID` of its own tasks) or refused; pids written to `cgroup.procs`
//! and `tasks` must be the run's own tasks; the run's top cgroup takes no
//! writes (as the root cgroup). Everything is removed on every exit path
//! ([`teardown`]): the normal end, an error, a panic (hook and `Drop`),
//! SIGINT/SIGTERM/SIGHUP and the time limit (a thread waiting in
//! `sigtimedwait`). Tasks die with the run (`PR_SET_PDEATHSIG`), even when
//! it is killed with SIGKILL (only then is its empty cgroup left behind).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io::{self, Read, Write};
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, ExitCode, Stdio};
use std::sync::{Mutex, MutexGuard, Once, PoisonError};
use std::time::{Duration, Instant};

use memcg::engine::FIRST_TASK_PID;
use memcg::shell::syntax::{self, split_opts, usage_error, RedirTarget, Word, LAST_STATUS};
use memcg::shell::{parse_duration, Output, SpawnSpec};
use memcg::units::PAGE_SIZE;
use memcg::workload::{Op, PageKind};
use memcg::{Errno, Version};

/// Where the v1 memory controller must be mounted.
pub const V1_MOUNT: &str = "/sys/fs/cgroup/memory";
/// Default cap of the run's memory (`--real-mem-cap`).
pub const DEFAULT_MEM_CAP: u64 = 256 << 20;
/// Default time limit of a run (`--real-timeout`).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// The hidden first argument of `memcg` that runs a task ([`task_main`]).
pub const TASK_MODE: &str = "__real-task";
/// Exit status of a run stopped by its time limit, as timeout(1).
pub const TIMEOUT_STATUS: i32 = 124;

/// How a real run is bounded.
#[derive(Clone, Debug)]
pub struct Config {
    /// Cap of the run's cgroup (`memory.limit_in_bytes`), bytes.
    pub mem_cap: u64,
    /// Wall-clock limit of the whole run.
    pub timeout: Duration,
    /// Where the tasks' files go (a disk file system, not tmpfs).
    pub tmp: PathBuf,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            mem_cap: DEFAULT_MEM_CAP,
            timeout: DEFAULT_TIMEOUT,
            tmp: PathBuf::from("/var/tmp"),
        }
    }
}

/// Why this machine cannot run a script for real (`--v2` for the unified
/// hierarchy), or `None` when it can.
pub fn unavailable(v2: bool) -> Option<String> {
    let mounts = fs::read_to_string("/proc/mounts").unwrap_or_default();
    if v2 {
        let mp = mounts
            .lines()
            .map(|l| l.split(' ').collect::<Vec<_>>())
            .find(|f| f.len() > 2 && f[2] == "cgroup2")
            .map(|f| f[1].to_string());
        let Some(mp) = mp else {
            return Some(String::from(
                "--real --v2: no cgroup2 file system is mounted",
            ));
        };
        let ctrl = fs::read_to_string(format!("{mp}/cgroup.controllers")).unwrap_or_default();
        if !ctrl.split_whitespace().any(|c| c == "memory") {
            return Some(format!(
                "--real --v2: cgroup2 at {mp} has no memory controller (cgroup.controllers: '{}'); \
                 run without --v2 to use the v1 memory controller at {V1_MOUNT}",
                ctrl.trim()
            ));
        }
        return Some(String::from(
            "--real --v2 is not supported: enabling memory in cgroup.subtree_control would \
             change cgroups this run did not create; run without --v2",
        ));
    }
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Some(format!(
            "--real needs root: it creates a cgroup under {V1_MOUNT}"
        ));
    }
    let v1 = mounts.lines().any(|l| {
        let f: Vec<&str> = l.split(' ').collect();
        f.len() > 3
            && f[1] == V1_MOUNT
            && f[2] == "cgroup"
            && f[3].split(',').any(|o| o == "memory")
    });
    if !v1 {
        return Some(format!(
            "--real: no cgroup v1 memory controller is mounted at {V1_MOUNT}"
        ));
    }
    None
}

// ---------------------------------------------------------------------------
// What the run created, for teardown from any thread

struct Task {
    child: Child,
    /// Set once reaped: killed by a signal (`true`) or exited.
    end: Option<bool>,
}

struct Run {
    parent: PathBuf,
    tmp: PathBuf,
    tasks: BTreeMap<u32, Task>,
    /// Teardown began: no more cgroups or tasks.
    closing: bool,
    /// Which run of this process (`memcg conform` makes one per script),
    /// so a finished run's deadline does not end the next.
    id: u64,
}

static RUNS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

static RUN: Mutex<Option<Run>> = Mutex::new(None);

fn run_lock() -> MutexGuard<'static, Option<Run>> {
    RUN.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Kill and reap the run's tasks, remove its files, then its cgroups
/// deepest first (retrying while the kernel still holds a css), then its
/// own. Idempotent; what could not be removed is returned.
fn teardown(slot: &mut Option<Run>) -> Result<(), String> {
    let Some(run) = slot.as_mut() else {
        return Ok(());
    };
    run.closing = true;
    for t in run.tasks.values_mut() {
        if t.end.is_none() {
            let _ = t.child.kill();
            let _ = t.child.wait();
            t.end = Some(true);
        }
    }
    let mut problems = Vec::new();
    // Unlinked files free their page cache before the cgroups go.
    if let Err(e) = fs::remove_dir_all(&run.tmp) {
        if e.kind() != io::ErrorKind::NotFound {
            problems.push(format!("{}: {e}", run.tmp.display()));
        }
    }
    let mut dirs = Vec::new();
    subdirs(&run.parent, &mut dirs);
    dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    dirs.push(run.parent.clone());
    for d in dirs {
        if let Err(e) = rmdir_retry(&d) {
            problems.push(format!("{}: {e}", d.display()));
        }
    }
    *slot = None;
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("--real: left behind: {}", problems.join("; ")))
    }
}

/// What runs killed with SIGKILL left (no handler runs then; their tasks
/// died with them, `PR_SET_PDEATHSIG`): `memcg-<pid>` cgroups and
/// `memcg-real-<pid>` temp dirs of pids no longer alive. Only empty cgroups
/// go (rmdir of one with tasks fails and it stays); returns what went.
pub fn remove_stale_runs(tmp: &Path) -> Vec<String> {
    let dead = |name: &str, prefix: &str| {
        name.strip_prefix(prefix)
            .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            .is_some_and(|p| !Path::new("/proc").join(p).exists())
    };
    let mut removed = Vec::new();
    for (dir, prefix, cgroup) in [
        (Path::new(V1_MOUNT), "memcg-", true),
        (tmp, "memcg-real-", false),
    ] {
        let Ok(rd) = fs::read_dir(dir) else { continue };
        let mut names: Vec<String> = rd
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| dead(n, prefix))
            .collect();
        names.sort();
        for n in names {
            let p = dir.join(&n);
            let ok = if cgroup {
                let mut inner = Vec::new();
                subdirs(&p, &mut inner);
                inner.iter().all(|d| fs::remove_dir(d).is_ok()) && fs::remove_dir(&p).is_ok()
            } else {
                fs::remove_dir_all(&p).is_ok()
            };
            if ok {
                removed.push(p.display().to_string());
            }
        }
    }
    removed
}

fn subdirs(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            let p = e.path();
            subdirs(&p, out);
            out.push(p);
        }
    }
}

/// `rmdir`, retried for up to 5 s while it is busy (a task not yet gone).
fn rmdir_retry(d: &Path) -> io::Result<()> {
    let until = Instant::now() + Duration::from_secs(5);
    loop {
        match fs::remove_dir(d) {
            Ok(()) => return Ok(()),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) if e.raw_os_error() == Some(libc::EBUSY) && Instant::now() < until => {
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(e) => return Err(e),
        }
    }
}

/// Block SIGINT, SIGTERM and SIGHUP in this thread (and so in every thread
/// started after it) and take them, and the deadline, in one thread: it
/// tears the run down and exits (128 + the signal, or 124 on time out).
fn guard_signals(deadline: Instant, limit: Duration, id: u64) {
    // SAFETY: plain libc signal-set calls on a zeroed set we own.
    let set = unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for s in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            libc::sigaddset(&mut set, s);
        }
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        set
    };
    std::thread::spawn(move || loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let ts = libc::timespec {
            tv_sec: left.as_secs() as libc::time_t,
            tv_nsec: left.subsec_nanos() as libc::c_long,
        };
        // SAFETY: `set` is initialised; a null siginfo is allowed.
        let sig = unsafe { libc::sigtimedwait(&set, std::ptr::null_mut(), &ts) };
        let (why, code) = if sig > 0 {
            let name = match sig {
                libc::SIGINT => "SIGINT",
                libc::SIGTERM => "SIGTERM",
                _ => "SIGHUP",
            };
            (format!("stopped by {name}"), 128 + sig)
        } else if io::Error::last_os_error().raw_os_error() == Some(libc::EAGAIN) {
            (
                format!("--real-timeout {}s reached", limit.as_secs()),
                TIMEOUT_STATUS,
            )
        } else {
            continue;
        };
        let mut slot = run_lock();
        if code == TIMEOUT_STATUS && slot.as_ref().is_none_or(|r| r.id != id) {
            // Its run ended and tore down already.
            return;
        }
        let res = teardown(&mut slot);
        let _ = io::stdout().flush();
        match res {
            Ok(()) => eprintln!("memcg: {why}; the run's cgroups, tasks and files are removed"),
            Err(e) => eprintln!("memcg: {why}; {e}"),
        }
        std::process::exit(code);
    });
}

static HOOK: Once = Once::new();

/// A panic tears the run down before the default report, so it holds even
/// with `panic = "abort"`.
fn guard_panics() {
    HOOK.call_once(|| {
        let prev = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if let Ok(mut slot) = RUN.try_lock() {
                let _ = teardown(&mut slot);
            }
            prev(info);
        }));
    });
}

// ---------------------------------------------------------------------------
// Errors and paths

/// Why a path or a call failed: the kernel's errno, or the run's refusal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fail {
    Os(i32),
    /// Outside the run's cgroup (or a `/proc` entry of another process).
    Outside,
}

impl Fail {
    fn of(e: &io::Error) -> Fail {
        Fail::Os(e.raw_os_error().unwrap_or(libc::EIO))
    }

    /// As strerror(3) in the C locale, the simulator's words where it has
    /// the errno.
    fn message(self) -> String {
        match self {
            Fail::Os(code) => match Errno::ALL.iter().find(|e| e.code() == code) {
                Some(e) => e.message().to_string(),
                None => {
                    let s = io::Error::from_raw_os_error(code).to_string();
                    match s.find(" (os error") {
                        Some(i) => s[..i].to_string(),
                        None => s,
                    }
                }
            },
            Fail::Outside => String::from("Operation not permitted (outside the --real run)"),
        }
    }
}

/// `path` from `cwd` with `.`, `..` and repeated slashes resolved.
fn normalize(cwd: &str, path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let full = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{cwd}/{path}")
    };
    for c in full.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    format!("/{}", parts.join("/"))
}

fn quote(s: &str) -> String {
    if s.contains('\'') {
        format!("\"{s}\"")
    } else {
        format!("'{s}'")
    }
}

fn err(msg: String, status: i32) -> Output {
    Output {
        stdout: String::new(),
        stderr: msg,
        status,
    }
}

fn out(s: String) -> Output {
    Output {
        stdout: s,
        ..Output::default()
    }
}

/// One of the run's tasks, seen from the shell.
struct ShellTask {
    real: u32,
    kind: String,
    /// The task's stdout: `J` once it joined its cgroup, `H` once it holds.
    pipe: Option<ChildStdout>,
    held: bool,
}

/// The shell of a real run: the simulator's session state over the run.
pub struct RealShell {
    /// The simulator's working directory (under its mount point).
    cwd: String,
    last_status: i32,
    next_pid: u32,
    tasks: BTreeMap<u32, ShellTask>,
    parent: PathBuf,
    tmp: PathBuf,
    exe: PathBuf,
}

const MOUNT: &str = "/sys/fs/cgroup/memory";

/// The `oom_kill` count of the v1 cgroup `cg` (0 when unreadable).
fn oom_kills(cg: &Path) -> u64 {
    fs::read_to_string(cg.join("memory.oom_control"))
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("oom_kill ")?.trim().parse().ok())
        })
        .unwrap_or(0)
}

impl RealShell {
    /// Make the run's cgroup, cap it and arm the guards. Refuses (with the
    /// message to print) on a machine that cannot run it.
    pub fn start(cfg: &Config) -> Result<RealShell, String> {
        debug_assert_eq!(Version::V1.mount_point(), MOUNT);
        if let Some(why) = unavailable(false) {
            return Err(why);
        }
        let total = fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|m| {
                m.lines()
                    .find(|l| l.starts_with("MemTotal:"))
                    .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
            })
            .unwrap_or(0)
            * 1024;
        if cfg.mem_cap < (4 << 20) || cfg.mem_cap > total / 2 {
            return Err(format!(
                "--real-mem-cap {}: give 4M to half the machine's memory ({} bytes)",
                cfg.mem_cap,
                total / 2
            ));
        }
        if cfg.timeout.is_zero() {
            return Err(String::from("--real-timeout must be more than 0"));
        }
        let tmp_fs =
            fs_type(&cfg.tmp).map_err(|e| format!("--real-tmp {}: {e}", cfg.tmp.display()))?;
        if tmp_fs as u64 == 0x0102_1994 {
            // TMPFS_MAGIC
            return Err(format!(
                "--real-tmp {}: tmpfs pages are shmem and need swap to be reclaimed; give a directory on a disk file system",
                cfg.tmp.display()
            ));
        }
        for gone in remove_stale_runs(&cfg.tmp) {
            eprintln!("memcg: removed {gone}, left by a run that was killed (SIGKILL)");
        }
        let pid = std::process::id();
        let parent = PathBuf::from(format!("{V1_MOUNT}/memcg-{pid}"));
        let tmp = cfg.tmp.join(format!("memcg-real-{pid}"));
        let exe = std::env::current_exe().map_err(|e| format!("--real: {e}"))?;
        guard_panics();
        let id = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        {
            let mut slot = run_lock();
            fs::create_dir(&tmp).map_err(|e| format!("--real: {}: {e}", tmp.display()))?;
            *slot = Some(Run {
                parent: parent.clone(),
                tmp: tmp.clone(),
                tasks: BTreeMap::new(),
                closing: false,
                id,
            });
            if let Err(e) = fs::create_dir(&parent) {
                // Not ours: leave it, remove only the temp dir.
                let run = slot.as_mut().expect("just set");
                run.parent = PathBuf::new();
                let _ = fs::remove_dir_all(&tmp);
                *slot = None;
                return Err(format!("--real: {}: {e}", parent.display()));
            }
        }
        let setup = || -> Result<(), String> {
            let set = |file: &str, v: &str| {
                fs::write(parent.join(file), v)
                    .map_err(|e| format!("--real: {}/{file}: {e}", parent.display()))
            };
            if fs::read_to_string(parent.join("memory.use_hierarchy"))
                .is_ok_and(|s| s.trim() == "0")
            {
                set("memory.use_hierarchy", "1")?;
            }
            set("memory.limit_in_bytes", &cfg.mem_cap.to_string())?;
            if parent.join("memory.memsw.limit_in_bytes").exists() {
                set("memory.memsw.limit_in_bytes", &cfg.mem_cap.to_string())?;
            }
            Ok(())
        };
        if let Err(e) = setup() {
            let _ = teardown(&mut run_lock());
            return Err(e);
        }
        guard_signals(Instant::now() + cfg.timeout, cfg.timeout, id);
        Ok(RealShell {
            cwd: MOUNT.to_string(),
            last_status: 0,
            next_pid: FIRST_TASK_PID,
            tasks: BTreeMap::new(),
            parent,
            tmp,
            exe,
        })
    }

    /// The run's cgroup, `/sys/fs/cgroup/memory/memcg-<pid>`.
    pub fn parent(&self) -> &Path {
        &self.parent
    }

    /// Where the run's tasks put their files (removed at teardown).
    pub fn tmp(&self) -> &Path {
        &self.tmp
    }

    /// Run `memcg MODE PROCS TMP PPID ARGS...` as one of the run's tasks
    /// (killed by teardown if the run ends first), where `PROCS` is the
    /// `cgroup.procs` of `cg` (a path of the script's) for it to join;
    /// wait for it to exit and return its real pid and its stdout, or its
    /// stderr when it fails. `memcg calibrate`'s probes run this way.
    pub fn run_probe(
        &mut self,
        cg: &str,
        mode: &str,
        args: &[String],
    ) -> Result<(u32, String), String> {
        let dir = self
            .real(cg)
            .map_err(|e| format!("{cg}: {}", e.message()))?;
        let mut slot = run_lock();
        let Some(run) = slot.as_mut().filter(|r| !r.closing) else {
            return Err(String::from("the run is ending"));
        };
        let mut child = Command::new(&self.exe)
            .arg(mode)
            .arg(dir.join("cgroup.procs"))
            .arg(&self.tmp)
            .arg(std::process::id().to_string())
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("{mode}: {e}"))?;
        let real = child.id();
        let stdout = child.stdout.take();
        let stderr = child.stderr.take();
        let pid = self.next_pid;
        self.next_pid += 1;
        run.tasks.insert(pid, Task { child, end: None });
        drop(slot);
        let mut out = String::new();
        let mut err_text = String::new();
        if let Some(mut p) = stdout {
            let _ = p.read_to_string(&mut out);
        }
        if let Some(mut p) = stderr {
            let _ = p.read_to_string(&mut err_text);
        }
        let mut slot = run_lock();
        let Some(t) = slot.as_mut().and_then(|r| r.tasks.get_mut(&pid)) else {
            return Err(String::from("the run is ending"));
        };
        let status = t.child.wait().map_err(|e| format!("{mode}: {e}"))?;
        t.end = Some(status.code().is_none());
        if status.success() {
            Ok((real, out))
        } else {
            Err(format!(
                "{mode} in {cg} failed ({status}): {}",
                err_text.trim_end()
            ))
        }
    }

    /// Tear the run down; what was left behind, if anything.
    pub fn finish(self) -> Result<(), String> {
        teardown(&mut run_lock())
    }

    /// The real path of a path of the simulator's, relative to `cwd`.
    fn real(&self, path: &str) -> Result<PathBuf, Fail> {
        let v = normalize(&self.cwd, path);
        if v == MOUNT {
            return Ok(self.parent.clone());
        }
        if let Some(rest) = v.strip_prefix(MOUNT).and_then(|r| r.strip_prefix('/')) {
            return Ok(self.parent.join(rest));
        }
        // /proc/PID/oom_score_adj of the run's own tasks.
        let parts: Vec<&str> = v.split('/').collect();
        if let ["", "proc", pid, "oom_score_adj"] = parts[..] {
            if let Some(t) = pid.parse().ok().and_then(|p: u32| self.tasks.get(&p)) {
                return Ok(PathBuf::from(format!("/proc/{}/oom_score_adj", t.real)));
            }
        }
        Err(Fail::Outside)
    }

    fn is_top(&self, path: &str) -> bool {
        normalize(&self.cwd, path) == MOUNT
    }

    /// Run one line, as [`memcg::shell::exec`] runs it on the simulator.
    pub fn exec(&mut self, line: &str) -> Output {
        // Hidden, for the tests: a panic in the middle of a run.
        if line == "__panic" && std::env::var_os("MEMCG_REAL_TEST_PANIC").is_some() {
            panic!("a test asked for a panic");
        }
        if line.len() > memcg::shell::MAX_LINE {
            self.last_status = 2;
            return err(
                format!(
                    "memcg: line too long ({} bytes; the limit is {})\n",
                    line.len(),
                    memcg::shell::MAX_LINE
                ),
                2,
            );
        }
        let list = match syntax::parse_line(line) {
            Ok(l) => l,
            Err(msg) => {
                self.last_status = 2;
                return err(msg, 2);
            }
        };
        let mut total = Output::default();
        let mut status = self.last_status;
        let mut ran = false;
        for (join, cmd) in list {
            if !join.runs(status) {
                continue;
            }
            let o = self.simple(cmd);
            total.stdout.push_str(&o.stdout);
            total.stderr.push_str(&o.stderr);
            status = o.status;
            self.last_status = status;
            ran = true;
        }
        total.status = if ran { status } else { 0 };
        if ran {
            self.last_status = total.status;
        }
        total
    }

    fn expand(&self, mut w: Word) -> Vec<String> {
        if w.text.contains(LAST_STATUS) {
            w.text = w.text.replace(LAST_STATUS, &self.last_status.to_string());
        }
        if !w.glob {
            return vec![w.text];
        }
        let (dir, pat) = match w.text.rfind('/') {
            Some(i) => (w.text[..=i].to_string(), w.text[i + 1..].to_string()),
            None => (String::new(), w.text.clone()),
        };
        let mut hits: Vec<String> = match self.real(if dir.is_empty() { "." } else { &dir }) {
            Ok(p) => list(&p)
                .unwrap_or_default()
                .into_iter()
                .filter(|n| syntax::glob_match(pat.as_bytes(), n.as_bytes()))
                .map(|n| format!("{dir}{n}"))
                .collect(),
            Err(_) => Vec::new(),
        };
        if hits.is_empty() {
            hits.push(w.text);
        }
        hits
    }

    fn simple(&mut self, cmd: syntax::Simple) -> Output {
        let mut argv = Vec::new();
        for w in cmd.argv {
            argv.extend(self.expand(w));
        }
        #[derive(Clone)]
        enum Sink {
            Tty(u8),
            Null,
            File(usize),
        }
        let mut files: Vec<(fs::File, String)> = Vec::new();
        let mut sinks = [Sink::Tty(0), Sink::Tty(1), Sink::Tty(2)];
        for (fd, append, target) in cmd.redirs {
            let sink = match target {
                RedirTarget::Fd(n) => sinks[n as usize].clone(),
                RedirTarget::Missing => sinks[fd as usize].clone(),
                RedirTarget::Path(w) => {
                    let path = w.text;
                    if path == "/dev/null" {
                        Sink::Null
                    } else {
                        match self.open_write(&path, append) {
                            Ok(f) => {
                                files.push((f, path));
                                Sink::File(files.len() - 1)
                            }
                            Err(e) => return err(format!("bash: {path}: {}\n", e.message()), 1),
                        }
                    }
                }
            };
            sinks[fd as usize] = sink;
        }
        let name = argv.first().cloned().unwrap_or_default();
        let builtin = memcg::shell::command(&name).is_some_and(|c| c.builtin);
        let o = if argv.is_empty() {
            Output::default()
        } else {
            self.command(&argv)
        };
        let mut result = Output {
            status: o.status,
            ..Output::default()
        };
        for (fd, text) in [(1usize, o.stdout), (2usize, o.stderr)] {
            match &sinks[fd] {
                Sink::Tty(1) => result.stdout.push_str(&text),
                Sink::Tty(_) => result.stderr.push_str(&text),
                Sink::Null => {}
                Sink::File(i) => {
                    if text.is_empty() {
                        continue;
                    }
                    let (f, path) = &files[*i];
                    if let Err(e) = self.write_file(f, path, &text) {
                        result
                            .stderr
                            .push_str(&syntax::write_error(&name, builtin, &e.message()));
                        result.status = 1;
                    }
                }
            }
        }
        result
    }

    /// `open(path, O_WRONLY|O_CREAT|O_TRUNC)` (or `O_APPEND`) as bash does.
    fn open_write(&self, path: &str, append: bool) -> Result<fs::File, Fail> {
        let real = self.real(path)?;
        let mut o = fs::OpenOptions::new();
        o.write(true).create(true).mode(0o644);
        if append {
            o.append(true);
        } else {
            o.truncate(true);
        }
        o.open(real).map_err(|e| Fail::of(&e))
    }

    /// One `write(2)` of `text`, as bash writes a builtin's output; pids
    /// for `cgroup.procs`/`tasks` are the run's own, mapped to the real.
    fn write_file(&self, f: &fs::File, path: &str, text: &str) -> Result<(), Fail> {
        if self.is_top(
            path.rsplit_once('/')
                .map_or(".", |(d, _)| if d.is_empty() { "/" } else { d }),
        ) {
            // The run's cgroup stands for the root: no writes.
            return Err(Fail::Os(libc::EINVAL));
        }
        let base = path.rsplit('/').next().unwrap_or(path);
        let mut text = text.to_string();
        if base == "cgroup.procs" || base == "tasks" {
            let n = text.trim();
            match n.parse::<u32>() {
                Ok(p) => match self.tasks.get(&p) {
                    Some(t) => text = format!("{}\n", t.real),
                    // Never move a process of the machine (the shell, $$,
                    // included): as if it did not exist.
                    None => return Err(Fail::Os(libc::ESRCH)),
                },
                Err(_) => return Err(Fail::Os(libc::EINVAL)),
            }
        }
        let mut f = f;
        // One write(2) for a line of a cgroup file: it takes all or fails.
        f.write_all(text.as_bytes()).map_err(|e| Fail::of(&e))
    }

    fn command(&mut self, argv: &[String]) -> Output {
        let args = &argv[1..];
        match argv[0].as_str() {
            "mkdir" => self.mkdir(args),
            "rmdir" => self.rmdir(args),
            "echo" => syntax::echo(args),
            "cat" => self.cat(args),
            "ls" => self.ls(args),
            "tree" => self.tree(args),
            "cd" => self.cd(args),
            "pwd" => out(format!("{}\n", self.cwd)),
            "whoami" => out(String::from("root\n")),
            "su" => err(String::from("memcg: su is not supported with --real\n"), 1),
            "spawn" => self.spawn(args),
            "wait" => self.wait(args),
            "sleep" => self.sleep(args),
            "kill" => self.kill(args),
            "ps" => self.ps(),
            "true" => Output::default(),
            "false" => err(String::new(), 1),
            "help" => memcg::Simulator::new(Version::V1).exec("help"),
            other => err(format!("bash: {other}: command not found\n"), 127),
        }
    }

    fn cd(&mut self, args: &[String]) -> Output {
        if args.len() > 1 {
            return err(String::from("bash: cd: too many arguments\n"), 1);
        }
        let target = args.first().map_or(MOUNT, String::as_str);
        match self
            .real(target)
            .and_then(|p| fs::metadata(p).map_err(|e| Fail::of(&e)))
        {
            Ok(m) if m.is_dir() => {
                self.cwd = normalize(&self.cwd, target);
                Output::default()
            }
            Ok(_) => err(format!("bash: cd: {target}: Not a directory\n"), 1),
            Err(e) => err(format!("bash: cd: {target}: {}\n", e.message()), 1),
        }
    }

    fn cat(&self, args: &[String]) -> Output {
        let mut o = Output::default();
        for path in args {
            match self
                .real(path)
                .and_then(|p| fs::read(p).map_err(|e| Fail::of(&e)))
            {
                Ok(b) => o.stdout.push_str(&String::from_utf8_lossy(&b)),
                Err(e) => {
                    let _ = writeln!(o.stderr, "cat: {path}: {}", e.message());
                    o.status = 1;
                }
            }
        }
        o
    }

    fn mkdir(&self, args: &[String]) -> Output {
        let (opts, paths) = match split_opts(args, "p") {
            Ok(v) => v,
            Err(c) => return usage_error("mkdir", &format!("invalid option -- '{c}'")),
        };
        if paths.is_empty() {
            return usage_error("mkdir", "missing operand");
        }
        let mut o = Output::default();
        for path in paths {
            let res = if opts.contains(&'p') {
                self.mkdir_parents(path)
            } else {
                self.real(path).and_then(|p| mkdir_guarded(&p))
            };
            if let Err(e) = res {
                let _ = writeln!(
                    o.stderr,
                    "mkdir: cannot create directory {}: {}",
                    quote(path),
                    e.message()
                );
                o.status = 1;
            }
        }
        o
    }

    fn mkdir_parents(&self, path: &str) -> Result<(), Fail> {
        let v = normalize(&self.cwd, path);
        let Some(rest) = v.strip_prefix(MOUNT) else {
            return Err(Fail::Outside);
        };
        let mut cur = self.parent.clone();
        for c in rest.split('/').filter(|c| !c.is_empty()) {
            cur.push(c);
            match fs::metadata(&cur) {
                Ok(m) if m.is_dir() => {}
                Ok(_) => return Err(Fail::Os(libc::EEXIST)),
                Err(_) => mkdir_guarded(&cur)?,
            }
        }
        Ok(())
    }

    fn rmdir(&self, args: &[String]) -> Output {
        let (_, paths) = match split_opts(args, "") {
            Ok(v) => v,
            Err(c) => return usage_error("rmdir", &format!("invalid option -- '{c}'")),
        };
        if paths.is_empty() {
            return usage_error("rmdir", "missing operand");
        }
        let mut o = Output::default();
        for path in paths {
            let res = if self.is_top(path) {
                Err(Fail::Os(libc::EBUSY))
            } else {
                self.real(path)
                    .and_then(|p| fs::remove_dir(p).map_err(|e| Fail::of(&e)))
            };
            if let Err(e) = res {
                let _ = writeln!(
                    o.stderr,
                    "rmdir: failed to remove {}: {}",
                    quote(path),
                    e.message()
                );
                o.status = 1;
            }
        }
        o
    }

    fn ls(&self, args: &[String]) -> Output {
        let paths = match syntax::ls_operands(args) {
            Ok(p) => p,
            Err(o) => return o,
        };
        let paths = &paths[..];
        let mut o = Output::default();
        let (mut files, mut dirs) = (Vec::new(), Vec::new());
        for p in paths {
            match self
                .real(p)
                .and_then(|r| fs::metadata(&r).map(|m| (r, m)).map_err(|e| Fail::of(&e)))
            {
                Ok((r, m)) if m.is_dir() => dirs.push((p, r)),
                Ok(_) => files.push(p),
                Err(e) => {
                    let _ = writeln!(o.stderr, "ls: cannot access {}: {}", quote(p), e.message());
                    o.status = 2;
                }
            }
        }
        files.sort();
        dirs.sort();
        for f in &files {
            let _ = writeln!(o.stdout, "{f}");
        }
        let many = paths.len() > 1;
        for (i, (p, r)) in dirs.iter().enumerate() {
            if many {
                if i > 0 || !files.is_empty() {
                    o.stdout.push('\n');
                }
                let _ = writeln!(o.stdout, "{p}:");
            }
            for name in list(r).unwrap_or_default() {
                let _ = writeln!(o.stdout, "{name}");
            }
        }
        o
    }

    fn tree(&self, args: &[String]) -> Output {
        let (opts, paths) = match split_opts(args, "d") {
            Ok(v) => v,
            Err(c) => return err(format!("tree: Invalid argument -`{c}'.\n"), 2),
        };
        let dirs_only = opts.contains(&'d');
        let default = [String::from(".")];
        let paths = if paths.is_empty() {
            &default[..]
        } else {
            paths
        };
        let mut o = Output::default();
        let (mut nd, mut nf) = (0usize, 0usize);
        for p in paths {
            match self.real(p) {
                Ok(r) if r.is_dir() => {
                    let _ = writeln!(o.stdout, "{p}");
                    tree_walk(&r, "", dirs_only, &mut o.stdout, &mut nd, &mut nf);
                }
                _ => {
                    let _ = writeln!(o.stdout, "{p} [error opening dir]");
                    o.status = 2;
                }
            }
        }
        o.stdout.push_str(&syntax::tree_summary(nd, nf, dirs_only));
        o
    }

    /// `spawn`: the simulator's syntax; a real task joins the cgroup and
    /// faults; the simulator's pid is printed (the real one in `ps`).
    fn spawn(&mut self, args: &[String]) -> Output {
        let spec = match SpawnSpec::parse_args(args) {
            Ok(s) => s,
            Err(msg) => return err(msg, 2),
        };
        let path = &spec.path;
        let cg = match self.real(path) {
            Ok(p) if p.is_dir() => p,
            Ok(p) if p.exists() => {
                return err(format!("spawn: {path}: Not a cgroup directory\n"), 1)
            }
            Ok(_) => {
                return err(
                    format!("spawn: {path}: {}\n", Fail::Os(libc::ENOENT).message()),
                    1,
                )
            }
            Err(e) => return err(format!("spawn: {path}: {}\n", e.message()), 1),
        };
        let program = match spec.program() {
            Ok(p) => p,
            Err(msg) => return err(msg, 2),
        };
        let Some(Op::Alloc { kind, pages, rate }) = program.ops.first().cloned() else {
            return err(String::from("spawn: internal: no allocation\n"), 2);
        };
        if !matches!(spec.kind.as_str(), "anon" | "file" | "dirty") {
            return err(
                format!(
                    "spawn: --real runs anon, file and dirty tasks; the preset '{}' is simulator-only\n",
                    spec.kind
                ),
                2,
            );
        }
        let kind = match kind {
            PageKind::Anon => "anon",
            PageKind::File => "file",
            PageKind::FileDirty => "dirty",
        };
        let mut slot = run_lock();
        let Some(run) = slot.as_mut().filter(|r| !r.closing) else {
            return err(String::from("spawn: the run is ending\n"), 1);
        };
        let kills_before = oom_kills(&cg);
        let child = Command::new(&self.exe)
            .arg(TASK_MODE)
            .arg(cg.join("cgroup.procs"))
            .arg(kind)
            .arg(pages.to_string())
            .arg(rate.unwrap_or(0).to_string())
            .arg(program.ws.to_string())
            .arg(if spec.hold { "1" } else { "0" })
            .arg(&self.tmp)
            .arg(
                spec.oom_score_adj
                    .map_or(String::from("-"), |a| a.to_string()),
            )
            .arg(std::process::id().to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn();
        let mut child = match child {
            Ok(c) => c,
            Err(e) => return err(format!("spawn: {e}\n"), 1),
        };
        let pid = self.next_pid;
        self.next_pid += 1;
        let real = child.id();
        let mut pipe = child.stdout.take();
        run.tasks.insert(pid, Task { child, end: None });
        drop(slot);
        // Print only once the task is in its cgroup, as the simulator's
        // task is when spawn returns.
        let mut b = [0u8];
        let mut joined = pipe
            .as_mut()
            .is_some_and(|p| p.read_exact(&mut b).is_ok() && b[0] == b'J');
        if !joined {
            // Killed before it could say so: a zero limit OOM-kills it at its
            // first charge (the pipe write's). It had joined if the cgroup
            // counted the kill (the victim's memcg counts MEMCG_OOM_KILL).
            joined = self.reap(pid) && oom_kills(&cg) > kills_before;
        }
        self.tasks.insert(
            pid,
            ShellTask {
                real,
                kind: spec.kind.clone(),
                pipe,
                held: false,
            },
        );
        if !joined {
            let end = self.reap(pid);
            return err(
                format!(
                    "spawn: the task did not join {path} ({})\n",
                    if end { "killed" } else { "exited" }
                ),
                1,
            );
        }
        out(format!("{pid}\n"))
    }

    /// Reap a task: `true` when a signal ended it.
    fn reap(&mut self, pid: u32) -> bool {
        let mut slot = run_lock();
        let Some(t) = slot.as_mut().and_then(|r| r.tasks.get_mut(&pid)) else {
            return true;
        };
        if let Some(end) = t.end {
            return end;
        }
        let killed = match t.child.wait() {
            Ok(st) => std::os::unix::process::ExitStatusExt::signal(&st).is_some(),
            Err(_) => true,
        };
        t.end = Some(killed);
        killed
    }

    fn ended(&self, pid: u32) -> Option<bool> {
        run_lock()
            .as_ref()
            .and_then(|r| r.tasks.get(&pid))
            .and_then(|t| t.end)
    }

    fn wait(&mut self, args: &[String]) -> Output {
        let pid = match args.first() {
            Some(a) => match a.parse::<u32>() {
                Ok(p) => p,
                Err(_) => {
                    return err(
                        format!("bash: wait: `{a}': not a pid or valid job spec\n"),
                        1,
                    )
                }
            },
            None => match self.tasks.keys().next_back() {
                Some(&p) => p,
                None => return Output::default(),
            },
        };
        let Some(t) = self.tasks.get_mut(&pid) else {
            return err(
                format!("bash: wait: pid {pid} is not a child of this shell\n"),
                127,
            );
        };
        let said = |killed: bool| {
            out(format!(
                "{pid} {}\n",
                if killed { "killed" } else { "exited" }
            ))
        };
        if !t.held {
            if let Some(end) = self.ended(pid) {
                return said(end);
            }
            let t = self.tasks.get_mut(&pid).expect("checked");
            let mut b = [0u8];
            let got = t
                .pipe
                .as_mut()
                .is_some_and(|p| p.read_exact(&mut b).is_ok());
            if got && b[0] == b'H' {
                t.held = true;
            } else {
                t.pipe = None;
                return said(self.reap(pid));
            }
        }
        match self.ended(pid) {
            Some(end) => said(end),
            None => out(format!("{pid} holding\n")),
        }
    }

    fn sleep(&mut self, args: &[String]) -> Output {
        let Some(d) = args.first() else {
            return usage_error("sleep", "missing operand");
        };
        match parse_duration(d) {
            Some(ns) => {
                std::thread::sleep(Duration::from_nanos(ns));
                self.poll_ends();
                Output::default()
            }
            None => err(format!("sleep: invalid time interval {}\n", quote(d)), 1),
        }
    }

    /// Reap tasks that ended (exited or OOM-killed) without blocking.
    fn poll_ends(&mut self) {
        let mut slot = run_lock();
        if let Some(run) = slot.as_mut() {
            for t in run.tasks.values_mut() {
                if t.end.is_none() {
                    if let Ok(Some(st)) = t.child.try_wait() {
                        t.end = Some(std::os::unix::process::ExitStatusExt::signal(&st).is_some());
                    }
                }
            }
        }
    }

    fn kill(&mut self, args: &[String]) -> Output {
        let mut o = Output::default();
        if args.is_empty() {
            return err(String::from("kill: usage: kill PID...\n"), 2);
        }
        self.poll_ends();
        for a in args {
            let a = a.strip_prefix("-9").map(|_| "").unwrap_or(a);
            if a.is_empty() {
                continue;
            }
            match a.parse::<u32>() {
                Ok(pid) if self.tasks.contains_key(&pid) && self.ended(pid).is_none() => {
                    let mut slot = run_lock();
                    if let Some(t) = slot.as_mut().and_then(|r| r.tasks.get_mut(&pid)) {
                        let _ = t.child.kill();
                        let _ = t.child.wait();
                        t.end = Some(true);
                    }
                }
                Ok(pid) => {
                    let _ = writeln!(o.stderr, "bash: kill: ({pid}) - No such process");
                    o.status = 1;
                }
                Err(_) => {
                    let _ = writeln!(
                        o.stderr,
                        "bash: kill: {a}: arguments must be process or job IDs"
                    );
                    o.status = 1;
                }
            }
        }
        o
    }

    /// `ps`: the run's live tasks, by the simulator's pids; the real pid
    /// follows the command.
    fn ps(&mut self) -> Output {
        self.poll_ends();
        let mut s = String::from("    PID STATE           RSS CGROUP               COMMAND\n");
        for (&pid, t) in &self.tasks {
            if self.ended(pid).is_some() {
                continue;
            }
            let stat = fs::read_to_string(format!("/proc/{}/stat", t.real)).unwrap_or_default();
            let state = match stat
                .rsplit(')')
                .next()
                .and_then(|r| r.split_whitespace().next())
            {
                _ if t.held => "holding",
                Some("R") => "running",
                Some("D") => "blocked",
                _ => "sleeping",
            };
            let status = fs::read_to_string(format!("/proc/{}/status", t.real)).unwrap_or_default();
            let rss = status
                .lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .unwrap_or("0")
                .to_string();
            let cg = fs::read_to_string(format!("/proc/{}/cgroup", t.real)).unwrap_or_default();
            let top = format!(
                "/{}",
                self.parent
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or("")
            );
            let path = cg
                .lines()
                .find_map(|l| {
                    let (_, rest) = l.split_once(':')?;
                    let (ctl, p) = rest.split_once(':')?;
                    ctl.split(',').any(|c| c == "memory").then(|| p.to_string())
                })
                .and_then(|p| {
                    p.strip_prefix(&top)
                        .map(|r| format!("/{}", r.trim_start_matches('/')))
                })
                .unwrap_or_else(|| String::from("?"));
            let _ = writeln!(
                s,
                "{:>7} {:<9} {:>9} {:<20} {} (pid {})",
                pid,
                state,
                format!("{rss}K"),
                path,
                t.kind,
                t.real
            );
        }
        out(s)
    }
}

impl Drop for RealShell {
    fn drop(&mut self) {
        let _ = teardown(&mut run_lock());
    }
}

/// `mkdir(2)` unless the run is ending (a signal's teardown holds the lock
/// while it removes the tree, so no directory can appear behind it).
fn mkdir_guarded(p: &Path) -> Result<(), Fail> {
    let slot = run_lock();
    if slot.as_ref().is_none_or(|r| r.closing) {
        return Err(Fail::Os(libc::EINTR));
    }
    fs::create_dir(p).map_err(|e| Fail::of(&e))
}

fn fs_type(p: &Path) -> io::Result<i64> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(p.as_os_str().as_bytes())
        .map_err(|_| io::Error::from_raw_os_error(libc::EINVAL))?;
    // SAFETY: a NUL-terminated path and a zeroed out-struct we own.
    unsafe {
        let mut st: libc::statfs = std::mem::zeroed();
        if libc::statfs(c.as_ptr(), &mut st) != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(st.f_type as i64)
    }
}

/// A directory's names in `ls`'s C-locale order.
fn list(dir: &Path) -> io::Result<Vec<String>> {
    let mut names: Vec<String> = fs::read_dir(dir)?
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    Ok(names)
}

fn tree_walk(
    dir: &Path,
    prefix: &str,
    dirs_only: bool,
    o: &mut String,
    nd: &mut usize,
    nf: &mut usize,
) {
    let entries: Vec<(String, bool)> = list(dir)
        .unwrap_or_default()
        .into_iter()
        .map(|n| {
            let d = dir.join(&n).is_dir();
            (n, d)
        })
        .filter(|(_, d)| !dirs_only || *d)
        .collect();
    let last = entries.len().saturating_sub(1);
    for (i, (name, is_dir)) in entries.into_iter().enumerate() {
        let (branch, cont) = if i == last {
            ("`-- ", "    ")
        } else {
            ("|-- ", "|   ")
        };
        let _ = writeln!(o, "{prefix}{branch}{name}");
        if is_dir {
            *nd += 1;
            tree_walk(
                &dir.join(&name),
                &format!("{prefix}{cont}"),
                dirs_only,
                o,
                nd,
                nf,
            );
        } else {
            *nf += 1;
        }
    }
}

// ---------------------------------------------------------------------------
// The task

/// `memcg __real-task PROCS KIND PAGES RATE WS HOLD TMP ADJ PPID`: one
/// task of a real run. It dies with the run (`PR_SET_PDEATHSIG`), joins
/// its cgroup by writing its pid to `PROCS` before its first fault, says
/// `J` on stdout, faults `PAGES` pages of `KIND` at `RATE` pages/s (0: as
/// fast as it can), says `H` and, with `HOLD`, keeps touching its first
/// `WS` pages every 100 ms until killed; else exits.
pub fn task_main(args: &[String]) -> ExitCode {
    match task(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("memcg task: {e}");
            ExitCode::from(1)
        }
    }
}

fn task(args: &[String]) -> Result<(), String> {
    let [procs, kind, pages, rate, ws, hold, tmp, adj, ppid] = args else {
        return Err(String::from("bad arguments"));
    };
    // SAFETY: prctl with integer arguments; getppid has no preconditions.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong);
        if libc::getppid().to_string() != *ppid {
            return Err(String::from("the run is gone"));
        }
    }
    let num = |s: &str| s.parse::<u64>().map_err(|_| format!("bad number '{s}'"));
    let (pages, rate, ws) = (num(pages)?, num(rate)?, num(ws)?);
    let page = PAGE_SIZE as usize;
    if adj != "-" {
        fs::write("/proc/self/oom_score_adj", adj).map_err(|e| format!("oom_score_adj: {e}"))?;
    }
    let me = std::process::id();
    let path = Path::new(tmp).join(format!("task-{me}"));
    // The file is made (sparse, no page cache) before joining, so only
    // the faults are charged to the cgroup.
    let file = match kind.as_str() {
        "anon" => None,
        "file" | "dirty" => {
            let f = fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .open(&path)
                .map_err(|e| format!("{}: {e}", path.display()))?;
            if kind == "file" {
                f.set_len(pages * PAGE_SIZE).map_err(|e| e.to_string())?;
            }
            Some(f)
        }
        k => return Err(format!("unknown kind '{k}'")),
    };
    let len = pages as usize * page;
    let anon = if file.is_none() {
        map_anon(len)?
    } else {
        std::ptr::null_mut()
    };
    fs::write(procs, format!("{me}\n")).map_err(|e| format!("{procs}: {e}"))?;
    let mut stdout = io::stdout();
    let _ = stdout.write_all(b"J").and_then(|()| stdout.flush());
    let mut buf = vec![1u8; page];
    let touch = |i: u64, buf: &mut [u8]| -> Result<(), String> {
        match &file {
            // SAFETY: i < pages, inside the mapping.
            None => unsafe { anon.add(i as usize * page).write_volatile(1) },
            Some(f) if kind == "file" => {
                f.read_at(buf, i * PAGE_SIZE).map_err(|e| e.to_string())?;
            }
            Some(f) => {
                f.write_all_at(buf, i * PAGE_SIZE)
                    .map_err(|e| e.to_string())?;
            }
        }
        Ok(())
    };
    let start = Instant::now();
    for i in 0..pages {
        touch(i, &mut buf)?;
        if let Some(ns) = (i + 1).saturating_mul(1_000_000_000).checked_div(rate) {
            let due = start + Duration::from_nanos(ns);
            let now = Instant::now();
            if due > now + Duration::from_millis(1) {
                std::thread::sleep(due - now);
            }
        }
    }
    if hold != "1" {
        return Ok(());
    }
    let _ = stdout.write_all(b"H").and_then(|()| stdout.flush());
    loop {
        for i in 0..ws.min(pages) {
            touch(i, &mut buf)?;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A fresh private anonymous mapping of `len` bytes, read-write (what the
/// real task faults anon pages into; `memcg calibrate` too).
pub(crate) fn map_anon(len: usize) -> Result<*mut u8, String> {
    // SAFETY: a fresh private anonymous mapping, checked below.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        return Err(format!("mmap: {}", io::Error::last_os_error()));
    }
    Ok(p as *mut u8)
}
