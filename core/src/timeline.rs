//! The timeline: a live [`Simulator`], checkpoints (clones of it) and the
//! log of edits made while it ran, so that any instant up to the horizon
//! can be replayed exactly. The playground's scrubber, a replayed link
//! ([`replay`](super::replay)) and anything else that goes back in virtual time
//! use it.
//!
//! * Seeking to `t` clones the latest checkpoint at or before `t`, re-applies
//!   the logged edits after it at the virtual time they were made, and runs
//!   to `t`. The core is deterministic, so this is the state a straight run
//!   reaches.
//! * An edit happens after every event due at its instant: the same rule as
//!   the scenario journal, so a session, its replay and its shared link
//!   agree (and chunking a run differently changes the number of engine
//!   events, never the trace, so event counts are no coordinate).
//! * An edit (a shell line or a file write) made before the horizon forks
//!   the future: checkpoints and edits after it are dropped.
//! * Playing forward over a logged edit re-applies it, so seeking back and
//!   playing again gives the same future.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::ops::Deref;

use crate::shell::Output;
use crate::sim::Simulator;
use crate::units::Nanos;
use crate::Errno;

/// One change to the machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EditKind {
    /// A shell line.
    Exec(String),
    /// `write(path, value)` as root.
    Write { path: String, value: String },
}

/// An edit in the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    /// Virtual time when the edit was made.
    pub from: Nanos,
    /// Virtual time after it (`wait` and `sleep` advance time).
    pub at: Nanos,
    pub kind: EditKind,
}

/// The result of an edit, for a console or an inspector.
#[derive(Debug)]
pub enum EditOutcome {
    Exec(Output),
    Write(Result<(), Errno>),
}

#[derive(Clone, Debug)]
struct Checkpoint {
    at: Nanos,
    /// How many logged edits the checkpoint's state includes.
    edits: usize,
    sim: Simulator,
}

/// Checkpoints kept: beyond this, every other one is dropped and the
/// interval doubles.
pub const MAX_CHECKPOINTS: usize = 48;
/// Rough memory budget for checkpoints (their series and traces).
pub const CHECKPOINT_BYTES: usize = 192 << 20;
/// First checkpoint interval, virtual ns.
pub const CHECKPOINT_EVERY: Nanos = 250_000_000;
/// Work units [`Timeline::advance`] runs between two questions to its
/// budget (about 500 plain events: well under a millisecond of script).
pub const ADVANCE_SLICE_WORK: u64 = 500 * crate::units::WORK_EVENT;

/// Work units a replay does between two questions to its budget
/// ([`Timeline::advance_by_work`]): a slice overshoots its budget by at
/// most this plus one event's work (docs/model.md §18.12).
pub const REPLAY_CHUNK_WORK: u64 = 1 << 14;

/// What happened while advancing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Advance {
    /// The target time was reached (false: the budget ran out first, a
    /// stop condition held, or the engine hit its event limit).
    pub reached: bool,
    pub events: u64,
}

/// The live simulator, readable but not writable from outside: every
/// change goes through the [`Timeline`], which logs it.
#[derive(Debug)]
pub struct Live(Simulator);

impl Deref for Live {
    type Target = Simulator;

    fn deref(&self) -> &Simulator {
        &self.0
    }
}

/// Live simulator plus its past.
#[derive(Debug)]
pub struct Timeline {
    /// The present state.
    pub sim: Live,
    checkpoints: Vec<Checkpoint>,
    edits: Vec<Edit>,
    /// Edits the live state includes.
    applied: usize,
    /// Furthest virtual time simulated on this timeline.
    horizon: Nanos,
    /// Checkpoint interval now (u64::MAX: take none).
    every: Nanos,
    /// The interval to restore once a replay's sliced sleep ends.
    sleep_every: Option<Nanos>,
}

impl Clone for Timeline {
    fn clone(&self) -> Timeline {
        Timeline {
            sim: Live(self.sim.0.clone()),
            checkpoints: self.checkpoints.clone(),
            edits: self.edits.clone(),
            applied: self.applied,
            horizon: self.horizon,
            every: self.every,
            sleep_every: self.sleep_every,
        }
    }
}

/// Approximate heap size of a simulator clone (what dominates: the time
/// series and the kept trace lines).
fn approx_bytes(sim: &Simulator) -> usize {
    let series: usize = sim
        .machine()
        .engine
        .series
        .values()
        .map(crate::stats::Series::heap_bytes)
        .sum();
    series + sim.trace_recent().count() * 96 + 64 * 1024
}

