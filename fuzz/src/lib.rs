//! The fuzz targets' harnesses (`fuzz_targets/*.rs` are one line each).
//!
//! Every harness checks, for any input:
//! * no panic (overflow checks are on: cargo-fuzz builds with debug
//!   assertions);
//! * [`Kernel::check_invariants`](memcg::Kernel::check_invariants) after
//!   every shell line, file write or replayed journal entry;
//! * determinism: the same input run twice on fresh machines gives the same
//!   trace hash and the same outputs;
//! * bounded work, so one input takes milliseconds: at most [`MAX_LINES`]
//!   lines of [`MAX_LINE_BYTES`] bytes, [`MAX_NOW`] of virtual time and
//!   [`EVENT_LIMIT`] engine events (`SimBuilder::event_limit`).

use memcg::replay::{Replay, Step};
use memcg::scenario::Scenario;
use memcg::shell::{parse_duration, Output};
use memcg::sim::SimConfig;
use memcg::sweep::{self, Constraint, Param, Sweep};
use memcg::units::{self, Nanos, PAGE_COUNTER_MAX};
use memcg::{share, Simulator, Version};

/// Lines (or file writes, or journal entries) run per input.
pub const MAX_LINES: usize = 48;
/// Bytes kept of each line: `mkdir -p` of one long line is many cgroups.
pub const MAX_LINE_BYTES: usize = 256;
/// Virtual time an input may reach: a line whose `sleep`s would go past it
/// is skipped (a `wait` is bounded by the event limit).
pub const MAX_NOW: Nanos = 10_000_000_000;
/// Engine events per machine (the engine stops there, `event_limit_hit`).
pub const EVENT_LIMIT: u64 = 20_000;
/// Virtual time run after each cgroupfs write, so workers and tasks react.
pub const WRITE_TICK: Nanos = 1_000_000;

/// Panics with `what` if a kernel invariant does not hold. Always true
/// (a bool so the targets can stop an input early if a defect must be
/// stepped around again; none is now, fuzz/README.md "Known defects").
pub fn check(s: &Simulator, what: &dyn core::fmt::Debug) -> bool {
    if let Err(e) = s.kernel().check_invariants() {
        panic!("kernel invariant broken after {what:?}: {e}");
    }
    true
}

/// The input's first [`MAX_LINES`] lines, each cut to [`MAX_LINE_BYTES`]
/// at a character boundary.
pub fn bounded_lines(text: &str) -> Vec<&str> {
    text.split('\n')
        .take(MAX_LINES)
        .map(|l| {
            let mut end = l.len().min(MAX_LINE_BYTES);
            while !l.is_char_boundary(end) {
                end -= 1;
            }
            &l[..end]
        })
        .collect()
}

/// Virtual time the `sleep`s of `line` ask for (as the replay counts
/// them, but also split at control characters: the shell reads
/// `sleep 200m\0` as `sleep 200m`).
fn sleeps(line: &str) -> Nanos {
    let words: Vec<&str> = line
        .split(|c: char| c.is_whitespace() || c.is_control() || matches!(c, ';' | '&' | '|'))
        .filter(|w| !w.is_empty())
        .collect();
    words
        .windows(2)
        .filter(|w| w[0] == "sleep")
        .map(|w| parse_duration(w[1]).unwrap_or(0))
        .fold(0, Nanos::saturating_add)
}

fn machine(version: Version) -> Simulator {
    Simulator::builder(version).event_limit(EVENT_LIMIT).build()
}

/// What a run shows: the trace hash, every output, the final clock.
type Run = (u64, Vec<Output>, Nanos);

fn run_shell(version: Version, lines: &[&str]) -> (Run, Simulator) {
    let mut s = machine(version);
    let mut outs = Vec::new();
    for line in lines {
        if s.now().saturating_add(sleeps(line)) > MAX_NOW {
            continue;
        }
        // What is due now runs first, as a timeline's edit does: the
        // scenario's replay then gives the same trace.
        s.run_until(s.now());
        outs.push(s.exec(line));
        if !check(&s, line) || s.now() > MAX_NOW || s.event_limit_hit() {
            break;
        }
    }
    s.run_until(s.now());
    ((s.trace_hash(), outs, s.now()), s)
}

