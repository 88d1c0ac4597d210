//! `memcg conform SCRIPT...`: each script in the simulator (v1, the kernel
//! flavour closest to the machine's, docs/model.md §19.6) and for real ([`crate::real`]), line by line, and a table of
//! what each `cat` printed on both, and of every error either printed
//! (issue 15).
//!
//! Files and errno must match exactly. Figures that depend on timing and
//! on the kernel's accounting granularity have a stated tolerance
//! ([`tolerance`]): byte counters within max(4 MiB, 10 %), event counters
//! agree on zero versus non-zero; `memory.stat` per field ([`stat_field`]);
//! `memory.numa_stat` is shown, not checked.

use std::fmt::Write as _;

use memcg::shell::Output;
use memcg::sim::SimConfig;
use memcg::{KernelFlavour, Simulator, Version};

use crate::real::{Config, RealShell};

/// How one row is judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tolerance {
    Exact,
    /// Each number within max(4 MiB, 10 % of the larger).
    Bytes,
    /// Each number zero on both or non-zero on both.
    Events,
    /// `memory.stat`: the same fields in the same order, each judged by
    /// [`stat_field`].
    Stat,
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
        "memory.stat" => Tolerance::Stat,
        "memory.numa_stat" => Tolerance::Shown,
        _ => Tolerance::Exact,
    }
}

/// How one `memory.stat` field is judged (its name without `total_`):
/// the limits exactly (the simulated one capped by the run's cap, which
/// sits above every real cgroup); page counts of charge and fault events
/// zero/non-zero (6.x counts `pgpgin` per folio, and a `read()` of a file
/// takes no page fault where the model counts one per page); `pgpgout`
/// and the `workingset_*` refault counts shown only (the kernel uncharges
/// the odd folio outside reclaim, and refaults readahead pages it evicted
/// before they were read; the model has no readahead); every other field
/// is bytes.
pub fn stat_field(key: &str) -> Tolerance {
    let key = key.strip_prefix("total_").unwrap_or(key);
    match key {
        "hierarchical_memory_limit" | "hierarchical_memsw_limit" => Tolerance::Exact,
        "pgpgin" | "pgfault" | "pgmajfault" => Tolerance::Events,
        "pgpgout" => Tolerance::Shown,
        k if k.starts_with("workingset_") => Tolerance::Shown,
        _ => Tolerance::Bytes,
    }
}

/// `memory.stat` as read on both sides: the same keys in order, each
/// value within [`stat_field`]'s tolerance; `cap` is the run's cap, the
/// most a real `hierarchical_*` limit can be.
fn stat_agrees(sim: &str, real: &str, cap: u64) -> bool {
    let parse = |s: &str| -> Option<Vec<(String, u64)>> {
        s.lines()
            .map(|l| {
                let (k, v) = l.split_once(' ')?;
                Some((k.to_string(), v.trim().parse().ok()?))
            })
            .collect()
    };
    let (Some(a), Some(b)) = (parse(sim), parse(real)) else {
        return false;
    };
    a.len() == b.len()
        && a.iter().zip(&b).all(|((ka, va), (kb, vb))| {
            let t = stat_field(ka);
            let va = if t == Tolerance::Exact {
                (*va).min(cap)
            } else {
                *va
            };
            ka == kb && agrees(t, &va.to_string(), &vb.to_string())
        })
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

/// The machine's release (`uname -r`).
pub fn machine_release() -> String {
    std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// The flavour to simulate: `name` if given, else the one closest to
/// `release` ([`KernelFlavour::closest_to`], §19.6).
pub fn pick_flavour(name: Option<&str>, release: &str) -> Result<KernelFlavour, String> {
    match name {
        Some(n) => KernelFlavour::parse(n)
            .ok_or_else(|| format!("unknown kernel '{n}' (one of: {})", KernelFlavour::names())),
        None => KernelFlavour::closest_to(release).ok_or_else(|| {
            format!("cannot tell the kernel version from '{release}'; give --kernel NAME")
        }),
    }
}

/// A v1 machine of `flavour`, otherwise the defaults.
fn simulator(flavour: KernelFlavour) -> Simulator {
    let mut c = SimConfig::new(Version::V1);
    c.kernel.flavour = flavour;
    Simulator::build(c)
}

/// Run each script both ways, the simulator as `flavour`; the table goes
/// to stdout as it is made. `Ok(true)` when every checked row agrees.
pub fn conform(scripts: &[String], cfg: &Config, flavour: KernelFlavour) -> Result<bool, String> {
    let mut all = true;
    println!(
        "kernel {}; simulator v1 {} (default machine); tolerance: exact for files and errno, \
         bytes ±max(4M,10%), events zero/non-zero, memory.stat per field",
        machine_release(),
        flavour.name()
    );
    println!(
        "{:<28} {:<44} {:<7} {:<32} REAL",
        "WHERE", "LINE", "VERDICT", "SIMULATED"
    );
    for path in scripts {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
        let mut sim = simulator(flavour);
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
            let same_out = if t == Tolerance::Stat {
                stat_agrees(&s.stdout, &r.stdout, cfg.mem_cap)
            } else {
                agrees(t, &s.stdout, &r.stdout)
            };
            let ok = same_out && s.stderr == r.stderr;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_judged_each_by_its_rule() {
        let cap = 256 << 20;
        let sim = "cache 20971520\npgpgin 5120\npgpgout 0\nworkingset_refault_file 0\n\
                   hierarchical_memory_limit 9223372036854771712\ntotal_cache 20971520\n";
        let real = "cache 20975616\npgpgin 31\npgpgout 1\nworkingset_refault_file 3584\n\
                    hierarchical_memory_limit 268435456\ntotal_cache 20975616\n";
        assert!(stat_agrees(sim, real, cap));
        // Bytes off by more than the tolerance.
        assert!(!stat_agrees(
            sim,
            &real.replace("cache 20975616", "cache 0"),
            cap
        ));
        // An event counter zero on one side only.
        assert!(!stat_agrees(
            sim,
            &real.replace("pgpgin 31", "pgpgin 0"),
            cap
        ));
        // A limit not capped by the run.
        assert!(!stat_agrees(
            sim,
            &real.replace("268435456", "16777216"),
            cap
        ));
        // A field missing, renamed or out of order.
        assert!(!stat_agrees(sim, &real.replace("pgpgout 1\n", ""), cap));
        assert!(!stat_agrees(
            sim,
            &real.replace("workingset_refault_file", "workingset_refault"),
            cap
        ));
        assert_eq!(stat_field("total_pgpgout"), Tolerance::Shown);
        assert_eq!(stat_field("total_rss"), Tolerance::Bytes);
    }

    #[test]
    fn flavour_from_release_or_option() {
        let pick = |n, r| pick_flavour(n, r).map(KernelFlavour::name);
        assert_eq!(pick(None, "6.18.44-fc-v1147"), Ok("linux-6.18"));
        assert_eq!(pick(None, "6.6.30"), Ok("linux-6.6"));
        assert_eq!(pick(None, "4.19.91-27.al7.x86_64"), Ok("alinux-4.19"));
        assert_eq!(pick(Some("alinux-4.19"), "6.18.44"), Ok("alinux-4.19"));
        assert!(pick(Some("linux-5.10"), "6.18.44")
            .unwrap_err()
            .starts_with("unknown kernel 'linux-5.10'"));
        assert!(pick(None, "").unwrap_err().contains("--kernel NAME"));
    }
}
