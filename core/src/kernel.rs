//! The kernel side of the simulator: the cgroup tree with its memcgs, the
//! processes, and the operations that `mkdir`, `rmdir` and attaching a task
//! perform (spec §1.2, §9.3, §9.4).

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::bdi::{Bdi, VmDirty, WbReason};
use crate::counter::CounterKind;
use crate::flavour::KernelFlavour;
use crate::lru::{CostModel, TaskPages};
use crate::psi::Psi;
use crate::stock::{drain_stock, stock_of, Stock};
use crate::tree::{CgroupId, Memcg, MemcgEvent, Pid, PidMap, SwapEvent, Tree};
use crate::units::{Pages, PAGE_COUNTER_MAX};
use crate::wmark::{disable_wmarks, is_wmark_ok, setup_memcg_wmark, DEFAULT_WMARK_SCALE_FACTOR};
use crate::Errno;

/// Which cgroup hierarchy the simulated machine mounts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Version {
    /// Legacy hierarchy, memory controller at `/sys/fs/cgroup/memory`.
    #[default]
    V1,
    /// Unified hierarchy at `/sys/fs/cgroup`.
    V2,
}

impl Version {
    /// Where the memory hierarchy is mounted.
    pub fn mount_point(self) -> &'static str {
        match self {
            Version::V1 => "/sys/fs/cgroup/memory",
            Version::V2 => "/sys/fs/cgroup",
        }
    }
}

/// Boot-time settings of the simulated machine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KernelConfig {
    pub version: Version,
    /// v1 root `memory.use_hierarchy` at boot. systemd sets 1; the kernel
    /// default is 0 (§1.2).
    pub root_use_hierarchy: bool,
    /// v2 `memory_localevents` mount option (§13.1).
    pub memory_localevents: bool,
    /// CPUs, each with its charge stock (§2).
    pub cpus: usize,
    /// Swap space in pages; 0 means no swap device.
    pub swap_pages: Pages,
    /// RAM in pages: the global dirty domain's dirtyable memory comes from
    /// it (§18.9). 16 GiB by default.
    pub ram_pages: Pages,
    /// The `vm.dirty_*` sysctls (§18.9).
    pub vm_dirty: VmDirty,
    /// Which kernel's memcg the machine runs (§19).
    pub flavour: KernelFlavour,
}

/// RAM of the simulated machine unless configured: 16 GiB.
pub const DEFAULT_RAM_PAGES: Pages = 4 << 20;

impl KernelConfig {
    pub fn new(version: Version) -> KernelConfig {
        KernelConfig {
            version,
            root_use_hierarchy: true,
            memory_localevents: false,
            cpus: 4,
            swap_pages: 4 << 18,
            ram_pages: DEFAULT_RAM_PAGES,
            vm_dirty: VmDirty::default(),
            flavour: KernelFlavour::default(),
        }
    }
}

/// A process: its cgroup, CPU and the pages it owns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Task {
    pub pid: Pid,
    pub comm: String,
    pub cgroup: CgroupId,
    /// The CPU whose charge stock its faults use (§2).
    pub cpu: usize,
    pub pages: TaskPages,
    /// `current->memcg_nr_pages_over_high` (§8).
    pub nr_pages_over_high: Pages,
    pub oom_score_adj: i32,
    /// Killed and not yet reaped.
    pub dying: bool,
    /// Working-set size: how many of its pages it keeps touching.
    pub ws: Pages,
}

/// What the kernel did that an observer may want to see; the engine drains
/// these into the trace with the current time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KEvent {
    WorkQueued {
        memcg: CgroupId,
    },
    DirectReclaim {
        pid: Option<Pid>,
        memcg: CgroupId,
        nr: Pages,
        reclaimed: Pages,
        scanned: Pages,
        cost: u64,
    },
    Drain {
        memcg: CgroupId,
    },
    Force {
        memcg: CgroupId,
        pages: Pages,
    },
    HighPenalty {
        pid: Pid,
        memcg: CgroupId,
        jiffies: u64,
    },
    OomKill {
        pid: Pid,
        memcg: CgroupId,
    },
    /// Pages of `memcg` put under writeback (§18.9).
    Writeback {
        memcg: CgroupId,
        pages: Pages,
        reason: WbReason,
    },
}

/// `MOVE_ANON`, `MOVE_FILE`: v1 `memory.move_charge_at_immigrate` bits
/// (`MOVE_MASK` = 3).
pub const MOVE_ANON: u64 = 1;
pub const MOVE_FILE: u64 = 2;

/// `MEM_CGROUP_ID_MAX`: memcg ids are 16 bit, so at most this many memcgs.
pub const MEM_CGROUP_ID_MAX: usize = 65535;
/// `NAME_MAX`.
pub const NAME_MAX: usize = 255;
/// `PATH_MAX`: a path's bytes plus its terminating NUL (so 4095 bytes at
/// most; `getname`, docs/model.md §14).
pub const PATH_MAX: usize = 4096;
/// pid of the init process.
pub const INIT_PID: Pid = 1;
/// pid of the interactive shell (`$$`).
pub const SHELL_PID: Pid = 1000;

