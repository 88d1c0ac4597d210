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

/// A line that runs at an instant where events are due (here the task's
/// first fault, due at the spawn's instant) runs after them, in the CLI as
/// in a replay: `--save` then `--load` gives the same trace (fuzzing found
/// 27 lines against 28 before, fuzz/README.md).
#[test]
fn a_line_at_an_instant_with_due_events_replays_the_same() {
    let dir = scratch("due");
    let (json, t1, t2) = (dir.join("s.json"), dir.join("t1"), dir.join("t2"));
    let p = |f: &std::path::Path| f.to_str().unwrap().to_string();
    let script = "mkdir /sys/fs/cgroup/a
spawn /sys/fs/cgroup/a anon 8M --rate 1M/s
echo 4K > /sys/fs/cgroup/a/memory.max
sleep 100ms
";
    let out = memcg_sh(&["--v2", "--save", &p(&json), "--trace", &p(&t1)], script);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = memcg_sh(&["--load", &p(&json), "--trace", &p(&t2)], "");
    assert!(out.status.success(), "{}", text(&out.stderr));
    let (a, b) = (std::fs::read(&t1).unwrap(), std::fs::read(&t2).unwrap());
    assert!(text(&a).lines().count() > 10);
    assert_eq!(text(&a), text(&b));
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

/// FNV-1a 64 of `bytes`: the hash [`memcg::Simulator::trace_hash`] keeps
/// of the trace's lines, each with its newline, i.e. of the trace file.
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[test]
fn a_pipe_gets_each_answer_before_it_sends_the_next_line() {
    use std::io::BufRead;
    use std::sync::mpsc;
    use std::time::Duration;
    let mut child = Command::new(env!("CARGO_BIN_EXE_memcg"))
        .arg("sh")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn memcg");
    let mut stdin = child.stdin.take().unwrap();
    let stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        for line in stdout.lines() {
            if tx.send(line.unwrap()).is_err() {
                break;
            }
        }
    });
    // Each answer, or what stands in for it when none came: the pipe is
    // still open, so a CLI that waits for the end of its input never
    // answers (the timeout only turns that hang into a failure).
    let mut ask = |line: &str| {
        writeln!(stdin, "{line}").unwrap();
        stdin.flush().unwrap();
        rx.recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| String::from("<no answer while the pipe is open>"))
    };
    let mut answers = Vec::new();
    for line in ["pwd", "mkdir x; cd x; pwd", "cat memory.limit_in_bytes"] {
        let a = ask(line);
        let missing = a.starts_with('<');
        answers.push(a);
        if missing {
            let _ = child.kill();
            break;
        }
    }
    drop(stdin);
    let status = child.wait().unwrap();
    reader.join().unwrap();
    assert_eq!(
        answers,
        [
            "/sys/fs/cgroup/memory",
            "/sys/fs/cgroup/memory/x",
            "9223372036854771712"
        ]
    );
    assert!(status.success());
}

