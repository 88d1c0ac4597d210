//! Dirty page cache and writeback (docs/model.md §18.9, issue 11): the
//! flusher, `balance_dirty_pages`, reclaim meeting dirty and writeback pages.

use memcg::engine::{EngineMode, TaskState};
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

fn trace(s: &Simulator) -> Vec<String> {
    s.engine().trace.recent().cloned().collect()
}

fn limit_file(v: Version) -> &'static str {
    match v {
        Version::V1 => "memory.limit_in_bytes",
        Version::V2 => "memory.max",
    }
}

/// The writer: 100M at 50M/s into a 50M cgroup.
fn dirty_writer(v: Version, mode: EngineMode, ratio: u32) -> Simulator {
    let mut s = sim(v, mode);
    sh(&mut s, "mkdir t");
    sh(&mut s, &format!("echo 50M > t/{}", limit_file(v)));
    sh(&mut s, &format!("echo {ratio} > t/memory.wmark_ratio"));
    sh(&mut s, "spawn t dirty 100M --rate 50M/s");
    sh(&mut s, "sleep 10s");
    s
}

#[test]
fn dirty_writer_is_not_oom_killed_without_async_reclaim() {
    for v in [Version::V1, Version::V2] {
        for mode in [EngineMode::PerPage, EngineMode::Bulk] {
            let s = dirty_writer(v, mode, 0);
            let t = trace(&s);
            assert!(
                !t.iter().any(|l| l.contains("oom_kill")),
                "{v:?} {mode:?}: {}",
                t.join("\n")
            );
            let task = s.engine().tasks.values().next().unwrap();
            assert_eq!(task.state, TaskState::Exited, "{v:?} {mode:?}");
            eprintln!("{v:?} {mode:?} stall {}", task.stall_ns);
            for l in t.iter().filter(|l| l.contains("alloc_done")) { eprintln!("{l}"); }
        }
    }
}
