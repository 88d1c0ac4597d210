//! The shell prints what bash and coreutils print (C locale), and the
//! cgroup core files behave as the kernel's.

use memcg::{Simulator, Version};

fn run(sim: &mut Simulator, line: &str) -> (String, String, i32) {
    let o = sim.exec(line);
    (o.stdout, o.stderr, o.status)
}

#[test]
fn coreutils_messages() {
    let mut s = Simulator::new(Version::V1);
    let m = "/sys/fs/cgroup/memory";
    assert_eq!(
        run(&mut s, &format!("mkdir {m}/test")),
        ("".into(), "".into(), 0)
    );
    assert_eq!(
        run(&mut s, &format!("mkdir {m}/test")).1,
        format!("mkdir: cannot create directory '{m}/test': File exists\n")
    );
    assert_eq!(
        run(&mut s, "mkdir /sys/fs/cgroup/memory/a/b").1,
        "mkdir: cannot create directory '/sys/fs/cgroup/memory/a/b': No such file or directory\n"
    );
    assert_eq!(
        run(&mut s, &format!("mkdir {m}/memory.stat")).1,
        format!("mkdir: cannot create directory '{m}/memory.stat': File exists\n")
    );
    assert_eq!(
        run(&mut s, &format!("cat {m}/memory.wmark_high")).1,
        "cat: /sys/fs/cgroup/memory/memory.wmark_high: No such file or directory\n"
    );
    assert_eq!(
        run(&mut s, &format!("cat {m}/test")).1,
        format!("cat: {m}/test: Is a directory\n")
    );
    assert_eq!(
        run(&mut s, &format!("cat {m}/test/memory.force_empty")).1,
        format!("cat: {m}/test/memory.force_empty: Invalid argument\n")
    );
    assert_eq!(
        run(&mut s, "rmdir /sys/fs/cgroup/memory/nope").1,
        "rmdir: failed to remove '/sys/fs/cgroup/memory/nope': No such file or directory\n"
    );
    assert_eq!(
        run(&mut s, "mkdir").1,
        "mkdir: missing operand\nTry 'mkdir --help' for more information.\n"
    );
    assert_eq!(
        run(&mut s, "frobnicate").1,
        "bash: frobnicate: command not found\n"
    );
    assert_eq!(run(&mut s, "frobnicate").2, 127);
    assert_eq!(
        run(&mut s, "cd nowhere").1,
        "bash: cd: nowhere: No such file or directory\n"
    );
    assert_eq!(
        run(&mut s, "cd memory.stat").1,
        "bash: cd: memory.stat: Not a directory\n"
    );
    assert_eq!(
        run(&mut s, "ls nowhere"),
        (
            "".into(),
            "ls: cannot access 'nowhere': No such file or directory\n".into(),
            2
        )
    );
    assert_eq!(
        run(&mut s, "echo 1 > test/nosuchfile").1,
        "bash: test/nosuchfile: Permission denied\n",
        "kernfs cannot create files"
    );
    assert_eq!(
        run(&mut s, "echo 1 > nodir/file").1,
        "bash: nodir/file: No such file or directory\n"
    );
    assert_eq!(
        run(&mut s, "echo 1 > test").1,
        "bash: test: Is a directory\n"
    );
    assert_eq!(
        run(&mut s, "echo > ").1,
        "bash: syntax error near unexpected token `newline'\n"
    );
    assert_eq!(run(&mut s, "echo 'open").2, 2);
    assert_eq!(
        run(&mut s, "mkdir /sys/fs/x").1,
        "mkdir: cannot create directory '/sys/fs/x': Operation not permitted\n"
    );
}

#[test]
fn rmdir_busy_with_children_or_tasks() {
    let mut s = Simulator::new(Version::V1);
    run(&mut s, "mkdir -p a/b");
    assert_eq!(
        run(&mut s, "rmdir a").1,
        "rmdir: failed to remove 'a': Device or resource busy\n"
    );
    run(&mut s, "echo $$ > a/b/cgroup.procs");
    assert_eq!(run(&mut s, "cat a/b/cgroup.procs").0, "1000\n");
    assert_eq!(
        run(&mut s, "rmdir a/b").1,
        "rmdir: failed to remove 'a/b': Device or resource busy\n"
    );
    run(&mut s, "echo 1000 > cgroup.procs");
    assert_eq!(run(&mut s, "cat cgroup.procs").0, "1\n1000\n");
    assert_eq!(
        run(&mut s, "rmdir a/b && rmdir a && ls -1 | grep").2,
        2,
        "pipes rejected whole"
    );
    assert_eq!(run(&mut s, "rmdir a/b a").2, 0);
    assert_eq!(
        run(&mut s, "echo 4242 > cgroup.procs").1,
        "bash: echo: write error: No such process\n"
    );
}

