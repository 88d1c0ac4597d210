//! Edits: the shell lines and inspector writes that change the machine,
//! made through the timeline (so that an edit in the past forks the future),
//! and the workload editor's spawn, kill and respawn, which are shell lines.

use std::rc::Rc;

use memcg::timeline::{EditKind, EditOutcome};
use memcg::Simulator;

use super::console::output_lines;
use super::log::newest_lines;
use super::{Line, LineKind, Notice, Spec, State, WriteError, LOG_KEEP};

impl State {
    /// Run a line through the shell as the user typed it.
    pub(super) fn exec(&mut self, line: &str) {
        let prompt = self.prompt();
        let command = line.trim();
        self.push_lines([Line::new(LineKind::Input, format!("{prompt} {command}"))]);
        self.remember(command);
        if command == "clear" {
            // A playground convenience rather than a shell command.
            Rc::make_mut(&mut self.lines).clear();
            return;
        }
        if command.is_empty() {
            return;
        }
        if let Some(d) = memcg::shell::only_sleeps(command) {
            // A sleep only runs the clock: play the timeline forward (its
            // checkpoints let the scrubber go back into the sleep) rather
            // than an edit, whose inside a seek cannot enter. In the past
            // it moves along the future already there, as +1 s does.
            let before = self.model.borrow().sim.trace_len();
            {
                let mut model = self.model.borrow_mut();
                let t = model.now().saturating_add(d);
                model.advance(t, &mut |_| true, None);
            }
            self.after_step(before);
            return;
        }
        let forked = self.forks();
        let out = {
            let mut model = self.model.borrow_mut();
            if memcg::shell::is_read_only(command) && model.now() < model.horizon() {
                // Looking at the past must not drop the future: a line
                // that only reads runs on a scratch copy.
                Simulator::clone(&model.sim).exec(command)
            } else {
                match model.edit(EditKind::Exec(command.to_string())) {
                    EditOutcome::Exec(out) => {
                        self.notice = forked.or(self.notice.take());
                        out
                    }
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

    /// The notice for an edit made now, when it drops the future already
    /// simulated (the timeline forks at the edit): said at that moment,
    /// not found later by a scrubber that stopped short.
    fn forks(&self) -> Option<Notice> {
        let model = self.model.borrow();
        (model.now() < model.horizon()).then(|| {
            Notice::note(format!(
                "The timeline after t = {} was discarded by this edit (it was simulated to {}).",
                crate::format::clock(model.now()),
                crate::format::clock(model.horizon())
            ))
        })
    }

    pub(super) fn after_edit(&mut self) {
        self.refresh();
        let log = newest_lines(&self.model.borrow().sim, LOG_KEEP);
        self.log = Rc::new(log);
        self.reload_rare();
    }

    pub(super) fn write_file(&mut self, file: &str, value: &str) {
        let dir = self.selected.clone();
        let path = format!("{dir}/{file}");
        if let Some(n) = self.forks() {
            self.notice = Some(n);
        }
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

    /// Start a task in the selected cgroup.
    pub(super) fn spawn(&mut self, spec: &Spec) {
        let line = spec.command(&self.selected);
        self.exec(&line);
    }

    /// Replace task `pid` by one with `spec`, in the same cgroup.
    pub(super) fn respawn(&mut self, pid: u32, spec: &Spec) {
        let cgroup = self
            .snap
            .tasks
            .iter()
            .find(|t| t.pid == pid)
            .map(|t| format!("{}{}", self.mount(), t.cgroup));
        if let Some(path) = cgroup {
            self.exec(&format!("kill {pid}"));
            self.exec(&spec.command(&path));
        }
    }
}
