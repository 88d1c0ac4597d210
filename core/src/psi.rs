//! Pressure stall information for memory (`memory.pressure`, docs/model.md
//! §18.10): ALinux 4.19 `kernel/sched/psi.c` for the memory resource.
//!
//! Exact, as in the kernel: the per-CPU task counts and `test_state`
//! (`FULL = NR_MEMSTALL && !NR_RUNNING`), `record_times` with the
//! `psi_memstall_tick` FULL sample, `get_recent_times`,
//! `collect_percpu_times` weighted by non-idle jiffies, `update_averages`
//! with missed periods, `calc_load`/`calc_load_n` fixed-point averages and
//! the `psi_show` format. The `psi_avgs_work` clock follows the delayed
//! work's jiffy timer (`PSI_FREQ` = 2 s + 1 jiffy).
//!
//! Modelled: what the engine's tasks are doing (the engine says which flags
//! a task has from when, see [`Psi::task_state`]); the scheduler tick of
//! every CPU is at each jiffy boundary; every task flagged running and
//! memstalled counts as `rq->curr` for the tick (CPU contention is not
//! modelled). Times are `u64` where the kernel keeps `u32` buckets that it
//! samples often enough not to wrap.
//!
//! Lazy and time-keyed: changes are queued with their time and applied in
//! time order, together with each group's `psi_avgs_work`, when the clock
//! passes them ([`Psi::advance`]). Reading ([`Psi::pressure`]) works on a
//! copy, so a read changes nothing a later read or run sees.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::errno::Errno;
use crate::tree::{CgroupId, IdMap, Pid, PidMap};
use crate::units::Nanos;

/// `HZ` (jiffies are milliseconds, §0.2; the same as `charge::HZ`).
const HZ: u64 = 1000;
/// One jiffy in ns (`TICK_NSEC`).
pub const TICK_NSEC: Nanos = 1_000_000_000 / HZ;
/// `PSI_FREQ`: the averaging interval in jiffies (`2*HZ+1`).
pub const PSI_FREQ: u64 = 2 * HZ + 1;
/// `psi_period = jiffies_to_nsecs(PSI_FREQ)`.
pub const PSI_PERIOD: Nanos = PSI_FREQ * TICK_NSEC;
/// `FSHIFT`, `FIXED_1` (`include/linux/sched/loadavg.h`).
pub const FSHIFT: u32 = 11;
pub const FIXED_1: u64 = 1 << FSHIFT;
/// `1/exp(2s/10s)`, `1/exp(2s/60s)`, `1/exp(2s/300s)` in fixed point.
pub const EXP_10S: u64 = 1677;
pub const EXP_60S: u64 = 1981;
pub const EXP_300S: u64 = 2034;

/// `psi_task_change` flags (`include/linux/psi_types.h`).
pub const TSK_IOWAIT: u8 = 1 << NR_IOWAIT;
pub const TSK_MEMSTALL: u8 = 1 << NR_MEMSTALL;
pub const TSK_RUNNING: u8 = 1 << NR_RUNNING;
const NR_IOWAIT: usize = 0;
const NR_MEMSTALL: usize = 1;
const NR_RUNNING: usize = 2;

/// The states kept (indices of `times`): `PSI_MEM_SOME`, `PSI_MEM_FULL`,
/// `PSI_NONIDLE`. IO and CPU pressure are not shown, so not kept.
const MEM_SOME: usize = 0;
const MEM_FULL: usize = 1;
const NONIDLE: usize = 2;
const NR_STATES: usize = 3;

/// `calc_load` (4.19 `include/linux/sched/loadavg.h`): one decay step,
/// rounding up while the load rises.
pub fn calc_load(load: u64, exp: u64, active: u64) -> u64 {
    let mut newload = load * exp + active * (FIXED_1 - exp);
    if active >= load {
        newload += FIXED_1 - 1;
    }
    newload / FIXED_1
}

