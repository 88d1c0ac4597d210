//! No input to the shell or to a file write panics, and a write that fails
//! changes nothing (issue 2, acceptance 6).
#![cfg(not(target_arch = "wasm32"))]

use memcg::{Simulator, Version};
use proptest::prelude::*;

/// Every readable file of every cgroup, with its value: the visible state.
fn snapshot(sim: &Simulator) -> Vec<(String, Result<String, memcg::Errno>)> {
    let mut out = Vec::new();
    for cg in sim.cgroups() {
        for f in sim.list_files(&cg.path).expect("cgroup dir") {
            out.push((format!("{}/{}", cg.path, f.name), f.value));
        }
    }
    out
}

fn machine(v2: bool) -> Simulator {
    let mut sim = Simulator::new(if v2 { Version::V2 } else { Version::V1 });
    for line in [
        "mkdir -p a/b",
        "echo 1G > a/memory.high",
        "echo 95 > a/memory.wmark_ratio",
    ] {
        sim.exec(line);
    }
    sim
}

const WORDS: &[&str] = &[
    "mkdir",
    "mkdir -p",
    "rmdir",
    "echo",
    "cat",
    "ls",
    "tree",
    "cd",
    "pwd",
    "su nobody -c",
    ">",
    ">>",
    "2>",
    "2>&1",
    "&&",
    "||",
    ";",
    "|",
    "'",
    "\"",
    "$$",
    "$?",
    "#",
    "*",
    "..",
    ".",
    "/",
    "a",
    "a/b",
    "memory.wmark_ratio",
    "memory.max",
    "memory.limit_in_bytes",
    "memory.high",
    "cgroup.procs",
    "cgroup.subtree_control",
    "+memory",
    "-memory",
    "95",
    "0x5f",
    "-1",
    "max",
    "1G",
    "16E",
    "4294967295",
    "/sys/fs/cgroup",
    "/sys/fs/cgroup/memory/a",
    "\\",
    "\n",
    "\t",
    "spawn",
    "spawn a anon",
    "spawn a/b file",
    "steady",
    "burst",
    "leak",
    "--rate",
    "--ws",
    "--hold",
    "4M",
    "0",
    "2T",
    "10M/s",
    "sleep",
    "5ms",
    "1s",
    "25h",
    "wait",
    "kill",
    "1001",
    "ps",
    "echo 1001 > a/cgroup.procs",
    "echo 1001 > cgroup.procs",
    "echo 1001 > a/b/cgroup.procs",
    "echo +memory > a/cgroup.subtree_control",
    "echo -memory > a/cgroup.subtree_control",
];

fn shellish() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(WORDS), 0..12).prop_map(|w| w.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn shell_never_panics_on_random_text(v2 in any::<bool>(), line in ".{0,200}") {
        let mut sim = machine(v2);
        let out = sim.exec(&line);
        prop_assert!(out.status >= 0);
    }

    #[test]
    fn shell_never_panics_on_shell_like_lines(v2 in any::<bool>(), lines in prop::collection::vec(shellish(), 1..8)) {
        let mut sim = machine(v2);
        for line in &lines {
            let out = sim.exec(line);
            // A failure says why, unless the line redirected stderr away.
            if !out.ok() && !line.contains("2>") {
                prop_assert!(!out.stderr.is_empty() || !out.stdout.is_empty(), "{line:?} failed silently");
            }
        }
        // The machine is still consistent: every cgroup lists its files and
        // the accounting holds.
        for cg in sim.cgroups() {
            prop_assert!(sim.list_files(&cg.path).is_ok());
        }
        let inv = sim.kernel().check_invariants();
        prop_assert!(inv.is_ok(), "{:?}", inv);
    }

    #[test]
    fn failed_writes_change_nothing(v2 in any::<bool>(), bytes in prop::collection::vec(any::<u8>(), 0..64), pick in any::<prop::sample::Index>()) {
        let mut sim = machine(v2);
        let files: Vec<String> = snapshot(&sim).into_iter().map(|(p, _)| p).collect();
        let path = pick.get(&files).clone();
        let before = snapshot(&sim);
        let value = String::from_utf8_lossy(&bytes).into_owned();
        if sim.write(&path, &value).is_err() {
            prop_assert_eq!(snapshot(&sim), before, "{} <- {:?}", path, value);
        }
    }
}
