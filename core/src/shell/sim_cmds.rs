//! The simulation commands: `spawn`, `wait`, `sleep`, `kill` and `ps`
//! start tasks and move virtual time.

use alloc::format;
use alloc::string::String;
use core::fmt::Write as _;

use super::builtins::usage_error;
use super::{line_out, Output, Shell, SpawnSpec};
use crate::cgroupfs::{self, Node};
use crate::machine::Machine;

/// Parse "5s", "250ms", "10us", "100ns", "2m" into ns (at most one day).
pub fn parse_duration(s: &str) -> Option<u64> {
    let split = s.find(|c: char| !c.is_ascii_digit())?;
    let (num, unit) = s.split_at(split);
    if num.is_empty() || num.len() > 15 {
        return None;
    }
    let v: u64 = num.parse().ok()?;
    let mult: u64 = match unit {
        "ns" => 1,
        "us" => 1_000,
        "ms" => 1_000_000,
        "s" => 1_000_000_000,
        "m" | "min" => 60_000_000_000,
        "h" => 3_600_000_000_000,
        _ => return None,
    };
    let ns = v.checked_mul(mult)?;
    (ns <= 86_400_000_000_000).then_some(ns)
}

/// `spawn PATH KIND SIZE [--rate SIZE/s] [--ws SIZE] [--hold]
/// [--oom-score-adj N]`: prints the pid.
pub(super) fn cmd_spawn(m: &mut Machine, sh: &Shell, args: &[String]) -> Output {
    let spec = match SpawnSpec::parse_args(args) {
        Ok(spec) => spec,
        Err(msg) => return Output::err(msg, 2),
    };
    let path = &spec.path;
    let k = &mut m.kernel;
    let cg = match cgroupfs::resolve(k, &sh.cwd, path) {
        Ok(Node::Cgroup(id)) => id,
        Ok(_) => return Output::err(format!("spawn: {path}: Not a cgroup directory\n"), 1),
        Err(e) => return Output::err(format!("spawn: {path}: {}\n", e.message()), 1),
    };
    if k.version() == crate::kernel::Version::V2
        && cg != crate::tree::CgroupId::ROOT
        && k.tree.cg(cg).subtree_memory
    {
        return Output::err(
            format!("spawn: {path}: Device or resource busy (no processes in a cgroup with controllers enabled)\n"),
            1,
        );
    }
    let program = match spec.program() {
        Ok(p) => p,
        Err(msg) => return Output::err(msg, 2),
    };
    match m.engine.spawn(&mut m.kernel, cg, program) {
        Ok(pid) => {
            // Before its first fault, as `echo N > /proc/PID/oom_score_adj`.
            if let (Some(adj), Some(t)) = (spec.oom_score_adj, m.kernel.tasks.get_mut(&pid)) {
                t.oom_score_adj = adj;
            }
            line_out(format!("{pid}\n"))
        }
        Err(e) => Output::err(format!("spawn: {e}\n"), 1),
    }
}

/// Longest a `wait` advances virtual time.
pub const WAIT_LIMIT_NS: u64 = 3_600_000_000_000;

/// `wait [PID]`: run until the task exits, is killed, or (with --hold)
/// finishes allocating.
pub(super) fn cmd_wait(m: &mut Machine, args: &[String]) -> Output {
    use crate::engine::TaskState;
    let pid = match args.first() {
        Some(a) => match a.parse::<u32>() {
            Ok(p) => p,
            Err(_) => {
                return Output::err(
                    format!("bash: wait: `{a}': not a pid or valid job spec\n"),
                    1,
                )
            }
        },
        None => match m.engine.tasks.keys().next_back() {
            Some(&p) => p,
            None => return Output::default(),
        },
    };
    if !m.engine.tasks.contains_key(&pid) {
        return Output::err(
            format!("bash: wait: pid {pid} is not a child of this shell\n"),
            127,
        );
    }
    let deadline = m.engine.now.saturating_add(WAIT_LIMIT_NS);
    loop {
        let tr = &m.engine.tasks[&pid];
        match tr.state {
            TaskState::Exited => return line_out(format!("{pid} exited\n")),
            TaskState::Killed => return line_out(format!("{pid} killed\n")),
            _ if tr.holding_reached => return line_out(format!("{pid} holding\n")),
            _ => {}
        }
        if m.engine.now >= deadline || !m.engine.step(&mut m.kernel) {
            return Output::err(
                format!(
                    "wait: {pid} still running after {}s of virtual time\n",
                    WAIT_LIMIT_NS / 1_000_000_000
                ),
                1,
            );
        }
    }
}

