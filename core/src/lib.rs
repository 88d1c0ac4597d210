//! # memcg — a simulator of Linux memory cgroups with async watermark reclaim
//!
//! This crate models the memory controller of Alibaba Cloud Linux's 4.19
//! kernel, including its *memcg backend asynchronous reclaim*: every memcg
//! gets `memory.wmark_ratio`, `memory.wmark_high`, `memory.wmark_low` and
//! `memory.wmark_scale_factor`, and a charge that leaves usage at or above
//! `wmark_high` queues a work item that reclaims the memcg in the background
//! until usage falls under `wmark_low`.
//!
//! The reference is the repository's `docs/model.md`: the kernel function
//! and version behind each rule, or the model where the simulator models.
//! Doc comments cite its sections: §n (or "spec §n") is its section n.
//! What the kernel computes exactly, this crate computes
//! exactly: page-granular integer arithmetic ([`units`], [`wmark`]), page
//! counters and the hierarchy ([`counter`], [`tree`]), the interface files
//! with their modes, read formats, parsers and errno ([`cgroupfs`]).
//!
//! ## Layers
//!
//! Like smoltcp, one module per layer, and no I/O: the crate never reads a
//! clock, a file or a random source. Time and the seed are inputs.
//!
//! Lowest first: a module uses only modules above it in this list, so there
//! are no import cycles.
//!
//! * [`flavour`] — which kernel the machine runs (ALinux, community, openEuler).
//! * [`errno`], [`units`] — error numbers; pages, bytes, time, the shared
//!   constants, `memparse` and the `kstrto*` parsers.
//! * [`counter`] — `struct page_counter`.
//! * [`lru`] — **the page model** and the **cost model** (see below).
//! * [`workqueue`] — the per-memcg work item state machine.
//! * [`tree`] — the arena of cgroups and their memcg state.
//! * [`bdi`] — the backing device's queue, the flusher's timers, `vm.dirty_*`.
//! * [`hierarchy`] — the page counters' hierarchical walks.
//! * [`stock`] — the per-CPU charge stock.
//! * [`wmark`] — `setup_memcg_wmark`, `is_wmark_ok`.
//! * [`psi`] — pressure stall information (`memory.pressure`): the tasks'
//!   stall states, per-CPU times and the fixed-point averages.
//! * [`kernel`] — mkdir/rmdir (css_alloc, inheritance), tasks, events.
//! * [`writeback`] — `balance_dirty_pages`, the flusher (`wb_writeback`),
//!   `wait_on_page_writeback`: dirty → writeback → clean (§18.9).
//! * [`reclaim`] — `try_to_free_mem_cgroup_pages` as a resumable cursor,
//!   protection (`mem_cgroup_protected`), the kswapd-context early stop.
//! * [`oom`] — `mem_cgroup_oom`, victim choice, `memory.oom.group`.
//! * [`charge`] — `try_charge`, draining stocks, memory.high on return to user.
//! * [`migrate`] — moving a task: v1 `move_charge_at_immigrate`, precharge.
//! * [`workload`] — task programs and presets.
//! * [`stats`], [`trace`] — histograms, time series, the event trace.
//! * [`agent`] — user-space agents (Senpai, Koordinator's memory.reclaim
//!   loop) acting through [`cgroupfs`], their CPU time counted (§20).
//! * [`engine`] — the discrete-event engine: clock, queue, tasks, workers.
//! * [`cgroupfs`] — path lookup, the v1 and v2 file tables and handlers.
//! * [`shell`] — a small bash over the cgroupfs, messages as bash prints.
//! * [`machine`] — the kernel and the engine together, what the shell runs on.
//! * [`sim`] — [`Simulator`], the facade the CLI and the web app use.
//! * [`metrics`] — [`metrics::RunMetrics`]: a run's stalls, reclaim CPU by
//!   payer, refaults, events, PSI and work done, per cgroup and machine.
//! * [`sweep`] — a sweep's combinations, one run per combination, its CSV,
//!   constraint and recommendation (the CLI's threads and the page's
//!   Workers schedule the runs).
//! * [`scenario`] — configuration + journal: what a link or a JSON file carries.
//! * [`timeline`], [`replay`] — checkpoints, the edit log and seeking; a
//!   scenario replayed within its bounds, stepped by the caller's budget.
//!
//! ## Exact and modelled
//!
//! **Exact** (read in the kernel, or derived): watermark arithmetic, page counters,
//! the charge path in kernel order (stock, 32-page batch, retry at the exact
//! size, MAX event, reclaim, drain, retries, OOM, FORCE, the DONE_RESTOCK
//! walk where the wmark test comes before memory.high and ends the walk),
//! the memory.high penalty formula, the work item states and queue sites,
//! `reclaim_wmark`'s request `max(32, usage − wmark_low)` and its stop
//! rules, protection, OOM victim rules, file formats and errno; v1 memsw
//! accounting, the reclaim walk's cookie (`mem_cgroup_iter`), 4.19
//! migration (charges stay unless v1 `move_charge_at_immigrate` moves them)
//! and offline memcgs after rmdir; the dirty limits of `balance_dirty_pages`
//! and PSI's fixed-point averages (the stall states they average come from
//! the model).
//!
//! **Modelled** (in [`lru`], [`reclaim`], `docs/model.md` §18): what sits on the
//! LRU lists and what reclaiming it costs. Each memcg holds cold page cache
//! (clean, dirty, under writeback); each task holds hot and cold anon pages and a hot
//! file working set. Reclaim runs priorities 12..0, scanning
//! `reclaimable >> priority` pages per memcg in 32-page chunks, taking clean
//! cache, then dirty and writeback cache by the kernel's rules (marked for
//! immediate reclaim, the flusher woken, v1 waits, v2 throttled; [`writeback`]),
//! then cold anon (if swap is possible), then working sets mixed by swappiness. A reclaimed
//! working-set page refaults: the task charges it again and pays a major
//! fault. Costs per page (fault, scan, clean, the device's write, swap-out,
//! refault) are in [`lru::CostModel`]; dirty page cache goes through a
//! flusher and `balance_dirty_pages` ([`writeback`], docs/model.md §18.9).
//!
//! **Time.** Work inside one charge happens at one instant; its cost is the
//! stall the task then sits out before its next fault. The wmark worker
//! instead runs one chunk of at most 32 pages per event and yields, so
//! tasks keep charging while it works. CPUs give each task a charge stock;
//! contention for CPU time is not modelled.
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
//! ## Example: background reclaim in virtual time
//!
//! ```
//! use memcg::{Simulator, Version};
//! let mut sim = Simulator::new(Version::V2);
//! for line in [
//!     "mkdir svc",
//!     "echo 512M > svc/memory.max",
//!     "echo 95 > svc/memory.wmark_ratio",
//!     "spawn svc anon 1G --ws 128M --rate 100M/s",
//!     "wait",
//! ] {
//!     assert!(sim.exec(line).ok());
//! }
//! let events = sim.read("/sys/fs/cgroup/svc/memory.events").unwrap();
//! assert!(events.contains("max 0\n"), "no direct reclaim: the worker kept up");
//! ```

#![no_std]
#![deny(unsafe_code)]

extern crate alloc;

pub mod agent;
pub mod bdi;
pub mod cgroupfs;
pub mod charge;
pub mod counter;
pub mod engine;
pub mod errno;
pub mod flavour;
pub mod hierarchy;
pub mod kernel;
pub mod lru;
pub mod machine;
pub mod metrics;
pub mod migrate;
pub mod node;
pub mod oom;
pub mod psi;
pub mod reclaim;
pub mod replay;
pub mod scenario;
#[cfg(feature = "link")]
pub mod share;
pub mod shell;
pub mod sim;
pub mod stats;
pub mod stock;
pub mod sweep;
pub mod timeline;
pub mod trace;
pub mod tree;
pub mod units;
pub mod wmark;
pub mod workload;
pub mod workqueue;
pub mod writeback;

pub use errno::Errno;
pub use flavour::KernelFlavour;
pub use kernel::{Kernel, KernelConfig, Version};
pub use sim::{CgroupInfo, FileInfo, Simulator};
