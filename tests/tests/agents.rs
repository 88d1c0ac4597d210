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

/// Every adjustment follows senpai.py from the line before it: the factor
/// from the integral, `int(x ± x·adj)`, clamped and page-aligned.
fn check_senpai_steps(lines: &[Line], conf: &SenpaiConf) {
    let mut high = lines[0].get("high");
    for l in &lines[1..] {
        let integral = l.get("integral");
        let adj = l.get("adj_ppb");
        let grow = match l.action.as_str() {
            "backoff" => {
                assert!(integral > conf.pressure);
                assert_eq!(adj, senpai_backoff(conf, integral));
                true
            }
            "tighten" => {
                assert!(integral <= conf.pressure);
                assert_eq!(adj, senpai_probe(conf, integral));
                false
            }
            other => panic!("unexpected action {other}"),
        };
        if l.has("reset").is_none() {
            let want =
                (senpai_scale(high, adj, grow) as u64).clamp(conf.min_size, conf.max_size) & !4095;
            assert_eq!(l.get("high"), want, "{l:?}");
        }
        high = l.get("high");
    }
}

/// Under pressure Senpai backs off: a 300M task with a 120M working set
/// starts under memory.high = min_size (100M) and stalls.
#[test]
fn senpai_backs_off_under_pressure() {
    let mut s = sim(KernelFlavour::Alinux419);
    run(
        &mut s,
        &[
            "mkdir a",
            "spawn a anon 300M --ws 120M --rate 20M/s --hold",
            "agent senpai a",
            "sleep 40s",
        ],
    );
    let lines = agent_lines(&mut s);
    assert_eq!(lines[0].action, "start");
    // memory.current was 0: clamped up to --min-size.
    assert_eq!(lines[0].get("high"), 100 << 20);
    // A stall of 100× the target: adj capped at max_backoff (1.0), doubled.
    assert_eq!(lines[1].action, "backoff");
    assert!(lines[1].get("integral") >= 20 * 10_000);
    assert_eq!(lines[1].get("adj_ppb"), 1_000_000_000);
    assert_eq!(lines[1].get("high"), 200 << 20);
    // Then a mild one: integral 10718 µs → (1.0718/20)² = 0.0028718881 →
    // 2871888 ppb; 209715200 + 602276 = 210317476 → page-aligned 210317312.
    assert_eq!(lines[2].action, "backoff");
    assert_eq!(lines[2].get("integral"), 10_718);
    assert_eq!(lines[2].get("adj_ppb"), 2_871_888);
    assert_eq!(lines[2].get("high"), 210_317_312);
    assert!(lines.iter().any(|l| l.action == "tighten"));
    check_senpai_steps(&lines, &SenpaiConf::default());
}

/// `import_limit`: memory.high changed by someone else → the next
/// adjustment starts from memory.current.
#[test]
fn senpai_resets_to_current_when_high_changed_behind_it() {
    let mut s = sim(KernelFlavour::Alinux419);
    run(
        &mut s,
        &[
            "mkdir a",
            "spawn a anon 200M --ws 4M --hold",
            "wait",
            "agent senpai --min-size 10M a",
            "sleep 3s",
            "echo 300M > a/memory.high",
            "sleep 5s",
        ],
    );
    let lines = agent_lines(&mut s);
    assert_eq!(lines[1].action, "tighten");
    assert_eq!(lines[1].has("reset"), Some("1"));
    assert_eq!(lines[1].get("high"), 200 << 20);
}

/// Senpai needs memory.pressure, memory.high and memory.current, in
/// senpai.py's order: ALinux's v1 has the first two but no memory.current
/// (`memory.usage_in_bytes` instead); the root has no memory.high.
#[test]
fn senpai_refuses_without_its_files() {
    let mut s = Simulator::new(Version::V1);
    run(&mut s, &["mkdir /sys/fs/cgroup/memory/a"]);
    let out = s.exec("agent senpai /sys/fs/cgroup/memory/a");
    assert_eq!(out.status, 1);
    assert_eq!(
        out.stderr,
        "agent: senpai: /sys/fs/cgroup/memory/a/memory.current: No such file or directory\n"
    );
    let mut s = sim(KernelFlavour::Alinux419);
    let out = s.exec("agent senpai /sys/fs/cgroup");
    assert_eq!(
        out.stderr,
        "agent: senpai: /sys/fs/cgroup/memory.high: No such file or directory\n"
    );
    assert!(!s.exec("agent senpai --max-probe x /sys/fs/cgroup").ok());
    assert_eq!(s.exec("agent").status, 2);
    assert_eq!(s.exec("agent nope a").status, 2);
    assert_eq!(
        s.exec("agent senpai nowhere").stderr,
        "agent: nowhere: No such file or directory\n"
    );
    assert!(s.exec("ps").stdout.lines().all(|l| !l.contains("agent:")));
}

