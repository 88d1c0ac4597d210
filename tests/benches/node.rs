//! Node benchmarks: `cargo bench -p memcg-tests --bench node` (`make bench`).
//!
//! 1. `node`: 1,000 cgroups in the layout of a Kubernetes node
//!    (`memcg_tests::node`), 3,000 tasks of the presets' mix, async reclaim
//!    in the pods, 60 s of virtual time: simulated seconds per wall second.
//! 2. growth: 1k, 10k and 60k cgroups with one task per ten cgroups (4,000
//!    at 60k: the engine runs at most 4,096; 1 s virtual there), each in
//!    a child process of this binary: build time, 10 s virtual, peak memory
//!    (`VmHWM` of the child), so the sizes do not share an allocator's heap.
//!
//! No criterion here: one run of a node is seconds long, and the figures are
//! wall-clock rates, not a distribution. Results: `tests/benches/README.md`.

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    native::main();
}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use std::process::Command;
    use std::time::Instant;

    use memcg::engine::MAX_TASKS;
    use memcg::sim::SimConfig;
    use memcg::Version;
    use memcg_tests::node::build_node;

    /// The child's environment variable: `CGROUPS,TASKS,SECONDS`.
    const CHILD: &str = "MEMCG_NODE_BENCH_CHILD";

    fn config() -> SimConfig {
        let mut c = SimConfig::new(Version::V1);
        c.seed = 1;
        c
    }

    /// `VmHWM` (peak resident set) of this process, in kB.
    fn vm_hwm_kb() -> u64 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap_or(0)
    }

    /// One node: build it, run it to `secs` of virtual time. Prints one
    /// line a parent can parse: `cgroups tasks build_s run_s events hwm_kb`.
    fn child(spec: &str) {
        let v: Vec<u64> = spec.split(',').map(|x| x.parse().expect(CHILD)).collect();
        let (cgroups, tasks, secs) = (v[0] as usize, v[1] as usize, v[2]);
        let t0 = Instant::now();
        let (mut sim, shape) = build_node(config(), cgroups, tasks);
        let build = t0.elapsed().as_secs_f64();
        let t1 = Instant::now();
        sim.run_until(secs * 1_000_000_000);
        let run = t1.elapsed().as_secs_f64();
        assert_eq!(sim.kernel().check_invariants(), Ok(()));
        println!(
            "{} {} {build:.3} {run:.3} {} {}",
            shape.cgroups,
            shape.tasks,
            sim.events_processed(),
            vm_hwm_kb()
        );
    }

    /// Runs `child` in a fresh process of this binary and parses its line.
    fn in_child(cgroups: usize, tasks: usize, secs: u64) -> Option<(f64, f64, u64, u64)> {
        let exe = std::env::current_exe().ok()?;
        let out = Command::new(exe)
            .env(CHILD, format!("{cgroups},{tasks},{secs}"))
            .output()
            .ok()?;
        if !out.status.success() {
            eprintln!(
                "growth child {cgroups} failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            return None;
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let w: Vec<&str> = text.lines().last()?.split(' ').collect();
        Some((
            w[2].parse().ok()?,
            w[3].parse().ok()?,
            w[4].parse().ok()?,
            w[5].parse().ok()?,
        ))
    }

    pub fn main() {
        if let Ok(spec) = std::env::var(CHILD) {
            child(&spec);
            return;
        }
        let args: Vec<String> = std::env::args().collect();
        // Without --bench (cargo test --bench node): a small smoke run.
        let bench_mode = args.iter().any(|a| a == "--bench");
        let (cgroups, tasks, mut secs) = if bench_mode {
            (1_000, 3_000, 60)
        } else {
            (100, 300, 1)
        };
        // MEMCG_NODE_BENCH_SECS=N: the node's virtual time (profile
        // comparisons on a busy machine); MEMCG_NODE_BENCH_GROWTH=0: no
        // growth runs.
        if let Some(s) = std::env::var("MEMCG_NODE_BENCH_SECS")
            .ok()
            .and_then(|s| s.parse().ok())
        {
            secs = s;
        }
        let growth = std::env::var("MEMCG_NODE_BENCH_GROWTH").map_or(true, |v| v != "0");

        let t0 = Instant::now();
        let (mut sim, shape) = build_node(config(), cgroups, tasks);
        let build = t0.elapsed().as_secs_f64();
        let t1 = Instant::now();
        sim.run_until(secs * 1_000_000_000);
        let wall = t1.elapsed().as_secs_f64();
        assert_eq!(sim.kernel().check_invariants(), Ok(()));
        let events = sim.events_processed();
        println!(
            "node: {} cgroups ({} services, {} pods, {} containers), {} tasks, v1, \
             wmark_ratio 95 in the pods; built in {build:.2} s",
            shape.cgroups, shape.services, shape.pods, shape.containers, shape.tasks
        );
        println!(
            "node: {secs} s virtual in {wall:.2} s wall = {:.2} simulated s per wall s \
             (goal >= 100 in wasm); {events} events, {:.0} ns each; trace hash {:#018x}",
            secs as f64 / wall,
            wall * 1e9 / events as f64,
            sim.trace_hash()
        );
        drop(sim);

        let sizes: &[usize] = if !growth {
            &[]
        } else if bench_mode {
            &[1_000, 10_000, 60_000]
        } else {
            &[200]
        };
        let growth_secs = if bench_mode { 10 } else { 1 };
        for &n in sizes {
            // One task per ten cgroups, within the engine's live-task cap.
            let tasks = (n / 10).min(MAX_TASKS - 96);
            // 60k cgroups: 1 s of virtual time only; 10 s takes about 20
            // minutes on the 2-core machine (tests/benches/README.md).
            let growth_secs = if n > 10_000 { 1 } else { growth_secs };
            match in_child(n, tasks, growth_secs) {
                Some((build, run, events, hwm)) => println!(
                    "growth: {n} cgroups, {} tasks: built in {build:.2} s, \
                     {growth_secs} s virtual in {run:.2} s ({events} events), \
                     peak RSS {:.1} MB ({:.1} KB per cgroup)",
                    tasks,
                    hwm as f64 / 1024.0,
                    hwm as f64 / n as f64
                ),
                None => println!("growth: {n} cgroups: the child failed"),
            }
        }
    }
}
