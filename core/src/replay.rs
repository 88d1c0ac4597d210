//! Replaying a scenario: its machine is built, then its journal is applied
//! entry by entry on a [`Timeline`] at the virtual instants it records, and
//! the machine runs on to the scenario's `now`. The timeline's edit log is
//! then the journal, so a scrubber can go back to any instant of it.
//!
//! One replay for every front end: [`Scenario::instantiate`] runs one to
//! its end; the playground steps one per animation frame, the CLI and the
//! JS API run one whole. The caller passes the budget of each step (a
//! closure asked between chunks of work: a count of events, a wall-clock
//! deadline); the bounds are the replay's own and the same for all:
//! [`MAX_CGROUPS`], [`MAX_REPLAY_WORK`] (also inside one line, so
//! `sleep 24h` under load stops), [`MAX_NOW`], and the checks of
//! [`Scenario::validate`] before any work.
//!
//! Budget and bound count work units ([`Simulator::work`], docs/model.md
//! §18.12), not events: one event may walk every memcg (a hierarchy's
//! reclaim over 200 children, the sampler over 4 095 idle cgroups), so a
//! count of events bounds neither a slice's wall time nor a hostile
//! link's. The engine pauses between two events every
//! [`REPLAY_CHUNK_WORK`](crate::timeline::REPLAY_CHUNK_WORK) units to ask the budget.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::engine::END_OF_TIME;
use crate::scenario::{JournalEntry, Scenario, MAX_CGROUPS, MAX_NOW, MAX_REPLAY_WORK};
use crate::sim::{SimBuilder, Simulator};
use crate::timeline::{EditKind, EditOutcome, Timeline};
use crate::units::{Nanos, WORK_EVENT};

/// A journal entry the replay applied.
#[derive(Debug)]
pub struct Applied {
    /// Its index in the scenario's journal.
    pub index: usize,
    pub entry: JournalEntry,
    /// The shell's working directory before it (for a prompt).
    pub cwd: String,
    pub outcome: EditOutcome,
}

/// What one [`Replay::step`] did.
#[derive(Debug)]
pub enum Step {
    /// The budget ran out before the next entry's instant.
    Paused,
    /// One journal entry was applied.
    Applied(Applied),
    /// The journal is applied and the machine is at the scenario's `now`.
    Done,
}

/// A scenario being replayed.
#[derive(Debug)]
pub struct Replay {
    sc: Scenario,
    /// Next journal entry to apply.
    next: usize,
    timeline: Timeline,
    /// The configured event limit (a replay hitting it is refused too).
    configured: u64,
    /// Over this many cgroups, sample every `.1` ns at least.
    large_tree: Option<(usize, Nanos)>,
    /// A `sleep D` entry running in slices: its start and end.
    sleeping: Option<(Nanos, Nanos)>,
    done: bool,
}

impl Replay {
    /// Checks the scenario's bounds and builds its machine at time 0.
    pub fn new(sc: Scenario) -> Result<Replay, String> {
        Replay::with_builder(sc, |b| b)
    }

    /// [`Replay::new`], the machine's builder passed through `adjust` first
    /// (for what a scenario does not carry: a trace sink, an event limit).
    pub fn with_builder(
        sc: Scenario,
        adjust: impl FnOnce(SimBuilder) -> SimBuilder,
    ) -> Result<Replay, String> {
        sc.validate()?;
        // Built by the builder itself, so a trace sink it was given gets
        // the replay's lines as they are recorded.
        let sim = adjust(sc.builder()).build();
        let configured = sim.config().event_limit;
        let mut timeline = Timeline::new(sim);
        timeline.set_work_limit(MAX_REPLAY_WORK);
        Ok(Replay {
            sc,
            next: 0,
            timeline,
            configured,
            large_tree: None,
            sleeping: None,
            done: false,
        })
    }

