//! The node benchmark's builder: [`memcg::node`]'s script (a Kubernetes-like
//! node as shell lines) run on a simulator.

use memcg::sim::SimConfig;
use memcg::Simulator;

pub use memcg::node::{node_script, NodeShape};

/// The node built on a machine of `config` (its version must be v1: the
/// script writes v1 files), set up but not run. Panics on a failing line.
pub fn build_node(config: SimConfig, cgroups: usize, tasks: usize) -> (Simulator, NodeShape) {
    let (lines, shape) = node_script(cgroups, tasks);
    let mut sim = Simulator::build(config);
    for line in &lines {
        let out = sim.exec(line);
        assert!(out.ok(), "`{line}` failed: {}", out.stderr);
    }
    (sim, shape)
}
