//! A Kubernetes-like node as a shell script (issue 12's `node` benchmark):
//! `system.slice` with a few services, `kubepods` with `burstable` and
//! `besteffort`, and pods of one or two containers each, with tasks of every
//! preset at modest rates, limits on the burstable pods and their containers
//! and async reclaim (`memory.wmark_ratio` 95) on every pod and container.
//!
//! The script is plain shell lines (v1 paths relative to the mount point),
//! generated deterministically from the shape alone, so the same text could
//! become a playground preset: the playground's `node` scenario, the `node`
//! benchmark and its tests all build it from here.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

/// Services under `system.slice` (capped: "a few"; smaller trees get fewer).
const MAX_SERVICES: usize = 20;

/// What one task runs: the presets' mix plus plain touch-once anon, each
/// with a size and rate of the order a real container shows (a few MB/s at
/// most). Once the steady, anon, leak and writer tasks hold, what goes on
/// is the sawtooth, stream and burst tasks: 1.5 MB/s per ten tasks, about
/// 450 MB/s on a node of 3,000 tasks. `(kind, size, rate)`; an empty rate
/// leaves the preset's own (burst: unpaced, every half second).
const MIX: &[(&str, &str, &str)] = &[
    ("steady", "16M", "2M"),
    ("anon", "8M", "1M"),
    ("leak", "4M", "64K"),
    ("sawtooth", "24M", "512K"),
    ("stream", "64M", "256K"),
    ("burst", "256K", ""),
    ("writer", "8M", "512K"),
    ("steady", "32M", "4M"),
    ("anon", "4M", "256K"),
    ("sawtooth", "12M", "256K"),
];

/// SplitMix64 step: the script's only source of variety, from the index.
fn mix(i: u64) -> u64 {
    let mut z = i.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The node's counts, as built.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NodeShape {
    /// Cgroups made (the root not counted).
    pub cgroups: usize,
    pub services: usize,
    pub pods: usize,
    pub containers: usize,
    pub tasks: usize,
}

/// The shell lines of a node with `cgroups` cgroups (at least 6) and about
/// `tasks` tasks spread over the containers and services, round-robin.
/// Returns the lines and the shape they make.
pub fn node_script(cgroups: usize, tasks: usize) -> (Vec<String>, NodeShape) {
    let cgroups = cgroups.max(6);
    let mut lines = Vec::new();
    let mut shape = NodeShape::default();
    // Leaves that get tasks: services and containers.
    let mut leaves: Vec<String> = Vec::new();

    let services = (cgroups / 50).clamp(1, MAX_SERVICES);
    lines.push(String::from("mkdir system.slice"));
    for s in 0..services {
        let p = format!("system.slice/svc{s}.service");
        lines.push(format!("mkdir {p}"));
        leaves.push(p);
    }
    lines.push(String::from(
        "mkdir kubepods kubepods/burstable kubepods/besteffort",
    ));
    // The node allocatable: every pod's memory is capped together.
    lines.push(String::from("echo 12G > kubepods/memory.limit_in_bytes"));
    let mut made = 1 + services + 3;
    shape.services = services;

    let mut pod = 0usize;
    while made + 2 <= cgroups {
        let r = mix(pod as u64);
        // One pod in three is best-effort (no limits), as on a busy node.
        let burstable = r % 3 != 0;
        let class = if burstable { "burstable" } else { "besteffort" };
        let p = format!("kubepods/{class}/pod{pod}");
        let room = cgroups - made - 1;
        let containers = (1 + (r >> 8) as usize % 2).min(room);
        lines.push(format!("mkdir {p}"));
        if burstable {
            lines.push(format!(
                "echo {}M > {p}/memory.limit_in_bytes",
                128 + 64 * ((r >> 16) % 4)
            ));
        }
        lines.push(format!("echo 95 > {p}/memory.wmark_ratio"));
        for c in 0..containers {
            let cp = format!("{p}/c{c}");
            lines.push(format!("mkdir {cp}"));
            if burstable {
                lines.push(format!(
                    "echo {}M > {cp}/memory.limit_in_bytes",
                    64 + 32 * ((r >> (20 + 2 * c)) % 3)
                ));
            }
            lines.push(format!("echo 95 > {cp}/memory.wmark_ratio"));
            leaves.push(cp);
        }
        made += 1 + containers;
        shape.pods += 1;
        shape.containers += containers;
        pod += 1;
    }
    // Fill up to the exact count with idle services' siblings.
    while made < cgroups {
        lines.push(format!("mkdir system.slice/idle{made}.service"));
        made += 1;
    }
    shape.cgroups = made;

    for t in 0..tasks {
        let leaf = &leaves[t % leaves.len()];
        let (kind, size, rate) = MIX[(mix(t as u64 ^ 0x5eed) % MIX.len() as u64) as usize];
        let mut line = format!("spawn {leaf} {kind} {size}");
        if !rate.is_empty() {
            line.push_str(&format!(" --rate {rate}/s"));
        }
        if kind == "anon" {
            line.push_str(" --hold");
        }
        lines.push(line);
    }
    shape.tasks = tasks;
    (lines, shape)
}
