//! Issue 13, kernels: one machine per kernel flavour, each with its own
//! files and memcg rules (docs/model.md §19).

use memcg::engine::EngineMode;
use memcg::flavour::{KernelFlavour, FLAVOURS};
use memcg::sim::SimConfig;
use memcg::{share, Simulator, Version};

fn machine(f: KernelFlavour, v: Version) -> Simulator {
    let mut c = SimConfig::new(v);
    c.kernel.flavour = f;
    Simulator::build(c)
}

fn sh(s: &mut Simulator, line: &str) -> String {
    let o = s.exec(line);
    assert!(o.ok(), "{line}: {}", o.stderr);
    o.stdout
}

fn err(s: &mut Simulator, line: &str) -> String {
    let o = s.exec(line);
    assert!(!o.ok(), "{line} should fail: {}", o.stdout);
    o.stderr
}

fn trace(s: &Simulator) -> Vec<String> {
    s.engine().trace.recent().cloned().collect()
}

fn field(l: &str, k: &str) -> u64 {
    l.split_whitespace()
        .find_map(|w| w.strip_prefix(k))
        .unwrap_or_else(|| panic!("no {k} in {l}"))
        .parse()
        .unwrap()
}

fn bytes(s: &mut Simulator, file: &str) -> u64 {
    sh(s, &format!("cat {file}")).trim().parse().unwrap()
}

const V1_COMMON: &[&str] = &[
    "cgroup.clone_children",
    "cgroup.event_control",
    "cgroup.procs",
    "memory.failcnt",
    "memory.force_empty",
    "memory.kmem.failcnt",
    "memory.kmem.limit_in_bytes",
    "memory.kmem.max_usage_in_bytes",
    "memory.kmem.slabinfo",
    "memory.kmem.tcp.failcnt",
    "memory.kmem.tcp.limit_in_bytes",
    "memory.kmem.tcp.max_usage_in_bytes",
    "memory.kmem.tcp.usage_in_bytes",
    "memory.kmem.usage_in_bytes",
    "memory.limit_in_bytes",
    "memory.max_usage_in_bytes",
    "memory.memsw.failcnt",
    "memory.memsw.limit_in_bytes",
    "memory.memsw.max_usage_in_bytes",
    "memory.memsw.usage_in_bytes",
    "memory.move_charge_at_immigrate",
    "memory.numa_stat",
    "memory.oom_control",
    "memory.pressure_level",
    "memory.soft_limit_in_bytes",
    "memory.stat",
    "memory.swappiness",
    "memory.usage_in_bytes",
    "memory.use_hierarchy",
    "notify_on_release",
    "tasks",
];

/// Community 4.19 `memory_files` + `swap_files` and `cgroup_base_files`.
const V2_LINUX419: &[&str] = &[
    "cgroup.controllers",
    "cgroup.events",
    "cgroup.max.depth",
    "cgroup.max.descendants",
    "cgroup.procs",
    "cgroup.stat",
    "cgroup.subtree_control",
    "cgroup.threads",
    "cgroup.type",
    "memory.current",
    "memory.events",
    "memory.high",
    "memory.low",
    "memory.max",
    "memory.min",
    "memory.oom.group",
    "memory.stat",
    "memory.swap.current",
    "memory.swap.events",
    "memory.swap.max",
];

/// The files a child cgroup of `f` shows on `v`, sorted.
fn expected(f: KernelFlavour, v: Version) -> Vec<&'static str> {
    let mut files: Vec<&'static str> = match v {
        Version::V1 => V1_COMMON.to_vec(),
        Version::V2 => V2_LINUX419.to_vec(),
    };
    let extra: &[&str] = match (f, v) {
        (KernelFlavour::Alinux419, Version::V1) => &[
            "memory.events",
            "memory.events.local",
            "memory.exstat",
            "memory.high",
            "memory.low",
            "memory.min",
            "memory.oom.group",
            "memory.pressure",
            "memory.priority",
            "memory.swap.events",
            "memory.swap.high",
            "memory.use_priority_oom",
            "memory.wmark_high",
            "memory.wmark_low",
            "memory.wmark_min_adj",
            "memory.wmark_ratio",
            "memory.wmark_scale_factor",
        ],
        (KernelFlavour::Alinux419, Version::V2) => &[
            "memory.events.local",
            "memory.pressure",
            "memory.priority",
            "memory.swap.high",
            "memory.use_priority_oom",
            "memory.wmark_high",
            "memory.wmark_low",
            "memory.wmark_ratio",
            "memory.wmark_scale_factor",
        ],
        // 6.18's `mem_cgroup_legacy_files` is 6.6's (checked against a
        // 6.18.44 machine's `ls`, whose one extra file is a vendor's).
        (
            KernelFlavour::Linux419 | KernelFlavour::Linux66 | KernelFlavour::Linux618,
            Version::V1,
        ) => &[],
        (KernelFlavour::Linux419, Version::V2) => &[],
        (KernelFlavour::Linux66 | KernelFlavour::Linux618, Version::V2) => &[
            "memory.events.local",
            "memory.peak",
            "memory.pressure",
            "memory.reclaim",
            "memory.swap.high",
        ],
        (KernelFlavour::OpenEuler, Version::V1) => &[
            "memory.events",
            "memory.events.local",
            "memory.high",
            "memory.high_async_ratio",
            "memory.low",
            "memory.min",
            "memory.reclaim",
        ],
        (KernelFlavour::OpenEuler, Version::V2) => &[
            "memory.events.local",
            "memory.high_async_ratio",
            "memory.peak",
            "memory.pressure",
            "memory.reclaim",
            "memory.swap.high",
        ],
        // TencentOS `mem_cgroup_legacy_files`: of the modelled v1 exports
        // only low and high (its memory.events is hierarchical, not
        // modelled); the four async files.
        (KernelFlavour::TencentOs, Version::V1) => &[
            "memory.async_distance_factor",
            "memory.async_high",
            "memory.async_low",
            "memory.async_ratio",
            "memory.high",
            "memory.low",
        ],
        (KernelFlavour::TencentOs, Version::V2) => &[
            "memory.async_distance_factor",
            "memory.async_high",
            "memory.async_low",
            "memory.async_ratio",
            "memory.events.local",
            "memory.peak",
            "memory.pressure",
            "memory.reclaim",
            "memory.swap.high",
        ],
    };
    files.extend_from_slice(extra);
    files.sort_unstable();
    files
}