/// The simulated kernel state.
#[derive(Clone, Debug)]
pub struct Kernel {
    pub config: KernelConfig,
    pub tree: Tree,
    pub tasks: PidMap<Task>,
    /// Global `vm_swappiness` (the root memcg's swappiness).
    pub vm_swappiness: i64,
    /// TencentOS `sysctl_vm_memory_qos` (`/proc/sys/vm/memory_qos`, 0..=1,
    /// default 0): arms `memory.async_ratio` (§19.5).
    pub vm_memory_qos: i32,
    /// v1 `release_agent` (the clone_children / notify_on_release bits are
    /// on each [`crate::tree::Cgroup`]).
    pub release_agent: String,
    /// Per-CPU charge stocks (§2).
    pub stocks: Vec<Stock>,
    /// Free swap space in pages (global).
    pub swap_free: Pages,
    /// Events since the engine last drained them.
    pub events: Vec<KEvent>,
    /// The modelled per-page costs (reclaim inside file writes uses them too).
    pub costs: CostModel,
    /// Pressure stall information (`memory.pressure`, docs/model.md §18.10).
    pub psi: Psi,
    /// The backing device and the flusher's timers (§18.9).
    pub bdi: Bdi,
    /// Work units of reclaim walks and task scans not yet taken by the
    /// engine (`Engine::work`, docs/model.md §18.12).
    pub work: u64,
    /// Pids `cgroup_migrate` moved since the engine last looked
    /// (`Engine::sync` tells PSI of them: `cgroup_move_task`), in the order
    /// moved, possibly repeated.
    pub moved: Vec<Pid>,
    /// Machine-wide page counts the dirty throttling reads on every
    /// dirtying fault, kept as they change so that a fault need not walk
    /// every memcg and task (the kernel's `global_node_page_state`):
    /// Σ `file_dirty` and Σ `file_writeback` over the memcgs, Σ anon over
    /// the tasks. `check_invariants` recounts them.
    pub nr_file_dirty: Pages,
    pub nr_writeback: Pages,
    pub nr_anon: Pages,
    /// The memcgs with dirty pages as `(dirtied_when, id)`, sorted: the
    /// flusher's `b_dirty` order (oldest files first), kept as pages go
    /// dirty and clean so the background writeback need not walk every
    /// memcg for the oldest. `check_invariants` recounts it.
    pub b_dirty: Vec<(crate::units::Nanos, CgroupId)>,
    /// Running totals of the stalls inside reclaim that the engine splits
    /// out of a fault's latency for the run metrics (docs/model.md §18.13).
    pub stalls: StallCounters,
    /// CPU time and pages of every `try_to_free_mem_cgroup_pages` so far,
    /// whoever called it (a charge, a file write): a user-space agent's
    /// write takes the difference as its own reclaim work (§20).
    pub direct_reclaim_ns: u64,
    pub direct_reclaimed: Pages,
}

/// Stall time the charge path spends not reclaiming, counted where it
/// happens; the engine takes differences around a fault (§18.13).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StallCounters {
    /// Reclaim waiting for writeback: v1 `wait_on_page_writeback`, v2
    /// `wait_iff_congested` (ns).
    pub reclaim_wait_ns: u64,
    /// `mem_cgroup_handle_over_high`'s penalty sleep (ns).
    pub high_sleep_ns: u64,
}

impl Kernel {
    /// Boot: the root memcg (`mem_cgroup_css_alloc(NULL)`), init and a shell.
    pub fn new(config: KernelConfig) -> Kernel {
        let (cpus, swap_pages) = (config.cpus.max(1), config.swap_pages);
        let mut root = Memcg::new();
        root.use_hierarchy = match config.version {
            Version::V1 => config.root_use_hierarchy,
            Version::V2 => true,
        };
        // Root: ratio 0 and sf 0, watermarks unlimited, never changed (§9.4).
        root.wmark_ratio = 0;
        root.wmark_scale_factor = 0;
        disable_wmarks(&mut root);
        let mut k = Kernel {
            config,
            tree: Tree::new(root),
            tasks: PidMap::new(),
            vm_swappiness: 60,
            vm_memory_qos: 0,
            release_agent: String::new(),
            stocks: alloc::vec![Stock::default(); cpus],
            swap_free: swap_pages,
            events: Vec::new(),
            costs: CostModel::default(),
            psi: Psi::new(cpus),
            bdi: Bdi::default(),
            work: 0,
            moved: Vec::new(),
            nr_file_dirty: 0,
            nr_writeback: 0,
            nr_anon: 0,
            b_dirty: Vec::new(),
            stalls: StallCounters::default(),
            direct_reclaim_ns: 0,
            direct_reclaimed: 0,
        };
        // do_memsw_account(): v1, swap accounting on (cgroup_memory_noswap
        // false, the ALinux default).
        k.tree.memsw_account = k.config.version == Version::V1;
        for (pid, comm) in [(INIT_PID, "systemd"), (SHELL_PID, "bash")] {
            k.tasks.insert(
                pid,
                Task {
                    pid,
                    comm: comm.to_string(),
                    cgroup: CgroupId::ROOT,
                    cpu: 0,
                    pages: TaskPages::default(),
                    nr_pages_over_high: 0,
                    oom_score_adj: if pid == INIT_PID { -1000 } else { 0 },
                    dying: false,
                    ws: 0,
                },
            );
            k.tree.cg_mut(CgroupId::ROOT).procs.insert(pid);
            k.css_set_move_task(pid, None, Some(CgroupId::ROOT));
        }
        k
    }

