//! `memcg`: the simulator on the command line.
//!
//! ```text
//! memcg sh [--v2] [--kernel NAME] [--seed N] [--cpus N] [--engine per-page|bulk] [--trace FILE]
//!          [--costs FILE] [--load FILE_OR_LINK] [--save FILE] [FILE]
//! memcg sweep [--v2] [--seed N] [--cpus N] [--engine E] [--costs FILE] [--kernel A,B,...]
//!          --param NAME=V1,V2,... [--param ...] [--csv|--json] [--jobs N]
//!          [--recommend 'METRIC<=X'] SCRIPT
//! ```
//! The script is read and run one line at a time: a line's output (and
//! its trace) is written before the next line is read, so a pipe gets its
//! answers as it goes and an endless script runs in bounded memory.
//! Command output goes to stdout, errors to stderr; the exit status is 0
//! when every line succeeded, 1 otherwise, and 2 when memcg itself could
//! not do what it was asked (bad usage, a scenario that does not load, a
//! file it cannot write).
//!
//! `--load` replays a scenario through the core's [`memcg::replay`], with
//! the same bounds as the playground; `--save` writes what the playground's
//! "Export JSON" writes.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::process::ExitCode;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use memcg::engine::EngineMode;
use memcg::replay::Replay;
use memcg::scenario::{self, Scenario};
use memcg::sim::{SimBuilder, SimConfig};
use memcg::trace::TraceSink;
use memcg::{share, shell};
use memcg::{KernelFlavour, Simulator, Version};

