//! Issue 11: the fair reclaim walk (reclaim cookie), migration as on 4.19
//! (charges stay; v1 `move_charge_at_immigrate` with precharge) and offline
//! memcgs after rmdir (docs/model.md §5.2, §18.6, §18.7).

use memcg::sim::SimConfig;
use memcg::tree::CgroupId;
use memcg::{Simulator, Version};

fn sim(v: Version) -> Simulator {
    Simulator::build(SimConfig::new(v))
}

fn sh(s: &mut Simulator, line: &str) -> String {
    let o = s.exec(line);
    assert!(o.ok(), "{line}: {}", o.stderr);
    o.stdout
}

fn usage(s: &Simulator, path: &str) -> u64 {
    let id = s.lookup(path).unwrap();
    s.kernel().tree.memcg(id).memory.usage
}

fn stat(s: &mut Simulator, path: &str, key: &str) -> u64 {
    let out = sh(s, &format!("cat {path}/memory.stat"));
    out.lines()
        .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix(' ')))
        .unwrap_or_else(|| panic!("{key} in {out}"))
        .parse()
        .unwrap()
}

/// Three identical page-cache readers under one limit: limit reclaim of
/// the parent rotates over them (the cookie), so they end even.
#[test]
fn identical_siblings_end_even_under_limit_reclaim() {
    for v in [Version::V1, Version::V2] {
        let mut s = sim(v);
        let max = if v == Version::V1 {
            "memory.limit_in_bytes"
        } else {
            "memory.max"
        };
        sh(&mut s, "mkdir p");
        if v == Version::V2 {
            sh(&mut s, "echo +memory > p/cgroup.subtree_control");
        }
        sh(&mut s, &format!("echo 150M > p/{max}"));
        sh(&mut s, "mkdir p/a p/b p/c");
        for c in ["a", "b", "c"] {
            sh(
                &mut s,
                &format!("spawn p/{c} file 80M --rate 100M/s --hold"),
            );
        }
        sh(&mut s, "sleep 2s");
        let u: Vec<u64> = ["p/a", "p/b", "p/c"].iter().map(|c| usage(&s, c)).collect();
        let (lo, hi) = (*u.iter().min().unwrap(), *u.iter().max().unwrap());
        assert!(hi > 0 && usage(&s, "p") <= 150 * 256);
        // Within 3 % of each other.
        assert!((hi - lo) * 100 <= hi * 3, "{v:?}: uneven {u:?}");
        s.machine().kernel.check_invariants().unwrap();
    }
}

/// The case: three identical page-cache streams under a 300M
/// parent (before the cookie: 64M, 64M and 172M).
#[test]
fn identical_streams_end_even() {
    let mut s = sim(Version::V2);
    sh(
        &mut s,
        "mkdir p; echo +memory > p/cgroup.subtree_control; echo 300M > p/memory.max",
    );
    sh(&mut s, "mkdir p/a p/b p/c");
    for c in ["a", "b", "c"] {
        sh(&mut s, &format!("spawn p/{c} stream 80M"));
    }
    sh(&mut s, "sleep 10s");
    let u: Vec<u64> = ["p/a", "p/b", "p/c"].iter().map(|c| usage(&s, c)).collect();
    let (lo, hi) = (*u.iter().min().unwrap(), *u.iter().max().unwrap());
    assert!((hi - lo) * 100 <= hi * 3, "uneven {u:?}");
}

