//! The discrete-event engine (issue 3): virtual clock, event queue, tasks
//! running programs, and the `memcg_wmark` workqueue's workers.
//!
//! Sans-IO and deterministic: time advances only through [`Engine::step`];
//! randomness comes from a seeded PRNG; every collection iterated is
//! ordered.
//!
//! **Ordering.** Each entity (a task, a worker, an agent, the sampler) has
//! at most one pending event, so the queue is keyed by `(time, class, id)`
//! instead of an insertion sequence: workers before the flusher before
//! tasks before user-space agents before the sampler at the same
//! nanosecond, then by id (a task's pid, an agent's pid). The key does
//! not depend on *when* an event was
//! scheduled, which is what lets the bulk engine skip faults and still
//! process everything in the same order as the per-page engine.
//!
//! **Two engines, one truth.** [`EngineMode::PerPage`] runs every fault as
//! its own event through `try_charge(1 page)`, as the kernel does.
//! [`EngineMode::Bulk`] applies a run of faults in one step when none of
//! them can cross a threshold of any ancestor (limit, memory.high,
//! wmark_high) or meet another event, and near a limit, where each fault
//! charges one page after the batch charge failed, a run of those; the
//! traces are identical.

use alloc::collections::{BinaryHeap, VecDeque};
use alloc::format;
use alloc::string::String;
use core::cmp::Reverse;

use rand_core::{RngCore, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::agent::{Agent, AgentKind, TickOut, MAX_AGENTS};
use crate::charge::{handle_over_high, try_charge, ChargeCtx, ChargeResult};
use crate::counter::CounterKind;
use crate::kernel::{KEvent, Kernel};
use crate::psi::{TSK_IOWAIT, TSK_MEMSTALL, TSK_RUNNING};
use crate::reclaim::{Reclaim, ReclaimCtx};
use crate::stats::{Histogram, MemcgTimes, Sample, Series};
use crate::trace::{Event, Trace};
use crate::tree::{CgroupId, IdMap, Pid, PidMap};
use crate::units::{Nanos, Pages, MEMCG_CHARGE_BATCH, WORK_EVENT, WORK_SAMPLE, WORK_TASK};
use crate::workload::{Op, PageKind, Program};
use crate::writeback::{account_page_dirtied, balance_dirty_pages, quiet_room, wb_workfn};

const CLASS_WORKER: u8 = 0;
/// The flusher (§18.9): after the workers, so a bio that completes at the
/// instant a task faults is clean for it.
const CLASS_FLUSHER: u8 = 1;
const CLASS_TASK: u8 = 2;
/// User-space agents (§20): after the tasks, so a tick sees the charges
/// of its instant, as a daemon woken by a timer would.
const CLASS_AGENT: u8 = 3;
const CLASS_SAMPLER: u8 = 4;

/// Which engine runs the faults.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum EngineMode {
    /// Every fault an event (the reference).
    PerPage,
    /// Runs of plain faults in one step (the fast path).
    #[default]
    Bulk,
}

/// Life of a simulated task.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TaskState {
    Running,
    Holding,
    Sleeping,
    Exited,
    Killed,
}

impl TaskState {
    pub fn label(&self) -> &'static str {
        match self {
            TaskState::Running => "running",
            TaskState::Holding => "holding",
            TaskState::Sleeping => "sleeping",
            TaskState::Exited => "exited",
            TaskState::Killed => "killed",
        }
    }
}

/// A task's program state.
#[derive(Clone, Debug)]
pub struct TaskRun {
    pub pid: Pid,
    pub program: Program,
    pub pc: usize,
    /// Faults done in the current `Alloc`.
    pub done_in_op: Pages,
    op_start: Nanos,
    op_stall: Nanos,
    /// When the current Hold/Sleep ends.
    until: Option<Nanos>,
    pub state: TaskState,
    next_at: Option<Nanos>,
    /// Per-fault latency (ns).
    pub latency: Histogram,
    /// Time spent stalled in the charge path (reclaim, penalty, refaults).
    pub stall_ns: Nanos,
    pub faults: u64,
    /// The cgroup path at spawn (for the trace after exit).
    pub memcg_path: String,
    /// Set when an `Alloc` ended and the next op is `Hold` (for `wait`).
    pub holding_reached: bool,
    /// When the last paced `Alloc`'s next fault would have come: a paced
    /// `Alloc` entered before then (after a `Loop`, or right after that op)
    /// starts then, so the rate holds across ops (docs/model.md §18.5).
    pace_at: Nanos,
}

/// A running wmark work item.
#[derive(Clone, Debug)]
struct WorkerRun {
    reclaim: Reclaim,
    started: Nanos,
    finishing: bool,
    next_at: Nanos,
}

/// The engine's state. Cloneable for checkpoints.
#[derive(Clone, Debug)]
pub struct Engine {
    pub now: Nanos,
    queue: BinaryHeap<Reverse<(Nanos, u8, u32)>>,
    pub tasks: PidMap<TaskRun>,
    workers: IdMap<WorkerRun>,
    wq_fifo: VecDeque<CgroupId>,
    /// `WQ_UNBOUND_MAX_ACTIVE` = max(512, 4 × CPUs) (§10).
    pub max_active: usize,
    rng: Xoshiro256PlusPlus,
    pub seed: u64,
    pub trace: Trace,
    pub mode: EngineMode,
    next_pid: Pid,
    /// Sampling interval of the time series (0 = off).
    pub sample_interval: Nanos,
    sampler_at: Option<Nanos>,
    pub series: IdMap<Series>,
    pub times: IdMap<MemcgTimes>,
    pub events_processed: u64,
    /// The `run_until` target while one runs: the bulk engine applies no
    /// fault later than this (u64::MAX otherwise).
    horizon: Nanos,
    /// Stop processing once this many events ran (a replay's budget, so one
    /// `sleep 24h` line cannot run for minutes); `limit_hit` tells it did.
    pub event_limit: u64,
    pub limit_hit: bool,
    /// Work units done so far (docs/model.md §18.12): each event, each
    /// memcg and task the sampler looks at, each task `sync` looks at,
    /// each memcg the flusher walks, plus the kernel's reclaim walks and
    /// task scans (`Kernel::work`, taken after every event and `sync`).
    /// Like `events_processed`, no coordinate: chunking a run changes it.
    pub work: u64,
    /// Stop processing once `work` reaches this (a replay's bound);
    /// `limit_hit` tells it did.
    pub work_limit: u64,
    /// The flusher's pending event: `Bdi::next_event` when last synced.
    flusher_at: Option<Nanos>,
    /// Tasks neither exited nor killed, kept as their state changes so
    /// spawn need not scan every task ever spawned (§18.4).
    live_tasks: usize,
    /// User-space agents by pid, stopped ones included (§20).
    pub agents: PidMap<AgentRun>,
}

/// A user-space agent and its pending tick.
#[derive(Clone, Debug)]
pub struct AgentRun {
    pub agent: Agent,
    next_at: Option<Nanos>,
}

/// Interval of the per-cgroup time series unless configured (10 ms).
pub const DEFAULT_SAMPLE_INTERVAL: Nanos = 10_000_000;

/// The end of time, 2^62 ns (146 years): `run_until` goes no further and
/// nothing due there or later ever happens, so no input wraps the clock and
/// timers computed from it (PSI's, the flusher's) keep 2^62 ns of headroom.
pub const END_OF_TIME: Nanos = 1 << 62;

/// First pid given to spawned tasks.
pub const FIRST_TASK_PID: Pid = 1001;
/// Most tasks alive at once.
pub const MAX_TASKS: usize = 4096;
/// Records of exited and killed tasks kept for `wait`, `ps`-like views and
/// snapshots: past twice this many, spawn drops the oldest, so hours of
/// spawn and kill hold bounded memory (docs/model.md §18.4).
pub const DEAD_TASKS_KEPT: usize = 256;

