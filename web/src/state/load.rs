//! Loading: a preset scenario (set up at once), a shared scenario (a link,
//! a file or an embed's script, replayed by the [`Loader`] a slice per
//! frame, the current state staying until it is done) and a reset to an
//! empty machine.

use std::cell::RefCell;
use std::rc::Rc;

use memcg::scenario::Scenario;
use memcg::timeline::Timeline as Model;
use memcg::Version;

use crate::scenarios::SCENARIOS;
use crate::share::Loader;

use super::console::{output_lines, version_label, welcome};
use super::tree::initial_collapsed;
use super::{Budget, Line, LineKind, Notice, Source, Spec, Specs, State, Tour, INITIAL_LOAD_MS};

impl State {
    /// `fallback`, with `sc` being opened: what a short replay reaches in
    /// `INITIAL_LOAD_MS` shows at once, a longer one goes on frame by frame.
    pub fn opening(fallback: State, sc: Result<Scenario, String>, what: Source) -> State {
        let mut s = fallback;
        s.open(sc, what);
        if let Some(Some(loader)) = s.loading.as_ref().map(|l| l.borrow_mut()).as_deref_mut() {
            loader.fresh_console = true;
        }
        s.load_step(s.budget.with_ms(INITIAL_LOAD_MS));
        s
    }

    /// Start replaying `sc` (the current state stays until it is done).
    pub(super) fn open(&mut self, sc: Result<Scenario, String>, what: Source) {
        match sc.and_then(|sc| Loader::new(sc, what)) {
            Ok(loader) => {
                self.loading = Some(Rc::new(RefCell::new(Some(loader))));
                self.load_progress = Some((0, what));
                self.notice = None;
            }
            Err(e) => self.open_failed(what, &e),
        }
    }

    /// Drop the replay and say why it failed; the state stays.
    pub(super) fn open_failed(&mut self, what: Source, e: &str) {
        self.loading = None;
        self.load_progress = None;
        self.notice = Some(Notice::error(format!(
            "Could not open the {what}: {e}. The playground kept its current state."
        )));
    }

    /// One slice of the replay in progress.
    pub(super) fn load_step(&mut self, budget: Budget) {
        let Some(slot) = self.loading.clone() else {
            return;
        };
        let result = match slot.borrow_mut().as_mut() {
            Some(loader) => loader
                .work(budget.ms, budget.events)
                .map(|done| (done, loader.percent())),
            None => return,
        };
        match result {
            Ok((false, p)) => self.load_progress = self.load_progress.map(|(_, w)| (p, w)),
            Ok((true, _)) => {
                if let Some(loader) = slot.borrow_mut().take() {
                    self.install(loader);
                }
            }
            Err(e) => {
                let what = self.load_progress.map_or("scenario", |(_, w)| w);
                self.open_failed(what, &e);
            }
        }
    }

    /// Replace the state by a finished replay.
    pub(super) fn install(&mut self, mut loader: Loader) {
        let version = loader.model().sim.version();
        let mut s = State::new(version);
        s.budget = self.budget;
        s.no_tours = self.no_tours;
        let example = loader.what == "example";
        if example {
            // An embed's script: its console shows the script, nothing else.
            s.lines = Rc::default();
        } else if !loader.fresh_console {
            s.lines = self.lines.clone();
        }
        s.history = self.history.clone();
        s.theme = self.theme;
        s.speed = self.speed;
        let (n, _) = loader.entries();
        if !example {
            s.push_lines([Line::new(
                LineKind::Info,
                format!(
                    "# opened a {}: {n} journal entries replayed to t = {}",
                    loader.what,
                    crate::format::clock(loader.model().now())
                ),
            )]);
        }
        s.push_lines(std::mem::take(&mut loader.lines));
        if loader.cut {
            s.push_lines([Line::new(
                LineKind::Info,
                "# (the console shows the first commands only)",
            )]);
        }
        s.specs = Rc::new(std::mem::take(&mut loader.specs));
        s.model = Rc::new(RefCell::new(loader.into_model()));
        s.replayed = true;
        s.refresh();
        if let Some(first) = s.snap.cgroups.iter().find(|c| c.depth == 1) {
            s.selected = first.path.clone();
        }
        s.collapsed = Rc::new(initial_collapsed(&s.snap));
        s.reload_log();
        *self = s;
    }

    /// A machine with scenario `index` set up and its tour at the start.
    pub fn with_scenario(index: usize) -> Self {
        let mut s = State::new(SCENARIOS[index].version);
        s.load_scenario(index);
        s
    }

    /// Throw the simulator away for an empty machine of `version`; the
    /// console, the history and the settings stay.
    pub(super) fn reset(&mut self, version: Version) {
        let mut fresh = State::new(version);
        fresh.no_tours = self.no_tours;
        fresh.budget = self.budget;
        fresh.lines = self.lines.clone();
        fresh.history = self.history.clone();
        fresh.theme = self.theme;
        fresh.speed = self.speed;
        fresh.push_lines(
            std::iter::once(Line::new(
                LineKind::Info,
                format!("# reset: new simulator, cgroup {}", version_label(version)),
            ))
            .chain(welcome(version)),
        );
        *self = fresh;
    }

    /// Set up preset `index` (at time 0, its tour at the start).
    pub(super) fn load_scenario(&mut self, index: usize) {
        let sc = &SCENARIOS[index];
        let (lines, history, theme) = (self.lines.clone(), self.history.clone(), self.theme);
        let budget = self.budget;
        let no_tours = self.no_tours;
        *self = State::new(sc.version);
        self.lines = lines;
        self.history = history;
        self.theme = theme;
        self.budget = budget;
        self.no_tours = no_tours;
        self.push_lines([Line::new(
            LineKind::Info,
            format!("# scenario: {}", sc.title),
        )]);
        let mut sim = sc.machine();
        let mut out_lines = Vec::new();
        let mut specs = Specs::default();
        for line in sc.setup() {
            let prompt = format!("root@memcg:{}#", sim.cwd());
            let out = sim.exec(&line);
            if let (Some((_, spec)), Ok(pid)) =
                (Spec::parse(&line), out.stdout.trim().parse::<u32>())
            {
                specs.insert(pid, spec);
            }
            // A 200-cgroup setup would drown the console: show the start.
            if out_lines.len() < 60 {
                out_lines.push(Line::new(LineKind::Input, format!("{prompt} {line}")));
                out_lines.extend(output_lines(&out));
            }
        }
        self.push_lines(out_lines);
        self.model = Rc::new(RefCell::new(Model::new(sim)));
        self.specs = Rc::new(specs);
        self.scenario = Some(index);
        self.speed = sc.speed;
        self.selected = format!("{}{}", sc.version.mount_point(), sc.select);
        self.tour = (!no_tours).then_some(Tour {
            scenario: index,
            step: 0,
            waiting: false,
        });
        self.refresh();
        self.collapsed = Rc::new(initial_collapsed(&self.snap));
        self.reload_log();
        self.apply_step_selection();
    }
}
