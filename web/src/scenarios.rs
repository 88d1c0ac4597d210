//! Preset scenarios, each with a guided tour that pauses at the moments that
//! matter. A scenario is the shell commands that set it up (the console
//! shows them, so every preset is also a lesson in the files) and its tour.

use memcg::trace::EventKind;
use memcg::Version;

/// When a tour step is reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trigger {
    /// Shown as soon as the scenario loads.
    Start,
    /// When virtual time reaches this many ns.
    At(u64),
    /// At the first trace line of this event for this memcg (the trace's
    /// memcg column, e.g. `/wmark95`) after the previous step.
    Trace {
        event: EventKind,
        memcg: &'static str,
    },
}

/// One stop of a tour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TourStep {
    pub trigger: Trigger,
    pub title: &'static str,
    pub text: &'static str,
    /// Cgroup to select (path under the mount, e.g. `/wmark95`).
    pub select: Option<&'static str>,
    /// Shell commands run when the user presses Next on this step.
    pub run: &'static [&'static str],
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Scenario {
    pub id: &'static str,
    pub title: &'static str,
    pub version: Version,
    /// Cgroup selected after loading (path under the mount).
    pub select: &'static str,
    /// Speed slider position (tenths of a decade; 0 = real time).
    pub speed: i32,
    /// Interval of the engine's time series, ms (the core's default is 10;
    /// sampling costs memcgs × tasks, so large trees sample less often).
    pub sample_ms: u64,
    pub tour: &'static [TourStep],
}

const fn s(secs: u64) -> u64 {
    secs * 1_000_000_000
}

const fn step(trigger: Trigger, title: &'static str, text: &'static str) -> TourStep {
    TourStep {
        trigger,
        title,
        text,
        select: None,
        run: &[],
    }
}