#[test]
fn each_kernel_lists_exactly_its_files() {
    for v in [Version::V1, Version::V2] {
        for f in FLAVOURS {
            let mut s = machine(f, v);
            sh(&mut s, "mkdir a");
            let ls = sh(&mut s, "ls a");
            let got: Vec<&str> = ls.lines().collect();
            assert_eq!(got, expected(f, v), "{} {v:?}", f.name());
        }
    }
}

/// A file another kernel has is ENOENT here: `cat` and `ls` say "No such
/// file or directory"; a redirect creates in a kernfs directory, which
/// has no `create`, so bash says "Permission denied" (as for any missing
/// cgroup file today).
#[test]
fn other_kernels_files_are_enoent() {
    for v in [Version::V1, Version::V2] {
        let all: std::collections::BTreeSet<&str> =
            FLAVOURS.iter().flat_map(|&f| expected(f, v)).collect();
        for f in FLAVOURS {
            let mine = expected(f, v);
            let mut s = machine(f, v);
            sh(&mut s, "mkdir a");
            for name in all.iter().filter(|n| !mine.contains(n)) {
                assert_eq!(
                    err(&mut s, &format!("cat a/{name}")),
                    format!("cat: a/{name}: No such file or directory\n"),
                    "{} {v:?}",
                    f.name()
                );
                assert_eq!(
                    err(&mut s, &format!("ls a/{name}")),
                    format!("ls: cannot access 'a/{name}': No such file or directory\n")
                );
                assert_eq!(
                    err(&mut s, &format!("echo 1 > a/{name}")),
                    format!("bash: a/{name}: Permission denied\n")
                );
                let path = format!("{}/a/{name}", v.mount_point());
                assert_eq!(s.read(&path).unwrap_err(), memcg::Errno::ENOENT, "{path}");
            }
        }
    }
}

#[test]
fn root_files_of_the_6_6_kernels() {
    for f in [
        KernelFlavour::Linux66,
        KernelFlavour::OpenEuler,
        KernelFlavour::TencentOs,
    ] {
        let mut s = machine(f, Version::V2);
        let ls = sh(&mut s, "ls");
        // memory.reclaim has no CFTYPE_NOT_ON_ROOT; peak and the ratio do.
        assert!(ls.lines().any(|l| l == "memory.reclaim"), "{ls}");
        assert!(!ls.lines().any(|l| l == "memory.peak"), "{ls}");
        assert!(!ls.lines().any(|l| l == "memory.high_async_ratio"), "{ls}");
        assert!(!ls.lines().any(|l| l.starts_with("memory.async_")), "{ls}");
    }
}

#[test]
fn linux_4_19_swap_events_has_no_high_line() {
    let mut s = machine(KernelFlavour::Linux419, Version::V2);
    sh(&mut s, "mkdir a");
    assert_eq!(sh(&mut s, "cat a/memory.swap.events"), "max 0\nfail 0\n");
    let mut s = machine(KernelFlavour::Linux66, Version::V2);
    sh(&mut s, "mkdir a");
    assert_eq!(
        sh(&mut s, "cat a/memory.swap.events"),
        "high 0\nmax 0\nfail 0\n"
    );
}

// ---------------------------------------------------------------------------
// memory.reclaim and memory.peak (Linux 6.6)

fn cache_40m(f: KernelFlavour) -> Simulator {
    let mut s = machine(f, Version::V2);
    sh(&mut s, "mkdir a; echo 1G > a/memory.max");
    sh(&mut s, "spawn a file 40M --hold; wait");
    s
}

#[test]
fn memory_reclaim_amounts() {
    let mut s = cache_40m(KernelFlavour::Linux66);
    let before = bytes(&mut s, "a/memory.current");
    assert_eq!(before, 40 << 20);
    // 8M = 2048 pages asked at most 32 at a time until 2048 came back;
    // a call stops within a reclaim chunk past its 32 (the walk's
    // `nr_reclaimed < nr_to_reclaim` test, §5), hence 2098 in this model.
    sh(&mut s, "echo 8M > a/memory.reclaim");
    let after = bytes(&mut s, "a/memory.current");
    assert_eq!((before - after) / 4096, 2098);
    // A request under 32 pages still asks SWAP_CLUSTER_MAX of the walk.
    sh(&mut s, "echo 4K > a/memory.reclaim");
    let got = (after - bytes(&mut s, "a/memory.current")) / 4096;
    assert!((32..64).contains(&got), "{got}");
    // 0 asks for nothing and succeeds.
    sh(&mut s, "echo 0 > a/memory.reclaim");
    // More than there is: everything goes, then EAGAIN.
    assert_eq!(
        err(&mut s, "echo 1G > a/memory.reclaim"),
        "bash: echo: write error: Resource temporarily unavailable\n"
    );
    assert_eq!(bytes(&mut s, "a/memory.current"), 0);
    // An empty write parses as "" = PAGE_COUNTER_MAX: EAGAIN once nothing
    // is left.
    assert_eq!(
        err(&mut s, "echo > a/memory.reclaim"),
        "bash: echo: write error: Resource temporarily unavailable\n"
    );
    // The write does not count as a memory.max or memory.high event.
    let events = sh(&mut s, "cat a/memory.events");
    assert!(events.contains("high 0\nmax 0\n"), "{events}");
}

