//! The `memcg sh` command line (issue 2): the seed example verbatim.
#![cfg(not(target_arch = "wasm32"))]

use std::io::Write;
use std::process::{Command, Stdio};

const SEED: &str = "\
mkdir /sys/fs/cgroup/memory/test/
echo 1G > /sys/fs/cgroup/memory/test/memory.limit_in_bytes
echo 95 > /sys/fs/cgroup/memory/test/memory.wmark_ratio
cat /sys/fs/cgroup/memory/test/memory.wmark_scale_factor
cat /sys/fs/cgroup/memory/test/memory.wmark_high
cat /sys/fs/cgroup/memory/test/memory.wmark_low
";

fn memcg_sh(args: &[&str], stdin: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_memcg"))
        .arg("sh")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn memcg");
    // A run that refuses its options exits before reading the script, so
    // the pipe may close under the write: that is its answer, not an error.
    match child.stdin.take().unwrap().write_all(stdin.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        r => r.unwrap(),
    }
    child.wait_with_output().unwrap()
}

#[test]
fn seed_example_from_stdin() {
    let out = memcg_sh(&[], SEED);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "50\n1020051456\n1014685696\n"
    );
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert!(out.status.success());
}

#[test]
fn seed_example_from_file() {
    let dir = std::env::temp_dir().join(format!("memcg-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("seed.sh");
    std::fs::write(&file, SEED).unwrap();
    let out = memcg_sh(&[file.to_str().unwrap()], "");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "50\n1020051456\n1014685696\n"
    );
    assert!(out.status.success());
}

#[test]
fn failing_line_sets_exit_status_and_goes_to_stderr() {
    let out = memcg_sh(&["--v2"], "mkdir /sys/fs/cgroup/t\necho 101 > /sys/fs/cgroup/t/memory.wmark_ratio\ncat /sys/fs/cgroup/t/memory.wmark_ratio\n");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "0\n");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "bash: echo: write error: Invalid argument\n"
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn bad_usage_is_exit_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_memcg"))
        .arg("frob")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown command 'frob'"));
}

/// A fresh directory for one test's files.
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("memcg-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A session with a task, a write while it runs and time that passes.
const SESSION: &str = "\
mkdir /sys/fs/cgroup/a
echo 64M > /sys/fs/cgroup/a/memory.max
echo 95 > /sys/fs/cgroup/a/memory.wmark_ratio
spawn /sys/fs/cgroup/a anon 200M --ws 16M --rate 100M/s
sleep 700ms
echo 80 > /sys/fs/cgroup/a/memory.wmark_ratio
sleep 800ms
cat /sys/fs/cgroup/a/memory.current
";

/// What a script reads of the machine's state.
const PROBE: &str = "\
cat /sys/fs/cgroup/a/memory.current
cat /sys/fs/cgroup/a/memory.events
cat /sys/fs/cgroup/a/memory.wmark_ratio
ps
sleep 1s
cat /sys/fs/cgroup/a/memory.stat
";

#[test]
fn save_then_load_reproduces_the_trace_and_the_state() {
    let dir = scratch("roundtrip");
    let (json, t1, t2) = (dir.join("s.json"), dir.join("t1"), dir.join("t2"));
    let p = |f: &std::path::Path| f.to_str().unwrap().to_string();
    let out = memcg_sh(
        &[
            "--v2",
            "--seed",
            "3",
            "--save",
            &p(&json),
            "--trace",
            &p(&t1),
        ],
        SESSION,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let sc = memcg::share::from_json(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(
        (sc.version, sc.seed, sc.now),
        (memcg::Version::V2, 3, 1_500_000_000)
    );
    assert_eq!(sc.journal.len(), 7, "all but the cat");

    // The replayed machine has the same whole trace...
    let out = memcg_sh(&["--load", &p(&json), "--trace", &p(&t2)], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (a, b) = (std::fs::read(&t1).unwrap(), std::fs::read(&t2).unwrap());
    assert!(a.len() > 1000 && a == b, "the traces differ");
    // ...and goes on as the original does, opened from the file, its
    // fragment or a whole URL.
    let first = text(&memcg_sh(&["--v2", "--seed", "3"], SESSION).stdout);
    let whole = memcg_sh(&["--v2", "--seed", "3"], &format!("{SESSION}{PROBE}"));
    let want = text(&whole.stdout)
        .strip_prefix(&first)
        .unwrap()
        .to_string();
    assert!(want.contains("oom_kill 0\n80\n"), "{want}");
    let frag = memcg::share::to_fragment(&sc);
    for arg in [
        p(&json),
        format!("#{frag}"),
        format!("http://127.0.0.1:8080/?scenario=stalls#{frag}"),
    ] {
        let out = memcg_sh(&["--load", &arg], PROBE);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(text(&out.stdout), want, "--load {arg}");
    }
    // A file holding a link loads too; saving a loaded session keeps
    // the loaded journal.
    let link = dir.join("link.txt");
    std::fs::write(&link, format!("{frag}\n")).unwrap();
    let again = dir.join("again.json");
    let out = memcg_sh(&["--load", &p(&link), "--save", &p(&again)], "sleep 1s\n");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let sc2 = memcg::share::from_json(&std::fs::read_to_string(&again).unwrap()).unwrap();
    assert_eq!(sc2.journal[..7], sc.journal[..]);
    assert_eq!(sc2.journal.len(), 8);
    assert_eq!(sc2.now, 2_500_000_000);
}

#[test]
fn a_line_starting_with_a_read_reopens_with_its_mkdir() {
    let dir = scratch("journal");
    let json = dir.join("s.json");
    let out = memcg_sh(
        &["--save", json.to_str().unwrap()],
        "cat a; mkdir /sys/fs/cgroup/memory/b\n",
    );
    assert!(out.status.success());
    let sc = memcg::share::from_json(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let link = memcg::share::to_fragment(&sc);
    let out = memcg_sh(&["--load", &link], "ls /sys/fs/cgroup/memory/b\n");
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn scenarios_that_do_not_load_are_exit_2_with_the_reason() {
    let dir = scratch("refused");
    let hostile = dir.join("hostile.json");
    let sc = memcg::scenario::Scenario::from_script(
        memcg::Version::V1,
        &["mkdir /sys/fs/cgroup/memory/a", "true; sleep 2h"],
    );
    std::fs::write(&hostile, memcg::share::to_json(&sc)).unwrap();
    let garbage = dir.join("garbage.json");
    std::fs::write(&garbage, "{\"schema\": 99}").unwrap();
    let missing = dir.join("missing.json");
    for (args, why) in [
        (
            vec!["--load", hostile.to_str().unwrap()],
            "sleeps past 1 hour",
        ),
        (vec!["--load", garbage.to_str().unwrap()], "schema 99"),
        (
            vec!["--load", missing.to_str().unwrap()],
            "no such file, and not a link",
        ),
        (vec!["--load", "#s=1.AAAA"], "the link is damaged"),
        (
            vec!["--load", "#s=1.AAAA", "--v2"],
            "takes the machine from the scenario",
        ),
        (
            vec!["--save", "/nonexistent/dir/s.json"],
            "--save /nonexistent/dir/s.json",
        ),
    ] {
        let out = memcg_sh(&args, "mkdir /sys/fs/cgroup/memory/x\n");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let err = text(&out.stderr);
        assert!(
            err.starts_with("memcg: ") && err.contains(why),
            "{args:?}: {err}"
        );
        // Nothing of the script runs when the scenario does not load.
        if args[0] == "--load" {
            assert_eq!(text(&out.stdout), "");
        }
    }
}