/// `fixed_power_int` (4.19 `kernel/sched/loadavg.c`): `x^n` in fixed point.
pub fn fixed_power_int(mut x: u64, frac_bits: u32, mut n: u64) -> u64 {
    let mut result = 1u64 << frac_bits;
    if n > 0 {
        loop {
            if n & 1 != 0 {
                result *= x;
                result += 1 << (frac_bits - 1);
                result >>= frac_bits;
            }
            n >>= 1;
            if n == 0 {
                break;
            }
            x *= x;
            x += 1 << (frac_bits - 1);
            x >>= frac_bits;
        }
    }
    result
}

/// `calc_load_n`: `n` decay steps at once.
pub fn calc_load_n(load: u64, exp: u64, active: u64, n: u64) -> u64 {
    calc_load(load, fixed_power_int(exp, FSHIFT, n), active)
}

/// `LOAD_INT`, `LOAD_FRAC`: an average printed as `%lu.%02lu`.
pub fn load_int(x: u64) -> u64 {
    x >> FSHIFT
}

pub fn load_frac(x: u64) -> u64 {
    load_int((x & (FIXED_1 - 1)) * 100)
}

/// `calc_avgs`: fold `missed` idle periods, then one period's sample.
fn calc_avgs(avg: &mut [u64; 3], missed: u64, time: u64, period: u64) {
    let exps = [EXP_10S, EXP_60S, EXP_300S];
    if missed > 0 {
        for (a, e) in avg.iter_mut().zip(exps) {
            *a = calc_load_n(*a, e, 0, missed);
        }
    }
    // div_u64 takes a u32 divisor: the kernel truncates `period`.
    let pct = time * 100 / u64::from((period as u32).max(1)) * FIXED_1;
    for (a, e) in avg.iter_mut().zip(exps) {
        *a = calc_load(*a, e, pct);
    }
}

/// `test_state` of ALinux 4.19 for the memory states.
fn test_state(tasks: &[u32; 3], s: usize) -> bool {
    match s {
        MEM_SOME => tasks[NR_MEMSTALL] > 0,
        MEM_FULL => tasks[NR_MEMSTALL] > 0 && tasks[NR_RUNNING] == 0,
        _ => tasks[NR_IOWAIT] > 0 || tasks[NR_MEMSTALL] > 0 || tasks[NR_RUNNING] > 0,
    }
}

/// The FULL time `psi_memstall_tick` samples over `[start, now)` while a
/// task reclaims on the CPU: each tick at a jiffy boundary strictly inside
/// adds `min(delta, 1 jiffy)` since the previous tick or `start`, which sums
/// to the last tick − `start`.
fn memstall_ticks(start: Nanos, now: Nanos) -> Nanos {
    if now == 0 {
        return 0;
    }
    let last = (now - 1) / TICK_NSEC * TICK_NSEC;
    last.saturating_sub(start)
}

/// `struct psi_group_cpu`, memory part.
#[derive(Clone, Debug, Default)]
struct GroupCpu {
    tasks: [u32; 3],
    /// Tasks flagged running and memstalled: reclaiming on this CPU, what
    /// `psi_memstall_tick` samples.
    reclaiming: u32,
    state_mask: u8,
    state_start: Nanos,
    times: [u64; NR_STATES],
    /// `times_prev[PSI_AVGS]`.
    times_prev: [u64; NR_STATES],
}

impl GroupCpu {
    /// `record_times`.
    fn record_times(&mut self, now: Nanos) {
        let start = self.state_start;
        let delta = now.saturating_sub(start);
        self.state_start = now;
        if self.state_mask & (1 << MEM_SOME) != 0 {
            self.times[MEM_SOME] += delta;
            if self.state_mask & (1 << MEM_FULL) != 0 {
                self.times[MEM_FULL] += delta;
            } else if self.reclaiming > 0 {
                self.times[MEM_FULL] += memstall_ticks(start, now);
            }
        }
        if self.state_mask & (1 << NONIDLE) != 0 {
            self.times[NONIDLE] += delta;
        }
    }

