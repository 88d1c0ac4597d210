//! Flows: what the tree draws on a cgroup while it happens (charging by its
//! tasks, reclaim by the worker, direct reclaim, OOM kills), each held for a
//! while of wall time after its last event so that it can be seen.

use std::rc::Rc;

use memcg::tree::VecMap;

use super::log::trace_fields;
use super::State;
use memcg::trace::EventKind;

/// How long a flow stays drawn after its last event, wall ms.
pub const FLOW_HOLD_MS: f64 = 450.0;

/// Flows drawn on a cgroup: charging by its tasks, reclaim by the worker,
/// by direct reclaim and by the OOM killer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flows {
    pub charge: bool,
    pub worker: bool,
    pub direct: bool,
    pub oom: bool,
}

/// Per cgroup path, the wall-clock deadlines (ms) of its charge, worker,
/// direct-reclaim and OOM flows (a [`VecMap`]: a `BTreeMap` of these cost
/// 2 KB of gzipped wasm).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FlowDeadlines(VecMap<String, [f64; 4]>);

impl FlowDeadlines {
    /// The deadlines of `path` (all long past when it has none).
    pub fn get(&self, path: &str) -> [f64; 4] {
        self.0.get(path).copied().unwrap_or([f64::MIN; 4])
    }

    /// The deadlines of `path`, to set.
    pub fn slot(&mut self, path: String) -> &mut [f64; 4] {
        self.0.get_or_insert_with(path, || [f64::MIN; 4])
    }
}

impl State {
    /// Flows active at the last frame for a cgroup path.
    pub fn flows(&self, path: &str) -> Flows {
        let until = self.flow_until.get(path);
        let on = |i: usize| until[i] >= self.wall_ms;
        Flows {
            charge: on(0),
            worker: on(1),
            direct: on(2),
            oom: on(3),
        }
    }

    /// Hold the flows seen in the last frame (`fresh`: its trace lines)
    /// until `FLOW_HOLD_MS` after `wall_ms`.
    pub(super) fn mark_flows(&mut self, fresh: &[Rc<str>], wall_ms: f64) {
        let model = self.model.borrow();
        // Charging: tasks that are allocating.
        let mount = self.mount();
        let charging = model.sim.charging_tasks();
        drop(model);
        let flows = Rc::make_mut(&mut self.flow_until);
        for rel in charging {
            let path = if rel == "/" || rel.is_empty() {
                mount.to_string()
            } else {
                format!("{mount}{rel}")
            };
            flows.slot(path)[0] = wall_ms + FLOW_HOLD_MS;
        }
        for line in fresh {
            let Some((event, memcg)) = trace_fields(line) else {
                continue;
            };
            let (kind, hold) = match event {
                EventKind::WorkStart | EventKind::WorkChunk => (1, FLOW_HOLD_MS),
                EventKind::DirectReclaim => (2, FLOW_HOLD_MS),
                EventKind::OomKill | EventKind::Killed => (3, 3.0 * FLOW_HOLD_MS),
                _ => continue,
            };
            let path = if memcg == "/" {
                mount.to_string()
            } else {
                format!("{mount}{memcg}")
            };
            flows.slot(path)[kind] = wall_ms + hold;
        }
    }
}