#[test]
fn memory_reclaim_parse_errors_are_einval() {
    let mut s = cache_40m(KernelFlavour::Linux66);
    for bad in ["abc", "-1", "1M swappiness=60", "swappiness=0", "1Q", "max"] {
        assert_eq!(
            err(&mut s, &format!("echo '{bad}' > a/memory.reclaim")),
            "bash: echo: write error: Invalid argument\n",
            "{bad}"
        );
    }
    // Nothing was reclaimed by a refused write.
    assert_eq!(bytes(&mut s, "a/memory.current"), 40 << 20);
    // Write-only (0200): cat is EINVAL for root.
    assert_eq!(
        err(&mut s, "cat a/memory.reclaim"),
        "cat: a/memory.reclaim: Invalid argument\n"
    );
}

#[test]
fn memory_reclaim_on_the_root_and_in_v1_on_openeuler() {
    let mut s = cache_40m(KernelFlavour::Linux66);
    sh(&mut s, "echo 4M > memory.reclaim");
    let left = bytes(&mut s, "a/memory.current");
    assert!(left <= 36 << 20 && left > (36 << 20) - (64 << 12), "{left}");
    let mut s = machine(KernelFlavour::OpenEuler, Version::V1);
    sh(&mut s, "mkdir a; spawn a file 40M --hold; wait");
    sh(&mut s, "echo 4M > a/memory.reclaim");
    let left = bytes(&mut s, "a/memory.usage_in_bytes");
    assert!(left <= 36 << 20 && left > (36 << 20) - (64 << 12), "{left}");
}

#[test]
fn memory_peak_is_the_usage_watermark() {
    let mut s = machine(KernelFlavour::Linux66, Version::V2);
    sh(&mut s, "mkdir a; echo 1G > a/memory.max");
    assert_eq!(sh(&mut s, "cat a/memory.peak"), "0\n");
    sh(&mut s, "spawn a burst 40M; wait");
    s.run_until(s.now() + 1_000_000_000);
    assert_eq!(bytes(&mut s, "a/memory.current"), 0);
    // 40M plus the last refill's stock, at most one batch.
    let peak = bytes(&mut s, "a/memory.peak");
    assert!(
        (40 << 20..=(40 << 20) + 32 * 4096).contains(&peak),
        "{peak}"
    );
    // Read-only (0444) in 6.6: root's write is EINVAL.
    assert_eq!(
        err(&mut s, "echo 0 > a/memory.peak"),
        "bash: echo: write error: Invalid argument\n"
    );
}

// ---------------------------------------------------------------------------
// memory.high (community 4.19 against 6.6)

#[test]
fn linux_4_19_memory_high_reclaims_without_penalty() {
    for (f, penalty) in [
        (KernelFlavour::Linux419, false),
        (KernelFlavour::Linux66, true),
        (KernelFlavour::Alinux419, true),
    ] {
        let mut c = SimConfig::new(Version::V2);
        c.kernel.flavour = f;
        c.kernel.swap_pages = 0;
        let mut s = Simulator::build(c);
        sh(
            &mut s,
            "mkdir t; echo 1G > t/memory.max; echo 100M > t/memory.high",
        );
        sh(&mut s, "spawn t anon 130M --rate 200M/s --hold; wait");
        let events = sh(&mut s, "cat t/memory.events");
        assert!(!events.contains("high 0\n"), "{events}");
        assert_eq!(
            trace(&s).iter().any(|l| l.contains("high_penalty")),
            penalty,
            "{}",
            f.name()
        );
    }
}

#[test]
fn linux_4_19_memory_high_write_reclaims_once() {
    let mut s = machine(KernelFlavour::Linux419, Version::V2);
    sh(&mut s, "mkdir a; spawn a file 40M --hold; wait");
    sh(&mut s, "echo 30M > a/memory.high");
    assert_eq!(sh(&mut s, "cat a/memory.high"), "31457280\n");
    assert!(bytes(&mut s, "a/memory.current") <= 30 << 20);
}

// ---------------------------------------------------------------------------
// linux-4.19 has no async reclaim

