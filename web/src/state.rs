//! Playground state, in the style of Yew's function_todomvc: one [`State`]
//! holding the live simulator with its timeline ([`Model`]), a [`Snapshot`]
//! of it for the views, and the UI settings; an [`Action`] for every user
//! intent. Components never touch the simulator: they render the snapshot
//! and emit callbacks that the root turns into actions.
//!
//! The model sits behind `Rc<RefCell<_>>` so that a frame's action does not
//! copy the simulator: each reduction mutates it in place and publishes a
//! fresh snapshot, which is what the views compare and draw.

use std::cell::RefCell;
use std::rc::Rc;

use memcg::shell::SpawnSpec;
use memcg::sim::Snapshot;
use memcg::tree::VecMap;
use memcg::{Simulator, Version};
use yew::Reducible;

use crate::scenarios::{Scenario as Preset, Trigger, SCENARIOS};
use crate::share::Loader;
use memcg::scenario::Scenario;
use memcg::timeline::{EditKind, EditOutcome, Timeline as Model};

/// Console lines kept in memory; older ones are dropped first.
pub const MAX_LINES: usize = 5000;
/// Commands kept for ArrowUp/ArrowDown.
pub const MAX_HISTORY: usize = 500;
/// Trace lines kept for the event log.
pub const LOG_KEEP: usize = 400;
/// Speed slider range, in tenths of a decade (×0.01 … ×1000).
pub const SPEED_MIN: i32 = -20;
pub const SPEED_MAX: i32 = 30;
/// Longest frame taken into account (a background tab must not jump).
pub const MAX_FRAME_MS: f64 = 100.0;
/// How long a flow stays drawn after its last event, wall ms.
pub const FLOW_HOLD_MS: f64 = 450.0;

/// What a console line is, so that it can be styled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineKind {
    /// The prompt and the command the user typed.
    Input,
    Stdout,
    Stderr,
    /// A note from the playground itself (welcome, reset).
    Info,
}

impl LineKind {
    pub fn class(self) -> &'static str {
        match self {
            LineKind::Input => "input",
            LineKind::Stdout => "stdout",
            LineKind::Stderr => "stderr",
            LineKind::Info => "info",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line {
    pub kind: LineKind,
    pub text: String,
}

impl Line {
    pub fn new(kind: LineKind, text: impl Into<String>) -> Self {
        Line {
            kind,
            text: text.into(),
        }
    }
}

/// Colour scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Theme {
    /// Follow `prefers-color-scheme`.
    #[default]
    Auto,
    Light,
    Dark,
}

impl Theme {
    pub fn name(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
    pub fn parse(s: &str) -> Theme {
        match s {
            "light" => Theme::Light,
            "dark" => Theme::Dark,
            _ => Theme::Auto,
        }
    }
    fn next(self) -> Theme {
        match self {
            Theme::Auto => Theme::Light,
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::Auto,
        }
    }
}

/// A task as the workload editor describes it: the arguments of `spawn`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spec {
    /// `anon`, `file`, `dirty` or a preset of `memcg::workload::PRESETS`.
    pub kind: String,
    /// Size as memparse reads it, e.g. `512M`.
    pub size: String,
    /// Rate per second, e.g. `100M`; empty for the program's default.
    pub rate: String,
    /// Working set, e.g. `128M`; empty for the default.
    pub ws: String,
    /// Keep the memory after allocating (`--hold`, plain kinds only).
    pub hold: bool,
}

impl Default for Spec {
    fn default() -> Self {
        Spec {
            kind: "steady".into(),
            size: "256M".into(),
            rate: "50M".into(),
            ws: String::new(),
            hold: false,
        }
    }
}

impl Spec {
    /// The core's spec of this form for the cgroup at `path` (blank
    /// optional fields are the program's defaults).
    pub fn spawn_spec(&self, path: &str) -> SpawnSpec {
        let field = |s: &str| Some(s.trim()).filter(|s| !s.is_empty()).map(String::from);
        let rate = self.rate.trim();
        SpawnSpec {
            path: path.to_string(),
            kind: self.kind.trim().to_string(),
            size: self.size.trim().to_string(),
            rate: field(rate.strip_suffix("/s").unwrap_or(rate)),
            ws: field(&self.ws),
            hold: self.hold,
        }
    }

