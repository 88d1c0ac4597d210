//! Regression tests for the defects hostile inputs found (issue 12): paced
//! loops, path lengths and `mkdir -p`, the touch interval and time
//! wrapping, NUL bytes, partial cost models, and the live-task count.

use memcg::engine::{EngineMode, TaskState, END_OF_TIME, MAX_TASKS};
use memcg::lru::CostModel;
use memcg::scenario::Scenario;
use memcg::workload::{Op, PageKind, Program};
use memcg::{Simulator, Version};

const S: u64 = 1_000_000_000;

fn run(sim: &mut Simulator, line: &str) -> (String, i32) {
    let o = sim.exec(line);
    (o.stderr, o.status)
}

/// The pid a `spawn` printed.
fn spawn(sim: &mut Simulator, line: &str) -> u32 {
    let o = sim.exec(line);
    assert!(o.ok(), "{line}: {}", o.stderr);
    o.stdout.trim().parse().expect("a pid")
}

// ---------------------------------------------------------------------------
// 1. A one-page looping task keeps its rate.

/// Faults of `pid` and events the engine ran, after each virtual second.
fn per_second(sim: &mut Simulator, pid: u32, seconds: u64) -> Vec<(u64, u64)> {
    let mut out = Vec::new();
    for s in 1..=seconds {
        sim.run_until(s * S);
        let tr = &sim.engine().tasks[&pid];
        out.push((tr.faults, sim.events_processed()));
    }
    out
}

#[test]
fn a_one_page_stream_faults_once_a_second() {
    for mode in [EngineMode::PerPage, EngineMode::Bulk] {
        let mut sim = Simulator::builder(Version::V2).engine(mode).build();
        sim.exec("mkdir a");
        let pid = spawn(&mut sim, "spawn a stream 4K --rate 4K/s");
        // Before the fix the first 10 ms held 40 000 faults.
        sim.run_until(10_000_000);
        assert_eq!(sim.engine().tasks[&pid].faults, 1, "{mode:?}");
        let counts = per_second(&mut sim, pid, 10);
        let mut last_events = sim.events_processed();
        for (s, &(faults, _)) in counts.iter().enumerate() {
            // Faults at 0 s, 1 s, 2 s, ...: one more each virtual second.
            assert_eq!(faults, s as u64 + 2, "{mode:?} after {} s", s + 1);
        }
        // Events per virtual second: one fault plus the sampler's 100 ticks.
        for w in counts.windows(2) {
            let events = w[1].1 - w[0].1;
            assert!(events <= 110, "{mode:?}: {events} events in a second");
        }
        sim.run_until(11 * S);
        last_events = sim.events_processed() - last_events;
        assert!(last_events <= 110, "{mode:?}: {last_events}");
        assert_eq!(sim.kernel().check_invariants(), Ok(()));
    }
}

#[test]
fn a_paced_loop_keeps_its_rate_across_the_loop() {
    // Two pages at 1 page/s, free, loop: the rate is 1 page/s throughout,
    // where restarting the op at its last fault made it 2 pages/s.
    for mode in [EngineMode::PerPage, EngineMode::Bulk] {
        let mut sim = Simulator::builder(Version::V2).engine(mode).build();
        sim.exec("mkdir a");
        let pid = spawn(&mut sim, "spawn a sawtooth 8K --rate 4K/s");
        sim.run_until(10 * S);
        assert_eq!(sim.engine().tasks[&pid].faults, 11, "{mode:?}");
        // A bigger one: 256 pages at 2560 pages/s is one cycle per 100 ms.
        let mut sim = Simulator::builder(Version::V2).engine(mode).build();
        sim.exec("mkdir a");
        let pid = spawn(&mut sim, "spawn a stream 1M --rate 10M/s");
        sim.run_until(S - 1);
        assert_eq!(sim.engine().tasks[&pid].faults, 2560, "{mode:?}");
    }
}

