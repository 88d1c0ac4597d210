//! `memcg`: the simulator on the command line.
//!
//! ```text
//! memcg sh [--v2] [FILE]   run a shell script (FILE or stdin) line by line
//! ```
//! Command output goes to stdout, errors to stderr; the exit status is 0
//! when every line succeeded and 1 otherwise.

use std::io::{Read, Write};
use std::process::ExitCode;

use memcg::{Simulator, Version};

const USAGE: &str = "usage: memcg sh [--v2] [FILE]
  sh      run a shell script line by line (FILE, or standard input)
  --v2    mount the unified hierarchy at /sys/fs/cgroup (default: v1 at /sys/fs/cgroup/memory)
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
    let mut version = Version::V1;
    let mut file = None;
    for a in rest {
        match a.as_str() {
            "--v2" => version = Version::V2,
            "--v1" => version = Version::V1,
            "-h" | "--help" => {
                print!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            s if s.starts_with('-') && s != "-" => return Err(format!("unknown option '{s}'")),
            s if file.is_none() => file = Some(s.to_string()),
            s => return Err(format!("unexpected argument '{s}'")),
        }
    }
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
    let mut sim = Simulator::new(version);
    let mut failed = false;
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    for line in script.lines() {
        let out = sim.exec(line);
        let _ = stdout.lock().write_all(out.stdout.as_bytes());
        let _ = stderr.lock().write_all(out.stderr.as_bytes());
        failed |= !out.ok();
    }
    let _ = stdout.lock().flush();
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}
