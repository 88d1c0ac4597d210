//! The simulated machine: kernel state and the engine that moves it. The
//! shell runs against it and [`crate::Simulator`] owns one; it sits below
//! both, so neither imports the other for it.

use crate::engine::Engine;
use crate::kernel::Kernel;

/// The simulated machine: kernel state and the engine that moves it.
#[derive(Clone, Debug)]
pub struct Machine {
    pub kernel: Kernel,
    pub engine: Engine,
}