#[test]
fn pacing_carries_from_one_paced_op_to_the_next_only() {
    let cg_of = |sim: &Simulator| sim.lookup("/sys/fs/cgroup/a").expect("a");
    let alloc = |pages, rate| Op::Alloc {
        kind: PageKind::Anon,
        pages,
        rate,
    };
    for (ops, faults_at_1s) in [
        // Two paced ops in a row: one page a second across both.
        (vec![alloc(1, Some(1)), alloc(1, Some(1)), Op::Exit], 1),
        // An unpaced op between them ends the first one's pacing.
        (
            vec![
                alloc(1, Some(1)),
                alloc(4, None),
                alloc(1, Some(1)),
                Op::Exit,
            ],
            6,
        ),
    ] {
        let mut sim = Simulator::new(Version::V2);
        sim.exec("mkdir a");
        let cg = cg_of(&sim);
        let p = Program {
            name: "p".into(),
            ops,
            ws: 0,
            jitter_pct: 0,
        };
        let m = sim.machine_mut();
        let pid = m.engine.spawn(&mut m.kernel, cg, p).unwrap();
        sim.run_until(S - 1);
        assert_eq!(sim.engine().tasks[&pid].faults, faults_at_1s);
    }
}

// ---------------------------------------------------------------------------
// 2. Path lengths (PATH_MAX, NAME_MAX) and `mkdir -p`.

/// A path of exactly `len` bytes under `dir`: components of up to 200 bytes.
fn long_path(dir: &str, len: usize) -> String {
    let mut p = String::from(dir);
    while p.len() < len {
        p.push('/');
        let n = (len - p.len()).min(200);
        p.push_str(&"d".repeat(n.max(1)));
    }
    assert_eq!(p.len(), len);
    p
}

#[test]
fn a_path_over_path_max_is_enametoolong() {
    let mut sim = Simulator::new(Version::V2);
    let root = "/sys/fs/cgroup";
    // 4095 bytes is the longest path: its parent made with mkdir -p.
    let ok = long_path(root, 4095);
    let (parent, _) = ok.rsplit_once('/').unwrap();
    assert_eq!(
        run(&mut sim, &format!("mkdir -p {parent}")),
        (String::new(), 0)
    );
    assert_eq!(run(&mut sim, &format!("mkdir {ok}")), (String::new(), 0));
    assert_eq!(
        run(&mut sim, &format!("cat {ok}")),
        (format!("cat: {ok}: Is a directory\n"), 1)
    );
    let (err, status) = run(&mut sim, &format!("ls {ok}"));
    assert_eq!((err.as_str(), status), ("", 0));
    // One byte more: the parent exists, the path is too long.
    let long = format!("{parent}/{}", "e".repeat(4095 - parent.len()));
    assert_eq!(long.len(), 4096);
    assert_eq!(
        run(&mut sim, &format!("mkdir {long}")),
        (
            format!("mkdir: cannot create directory '{long}': File name too long\n"),
            1
        )
    );
    assert_eq!(
        run(&mut sim, &format!("cat {long}")),
        (format!("cat: {long}: File name too long\n"), 1)
    );
    assert_eq!(
        run(&mut sim, &format!("echo 1 > {long}")),
        (format!("bash: {long}: File name too long\n"), 1)
    );
    assert_eq!(
        run(&mut sim, &format!("cd {long}")),
        (format!("bash: cd: {long}: File name too long\n"), 1)
    );
    assert_eq!(
        run(&mut sim, &format!("rmdir {long}")),
        (
            format!("rmdir: failed to remove '{long}': File name too long\n"),
            1
        )
    );
    assert_eq!(sim.read(&long), Err(memcg::Errno::ENAMETOOLONG));
    assert_eq!(sim.write(&long, "1"), Err(memcg::Errno::ENAMETOOLONG));
    // A component over NAME_MAX (255).
    let name = "n".repeat(256);
    for cmd in ["mkdir", "mkdir -p"] {
        assert_eq!(
            run(&mut sim, &format!("{cmd} {name}")),
            (
                format!("mkdir: cannot create directory '{name}': File name too long\n"),
                1
            )
        );
    }
    assert_eq!(run(&mut sim, &format!("mkdir {}", &name[1..])).1, 0);
    assert_eq!(sim.kernel().check_invariants(), Ok(()));
}