#[test]
fn navigation_ls_tree_and_globs() {
    let mut s = Simulator::new(Version::V1);
    assert_eq!(run(&mut s, "pwd").0, "/sys/fs/cgroup/memory\n");
    run(&mut s, "mkdir -p test/child && cd test");
    assert_eq!(run(&mut s, "pwd").0, "/sys/fs/cgroup/memory/test\n");
    let ls = run(&mut s, "ls").0;
    assert!(
        ls.starts_with("cgroup.clone_children\ncgroup.event_control\ncgroup.procs\nchild\n"),
        "{ls}"
    );
    assert!(ls.contains("memory.wmark_ratio\n"));
    assert_eq!(
        run(&mut s, "cat memory.wmark_*").0,
        "9223372036854771712\n9223372036854771712\n0\n0\n50\n",
        "high, low, min_adj, ratio, sf in name order"
    );
    assert_eq!(run(&mut s, "cd ../..; pwd").0, "/sys/fs/cgroup\n");
    assert_eq!(
        run(&mut s, "tree -d memory").0,
        "memory\n`-- test\n    `-- child\n\n2 directories\n"
    );
    assert_eq!(run(&mut s, "cd; pwd").0, "/sys/fs/cgroup/memory\n");
    let tree = run(&mut s, "tree test/child").0;
    assert!(
        tree.starts_with("test/child\n|-- cgroup.clone_children\n"),
        "{tree}"
    );
    assert!(
        tree.ends_with(
            "`-- tasks

0 directories, 48 files
"
        ),
        "{tree}"
    );
    // Comments, quotes, && / || and $?
    assert_eq!(run(&mut s, "# a comment"), ("".into(), "".into(), 0));
    assert_eq!(
        run(&mut s, "echo \"a  b\" 'c d' # trailing").0,
        "a  b c d\n"
    );
    assert_eq!(run(&mut s, "false || echo $?").0, "1\n");
    assert_eq!(run(&mut s, "false && echo no; echo yes").0, "yes\n");
    assert_eq!(run(&mut s, "cat nothere 2>/dev/null").1, "");
    assert_eq!(
        run(&mut s, "cat nothere 2>&1").0,
        "cat: nothere: No such file or directory\n"
    );
}

#[test]
fn v1_use_hierarchy_rules() {
    let mut s = Simulator::new(Version::V1);
    assert_eq!(run(&mut s, "cat memory.use_hierarchy").0, "1\n");
    run(&mut s, "mkdir a");
    assert_eq!(
        run(&mut s, "echo 0 > memory.use_hierarchy").1,
        "bash: echo: write error: Device or resource busy\n"
    );
    assert_eq!(
        run(&mut s, "echo 0 > a/memory.use_hierarchy").1,
        "bash: echo: write error: Invalid argument\n"
    );
    assert_eq!(
        run(&mut s, "echo 1 > a/memory.use_hierarchy").2,
        0,
        "same value is fine"
    );
    run(&mut s, "rmdir a");
    assert_eq!(run(&mut s, "echo 0 > memory.use_hierarchy").2, 0);
    run(&mut s, "mkdir a");
    assert_eq!(run(&mut s, "cat a/memory.use_hierarchy").0, "0\n");
    assert_eq!(
        run(&mut s, "echo 2 > a/memory.use_hierarchy").1,
        "bash: echo: write error: Invalid argument\n"
    );
}

