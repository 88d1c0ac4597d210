//! The `node` benchmark's run as a bare wasm export, timed from Node.js
//! without wasm-bindgen (tests/benches/node_wasm.mjs):
//!
//! ```sh
//! cargo build --profile release --target wasm32-unknown-unknown -p memcg-tests --example node_wasm
//! node tests/benches/node_wasm.mjs
//! ```
//!
//! Natively this builds too (an unused library), so `--all-targets` keeps
//! working.

use memcg::sim::SimConfig;
use memcg::{Simulator, Version};
use memcg_tests::node::build_node;

static mut SIM: Option<Simulator> = None;

/// Builds the node (`cgroups`, `tasks`) on v1 with seed 1, as the native
/// bench does. Returns the cgroups made.
#[no_mangle]
pub extern "C" fn node_build(cgroups: u32, tasks: u32) -> u32 {
    let mut c = SimConfig::new(Version::V1);
    c.seed = 1;
    let (sim, shape) = build_node(c, cgroups as usize, tasks as usize);
    // SAFETY: wasm32 is single-threaded and the harness calls in sequence.
    unsafe { SIM = Some(sim) };
    shape.cgroups as u32
}

/// Runs the built node to `secs` of virtual time; returns the events
/// processed so far.
#[no_mangle]
pub extern "C" fn node_run(secs: u32) -> f64 {
    // SAFETY: as in `node_build`.
    #[allow(static_mut_refs)]
    let sim = unsafe { SIM.as_mut() }.expect("node_build first");
    sim.run_until(u64::from(secs) * 1_000_000_000);
    sim.events_processed() as f64
}

/// The trace hash's high and low halves, to compare with the native run.
#[no_mangle]
pub extern "C" fn node_hash_hi() -> u32 {
    #[allow(static_mut_refs)]
    let sim = unsafe { SIM.as_ref() }.expect("node_build first");
    (sim.trace_hash() >> 32) as u32
}

#[no_mangle]
pub extern "C" fn node_hash_lo() -> u32 {
    #[allow(static_mut_refs)]
    let sim = unsafe { SIM.as_ref() }.expect("node_build first");
    sim.trace_hash() as u32
}