impl Engine {
    pub fn new(cpus: usize, seed: u64) -> Engine {
        Engine {
            now: 0,
            queue: BinaryHeap::new(),
            tasks: PidMap::new(),
            workers: IdMap::new(),
            wq_fifo: VecDeque::new(),
            max_active: 512usize.max(4 * cpus),
            rng: Xoshiro256PlusPlus::seed_from_u64(seed),
            seed,
            trace: Trace::default(),
            mode: EngineMode::default(),
            next_pid: FIRST_TASK_PID,
            sample_interval: DEFAULT_SAMPLE_INTERVAL,
            sampler_at: None,
            series: IdMap::new(),
            times: IdMap::new(),
            events_processed: 0,
            horizon: Nanos::MAX,
            event_limit: u64::MAX,
            limit_hit: false,
            work: 0,
            work_limit: u64::MAX,
            flusher_at: None,
            live_tasks: 0,
            agents: PidMap::new(),
        }
    }

    fn schedule(&mut self, t: Nanos, class: u8, id: u32) {
        // Nothing happens at the end of time: a task, worker or timer due
        // there stays where it is, and `run_until` cannot spin on it.
        if t < END_OF_TIME {
            self.queue.push(Reverse((t, class, id)));
        }
    }

    fn path(k: &Kernel, m: CgroupId) -> String {
        if k.tree.get(m).is_some() {
            k.tree.rel_path(m)
        } else {
            String::from("(removed)")
        }
    }

    fn record(&mut self, e: Event) {
        self.trace.record(self.now, &e);
    }

    /// Turn the kernel's events into trace lines; start queued work.
    fn drain_kernel(&mut self, k: &mut Kernel, pid: Option<Pid>) {
        if k.events.is_empty() && self.wq_fifo.is_empty() {
            return;
        }
        let events = core::mem::take(&mut k.events);
        for e in events {
            let ev = match e {
                KEvent::WorkQueued { memcg } => {
                    let pc = &k.tree.memcg(memcg).memory;
                    let ev = Event::WorkQueued {
                        pid,
                        memcg: Self::path(k, memcg),
                        usage: pc.usage,
                        wmark_high: pc.wmark_high,
                    };
                    if !self.workers.contains_key(&memcg) {
                        self.wq_fifo.push_back(memcg);
                    }
                    ev
                }
                KEvent::DirectReclaim {
                    pid,
                    memcg,
                    nr,
                    reclaimed,
                    cost,
                    ..
                } => Event::DirectReclaim {
                    pid,
                    memcg: Self::path(k, memcg),
                    nr,
                    reclaimed,
                    cost_ns: cost,
                },
                KEvent::Drain { memcg } => Event::Drain {
                    memcg: Self::path(k, memcg),
                },
                KEvent::Force { memcg, pages } => Event::Force {
                    memcg: Self::path(k, memcg),
                    pages,
                },
                KEvent::HighPenalty {
                    pid,
                    memcg,
                    jiffies,
                } => Event::HighPenalty {
                    pid,
                    memcg: Self::path(k, memcg),
                    jiffies,
                },
                KEvent::Writeback {
                    memcg,
                    pages,
                    reason,
                } => Event::Writeback {
                    memcg: Self::path(k, memcg),
                    pages,
                    reason: reason.label(),
                },
                KEvent::OomKill { pid, memcg } => {
                    self.task_died(pid, TaskState::Killed);
                    k.psi.task_exit(pid, self.now);
                    Event::OomKill {
                        pid,
                        memcg: Self::path(k, memcg),
                    }
                }
            };
            self.record(ev);
        }
        self.dispatch(k);
    }

    /// Start pending work items while fewer than `max_active` run (§10).
    fn dispatch(&mut self, k: &mut Kernel) {
        while self.workers.len() < self.max_active {
            let Some(m) = self.wq_fifo.pop_front() else {
                break;
            };
            let alive = k.tree.get(m).and_then(|c| c.memcg.as_ref()).is_some();
            if !alive || self.workers.contains_key(&m) {
                continue;
            }
            let mc = k.tree.memcg_mut(m);
            if mc.wmark_work != crate::workqueue::WorkState::Pending {
                continue;
            }
            mc.wmark_work.start();
            let (reclaim, usage, low, nr) = if k.config.flavour.has_async_ratio() {
                // TencentOS async_reclaim_func (§19.5): nr = usage -
                // async_low (unsigned), nothing at 0, capped at async_high -
                // async_low; a MEMCG_HIGH event; one
                // try_to_free_mem_cgroup_pages(.., GFP_KERNEL, true), whose
                // `true` is reclaim_options 1, not MEMCG_RECLAIM_MAY_SWAP
                // (1 << 1): file pages only.
                let mc = k.tree.memcg(m);
                let (usage, low) = (mc.memory.usage, mc.async_low);
                let size = crate::wmark::async_reclaim_size(mc);
                if size.is_some() {
                    k.memcg_memory_event(m, crate::tree::MemcgEvent::High);
                }
                let nr = size.unwrap_or(0);
                let mut reclaim = Reclaim::new(m, nr, ReclaimCtx::Direct, false);
                reclaim.done = size.is_none();
                (reclaim, usage, low, nr)
            } else if k.config.flavour.has_high_async() {
                // openEuler async_reclaim_high (§19.4): one
                // try_to_free_mem_cgroup_pages down to the safe mark, if
                // still over the trigger mark.
                let mc = k.tree.memcg(m);
                let usage = mc.memory.usage;
                let safe = crate::wmark::high_async_marks(mc.memory.high, mc.high_async_ratio).1;
                let go = crate::wmark::is_high_async_reclaim(mc);
                let nr = if go {
                    crate::wmark::high_async_reclaim_size(mc)
                } else {
                    0
                };
                let mut reclaim = Reclaim::new(m, nr, ReclaimCtx::Direct, true);
                reclaim.done = !go;
                (reclaim, usage, safe, nr)
            } else {
                // reclaim_wmark (§9.6): nothing to do below wmark_low.
                let (usage, low) = (mc.memory.usage, mc.memory.wmark_low);
                let nr = if usage < low {
                    0
                } else {
                    (usage - low).max(MEMCG_CHARGE_BATCH)
                };
                let mut reclaim = Reclaim::new(m, nr, ReclaimCtx::Kswapd, true);
                if usage <= low {
                    reclaim.done = true;
                }
                (reclaim, usage, low, if usage <= low { 0 } else { nr })
            };
            self.record(Event::WorkStart {
                memcg: Self::path(k, m),
                nr,
                usage,
                wmark_low: low,
            });
            let finishing = reclaim.done;
            self.workers.insert(
                m,
                WorkerRun {
                    reclaim,
                    started: self.now,
                    finishing,
                    next_at: self.now,
                },
            );
            self.schedule(self.now, CLASS_WORKER, m.0);
        }
    }

