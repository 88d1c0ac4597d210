//! `memcg sh --real` against this machine's kernel (issue 15): the same
//! script's files, limits and errno as the simulator prints them, a page
//! cache writer under a limit, and nothing left behind after a run, a
//! killed run or a timed-out one. Skips, saying why, without root or a
//! cgroup v1 memory controller.
#![cfg(target_os = "linux")]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Output, Stdio};

use memcg_tests::real;

/// Why the real tests cannot run here, printed; `None` when they can.
fn skip() -> bool {
    match real::unavailable(false) {
        Some(why) => {
            // Past libtest's capture (it takes only the print macros), so
            // `cargo test` shows why without --nocapture.
            let _ = writeln!(std::io::stderr(), "skipping the real-kernel test: {why}");
            true
        }
        None => false,
    }
}

fn memcg(args: &[&str], script: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_memcg"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A run that refuses exits before reading: a broken pipe is fine.
    let _ = child.stdin.take().unwrap().write_all(script.as_bytes());
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The run of process `pid` left no cgroup, task or file behind.
fn assert_gone(pid: u32) {
    let cg = format!("{}/memcg-{pid}", real::V1_MOUNT);
    assert!(!std::path::Path::new(&cg).exists(), "{cg} left behind");
    let tmp = format!("/var/tmp/memcg-real-{pid}");
    assert!(!std::path::Path::new(&tmp).exists(), "{tmp} left behind");
    let needle = format!("/memcg-{pid}");
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(cgs) = std::fs::read_to_string(e.path().join("cgroup")) else {
            continue;
        };
        let inside = cgs.lines().any(|l| {
            l.split_once(&needle)
                .is_some_and(|(_, rest)| rest.is_empty() || rest.starts_with('/'))
        });
        assert!(!inside, "process {:?} left in {needle}", e.file_name());
    }
}