    /// Once the tree has more than `cgroups` cgroups, sample the time
    /// series every `interval` ns if the scenario samples more often:
    /// sampling costs cgroups × tasks per tick, and the trace does not
    /// depend on it (the scenario of the replayed machine records the
    /// new interval).
    pub fn sample_large_trees(mut self, cgroups: usize, interval: Nanos) -> Replay {
        self.large_tree = Some((cgroups, interval));
        self
    }

    /// Whether the timeline keeps checkpoints while replaying (default
    /// yes); a replay that wants only the end state saves their clones.
    pub fn checkpoints(mut self, on: bool) -> Replay {
        if !on {
            self.timeline = self.timeline.without_checkpoints();
        }
        self
    }

    pub fn scenario(&self) -> &Scenario {
        &self.sc
    }

    /// The timeline so far.
    pub fn timeline(&self) -> &Timeline {
        &self.timeline
    }

    /// The timeline, without the replay's work bound.
    pub fn into_timeline(mut self) -> Timeline {
        self.timeline.set_work_limit(u64::MAX);
        self.timeline
    }

    /// Journal entries applied so far, and in all.
    pub fn entries(&self) -> (usize, usize) {
        (self.next, self.sc.journal.len())
    }

    pub fn is_done(&self) -> bool {
        self.done
    }

    /// How far the replay is, 0 to 100: by virtual time when the scenario
    /// runs on after its journal, else by journal entries.
    pub fn percent(&self) -> u32 {
        let (done, all) = self.entries();
        let p = if self.sc.now > 0 {
            u128::from(self.timeline.now().min(self.sc.now)) * 100 / u128::from(self.sc.now)
        } else if all > 0 {
            done as u128 * 100 / all as u128
        } else {
            100
        };
        p as u32
    }

    /// The replay bounds, checked after every piece of work.
    fn check(&mut self) -> Result<(), String> {
        if let Some((cgroups, interval)) = self.large_tree {
            let sim = &self.timeline.sim;
            if sim.cgroup_count() > cgroups && sim.config().sample_interval < interval {
                self.timeline.set_sample_interval(interval);
            }
        }
        let sim = &self.timeline.sim;
        if sim.cgroup_count() > MAX_CGROUPS {
            return Err(format!(
                "the scenario creates more than {MAX_CGROUPS} cgroups"
            ));
        }
        if sim.work() >= MAX_REPLAY_WORK {
            return Err(format!(
                "the scenario needs more than {MAX_REPLAY_WORK} units of work to replay \
                 ({} events, or fewer events that each visit many cgroups or tasks)",
                MAX_REPLAY_WORK / WORK_EVENT
            ));
        }
        if sim.event_limit_hit() {
            return Err(format!(
                "the scenario needs more than {} events to replay",
                self.configured
            ));
        }
        if sim.now() > MAX_NOW {
            return Err(String::from(
                "the scenario runs past 1 hour of virtual time",
            ));
        }
        Ok(())
    }

    /// Refuses a line whose `sleep`s would take the machine past
    /// [`MAX_NOW`] before running it: an idle `sleep 24h` is few events
    /// but long work for nothing.
    fn check_sleeps(&self, line: &str) -> Result<(), String> {
        let words: Vec<&str> = line
            .split(|c: char| c.is_whitespace() || matches!(c, ';' | '&' | '|'))
            .filter(|w| !w.is_empty())
            .collect();
        let ahead: Nanos = words
            .windows(2)
            .filter(|w| w[0] == "sleep")
            .map(|w| crate::shell::parse_duration(w[1]).unwrap_or(0))
            .fold(0, Nanos::saturating_add);
        if self.timeline.now().saturating_add(ahead) > MAX_NOW {
            return Err(String::from(
                "the scenario sleeps past 1 hour of virtual time",
            ));
        }
        Ok(())
    }