const fn trace(event: EventKind, memcg: &'static str) -> Trigger {
    Trigger::Trace { event, memcg }
}

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        id: "seed",
        title: "1. The vendor's example (v1, 1G limit, wmark_ratio 95)",
        version: Version::V1,
        select: "/test",
        speed: 0,
        sample_ms: 10,
        tour: &[
            TourStep {
                select: Some("/test"),
                ..step(
                    Trigger::Start,
                    "The vendor's example",
                    "The console ran the commands of Alibaba Cloud Linux's documentation: a 1G \
                     limit and memory.wmark_ratio 95. wmark_high is 95% of the limit \
                     (1020051456 bytes); wmark_low sits wmark_scale_factor 50 = 0.50% of the \
                     limit below it (1014685696). On the bar they are the two dotted lines just \
                     left of the limit. A task now allocates anonymous memory at 200 MB/s with \
                     a 256M working set. Press Next to play.",
                )
            },
            step(
                trace(EventKind::WorkQueued, "/test"),
                "A charge crosses wmark_high",
                "The charge that took usage to wmark_high queued the cgroup's work item \
                 (badge: pending, then running). The task did not wait for anything: queueing \
                 is all the charge path does.",
            ),
            step(
                trace(EventKind::WorkDone, "/test"),
                "The worker is done",
                "A kworker reclaimed usage − wmark_low pages in the background, 32 at a time, \
                 and went idle again. Its CPU time is charged to the cgroup \
                 (memory.exstat wmark_reclaim_work_ms, the worker chart). Each time usage climbs \
                 back to wmark_high it wakes again.",
            ),
            step(
                Trigger::At(s(12)),
                "Twelve seconds in",
                "The task has allocated 2.4G into a 1G cgroup and never met the limit: \
                 memory.failcnt is 0 and its p99 latency is the plain fault cost. The worker \
                 paid for it in CPU time.",
            ),
        ],
    },
    Scenario {
        id: "stalls",
        title: "2. Direct reclaim stalls: wmark_ratio 0 vs 95",
        version: Version::V2,
        select: "/wmark95",
        speed: 0,
        sample_ms: 10,
        tour: &[
            step(
                Trigger::Start,
                "Same load, two settings",
                "Two cgroups with the same 512M memory.max and the same tasks: a service \
                 allocating 100 MB/s of anonymous memory (128M working set) and a reader \
                 streaming files at 20 MB/s. Only memory.wmark_ratio differs: 0 (off, the \
                 default) in ratio0, 95 in wmark95. Press Next to play.",
            ),
            TourStep {
                select: Some("/wmark95"),
                ..step(
                    trace(EventKind::WorkStart, "/wmark95"),
                    "wmark95: the worker runs",
                    "wmark95's usage reached wmark_high (95% of 512M). Its work state is now \
                     running: a kworker reclaims in the background while the tasks keep \
                     allocating.",
                )
            },
            TourStep {
                select: Some("/wmark95"),
                ..step(
                    trace(EventKind::WorkDone, "/wmark95"),
                    "wmark95: below wmark_low",
                    "The worker stops as soon as usage falls below wmark_low (it reclaimed cold \
                     page cache first, cheaply). The tasks never stalled.",
                )
            },
            TourStep {
                select: Some("/ratio0"),
                ..step(
                    trace(EventKind::DirectReclaim, "/ratio0"),
                    "ratio0: direct reclaim",
                    "ratio0 hit memory.max with nobody reclaiming ahead of it: the allocating \
                     task must reclaim by itself (direct reclaim) and stalls, about 0.4 ms per \
                     32 pages of anon swapped out. memory.events max counts every such charge.",
                )
            },
            TourStep {
                select: Some("/ratio0"),
                ..step(
                    Trigger::At(s(10)),
                    "Ten seconds in",
                    "ratio0's latency histogram has a second hump near 0.5 ms and its p99 shows \
                     it; wmark95's max count is 0. The price of wmark95 is the worker's CPU time \
                     (worker chart, memory.exstat).",
                )
            },
        ],
    },
    Scenario {
        id: "parent",
        title: "3. A child's allocation wakes its parent's worker",
        version: Version::V2,
        select: "/parent",
        speed: 0,
        sample_ms: 10,
        tour: &[
            step(
                Trigger::Start,
                "Limits live on the parent",
                "parent has memory.max 512M and wmark_ratio 95; its child has no limit and \
                 wmark_ratio 0. The task runs in child, allocating 100 MB/s. Press Next.",
            ),
            TourStep {
                select: Some("/parent"),
                ..step(
                    trace(EventKind::WorkQueued, "/parent"),
                    "The child woke the parent",
                    "A page charged to child is charged to every ancestor, and the charge path \
                     checks each one's wmark_high: the child's fault queued parent's work item \
                     (the trace line names the child's task).",
                )
            },
            TourStep {
                select: Some("/parent/child"),
                ..step(
                    trace(EventKind::WorkDone, "/parent"),
                    "Reclaim walks the subtree",
                    "parent's worker reclaimed from its whole subtree, that is from child's \
                     pages. The child never hit a limit of its own.",
                )
            },
        ],
    },
    Scenario {
        id: "high",
        title: "4. memory.high below the limit moves the watermarks",
        version: Version::V2,
        select: "/svc",
        speed: 0,
        sample_ms: 10,
        tour: &[
            step(
                Trigger::Start,
                "Watermarks from memory.max",
                "svc has memory.max 1G and wmark_ratio 95, so wmark_high is 95% of 1G. A task \
                 allocates 100 MB/s. Press Next.",
            ),
            TourStep {
                run: &["echo 512M > /sys/fs/cgroup/svc/memory.high"],
                ..step(
                    Trigger::At(s(2)),
                    "Now set memory.high",
                    "Next writes 512M to memory.high. The watermarks are computed from \
                     min(memory.high, memory.max), so both lines jump to 95% of 512M.",
                )
            },
            step(
                trace(EventKind::WorkStart, "/svc"),
                "The worker runs before memory.high",
                "Usage reached the new wmark_high, well below memory.high: the worker reclaims \
                 ahead of the throttle, so the task is not penalised (memory.events high stays \
                 low).",
            ),
        ],
    },
    Scenario {
        id: "low",
        title: "5. memory.low: the worker respects it, direct reclaim may not",
        version: Version::V2,
        select: "/parent/prot",
        speed: 0,
        sample_ms: 10,
        tour: &[
            step(
                Trigger::Start,
                "A protected sibling",
                "parent: memory.max 1G, wmark_ratio 95. prot reads 600M of files and has \
                 memory.low 512M. bulk allocates 900M of anon memory with memory.swap.max 0, so \
                 none of it can be reclaimed. Press Next.",
            ),
            TourStep {
                select: Some("/parent"),
                ..step(
                    trace(EventKind::WorkStart, "/parent"),
                    "The worker honours memory.low",
                    "parent reached wmark_high. Its worker reclaims prot only down to \
                     memory.low and never retries past it: the memcg kswapd must not break low \
                     protection.",
                )
            },
            TourStep {
                select: Some("/parent/prot"),
                ..step(
                    trace(EventKind::DirectReclaim, "/parent"),
                    "Direct reclaim breaks it",
                    "Usage reached memory.max. Direct reclaim's first pass skips prot too; \
                     having reclaimed nothing, it retries ignoring memory.low, takes prot's page \
                     cache, and counts memory.events low.",
                )
            },
            TourStep {
                select: Some("/parent/prot"),
                ..step(
                    Trigger::At(s(10)),
                    "Protection broken",
                    "prot is well under its memory.low now: the charges that hit the limit \
                     reclaimed it, the worker never did.",
                )
            },
        ],
    },
    Scenario {
        id: "fleet",
        title: "6. A fleet: 200 cgroups",
        version: Version::V2,
        select: "/g0",
        speed: 0,
        sample_ms: 50,
        tour: &[step(
            Trigger::Start,
            "200 cgroups",
            "Ten groups with 19 children each, every child running a sawtooth task (0.5–1.5 MB/s) \
             under a 128M limit with wmark_ratio 90. Large groups start collapsed: open one with its \
             triangle or the Right arrow key. Finish ends the tour; ▶ plays.",
        )],
    },
    Scenario {
        id: "node",
        title: "7. A Kubernetes node: 1,000 cgroups",
        version: Version::V1,
        select: "/kubepods",
        speed: 0,
        sample_ms: 100,
        tour: &[step(
            Trigger::Start,
            "A node",
            "system.slice with its services, and kubepods with burstable and besteffort pods of one \
             or two containers: 1,000 memory cgroups and 2,000 tasks of every preset at a few MB/s \
             at most (the node benchmark's shape). Every pod and container has wmark_ratio 95; \
             burstable ones have limits. Subtrees start collapsed. At ×1 the simulation may not keep \
             up (the control bar says so): every page fault is an event.",
        )],
    },
];