#[test]
fn v2_subtree_control_gates_memory_files() {
    let mut s = Simulator::new(Version::V2);
    assert_eq!(run(&mut s, "cat cgroup.subtree_control").0, "memory\n");
    run(&mut s, "mkdir a && mkdir a/b");
    assert_eq!(run(&mut s, "cat a/cgroup.controllers").0, "memory\n");
    assert_eq!(run(&mut s, "cat a/cgroup.subtree_control").0, "");
    assert!(run(&mut s, "ls a").0.contains("memory.wmark_ratio"));
    assert_eq!(run(&mut s, "ls a/b | x").2, 2);
    // memory.pressure is a cgroup core file (cgroup_base_files), not memcg's.
    assert!(!run(&mut s, "ls a/b")
        .0
        .replace("memory.pressure", "")
        .contains("memory."));
    assert_eq!(run(&mut s, "cat a/b/cgroup.controllers").0, "");
    assert_eq!(
        run(&mut s, "echo +memory > a/b/cgroup.subtree_control").1,
        "bash: echo: write error: No such file or directory\n"
    );
    assert_eq!(
        run(&mut s, "echo +cpu > a/cgroup.subtree_control").1,
        "bash: echo: write error: Invalid argument\n"
    );
    run(&mut s, "echo 95 > a/memory.wmark_ratio");
    assert_eq!(run(&mut s, "echo +memory > a/cgroup.subtree_control").2, 0);
    assert_eq!(
        run(&mut s, "cat a/b/memory.wmark_ratio").0,
        "95\n",
        "inherited at enable"
    );
    // No internal processes.
    assert_eq!(
        run(&mut s, "echo $$ > a/cgroup.procs").1,
        "bash: echo: write error: Device or resource busy\n"
    );
    assert_eq!(run(&mut s, "echo $$ > a/b/cgroup.procs").2, 0);
    assert_eq!(run(&mut s, "cat a/cgroup.events").0, "populated 1\n");
    assert_eq!(
        run(&mut s, "echo -memory > cgroup.subtree_control").1,
        "bash: echo: write error: Device or resource busy\n"
    );
    assert_eq!(run(&mut s, "echo -memory > a/cgroup.subtree_control").2, 0);
    assert_eq!(
        run(&mut s, "cat a/b/memory.current").1,
        "cat: a/b/memory.current: No such file or directory\n"
    );
    assert_eq!(
        run(&mut s, "echo 1 > cgroup.max.depth && mkdir a/b/c").1,
        "mkdir: cannot create directory 'a/b/c': Resource temporarily unavailable\n"
    );
}

#[test]
fn v2_limit_files_read_max() {
    let mut s = Simulator::new(Version::V2);
    run(&mut s, "mkdir t");
    for f in [
        "memory.max",
        "memory.high",
        "memory.swap.max",
        "memory.wmark_high",
    ] {
        assert_eq!(run(&mut s, &format!("cat t/{f}")).0, "max\n", "{f}");
    }
    assert_eq!(run(&mut s, "cat t/memory.min t/memory.low").0, "0\n0\n");
    assert_eq!(
        run(&mut s, "cat t/memory.events").0,
        "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n"
    );
    assert_eq!(
        run(&mut s, "echo -1 > t/memory.max").1,
        "bash: echo: write error: Invalid argument\n"
    );
}

#[test]
fn write_size_and_odd_files() {
    let mut s = Simulator::new(Version::V1);
    run(&mut s, "mkdir t");
    let big = "9".repeat(5000);
    assert_eq!(
        run(&mut s, &format!("echo {big} > t/memory.wmark_ratio")).1,
        "bash: echo: write error: Argument list too long\n"
    );
    assert_eq!(run(&mut s, "echo 1 > t/memory.force_empty").2, 0);
    assert_eq!(
        run(&mut s, "echo 1 > memory.force_empty").1,
        "bash: echo: write error: Invalid argument\n"
    );
    assert_eq!(
        run(&mut s, "echo 1 > memory.oom_control").1,
        "bash: echo: write error: Invalid argument\n"
    );
    assert_eq!(
        run(&mut s, "cat t/memory.oom_control").0,
        "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n"
    );
    assert_eq!(
        run(&mut s, "echo 101 > t/memory.swappiness").1,
        "bash: echo: write error: Invalid argument\n"
    );
    assert_eq!(
        run(&mut s, "echo -1 > memory.swappiness; cat memory.swappiness").0,
        "-1\n"
    );
    assert_eq!(run(&mut s, "echo 1 > t/memory.max_usage_in_bytes").2, 0);
    assert_eq!(
        run(&mut s, "echo 13 > t/memory.priority").1,
        "bash: echo: write error: Invalid argument\n"
    );
    assert_eq!(
        run(&mut s, "echo 5 > t/cgroup.event_control").1,
        "bash: echo: write error: Invalid argument\n"
    );
    let stat = run(
        &mut s,
        "echo 1G > t/memory.limit_in_bytes; cat t/memory.stat",
    )
    .0;
    assert!(
        stat.contains(
            "\nhierarchical_memory_limit 1073741824\nhierarchical_memsw_limit 9223372036854771712\ntotal_cache 0\n"
        ),
        "{stat}"
    );
    assert_eq!(
        run(&mut s, "cat t/memory.exstat").0,
        "wmark_min_throttled_ms 0\nwmark_reclaim_work_ms 0\n"
    );
}

