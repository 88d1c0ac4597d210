//! Pressure stall information (docs/model.md §18.10): `memory.pressure`
//! from the engine's stalls.

use memcg::engine::EngineMode;
use memcg::sim::SimConfig;
use memcg::{Simulator, Version};

fn sim(v: Version, mode: EngineMode) -> Simulator {
    let mut c = SimConfig::new(v);
    c.mode = mode;
    Simulator::build(c)
}

fn sh(s: &mut Simulator, line: &str) -> String {
    let o = s.exec(line);
    assert!(o.ok(), "{line}: {}", o.stderr);
    o.stdout
}

/// A 64M cgroup whose task allocates 256M of touch-once anon: each charge
/// reclaims (swap-out) on the CPU. SOME is exactly the engine's stall time
/// (one non-idle CPU); FULL is what the scheduler tick samples of that
/// reclaim (ALinux 4.19's `psi_memstall_tick`), so 0 < FULL < SOME. The
/// ancestors and the system see the same (no other task is non-idle); a
/// sibling sees nothing.
#[test]
fn a_reclaim_stalled_task_shows_some_and_full() {
    for v in [Version::V2, Version::V1] {
        let mut per_mode = Vec::new();
        for mode in [EngineMode::PerPage, EngineMode::Bulk] {
            let mut s = sim(v, mode);
            let max = if v == Version::V2 {
                "memory.max"
            } else {
                "memory.limit_in_bytes"
            };
            sh(&mut s, "mkdir -p a/b a/c");
            if v == Version::V2 {
                sh(&mut s, "echo +memory > cgroup.subtree_control");
                sh(&mut s, "echo +memory > a/cgroup.subtree_control");
            }
            sh(&mut s, &format!("echo 64M > a/b/{max}"));
            sh(&mut s, "spawn a/b anon 256M --hold");
            sh(&mut s, "sleep 5s");
            let b = s.lookup("a/b").unwrap();
            let stall = s.memcg_times(b).unwrap().stall_ns;
            assert!(stall > 0);
            let p = s.memory_pressure(b).unwrap();
            assert_eq!(p.some.total_us, stall / 1000, "{v:?}");
            assert!(p.full.total_us > 0 && p.full.total_us < p.some.total_us);
            assert!(p.some.avg10 > 0 && p.some.avg60 > 0 && p.some.avg300 > 0);
            for up in ["a", "."] {
                let id = s.lookup(up).unwrap();
                assert_eq!(s.memory_pressure(id), Some(p), "{up}");
            }
            let c = s.lookup("a/c").unwrap();
            assert_eq!(s.memory_pressure(c).unwrap().some.total_us, 0);
            let text = sh(&mut s, "cat a/b/memory.pressure");
            assert_eq!(text, p.text());
            // Reading changes nothing.
            assert_eq!(sh(&mut s, "cat a/b/memory.pressure"), text);
            per_mode.push((text, s.trace_hash()));
        }
        assert_eq!(per_mode[0], per_mode[1], "PerPage and Bulk agree");
    }
}

/// The file exists on the root (`psi_system`) and in every cgroup, v2 even
/// without the memory controller; a trigger write is checked and leaves
/// nothing.
#[test]
fn the_file_and_its_writes() {
    for v in [Version::V2, Version::V1] {
        let mut s = sim(v, EngineMode::Bulk);
        sh(&mut s, "mkdir x");
        let zero = "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n\
                    full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n";
        assert_eq!(sh(&mut s, "cat memory.pressure"), zero);
        assert_eq!(sh(&mut s, "cat x/memory.pressure"), zero);
        sh(&mut s, "echo 'some 150000 1000000' > x/memory.pressure");
        let o = s.exec("echo 'some 150000 100' > x/memory.pressure");
        assert!(
            !o.ok() && o.stderr.contains("Invalid argument"),
            "{}",
            o.stderr
        );
        assert_eq!(sh(&mut s, "cat x/memory.pressure"), zero);
    }
}

/// A moved task takes its stall state along (`cgroup_move_task`); a
/// removed and recreated cgroup starts from zero (`psi_cgroup_alloc`).
#[test]
fn moves_and_recycled_ids() {
    let mut s = sim(Version::V2, EngineMode::Bulk);
    sh(&mut s, "echo +memory > cgroup.subtree_control");
    sh(&mut s, "mkdir a b");
    sh(&mut s, "echo 32M > a/memory.max");
    sh(&mut s, "echo 32M > b/memory.max");
    sh(&mut s, "spawn a anon 128M --rate 64M/s --hold");
    let pid = memcg::engine::FIRST_TASK_PID.to_string();
    sh(&mut s, "sleep 1s");
    let a = s.lookup("a").unwrap();
    let before = s.memory_pressure(a).unwrap().some.total_us;
    assert!(before > 0);
    sh(&mut s, &format!("echo {} > b/cgroup.procs", pid.trim()));
    sh(&mut s, "sleep 3s");
    assert_eq!(s.memory_pressure(a).unwrap().some.total_us, before);
    let b = s.lookup("b").unwrap();
    assert!(
        s.memory_pressure(b).unwrap().some.total_us > 0,
        "b sees the moved task's stalls"
    );
    sh(&mut s, &format!("kill {}", pid.trim()));
    sh(&mut s, "rmdir a");
    sh(&mut s, "mkdir a2");
    let a2 = s.lookup("a2").unwrap();
    assert_eq!(a2, a, "the id is reused");
    assert_eq!(s.memory_pressure(a2).unwrap().some.total_us, 0);
}

/// A holding task whose working set limit reclaim took refaults it: it
/// waits for each page off the CPU (`TSK_MEMSTALL | TSK_IOWAIT`), so with
/// no other task running there FULL equals SOME (`test_state`).
#[test]
fn refaults_off_the_cpu_are_full() {
    let mut s = sim(Version::V2, EngineMode::Bulk);
    sh(&mut s, "mkdir t");
    sh(&mut s, "spawn t anon 64M --ws 64M --hold");
    sh(&mut s, "wait");
    let t = s.lookup("t").unwrap();
    assert_eq!(s.memory_pressure(t).unwrap().some.total_us, 0);
    sh(&mut s, "echo 32M > t/memory.max");
    sh(&mut s, "sleep 3s");
    let p = s.memory_pressure(t).unwrap();
    assert!(p.some.total_us > 0);
    assert_eq!(p.full.total_us, p.some.total_us);
}