    /// `css_set_move_task`: task `pid` leaves cgroup `from` and joins `to`
    /// (`None`: it is forked, or it exits); the memcg task index
    /// ([`crate::tree::Memcg::tasks`]) follows its effective memcg. Call
    /// it with `procs` and `Task::cgroup` already up to date or not: it
    /// reads only the tree.
    pub fn css_set_move_task(&mut self, pid: Pid, from: Option<CgroupId>, to: Option<CgroupId>) {
        let from = from.map(|c| self.effective_memcg(c));
        let to = to.map(|c| self.effective_memcg(c));
        if from == to {
            return;
        }
        if let Some(m) = from {
            self.tree.memcg_mut(m).tasks.remove(&pid);
        }
        if let Some(m) = to {
            self.tree.memcg_mut(m).tasks.insert(pid);
        }
    }

    pub fn version(&self) -> Version {
        self.config.version
    }

    /// Which kernel the machine runs (§19).
    pub fn flavour(&self) -> KernelFlavour {
        self.config.flavour
    }

    /// `mem_cgroup_swappiness(m)`: the root reads the global value.
    pub fn swappiness(&self, id: CgroupId) -> i64 {
        if id == CgroupId::ROOT {
            self.vm_swappiness
        } else {
            self.tree.memcg(id).swappiness
        }
    }

    /// `mem_cgroup_css_alloc` for a child of `parent` (§1.2, §9.4).
    fn css_alloc(&self, parent: CgroupId) -> Memcg {
        let p = self.tree.memcg(parent);
        let mut m = Memcg::new();
        m.swappiness = self.swappiness(parent);
        m.oom_kill_disable = p.oom_kill_disable;
        m.wmark_ratio = p.wmark_ratio;
        m.wmark_scale_factor = if p.wmark_scale_factor != 0 {
            p.wmark_scale_factor
        } else {
            DEFAULT_WMARK_SCALE_FACTOR
        };
        if p.use_hierarchy {
            m.use_hierarchy = true;
            m.counter_parent = Some(parent);
        }
        setup_memcg_wmark(&mut m);
        if self.config.flavour.has_async_ratio() {
            // TencentOS: ratio inherited, factor `parent ?: ASYNC_DISTANCE_DEF`.
            m.async_ratio = p.async_ratio;
            m.async_distance_factor = if p.async_distance_factor != 0 {
                p.async_distance_factor
            } else {
                crate::wmark::ASYNC_DISTANCE_DEF
            };
            crate::wmark::setup_async_wmark(&mut m, self.version() == Version::V2);
        }
        m
    }

    /// `cgroup_mkdir`: name checks, v2 hierarchy limits, css_alloc.
    pub fn mkdir(&mut self, parent: CgroupId, name: &str) -> Result<CgroupId, Errno> {
        if name.len() > NAME_MAX {
            return Err(Errno::ENAMETOOLONG);
        }
        // A name from user space is a C string: it cannot hold a NUL, so a
        // caller of this API that passes one gets EINVAL, never such a name.
        if name.contains('\n') || name.contains('\0') {
            return Err(Errno::EINVAL);
        }
        if self.tree.cg(parent).children.contains_key(name) {
            return Err(Errno::EEXIST);
        }
        if self.config.version == Version::V2 && self.tree.has_hierarchy_limits() {
            // cgroup_check_hierarchy_limits (a no-op while no cgroup has a
            // limit: skipped, so a deep mkdir -p stays linear)
            let mut level = 1u32;
            let mut at = Some(parent);
            while let Some(id) = at {
                let cg = self.tree.cg(id);
                if let Some(max) = cg.max_descendants {
                    if self.tree.nr_descendants(id) >= max as usize {
                        return Err(Errno::EAGAIN);
                    }
                }
                if let Some(max) = cg.max_depth {
                    if level > max {
                        return Err(Errno::EAGAIN);
                    }
                }
                level += 1;
                at = cg.parent;
            }
        }
        let gets_memcg = match self.config.version {
            Version::V1 => true,
            Version::V2 => self.tree.cg(parent).subtree_memory,
        };
        let memcg = if gets_memcg {
            if self.tree.len() >= MEM_CGROUP_ID_MAX {
                return Err(Errno::ENOSPC);
            }
            Some(self.css_alloc(parent))
        } else {
            None
        };
        let id = self.tree.insert(parent, name.to_string(), memcg);
        self.psi.cgroup_alloc(id);
        Ok(id)
    }

