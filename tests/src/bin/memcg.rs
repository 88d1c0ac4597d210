//! `memcg`: the simulator on the command line.
//!
//! ```text
//! memcg sh [--v2] [--seed N] [--cpus N] [--engine per-page|bulk] [--trace FILE] [FILE]
//! ```
//! Command output goes to stdout, errors to stderr; the exit status is 0
//! when every line succeeded and 1 otherwise.

use std::io::{Read, Write};
use std::process::ExitCode;

use memcg::engine::EngineMode;
use memcg::sim::SimConfig;
use memcg::{Simulator, Version};

const USAGE: &str = "usage: memcg sh [--v2] [--seed N] [--cpus N] [--engine per-page|bulk] [--trace FILE] [FILE]
  sh              run a shell script line by line (FILE, or standard input)
  --v2            mount the unified hierarchy at /sys/fs/cgroup (default: v1 at /sys/fs/cgroup/memory)
  --seed N        seed of the simulation's PRNG (default 0)
  --cpus N        CPUs, each with a charge stock (1..=256, default 4)
  --engine E      per-page (every fault an event) or bulk (default; same trace, faster)
  --trace FILE    write the event trace there, one line per event
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(code) => code,
        Err(msg) => {
            eprint!("memcg: {msg}\n{USAGE}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<ExitCode, String> {
    let Some((cmd, rest)) = args.split_first() else {
        return Err(String::from("missing command"));
    };
    if cmd == "-h" || cmd == "--help" {
        print!("{USAGE}");
        return Ok(ExitCode::SUCCESS);
    }
    if cmd != "sh" {
        return Err(format!("unknown command '{cmd}'"));
    }
    let mut config = SimConfig::new(Version::V1);
    let mut file = None;
    let mut trace = None;
    let mut it = rest.iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{name} needs a value"))
        };
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
            "--trace" => trace = Some(value("--trace")?),
            "-h" | "--help" => {
                print!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            s if s.starts_with('-') && s != "-" => return Err(format!("unknown option '{s}'")),
            s if file.is_none() => file = Some(s.to_string()),
            s => return Err(format!("unexpected argument '{s}'")),
        }
    }
    let mut trace_out = match &trace {
        Some(path) => Some(std::io::BufWriter::new(
            std::fs::File::create(path).map_err(|e| format!("{path}: {e}"))?,
        )),
        None => None,
    };
    let mut bytes = Vec::new();
    match file.as_deref() {
        None | Some("-") => std::io::stdin()
            .read_to_end(&mut bytes)
            .map_err(|e| format!("reading standard input: {e}"))?,
        Some(path) => {
            bytes = std::fs::read(path).map_err(|e| format!("{path}: {e}"))?;
            bytes.len()
        }
    };
    let script = String::from_utf8_lossy(&bytes);
    let mut sim = Simulator::build(config);
    sim.machine_mut().engine.trace.keep_pending = trace_out.is_some();
    let mut failed = false;
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    for line in script.lines() {
        let out = sim.exec(line);
        let _ = stdout.lock().write_all(out.stdout.as_bytes());
        let _ = stderr.lock().write_all(out.stderr.as_bytes());
        failed |= !out.ok();
        if let Some(w) = trace_out.as_mut() {
            for l in sim.machine_mut().engine.trace.take_pending() {
                writeln!(w, "{l}").map_err(|e| format!("writing the trace: {e}"))?;
            }
        }
    }
    if let Some(mut w) = trace_out {
        w.flush().map_err(|e| format!("writing the trace: {e}"))?;
    }
    let _ = stdout.lock().flush();
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