#[test]
fn linux_4_19_never_queues_wmark_work() {
    for mode in [EngineMode::PerPage, EngineMode::Bulk] {
        let mut c = SimConfig::new(Version::V1);
        c.kernel.flavour = KernelFlavour::Linux419;
        c.mode = mode;
        let mut s = Simulator::build(c);
        sh(&mut s, "mkdir t; echo 1G > t/memory.limit_in_bytes");
        assert_eq!(
            err(&mut s, "echo 95 > t/memory.wmark_ratio"),
            "bash: t/memory.wmark_ratio: Permission denied\n"
        );
        // Even a ratio set behind the cgroupfs's back queues nothing.
        let t = s.lookup("t").unwrap();
        let k = &mut s.machine_mut().kernel;
        let m = k.tree.memcg_mut(t);
        m.wmark_ratio = 95;
        memcg::wmark::setup_memcg_wmark(m);
        assert!(!k.queue_wmark_work_if_needed(t));
        {
            let m = k.tree.memcg_mut(t);
            m.wmark_ratio = 0;
            memcg::wmark::setup_memcg_wmark(m);
        }
        sh(&mut s, "spawn t file 1100M --rate 500M/s; wait");
        let lines = trace(&s);
        assert!(
            !lines.iter().any(|l| l.contains("work_")),
            "{:?}",
            lines.iter().find(|l| l.contains("work_"))
        );
        assert!(lines.iter().any(|l| l.contains("direct_reclaim")));
        assert_eq!(s.kernel().tree.memcg(t).wmark_work.label(), "idle");
    }
}

// ---------------------------------------------------------------------------
// openEuler memory.high_async_ratio

#[test]
fn high_async_ratio_file() {
    for v in [Version::V1, Version::V2] {
        let mut s = machine(KernelFlavour::OpenEuler, v);
        sh(&mut s, "mkdir a");
        assert_eq!(sh(&mut s, "cat a/memory.high_async_ratio"), "100\n");
        for bad in ["10", "0", "-5", "101", "abc", "2147483648"] {
            let e = err(&mut s, &format!("echo {bad} > a/memory.high_async_ratio"));
            assert!(
                e == "bash: echo: write error: Invalid argument\n"
                    || e == "bash: echo: write error: Numerical result out of range\n",
                "{bad}: {e}"
            );
        }
        for good in ["11", "100", " 0x50 "] {
            sh(
                &mut s,
                &format!("echo '{good}' > a/memory.high_async_ratio"),
            );
        }
        assert_eq!(sh(&mut s, "cat a/memory.high_async_ratio"), "80\n");
        // Not inherited: a child starts at 100.
        if v == Version::V2 {
            sh(&mut s, "echo +memory > a/cgroup.subtree_control");
        }
        sh(&mut s, "mkdir a/b");
        assert_eq!(sh(&mut s, "cat a/b/memory.high_async_ratio"), "100\n");
    }
}

/// high = 100M = 25600 pages, ratio 90: the trigger mark is
/// 25600·90/100 = 23040 pages and the safe mark 25600·80/100 = 20480.
/// The first refill that takes usage strictly above 23040 (to 23072)
/// queues the work, which reclaims 23072 − 20480 = 2592 pages in one
/// try_to_free_mem_cgroup_pages call and so stops at the safe mark.
#[test]
fn openeuler_async_trigger_and_stop_in_pages() {
    for v in [Version::V1, Version::V2] {
        for mode in [EngineMode::PerPage, EngineMode::Bulk] {
            let mut c = SimConfig::new(v);
            c.kernel.flavour = KernelFlavour::OpenEuler;
            c.mode = mode;
            let mut s = Simulator::build(c);
            sh(&mut s, "mkdir a; echo 100M > a/memory.high");
            sh(&mut s, "echo 90 > a/memory.high_async_ratio");
            // 23072 pages: usage ends exactly one batch above the trigger.
            sh(&mut s, "spawn a file 92288K --hold; wait");
            s.run_until(s.now() + 1_000_000_000);
            let lines = trace(&s);
            let queued: Vec<&String> = lines.iter().filter(|l| l.contains("work_queued")).collect();
            assert_eq!(queued.len(), 1, "{queued:?}");
            assert_eq!(field(queued[0], "usage="), 23072, "{}", queued[0]);
            let start = lines.iter().find(|l| l.contains("work_start")).unwrap();
            assert!(
                start.contains("nr=2592 usage=23072 wmark_low=20480"),
                "{start}"
            );
            let done = lines.iter().find(|l| l.contains("work_done")).unwrap();
            assert_eq!(field(done, "reclaimed="), 2592, "{done}");
            assert_eq!(field(done, "usage="), 20480, "{done}");
            let a = s.lookup("a").unwrap();
            assert_eq!(s.kernel().tree.memcg(a).wmark_work.label(), "idle");
            // Below memory.high: no throttling, no high event.
            let ev = sh(&mut s, "cat a/memory.events");
            assert!(ev.contains("high 0\n"), "{ev}");
        }
    }
}

#[test]
fn openeuler_usage_at_the_trigger_mark_queues_nothing() {
    let mut s = machine(KernelFlavour::OpenEuler, Version::V2);
    sh(&mut s, "mkdir a; echo 100M > a/memory.high");
    sh(&mut s, "echo 90 > a/memory.high_async_ratio");
    // 23040 pages: usage equals the trigger mark, which is not above it.
    sh(&mut s, "spawn a file 92160K --hold; wait");
    s.run_until(s.now() + 1_000_000_000);
    assert_eq!(bytes(&mut s, "a/memory.current"), 23040 * 4096);
    assert!(!trace(&s).iter().any(|l| l.contains("work_")));
}

#[test]
fn openeuler_needs_both_a_ratio_and_memory_high() {
    for setup in [
        "mkdir a; echo 100M > a/memory.high",
        "mkdir a; echo 50 > a/memory.high_async_ratio",
    ] {
        let mut s = machine(KernelFlavour::OpenEuler, Version::V2);
        sh(&mut s, setup);
        sh(&mut s, "spawn a file 95M --hold; wait");
        s.run_until(s.now() + 1_000_000_000);
        assert!(!trace(&s).iter().any(|l| l.contains("work_")), "{setup}");
    }
}