#[test]
fn mkdir_p_walks_each_component_once_and_goes_past_path_max() {
    // GNU mkdir -p makes each directory relative to the one before, so a
    // tree deeper than PATH_MAX can be made (coreutils 9.1 does; plain
    // mkdir of the same path is ENAMETOOLONG).
    let mut sim = Simulator::new(Version::V2);
    let deep = "a/".repeat(3000);
    assert_eq!(
        run(&mut sim, &format!("mkdir -p {deep}")),
        (String::new(), 0)
    );
    assert_eq!(sim.cgroup_count(), 3001);
    assert!(sim.cgroups().iter().any(|c| c.depth == 3000));
    assert_eq!(
        run(&mut sim, &format!("mkdir {deep}b")).0,
        format!("mkdir: cannot create directory '{deep}b': File name too long\n")
    );
    // Again: everything exists, nothing is made, no error.
    assert_eq!(
        run(&mut sim, &format!("mkdir -p {deep}")),
        (String::new(), 0)
    );
    assert_eq!(sim.cgroup_count(), 3001);
    // `.`, `..` and relative paths from a working directory below the mount.
    sim.exec("cd a/a");
    assert_eq!(run(&mut sim, "mkdir -p ../x/./y/../z"), (String::new(), 0));
    assert!(sim.lookup("/sys/fs/cgroup/a/x/y").is_some());
    assert!(sim.lookup("/sys/fs/cgroup/a/x/z").is_some());
    // A file in the middle, and a file at the end.
    assert_eq!(
        run(&mut sim, "mkdir -p cgroup.procs/q").0,
        "mkdir: cannot create directory 'cgroup.procs/q': Not a directory\n"
    );
    assert_eq!(
        run(&mut sim, "mkdir -p cgroup.procs").0,
        "mkdir: cannot create directory 'cgroup.procs': File exists\n"
    );
    // A working directory that was removed is not made again.
    let mut sim = Simulator::new(Version::V2);
    sim.exec("mkdir gone");
    sim.exec("cd gone");
    sim.exec("rmdir /sys/fs/cgroup/gone");
    assert_eq!(
        run(&mut sim, "mkdir -p x").0,
        "mkdir: cannot create directory 'x': No such file or directory\n"
    );
    assert!(sim.lookup("/sys/fs/cgroup/gone").is_none());
    assert_eq!(sim.kernel().check_invariants(), Ok(()));
}

#[test]
fn hierarchy_limits_still_hold_where_set() {
    // cgroup_mkdir walks the ancestors only while some cgroup has a limit.
    let mut sim = Simulator::new(Version::V2);
    let again = "Resource temporarily unavailable";
    sim.exec("mkdir a");
    assert!(!sim.kernel().tree.has_hierarchy_limits());
    sim.exec("echo 1 > a/cgroup.max.descendants");
    assert!(sim.kernel().tree.has_hierarchy_limits());
    assert_eq!(run(&mut sim, "mkdir a/b").1, 0);
    assert!(run(&mut sim, "mkdir a/c").0.contains(again));
    sim.exec("echo max > a/cgroup.max.descendants");
    assert!(!sim.kernel().tree.has_hierarchy_limits());
    assert_eq!(run(&mut sim, "mkdir a/c").1, 0);
    sim.exec("echo 1 > a/b/cgroup.max.depth");
    sim.exec("echo 1 > a/b/cgroup.max.descendants");
    assert_eq!(run(&mut sim, "mkdir -p a/b/x").1, 0);
    assert!(run(&mut sim, "mkdir -p a/b/x/y").0.contains(again));
    // Removing the limited cgroup forgets its limits.
    assert_eq!(run(&mut sim, "rmdir a/b/x a/b").1, 0);
    assert!(!sim.kernel().tree.has_hierarchy_limits());
    assert_eq!(run(&mut sim, "mkdir -p a/b/x/y").1, 0);
}

