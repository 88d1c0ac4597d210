//! `memcg calibrate` (issue 15): the cost model's per-page figures
//! ([`CostModel`], docs/model.md §18.2), measured on this machine's kernel
//! inside a run of its own ([`RealShell`]: a capped `memcg-<pid>` cgroup,
//! removed on every exit path).
//!
//! Each figure is the median of `reps` repetitions of a probe, a task of
//! the run (a hidden mode of the `memcg` binary) that joins a cgroup, does
//! one kind of work on `size` bytes and reports the time it took:
//!
//! * `roomy` has the run's cap (room for the work), `tight` a limit of a
//!   quarter of `size`, so three quarters of the pages must be reclaimed.
//! * Clean reclaim per page is the CPU time of lowering the limit of a
//!   cgroup full of clean page cache, per page given back; dirty reclaim
//!   (a check) is the extra time the same writes take in `tight`, per
//!   page given back (its `memory.usage_in_bytes` before, plus the pages
//!   the probe touched, minus after).
//!
//! A measurement that noise makes zero or negative keeps the default, and
//! the table says so.

use std::fs;
use std::io::Write as _;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use memcg::lru::CostModel;
use memcg::units::PAGE_SIZE;

use crate::real::{Config, RealShell};

/// The hidden first argument of `memcg` that runs a probe ([`probe_main`]).
pub const PROBE_MODE: &str = "__calibrate-probe";
/// Default work of a probe (`--size`).
pub const DEFAULT_SIZE: u64 = 64 << 20;
/// Default repetitions (`--reps`).
pub const DEFAULT_REPS: usize = 5;

/// One field of the cost model: its default, what was measured, what the
/// printed model uses, and how.
#[derive(Clone, Debug)]
pub struct Row {
    pub field: &'static str,
    pub default: u64,
    /// Median, ns per page; `None` when not measured.
    pub measured: Option<u64>,
    /// Smallest and largest repetition.
    pub spread: Option<(u64, u64)>,
    pub used: u64,
    pub method: String,
}

/// What `memcg calibrate` found.
#[derive(Clone, Debug)]
pub struct Calibration {
    /// The machine and the run: kernel, CPUs, swap, sizes.
    pub header: String,
    pub rows: Vec<Row>,
    /// Figures the model has no field for, measured as checks.
    pub checks: Vec<Row>,
    /// The cost model to give `--costs` (every field set).
    pub costs: CostModel,
}

/// Median of `v` (the lower middle of an even count); `v` is not empty.
fn median(v: &[u64]) -> u64 {
    let mut s = v.to_vec();
    s.sort_unstable();
    s[(s.len() - 1) / 2]
}

fn spread(v: &[u64]) -> Option<(u64, u64)> {
    Some((*v.iter().min()?, *v.iter().max()?))
}

fn meminfo(key: &str) -> Option<u64> {
    let m = fs::read_to_string("/proc/meminfo").ok()?;
    let l = m.lines().find(|l| l.starts_with(key))?;
    l.split_whitespace().nth(1)?.parse::<u64>().ok()
}

/// The per-rep figures, ns.
#[derive(Default)]
struct Samples {
    anon: Vec<u64>,
    file: Vec<u64>,
    anon_first: Vec<u64>,
    file_tight: Vec<u64>,
    clean_reclaim: Vec<u64>,
    writeback: Vec<u64>,
    dirty_reclaim: Vec<u64>,
    refault: Vec<u64>,
    swapout: Vec<u64>,
    /// Pages `tight` gave back in the clean run (for the header).
    reclaimed: Vec<u64>,
}

struct Probe<'a> {
    sh: &'a mut RealShell,
    pages: u64,
}

impl Probe<'_> {
    /// Run probe `kind` in `cg`; its numbers and the file it left.
    fn run(&mut self, cg: &str, kind: &str) -> Result<(Vec<u64>, PathBuf), String> {
        let (pid, out) =
            self.sh
                .run_probe(cg, PROBE_MODE, &[kind.to_string(), self.pages.to_string()])?;
        let nums = out
            .split_whitespace()
            .map(|w| w.parse::<u64>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| format!("probe {kind}: unexpected output '{}'", out.trim()))?;
        if nums.is_empty() {
            return Err(format!("probe {kind}: no output"));
        }
        Ok((nums, self.sh.tmp().join(format!("probe-{pid}"))))
    }

    /// Run probe `kind` in `cg`, remove its file (freeing its page cache)
    /// and return its numbers and the pages the cgroup gave back while it
    /// ran: usage before + the pages the probe charged - usage after
    /// (`pgpgout` would do, but 6.x counts it in folios, and ext4 page
    /// cache comes in large folios).
    fn measure(&mut self, cg: &str, kind: &str) -> Result<(Vec<u64>, u64), String> {
        let usage = self.sh.parent().join(cg).join("memory.usage_in_bytes");
        let read = || -> Result<u64, String> {
            fs::read_to_string(&usage)
                .ok()
                .and_then(|s| s.trim().parse().ok())
                .ok_or_else(|| format!("{}: unreadable", usage.display()))
        };
        let before = read()?;
        let (nums, file) = self.run(cg, kind)?;
        let after = read()?;
        let _ = fs::remove_file(file);
        let charged = self.pages * PAGE_SIZE;
        // An anon probe has exited: its pages are uncharged already.
        let reclaimed = if kind == "anon" {
            0
        } else {
            (before + charged).saturating_sub(after) / PAGE_SIZE
        };
        Ok((nums, reclaimed))
    }
}

