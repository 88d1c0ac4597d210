//! Dirty page cache and writeback (docs/model.md §18.9, issue 11): the
//! flusher, `balance_dirty_pages`, reclaim meeting dirty and writeback pages.

use memcg::bdi::{VmDirty, WbReason};
use memcg::engine::{EngineMode, TaskState};
use memcg::lru::CostModel;
use memcg::scenario::Scenario;
use memcg::sim::SimConfig;
use memcg::{Simulator, Version};

const PAGES_100M: u64 = 25_600;

fn sim(v: Version, mode: EngineMode, writeback_ns: u64) -> Simulator {
    let mut c = SimConfig::new(v);
    c.mode = mode;
    c.costs = CostModel {
        writeback_ns,
        ..CostModel::default()
    };
    Simulator::build(c)
}

fn sh(s: &mut Simulator, line: &str) -> String {
    let o = s.exec(line);
    assert!(o.ok(), "{line}: {}", o.stderr);
    o.stdout
}

fn trace(s: &Simulator) -> Vec<String> {
    s.engine().trace.recent().cloned().collect()
}

fn limit_file(v: Version) -> &'static str {
    match v {
        Version::V1 => "memory.limit_in_bytes",
        Version::V2 => "memory.max",
    }
}

/// A 50M cgroup with `wmark_ratio` `ratio` running `spawn`, for `secs`.
fn run(v: Version, mode: EngineMode, wb_ns: u64, ratio: u32, spawn: &str, secs: u32) -> Simulator {
    let mut s = sim(v, mode, wb_ns);
    sh(&mut s, "mkdir t");
    sh(&mut s, &format!("echo 50M > t/{}", limit_file(v)));
    sh(&mut s, &format!("echo {ratio} > t/memory.wmark_ratio"));
    sh(&mut s, spawn);
    for _ in 0..secs {
        sh(&mut s, "sleep 1s");
        s.kernel().check_invariants().unwrap();
    }
    s
}

/// The writer: 100M at 50M/s into a 50M cgroup.
const WRITER: &str = "spawn t dirty 100M --rate 50M/s";

fn alloc_done_at(s: &Simulator) -> u64 {
    let line = trace(s)
        .into_iter()
        .find(|l| l.contains("alloc_done"))
        .expect("the writer finished its writes");
    let t = line.split_whitespace().next().unwrap();
    let (sec, ns) = t.split_once('.').unwrap();
    sec.parse::<u64>().unwrap() * 1_000_000_000 + ns.parse::<u64>().unwrap()
}

fn stat(s: &mut Simulator, v: Version, key: &str) -> u64 {
    let text = sh(s, "cat t/memory.stat");
    let key = match (v, key) {
        (Version::V2, "dirty") => "file_dirty",
        (Version::V2, "writeback") => "file_writeback",
        (_, k) => k,
    };
    text.lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("{key} in {text}"))
}

#[test]
fn dirty_writer_is_not_oom_killed_without_async_reclaim() {
    // On the code before issue 11 direct reclaim skipped dirty pages and
    // nothing else cleaned them: the writer was OOM-killed at 50M.
    for v in [Version::V1, Version::V2] {
        for mode in [EngineMode::PerPage, EngineMode::Bulk] {
            let s = run(v, mode, CostModel::default().writeback_ns, 0, WRITER, 10);
            let t = trace(&s);
            assert!(
                !t.iter().any(|l| l.contains("oom_kill")),
                "{v:?} {mode:?}: {}",
                t.join("\n")
            );
            let task = s.engine().tasks.values().next().unwrap();
            assert_eq!(task.state, TaskState::Exited, "{v:?} {mode:?}");
            assert!(task.stall_ns > 0, "{v:?} {mode:?}: the writer stalled");
            let t = s.lookup("t").unwrap();
            let usage = s.kernel().tree.memcg(t).memory.usage;
            assert!(usage <= 12_800, "{v:?}: usage {usage} within the limit");
        }
    }
}