    /// One piece of work: run towards the next entry's instant (or the
    /// scenario's `now`) while `budget(work)` allows, or apply the next
    /// entry. `work` counts the work units of this call
    /// ([`Simulator::work`]), asked every [`REPLAY_CHUNK_WORK`](crate::timeline::REPLAY_CHUNK_WORK) of them.
    /// An error leaves the replay unusable.
    pub fn step(&mut self, budget: &mut dyn FnMut(u64) -> bool) -> Result<Step, String> {
        if self.done {
            return Ok(Step::Done);
        }
        if let Some((from, until)) = self.sleeping {
            return self.sleep_step(from, until, budget);
        }
        let target = self.sc.journal.get(self.next).map_or(self.sc.now, |e| e.at);
        if self.timeline.now() < target {
            self.timeline.advance_by_work(target, budget);
            self.check()?;
            if self.timeline.now() < target {
                return Ok(Step::Paused);
            }
        }
        let Some(e) = self.sc.journal.get(self.next).cloned() else {
            self.timeline.set_work_limit(u64::MAX);
            self.done = true;
            return Ok(Step::Done);
        };
        let kind = match (&e.exec, &e.write) {
            (Some(line), _) => {
                self.check_sleeps(line)?;
                if let Some(ns) = crate::shell::only_sleeps(line) {
                    // The sleep runs in slices, like the time between
                    // entries (its work is most of a link's).
                    let from = self.timeline.sleep_begin(line);
                    // Where cmd_sleep's run_until would stop (§18.3).
                    let until = from.saturating_add(ns).min(END_OF_TIME);
                    self.sleeping = Some((from, until));
                    return self.sleep_step(from, until, budget);
                }
                EditKind::Exec(line.clone())
            }
            (None, Some((path, value))) => EditKind::Write {
                path: path.clone(),
                value: value.clone(),
            },
            (None, None) => unreachable!("validated: exactly one of exec or write"),
        };
        let cwd = String::from(self.timeline.sim.cwd());
        let outcome = self.timeline.edit(kind);
        let index = self.next;
        self.next += 1;
        self.check()?;
        Ok(Step::Applied(Applied {
            index,
            entry: e,
            cwd,
            outcome,
        }))
    }

    /// Part of a `sleep D` entry begun at `from`: run towards `until`
    /// while `budget` allows; at `until` the entry is applied.
    fn sleep_step(
        &mut self,
        from: Nanos,
        until: Nanos,
        budget: &mut dyn FnMut(u64) -> bool,
    ) -> Result<Step, String> {
        if self.timeline.now() < until {
            self.timeline.advance_by_work(until, budget);
            self.check()?;
            if self.timeline.now() < until {
                return Ok(Step::Paused);
            }
        }
        self.sleeping = None;
        let e = self.sc.journal[self.next].clone();
        let line = e.exec.clone().expect("a sleep entry");
        let cwd = String::from(self.timeline.sim.cwd());
        let outcome = self.timeline.sleep_end(from, line);
        let index = self.next;
        self.next += 1;
        self.check()?;
        Ok(Step::Applied(Applied {
            index,
            entry: e,
            cwd,
            outcome,
        }))
    }

    /// Steps until done (`Ok(true)`) or the budget is spent (`Ok(false)`),
    /// handing each applied entry to `on_entry`. `budget(work)` is asked
    /// between chunks and after each entry, `work` counting work units
    /// from this call's start.
    pub fn run(
        &mut self,
        budget: &mut dyn FnMut(u64) -> bool,
        on_entry: &mut dyn FnMut(Applied),
    ) -> Result<bool, String> {
        let start = self.timeline.sim.work();
        loop {
            let base = self.timeline.sim.work() - start;
            match self.step(&mut |n| budget(base + n))? {
                Step::Done => return Ok(true),
                Step::Paused => return Ok(false),
                Step::Applied(a) => {
                    on_entry(a);
                    if !budget(self.timeline.sim.work() - start) {
                        return Ok(false);
                    }
                }
            }
        }
    }
}