impl Probe<'_> {
    /// Fill `shrink` with clean page cache (a `sparse` probe), then lower
    /// its limit to `to` bytes: the kernel reclaims down to it inside the
    /// write (`mem_cgroup_resize_max` → `try_to_free_mem_cgroup_pages`),
    /// in this thread, with no allocation mixed in. CPU ns of the write
    /// per page given back, and the pages.
    fn shrink(&mut self, to: u64) -> Result<(u64, u64), String> {
        let dir = self.sh.parent().join("shrink");
        let limit = dir.join("memory.limit_in_bytes");
        let usage = || -> Result<u64, String> {
            let p = dir.join("memory.usage_in_bytes");
            fs::read_to_string(&p)
                .ok()
                .and_then(|s| s.trim().parse().ok())
                .ok_or_else(|| format!("{}: unreadable", p.display()))
        };
        let (_, file) = self.run("shrink", "sparse")?;
        let before = usage()?;
        let c = cpu_ns();
        let res = fs::write(&limit, to.to_string());
        let spent = cpu_ns() - c;
        let after = usage()?;
        let _ = fs::remove_file(file);
        res.map_err(|e| format!("{}: {e}", limit.display()))?;
        fs::write(&limit, "-1").map_err(|e| format!("{}: {e}", limit.display()))?;
        let reclaimed = before.saturating_sub(after) / PAGE_SIZE;
        Ok((spent.checked_div(reclaimed).unwrap_or(0), reclaimed))
    }
}

/// Extra ns per reclaimed page: `(tight - roomy) / reclaimed`, 0 when
/// noise makes it negative or nothing was reclaimed.
fn per_reclaimed(tight: u64, roomy: u64, reclaimed: u64) -> u64 {
    tight
        .saturating_sub(roomy)
        .checked_div(reclaimed)
        .unwrap_or(0)
}

/// Measure, in a run of its own bounded by `cfg`, `reps` times with
/// probes of `size` bytes.
pub fn calibrate(cfg: &Config, reps: usize, size: u64) -> Result<Calibration, String> {
    let pages = size / PAGE_SIZE;
    if !(1..=101).contains(&reps) {
        return Err(format!("--reps {reps}: give 1 to 101"));
    }
    if pages < 1024 || size.saturating_mul(2) > cfg.mem_cap {
        return Err(format!(
            "--size {size}: give 4M to half of --real-mem-cap ({} bytes)",
            cfg.mem_cap
        ));
    }
    if let Some(why) = crate::real::unavailable(false) {
        return Err(why.replacen("--real", "calibrate", 1));
    }
    let mut sh = RealShell::start(cfg)?;
    let res = measure(&mut sh, reps, pages);
    let end = sh.finish();
    let c = res?;
    end?;
    Ok(c)
}

