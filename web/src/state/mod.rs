//! Playground state, in the style of Yew's function_todomvc: one [`State`]
//! holding the live simulator with its timeline ([`Model`]), a [`Snapshot`]
//! of it for the views, and the UI settings; an [`Action`] for every user
//! intent. Components never touch the simulator: they render the snapshot
//! and emit callbacks that the root turns into actions.
//!
//! The model sits behind `Rc<RefCell<_>>` so that a frame's action does not
//! copy the simulator: each reduction mutates it in place and publishes a
//! fresh snapshot, which is what the views compare and draw.
//!
//! The reducer reads no clock of its own: a frame's wall time comes with
//! [`Action::Tick`] and what a frame may spend is the state's [`Budget`],
//! set by whoever made the state (the page: wall time on
//! `performance.now()`; native builds and tests: a count of events).
//!
//! The parts, each adding its actions' methods to [`State`]: `console`
//! (transcript, history), `edits` (shell lines and file writes: the
//! journal's read-only rule is `memcg::shell::is_read_only`), `play` (frames, steps,
//! seeks), `budget`, `tour`, `log` (event log; `log::trace_fields` reads a
//! trace line), `flows`, `load` (presets, replays through the `Loader`,
//! reset), `spec` (the workload editor's `Spec`), `tree` (collapsed
//! groups), `notice`, `theme`; `tests`.

use std::cell::RefCell;
use std::rc::Rc;

use memcg::sim::Snapshot;
use memcg::{Simulator, Version};
use yew::Reducible;

use crate::scenarios::SCENARIOS;
use crate::share::Loader;
use memcg::scenario::Scenario;
use memcg::timeline::Timeline as Model;

mod budget;
mod compare;
mod console;
mod edits;
mod flows;
mod load;
mod log;
mod notice;
mod play;
mod spec;
#[cfg(test)]
mod tests;
mod theme;
mod tour;
mod tree;

pub(crate) use budget::wall_now;
pub use budget::{Budget, Slice, FRAME_BUDGET_MS, FRAME_EVENTS, INITIAL_LOAD_MS};
pub use compare::{Compare, CompareRun};
pub use console::{output_lines, version_label, Line, LineKind, MAX_HISTORY, MAX_LINES};
pub use flows::{FlowDeadlines, Flows, FLOW_HOLD_MS};
pub use log::{is_rare, log_lines, rel_path, trace_fields, LOG_KEEP, RARE_KEEP};
pub use notice::{Notice, WriteError};
pub use play::MAX_FRAME_MS;
pub use spec::{Spec, Specs};
pub use theme::Theme;
pub use tour::Tour;
pub use tree::COLLAPSE_OVER;

/// Speed slider range, in tenths of a decade (×0.01 … ×1000).
pub const SPEED_MIN: i32 = -20;
pub const SPEED_MAX: i32 = 30;

/// What the scenario being opened comes from, for messages.
pub type Source = &'static str;

