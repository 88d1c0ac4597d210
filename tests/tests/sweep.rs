//! `memcg sweep` and the run metrics behind it (issue 13): the rows equal
//! separate runs of the script with the values written in, do not depend on
//! the thread count, the CSV header is exact, `--recommend` picks the
//! cheapest run that meets the constraint; shell variables; the metrics'
//! counters against the kernel's own files.

use std::process::Command;

use memcg::metrics::{MemcgMetrics, RunMetrics};
use memcg::sim::SimConfig;
use memcg::{Simulator, Version};
use memcg_tests::sweep::{self as sw, Combo, Constraint, Param, Row, Sweep, Threads};

/// The README's example, small: a 1G cgroup, a held working set, a
/// 200 MB/s streaming reader, the async reclaim ratio from `$RATIO`.
const SCRIPT: &str = "mkdir svc
echo 1G > svc/memory.limit_in_bytes
echo $RATIO > svc/memory.wmark_ratio
spawn svc anon 600M --ws 600M --rate 1G/s --hold
spawn svc stream 1G --rate ${RATE}/s
sleep 3s
";

fn script_file(name: &str, text: &str) -> String {
    let dir = std::env::temp_dir().join(format!("memcg-sweep-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

fn memcg(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_memcg"))
        .args(args)
        .output()
        .expect("run memcg")
}

fn params() -> Vec<Param> {
    vec![
        Param::parse("RATIO=0,90,95").unwrap(),
        Param::parse("RATE=100M,200M").unwrap(),
    ]
}

/// A separate `memcg sh` run of `SCRIPT` with the values written into the
/// text: the machine `memcg sh` builds (its default sample interval
/// included), each line through the shell.
fn separate_run(combo: &Combo) -> Row {
    let mut text = SCRIPT.to_string();
    for (p, v) in params().iter().zip(&combo.values) {
        text = text
            .replace(&format!("${{{}}}", p.name), v)
            .replace(&format!("${}", p.name), v);
    }
    assert!(!text.contains('$'));
    let mut sim = Simulator::build(SimConfig::new(Version::V1));
    let mut errors = 0;
    for line in text.lines() {
        errors += u64::from(!sim.exec(line).ok());
    }
    Row {
        combo: combo.clone(),
        metrics: RunMetrics::of(&sim),
        errors,
        first_error: None,
    }
}

#[test]
fn rows_equal_separate_runs_and_the_cli_prints_them() {
    let path = script_file("rows.sh", SCRIPT);
    let out = memcg(&[
        "sweep",
        "--param",
        "RATIO=0,90,95",
        "--param",
        "RATE=100M,200M",
        "--csv",
        &path,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sweep = Sweep {
        config: SimConfig::new(Version::V1),
        kernels: vec![String::from("alinux-4.19")],
        params: params(),
        script: SCRIPT.lines().map(String::from).collect(),
    };
    let combos = sweep.combos();
    // Kernels outermost, then the parameters in order, the last fastest.
    let order: Vec<Vec<&str>> = combos
        .iter()
        .map(|c| c.values.iter().map(String::as_str).collect())
        .collect();
    assert_eq!(
        order,
        [
            ["0", "100M"],
            ["0", "200M"],
            ["90", "100M"],
            ["90", "200M"],
            ["95", "100M"],
            ["95", "200M"]
        ]
    );
    let separate: Vec<Row> = combos.iter().map(separate_run).collect();
    let rows = sweep.run(2, &|_, _| {}).unwrap();
    for (r, s) in rows.iter().zip(&separate) {
        assert_eq!(r.metrics, s.metrics, "{:?}", r.combo);
        assert_eq!(r.errors, 0);
    }
    // What the CLI printed is those separate runs' metrics.
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        sw::csv(&params(), &separate)
    );
    // The sweep is a real comparison: async reclaim took the direct
    // reclaim stalls away and the worker paid instead.
    let m = |i: usize| &rows[i].metrics.machine;
    assert!(m(1).max_events > 0 && m(1).task_reclaim_cpu_ns > 0);
    assert_eq!(m(1).worker_cpu_ns, 0);
    assert_eq!(m(5).max_events, 0);
    assert!(m(5).worker_cpu_ns > 0 && m(5).max_stall_ns < m(1).max_stall_ns);
    assert!(m(1).alloc_bytes > m(0).alloc_bytes);
}

#[test]
fn one_thread_or_two_print_the_same() {
    let path = script_file("jobs.sh", SCRIPT);
    let run = |jobs: &str, format: &str| {
        let out = memcg(&[
            "sweep",
            "--param",
            "RATIO=0,95",
            "--param",
            "RATE=50M,150M",
            format,
            "--jobs",
            jobs,
            &path,
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    for format in ["--csv", "--json"] {
        assert_eq!(run("1", format), run("2", format), "{format}");
    }
    assert_eq!(run("1", "--csv").lines().count(), 5);
}

#[test]
fn csv_header_is_exact() {
    let path = script_file("header.sh", "mkdir a\necho $X > a/memory.wmark_ratio\n");
    let out = memcg(&["sweep", "--param", "X=50", "--csv", &path]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let header = text.lines().next().unwrap();
    assert_eq!(
        header,
        "kernel,X,p50_stall_us,p99_stall_us,max_stall_us,direct_reclaim_ms,high_throttle_ms,\
         writeback_wait_ms,task_reclaim_cpu_ms,worker_cpu_ms,agent_cpu_ms,refaults,oom_kills,\
         max_events,psi_some_total_us,alloc_mb,runtime_ms,reclaim_cpu_ms,high_events,\
         psi_full_total_us,faults,errors"
    );
    assert!(text.lines().nth(1).unwrap().starts_with("alinux-4.19,50,"));
}

/// `--param V1=1,2 --param V2=1,2 ...`, `n` of them.
fn many_params(n: usize) -> Vec<String> {
    (1..=n)
        .flat_map(|i| [String::from("--param"), format!("V{i}=1,2")])
        .collect()
}

#[test]
fn sweep_usage_errors() {
    let path = script_file("usage.sh", "true\n");
    for (args, msg) in [
        (vec!["--param", "1X=1", &path], "not a shell variable name"),
        (vec!["--param", "X", &path], "expected NAME=V1,V2"),
        (
            vec!["--kernel", "linux-9.9", &path],
            "unknown kernel 'linux-9.9'",
        ),
        (
            vec!["--param", "X=1", "--param", "X=2", &path],
            "given twice",
        ),
        (
            vec!["--param", "X=1", "--recommend", "p98<=1", &path],
            "unknown metric",
        ),
        (
            vec!["--param", "X=1", "--recommend", "p99_stall_us<=x", &path],
            "not a number",
        ),
        (
            vec!["--param", "X=1", "--jobs", "0", &path],
            "invalid job count",
        ),
        (
            vec!["--param", "X=1", "--trace", "t", &path],
            "not available in a sweep",
        ),
        (vec!["--param", "X=1"], "sweep needs a SCRIPT"),
        // 2^70 combinations: refused, not wrapped to 0 runs (release) or a
        // multiplication overflow (debug), as they were.
        (
            many_params(70)
                .iter()
                .map(String::as_str)
                .chain([path.as_str()])
                .collect(),
            "too many runs",
        ),
        // 2^12 × 2 kernels = 8192 > MAX_RUNS.
        (
            many_params(12)
                .iter()
                .map(String::as_str)
                .chain(["--kernel", "linux-4.19,linux-6.6", &path])
                .collect(),
            "more than 4096",
        ),
    ] {
        let mut a = vec!["sweep"];
        a.extend(args);
        let out = memcg(&a);
        assert_eq!(out.status.code(), Some(2), "{a:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(msg), "{a:?}: {err}");
    }
    // A failing line is reported and the exit status says so.
    let bad = script_file("bad.sh", "echo $X > nowhere/memory.max\n");
    let out = memcg(&["sweep", "--param", "X=1", "--csv", &bad]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 failing line(s)"));
    assert!(String::from_utf8_lossy(&out.stdout)
        .lines()
        .nth(1)
        .unwrap()
        .ends_with(",1"));
}

fn row(ratio: &str, p99_ns: u64, task: u64, worker: u64) -> Row {
    Row {
        combo: Combo {
            kernel: String::from("alinux-4.19"),
            values: vec![ratio.to_string()],
        },
        metrics: RunMetrics {
            runtime_ns: 1,
            machine: MemcgMetrics {
                p99_stall_ns: p99_ns,
                task_reclaim_cpu_ns: task,
                worker_cpu_ns: worker,
                ..MemcgMetrics::default()
            },
            cgroups: Vec::new(),
        },
        errors: 0,
        first_error: None,
    }
}

#[test]
fn recommend_picks_the_least_reclaim_cpu_that_meets_the_constraint() {
    let params = vec![Param::parse("RATIO=0,80,90,95").unwrap()];
    let rows = vec![
        // Cheapest overall, but over the constraint.
        row("0", 150_000, 1_000_000, 0),
        row("80", 90_000, 0, 9_000_000),
        row("90", 100_000, 2_000_000, 3_000_000),
        row("95", 100_001, 0, 4_000_000),
    ];
    let c = Constraint::parse("p99_stall_us<=100").unwrap();
    let r = sw::recommend(&params, &rows, c);
    // 90 meets it exactly at 100.000 µs; 95 misses by 1 ns.
    assert_eq!(r.pick, Some(2));
    assert!(
        r.text
            .starts_with("Recommended: kernel=alinux-4.19 RATIO=90"),
        "{}",
        r.text
    );
    assert!(
        r.text.contains("2 of the 4 runs meet p99_stall_us<=100"),
        "{}",
        r.text
    );
    assert!(r
        .text
        .contains("5.000 ms (tasks 2.000 ms, worker 3.000 ms, agents 0.000 ms)"));
    assert!(r
        .text
        .contains("the next cheapest that meets it (kernel=alinux-4.19 RATIO=80) spends 9.000 ms"));
    // A strict bound and a decimal one.
    let r = sw::recommend(
        &params,
        &rows,
        Constraint::parse("p99_stall_us < 100").unwrap(),
    );
    assert_eq!(r.pick, Some(1));
    let r = sw::recommend(
        &params,
        &rows,
        Constraint::parse("p99_stall_us<=100.001").unwrap(),
    );
    assert_eq!(r.pick, Some(3));
    // A tie goes to the first in sweep order.
    let tie = vec![row("80", 1, 0, 5), row("90", 1, 5, 0)];
    let r = sw::recommend(&params, &tie, Constraint::parse("p99_stall_us<=1").unwrap());
    assert_eq!(r.pick, Some(0));
    // None meets it: it says so, with the closest.
    let r = sw::recommend(
        &params,
        &rows,
        Constraint::parse("p99_stall_us<=50").unwrap(),
    );
    assert_eq!(r.pick, None);
    assert_eq!(
        r.text,
        "No recommendation: none of the 4 runs meets p99_stall_us<=50; the lowest \
         p99_stall_us was 90.000 (kernel=alinux-4.19 RATIO=80)."
    );
}

/// Several clauses: every one must hold, and the sentence shows each.
#[test]
fn recommend_with_every_clause() {
    let params = vec![Param::parse("RATIO=0,80,90,95").unwrap()];
    let mut rows = vec![
        row("0", 150_000, 1_000_000, 0),
        row("80", 90_000, 0, 9_000_000),
        row("90", 100_000, 2_000_000, 3_000_000),
        row("95", 100_001, 0, 4_000_000),
    ];
    // 90 is the cheapest under the p99 bound, but it refaults.
    rows[2].metrics.machine.refaults = 7;
    let c = Constraint::parse("p99_stall_us<=100, refaults<=0").unwrap();
    assert_eq!(c.clauses.len(), 2);
    let r = sw::recommend(&params, &rows, c);
    assert_eq!(r.pick, Some(1), "{}", r.text);
    assert!(
        r.text.contains(
            "1 of the 4 runs meet p99_stall_us<=100, refaults<=0 (p99_stall_us = 90.000, refaults = 0 here)"
        ),
        "{}",
        r.text
    );
    // One clause alone still reads as before.
    let r = sw::recommend(
        &params,
        &rows,
        Constraint::parse("p99_stall_us<=100").unwrap(),
    );
    assert!(
        r.text.contains("(p99_stall_us = 100.000 here)"),
        "{}",
        r.text
    );
    // Errors name the whole constraint.
    for (bad, msg) in [
        ("p99_stall_us<=100,", "expected METRIC<=X"),
        ("p99_stall_us<=100,nope<=1", "unknown metric 'nope'"),
        ("refaults<=0,refaults<=0,refaults<=0,refaults<=0,refaults<=0,refaults<=0,refaults<=0,refaults<=0,refaults<=0", "at most 8 clauses"),
    ] {
        let e = Constraint::parse(bad).unwrap_err();
        assert!(e.contains(msg) && e.contains(bad), "{bad}: {e}");
    }
}

#[test]
fn recommend_on_the_cli() {
    let path = script_file("rec.sh", SCRIPT);
    let out = memcg(&[
        "sweep",
        "--param",
        "RATIO=0,95",
        "--param",
        "RATE=200M",
        "--recommend",
        "max_stall_us<=1",
        &path,
    ]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("\nRecommended: kernel=alinux-4.19 RATIO=95 RATE=200M"),
        "{text}"
    );
    let out = memcg(&[
        "sweep",
        "--param",
        "RATIO=0",
        "--param",
        "RATE=200M",
        "--json",
        "--recommend",
        "max_events<=0",
        &path,
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("\"recommendation\": {\"constraint\": \"max_events<=0\", \"run\": null"),
        "{text}"
    );
}

/// Run lines on a fresh machine; each must succeed.
fn sim_run(version: Version, lines: &[&str]) -> Simulator {
    sim_run_on(Simulator::new(version), lines)
}

fn sim_run_on(mut sim: Simulator, lines: &[&str]) -> Simulator {
    for l in lines {
        let o = sim.exec(l);
        assert!(o.ok(), "{l}: {}", o.stderr);
    }
    sim
}

#[test]
fn worker_cpu_is_the_exstat_source() {
    let sim = sim_run(
        Version::V1,
        &[
            "mkdir -p a/b",
            "echo 512M > a/memory.limit_in_bytes",
            "echo 90 > a/memory.wmark_ratio",
            "echo 90 > a/b/memory.wmark_ratio",
            "spawn a/b stream 1G --rate 400M/s",
            "sleep 4s",
        ],
    );
    let m = RunMetrics::of(&sim);
    let a = m.cgroup("/a").unwrap();
    let id = sim.lookup("a").unwrap();
    assert!(a.worker_cpu_ns > 0);
    assert_eq!(
        a.worker_cpu_ns,
        sim.kernel().tree.memcg(id).wmark_reclaim_ns
    );
    let exstat = sim.read("/sys/fs/cgroup/memory/a/memory.exstat").unwrap();
    assert!(exstat.contains(&format!(
        "wmark_reclaim_work_ms {}\n",
        a.worker_cpu_ns >> 20
    )));
    assert_eq!(m.machine.worker_cpu_ns, a.worker_cpu_ns);
    assert_eq!(m.machine.agent_cpu_ns, 0);
    assert_eq!(m.runtime_ns, 4_000_000_000);
}

#[test]
fn writeback_waits_and_high_throttling_are_counted_apart() {
    // v1: reclaim waits on writeback of a writer's dirty cache.
    let sim = sim_run(
        Version::V1,
        &[
            "mkdir w",
            "echo 64M > w/memory.limit_in_bytes",
            "spawn w writer 256M --rate 100M/s",
            "sleep 4s",
        ],
    );
    let m = RunMetrics::of(&sim).machine;
    let st = &sim.kernel().tree.memcg(sim.lookup("w").unwrap()).stat;
    assert!(m.writeback_wait_ns > 0);
    assert_eq!(
        m.writeback_wait_ns,
        st.writeback_wait_ns + st.dirty_throttle_ns
    );
    // The waits are reclaim time, but not reclaim CPU.
    assert!(m.direct_reclaim_ns >= st.writeback_wait_ns);
    assert_eq!(
        m.task_reclaim_cpu_ns,
        m.direct_reclaim_ns - st.writeback_wait_ns
    );
    // v2 memory.high without swap: reclaim_high gets nothing from the
    // working set, the penalty sleep is high throttling, not reclaim.
    let sim = sim_run_on(
        Simulator::builder(Version::V2).swap_pages(0).build(),
        &[
            "mkdir h",
            "echo 64M > h/memory.high",
            "spawn h anon 256M --ws 256M --hold",
            "sleep 2s",
        ],
    );
    let m = RunMetrics::of(&sim).machine;
    let t = sim.memcg_times(sim.lookup("h").unwrap()).unwrap();
    assert!(m.high_throttle_ns > 0 && m.high_events > 0);
    assert_eq!(m.high_throttle_ns, t.high_sleep_ns);
    assert_eq!(
        m.direct_reclaim_ns + m.high_throttle_ns,
        t.direct_reclaim_ns + t.penalty_ns
    );
    // Throttled: it did not get through its 256M in 2 s.
    assert!(m.alloc_bytes > 64 << 20 && m.alloc_bytes < 256 << 20);
}

#[test]
fn shell_variables() {
    let mut s = Simulator::new(Version::V2);
    let mut run = |line: &str| {
        let o = s.exec(line);
        (o.stdout, o.stderr, o.status)
    };
    let ok = |out: &str| (out.to_string(), String::new(), 0);
    // Unset expands to nothing; an unquoted empty word disappears.
    assert_eq!(run("echo a $U b ${U}"), ok("a b\n"));
    assert_eq!(run("echo \"[$U]\" '[$U]'"), ok("[] [$U]\n"));
    assert_eq!(run("X=5"), ok(""));
    assert_eq!(
        run("echo $X ${X}0 \"$X\" '$X' \\$X $XY"),
        ok("5 50 5 $X $X\n")
    );
    // Later commands of one line see an assignment made before them.
    assert_eq!(run("Y=a; echo $Y; Y=b && echo $Y"), ok("a\nb\n"));
    // Unquoted values split on blanks; quoted ones do not.
    assert_eq!(run("S='a   b'"), ok(""));
    assert_eq!(run("echo $S \"$S\" x${S}y"), ok("a b a   b xa by\n"));
    // An assignment before a command is its environment, not the shell's.
    assert_eq!(run("Z=1 true; echo [$Z]"), ok("[]\n"));
    assert_eq!(run("Z=$X$X"), ok(""));
    assert_eq!(run("echo $Z"), ok("55\n"));
    // Quoted names are no assignment.
    assert_eq!(run("\"Q=1\"").2, 127);
    // In paths and redirections.
    assert_eq!(run("G=grp"), ok(""));
    assert_eq!(
        run("mkdir $G && echo 1G > $G/memory.max && cat ${G}/memory.max"),
        ok("1073741824\n")
    );
    assert_eq!(
        run("echo 1 > $S"),
        (String::new(), "bash: ${S}: ambiguous redirect\n".into(), 1)
    );
    // $$ and $? as before.
    assert_eq!(run("false; echo $?"), ok("1\n"));
    assert_eq!(run("echo ${X-1}").1, "bash: ${X-1}: bad substitution\n");
    // unset.
    assert_eq!(run("unset X; echo [$X]"), ok("[]\n"));
    assert_eq!(
        run("unset 1a").1,
        "bash: unset: `1a': not a valid identifier\n"
    );
    // su starts a new shell: nothing was exported.
    assert_eq!(run("su nobody -c 'echo [$G]'"), ok("[]\n"));
    // help lists them.
    assert!(run("help").0.contains("NAME=value sets a variable"));
}

#[test]
fn assignments_are_journaled_and_replay() {
    let mut s = Simulator::new(Version::V2);
    for l in ["R=95", "mkdir a", "echo $R > a/memory.wmark_ratio"] {
        assert!(s.exec(l).ok());
    }
    assert!(!memcg::shell::is_read_only("R=95"));
    assert!(!memcg::shell::is_read_only("$CMD"));
    assert!(memcg::shell::is_read_only("echo $R"));
    let sc = s.scenario().unwrap();
    assert_eq!(sc.journal.len(), 3);
    let mut again = Simulator::new(Version::V2);
    for e in &sc.journal {
        again.exec(e.exec.as_deref().unwrap());
    }
    assert_eq!(
        again.read("/sys/fs/cgroup/a/memory.wmark_ratio").unwrap(),
        "95\n"
    );
}

/// The README's sweep examples run as written and print what they show.
#[test]
fn readme_example_runs_as_written() {
    readme_example("<!-- sweep-example", "stream.sh");
}

#[test]
fn readme_kernel_comparison_runs_as_written() {
    readme_example("<!-- sweep-example compare.sh", "compare.sh");
    readme_example("<!-- sweep-example tune.sh", "tune.sh");
}

/// Runs the example after `marker`: its heredoc as `name`, the `memcg
/// sweep` line after it, and compares stdout with the next text block.
fn readme_example(marker: &str, name: &str) {
    let readme = include_str!("../../README.md");
    let at = readme.find(marker).expect("marker");
    let rest = &readme[at..];
    let block = |from: &str| {
        let start = rest.find(from).expect("block") + from.len();
        let len = rest[start..].find("```").expect("end of block");
        &rest[start..start + len]
    };
    let sh = block("```sh\n");
    let script_start = sh.find("<<'SCRIPT'\n").expect("heredoc") + "<<'SCRIPT'\n".len();
    let script_len = sh[script_start..].find("SCRIPT\n").expect("heredoc end");
    let script = &sh[script_start..script_start + script_len];
    let command = sh[script_start + script_len..]
        .lines()
        .find(|l| l.starts_with("memcg sweep"))
        .expect("command");
    let expected = block("```text\n");
    let path = script_file(name, script);
    // The command's words: plain, or one single-quoted word.
    let mut args: Vec<String> = Vec::new();
    let mut rest_words = command.trim_start_matches("memcg ");
    while !rest_words.is_empty() {
        rest_words = rest_words.trim_start();
        if let Some(q) = rest_words.strip_prefix('\'') {
            let end = q.find('\'').unwrap();
            args.push(q[..end].to_string());
            rest_words = &q[end + 1..];
        } else {
            let end = rest_words.find(' ').unwrap_or(rest_words.len());
            args.push(rest_words[..end].to_string());
            rest_words = &rest_words[end..];
        }
    }
    assert_eq!(args.last().map(String::as_str), Some(name));
    *args.last_mut().unwrap() = path;
    let argv: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = memcg(&argv);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8(out.stdout).unwrap(), expected);
}

/// The bulk engine's metrics are the per-page engine's (it applies runs of
/// plain faults at `fault_ns` each, as the per-page engine records them).
#[test]
fn metrics_do_not_depend_on_the_engine() {
    use memcg::engine::EngineMode;
    let lines = [
        "mkdir svc",
        "echo 256M > svc/memory.limit_in_bytes",
        "echo $RATIO > svc/memory.wmark_ratio",
        "spawn svc anon 128M --ws 128M --rate 1G/s --hold",
        "spawn svc stream 1G --rate 400M/s",
        "sleep 1s",
    ];
    for ratio in ["0", "95"] {
        let run = |mode: EngineMode| {
            let mut c = SimConfig::new(Version::V1);
            c.mode = mode;
            let mut sim = Simulator::build(c);
            assert!(sim.exec(&format!("RATIO={ratio}")).ok());
            for l in lines {
                assert!(sim.exec(l).ok(), "{l}");
            }
            RunMetrics::of(&sim)
        };
        let bulk = run(EngineMode::Bulk);
        assert!(bulk.machine.faults > 0);
        assert_eq!(bulk, run(EngineMode::PerPage), "ratio {ratio}");
    }
}

/// An agent's CPU reaches the run metrics: the Koordinator loop on a
/// linux-6.6 v2 machine pays for the reclaim its memory.reclaim writes do.
#[test]
fn agent_cpu_is_in_the_metrics() {
    use memcg::metrics::RunMetrics;
    let mut sim = memcg::Simulator::builder(memcg::Version::V2)
        .flavour(memcg::KernelFlavour::Linux66)
        .build();
    for line in [
        "mkdir /sys/fs/cgroup/a",
        "echo 64M > /sys/fs/cgroup/a/memory.max",
        "spawn /sys/fs/cgroup/a file 256M --rate 64M/s",
        "agent koordinator /sys/fs/cgroup/a",
        "sleep 3s",
    ] {
        let out = sim.exec(line);
        assert!(out.ok(), "{line}: {}", out.stderr);
    }
    let m = RunMetrics::of(&sim);
    let a = m.cgroup("/a").expect("a");
    assert!(a.agent_cpu_ns > 0, "{a:?}");
    assert_eq!(m.machine.agent_cpu_ns, a.agent_cpu_ns);
    assert!(m.machine.reclaim_cpu_ns() >= a.agent_cpu_ns);
}

/// `--kernel tencentos` is a sweep kernel: its rows run the TencentOS
/// async work (worker CPU) once the script turns `vm.memory_qos` on, and
/// none without it.
#[test]
fn sweep_runs_tencentos() {
    let path = script_file(
        "tencentos.sh",
        "echo $QOS > /proc/sys/vm/memory_qos
mkdir a
echo 100M > a/memory.high
echo 90 > a/memory.async_ratio
echo 100000 > a/memory.async_distance_factor
spawn a file 200M --rate 100M/s
sleep 3s
",
    );
    let out = memcg(&[
        "sweep",
        "--v2",
        "--kernel",
        "tencentos",
        "--param",
        "QOS=0,1",
        "--csv",
        &path,
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = text.lines().collect();
    let col = lines[0]
        .split(',')
        .position(|c| c == "worker_cpu_ms")
        .unwrap();
    let errors = lines[0].split(',').position(|c| c == "errors").unwrap();
    assert_eq!(lines.len(), 3, "{text}");
    for (line, qos) in lines[1..].iter().zip(["0", "1"]) {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(&cells[..2], &["tencentos", qos], "{line}");
        assert_eq!(cells[errors], "0", "{line}");
        let worker: f64 = cells[col].parse().unwrap();
        assert_eq!(worker > 0.0, qos == "1", "{line}");
    }
}