// ---------------------------------------------------------------------------
// Koordinator

const KOORD: &[&str] = &[
    "mkdir a",
    "echo 1G > a/memory.max",
    "spawn a file 2G --ws 100M --rate 200M/s",
    "agent koordinator a",
    "sleep 12s",
];

/// Over 95% of memory.max, min(excess, 32 MiB) goes to memory.reclaim
/// every reconcile interval (1 s after the last tick's work).
#[test]
fn koordinator_writes_min_excess_32m_over_the_watermark() {
    let mut s = sim(KernelFlavour::Linux66);
    run(&mut s, KOORD);
    let lines = agent_lines(&mut s);
    assert_eq!(lines[0].action, "start");
    let reclaims: Vec<&Line> = lines.iter().filter(|l| l.action == "reclaim").collect();
    assert!(reclaims.len() >= 5, "{lines:?}");
    for l in &reclaims {
        // 1G × 95 / 100, rounded down.
        assert_eq!(l.get("wmark"), 1_020_054_732);
        let excess = l.get("current") - l.get("wmark");
        assert_eq!(l.get("bytes"), excess.min(32 << 20));
        assert!(l.has("error").is_none());
        // Its CPU: 2 reads, the write, and the write's reclaim.
        assert!(l.get("cost_ns") > 3 * AGENT_SYSCALL_NS);
        assert!(l.get("reclaimed") > 0);
    }
    // The first time over: less than 32M over; then full 32M batches.
    assert!(reclaims[0].get("bytes") < 32 << 20);
    assert_eq!(reclaims[1].get("bytes"), 32 << 20);
    // Ticks one interval apart after each tick's work.
    for w in reclaims.windows(2) {
        assert_eq!(w[1].t, w[0].t + w[0].get("cost_ns") + 1_000_000_000);
    }
}

#[test]
fn koordinator_interval_and_ratio_options() {
    let mut s = sim(KernelFlavour::Linux66);
    run(
        &mut s,
        &[
            "mkdir a",
            "echo 1G > a/memory.max",
            "spawn a file 2G --ws 100M --rate 200M/s",
            "agent koordinator --interval 250ms --wmark-ratio 80 --batch 8M a",
            "sleep 8s",
        ],
    );
    let lines = agent_lines(&mut s);
    let reclaims: Vec<&Line> = lines.iter().filter(|l| l.action == "reclaim").collect();
    assert!(reclaims.len() > 10);
    for l in &reclaims {
        assert_eq!(l.get("wmark"), (1u64 << 30) * 80 / 100);
        assert!(l.get("bytes") <= 8 << 20);
    }
    for w in reclaims.windows(2) {
        // Consecutive ticks that both reclaimed are 250 ms apart.
        if w[1].t - w[0].t < 500_000_000 {
            assert_eq!(w[1].t, w[0].t + w[0].get("cost_ns") + 250_000_000);
        }
    }
    // Ratio 0 is Koordinator's "off": nothing written, no syscalls.
    let mut s = sim(KernelFlavour::Linux66);
    run(
        &mut s,
        &[
            "mkdir a",
            "echo 1G > a/memory.max",
            "spawn a file 2G --ws 100M --rate 200M/s",
            "agent koordinator --wmark-ratio 0 a",
            "sleep 8s",
        ],
    );
    assert!(agent_lines(&mut s).iter().all(|l| l.action == "start"));
}

/// Nothing to reclaim (hot anon, no swap): memory.reclaim fails with
/// EAGAIN, which the loop takes as success and goes on.
#[test]
fn koordinator_takes_eagain_as_success() {
    let mut s = Simulator::builder(Version::V2)
        .flavour(KernelFlavour::Linux66)
        .swap_pages(0)
        .trace_sink(true)
        .build();
    run(
        &mut s,
        &[
            "mkdir a",
            "echo 100M > a/memory.max",
            "spawn a anon 98M --ws 98M --hold",
            "wait",
            "agent koordinator a",
            "sleep 3500ms",
        ],
    );
    let lines = agent_lines(&mut s);
    let reclaims: Vec<&Line> = lines.iter().filter(|l| l.action == "reclaim").collect();
    assert_eq!(reclaims.len(), 4, "{lines:?}");
    for l in &reclaims {
        assert_eq!(l.has("error"), Some("EAGAIN"));
        assert_eq!(l.get("reclaimed"), 0);
    }
    assert!(s.exec("ps").stdout.contains("agent:koordinator"));
}