fn measure(sh: &mut RealShell, reps: usize, pages: u64) -> Result<Calibration, String> {
    let tight_bytes = pages / 4 * PAGE_SIZE;
    for line in [
        String::from("mkdir roomy"),
        String::from("mkdir tight"),
        String::from("mkdir shrink"),
        format!("echo {tight_bytes} > tight/memory.limit_in_bytes"),
    ] {
        let out = sh.exec(&line);
        if !out.ok() {
            return Err(format!("calibrate: {line}: {}", out.stderr.trim_end()));
        }
    }
    let swap_kb = meminfo("SwapTotal:").unwrap_or(0);
    let mut s = Samples::default();
    let mut p = Probe { sh, pages };
    for _ in 0..reps {
        // Interleaved, so a slow spell of the machine touches every figure.
        let (a, _) = p.measure("roomy", "anon")?;
        s.anon.push(a[0] / pages);
        s.anon_first.push(a.get(1).copied().unwrap_or(0) / pages);
        let (per, reclaimed) = p.shrink(tight_bytes)?;
        s.clean_reclaim.push(per);
        s.reclaimed.push(reclaimed);
        let (fr, _) = p.measure("roomy", "sparse")?;
        let (ft, _) = p.measure("tight", "sparse")?;
        s.file.push(fr[0] / pages);
        s.file_tight.push(ft[0] / pages);
        let (dr, _) = p.measure("roomy", "dirty")?;
        let roomy_total = dr[0] + dr.get(1).copied().unwrap_or(0);
        s.writeback.push(roomy_total / pages);
        let (dt, reclaimed) = p.measure("tight", "dirty")?;
        let tight_total = dt[0] + dt.get(1).copied().unwrap_or(0);
        s.dirty_reclaim
            .push(per_reclaimed(tight_total, roomy_total, reclaimed));
        let (r, _) = p.measure("roomy", "refault")?;
        s.refault.push(r[0] / pages);
        if swap_kb > 0 {
            // The probe has exited, so the pages it swapped are an
            // estimate: all but what fits under the limit.
            let (at, _) = p.measure("tight", "anon")?;
            s.swapout
                .push(per_reclaimed(at[0], a[0], pages - pages / 4));
        }
    }
    Ok(report(&s, reps, pages, swap_kb, p.sh.tmp()))
}

fn report(s: &Samples, reps: usize, pages: u64, swap_kb: u64, tmp: &Path) -> Calibration {
    let d = CostModel::default();
    let size_m = (pages * PAGE_SIZE) >> 20;
    let tight_m = (pages / 4 * PAGE_SIZE) >> 20;
    let row = |field, default, v: &[u64], method: String| {
        let m = (!v.is_empty()).then(|| median(v));
        Row {
            field,
            default,
            measured: m,
            spread: spread(v),
            used: m.filter(|&m| m > 0).unwrap_or(default),
            method,
        }
    };
    let mut rows = Vec::new();
    let mut fault = row(
        "fault_ns",
        d.fault_ns,
        &s.anon,
        format!("touching {size_m}M of new anon pages in a cgroup with room, second pass (pages just freed), CPU time per page, charge included"),
    );
    fault.used = fault.used.clamp(1, 1_000_000_000);
    rows.push(fault);
    // Measured: scanning and freeing one page, which the model charges
    // as scan_ns + reclaim_clean_ns; v1 has no pgscan to tell them apart,
    // so the measured sum is split as the defaults split it.
    let mut clean = row(
        "reclaim_clean_ns",
        d.reclaim_clean_ns,
        &s.clean_reclaim,
        format!(
            "lowering the limit of a cgroup holding {size_m}M of clean cache to {tight_m}M: CPU time of the write per page given back (usage_in_bytes) = scan_ns + reclaim_clean_ns, split as the defaults"
        ),
    );
    let scan_used = match clean.measured {
        Some(m) if m > 0 => {
            let scan = m * d.scan_ns / (d.scan_ns + d.reclaim_clean_ns);
            clean.used = m - scan;
            scan
        }
        _ => {
            clean.used = d.reclaim_clean_ns;
            d.scan_ns
        }
    };
    rows.push(Row {
        field: "scan_ns",
        default: d.scan_ns,
        measured: None,
        spread: None,
        used: scan_used,
        method: String::from(
            "not separable from freeing (v1 memory.stat has no pgscan): its default share of reclaim_clean's measured sum",
        ),
    });
    rows.push(clean);
    let mut wb = row("writeback_ns", d.writeback_ns, &s.writeback, String::new());
    let mbs = |ns: u64| (PAGE_SIZE * 1_000_000_000).checked_div(ns).unwrap_or(0) >> 20;
    wb.method = format!(
        "writing {size_m}M of new dirty pages and fsync, per page ({} MB/s; default {} MB/s)",
        wb.measured.map_or(0, mbs),
        mbs(d.writeback_ns)
    );
    rows.push(wb);
    rows.push(if swap_kb == 0 {
        Row {
            field: "swapout_ns",
            default: d.swapout_ns,
            measured: None,
            spread: None,
            used: d.swapout_ns,
            method: String::from("no swap on this machine (SwapTotal 0 kB): default kept"),
        }
    } else {
        let mut r = row(
            "swapout_ns",
            d.swapout_ns,
            &s.swapout,
            format!("touching {size_m}M of anon under a {tight_m}M limit minus with room, per page given back, minus scan_ns"),
        );
        r.used = match r.measured {
            Some(m) if m > scan_used => m - scan_used,
            _ => d.swapout_ns,
        };
        r
    });
    rows.push(row(
        "refault_ns",
        d.refault_ns,
        &s.refault,
        format!("reading back, in random order, {size_m}M of file pages dropped from the cache (fadvise DONTNEED, RANDOM), per page"),
    ));
    rows.push(Row {
        field: "touch_interval_ns",
        default: d.touch_interval_ns,
        measured: None,
        spread: None,
        used: d.touch_interval_ns,
        method: String::from("a workload's property, not a cost: default kept"),
    });
    for r in &mut rows {
        r.used = r.used.min(1_000_000_000);
    }
    let checks = vec![
        row(
            "anon first touch",
            d.fault_ns,
            &s.anon_first,
            format!("fault_ns's probe, first pass: {size_m}M of memory the probe's cgroup had not used (a VM's first touch can cost more)"),
        ),
        row(
            "file fault",
            d.fault_ns,
            &s.file,
            format!("reading {size_m}M of a sparse file (clean cache, no I/O) with room, per page; the model charges fault_ns"),
        ),
        row(
            "file fault, tight",
            d.fault_ns + d.scan_ns + d.reclaim_clean_ns,
            &s.file_tight,
            format!("the same under the {tight_m}M limit, per page read (most of them reclaim one); the model: fault_ns + scan_ns + reclaim_clean_ns"),
        ),
        row(
            "dirty reclaim",
            d.writeback_ns,
            &s.dirty_reclaim,
            format!("writing {size_m}M + fsync under a {tight_m}M limit minus with room, per page given back; the model: v1 reclaim waits for writeback, about writeback_ns"),
        ),
    ];
    let costs = CostModel {
        fault_ns: rows[0].used,
        scan_ns: rows[1].used,
        reclaim_clean_ns: rows[2].used,
        writeback_ns: rows[3].used,
        swapout_ns: rows[4].used,
        refault_ns: rows[5].used,
        touch_interval_ns: rows[6].used,
    };
    let kernel = fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let header = format!(
        "kernel {}; {cpus} CPUs; swap {}; cgroup v1; {reps} repetitions of {size_m}M, medians (spread: min-max); tight limit {tight_m}M, {} pages given back per shrink (median); files in {}",
        kernel.trim(),
        if swap_kb == 0 { String::from("none") } else { format!("{swap_kb} kB") },
        if s.reclaimed.is_empty() { 0 } else { median(&s.reclaimed) },
        tmp.parent().unwrap_or(tmp).display()
    );
    Calibration {
        header,
        rows,
        checks,
        costs,
    }
}