const USAGE: &str = "usage: memcg sh [--v2] [--kernel NAME] [--seed N] [--cpus N] [--engine per-page|bulk] [--trace FILE]
                [--costs FILE] [--load FILE_OR_LINK] [--save FILE] [FILE]
       memcg sh --real [--real-mem-cap SIZE] [--real-timeout DURATION] [--real-tmp DIR] [FILE]
       memcg conform [--kernel NAME] [--real-mem-cap SIZE] [--real-timeout DURATION] [--real-tmp DIR] SCRIPT...
       memcg calibrate [--reps N] [--size SIZE] [--json] [--save FILE] [--real-mem-cap SIZE]
                [--real-timeout DURATION] [--real-tmp DIR]
  sh              run a shell script line by line (FILE, or standard input)
  --v2            mount the unified hierarchy at /sys/fs/cgroup (default: v1 at /sys/fs/cgroup/memory)
  --kernel NAME   the kernel: alinux-4.19 (default), linux-4.19, linux-6.6, openeuler or
                  tencentos (--kernel help describes them)
  --seed N        seed of the simulation's PRNG (default 0)
  --cpus N        CPUs, each with a charge stock (1..=256, default 4)
  --engine E      per-page (every fault an event) or bulk (default; same trace, faster)
  --trace FILE    write the event trace there, one line per event
  --costs FILE    the cost model: a JSON object of per-page costs in ns, as a scenario's
                  \"costs\" (fields left out keep their defaults; docs/model.md §18.2), e.g.
                  what memcg calibrate prints
  --load FILE_OR_LINK
                  start from a scenario: a JSON file, a file holding a link, a #s=1.… fragment
                  or a whole playground URL, replayed before the script runs (the machine's
                  version, kernel, seed, CPUs and engine are then the scenario's)
  --save FILE     when the script ends, write the scenario of what it did (with what --load
                  replayed) there as JSON, as the playground exports it
  --real          Linux, root: run the script on this machine's cgroup v1 memory controller,
                  in a cgroup of its own (memcg-PID) that the simulator's mount point maps onto;
                  spawn starts real tasks; everything is removed when the run ends, fails, is
                  signalled or times out
  --real-mem-cap SIZE
                  the run's memory.limit_in_bytes (default 256M, at most half the machine)
  --real-timeout DURATION
                  wall-clock limit of the run, e.g. 30s (default 60s; then status 124)
  --real-tmp DIR  where file and dirty tasks put their files (default /var/tmp; not tmpfs)
  conform         run each SCRIPT simulated (v1, the kernel flavour closest to `uname -r`, or
                  --kernel NAME) and with --real, and print a table of every cat and every
                  error on both (exact for files and errno; stated tolerance for usage,
                  failcnt and memory.stat fields); status 1 when a row disagrees
  calibrate       Linux, root: measure the cost model's per-page costs on this machine's kernel,
                  in a capped cgroup of its own (as --real; default --real-timeout 300s), and
                  print a table (measured vs default, with the method) and the cost model as
                  JSON for --costs
  --reps N        repetitions, medians taken (1..=101, default 5)
  --size SIZE     the work of each probe (default 64M; 4M to half of --real-mem-cap)
  --json          print only the cost model
  --save FILE     also write the cost model there
usage: memcg sweep [--v2] [--seed N] [--cpus N] [--engine E] [--costs FILE] [--kernel A,B,...]
                   --param NAME=V1,V2,... [--param ...] [--csv|--json] [--jobs N]
                   [--recommend 'METRIC<=X'] SCRIPT
  sweep           run SCRIPT once per combination of kernels and parameter values, each on a
                  fresh machine with the same seed, NAME set as a shell variable ($NAME) before
                  the first line; print one row of run metrics per run (docs/model.md §18.13)
  --kernel A,B    kernels to run (default alinux-4.19; see --kernel above)
  --param NAME=V1,V2,...
                  a shell variable and its values (repeatable; the last varies fastest)
  --csv, --json   CSV with a header line, or JSON with the per-cgroup metrics (default: a table)
  --jobs N        threads (default: the CPUs available); the rows do not depend on it
  --recommend 'METRIC<=X'
                  among the runs meeting the constraint (<=, <, >=, >, == on a column; several
                  clauses separated by ',' must all hold, e.g. 'p99_stall_us<=100,refaults<=0'),
                  name the one with the least reclaim CPU (tasks + worker + agents)
";

/// Why memcg stopped with status 2.
enum Failure {
    /// Bad arguments: the usage follows the message.
    Usage(String),
    /// Arguments fine, but a scenario or a file could not be handled.
    Input(String),
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = exit_code(run(&args));
    // Hidden, for the tests: the peak resident set, as the kernel counts it.
    if std::env::var_os("MEMCG_REPORT_VMHWM").is_some() {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        if let Some(l) = status.lines().find(|l| l.starts_with("VmHWM:")) {
            eprintln!("memcg: {l}");
        }
    }
    code
}

fn exit_code(r: Result<ExitCode, Failure>) -> ExitCode {
    match r {
        Ok(code) => code,
        Err(Failure::Usage(msg)) => {
            eprint!("memcg: {msg}\n{USAGE}");
            ExitCode::from(2)
        }
        Err(Failure::Input(msg)) => {
            eprintln!("memcg: {msg}");
            ExitCode::from(2)
        }
    }
}

/// The scenario `arg` names: a file (JSON or a link), else a link.
fn load(arg: &str) -> Result<Scenario, String> {
    let path = std::path::Path::new(arg);
    if path.is_file() {
        let len = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
        if len > share::MAX_JSON as u64 {
            return Err(format!(
                "the file is {len} bytes; at most {} are accepted",
                share::MAX_JSON
            ));
        }
        let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
        return share::from_text(&text);
    }
    if arg.contains(share::FRAGMENT_PREFIX) {
        return share::from_link(arg);
    }
    Err(format!(
        "no such file, and not a link (#{}…)",
        share::FRAGMENT_PREFIX
    ))
}

/// `arg` for a message: a whole link is cut short.
fn shown(arg: &str) -> String {
    match arg.char_indices().nth(60) {
        Some((i, _)) => format!("{}…", &arg[..i]),
        None => arg.to_string(),
    }
}

fn run(args: &[String]) -> Result<ExitCode, Failure> {
    let Some((cmd, rest)) = args.split_first() else {
        return Err(Failure::Usage(String::from("missing command")));
    };
    if cmd == "-h" || cmd == "--help" {
        print!("{USAGE}");
        return Ok(ExitCode::SUCCESS);
    }
    if cmd == "sweep" {
        return sweep(rest);
    }
    #[cfg(target_os = "linux")]
    if cmd == memcg_tests::real::TASK_MODE {
        return Ok(memcg_tests::real::task_main(rest));
    }
    #[cfg(target_os = "linux")]
    if cmd == memcg_tests::calibrate::PROBE_MODE {
        return Ok(memcg_tests::calibrate::probe_main(rest));
    }
    if cmd == "calibrate" {
        return calibrate(rest);
    }
    if cmd == "conform" {
        return conform(rest);
    }
    if cmd != "sh" {
        return Err(Failure::Usage(format!("unknown command '{cmd}'")));
    }
    if rest
        .windows(2)
        .any(|w| w[0] == "--kernel" && w[1] == "help")
    {
        print!("{}", kernel_help());
        return Ok(ExitCode::SUCCESS);
    }
    match options(rest).map_err(Failure::Usage)? {
        Some(opts) if opts.real.is_some() => real_sh(&opts).map_err(Failure::Input),
        Some(opts) => sh(&opts).map_err(Failure::Input),
        None => {
            print!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// What `memcg sh` was asked to do.
struct Options {
    config: SimConfig,
    /// A machine option (--v2, --seed, ...) was given.
    machine_set: bool,
    file: Option<String>,
    trace: Option<String>,
    load: Option<String>,
    save: Option<String>,
    /// `--real`: run on the machine's cgroupfs, with its bounds.
    real: Option<RealOpts>,
    /// `--costs FILE` set the cost model.
    costs: bool,
}

/// `--real` and its bounds, as typed (checked when the run starts).
#[derive(Default)]
struct RealOpts {
    mem_cap: Option<String>,
    timeout: Option<String>,
    tmp: Option<String>,
}

/// The options, or `None` for `--help`.
fn options(rest: &[String]) -> Result<Option<Options>, String> {
    let mut o = Options {
        config: SimConfig::new(Version::V1),
        machine_set: false,
        file: None,
        trace: None,
        load: None,
        save: None,
        real: None,
        costs: false,
    };
    let mut real = RealOpts::default();
    let mut real_opt = false;
    let config = &mut o.config;
    let mut it = rest.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        if matches!(
            a.as_str(),
            "--v1" | "--v2" | "--kernel" | "--seed" | "--cpus" | "--engine"
        ) {
            o.machine_set = true;
        }
        match a.as_str() {
            "--v2" => config.kernel.version = Version::V2,
            "--v1" => config.kernel.version = Version::V1,
            "--kernel" => {
                let v = value("--kernel")?;
                config.kernel.flavour = KernelFlavour::parse(&v).ok_or_else(|| {
                    format!("unknown kernel '{v}' (one of: {})", KernelFlavour::names())
                })?;
            }
            "--seed" => {
                let v = value("--seed")?;
                config.seed = v.parse().map_err(|_| format!("invalid seed '{v}'"))?;
            }
            "--cpus" => {
                let v = value("--cpus")?;
                config.kernel.cpus = match v.parse::<usize>() {
                    Ok(n) if (1..=256).contains(&n) => n,
                    _ => return Err(format!("invalid CPU count '{v}' (1..=256)")),
                };
            }
            "--engine" => {
                config.mode = match value("--engine")?.as_str() {
                    "per-page" => EngineMode::PerPage,
                    "bulk" => EngineMode::Bulk,
                    other => return Err(format!("unknown engine '{other}' (per-page or bulk)")),
                };
            }
            "--costs" => {
                let path = value("--costs")?;
                config.costs = memcg_tests::costs::load(&path)?;
                o.costs = true;
            }
            "--trace" => o.trace = Some(value("--trace")?),
            "--load" => o.load = Some(value("--load")?),
            "--save" => o.save = Some(value("--save")?),
            "--real" => o.real = Some(RealOpts::default()),
            "--real-mem-cap" => {
                real.mem_cap = Some(value("--real-mem-cap")?);
                real_opt = true;
            }
            "--real-timeout" => {
                real.timeout = Some(value("--real-timeout")?);
                real_opt = true;
            }
            "--real-tmp" => {
                real.tmp = Some(value("--real-tmp")?);
                real_opt = true;
            }
            "-h" | "--help" => return Ok(None),
            s if s.starts_with('-') && s != "-" => return Err(format!("unknown option '{s}'")),
            s if o.file.is_none() => o.file = Some(s.to_string()),
            s => return Err(format!("unexpected argument '{s}'")),
        }
    }
    if let Some(r) = o.real.as_mut() {
        *r = real;
        if o.load.is_some() || o.save.is_some() || o.trace.is_some() || o.costs {
            return Err(String::from(
                "--real runs on the machine: leave out --load, --save, --trace and --costs",
            ));
        }
    } else if real_opt {
        return Err(String::from(
            "--real-mem-cap, --real-timeout and --real-tmp go with --real",
        ));
    }
    if o.load.is_some() && (o.machine_set || o.costs) {
        return Err(String::from(
            "--load takes the machine from the scenario: leave out --v1, --v2, --kernel, --seed, --cpus, --engine and --costs",
        ));
    }
    Ok(Some(o))
}

/// What `--kernel help` prints: each name with one line about it.
fn kernel_help() -> String {
    let mut s = String::from("kernels (memcg sh --kernel NAME):\n");
    for f in memcg::flavour::FLAVOURS {
        s.push_str(&format!("  {:<13}{}\n", f.name(), f.description()));
    }
    s
}

/// The `--trace` file: the machine's [`TraceSink`] writes each line into
/// it as the engine records it, and the CLI flushes it after every script
/// line and reports the first write error.
struct TraceFile {
    path: String,
    w: BufWriter<File>,
    error: Option<std::io::Error>,
}

type SharedTrace = Arc<Mutex<TraceFile>>;

fn lock(t: &SharedTrace) -> MutexGuard<'_, TraceFile> {
    t.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The sink handed to the machine: the trace goes to the file line by
/// line, never held in memory (a `sleep` on a busy machine records
/// millions of lines).
fn sink(trace: &SharedTrace) -> Box<dyn TraceSink> {
    let trace = Arc::clone(trace);
    Box::new(move |line: &str| {
        let mut guard = lock(&trace);
        let t = &mut *guard;
        if t.error.is_none() {
            if let Err(e) =
                t.w.write_all(line.as_bytes())
                    .and_then(|()| t.w.write_all(b"\n"))
            {
                t.error = Some(e);
            }
        }
    })
}

/// Flushes the trace file; its first write error, if any.
fn flush_trace(trace: Option<&SharedTrace>) -> Result<(), String> {
    let Some(trace) = trace else {
        return Ok(());
    };
    let mut guard = lock(trace);
    let t = &mut *guard;
    if t.error.is_none() {
        if let Err(e) = t.w.flush() {
            t.error = Some(e);
        }
    }
    match &t.error {
        Some(e) => Err(format!("writing the trace to {}: {e}", t.path)),
        None => Ok(()),
    }
}

/// One line of the script as [`str::lines`] of the whole text, made valid
/// UTF-8 as [`String::from_utf8_lossy`] does, would give it.
enum ScriptLine {
    Text(String),
    /// Longer than the shell takes ([`shell::MAX_LINE`]): `len` is its
    /// length as the shell would measure it, `head` its first bytes (still
    /// too long for the shell), the rest was read past without keeping it.
    TooLong {
        head: String,
        len: usize,
    },
}

/// The script, read one line at a time (from a file or standard input),
/// so that a line runs, and its output is written, before the next is
/// read, and an endless script runs in bounded memory: at most
/// [`shell::MAX_LINE`] + 1 bytes of a line are kept.
struct Script<R> {
    r: R,
    /// Where the script comes from, for a read error.
    name: String,
    buf: Vec<u8>,
}

/// The bytes of a line kept: one more than the shell takes, so that a
/// line of [`shell::MAX_LINE`] bytes ending in `\r\n` is still whole.
const KEEP: usize = shell::MAX_LINE + 1;

impl<R: BufRead> Script<R> {
    fn next_line(&mut self) -> Result<Option<ScriptLine>, String> {
        self.buf.clear();
        let mut long: Option<LossyLen> = None;
        let (mut any, mut newline, mut last) = (false, false, 0u8);
        while !newline {
            let chunk = self
                .r
                .fill_buf()
                .map_err(|e| format!("reading {}: {e}", self.name))?;
            if chunk.is_empty() {
                break;
            }
            any = true;
            let (part, used) = match chunk.iter().position(|&b| b == b'\n') {
                Some(i) => {
                    newline = true;
                    (&chunk[..i], i + 1)
                }
                None => (chunk, chunk.len()),
            };
            if let Some(&b) = part.last() {
                last = b;
            }
            match long.as_mut() {
                Some(n) => n.feed(part),
                None if self.buf.len() + part.len() <= KEEP => self.buf.extend_from_slice(part),
                None => {
                    let mut n = LossyLen::default();
                    n.feed(&self.buf);
                    n.feed(part);
                    long = Some(n);
                    let room = KEEP - self.buf.len();
                    self.buf.extend_from_slice(&part[..room]);
                }
            }
            self.r.consume(used);
        }
        if !any {
            return Ok(None);
        }
        // `str::lines` strips the `\r` of a `\r\n`, and only that one.
        let cr = newline && last == b'\r';
        Ok(Some(match long {
            Some(n) => ScriptLine::TooLong {
                head: String::from_utf8_lossy(&self.buf).into_owned(),
                len: n.finish() - usize::from(cr),
            },
            None => {
                if cr {
                    self.buf.pop();
                }
                ScriptLine::Text(String::from_utf8_lossy(&self.buf).into_owned())
            }
        }))
    }
}

/// The length of [`String::from_utf8_lossy`] of bytes fed in pieces:
/// each invalid sequence becomes U+FFFD (3 bytes), and a sequence cut
/// between two pieces is carried to the next.
#[derive(Default)]
struct LossyLen {
    len: usize,
    carry: Vec<u8>,
}

impl LossyLen {
    fn feed(&mut self, bytes: &[u8]) {
        let mut joined = std::mem::take(&mut self.carry);
        let mut rest: &[u8] = if joined.is_empty() {
            bytes
        } else {
            joined.extend_from_slice(bytes);
            &joined
        };
        loop {
            match std::str::from_utf8(rest) {
                Ok(s) => {
                    self.len += s.len();
                    return;
                }
                Err(e) => {
                    self.len += e.valid_up_to();
                    match e.error_len() {
                        Some(n) => {
                            self.len += '\u{fffd}'.len_utf8();
                            rest = &rest[e.valid_up_to() + n..];
                        }
                        None => {
                            self.carry = rest[e.valid_up_to()..].to_vec();
                            return;
                        }
                    }
                }
            }
        }
    }

    fn finish(self) -> usize {
        self.len + if self.carry.is_empty() { 0 } else { 3 }
    }
}

/// With `--save`, a line the journal cannot take stops the run before it
/// runs: the scenario would otherwise be refused (or, for the count, the
/// core would refuse to export it) only once the whole script had run.
fn check_journal(sim: &Simulator, save: &str, no: u64, line: &str) -> Result<(), String> {
    let full = sim.journal().len() >= scenario::MAX_JOURNAL;
    let long = line.len() > scenario::MAX_LINE;
    if !(full || long) || shell::is_read_only(line) {
        return Ok(());
    }
    Err(if full {
        format!(
            "--save {save}: line {no} would be journal entry {}; a scenario holds at most {} \
             (lines that only read, such as cat, are not counted); nothing was saved",
            scenario::MAX_JOURNAL + 1,
            scenario::MAX_JOURNAL
        )
    } else {
        format!(
            "--save {save}: line {no} is {} bytes; a scenario's journal takes lines of at \
             most {} bytes; nothing was saved",
            line.len(),
            scenario::MAX_LINE
        )
    })
}

/// `memcg sh --real`: the script, line by line, on the machine's cgroupfs
/// (tests/src/real.rs).
#[cfg(target_os = "linux")]
fn real_sh(o: &Options) -> Result<ExitCode, String> {
    use memcg_tests::real::{self, RealShell};
    let r = o.real.as_ref().expect("--real");
    if o.config.kernel.version == Version::V2 {
        if let Some(why) = real::unavailable(true) {
            return Err(why);
        }
    }
    let cfg = real_config(r)?;
    let mut script = open_script(o)?;
    let mut run = RealShell::start(&cfg)?;
    let res = run_lines(&mut script, |line| run.exec(line));
    let end = run.finish();
    let failed = res?;
    end?;
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// `memcg conform [--real-...] SCRIPT...`.
#[cfg(target_os = "linux")]
fn conform(rest: &[String]) -> Result<ExitCode, Failure> {
    let mut r = RealOpts::default();
    let mut scripts = Vec::new();
    let mut kernel = None;
    let mut it = rest.iter();
    while let Some(a) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| Failure::Usage(format!("{a} needs a value")))
        };
        match a.as_str() {
            "--kernel" => kernel = Some(value()?),
            "--real-mem-cap" => r.mem_cap = Some(value()?),
            "--real-timeout" => r.timeout = Some(value()?),
            "--real-tmp" => r.tmp = Some(value()?),
            s if s.starts_with('-') => return Err(Failure::Usage(format!("unknown option '{s}'"))),
            s => scripts.push(s.to_string()),
        }
    }
    if scripts.is_empty() {
        return Err(Failure::Usage(String::from(
            "conform needs at least one SCRIPT",
        )));
    }
    let flavour = memcg_tests::conform::pick_flavour(
        kernel.as_deref(),
        &memcg_tests::conform::machine_release(),
    )
    .map_err(Failure::Usage)?;
    let cfg = real_config(&r).map_err(Failure::Input)?;
    match memcg_tests::conform::conform(&scripts, &cfg, flavour) {
        Ok(true) => Ok(ExitCode::SUCCESS),
        Ok(false) => Ok(ExitCode::FAILURE),
        Err(e) => Err(Failure::Input(e)),
    }
}

/// `memcg calibrate [--reps N] [--size SIZE] [--json] [--save FILE] [--real-...]`.
#[cfg(target_os = "linux")]
fn calibrate(rest: &[String]) -> Result<ExitCode, Failure> {
    use memcg_tests::calibrate as cal;
    let mut r = RealOpts::default();
    let mut reps = cal::DEFAULT_REPS;
    let mut size = cal::DEFAULT_SIZE;
    let mut json = false;
    let mut save = None;
    let mut it = rest.iter();
    while let Some(a) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| Failure::Usage(format!("{a} needs a value")))
        };
        match a.as_str() {
            "--reps" => {
                let v = value()?;
                reps = match v.parse::<usize>() {
                    Ok(n) if (1..=101).contains(&n) => n,
                    _ => return Err(Failure::Usage(format!("invalid --reps '{v}' (1..=101)"))),
                };
            }
            "--size" => {
                let v = value()?;
                size = memcg::units::parse_size(&v).ok_or_else(|| {
                    Failure::Usage(format!("--size: invalid size '{v}' (e.g. 64M)"))
                })?;
            }
            "--json" => json = true,
            "--save" => save = Some(value()?),
            "--real-mem-cap" => r.mem_cap = Some(value()?),
            "--real-timeout" => r.timeout = Some(value()?),
            "--real-tmp" => r.tmp = Some(value()?),
            "-h" | "--help" => {
                print!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            s => {
                return Err(Failure::Usage(format!(
                    "calibrate: unexpected argument '{s}'"
                )))
            }
        }
    }
    let mut cfg = real_config(&r).map_err(Failure::Input)?;
    if r.timeout.is_none() {
        cfg.timeout = std::time::Duration::from_secs(300);
    }
    let c = cal::calibrate(&cfg, reps, size).map_err(Failure::Input)?;
    let model = c.json();
    if let Some(path) = &save {
        std::fs::write(path, format!("{model}\n"))
            .map_err(|e| Failure::Input(format!("--save {path}: {e}")))?;
    }
    let out = if json {
        format!("{model}\n")
    } else {
        format!(
            "{}\ncost model (memcg sh --costs FILE, or a scenario's \"costs\"):\n{model}\n",
            c.table()
        )
    };
    let mut w = std::io::stdout().lock();
    let _ = w.write_all(out.as_bytes());
    let _ = w.flush();
    Ok(ExitCode::SUCCESS)
}