#[test]
fn openeuler_work_runs_again_on_the_next_crossing() {
    let mut s = machine(KernelFlavour::OpenEuler, Version::V2);
    sh(&mut s, "mkdir a; echo 100M > a/memory.high");
    sh(&mut s, "echo 50 > a/memory.high_async_ratio");
    // Trigger 12800 pages, safe 10240: a steady stream crosses it again
    // and again; each run brings usage back to the safe mark.
    sh(&mut s, "spawn a file 200M --rate 100M/s; wait");
    let lines = trace(&s);
    let starts: Vec<&String> = lines.iter().filter(|l| l.contains("work_start")).collect();
    assert!(starts.len() > 5, "{}", starts.len());
    for l in &starts {
        let (usage, nr) = (field(l, "usage="), field(l, "nr="));
        assert!(usage > 12800, "{l}");
        assert_eq!(nr, usage - 10240, "{l}");
    }
    assert!(!lines.iter().any(|l| l.contains("high_penalty")));
}

// ---------------------------------------------------------------------------
// TencentOS memory.async_ratio (§19.5)

fn tencent(v: Version) -> Simulator {
    machine(KernelFlavour::TencentOs, v)
}

const EINVAL: &str = "bash: echo: write error: Invalid argument\n";
const ERANGE: &str = "bash: echo: write error: Numerical result out of range\n";

#[test]
fn memory_qos_sysctl_is_a_tencentos_file() {
    let mut s = tencent(Version::V2);
    assert_eq!(sh(&mut s, "ls /proc/sys/vm"), "memory_qos\n");
    assert!(sh(&mut s, "ls /proc").lines().any(|l| l == "sys"));
    // Off by default (`int sysctl_vm_memory_qos;`).
    assert_eq!(sh(&mut s, "cat /proc/sys/vm/memory_qos"), "0\n");
    for bad in ["2", "-1", "abc", ""] {
        let e = err(&mut s, &format!("echo '{bad}' > /proc/sys/vm/memory_qos"));
        assert_eq!(e, EINVAL, "{bad}");
    }
    sh(&mut s, "echo 1 > /proc/sys/vm/memory_qos");
    assert_eq!(s.read("/proc/sys/vm/memory_qos").unwrap(), "1\n");
    s.write("/proc/sys/vm/memory_qos", "0").unwrap();
    assert_eq!(sh(&mut s, "cat /proc/sys/vm/memory_qos"), "0\n");
    let e = err(&mut s, "su nobody -c 'echo 1 > /proc/sys/vm/memory_qos'");
    assert!(
        e.contains("/proc/sys/vm/memory_qos: Permission denied"),
        "{e}"
    );
    for f in FLAVOURS.iter().filter(|&&f| f != KernelFlavour::TencentOs) {
        let mut s = machine(*f, Version::V2);
        assert_eq!(
            err(&mut s, "cat /proc/sys/vm/memory_qos"),
            "cat: /proc/sys/vm/memory_qos: No such file or directory\n"
        );
        assert!(!sh(&mut s, "ls /proc").lines().any(|l| l == "sys"));
    }
}

#[test]
fn async_ratio_and_distance_factor_writes() {
    for v in [Version::V1, Version::V2] {
        let mut s = tencent(v);
        sh(&mut s, "mkdir a");
        // css_alloc: ratio inherited from the root (0), factor `?: 1`.
        assert_eq!(sh(&mut s, "cat a/memory.async_ratio"), "0\n");
        assert_eq!(sh(&mut s, "cat a/memory.async_distance_factor"), "1\n");
        let max = if v == Version::V2 {
            String::from("max\n")
        } else {
            format!("{}\n", ((1u64 << 63) - 1) / 4096 * 4096)
        };
        assert_eq!(sh(&mut s, "cat a/memory.async_high"), max);
        assert_eq!(sh(&mut s, "cat a/memory.async_low"), max);
        // kstrtoint, then only `> 100` is refused.
        for (bad, e) in [("101", EINVAL), ("abc", EINVAL), ("2147483648", ERANGE)] {
            assert_eq!(
                err(&mut s, &format!("echo {bad} > a/memory.async_ratio")),
                e
            );
        }
        sh(&mut s, "echo ' 0x50 ' > a/memory.async_ratio");
        assert_eq!(sh(&mut s, "cat a/memory.async_ratio"), "80\n");
        sh(&mut s, "echo -5 > a/memory.async_ratio");
        assert_eq!(sh(&mut s, "cat a/memory.async_ratio"), "-5\n");
        // 1..=150000.
        for (bad, e) in [
            ("0", EINVAL),
            ("150001", EINVAL),
            ("-1", EINVAL),
            ("x", EINVAL),
        ] {
            assert_eq!(
                err(
                    &mut s,
                    &format!("echo {bad} > a/memory.async_distance_factor")
                ),
                e
            );
        }
        sh(&mut s, "echo 150000 > a/memory.async_distance_factor");
        assert_eq!(sh(&mut s, "cat a/memory.async_distance_factor"), "150000\n");
        // The marks are read-only, like memory.stat.
        for f in ["memory.async_high", "memory.async_low"] {
            assert_eq!(
                err(&mut s, &format!("echo 1 > a/{f}")),
                err(&mut s, "echo 1 > a/memory.stat").replace("memory.stat", f)
            );
        }
    }
}

