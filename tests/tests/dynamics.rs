//! Spec §17 vectors that need the time model (TV-16 … TV-23, TV-30) and the
//! engine's determinism (issue 3).

use memcg::charge::{stock_of, try_charge, ChargeCtx, ChargeResult};
use memcg::counter::CounterKind;
use memcg::engine::EngineMode;
use memcg::reclaim::{
    mem_cgroup_protected, try_to_free_mem_cgroup_pages, Protection, Reclaim, ReclaimCtx,
};
use memcg::sim::SimConfig;
use memcg::tree::{CgroupId, MemcgEvent};
use memcg::{Simulator, Version};

fn sim(v: Version, cpus: usize, mode: EngineMode) -> Simulator {
    let mut c = SimConfig::new(v);
    c.kernel.cpus = cpus;
    c.mode = mode;
    Simulator::build(c)
}

fn sh(s: &mut Simulator, line: &str) -> String {
    let o = s.exec(line);
    assert!(o.ok(), "{line}: {}", o.stderr);
    o.stdout
}

fn charge1(s: &mut Simulator, m: CgroupId) -> ChargeResult {
    let k = &mut s.machine_mut().kernel;
    let costs = k.costs;
    try_charge(
        k,
        &costs,
        m,
        1,
        ChargeCtx {
            cpu: 0,
            pid: None,
            memalloc: false,
        },
    )
    .result
}

fn trace(s: &Simulator) -> Vec<String> {
    s.engine().trace.recent().cloned().collect()
}

#[test]
fn tv16_stock_precharge() {
    for v in [Version::V1, Version::V2] {
        let mut s = sim(v, 1, EngineMode::PerPage);
        sh(&mut s, "mkdir t");
        let t = s.lookup("t").unwrap();
        charge1(&mut s, t);
        let cur = if v == Version::V1 {
            "t/memory.usage_in_bytes"
        } else {
            "t/memory.current"
        };
        assert_eq!(sh(&mut s, &format!("cat {cur}")), "131072\n");
        assert_eq!(stock_of(&s.machine().kernel, t), 31);
        for _ in 2..=32 {
            charge1(&mut s, t);
            assert_eq!(
                s.kernel().tree.memcg(t).memory.usage,
                32,
                "pages 2..32 use the stock"
            );
        }
        charge1(&mut s, t);
        assert_eq!(s.kernel().tree.memcg(t).memory.usage, 64);
        // TV-16b: usage = 32 × ceil(n / 32).
        for n in 34..=200u64 {
            charge1(&mut s, t);
            assert_eq!(s.kernel().tree.memcg(t).memory.usage, 32 * n.div_ceil(32));
        }
    }
}

#[test]
fn tv17_failcnt_around_the_limit() {
    let mut s = sim(Version::V1, 1, EngineMode::PerPage);
    sh(&mut s, "mkdir t; echo 409600 > t/memory.limit_in_bytes");
    let t = s.lookup("t").unwrap();
    for _ in 0..96 {
        charge1(&mut s, t);
    }
    assert_eq!(
        sh(&mut s, "cat t/memory.usage_in_bytes t/memory.failcnt"),
        format!("{}\n0\n", 96 * 4096)
    );
    charge1(&mut s, t);
    assert_eq!(
        sh(
            &mut s,
            "cat t/memory.usage_in_bytes t/memory.failcnt t/memory.max_usage_in_bytes"
        ),
        format!("{}\n1\n397312\n", 97 * 4096)
    );
    for _ in 98..=100 {
        charge1(&mut s, t);
    }
    assert_eq!(sh(&mut s, "cat t/memory.failcnt"), "4\n");
    assert_eq!(s.kernel().tree.memcg(t).memory.usage, 100);
    // Fault 101: batch and exact fail, then direct reclaim (MAX). Nothing is
    // reclaimable and no task can be killed, so it ends forced (§3).
    assert_eq!(charge1(&mut s, t), ChargeResult::Forced);
    let m = s.kernel().tree.memcg(t);
    assert!(m.memory.failcnt >= 6);
    assert_eq!(
        m.events_local[MemcgEvent::Max as usize],
        7,
        "1 before the drain, 1 after, 5 retries"
    );
    assert_eq!(m.events_local[MemcgEvent::Oom as usize], 1);
}

