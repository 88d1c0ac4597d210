//! The bulk engine under reclaim (issue 12, docs/model.md §18.14): near a
//! limit the batch charge fails and every fault charges one page
//! (`batch = nr_pages`, §3); the bulk engine runs those faults as one step.
//! Each case runs per-page and bulk and compares the trace, the snapshot
//! and every file of every cgroup (failcnt, max_usage, memsw, stat), and
//! checks that the bulk engine did skip most of the per-page events.

use memcg::engine::EngineMode;
use memcg::sim::SimConfig;
use memcg::{Simulator, Version};

fn sim(v: Version, mode: EngineMode, lines: &[&str]) -> Simulator {
    let mut c = SimConfig::new(v);
    c.kernel.cpus = 2;
    c.mode = mode;
    let mut s = Simulator::build(c);
    for line in lines {
        let o = s.exec(line);
        assert!(o.ok(), "{line}: {}", o.stderr);
    }
    s
}

/// Every readable file of every cgroup, as `path: contents`.
fn files(s: &mut Simulator) -> Vec<String> {
    let mut out = Vec::new();
    for cg in s.cgroups() {
        let dir = cg.path.clone();
        let ls = s.exec(&format!("ls {dir}"));
        for name in ls.stdout.split_whitespace() {
            let path = format!("{dir}/{name}");
            if let Ok(text) = s.read(&path) {
                out.push(format!("{path}: {text}"));
            }
        }
    }
    out
}

fn trace(s: &Simulator) -> Vec<String> {
    s.engine().trace.recent().cloned().collect()
}

/// Per-page and bulk agree at several stops; returns (per-page events,
/// bulk events, the bulk run's files).
fn compare(v: Version, lines: &[&str], stops: &[u64]) -> (u64, u64, Vec<String>) {
    let mut a = sim(v, EngineMode::PerPage, lines);
    let mut b = sim(v, EngineMode::Bulk, lines);
    for &t in stops {
        a.run_until(t);
        b.run_until(t);
        assert_eq!(trace(&a), trace(&b), "trace at {t}");
        assert_eq!(a.trace_hash(), b.trace_hash(), "hash at {t}");
        assert_eq!(a.snapshot(), b.snapshot(), "snapshot at {t}");
        assert_eq!(files(&mut a), files(&mut b), "files at {t}");
    }
    let f = files(&mut b);
    (a.engine().events_processed, b.engine().events_processed, f)
}

const STOPS: [u64; 4] = [50_000_000, 333_000_000, 1_000_000_000, 2_000_000_000];

fn failcnt(files: &[String], path_file: &str) -> u64 {
    let line = files
        .iter()
        .find(|l| l.contains(path_file))
        .unwrap_or_else(|| panic!("{path_file} in {files:?}"));
    line.rsplit(": ").next().unwrap().trim().parse().unwrap()
}

/// Asserts the bulk run skipped at least 5 in 6 of the per-page events (without single-page runs it skips about half).
fn skipped_most(per_page: u64, bulk: u64, what: &str) {
    eprintln!("{what}: bulk {bulk} events, per-page {per_page}");
    assert!(
        bulk * 6 <= per_page,
        "{what}: bulk {bulk} events vs per-page {per_page}"
    );
}

#[test]
fn a_reader_at_the_limit_with_async_reclaim_off() {
    let (pp, bulk, f) = compare(
        Version::V1,
        &[
            "mkdir /sys/fs/cgroup/memory/t",
            "echo 64M > /sys/fs/cgroup/memory/t/memory.limit_in_bytes",
            "echo 0 > /sys/fs/cgroup/memory/t/memory.wmark_ratio",
            "spawn /sys/fs/cgroup/memory/t anon 32M --ws 32M --rate 1G/s --hold",
            "spawn /sys/fs/cgroup/memory/t stream 256M --rate 200M/s",
        ],
        &STOPS,
    );
    assert!(failcnt(&f, "/t/memory.failcnt:") > 1000);
    skipped_most(pp, bulk, "one memcg");
}

#[test]
fn a_parent_limit_binds_with_protection_below_it() {
    let (pp, bulk, f) = compare(
        Version::V1,
        &[
            "mkdir -p /sys/fs/cgroup/memory/p/c /sys/fs/cgroup/memory/p/d",
            "echo 64M > /sys/fs/cgroup/memory/p/memory.limit_in_bytes",
            "echo 1G > /sys/fs/cgroup/memory/p/c/memory.limit_in_bytes",
            "echo 16M > /sys/fs/cgroup/memory/p/c/memory.min",
            "echo 8M > /sys/fs/cgroup/memory/p/d/memory.low",
            "spawn /sys/fs/cgroup/memory/p/d anon 12M --hold",
            "spawn /sys/fs/cgroup/memory/p/c stream 256M --rate 100M/s",
        ],
        &STOPS,
    );
    // The parent's counter is the one that fails the batch.
    assert!(failcnt(&f, "/p/memory.failcnt:") > 1000);
    skipped_most(pp, bulk, "parent limit");
}

#[test]
fn a_memsw_limit_binds_first() {
    let (pp, bulk, f) = compare(
        Version::V1,
        &[
            "mkdir /sys/fs/cgroup/memory/t",
            "echo 64M > /sys/fs/cgroup/memory/t/memory.limit_in_bytes",
            "echo 64M > /sys/fs/cgroup/memory/t/memory.memsw.limit_in_bytes",
            "spawn /sys/fs/cgroup/memory/t stream 256M --rate 200M/s",
        ],
        &STOPS,
    );
    assert!(failcnt(&f, "/t/memory.memsw.failcnt:") > 1000);
    skipped_most(pp, bulk, "memsw");
}

#[test]
fn v2_max_with_low_protection() {
    let (pp, bulk, _) = compare(
        Version::V2,
        &[
            "mkdir -p /sys/fs/cgroup/p/c /sys/fs/cgroup/p/e",
            "echo +memory > /sys/fs/cgroup/cgroup.subtree_control",
            "echo +memory > /sys/fs/cgroup/p/cgroup.subtree_control",
            "echo 64M > /sys/fs/cgroup/p/memory.max",
            "echo 16M > /sys/fs/cgroup/p/c/memory.low",
            "spawn /sys/fs/cgroup/p/c stream 256M --rate 200M/s",
            "spawn /sys/fs/cgroup/p/e anon 8M --rate 100M/s --hold",
        ],
        &STOPS,
    );
    skipped_most(pp, bulk, "v2");
}
