//! The event log: the newest trace lines, the rare ones kept longer, and
//! how a trace line names its event and cgroup.

use std::rc::Rc;

use memcg::Simulator;

use super::State;

/// Trace lines kept for the event log.
pub const LOG_KEEP: usize = 400;

/// Rare trace lines (see [`is_rare`]) kept for the event log beyond
/// [`LOG_KEEP`]: the writes at t = 0 and an OOM kill stay findable by the
/// log's filters after thousands of per-page lines.
pub const RARE_KEEP: usize = 300;

/// Whether a trace line is of a kind recorded once per action rather than
/// per page or per chunk of work (writes, spawns, exits, kills, OOM kills,
/// agent actions).
pub fn is_rare(line: &str) -> bool {
    use memcg::trace::EventKind as K;
    let kind = line.split_ascii_whitespace().nth(1).and_then(K::parse);
    matches!(
        kind,
        Some(K::Write | K::Spawn | K::Exit | K::Killed | K::AllocDone | K::OomKill | K::Agent)
    )
}

fn time_of(line: &str) -> Option<u64> {
    memcg::trace::parse_line(line).map(|l| l.time)
}

/// What the event log filters, oldest first: the rare lines older than
/// the newest lines `log`, then `log` (a rare line in both is in `log`).
pub fn log_lines<'a>(
    log: &'a [Rc<str>],
    rare: &'a [Rc<str>],
) -> impl DoubleEndedIterator<Item = &'a Rc<str>> {
    let start = log.first().and_then(|l| time_of(l));
    let older = match start {
        Some(t0) => rare.partition_point(|l| time_of(l).is_some_and(|t| t < t0)),
        None if log.is_empty() => rare.len(),
        None => 0,
    };
    rare[..older].iter().chain(log)
}

/// Keep the newest [`RARE_KEEP`] lines of `rare`.
fn bound(rare: &mut Vec<Rc<str>>) {
    if rare.len() > RARE_KEEP {
        let excess = rare.len() - RARE_KEEP;
        rare.drain(..excess);
    }
}

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
    newest_ring(sim, n).map(Rc::from).collect()
}

/// The newest `n` lines of `sim`'s ring (fewer when it holds fewer).
fn newest_ring(sim: &Simulator, n: usize) -> impl Iterator<Item = &str> {
    let kept = sim.trace_len().min(memcg::trace::TRACE_KEEP as u64) as usize;
    sim.trace_recent().skip(kept.saturating_sub(n))
}

impl State {
    /// Rebuild the event log from the simulator (after a seek or reload).
    pub(super) fn reload_log(&mut self) {
        self.log = Rc::new(newest_lines(&self.model.borrow().sim, LOG_KEEP));
        self.reload_rare();
        self.flow_until = Rc::default();
    }

    /// Rebuild the rare lines after the simulator moved (seek, edit): those
    /// of its ring, after the ones kept from before the ring's oldest line
    /// (earlier than the present, so on the same timeline).
    pub(super) fn reload_rare(&mut self) {
        let model = self.model.borrow();
        let sim = &model.sim;
        let mut ring = sim.trace_recent().peekable();
        let whole = sim.trace_len() <= memcg::trace::TRACE_KEEP as u64;
        let t0 = if whole {
            None
        } else {
            ring.peek().and_then(|l| time_of(l))
        };
        let mut rare: Vec<Rc<str>> = match t0 {
            Some(t0) => self
                .rare
                .iter()
                .take_while(|l| time_of(l).is_some_and(|t| t < t0))
                .cloned()
                .collect(),
            None => Vec::new(),
        };
        rare.extend(ring.filter(|l| is_rare(l)).map(Rc::from));
        bound(&mut rare);
        self.rare = Rc::new(rare);
    }

    /// Feed the trace lines of the last frame to the log and the flows.
    pub(super) fn take_new_trace(&mut self, before: u64, wall_ms: f64) {
        let model = self.model.borrow();
        let added = model.sim.trace_len() - before;
        let new = added.min(LOG_KEEP as u64 * 4) as usize;
        let fresh = newest_lines(&model.sim, new);
        // Every new line still in the ring, for the rare ones.
        let ring = newest_ring(&model.sim, added as usize);
        let rare: Vec<Rc<str>> = ring.filter(|l| is_rare(l)).map(Rc::from).collect();
        drop(model);
        if !rare.is_empty() {
            let kept = Rc::make_mut(&mut self.rare);
            kept.extend(rare);
            bound(kept);
        }
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
