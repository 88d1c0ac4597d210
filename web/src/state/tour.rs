//! Guided tours: where a tour stands, the step it runs towards (its
//! trigger) and what happens at a stop.

use crate::scenarios::{Scenario as Preset, Trigger, SCENARIOS};

use super::State;

/// Where a guided tour stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tour {
    pub scenario: usize,
    /// The step whose text is shown (or, while `waiting`, the step the
    /// simulation runs towards).
    pub step: usize,
    pub waiting: bool,
}

impl Tour {
    pub fn scenario(&self) -> &'static Preset {
        &SCENARIOS[self.scenario]
    }
}

impl State {
    /// Select the cgroup the current step points at, if it exists.
    pub(super) fn apply_step_selection(&mut self) {
        let Some(tour) = self.tour else { return };
        if let Some(sel) = tour.scenario().tour[tour.step].select {
            let path = format!("{}{}", self.mount(), sel);
            if self.snap.cgroups.iter().any(|cg| cg.path == path) {
                self.selected = path;
            }
        }
    }

    /// Run the shown step's commands and play towards the next stop (or
    /// end the tour after the last step, leaving the play state as it is:
    /// Finish must not start the clock).
    pub(super) fn tour_next(&mut self) {
        let Some(mut tour) = self.tour else { return };
        if tour.waiting {
            return;
        }
        let steps = tour.scenario().tour;
        for line in steps[tour.step].run {
            self.exec(line);
        }
        if tour.step + 1 < steps.len() {
            tour.step += 1;
            tour.waiting = true;
            self.tour = Some(tour);
            self.playing = true;
            // A step that is already due fires at the next frame.
        } else {
            self.tour = None;
        }
    }

    /// The trigger the simulation runs towards, if a tour is waiting.
    pub(super) fn armed(&self) -> Option<Trigger> {
        let tour = self.tour?;
        tour.waiting
            .then(|| tour.scenario().tour[tour.step].trigger)
    }

    /// The step's trigger was reached: stop there and show it.
    pub(super) fn fire_step(&mut self) {
        if let Some(tour) = self.tour.as_mut() {
            tour.waiting = false;
            self.playing = false;
        }
        self.apply_step_selection();
    }
}

#[cfg(test)]
mod claims {
    //! What the tours' texts say happens does happen.
    use std::rc::Rc;

    use yew::Reducible;

    use super::*;
    use crate::scenarios::by_id;
    use crate::state::{trace_fields, Action};

    fn play(id: &str, until: u64) -> Rc<State> {
        let mut s = Rc::new(State::with_scenario(by_id(id).unwrap()))
            .reduce(Action::TourClose)
            .reduce(Action::SetSpeed(20))
            .reduce(Action::Play);
        let mut wall = 0.0;
        while s.now() < until {
            wall += 16.0;
            s = s.reduce(Action::Tick {
                dt_ms: 16.0,
                wall_ms: wall,
            });
        }
        s
    }

    fn read(s: &State, path: &str) -> String {
        s.model.borrow().sim.read(path).unwrap()
    }

    fn field(text: &str, key: &str) -> u64 {
        text.lines()
            .find_map(|l| l.strip_prefix(key)?.trim().parse().ok())
            .unwrap_or_else(|| panic!("{key} not in {text}"))
    }

    #[test]
    fn seed_never_hits_the_limit_and_the_worker_pays() {
        let s = play("seed", 12_000_000_000);
        assert_eq!(read(&s, "/sys/fs/cgroup/memory/test/memory.failcnt"), "0\n");
        let task = s.snap.tasks.iter().find(|t| t.program == "anon").unwrap();
        assert!(task.p99_ns <= 512, "p99 {}", task.p99_ns);
        let test = s.snap.cgroups.iter().find(|c| c.name == "test").unwrap();
        assert!(test.worker_ns > 0);
    }

    #[test]
    fn parent_worker_is_woken_by_the_child() {
        let s = play("parent", 8_000_000_000);
        assert!(s
            .log
            .iter()
            .any(|l| trace_fields(l)
                == Some((memcg::trace::EventKind::WorkQueued, "/parent".into()))));
        let child = s.snap.cgroups.iter().find(|c| c.name == "child").unwrap();
        assert_eq!(child.wmark_high, None);
        let parent = s.snap.cgroups.iter().find(|c| c.name == "parent").unwrap();
        assert_eq!(
            parent.events[2], 0,
            "the parent's worker keeps it off the limit"
        );
    }

    #[test]
    fn memory_high_moves_the_watermarks_and_the_worker_runs_first() {
        let i = by_id("high").unwrap();
        let s = Rc::new(State::with_scenario(i));
        let before = read(&s, "/sys/fs/cgroup/svc/memory.wmark_high");
        let s = s.reduce(Action::Exec(
            "echo 512M > /sys/fs/cgroup/svc/memory.high".into(),
        ));
        let after: u64 = read(&s, "/sys/fs/cgroup/svc/memory.wmark_high")
            .trim()
            .parse()
            .unwrap();
        assert!(after < before.trim().parse::<u64>().unwrap());
        assert_eq!(after, (512u64 << 20) * 95 / 100 / 4096 * 4096);
        let mut s = s
            .reduce(Action::TourClose)
            .reduce(Action::SetSpeed(20))
            .reduce(Action::Play);
        let mut wall = 0.0;
        while s.now() < 10_000_000_000 {
            wall += 16.0;
            s = s.reduce(Action::Tick {
                dt_ms: 16.0,
                wall_ms: wall,
            });
        }
        let svc = s.snap.cgroups.iter().find(|c| c.name == "svc").unwrap();
        assert!(svc.worker_ns > 0);
        let events = read(&s, "/sys/fs/cgroup/svc/memory.events");
        assert_eq!(field(&events, "high"), 0, "{events}");
    }

    #[test]
    fn low_protection_is_broken_by_direct_reclaim_only() {
        let s = play("low", 10_000_000_000);
        let prot = s.snap.cgroups.iter().find(|c| c.name == "prot").unwrap();
        assert!(
            prot.usage < prot.low,
            "prot {} low {}",
            prot.usage,
            prot.low
        );
        let events = read(&s, "/sys/fs/cgroup/parent/prot/memory.events");
        assert!(field(&events, "low") > 0, "{events}");
    }
}
