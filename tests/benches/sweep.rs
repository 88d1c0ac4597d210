//! Sweep speed: `cargo bench --profile release-native -p memcg-tests --bench sweep`.
//!
//! 1. Each run of the README's sweep example alone, on one thread:
//!    simulated seconds per wall-clock second (goal >= 500 natively).
//! 2. The whole sweep on every core (`--jobs` = available parallelism):
//!    its wall time against runs × mean run time / cores (goal ≈ 1).
//!
//! `cargo test --bench sweep` runs it once with 2 s of virtual time as a
//! smoke test. Figures: tests/benches/README.md.

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    native::main();
}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::time::Instant;

    use memcg::sim::SimConfig;
    use memcg::Version;
    use memcg_tests::sweep::{Param, Sweep, Threads};

    /// The README's example (README "Sweeping the knobs"), with the virtual
    /// time as a parameter of the bench.
    fn script(secs: u64) -> Vec<String> {
        [
            "mkdir svc",
            "echo 1G > svc/memory.limit_in_bytes",
            "echo $RATIO > svc/memory.wmark_ratio",
            "spawn svc anon 600M --ws 600M --rate 1G/s --hold",
            "spawn svc stream 1G --rate 200M/s",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([format!("sleep {secs}s")])
        .collect()
    }

    fn median(mut v: Vec<f64>) -> f64 {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    }

    pub fn main() {
        // `cargo bench` passes --bench; `cargo test --bench` does not.
        let full = std::env::args().any(|a| a == "--bench");
        let secs: u64 = if full { 20 } else { 2 };
        let rounds = if full { 5 } else { 1 };
        let sweep = Sweep {
            config: SimConfig::new(Version::V1),
            kernels: vec![String::from("alinux-4.19")],
            params: vec![Param::parse("RATIO=0,80,90,95").unwrap()],
            script: script(secs),
        };
        let combos = sweep.combos();
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let mut per_run = Vec::new();
        let mut sweep_ratio = Vec::new();
        let mut sweep_wall = Vec::new();
        let mut bound_ratio = Vec::new();
        for _ in 0..rounds {
            // 1. Each run alone.
            let mut sum = 0.0;
            for c in &combos {
                let t = Instant::now();
                let row = sweep.run_one(c).unwrap();
                let wall = t.elapsed().as_secs_f64();
                assert_eq!(row.metrics.runtime_ns, secs * 1_000_000_000);
                sum += wall;
                per_run.push((c.values[0].clone(), wall));
            }
            // 2. The sweep on every core.
            let t = Instant::now();
            let rows = sweep.run(cores, &|_, _| {}).unwrap();
            let wall = t.elapsed().as_secs_f64();
            assert_eq!(rows.len(), combos.len());
            let ideal = sum / cores.min(combos.len()) as f64;
            sweep_ratio.push(wall / ideal);
            sweep_wall.push(wall);
            // No schedule beats the longest run: the bound for unequal runs.
            let longest = per_run[per_run.len() - combos.len()..]
                .iter()
                .map(|(_, w)| *w)
                .fold(0.0, f64::max);
            bound_ratio.push(wall / ideal.max(longest));
        }
        for c in &combos {
            let walls: Vec<f64> = per_run
                .iter()
                .filter(|(v, _)| *v == c.values[0])
                .map(|(_, w)| *w)
                .collect();
            let w = median(walls);
            println!(
                "sweep run RATIO={:<2}: {secs} s virtual in {:.3} s wall = {:.0} simulated s per wall s (goal >= 500)",
                c.values[0],
                w,
                secs as f64 / w
            );
        }
        println!(
            "sweep of {} runs on {cores} threads: {:.3} s wall = {:.2} x (runs x run time / cores) (goal ~1), \
             {:.2} x max(that, the longest run) (medians of {rounds} rounds)",
            combos.len(),
            median(sweep_wall),
            median(sweep_ratio),
            median(bound_ratio)
        );
    }
}