/// The `node` preset's size: the node benchmark's 1,000 cgroups with 2,000
/// tasks (tests/benches/node.rs runs 3,000).
pub const NODE_CGROUPS: usize = 1_000;
pub const NODE_TASKS: usize = 2_000;

pub fn by_id(id: &str) -> Option<usize> {
    SCENARIOS.iter().position(|s| s.id == id)
}

impl Scenario {
    /// A machine of the scenario's version, before its setup runs.
    pub fn machine(&self) -> memcg::Simulator {
        memcg::Simulator::builder(self.version)
            .sample_interval(self.sample_ms * 1_000_000)
            .build()
    }

    /// The shell commands that build the scenario, in order.
    pub fn setup(&self) -> Vec<String> {
        let lines: &[&str] = match self.id {
            "seed" => &[
                "mkdir /sys/fs/cgroup/memory/test/",
                "echo 1G > /sys/fs/cgroup/memory/test/memory.limit_in_bytes",
                "echo 95 > /sys/fs/cgroup/memory/test/memory.wmark_ratio",
                "cat /sys/fs/cgroup/memory/test/memory.wmark_scale_factor",
                "cat /sys/fs/cgroup/memory/test/memory.wmark_high",
                "cat /sys/fs/cgroup/memory/test/memory.wmark_low",
                "spawn /sys/fs/cgroup/memory/test anon 3G --ws 256M --rate 200M/s",
            ],
            "stalls" => &[
                "mkdir /sys/fs/cgroup/ratio0 /sys/fs/cgroup/wmark95",
                "echo 512M > /sys/fs/cgroup/ratio0/memory.max",
                "echo 512M > /sys/fs/cgroup/wmark95/memory.max",
                "echo 0 > /sys/fs/cgroup/ratio0/memory.wmark_ratio",
                "echo 95 > /sys/fs/cgroup/wmark95/memory.wmark_ratio",
                "spawn /sys/fs/cgroup/ratio0 anon 1536M --ws 128M --rate 100M/s",
                "spawn /sys/fs/cgroup/wmark95 anon 1536M --ws 128M --rate 100M/s",
                "spawn /sys/fs/cgroup/ratio0 stream 256M --rate 20M/s",
                "spawn /sys/fs/cgroup/wmark95 stream 256M --rate 20M/s",
            ],
            "parent" => &[
                "mkdir /sys/fs/cgroup/parent",
                "echo +memory > /sys/fs/cgroup/parent/cgroup.subtree_control",
                "mkdir /sys/fs/cgroup/parent/child",
                "echo 512M > /sys/fs/cgroup/parent/memory.max",
                "echo 95 > /sys/fs/cgroup/parent/memory.wmark_ratio",
                "cat /sys/fs/cgroup/parent/child/memory.wmark_ratio",
                "spawn /sys/fs/cgroup/parent/child anon 1536M --ws 128M --rate 100M/s",
            ],
            "high" => &[
                "mkdir /sys/fs/cgroup/svc",
                "echo 1G > /sys/fs/cgroup/svc/memory.max",
                "echo 95 > /sys/fs/cgroup/svc/memory.wmark_ratio",
                "cat /sys/fs/cgroup/svc/memory.wmark_high",
                "spawn /sys/fs/cgroup/svc anon 2G --ws 128M --rate 100M/s",
            ],
            "low" => &[
                "mkdir /sys/fs/cgroup/parent",
                "echo +memory > /sys/fs/cgroup/parent/cgroup.subtree_control",
                "mkdir /sys/fs/cgroup/parent/prot /sys/fs/cgroup/parent/bulk",
                "echo 1G > /sys/fs/cgroup/parent/memory.max",
                "echo 95 > /sys/fs/cgroup/parent/memory.wmark_ratio",
                "echo 512M > /sys/fs/cgroup/parent/prot/memory.low",
                "echo 0 > /sys/fs/cgroup/parent/bulk/memory.swap.max",
                "spawn /sys/fs/cgroup/parent/prot file 600M --rate 400M/s --hold",
                "spawn /sys/fs/cgroup/parent/bulk anon 900M --rate 100M/s --hold",
            ],
            "fleet" => return fleet(),
            "node" => return memcg::node::node_script(NODE_CGROUPS, NODE_TASKS).0,
            _ => &[],
        };
        lines.iter().map(|l| l.to_string()).collect()
    }
}