    /// `cgroup_rmdir`: busy while it has children or tasks.
    pub fn rmdir(&mut self, id: CgroupId) -> Result<(), Errno> {
        if id == CgroupId::ROOT {
            return Err(Errno::EBUSY);
        }
        let cg = self.tree.cg(id);
        if !cg.children.is_empty() || !cg.procs.is_empty() {
            return Err(Errno::EBUSY);
        }
        if cg.memcg.is_none() {
            self.tree.remove(id);
            self.psi.cgroup_free(id);
            return Ok(());
        }
        // The memcg goes offline; it is freed once nothing is charged to it
        // any more (§18.7).
        self.mem_cgroup_css_offline(id);
        self.tree.offline(id);
        self.css_put_offline(id);
        self.psi.cgroup_free(id);
        Ok(())
    }

    /// ALinux 4.19 `mem_cgroup_css_offline` (§9.3, §18.7): watermarks to
    /// PAGE_COUNTER_MAX, so the work item has nothing left to do; the model
    /// cancels it here, as `css_free`'s `cancel_work_sync` would (TV-23).
    /// memory.min and memory.low go to 0 (`page_counter_set_min/low`), so
    /// an offline memcg is never protected. The per-CPU stocks caching it
    /// are drained. Its pages stay charged to it: no reparenting in 4.19.
    fn mem_cgroup_css_offline(&mut self, id: CgroupId) {
        self.tree.page_counter_set_protection(id, Some(0), Some(0));
        let m = self.tree.memcg_mut(id);
        disable_wmarks(m);
        // TencentOS css_offline: both async marks to PAGE_COUNTER_MAX.
        m.async_high = PAGE_COUNTER_MAX;
        m.async_low = PAGE_COUNTER_MAX;
        m.wmark_work.cancel();
        for cpu in 0..self.stocks.len() {
            if self.stocks[cpu].cached == Some(id) {
                drain_stock(&mut self.stocks[cpu], &mut self.tree);
            }
        }
    }

    /// The last reference to an offline memcg dropped, or its last charge
    /// uncharged: `css_release` / `mem_cgroup_css_free` frees it (and its id)
    /// once neither memory nor swap is charged to it and no offline child
    /// holds it; then its offline parent may go too. A no-op for any other
    /// memcg (§18.7).
    pub fn css_put_offline(&mut self, id: CgroupId) {
        let mut at = Some(id);
        while let Some(c) = at {
            let Some(cg) = self.tree.get(c) else {
                return;
            };
            let Some(m) = cg.memcg.as_ref() else {
                return;
            };
            if !cg.offline
                || !cg.dying.is_empty()
                || m.memory.usage != 0
                || m.swap.usage != 0
                || !m.left_behind.is_empty()
            {
                return;
            }
            at = cg.parent;
            self.tree.remove(c);
        }
    }

    /// css_offline for a v2 child whose parent disables `+memory` (the
    /// model's reparenting, §18.6): the page cache moves to the parent,
    /// whose usage already counts it.
    fn css_offline(&mut self, id: CgroupId) {
        self.mem_cgroup_css_offline(id);
        let left = core::mem::take(&mut self.tree.memcg_mut(id).left_behind);
        if let Some(p) = self.tree.memcg(id).counter_parent {
            for (&pid, pages) in left.iter() {
                let e = self
                    .tree
                    .memcg_mut(p)
                    .left_behind
                    .get_or_insert_with(pid, TaskPages::default);
                e.anon_cold += pages.anon_cold;
                e.swapped += pages.swapped;
            }
        } else {
            for pages in left.values() {
                self.tree
                    .page_counter_uncharge(id, pages.anon(), CounterKind::Memory);
                self.swap_free += pages.swapped;
            }
        }
        let pages = core::mem::take(&mut self.tree.memcg_mut(id).pages);
        crate::writeback::b_dirty_set(self, id, &pages, None);
        if let Some(p) = self.tree.memcg(id).counter_parent {
            let old = self.tree.memcg(p).pages.clone();
            let pp = &mut self.tree.memcg_mut(p).pages;
            pp.file_clean += pages.file_clean;
            pp.file_dirty += pages.file_dirty;
            pp.file_writeback += pages.file_writeback;
            pp.dirty_reclaim += pages.dirty_reclaim;
            pp.writeback_reclaim += pages.writeback_reclaim;
            // The older of the two files' dirtied_when.
            pp.dirtied_when = match (pp.dirtied_when, pages.dirtied_when) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let new = pp.clone();
            crate::writeback::b_dirty_set(self, p, &old, Some(&new));
            self.bdi.reparent(id, p);
        } else {
            self.nr_file_dirty -= pages.file_dirty;
            self.nr_writeback -= pages.file_writeback;
            self.bdi.forget(id);
            // A v1 non-hierarchical memcg has no parent counter to hand its
            // pages to: they are dropped with it.
            let usage = self.tree.memcg(id).memory.usage;
            self.tree
                .page_counter_uncharge(id, usage, CounterKind::Memory);
        }
    }