#[test]
fn tv17b_limit_below_unreclaimable_usage_is_ebusy() {
    let mut c = SimConfig::new(Version::V1);
    c.kernel.cpus = 1;
    c.kernel.swap_pages = 0; // anon cannot be reclaimed
    let mut s = Simulator::build(c);
    sh(
        &mut s,
        "mkdir t; echo 1G > t/memory.limit_in_bytes; echo 95 > t/memory.wmark_ratio",
    );
    sh(&mut s, "spawn t anon 800K --hold");
    assert_eq!(sh(&mut s, "wait"), "1001 holding\n");
    let out = s.exec("echo 409600 > t/memory.limit_in_bytes");
    assert_eq!(
        out.stderr,
        "bash: echo: write error: Device or resource busy\n"
    );
    assert_eq!(
        sh(
            &mut s,
            "cat t/memory.limit_in_bytes t/memory.wmark_high t/memory.wmark_low"
        ),
        "1073741824\n1020051456\n1014685696\n"
    );
}

/// A v1 memcg at the seed's settings holding `pages` of clean page cache
/// (a reader that ran and exited) on one CPU.
fn seed_memcg_with_cache(mode: EngineMode, ratio: &str, pages: u64) -> Simulator {
    let mut s = sim(Version::V1, 1, mode);
    sh(&mut s, "mkdir t; echo 1G > t/memory.limit_in_bytes");
    sh(&mut s, &format!("echo {ratio} > t/memory.wmark_ratio"));
    sh(&mut s, &format!("spawn t file {}K --hold", pages * 4));
    s
}

#[test]
fn tv18_first_refill_at_wmark_high_queues_and_worker_stops_under_low() {
    for mode in [EngineMode::PerPage, EngineMode::Bulk] {
        let mut s = seed_memcg_with_cache(mode, "95", 249025);
        sh(&mut s, "wait");
        s.run_until(s.now() + 1_000_000_000);
        let lines = trace(&s);
        let queued: Vec<&String> = lines.iter().filter(|l| l.contains("work_queued")).collect();
        assert_eq!(queued.len(), 1, "stock faults do not re-queue: {queued:?}");
        assert!(
            queued[0].contains("usage=249056 wmark_high=249036"),
            "{}",
            queued[0]
        );
        let start = lines.iter().find(|l| l.contains("work_start")).unwrap();
        assert!(
            start.contains("nr=1330 usage=249056 wmark_low=247726"),
            "{start}"
        );
        let done = lines.iter().find(|l| l.contains("work_done")).unwrap();
        let field = |l: &str, k: &str| -> u64 {
            l.split_whitespace()
                .find_map(|w| w.strip_prefix(k))
                .unwrap()
                .parse()
                .unwrap()
        };
        let (reclaimed, usage) = (field(done, "reclaimed="), field(done, "usage="));
        assert!(usage < 247726, "{done}");
        assert!(
            (1330..1330 + 32).contains(&reclaimed),
            "stops within a chunk of the request: {done}"
        );
        assert_eq!(
            s.kernel()
                .tree
                .memcg(s.lookup("t").unwrap())
                .wmark_work
                .label(),
            "idle"
        );
    }
}

#[test]
fn tv19_ratio_write_queues_at_once() {
    let mut s = seed_memcg_with_cache(EngineMode::Bulk, "0", 249025);
    sh(&mut s, "wait");
    assert!(!trace(&s).iter().any(|l| l.contains("work_queued")));
    sh(&mut s, "echo 95 > t/memory.wmark_ratio");
    let lines = trace(&s);
    let write = lines
        .iter()
        .rposition(|l| l.contains("memory.wmark_ratio"))
        .unwrap();
    assert!(
        lines[write + 1].contains("work_queued"),
        "{:?}",
        &lines[write..]
    );
    assert!(lines[write + 2].contains("work_start"));
}

