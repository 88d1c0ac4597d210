//! The feature's point (issue 3, acceptance 4): the same workload stalls in
//! direct reclaim with wmark_ratio 0 and does not with wmark_ratio 95,
//! where the background worker pays instead.

use memcg::sim::SimConfig;
use memcg::{Simulator, Version};

struct Outcome {
    max_events: u64,
    p99_ns: u64,
    work_ms: u64,
    direct_lines: usize,
}

fn run(ratio: u32) -> Outcome {
    let mut s = Simulator::build(SimConfig::new(Version::V2));
    for line in [
        "mkdir svc",
        "echo 512M > svc/memory.max",
        &format!("echo {ratio} > svc/memory.wmark_ratio"),
        // A service growing 1.5G of anon at 100 MB/s, touching 128M of it.
        "spawn svc anon 1536M --ws 128M --rate 100M/s",
    ] {
        let o = s.exec(line);
        assert!(o.ok(), "{line}: {}", o.stderr);
    }
    assert_eq!(s.exec("wait").stdout, "1001 exited\n");
    let events = s.read("/sys/fs/cgroup/svc/memory.events").unwrap();
    let max_events = events
        .lines()
        .find_map(|l| l.strip_prefix("max "))
        .unwrap()
        .parse()
        .unwrap();
    let svc = s.lookup("svc").unwrap();
    let work_ms = s.kernel().tree.memcg(svc).wmark_reclaim_ns >> 20;
    let p99_ns = s.engine().tasks[&1001].latency.percentile(990);
    let direct_lines = s
        .engine()
        .trace
        .recent()
        .filter(|l| l.contains("direct_reclaim"))
        .count();
    Outcome {
        max_events,
        p99_ns,
        work_ms,
        direct_lines,
    }
}

#[test]
fn async_reclaim_removes_direct_reclaim_stalls() {
    let off = run(0);
    let on = run(95);
    eprintln!(
        "ratio 0: max events {}, p99 {} ns, worker {} ms; ratio 95: max events {}, p99 {} ns, worker {} ms",
        off.max_events, off.p99_ns, off.work_ms, on.max_events, on.p99_ns, on.work_ms
    );
    assert!(
        off.max_events > 1000,
        "direct reclaim on every refill past the limit"
    );
    assert!(off.direct_lines > 0);
    assert!(
        off.p99_ns >= 100_000,
        "p99 fault latency is direct reclaim: {} ns",
        off.p99_ns
    );
    assert_eq!(off.work_ms, 0);
    assert_eq!(on.max_events, 0, "the worker keeps usage under the limit");
    assert_eq!(on.direct_lines, 0);
    assert!(on.p99_ns < 10_000, "p99 is a plain fault: {} ns", on.p99_ns);
    assert!(
        on.work_ms > 0,
        "background reclaim time is accounted in exstat"
    );
}