/// The cookie: a second limit reclaim of the same root starts after the
/// memcg the first one stopped at.
#[test]
fn reclaim_resumes_where_the_last_walk_stopped() {
    use memcg::reclaim::try_to_free_mem_cgroup_pages;
    let mut s = sim(Version::V2);
    sh(
        &mut s,
        "mkdir p; echo +memory > p/cgroup.subtree_control; mkdir p/a p/b",
    );
    for c in ["a", "b"] {
        sh(&mut s, &format!("spawn p/{c} file 8M --hold"));
    }
    sh(&mut s, "wait");
    let (p, a, b) = (
        s.lookup("p").unwrap(),
        s.lookup("p/a").unwrap(),
        s.lookup("p/b").unwrap(),
    );
    let k = &mut s.machine_mut().kernel;
    let costs = k.costs;
    let u = |k: &memcg::Kernel, m: CgroupId| k.tree.memcg(m).memory.usage;
    let (a0, b0) = (u(k, a), u(k, b));
    // Each call stops as soon as 32 pages are reclaimed, mid-walk; the next
    // one goes on after the memcg the last one stopped at.
    for _ in 0..20 {
        try_to_free_mem_cgroup_pages(k, &costs, p, 32, true);
    }
    let (da, db) = (a0 - u(k, a), b0 - u(k, b));
    assert!(da + db >= 640);
    assert!(
        da.abs_diff(db) * 10 <= da.max(db),
        "a lost {da}, b lost {db}"
    );
    let it = k.tree.memcg(p).reclaim_iter;
    assert!(it.iter().any(|i| i.position.is_some()), "{it:?}");
}

/// v2: moving a task leaves its charges in the source.
#[test]
fn v2_migration_leaves_charges_in_the_source() {
    let mut s = sim(Version::V2);
    sh(&mut s, "mkdir src dst; echo 4M > dst/memory.max");
    let out = sh(&mut s, "spawn src anon 8M --hold");
    let pid = out
        .split_whitespace()
        .find_map(|w| w.parse::<u32>().ok())
        .unwrap();
    sh(&mut s, "wait");
    assert_eq!(usage(&s, "src"), 2048);
    sh(&mut s, &format!("echo {pid} > dst/cgroup.procs"));
    assert_eq!(usage(&s, "src"), 2048, "source keeps the charges");
    assert_eq!(usage(&s, "dst"), 0, "nothing moved over the 4M limit");
    assert_eq!(stat(&mut s, "src", "anon"), 8 << 20);
    s.machine().kernel.check_invariants().unwrap();
    // rmdir: src goes offline, still holding the task's anon pages.
    let src = s.lookup("src").unwrap();
    sh(&mut s, "rmdir src");
    assert!(s.kernel().tree.cg(src).offline);
    assert_eq!(s.kernel().tree.memcg(src).memory.usage, 2048);
    s.machine().kernel.check_invariants().unwrap();
    // The task exits: the pages it left behind are freed, and so is src.
    sh(&mut s, &format!("kill {pid}"));
    s.run_until(s.now() + 100_000_000);
    assert!(s.kernel().tree.get(src).is_none());
    s.machine().kernel.check_invariants().unwrap();
}