    /// `get_recent_times` for `PSI_AVGS`: deltas since the last call and
    /// the states that changed.
    fn recent_times(&mut self, now: Nanos) -> ([u64; NR_STATES], u8) {
        let mut times = self.times;
        let since = now.saturating_sub(self.state_start);
        for (s, t) in times.iter_mut().enumerate() {
            if self.state_mask & (1 << s) != 0 {
                *t += since;
            } else if s == MEM_FULL && self.reclaiming > 0 && self.state_mask & (1 << MEM_SOME) != 0
            {
                // The ticks since state_start were recorded by now.
                *t += memstall_ticks(self.state_start, now);
            }
        }
        let mut changed = 0;
        for (s, (t, prev)) in times.iter_mut().zip(&mut self.times_prev).enumerate() {
            let delta = *t - *prev;
            *prev = *t;
            *t = delta;
            if delta > 0 {
                changed |= 1 << s;
            }
        }
        (times, changed)
    }
}

/// `struct psi_group`, memory part: a cgroup's, or `psi_system` for the
/// root.
#[derive(Clone, Debug)]
struct PsiGroup {
    pcpu: Vec<GroupCpu>,
    /// `total[PSI_AVGS]` (ns) for SOME and FULL.
    total: [u64; 2],
    avg_total: [u64; 2],
    /// `avg[state][10s, 60s, 300s]`, fixed point.
    avg: [[u64; 3]; 2],
    avg_next_update: Nanos,
    /// Zero at allocation: `group_init` leaves it to the zeroed cgroup.
    avg_last_update: Nanos,
    /// When the pending `avgs_work` runs (`delayed_work_pending`).
    work_at: Option<Nanos>,
}

/// The time a delayed work queued at `now` with `delay` jiffies runs: its
/// timer fires on the tick where `jiffies` reaches `jiffies + delay`.
fn timer_expiry(now: Nanos, delay: u64) -> Nanos {
    (now / TICK_NSEC + delay) * TICK_NSEC
}

impl PsiGroup {
    /// `group_init`.
    fn new(cpus: usize, now: Nanos) -> PsiGroup {
        PsiGroup {
            pcpu: alloc::vec![GroupCpu::default(); cpus],
            total: [0; 2],
            avg_total: [0; 2],
            avg: [[0; 3]; 2],
            avg_next_update: now + PSI_PERIOD,
            avg_last_update: 0,
            work_at: None,
        }
    }

    /// `psi_group_change`.
    fn group_change(&mut self, cpu: usize, old: u8, new: u8, now: Nanos) {
        let c = &mut self.pcpu[cpu];
        c.record_times(now);
        for t in 0..3 {
            let bit = 1u8 << t;
            if old & bit != 0 && new & bit == 0 {
                // The kernel prints "task underflow" once and goes on.
                c.tasks[t] = c.tasks[t].saturating_sub(1);
            }
            if new & bit != 0 && old & bit == 0 {
                c.tasks[t] += 1;
            }
        }
        let both = TSK_RUNNING | TSK_MEMSTALL;
        if old & both == both {
            c.reclaiming = c.reclaiming.saturating_sub(1);
        }
        if new & both == both {
            c.reclaiming += 1;
        }
        c.state_mask = (0..NR_STATES)
            .filter(|&s| test_state(&c.tasks, s))
            .fold(0, |m, s| m | 1 << s);
    }

    /// `collect_percpu_times` for `PSI_AVGS`: the changed states.
    fn collect_percpu_times(&mut self, now: Nanos) -> u8 {
        let mut deltas = [0u64; 2];
        let mut nonidle_total = 0u64;
        let mut changed = 0;
        for c in &mut self.pcpu {
            let (times, ch) = c.recent_times(now);
            changed |= ch;
            // nsecs_to_jiffies: each CPU weighs by its whole non-idle jiffies.
            let nonidle = times[NONIDLE] / TICK_NSEC;
            nonidle_total += nonidle;
            for (d, t) in deltas.iter_mut().zip(times) {
                *d += t * nonidle;
            }
        }
        for (total, d) in self.total.iter_mut().zip(deltas) {
            *total += d / nonidle_total.max(1);
        }
        changed
    }

