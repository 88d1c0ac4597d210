//! Issue 12: the memcg task index (`Memcg::tasks`, docs/model.md §18.4)
//! under random spawn, kill, exit, moves, mkdir/rmdir and, in v2,
//! `cgroup.subtree_control` changes: after every line it equals a scan of
//! every task (`Kernel::check_invariants`), and reclaim's `tasks_of`
//! reads it.
#![cfg(not(target_arch = "wasm32"))]

use memcg::reclaim::tasks_of;
use memcg::sim::SimConfig;
use memcg::tree::Pid;
use memcg::{Simulator, Version};
use proptest::prelude::*;

const DIRS: [&str; 5] = ["a", "a/b", "a/b/c", "d", "d/e"];

#[derive(Clone, Debug)]
enum Op {
    Mkdir(usize),
    Rmdir(usize),
    /// (cgroup, KiB, hold)
    Spawn(usize, u32, bool),
    /// The n-th task alive (mod the count).
    Kill(usize),
    Move(usize, usize),
    /// v2 `+memory` / `-memory` in a cgroup's subtree_control (the root
    /// is index 5).
    Subtree(usize, bool),
    Limit(usize, u32),
    Sleep(u32),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0usize..5).prop_map(Op::Mkdir),
        (0usize..5).prop_map(Op::Rmdir),
        (0usize..5, 64u32..4096, any::<bool>()).prop_map(|(c, k, h)| Op::Spawn(c, k, h)),
        (0usize..8).prop_map(Op::Kill),
        (0usize..8, 0usize..6).prop_map(|(p, c)| Op::Move(p, c)),
        (0usize..6, any::<bool>()).prop_map(|(c, on)| Op::Subtree(c, on)),
        (0usize..5, 1u32..8).prop_map(|(c, m)| Op::Limit(c, m)),
        (1u32..200).prop_map(Op::Sleep),
    ]
}

fn dir(i: usize) -> &'static str {
    DIRS.get(i).copied().unwrap_or(".")
}

/// The nth live task but init and the shell.
fn nth_task(s: &Simulator, n: usize) -> Option<Pid> {
    let pids: Vec<Pid> = s
        .kernel()
        .tasks
        .keys()
        .copied()
        .filter(|&p| p > 1000)
        .collect();
    (!pids.is_empty()).then(|| pids[n % pids.len()])
}

fn line(s: &Simulator, op: &Op) -> Option<String> {
    let v2 = s.version() == Version::V2;
    Some(match *op {
        Op::Mkdir(c) => format!("mkdir {}", dir(c)),
        Op::Rmdir(c) => format!("rmdir {}", dir(c)),
        Op::Spawn(c, kib, hold) => format!(
            "spawn {} anon {kib}K --rate 20M/s{}",
            dir(c),
            if hold { " --hold" } else { "" }
        ),
        Op::Kill(n) => format!("kill {}", nth_task(s, n)?),
        Op::Move(n, c) => format!("echo {} > {}/cgroup.procs", nth_task(s, n)?, dir(c)),
        Op::Subtree(c, on) if v2 => format!(
            "echo {}memory > {}/cgroup.subtree_control",
            if on { '+' } else { '-' },
            dir(c)
        ),
        Op::Subtree(..) => "echo 3 > a/memory.move_charge_at_immigrate".to_string(),
        Op::Limit(c, mib) if v2 => format!("echo {mib}M > {}/memory.max", dir(c)),
        Op::Limit(c, mib) => format!("echo {mib}M > {}/memory.limit_in_bytes", dir(c)),
        Op::Sleep(ms) => format!("sleep {ms}ms"),
    })
}

fn check(s: &Simulator, after: &str) -> Result<(), TestCaseError> {
    let k = s.kernel();
    // All of the invariants, the index among them.
    if let Err(e) = k.check_invariants() {
        return Err(TestCaseError::fail(format!("after `{after}`: {e}")));
    }
    for id in k.tree.ids().filter(|&id| k.tree.cg(id).memcg.is_some()) {
        let scan: Vec<Pid> = k
            .tasks
            .values()
            .filter(|t| k.effective_memcg(t.cgroup) == id)
            .map(|t| t.pid)
            .collect();
        prop_assert_eq!(tasks_of(k, id), scan, "after `{}`", after);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]
    #[test]
    fn the_task_index_equals_a_scan_of_every_task(
        v2 in any::<bool>(),
        ops in proptest::collection::vec(op(), 1..40),
    ) {
        let mut s = Simulator::build(SimConfig::new(if v2 { Version::V2 } else { Version::V1 }));
        for pre in ["mkdir a a/b d", "spawn a/b anon 1M --hold"] {
            prop_assert!(s.exec(pre).ok());
        }
        if v2 {
            prop_assert!(s.exec("echo +memory > a/cgroup.subtree_control").ok());
        }
        check(&s, "setup")?;
        for op in &ops {
            let Some(l) = line(&s, op) else { continue };
            // Errors (EBUSY, ENOENT, ...) are part of the test: the index
            // must stay right whatever was refused.
            let _ = s.exec(&l);
            check(&s, &l)?;
        }
    }
}

/// A v2 cgroup without the controller charges its nearest ancestor with
/// one: enabling `+memory` above it moves its task into its own memcg's
/// index, disabling moves it back.
#[test]
fn subtree_control_moves_tasks_between_indexes() {
    let mut s = Simulator::build(SimConfig::new(Version::V2));
    for l in [
        "mkdir a",
        "echo +memory > a/cgroup.subtree_control",
        "mkdir a/b a/b/c",
    ] {
        assert!(s.exec(l).ok(), "{l}");
    }
    assert!(s.exec("spawn a/b/c anon 1M --hold").ok());
    let id = |s: &Simulator, p: &str| s.lookup(p).unwrap();
    let pid = nth_task(&s, 0).unwrap();
    assert_eq!(tasks_of(s.kernel(), id(&s, "a/b")), [pid]);
    assert!(s.exec("echo +memory > a/b/cgroup.subtree_control").ok());
    assert!(tasks_of(s.kernel(), id(&s, "a/b")).is_empty());
    assert_eq!(tasks_of(s.kernel(), id(&s, "a/b/c")), [pid]);
    assert!(s.exec("echo -memory > a/b/cgroup.subtree_control").ok());
    assert_eq!(tasks_of(s.kernel(), id(&s, "a/b")), [pid]);
    assert!(s.kernel().check_invariants().is_ok());
}

/// v2: the root's `subtree_control` toggles whether its children have a
/// memcg. Tasks that fall back to the root memcg leave the accounting
/// (root tasks are never charged), and tasks that leave it for a new child
/// memcg enter the root's counter with it: the root's usage stays its
/// children's plus its page cache (check_invariants).
#[test]
fn memory_toggled_at_the_root_keeps_the_root_counter() {
    let mut s = Simulator::build(SimConfig::new(Version::V2));
    for l in [
        "mkdir a a/b d",
        "spawn a/b anon 1M --hold",
        "echo +memory > a/cgroup.subtree_control",
        "echo -memory > a/cgroup.subtree_control",
        "sleep 1ms",
        "echo -memory > cgroup.subtree_control",
        "sleep 1ms",
        "echo +memory > cgroup.subtree_control",
        "sleep 1ms",
    ] {
        assert!(s.exec(l).ok(), "{l}");
        if let Err(e) = s.kernel().check_invariants() {
            panic!("after `{l}`: {e}");
        }
    }
}