/// v1: the destination's move_charge_at_immigrate decides; the precharge
/// respects its limit, and a failure is ENOMEM with the task not moved.
#[test]
fn v1_move_charge_at_immigrate() {
    let mut s = sim(Version::V1);
    let m = "/sys/fs/cgroup/memory";
    sh(&mut s, "mkdir src dst");
    let e = s.exec("echo 4 > dst/memory.move_charge_at_immigrate");
    assert!(e.stderr.contains("Invalid argument"), "{e:?}");
    let out = sh(&mut s, "spawn src anon 8M --hold");
    let pid = out
        .split_whitespace()
        .find_map(|w| w.parse::<u32>().ok())
        .unwrap();
    sh(&mut s, "wait");
    // Default 0: charges stay.
    sh(&mut s, &format!("echo {pid} > dst/cgroup.procs"));
    assert_eq!((usage(&s, "src"), usage(&s, "dst")), (2048, 0));
    sh(&mut s, &format!("echo {pid} > src/cgroup.procs"));
    // Bit 1 into a destination too small and nothing to reclaim: ENOMEM.
    sh(
        &mut s,
        "echo 1 > dst/memory.move_charge_at_immigrate; echo 4M > dst/memory.limit_in_bytes",
    );
    let e = s.exec(&format!("echo {pid} > {m}/dst/tasks"));
    assert!(!e.ok(), "{e:?}");
    assert!(e.stderr.contains("Cannot allocate memory"), "{e:?}");
    assert_eq!(sh(&mut s, "cat dst/tasks"), "");
    assert_eq!(usage(&s, "dst"), 0, "the precharge was cancelled");
    // Room enough: anon moves with the task.
    sh(&mut s, "echo 16M > dst/memory.limit_in_bytes");
    sh(&mut s, &format!("echo {pid} > dst/tasks"));
    assert_eq!((usage(&s, "src"), usage(&s, "dst")), (0, 2048));
    s.machine().kernel.check_invariants().unwrap();
    // File pages the task maps (its file working set) move only with bit 2;
    // with bit 1 alone they stay as the old memcg's page cache.
    sh(&mut s, "mkdir f1 f2 f3");
    let out = sh(&mut s, "spawn f1 file 4M --ws 4M --hold");
    let fpid = out
        .split_whitespace()
        .find_map(|w| w.parse::<u32>().ok())
        .unwrap();
    sh(&mut s, "wait");
    sh(&mut s, "echo 1 > f2/memory.move_charge_at_immigrate");
    sh(&mut s, &format!("echo {fpid} > f2/tasks"));
    assert_eq!((usage(&s, "f1"), usage(&s, "f2")), (1024, 0));
    assert_eq!(stat(&mut s, "f1", "cache"), 4 << 20);
    sh(&mut s, "echo 3 > f3/memory.move_charge_at_immigrate");
    let out = sh(&mut s, "spawn f2 file 4M --ws 4M --hold");
    let gpid = out
        .split_whitespace()
        .find_map(|w| w.parse::<u32>().ok())
        .unwrap();
    sh(&mut s, "wait");
    sh(&mut s, &format!("echo {gpid} > f3/tasks"));
    assert_eq!((usage(&s, "f2"), usage(&s, "f3")), (0, 1024));
    s.machine().kernel.check_invariants().unwrap();
}

/// rmdir of a memcg with page cache: it goes offline, its pages stay
/// charged (the parent's usage and hierarchical stats do not move) until
/// reclaim takes them; then it is freed. The name is free at once.
#[test]
fn rmdir_with_page_cache_keeps_the_charges_until_reclaim() {
    for v in [Version::V1, Version::V2] {
        let mut s = sim(v);
        sh(&mut s, "mkdir p");
        if v == Version::V2 {
            sh(&mut s, "echo +memory > p/cgroup.subtree_control");
        }
        sh(&mut s, "mkdir p/c");
        let out = sh(&mut s, "spawn p/c file 16M --hold");
        let pid = out
            .split_whitespace()
            .find_map(|w| w.parse::<u32>().ok())
            .unwrap();
        sh(&mut s, "wait");
        sh(&mut s, &format!("kill {pid}"));
        s.run_until(s.now() + 100_000_000);
        let (file_key, usage_file) = if v == Version::V1 {
            ("total_cache", "p/memory.usage_in_bytes")
        } else {
            ("file", "p/memory.current")
        };
        let before = (
            sh(&mut s, &format!("cat {usage_file}")),
            stat(&mut s, "p", file_key),
        );
        let c = s.lookup("p/c").unwrap();
        sh(&mut s, "rmdir p/c");
        assert!(s.lookup("p/c").is_none(), "gone from the namespace");
        assert!(!sh(&mut s, "ls p").split_whitespace().any(|n| n == "c"));
        let after = (
            sh(&mut s, &format!("cat {usage_file}")),
            stat(&mut s, "p", file_key),
        );
        assert_eq!(before, after, "{v:?}");
        assert_eq!(before.1, 16 << 20);
        if v == Version::V2 {
            assert!(sh(&mut s, "cat p/cgroup.stat").contains("nr_dying_descendants 1\n"));
        }
        assert!(s.kernel().tree.cg(c).offline);
        // Not handed to the parent's own page cache.
        let p = s.lookup("p").unwrap();
        assert_eq!(s.kernel().tree.memcg(p).pages.file(), 0);
        // The same name again is a new cgroup.
        sh(&mut s, "mkdir p/c");
        assert_ne!(s.lookup("p/c").unwrap(), c);
        s.machine().kernel.check_invariants().unwrap();
        // Reclaim of the parent takes the offline pages; emptied, the
        // offline memcg is freed.
        let k = &mut s.machine_mut().kernel;
        let costs = k.costs;
        memcg::reclaim::try_to_free_mem_cgroup_pages(k, &costs, p, 1 << 20, true);
        assert!(s.kernel().tree.get(c).is_none_or(|n| !n.offline), "freed");
        assert_eq!(stat(&mut s, "p", file_key), 0);
        if v == Version::V2 {
            assert!(sh(&mut s, "cat p/cgroup.stat").contains("nr_dying_descendants 0\n"));
        }
        s.machine().kernel.check_invariants().unwrap();
    }
}

