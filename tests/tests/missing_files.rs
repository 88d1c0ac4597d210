//! Issue 11, "missing or dead files and knobs": v1 memsw accounting and its
//! files, memory.swap.events and swap.high, a task's oom_score_adj, and the
//! exstat walk along parent_mem_cgroup (docs/model.md §9.6, §11, §13, §15).

use memcg::sim::SimConfig;
use memcg::{Simulator, Version};

fn sh(s: &mut Simulator, line: &str) -> String {
    let o = s.exec(line);
    assert!(o.ok(), "{line}: {}", o.stderr);
    o.stdout
}

fn err(s: &mut Simulator, line: &str) -> String {
    let o = s.exec(line);
    assert!(!o.ok(), "{line} should fail");
    o.stderr
}

fn field(text: &str, key: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix(' ')))
        .unwrap_or_else(|| panic!("no {key} in {text}"))
        .trim()
        .parse()
        .unwrap()
}

/// `reclaim_wmark` adds the work's duration to MEMCG_WMARK_RECLAIM of the
/// memcg and each `parent_mem_cgroup`: a v1 memcg under a root without
/// use_hierarchy has no parent memcg, so the root's exstat stays 0.
#[test]
fn exstat_follows_parent_mem_cgroup() {
    for root_hier in [false, true] {
        let mut c = SimConfig::new(Version::V1);
        c.kernel.root_use_hierarchy = root_hier;
        let mut s = Simulator::build(c);
        sh(&mut s, "mkdir t; echo 64M > t/memory.limit_in_bytes");
        sh(&mut s, "echo 90 > t/memory.wmark_ratio");
        sh(&mut s, "spawn t file 200M --rate 100M/s; wait");
        s.run_until(s.now() + 1_000_000_000);
        let t = field(&sh(&mut s, "cat t/memory.exstat"), "wmark_reclaim_work_ms");
        let root = field(&sh(&mut s, "cat memory.exstat"), "wmark_reclaim_work_ms");
        let ns = |p: &str| {
            let id = s.lookup(p).unwrap_or(memcg::tree::CgroupId::ROOT);
            s.kernel().tree.memcg(id).wmark_reclaim_ns
        };
        assert!(ns("t") > 0 && t == ns("t") >> 20, "the worker ran");
        if root_hier {
            assert_eq!(
                (root, ns("/")),
                (t, ns("t")),
                "hierarchical: the root counts it"
            );
        } else {
            assert_eq!(
                (root, ns("/")),
                (0, 0),
                "no parent_mem_cgroup without use_hierarchy"
            );
        }
    }
}

fn no_swap(v: Version) -> Simulator {
    let mut c = SimConfig::new(v);
    c.kernel.swap_pages = 0;
    Simulator::build(c)
}

fn state(s: &Simulator, pid: u32) -> String {
    s.snapshot()
        .tasks
        .iter()
        .find(|t| t.pid == pid)
        .unwrap()
        .state
        .clone()
}

/// Badness adds `oom_score_adj × totalpages / 1000` (oom_badness, §11.2):
/// the smaller task with +1000 dies instead of the bigger one, whether the
/// value came from `spawn --oom-score-adj` or `/proc/PID/oom_score_adj`;
/// -1000 is never chosen.
#[test]
fn oom_victim_follows_oom_score_adj() {
    for how in ["none", "spawn", "proc", "protect"] {
        let mut s = no_swap(Version::V2);
        sh(&mut s, "mkdir t; echo 64M > t/memory.max");
        match how {
            "spawn" => sh(&mut s, "spawn t anon 24M --hold --oom-score-adj 1000"),
            _ => sh(&mut s, "spawn t anon 24M --hold"),
        };
        s.run_until(100_000_000);
        match how {
            "proc" => sh(&mut s, "echo 1000 > /proc/1001/oom_score_adj"),
            "protect" => sh(&mut s, "echo -1000 > /proc/1001/oom_score_adj"),
            _ => String::new(),
        };
        sh(&mut s, "spawn t anon 50M --hold");
        if how == "protect" {
            sh(&mut s, "echo -1000 > /proc/1002/oom_score_adj");
        }
        s.run_until(2_000_000_000);
        let (small, big) = (state(&s, 1001), state(&s, 1002));
        match how {
            "none" => assert_eq!((small.as_str(), big.as_str()), ("holding", "killed")),
            "protect" => {
                // No candidate: the charge is forced (4.19 OOM_FAILED).
                assert_ne!(small, "killed");
                assert_ne!(big, "killed");
            }
            _ => assert_eq!(
                (small.as_str(), big.as_str()),
                ("killed", "holding"),
                "{how}"
            ),
        }
    }
}