impl Calibration {
    /// The human table: each field, its default, the median measured, its
    /// spread, what the model printed uses, and the method.
    pub fn table(&self) -> String {
        let mut o = format!("{}\n", self.header);
        let line = |o: &mut String, r: &Row, used: bool| {
            let m = r.measured.map_or(String::from("-"), |m| m.to_string());
            let u = if used {
                r.used.to_string()
            } else {
                String::from("-")
            };
            let sp = r
                .spread
                .map_or(String::from("-"), |(a, b)| format!("{a}-{b}"));
            o.push_str(&format!(
                "{:<18} {:>10} {:>10} {:>15} {:>10}  {}\n",
                r.field, r.default, m, sp, u, r.method
            ));
        };
        o.push_str(&format!(
            "{:<18} {:>10} {:>10} {:>15} {:>10}  {}\n",
            "FIELD", "DEFAULT", "MEASURED", "SPREAD", "USED", "METHOD"
        ));
        for r in &self.rows {
            line(&mut o, r, true);
        }
        o.push_str(
            "checks (no field of their own; DEFAULT is what the model charges; ns per page):\n",
        );
        for r in &self.checks {
            line(&mut o, r, false);
        }
        o
    }

    /// The cost model as `--costs` and a scenario's `costs` take it.
    pub fn json(&self) -> String {
        crate::costs::to_json(&self.costs)
    }
}

// ---------------------------------------------------------------------------
// The probe

/// `memcg __calibrate-probe PROCS TMP PPID KIND PAGES`: one probe of a
/// calibration. It dies with the run (`PR_SET_PDEATHSIG`), makes its file
/// (`TMP/probe-PID`) before joining the cgroup by writing its pid to
/// `PROCS` (so only the measured work is charged there), does the work on
/// `PAGES` pages and prints the ns it took (CPU time for the CPU-bound
/// kinds, so other load on the machine counts less; wall time where the
/// work waits for the device):
///
/// * `anon`: first write to each page of a private anonymous mapping,
///   unmapped, then again in a new mapping: prints the second pass (pages
///   the machine used just before) and the first (CPU time);
/// * `sparse`: a 4K `pread` of each page of a sparse file (page cache
///   filled with zeroes, no I/O; CPU time);
/// * `dirty`: a 4K `pwrite` of each page of a new file, then `fsync`:
///   prints the write time and the fsync time;
/// * `refault`: writes and syncs the file, drops it from the page cache
///   (`POSIX_FADV_DONTNEED`; `POSIX_FADV_RANDOM` so no readahead), then a
///   4K `pread` of each page in a scattered order.
pub fn probe_main(args: &[String]) -> ExitCode {
    match probe(args) {
        Ok(s) => {
            let mut w = std::io::stdout();
            let _ = w.write_all(s.as_bytes()).and_then(|()| w.flush());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("memcg probe: {e}");
            ExitCode::from(1)
        }
    }
}