/// css_offline zeroes memory.min and memory.low: an offline memcg is never
/// protected, and its parent's children_min/low_usage drop.
#[test]
fn offline_memcg_loses_its_protection() {
    let mut s = sim(Version::V2);
    sh(
        &mut s,
        "mkdir p; echo +memory > p/cgroup.subtree_control; mkdir p/c",
    );
    sh(
        &mut s,
        "echo 64M > p/c/memory.min; echo 64M > p/c/memory.low",
    );
    let out = sh(&mut s, "spawn p/c file 16M --hold");
    let pid = out
        .split_whitespace()
        .find_map(|w| w.parse::<u32>().ok())
        .unwrap();
    sh(&mut s, "wait");
    sh(&mut s, &format!("kill {pid}"));
    s.run_until(s.now() + 100_000_000);
    let (p, c) = (s.lookup("p").unwrap(), s.lookup("p/c").unwrap());
    assert!(s.kernel().tree.memcg(p).memory.children_min_usage > 0);
    sh(&mut s, "rmdir p/c");
    let k = &s.kernel().tree;
    assert_eq!((k.memcg(c).memory.min, k.memcg(c).memory.low), (0, 0));
    assert_eq!(k.memcg(p).memory.children_min_usage, 0);
    assert_eq!(k.memcg(p).memory.children_low_usage, 0);
    // So the parent's limit reclaim takes its pages.
    sh(&mut s, "echo 1M > p/memory.max");
    assert!(usage(&s, "p") <= 256);
}

/// A task spawned in the root (whose pages no counter holds) moved into a
/// child: nothing is charged to the child, the accounting holds.
#[test]
fn moving_a_root_task_charges_nothing() {
    for v in [Version::V1, Version::V2] {
        let mut s = sim(v);
        sh(&mut s, "mkdir c");
        let root = if v == Version::V1 {
            "/sys/fs/cgroup/memory"
        } else {
            "/sys/fs/cgroup"
        };
        let out = sh(&mut s, &format!("spawn {root} anon 8M --hold"));
        let pid = out
            .split_whitespace()
            .find_map(|w| w.parse::<u32>().ok())
            .unwrap();
        sh(&mut s, "wait");
        sh(&mut s, &format!("echo {pid} > c/cgroup.procs"));
        assert_eq!(usage(&s, "c"), 0, "{v:?}");
        s.machine().kernel.check_invariants().unwrap();
        sh(&mut s, &format!("kill {pid}"));
        s.run_until(s.now() + 100_000_000);
        s.machine().kernel.check_invariants().unwrap();
    }
}