/// Without memory.reclaim (4.19 kernels) Koordinator's probe fails.
#[test]
fn koordinator_refuses_without_memory_reclaim() {
    let mut s = sim(KernelFlavour::Alinux419);
    run(&mut s, &["mkdir a"]);
    let out = s.exec("agent koordinator a");
    assert_eq!(out.status, 1);
    assert_eq!(
        out.stderr,
        "agent: koordinator: /sys/fs/cgroup/a/memory.reclaim: No such file or directory\n"
    );
}

// ---------------------------------------------------------------------------
// The process: CPU, kill, ps, determinism, replay

#[test]
fn agent_cpu_is_counted_per_agent_and_per_cgroup() {
    let mut s = sim(KernelFlavour::Linux66);
    run(&mut s, KOORD);
    let lines = agent_lines(&mut s);
    let engine = s.engine();
    let pid = lines[0].pid;
    let agent = &engine.agents[&pid].agent;
    // Start-up: the stat of memory.reclaim; each tick two reads, plus the
    // write and its reclaim when over the watermark.
    let reclaim_cost: u64 = lines
        .iter()
        .filter(|l| l.action == "reclaim")
        .map(|l| l.get("cost_ns"))
        .sum();
    let quiet_ticks = agent.ticks - lines.iter().filter(|l| l.action == "reclaim").count() as u64;
    assert_eq!(
        agent.cpu_ns,
        AGENT_SYSCALL_NS + reclaim_cost + quiet_ticks * 2 * AGENT_SYSCALL_NS
    );
    assert_eq!(engine.agent_cpu_ns(), agent.cpu_ns);
    let a = s.lookup("/sys/fs/cgroup/a").unwrap();
    assert_eq!(s.memcg_times(a).unwrap().agent_cpu_ns, agent.cpu_ns);
    // The reclaim is most of it: the writer pays for memory.reclaim.
    assert!(reclaim_cost > 100 * AGENT_SYSCALL_NS);
}

#[test]
fn kill_stops_an_agent() {
    let mut s = sim(KernelFlavour::Linux66);
    run(&mut s, &KOORD[..4]);
    run(&mut s, &["sleep 6s"]);
    let pid = agent_lines(&mut s)[0].pid;
    let ps = s.exec("ps").stdout;
    assert!(
        ps.lines()
            .any(|l| l.trim_start().starts_with(&pid.to_string())
                && l.ends_with("agent:koordinator")),
        "{ps}"
    );
    run(&mut s, &[&format!("kill {pid}")]);
    let cpu = s.engine().agents[&pid].agent.cpu_ns;
    run(&mut s, &["sleep 5s"]);
    let lines = agent_lines(&mut s);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0].action, "killed");
    assert_eq!(lines[0].get("cpu_ns"), cpu);
    assert_eq!(s.engine().agents[&pid].agent.cpu_ns, cpu);
    assert!(!s.exec("ps").stdout.contains("agent:"));
    let out = s.exec(&format!("kill {pid}"));
    assert_eq!(
        out.stderr,
        format!("bash: kill: ({pid}) - No such process\n")
    );
    // A task spawned next gets the next pid.
    assert_eq!(s.exec("spawn a anon 1M").stdout, format!("{}\n", pid + 1));
}

fn script_hash(mode: EngineMode, lines: &[&str]) -> u64 {
    let mut s = Simulator::builder(Version::V2)
        .flavour(KernelFlavour::Linux66)
        .engine(mode)
        .build();
    run(&mut s, lines);
    s.trace_hash()
}

const BOTH: &[&str] = &[
    "mkdir a b",
    "echo 1G > a/memory.max",
    "spawn a file 2G --ws 100M --rate 200M/s",
    "spawn b anon 300M --ws 120M --rate 20M/s --hold",
    "agent koordinator a",
    "agent senpai b",
    "sleep 20s",
];

#[test]
fn agents_are_deterministic_in_both_engines() {
    let h = script_hash(EngineMode::Bulk, BOTH);
    assert_eq!(h, script_hash(EngineMode::Bulk, BOTH));
    assert_eq!(h, script_hash(EngineMode::PerPage, BOTH));
}

/// `agent` lines are journaled like `spawn`: a scenario replays them.
#[test]
fn a_scenario_replays_its_agents() {
    let mut s = Simulator::builder(Version::V2)
        .flavour(KernelFlavour::Linux66)
        .build();
    run(&mut s, BOTH);
    let sc = s.scenario().unwrap();
    assert!(sc
        .journal
        .iter()
        .any(|e| e.exec.as_deref() == Some("agent senpai b")));
    let again = sc.instantiate().unwrap();
    assert_eq!(again.trace_hash(), s.trace_hash());
    assert_eq!(again.engine().agent_cpu_ns(), s.engine().agent_cpu_ns());
}