#[test]
fn a_slow_device_slows_the_writer_down_to_its_bandwidth() {
    // 160 µs a page: 25 MB/s, half the writer's rate. The writer's last
    // 50M (what cannot stay in the 50M cgroup) must go through the device,
    // so its writes end no earlier than 50M / 25MB/s = 2 s after start,
    // however fast it dirties: with no device limit they would end at 2 s.
    let wb_ns = 160_000;
    for v in [Version::V1, Version::V2] {
        let s = run(v, EngineMode::Bulk, wb_ns, 0, WRITER, 20);
        assert!(!trace(&s).iter().any(|l| l.contains("oom_kill")), "{v:?}");
        let done = alloc_done_at(&s);
        let through_device = (PAGES_100M - 12_800) * wb_ns;
        assert!(
            done >= through_device && done > 2_100_000_000,
            "{v:?}: writes done at {done} ns, nominal 2 s"
        );
        let t = s.lookup("t").unwrap();
        let st = &s.kernel().tree.memcg(t).stat;
        match v {
            // v1: no memcg dirty domain; reclaim waits on writeback.
            Version::V1 => {
                assert!(st.writeback_wait_ns > 0, "{v:?}: {st:?}");
                assert_eq!(st.dirty_throttle_ns, 0, "{v:?}: the global domain is far");
            }
            // v2: balance_dirty_pages throttles against the memcg domain.
            Version::V2 => assert!(st.dirty_throttle_ns > 0, "{v:?}: {st:?}"),
        }
    }
}

#[test]
fn memory_stat_dirty_and_writeback_move() {
    for v in [Version::V1, Version::V2] {
        let mut s = sim(v, EngineMode::Bulk, 160_000);
        sh(&mut s, "mkdir t");
        sh(&mut s, &format!("echo 50M > t/{}", limit_file(v)));
        sh(&mut s, "spawn t dirty 100M --rate 50M/s");
        let (mut max_dirty, mut max_wb) = (0, 0);
        for _ in 0..40 {
            sh(&mut s, "sleep 100ms");
            max_dirty = max_dirty.max(stat(&mut s, v, "dirty"));
            max_wb = max_wb.max(stat(&mut s, v, "writeback"));
        }
        assert!(max_dirty > 0 && max_wb > 0, "{v:?}: {max_dirty} {max_wb}");
        // 30 s later the periodic flush has written everything.
        sh(&mut s, "sleep 40s");
        assert_eq!(stat(&mut s, v, "dirty"), 0, "{v:?}");
        assert_eq!(stat(&mut s, v, "writeback"), 0, "{v:?}");
    }
}

#[test]
fn the_periodic_flush_writes_expired_dirty_data() {
    // 1M dirty in a roomy cgroup: under every threshold, so only the
    // kupdate flush (every 5 s, data older than 30 s) writes it.
    let mut s = sim(Version::V2, EngineMode::Bulk, 20_000);
    sh(&mut s, "mkdir t");
    sh(&mut s, "spawn t dirty 1M");
    sh(&mut s, "sleep 29s");
    assert_eq!(stat(&mut s, Version::V2, "dirty"), 1 << 20);
    sh(&mut s, "sleep 7s");
    assert_eq!(stat(&mut s, Version::V2, "dirty"), 0);
    let lines = trace(&s);
    let wb: Vec<_> = lines.iter().filter(|l| l.contains("writeback")).collect();
    assert_eq!(wb.len(), 1, "{wb:?}");
    assert!(wb[0].contains("pages=256 reason=periodic"), "{}", wb[0]);
    assert!(
        wb[0].trim_start().starts_with("30."),
        "at the 30 s tick: {}",
        wb[0]
    );
}

#[test]
fn the_workers_share_of_cleaning_is_visible() {
    for v in [Version::V1, Version::V2] {
        // The default device (about 200 MB/s) outpaces the writer, so the
        // worker keeps up and direct reclaim never runs.
        let s = run(v, EngineMode::Bulk, 20_000, 95, WRITER, 20);
        let t = s.lookup("t").unwrap();
        let st = &s.kernel().tree.memcg(t).stat;
        let by = |r: WbReason| st.written[r as usize];
        let worker = by(WbReason::VmscanKswapd) + by(WbReason::Pageout);
        let lines = trace(&s);
        let shown = lines.iter().any(|l| l.contains("reason=vmscan_kswapd"));
        match v {
            // v1: the worker meets the dirty pages first and wakes the
            // flusher for them; direct reclaim never has to.
            Version::V1 => {
                assert!(worker > 0, "{v:?}: {:?}", st.written);
                assert_eq!(by(WbReason::Vmscan), 0, "{v:?}: {:?}", st.written);
                assert!(shown, "{v:?}: the trace shows it");
            }
            // v2: the memcg dirty domain's background writeback keeps dirty
            // pages few; the worker reclaims what the flusher cleaned.
            Version::V2 => {
                assert_eq!(worker, 0, "{v:?}: {:?}", st.written);
                assert!(by(WbReason::Background) > 0, "{v:?}: {:?}", st.written);
                assert!(!shown, "{v:?}");
            }
        }
        assert!(st.pgsteal_kswapd > 0, "{v:?}");
        assert_eq!(st.pgsteal_direct, 0, "{v:?}: the worker kept up");
        assert!(!lines.iter().any(|l| l.contains("oom_kill")), "{v:?}");
    }
}

