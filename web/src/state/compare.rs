//! The compare view's runs (issue 14): each run its own [`Model`]
//! (timeline and simulator) set up by its [`Comparison`]; one clock for
//! all: a frame advances every run to the same target, a seek seeks every
//! run's timeline, and a pause brings the runs to one instant.

use std::cell::RefCell;
use std::rc::Rc;

use memcg::metrics::RunMetrics;
use memcg::timeline::Timeline as Model;

use crate::compare::{Comparison, Run, MAX_RUNS, MIN_RUNS};
use crate::format::speed_factor;

use super::play::MAX_FRAME_MS;
use super::{Budget, Notice, State};

/// One run of a comparison.
#[derive(Clone)]
pub struct CompareRun {
    pub model: Rc<RefCell<Model>>,
    /// Its metrics at the shared clock's time (published each frame).
    pub metrics: Rc<RunMetrics>,
}

/// The runs of a comparison and their shared clock.
#[derive(Clone)]
pub struct Compare {
    pub def: Comparison,
    pub runs: Vec<CompareRun>,
    /// The shared clock: the earliest of the runs' times (the runs reach
    /// one instant whenever the clock stops).
    pub now: u64,
}

impl Compare {
    /// Every run of `def` set up at time 0.
    pub fn new(def: Comparison) -> Result<Compare, String> {
        let runs = (0..def.runs.len())
            .map(|i| {
                let sim = def.machine(i)?;
                Ok(CompareRun {
                    metrics: Rc::new(RunMetrics::of(&sim)),
                    model: Rc::new(RefCell::new(Model::new(sim))),
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        Ok(Compare { def, runs, now: 0 })
    }

    /// The furthest time any run has simulated to.
    pub fn horizon(&self) -> u64 {
        self.runs
            .iter()
            .map(|r| r.model.borrow().horizon())
            .max()
            .unwrap_or(0)
    }

    /// Publish the runs' metrics and the shared clock.
    fn refresh(&mut self) {
        for r in &mut self.runs {
            r.metrics = Rc::new(RunMetrics::of(&r.model.borrow().sim));
        }
        self.now = self
            .runs
            .iter()
            .map(|r| r.model.borrow().now())
            .min()
            .unwrap_or(0);
    }

    /// Advance every run towards `target`, each with its share of `budget`.
    /// Returns whether all reached it.
    pub fn advance(&mut self, target: u64, budget: Budget) -> bool {
        let n = self.runs.len().max(1);
        let share = Budget {
            ms: budget.ms / n as f64,
            events: budget.events / n as u64,
            ..budget
        };
        let mut all = true;
        for r in &self.runs {
            let slice = share.start();
            let adv = r
                .model
                .borrow_mut()
                .advance(target, &mut |e| slice.more(e), None);
            all &= adv.reached;
        }
        self.refresh();
        all
    }

    /// Bring every run to the latest run's time (when the clock stops:
    /// a frame's lag at most).
    pub fn sync(&mut self) {
        let t = self
            .runs
            .iter()
            .map(|r| r.model.borrow().now())
            .max()
            .unwrap_or(0);
        for r in &self.runs {
            r.model.borrow_mut().advance(t, &mut |_| true, None);
        }
        self.refresh();
    }

    /// Every run at virtual time `t` (each timeline's seek).
    pub fn seek(&mut self, t: u64) {
        for r in &self.runs {
            r.model.borrow_mut().seek(t);
        }
        self.refresh();
    }
}

impl State {
    /// Open comparison `def` (or say why not; the view stays as it was).
    pub fn open_compare(&mut self, def: Result<Comparison, String>) {
        match def.and_then(Compare::new) {
            Ok(c) => {
                self.compare = Some(Rc::new(c));
                self.playing = false;
                self.tour = None;
                self.rev += 1;
            }
            Err(e) => {
                self.notice = Some(Notice::error(format!(
                    "Could not open the comparison: {e}."
                )))
            }
        }
    }

    /// The comparison with run `i`'s settings replaced by `text`, added
    /// (`i` = the number of runs) or removed (`text` = None); it restarts
    /// at time 0.
    pub(super) fn edit_compare(&mut self, i: usize, text: Option<String>) {
        let Some(c) = &self.compare else {
            return;
        };
        let mut def = c.def.clone();
        match text {
            None if def.runs.len() > MIN_RUNS && i < def.runs.len() => {
                def.runs.remove(i);
            }
            None => return,
            Some(t) => match Run::parse(&t) {
                Ok(run) if i < def.runs.len() => def.runs[i] = run,
                Ok(run) if i == def.runs.len() && i < MAX_RUNS => def.runs.push(run),
                Ok(_) => return,
                Err(e) => {
                    self.notice = Some(Notice::error(format!("Run {}: {e}.", i + 1)));
                    return;
                }
            },
        }
        self.open_compare(Ok(def));
    }

    /// One frame of the shared clock.
    pub(super) fn compare_tick(&mut self, dt_ms: f64, wall_ms: f64) {
        let Some(c) = self.compare.as_mut() else {
            return;
        };
        self.wall_ms = wall_ms;
        let c = Rc::make_mut(c);
        let dt = dt_ms.clamp(0.0, MAX_FRAME_MS);
        let span = (speed_factor(self.speed) * dt * 1e6) as u64;
        let target = c.now.saturating_add(span.max(1));
        self.lagging = !c.advance(target, self.budget);
        self.rev += 1;
    }

    /// Seek every run (the clock stops there).
    pub(super) fn compare_seek(&mut self, t: u64) {
        if let Some(c) = self.compare.as_mut() {
            Rc::make_mut(c).seek(t);
            self.rev += 1;
        }
    }

    /// Stop the shared clock with every run at one instant.
    pub(super) fn compare_pause(&mut self) {
        self.playing = false;
        if let Some(c) = self.compare.as_mut() {
            Rc::make_mut(c).sync();
            self.rev += 1;
        }
    }
}
