//! User-space agents (issue 13, docs/model.md §20): daemons that read and
//! write one cgroup's interface files on a timer, as separate simulated
//! processes whose CPU time is counted.
//!
//! * **Senpai** (facebookincubator/senpai, `senpai.py`): every second reads
//!   `memory.pressure`'s `some … total=` and moves `memory.high` to hold the
//!   stall near a target.
//! * **Koordinator** (koordinator-sh/koordinator PR #3189, issue #3186):
//!   every reconcile interval writes at most 32 MiB to `memory.reclaim` when
//!   `memory.current` is over `wmarkRatio`% of `memory.max`.
//!
//! Every file access goes through the cgroupfs handlers the shell uses
//! (`resolve`, `read_file`, `open_for_write`, `write_file`), as the user
//! who started it, so the
//! agent sees the same text and errno a real one would. An access costs
//! [`AGENT_SYSCALL_NS`]; a write also costs the reclaim it does (the writer
//! pays for `memory.reclaim` and for the reclaim in a `memory.high` write).
//! Decisions use integers only: Senpai's float arithmetic is done in fixed
//! point with [`FP_ONE`] = 10⁹ (the rounding is documented at each step).

use alloc::format;
use alloc::string::String;

use crate::cgroupfs::{self, Cred, Node};
use crate::kernel::Kernel;
use crate::units::{Nanos, PAGE_SIZE};
use crate::Errno;

/// CPU time of one `open`+`read`/`write`+`close` of a cgroupfs file by an
/// agent, reclaim excluded (a model, like [`crate::lru::CostModel`]).
pub const AGENT_SYSCALL_NS: Nanos = 5_000;

/// Fixed-point one for Senpai's fractions (parts per 10⁹).
pub const FP_ONE: u64 = 1_000_000_000;

/// Most agents alive at once.
pub const MAX_AGENTS: usize = 64;

/// Senpai's command-line parameters, with `senpai.py`'s defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SenpaiConf {
    /// `--min-size` (bytes, default 100M).
    pub min_size: u64,
    /// `--max-size` (bytes, default 100G).
    pub max_size: u64,
    /// `--interval`: ticks (seconds) between two tightening steps (6).
    pub interval: u32,
    /// `--pressure`: target stall per interval, µs (10000).
    pub pressure: u64,
    /// `--max-probe` in parts per 10⁹ (0.01).
    pub max_probe: u64,
    /// `--max-backoff` in parts per 10⁹ (1.0).
    pub max_backoff: u64,
    /// `--coeff-probe` (10).
    pub coeff_probe: u64,
    /// `--coeff-backoff` (20).
    pub coeff_backoff: u64,
}

impl Default for SenpaiConf {
    fn default() -> Self {
        SenpaiConf {
            min_size: 100 << 20,
            max_size: 100 << 30,
            interval: 6,
            pressure: 10_000,
            max_probe: FP_ONE / 100,
            max_backoff: FP_ONE,
            coeff_probe: 10,
            coeff_backoff: 20,
        }
    }
}

/// Senpai's loop state (`Senpai.__init__`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SenpaiState {
    /// `Cgroup.limit`: the memory.high it last wrote, bytes.
    pub limit: Option<u64>,
    pub last_total: u64,
    /// Stall (µs) summed since the last adjustment.
    pub integral: u64,
    pub grace_ticks: u32,
}

/// Koordinator's parameters, with koordlet's and NodeSLO's defaults.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KoordConf {
    /// koordlet `--reconcile-interval-seconds` (1 s).
    pub interval_ns: Nanos,
    /// NodeSLO `wmarkRatio` in percent of memory.max (95; 0 turns the
    /// reclaim off, as Koordinator's 0 for system pods does).
    pub wmark_ratio: u64,
    /// Largest write to memory.reclaim, bytes (the PR's 32 MiB).
    pub batch: u64,
}

impl Default for KoordConf {
    fn default() -> Self {
        KoordConf {
            interval_ns: 1_000_000_000,
            wmark_ratio: 95,
            batch: 32 << 20,
        }
    }
}