pub enum Action {
    /// Run one line through the simulator's shell.
    Exec(String),
    /// Show this cgroup (an absolute directory path) in the inspector.
    Select(String),
    /// Throw the simulator away and start a fresh, empty one of this version.
    Reset(Version),
    /// The version selector: switch to this version, asking first when
    /// that would discard edits or a run (None: the user said Cancel).
    AskVersion(Option<Version>),
    /// Start over: reload the current scenario (or an empty machine).
    Restart,
    /// Load a preset scenario (index into [`SCENARIOS`]) and start its tour.
    LoadScenario(usize),
    /// One animation frame: `dt_ms` of wall time passed; `wall_ms` is now
    /// (on the caller's clock: the reducer reads none).
    Tick {
        dt_ms: f64,
        wall_ms: f64,
    },
    Play,
    Pause,
    TogglePlay,
    /// Process exactly one event.
    StepEvent,
    /// Advance virtual time by one millisecond.
    StepMs,
    /// Speed slider position, tenths of a decade.
    SetSpeed(i32),
    /// Move the speed slider by this many tenths.
    SpeedBy(i32),
    /// Seek the timeline to this virtual time (ns).
    Seek(u64),
    /// Seek relative to now (ns, may be negative).
    SeekBy(i64),
    /// Write `value` to `file` of the selected cgroup through the cgroupfs.
    WriteFile {
        file: String,
        value: String,
    },
    DismissWriteError,
    /// Start a task in the selected cgroup.
    Spawn(Spec),
    /// Kill a task.
    Kill(u32),
    /// Replace a task by one with a new spec (kill + spawn).
    Respawn {
        pid: u32,
        spec: Spec,
    },
    ToggleCollapse(String),
    TourNext,
    TourClose,
    SetTheme(Theme),
    CycleTheme,
    ToggleHelp,
    CloseHelp,
    /// Replay a scenario (from a link, a file or an embed's script), or
    /// say why it cannot be opened; either way the current state stays
    /// until the replay has succeeded.
    Open(Result<Scenario, String>, Source),
    /// Show a message over the page.
    Notify(Notice),
    DismissNotice,
    /// Open the compare view on this comparison (or say why not).
    OpenCompare(Result<crate::compare::Comparison, String>),
    /// Back to the single machine.
    CloseCompare,
    /// Replace run `index`'s settings (`NAME=VALUE,kernel=…`), add a run
    /// (`index` = the number of runs) or remove it (`text` = None).
    EditRun {
        index: usize,
        text: Option<String>,
    },
    /// Nothing (a shortcut that only moved the focus).
    Noop,
}

#[derive(Clone)]
pub struct State {
    pub model: Rc<RefCell<Model>>,
    /// What the views draw; replaced whenever the model moved.
    pub snap: Rc<Snapshot>,
    /// Bumped whenever the model changed (views keyed on the simulator).
    pub rev: u64,
    /// Console transcript.
    pub lines: Rc<Vec<Line>>,
    /// Absolute path of the selected cgroup.
    pub selected: String,
    /// Commands entered so far, oldest first.
    pub history: Rc<Vec<String>>,
    /// Collapsed groups (a short list).
    pub collapsed: Rc<Vec<String>>,
    pub playing: bool,
    pub speed: i32,
    /// The last frame could not simulate all of its virtual time.
    pub lagging: bool,
    pub scenario: Option<usize>,
    pub tour: Option<Tour>,
    /// The newest trace lines, oldest first (shared: a frame appends
    /// without copying the rest).
    pub log: Rc<Vec<Rc<str>>>,
    /// The rare lines ([`log::is_rare`]), newest [`RARE_KEEP`], kept past
    /// `log`'s window so that the log's filters still find them.
    pub rare: Rc<Vec<Rc<str>>>,
    /// Wall-clock deadlines (ms) of each cgroup's flows:
    /// [charge, worker, direct, oom].
    pub flow_until: Rc<FlowDeadlines>,
    pub wall_ms: f64,
    /// While playing a big tree: when `snap` was last built (wall ms), and
    /// whether the simulation has moved on since (see `play::BIG_TREE`).
    pub snap_wall_ms: f64,
    pub snap_stale: bool,
    pub write_error: Option<WriteError>,
    pub help: bool,
    pub theme: Theme,
    /// The spec each task was spawned with, by pid (for editing).
    pub specs: Rc<Specs>,
    /// The message shown over the page.
    pub notice: Option<Notice>,
    /// A scenario being replayed (it replaces the state when done).
    pub loading: Option<Rc<RefCell<Option<Loader>>>>,
    /// How far `loading` is: percent, and what is being opened.
    pub load_progress: Option<(u32, Source)>,
    /// The state was replayed from a scenario: Restart goes back to its
    /// time 0 rather than to an empty machine.
    pub replayed: bool,
    /// Presets load without their tours (embeds).
    pub no_tours: bool,
    /// What one frame (or one slice of a replay) may spend simulating.
    pub budget: Budget,
    /// A version switch waiting for the user to confirm that it discards
    /// this machine.
    pub confirm_version: Option<Version>,
    /// The compare view's runs, when it is open (the clock's actions
    /// then move them instead of the single machine).
    pub compare: Option<Rc<Compare>>,
}

