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
    sh(&mut s, "kill 1001");
    assert!(err(&mut s, "cat /proc/1001/oom_score_adj").contains("No such file"));
}