/// memory.high 100M = 25600 pages (v1: limit_in_bytes), ratio 90, factor
/// 100000: async_high = 90·25600/100 = 23040, distance =
/// mult_frac(25600, 100000, 1000000) = 2560, async_low = 23040 − 2560 =
/// 20480. The first refill over 23040 (to 23072) queues the work, which
/// asks for min(23072 − 20480, 23040 − 20480) = 2560 pages.
#[test]
fn tencentos_async_trigger_and_stop_in_pages() {
    for v in [Version::V1, Version::V2] {
        for mode in [EngineMode::PerPage, EngineMode::Bulk] {
            let mut c = SimConfig::new(v);
            c.kernel.flavour = KernelFlavour::TencentOs;
            c.mode = mode;
            let mut s = Simulator::build(c);
            let limit = if v == Version::V2 {
                "memory.high"
            } else {
                "memory.limit_in_bytes"
            };
            sh(&mut s, &format!("mkdir a; echo 100M > a/{limit}"));
            sh(&mut s, "echo 90 > a/memory.async_ratio");
            sh(&mut s, "echo 100000 > a/memory.async_distance_factor");
            assert_eq!(bytes(&mut s, "a/memory.async_high"), 23040 * 4096);
            assert_eq!(bytes(&mut s, "a/memory.async_low"), 20480 * 4096);
            sh(&mut s, "echo 1 > /proc/sys/vm/memory_qos");
            sh(&mut s, "spawn a file 92288K --hold; wait");
            s.run_until(s.now() + 1_000_000_000);
            let lines = trace(&s);
            let queued: Vec<&String> = lines.iter().filter(|l| l.contains("work_queued")).collect();
            assert_eq!(queued.len(), 1, "{v:?} {mode:?} {queued:?}");
            assert_eq!(field(queued[0], "usage="), 23072, "{}", queued[0]);
            let start = lines.iter().find(|l| l.contains("work_start")).unwrap();
            assert!(
                start.contains("nr=2560 usage=23072 wmark_low=20480"),
                "{start}"
            );
            let done = lines.iter().find(|l| l.contains("work_done")).unwrap();
            assert_eq!(field(done, "reclaimed="), 2560, "{done}");
            assert_eq!(field(done, "usage="), 20512, "{done}");
            // async_reclaim_func raises MEMCG_HIGH, below memory.high.
            if v == Version::V2 {
                let ev = sh(&mut s, "cat a/memory.events");
                assert!(ev.contains("high 1\n"), "{ev}");
            }
        }
    }
}

#[test]
fn tencentos_needs_vm_memory_qos() {
    let mut s = tencent(Version::V2);
    sh(
        &mut s,
        "mkdir a; echo 100M > a/memory.high; echo 90 > a/memory.async_ratio",
    );
    sh(&mut s, "spawn a file 95M --hold; wait");
    s.run_until(s.now() + 1_000_000_000);
    assert!(!trace(&s).iter().any(|l| l.contains("work_")));
    // Usage 24320 > async_high 23040: turning the sysctl on queues
    // nothing by itself; the next write of memory.high does.
    sh(&mut s, "echo 1 > /proc/sys/vm/memory_qos");
    s.run_until(s.now() + 1_000_000_000);
    assert!(!trace(&s).iter().any(|l| l.contains("work_")));
    sh(&mut s, "echo 100M > a/memory.high");
    s.run_until(s.now() + 1_000_000_000);
    let lines = trace(&s);
    let start = lines.iter().find(|l| l.contains("work_start")).unwrap();
    // Factor 1: distance = 25600/1000000 = 0, async_low = async_high, so
    // the request is min(24320 − 23040, 0) = 0 pages (32 reclaimed at
    // least, SWAP_CLUSTER_MAX).
    assert!(
        start.contains("nr=0 usage=24320 wmark_low=23040"),
        "{start}"
    );
}

#[test]
fn tencentos_usage_at_async_high_queues_nothing() {
    let mut s = tencent(Version::V2);
    sh(&mut s, "echo 1 > /proc/sys/vm/memory_qos");
    sh(
        &mut s,
        "mkdir a; echo 100M > a/memory.high; echo 90 > a/memory.async_ratio",
    );
    // 23040 pages: usage equals async_high, which is not above it.
    sh(&mut s, "spawn a file 92160K --hold; wait");
    s.run_until(s.now() + 1_000_000_000);
    assert_eq!(bytes(&mut s, "a/memory.current"), 23040 * 4096);
    assert!(!trace(&s).iter().any(|l| l.contains("work_")));
}

/// `try_to_free_mem_cgroup_pages(memcg, nr, GFP_KERNEL, true)`: `true` is
/// reclaim_options 1, not MEMCG_RECLAIM_MAY_SWAP (1 << 1), so the work
/// never swaps: anon usage stays where it is.
#[test]
fn tencentos_async_work_reclaims_no_anon() {
    let mut s = tencent(Version::V2);
    sh(&mut s, "echo 1 > /proc/sys/vm/memory_qos");
    sh(
        &mut s,
        "mkdir a; echo 100M > a/memory.high; echo 90 > a/memory.async_ratio",
    );
    sh(&mut s, "echo 100000 > a/memory.async_distance_factor");
    sh(&mut s, "spawn a anon 92288K --hold; wait");
    s.run_until(s.now() + 1_000_000_000);
    let lines = trace(&s);
    let done = lines.iter().find(|l| l.contains("work_done")).unwrap();
    assert_eq!(field(done, "reclaimed="), 0, "{done}");
    assert_eq!(bytes(&mut s, "a/memory.current"), 23072 * 4096);
}

