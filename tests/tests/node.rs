//! The node scenario of the benchmarks (`memcg_tests::node`): its shape is
//! the one the benchmark README describes, and it runs.

use memcg::sim::SimConfig;
use memcg::Version;
use memcg_tests::node::{build_node, node_script};

#[test]
fn node_script_has_the_described_shape() {
    let (lines, shape) = node_script(1_000, 3_000);
    assert_eq!(shape.cgroups, 1_000);
    assert_eq!(shape.tasks, 3_000);
    assert_eq!(shape.services, 20);
    assert_eq!(
        1 + shape.services + 3 + shape.pods + shape.containers,
        1_000
    );
    assert!(shape.containers >= shape.pods && shape.containers <= 2 * shape.pods);
    let count = |p: &str| lines.iter().filter(|l| l.starts_with(p)).count();
    assert_eq!(count("spawn "), 3_000);
    // Three levels below kubepods: class, pod, container.
    assert!(lines
        .iter()
        .any(|l| l.starts_with("mkdir kubepods/burstable/pod") && l.ends_with("/c1")));
    assert!(lines
        .iter()
        .any(|l| l.starts_with("mkdir kubepods/besteffort/pod")));
    // Limits on burstable pods and containers, async reclaim on every pod
    // and container.
    assert_eq!(count("echo 95 > kubepods/"), shape.pods + shape.containers);
    assert!(count("echo ") - count("echo 95 ") > shape.pods);
    for kind in [
        "steady", "burst", "stream", "leak", "sawtooth", "writer", "anon",
    ] {
        assert!(
            lines
                .iter()
                .any(|l| l.starts_with("spawn ") && l.contains(&format!(" {kind} "))),
            "no {kind} task"
        );
    }
    // Deterministic: the shape alone makes the text.
    assert_eq!(node_script(1_000, 3_000).0, lines);
}

#[test]
fn a_small_node_runs_the_same_twice_and_reclaims_in_the_pods() {
    let run = || {
        let mut c = SimConfig::new(Version::V1);
        c.seed = 1;
        c.trace_sink = true;
        let (mut sim, shape) = build_node(c, 60, 120);
        assert_eq!(shape.cgroups, 60);
        sim.run_until(20_000_000_000);
        assert_eq!(sim.kernel().check_invariants(), Ok(()));
        sim
    };
    let (mut a, b) = (run(), run());
    assert_eq!(a.trace_hash(), b.trace_hash());
    // The async reclaim worker ran in some pod's container (wmark_ratio 95).
    let trace = a.take_trace();
    assert!(
        trace
            .iter()
            .any(|l| l.contains("work_chunk") && l.contains("kubepods/")),
        "no async reclaim in 20 s"
    );
}