/// Shell line sequences: the input's lines run through `Simulator::exec`.
/// A session that stayed within the limits is also exported as a scenario
/// whose replay must give the same trace.
pub fn shell(version: Version, data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let lines = bounded_lines(&text);
    let (a, s) = run_shell(version, &lines);
    let (b, _) = run_shell(version, &lines);
    assert_eq!(a, b, "the same lines gave two different runs");
    // A session past the scenario's bounds cannot be shared (refused with
    // a message); the bounds are `share_link`'s business.
    if s.event_limit_hit() || s.now() > memcg::scenario::MAX_NOW {
        return;
    }
    if let Ok(sc) = s.scenario() {
        let json = share::to_json(&sc);
        let back = share::from_json(&json).expect("an exported scenario parses");
        assert_eq!(back, sc, "scenario JSON round trip");
        if let Ok(hash) = replay(&sc) {
            assert_eq!(
                hash, a.0,
                "the replayed scenario's trace differs from the session's"
            );
        }
    }
}

/// Decodes `\n` and `\\` in a written value, so a record can write a
/// newline.
fn unescape(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    let mut it = v.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(o) => out.push(o),
            None => out.push('\\'),
        }
    }
    out
}

/// The machine each cgroupfs-write input starts from: a small tree with a
/// task charging, so limits, watermarks and moves have work to do.
fn write_setup(version: Version) -> &'static [&'static str] {
    match version {
        Version::V1 => &[
            "mkdir -p a/b a/c",
            "echo 1 > a/memory.use_hierarchy",
            "echo 64M > a/memory.limit_in_bytes",
            "spawn a/b anon 48M --rate 100M/s --hold",
            "spawn a/c file 16M --hold",
            "sleep 100ms",
        ],
        Version::V2 => &[
            "echo +memory > cgroup.subtree_control",
            "mkdir -p a",
            "echo +memory > a/cgroup.subtree_control",
            "mkdir a/b a/c",
            "echo 64M > a/memory.max",
            "spawn a/b anon 48M --rate 100M/s --hold",
            "spawn a/c dirty 16M --hold",
            "sleep 100ms",
        ],
    }
}

fn run_writes(version: Version, records: &[(&str, String)]) -> (u64, Vec<String>, Nanos) {
    let mut s = machine(version);
    for line in write_setup(version) {
        s.exec(line);
    }
    check(&s, &"the set-up");
    let mut results = Vec::new();
    for (path, value) in records {
        let r = s.write(path, value);
        results.push(format!("{r:?}"));
        if !check(&s, &(path, value)) {
            break;
        }
        s.run_until(s.now() + WRITE_TICK);
        if !check(&s, &(path, value, "+1ms")) || s.event_limit_hit() {
            break;
        }
    }
    (s.trace_hash(), results, s.now())
}

/// cgroupfs writes: each line is `PATH<TAB>VALUE` (or `PATH VALUE`), the
/// value with `\n` escapes, written in one `write(2)`; 1 ms runs after
/// each. A first line `v1` selects cgroup v1 (else v2). Paths are relative
/// to the mount point or absolute.
pub fn cgroupfs_write(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut lines = bounded_lines(&text);
    let version = if lines.first() == Some(&"v1") {
        lines.remove(0);
        Version::V1
    } else {
        Version::V2
    };
    let records: Vec<(&str, String)> = lines
        .iter()
        .map(|l| {
            let (p, v) = l
                .split_once('\t')
                .or_else(|| l.split_once(' '))
                .unwrap_or((l, ""));
            (p, unescape(v))
        })
        .collect();
    let a = run_writes(version, &records);
    let b = run_writes(version, &records);
    assert_eq!(a, b, "the same writes gave two different runs");
}