    /// v2: enable or disable the memory controller for `id`'s children.
    pub fn set_subtree_memory(&mut self, id: CgroupId, on: bool) {
        if self.tree.cg(id).subtree_memory == on {
            return;
        }
        // The tasks below `id` and the memcgs they charge to now; their
        // index entries move once the children's memcgs are made or gone.
        let below: Vec<(Pid, CgroupId)> = self
            .tree
            .subtree(id)
            .into_iter()
            .skip(1)
            .flat_map(|c| {
                let m = self.effective_memcg(c);
                self.tree.cg(c).procs.iter().map(move |&p| (p, m))
            })
            .collect();
        for &(pid, m) in &below {
            self.tree.memcg_mut(m).tasks.remove(&pid);
        }
        self.set_subtree_memory_css(id, on);
        for (pid, _) in below {
            let cg = self.tasks[&pid].cgroup;
            self.css_set_move_task(pid, None, Some(cg));
        }
    }

    fn set_subtree_memory_css(&mut self, id: CgroupId, on: bool) {
        self.tree.cg_mut(id).subtree_memory = on;
        let children: alloc::vec::Vec<CgroupId> =
            self.tree.cg(id).children.values().copied().collect();
        for c in children {
            if on {
                let mut m = self.css_alloc(id);
                // Tasks below `c` now charge to it; their pages, already in
                // the parent's usage, become the child's.
                let below: Pages = self
                    .tasks
                    .values()
                    .filter(|t| self.tree.is_ancestor_or_self(c, t.cgroup))
                    .map(|t| t.pages.resident())
                    .sum();
                m.memory.usage = below;
                m.memory.watermark = below;
                self.tree.cg_mut(c).memcg = Some(m);
                if id == CgroupId::ROOT && below > 0 {
                    // They were root tasks' pages, never charged (§18.1):
                    // the root's counter now holds its new child's usage.
                    self.tree
                        .page_counter_charge(CgroupId::ROOT, below, CounterKind::Memory);
                }
            } else {
                // Tasks below `c` fall back to the parent's memcg; into the
                // root, their pages leave the accounting, as root tasks'
                // pages are never charged (§18.1).
                let below: Pages = if id == CgroupId::ROOT {
                    self.tasks
                        .values()
                        .filter(|t| self.tree.is_ancestor_or_self(c, t.cgroup))
                        .map(|t| t.pages.resident())
                        .sum()
                } else {
                    0
                };
                // kill_css: the child's memcg goes offline and its files vanish.
                self.css_offline(c);
                self.tree.cg_mut(c).memcg = None;
                if below > 0 {
                    self.tree
                        .page_counter_uncharge(CgroupId::ROOT, below, CounterKind::Memory);
                }
            }
        }
    }

    /// The nearest cgroup at or above `id` that has a memory css.
    pub fn effective_memcg(&self, id: CgroupId) -> CgroupId {
        let mut at = id;
        loop {
            let cg = self.tree.cg(at);
            if cg.memcg.is_some() {
                return at;
            }
            at = cg.parent.unwrap_or(CgroupId::ROOT);
        }
    }

    /// The checks of a `cgroup.procs` write before anything moves.
    pub fn can_attach(&self, pid: Pid, dst: CgroupId) -> Result<(), Errno> {
        if !self.tasks.contains_key(&pid) {
            return Err(Errno::ESRCH);
        }
        if self.config.version == Version::V2
            && dst != CgroupId::ROOT
            && self.tree.cg(dst).subtree_memory
        {
            // No internal processes in a domain cgroup with controllers.
            return Err(Errno::EBUSY);
        }
        Ok(())
    }

    /// Move a process to another cgroup (`cgroup.procs` write) leaving its
    /// charges where they are: v2, and v1 with `move_charge_at_immigrate`
    /// 0 (§18.6). `migrate::attach` is the write with v1's charge
    /// moving.
    pub fn attach(&mut self, pid: Pid, dst: CgroupId) -> Result<(), Errno> {
        self.can_attach(pid, dst)?;
        self.cgroup_migrate(pid, dst, 0);
        Ok(())
    }

    /// `cgroup_migrate` of one task after `mem_cgroup_can_attach`: `moved`
    /// holds the `MOVE_ANON` (1) and `MOVE_FILE` (2) bits whose pages the
    /// caller precharged to the destination; those charges move (the
    /// source is uncharged: `mem_cgroup_clear_mc`). What is not moved stays
    /// charged to the source (§18.6): the task's file working set becomes
    /// the source's page cache; its anon and, in v2, its swap become
    /// [`crate::tree::Memcg::left_behind`] pages of the source.
    pub fn cgroup_migrate(&mut self, pid: Pid, dst: CgroupId, moved: u64) {
        let Some(task) = self.tasks.get(&pid) else {
            return;
        };
        let src = task.cgroup;
        if src == dst {
            return;
        }
        let (from, to) = (self.effective_memcg(src), self.effective_memcg(dst));
        if from != to {
            let swap = self.mem_cgroup_move_task(pid, from, moved);
            if swap > 0 && to != CgroupId::ROOT {
                // mem_cgroup_move_swap_account: the destination's memsw
                // keeps the precharge of the moved swap entries (v1).
                self.tree.swap_entries_charge(to, swap);
            }
        }
        self.tree.cg_mut(src).procs.remove(&pid);
        self.tree.cg_mut(dst).procs.insert(pid);
        self.css_set_move_task(pid, Some(src), Some(dst));
        if let Some(t) = self.tasks.get_mut(&pid) {
            t.cgroup = dst;
        }
        self.moved.push(pid);
        if from != to && to != CgroupId::ROOT {
            // Back where it left pages: they are its own memcg's again.
            if let Some(e) = self.tree.memcg_mut(to).left_behind.remove(&pid) {
                let t = &mut self.tasks.get_mut(&pid).expect("task").pages;
                t.anon_cold += e.anon_cold;
                t.swapped += e.swapped;
                self.nr_anon += e.anon_cold;
            }
        }
    }