#[test]
fn simulation_commands_reject_absurd_values() {
    let mut s = Simulator::new(Version::V1);
    run(&mut s, "mkdir t");
    let cases: &[(&str, &str)] = &[
        ("spawn t anon 0", "spawn: invalid size '0' (4K to 1T, e.g. 512M)\n"),
        ("spawn t anon 2T", "spawn: invalid size '2T' (4K to 1T, e.g. 512M)\n"),
        ("spawn t anon 1G --rate 0/s", "spawn: invalid rate '0/s' (use e.g. 100M/s)\n"),
        ("spawn t anon 1G --rate", "spawn: --rate needs a value\n"),
        ("spawn t swirl 1G", "spawn: unknown kind 'swirl' (anon, file, dirty, or a preset: steady, burst, stream, leak, sawtooth, writer)\n"),
        ("spawn nowhere anon 1G", "spawn: nowhere: No such file or directory\n"),
        ("spawn t/memory.stat anon 1G", "spawn: t/memory.stat: Not a cgroup directory\n"),
        ("sleep 25h", "sleep: invalid time interval '25h' (e.g. 5s, 250ms, 10us; at most 24h)\n"),
        ("sleep soon", "sleep: invalid time interval 'soon' (e.g. 5s, 250ms, 10us; at most 24h)\n"),
        ("wait 77", "bash: wait: pid 77 is not a child of this shell\n"),
        ("kill 77", "bash: kill: (77) - No such process\n"),
    ];
    for (line, err) in cases {
        let (_, stderr, status) = run(&mut s, line);
        assert!(
            stderr.starts_with(err.trim_end_matches('\n')),
            "{line}: {stderr}"
        );
        assert_ne!(status, 0, "{line}");
    }
    assert_eq!(run(&mut s, "spawn t anon 4K --hold").0, "1001\n");
    assert_eq!(run(&mut s, "wait").0, "1001 holding\n");
    let ps = run(&mut s, "ps").0;
    assert!(ps.contains("   1001 holding          4K /t"), "{ps}");
    assert_eq!(run(&mut s, "kill 1001; wait 1001").0, "1001 killed\n");
    assert_eq!(
        run(&mut s, "cat t/memory.usage_in_bytes").0,
        "126976\n",
        "the stock's 31 pages stay charged"
    );
}

/// The journal rule reads the whole parsed line: a line that starts with a
/// reader but also changes the machine is journaled, so a shared link
/// replays it (issue 10).
#[test]
fn lines_that_change_the_machine_after_a_reader_are_journaled() {
    let mut s = Simulator::new(Version::V1);
    let m = "/sys/fs/cgroup/memory";
    run(&mut s, &format!("cat a; mkdir {m}/b"));
    run(&mut s, &format!("true && mkdir {m}/x"));
    run(&mut s, "ls || spawn /sys/fs/cgroup/memory/b anon 1M");
    run(
        &mut s,
        "false || spawn /sys/fs/cgroup/memory/b anon 4K --hold",
    );
    run(&mut s, "cat b/memory.limit_in_bytes > /dev/null; ls b");
    let journaled: Vec<&str> = s
        .journal()
        .iter()
        .filter_map(|e| e.exec.as_deref())
        .collect();
    assert_eq!(
        journaled,
        [
            "cat a; mkdir /sys/fs/cgroup/memory/b",
            "true && mkdir /sys/fs/cgroup/memory/x",
            "ls || spawn /sys/fs/cgroup/memory/b anon 1M",
            "false || spawn /sys/fs/cgroup/memory/b anon 4K --hold",
        ]
    );
    let replayed = s.scenario().unwrap().instantiate().unwrap();
    assert!(replayed
        .read(&format!("{m}/b/memory.limit_in_bytes"))
        .is_ok());
    assert!(replayed
        .read(&format!("{m}/x/memory.limit_in_bytes"))
        .is_ok());
    assert_eq!(replayed.snapshot().tasks.len(), 1);
}

/// What is read-only and what is journaled, line by line.
#[test]
fn the_journal_rule_by_example() {
    use memcg::shell::is_read_only;
    for line in [
        "",
        "   ",
        "# a comment; mkdir x",
        "cat memory.stat",
        "ls; tree -d; pwd; ps; help; whoami; true; false",
        "echo hello",
        "cat memory.stat > /dev/null 2>&1",
        "cat 'unterminated",
        "ls | mkdir x",
    ] {
        assert!(is_read_only(line), "{line:?} is read-only");
    }
    for line in [
        "mkdir x",
        "cat a; mkdir b",
        "true && mkdir x",
        "ls || spawn . anon 1M",
        "echo 1G > memory.limit_in_bytes",
        "cat memory.max 2> err",
        "> memory.max",
        "cd x",
        "su nobody -c 'cat x'",
        "sleep 1s",
        "wait",
        "kill 1001",
        "rmdir x",
        "nosuchcommand",
        "c* memory.stat",
        "$? x",
    ] {
        assert!(!is_read_only(line), "{line:?} is journaled");
    }
}