/// Which agent, with its parameters and state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AgentKind {
    Senpai { conf: SenpaiConf, st: SenpaiState },
    Koordinator { conf: KoordConf },
}

impl AgentKind {
    /// The command name (`agent NAME`).
    pub fn name(&self) -> &'static str {
        match self {
            AgentKind::Senpai { .. } => "senpai",
            AgentKind::Koordinator { .. } => "koordinator",
        }
    }

    /// Time between two ticks, after the last one's work.
    pub fn interval_ns(&self) -> Nanos {
        match self {
            // `time.sleep(1)` before each tick.
            AgentKind::Senpai { .. } => 1_000_000_000,
            AgentKind::Koordinator { conf } => conf.interval_ns,
        }
    }
}

/// A running (or stopped) agent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Agent {
    pub pid: u32,
    pub kind: AgentKind,
    /// The cgroup directory it was given, absolute (it opens files under it
    /// by path at each access, as the daemons do).
    pub dir: String,
    /// The same under the mount, for the trace (empty for the root).
    pub memcg: String,
    /// CPU time spent so far: its syscalls and the reclaim its writes did.
    pub cpu_ns: Nanos,
    pub alive: bool,
    /// Ticks run.
    pub ticks: u64,
    /// The user it runs as: the shell's when started (files are
    /// root-owned, so only root's writes succeed, §14).
    pub cred: Cred,
}

/// One thing an agent did, for its trace line: the action and its details
/// as `key=value` pairs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Action {
    pub action: &'static str,
    pub detail: String,
}

/// What a tick did: its CPU cost, and lines to trace. `exit` when the agent
/// died (Senpai's uncaught `OSError`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TickOut {
    pub cost: Nanos,
    pub reclaimed: u64,
    pub actions: alloc::vec::Vec<Action>,
    pub exit: bool,
}

/// File access as the agent process: each call is one syscall's cost, a
/// write adds the reclaim it did.
struct Io<'a> {
    k: &'a mut Kernel,
    dir: &'a str,
    cred: Cred,
    cost: Nanos,
    reclaimed: u64,
}

impl Io<'_> {
    fn file(
        &self,
        name: &str,
    ) -> Result<(crate::tree::CgroupId, &'static cgroupfs::CfType), Errno> {
        let path = format!("{}/{name}", self.dir.trim_end_matches('/'));
        match cgroupfs::resolve(self.k, "/", &path)? {
            Node::File(id, f) => Ok((id, f)),
            _ => Err(Errno::EISDIR),
        }
    }

    fn read(&mut self, name: &str) -> Result<String, Errno> {
        self.cost += AGENT_SYSCALL_NS;
        let (id, f) = self.file(name)?;
        cgroupfs::read_file(self.k, id, f, self.cred)
    }

    fn write(&mut self, name: &str, data: &str) -> Result<(), Errno> {
        self.cost += AGENT_SYSCALL_NS;
        let (id, f) = self.file(name)?;
        cgroupfs::open_for_write(f, self.cred)?;
        let (ns, pages) = (self.k.direct_reclaim_ns, self.k.direct_reclaimed);
        let r = cgroupfs::write_file(self.k, id, f, data);
        self.cost += self.k.direct_reclaim_ns - ns;
        self.reclaimed += self.k.direct_reclaimed - pages;
        r
    }

    /// An integer file (`memory.current`), or `max` as `u64::MAX`
    /// (`read_limit`).
    fn read_u64(&mut self, name: &str) -> Result<u64, Errno> {
        let s = self.read(name)?;
        let s = s.trim_end();
        if s == "max" {
            return Ok(u64::MAX);
        }
        s.parse().map_err(|_| Errno::EINVAL)
    }

    /// `some avg10=… avg60=… avg300=… total=N`: N (µs), `Cgroup.total`.
    fn pressure_total(&mut self) -> Result<u64, Errno> {
        let s = self.read("memory.pressure")?;
        s.lines()
            .next()
            .and_then(|l| l.split_whitespace().nth(4))
            .and_then(|w| w.strip_prefix("total="))
            .and_then(|v| v.parse().ok())
            .ok_or(Errno::EINVAL)
    }
}

