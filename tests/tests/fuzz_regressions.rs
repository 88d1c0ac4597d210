//! Inputs the fuzz targets (fuzz/README.md) found, minimised: each broke a
//! kernel invariant or panicked before its fix.

use memcg::{Simulator, Version};

/// Every line, then the kernel invariants.
fn run(version: Version, lines: &[&str]) -> Simulator {
    let mut s = Simulator::new(version);
    for line in lines {
        s.exec(line);
        assert_eq!(s.kernel().check_invariants(), Ok(()), "after {line:?}");
    }
    s
}

/// v1: a task moved away (no move_charge_at_immigrate) leaves its anon
/// charged to the source; reclaim there swaps it out, and the swap entries
/// keep their memsw charge (`mem_cgroup_swapout`), as for any other anon
/// page. shrink_left_behind uncharged memsw with memory: memsw fell below
/// memory + swap.
#[test]
fn left_behind_swapout_keeps_memsw_v1() {
    let s = run(
        Version::V1,
        &[
            "mkdir -p a/b a/c",
            "spawn a/b anon 48M --rate 100M/s --hold",
            "sleep 100ms",
            "echo 1M > a/memory.limit_in_bytes",
            "echo 1001 > a/c/cgroup.procs",
            "sleep 1ms",
        ],
    );
    let b = "/sys/fs/cgroup/memory/a/b/";
    let memsw: u64 = s
        .read(&format!("{b}memory.memsw.usage_in_bytes"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let mem: u64 = s
        .read(&format!("{b}memory.usage_in_bytes"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(memsw > mem, "the swapped pages left behind stay in memsw");
}