/// The number parsers: no panic, and the relations between them.
pub fn number_parsers(data: &[u8]) {
    let Ok(s) = core::str::from_utf8(data) else {
        return;
    };
    let stripped = units::strstrip(s);
    assert!(s.contains(stripped));
    for s in [s, stripped] {
        let (v, rest) = units::memparse(s);
        assert!(s.ends_with(rest), "memparse's rest is the input's tail");
        if rest.len() == s.len() {
            assert_eq!(v, 0, "nothing parsed, nothing returned");
        }
        match units::page_counter_memparse(s, "max") {
            Ok(p) => assert!(p <= PAGE_COUNTER_MAX),
            Err(e) => assert_eq!(e, memcg::Errno::EINVAL),
        }
        let ull = units::kstrtoull(s);
        if let Ok(v) = ull {
            assert_eq!(units::kstrtoull(&v.to_string()), Ok(v));
            assert_eq!(units::kstrtoll(s).is_ok(), i64::try_from(v).is_ok());
        }
        if let Ok(v) = units::kstrtouint(s) {
            assert_eq!(ull, Ok(u64::from(v)));
        }
        if let Ok(v) = units::kstrtoll(s) {
            assert_eq!(units::kstrtoll(&v.to_string()), Ok(v));
        }
        if let Ok(v) = units::kstrtoint(s) {
            assert_eq!(units::kstrtoll(s), Ok(i64::from(v)));
        }
        if let Some(v) = units::parse_size(s) {
            assert_eq!(units::parse_size(&v.to_string()), Some(v));
        }
        if let Some(ns) = parse_duration(s) {
            assert!(ns <= 86_400_000_000_000);
            assert_eq!(parse_duration(&format!("{ns}ns")), Some(ns));
        }
    }
}

/// Journal entries a fuzzed scenario may have to be replayed.
pub const MAX_REPLAY_ENTRIES: usize = MAX_LINES;

/// Replays `sc` within [`EVENT_LIMIT`], checking the invariants after each
/// entry; its trace hash, or the replay's refusal.
pub fn replay(sc: &Scenario) -> Result<u64, String> {
    let mut r =
        Replay::with_builder(sc.clone(), |b| b.event_limit(EVENT_LIMIT))?.checkpoints(false);
    loop {
        let step = r.step(&mut |n| n < EVENT_LIMIT)?;
        if !check(&r.timeline().sim, &step) {
            return Err(String::from("the known defect (root -memory)"));
        }
        if let Step::Done = step {
            // What is due at the scenario's `now` runs too, as a session's
            // next line would run it first.
            let mut sim = r.into_timeline().into_sim();
            sim.run_until(sim.now());
            if !check(&sim, &"the end of the replay") {
                return Err(String::from("the known defect (root -memory)"));
            }
            return Ok(sim.trace_hash());
        }
    }
}

/// A scenario that parsed: its JSON and link forms give it back, and it
/// replays the same twice.
pub fn scenario(sc: Scenario) {
    let json = share::to_json(&sc);
    assert_eq!(share::from_json(&json).as_ref(), Ok(&sc), "JSON round trip");
    let link = share::to_fragment(&sc);
    assert_eq!(share::from_link(&link).as_ref(), Ok(&sc), "link round trip");
    if sc.journal.len() > MAX_REPLAY_ENTRIES
        || sc.journal.iter().any(|e| {
            let n = e.exec.as_ref().map_or(0, String::len)
                + e.write.as_ref().map_or(0, |(p, v)| p.len() + v.len());
            n > MAX_LINE_BYTES
        })
    {
        return;
    }
    assert_eq!(replay(&sc), replay(&sc), "the same scenario replayed twice");
}

/// Scenario files: JSON or a link, as `memcg::share::from_text` reads them.
pub fn scenario_text(data: &[u8]) {
    let Ok(text) = core::str::from_utf8(data) else {
        return;
    };
    if let Ok(sc) = share::from_text(text) {
        scenario(sc);
    }
}

/// Share links: the input as a link (base64 and lz4 of hostile bytes), and
/// the input packed into a link, which must unpack to itself and read as
/// its JSON does.
pub fn share_link(data: &[u8]) {
    if let Ok(text) = core::str::from_utf8(data) {
        if let Ok(sc) = share::from_link(text) {
            scenario(sc);
        }
    }
    let link = share::pack(data);
    match core::str::from_utf8(data) {
        Ok(json) => {
            assert_eq!(share::unpack(&link).as_deref(), Ok(json));
            let (a, b) = (share::from_link(&link), share::from_json(json));
            assert_eq!(a, b, "a link reads as the JSON it packs");
            if let Ok(sc) = a {
                scenario(sc);
            }
        }
        Err(_) => assert!(share::unpack(&link).is_err()),
    }
}