impl Agent {
    /// Start an agent on the cgroup directory `dir` (absolute): the
    /// daemon's start-up reads and writes, or the errno that stops it
    /// (Senpai without `memory.pressure` or `memory.high`, Koordinator
    /// without `memory.reclaim`). The caller gives it a pid and schedules
    /// its first tick.
    pub fn start(
        k: &mut Kernel,
        pid: u32,
        kind: AgentKind,
        dir: String,
        memcg: String,
        cred: Cred,
    ) -> Result<(Agent, TickOut), (String, Errno)> {
        let mut a = Agent {
            pid,
            kind,
            dir,
            memcg,
            cpu_ns: 0,
            alive: true,
            ticks: 0,
            cred,
        };
        let mut io = Io {
            k,
            dir: &a.dir,
            cred: a.cred,
            cost: 0,
            reclaimed: 0,
        };
        let mut out = TickOut::default();
        match &mut a.kind {
            AgentKind::Senpai { conf, st } => {
                // Cgroup.__init__: self.pressure() (PSI present), then
                // set_limit(None): memory.high reset to memory.current.
                io.read("memory.pressure")
                    .map_err(|e| (String::from("memory.pressure"), e))?;
                io.read("memory.high")
                    .map_err(|e| (String::from("memory.high"), e))?;
                let current = io
                    .read_u64("memory.current")
                    .map_err(|e| (String::from("memory.current"), e))?;
                let limit = senpai_sanitize(conf, current);
                io.write("memory.high", &format!("{limit}"))
                    .map_err(|e| (String::from("memory.high"), e))?;
                st.limit = Some(limit);
                // Senpai.__init__.
                st.last_total = io
                    .pressure_total()
                    .map_err(|e| (String::from("memory.pressure"), e))?;
                st.integral = 0;
                st.grace_ticks = conf.interval;
                out.actions.push(Action {
                    action: "start",
                    detail: format!("high={limit} total={}", st.last_total),
                });
            }
            AgentKind::Koordinator { conf } => {
                // SupportedIfFileExists: a stat of memory.reclaim.
                io.cost += AGENT_SYSCALL_NS;
                for name in ["memory.reclaim", "memory.current", "memory.max"] {
                    io.file(name).map_err(|e| (String::from(name), e))?;
                }
                out.actions.push(Action {
                    action: "start",
                    detail: format!(
                        "interval_ns={} wmark_ratio={} batch={}",
                        conf.interval_ns, conf.wmark_ratio, conf.batch
                    ),
                });
            }
        }
        out.cost = io.cost;
        out.reclaimed = io.reclaimed;
        a.cpu_ns += out.cost;
        Ok((a, out))
    }

    /// One tick of the daemon's loop.
    pub fn tick(&mut self, k: &mut Kernel) -> TickOut {
        self.ticks += 1;
        let mut io = Io {
            k,
            dir: &self.dir,
            cred: self.cred,
            cost: 0,
            reclaimed: 0,
        };
        let mut out = TickOut::default();
        match &mut self.kind {
            AgentKind::Senpai { conf, st } => {
                if let Err(e) = senpai_tick(&mut io, conf, st, &mut out.actions) {
                    // An uncaught OSError ends senpai.py.
                    out.actions.push(Action {
                        action: "exit",
                        detail: format!("error={}", e.name()),
                    });
                    out.exit = true;
                }
            }
            AgentKind::Koordinator { conf } => koord_tick(&mut io, conf, &mut out.actions),
        }
        out.cost = io.cost;
        out.reclaimed = io.reclaimed;
        self.cpu_ns += out.cost;
        out
    }
}

/// `Cgroup.import_limit` after the reset check: clamp to
/// [min_size, max_size], then `&= ~4095`.
fn senpai_sanitize(conf: &SenpaiConf, limit: u64) -> u64 {
    limit.min(conf.max_size).max(conf.min_size) & !(PAGE_SIZE - 1)
}