// ---------------------------------------------------------------------------
// 3. touch_interval_ns is bounded; no input wraps time.

#[test]
fn touch_interval_has_an_upper_bound() {
    let mut sc = Scenario::from_script(Version::V2, &[]);
    sc.costs.touch_interval_ns = u64::MAX;
    let err = sc.validate().unwrap_err();
    assert!(err.contains("touch_interval_ns must be at most"), "{err}");
    sc.costs.touch_interval_ns = memcg::lru::MAX_TOUCH_INTERVAL_NS;
    assert_eq!(sc.validate(), Ok(()));
    assert!(
        memcg::share::from_json(r#"{"costs":{"touch_interval_ns":18446744073709551615}}"#)
            .unwrap_err()
            .contains("touch_interval_ns")
    );
}

#[test]
fn no_duration_or_cost_wraps_time() {
    // The builder takes a cost model unchecked: the engine saturates.
    let costs = CostModel {
        touch_interval_ns: u64::MAX,
        ..CostModel::default()
    };
    let mut sim = Simulator::builder(Version::V2).costs(costs).build();
    sim.exec("mkdir a");
    let holder = spawn(&mut sim, "spawn a anon 1M --hold");
    // A program whose hold and sleep end past the end of time.
    let cg = sim.lookup("/sys/fs/cgroup/a").expect("a");
    let m = sim.machine_mut();
    for ops in [
        vec![Op::Hold(Some(u64::MAX - 1)), Op::Exit],
        vec![Op::Sleep(u64::MAX - 1), Op::Loop],
        vec![
            Op::Alloc {
                kind: PageKind::Anon,
                pages: 1,
                rate: Some(1),
            },
            Op::Sleep(u64::MAX / 2),
            Op::Loop,
        ],
    ] {
        let p = Program {
            name: "far".into(),
            ops,
            ws: 1,
            jitter_pct: 90,
        };
        m.engine.spawn(&mut m.kernel, cg, p).expect("spawned");
    }
    let mut last = sim.now();
    for _ in 0..50 {
        if !sim.step() {
            break;
        }
        assert!(sim.now() >= last, "time went back");
        last = sim.now();
    }
    sim.run_until(10 * S);
    assert_eq!(sim.engine().tasks[&holder].state, TaskState::Holding);
    assert_eq!(sim.kernel().check_invariants(), Ok(()));

    // Time itself reaching the end: a task that sleeps there never runs
    // again, whatever it would do next; the clock stops at the end.
    for interval in [0, 10_000_000] {
        for mode in [EngineMode::PerPage, EngineMode::Bulk] {
            let mut sim = Simulator::builder(Version::V2)
                .engine(mode)
                .sample_interval(interval)
                .build();
            sim.exec("mkdir a");
            let cg = sim.lookup("/sys/fs/cgroup/a").expect("a");
            let p = Program {
                name: "end".into(),
                ops: vec![
                    Op::Alloc {
                        kind: PageKind::File,
                        pages: 3,
                        rate: Some(1),
                    },
                    Op::Sleep(u64::MAX - 5_000),
                    Op::Alloc {
                        kind: PageKind::Anon,
                        pages: 100,
                        rate: None,
                    },
                    Op::Hold(Some(1_000_000)),
                    Op::FreeAnon,
                    Op::Loop,
                ],
                ws: 10,
                jitter_pct: 0,
            };
            let m = sim.machine_mut();
            let pid = m.engine.spawn(&mut m.kernel, cg, p).expect("spawned");
            let mut last = sim.now();
            for _ in 0..2_000 {
                if !sim.step() {
                    break;
                }
                assert!(sim.now() >= last, "time went back");
                last = sim.now();
            }
            if interval == 0 {
                sim.run_until(u64::MAX);
                assert_eq!(sim.now(), END_OF_TIME, "{mode:?}");
                assert_eq!(sim.engine().tasks[&pid].faults, 3, "{mode:?}");
                // A looping task spawned at the end of time never runs,
                // and time does not spin on it.
                let pid = spawn(&mut sim, "spawn a burst 1M");
                assert_eq!(run(&mut sim, "sleep 24h"), (String::new(), 0));
                assert_eq!(sim.engine().tasks[&pid].faults, 0);
            }
            assert_eq!(sim.kernel().check_invariants(), Ok(()));
        }
    }
    let mut sim = Simulator::new(Version::V1);
    sim.run_until(u64::MAX);
    assert_eq!(sim.now(), END_OF_TIME);
    assert_eq!(run(&mut sim, "sleep 24h"), (String::new(), 0));
    assert_eq!(sim.now(), END_OF_TIME);
}

// ---------------------------------------------------------------------------
// 4. No name ever holds a NUL.

#[test]
fn nul_bytes_never_reach_a_name() {
    let mut sim = Simulator::new(Version::V2);
    // The shell drops NULs from its input line, as bash 5.2 does.
    assert_eq!(run(&mut sim, "mkdir a\0b"), (String::new(), 0));
    assert_eq!(run(&mut sim, "mkdir -p c\0/d\0d"), (String::new(), 0));
    assert_eq!(
        run(&mut sim, "echo +memory > cgroup.subtree_control\0"),
        (String::new(), 0)
    );
    assert!(sim.lookup("/sys/fs/cgroup/ab").is_some());
    assert!(sim.lookup("/sys/fs/cgroup/c/dd").is_some());
    assert!(sim.cgroups().iter().all(|c| !c.name.contains('\0')));
    // A path is a C string: it ends at the first NUL.
    assert_eq!(
        sim.write("/sys/fs/cgroup/ab/memory.max\0/junk", "64M"),
        Ok(())
    );
    assert_eq!(
        sim.read("/sys/fs/cgroup/ab/memory.max\0x").unwrap(),
        "67108864\n"
    );
    assert_eq!(
        sim.write("/sys/fs/cgroup/ab\0/memory.max", "1"),
        Err(memcg::Errno::EISDIR)
    );
    // So is a value, as the kernel's handlers read it.
    assert_eq!(
        sim.write("/sys/fs/cgroup/ab/memory.max", "32M\0junk"),
        Ok(())
    );
    assert_eq!(
        sim.read("/sys/fs/cgroup/ab/memory.max").unwrap(),
        "33554432\n"
    );
    // The kernel refuses a name with a NUL from any caller.
    let m = sim.machine_mut();
    assert_eq!(
        m.kernel.mkdir(memcg::tree::CgroupId::ROOT, "x\0y"),
        Err(memcg::Errno::EINVAL)
    );
    // A journal replays the same way.
    let again = sim.scenario().unwrap().instantiate().unwrap();
    assert_eq!(again.trace_hash(), sim.trace_hash());
    assert!(again.lookup("/sys/fs/cgroup/ab").is_some());
    let sc = Scenario::from_script(Version::V1, &["mkdir /sys/fs/cgroup/memory/e\0f"]);
    let sim = sc.instantiate().unwrap();
    assert!(sim.lookup("/sys/fs/cgroup/memory/ef").is_some());
    assert!(sim.cgroups().iter().all(|c| !c.name.contains('\0')));
}

// ---------------------------------------------------------------------------
// 5. A partial cost model takes defaults for the rest.

#[test]
fn a_partial_cost_model_loads() {
    let sc = memcg::share::from_json(r#"{"costs":{"fault_ns":500}}"#).unwrap();
    assert_eq!(
        sc.costs,
        CostModel {
            fault_ns: 500,
            ..CostModel::default()
        }
    );
    let sc = memcg::share::from_json(r#"{"costs":{}}"#).unwrap();
    assert_eq!(sc.costs, CostModel::default());
    // Still checked.
    assert!(memcg::share::from_json(r#"{"costs":{"fault_ns":0}}"#).is_err());
}

// ---------------------------------------------------------------------------
// 6. The live-task count.

fn scanned_live(sim: &Simulator) -> usize {
    sim.engine()
        .tasks
        .values()
        .filter(|t| !matches!(t.state, TaskState::Exited | TaskState::Killed))
        .count()
}

#[test]
fn the_live_task_count_follows_every_exit_kill_and_oom() {
    // A seeded random walk over spawns (exiting, holding, looping, OOM
    // killed in a small cgroup), kills and time.
    for (version, seed) in [(Version::V1, 1u64), (Version::V2, 2), (Version::V2, 3)] {
        let mut sim = Simulator::new(version);
        let mount = sim.mount_point();
        sim.exec(&format!("mkdir {mount}/small {mount}/big"));
        let limit = if version == Version::V1 {
            "memory.limit_in_bytes"
        } else {
            "memory.max"
        };
        sim.exec(&format!("echo 2M > {mount}/small/{limit}"));
        if version == Version::V1 {
            sim.exec(&format!("echo 0 > {mount}/small/memory.swappiness"));
        } else {
            sim.exec(&format!("echo 0 > {mount}/small/memory.swap.max"));
        }
        let mut x = seed;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut pids = Vec::new();
        for step in 0..400 {
            let cg = if next() % 2 == 0 { "small" } else { "big" };
            match next() % 6 {
                0 | 1 => {
                    let what = [
                        "anon 1M",
                        "anon 3M --hold",
                        "burst 1M",
                        "sawtooth 512K --rate 100M/s",
                        "anon 4K",
                    ][(next() % 5) as usize];
                    pids.push(spawn(&mut sim, &format!("spawn {mount}/{cg} {what}")));
                }
                2 if !pids.is_empty() => {
                    let pid = pids[(next() % pids.len() as u64) as usize];
                    sim.exec(&format!("kill {pid}"));
                }
                _ => {
                    let t = sim.now() + next() % 20_000_000;
                    sim.run_until(t);
                }
            }
            assert_eq!(
                sim.engine().live_tasks(),
                scanned_live(&sim),
                "{version:?} step {step}"
            );
        }
        let dead = sim.engine().tasks.len() - sim.engine().live_tasks();
        assert!(dead > 10, "{version:?}: the walk ended tasks ({dead})");
        let killed = sim
            .engine()
            .tasks
            .values()
            .filter(|t| t.state == TaskState::Killed)
            .count();
        assert!(killed > 0, "{version:?}");
    }
}

#[test]
fn max_tasks_counts_live_tasks_only() {
    let mut sim = Simulator::new(Version::V2);
    sim.exec("mkdir a");
    let cg = sim.lookup("/sys/fs/cgroup/a").expect("a");
    let hold = Program {
        name: "hold".into(),
        ops: vec![Op::Hold(None)],
        ws: 0,
        jitter_pct: 0,
    };
    let m = sim.machine_mut();
    let first = m.engine.spawn(&mut m.kernel, cg, hold.clone()).unwrap();
    for _ in 1..MAX_TASKS {
        m.engine.spawn(&mut m.kernel, cg, hold.clone()).unwrap();
    }
    assert_eq!(m.engine.live_tasks(), MAX_TASKS);
    let err = m.engine.spawn(&mut m.kernel, cg, hold.clone()).unwrap_err();
    assert!(err.contains("too many tasks"), "{err}");
    assert!(m.engine.kill(&mut m.kernel, first));
    assert_eq!(m.engine.live_tasks(), MAX_TASKS - 1);
    m.engine.spawn(&mut m.kernel, cg, hold).unwrap();
    assert_eq!(sim.engine().live_tasks(), scanned_live(&sim));
    assert_eq!(sim.engine().live_tasks(), MAX_TASKS);
}