    /// `update_averages`: the next update's time.
    fn update_averages(&mut self, now: Nanos) -> Nanos {
        let expires = self.avg_next_update;
        let mut missed = 0;
        if now - expires >= PSI_PERIOD {
            missed = (now - expires) / PSI_PERIOD;
        }
        let next = expires + (1 + missed) * PSI_PERIOD;
        let period = now.saturating_sub(self.avg_last_update + missed * PSI_PERIOD);
        self.avg_last_update = now;
        for s in 0..2 {
            // u32 sample, clamped to the period (overage punted forward).
            let mut sample = u64::from((self.total[s] - self.avg_total[s]) as u32);
            if sample > period {
                sample = period;
            }
            self.avg_total[s] += sample;
            calc_avgs(&mut self.avg[s], missed, sample, period);
        }
        next
    }

    /// `psi_avgs_work` at `now`: fold, average when due, re-arm while the
    /// group is non-idle.
    fn avgs_work(&mut self, now: Nanos) {
        let changed = self.collect_percpu_times(now);
        if now >= self.avg_next_update {
            self.avg_next_update = self.update_averages(now);
        }
        self.work_at = if changed & (1 << NONIDLE) != 0 {
            let delay = self.avg_next_update.saturating_sub(now) / TICK_NSEC + 1;
            Some(timer_expiry(now, delay))
        } else {
            None
        };
    }

    /// `psi_show`'s update before reporting.
    fn show(&mut self, now: Nanos) -> Pressure {
        self.collect_percpu_times(now);
        if now >= self.avg_next_update {
            self.avg_next_update = self.update_averages(now);
        }
        let line = |s: usize| PressureLine {
            avg10: self.avg[s][0],
            avg60: self.avg[s][1],
            avg300: self.avg[s][2],
            total_us: self.total[s] / 1000,
        };
        Pressure {
            some: line(0),
            full: line(1),
        }
    }
}

/// One line of a pressure file: averages in `FIXED_1` fixed point.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PressureLine {
    pub avg10: u64,
    pub avg60: u64,
    pub avg300: u64,
    /// Stall time in µs (`total / NSEC_PER_USEC`).
    pub total_us: u64,
}

/// A group's memory pressure as `memory.pressure` shows it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pressure {
    pub some: PressureLine,
    pub full: PressureLine,
}

impl Pressure {
    /// The file: `psi_show`'s `"%s avg10=%lu.%02lu avg60=%lu.%02lu
    /// avg300=%lu.%02lu total=%llu\n"` for `some` then `full`.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for (name, l) in [("some", self.some), ("full", self.full)] {
            out.push_str(&format!(
                "{name} avg10={}.{:02} avg60={}.{:02} avg300={}.{:02} total={}\n",
                load_int(l.avg10),
                load_frac(l.avg10),
                load_int(l.avg60),
                load_frac(l.avg60),
                load_int(l.avg300),
                load_frac(l.avg300),
                l.total_us
            ));
        }
        out
    }
}

/// A task as PSI sees it: its flags, CPU and groups (leaf first, the
/// system group last).
#[derive(Clone, Debug)]
struct PsiTask {
    flags: u8,
    cpu: usize,
    groups: Vec<CgroupId>,
}

#[derive(Clone, Debug)]
enum Change {
    /// The task's flags from then on.
    Flags(u8),
    /// `cgroup_move_task`: the new groups.
    Move(Vec<CgroupId>),
    /// Exit: flags cleared, the task forgotten.
    Exit,
}

#[derive(Clone, Debug)]
struct Pending {
    t: Nanos,
    pid: Pid,
    seq: u64,
    change: Change,
}

/// All pressure state: `psi_system` (at [`CgroupId::ROOT`]), each cgroup's
/// group and the tasks' flags.
#[derive(Clone, Debug)]
pub struct Psi {
    cpus: usize,
    /// The engine's clock as last told ([`Psi::advance`]).
    clock: Nanos,
    groups: IdMap<PsiGroup>,
    tasks: PidMap<PsiTask>,
    /// Changes not applied yet, sorted by (time, pid, seq).
    pending: Vec<Pending>,
    seq: u64,
    /// Pending `avgs_work`s, sorted by (time, group).
    works: Vec<(Nanos, CgroupId)>,
}