#[test]
fn tv20_hysteresis_between_the_watermarks() {
    let mut s = seed_memcg_with_cache(EngineMode::Bulk, "95", 248000);
    sh(&mut s, "wait");
    s.run_until(s.now() + 10_000_000_000);
    assert!(
        !trace(&s).iter().any(|l| l.contains("work_")),
        "nothing queued between low and high"
    );
    let u = s.kernel().tree.memcg(s.lookup("t").unwrap()).memory.usage;
    assert!((247726..249036).contains(&u), "{u}");
}

#[test]
fn tv21_child_charge_wakes_the_parents_worker() {
    let mut s = sim(Version::V1, 1, EngineMode::Bulk);
    sh(
        &mut s,
        "mkdir -p P/C; echo 1G > P/memory.limit_in_bytes; echo 95 > P/memory.wmark_ratio",
    );
    assert_eq!(
        sh(&mut s, "cat P/C/memory.wmark_ratio"),
        "0\n",
        "created before the parent's ratio"
    );
    sh(&mut s, "spawn P/C file 1000M --hold");
    sh(&mut s, "wait");
    s.run_until(s.now() + 1_000_000_000);
    let lines = trace(&s);
    let q = lines.iter().find(|l| l.contains("work_queued")).unwrap();
    assert!(q.contains(" /P ") && q.contains("usage=249056"), "{q}");
    assert!(lines
        .iter()
        .any(|l| l.contains("work_chunk") && l.contains(" /P ")));
    let p = s.lookup("P").unwrap();
    let c = s.lookup("P/C").unwrap();
    let k = s.kernel();
    assert!(k.tree.memcg(p).memory.usage < 247726);
    assert!(
        k.tree.memcg(c).memory.usage < 247726,
        "the walk reclaimed from the child"
    );
    assert!(k.tree.memcg(p).wmark_reclaim_ns > 0 && k.tree.memcg(c).wmark_reclaim_ns == 0);
}

#[test]
fn tv22_wmark_suppresses_memory_high_throttling() {
    let mut s = sim(Version::V2, 1, EngineMode::Bulk);
    sh(&mut s, "mkdir t; echo 1G > t/memory.max; echo 100M > t/memory.high; echo 95 > t/memory.wmark_ratio");
    assert_eq!(
        sh(&mut s, "cat t/memory.wmark_high t/memory.wmark_low"),
        "99614720\n99090432\n"
    );
    sh(&mut s, "spawn t anon 300M --ws 40M --rate 100M/s --hold");
    sh(&mut s, "wait");
    s.run_until(s.now() + 2_000_000_000);
    let events = sh(&mut s, "cat t/memory.events");
    assert!(events.contains("high 0\n"), "{events}");
    let lines = trace(&s);
    assert!(lines.iter().any(|l| l.contains("work_queued")));
    assert!(!lines.iter().any(|l| l.contains("high_penalty")));
    let t = s.lookup("t").unwrap();
    assert!(
        s.kernel().tree.memcg(t).memory.usage < 24320 + 64,
        "the worker holds usage near wmark_high"
    );
}

#[test]
fn tv23_rmdir_with_work_pending() {
    let mut s = seed_memcg_with_cache(EngineMode::Bulk, "95", 249025);
    let pid = sh(&mut s, "ps")
        .lines()
        .last()
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    sh(&mut s, "wait");
    sh(&mut s, &format!("kill {pid}"));
    // The worker is running now; rmdir cancels it.
    assert!(trace(&s).iter().any(|l| l.contains("work_start")));
    sh(&mut s, "rmdir t");
    let n = trace(&s).len();
    s.run_until(s.now() + 1_000_000_000);
    let after: Vec<String> = trace(&s)[n..].to_vec();
    assert!(!after.iter().any(|l| l.contains("work_")), "{after:?}");
    s.machine().kernel.check_invariants().unwrap();
}