    fn worker_event(&mut self, k: &mut Kernel, m: CgroupId) {
        let alive = k.tree.get(m).and_then(|c| c.memcg.as_ref()).is_some();
        if !alive {
            // css_free cancelled it (TV-23).
            self.workers.remove(&m);
            self.dispatch(k);
            return;
        }
        let w = self.workers.get_mut(&m).expect("worker");
        if w.finishing {
            let elapsed = self.now - w.started;
            let reclaimed = w.reclaim.progress.reclaimed;
            self.workers.remove(&m);
            // exstat MEMCG_WMARK_RECLAIM for m and each parent_mem_cgroup
            // (`reclaim_wmark`, ALinux 4.19): the counter chain, which ends
            // at a v1 memcg without use_hierarchy above it (§9.6).
            let chain: alloc::vec::Vec<CgroupId> = k.tree.counter_chain(m).collect();
            for c in chain {
                k.tree.memcg_mut(c).wmark_reclaim_ns += elapsed;
            }
            self.times.get_or_default(m).worker_ns += elapsed;
            let mc = k.tree.memcg_mut(m);
            mc.wmark_work.finish();
            let again = mc.wmark_work == crate::workqueue::WorkState::Pending;
            let usage = mc.memory.usage;
            self.record(Event::WorkDone {
                memcg: Self::path(k, m),
                reclaimed,
                elapsed_ns: elapsed,
                usage,
            });
            if again {
                self.wq_fifo.push_back(m);
            }
            self.dispatch(k);
            return;
        }
        let costs = k.costs;
        let p = w.reclaim.step(k, &costs, crate::reclaim::SWAP_CLUSTER_MAX);
        let done = w.reclaim.done;
        w.finishing = done;
        let next = self
            .now
            .saturating_add(if done { p.cost } else { p.cost.max(1) })
            .min(END_OF_TIME);
        w.next_at = next;
        self.schedule(next, CLASS_WORKER, m.0);
        if p.scanned > 0 || p.reclaimed > 0 {
            let usage = k.tree.memcg(m).memory.usage;
            self.record(Event::WorkChunk {
                memcg: Self::path(k, m),
                reclaimed: p.reclaimed,
                scanned: p.scanned,
                cost_ns: p.cost,
                usage,
            });
        }
        self.drain_kernel(k, None);
    }

    /// Start a task in cgroup `cg` running `program`. Returns its pid.
    pub fn spawn(&mut self, k: &mut Kernel, cg: CgroupId, program: Program) -> Result<Pid, String> {
        program.validate()?;
        if self.live_tasks >= MAX_TASKS {
            return Err(format!("too many tasks (at most {MAX_TASKS})"));
        }
        self.drop_dead_tasks();
        let pid = self.next_pid;
        self.next_pid += 1;
        let cpu = (pid as usize) % k.stocks.len();
        k.tasks.insert(
            pid,
            crate::kernel::Task {
                pid,
                comm: program.name.clone(),
                cgroup: cg,
                cpu,
                pages: Default::default(),
                nr_pages_over_high: 0,
                oom_score_adj: 0,
                dying: false,
                ws: program.ws,
            },
        );
        k.tree.cg_mut(cg).procs.insert(pid);
        k.css_set_move_task(pid, None, Some(cg));
        k.psi.task_spawn(pid, cpu, psi_groups(k, cg));
        let m = k.effective_memcg(cg);
        let path = Self::path(k, m);
        self.record(Event::Spawn {
            pid,
            memcg: path.clone(),
            program: program.name.clone(),
        });
        self.tasks.insert(
            pid,
            TaskRun {
                pid,
                program,
                pc: 0,
                done_in_op: 0,
                op_start: self.now,
                op_stall: 0,
                until: None,
                state: TaskState::Running,
                next_at: None,
                latency: Histogram::default(),
                stall_ns: 0,
                faults: 0,
                memcg_path: path,
                holding_reached: false,
                pace_at: 0,
            },
        );
        self.live_tasks += 1;
        self.enter_op(k, pid, self.now);
        if self.sampler_at.is_none() && self.sample_interval > 0 {
            let t = self.now;
            self.sampler_at = Some(t);
            self.schedule(t, CLASS_SAMPLER, 0);
        }
        Ok(pid)
    }

    /// SIGKILL from the shell.
    pub fn kill(&mut self, k: &mut Kernel, pid: Pid) -> bool {
        if let Some(a) = self.agents.get_mut(&pid) {
            if !a.agent.alive {
                return false;
            }
            a.agent.alive = false;
            a.next_at = None;
            let (name, memcg, cpu) = (a.agent.kind.name(), a.agent.memcg.clone(), a.agent.cpu_ns);
            self.record(Event::Agent {
                pid,
                memcg,
                agent: name,
                action: "killed",
                detail: format!("cpu_ns={cpu}"),
            });
            return true;
        }
        let Some(t) = self.tasks.get_mut(&pid) else {
            return false;
        };
        if matches!(t.state, TaskState::Exited | TaskState::Killed) {
            return false;
        }
        let path = t.memcg_path.clone();
        self.task_died(pid, TaskState::Killed);
        k.reap(pid);
        k.psi.task_exit(pid, self.now);
        self.record(Event::Killed { pid, memcg: path });
        true
    }

    /// Start a user-space agent on cgroup `cg` (§20): its start-up reads
    /// and writes run now, its first tick comes one interval later
    /// (Koordinator's loop runs at once). Returns its pid, or why the
    /// daemon refused to start.
    pub fn start_agent(
        &mut self,
        k: &mut Kernel,
        cg: CgroupId,
        kind: AgentKind,
        cred: crate::cgroupfs::Cred,
    ) -> Result<Pid, String> {
        if self.agents.values().filter(|a| a.agent.alive).count() >= MAX_AGENTS {
            return Err(format!("too many agents (at most {MAX_AGENTS})"));
        }
        let dir = crate::cgroupfs::node_path(k, crate::cgroupfs::Node::Cgroup(cg));
        let memcg = k.tree.rel_path(cg);
        let pid = self.next_pid;
        let (agent, out) =
            Agent::start(k, pid, kind, dir.clone(), memcg.clone(), cred).map_err(|(file, e)| {
                format!("{}/{file}: {}", dir.trim_end_matches('/'), e.message())
            })?;
        self.next_pid += 1;
        let first = match agent.kind {
            AgentKind::Koordinator { .. } => self.now,
            AgentKind::Senpai { .. } => later(later(self.now, out.cost), agent.kind.interval_ns()),
        };
        self.agents.insert(
            pid,
            AgentRun {
                agent,
                next_at: Some(first),
            },
        );
        self.agent_done(k, pid, Some(cg), out);
        self.schedule(first, CLASS_AGENT, pid);
        Ok(pid)
    }

    fn agent_event(&mut self, k: &mut Kernel, pid: Pid) {
        let a = self.agents.get_mut(&pid).expect("agent");
        a.next_at = None;
        let out = a.agent.tick(k);
        let interval = a.agent.kind.interval_ns();
        // It sleeps its interval after the tick's work (`time.sleep(1)`
        // in senpai.py, `wait.Until` in koordlet).
        let dir = a.agent.dir.clone();
        if out.exit {
            a.agent.alive = false;
        } else {
            let next = later(later(self.now, out.cost), interval);
            a.next_at = Some(next);
            self.schedule(next, CLASS_AGENT, pid);
        }
        // Its cgroup by path, as it opened the files: none once removed.
        let cg = match crate::cgroupfs::resolve(k, "/", &dir) {
            Ok(crate::cgroupfs::Node::Cgroup(id)) => Some(id),
            _ => None,
        };
        self.agent_done(k, pid, cg, out);
    }

    /// Count a tick's CPU for the cgroup acted on (if it still exists) and
    /// trace its actions.
    fn agent_done(&mut self, k: &Kernel, pid: Pid, cg: Option<CgroupId>, out: TickOut) {
        if let Some(cg) = cg {
            let m = k.effective_memcg(cg);
            self.times.get_or_default(m).agent_cpu_ns += out.cost;
        }
        let a = &self.agents[&pid].agent;
        let (name, memcg) = (a.kind.name(), a.memcg.clone());
        for act in out.actions {
            self.record(Event::Agent {
                pid,
                memcg: memcg.clone(),
                agent: name,
                action: act.action,
                detail: act.detail,
            });
        }
    }

    /// CPU time of every agent so far, ns (§20).
    pub fn agent_cpu_ns(&self) -> Nanos {
        self.agents.values().map(|a| a.agent.cpu_ns).sum()
    }

    fn jitter(&mut self, d: Nanos, pct: u8) -> Nanos {
        if pct == 0 || d == 0 {
            return d;
        }
        let span = d / 100 * u64::from(pct);
        if span == 0 {
            return d;
        }
        // In u128: 2 × span + 1 and d + span pass u64::MAX for a long sleep.
        let r = u128::from(self.rng.next_u64()) % (2 * u128::from(span) + 1);
        (u128::from(d - span) + r).min(u128::from(END_OF_TIME)) as Nanos
    }