#[test]
fn tencentos_children_inherit_ratio_and_factor() {
    let mut s = tencent(Version::V2);
    sh(&mut s, "mkdir a; echo +memory > a/cgroup.subtree_control");
    sh(
        &mut s,
        "echo 90 > a/memory.async_ratio; echo 100000 > a/memory.async_distance_factor",
    );
    sh(&mut s, "mkdir a/b");
    assert_eq!(sh(&mut s, "cat a/b/memory.async_ratio"), "90\n");
    assert_eq!(
        sh(&mut s, "cat a/b/memory.async_distance_factor"),
        "100000\n"
    );
    // Base memory.high = max: 90·PAGE_COUNTER_MAX/100 is a number, not max.
    let pcm: u64 = ((1u64 << 63) - 1) / 4096;
    let high = 90 * pcm / 100;
    assert_eq!(bytes(&mut s, "a/b/memory.async_high"), high * 4096);
    // A negative ratio is stored and wraps as the kernel's unsigned long.
    sh(
        &mut s,
        "echo 100M > a/memory.high; echo -5 > a/memory.async_ratio",
    );
    let wrapped = (-5i64 as u64).wrapping_mul(25600) / 100;
    assert_eq!(
        bytes(&mut s, "a/memory.async_high"),
        wrapped.wrapping_mul(4096)
    );
}

// ---------------------------------------------------------------------------
// Scenarios and links

#[test]
fn scenarios_carry_the_kernel_and_old_ones_read_as_alinux() {
    let mut s = machine(KernelFlavour::Linux66, Version::V2);
    sh(&mut s, "mkdir a; spawn a file 8M --hold; wait");
    sh(&mut s, "echo 4M > a/memory.reclaim");
    let json = share::to_json(&s.scenario().unwrap());
    assert!(json.contains("\"kernel\": \"linux-6.6\""), "{json}");
    let back = share::from_json(&json).unwrap();
    assert_eq!(back.kernel, KernelFlavour::Linux66);
    let again = back.instantiate().unwrap();
    assert_eq!(again.config().kernel.flavour, KernelFlavour::Linux66);
    assert_eq!(again.trace_hash(), s.trace_hash());

    let alinux = machine(KernelFlavour::Alinux419, Version::V2);
    let json = share::to_json(&alinux.scenario().unwrap());
    assert!(!json.contains("kernel"), "the default is left out: {json}");
    assert_eq!(
        share::from_json(&json).unwrap().kernel,
        KernelFlavour::Alinux419
    );
    let bad = json.replacen('{', "{\"kernel\":\"linux-5.10\",", 1);
    assert!(share::from_json(&bad).is_err());
}

// ---------------------------------------------------------------------------
// memcg sh --kernel

#[cfg(not(target_arch = "wasm32"))]
fn memcg_sh(args: &[&str], stdin: &str) -> std::process::Output {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_memcg"))
        .arg("sh")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn memcg");
    match child.stdin.take().unwrap().write_all(stdin.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        r => r.unwrap(),
    }
    child.wait_with_output().unwrap()
}

#[cfg(not(target_arch = "wasm32"))]
#[test]
fn cli_kernel_option() {
    let out = memcg_sh(&["--kernel", "help"], "");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    for f in FLAVOURS {
        assert!(text.contains(f.name()), "{text}");
    }

    let out = memcg_sh(&["--kernel", "linux-5.10"], "");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with(
            "memcg: unknown kernel 'linux-5.10' (one of: alinux-4.19, linux-4.19, linux-6.6, openeuler, tencentos, linux-6.18)\n"
        ),
        "{err}"
    );
    let out = memcg_sh(&["--kernel"], "");
    assert_eq!(out.status.code(), Some(2));

    let out = memcg_sh(
        &["--v2", "--kernel", "openeuler"],
        "mkdir a\ncat a/memory.high_async_ratio\ncat a/memory.wmark_ratio\n",
    );
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "100\n");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "cat: a/memory.wmark_ratio: No such file or directory\n"
    );

    let out = memcg_sh(&["--kernel", "linux-6.6", "--load", "x.json"], "");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--kernel"));
}