#[test]
fn tv30_protection_walk_and_low_retry() {
    let mut s = sim(Version::V2, 1, EngineMode::Bulk);
    sh(&mut s, "mkdir R; echo +memory > R/cgroup.subtree_control; mkdir R/P; echo +memory > R/P/cgroup.subtree_control");
    sh(&mut s, "mkdir R/P/B R/P/C R/P/D R/P/E");
    let g = 262144u64;
    let id = |s: &Simulator, p: &str| s.lookup(p).unwrap();
    let (r, p) = (id(&s, "R"), id(&s, "R/P"));
    let (b, c, d, e) = (
        id(&s, "R/P/B"),
        id(&s, "R/P/C"),
        id(&s, "R/P/D"),
        id(&s, "R/P/E"),
    );
    {
        let k = &mut s.machine_mut().kernel;
        for x in [b, c, d] {
            k.tree.page_counter_charge(x, 2 * g, CounterKind::Memory);
        }
        k.tree.page_counter_set_protection(p, None, Some(2 * g));
        k.tree.page_counter_set_protection(b, None, Some(3 * g));
        k.tree.page_counter_set_protection(c, None, Some(g));
        k.tree.page_counter_set_protection(e, None, Some(10 * g));
        assert_eq!(k.tree.memcg(b).memory.low_usage, 2 * g);
        assert_eq!(
            k.tree.memcg(c).memory.low_usage,
            0,
            "4.19: above low counts 0"
        );
        assert_eq!(k.tree.memcg(p).memory.children_low_usage, 2 * g);
        let walk: Vec<Protection> = [p, b, c, d, e]
            .iter()
            .map(|&m| mem_cgroup_protected(k, r, m))
            .collect();
        assert_eq!(
            walk,
            [
                Protection::None,
                Protection::Low,
                Protection::None,
                Protection::None,
                Protection::None
            ]
        );
        assert_eq!(k.tree.memcg(b).memory.elow, 2 * g);
        assert_eq!(k.tree.memcg(c).memory.elow, g);
        // Only B has reclaimable pages.
        k.tree.memcg_mut(b).pages.file_clean = 2 * g;
    }
    // The worker never breaks memory.low.
    {
        let k = &mut s.machine_mut().kernel;
        k.tree.memcg_mut(r).memory.wmark_low = 0;
        let costs = k.costs;
        let mut w = Reclaim::new(r, 32, ReclaimCtx::Kswapd, true);
        let got = w.run(k, &costs);
        assert_eq!(got.reclaimed, 0);
        assert_eq!(k.tree.memcg(b).events_local[MemcgEvent::Low as usize], 0);
    }
    // Direct reclaim: first pass skips B, the retry reclaims it and raises low.
    let k = &mut s.machine_mut().kernel;
    let costs = k.costs;
    let got = try_to_free_mem_cgroup_pages(k, &costs, r, 32, true);
    assert!(got.reclaimed >= 32);
    assert_eq!(k.tree.memcg(b).events_local[MemcgEvent::Low as usize], 1);
}

/// A scenario mixing every preset under one parent with async reclaim on.
fn preset_mix(mode: EngineMode, seed: u64) -> Simulator {
    let mut c = SimConfig::new(Version::V2);
    c.mode = mode;
    c.seed = seed;
    let mut s = Simulator::build(c);
    sh(&mut s, "mkdir app; echo 200M > app/memory.max; echo 95 > app/memory.wmark_ratio; echo +memory > app/cgroup.subtree_control");
    for (i, p) in memcg::workload::PRESETS.iter().enumerate() {
        sh(&mut s, &format!("mkdir app/{p}"));
        let size = 16 + 8 * i;
        sh(&mut s, &format!("spawn app/{p} {p} {size}M"));
    }
    s
}