#[cfg(not(target_os = "linux"))]
fn calibrate(_: &[String]) -> Result<ExitCode, Failure> {
    Err(Failure::Input(String::from("calibrate runs only on Linux")))
}

#[cfg(not(target_os = "linux"))]
fn conform(_: &[String]) -> Result<ExitCode, Failure> {
    Err(Failure::Input(String::from("conform runs only on Linux")))
}

#[cfg(target_os = "linux")]
fn real_config(r: &RealOpts) -> Result<memcg_tests::real::Config, String> {
    let mut cfg = memcg_tests::real::Config::default();
    if let Some(v) = &r.mem_cap {
        cfg.mem_cap = memcg::units::parse_size(v)
            .ok_or_else(|| format!("--real-mem-cap: invalid size '{v}' (e.g. 256M)"))?;
    }
    if let Some(v) = &r.timeout {
        cfg.timeout = shell::parse_duration(v)
            .map(std::time::Duration::from_nanos)
            .ok_or_else(|| format!("--real-timeout: invalid duration '{v}' (e.g. 60s)"))?;
    }
    if let Some(v) = &r.tmp {
        cfg.tmp = v.into();
    }
    Ok(cfg)
}

#[cfg(not(target_os = "linux"))]
fn real_sh(_: &Options) -> Result<ExitCode, String> {
    Err(String::from("--real runs only on Linux"))
}