#[test]
fn the_writer_preset_differs_between_v1_and_v2() {
    // v1 has no memcg dirty domain: the cgroup fills with dirty pages and
    // reclaim waits on writeback. v2 keeps dirty + writeback near its
    // memcg's dirty limit (20 % of 50M) and throttles the writer instead.
    let mut peak = Vec::new();
    for v in [Version::V1, Version::V2] {
        let mut s = sim(v, EngineMode::Bulk, 160_000);
        sh(&mut s, "mkdir t");
        sh(&mut s, &format!("echo 50M > t/{}", limit_file(v)));
        sh(&mut s, "spawn t writer 200M");
        let mut max = 0;
        for _ in 0..50 {
            sh(&mut s, "sleep 100ms");
            max = max.max(stat(&mut s, v, "dirty") + stat(&mut s, v, "writeback"));
        }
        let t = s.lookup("t").unwrap();
        let st = s.kernel().tree.memcg(t).stat.clone();
        peak.push((max, st.writeback_wait_ns, st.dirty_throttle_ns));
    }
    let (v1, v2) = (peak[0], peak[1]);
    assert!(
        v1.0 > 40 << 20,
        "v1 fills the cgroup with dirty pages: {v1:?}"
    );
    assert!(v2.0 < 12 << 20, "v2 stays near its dirty limit: {v2:?}");
    assert!(v1.1 > 0 && v1.2 == 0, "v1 waits in reclaim: {v1:?}");
    assert!(v2.2 > 0, "v2 sleeps in balance_dirty_pages: {v2:?}");
}

#[test]
fn engines_agree_on_dirty_writers() {
    for v in [Version::V1, Version::V2] {
        for (ratio, spawn, wb_ns) in [
            (0, WRITER, 20_000),
            (0, WRITER, 160_000),
            (95, WRITER, 160_000),
            (0, "spawn t dirty 80M", 160_000),
            (60, "spawn t writer 70M --rate 30M/s", 40_000),
        ] {
            let hashes: Vec<u64> = [EngineMode::PerPage, EngineMode::Bulk]
                .into_iter()
                .map(|mode| run(v, mode, wb_ns, ratio, spawn, 40).trace_hash())
                .collect();
            assert_eq!(hashes[0], hashes[1], "{v:?} {ratio} {spawn} {wb_ns}");
        }
    }
}

#[test]
fn sysctls_and_ram_are_scenario_fields() {
    let vm = VmDirty {
        dirty_ratio: 40,
        dirty_background_ratio: 5,
        dirty_expire_centisecs: 1000,
        ..VmDirty::default()
    };
    let mut s = Simulator::builder(Version::V2)
        .vm_dirty(vm)
        .ram_pages(1 << 18)
        .build();
    sh(&mut s, "mkdir t");
    let sc = s.scenario().unwrap();
    assert_eq!((sc.vm_dirty, sc.ram_pages), (vm, 1 << 18));
    let json = memcg::share::to_json(&sc);
    assert!(json.contains("\"dirty_ratio\": 40"), "{json}");
    assert_eq!(memcg::share::from_json(&json).unwrap(), sc);
    // Defaults stay out of the JSON (older links read the same).
    let plain = Simulator::new(Version::V2).scenario().unwrap();
    let json = memcg::share::to_json(&plain);
    assert!(
        !json.contains("vm_dirty") && !json.contains("ram_pages"),
        "{json}"
    );
    for bad in [
        Scenario {
            vm_dirty: VmDirty {
                dirty_ratio: 101,
                ..VmDirty::default()
            },
            ..Scenario::default()
        },
        Scenario {
            ram_pages: 0,
            ..Scenario::default()
        },
    ] {
        assert!(bad.validate().is_err());
    }
}

#[test]
fn the_bulk_engine_skips_quiet_dirtying_faults() {
    // The engines only agree meaningfully if Bulk really takes the fast
    // path for dirtying faults: far fewer events, the same trace.
    for v in [Version::V1, Version::V2] {
        let per = run(v, EngineMode::PerPage, 20_000, 0, WRITER, 3);
        let bulk = run(v, EngineMode::Bulk, 20_000, 0, WRITER, 3);
        assert_eq!(per.trace_hash(), bulk.trace_hash(), "{v:?}");
        let (p, b) = (per.events_processed(), bulk.events_processed());
        assert!(b * 3 < p, "{v:?}: {b} bulk events vs {p} per page");
    }
}