#[test]
fn engines_agree_on_every_preset() {
    for p in memcg::workload::PRESETS {
        let run = |mode| {
            let mut s = sim(Version::V1, 2, mode);
            sh(
                &mut s,
                "mkdir t; echo 48M > t/memory.limit_in_bytes; echo 90 > t/memory.wmark_ratio",
            );
            sh(&mut s, &format!("spawn t {p} 40M"));
            sh(&mut s, "spawn t anon 12M --rate 20M/s --hold");
            s.run_until(3_000_000_000);
            s
        };
        let (a, b) = (run(EngineMode::PerPage), run(EngineMode::Bulk));
        assert_eq!(trace(&a), trace(&b), "{p}");
        assert_eq!(a.trace_hash(), b.trace_hash(), "{p}");
        assert_eq!(a.read("t/memory.stat"), b.read("t/memory.stat"), "{p}");
        assert!(
            a.engine().events_processed > b.engine().events_processed,
            "{p}: bulk skipped nothing"
        );
    }
    let (a, b) = (
        preset_mix(EngineMode::PerPage, 7),
        preset_mix(EngineMode::Bulk, 7),
    );
    let (mut a, mut b) = (a, b);
    a.run_until(4_000_000_000);
    b.run_until(4_000_000_000);
    assert_eq!(trace(&a), trace(&b));
    assert_eq!(a.trace_hash(), b.trace_hash());
}

#[test]
fn same_seed_same_trace_and_seed_matters() {
    let run = |seed| {
        let mut s = preset_mix(EngineMode::Bulk, seed);
        s.run_until(5_000_000_000);
        s.trace_hash()
    };
    assert_eq!(run(42), run(42));
    assert_ne!(
        run(42),
        run(43),
        "the burst preset's jitter draws from the seed"
    );
}

/// The golden hash shared with the wasm test (`core/tests/wasm.rs`).
#[test]
fn native_hash_matches_the_wasm_golden_value() {
    let hash = memcg_tests::golden_scenario_hash();
    let golden: u64 = include_str!("../golden/scenario.hash")
        .trim()
        .parse()
        .unwrap();
    assert_eq!(
        hash, golden,
        "update tests/golden/scenario.hash only if the model changed on purpose"
    );
}

fn no_swap(v: Version) -> Simulator {
    let mut c = SimConfig::new(v);
    c.kernel.swap_pages = 0;
    Simulator::build(c)
}