    /// Run the op at `pc` starting at time `t`: zero-time ops run at once,
    /// timed ops schedule the next event.
    fn enter_op(&mut self, k: &mut Kernel, pid: Pid, t: Nanos) {
        let mut guard = 0;
        loop {
            guard += 1;
            let Some(tr) = self.tasks.get_mut(&pid) else {
                return;
            };
            if !k.tasks.contains_key(&pid) || guard > 4096 {
                return;
            }
            if tr.pc >= tr.program.ops.len() {
                k.psi.task_exit(pid, t);
                self.exit(k, pid);
                return;
            }
            let op = tr.program.ops[tr.pc].clone();
            tr.done_in_op = 0;
            tr.op_start = t;
            tr.op_stall = 0;
            match op {
                Op::Alloc { rate, .. } => {
                    k.psi.task_state(pid, t, TSK_RUNNING);
                    tr.state = TaskState::Running;
                    // A paced op starts no earlier than the last paced op's
                    // next fault would have come: `stream 4K --rate 4K/s`
                    // loops once a second, not once per fault_ns. An
                    // unpaced op in between ends that pacing.
                    let start = if rate.is_some() { t.max(tr.pace_at) } else { t };
                    if rate.is_none() {
                        tr.pace_at = 0;
                    }
                    tr.op_start = start;
                    tr.next_at = Some(start);
                    self.schedule(start, CLASS_TASK, pid);
                    return;
                }
                Op::Hold(d) => {
                    k.psi.task_state(pid, t, TSK_RUNNING);
                    tr.state = TaskState::Holding;
                    // Saturating: no duration or cost field can wrap time.
                    tr.until = d.map(|d| later(t, d));
                    let touch = later(t, k.costs.touch_interval_ns);
                    let next = match tr.until {
                        Some(u) => u.min(touch),
                        None => touch,
                    };
                    tr.next_at = Some(next);
                    self.schedule(next, CLASS_TASK, pid);
                    return;
                }
                Op::Sleep(d) => {
                    let pct = tr.program.jitter_pct;
                    let d = self.jitter(d, pct);
                    let tr = self.tasks.get_mut(&pid).expect("task");
                    k.psi.task_state(pid, t, 0);
                    tr.state = TaskState::Sleeping;
                    let until = later(t, d);
                    tr.until = Some(until);
                    tr.next_at = Some(until);
                    self.schedule(until, CLASS_TASK, pid);
                    return;
                }
                Op::FreeAnon => {
                    free_anon(k, pid);
                    tr.pc += 1;
                }
                Op::Loop => tr.pc = 0,
                Op::Exit => {
                    k.psi.task_exit(pid, t);
                    self.exit(k, pid);
                    return;
                }
            }
        }
    }

    fn exit(&mut self, k: &mut Kernel, pid: Pid) {
        k.reap(pid);
        if let Some(tr) = self.tasks.get(&pid) {
            let path = tr.memcg_path.clone();
            self.task_died(pid, TaskState::Exited);
            self.record(Event::Exit { pid, memcg: path });
        }
    }

    /// A task exits or is killed: no more events, one live task less.
    fn task_died(&mut self, pid: Pid, state: TaskState) {
        if let Some(tr) = self.tasks.get_mut(&pid) {
            if !matches!(tr.state, TaskState::Exited | TaskState::Killed) {
                self.live_tasks -= 1;
            }
            tr.state = state;
            tr.next_at = None;
        }
    }

    /// Past 2 × [`DEAD_TASKS_KEPT`] records of exited and killed tasks,
    /// drop all but the newest [`DEAD_TASKS_KEPT`] (by pid, as the kernel
    /// frees a reaped task; nothing is queued for them, so the trace is the
    /// same). At spawn, so a loop of spawn and kill holds bounded memory;
    /// amortised O(1) per spawn (docs/model.md §18.4).
    fn drop_dead_tasks(&mut self) {
        let dead = self.tasks.len() - self.live_tasks;
        if dead <= 2 * DEAD_TASKS_KEPT {
            return;
        }
        let mut drop = dead - DEAD_TASKS_KEPT;
        self.tasks.retain(|_, t| {
            let gone = drop > 0 && matches!(t.state, TaskState::Exited | TaskState::Killed);
            drop -= usize::from(gone);
            !gone
        });
    }

    /// Tasks neither exited nor killed (at most [`MAX_TASKS`]).
    pub fn live_tasks(&self) -> usize {
        self.live_tasks
    }

    /// Events in the queue, stale ones (of a dead task, a stopped worker)
    /// included: what the queue holds, for the soak's memory check.
    pub fn queued_events(&self) -> usize {
        self.queue.len()
    }

    fn task_event(&mut self, k: &mut Kernel, pid: Pid) {
        let Some(tr) = self.tasks.get_mut(&pid) else {
            return;
        };
        tr.next_at = None;
        if !k.tasks.contains_key(&pid) {
            return;
        }
        let op = tr.program.ops[tr.pc].clone();
        match op {
            Op::Alloc { kind, pages, rate } => {
                if self.mode == EngineMode::Bulk {
                    let n = self.bulk_faults(k, pid, kind, pages, rate);
                    if n > 0 {
                        self.apply_bulk(k, pid, kind, n, rate);
                        return;
                    }
                    if let Some(run) = self.single_faults(k, pid, kind, pages, rate) {
                        self.apply_single(k, pid, kind, run, pages, rate);
                        return;
                    }
                }
                let lat = self.fault(k, pid, kind);
                self.after_faults(k, pid, 1, lat, pages, rate);
            }
            Op::Hold(_) => {
                let cost = self.service_refaults(k, pid);
                self.drain_kernel(k, Some(pid));
                // Refaults wait for the page off the CPU (§18.10).
                psi_memstall(k, pid, self.now, cost, TSK_MEMSTALL | TSK_IOWAIT);
                let tr = self.tasks.get_mut(&pid).expect("task");
                tr.stall_ns += cost;
                let now = later(self.now, cost);
                match tr.until {
                    Some(u) if now >= u => {
                        tr.pc += 1;
                        self.enter_op(k, pid, now);
                    }
                    until => {
                        let mut next = later(now, k.costs.touch_interval_ns);
                        if let Some(u) = until {
                            next = next.min(u);
                        }
                        tr.next_at = Some(next);
                        self.schedule(next, CLASS_TASK, pid);
                    }
                }
            }
            Op::Sleep(_) => {
                let tr = self.tasks.get_mut(&pid).expect("task");
                tr.pc += 1;
                self.enter_op(k, pid, self.now);
            }
            _ => self.enter_op(k, pid, self.now),
        }
    }