/// `--save` writes the kernel and `--load` brings it back.
#[cfg(not(target_arch = "wasm32"))]
#[test]
fn cli_save_and_load_keep_the_kernel() {
    let dir = std::env::temp_dir().join(format!("memcg-kernels-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("s.json");
    let f = file.to_str().unwrap();
    let out = memcg_sh(&["--v2", "--kernel", "linux-6.6", "--save", f], "mkdir a\n");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = memcg_sh(&["--load", f], "cat a/memory.peak\n");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "0\n");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// TencentOS ends the `done_restock` walk where it queues `async_work`, so
/// a charge over `async_high` never arms memory.high: anon the work cannot
/// reclaim (it never swaps) grows past memory.high unthrottled. With
/// `vm.memory_qos` off memory.high holds it back as on 6.6.
#[test]
fn tencentos_queueing_skips_memory_high() {
    for qos in [1, 0] {
        let mut s = tencent(Version::V2);
        sh(&mut s, &format!("echo {qos} > /proc/sys/vm/memory_qos"));
        sh(
            &mut s,
            "mkdir a; echo 40M > a/memory.high; echo 50 > a/memory.async_ratio",
        );
        sh(&mut s, "spawn a anon 60M --hold; wait");
        s.run_until(s.now() + 1_000_000_000);
        let lines = trace(&s);
        let penalties = lines.iter().filter(|l| l.contains("high_penalty")).count();
        let current = bytes(&mut s, "a/memory.current");
        if qos == 1 {
            assert_eq!(current, 60 << 20);
            assert_eq!(penalties, 0);
            assert!(lines.iter().any(|l| l.contains("work_done")));
        } else {
            assert!(current < 60 << 20, "{current}");
            assert!(!lines.iter().any(|l| l.contains("work_")));
        }
    }
}

// ---------------------------------------------------------------------------
// swappiness and move_charge_at_immigrate across releases (§19.6)

/// What a line printed on stderr, failing or not.
fn stderr_of(s: &mut Simulator, line: &str) -> String {
    s.exec(line).stderr
}

/// 4.19 takes swappiness up to 100, 5.15+ up to 200 (`MAX_SWAPPINESS`);
/// upstream's is a u64 (no -1, even on the root), ALinux's an s64.
#[test]
fn swappiness_bound_per_release() {
    let bad = "bash: echo: write error: Invalid argument\n";
    for f in FLAVOURS {
        let mut s = machine(f, Version::V1);
        sh(&mut s, "mkdir a");
        let max = if matches!(f, KernelFlavour::Alinux419 | KernelFlavour::Linux419) {
            100
        } else {
            200
        };
        assert_eq!(
            stderr_of(&mut s, &format!("echo {max} > a/memory.swappiness")),
            ""
        );
        assert_eq!(sh(&mut s, "cat a/memory.swappiness"), format!("{max}\n"));
        assert_eq!(
            stderr_of(&mut s, &format!("echo {} > a/memory.swappiness", max + 1)),
            bad,
            "{}",
            f.name()
        );
        let root_minus_one = stderr_of(&mut s, "echo -1 > memory.swappiness");
        if f == KernelFlavour::Alinux419 {
            assert_eq!(root_minus_one, "");
        } else {
            assert_eq!(root_minus_one, bad, "{}", f.name());
        }
    }
}

/// 6.18 (charge moving removed): the file reads 0, takes only 0, and a
/// moved task's charges stay behind; 6.6 still moves them.
#[test]
fn linux_6_18_refuses_move_charge() {
    let bad = "bash: echo: write error: Invalid argument\n";
    let mut s = machine(KernelFlavour::Linux618, Version::V1);
    sh(&mut s, "mkdir a b");
    assert_eq!(
        stderr_of(&mut s, "echo 3 > b/memory.move_charge_at_immigrate"),
        bad
    );
    assert_eq!(
        stderr_of(&mut s, "echo 1 > b/memory.move_charge_at_immigrate"),
        bad
    );
    assert_eq!(
        stderr_of(&mut s, "echo 0 > b/memory.move_charge_at_immigrate"),
        ""
    );
    assert_eq!(sh(&mut s, "cat b/memory.move_charge_at_immigrate"), "0\n");
    let mut s66 = machine(KernelFlavour::Linux66, Version::V1);
    sh(&mut s66, "mkdir a b");
    assert_eq!(
        stderr_of(&mut s66, "echo 3 > b/memory.move_charge_at_immigrate"),
        ""
    );
    assert_eq!(sh(&mut s66, "cat b/memory.move_charge_at_immigrate"), "3\n");
    for (sim, moved) in [(&mut s, false), (&mut s66, true)] {
        sh(sim, "spawn a anon 8M --hold");
        sh(sim, "sleep 1s");
        sh(sim, "echo 1001 > b/cgroup.procs");
        let a: u64 = sh(sim, "cat a/memory.usage_in_bytes")
            .trim()
            .parse()
            .unwrap();
        let b: u64 = sh(sim, "cat b/memory.usage_in_bytes")
            .trim()
            .parse()
            .unwrap();
        assert_eq!((a == 0, b >= 8 << 20), (moved, moved), "a {a} b {b}");
    }
}

/// 6.18's v1 memory.stat names (as on the 6.18.44 machine); 6.6 keeps 4.19's.
#[test]
fn linux_6_18_v1_stat_fields() {
    let keys = |f| {
        let mut s = machine(f, Version::V1);
        sh(&mut s, "mkdir a");
        sh(&mut s, "spawn a file 4M");
        sh(&mut s, "wait");
        let stat = sh(&mut s, "cat a/memory.stat");
        assert!(stat.starts_with("cache 4194304\n"), "{stat}");
        stat.lines()
            .map(|l| l.split(' ').next().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let local = [
        "cache",
        "rss",
        "rss_huge",
        "shmem",
        "mapped_file",
        "dirty",
        "writeback",
        "workingset_refault_anon",
        "workingset_refault_file",
        "swap",
        "swapcached",
        "pgpgin",
        "pgpgout",
        "pgfault",
        "pgmajfault",
        "inactive_anon",
        "active_anon",
        "inactive_file",
        "active_file",
        "unevictable",
    ];
    let mut want: Vec<String> = local.iter().map(|k| k.to_string()).collect();
    want.push("hierarchical_memory_limit".into());
    want.push("hierarchical_memsw_limit".into());
    want.extend(local.iter().map(|k| format!("total_{k}")));
    assert_eq!(keys(KernelFlavour::Linux618), want);
    let old = keys(KernelFlavour::Linux66);
    assert!(old.iter().any(|k| k == "workingset_refault"), "{old:?}");
    assert!(!old.iter().any(|k| k == "swapcached"), "{old:?}");
}
