//! Script time per animation frame, for the timing test (and anyone with a
//! console): `memcg.frame_times()` is, for each frame that rendered while
//! playing, the ms from the start of the `requestAnimationFrame` callback to
//! the end of the render it caused; `memcg.sim_times()` the part of it spent
//! in the reducer (simulation and snapshot).

use std::cell::{Cell, RefCell};

#[cfg(feature = "app")]
use wasm_bindgen::prelude::*;

const KEEP: usize = 100_000;

thread_local! {
    /// When the current animation frame's callback started (ms).
    pub(crate) static FRAME_START: Cell<Option<f64>> = const { Cell::new(None) };
    static FRAME_TIMES: RefCell<Vec<f64>> = const { RefCell::new(Vec::new()) };
    static SIM_TIMES: RefCell<Vec<f64>> = const { RefCell::new(Vec::new()) };
}

pub(crate) fn perf_now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

fn push(cell: &'static std::thread::LocalKey<RefCell<Vec<f64>>>, v: f64) {
    cell.with(|t| {
        let mut t = t.borrow_mut();
        if t.len() < KEEP {
            t.push(v);
        }
    });
}

pub(crate) fn record_frame(ms: f64) {
    push(&FRAME_TIMES, ms);
}

pub(crate) fn record_sim(ms: f64) {
    if cfg!(target_arch = "wasm32") {
        push(&SIM_TIMES, ms);
    }
}

#[cfg_attr(feature = "app", wasm_bindgen)]
pub fn frame_times() -> Vec<f64> {
    FRAME_TIMES.with(|t| t.borrow().clone())
}

#[cfg_attr(feature = "app", wasm_bindgen)]
pub fn sim_times() -> Vec<f64> {
    SIM_TIMES.with(|t| t.borrow().clone())
}

#[cfg_attr(feature = "app", wasm_bindgen)]
pub fn clear_frame_times() {
    FRAME_TIMES.with(|t| t.borrow_mut().clear());
    SIM_TIMES.with(|t| t.borrow_mut().clear());
}