/// Runs of one sweep input: [`sweep_definition`] refuses more.
pub const MAX_SWEEP_RUNS: usize = 4;

/// Sweep definitions (`memcg sweep`'s arguments and script, and the
/// playground's Workers, which run the same core): the input's first line
/// is the options, `--param NAME=V1,...`, `--kernel A,B`, `--recommend C`
/// and `--v2` in any order; the other lines are the script. Parsing and
/// [`sweep::run_count`] must refuse cleanly; at most [`MAX_SWEEP_RUNS`]
/// runs are made, each bounded like a shell input, twice (the rows must
/// be equal), then the CSV (a header and a row per run), the table, a row's
/// values read back, and the recommendation.
pub fn sweep_definition(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let lines = bounded_lines(&text);
    let Some((head, script)) = lines.split_first() else {
        return;
    };
    let (mut params, mut kernels, mut constraint) = (Vec::new(), None, None);
    let mut version = Version::V1;
    let mut words = head.split_whitespace();
    while let Some(w) = words.next() {
        let parsed = match w {
            "--v2" => {
                version = Version::V2;
                Ok(())
            }
            "--param" => words
                .next()
                .ok_or_else(String::new)
                .and_then(Param::parse)
                .map(|p| params.push(p)),
            "--kernel" => words.next().ok_or_else(String::new).map(|k| {
                kernels = Some(k.split(',').map(String::from).collect::<Vec<_>>());
            }),
            "--recommend" => words
                .next()
                .ok_or_else(String::new)
                .and_then(Constraint::parse)
                .map(|c| constraint = Some(c)),
            _ => Err(String::new()),
        };
        if parsed.is_err() {
            return;
        }
    }
    let kernels = kernels.unwrap_or_else(|| vec![String::from(sweep::DEFAULT_KERNEL)]);
    let Ok(n) = sweep::run_count(&kernels, &params) else {
        return;
    };
    if n > MAX_SWEEP_RUNS
        || script
            .iter()
            .map(|l| sleeps(l))
            .fold(0, Nanos::saturating_add)
            > MAX_NOW
    {
        return;
    }
    let mut config = SimConfig::new(version);
    config.event_limit = EVENT_LIMIT;
    let sw = Sweep {
        config,
        kernels,
        params,
        script: script.iter().map(|l| String::from(*l)).collect(),
    };
    let combos = sw.combos();
    assert_eq!(combos.len(), n, "run_count and combos agree");
    let run = || {
        combos
            .iter()
            .map(|c| sw.run_one(c))
            .collect::<Result<Vec<_>, String>>()
    };
    let (a, b) = (run(), run());
    let rows = match (a, b) {
        (Ok(a), Ok(b)) => {
            let (ta, tb) = (sweep::csv(&sw.params, &a), sweep::csv(&sw.params, &b));
            assert_eq!(ta, tb, "the same sweep twice gave two different CSVs");
            a
        }
        (Err(a), Err(b)) => {
            assert_eq!(a, b, "the same sweep failed two ways");
            return;
        }
        (a, b) => panic!("the same sweep ran once and failed once: {a:?} / {b:?}"),
    };
    let csv = sweep::csv(&sw.params, &rows);
    assert_eq!(
        csv.lines().count(),
        rows.len() + 1,
        "a header and a row per run"
    );
    let _ = sweep::table(&sw.params, &rows);
    for r in &rows {
        let back =
            sweep::Values::parse(r.combo.clone(), &r.values_text()).expect("values read back");
        assert_eq!(
            sweep::csv(&sw.params, core::slice::from_ref(&back)),
            sweep::csv(&sw.params, core::slice::from_ref(r)),
            "a Worker's values print as the row does"
        );
    }
    if let Some(c) = constraint {
        let _ = sweep::recommend(&sw.params, &rows, c);
    }
}