#[test]
fn help_lists_agent() {
    let mut s = Simulator::new(Version::V2);
    assert!(s
        .exec("help")
        .stdout
        .contains("agent senpai|koordinator [OPTIONS] CGROUP"));
}

/// The agent runs as the user who started it: files are root-owned, so
/// nobody's Senpai cannot write memory.high.
#[test]
fn an_agent_runs_as_its_user() {
    let mut s = sim(KernelFlavour::Alinux419);
    run(&mut s, &["mkdir a"]);
    let out = s.exec("su nobody -c 'agent senpai /sys/fs/cgroup/a'");
    assert_eq!(
        out.stderr,
        "agent: senpai: /sys/fs/cgroup/a/memory.high: Permission denied\n"
    );
}

/// senpai.py dies on the first failed access (an uncaught `OSError`):
/// a removed cgroup ends it at its next tick.
#[test]
fn senpai_exits_when_its_cgroup_goes() {
    let mut s = sim(KernelFlavour::Alinux419);
    run(
        &mut s,
        &[
            "mkdir a",
            "agent senpai --min-size 10M a",
            "rmdir a",
            "sleep 3s",
        ],
    );
    let lines = agent_lines(&mut s);
    let acts: Vec<&str> = lines.iter().map(|l| l.action.as_str()).collect();
    assert_eq!(acts, ["start", "exit"]);
    assert_eq!(lines[1].has("error"), Some("ENOENT"));
    assert!(!s.exec("ps").stdout.contains("agent:"));
}

#[test]
fn bad_agent_arguments_are_usage_errors() {
    let mut s = sim(KernelFlavour::Linux66);
    run(&mut s, &["mkdir a"]);
    for (line, err) in [
        (
            "agent senpai --interval",
            "agent: option '--interval' requires an argument\n",
        ),
        (
            "agent senpai --interval 0 a",
            "agent: --interval: invalid value '0'\n",
        ),
        (
            "agent senpai --pressure 99999999999999999999 a",
            "agent: --pressure: invalid value '99999999999999999999'\n",
        ),
        (
            "agent senpai --max-probe 0.0000000001 a",
            "agent: --max-probe: invalid value '0.0000000001'\n",
        ),
        (
            "agent senpai --min-size 2G --max-size 1G a",
            "agent: senpai: --min-size is above --max-size\n",
        ),
        (
            "agent senpai --wmark-ratio 5 a",
            "agent: senpai: unknown option '--wmark-ratio'\n",
        ),
        (
            "agent senpai --coeff-probe 0 a",
            "agent: --coeff-probe: invalid value '0'\n",
        ),
        (
            "agent senpai --pressure 0 a",
            "agent: --pressure: invalid value '0'\n",
        ),
        (
            "agent koordinator --interval 0s a",
            "agent: --interval: invalid value '0s'\n",
        ),
        (
            "agent koordinator --batch 0 a",
            "agent: --batch: invalid value '0'\n",
        ),
        (
            "agent koordinator --wmark-ratio 101 a",
            "agent: --wmark-ratio: invalid value '101'\n",
        ),
        (
            "agent koordinator --max-probe 1 a",
            "agent: koordinator: unknown option '--max-probe'\n",
        ),
        (
            "agent nope a",
            "agent: nope: unknown agent (senpai, koordinator)\n",
        ),
    ] {
        let out = s.exec(line);
        assert_eq!(out.status, 2, "{line}");
        assert_eq!(out.stderr, err, "{line}");
    }
    let out = s.exec("agent senpai a b");
    assert_eq!(out.status, 2);
    assert!(out
        .stderr
        .starts_with("agent: usage: agent senpai|koordinator"));
    assert!(!s.exec("ps").stdout.contains("agent:"));
}

/// The README's Koordinator example prints these lines.
#[test]
fn the_readme_example_traces_as_shown() {
    let readme = include_str!("../../README.md");
    let mut s = sim(KernelFlavour::Linux66);
    run(
        &mut s,
        &[
            "mkdir a",
            "echo 1G > a/memory.max",
            "spawn a file 2G --ws 100M --rate 200M/s",
            "agent koordinator a",
            "sleep 8s",
        ],
    );
    let trace: Vec<String> = s.take_trace().into_iter().collect();
    let shown: Vec<&str> = readme
        .lines()
        .filter(|l| l.contains("agent=koordinator action=reclaim"))
        .collect();
    assert_eq!(shown.len(), 2);
    for l in shown {
        assert!(trace.iter().any(|t| t == l), "{l}");
    }
}
