//! `memcg conform SCRIPT...`: each script in the simulator (v1, its
//! defaults) and for real ([`crate::real`]), line by line, and a table of
//! what each `cat` printed on both, and of every error either printed
//! (issue 15).
//!
//! Files and errno must match exactly. Figures that depend on timing and
//! on the kernel's accounting granularity have a stated tolerance
//! ([`tolerance`]): byte counters within max(4 MiB, 10 %), event counters
//! agree on zero versus non-zero; `memory.stat` is shown, not checked.

use std::fmt::Write as _;

use memcg::shell::Output;
use memcg::{Simulator, Version};

use crate::real::{Config, RealShell};

/// How one row is judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tolerance {
    Exact,
    /// Each number within max(4 MiB, 10 % of the larger).
    Bytes,
    /// Each number zero on both or non-zero on both.
    Events,
    /// Shown only.
    Shown,
}

/// The tolerance of a `cat` of `file` (its last path component).
pub fn tolerance(file: &str) -> Tolerance {
    let base = file.rsplit('/').next().unwrap_or(file);
    match base {
        "memory.usage_in_bytes"
        | "memory.max_usage_in_bytes"
        | "memory.memsw.usage_in_bytes"
        | "memory.memsw.max_usage_in_bytes"
        | "memory.kmem.usage_in_bytes"
        | "memory.kmem.max_usage_in_bytes" => Tolerance::Bytes,
        "memory.failcnt" | "memory.memsw.failcnt" | "memory.kmem.failcnt" => Tolerance::Events,
        "memory.stat" | "memory.numa_stat" => Tolerance::Shown,
        _ => Tolerance::Exact,
    }
}

fn numbers(s: &str) -> Option<Vec<u64>> {
    s.split_whitespace().map(|w| w.parse().ok()).collect()
}

/// Whether `sim` and `real` agree under `t`.
pub fn agrees(t: Tolerance, sim: &str, real: &str) -> bool {
    if sim == real || t == Tolerance::Shown {
        return true;
    }
    let (Some(a), Some(b)) = (numbers(sim), numbers(real)) else {
        return false;
    };
    a.len() == b.len()
        && a.iter().zip(&b).all(|(&x, &y)| match t {
            Tolerance::Bytes => x.abs_diff(y) <= (4 << 20).max(x.max(y) / 10),
            Tolerance::Events => (x == 0) == (y == 0),
            _ => false,
        })
}

fn shown(o: &Output) -> String {
    let s = format!("{}{}", o.stdout, o.stderr);
    let lines: Vec<&str> = s.lines().collect();
    match lines.len() {
        0 => String::from("(nothing)"),
        1..=4 => lines.join("; "),
        n => format!("{} …(+{} lines)", lines[0], n - 1),
    }
}

/// Run each script both ways; the table goes to stdout as it is made.
/// `Ok(true)` when every checked row agrees.
pub fn conform(scripts: &[String], cfg: &Config) -> Result<bool, String> {
    let mut all = true;
    println!(
        "kernel {}; simulator v1 (default machine); tolerance: exact for files and errno, \
         bytes ±max(4M,10%), events zero/non-zero, memory.stat shown only",
        std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .unwrap_or_default()
            .trim()
    );
    println!(
        "{:<28} {:<44} {:<7} {:<32} REAL",
        "WHERE", "LINE", "VERDICT", "SIMULATED"
    );
    for path in scripts {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
        let mut sim = Simulator::new(Version::V1);
        let mut real = RealShell::start(cfg)?;
        let name = std::path::Path::new(path)
            .file_name()
            .map_or(path.clone(), |n| n.to_string_lossy().into_owned());
        for (i, line) in text.lines().enumerate() {
            let s = sim.exec(line);
            let r = real.exec(line);
            let words: Vec<&str> = line.split_whitespace().collect();
            let is_cat = words.first() == Some(&"cat") && !line.contains(['&', ';', '|', '>']);
            if !is_cat && s.stderr.is_empty() && r.stderr.is_empty() {
                continue;
            }
            let t = if is_cat && words.len() == 2 {
                tolerance(words[1])
            } else {
                Tolerance::Exact
            };
            let ok = agrees(t, &s.stdout, &r.stdout) && s.stderr == r.stderr;
            let verdict = match (ok, t) {
                (false, _) => {
                    all = false;
                    "DIFF"
                }
                (true, Tolerance::Shown) => "shown",
                (true, _) if s.stdout == r.stdout && s.stderr == r.stderr => "same",
                (true, _) => "within",
            };
            let mut row = String::new();
            let _ = write!(
                row,
                "{:<24} {:<44} {:<7} {:<48} {}",
                format!("{name}:{}", i + 1),
                line,
                verdict,
                shown(&s),
                shown(&r)
            );
            println!("{row}");
        }
        real.finish()?;
    }
    Ok(all)
}