#[test]
fn memory_high_throttles_without_wmark() {
    let mut s = no_swap(Version::V2);
    sh(
        &mut s,
        "mkdir t; echo 1G > t/memory.max; echo 100M > t/memory.high",
    );
    sh(&mut s, "spawn t anon 130M --rate 200M/s --hold");
    sh(&mut s, "wait");
    let events = sh(&mut s, "cat t/memory.events");
    let high: u64 = events
        .lines()
        .find_map(|l| l.strip_prefix("high "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(high > 0, "{events}");
    assert!(
        trace(&s).iter().any(|l| l.contains("high_penalty")),
        "no reclaimable memory: the task sleeps"
    );
    let t = &s.engine().tasks[&1001];
    assert!(
        t.latency.max >= 10_000_000,
        "a penalty of more than 10 jiffies: {}",
        t.latency.max
    );
}

#[test]
fn oom_kills_the_biggest_task_and_oom_group_kills_all() {
    for group in [false, true] {
        let mut s = no_swap(Version::V2);
        sh(&mut s, "mkdir t; echo 64M > t/memory.max");
        if group {
            sh(&mut s, "echo 1 > t/memory.oom.group");
        }
        sh(&mut s, "spawn t anon 8M --hold; spawn t anon 80M --hold");
        s.run_until(2_000_000_000);
        let snap = s.snapshot();
        let state = |pid| {
            snap.tasks
                .iter()
                .find(|t| t.pid == pid)
                .unwrap()
                .state
                .clone()
        };
        assert_eq!(state(1002), "killed", "the bigger task");
        assert_eq!(state(1001), if group { "killed" } else { "holding" });
        let events = sh(&mut s, "cat t/memory.events");
        let kills = if group {
            "oom_kill 3\n"
        } else {
            "oom_kill 1\n"
        };
        assert!(
            events.contains("oom 1\n") && events.ends_with(kills),
            "{events}"
        );
        s.machine().kernel.check_invariants().unwrap();
    }
}

#[test]
fn v2_max_write_reclaims_then_ooms() {
    let mut s = Simulator::build(SimConfig::new(Version::V2));
    sh(&mut s, "mkdir t; spawn t file 64M --hold; wait");
    sh(&mut s, "echo 32M > t/memory.max");
    let t = s.lookup("t").unwrap();
    assert!(
        s.kernel().tree.memcg(t).memory.usage <= 8192,
        "page cache reclaimed"
    );
    assert!(sh(&mut s, "cat t/memory.events").contains("oom 0\n"));
    let mut s = no_swap(Version::V2);
    sh(&mut s, "mkdir t; spawn t anon 64M --hold; wait");
    sh(&mut s, "echo 32M > t/memory.max");
    assert_eq!(s.snapshot().tasks[0].state, "killed");
    assert!(sh(&mut s, "cat t/memory.events").contains("oom 1\n"));
}

#[test]
fn migration_and_controller_toggles_keep_the_accounting() {
    let mut s = Simulator::build(SimConfig::new(Version::V2));
    sh(&mut s, "mkdir -p a/b x; spawn a/b anon 8M --hold; wait");
    s.machine().kernel.check_invariants().unwrap();
    // a has no +memory: a/b charges to a.
    let a = s.lookup("a").unwrap();
    assert_eq!(s.kernel().tree.memcg(a).memory.usage, 2048);
    sh(&mut s, "echo +memory > a/cgroup.subtree_control");
    s.machine().kernel.check_invariants().unwrap();
    assert_eq!(
        s.kernel().tree.memcg(s.lookup("a/b").unwrap()).memory.usage,
        2048
    );
    sh(&mut s, "echo 1001 > x/cgroup.procs");
    s.machine().kernel.check_invariants().unwrap();
    // v2 never moves charges (§18.6): a/b keeps them.
    assert_eq!(
        s.kernel().tree.memcg(s.lookup("x").unwrap()).memory.usage,
        0
    );
    assert_eq!(
        s.kernel().tree.memcg(s.lookup("a/b").unwrap()).memory.usage,
        2048
    );
    sh(
        &mut s,
        "echo 1001 > a/b/cgroup.procs; echo -memory > a/cgroup.subtree_control",
    );
    s.machine().kernel.check_invariants().unwrap();
    s.run_until(s.now() + 1_000_000_000);
    s.machine().kernel.check_invariants().unwrap();
}

#[test]
fn fast_hierarchical_stats_match_the_per_memcg_sums() {
    let mut s = preset_mix(EngineMode::Bulk, 3);
    sh(
        &mut s,
        "mkdir app/stream/deeper; spawn app/stream/deeper anon 6M --hold",
    );
    s.run_until(1_500_000_000);
    let k = &s.machine().kernel;
    let all = memcg::cgroupfs::all_hierarchical_stats(k);
    let mut n = 0;
    for id in k.tree.ids() {
        let Some(v) = &all[id.0 as usize] else {
            assert!(k.tree.cg(id).memcg.is_none());
            continue;
        };
        n += 1;
        assert_eq!(
            *v,
            memcg::cgroupfs::hierarchical_stat(k, id),
            "{}",
            k.tree.rel_path(id)
        );
    }
    assert!(n > 5);
}

/// Plain `anon` touches each page once and then holds it untouched, as the
/// upstream selftests' `alloc_anon` (§18.5): limit reclaim swaps it out and
/// nothing refaults. `--ws` still asks for a working set that does.
#[test]
fn plain_anon_is_touch_once() {
    for (ws, refaults) in [("", false), (" --ws 64M", true)] {
        let mut s = sim(Version::V2, 4, EngineMode::Bulk);
        sh(&mut s, "mkdir t");
        sh(&mut s, &format!("spawn t anon 64M --hold{ws}"));
        sh(&mut s, "wait");
        sh(&mut s, "echo 32M > t/memory.max");
        sh(&mut s, "sleep 2s");
        let stat = sh(&mut s, "cat t/memory.stat");
        let field = |name: &str| -> u64 {
            stat.lines()
                .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
                .unwrap()
        };
        assert!(
            sh(&mut s, "cat t/memory.swap.current").trim() != "0",
            "{ws}"
        );
        assert_eq!(field("pgmajfault") > 0, refaults, "{ws}: {stat}");
    }
}