    /// The `spawn` line for the cgroup at `path`.
    pub fn command(&self, path: &str) -> String {
        self.spawn_spec(path).to_string()
    }

    /// The path and form of a `spawn` line (None if it is not one).
    pub fn parse(line: &str) -> Option<(String, Spec)> {
        let s = SpawnSpec::parse(line).ok()?;
        let spec = Spec {
            kind: s.kind,
            size: s.size,
            rate: s.rate.unwrap_or_default(),
            ws: s.ws.unwrap_or_default(),
            hold: s.hold,
        };
        Some((s.path, spec))
    }
}

/// The spec of each task spawned from the playground, by pid (a short list:
/// a map type of its own would cost more wasm than it saves).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Specs(Vec<(u32, Spec)>);

impl Specs {
    pub fn get(&self, pid: u32) -> Option<&Spec> {
        self.0.iter().find(|(p, _)| *p == pid).map(|(_, s)| s)
    }

    pub fn insert(&mut self, pid: u32, spec: Spec) {
        match self.0.iter_mut().find(|(p, _)| *p == pid) {
            Some(slot) => slot.1 = spec,
            None => self.0.push((pid, spec)),
        }
    }
}

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

/// Flows drawn on a cgroup: charging by its tasks, reclaim by the worker,
/// by direct reclaim and by the OOM killer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Flows {
    pub charge: bool,
    pub worker: bool,
    pub direct: bool,
    pub oom: bool,
}

/// An inspector write that failed, shown next to its file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WriteError {
    pub path: String,
    pub file: String,
    pub value: String,
    /// As the kernel says it, e.g. `Invalid argument`.
    pub message: String,
}

/// A message over the page: an error (`role=alert`, it stays until
/// dismissed) or a note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    pub error: bool,
    pub text: String,
}

impl Notice {
    pub fn error(text: impl Into<String>) -> Notice {
        Notice {
            error: true,
            text: text.into(),
        }
    }
    pub fn note(text: impl Into<String>) -> Notice {
        Notice {
            error: false,
            text: text.into(),
        }
    }
}

/// What the scenario being opened comes from, for messages.
pub type Source = &'static str;

pub enum Action {
    /// Run one line through the simulator's shell.
    Exec(String),
    /// Show this cgroup (an absolute directory path) in the inspector.
    Select(String),
    /// Throw the simulator away and start a fresh, empty one of this version.
    Reset(Version),
    /// Start over: reload the current scenario (or an empty machine).
    Restart,
    /// Load a preset scenario (index into [`SCENARIOS`]) and start its tour.
    LoadScenario(usize),
    /// One animation frame: `dt_ms` of wall time passed; `wall_ms` is now.
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
    /// Wall-clock deadlines (ms) of each cgroup's flows:
    /// [charge, worker, direct, oom].
    pub flow_until: Rc<FlowDeadlines>,
    pub wall_ms: f64,
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
}

pub fn version_label(version: Version) -> &'static str {
    match version {
        Version::V1 => "v1",
        Version::V2 => "v2",
    }
}

fn welcome(version: Version) -> Vec<Line> {
    let mount = version.mount_point();
    vec![
        Line::new(
            LineKind::Info,
            format!(
                "# cgroup {} memory controller mounted at {mount}",
                version_label(version)
            ),
        ),
        Line::new(
            LineKind::Info,
            format!("# try: mkdir {mount}/test/   then: ls {mount}/test"),
        ),
    ]
}

/// A command's output as console lines.
pub fn output_lines(out: &memcg::shell::Output) -> Vec<Line> {
    out.stdout
        .lines()
        .map(|l| Line::new(LineKind::Stdout, l))
        .chain(out.stderr.lines().map(|l| Line::new(LineKind::Stderr, l)))
        .collect()
}

/// The trace's memcg column for a cgroup path (`/` for the root).
pub fn rel_path(mount: &str, path: &str) -> String {
    match path.strip_prefix(mount) {
        Some("") | None => "/".to_string(),
        Some(rel) => rel.to_string(),
    }
}