fn apply(sim: &mut Simulator, kind: &EditKind) -> EditOutcome {
    match kind {
        EditKind::Exec(line) => EditOutcome::Exec(sim.exec(line)),
        EditKind::Write { path, value } => EditOutcome::Write(sim.write(path, value)),
    }
}

impl Timeline {
    /// A timeline starting at `sim`'s present state.
    pub fn new(sim: Simulator) -> Timeline {
        let at = sim.now();
        Timeline {
            checkpoints: vec![Checkpoint {
                at,
                edits: 0,
                sim: sim.clone(),
            }],
            sim: Live(sim),
            edits: Vec::new(),
            applied: 0,
            horizon: at,
            every: CHECKPOINT_EVERY,
            sleep_every: None,
        }
    }

    /// Take no checkpoints from now on (a replay that only wants the end
    /// state); seeking back then replays from the start.
    pub fn without_checkpoints(mut self) -> Timeline {
        self.every = Nanos::MAX;
        self
    }

    /// The live simulator, leaving the timeline.
    pub fn into_sim(self) -> Simulator {
        self.sim.0
    }

    pub fn now(&self) -> Nanos {
        self.sim.now()
    }

    /// Furthest virtual time simulated on this timeline.
    pub fn horizon(&self) -> Nanos {
        self.horizon
    }

    /// The edit log, oldest first (the live state includes all of them
    /// made before it).
    pub fn edits(&self) -> &[Edit] {
        &self.edits
    }

