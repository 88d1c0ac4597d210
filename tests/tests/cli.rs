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
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
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