/// 10 groups × 19 children = 200 cgroups, one sawtooth task per child
/// allocating 0.5–1.5 MB/s (190 tasks together charge about 190 MB/s: the
/// engine runs every one of those faults, so this is the load that ×1 can
/// keep up with in a frame budget).
fn fleet() -> Vec<String> {
    let mut lines = Vec::new();
    for g in 0..10 {
        let group = format!("/sys/fs/cgroup/g{g}");
        lines.push(format!("mkdir {group}"));
        lines.push(format!("echo +memory > {group}/cgroup.subtree_control"));
        lines.push(format!("echo 2G > {group}/memory.max"));
        lines.push(format!("echo 95 > {group}/memory.wmark_ratio"));
        for c in 0..19 {
            let child = format!("{group}/c{c}");
            lines.push(format!("mkdir {child}"));
            lines.push(format!("echo 128M > {child}/memory.max"));
            lines.push(format!("echo 90 > {child}/memory.wmark_ratio"));
            let size = 96 + 8 * ((g * 19 + c) % 8);
            let rate = 512 + 256 * ((g + c) % 5);
            lines.push(format!(
                "spawn {child} sawtooth {size}M --rate {rate}K/s --ws 32M"
            ));
        }
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scenario_sets_up_without_errors() {
        for sc in SCENARIOS {
            let mut sim = sc.machine();
            for line in sc.setup() {
                let out = sim.exec(&line);
                assert_eq!(out.stderr, "", "{}: {line}", sc.id);
            }
            assert!(!sc.tour.is_empty(), "{}", sc.id);
            assert_eq!(sc.tour[0].trigger, Trigger::Start, "{}", sc.id);
            let select = format!("{}{}", sc.version.mount_point(), sc.select);
            assert!(sim.lookup(&select).is_some(), "{}: {select}", sc.id);
        }
        assert!(SCENARIOS.len() >= 5);
    }

    #[test]
    fn the_fleet_has_200_cgroups() {
        let sc = &SCENARIOS[by_id("fleet").unwrap()];
        let mut sim = memcg::Simulator::new(sc.version);
        for line in sc.setup() {
            sim.exec(&line);
        }
        assert_eq!(sim.cgroups().len(), 201);
    }

    #[test]
    fn the_node_has_1000_cgroups_and_2000_tasks() {
        let sc = &SCENARIOS[by_id("node").unwrap()];
        let mut sim = sc.machine();
        for line in sc.setup() {
            assert!(sim.exec(&line).ok(), "{line}");
        }
        assert_eq!(sim.cgroups().len(), NODE_CGROUPS + 1);
        assert_eq!(sim.snapshot().tasks.len(), NODE_TASKS);
    }

    #[test]
    fn the_fleet_samples_every_50_ms_and_its_link_says_so() {
        let sc = &SCENARIOS[by_id("fleet").unwrap()];
        let mut sim = sc.machine();
        sim.exec(&sc.setup()[0]);
        let link = sim.scenario().unwrap();
        assert_eq!(link.sample_interval, 50_000_000);
        let again = link.instantiate().unwrap();
        assert_eq!(again.config().sample_interval, 50_000_000);
        // The other presets keep the default, which links leave out.
        let seed = &SCENARIOS[by_id("seed").unwrap()];
        let sim = seed.machine();
        let json = crate::share::codec::to_json(&sim.scenario().unwrap());
        assert!(!json.contains("sample_interval"), "{json}");
    }
}