fn open_script(o: &Options) -> Result<Script<Box<dyn BufRead>>, String> {
    let input: Box<dyn BufRead> = match o.file.as_deref() {
        None | Some("-") => Box::new(std::io::stdin().lock()),
        Some(path) => Box::new(BufReader::new(
            File::open(path).map_err(|e| format!("{path}: {e}"))?,
        )),
    };
    Ok(Script {
        r: input,
        name: match o.file.as_deref() {
            None | Some("-") => String::from("standard input"),
            Some(path) => path.to_string(),
        },
        buf: Vec::new(),
    })
}

/// Run each line of `script` through `exec`, writing its output as it
/// goes; whether any line failed.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn run_lines<R: BufRead>(
    script: &mut Script<R>,
    mut exec: impl FnMut(&str) -> shell::Output,
) -> Result<bool, String> {
    let mut failed = false;
    while let Some(line) = script.next_line()? {
        let out = match line {
            ScriptLine::Text(line) => exec(&line),
            ScriptLine::TooLong { head, len } => {
                let mut out = exec(&head);
                out.stderr = format!(
                    "memcg: line too long ({len} bytes; the limit is {})\n",
                    shell::MAX_LINE
                );
                out
            }
        };
        if !out.stdout.is_empty() {
            let mut w = std::io::stdout().lock();
            let _ = w.write_all(out.stdout.as_bytes());
            let _ = w.flush();
        }
        if !out.stderr.is_empty() {
            let _ = std::io::stderr().lock().write_all(out.stderr.as_bytes());
        }
        failed |= !out.ok();
    }
    Ok(failed)
}