    /// Times of the checkpoints kept, oldest first.
    pub fn checkpoint_times(&self) -> impl Iterator<Item = Nanos> + '_ {
        self.checkpoints.iter().map(|c| c.at)
    }

    /// Apply an edit to the live state, dropping any future after it.
    pub fn edit(&mut self, kind: EditKind) -> EditOutcome {
        self.fork();
        let from = self.sim.now();
        // After everything due now (a single step may have left some).
        self.sim.0.run_until(from);
        let out = apply(&mut self.sim.0, &kind);
        let at = self.sim.now();
        self.edits.push(Edit { from, at, kind });
        self.applied = self.edits.len();
        self.horizon = at;
        out
    }

    /// Change the live state's sample interval, and the checkpoints', so
    /// that seeking back samples the same way (the trace does not depend
    /// on it).
    pub fn set_sample_interval(&mut self, ns: Nanos) {
        self.sim.0.set_sample_interval(ns);
        for c in &mut self.checkpoints {
            c.sim.set_sample_interval(ns);
        }
    }

    /// Work limit of the live state and the checkpoints (a replay's
    /// bound while it runs, then none).
    pub(crate) fn set_work_limit(&mut self, work: u64) {
        self.sim.0.set_work_limit(work);
        for c in &mut self.checkpoints {
            c.sim.set_work_limit(work);
        }
    }

    /// Drop everything after the live state: the future it had is gone.
    fn fork(&mut self) {
        let now = self.sim.now();
        let applied = self.applied;
        self.edits.truncate(applied);
        self.checkpoints
            .retain(|c| c.at < now || (c.at == now && c.edits <= applied));
        if self.checkpoints.is_empty() {
            // Cannot happen (the first one is at the start), but keep the
            // invariant that there is always one.
            self.checkpoints.push(Checkpoint {
                at: now,
                edits: applied,
                sim: self.sim.0.clone(),
            });
        }
        self.horizon = now;
    }

    /// The next logged edit the live state has not applied yet.
    fn pending(&self) -> Option<&Edit> {
        self.edits.get(self.applied)
    }

    /// Bring the live state to the instant edit `self.applied` was made
    /// (every event due then processed) and apply it.
    fn replay_next(&mut self) {
        let Some(e) = self.pending().cloned() else {
            return;
        };
        self.sim.0.run_until(e.from.max(self.sim.now()));
        apply(&mut self.sim.0, &e.kind);
        self.applied += 1;
    }

    /// Run the live state to virtual time `target`, re-applying logged
    /// edits on the way. `budget(events)` is asked between chunks whether
    /// to go on (`events`: processed since this call began); `stop(sim)` is
    /// asked after every event when given, and ends the run at the first
    /// event it returns true for.
    pub fn advance(
        &mut self,
        target: Nanos,
        budget: &mut dyn FnMut(u64) -> bool,
        mut stop: Option<&mut dyn FnMut(&Simulator) -> bool>,
    ) -> Advance {
        let start_events = self.sim.events_processed();
        let mut chunk: u64 = 1_000_000;
        let reached = loop {
            if let Some(e) = self.pending() {
                if e.from <= target && e.from <= self.sim.now() {
                    self.replay_next();
                    continue;
                }
            }
            let now = self.sim.now();
            if now >= target {
                break true;
            }
            if self.sim.event_limit_hit() || !budget(self.sim.events_processed() - start_events) {
                break false;
            }
            let sim = &mut self.sim.0;
            // Never step over a pending edit.
            let pending = self.edits.get(self.applied);
            let limit = pending.map_or(target, |e| e.from.min(target));
            if let Some(stop) = stop.as_mut() {
                // Event by event, so the stop lands on the event itself;
                // but a step may run a task's faults past its time, so up
                // to a pending edit the run goes by time.
                match sim.next_event_at() {
                    Some(_) if pending.is_some() => {
                        sim.run_until(limit);
                        if stop(sim) {
                            break false;
                        }
                    }
                    Some(t) if t <= limit => {
                        sim.step();
                        if stop(sim) {
                            break false;
                        }
                    }
                    _ => sim.run_until(limit),
                }
            } else {
                let end = limit.min(now.saturating_add(chunk));
                let before = sim.events_processed();
                // Pause after a slice of work so `budget` is asked often
                // however busy a millisecond is (a 1,000-cgroup node runs
                // hundreds of events in one); pausing changes no state.
                let done = sim.run_until_paused(end, sim.work().saturating_add(ADVANCE_SLICE_WORK));
                // Few events in the chunk: take bigger ones.
                if done && sim.events_processed() - before < 256 {
                    chunk = chunk.saturating_mul(2);
                }
            }
        };
        self.after_run();
        Advance {
            reached,
            events: self.sim.events_processed() - start_events,
        }
    }

    /// The start of [`Timeline::edit`] of a line that only sleeps
    /// ([`crate::shell::only_sleeps`]), for a replay that runs the sleep
    /// in slices with [`Timeline::advance_by_work`] and then calls
    /// [`Timeline::sleep_end`]: the same edit, the same state (§18.12).
    /// No checkpoint is taken inside the sleep (a seek there would find
    /// the edit not applied yet and apply it again). Returns its start.
    pub(crate) fn sleep_begin(&mut self, line: &str) -> Nanos {
        self.fork();
        let from = self.sim.now();
        self.sim.0.run_until(from);
        self.sim.0.exec_sleep_begin(line);
        self.sleep_every = Some(self.every);
        self.every = Nanos::MAX;
        from
    }

    /// The end of a sleep begun with [`Timeline::sleep_begin`] at `from`,
    /// the clock at its end: the edit is logged as [`Timeline::edit`]
    /// logs it.
    pub(crate) fn sleep_end(&mut self, from: Nanos, line: String) -> EditOutcome {
        let out = EditOutcome::Exec(self.sim.0.exec_sleep_end());
        if let Some(every) = self.sleep_every.take() {
            self.every = every;
        }
        let at = self.sim.now();
        self.edits.push(Edit {
            from,
            at,
            kind: EditKind::Exec(line),
        });
        self.applied = self.edits.len();
        self.horizon = at;
        out
    }

    /// [`Timeline::advance`] for a replay: `budget(work)` is asked every
    /// [`REPLAY_CHUNK_WORK`] work units (`work`: done since this call
    /// began, [`Simulator::work`]), the engine pausing between two events
    /// in between, so a slice is bounded by work, not by virtual time or
    /// events, whatever the scenario's shape (§18.12). Pausing changes no
    /// state: the run goes on as if it had not paused.
    pub fn advance_by_work(
        &mut self,
        target: Nanos,
        budget: &mut dyn FnMut(u64) -> bool,
    ) -> Advance {
        let start_work = self.sim.work();
        let start_events = self.sim.events_processed();
        let reached = loop {
            if let Some(e) = self.pending() {
                if e.from <= target && e.from <= self.sim.now() {
                    self.replay_next();
                    continue;
                }
            }
            if self.sim.now() >= target {
                break true;
            }
            if self.sim.event_limit_hit() || !budget(self.sim.work() - start_work) {
                break false;
            }
            let limit = self.pending().map_or(target, |e| e.from.min(target));
            let pause = self.sim.work().saturating_add(REPLAY_CHUNK_WORK);
            self.sim.0.run_until_paused(limit, pause);
        };
        self.after_run();
        Advance {
            reached,
            events: self.sim.events_processed() - start_events,
        }
    }

    /// One event (or the next logged edit, if it comes first).
    pub fn step_event(&mut self) -> bool {
        if let Some(e) = self.pending().cloned() {
            match self.sim.next_event_at() {
                // The events due up to the edit's instant, as a run does.
                Some(t) if t <= e.from => self.sim.0.run_until(t),
                _ => self.replay_next(),
            }
            self.after_run();
            return true;
        }
        let stepped = self.sim.0.step();
        self.after_run();
        stepped
    }

    /// Bookkeeping after the live state moved forward: horizon and
    /// checkpoints.
    fn after_run(&mut self) {
        let now = self.sim.now();
        if now > self.horizon {
            self.horizon = now;
        }
        let last = self.checkpoints.last().map_or(0, |c| c.at);
        if now >= last.saturating_add(self.every) {
            self.checkpoints.push(Checkpoint {
                at: now,
                edits: self.applied,
                sim: self.sim.0.clone(),
            });
            self.prune();
        }
    }

    fn prune(&mut self) {
        loop {
            let bytes: usize = self.checkpoints.iter().map(|c| approx_bytes(&c.sim)).sum();
            if self.checkpoints.len() <= MAX_CHECKPOINTS
                && (bytes <= CHECKPOINT_BYTES || self.checkpoints.len() <= 2)
            {
                return;
            }
            // Keep the first (the start) and the newest; drop every other
            // one in between.
            let n = self.checkpoints.len();
            let mut i = 0;
            self.checkpoints.retain(|_| {
                let keep = i == 0 || i == n - 1 || i % 2 == 0;
                i += 1;
                keep
            });
            self.every = self.every.saturating_mul(2);
        }
    }

    /// Replace the live state with the timeline's state at virtual time `t`
    /// (clamped to the horizon; a time inside an edit that advanced time,
    /// such as `sleep`, lands at its end).
    pub fn seek(&mut self, t: Nanos) {
        let mut t = t.min(self.horizon);
        for e in &self.edits {
            if e.from < t && t < e.at {
                t = e.at;
            }
        }
        let c = self
            .checkpoints
            .iter()
            .rev()
            .find(|c| c.at <= t)
            .unwrap_or(&self.checkpoints[0]);
        self.sim = Live(c.sim.clone());
        self.applied = c.edits;
        let horizon = self.horizon;
        let every = self.every;
        // Replays never take new checkpoints or move the horizon.
        self.every = Nanos::MAX;
        self.advance(t, &mut |_| true, None);
        self.every = every;
        self.horizon = horizon;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Version;

    fn feature() -> Simulator {
        let mut sim = Simulator::new(Version::V2);
        for line in [
            "mkdir /sys/fs/cgroup/svc",
            "echo 512M > /sys/fs/cgroup/svc/memory.max",
            "echo 95 > /sys/fs/cgroup/svc/memory.wmark_ratio",
            "spawn /sys/fs/cgroup/svc anon 1536M --ws 128M --rate 100M/s",
        ] {
            sim.exec(line);
        }
        sim
    }

    fn run(m: &mut Timeline, to: u64, step: u64) {
        while m.now() < to {
            let t = (m.now() + step).min(to);
            m.advance(t, &mut |_| true, None);
        }
    }

    #[test]
    fn seek_replays_exactly() {
        let mut straight = Timeline::new(feature());
        run(&mut straight, 6_000_000_000, 16_000_000);
        let want = straight.sim.snapshot();

        let mut m = Timeline::new(feature());
        run(&mut m, 6_000_000_000, 33_000_000);
        assert_eq!(m.sim.snapshot(), want);
        m.seek(1_234_567_890);
        // The core's bulk engine may apply faults up to the next queued
        // event (the 10 ms sampler) in one step, so `now` can pass the
        // target a little; a straight run does the same.
        assert!((1_234_567_890..1_250_000_000).contains(&m.now()));
        m.seek(6_000_000_000);
        assert_eq!(m.sim.snapshot(), want);
    }

    #[test]
    fn edits_replay_and_fork() {
        let mut m = Timeline::new(feature());
        run(&mut m, 2_000_000_000, 16_000_000);
        m.edit(EditKind::Write {
            path: "/sys/fs/cgroup/svc/memory.wmark_ratio".into(),
            value: "0".into(),
        });
        run(&mut m, 7_000_000_000, 16_000_000);
        let want = m.sim.snapshot();
        assert!(want.cgroups[1].events[2] > 0, "ratio 0 hits max");

        // Back before the edit and forward again: the edit is re-applied.
        m.seek(1_000_000_000);
        assert_eq!(
            m.sim.read("/sys/fs/cgroup/svc/memory.wmark_ratio").unwrap(),
            "95\n"
        );
        run(&mut m, 7_000_000_000, 50_000_000);
        assert_eq!(m.sim.snapshot(), want);
        m.seek(3_000_000_000);
        m.seek(7_000_000_000);
        assert_eq!(m.sim.snapshot(), want);

        // An edit after seeking back forks: the old future is gone.
        m.seek(1_000_000_000);
        m.edit(EditKind::Exec(
            "echo 90 > /sys/fs/cgroup/svc/memory.wmark_ratio".into(),
        ));
        assert_eq!(m.horizon(), 1_000_000_000);
        assert_eq!(m.edits().len(), 1);
        assert!(m.checkpoint_times().all(|t| t <= 1_000_000_000));
        run(&mut m, 7_000_000_000, 16_000_000);
        assert_ne!(m.sim.snapshot(), want);
    }

    #[test]
    fn a_stop_condition_lands_on_the_event() {
        let mut m = Timeline::new(feature());
        let adv = m.advance(
            10_000_000_000,
            &mut |_| true,
            Some(&mut |sim: &Simulator| sim.snapshot().cgroups[1].work.starts_with("running")),
        );
        assert!(!adv.reached);
        assert!(m.now() > 4_000_000_000 && m.now() < 6_000_000_000);
    }

    #[test]
    fn the_budget_is_asked_between_chunks() {
        let mut m = Timeline::new(feature());
        let mut asked = 0;
        let adv = m.advance(
            10_000_000_000,
            &mut |events| {
                asked += 1;
                events < 5
            },
            None,
        );
        assert!(!adv.reached);
        assert!(asked > 1);
        assert!(adv.events >= 5 && m.now() < 10_000_000_000);
        // It goes on from there to the same state as a straight run.
        run(&mut m, 10_000_000_000, 100_000_000);
        let mut straight = Timeline::new(feature());
        run(&mut straight, 10_000_000_000, 16_000_000);
        assert_eq!(m.sim.snapshot(), straight.sim.snapshot());
    }

    #[test]
    fn an_edit_after_single_steps_replays_like_the_journal() {
        let mut m = Timeline::new(feature());
        run(&mut m, 4_800_000_000, 16_000_000);
        for _ in 0..7 {
            m.step_event();
        }
        m.edit(EditKind::Exec(
            "echo 0 > /sys/fs/cgroup/svc/memory.wmark_ratio".into(),
        ));
        run(&mut m, 6_000_000_000, 16_000_000);
        let want = m.sim.snapshot();
        // Seeking back and forth replays it exactly.
        m.seek(4_000_000_000);
        m.seek(6_000_000_000);
        assert_eq!(m.sim.snapshot(), want);
        // So does the core's scenario of the session (what a link holds).
        let sc = m.sim.scenario().unwrap();
        let replayed = sc.instantiate().unwrap();
        assert_eq!(replayed.snapshot(), want);
    }

    #[test]
    fn sleep_inside_an_edit_is_atomic_for_seeking() {
        let mut m = Timeline::new(feature());
        m.edit(EditKind::Exec("sleep 2s".into()));
        assert_eq!(m.horizon(), 2_000_000_000);
        m.seek(1_000_000_000);
        assert_eq!(m.now(), 2_000_000_000);
    }

    #[test]
    fn the_sample_interval_holds_after_seeking_back() {
        let mut m = Timeline::new(feature());
        run(&mut m, 1_000_000_000, 100_000_000);
        m.set_sample_interval(50_000_000);
        m.seek(0);
        assert_eq!(m.sim.config().sample_interval, 50_000_000);
        assert_eq!(m.sim.scenario().unwrap().sample_interval, 50_000_000);
    }
}