/// `/proc/PID/oom_score_adj` as bash sees it (fs/proc/base.c
/// oom_score_adj_read/_write).
#[test]
fn proc_oom_score_adj_reads_and_writes_as_on_linux() {
    let mut s = Simulator::new(Version::V1);
    assert_eq!(sh(&mut s, "cat /proc/1/oom_score_adj"), "-1000\n");
    assert_eq!(sh(&mut s, "cat /proc/self/oom_score_adj"), "0\n");
    assert_eq!(sh(&mut s, "ls /"), "proc\nsys\n");
    sh(&mut s, "mkdir t; spawn t anon 4M --hold --oom-score-adj -7");
    assert_eq!(sh(&mut s, "ls /proc"), "1\n1000\n1001\nself\n");
    assert_eq!(sh(&mut s, "ls /proc/1001"), "oom_score_adj\n");
    assert_eq!(sh(&mut s, "cat /proc/1001/oom_score_adj"), "-7\n");
    sh(&mut s, "echo 0x10 > /proc/1001/oom_score_adj");
    assert_eq!(sh(&mut s, "cat /proc/$$/../1001/oom_score_adj"), "16\n");
    let inval = "bash: echo: write error: Invalid argument\n";
    for bad in ["1001", "-1001", "abc", "''"] {
        assert_eq!(
            err(&mut s, &format!("echo {bad} > /proc/1001/oom_score_adj")),
            inval,
            "{bad}"
        );
    }
    assert_eq!(
        err(&mut s, "echo 99999999999 > /proc/1001/oom_score_adj"),
        "bash: echo: write error: Numerical result out of range\n"
    );
    // Only 12 bytes are read: "100000000000000" is cut to "100000000000".
    assert_eq!(
        err(&mut s, "echo 100000000000000 > /proc/1001/oom_score_adj"),
        "bash: echo: write error: Numerical result out of range\n"
    );
    assert_eq!(sh(&mut s, "cat /proc/1001/oom_score_adj"), "16\n");
    assert_eq!(
        err(&mut s, "cat /proc/4242/oom_score_adj"),
        "cat: /proc/4242/oom_score_adj: No such file or directory\n"
    );
    assert_eq!(
        err(&mut s, "echo 1 > /proc/1001"),
        "bash: /proc/1001: Is a directory\n"
    );
    assert_eq!(
        s.write("/proc/1001/oom_score_adj", "12"),
        Ok(()),
        "the facade writes it too"
    );
    assert_eq!(s.read("/proc/1001/oom_score_adj").unwrap(), "12\n");
    assert_eq!(
        sh(&mut s, "su nobody -c 'cat /proc/1001/oom_score_adj'"),
        "12\n",
        "0644"
    );
    let o = s.exec("su nobody -c 'echo 5 > /proc/1001/oom_score_adj'");
    assert!(
        o.stderr
            .contains("/proc/1001/oom_score_adj: Permission denied"),
        "{}",
        o.stderr
    );
    sh(&mut s, "kill 1001");
    assert!(err(&mut s, "cat /proc/1001/oom_score_adj").contains("No such file"));
}

const MB: u64 = 1 << 20;

fn mode(s: &Simulator, dir: &str, name: &str) -> Option<u16> {
    s.list_files(dir)
        .unwrap()
        .into_iter()
        .find(|f| f.name == name)
        .map(|f| f.mode)
}

