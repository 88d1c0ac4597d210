//! Issue 12: an idle memcg's time series costs one run, not 4 096 samples
//! (docs/model.md §18.4). Deterministic: counts of stored runs, no clock.

use memcg::sim::SimConfig;
use memcg::stats::{Run, SERIES_CAP};
use memcg::{Simulator, Version};

/// `n` idle cgroups beside one holding task, run for `secs` virtual
/// seconds: (samples held, runs stored) summed over the idle memcgs, and
/// the busy memcg's.
fn idle_fleet(v: Version, n: usize, secs: u64) -> ((usize, usize), (usize, usize)) {
    let mut s = Simulator::build(SimConfig::new(v));
    let names: Vec<String> = (0..n).map(|i| format!("c{i}")).collect();
    for chunk in names.chunks(200) {
        let o = s.exec(&format!("mkdir {}", chunk.join(" ")));
        assert!(o.ok(), "{}", o.stderr);
    }
    // One task that keeps growing, then holds: its memcg's samples change.
    for l in ["mkdir busy", "spawn busy anon 8M --rate 1M/s --hold"] {
        let o = s.exec(l);
        assert!(o.ok(), "{l}: {}", o.stderr);
    }
    s.run_until(secs * 1_000_000_000);
    let busy = s.lookup("busy").unwrap();
    let mut idle = (0, 0);
    for name in &names {
        let series = s.series(s.lookup(name).unwrap()).expect("sampled");
        idle.0 += series.len();
        idle.1 += series.runs().len();
    }
    let b = s.series(busy).unwrap();
    (idle, (b.len(), b.runs().len()))
}

#[test]
fn idle_cgroups_store_one_run_each() {
    for v in [Version::V1, Version::V2] {
        let n = 3000;
        let ((held, runs), (busy_held, busy_runs)) = idle_fleet(v, n, 60);
        // 6 001 ticks of 10 ms: decimated once, every sample kept in the
        // expanded view the charts and the CSV read.
        assert_eq!(held, n * 3001, "{v:?}");
        assert_eq!(busy_held, 3001);
        // Every idle memcg: one run (≤ a few hundred bytes), against
        // 3 001 × 88 bytes stored flat.
        assert_eq!(runs, n, "{v:?}");
        assert!(core::mem::size_of::<Run>() <= 112);
        // The busy memcg changes for the 8 s it grows, then only its usage
        // and stall stay put: far fewer runs than samples, but many.
        eprintln!("{v:?}: busy memcg {busy_held} samples in {busy_runs} runs");
        assert!(busy_runs > 300 && busy_runs < busy_held / 2, "{busy_runs}");
        assert!(busy_held <= SERIES_CAP);
    }
}
