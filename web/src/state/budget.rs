//! How much one frame may simulate. The caller decides and passes it in:
//! the page a slice of wall time read on its clock (`performance.now()`),
//! native builds and tests a count of events, so that both run the same
//! reducer code and only the budget differs.

/// Script time one frame may spend simulating, ms.
pub const FRAME_BUDGET_MS: f64 = 4.0;
/// Script time spent replaying a scenario before the first paint, ms.
pub const INITIAL_LOAD_MS: f64 = 150.0;
/// Events one frame may process when no clock is available (native); a
/// replay's slice counts work units instead (`Loader::work`).
pub const FRAME_EVENTS: u64 = 200_000;

/// The page's clock, ms (`performance.now()`).
#[cfg(target_arch = "wasm32")]
pub(crate) fn wall_now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Native builds have no page clock: it stands still.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn wall_now() -> f64 {
    0.0
}

/// A clock that stands still, for budgets counted in events.
fn stopped() -> f64 {
    0.0
}

/// What one slice of simulation (a frame, a piece of a replay) may spend:
/// it goes on while both its events and its wall time last.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    /// Reads the wall clock, ms.
    pub clock: fn() -> f64,
    /// Wall time a slice may take, ms on `clock`.
    pub ms: f64,
    /// Events a slice may process.
    pub events: u64,
}

impl Budget {
    /// `FRAME_EVENTS` events a frame and a clock that stands still:
    /// deterministic, whatever the machine's speed (native builds, tests).
    pub const EVENTS: Budget = Budget {
        clock: stopped,
        ms: FRAME_BUDGET_MS,
        events: FRAME_EVENTS,
    };

    /// `FRAME_BUDGET_MS` of wall time a frame on `clock`, events unbounded
    /// (the page, with `wall_now`).
    pub fn wall(clock: fn() -> f64) -> Budget {
        Budget {
            clock,
            ms: FRAME_BUDGET_MS,
            events: u64::MAX,
        }
    }

    /// The same with `ms` of wall time a slice.
    pub fn with_ms(self, ms: f64) -> Budget {
        Budget { ms, ..self }
    }

    /// A slice starting now.
    pub fn start(self) -> Slice {
        Slice {
            start: (self.clock)(),
            budget: self,
        }
    }
}

/// A slice of a [`Budget`] being spent.
#[derive(Clone, Copy, Debug)]
pub struct Slice {
    budget: Budget,
    start: f64,
}

impl Slice {
    /// Whether to go on after `events` events of the slice.
    pub fn more(&self, events: u64) -> bool {
        events < self.budget.events && self.elapsed() < self.budget.ms
    }

    /// Wall time since the slice started, ms.
    pub fn elapsed(&self) -> f64 {
        (self.budget.clock)() - self.start
    }
}