#[test]
fn the_trace_file_is_the_machines_trace_byte_for_byte() {
    let dir = scratch("trace-bytes");
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
    // The same lines through the library, where no file is written: the
    // file is every line the machine recorded, each with its newline.
    let mut sim = memcg::Simulator::builder(memcg::Version::V2)
        .seed(3)
        .build();
    for line in SESSION.lines() {
        sim.exec(line);
    }
    let bytes = std::fs::read(&t1).unwrap();
    assert_eq!(
        (
            bytes.iter().filter(|&&b| b == b'\n').count() as u64,
            fnv1a(&bytes)
        ),
        (sim.trace_len(), sim.trace_hash())
    );
    assert!(bytes.ends_with(b"\n") && sim.trace_len() > 100);

    // A loaded scenario: the replay's lines, then the script's.
    let out = memcg_sh(&["--load", &p(&json), "--trace", &p(&t2)], PROBE);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let sc = memcg::share::from_json(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let mut sim = sc.instantiate().unwrap();
    for line in PROBE.lines() {
        sim.exec(line);
    }
    let bytes = std::fs::read(&t2).unwrap();
    assert_eq!(
        (
            bytes.iter().filter(|&&b| b == b'\n').count() as u64,
            fnv1a(&bytes)
        ),
        (sim.trace_len(), sim.trace_hash())
    );
}

/// The peak resident set of a `memcg sh` run, in kB, from the hidden
/// report the binary prints at exit.
fn vmhwm_kb(stderr: &str) -> u64 {
    let l = stderr
        .lines()
        .find_map(|l| l.strip_prefix("memcg: VmHWM:"))
        .unwrap_or_else(|| panic!("no VmHWM report in {stderr:?}"));
    l.trim().trim_end_matches("kB").trim().parse().unwrap()
}

#[test]
fn a_long_sleep_of_a_busy_machine_does_not_hold_its_trace() {
    // Eight cgroups reclaiming all the time: one `sleep` records
    // hundreds of thousands of lines. Memory is measured, not time.
    let mut script = String::new();
    for i in 0..8 {
        let cg = format!("/sys/fs/cgroup/c{i}");
        script += &format!(
            "mkdir {cg}\necho 16M > {cg}/memory.max\necho 95 > {cg}/memory.wmark_ratio\n\
             spawn {cg} sawtooth 32M --rate 1G/s\n"
        );
    }
    script += "sleep 40s\n";
    let dir = scratch("busy");
    let trace = dir.join("trace");
    let out = Command::new(env!("CARGO_BIN_EXE_memcg"))
        .args(["sh", "--v2", "--trace", trace.to_str().unwrap()])
        .env("MEMCG_REPORT_VMHWM", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            c.stdin.take().unwrap().write_all(script.as_bytes())?;
            c.wait_with_output()
        })
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let written = std::fs::metadata(&trace).unwrap().len();
    let peak = vmhwm_kb(&text(&out.stderr));
    // Holding the sleep's lines would take more than the file's size.
    assert!(written > 20_000_000, "only {written} bytes of trace");
    assert!(
        peak < 16 * 1024,
        "peak RSS {peak} kB while writing {written} bytes of trace"
    );
    let _ = std::fs::remove_file(&trace);
}

#[test]
fn save_stops_at_the_line_a_scenario_cannot_hold() {
    let dir = scratch("journal-bound");
    let json = dir.join("s.json");
    let path = json.to_str().unwrap();
    // 10 000 journaled lines fit; the next one stops the run before it
    // runs, and the lines after it are not read.
    let script = "cd /\n".repeat(memcg::scenario::MAX_JOURNAL) + "mkdir a\npwd\n";
    let out = memcg_sh(&["--save", path], &script);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.starts_with(&format!(
            "memcg: --save {path}: line 10001 would be journal entry 10001"
        )),
        "{err}"
    );
    assert_eq!(text(&out.stdout), "");
    assert!(!json.exists(), "nothing is saved");
    // Lines that only read are not journaled: as many as wanted.
    let script = "cd /\n".repeat(memcg::scenario::MAX_JOURNAL) + &"pwd\n".repeat(10);
    let out = memcg_sh(&["--save", path], &script);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(json.exists());
    // A journal entry over 4096 bytes would make a file --load refuses.
    let long = format!("mkdir {}\n", "x".repeat(memcg::scenario::MAX_LINE));
    let out = memcg_sh(&["--save", path], &format!("pwd\n{long}pwd\n"));
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(text(&out.stdout), "/sys/fs/cgroup/memory\n");
    assert!(
        text(&out.stderr).contains("line 2 is 4102 bytes"),
        "{}",
        text(&out.stderr)
    );
    // Without --save, neither bound stops anything.
    let out = memcg_sh(&[], &format!("{long}pwd\n"));
    assert_eq!(text(&out.stdout), "/sys/fs/cgroup/memory\n");
}

#[test]
fn lines_read_one_at_a_time_split_and_decode_as_the_whole_text_did() {
    // `\r\n` ends a line (a lone `\r` does not), invalid UTF-8 becomes
    // U+FFFD, a line over 64 KiB is refused with its whole length and
    // `$?` = 2 although only its head is kept, and the last line needs no
    // newline.
    let mut script: Vec<u8> = b"pwd\r\n".to_vec();
    script.extend([0xff; 70_000]);
    script.extend(b"\r\necho $?\n");
    script.extend([b'x'; 30_000]);
    script.extend([0xe2, 0x82]);
    script.extend([b'y'; 40_000]);
    script.extend(b"\xe2\x82\ntrue\n\r\necho $?\r");
    let mut child = Command::new(env!("CARGO_BIN_EXE_memcg"))
        .arg("sh")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&script).unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(text(&out.stdout), "/sys/fs/cgroup/memory\n2\n0\n");
    assert_eq!(
        text(&out.stderr),
        "memcg: line too long (210000 bytes; the limit is 65536)\n\
         memcg: line too long (70006 bytes; the limit is 65536)\n"
    );
    assert_eq!(out.status.code(), Some(1));
}