impl State {
    /// An empty machine of `version`.
    pub fn new(version: Version) -> Self {
        let sim = Simulator::new(version);
        let snap = sim.snapshot();
        State {
            selected: version.mount_point().to_string(),
            model: Rc::new(RefCell::new(Model::new(sim))),
            snap: Rc::new(snap),
            rev: 0,
            lines: Rc::new(console::welcome(version)),
            history: Rc::new(Vec::new()),
            collapsed: Rc::new(Vec::new()),
            playing: false,
            speed: 0,
            lagging: false,
            scenario: None,
            tour: None,
            log: Rc::new(Vec::new()),
            rare: Rc::new(Vec::new()),
            flow_until: Rc::default(),
            wall_ms: 0.0,
            snap_wall_ms: 0.0,
            snap_stale: false,
            write_error: None,
            help: false,
            theme: Theme::Auto,
            specs: Rc::new(Specs::default()),
            notice: None,
            loading: None,
            load_progress: None,
            replayed: false,
            no_tours: false,
            budget: Budget::EVENTS,
            confirm_version: None,
            compare: None,
        }
    }

    pub fn version(&self) -> Version {
        self.snap.version
    }

    pub fn mount(&self) -> &'static str {
        self.version().mount_point()
    }

    /// The shell prompt, showing the working directory like bash does.
    pub fn prompt(&self) -> String {
        format!("root@memcg:{}#", self.model.borrow().sim.cwd())
    }

    pub fn now(&self) -> u64 {
        self.snap.now
    }

    pub fn horizon(&self) -> u64 {
        self.model.borrow().horizon()
    }

    /// Whether a reset would lose anything of the user's: an edit made or
    /// time run on this machine (a preset just loaded has neither).
    pub fn has_edits(&self) -> bool {
        let model = self.model.borrow();
        !model.edits().is_empty() || model.horizon() > 0
    }

    /// Publish a new snapshot after the model changed.
    /// The snapshot of now, if a frame of a big tree left it behind.
    pub(super) fn fresh_snapshot(&mut self) {
        if self.snap_stale {
            self.refresh();
        }
    }

    pub(super) fn refresh(&mut self) {
        self.snap_stale = false;
        let model = self.model.borrow();
        self.snap = Rc::new(model.sim.snapshot());
        self.rev += 1;
        drop(model);
        // The selected cgroup may have gone (rmdir, seek to before mkdir).
        if !self.snap.cgroups.iter().any(|cg| cg.path == self.selected) {
            self.selected = self.mount().to_string();
        }
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        match action {
            Action::Tick { .. } if !self.playing && self.loading.is_none() => return self,
            Action::Noop => return self,
            Action::CloseHelp if !self.help && self.notice.is_none() => return self,
            _ => {}
        }
        let mut next = Rc::unwrap_or_clone(self);
        if matches!(
            action,
            Action::Open(..) | Action::LoadScenario(_) | Action::Reset(_)
        ) {
            // A link pasted, a preset or a version chosen: back to one
            // machine.
            next.compare = None;
        }
        if next.compare.is_some() {
            // The shared clock: the clock's actions move every run.
            match action {
                Action::Tick { dt_ms, wall_ms } => next.compare_tick(dt_ms, wall_ms),
                Action::Play => next.playing = true,
                Action::Pause => next.compare_pause(),
                Action::TogglePlay if next.playing => next.compare_pause(),
                Action::TogglePlay => next.playing = true,
                Action::Seek(t) => next.compare_seek(t),
                Action::SeekBy(d) => {
                    let now = next.compare.as_ref().map_or(0, |c| c.now);
                    next.compare_seek((now as i64).saturating_add(d).max(0) as u64);
                }
                Action::StepMs | Action::StepEvent => {
                    next.playing = false;
                    let now = next.compare.as_ref().map_or(0, |c| c.now);
                    if let Some(c) = next.compare.as_mut() {
                        Rc::make_mut(c).advance(now + 1_000_000, Budget::EVENTS);
                        Rc::make_mut(c).sync();
                    }
                    next.rev += 1;
                }
                Action::Restart => {
                    next.playing = false;
                    next.compare_seek(0);
                }
                Action::CloseCompare => {
                    next.compare = None;
                    next.playing = false;
                    next.rev += 1;
                }
                Action::EditRun { index, text } => next.edit_compare(index, text),
                Action::OpenCompare(def) => next.open_compare(def),
                Action::SetSpeed(s) => next.speed = s.clamp(SPEED_MIN, SPEED_MAX),
                Action::SpeedBy(d) => next.speed = (next.speed + d).clamp(SPEED_MIN, SPEED_MAX),
                Action::SetTheme(t) => next.theme = t,
                Action::CycleTheme => next.theme = next.theme.next(),
                Action::ToggleHelp => next.help = !next.help,
                Action::CloseHelp if next.help => next.help = false,
                Action::CloseHelp => next.notice = None,
                Action::Notify(n) => next.notice = Some(n),
                Action::DismissNotice => next.notice = None,
                // The single machine's actions wait for the view to close.
                _ => return Rc::new(next),
            }
            return Rc::new(next);
        }
        match action {
            Action::Exec(line) => next.exec(&line),
            Action::Select(path) => {
                if next.selected != path {
                    next.write_error = None;
                }
                next.selected = path;
            }
            Action::Reset(version) => next.reset(version),
            Action::AskVersion(Some(v)) if v == next.version() => next.confirm_version = None,
            Action::AskVersion(Some(v)) if next.has_edits() => next.confirm_version = Some(v),
            Action::AskVersion(Some(v)) => next.reset(v),
            Action::AskVersion(None) => next.confirm_version = None,
            Action::Restart if next.replayed => {
                next.playing = false;
                next.seek(0);
            }
            Action::Restart => match next.scenario {
                Some(i) => next.load_scenario(i),
                None => next.reset(next.version()),
            },
            Action::LoadScenario(i) if i < SCENARIOS.len() => next.load_scenario(i),
            Action::LoadScenario(_) => {}
            Action::Tick { wall_ms, .. } if next.loading.is_some() => {
                next.wall_ms = wall_ms;
                next.load_step(next.budget);
            }
            Action::Tick { dt_ms, wall_ms } => next.tick(dt_ms, wall_ms),
            Action::Play => next.playing = true,
            Action::Pause => {
                next.playing = false;
                next.fresh_snapshot();
            }
            Action::TogglePlay => {
                next.playing = !next.playing;
                next.fresh_snapshot();
            }
            Action::StepEvent => next.step_event(),
            Action::StepMs => next.step_ms(),
            Action::SetSpeed(s) => next.speed = s.clamp(SPEED_MIN, SPEED_MAX),
            Action::SpeedBy(d) => next.speed = (next.speed + d).clamp(SPEED_MIN, SPEED_MAX),
            Action::Seek(t) => next.seek(t),
            Action::SeekBy(d) => {
                let t = (next.now() as i64).saturating_add(d).max(0) as u64;
                next.seek(t);
            }
            Action::WriteFile { file, value } => next.write_file(&file, &value),
            Action::DismissWriteError => next.write_error = None,
            Action::Spawn(spec) => next.spawn(&spec),
            Action::Kill(pid) => next.exec(&format!("kill {pid}")),
            Action::Respawn { pid, spec } => next.respawn(pid, &spec),
            Action::ToggleCollapse(path) => next.toggle_collapse(path),
            Action::TourNext => next.tour_next(),
            Action::TourClose => next.tour = None,
            Action::SetTheme(t) => next.theme = t,
            Action::CycleTheme => next.theme = next.theme.next(),
            Action::ToggleHelp => next.help = !next.help,
            Action::CloseHelp if next.help => next.help = false,
            Action::CloseHelp => next.notice = None,
            Action::Open(sc, what) => next.open(sc, what),
            Action::Notify(n) => next.notice = Some(n),
            Action::DismissNotice => next.notice = None,
            Action::OpenCompare(def) => next.open_compare(def),
            Action::CloseCompare | Action::EditRun { .. } => {}
            Action::Noop => {}
        }
        Rc::new(next)
    }
}
