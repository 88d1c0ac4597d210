//! # memcg — a simulator of Linux memory cgroups with async watermark reclaim
//!
//! This crate models the memory controller of Alibaba Cloud Linux's 4.19
//! kernel, including its *memcg backend asynchronous reclaim*: every memcg
//! gets `memory.wmark_ratio`, `memory.wmark_high`, `memory.wmark_low` and
//! `memory.wmark_scale_factor`, and a charge that leaves usage at or above
//! `wmark_high` queues a work item that reclaims the memcg in the background
//! until usage falls under `wmark_low`.
//!
//! The contract is the project's kernel-semantics spec; doc comments cite
//! its sections (§n). What the kernel computes exactly, this crate computes
//! exactly: page-granular integer arithmetic ([`units`], [`wmark`]), page
//! counters and the hierarchy ([`counter`], [`tree`]), the interface files
//! with their modes, read formats, parsers and errno ([`cgroupfs`]).
//!
//! ## Layers
//!
//! Like smoltcp, one module per layer, and no I/O: the crate never reads a
//! clock, a file or a random source.
//!
//! * [`units`] — pages, bytes, `memparse` and the `kstrto*` parsers.
//! * [`counter`] — `struct page_counter` and its hierarchical walks.
//! * [`tree`] — the arena of cgroups and their memcg state.
//! * [`wmark`] — `setup_memcg_wmark`, `is_wmark_ok`.
//! * [`workqueue`] — the per-memcg work item state machine.
//! * [`kernel`] — mkdir/rmdir (css_alloc, inheritance), tasks, events.
//! * [`cgroupfs`] — the v1 and v2 file tables.
//! * [`shell`] — a small bash over the cgroupfs, messages as bash prints.
//! * [`sim`] — [`Simulator`], the facade the CLI and the web app use.
//!
//! ## Example: the vendor's configuration example
//!
//! ```
//! use memcg::{Simulator, Version};
//! let mut sim = Simulator::new(Version::V1);
//! sim.exec("mkdir /sys/fs/cgroup/memory/test/");
//! sim.exec("echo 1G > /sys/fs/cgroup/memory/test/memory.limit_in_bytes");
//! sim.exec("echo 95 > /sys/fs/cgroup/memory/test/memory.wmark_ratio");
//! let out = sim.exec("cat /sys/fs/cgroup/memory/test/memory.wmark_high");
//! assert_eq!(out.stdout, "1020051456\n");
//! ```
//!
//! The dynamic side — virtual time, tasks charging pages, direct reclaim
//! and the workqueue running reclaim — builds on these layers.

#![no_std]
#![deny(unsafe_code)]

extern crate alloc;

pub mod cgroupfs;
pub mod charge;
pub mod counter;
pub mod engine;
pub mod errno;
pub mod kernel;
pub mod lru;
pub mod oom;
pub mod reclaim;
pub mod shell;
pub mod sim;
pub mod stats;
pub mod trace;
pub mod tree;
pub mod units;
pub mod wmark;
pub mod workload;
pub mod workqueue;

pub use errno::Errno;
pub use kernel::{Kernel, KernelConfig, Version};
pub use sim::{CgroupInfo, FileInfo, Simulator};