fn bytes(s: &mut Simulator, path: &str) -> u64 {
    sh(s, &format!("cat {path}")).trim().parse().unwrap()
}

fn invariants(s: &Simulator) {
    s.machine().kernel.check_invariants().unwrap();
}

/// v1 `memsw_files` (mem_cgroup_swap_init → memsw_files, ALinux 4.19) and
/// the ALinux `swap.high` / `swap.events` of the legacy table, with their
/// modes; none of them in v2.
#[test]
fn v1_memsw_files_and_modes() {
    let s = Simulator::new(Version::V1);
    let mut s = s;
    sh(&mut s, "mkdir t");
    for (name, m, on_root) in [
        ("memory.memsw.usage_in_bytes", 0o444, true),
        ("memory.memsw.max_usage_in_bytes", 0o644, true),
        ("memory.memsw.limit_in_bytes", 0o644, true),
        ("memory.memsw.failcnt", 0o644, true),
        ("memory.swap.high", 0o644, false),
        ("memory.swap.events", 0o444, false),
    ] {
        assert_eq!(mode(&s, "t", name), Some(m), "{name}");
        let root = mode(&s, ".", name);
        assert_eq!(root, on_root.then_some(m), "{name} on the root");
    }
    assert_eq!(
        sh(&mut s, "cat t/memory.memsw.limit_in_bytes"),
        "9223372036854771712\n"
    );
    assert_eq!(sh(&mut s, "cat t/memory.swap.high"), "max\n");
    assert_eq!(
        sh(&mut s, "cat t/memory.swap.events"),
        "high 0\nmax 0\nfail 0\n"
    );
    let mut v2 = Simulator::new(Version::V2);
    sh(&mut v2, "mkdir t");
    assert_eq!(mode(&v2, "t", "memory.memsw.usage_in_bytes"), None);
}

/// `mem_cgroup_resize_max`: memory.max ≤ memsw.max after either write, else
/// EINVAL; the root takes no limit; a memsw limit under usage that reclaim
/// (without swap) cannot reach is EBUSY.
#[test]
fn memsw_limit_rules() {
    let mut s = Simulator::new(Version::V1);
    let inval = "bash: echo: write error: Invalid argument\n";
    sh(&mut s, "mkdir t; echo 100M > t/memory.limit_in_bytes");
    assert_eq!(
        err(&mut s, "echo 50M > t/memory.memsw.limit_in_bytes"),
        inval
    );
    sh(&mut s, "echo 100M > t/memory.memsw.limit_in_bytes");
    assert_eq!(err(&mut s, "echo 101M > t/memory.limit_in_bytes"), inval);
    assert_eq!(err(&mut s, "echo -1 > t/memory.limit_in_bytes"), inval);
    sh(
        &mut s,
        "echo -1 > t/memory.memsw.limit_in_bytes; echo -1 > t/memory.limit_in_bytes",
    );
    assert_eq!(err(&mut s, "echo 1G > memory.memsw.limit_in_bytes"), inval);
    assert_eq!(
        err(&mut s, "echo lots > t/memory.memsw.limit_in_bytes"),
        inval
    );
    // 40M of anon under a 32M limit, 8M+ of it in swap: a 36M memsw limit
    // needs reclaim without swap, which finds nothing.
    sh(
        &mut s,
        "echo 32M > t/memory.limit_in_bytes; spawn t anon 40M --ws 4M --hold; wait",
    );
    assert!(bytes(&mut s, "t/memory.memsw.usage_in_bytes") > 36 * MB);
    assert_eq!(
        err(&mut s, "echo 36M > t/memory.memsw.limit_in_bytes"),
        "bash: echo: write error: Device or resource busy\n"
    );
    assert_eq!(
        sh(&mut s, "cat t/memory.memsw.limit_in_bytes"),
        "9223372036854771712\n"
    );
    invariants(&s);
}