/// Back-off factor (parts per 10⁹): `err = integral / pressure`,
/// `adj = min((err / coeff_backoff)² × max_backoff, max_backoff)`, i.e.
/// `integral² × max_backoff / (pressure × coeff_backoff)²`, computed exactly
/// in 128 bits and rounded down once.
pub fn senpai_backoff(conf: &SenpaiConf, integral: u64) -> u64 {
    // Saturating: a product past 2¹²⁸ only pushes adj to its cap.
    let num = u128::from(integral)
        .saturating_mul(u128::from(integral))
        .saturating_mul(u128::from(conf.max_backoff));
    let d = u128::from(conf.pressure.max(1)) * u128::from(conf.coeff_backoff.max(1));
    let adj = num / d.saturating_mul(d);
    adj.min(u128::from(conf.max_backoff)) as u64
}

/// Probe factor (parts per 10⁹): `err = pressure / max(integral, 1)`,
/// `adj = min((err / coeff_probe)² × max_probe, max_probe)`, i.e.
/// `pressure² × max_probe / (max(integral, 1) × coeff_probe)²`, exactly in
/// 128 bits, rounded down once.
pub fn senpai_probe(conf: &SenpaiConf, integral: u64) -> u64 {
    // Saturating: a divisor past 2¹²⁸ only pushes adj towards 0.
    let num = u128::from(conf.pressure)
        .saturating_mul(u128::from(conf.pressure))
        .saturating_mul(u128::from(conf.max_probe));
    let d = u128::from(integral.max(1)) * u128::from(conf.coeff_probe.max(1));
    let adj = num / d.saturating_mul(d);
    adj.min(u128::from(conf.max_probe)) as u64
}

/// `scale_limit`: `int(x + x × factor)`. Python's `int` truncates the
/// positive float, so growing rounds the increase down and shrinking
/// rounds the decrease up (a negative result, from `--max-probe` above 1,
/// is 0 before the clamp to min_size). `x` is `u64::MAX` for `max`.
pub fn senpai_scale(x: u64, adj: u64, grow: bool) -> u128 {
    let x = u128::from(x);
    let d = x * u128::from(adj);
    if grow {
        x + d / u128::from(FP_ONE)
    } else {
        x.saturating_sub(d.div_ceil(u128::from(FP_ONE)))
    }
}

/// `Senpai.tick` with its log line's reads and `adjust`.
fn senpai_tick(
    io: &mut Io<'_>,
    conf: &SenpaiConf,
    st: &mut SenpaiState,
    actions: &mut alloc::vec::Vec<Action>,
) -> Result<(), Errno> {
    let total = io.pressure_total()?;
    // A total that went back (it never does) counts as no stall.
    let delta = total.saturating_sub(st.last_total);
    st.last_total = total;
    st.integral = st.integral.saturating_add(delta);
    // The log line: read_limit() and pressure().
    io.read("memory.high")?;
    io.read("memory.pressure")?;
    let (adj, grow, action) = if st.integral > conf.pressure {
        (senpai_backoff(conf, st.integral), true, "backoff")
    } else if st.grace_ticks > 0 {
        st.grace_ticks -= 1;
        return Ok(());
    } else {
        (senpai_probe(conf, st.integral), false, "tighten")
    };
    // adjust → scale_limit → set_limit → import_limit.
    let integral = st.integral;
    let x = io.read_u64("memory.high")?;
    let scaled = senpai_scale(x, adj, grow);
    let seen = io.read_u64("memory.high")?;
    let (want, reset) = if Some(seen) != st.limit {
        // "Init or race condition? Reset limit to memory.current."
        (u128::from(io.read_u64("memory.current")?), true)
    } else {
        (scaled, false)
    };
    let limit = senpai_sanitize(conf, want.min(u128::from(u64::MAX)) as u64);
    st.limit = Some(limit);
    let r = io.write("memory.high", &format!("{limit}"));
    let mut detail = format!(
        "total={total} integral={integral} adj_ppb={adj} high={limit} cost_ns={}",
        io.cost
    );
    if reset {
        detail.push_str(" reset=1");
    }
    actions.push(Action { action, detail });
    r?;
    st.integral = 0;
    st.grace_ticks = conf.interval.saturating_sub(1);
    Ok(())
}