/// `help` lists every command of the shell's table (it omitted the
/// simulation commands).
#[test]
fn help_lists_every_command() {
    let mut s = Simulator::new(Version::V2);
    let help = run(&mut s, "help").0;
    for c in memcg::shell::commands() {
        assert!(
            help.lines().any(|l| l.trim_start().starts_with(c.usage)),
            "{} missing from help:\n{help}",
            c.name
        );
        assert!(help.contains(c.description), "{}", c.name);
    }
    for name in ["spawn", "wait", "sleep", "kill", "ps"] {
        assert!(
            help.lines().any(|l| l.trim_start().starts_with(name)),
            "{name} missing from help:\n{help}"
        );
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod props {
    use memcg::shell::{is_read_only, SpawnSpec};
    use memcg::{Simulator, Version};
    use proptest::prelude::*;

    /// A word the spawn syntax takes as an operand: anything not starting
    /// with `--`, spaces and quotes included.
    fn operand() -> impl Strategy<Value = String> {
        "[a-z/. '\"$*#;&|<>-]{0,12}".prop_filter("an option", |s| !s.starts_with("--"))
    }

    fn size() -> impl Strategy<Value = String> {
        (
            1u32..1024,
            prop::sample::select(vec!["", "K", "M", "k", "G"]),
        )
            .prop_map(|(n, unit)| format!("{}{unit}", if unit.is_empty() { n * 4096 } else { n }))
    }

    fn spec() -> impl Strategy<Value = SpawnSpec> {
        (
            operand(),
            operand(),
            size(),
            prop::option::of(size()),
            prop::option::of(size()),
            any::<bool>(),
            prop::option::of(-1000i32..=1000),
        )
            .prop_map(
                |(path, kind, size, rate, ws, hold, oom_score_adj)| SpawnSpec {
                    path,
                    kind,
                    size,
                    rate,
                    ws,
                    hold,
                    oom_score_adj,
                },
            )
    }

    /// Simple commands, some read-only, some not, some with redirections.
    fn simple() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "cat memory.stat",
            "cat nowhere",
            "ls",
            "ls a",
            "tree -d",
            "pwd",
            "ps",
            "help",
            "whoami",
            "true",
            "false",
            "echo 5",
            "echo 5 > /dev/null",
            "cat a/memory.max 2>&1",
            "echo 1G > a/memory.max",
            "echo 77 >> a/memory.wmark_ratio",
            "mkdir a/c",
            "rmdir a/b",
            "cd a",
            "spawn a/b anon 1M",
            "sleep 10ms",
            "wait",
            "kill 1001",
            "su nobody -c 'mkdir x'",
            "bogus",
        ])
    }

    fn line() -> impl Strategy<Value = String> {
        (
            simple(),
            prop::collection::vec(
                (prop::sample::select(vec!["; ", " && ", " || "]), simple()),
                0..3,
            ),
        )
            .prop_map(|(first, rest)| {
                let mut s = String::from(first);
                for (op, c) in rest {
                    s.push_str(op);
                    s.push_str(c);
                }
                s
            })
    }

    proptest! {
        /// The canonical line parses back to the same spec.
        #[test]
        fn spawn_lines_round_trip(spec in spec()) {
            let line = spec.to_string();
            prop_assert_eq!(SpawnSpec::parse(&line), Ok(spec), "{}", line);
        }

        /// A line the journal leaves out changes nothing a replay would see.
        #[test]
        fn read_only_lines_change_nothing(line in line(), v2 in any::<bool>()) {
            let mut sim = Simulator::new(if v2 { Version::V2 } else { Version::V1 });
            for setup in ["mkdir -p a/b", "spawn a/b anon 64K --hold", "wait"] {
                sim.exec(setup);
            }
            let a = format!("{}/a", sim.mount_point());
            let before = (sim.snapshot(), sim.cwd().to_string(), sim.list_files(&a).unwrap());
            let mut after = sim.clone();
            after.exec(&line);
            let after = (after.snapshot(), after.cwd().to_string(), after.list_files(&a).unwrap());
            if is_read_only(&line) {
                prop_assert_eq!(before, after, "{}", line);
            }
        }
    }
}
