//! The console transcript (what the shell printed, styled by kind) and the
//! command history (ArrowUp/ArrowDown).

use std::rc::Rc;

use memcg::Version;

use super::State;

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

pub fn version_label(version: Version) -> &'static str {
    match version {
        Version::V1 => "v1",
        Version::V2 => "v2",
    }
}

pub(super) fn welcome(version: Version) -> Vec<Line> {
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

impl State {
    pub(super) fn push_lines(&mut self, new: impl IntoIterator<Item = Line>) {
        let lines = Rc::make_mut(&mut self.lines);
        lines.extend(new);
        if lines.len() > MAX_LINES {
            let excess = lines.len() - MAX_LINES;
            lines.drain(..excess);
        }
    }

    /// Add a typed command to the history (not blanks, not a repeat of
    /// the last one).
    pub(super) fn remember(&mut self, command: &str) {
        if !command.is_empty() {
            let history = Rc::make_mut(&mut self.history);
            if history.last().map(String::as_str) != Some(command) {
                history.push(command.to_string());
                if history.len() > MAX_HISTORY {
                    history.remove(0);
                }
            }
        }
    }
}