impl Psi {
    /// Boot: `psi_init` (`group_init(&psi_system)` at time 0).
    pub fn new(cpus: usize) -> Psi {
        let cpus = cpus.max(1);
        let mut groups = IdMap::new();
        groups.insert(CgroupId::ROOT, PsiGroup::new(cpus, 0));
        Psi {
            cpus,
            clock: 0,
            groups,
            tasks: PidMap::new(),
            pending: Vec::new(),
            seq: 0,
            works: Vec::new(),
        }
    }

    /// The clock the last [`Psi::advance`] moved to.
    pub fn clock(&self) -> Nanos {
        self.clock
    }

    /// `psi_cgroup_alloc` at mkdir: a fresh group (a reused id starts anew).
    pub fn cgroup_alloc(&mut self, id: CgroupId) {
        self.flush();
        self.set_work(id, None);
        self.groups.insert(id, PsiGroup::new(self.cpus, self.clock));
    }

    /// `psi_cgroup_free` at rmdir (the cgroup has no tasks left).
    pub fn cgroup_free(&mut self, id: CgroupId) {
        if id == CgroupId::ROOT {
            return;
        }
        self.flush();
        self.set_work(id, None);
        self.groups.remove(&id);
    }

    /// A new task on `cpu` in `groups` (its cgroup first, up to the root),
    /// idle until its first [`Psi::task_state`].
    pub fn task_spawn(&mut self, pid: Pid, cpu: usize, groups: Vec<CgroupId>) {
        self.tasks.insert(
            pid,
            PsiTask {
                flags: 0,
                cpu: cpu % self.cpus,
                groups,
            },
        );
    }

    /// From time `t` on, task `pid` has `flags` (`TSK_*`). A statement
    /// about `t` replaces what was queued for later: the engine re-plans a
    /// task's future from `t` (a kill, a new op).
    pub fn task_state(&mut self, pid: Pid, t: Nanos, flags: u8) {
        self.queue(pid, t, Change::Flags(flags));
    }

    /// The task exits (or is killed) at `t`.
    pub fn task_exit(&mut self, pid: Pid, t: Nanos) {
        self.queue(pid, t, Change::Exit);
    }

    /// `cgroup_move_task` at `t`: the task now counts in `groups`.
    pub fn task_move(&mut self, pid: Pid, t: Nanos, groups: Vec<CgroupId>) {
        self.seq += 1;
        let p = Pending {
            t,
            pid,
            seq: self.seq,
            change: Change::Move(groups),
        };
        self.insert(p);
    }

    /// The task's leaf group as PSI knows it (after queued moves).
    pub fn task_group(&self, pid: Pid) -> Option<CgroupId> {
        let queued = self.pending.iter().rev().find_map(|p| match &p.change {
            Change::Move(g) if p.pid == pid => g.first().copied(),
            _ => None,
        });
        queued.or_else(|| self.tasks.get(&pid).and_then(|t| t.groups.first().copied()))
    }

    fn queue(&mut self, pid: Pid, t: Nanos, change: Change) {
        self.pending
            .retain(|p| p.pid != pid || p.t <= t || matches!(p.change, Change::Move(_)));
        self.seq += 1;
        let p = Pending {
            t,
            pid,
            seq: self.seq,
            change,
        };
        self.insert(p);
    }

    fn insert(&mut self, p: Pending) {
        let key = (p.t, p.pid, p.seq);
        let i = self.pending.partition_point(|q| (q.t, q.pid, q.seq) < key);
        self.pending.insert(i, p);
    }