    /// The page model's side of a move from memcg `from` (§18.6). Returns
    /// the swap entries whose charge moves with the task (v1 memsw).
    fn mem_cgroup_move_task(&mut self, pid: Pid, from: CgroupId, moved: u64) -> Pages {
        let memsw = self.tree.memsw_account;
        let t = &mut self.tasks.get_mut(&pid).expect("task").pages;
        let moved_swap = if moved & MOVE_ANON != 0 && memsw {
            t.swapped
        } else {
            0
        };
        let (anon, file) = (t.anon(), t.file_hot);
        let mut keep = TaskPages::default();
        let mut uncharge = 0;
        if moved & MOVE_ANON != 0 {
            uncharge += anon;
        } else {
            keep.anon_cold = anon;
            t.anon_hot = 0;
            t.anon_cold = 0;
            self.nr_anon -= anon;
            // Swap stays charged to the source (v2 swap, v1 memsw), and a
            // swap-in would charge it there too: the pages leave the task's
            // model.
            keep.swapped = t.swapped;
            t.swapped = 0;
            t.refault_anon = 0;
        }
        if moved & MOVE_FILE != 0 {
            uncharge += file;
        } else {
            t.file_hot = 0;
        }
        if from == CgroupId::ROOT {
            // Root tasks' pages are never charged (§18.1): what stays behind
            // leaves the model; its swap slots go back.
            self.swap_free += keep.swapped;
            return moved_swap;
        }
        if uncharge > 0 {
            self.tree
                .page_counter_uncharge(from, uncharge, CounterKind::Memory);
        }
        if moved_swap > 0 {
            self.tree.mem_cgroup_uncharge_swap(from, moved_swap);
        }
        let m = self.tree.memcg_mut(from);
        if moved & MOVE_FILE == 0 {
            m.pages.file_clean += file;
        }
        if keep.anon_cold + keep.swapped > 0 {
            let e = m.left_behind.get_or_insert_with(pid, TaskPages::default);
            e.anon_cold += keep.anon_cold;
            e.swapped += keep.swapped;
        }
        moved_swap
    }

    /// Free the anon memory and swap task `pid` left charged to memcgs it
    /// moved away from (its exit, or an munmap of all its anon).
    pub fn free_left_behind(&mut self, pid: Pid) {
        let ids: Vec<CgroupId> = self
            .tree
            .ids()
            .filter(|&id| {
                self.tree
                    .cg(id)
                    .memcg
                    .as_ref()
                    .is_some_and(|m| m.left_behind.contains_key(&pid))
            })
            .collect();
        for id in ids {
            let Some(p) = self.tree.memcg_mut(id).left_behind.remove(&pid) else {
                continue;
            };
            if p.anon() > 0 {
                self.tree
                    .page_counter_uncharge(id, p.anon(), CounterKind::Memory);
            }
            if p.swapped > 0 {
                self.swap_free += p.swapped;
                self.tree.mem_cgroup_uncharge_swap(id, p.swapped);
            }
            self.css_put_offline(id);
        }
    }

    /// TencentOS `setup_async_wmark(memcg)`, then (`queue`) `queue_work(
    /// memcg_async_reclaim_wq, &memcg->async_work)` if
    /// `need_memcg_async_reclaim` (§19.5): what the limit writes and the
    /// `memory.async_ratio` write do. Nothing on other flavours.
    pub fn async_wmark_update(&mut self, id: CgroupId, queue: bool) -> bool {
        if !self.config.flavour.has_async_ratio() {
            return false;
        }
        let v2 = self.version() == Version::V2;
        let qos = self.vm_memory_qos;
        let m = self.tree.memcg_mut(id);
        crate::wmark::setup_async_wmark(m, v2);
        if queue && crate::wmark::need_memcg_async_reclaim(qos, m) && m.wmark_work.queue() {
            self.log(KEvent::WorkQueued { memcg: id });
            true
        } else {
            false
        }
    }

    /// `queue_work(memcg_wmark_wq, &m->wmark_work)` if usage ≥ wmark_high
    /// (§9.5). The executor that runs queued work is the simulation engine.
    pub fn queue_wmark_work_if_needed(&mut self, id: CgroupId) -> bool {
        if !self.config.flavour.has_wmark() {
            return false;
        }
        let m = self.tree.memcg_mut(id);
        if !is_wmark_ok(&m.memory, true) && m.wmark_work.queue() {
            self.log(KEvent::WorkQueued { memcg: id });
            true
        } else {
            false
        }
    }

