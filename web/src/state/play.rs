//! Playing: an animation frame of simulation (bounded by the state's
//! [`Budget`](super::Budget), stopping at a tour's trigger), single steps
//! and seeks.

use memcg::Simulator;

use crate::scenarios::Trigger;

use super::log::trace_fields;
use super::State;

/// Longest frame taken into account (a background tab must not jump).
pub const MAX_FRAME_MS: f64 = 100.0;

/// Cgroups above which a playing frame rebuilds the snapshot only every
/// [`BIG_TREE_REFRESH_MS`]: the snapshot of 1,000 cgroups costs more than a
/// frame's budget in wasm, while the simulation itself keeps to it.
pub const BIG_TREE: usize = 300;
pub const BIG_TREE_REFRESH_MS: f64 = 100.0;

impl State {
    /// One animation frame of simulation: `dt_ms` of wall time passed,
    /// `wall_ms` is now.
    pub(super) fn tick(&mut self, dt_ms: f64, wall_ms: f64) {
        let frame = self.budget.start();
        self.wall_ms = wall_ms;
        let dt = dt_ms.clamp(0.0, MAX_FRAME_MS);
        let span = (crate::format::speed_factor(self.speed) * dt * 1e6) as u64;
        let mut fired = false;
        let trace_before;
        let reached;
        {
            let mut model = self.model.borrow_mut();
            trace_before = model.sim.trace_len();
            let mut target = model.now().saturating_add(span.max(1));
            let armed = self.armed();
            if let Some(Trigger::At(t)) = armed {
                if t <= target {
                    target = t.max(model.now());
                    fired = true;
                }
            }
            let slice = self.budget.start();
            let mut budget = |events: u64| slice.more(events);
            let adv = match armed {
                Some(Trigger::Trace { event, memcg }) => {
                    let mut seen = trace_before;
                    let mut hit = false;
                    let mut stop = |sim: &Simulator| {
                        let len = sim.trace_len();
                        if len > seen {
                            let kept = len.min(memcg::trace::TRACE_KEEP as u64);
                            let new = (len - seen).min(kept);
                            hit = sim
                                .trace_recent()
                                .skip((kept - new) as usize)
                                .any(|l| trace_fields(l) == Some((event, memcg.into())));
                            seen = len;
                        }
                        hit
                    };
                    let adv = model.advance(target, &mut budget, Some(&mut stop));
                    fired = hit;
                    adv
                }
                Some(Trigger::Start) => {
                    fired = true;
                    memcg::timeline::Advance::default()
                }
                _ => model.advance(target, &mut budget, None),
            };
            reached = adv.reached;
            if fired && !reached {
                // Stopped by the trigger, not by the budget.
            }
        }
        self.lagging = !reached && !fired;
        self.take_new_trace(trace_before, wall_ms);
        let big = self.snap.cgroups.len() > BIG_TREE;
        let due =
            !(wall_ms - self.snap_wall_ms < BIG_TREE_REFRESH_MS && wall_ms >= self.snap_wall_ms);
        if !big || fired || !self.playing || due {
            self.refresh();
            self.snap_wall_ms = wall_ms;
        } else {
            self.snap_stale = true;
        }
        crate::timing::record_sim(frame.elapsed());
        if fired {
            self.fire_step();
        }
    }

    /// Show virtual time `t` (replayed from the timeline).
    pub(super) fn seek(&mut self, t: u64) {
        self.model.borrow_mut().seek(t);
        self.refresh();
        self.reload_log();
    }

    /// Publish a step that started with `before` trace lines.
    pub(super) fn after_step(&mut self, before: u64) {
        self.take_new_trace(before, self.wall_ms);
        self.refresh();
    }

    /// Process exactly one event.
    pub(super) fn step_event(&mut self) {
        self.playing = false;
        let before = self.model.borrow().sim.trace_len();
        self.model.borrow_mut().step_event();
        self.after_step(before);
    }

    /// Advance virtual time by one millisecond.
    pub(super) fn step_ms(&mut self) {
        self.playing = false;
        let before = self.model.borrow().sim.trace_len();
        {
            let mut model = self.model.borrow_mut();
            let t = model.now() + 1_000_000;
            model.advance(t, &mut |_| true, None);
        }
        self.after_step(before);
    }
}