fn sh(o: &Options) -> Result<ExitCode, String> {
    let trace = match &o.trace {
        Some(path) => Some(Arc::new(Mutex::new(TraceFile {
            path: path.clone(),
            w: BufWriter::new(File::create(path).map_err(|e| format!("{path}: {e}"))?),
            error: None,
        }))),
        None => None,
    };
    let mut script = open_script(o)?;
    let with_sink = |b: SimBuilder| match &trace {
        Some(t) => b.trace_to(sink(t)),
        None => b,
    };
    let mut sim = match &o.load {
        Some(arg) => {
            let why = |e: String| format!("--load {}: {e}", shown(arg));
            let sc = load(arg).map_err(why)?;
            let mut replay = Replay::with_builder(sc, with_sink)
                .map_err(why)?
                .checkpoints(false);
            replay.run(&mut |_| true, &mut |_| {}).map_err(why)?;
            replay.into_timeline().into_sim()
        }
        None => with_sink(SimBuilder::from(o.config.clone())).build(),
    };
    flush_trace(trace.as_ref())?;
    let mut failed = false;
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let mut no = 0u64;
    while let Some(line) = script.next_line()? {
        no += 1;
        let out = match line {
            ScriptLine::Text(line) => {
                if let Some(save) = &o.save {
                    check_journal(&sim, save, no, &line)?;
                }
                sim.exec(&line)
            }
            ScriptLine::TooLong { head, len } => {
                // The shell refuses it unparsed (and leaves it out of the
                // journal); its head, itself too long, sets `$?` as the
                // whole line would, and the message gives the whole length.
                let mut out = sim.exec(&head);
                out.stderr = format!(
                    "memcg: line too long ({len} bytes; the limit is {})\n",
                    shell::MAX_LINE
                );
                out
            }
        };
        if !out.stdout.is_empty() {
            let mut w = stdout.lock();
            let _ = w.write_all(out.stdout.as_bytes());
            let _ = w.flush();
        }
        if !out.stderr.is_empty() {
            let _ = stderr.lock().write_all(out.stderr.as_bytes());
        }
        failed |= !out.ok();
        flush_trace(trace.as_ref())?;
    }
    if let Some(path) = &o.save {
        let sc = sim.scenario().map_err(|e| format!("--save {path}: {e}"))?;
        std::fs::write(path, share::to_json(&sc) + "\n")
            .map_err(|e| format!("--save {path}: {e}"))?;
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// `memcg sweep`: the sweep's own options, then `memcg sh`'s machine
/// options and the script.
fn sweep(rest: &[String]) -> Result<ExitCode, Failure> {
    use memcg_tests::sweep::{self as sw, Constraint, Param, Sweep, Threads};
    enum Format {
        Table,
        Csv,
        Json,
    }
    let mut kernels: Option<Vec<String>> = None;
    let mut params: Vec<Param> = Vec::new();
    let mut format = Format::Table;
    let mut recommend: Option<Constraint> = None;
    let mut jobs: Option<usize> = None;
    let mut sh_args: Vec<String> = Vec::new();
    let mut it = rest.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| Failure::Usage(format!("{name} needs a value")))
        };
        match a.as_str() {
            "--kernel" => {
                let v = value("--kernel")?;
                let list: Vec<String> = v.split(',').map(str::to_string).collect();
                for k in &list {
                    let mut c = SimConfig::new(Version::V1);
                    sw::apply_kernel(&mut c, k).map_err(Failure::Usage)?;
                }
                kernels = Some(list);
            }
            "--param" => {
                let p = Param::parse(&value("--param")?).map_err(Failure::Usage)?;
                if params.iter().any(|q| q.name == p.name) {
                    return Err(Failure::Usage(format!("--param {} given twice", p.name)));
                }
                params.push(p);
            }
            "--csv" => format = Format::Csv,
            "--json" => format = Format::Json,
            "--recommend" => {
                recommend = Some(Constraint::parse(&value("--recommend")?).map_err(Failure::Usage)?)
            }
            "--jobs" => {
                let v = value("--jobs")?;
                jobs = Some(match v.parse::<usize>() {
                    Ok(n) if (1..=1024).contains(&n) => n,
                    _ => {
                        return Err(Failure::Usage(format!(
                            "invalid job count '{v}' (1..=1024)"
                        )))
                    }
                });
            }
            "--trace" | "--load" | "--save" => {
                return Err(Failure::Usage(format!("{a} is not available in a sweep")))
            }
            "-h" | "--help" => {
                print!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            _ => sh_args.push(a.clone()),
        }
    }
    let Some(o) = options(&sh_args).map_err(Failure::Usage)? else {
        print!("{USAGE}");
        return Ok(ExitCode::SUCCESS);
    };
    let Some(file) = o.file.as_deref() else {
        return Err(Failure::Usage(String::from(
            "sweep needs a SCRIPT (a file, or - for standard input)",
        )));
    };
    let text = if file == "-" {
        let mut t = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut t)
            .map_err(|e| Failure::Input(format!("reading standard input: {e}")))?;
        t
    } else {
        std::fs::read(file)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .map_err(|e| Failure::Input(format!("{file}: {e}")))?
    };
    let sweep = Sweep {
        config: o.config.clone(),
        kernels: kernels.unwrap_or_else(|| vec![String::from(sw::DEFAULT_KERNEL)]),
        params,
        script: text.lines().map(str::to_string).collect(),
    };
    sw::run_count(&sweep.kernels, &sweep.params).map_err(Failure::Input)?;
    let jobs = jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    let total = sweep.combos().len();
    let tty = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let started = std::time::Instant::now();
    let progress = |done: usize, total: usize| {
        if tty {
            eprint!("\rmemcg sweep: {done}/{total} runs");
        }
    };
    let rows = sweep.run(jobs, &progress).map_err(Failure::Input)?;
    eprintln!(
        "{}memcg sweep: {total} runs in {:.2} s on {} threads",
        if tty { "\r" } else { "" },
        started.elapsed().as_secs_f64(),
        jobs.min(total.max(1))
    );
    for r in &rows {
        if let Some(e) = &r.first_error {
            eprintln!(
                "memcg sweep: kernel={} {}: {} failing line(s), the first: {e}",
                r.combo.kernel,
                sweep
                    .params
                    .iter()
                    .zip(&r.combo.values)
                    .map(|(p, v)| format!("{}={v}", p.name))
                    .collect::<Vec<_>>()
                    .join(" "),
                r.errors
            );
        }
    }
    let rec = recommend.map(|c| sw::recommend(&sweep.params, &rows, c));
    let out = match format {
        Format::Json => sw::json(&sweep.params, &rows, rec.as_ref()),
        Format::Csv => {
            // The CSV stays one table; the sentence goes to stderr.
            if let Some(rec) = &rec {
                eprintln!("{}", rec.text);
            }
            sw::csv(&sweep.params, &rows)
        }
        Format::Table => {
            let mut out = sw::table(&sweep.params, &rows);
            if let Some(rec) = &rec {
                out.push('\n');
                out.push_str(&rec.text);
                out.push('\n');
            }
            out
        }
    };
    let mut w = std::io::stdout().lock();
    let _ = w.write_all(out.as_bytes());
    let _ = w.flush();
    Ok(if rows.iter().any(|r| r.errors > 0) {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