    /// Fault back in the working-set pages reclaim took (major faults).
    fn service_refaults(&mut self, k: &mut Kernel, pid: Pid) -> Nanos {
        let (anon, file, cgroup, cpu) = {
            let t = &k.tasks[&pid];
            (t.pages.refault_anon, t.pages.refault_file, t.cgroup, t.cpu)
        };
        if anon + file == 0 {
            return 0;
        }
        let m = k.effective_memcg(cgroup);
        let costs = k.costs;
        let ctx = ChargeCtx::fault(cpu, pid);
        let mut cost = 0;
        let mut done = 0;
        let (stalls0, mut reclaim_ns) = (k.stalls, 0);
        for i in 0..anon + file {
            if k.tasks.get(&pid).is_none_or(|t| t.dying) {
                break;
            }
            let out = try_charge(k, &costs, m, 1, ctx);
            cost += out.cost + costs.refault_ns;
            reclaim_ns += out.cost;
            if out.result == ChargeResult::Nomem {
                break;
            }
            let is_anon = i < anon;
            let Some(t) = k.tasks.get_mut(&pid).filter(|t| !t.dying) else {
                // The charge OOM-killed this very task: the page goes with it.
                crate::charge::uncharge(k, m, 1);
                break;
            };
            if is_anon {
                t.pages.refault_anon -= 1;
                t.pages.anon_hot += 1;
                k.nr_anon += 1;
                if t.pages.swapped > 0 {
                    t.pages.swapped -= 1;
                    k.swap_free += 1;
                    if m != CgroupId::ROOT {
                        // mem_cgroup_charge of a swap cache page, then
                        // mem_cgroup_uncharge_swap (v2 swap, v1 memsw).
                        k.tree.mem_cgroup_uncharge_swap(m, 1);
                    }
                }
            } else {
                t.pages.refault_file -= 1;
                t.pages.file_hot += 1;
            }
            if let Some(mc) = k.tree.cg_mut(m).memcg.as_mut() {
                if is_anon {
                    mc.stat.workingset_refault_anon += 1;
                } else {
                    mc.stat.workingset_refault_file += 1;
                }
                mc.stat.pgmajfault += 1;
                mc.stat.pgfault += 1;
            }
            done += 1;
        }
        let penalty = handle_over_high(k, &costs, pid);
        cost += penalty;
        let times = self.times.get_or_default(m);
        times.refault_ns += done * costs.refault_ns;
        times.stall_ns += cost;
        times.direct_reclaim_ns += reclaim_ns;
        times.penalty_ns += penalty;
        times.high_sleep_ns += k.stalls.high_sleep_ns - stalls0.high_sleep_ns;
        times.reclaim_wait_ns += k.stalls.reclaim_wait_ns - stalls0.reclaim_wait_ns;
        if done > 0 {
            let path = Self::path(k, m);
            self.record(Event::Refault {
                pid,
                memcg: path,
                pages: done,
                cost_ns: cost,
            });
        }
        cost
    }

    /// One fault through the exact path. Returns its latency.
    fn fault(&mut self, k: &mut Kernel, pid: Pid, kind: PageKind) -> Nanos {
        let Some(task) = k.tasks.get(&pid) else {
            return k.costs.fault_ns;
        };
        let refault_cost = if task.pages.refault_anon + task.pages.refault_file > 0 {
            self.service_refaults(k, pid)
        } else {
            0
        };
        let Some(task) = k.tasks.get(&pid) else {
            return k.costs.fault_ns + refault_cost;
        };
        let (cgroup, cpu) = (task.cgroup, task.cpu);
        let m = k.effective_memcg(cgroup);
        let costs = k.costs;
        let ctx = ChargeCtx::fault(cpu, pid);
        // After service_refaults, which accounts its own.
        let stalls0 = k.stalls;
        let out = try_charge(k, &costs, m, 1, ctx);
        let mut lat = costs.fault_ns + refault_cost + out.cost;
        let (alive, over_high) = k
            .tasks
            .get(&pid)
            .map_or((false, 0), |t| (!t.dying, t.nr_pages_over_high));
        let mut dirty_pause = 0;
        let mut charged = 0;
        if alive && out.result != ChargeResult::Nomem {
            add_pages(k, pid, m, kind, 1);
            charged = 1;
            if kind == PageKind::FileDirty {
                dirty_pause = balance_dirty_pages(k, m, 1);
                lat += dirty_pause;
            }
        } else if out.result != ChargeResult::Nomem {
            // Killed by the OOM its own charge invoked: the page is freed
            // with the task.
            crate::charge::uncharge(k, m, 1);
        }
        if alive && out.result == ChargeResult::Nomem {
            // A v1 oom_kill_disable wait: retry the fault a little later.
            lat += 10_000_000;
        }
        let penalty = if alive && over_high > 0 {
            handle_over_high(k, &costs, pid)
        } else {
            0
        };
        lat += penalty;
        let times = self.times.get_or_default(m);
        times.direct_reclaim_ns += out.cost;
        times.penalty_ns += penalty;
        times.stall_ns += out.cost + penalty + dirty_pause;
        times.latency.add(lat);
        times.quantiles.add(lat);
        times.dirty_pause_ns += dirty_pause;
        times.alloc_pages += charged;
        times.high_sleep_ns += k.stalls.high_sleep_ns - stalls0.high_sleep_ns;
        times.reclaim_wait_ns += k.stalls.reclaim_wait_ns - stalls0.reclaim_wait_ns;
        self.drain_kernel(k, Some(pid));
        lat
    }

    /// After `n` faults of the current op ending with one of latency `lat`
    /// at `self.now`: count them, finish the op or schedule the next fault.
    fn after_faults(
        &mut self,
        k: &mut Kernel,
        pid: Pid,
        n: Pages,
        lat: Nanos,
        pages: Pages,
        rate: Option<u64>,
    ) {
        let fault_ns = k.costs.fault_ns;
        let Some(tr) = self.tasks.get_mut(&pid) else {
            return;
        };
        if !k.tasks.contains_key(&pid) {
            tr.next_at = None;
            return;
        }
        tr.done_in_op += n;
        tr.faults += n;
        tr.latency.add(lat);
        let stall = lat.saturating_sub(fault_ns);
        tr.stall_ns += stall;
        tr.op_stall += stall;
        // The charge path's stall: reclaim on the CPU (§18.10).
        psi_memstall(k, pid, self.now, stall, TSK_RUNNING | TSK_MEMSTALL);
        let t_done = later(self.now, lat);
        if tr.done_in_op >= pages {
            let (memcg, stall_ns) = (tr.memcg_path.clone(), tr.op_stall);
            if let Some(r) = rate {
                // Fault `pages` of this op: where the next paced op begins.
                tr.pace_at = nominal(tr.op_start, pages, r);
            }
            tr.pc += 1;
            if matches!(tr.program.ops.get(tr.pc), Some(Op::Hold(_))) {
                tr.holding_reached = true;
            }
            self.record(Event::AllocDone {
                pid,
                memcg,
                pages,
                stall_ns,
            });
            self.enter_op(k, pid, t_done);
            return;
        }
        let next = match rate {
            None => t_done,
            Some(r) => nominal(tr.op_start, tr.done_in_op, r).max(t_done),
        };
        tr.next_at = Some(next);
        self.schedule(next, CLASS_TASK, pid);
    }

    /// How many faults from now on are plain: no threshold of any ancestor
    /// crossed, no other event met (see the module docs).
    fn bulk_faults(
        &mut self,
        k: &Kernel,
        pid: Pid,
        kind: PageKind,
        pages: Pages,
        rate: Option<u64>,
    ) -> Pages {
        let fault_ns = k.costs.fault_ns;
        let Some(t) = k.tasks.get(&pid) else { return 0 };
        if t.dying || t.nr_pages_over_high > 0 || t.pages.refault_anon + t.pages.refault_file > 0 {
            return 0;
        }
        let tr = &self.tasks[&pid];
        let remaining = pages - tr.done_in_op;
        // Timing regime with a closed form.
        if let Some(r) = rate {
            if 1_000_000_000 / r < fault_ns || nominal(tr.op_start, tr.done_in_op, r) != self.now {
                return 0;
            }
        }
        let m = k.effective_memcg(t.cgroup);
        // Threshold room.
        let room = if m == CgroupId::ROOT {
            remaining
        } else {
            let stock = &k.stocks[t.cpu];
            let s = match stock.cached {
                Some(c) if c == m => stock.nr_pages,
                None => 0,
                Some(_) => return 0,
            };
            let mut refills = u64::MAX;
            for w in k.tree.counter_chain(m) {
                let pc = &k.tree.memcg(w).memory;
                let r = plain_limit(k, w).saturating_sub(pc.usage) / MEMCG_CHARGE_BATCH;
                refills = refills.min(r);
                if k.tree.memsw_account {
                    // v1: memsw is charged first and may fail first.
                    let ms = &k.tree.memcg(w).memsw;
                    refills = refills.min(ms.max.saturating_sub(ms.usage) / MEMCG_CHARGE_BATCH);
                }
                if crate::charge::swap_high(k, w) {
                    // Each refill would arm memory.high handling.
                    refills = 0;
                }
            }
            s.saturating_add(refills.saturating_mul(MEMCG_CHARGE_BATCH))
        };
        let mut n = remaining.min(room);
        if kind == PageKind::FileDirty {
            // balance_dirty_pages must stay a no-op and the thresholds may
            // only grow: no stock refill, nothing over a freerun ceiling or
            // the background threshold (§18.9).
            if m != CgroupId::ROOT {
                let stock = &k.stocks[t.cpu];
                n = n.min(if stock.cached == Some(m) {
                    stock.nr_pages
                } else {
                    0
                });
            }
            n = n.min(quiet_room(k, m));
        }
        if n == 0 {
            return 0;
        }
        self.unmet_faults(pid, n, rate, fault_ns)
    }