/// v1 with memsw: a task with swapped-out anon moves with bit 1 and takes
/// its swap entries' memsw charge along (mem_cgroup_move_swap_account); with
/// 0 the entries stay charged to the source's memsw until the task frees
/// them. memsw = memory + swap entries throughout (check_invariants).
#[test]
fn v1_moving_swapped_anon_keeps_memsw_in_step() {
    let mut s = sim(Version::V1);
    sh(&mut s, "mkdir src dst stay");
    sh(&mut s, "echo 16M > src/memory.limit_in_bytes");
    sh(&mut s, "echo 1 > dst/memory.move_charge_at_immigrate");
    let out = sh(&mut s, "spawn src anon 32M --hold");
    let pid = out
        .split_whitespace()
        .find_map(|w| w.parse::<u32>().ok())
        .unwrap();
    s.run_until(s.now() + 2_000_000_000);
    let swap = stat(&mut s, "src", "swap");
    assert!(swap > 0, "some anon went to swap");
    let memsw = |s: &mut Simulator, p: &str| -> u64 {
        let o = sh(s, &format!("cat {p}/memory.memsw.usage_in_bytes"));
        o.trim().parse().unwrap()
    };
    assert_eq!(memsw(&mut s, "src"), usage(&s, "src") * 4096 + swap);
    // Bit 1: anon and its swap move.
    sh(&mut s, &format!("echo {pid} > dst/cgroup.procs"));
    assert_eq!(memsw(&mut s, "src"), 0);
    assert_eq!(memsw(&mut s, "dst"), usage(&s, "dst") * 4096 + swap);
    s.machine().kernel.check_invariants().unwrap();
    // Bit 0 (stay): everything stays charged to dst, swap included.
    let before = memsw(&mut s, "dst");
    sh(&mut s, &format!("echo {pid} > stay/cgroup.procs"));
    assert_eq!(memsw(&mut s, "dst"), before);
    assert_eq!(memsw(&mut s, "stay"), 0);
    s.machine().kernel.check_invariants().unwrap();
    // The task exits: what it left behind in dst is freed, swap included.
    sh(&mut s, &format!("kill {pid}"));
    assert_eq!(memsw(&mut s, "dst"), 0);
    s.machine().kernel.check_invariants().unwrap();
}

/// v1: moving a task from a child into its parent with
/// move_charge_at_immigrate 3, while the parent's own task is being limited
/// and its stock holds pages: the accounting stays consistent.
#[test]
fn v1_moving_into_the_parent_keeps_the_accounting() {
    let mut s = sim(Version::V1);
    sh(&mut s, "mkdir a a/b d");
    sh(&mut s, "spawn a/b anon 1M --hold");
    sh(&mut s, "spawn a anon 1189K --rate 20M/s");
    sh(&mut s, "echo 1M > a/memory.limit_in_bytes");
    sh(&mut s, "echo 3 > a/memory.move_charge_at_immigrate");
    s.run_until(s.now() + 1_000_000);
    s.machine().kernel.check_invariants().unwrap();
    let _ = s.exec("echo 1001 > a/cgroup.procs");
    s.machine().kernel.check_invariants().unwrap();
}

/// v1: anon a task left behind when it moved away is swapped out by the
/// old memcg's reclaim; the swap entries keep their memsw charge there
/// (mem_cgroup_swapout), so memsw stays memory + swap.
#[test]
fn v1_left_behind_anon_swapped_out_keeps_memsw() {
    let mut s = sim(Version::V1);
    for l in [
        "mkdir a a/b d",
        "spawn a/b anon 1M --hold",
        "sleep 1ms",
        "spawn a anon 2049K --rate 20M/s",
        "echo 1M > a/memory.limit_in_bytes",
        "echo 1001 > /sys/fs/cgroup/memory/cgroup.procs",
        "sleep 1ms",
    ] {
        sh(&mut s, l);
        s.machine().kernel.check_invariants().unwrap();
    }
    assert!(
        stat(&mut s, "a/b", "swap") > 0,
        "left-behind anon was swapped"
    );
}