    /// `memcg_memory_event` (ALinux, §13.1): local count, then the
    /// hierarchical count on `id` and, in v2 without `memory_localevents`,
    /// every ancestor below the root.
    pub fn memcg_memory_event(&mut self, id: CgroupId, ev: MemcgEvent) {
        let e = ev as usize;
        self.tree.memcg_mut(id).events_local[e] += 1;
        self.tree.memcg_mut(id).events[e] += 1;
        if self.config.version == Version::V1 || self.config.memory_localevents {
            return;
        }
        let mut at = self.tree.cg(id).parent;
        while let Some(p) = at {
            if p == CgroupId::ROOT {
                break;
            }
            if let Some(m) = self.tree.cg_mut(p).memcg.as_mut() {
                m.events[e] += 1;
            }
            at = self.tree.cg(p).parent;
        }
    }

    /// `memcg_memory_event(MEMCG_SWAP_*)`: `memory.swap.events` counts the
    /// hierarchical values, so as [`Kernel::memcg_memory_event`] the event
    /// goes to `id` and, in v2 without `memory_localevents`, every ancestor
    /// below the root (§13.1).
    pub fn memcg_swap_event(&mut self, id: CgroupId, ev: SwapEvent) {
        let e = ev as usize;
        self.tree.memcg_mut(id).swap_events[e] += 1;
        if self.config.version == Version::V1 || self.config.memory_localevents {
            return;
        }
        let mut at = self.tree.memcg(id).counter_parent;
        while let Some(p) = at {
            if p == CgroupId::ROOT {
                break;
            }
            self.tree.memcg_mut(p).swap_events[e] += 1;
            at = self.tree.memcg(p).counter_parent;
        }
    }

    /// `mem_cgroup_margin`: what `m` can still charge; with memsw
    /// accounting the smaller of the memory and memsw margins (§3 step 9).
    pub fn mem_cgroup_margin(&self, m: CgroupId) -> Pages {
        let mc = self.tree.memcg(m);
        let margin = mc.memory.margin();
        if !self.tree.memsw_account {
            return margin;
        }
        margin.min(mc.memsw.margin())
    }

    /// Record an event for the engine's trace.
    pub fn log(&mut self, e: KEvent) {
        // Bounded: a caller that never drains cannot grow memory forever.
        if self.events.len() < 1 << 16 {
            self.events.push(e);
        }
    }

    /// Free a task's pages and remove it (exit, or the OOM reaper). Anon
    /// memory and swap are released; its file working set stays charged to
    /// the memcg as unused page cache (§4: page cache outlives the task).
    pub fn reap(&mut self, pid: Pid) {
        let Some(t) = self.tasks.remove(&pid) else {
            return;
        };
        let m = self.effective_memcg(t.cgroup);
        self.tree.cg_mut(t.cgroup).procs.remove(&pid);
        self.css_set_move_task(pid, Some(t.cgroup), None);
        let anon = t.pages.anon();
        self.nr_anon -= anon;
        if anon > 0 && m != CgroupId::ROOT {
            self.tree
                .page_counter_uncharge(m, anon, CounterKind::Memory);
        }
        if t.pages.swapped > 0 {
            self.swap_free += t.pages.swapped;
            if m != CgroupId::ROOT {
                self.tree.mem_cgroup_uncharge_swap(m, t.pages.swapped);
            }
        }
        if m != CgroupId::ROOT {
            self.tree.memcg_mut(m).pages.file_clean += t.pages.file_hot;
        }
        if let Some(mc) = self.tree.cg_mut(m).memcg.as_mut() {
            mc.under_oom = false;
        }
        self.free_left_behind(pid);
    }