/// The PR's reconcile step for one cgroup: read memory.current and
/// memory.max; over `max × wmarkRatio / 100` (rounded down; none when
/// memory.max is `max` or the ratio 0), write `min(excess, 32 MiB)` to
/// memory.reclaim; EAGAIN (less reclaimed than asked) is success. An error
/// is logged and the loop goes on.
fn koord_tick(io: &mut Io<'_>, conf: &KoordConf, actions: &mut alloc::vec::Vec<Action>) {
    if conf.wmark_ratio == 0 {
        return;
    }
    let read = |io: &mut Io<'_>| -> Result<(u64, u64), Errno> {
        Ok((io.read_u64("memory.current")?, io.read_u64("memory.max")?))
    };
    let (current, max) = match read(io) {
        Ok(v) => v,
        Err(e) => {
            actions.push(Action {
                action: "error",
                detail: format!("error={}", e.name()),
            });
            return;
        }
    };
    if max == u64::MAX {
        return;
    }
    let wmark = (u128::from(max) * u128::from(conf.wmark_ratio) / 100) as u64;
    if current <= wmark {
        return;
    }
    let bytes = (current - wmark).min(conf.batch);
    let r = io.write("memory.reclaim", &format!("{bytes}"));
    let mut detail = format!(
        "current={current} wmark={wmark} bytes={bytes} reclaimed={} cost_ns={}",
        io.reclaimed, io.cost
    );
    if let Err(e) = r {
        detail.push_str(&format!(" error={}", e.name()));
    }
    actions.push(Action {
        action: "reclaim",
        detail,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn senpai_factors_follow_the_formulas() {
        let c = SenpaiConf::default();
        // integral 20000: err 2, (2/20)² = 0.01.
        assert_eq!(senpai_backoff(&c, 20_000), 10_000_000);
        // 10× target and more: capped at max_backoff (1.0) from 20×.
        assert_eq!(senpai_backoff(&c, 200_000), FP_ONE);
        assert_eq!(senpai_backoff(&c, 400_000), FP_ONE);
        // integral 0 → err 10000: capped at max_probe.
        assert_eq!(senpai_probe(&c, 0), 10_000_000);
        // integral 1000: err 10, (10/10)² × 0.01 = 0.01.
        assert_eq!(senpai_probe(&c, 1000), 10_000_000);
        // integral 5000: err 2, (0.2)² × 0.01 = 0.0004.
        assert_eq!(senpai_probe(&c, 5000), 400_000);
        // int(x − x·adj) rounds the decrease up; int(x + x·adj) the increase down.
        assert_eq!(senpai_scale(1001, 10_000_000, false), 1001 - 11);
        assert_eq!(senpai_scale(1001, 10_000_000, true), 1001 + 10);
    }

    #[test]
    fn extreme_parameters_neither_wrap_nor_panic() {
        let c = SenpaiConf {
            pressure: 1 << 40,
            max_probe: 1000 * FP_ONE,
            max_backoff: 1000 * FP_ONE,
            coeff_probe: 1,
            coeff_backoff: 1,
            ..SenpaiConf::default()
        };
        assert_eq!(senpai_backoff(&c, u64::MAX), 1000 * FP_ONE);
        assert_eq!(senpai_probe(&c, u64::MAX), 0);
        assert_eq!(senpai_probe(&c, 0), 1000 * FP_ONE);
        assert_eq!(senpai_scale(u64::MAX, 1000 * FP_ONE, false), 0);
        assert_eq!(
            senpai_scale(u64::MAX, 1000 * FP_ONE, true),
            u128::from(u64::MAX) * 1001
        );
        let z = SenpaiConf {
            pressure: 0,
            ..SenpaiConf::default()
        };
        assert_eq!(senpai_probe(&z, 0), 0);
        assert_eq!(senpai_backoff(&z, 5), 25 * FP_ONE / 400);
    }
}
