//! User-space agents (issue 13, docs/model.md §20): Senpai's memory.high
//! loop and Koordinator's memory.reclaim loop, their CPU time, `kill`,
//! `ps`, determinism and replay.

use memcg::agent::{senpai_backoff, senpai_probe, senpai_scale, SenpaiConf, AGENT_SYSCALL_NS};
use memcg::engine::EngineMode;
use memcg::flavour::KernelFlavour;
use memcg::trace::{parse_line, EventKind};
use memcg::{Simulator, Version};

fn sim(flavour: KernelFlavour) -> Simulator {
    Simulator::builder(Version::V2)
        .flavour(flavour)
        .trace_sink(true)
        .build()
}

fn run(s: &mut Simulator, lines: &[&str]) {
    for l in lines {
        let out = s.exec(l);
        assert!(out.ok(), "{l}: {}", out.stderr);
    }
}

/// One agent line: time, pid, action, and its `key=value` details.
#[derive(Debug)]
struct Line {
    t: u64,
    pid: u32,
    action: String,
    kv: Vec<(String, String)>,
}

impl Line {
    fn get(&self, key: &str) -> u64 {
        self.kv
            .iter()
            .find(|(k, _)| k == key)
            .unwrap_or_else(|| panic!("{key} in {self:?}"))
            .1
            .parse()
            .unwrap()
    }

    fn has(&self, key: &str) -> Option<&str> {
        self.kv
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

fn agent_lines(s: &mut Simulator) -> Vec<Line> {
    s.take_trace()
        .iter()
        .filter_map(|l| {
            let p = parse_line(l)?;
            (p.kind == EventKind::Agent).then(|| {
                let kv: Vec<(String, String)> = p
                    .details
                    .split(' ')
                    .filter_map(|w| w.split_once('='))
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect();
                let action = kv.iter().find(|(k, _)| k == "action").unwrap().1.clone();
                Line {
                    t: p.time,
                    pid: p.pid.unwrap(),
                    action,
                    kv,
                }
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------
// Senpai

#[test]
fn senpai_formulas_in_fixed_point() {
    let c = SenpaiConf::default();
    // Back-off: err = integral/10000, adj = min((err/20)² × 1.0, 1.0).
    // integral 50000: err 5, (5/20)² = 0.0625.
    assert_eq!(senpai_backoff(&c, 50_000), 62_500_000);
    // integral 10001: (1.0001/20)² = 0.0025005000250… → rounded down.
    assert_eq!(senpai_backoff(&c, 10_001), 2_500_500);
    assert_eq!(senpai_backoff(&c, 200_000), 1_000_000_000);
    // Probe: err = 10000/max(integral,1), adj = min((err/10)² × 0.01, 0.01).
    assert_eq!(senpai_probe(&c, 2_000), 2_500_000);
    assert_eq!(senpai_probe(&c, 0), 10_000_000);
    // 200M tightened by 1%: 209715200 − 2097152; grown by 6.25%.
    assert_eq!(senpai_scale(209_715_200, 10_000_000, false), 207_618_048);
    assert_eq!(senpai_scale(209_715_200, 62_500_000, true), 222_822_400);
}

/// A cgroup holding 200M and charging nothing has no stall: Senpai sets
/// memory.high to memory.current, waits `interval` (6) ticks, then tightens
/// by max_probe (1%) every 6 ticks, page-aligned.
#[test]
fn senpai_tightens_by_max_probe_after_the_grace_ticks() {
    let mut s = sim(KernelFlavour::Alinux419);
    run(
        &mut s,
        &[
            "mkdir a",
            "spawn a anon 200M --ws 4M --hold",
            "wait",
            "agent senpai --min-size 10M a",
        ],
    );
    let current: u64 = s
        .read("/sys/fs/cgroup/a/memory.current")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(current, 200 << 20);
    run(&mut s, &["sleep 14s"]);
    let lines = agent_lines(&mut s);
    let acts: Vec<&str> = lines.iter().map(|l| l.action.as_str()).collect();
    assert_eq!(acts, ["start", "tighten", "tighten"], "{lines:?}");
    assert_eq!(lines[0].get("high"), 209_715_200);
    // Start-up: pressure, high, current, the write, total (5 syscalls);
    // each tick reads total, high and pressure (3) and sleeps 1 s; tick 7
    // (after 6 grace ticks) tightens.
    let sc = AGENT_SYSCALL_NS;
    assert_eq!(lines[1].t, lines[0].t + 7_000_000_000 + 5 * sc + 6 * 3 * sc);
    // It also reads high twice and writes it: 6 syscalls and the reclaim
    // of the write; then 5 grace ticks, and tick 13 tightens again.
    assert!(lines[1].get("cost_ns") > 6 * sc, "the write reclaimed");
    assert_eq!(
        lines[2].t,
        lines[1].t + lines[1].get("cost_ns") + 6_000_000_000 + 5 * 3 * sc
    );
    assert_eq!(lines[1].get("integral"), 0);
    assert_eq!(lines[1].get("adj_ppb"), 10_000_000);
    assert_eq!(lines[1].get("high"), 207_618_048);
    // 207618048 − ceil(2076180.48) = 205541867 → page-aligned down.
    assert_eq!(lines[2].get("high"), 205_541_376);
    assert_eq!(
        s.read("/sys/fs/cgroup/a/memory.high").unwrap(),
        "205541376\n"
    );
}