    /// Check the accounting invariants; `Err` names the first broken one.
    /// * usage(m) = own pages + stock(m) + Σ usage(counter children), for
    ///   every memcg but the root (whose own pages are never charged);
    /// * the root and every non-hierarchical top: Σ usage = pages charged −
    ///   pages uncharged at the leaves;
    /// * usage ≤ max unless a charge was forced there.
    pub fn check_invariants(&self) -> Result<(), String> {
        use alloc::format;
        // Tables indexed by cgroup id.
        let mut own: Vec<Pages> = alloc::vec![0; self.tree.slots()];
        for t in self.tasks.values() {
            own[self.effective_memcg(t.cgroup).0 as usize] += t.pages.resident();
        }
        for id in self.tree.ids() {
            if let Some(m) = self.tree.cg(id).memcg.as_ref() {
                own[id.0 as usize] += m.left_behind.values().map(TaskPages::anon).sum::<Pages>();
            }
        }
        // The machine-wide counts kept incrementally.
        let anon: Pages = self.tasks.values().map(|t| t.pages.anon()).sum();
        let (mut dirty, mut wb) = (0, 0);
        for id in self.tree.ids() {
            if let Some(m) = self.tree.cg(id).memcg.as_ref() {
                dirty += m.pages.file_dirty;
                wb += m.pages.file_writeback;
            }
        }
        if crate::writeback::dirty_memcgs_walk(self) != self.b_dirty {
            return Err(format!(
                "b_dirty {:?} is not the dirty memcgs",
                self.b_dirty
            ));
        }
        if (dirty, wb, anon) != (self.nr_file_dirty, self.nr_writeback, self.nr_anon) {
            return Err(format!(
                "global counts: dirty {dirty} writeback {wb} anon {anon}, kept {} {} {}",
                self.nr_file_dirty, self.nr_writeback, self.nr_anon
            ));
        }
        let mut children: Vec<Pages> = alloc::vec![0; self.tree.slots()];
        let mut tops: Pages = 0;
        for id in self.tree.ids() {
            let Some(m) = self.tree.cg(id).memcg.as_ref() else {
                continue;
            };
            match m.counter_parent {
                Some(p) => children[p.0 as usize] += m.memory.usage,
                None => tops += m.memory.usage,
            }
        }
        for id in self.tree.ids() {
            let Some(m) = self.tree.cg(id).memcg.as_ref() else {
                continue;
            };
            let kids = children[id.0 as usize];
            if id == CgroupId::ROOT {
                // Root tasks are never charged; reparented page cache is,
                // and so is anon a task left in a memcg that went away
                // under the root (its left-behind pages were handed up).
                let left: Pages = m.left_behind.values().map(|p| p.anon()).sum();
                if m.memory.usage != kids + m.pages.file() + left {
                    return Err(format!(
                        "root usage {} != children {} + reparented {} + left behind {}",
                        m.memory.usage,
                        kids,
                        m.pages.file(),
                        left
                    ));
                }
                continue;
            }
            let stock = stock_of(&self.stocks, id);
            let mine = own[id.0 as usize] + m.pages.file() + stock;
            if m.memory.usage != mine + kids {
                return Err(format!(
                    "{}: usage {} != own {} + stock {} + children {}",
                    self.tree.rel_path(id),
                    m.memory.usage,
                    mine - stock,
                    stock,
                    kids
                ));
            }
            if m.memory.usage > m.memory.max && m.forced == 0 {
                return Err(format!(
                    "{}: usage {} > max {} without a forced charge",
                    self.tree.rel_path(id),
                    m.memory.usage,
                    m.memory.max
                ));
            }
        }
        if self.tree.memsw_account {
            self.check_memsw()?;
        }
        let net = self.tree.pages_charged - self.tree.pages_uncharged;
        if tops != net {
            return Err(format!(
                "top-level usage {tops} != charged - uncharged {net}"
            ));
        }
        self.bdi.check(&self.tree)?;
        self.check_css_tasks()?;
        Ok(())
    }

    /// Every memcg's task index ([`crate::tree::Memcg::tasks`]) holds
    /// exactly the tasks whose effective memcg it is.
    pub fn check_css_tasks(&self) -> Result<(), String> {
        let mut scan: Vec<Vec<Pid>> = alloc::vec![Vec::new(); self.tree.slots()];
        for t in self.tasks.values() {
            scan[self.effective_memcg(t.cgroup).0 as usize].push(t.pid);
        }
        for id in self.tree.ids() {
            let Some(m) = self.tree.cg(id).memcg.as_ref() else {
                continue;
            };
            let want = &scan[id.0 as usize];
            if !m.tasks.iter().eq(want.iter()) {
                return Err(alloc::format!(
                    "{}: task index {:?} != tasks charged here {:?}",
                    self.tree.rel_path(id),
                    m.tasks.iter().collect::<Vec<_>>(),
                    want
                ));
            }
        }
        Ok(())
    }

    /// v1: memsw(m) − memory(m) is the swap entries charged at or below m:
    /// its tasks' plus its counter children's (every memcg but the root).
    fn check_memsw(&self) -> Result<(), String> {
        let mut swap: Vec<Pages> = alloc::vec![0; self.tree.slots()];
        for t in self.tasks.values() {
            swap[self.effective_memcg(t.cgroup).0 as usize] += t.pages.swapped;
        }
        for id in self.tree.ids() {
            let Some(m) = self.tree.cg(id).memcg.as_ref() else {
                continue;
            };
            // Swap entries a task left behind when it moved away (§18.6).
            for lb in m.left_behind.values() {
                swap[id.0 as usize] += lb.swapped;
            }
            if let Some(p) = m.counter_parent {
                swap[p.0 as usize] += m.memsw.usage.wrapping_sub(m.memory.usage);
            }
        }
        for id in self.tree.ids().filter(|&id| id != CgroupId::ROOT) {
            let m = self.tree.memcg(id);
            let want = m.memory.usage + swap[id.0 as usize];
            if m.memsw.usage != want {
                return Err(alloc::format!(
                    "{}: memsw {} != memory {} + swap {}",
                    self.tree.rel_path(id),
                    m.memsw.usage,
                    m.memory.usage,
                    swap[id.0 as usize]
                ));
            }
        }
        Ok(())
    }

    /// `hierarchical_memory_limit` of v1 memory.stat: min of max over the
    /// memcg and its counter ancestors (§13.3).
    pub fn hierarchical_memory_limit(&self, id: CgroupId) -> u64 {
        self.tree
            .counter_chain(id)
            .map(|c| self.tree.memcg(c).memory.max)
            .min()
            .unwrap_or(PAGE_COUNTER_MAX)
    }
}