/// memsw accounting (ALinux 4.19): a charge goes to memsw and memory, a
/// swap-out leaves memsw charged (mem_cgroup_swapout), freeing the swap or
/// reading it back uncharges it (mem_cgroup_uncharge_swap); peak reset
/// and failcnt.
#[test]
fn memsw_counts_memory_and_swap() {
    let mut s = Simulator::new(Version::V1);
    sh(&mut s, "mkdir t; echo 64M > t/memory.limit_in_bytes");
    sh(&mut s, "spawn t anon 96M --ws 16M --hold; wait");
    let (mem, memsw) = (
        bytes(&mut s, "t/memory.usage_in_bytes"),
        bytes(&mut s, "t/memory.memsw.usage_in_bytes"),
    );
    let stat = sh(&mut s, "cat t/memory.stat");
    let swap = field(&stat, "swap");
    assert!(swap >= 32 * MB, "cold anon went to swap: {stat}");
    assert_eq!(memsw, mem + swap, "swapped pages stay charged to memsw");
    assert!(stat.contains("\nhierarchical_memsw_limit 9223372036854771712\n"));
    assert_eq!(field(&stat, "total_swap"), swap);
    let root = bytes(&mut s, "memory.memsw.usage_in_bytes");
    assert!(
        root >= 96 * MB,
        "root: file + anon + swap of the machine ({root})"
    );
    invariants(&s);
    // The peak resets to the usage on any write.
    let peak = bytes(&mut s, "t/memory.memsw.max_usage_in_bytes");
    assert!(peak >= memsw);
    sh(&mut s, "echo 0 > t/memory.memsw.max_usage_in_bytes");
    assert_eq!(bytes(&mut s, "t/memory.memsw.max_usage_in_bytes"), memsw);
    // Exit frees memory and swap: memsw back to the page cache (none).
    sh(&mut s, "kill 1001");
    assert_eq!(
        bytes(&mut s, "t/memory.memsw.usage_in_bytes"),
        bytes(&mut s, "t/memory.usage_in_bytes")
    );
    invariants(&s);

    // A memsw limit: try_charge fails on memsw first, reclaim may not swap,
    // the task is OOM-killed; memsw.failcnt counts, memory.failcnt not.
    sh(
        &mut s,
        "mkdir u; echo 64M > u/memory.limit_in_bytes; echo 80M > u/memory.memsw.limit_in_bytes",
    );
    sh(&mut s, "spawn u anon 120M --ws 8M --hold");
    s.run_until(s.now() + 5_000_000_000);
    assert_eq!(state(&s, 1002), "killed");
    assert!(bytes(&mut s, "u/memory.memsw.failcnt") > 0);
    let peak = bytes(&mut s, "u/memory.memsw.max_usage_in_bytes");
    assert!(peak <= 80 * MB, "memsw never above its limit: {peak}");
    sh(&mut s, "echo 0 > u/memory.memsw.failcnt");
    assert_eq!(bytes(&mut s, "u/memory.memsw.failcnt"), 0);
    invariants(&s);
}

/// Reading swapped pages back (a working set reclaimed to swap refaults)
/// moves the charge from the swap entry back to memory: memsw stays memory
/// + swap throughout.
#[test]
fn memsw_follows_swap_in() {
    let mut s = Simulator::new(Version::V1);
    sh(&mut s, "mkdir t; echo 48M > t/memory.limit_in_bytes");
    // A working set larger than the limit: reclaim takes hot pages.
    sh(&mut s, "spawn t anon 64M --ws 64M --hold");
    s.run_until(s.now() + 3_000_000_000);
    let stat = sh(&mut s, "cat t/memory.stat");
    assert!(field(&stat, "workingset_refault") > 0, "refaults: {stat}");
    let (mem, memsw) = (
        bytes(&mut s, "t/memory.usage_in_bytes"),
        bytes(&mut s, "t/memory.memsw.usage_in_bytes"),
    );
    assert_eq!(memsw, mem + field(&stat, "swap"));
    invariants(&s);
}

fn trace_has(s: &Simulator, what: &str) -> bool {
    s.engine().trace.recent().any(|l| l.contains(what))
}