    fn set_work(&mut self, id: CgroupId, at: Option<Nanos>) {
        if let Some(g) = self.groups.get_mut(&id) {
            if let Some(old) = g.work_at.take() {
                if let Some(i) = self.works.iter().position(|&w| w == (old, id)) {
                    self.works.remove(i);
                }
            }
            g.work_at = at;
            if let Some(t) = at {
                let i = self.works.partition_point(|&w| w < (t, id));
                self.works.insert(i, (t, id));
            }
        }
    }

    /// Apply everything due before `now` in time order (at the same
    /// nanosecond, `psi_avgs_work`s before task changes), then set the
    /// clock to `now`.
    pub fn advance(&mut self, now: Nanos) {
        self.run(now, false);
        self.clock = self.clock.max(now);
    }

    /// Apply everything due at or before the clock (before a cgroup comes
    /// or goes, so no queued change meets a recycled id).
    fn flush(&mut self) {
        let now = self.clock;
        self.run(now, true);
    }

    fn run(&mut self, now: Nanos, inclusive: bool) {
        let due = |t: Nanos| t < now || (inclusive && t == now);
        loop {
            let work = self.works.first().copied().filter(|&(t, _)| due(t));
            let change = self.pending.first().map(|p| p.t).filter(|&t| due(t));
            match (work, change) {
                (Some((tw, id)), tc) if tc.is_none_or(|tc| tw <= tc) => {
                    self.works.remove(0);
                    if let Some(g) = self.groups.get_mut(&id) {
                        g.work_at = None;
                        g.avgs_work(tw);
                        let at = g.work_at.take();
                        self.set_work(id, at);
                    }
                }
                (_, Some(_)) => {
                    let p = self.pending.remove(0);
                    self.apply(p);
                }
                _ => break,
            }
        }
    }

    /// `psi_task_change` (or `cgroup_move_task`) for one queued change.
    fn apply(&mut self, p: Pending) {
        let Some(task) = self.tasks.get_mut(&p.pid) else {
            return;
        };
        let (cpu, old) = (task.cpu, task.flags);
        let old_groups = task.groups.clone();
        let exit = matches!(p.change, Change::Exit);
        let (new, new_groups) = match p.change {
            Change::Flags(f) => (f, old_groups.clone()),
            Change::Move(g) => (old, g),
            Change::Exit => (0, old_groups.clone()),
        };
        if let Some(task) = self.tasks.get_mut(&p.pid) {
            task.flags = new;
            task.groups = new_groups.clone();
        }
        if exit {
            self.tasks.remove(&p.pid);
        }
        if old_groups == new_groups {
            if old != new {
                self.change_groups(&new_groups, cpu, old, new, p.t);
            }
        } else if old != 0 {
            self.change_groups(&old_groups, cpu, old, 0, p.t);
            self.change_groups(&new_groups, cpu, 0, new, p.t);
        }
    }

    fn change_groups(&mut self, groups: &[CgroupId], cpu: usize, old: u8, new: u8, t: Nanos) {
        for &id in groups {
            if !self.groups.contains_key(&id) {
                self.groups.insert(id, PsiGroup::new(self.cpus, t));
            }
            let g = self.groups.get_mut(&id).expect("group");
            g.group_change(cpu, old, new, t);
            if g.work_at.is_none() {
                self.set_work(id, Some(timer_expiry(t, PSI_FREQ)));
            }
        }
    }

    /// A group's memory pressure at the clock, as `psi_show` would print
    /// it; `None` for a cgroup PSI does not know. Works on a copy.
    pub fn pressure(&self, id: CgroupId) -> Option<Pressure> {
        self.groups.get(&id)?;
        let mut copy = self.clone();
        copy.flush();
        let now = copy.clock;
        copy.groups.get_mut(&id).map(|g| g.show(now))
    }
}

