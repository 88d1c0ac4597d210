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
            assert_eq!((root, ns("/")), (t, ns("t")), "hierarchical: the root counts it");
        } else {
            assert_eq!((root, ns("/")), (0, 0), "no parent_mem_cgroup without use_hierarchy");
        }
    }
}
