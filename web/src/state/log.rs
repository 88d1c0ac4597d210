//! The event log: the newest trace lines, and how a trace line names its
//! event and cgroup.

use std::rc::Rc;

use memcg::Simulator;

use super::State;

/// Trace lines kept for the event log.
pub const LOG_KEEP: usize = 400;

/// The trace's memcg column for a cgroup path (`/` for the root).
pub fn rel_path(mount: &str, path: &str) -> String {
    match path.strip_prefix(mount) {
        Some("") | None => "/".to_string(),
        Some(rel) => rel.to_string(),
    }
}

use memcg::trace::EventKind;

/// Event and memcg columns of a trace line, the memcg unescaped (a cgroup
/// name may hold spaces).
pub fn trace_fields(line: &str) -> Option<(EventKind, std::borrow::Cow<'_, str>)> {
    let l = memcg::trace::parse_line(line)?;
    Some((l.kind, l.memcg))
}

/// The newest `n` trace lines of `sim`, oldest first.
pub(super) fn newest_lines(sim: &Simulator, n: usize) -> Vec<Rc<str>> {
    let kept = sim.trace_len().min(memcg::trace::TRACE_KEEP as u64) as usize;
    sim.trace_recent()
        .skip(kept.saturating_sub(n))
        .map(Rc::from)
        .collect()
}

impl State {
    /// Rebuild the event log from the simulator (after a seek or reload).
    pub(super) fn reload_log(&mut self) {
        self.log = Rc::new(newest_lines(&self.model.borrow().sim, LOG_KEEP));
        self.flow_until = Rc::default();
    }

    /// Feed the trace lines of the last frame to the log and the flows.
    pub(super) fn take_new_trace(&mut self, before: u64, wall_ms: f64) {
        let model = self.model.borrow();
        let new = (model.sim.trace_len() - before).min(LOG_KEEP as u64 * 4) as usize;
        let fresh = newest_lines(&model.sim, new);
        drop(model);
        self.mark_flows(&fresh, wall_ms);
        if !fresh.is_empty() {
            let log = Rc::make_mut(&mut self.log);
            log.extend(fresh);
            if log.len() > LOG_KEEP {
                let excess = log.len() - LOG_KEEP;
                log.drain(..excess);
            }
        }
    }
}