/// `sleep DURATION`: advance virtual time.
pub(super) fn cmd_sleep(m: &mut Machine, args: &[String]) -> Output {
    let Some(a) = args.first() else {
        return usage_error("sleep", "missing operand");
    };
    let Some(ns) = parse_duration(a) else {
        return Output::err(
            format!("sleep: invalid time interval '{a}' (e.g. 5s, 250ms, 10us; at most 24h)\n"),
            1,
        );
    };
    let t = m.engine.now.saturating_add(ns);
    m.engine.run_until(&mut m.kernel, t);
    Output::default()
}

/// The duration of a line that is one plain `sleep DURATION` and nothing
/// else (no list, redirection, quoting or expansion): what `exec` does with
/// it is [`cmd_sleep`] alone, so a replay may run it in slices (§18.12).
pub fn only_sleeps(line: &str) -> Option<u64> {
    let plain = |c: char| c.is_ascii_alphanumeric() || c == '.' || c == ' ';
    if !line.chars().all(plain) {
        return None;
    }
    let mut words = line.split(' ').filter(|w| !w.is_empty());
    match (words.next(), words.next(), words.next()) {
        (Some("sleep"), Some(d), None) => parse_duration(d),
        _ => None,
    }
}

/// `kill PID`.
pub(super) fn cmd_kill(m: &mut Machine, args: &[String]) -> Output {
    let mut out = Output::default();
    if args.is_empty() {
        return Output::err(String::from("kill: usage: kill PID...\n"), 2);
    }
    for a in args {
        let a = a.strip_prefix("-9").map(|_| "").unwrap_or(a);
        if a.is_empty() {
            continue;
        }
        match a.parse::<u32>() {
            Ok(pid) if m.engine.kill(&mut m.kernel, pid) => {}
            Ok(pid) => {
                let _ = writeln!(out.stderr, "bash: kill: ({pid}) - No such process");
                out.status = 1;
            }
            Err(_) => {
                let _ = writeln!(
                    out.stderr,
                    "bash: kill: {a}: arguments must be process or job IDs"
                );
                out.status = 1;
            }
        }
    }
    out
}

/// `ps`: one line per task and per running agent (§20), by pid. An
/// agent shows the cgroup it acts on and `agent:NAME`.
pub(super) fn cmd_ps(m: &Machine) -> Output {
    let k = &m.kernel;
    let mut s = String::from("    PID STATE           RSS CGROUP               COMMAND\n");
    let shown = |path: String| {
        if path.is_empty() {
            String::from("/")
        } else {
            path
        }
    };
    let mut agents = m
        .engine
        .agents
        .values()
        .filter(|a| a.agent.alive)
        .peekable();
    let agent_line = |s: &mut String, a: &crate::engine::AgentRun| {
        let a = &a.agent;
        let _ = writeln!(
            s,
            "{:>7} {:<9} {:>9} {:<20} agent:{}",
            a.pid,
            "sleeping",
            "0K",
            shown(a.memcg.clone()),
            a.kind.name()
        );
    };
    for t in k.tasks.values() {
        while let Some(a) = agents.next_if(|a| a.agent.pid < t.pid) {
            agent_line(&mut s, a);
        }
        let state = m
            .engine
            .tasks
            .get(&t.pid)
            .map(|r| r.state.label())
            .unwrap_or("sleeping");
        let path = shown(k.tree.rel_path(t.cgroup));
        let _ = writeln!(
            s,
            "{:>7} {:<9} {:>9} {:<20} {}",
            t.pid,
            state,
            format!("{}K", t.pages.anon() * 4),
            path,
            t.comm
        );
    }
    for a in agents {
        agent_line(&mut s, a);
    }
    line_out(s)
}
