//! `memcg`: the simulator on the command line.
//!
//! ```text
//! memcg sh [--v2] [--seed N] [--cpus N] [--engine per-page|bulk] [--trace FILE]
//!          [--load FILE_OR_LINK] [--save FILE] [FILE]
//! ```
//! Command output goes to stdout, errors to stderr; the exit status is 0
//! when every line succeeded, 1 otherwise, and 2 when memcg itself could
//! not do what it was asked (bad usage, a scenario that does not load, a
//! file it cannot write).
//!
//! `--load` replays a scenario through the core's [`memcg::replay`], with
//! the same bounds as the playground; `--save` writes what the playground's
//! "Export JSON" writes.

use std::io::{Read, Write};
use std::process::ExitCode;

use memcg::engine::EngineMode;
use memcg::replay::Replay;
use memcg::scenario::Scenario;
use memcg::share;
use memcg::sim::{SimBuilder, SimConfig};
use memcg::{Simulator, Version};

const USAGE: &str = "usage: memcg sh [--v2] [--seed N] [--cpus N] [--engine per-page|bulk] [--trace FILE]
                [--load FILE_OR_LINK] [--save FILE] [FILE]
  sh              run a shell script line by line (FILE, or standard input)
  --v2            mount the unified hierarchy at /sys/fs/cgroup (default: v1 at /sys/fs/cgroup/memory)
  --seed N        seed of the simulation's PRNG (default 0)
  --cpus N        CPUs, each with a charge stock (1..=256, default 4)
  --engine E      per-page (every fault an event) or bulk (default; same trace, faster)
  --trace FILE    write the event trace there, one line per event
  --load FILE_OR_LINK
                  start from a scenario: a JSON file, a file holding a link, a #s=1.… fragment
                  or a whole playground URL, replayed before the script runs (the machine's
                  version, seed, CPUs and engine are then the scenario's)
  --save FILE     when the script ends, write the scenario of what it did (with what --load
                  replayed) there as JSON, as the playground exports it
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
    match run(&args) {
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
    if cmd != "sh" {
        return Err(Failure::Usage(format!("unknown command '{cmd}'")));
    }
    match options(rest).map_err(Failure::Usage)? {
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
    };
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
            "--v1" | "--v2" | "--seed" | "--cpus" | "--engine"
        ) {
            o.machine_set = true;
        }
        match a.as_str() {
            "--v2" => config.kernel.version = Version::V2,
            "--v1" => config.kernel.version = Version::V1,
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
            "--trace" => o.trace = Some(value("--trace")?),
            "--load" => o.load = Some(value("--load")?),
            "--save" => o.save = Some(value("--save")?),
            "-h" | "--help" => return Ok(None),
            s if s.starts_with('-') && s != "-" => return Err(format!("unknown option '{s}'")),
            s if o.file.is_none() => o.file = Some(s.to_string()),
            s => return Err(format!("unexpected argument '{s}'")),
        }
    }
    if o.load.is_some() && o.machine_set {
        return Err(String::from(
            "--load takes the machine from the scenario: leave out --v1, --v2, --seed, --cpus and --engine",
        ));
    }
    Ok(Some(o))
}

fn sh(o: &Options) -> Result<ExitCode, String> {
    let mut trace_out = match &o.trace {
        Some(path) => Some(std::io::BufWriter::new(
            std::fs::File::create(path).map_err(|e| format!("{path}: {e}"))?,
        )),
        None => None,
    };
    let mut bytes = Vec::new();
    match o.file.as_deref() {
        None | Some("-") => std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| format!("reading standard input: {e}"))?,
        Some(path) => {
            bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
            bytes.len()
        }
    };
    let script = String::from_utf8_lossy(&bytes);
    let sink = trace_out.is_some();
    let mut sim = match &o.load {
        Some(arg) => {
            let why = |e: String| format!("--load {}: {e}", shown(arg));
            let sc = load(arg).map_err(why)?;
            let mut replay = Replay::with_builder(sc, |b| b.trace_sink(sink))
                .map_err(why)?
                .checkpoints(false);
            replay.run(&mut |_| true, &mut |_| {}).map_err(why)?;
            replay.into_timeline().into_sim()
        }
        None => SimBuilder::from(o.config.clone()).trace_sink(sink).build(),
    };
    let mut write_trace = |sim: &mut Simulator| -> Result<(), String> {
        if let Some(w) = trace_out.as_mut() {
            for l in sim.take_trace() {
                writeln!(w, "{l}").map_err(|e| format!("writing the trace: {e}"))?;
            }
        }
        Ok(())
    };
    write_trace(&mut sim)?;
    let mut failed = false;
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    for line in script.lines() {
        let out = sim.exec(line);
        let _ = stdout.lock().write_all(out.stdout.as_bytes());
        let _ = stderr.lock().write_all(out.stderr.as_bytes());
        failed |= !out.ok();
        write_trace(&mut sim)?;
    }
    if let Some(w) = trace_out.as_mut() {
        w.flush().map_err(|e| format!("writing the trace: {e}"))?;
    }
    let _ = stdout.lock().flush();
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