    /// Of the next `n` faults of `pid` (paced at `rate`, or back to back),
    /// how many meet no other event and stay within the run's horizon:
    /// fault j happens at time_of(j); its key must come before the next
    /// queued key, and its time must not pass the `run_until` target.
    fn unmet_faults(&self, pid: Pid, n: Pages, rate: Option<u64>, fault_ns: Nanos) -> Pages {
        let tr = &self.tasks[&pid];
        let other = self.queue.peek().map(|&Reverse(key)| key);
        let horizon = self.horizon;
        let before = |t: Nanos| t <= horizon && other.is_none_or(|o| (t, CLASS_TASK, pid) < o);
        let time_of = |j: Pages| match rate {
            None => later(self.now, j * fault_ns),
            Some(r) => nominal(tr.op_start, tr.done_in_op + j, r),
        };
        if !before(time_of(0)) {
            return 0;
        }
        // The latest time a fault may have: the horizon, or just before
        // the other key (a fault at its very time comes first when its
        // class and pid sort first).
        let mut last_t = horizon;
        if let Some((t_o, c_o, id_o)) = other {
            let at_o = if (CLASS_TASK, pid) < (c_o, id_o) {
                t_o
            } else {
                t_o.saturating_sub(1)
            };
            last_t = last_t.min(at_o);
        }
        // The largest j with time_of(j) <= last_t by inverting time_of,
        // checked against time_of itself (the binary search below decides
        // whenever the guess is off, e.g. where times saturate).
        let guess = match rate {
            None => last_t.saturating_sub(self.now).checked_div(fault_ns),
            Some(r) => {
                let d = u128::from(last_t.saturating_sub(tr.op_start)) + 1;
                let i = (d * u128::from(r) - 1) / 1_000_000_000;
                u64::try_from(i)
                    .ok()
                    .and_then(|i| i.checked_sub(tr.done_in_op))
            }
        };
        // Largest j < n with before(time_of(j)), by binary search.
        let search = || {
            let (mut lo, mut hi) = (0u64, n - 1);
            while lo < hi {
                let mid = lo + (hi - lo).div_ceil(2);
                if before(time_of(mid)) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            lo + 1
        };
        let found = guess.and_then(|j| {
            if j >= n - 1 && before(time_of(n - 1)) {
                Some(n)
            } else if j < n - 1 && before(time_of(j)) && !before(time_of(j + 1)) {
                Some(j + 1)
            } else {
                None
            }
        });
        debug_assert!(found.is_none_or(|f| f == search()), "unmet_faults guess");
        found.unwrap_or_else(search)
    }

    /// A run of single-page charges near a limit (§18.4): the stock is
    /// empty, the batch charge fails at the same counter for every fault of
    /// the run and `try_charge` retries with one page (`batch = nr_pages`,
    /// §3), which succeeds quietly (no threshold of [`plain_limit`], no
    /// memsw limit). Each fault then leaves the same trace (none) and adds
    /// one page and one `failcnt` of the failing counter. `None` unless the
    /// run has at least two faults.
    fn single_faults(
        &self,
        k: &Kernel,
        pid: Pid,
        kind: PageKind,
        pages: Pages,
        rate: Option<u64>,
    ) -> Option<SingleRun> {
        let fault_ns = k.costs.fault_ns;
        let t = k.tasks.get(&pid)?;
        if kind == PageKind::FileDirty
            || t.dying
            || t.nr_pages_over_high > 0
            || t.pages.refault_anon + t.pages.refault_file > 0
            || !(self.wq_fifo.is_empty() || self.workers.len() >= self.max_active)
        {
            return None;
        }
        let tr = &self.tasks[&pid];
        if let Some(r) = rate {
            if 1_000_000_000 / r < fault_ns || nominal(tr.op_start, tr.done_in_op, r) != self.now {
                return None;
            }
        }
        let m = k.effective_memcg(t.cgroup);
        if m == CgroupId::ROOT {
            return None;
        }
        let stock = &k.stocks[t.cpu];
        if stock.cached == Some(m) && stock.nr_pages > 0 {
            return None;
        }
        let batch = MEMCG_CHARGE_BATCH;
        let memsw = k.tree.memsw_account;
        // The counter the batch charge fails at (memsw is tried first).
        let fail = |kind: CounterKind| {
            k.tree.counter_chain(m).find(|&w| {
                let mc = k.tree.memcg(w);
                let pc = if kind == CounterKind::Memsw {
                    &mc.memsw
                } else {
                    &mc.memory
                };
                pc.usage.saturating_add(batch) > pc.max
            })
        };
        let (fail_kind, fail_at) = match memsw.then(|| fail(CounterKind::Memsw)).flatten() {
            Some(w) => (CounterKind::Memsw, w),
            None => (CounterKind::Memory, fail(CounterKind::Memory)?),
        };
        // Largest j such that faults 0..=j all behave alike: `last` bounds j.
        let mut last = pages - tr.done_in_op - 1;
        let mut below_fail = true;
        for w in k.tree.counter_chain(m) {
            if crate::charge::swap_high(k, w) {
                return None;
            }
            let mc = k.tree.memcg(w);
            if w == fail_at {
                below_fail = false;
            }
            // The single charge: quiet and within every limit.
            let quiet = plain_limit(k, w).checked_sub(mc.memory.usage + 1)?;
            last = last.min(quiet);
            if memsw {
                last = last.min(mc.memsw.max.checked_sub(mc.memsw.usage + 1)?);
            }
            // The batch charge: it must keep passing where it passes.
            let passes = |pc: &crate::counter::PageCounter| pc.max.checked_sub(pc.usage + batch);
            if fail_kind == CounterKind::Memsw {
                if below_fail {
                    last = last.min(passes(&mc.memsw)?);
                }
            } else {
                if memsw {
                    last = last.min(passes(&mc.memsw)?);
                }
                if below_fail {
                    last = last.min(passes(&mc.memory)?);
                }
            }
        }
        if last == 0 {
            return None;
        }
        let n = self.unmet_faults(pid, last + 1, rate, fault_ns);
        (n >= 2).then_some(SingleRun {
            n,
            fail_kind,
            fail_at,
        })
    }

    /// Apply a [`SingleRun`]: its first `n − 1` faults in closed form (one
    /// page and one failcnt each; the protection and the watermarks are
    /// left to the last, whose walk sets them as the per-page engine's
    /// last fault does), then the last through [`Engine::fault`] as the
    /// per-page engine runs it.
    fn apply_single(
        &mut self,
        k: &mut Kernel,
        pid: Pid,
        kind: PageKind,
        run: SingleRun,
        pages: Pages,
        rate: Option<u64>,
    ) {
        let fault_ns = k.costs.fault_ns;
        let cgroup = k.tasks[&pid].cgroup;
        let m = k.effective_memcg(cgroup);
        let early = run.n - 1;
        k.tree.page_counter_add_quiet(m, early);
        k.tree.add_failcnt(run.fail_at, run.fail_kind, early);
        add_pages(k, pid, m, kind, early);
        let times = self.times.get_or_default(m);
        times.latency.add_n(fault_ns, early);
        times.quantiles.add_n(fault_ns, early);
        times.alloc_pages += early;
        let tr = self.tasks.get_mut(&pid).expect("task");
        self.now = match rate {
            None => later(self.now, early * fault_ns),
            Some(r) => nominal(tr.op_start, tr.done_in_op + early, r),
        };
        tr.latency.add_n(fault_ns, early);
        tr.done_in_op += early;
        tr.faults += early;
        let lat = self.fault(k, pid, kind);
        self.after_faults(k, pid, 1, lat, pages, rate);
    }

    /// Apply `n` plain faults at once: the same state the per-page engine
    /// reaches after them.
    fn apply_bulk(
        &mut self,
        k: &mut Kernel,
        pid: Pid,
        kind: PageKind,
        n: Pages,
        rate: Option<u64>,
    ) {
        let fault_ns = k.costs.fault_ns;
        let (cgroup, cpu) = {
            let t = &k.tasks[&pid];
            (t.cgroup, t.cpu)
        };
        let m = k.effective_memcg(cgroup);
        if m != CgroupId::ROOT {
            let s = match k.stocks[cpu].cached {
                Some(c) if c == m => k.stocks[cpu].nr_pages,
                _ => 0,
            };
            if n <= s {
                k.stocks[cpu].nr_pages -= n;
            } else {
                let refills = (n - s).div_ceil(MEMCG_CHARGE_BATCH);
                k.tree
                    .page_counter_charge(m, refills * MEMCG_CHARGE_BATCH, CounterKind::Memory);
                k.stocks[cpu].cached = Some(m);
                k.stocks[cpu].nr_pages = s + refills * MEMCG_CHARGE_BATCH - n;
            }
        }
        add_pages(k, pid, m, kind, n);
        let times = self.times.get_or_default(m);
        times.latency.add_n(fault_ns, n);
        times.quantiles.add_n(fault_ns, n);
        times.alloc_pages += n;
        // The last of the n faults happens at:
        let tr = self.tasks.get_mut(&pid).expect("task");
        let last = match rate {
            None => later(self.now, (n - 1) * fault_ns),
            Some(r) => nominal(tr.op_start, tr.done_in_op + n - 1, r),
        };
        tr.latency.add_n(fault_ns, n - 1);
        tr.done_in_op += n - 1;
        tr.faults += n - 1;
        let pages = match tr.program.ops[tr.pc] {
            Op::Alloc { pages, .. } => pages,
            _ => 0,
        };
        self.now = last;
        self.after_faults(k, pid, 1, fault_ns, pages, rate);
    }

    fn sample(&mut self, k: &Kernel) {
        let t = self.now;
        for id in k.tree.ids() {
            let Some(mc) = k.tree.cg(id).memcg.as_ref() else {
                continue;
            };
            self.work += (1 + mc.tasks.len() as u64) * WORK_SAMPLE;
            // Its tasks' anon and file working sets from the memcg's task
            // index: no walk of every task, nothing for a memcg without
            // tasks (§18.4).
            let (mut anon, mut file_hot): (Pages, Pages) = (0, 0);
            for pid in mc.tasks.iter() {
                let p = &k.tasks[pid].pages;
                anon += p.anon();
                file_hot += p.file_hot;
            }
            let s = Sample {
                t,
                usage: mc.memory.usage,
                anon,
                file: mc.pages.file() + file_hot,
                max: mc.memory.max,
                high: mc.memory.high,
                wmark_high: mc.memory.wmark_high,
                wmark_low: mc.memory.wmark_low,
                stall_ns: self.times.get(&id).map_or(0, |x| x.stall_ns),
                worker_ns: mc.wmark_reclaim_ns,
                refaults: mc.stat.workingset_refault_anon + mc.stat.workingset_refault_file,
            };
            self.series.get_or_default(id).push(s);
        }
    }

    /// When the next event is due, if any.
    pub fn next_event_at(&self) -> Option<Nanos> {
        self.queue
            .iter()
            .filter(|Reverse((t, c, id))| self.valid(*t, *c, *id))
            .map(|Reverse((t, _, _))| *t)
            .min()
    }

    fn valid(&self, t: Nanos, class: u8, id: u32) -> bool {
        match class {
            CLASS_FLUSHER => self.flusher_at == Some(t),
            CLASS_WORKER => self
                .workers
                .get(&CgroupId(id))
                .is_some_and(|w| w.next_at == t),
            CLASS_TASK => self.tasks.get(&id).is_some_and(|tr| tr.next_at == Some(t)),
            CLASS_AGENT => self.agents.get(&id).is_some_and(|a| a.next_at == Some(t)),
            _ => self.sampler_at == Some(t),
        }
    }

    /// Process the next event. False when nothing is queued.
    pub fn step(&mut self, k: &mut Kernel) -> bool {
        if self.over_limit() {
            self.limit_hit = true;
            return false;
        }
        while let Some(Reverse((t, class, id))) = self.queue.pop() {
            if self.valid(t, class, id) {
                self.process(k, t, class, id);
                return true;
            }
        }
        false
    }

    fn process(&mut self, k: &mut Kernel, t: Nanos, class: u8, id: u32) {
        self.now = self.now.max(t);
        k.psi.advance(self.now);
        k.bdi.set_clock(self.now);
        self.events_processed += 1;
        self.work += WORK_EVENT;
        match class {
            CLASS_WORKER => self.worker_event(k, CgroupId(id)),
            CLASS_FLUSHER => {
                self.flusher_at = None;
                // wb_writeback looks at every memcg for dirty pages.
                self.work += k.tree.len() as u64 * WORK_SAMPLE;
                wb_workfn(k);
            }
            CLASS_TASK => self.task_event(k, id),
            CLASS_AGENT => self.agent_event(k, id),
            _ => {
                self.sample(k);
                let live = self.live_tasks > 0;
                // An interval set to 0 while running stops the sampler.
                if (live || !self.workers.is_empty() || self.flusher_at.is_some())
                    && self.sample_interval > 0
                {
                    let next = later(t, self.sample_interval);
                    self.sampler_at = Some(next);
                    self.schedule(next, CLASS_SAMPLER, 0);
                } else {
                    self.sampler_at = None;
                }
            }
        }
        self.drain_kernel(k, None);
        self.sync_flusher(k);
        self.work += core::mem::take(&mut k.work);
    }

    /// The event or work limit is reached: process nothing more.
    fn over_limit(&self) -> bool {
        self.events_processed >= self.event_limit || self.work >= self.work_limit
    }

    /// Keep the flusher's one pending event at `Bdi::next_event` (§18.9):
    /// faults, reclaim and shell writes may have queued bios or armed the
    /// periodic wakeup.
    fn sync_flusher(&mut self, k: &Kernel) {
        let next = k.bdi.next_event().map(|t| t.max(self.now));
        if next != self.flusher_at {
            self.flusher_at = next;
            if let Some(t) = next {
                self.schedule(t, CLASS_FLUSHER, 0);
            }
        }
    }

    /// Run every event due at or before `t`, then set the clock to `t`.
    pub fn run_until(&mut self, k: &mut Kernel, t: Nanos) {
        self.run_until_paused(k, t, u64::MAX);
    }

    /// [`Engine::run_until`], but stop between two events once `work`
    /// reaches `pause`, the clock left at the last event: a replay's slice
    /// ends there, and a later call with the same `t` goes on as if there
    /// had been no pause (§18.12). False when it paused or hit a limit.
    pub fn run_until_paused(&mut self, k: &mut Kernel, t: Nanos, pause: u64) -> bool {
        // The clock never passes the end of time (§18.3).
        let t = t.min(END_OF_TIME);
        self.horizon = t;
        while let Some(&Reverse((next, class, id))) = self.queue.peek() {
            if next > t {
                break;
            }
            if self.over_limit() {
                // Out of budget: stop where we are (the caller reports it).
                self.limit_hit = true;
                self.horizon = Nanos::MAX;
                return false;
            }
            // Never between two events of one instant, so a paused run
            // is always short of `t`.
            if self.work >= pause && next > self.now {
                self.horizon = Nanos::MAX;
                return false;
            }
            self.queue.pop();
            if self.valid(next, class, id) {
                self.process(k, next, class, id);
            }
        }
        self.horizon = Nanos::MAX;
        self.now = self.now.max(t);
        k.psi.advance(self.now);
        k.bdi.set_clock(self.now);
        true
    }

    /// Note a file write in the trace (writes can queue work, §9.5).
    pub fn note_write(
        &mut self,
        k: &mut Kernel,
        path: String,
        value: String,
        result: Result<(), crate::Errno>,
    ) {
        let error = result.err().map(|e| e.name());
        self.record(Event::Write { path, value, error });
        self.sync(k);
    }

    /// After an operation outside a step (a shell command, a write): drop
    /// workers of memcgs that went away, trace what the kernel did, start
    /// queued work.
    pub fn sync(&mut self, k: &mut Kernel) {
        // A memcg removed (or its controller disabled) cancels its work; a
        // reused id must not inherit a stale worker.
        self.workers.retain(|m, _| {
            k.tree
                .get(*m)
                .and_then(|c| c.memcg.as_ref())
                .is_some_and(|mc| {
                    matches!(
                        mc.wmark_work,
                        crate::workqueue::WorkState::Running
                            | crate::workqueue::WorkState::RunningPending
                    )
                })
        });
        // cgroup_move_task: a task moved by a cgroup.procs write. Only the
        // pids the kernel moved since the last sync can differ, visited in
        // pid order as a walk of every task would. The work charged is still
        // one unit per task, so the replay's bounds are unchanged (§18.12).
        self.work += self.tasks.len() as u64 * WORK_TASK + core::mem::take(&mut k.work);
        let mut moved = core::mem::take(&mut k.moved);
        moved.sort_unstable();
        moved.dedup();
        for pid in moved {
            let Some(tr) = self.tasks.get(&pid) else {
                continue;
            };
            if matches!(tr.state, TaskState::Exited | TaskState::Killed) {
                continue;
            }
            if let Some(task) = k.tasks.get(&pid) {
                if k.psi.task_group(pid) != Some(task.cgroup) {
                    let groups = psi_groups(k, task.cgroup);
                    k.psi.task_move(pid, self.now, groups);
                }
            }
        }
        k.bdi.set_clock(self.now);
        self.drain_kernel(k, None);
        self.sync_flusher(k);
    }
}

/// The PSI groups a task in `cg` counts in: `cg` and its ancestors, the
/// root last (`iterate_groups`; the root's is `psi_system`).
fn psi_groups(k: &Kernel, cg: CgroupId) -> alloc::vec::Vec<CgroupId> {
    let mut groups = alloc::vec::Vec::new();
    let mut at = Some(cg);
    while let Some(c) = at {
        groups.push(c);
        at = k.tree.get(c).and_then(|x| x.parent);
    }
    groups
}

/// A live task stalls for `stall` ns from `t` with `flags`
/// (`psi_memstall_enter`/`_leave`), then runs again (§18.10).
fn psi_memstall(k: &mut Kernel, pid: Pid, t: Nanos, stall: Nanos, flags: u8) {
    if stall > 0 && k.tasks.get(&pid).is_some_and(|task| !task.dying) {
        k.psi.task_state(pid, t, flags);
        k.psi.task_state(pid, later(t, stall), TSK_RUNNING);
    }
}

/// A run of [`Engine::single_faults`]: `n` faults whose batch charge fails
/// at `fail_at`'s counter of `fail_kind`.
#[derive(Clone, Copy, Debug)]
struct SingleRun {
    n: Pages,
    fail_kind: CounterKind,
    fail_at: CgroupId,
}

/// The highest usage of `w`'s memory counter after a charge that
/// `done_restock` passes quietly: within `memory.max`, not over
/// `memory.high`, under `wmark_high`, and under the async marks of the
/// TencentOS and openEuler flavours (§3, §19.4, §19.5).
fn plain_limit(k: &Kernel, w: CgroupId) -> Pages {
    let mc = k.tree.memcg(w);
    let pc = &mc.memory;
    let mut limit = pc.max.min(pc.high).min(pc.wmark_high.saturating_sub(1));
    if k.config.flavour.has_async_ratio() && k.vm_memory_qos != 0 {
        // TencentOS: a charge over async_high queues work.
        limit = limit.min(mc.async_high);
    }
    if k.config.flavour.has_high_async()
        && mc.high_async_ratio != crate::wmark::HIGH_ASYNC_RATIO_BASE
        && pc.high != crate::units::PAGE_COUNTER_MAX
    {
        // openEuler: a charge over the trigger mark queues work.
        let trigger = crate::wmark::high_async_marks(pc.high, mc.high_async_ratio).0;
        limit = limit.min(trigger);
    }
    limit
}

/// Nominal time of fault `i` of an op started at `start` at `rate` pages/s,
/// at most [`END_OF_TIME`].
fn nominal(start: Nanos, i: Pages, rate: u64) -> Nanos {
    // A u64 division where the product fits (always, below 18e9 pages):
    // the same quotient, without the u128 division's library call.
    let offset = match i.checked_mul(1_000_000_000) {
        Some(x) => u128::from(x / rate),
        None => (u128::from(i) * 1_000_000_000u128) / u128::from(rate),
    };
    (u128::from(start) + offset).min(u128::from(END_OF_TIME)) as Nanos
}

/// `t + d`, stopping at [`END_OF_TIME`]: where a duration or a cost from the
/// input is added to the clock (§18.3).
fn later(t: Nanos, d: Nanos) -> Nanos {
    t.saturating_add(d).min(END_OF_TIME)
}

/// Put `n` newly charged pages where the page model keeps them.
fn add_pages(k: &mut Kernel, pid: Pid, m: CgroupId, kind: PageKind, n: Pages) {
    let Some(t) = k.tasks.get_mut(&pid) else {
        return;
    };
    let ws_target = t.ws;
    match kind {
        PageKind::Anon => {
            let room = ws_target.saturating_sub(t.pages.anon_hot + t.pages.refault_anon);
            let hot = n.min(room);
            t.pages.anon_hot += hot;
            t.pages.anon_cold += n - hot;
            k.nr_anon += n;
        }
        PageKind::File => {
            let room = ws_target.saturating_sub(t.pages.file_hot + t.pages.refault_file);
            let hot = n.min(room);
            t.pages.file_hot += hot;
            if let Some(mc) = k.tree.cg_mut(m).memcg.as_mut() {
                mc.pages.file_clean += n - hot;
            }
        }
        PageKind::FileDirty => account_page_dirtied(k, m, n),
    }
    if let Some(mc) = k.tree.cg_mut(m).memcg.as_mut() {
        mc.stat.pgfault += n;
        mc.stat.pgpgin += n;
    }
}

/// Free all of a task's anon memory (munmap).
fn free_anon(k: &mut Kernel, pid: Pid) {
    let Some(t) = k.tasks.get_mut(&pid) else {
        return;
    };
    let anon = t.pages.anon();
    let swapped = t.pages.swapped;
    t.pages.anon_hot = 0;
    t.pages.anon_cold = 0;
    k.nr_anon -= anon;
    t.pages.swapped = 0;
    t.pages.refault_anon = 0;
    let cg = t.cgroup;
    let m = k.effective_memcg(cg);
    if m != CgroupId::ROOT {
        if anon > 0 {
            k.tree.page_counter_uncharge(m, anon, CounterKind::Memory);
        }
        if swapped > 0 {
            k.tree.mem_cgroup_uncharge_swap(m, swapped);
        }
    }
    k.swap_free += swapped;
    k.free_left_behind(pid);
}
