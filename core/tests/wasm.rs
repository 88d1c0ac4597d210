//! The core under wasm32 (run by `wasm-pack test --node core`): the seed's
//! example and the exact watermark arithmetic give the same results as
//! natively.
#![cfg(target_arch = "wasm32")]

use memcg::{Simulator, Version};
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn seed_example_in_wasm() {
    let mut sim = Simulator::new(Version::V1);
    let mut stdout = String::new();
    for line in [
        "mkdir /sys/fs/cgroup/memory/test/",
        "echo 1G > /sys/fs/cgroup/memory/test/memory.limit_in_bytes",
        "echo 95 > /sys/fs/cgroup/memory/test/memory.wmark_ratio",
        "cat /sys/fs/cgroup/memory/test/memory.wmark_scale_factor",
        "cat /sys/fs/cgroup/memory/test/memory.wmark_high",
        "cat /sys/fs/cgroup/memory/test/memory.wmark_low",
    ] {
        let out = sim.exec(line);
        assert!(out.ok(), "{line}: {}", out.stderr);
        stdout.push_str(&out.stdout);
    }
    assert_eq!(stdout, "50\n1020051456\n1014685696\n");
}

#[wasm_bindgen_test]
fn u64_wrap_is_the_same_in_wasm() {
    // TV-10: wmark_low wraps in 64-bit arithmetic, also on a 32-bit target.
    let mut sim = Simulator::new(Version::V2);
    sim.exec("mkdir /sys/fs/cgroup/t");
    sim.write("/sys/fs/cgroup/t/memory.max", "1G").unwrap();
    sim.write("/sys/fs/cgroup/t/memory.wmark_ratio", "1")
        .unwrap();
    sim.write("/sys/fs/cgroup/t/memory.wmark_scale_factor", "101")
        .unwrap();
    assert_eq!(
        sim.read("/sys/fs/cgroup/t/memory.wmark_low").unwrap(),
        "18446744073709445120\n"
    );
    assert_eq!(
        sim.write("/sys/fs/cgroup/t/memory.wmark_ratio", "101"),
        Err(memcg::Errno::EINVAL)
    );
}

/// Same scenario, same hash as natively (`tests/tests/dynamics.rs`).
#[wasm_bindgen_test]
fn golden_trace_hash_in_wasm() {
    let mut c = memcg::sim::SimConfig::new(Version::V2);
    c.seed = 7;
    let mut sim = Simulator::build(c);
    for line in include_str!("../../tests/golden/scenario.sh").lines() {
        let out = sim.exec(line);
        assert!(out.ok(), "{line}: {}", out.stderr);
    }
    let golden: u64 = include_str!("../../tests/golden/scenario.hash")
        .trim()
        .parse()
        .unwrap();
    assert_eq!(sim.trace_hash(), golden);
}