/// Event and memcg columns of a trace line, the memcg unescaped (a cgroup
/// name may hold spaces).
pub fn trace_fields(line: &str) -> Option<(&'static str, std::borrow::Cow<'_, str>)> {
    let l = memcg::trace::parse_line(line)?;
    Some((l.kind.as_str(), l.memcg))
}

/// The newest `n` trace lines of `sim`, oldest first.
fn newest_lines(sim: &Simulator, n: usize) -> Vec<Rc<str>> {
    let kept = sim.trace_len().min(memcg::trace::TRACE_KEEP as u64) as usize;
    sim.trace_recent()
        .skip(kept.saturating_sub(n))
        .map(Rc::from)
        .collect()
}

/// Groups with more children than this start collapsed.
pub const COLLAPSE_OVER: usize = 8;

fn initial_collapsed(snap: &Snapshot) -> Vec<String> {
    let cgs = &snap.cgroups;
    let mut out = Vec::new();
    for (i, cg) in cgs.iter().enumerate() {
        if cg.depth == 0 {
            continue;
        }
        // Pre-order: the children follow, one level deeper, until the
        // depth comes back up.
        let children = cgs[i + 1..]
            .iter()
            .take_while(|c| c.depth > cg.depth)
            .filter(|c| c.depth == cg.depth + 1)
            .count();
        if children > COLLAPSE_OVER {
            out.push(cg.path.clone());
        }
    }
    out
}

#[cfg(target_arch = "wasm32")]
pub(crate) fn wall_now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn wall_now() -> f64 {
    0.0
}