/// Scenario methods that build machines live here, above `sim`, so that
/// `scenario` stays a plain-data module below it.
impl Scenario {
    /// A builder for the scenario's machine, to which a front end may add
    /// what a scenario does not carry (a trace sink, an event limit).
    pub fn builder(&self) -> SimBuilder {
        Simulator::builder(self.version)
            .seed(self.seed)
            .engine(self.engine)
            .costs(self.costs)
            .cpus(self.cpus)
            .swap_pages(self.swap_pages)
            .root_use_hierarchy(self.root_use_hierarchy)
            .ram_pages(self.ram_pages)
            .vm_dirty(self.vm_dirty)
            .flavour(self.kernel)
            .sample_interval(self.sample_interval)
    }

    /// Build the machine and replay the journal, within the replay bounds
    /// ([`MAX_CGROUPS`](crate::scenario::MAX_CGROUPS), [`MAX_REPLAY_WORK`](crate::scenario::MAX_REPLAY_WORK), [`MAX_NOW`](crate::scenario::MAX_NOW)): a
    /// [`Replay`] run to its end, without checkpoints.
    pub fn instantiate(&self) -> Result<Simulator, String> {
        let mut replay = Replay::new(self.clone())?.checkpoints(false);
        replay.run(&mut |_| true, &mut |_| {})?;
        Ok(replay.into_timeline().into_sim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::EngineMode;
    use crate::timeline::REPLAY_CHUNK_WORK;
    use crate::units::{WORK_RECLAIM_STEP, WORK_SAMPLE, WORK_TASK};
    use crate::Version;

    fn long_session() -> Simulator {
        let mut sim = Simulator::new(Version::V2);
        for l in [
            "mkdir /sys/fs/cgroup/a",
            "echo 64M > /sys/fs/cgroup/a/memory.max",
            "echo 95 > /sys/fs/cgroup/a/memory.wmark_ratio",
            "spawn /sys/fs/cgroup/a anon 4G --ws 16M --rate 400M/s",
        ] {
            sim.exec(l);
        }
        sim.run_until(2_000_000_000);
        sim.write("/sys/fs/cgroup/a/memory.wmark_ratio", "80")
            .unwrap();
        sim.run_until(4_000_000_000);
        sim
    }

    #[test]
    fn a_budgeted_replay_goes_on_in_slices_to_the_same_machine() {
        let sim = long_session();
        let sc = sim.scenario().unwrap();
        let mut r = Replay::new(sc.clone()).unwrap();
        let mut slices = 0;
        let mut applied = Vec::new();
        let mut last = 0;
        loop {
            slices += 1;
            let done = r
                .run(&mut |work| work < 50_000, &mut |a| applied.push(a.index))
                .unwrap();
            assert!(r.percent() >= last);
            last = r.percent();
            if done {
                break;
            }
            assert!(slices < 10_000, "the replay never finished");
        }
        assert!(slices > 2, "{slices}");
        assert_eq!(last, 100);
        assert_eq!(applied, (0..sc.journal.len()).collect::<Vec<_>>());
        assert!(r.is_done());
        let t = r.into_timeline();
        assert_eq!(t.sim.trace_hash(), sim.trace_hash());
        assert_eq!(t.sim.snapshot(), sim.snapshot());
        // The edit log is the journal, and the scrubber can go back.
        assert_eq!(t.edits().len(), sc.journal.len());
        assert_eq!(t.sim.scenario().unwrap(), sc);
        let mut t = t;
        t.seek(1_000_000_000);
        assert_eq!(
            t.sim.read("/sys/fs/cgroup/a/memory.wmark_ratio").unwrap(),
            "95\n"
        );
        t.seek(4_000_000_000);
        assert_eq!(t.sim.snapshot(), sim.snapshot());
    }

    #[test]
    fn each_entry_reports_its_prompt_and_outcome() {
        let sc = Scenario::from_script(
            Version::V1,
            &["mkdir a", "cd a", "mkdir b", "mkdir b", "cat nope"],
        );
        let mut r = Replay::new(sc).unwrap();
        let mut seen = Vec::new();
        assert!(r
            .run(&mut |_| true, &mut |a| {
                let EditOutcome::Exec(out) = a.outcome else {
                    panic!("an exec entry");
                };
                seen.push((a.cwd, out.status));
            })
            .unwrap());
        let (m, a) = ("/sys/fs/cgroup/memory", "/sys/fs/cgroup/memory/a");
        assert_eq!(seen[..3], [(m.into(), 0), (m.into(), 0), (a.into(), 0)]);
        assert_eq!(seen[3].0, a);
        assert_ne!(seen[3].1, 0, "mkdir of an existing cgroup fails");
        assert_ne!(seen[4].1, 0);
    }

    #[test]
    fn the_bounds_are_the_same_stepped_or_whole() {
        // Too many cgroups: refused after the entry that crosses the bound.
        let names: Vec<String> = (0..5000).map(|i| format!("c{i}")).collect();
        let lines: Vec<String> = names
            .chunks(400)
            .map(|c| format!("mkdir {}", c.join(" ")))
            .collect();
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let sc = Scenario::from_script(Version::V1, &lines);
        let mut r = Replay::new(sc.clone()).unwrap();
        let err = loop {
            match r.step(&mut |_| true) {
                Ok(Step::Done) => panic!("replayed past the bound"),
                Ok(_) => {}
                Err(e) => break e,
            }
        };
        assert_eq!(err, "the scenario creates more than 4096 cgroups");
        assert_eq!(r.entries().0, 11, "stopped at the entry crossing it");
        assert_eq!(sc.instantiate().unwrap_err(), err);

        // A sleep past the time bound is refused before it runs.
        let sc = Scenario::from_script(
            Version::V1,
            &["mkdir /sys/fs/cgroup/memory/a", "true; sleep 2h"],
        );
        let mut r = Replay::new(sc.clone()).unwrap();
        let err = r.run(&mut |_| true, &mut |_| {}).unwrap_err();
        assert!(err.contains("sleeps past 1 hour"), "{err}");
        assert_eq!(r.timeline().now(), 0);
        assert_eq!(sc.instantiate().unwrap_err(), err);

        // The work bound holds inside one line, and a budgeted caller
        // gets the same error.
        let mut sc = Scenario::from_script(
            Version::V1,
            &["mkdir a", "spawn a sawtooth 64M --rate 1G/s", "sleep 59m"],
        );
        sc.engine = EngineMode::PerPage;
        let mut r = Replay::new(sc).unwrap();
        let err = loop {
            match r.run(&mut |work| work < 1_000_000, &mut |_| {}) {
                Ok(true) => panic!("replayed past the bound"),
                Ok(false) => {}
                Err(e) => break e,
            }
        };
        assert!(err.contains("units of work to replay"), "{err}");
    }

    #[test]
    fn the_work_bound_is_lifted_after_the_replay() {
        let limit = |t: &Timeline| t.sim.machine().engine.work_limit;
        let sc = Scenario::from_script(Version::V2, &["mkdir a", "spawn a steady 64M"]);
        let mut r = Replay::new(sc.clone()).unwrap();
        assert_eq!(limit(r.timeline()), MAX_REPLAY_WORK);
        assert_eq!(r.timeline().sim.machine().engine.event_limit, u64::MAX);
        assert!(r.run(&mut |_| true, &mut |_| {}).unwrap());
        let mut t = r.into_timeline();
        assert_eq!(limit(&t), u64::MAX);
        // The checkpoint the replay started from, too.
        t.advance(500_000_000, &mut |_| true, None);
        t.seek(0);
        assert_eq!(limit(&t), u64::MAX);
        assert_eq!(
            sc.instantiate().unwrap().machine().engine.work_limit,
            u64::MAX
        );
    }

    #[test]
    fn a_configured_event_limit_still_refuses() {
        let sc = Scenario::from_script(Version::V2, &["mkdir a", "spawn a steady 64M", "sleep 1s"]);
        let mut r = Replay::with_builder(sc, |b| b.event_limit(50)).unwrap();
        let err = r.run(&mut |_| true, &mut |_| {}).unwrap_err();
        assert_eq!(err, "the scenario needs more than 50 events to replay");
    }

    #[test]
    fn a_large_tree_samples_less_often() {
        let lines = ["mkdir a b c", "spawn a steady 16M", "mkdir d"];
        let sc = Scenario::from_script(Version::V2, &lines);
        let mut r = Replay::new(sc).unwrap().sample_large_trees(4, 50_000_000);
        assert!(r.run(&mut |_| true, &mut |_| {}).unwrap());
        let sim = r.into_timeline().into_sim();
        assert_eq!(sim.config().sample_interval, 50_000_000);
        assert_eq!(sim.scenario().unwrap().sample_interval, 50_000_000);
        // Four cgroups (the root and three) are not more than four.
        let sc = Scenario::from_script(Version::V2, &lines[..2]);
        let mut r = Replay::new(sc).unwrap().sample_large_trees(4, 50_000_000);
        assert!(r.run(&mut |_| true, &mut |_| {}).unwrap());
        assert_eq!(r.timeline().sim.config().sample_interval, 10_000_000);
    }

    /// Replays `sc` in slices of `slice` work units; returns the work of
    /// each slice and how it ended.
    fn slices(sc: Scenario, slice: u64) -> (Vec<u64>, Result<Simulator, String>) {
        let mut r = Replay::new(sc).unwrap().checkpoints(false);
        let mut works = Vec::new();
        let mut last = 0;
        loop {
            let before = r.timeline().sim.work();
            let done = r.run(&mut |work| work < slice, &mut |_| {});
            works.push(r.timeline().sim.work() - before);
            assert!(r.percent() >= last);
            last = r.percent();
            match done {
                Ok(true) => return (works, Ok(r.into_timeline().into_sim())),
                Ok(false) => {}
                Err(e) => return (works, Err(e)),
            }
        }
    }

    /// Issue 12's first hostile link: a 64M parent, 200 children with a
    /// fast sawtooth each, `sleep 100ms`. Every charge over the parent's
    /// limit walks 201 memcgs, so the cost of an event grows with the
    /// siblings; the sleep line is most of the work.
    #[test]
    fn two_hundred_siblings_replay_in_slices_bounded_by_work() {
        let mut lines = alloc::vec![
            String::from("mkdir p"),
            String::from("echo 64M > p/memory.limit_in_bytes"),
        ];
        for i in 0..200 {
            lines.push(format!("mkdir p/c{i}"));
            lines.push(format!("spawn p/c{i} sawtooth 1M --rate 100M/s"));
        }
        lines.push(String::from("sleep 100ms"));
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let sc = Scenario::from_script(Version::V1, &refs);
        let slice = 1 << 20;
        let (works, sim) = slices(sc.clone(), slice);
        let sim = sim.unwrap();
        // Each slice stops within a chunk and one event of its budget, the
        // sleep line included; the costliest event is a direct reclaim
        // walking the 201 memcgs at each of 13 priorities.
        let event = WORK_EVENT + 13 * 201 * (WORK_RECLAIM_STEP + 2 * WORK_TASK);
        let max = works.iter().copied().max().unwrap();
        assert!(max < slice + REPLAY_CHUNK_WORK + event, "{max}");
        let total: u64 = works.iter().sum();
        assert!(
            total > 32 * slice && works.len() > 32,
            "{total} in {}",
            works.len()
        );
        // The same machine as the script run line by line.
        let mut direct = Simulator::new(Version::V1);
        for l in &refs {
            direct.exec(l);
        }
        assert_eq!(sim.trace_hash(), direct.trace_hash());
        assert_eq!(sim.snapshot(), direct.snapshot());
        assert!(sim.journal() == &sc.journal[..], "the same journal");
        assert_eq!(sim.now(), 100_000_000);
        assert!(sim.work() < MAX_REPLAY_WORK, "{}", sim.work());
    }

    /// Issue 12's second: 4 095 idle cgroups, one task, `now` = 1 h. The
    /// sampler visits every memcg every tick (4 096 × 360 000 visits), few
    /// events: refused once the work passes the bound, in bounded slices,
    /// long before the hour.
    #[test]
    fn four_thousand_idle_cgroups_for_an_hour_are_refused_by_work() {
        let names: Vec<String> = (1..4096).map(|i| format!("g{i}")).collect();
        let mut lines: Vec<String> = names
            .chunks(512)
            .map(|c| format!("mkdir {}", c.join(" ")))
            .collect();
        lines.push(String::from("spawn g1 steady 1M"));
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        let mut sc = Scenario::from_script(Version::V1, &refs);
        sc.now = MAX_NOW;
        let slice = 1 << 22;
        let (works, end) = slices(sc.clone(), slice);
        let err = end.unwrap_err();
        assert!(err.contains("units of work to replay"), "{err}");
        // A tick visits 4 096 memcgs and one task.
        let event = WORK_EVENT + 4097 * WORK_SAMPLE;
        let max = works.iter().copied().max().unwrap();
        assert!(max < slice + REPLAY_CHUNK_WORK + event, "{max}");
        let total: u64 = works.iter().sum();
        assert!(
            total >= MAX_REPLAY_WORK && total < MAX_REPLAY_WORK + slice,
            "{total}"
        );
        assert_eq!(sc.instantiate().unwrap_err(), err);
    }

    #[test]
    fn a_sleep_line_replayed_in_slices_is_the_edit_a_shell_makes() {
        let lines = [
            "mkdir a",
            "echo 64M > a/memory.limit_in_bytes",
            "spawn a sawtooth 16M --rate 256M/s",
            "sleep 2s",
            "echo 12M > a/memory.limit_in_bytes",
            "sleep  500ms ",
            "sleep 1s; true",
        ];
        let mut sc = Scenario::from_script(Version::V1, &lines);
        sc.engine = EngineMode::PerPage;
        let mut direct = Timeline::new(sc.builder().build());
        for l in lines {
            direct.edit(EditKind::Exec(l.into()));
        }
        let mut r = Replay::new(sc).unwrap();
        let mut slices = 0;
        while !r.run(&mut |work| work < 20_000, &mut |_| {}).unwrap() {
            slices += 1;
        }
        assert!(
            slices > 10,
            "{slices} {} {}",
            r.timeline().sim.work(),
            r.timeline().sim.events_processed()
        );
        let mut t = r.into_timeline();
        assert_eq!(t.edits(), direct.edits());
        assert_eq!(t.sim.trace_hash(), direct.sim.trace_hash());
        // Checkpoints: none inside a sleep, so seeking into one lands at
        // its end, as on the direct timeline.
        for at in [
            0,
            1_000_000_000,
            2_000_000_000,
            2_200_000_000,
            3_000_000_000,
        ] {
            t.seek(at);
            direct.seek(at);
            assert_eq!(t.now(), direct.now(), "{at}");
            assert_eq!(t.sim.snapshot(), direct.sim.snapshot(), "{at}");
        }
    }

    #[test]
    fn only_a_plain_sleep_is_sliced() {
        use crate::shell::only_sleeps;
        assert_eq!(only_sleeps("sleep 100ms"), Some(100_000_000));
        assert_eq!(only_sleeps(" sleep  2s "), Some(2_000_000_000));
        for l in [
            "sleep 1s; true",
            "sleep",
            "sleep 1s 2s",
            "sleep x",
            "sleep 1s > f",
            "sleep $?",
            "sleep\t1s",
        ] {
            assert_eq!(only_sleeps(l), None, "{l}");
        }
    }
}