/// The run's cgroups under the mount, to compare before and after.
fn runs_on_mount() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(real::V1_MOUNT)
        .map(|rd| {
            rd.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with("memcg-"))
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn files_limits_and_errno_read_as_the_simulator_prints_them() {
    if skip() {
        return;
    }
    let script = "\
mkdir a
mkdir a
mkdir -p a/b/c
echo 50M > a/memory.limit_in_bytes
cat a/memory.limit_in_bytes
echo foo > a/memory.limit_in_bytes
echo -1 > a/memory.limit_in_bytes
cat a/memory.limit_in_bytes
cat a/nope
echo 1 > a/nope
cd a
pwd
cat memory.use_hierarchy
cd nope
cd ..
rmdir a
rmdir a/b/c a/b
rmdir a
rmdir a
ls a
echo $?
";
    let sim = memcg(&["sh"], script);
    let got = memcg(&["sh", "--real"], script);
    assert_eq!(text(&got.stdout), text(&sim.stdout));
    assert_eq!(text(&got.stderr), text(&sim.stderr));
    assert_eq!(got.status.code(), sim.status.code());
    assert!(text(&got.stderr).contains("bash: echo: write error: Invalid argument"));
}

#[test]
fn a_page_cache_writer_under_a_limit_is_not_oom_killed() {
    if skip() {
        return;
    }
    let script = "\
mkdir w
echo 50M > w/memory.limit_in_bytes
spawn w dirty 100M
wait
cat w/memory.failcnt
cat w/memory.oom_control
";
    let got = memcg(&["sh", "--real"], script);
    let out = text(&got.stdout);
    assert!(got.status.success(), "{out}{}", text(&got.stderr));
    assert!(out.contains("1001 exited"), "{out}");
    let failcnt: u64 = out.lines().nth(2).unwrap().parse().unwrap();
    assert!(failcnt > 0, "{out}");
    assert!(out.contains("oom_kill 0"), "{out}");
}

#[test]
fn anon_over_a_limit_without_swap_is_oom_killed() {
    if skip() {
        return;
    }
    let script = "\
mkdir w
echo 20M > w/memory.limit_in_bytes
spawn w anon 64M
wait
cat w/memory.oom_control
";
    let got = memcg(&["sh", "--real"], script);
    let out = text(&got.stdout);
    assert!(out.contains("1001 killed"), "{out}");
    assert!(out.contains("oom_kill 1"), "{out}");
}

#[test]
fn a_run_leaves_nothing_behind_and_never_moves_other_processes() {
    if skip() {
        return;
    }
    let script = "\
mkdir -p a/b/c
spawn a/b/c anon 8M --hold
spawn a file 8M
wait 1001
echo $$ > a/cgroup.procs
echo 1 > a/cgroup.procs
echo 0 > a/cgroup.procs
echo 1001 > a/cgroup.procs
cat /proc/1/status
echo 1G > memory.limit_in_bytes
";
    let child = Command::new(env!("CARGO_BIN_EXE_memcg"))
        .args(["sh", "--real"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut child = child;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let got = child.wait_with_output().unwrap();
    let err = text(&got.stderr);
    assert_eq!(
        err,
        "bash: echo: write error: No such process\n\
         bash: echo: write error: No such process\n\
         bash: echo: write error: No such process\n\
         cat: /proc/1/status: Operation not permitted (outside the --real run)\n\
         bash: echo: write error: Invalid argument\n",
    );
    assert_eq!(text(&got.stdout), "1001\n1002\n1001 holding\n");
    assert_gone(pid);
}

#[test]
fn a_run_killed_midway_leaves_nothing_behind() {
    if skip() {
        return;
    }
    for sig in [libc::SIGTERM, libc::SIGINT] {
        killed_midway(sig);
    }
}

fn killed_midway(sig: i32) {
    let before = runs_on_mount();
    let mut child = Command::new(env!("CARGO_BIN_EXE_memcg"))
        .args(["sh", "--real"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(
            b"mkdir -p a/b\nspawn a/b anon 16M --hold\nwait\nspawn a dirty 8M --hold\nwait\n",
        )
        .unwrap();
    stdin.flush().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    while seen.len() < 4 {
        seen.push(lines.next().unwrap().unwrap());
    }
    assert_eq!(seen, ["1001", "1001 holding", "1002", "1002 holding"]);
    assert!(std::path::Path::new(&format!("{}/memcg-{pid}/a/b", real::V1_MOUNT)).is_dir());
    // SAFETY: kill(2) of our own child.
    assert_eq!(unsafe { libc::kill(pid as i32, sig) }, 0);
    let status = child.wait().unwrap();
    drop(stdin);
    assert_eq!(status.code(), Some(128 + sig));
    assert_gone(pid);
    let after = runs_on_mount();
    assert!(!after.contains(&format!("memcg-{pid}")), "{after:?}");
    assert!(after
        .iter()
        .all(|n| before.contains(n) || !n.ends_with(&pid.to_string())));
}

/// Held by the SIGKILL test while the killed run's cgroup must stay, and by
/// the conform suite, whose many runs would each remove it first (a run
/// removes what dead runs left).
static LEFTOVERS: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// SIGKILL cannot be handled: the run's tasks die with it
/// (`PR_SET_PDEATHSIG`) but its empty cgroup and temp dir stay until the
/// next `--real` run removes them.
#[test]
fn what_a_sigkilled_run_leaves_the_next_run_removes() {
    if skip() {
        return;
    }
    let _alone = LEFTOVERS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut child = Command::new(env!("CARGO_BIN_EXE_memcg"))
        .args(["sh", "--real"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut stdin = child.stdin.take().unwrap();
    stdin
        .write_all(b"mkdir -p a/b\nspawn a/b anon 8M --hold\nwait\n")
        .unwrap();
    stdin.flush().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let seen: Vec<String> = (0..2).map(|_| lines.next().unwrap().unwrap()).collect();
    assert_eq!(seen, ["1001", "1001 holding"]);
    // SAFETY: kill(2) of our own child.
    assert_eq!(unsafe { libc::kill(pid as i32, libc::SIGKILL) }, 0);
    child.wait().unwrap();
    drop(stdin);
    let cg = format!("{}/memcg-{pid}", real::V1_MOUNT);
    // Its task dies with it; the cgroup stays, empty, once it has.
    let until = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while std::fs::read_to_string(format!("{cg}/a/b/cgroup.procs")).is_ok_and(|t| !t.is_empty())
        && std::time::Instant::now() < until
    {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(std::path::Path::new(&cg).is_dir(), "{cg}");
    let out = memcg(&["sh", "--real"], "mkdir x\n");
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains(&format!("memcg-{pid}, left by a run that was killed")),
        "{}",
        text(&out.stderr)
    );
    assert_gone(pid);
}

#[test]
fn a_run_that_panics_leaves_nothing_behind() {
    if skip() {
        return;
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_memcg"))
        .args(["sh", "--real"])
        .env("MEMCG_REAL_TEST_PANIC", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let _ = child
        .stdin
        .take()
        .unwrap()
        .write_all(b"mkdir -p a/b\nspawn a/b anon 4M --hold\nwait\n__panic\nsleep 30s\n");
    let got = child.wait_with_output().unwrap();
    assert_eq!(text(&got.stdout), "1001\n1001 holding\n");
    assert!(text(&got.stderr).contains("a test asked for a panic"));
    assert_eq!(got.status.code(), Some(101));
    assert_gone(pid);
}

#[test]
fn a_run_past_its_time_limit_stops_and_leaves_nothing_behind() {
    if skip() {
        return;
    }
    let child = Command::new(env!("CARGO_BIN_EXE_memcg"))
        .args(["sh", "--real", "--real-timeout", "1s"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut child = child;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"mkdir a\nspawn a anon 4M --hold\nsleep 30s\n")
        .unwrap();
    let got = child.wait_with_output().unwrap();
    assert_eq!(got.status.code(), Some(real::TIMEOUT_STATUS));
    assert!(text(&got.stderr).contains("--real-timeout 1s reached"));
    assert_gone(pid);
}

#[test]
fn v2_and_unavailable_machines_are_refused_with_a_reason() {
    let got = memcg(&["sh", "--real", "--v2"], "mkdir a\n");
    assert_eq!(got.status.code(), Some(2));
    let err = text(&got.stderr);
    assert!(err.starts_with("memcg: --real"), "{err}");
    assert!(got.stdout.is_empty());
    let got = memcg(&["sh", "--real-timeout", "5s"], "");
    assert_eq!(got.status.code(), Some(2));
    assert!(text(&got.stderr).contains("go with --real"));
}

/// The whole conformance suite (every tests/conform/*.sh) agrees with this
/// machine's kernel when simulated as the flavour closest to it (§19.6);
/// and a flavour that differs in what is checked makes rows DIFF and the
/// status 1, so a disagreement fails this test.
#[test]
fn conform_suite_agrees_with_the_closest_flavour() {
    if skip() {
        return;
    }
    let _alone = LEFTOVERS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/conform");
    let mut scripts: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path().to_string_lossy().into_owned())
        .filter(|p| p.ends_with(".sh"))
        .collect();
    scripts.sort();
    assert!(scripts.len() >= 13, "{scripts:?}");
    let mut args = vec!["conform"];
    args.extend(scripts.iter().map(String::as_str));
    let got = memcg(&args, "");
    let table = text(&got.stdout);
    assert!(got.status.success(), "{table}{}", text(&got.stderr));
    assert!(!table.contains("DIFF"), "{table}");
    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap();
    let flavour = memcg::KernelFlavour::closest_to(release.trim()).unwrap();
    assert!(
        table
            .lines()
            .next()
            .unwrap()
            .contains(&format!("simulator v1 {} ", flavour.name())),
        "{table}"
    );
    for row in [
        "page_cache_dirty.sh:8",
        "stat_fields.sh:8",
        "ltp_usage.sh:15",
    ] {
        assert!(table.contains(row), "no row {row}: {table}");
    }

    // ALinux 4.19 refuses swappiness 101 and moves charges: rows differ.
    if flavour != memcg::KernelFlavour::Linux618 {
        return;
    }
    let got = memcg(
        &[
            "conform",
            "--kernel",
            "alinux-4.19",
            &format!("{dir}/limits.sh"),
            &format!("{dir}/move_charge.sh"),
        ],
        "",
    );
    let table = text(&got.stdout);
    assert_eq!(got.status.code(), Some(1), "{table}");
    assert!(table
        .lines()
        .next()
        .unwrap()
        .contains("simulator v1 alinux-4.19 "));
    for row in ["limits.sh:16", "move_charge.sh:4", "move_charge.sh:11"] {
        assert!(
            table
                .lines()
                .any(|l| l.starts_with(row) && l.contains(" DIFF ")),
            "{row}: {table}"
        );
    }
}

/// `memcg calibrate` end to end: its table names every field of the cost
/// model, its JSON is what `--save` wrote and what `memcg sh --costs`
/// takes, and the run leaves nothing behind.
#[test]
fn calibrate_prints_a_cost_model_that_sh_takes() {
    if skip() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("memcg-calibrate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let saved = dir.join("costs.json");
    let child = Command::new(env!("CARGO_BIN_EXE_memcg"))
        .args(["calibrate", "--reps", "1", "--size", "8M", "--save"])
        .arg(&saved)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let got = child.wait_with_output().unwrap();
    let out = text(&got.stdout);
    assert!(got.status.success(), "{out}{}", text(&got.stderr));
    assert_gone(pid);
    assert!(out.starts_with("kernel "), "{out}");
    for field in memcg_tests::costs::fields() {
        assert!(
            out.lines().any(|l| l.starts_with(&format!("{field} "))),
            "no row for {field}: {out}"
        );
    }
    // Measured here: a fault, clean reclaim, writeback and a refault.
    for field in ["fault_ns", "reclaim_clean_ns", "writeback_ns", "refault_ns"] {
        let row = out.lines().find(|l| l.starts_with(field)).unwrap();
        let measured = row.split_whitespace().nth(2).unwrap();
        assert!(measured.parse::<u64>().is_ok(), "{row}");
    }
    let json = out.lines().last().unwrap();
    assert_eq!(
        std::fs::read_to_string(&saved).unwrap(),
        format!("{json}\n")
    );
    let model = memcg_tests::costs::load(saved.to_str().unwrap()).unwrap();
    assert_eq!(memcg_tests::costs::to_json(&model), json);
    let sim = Command::new(env!("CARGO_BIN_EXE_memcg"))
        .args(["sweep", "--csv", "--param", "X=1", "--costs"])
        .arg(&saved)
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/conform/anon_oom.sh"))
        .output()
        .unwrap();
    assert!(!sim.stdout.is_empty(), "{}", text(&sim.stderr));
    let got = memcg(
        &["sh", "--costs", saved.to_str().unwrap()],
        "mkdir /sys/fs/cgroup/memory/a\n",
    );
    assert!(got.status.success(), "{}", text(&got.stderr));
    // --json prints the model alone.
    let got = memcg(&["calibrate", "--reps", "1", "--size", "4M", "--json"], "");
    assert!(got.status.success(), "{}", text(&got.stderr));
    let only = text(&got.stdout);
    assert_eq!(only.lines().count(), 1, "{only}");
    memcg_tests::costs::parse(&only).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn calibrate_refuses_bad_options_and_a_killed_one_leaves_nothing_behind() {
    for (args, want) in [
        (&["calibrate", "--reps", "0"][..], "invalid --reps '0'"),
        (
            &["calibrate", "--size", "lots"][..],
            "--size: invalid size 'lots'",
        ),
        (
            &["calibrate", "--frobnicate"][..],
            "unexpected argument '--frobnicate'",
        ),
    ] {
        let got = memcg(args, "");
        assert_eq!(got.status.code(), Some(2), "{args:?}");
        assert!(text(&got.stderr).contains(want), "{}", text(&got.stderr));
    }
    if skip() {
        return;
    }
    let got = memcg(&["calibrate", "--size", "1M"], "");
    assert_eq!(got.status.code(), Some(2));
    assert!(text(&got.stderr).contains("give 4M to half of --real-mem-cap"));
    let child = Command::new(env!("CARGO_BIN_EXE_memcg"))
        .args(["calibrate", "--reps", "50"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let cg = format!("{}/memcg-{pid}/roomy", real::V1_MOUNT);
    let until = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !std::path::Path::new(&cg).is_dir() && std::time::Instant::now() < until {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    std::thread::sleep(std::time::Duration::from_millis(500));
    // SAFETY: kill(2) of our own child.
    assert_eq!(unsafe { libc::kill(pid as i32, libc::SIGTERM) }, 0);
    let got = child.wait_with_output().unwrap();
    assert_eq!(
        got.status.code(),
        Some(128 + libc::SIGTERM),
        "{}",
        text(&got.stderr)
    );
    assert_gone(pid);
    assert!(text(&got.stderr).contains("stopped by SIGTERM"));
}