fn probe(args: &[String]) -> Result<String, String> {
    let [procs, tmp, ppid, kind, pages] = args else {
        return Err(String::from("bad arguments"));
    };
    // SAFETY: prctl with integer arguments; getppid has no preconditions.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong);
        if libc::getppid().to_string() != *ppid {
            return Err(String::from("the run is gone"));
        }
    }
    let pages: u64 = pages
        .parse()
        .map_err(|_| format!("bad page count '{pages}'"))?;
    let page = PAGE_SIZE as usize;
    let len = pages as usize * page;
    let me = std::process::id();
    let join = || fs::write(procs, format!("{me}\n")).map_err(|e| format!("{procs}: {e}"));
    if kind == "anon" {
        let map = || crate::real::map_anon(len);
        let touch = |p: *mut u8| {
            let c = cpu_ns();
            for i in 0..pages as usize {
                // SAFETY: i < pages, inside the mapping.
                unsafe { p.add(i * page).write_volatile(1) };
            }
            cpu_ns() - c
        };
        let p = map()?;
        join()?;
        let first = touch(p);
        // SAFETY: our mapping of `len` bytes, not used after.
        unsafe { libc::munmap(p as *mut libc::c_void, len) };
        let again = touch(map()?);
        return Ok(format!("{again} {first}\n"));
    }
    let path = Path::new(tmp).join(format!("probe-{me}"));
    let f = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let mut buf = vec![0x5au8; page];
    let io = |e: std::io::Error| format!("{}: {e}", path.display());
    match kind.as_str() {
        "sparse" => {
            f.set_len(pages * PAGE_SIZE).map_err(io)?;
            join()?;
            let c = cpu_ns();
            for i in 0..pages {
                f.read_at(&mut buf, i * PAGE_SIZE).map_err(io)?;
            }
            Ok(format!("{}\n", cpu_ns() - c))
        }
        "dirty" => {
            join()?;
            let t = Instant::now();
            for i in 0..pages {
                f.write_all_at(&buf, i * PAGE_SIZE).map_err(io)?;
            }
            let w = t.elapsed();
            f.sync_all().map_err(io)?;
            let total = t.elapsed();
            Ok(format!("{} {}\n", w.as_nanos(), (total - w).as_nanos()))
        }
        "refault" => {
            use std::os::fd::AsRawFd;
            join()?;
            for i in 0..pages {
                f.write_all_at(&buf, i * PAGE_SIZE).map_err(io)?;
            }
            f.sync_all().map_err(io)?;
            let fd = f.as_raw_fd();
            // SAFETY: advice on our own open file.
            let rc = unsafe {
                libc::posix_fadvise(fd, 0, 0, libc::POSIX_FADV_DONTNEED)
                    | libc::posix_fadvise(fd, 0, 0, libc::POSIX_FADV_RANDOM)
            };
            if rc != 0 {
                return Err(format!("posix_fadvise: error {rc}"));
            }
            // A stride coprime with `pages` visits each page once, far
            // from the last.
            let mut stride = 7919 % pages.max(1);
            while stride > 1 && gcd(stride, pages) != 1 {
                stride -= 1;
            }
            let stride = stride.max(1);
            let t = Instant::now();
            let mut i = 0;
            for _ in 0..pages {
                f.read_at(&mut buf, i * PAGE_SIZE).map_err(io)?;
                i = (i + stride) % pages;
            }
            Ok(format!("{}\n", t.elapsed().as_nanos()))
        }
        k => Err(format!("unknown kind '{k}'")),
    }
}

/// This thread's CPU time, ns (`CLOCK_THREAD_CPUTIME_ID`): what a
/// CPU-bound probe costs, whatever else the machine runs.
fn cpu_ns() -> u64 {
    // SAFETY: a zeroed timespec we own.
    unsafe {
        let mut ts: libc::timespec = std::mem::zeroed();
        libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts);
        ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
    }
}

fn gcd(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}
