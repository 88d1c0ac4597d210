//! The `memcg_wmark` workqueue's per-memcg work state (spec §10).
//!
//! One `work_struct` per memcg. `queue_work` on a pending item is a no-op; on
//! a running item it re-arms it to run once more after the current run.

/// State of one memcg's `wmark_work` (§10 simulator model).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum WorkState {
    #[default]
    Idle,
    Pending,
    Running,
    RunningPending,
}

impl WorkState {
    /// `queue_work`: returns whether the item was queued (false if it was
    /// already pending).
    pub fn queue(&mut self) -> bool {
        match *self {
            WorkState::Idle => {
                *self = WorkState::Pending;
                true
            }
            WorkState::Running => {
                *self = WorkState::RunningPending;
                true
            }
            WorkState::Pending | WorkState::RunningPending => false,
        }
    }

    /// The executor picked the item up.
    pub fn start(&mut self) {
        debug_assert_eq!(*self, WorkState::Pending);
        *self = WorkState::Running;
    }

    /// The work function returned: Running+Pending → Pending, Running → Idle.
    pub fn finish(&mut self) {
        *self = match *self {
            WorkState::RunningPending => WorkState::Pending,
            _ => WorkState::Idle,
        };
    }

    /// `cancel_work_sync` at css_free: a pending run is dropped.
    pub fn cancel(&mut self) {
        *self = WorkState::Idle;
    }

    /// Short label for traces and the UI.
    pub fn label(&self) -> &'static str {
        match self {
            WorkState::Idle => "idle",
            WorkState::Pending => "pending",
            WorkState::Running => "running",
            WorkState::RunningPending => "running+pending",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::WorkState::*;
    use super::*;

    #[test]
    fn state_machine() {
        let mut w = WorkState::default();
        assert!(w.queue());
        assert_eq!(w, Pending);
        assert!(!w.queue(), "pending work merges");
        w.start();
        assert_eq!(w, Running);
        assert!(w.queue());
        assert_eq!(w, RunningPending);
        assert!(!w.queue());
        w.finish();
        assert_eq!(w, Pending);
        w.start();
        w.finish();
        assert_eq!(w, Idle);
    }
}
