//! Playground state, in the style of Yew's function_todomvc: one [`State`]
//! holding the live [`Simulator`] plus what the UI shows about it, and an
//! [`Action`] for every user intent. Components never touch the simulator;
//! they emit callbacks that the root turns into actions.

use std::rc::Rc;

use memcg::{Simulator, Version};
use yew::Reducible;

/// Console lines kept in memory; older ones are dropped first.
pub const MAX_LINES: usize = 5000;
/// Commands kept for ArrowUp/ArrowDown.
pub const MAX_HISTORY: usize = 500;

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

pub enum Action {
    /// Run one line through the simulator's shell.
    Exec(String),
    /// Show this cgroup (an absolute directory path) in the inspector.
    Select(String),
    /// Throw the simulator away and start a fresh one of this version.
    Reset(Version),
}

#[derive(Clone)]
pub struct State {
    pub sim: Simulator,
    /// Console transcript.
    pub lines: Rc<Vec<Line>>,
    /// Absolute path of the cgroup shown in the inspector.
    pub selected: String,
    /// Commands entered so far, oldest first.
    pub history: Rc<Vec<String>>,
}

pub fn version_label(version: Version) -> &'static str {
    match version {
        Version::V1 => "v1",
        Version::V2 => "v2",
    }
}

fn welcome(sim: &Simulator) -> Vec<Line> {
    let mount = sim.mount_point();
    vec![
        Line::new(
            LineKind::Info,
            format!(
                "# cgroup {} memory controller mounted at {mount}",
                version_label(sim.version())
            ),
        ),
        Line::new(
            LineKind::Info,
            format!("# try: mkdir {mount}/test/   then: ls {mount}/test"),
        ),
    ]
}

impl State {
    pub fn new(version: Version) -> Self {
        let sim = Simulator::new(version);
        let lines = welcome(&sim);
        State {
            selected: sim.mount_point().to_string(),
            sim,
            lines: Rc::new(lines),
            history: Rc::new(Vec::new()),
        }
    }

    /// The shell prompt, showing the working directory like bash does.
    pub fn prompt(&self) -> String {
        format!("root@memcg:{}#", self.sim.cwd())
    }

    fn exec(&mut self, line: &str) {
        let prompt = self.prompt();
        let lines = Rc::make_mut(&mut self.lines);
        let command = line.trim();
        lines.push(Line::new(LineKind::Input, format!("{prompt} {command}")));
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
            lines.clear();
        } else if !command.is_empty() {
            let out = self.sim.exec(command);
            lines.extend(out.stdout.lines().map(|l| Line::new(LineKind::Stdout, l)));
            lines.extend(out.stderr.lines().map(|l| Line::new(LineKind::Stderr, l)));
        }
        if lines.len() > MAX_LINES {
            let excess = lines.len() - MAX_LINES;
            lines.drain(..excess);
        }
        // The selected cgroup may have been removed (rmdir).
        if !self.sim.cgroups().iter().any(|cg| cg.path == self.selected) {
            self.selected = self.sim.mount_point().to_string();
        }
    }

    fn reset(&mut self, version: Version) {
        let fresh = State::new(version);
        let lines = Rc::make_mut(&mut self.lines);
        lines.push(Line::new(
            LineKind::Info,
            format!("# reset: new simulator, cgroup {}", version_label(version)),
        ));
        lines.extend(fresh.lines.iter().cloned());
        self.sim = fresh.sim;
        self.selected = fresh.selected;
    }
}

impl Reducible for State {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut next = Rc::unwrap_or_clone(self);
        match action {
            Action::Exec(line) => next.exec(&line),
            Action::Select(path) => next.selected = path,
            Action::Reset(version) => next.reset(version),
        }
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(state.sim.version(), Version::V2);
        assert_eq!(state.selected, "/sys/fs/cgroup");
        assert_eq!(state.prompt(), "root@memcg:/sys/fs/cgroup#");
        assert_eq!(state.history.len(), 2);
        assert!(state.lines.iter().any(|l| l.text.contains("reset")));
    }
}