/// `cgroup_pressure_write` → `psi_trigger_create`'s checks: `some|full
/// THRESHOLD_US WINDOW_US`, window 500 ms to 10 s, threshold 1 µs to the
/// window. The trigger lives while the file stays open, so a shell's
/// `echo` leaves nothing behind.
pub fn psi_trigger_parse(buf: &str) -> Result<(), Errno> {
    let s = buf.trim_start();
    let rest = s
        .strip_prefix("some")
        .or_else(|| s.strip_prefix("full"))
        .ok_or(Errno::EINVAL)?;
    let mut nums = [0u32; 2];
    let mut rest = rest;
    for n in &mut nums {
        rest = rest.trim_start();
        let (v, tail) = scan_u32(rest).ok_or(Errno::EINVAL)?;
        *n = v;
        rest = tail;
    }
    let [threshold_us, window_us] = nums;
    if !(500_000..=10_000_000).contains(&window_us) {
        return Err(Errno::EINVAL);
    }
    if threshold_us == 0 || threshold_us > window_us {
        return Err(Errno::EINVAL);
    }
    Ok(())
}

/// `vsscanf`'s `%u`: an optional sign and decimal digits, truncated to 32
/// bits; the rest of the input after it.
fn scan_u32(s: &str) -> Option<(u32, &str)> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let len = body.bytes().take_while(u8::is_ascii_digit).count();
    if len == 0 {
        return None;
    }
    let v = body[..len].bytes().fold(0u64, |v, d| {
        v.wrapping_mul(10).wrapping_add(u64::from(d - b'0'))
    });
    let v = if neg { v.wrapping_neg() } else { v } as u32;
    Some((v, &body[len..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_point_averages_as_the_kernel_computes_them() {
        // 100% for one period: pct = 100 * FIXED_1 = 204800.
        let pct = 100 * FIXED_1;
        // avg10: (0*1677 + 204800*371 + 2047) / 2048 = 37100 → 18.11.
        assert_eq!(calc_load(0, EXP_10S, pct), 37100);
        assert_eq!((load_int(37100), load_frac(37100)), (18, 11));
        // avg60: 204800*67/2048 = 6700 (+2047/2048 stays under 6701).
        assert_eq!(calc_load(0, EXP_60S, pct), 6700);
        assert_eq!((load_int(6700), load_frac(6700)), (3, 27));
        // avg300: 204800*14/2048 = 1400 → 0.68.
        assert_eq!(calc_load(0, EXP_300S, pct), 1400);
        assert_eq!((load_int(1400), load_frac(1400)), (0, 68));
        // A second full period: (37100*1677 + 204800*371 + 2047) / 2048.
        assert_eq!(calc_load(37100, EXP_10S, pct), 67480);
        // Decay without rounding up: 67480*1677/2048 = 55255.
        assert_eq!(calc_load(67480, EXP_10S, 0), 55255);
        // fixed_power_int(1677, 11, 2): 1677² → (2812329 + 1024) >> 11 = 1373.
        assert_eq!(fixed_power_int(EXP_10S, FSHIFT, 2), 1373);
        assert_eq!(fixed_power_int(EXP_10S, FSHIFT, 0), FIXED_1);
        assert_eq!(fixed_power_int(EXP_10S, FSHIFT, 1), EXP_10S);
        // Two idle periods at once: 67480*1373/2048 = 45239.
        assert_eq!(calc_load_n(67480, EXP_10S, 0, 2), 45239);
    }

    #[test]
    fn the_file_prints_as_psi_show() {
        let p = Pressure {
            some: PressureLine {
                avg10: 37100,
                avg60: 6700,
                avg300: 1400,
                total_us: 2_001_000,
            },
            full: PressureLine::default(),
        };
        assert_eq!(
            p.text(),
            "some avg10=18.11 avg60=3.27 avg300=0.68 total=2001000\n\
             full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
        );
        assert_eq!(
            Psi::new(4).pressure(CgroupId::ROOT).unwrap().text(),
            "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n\
             full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"
        );
    }

    /// One task stalled off the CPU for a whole first period: SOME and
    /// FULL both 100% of the period, averaged as the kernel does.
    #[test]
    fn a_blocked_stall_is_some_and_full() {
        let mut psi = Psi::new(2);
        let g = CgroupId(1);
        psi.cgroup_alloc(g);
        psi.task_spawn(7, 1, alloc::vec![g, CgroupId::ROOT]);
        psi.task_state(7, 0, TSK_MEMSTALL | TSK_IOWAIT);
        psi.advance(PSI_PERIOD + 5 * TICK_NSEC);
        let p = psi.pressure(g).unwrap();
        // The work ran at 2.001 s (queued at 0 with PSI_FREQ jiffies): the
        // sample is the whole period since avg_last_update = 0.
        assert_eq!(p.some.avg10, 37100);
        assert_eq!(p.full, p.some);
        assert_eq!(p.some.total_us, (PSI_PERIOD + 5 * TICK_NSEC) / 1000);
        assert_eq!(psi.pressure(CgroupId::ROOT), Some(p));
        // Reading changed nothing.
        assert_eq!(psi.pressure(g), Some(p));
    }

    /// A task reclaiming on the CPU is running: FULL only from the memstall
    /// ticks, and none while another task runs is not needed for them.
    #[test]
    fn reclaim_on_cpu_is_full_by_the_tick_only() {
        let mut psi = Psi::new(1);
        psi.task_spawn(7, 0, alloc::vec![CgroupId::ROOT]);
        // Stall from 0.5 ms to 3.7 ms: ticks at 1, 2, 3 ms → FULL 2.5 ms.
        psi.task_state(7, 0, TSK_RUNNING);
        psi.task_state(7, 500_000, TSK_RUNNING | TSK_MEMSTALL);
        psi.task_state(7, 3_700_000, TSK_RUNNING);
        psi.advance(10_000_000);
        let p = psi.pressure(CgroupId::ROOT).unwrap();
        assert_eq!((p.some.total_us, p.full.total_us), (3200, 2500));
        // Off the CPU instead: FULL = SOME.
        let mut psi = Psi::new(1);
        psi.task_spawn(7, 0, alloc::vec![CgroupId::ROOT]);
        psi.task_state(7, 0, TSK_RUNNING);
        psi.task_state(7, 500_000, TSK_MEMSTALL);
        psi.task_state(7, 3_700_000, TSK_RUNNING);
        psi.advance(10_000_000);
        let p = psi.pressure(CgroupId::ROOT).unwrap();
        assert_eq!((p.some.total_us, p.full.total_us), (3200, 3200));
        // ... unless another task runs on that CPU.
        let mut psi = Psi::new(1);
        psi.task_spawn(7, 0, alloc::vec![CgroupId::ROOT]);
        psi.task_spawn(8, 0, alloc::vec![CgroupId::ROOT]);
        psi.task_state(8, 0, TSK_RUNNING);
        psi.task_state(7, 500_000, TSK_MEMSTALL);
        psi.task_state(7, 3_700_000, TSK_RUNNING);
        psi.advance(10_000_000);
        let p = psi.pressure(CgroupId::ROOT).unwrap();
        assert_eq!((p.some.total_us, p.full.total_us), (3200, 0));
    }

    /// A later statement about a task replaces what was queued after it.
    #[test]
    fn a_kill_drops_the_queued_future() {
        let mut psi = Psi::new(1);
        psi.task_spawn(7, 0, alloc::vec![CgroupId::ROOT]);
        psi.task_state(7, 0, TSK_MEMSTALL);
        psi.task_state(7, 5_000_000, TSK_RUNNING);
        psi.task_exit(7, 1_000_000);
        psi.advance(10_000_000);
        let p = psi.pressure(CgroupId::ROOT).unwrap();
        assert_eq!(p.some.total_us, 1000);
    }

    #[test]
    fn trigger_writes_are_checked() {
        assert_eq!(psi_trigger_parse("some 150000 1000000\n"), Ok(()));
        assert_eq!(psi_trigger_parse("full 50000 500000"), Ok(()));
        for bad in [
            "",
            "some",
            "some 150000",
            "any 1 1000000",
            "some 0 1000000",
            "some 2000000 1000000",
            "some 1000 499999",
            "some 1000 10000001",
            "some x 1000000",
        ] {
            assert_eq!(psi_trigger_parse(bad), Err(Errno::EINVAL), "{bad:?}");
        }
    }
}