/// `--costs FILE` (issue 15): the cost model `memcg calibrate` prints, as a
/// scenario's `costs`; it changes what a run costs, and bad input is
/// refused before anything runs, with the field and the file named.
#[test]
fn costs_file_sets_the_cost_model_and_bad_ones_are_refused() {
    let dir = scratch("costs");
    let file = |name: &str, text: &str| {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p.to_str().unwrap().to_string()
    };
    // A sweep's stall percentiles are fault_ns when nothing reclaims.
    let script = file(
        "s.sh",
        "mkdir /sys/fs/cgroup/memory/a\nspawn /sys/fs/cgroup/memory/a anon 4M\nwait\n",
    );
    let slow = file("slow.json", "{\"fault_ns\": 100000}\n");
    let sweep = |extra: &[&str]| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_memcg"));
        c.args(["sweep", "--csv", "--param", "X=1"])
            .args(extra)
            .arg(&script);
        let out = c.output().unwrap();
        assert!(out.status.success(), "{}", text(&out.stderr));
        text(&out.stdout)
    };
    let p50 = |csv: String| {
        let mut lines = csv.lines();
        let head: Vec<&str> = lines.next().unwrap().split(',').collect();
        let row: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
        row[head.iter().position(|h| *h == "p50_stall_us").unwrap()].clone()
    };
    assert_eq!(p50(sweep(&[])), "0.250");
    assert_eq!(p50(sweep(&["--costs", &slow])), "100.000");
    // sh takes it too, and a whole model (as calibrate prints it) as well.
    let whole = file(
        "whole.json",
        "{\"fault_ns\":2680,\"scan_ns\":8,\"reclaim_clean_ns\":61,\"writeback_ns\":26365,\"swapout_ns\":15000,\"refault_ns\":107854,\"touch_interval_ns\":100000000}\n",
    );
    let out = memcg_sh(&["--costs", &whole], "mkdir /sys/fs/cgroup/memory/a\n");
    assert!(out.status.success(), "{}", text(&out.stderr));

    let refused = |args: &[&str], want: &str| {
        let out = memcg_sh(args, "mkdir /sys/fs/cgroup/memory/a\n");
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.starts_with("memcg: "), "{err}");
        assert!(err.contains(want), "{args:?}: want '{want}' in: {err}");
        assert!(out.stdout.is_empty());
    };
    let bad = |name: &str, text: &str| file(name, text);
    let cases = [
        (
            bad("zero.json", "{\"fault_ns\": 0}"),
            "fault_ns must be at least 1",
        ),
        (
            bad("big.json", "{\"refault_ns\": 2000000000}"),
            "per-page costs must be at most 1 s",
        ),
        (
            bad("touch.json", "{\"touch_interval_ns\": 5}"),
            "touch_interval_ns must be at least 1000",
        ),
        (
            bad("typo.json", "{\"fault_nz\": 5}"),
            "unknown field 'fault_nz'",
        ),
        (
            bad("neg.json", "{\"fault_ns\": -5}"),
            "fault_ns must be a whole number of ns",
        ),
        (
            bad("float.json", "{\"fault_ns\": 2.5}"),
            "fault_ns must be a whole number of ns",
        ),
        (
            bad("str.json", "{\"fault_ns\": \"5\"}"),
            "fault_ns must be a whole number of ns",
        ),
        (bad("list.json", "[250]"), "expected a JSON object"),
        (bad("junk.json", "fault_ns=5"), "not valid JSON"),
        (bad("empty.json", ""), "not valid JSON"),
    ];
    for (path, want) in &cases {
        refused(&["--costs", path], want);
        assert!(
            text(&memcg_sh(&["--costs", path], "").stderr).contains(&format!("--costs {path}: "))
        );
    }
    refused(
        &["--costs", "/nonexistent/costs.json"],
        "--costs /nonexistent/costs.json: No such file",
    );
    refused(&["--costs"], "--costs needs a value");
    let ok = slow.as_str();
    refused(&["--costs", ok, "--load", ok], "leave out");
    refused(
        &["--real", "--costs", ok],
        "leave out --load, --save, --trace and --costs",
    );
    let big = file("huge.json", &" ".repeat(70 << 10));
    refused(&["--costs", &big], "at most 65536 are accepted");
    // The sweep refuses it the same way.
    let out = Command::new(env!("CARGO_BIN_EXE_memcg"))
        .args(["sweep", "--param", "X=1", "--costs", &cases[0].0, &script])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("fault_ns must be at least 1"));
}