/// `mem_cgroup_try_charge_swap` (v2): a page over a swap.max raises
/// SWAP_MAX and SWAP_FAIL on its memcg, hierarchically as memory.events.
#[test]
fn swap_events_max_and_fail() {
    let mut s = Simulator::new(Version::V2);
    sh(
        &mut s,
        "mkdir p; echo +memory > p/cgroup.subtree_control; mkdir p/c",
    );
    sh(
        &mut s,
        "echo 32M > p/c/memory.max; echo 10M > p/c/memory.swap.max",
    );
    sh(&mut s, "spawn p/c anon 64M --ws 4M --hold");
    s.run_until(s.now() + 3_000_000_000);
    let ev = sh(&mut s, "cat p/c/memory.swap.events");
    let (max, fail) = (field(&ev, "max"), field(&ev, "fail"));
    assert!(max > 0 && fail >= max, "{ev}");
    assert_eq!(sh(&mut s, "cat p/memory.swap.events"), ev, "hierarchical");
    assert!(bytes(&mut s, "p/c/memory.swap.current") <= 10 * MB);
    invariants(&s);
}

/// swap.high (ALinux backport of 5.8's): over it, the charge arms the
/// return-to-user handling, which raises SWAP_HIGH and sleeps the swap
/// overage's penalty (calculate_high_delay) even with memory under
/// memory.high; v2 swap.high and v1 memory.swap.high (memsw.high) alike.
#[test]
fn swap_high_throttles_and_counts() {
    for v in [Version::V2, Version::V1] {
        let mut s = Simulator::new(v);
        let (max, high) = match v {
            Version::V2 => ("memory.max", "memory.swap.high"),
            Version::V1 => ("memory.limit_in_bytes", "memory.swap.high"),
        };
        sh(
            &mut s,
            &format!("mkdir t; echo 32M > t/{max}; echo 4M > t/{high}"),
        );
        sh(&mut s, "spawn t anon 96M --ws 4M --rate 200M/s --hold");
        s.run_until(s.now() + 3_000_000_000);
        let ev = sh(&mut s, "cat t/memory.swap.events");
        assert!(field(&ev, "high") > 0, "{v:?}: {ev}");
        assert!(
            trace_has(&s, "high_penalty"),
            "{v:?}: the task sleeps the penalty"
        );
        assert!(
            state(&s, 1001) != "holding",
            "{v:?}: throttled, still allocating after 3 s at 200M/s"
        );
        let mut free = Simulator::new(v);
        sh(&mut free, &format!("mkdir t; echo 32M > t/{max}"));
        sh(&mut free, "spawn t anon 96M --ws 4M --rate 200M/s --hold");
        free.run_until(free.now() + 3_000_000_000);
        assert_eq!(
            state(&free, 1001),
            "holding",
            "{v:?}: no swap.high, no throttle"
        );
        assert_eq!(
            sh(&mut free, "cat t/memory.swap.events"),
            "high 0\nmax 0\nfail 0\n"
        );
        invariants(&s);
    }
}

/// The bulk engine stops its runs at a memsw limit and under swap.high
/// overage: both engines write the same trace.
#[test]
fn engines_agree_with_memsw_limits_and_swap_high() {
    use memcg::engine::EngineMode;
    for script in [
        "mkdir t; echo 32M > t/memory.limit_in_bytes; echo 40M > t/memory.memsw.limit_in_bytes; spawn t anon 64M --ws 4M --hold",
        "mkdir t; echo 32M > t/memory.limit_in_bytes; echo 4M > t/memory.swap.high; spawn t anon 64M --ws 4M --hold; spawn t anon 16M --rate 50M/s",
    ] {
        let run = |mode| {
            let mut c = SimConfig::new(Version::V1);
            c.mode = mode;
            let mut s = Simulator::build(c);
            sh(&mut s, script);
            s.run_until(2_000_000_000);
            invariants(&s);
            s.trace_hash()
        };
        assert_eq!(run(EngineMode::PerPage), run(EngineMode::Bulk), "{script}");
    }
}