/// Script time one frame may spend simulating, ms.
pub const FRAME_BUDGET_MS: f64 = 4.0;
/// Script time spent replaying a scenario before the first paint, ms.
pub const INITIAL_LOAD_MS: f64 = 150.0;
/// Events one frame may process when no clock is available (native).
pub const FRAME_EVENTS: u64 = 200_000;

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
            lines: Rc::new(welcome(version)),
            history: Rc::new(Vec::new()),
            collapsed: Rc::new(Vec::new()),
            playing: false,
            speed: 0,
            lagging: false,
            scenario: None,
            tour: None,
            log: Rc::new(Vec::new()),
            flow_until: Rc::default(),
            wall_ms: 0.0,
            write_error: None,
            help: false,
            theme: Theme::Auto,
            specs: Rc::new(Specs::default()),
            notice: None,
            loading: None,
            load_progress: None,
            replayed: false,
            no_tours: false,
        }
    }

    /// `fallback`, with `sc` being opened: what a short replay reaches in
    /// `INITIAL_LOAD_MS` shows at once, a longer one goes on frame by frame.
    pub fn opening(fallback: State, sc: Result<Scenario, String>, what: Source) -> State {
        let mut s = fallback;
        s.open(sc, what);
        if let Some(Some(loader)) = s.loading.as_ref().map(|l| l.borrow_mut()).as_deref_mut() {
            loader.fresh_console = true;
        }
        s.load_step(INITIAL_LOAD_MS);
        s
    }

    /// Start replaying `sc` (the current state stays until it is done).
    fn open(&mut self, sc: Result<Scenario, String>, what: Source) {
        match sc.and_then(|sc| Loader::new(sc, what)) {
            Ok(loader) => {
                self.loading = Some(Rc::new(RefCell::new(Some(loader))));
                self.load_progress = Some((0, what));
                self.notice = None;
            }
            Err(e) => self.open_failed(what, &e),
        }
    }

    fn open_failed(&mut self, what: Source, e: &str) {
        self.loading = None;
        self.load_progress = None;
        self.notice = Some(Notice::error(format!(
            "Could not open the {what}: {e}. The playground kept its current state."
        )));
    }

    /// One slice of the replay in progress.
    fn load_step(&mut self, ms: f64) {
        let Some(slot) = self.loading.clone() else {
            return;
        };
        let result = match slot.borrow_mut().as_mut() {
            Some(loader) => loader
                .work(ms, FRAME_EVENTS)
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
    fn install(&mut self, mut loader: Loader) {
        let version = loader.model().sim.version();
        let mut s = State::new(version);
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

    fn push_lines(&mut self, new: impl IntoIterator<Item = Line>) {
        let lines = Rc::make_mut(&mut self.lines);
        lines.extend(new);
        if lines.len() > MAX_LINES {
            let excess = lines.len() - MAX_LINES;
            lines.drain(..excess);
        }
    }

    /// Publish a new snapshot after the model changed.
    fn refresh(&mut self) {
        let model = self.model.borrow();
        self.snap = Rc::new(model.sim.snapshot());
        self.rev += 1;
        drop(model);
        // The selected cgroup may have gone (rmdir, seek to before mkdir).
        if !self.snap.cgroups.iter().any(|cg| cg.path == self.selected) {
            self.selected = self.mount().to_string();
        }
    }

    /// Rebuild the event log from the simulator (after a seek or reload).
    fn reload_log(&mut self) {
        self.log = Rc::new(newest_lines(&self.model.borrow().sim, LOG_KEEP));
        self.flow_until = Rc::default();
    }

    /// Run a line through the shell as the user typed it.
    fn exec(&mut self, line: &str) {
        let prompt = self.prompt();
        let command = line.trim();
        self.push_lines([Line::new(LineKind::Input, format!("{prompt} {command}"))]);
        if !command.is_empty() {
            let history = Rc::make_mut(&mut self.history);
            if history.last().map(String::as_str) != Some(command) {
                history.push(command.to_string());
                if history.len() > MAX_HISTORY {
                    history.remove(0);
                }
            }
        }
        if command == "clear" {
            // A playground convenience rather than a shell command.
            Rc::make_mut(&mut self.lines).clear();
            return;
        }
        if command.is_empty() {
            return;
        }
        let out = {
            let mut model = self.model.borrow_mut();
            if memcg::shell::is_read_only(command) && model.now() < model.horizon() {
                // Looking at the past must not drop the future: a line
                // that only reads runs on a scratch copy.
                Simulator::clone(&model.sim).exec(command)
            } else {
                match model.edit(EditKind::Exec(command.to_string())) {
                    EditOutcome::Exec(out) => out,
                    EditOutcome::Write(_) => unreachable!(),
                }
            }
        };
        if let (Some((_, spec)), Ok(pid)) = (Spec::parse(command), out.stdout.trim().parse::<u32>())
        {
            Rc::make_mut(&mut self.specs).insert(pid, spec);
        }
        let lines = output_lines(&out);
        self.push_lines(lines);
        self.after_edit();
    }

    fn after_edit(&mut self) {
        self.refresh();
        let log = newest_lines(&self.model.borrow().sim, LOG_KEEP);
        self.log = Rc::new(log);
    }

    fn write_file(&mut self, file: &str, value: &str) {
        let dir = self.selected.clone();
        let path = format!("{dir}/{file}");
        let result = {
            let mut model = self.model.borrow_mut();
            match model.edit(EditKind::Write {
                path: path.clone(),
                value: value.to_string(),
            }) {
                EditOutcome::Write(r) => r,
                EditOutcome::Exec(_) => unreachable!(),
            }
        };
        // Echo the shell equivalent so the console teaches the files.
        let prompt = self.prompt();
        let mut lines = vec![Line::new(
            LineKind::Input,
            format!("{prompt} echo {value} > {path}"),
        )];
        match result {
            Ok(()) => self.write_error = None,
            Err(e) => {
                lines.push(Line::new(
                    LineKind::Stderr,
                    format!("bash: echo: write error: {}", e.message()),
                ));
                self.write_error = Some(WriteError {
                    path: dir,
                    file: file.to_string(),
                    value: value.to_string(),
                    message: e.message().to_string(),
                });
            }
        }
        self.push_lines(lines);
        self.after_edit();
    }

    fn reset(&mut self, version: Version) {
        let mut fresh = State::new(version);
        fresh.no_tours = self.no_tours;
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

    fn load_scenario(&mut self, index: usize) {
        let sc = &SCENARIOS[index];
        let (lines, history, theme) = (self.lines.clone(), self.history.clone(), self.theme);
        let no_tours = self.no_tours;
        *self = State::new(sc.version);
        self.lines = lines;
        self.history = history;
        self.theme = theme;
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

    fn apply_step_selection(&mut self) {
        let Some(tour) = self.tour else { return };
        if let Some(sel) = tour.scenario().tour[tour.step].select {
            let path = format!("{}{}", self.mount(), sel);
            if self.snap.cgroups.iter().any(|cg| cg.path == path) {
                self.selected = path;
            }
        }
    }

    fn tour_next(&mut self) {
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
            self.playing = true;
        }
    }

    /// The trigger the simulation runs towards, if a tour is waiting.
    fn armed(&self) -> Option<Trigger> {
        let tour = self.tour?;
        tour.waiting
            .then(|| tour.scenario().tour[tour.step].trigger)
    }

    fn fire_step(&mut self) {
        if let Some(tour) = self.tour.as_mut() {
            tour.waiting = false;
            self.playing = false;
        }
        self.apply_step_selection();
    }

    /// One animation frame of simulation.
    fn tick(&mut self, dt_ms: f64, wall_ms: f64) {
        let tick_start = wall_now();
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
            let start = wall_now();
            let mut budget = |events: u64| {
                if cfg!(target_arch = "wasm32") {
                    wall_now() - start < FRAME_BUDGET_MS
                } else {
                    events < FRAME_EVENTS
                }
            };
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
        self.refresh();
        crate::timing::record_sim(wall_now() - tick_start);
        if fired {
            self.fire_step();
        }
    }

    /// Feed the trace lines of the last frame to the log and the flows.
    fn take_new_trace(&mut self, before: u64, wall_ms: f64) {
        let model = self.model.borrow();
        let new = (model.sim.trace_len() - before).min(LOG_KEEP as u64 * 4) as usize;
        let fresh = newest_lines(&model.sim, new);
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
        for line in &fresh {
            let Some((event, memcg)) = trace_fields(line) else {
                continue;
            };
            let (kind, hold) = match event {
                "work_start" | "work_chunk" => (1, FLOW_HOLD_MS),
                "direct_reclaim" => (2, FLOW_HOLD_MS),
                "oom_kill" | "killed" => (3, 3.0 * FLOW_HOLD_MS),
                _ => continue,
            };
            let path = if memcg == "/" {
                mount.to_string()
            } else {
                format!("{mount}{memcg}")
            };
            flows.slot(path)[kind] = wall_ms + hold;
        }
        if !fresh.is_empty() {
            let log = Rc::make_mut(&mut self.log);
            log.extend(fresh);
            if log.len() > LOG_KEEP {
                let excess = log.len() - LOG_KEEP;
                log.drain(..excess);
            }
        }
    }

    fn seek(&mut self, t: u64) {
        self.model.borrow_mut().seek(t);
        self.refresh();
        self.reload_log();
    }

    fn after_step(&mut self, before: u64) {
        self.take_new_trace(before, self.wall_ms);
        self.refresh();
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
        match action {
            Action::Exec(line) => next.exec(&line),
            Action::Select(path) => {
                if next.selected != path {
                    next.write_error = None;
                }
                next.selected = path;
            }
            Action::Reset(version) => next.reset(version),
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
                next.load_step(FRAME_BUDGET_MS);
            }
            Action::Tick { dt_ms, wall_ms } => next.tick(dt_ms, wall_ms),
            Action::Play => next.playing = true,
            Action::Pause => next.playing = false,
            Action::TogglePlay => next.playing = !next.playing,
            Action::StepEvent => {
                next.playing = false;
                let before = next.model.borrow().sim.trace_len();
                next.model.borrow_mut().step_event();
                next.after_step(before);
            }
            Action::StepMs => {
                next.playing = false;
                let before = next.model.borrow().sim.trace_len();
                {
                    let mut model = next.model.borrow_mut();
                    let t = model.now() + 1_000_000;
                    model.advance(t, &mut |_| true, None);
                }
                next.after_step(before);
            }
            Action::SetSpeed(s) => next.speed = s.clamp(SPEED_MIN, SPEED_MAX),
            Action::SpeedBy(d) => next.speed = (next.speed + d).clamp(SPEED_MIN, SPEED_MAX),
            Action::Seek(t) => next.seek(t),
            Action::SeekBy(d) => {
                let t = (next.now() as i64).saturating_add(d).max(0) as u64;
                next.seek(t);
            }
            Action::WriteFile { file, value } => next.write_file(&file, &value),
            Action::DismissWriteError => next.write_error = None,
            Action::Spawn(spec) => {
                let line = spec.command(&next.selected);
                next.exec(&line);
            }
            Action::Kill(pid) => next.exec(&format!("kill {pid}")),
            Action::Respawn { pid, spec } => {
                let cgroup = next
                    .snap
                    .tasks
                    .iter()
                    .find(|t| t.pid == pid)
                    .map(|t| format!("{}{}", next.mount(), t.cgroup));
                if let Some(path) = cgroup {
                    next.exec(&format!("kill {pid}"));
                    next.exec(&spec.command(&path));
                }
            }
            Action::ToggleCollapse(path) => {
                let list = Rc::make_mut(&mut next.collapsed);
                match list.iter().position(|p| *p == path) {
                    Some(i) => {
                        list.remove(i);
                    }
                    None => list.push(path),
                }
            }
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
            Action::Noop => {}
        }
        Rc::new(next)
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenarios::by_id;

    fn run(state: Rc<State>, lines: &[&str]) -> Rc<State> {
        lines
            .iter()
            .fold(state, |s, l| s.reduce(Action::Exec(l.to_string())))
    }

    fn texts(state: &State, kind: LineKind) -> Vec<&str> {
        state
            .lines
            .iter()
            .filter(|l| l.kind == kind)
            .map(|l| l.text.as_str())
            .collect()
    }

    /// Plays frames of `dt` ms until virtual time `t`, clicking through tour
    /// stops.
    fn play_until(mut s: Rc<State>, t: u64, dt: f64) -> Rc<State> {
        s = s.reduce(Action::Play);
        let mut wall = 0.0;
        while s.now() < t {
            if !s.playing {
                s = s.reduce(Action::TourNext).reduce(Action::Play);
            }
            wall += dt;
            s = s.reduce(Action::Tick {
                dt_ms: dt,
                wall_ms: wall,
            });
        }
        s
    }

    #[test]
    fn seed_commands_fill_the_console() {
        let state = run(
            Rc::new(State::new(Version::V1)),
            &[
                "mkdir /sys/fs/cgroup/memory/test/",
                "echo 1G > /sys/fs/cgroup/memory/test/memory.limit_in_bytes",
                "echo 95 > /sys/fs/cgroup/memory/test/memory.wmark_ratio",
                "cat /sys/fs/cgroup/memory/test/memory.wmark_scale_factor",
                "cat /sys/fs/cgroup/memory/test/memory.wmark_high",
                "cat /sys/fs/cgroup/memory/test/memory.wmark_low",
            ],
        );
        assert_eq!(
            texts(&state, LineKind::Stdout),
            ["50", "1020051456", "1014685696"]
        );
        assert!(texts(&state, LineKind::Stderr).is_empty());
        assert_eq!(
            texts(&state, LineKind::Input)[0],
            "root@memcg:/sys/fs/cgroup/memory# mkdir /sys/fs/cgroup/memory/test/"
        );
        assert_eq!(state.history.len(), 6);
    }

    #[test]
    fn errors_go_to_stderr() {
        let state = run(
            Rc::new(State::new(Version::V1)),
            &[
                "mkdir /sys/fs/cgroup/memory/test",
                "echo 101 > /sys/fs/cgroup/memory/test/memory.wmark_ratio",
            ],
        );
        assert_eq!(
            texts(&state, LineKind::Stderr),
            ["bash: echo: write error: Invalid argument"]
        );
    }

    #[test]
    fn history_skips_blanks_and_repeats() {
        let state = run(
            Rc::new(State::new(Version::V1)),
            &["pwd", "pwd", "  ", "ls"],
        );
        assert_eq!(*state.history, ["pwd", "ls"]);
        // A blank line still echoes the prompt, like a terminal.
        assert_eq!(texts(&state, LineKind::Input).len(), 4);
    }

    #[test]
    fn clear_empties_the_console() {
        let state = run(Rc::new(State::new(Version::V1)), &["pwd", "clear"]);
        assert!(state.lines.is_empty());
        assert_eq!(*state.history, ["pwd", "clear"]);
    }

    #[test]
    fn removing_the_selected_cgroup_selects_the_root() {
        let state = run(
            Rc::new(State::new(Version::V1)),
            &["mkdir /sys/fs/cgroup/memory/a"],
        );
        let state = state.reduce(Action::Select("/sys/fs/cgroup/memory/a".into()));
        assert_eq!(state.selected, "/sys/fs/cgroup/memory/a");
        let state = run(state, &["rmdir /sys/fs/cgroup/memory/a"]);
        assert_eq!(state.selected, "/sys/fs/cgroup/memory");
    }

    #[test]
    fn reset_starts_a_fresh_simulator_and_keeps_history() {
        let state = run(
            Rc::new(State::new(Version::V1)),
            &[
                "mkdir /sys/fs/cgroup/memory/a",
                "cd /sys/fs/cgroup/memory/a",
            ],
        );
        let state = state.reduce(Action::Reset(Version::V2));
        assert_eq!(state.version(), Version::V2);
        assert_eq!(state.selected, "/sys/fs/cgroup");
        assert_eq!(state.prompt(), "root@memcg:/sys/fs/cgroup#");
        assert_eq!(state.history.len(), 2);
        assert!(state.lines.iter().any(|l| l.text.contains("reset")));
    }

    #[test]
    fn invalid_inspector_write_changes_nothing() {
        let state = run(
            Rc::new(State::new(Version::V1)),
            &["mkdir /sys/fs/cgroup/memory/t"],
        )
        .reduce(Action::Select("/sys/fs/cgroup/memory/t".into()));
        let files = |s: &State| s.model.borrow().sim.list_files(&s.selected).unwrap();
        let before = files(&state);
        let state = state.reduce(Action::WriteFile {
            file: "memory.wmark_ratio".into(),
            value: "101".into(),
        });
        assert_eq!(
            state.write_error.as_ref().unwrap().message,
            "Invalid argument"
        );
        assert_eq!(files(&state), before);
        let state = state.reduce(Action::WriteFile {
            file: "memory.wmark_ratio".into(),
            value: "95".into(),
        });
        assert!(state.write_error.is_none());
        assert_eq!(
            state
                .model
                .borrow()
                .sim
                .read("/sys/fs/cgroup/memory/t/memory.wmark_ratio")
                .unwrap(),
            "95\n"
        );
    }

    #[test]
    fn spawn_kill_and_respawn_from_the_workload_editor() {
        let state = run(
            Rc::new(State::new(Version::V2)),
            &["mkdir /sys/fs/cgroup/w"],
        )
        .reduce(Action::Select("/sys/fs/cgroup/w".into()));
        let state = state.reduce(Action::Spawn(Spec::default()));
        assert_eq!(state.snap.tasks.len(), 1);
        let pid = state.snap.tasks[0].pid;
        assert_eq!(state.specs.get(pid), Some(&Spec::default()));
        let spec = Spec {
            kind: "burst".into(),
            size: "64M".into(),
            ..Spec::default()
        };
        let state = state.reduce(Action::Respawn {
            pid,
            spec: spec.clone(),
        });
        let live: Vec<_> = state
            .snap
            .tasks
            .iter()
            .filter(|t| t.state != "killed")
            .collect();
        assert_eq!(live.len(), 1);
        assert_eq!(live[0].program, "burst");
        assert_eq!(state.specs.get(live[0].pid), Some(&spec));
        let pid = live[0].pid;
        let state = state.reduce(Action::Kill(pid));
        assert!(state.snap.tasks.iter().all(|t| t.state == "killed"));
    }

    #[test]
    fn tour_two_stops_where_it_says() {
        let mut s = Rc::new(State::with_scenario(by_id("stalls").unwrap()));
        assert_eq!(s.tour.unwrap().step, 0);
        assert!(!s.playing);
        let node = |s: &State, name: &str| {
            s.snap
                .cgroups
                .iter()
                .find(|c| c.name == name)
                .unwrap()
                .clone()
        };
        s = s.reduce(Action::SetSpeed(10)).reduce(Action::TourNext);
        assert!(s.playing);
        let mut wall = 0.0;
        let mut stops = Vec::new();
        while s.now() < 10_000_000_000 && stops.len() < 4 {
            wall += 16.0;
            s = s.reduce(Action::Tick {
                dt_ms: 16.0,
                wall_ms: wall,
            });
            if !s.playing {
                let tour = s.tour.unwrap();
                stops.push((tour.step, s.now(), s.selected.clone()));
                match tour.step {
                    1 => assert!(node(&s, "wmark95").work.starts_with("running")),
                    2 => {
                        let c = node(&s, "wmark95");
                        assert!(c.usage < c.wmark_low.unwrap(), "{c:?}");
                    }
                    3 => assert!(node(&s, "ratio0").events[2] > 0),
                    _ => {}
                }
                s = s.reduce(Action::TourNext);
            }
        }
        assert_eq!(stops.len(), 4, "{stops:?}");
        assert_eq!(stops[0].2, "/sys/fs/cgroup/wmark95");
        let s = play_until(s, 10_000_000_000, 16.0);
        let (r0, w95) = (node(&s, "ratio0"), node(&s, "wmark95"));
        assert!(r0.events[2] > 0 && r0.stall_ns > 0);
        assert_eq!(w95.events[2], 0);
        assert!(w95.worker_ns > 0);
        assert!(s.log.iter().any(|l| l.contains("work_chunk")));
    }

    #[test]
    fn every_tour_reaches_its_stops_within_a_minute() {
        for (i, sc) in SCENARIOS.iter().enumerate() {
            if sc.id == "fleet" {
                continue;
            }
            let mut s = Rc::new(State::with_scenario(i)).reduce(Action::SetSpeed(20));
            let mut wall = 0.0;
            while s.tour.is_some() && s.now() < 60_000_000_000 {
                if !s.playing {
                    s = s.reduce(Action::TourNext);
                }
                wall += 16.0;
                s = s.reduce(Action::Tick {
                    dt_ms: 16.0,
                    wall_ms: wall,
                });
            }
            assert!(s.tour.is_none(), "{}: stuck at {:?}", sc.id, s.tour);
        }
    }

    #[test]
    fn scrubbing_matches_a_straight_run() {
        let i = by_id("stalls").unwrap();
        let s = Rc::new(State::with_scenario(i)).reduce(Action::TourClose);
        let s = play_until(s.reduce(Action::SetSpeed(10)), 6_000_000_000, 16.0);
        let s = s.reduce(Action::Pause);
        let end = s.now();
        let want = (*s.snap).clone();

        let mut straight = Simulator::new(SCENARIOS[i].version);
        for l in SCENARIOS[i].setup() {
            straight.exec(&l);
        }
        straight.run_until(end);
        assert_eq!(straight.snapshot(), want);

        let s = s.reduce(Action::Seek(2_500_000_000));
        assert_eq!(s.now(), 2_500_000_000);
        let mut mid = Simulator::new(SCENARIOS[i].version);
        for l in SCENARIOS[i].setup() {
            mid.exec(&l);
        }
        mid.run_until(2_500_000_000);
        assert_eq!(*s.snap, mid.snapshot());
        let s = s.reduce(Action::Seek(end));
        assert_eq!(*s.snap, want);
        // Reading after seeking back does not fork; writing does.
        let s = s.reduce(Action::Seek(1_000_000_000)).reduce(Action::Exec(
            "cat /sys/fs/cgroup/wmark95/memory.current".into(),
        ));
        assert_eq!(s.horizon(), end);
        let s = s.reduce(Action::Exec(
            "echo 90 > /sys/fs/cgroup/wmark95/memory.wmark_ratio".into(),
        ));
        assert_eq!(s.horizon(), 1_000_000_000);
    }

    #[test]
    fn fleet_collapses_its_groups() {
        let s = State::with_scenario(by_id("fleet").unwrap());
        assert_eq!(s.snap.cgroups.len(), 201);
        assert_eq!(s.collapsed.len(), 10);
    }
}

#[cfg(test)]
mod tour_claims {
    //! What the tours' texts say happens does happen.
    use super::*;
    use crate::scenarios::by_id;

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
            .any(|l| trace_fields(l) == Some(("work_queued", "/parent".into()))));
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
