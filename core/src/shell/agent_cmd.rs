//! `agent NAME [OPTIONS] CGROUP`: start a user-space agent (docs/model.md
//! §20) on a cgroup; `kill PID` stops it, `ps` lists it.

use alloc::format;
use alloc::string::String;

use super::{line_out, Output, Shell};
use crate::agent::{AgentKind, KoordConf, SenpaiConf, SenpaiState, FP_ONE};
use crate::cgroupfs::{self, Node};
use crate::machine::Machine;
use crate::units::parse_size;

/// Usage of `agent` (one line per agent for `help`).
pub const USAGE: &str = "agent senpai|koordinator [OPTIONS] CGROUP";

/// Parse `agent NAME [OPTIONS] CGROUP` (after `agent`): the kind with its
/// parameters and the cgroup path, or a usage message.
pub fn parse_args(args: &[String]) -> Result<(AgentKind, String), String> {
    let usage = || {
        format!(
            "agent: usage: {USAGE}\n  senpai: [--min-size SIZE] [--max-size SIZE] [--interval N] [--pressure US]\n          [--max-probe F] [--max-backoff F] [--coeff-probe N] [--coeff-backoff N]\n  koordinator: [--interval DURATION] [--wmark-ratio PCT] [--batch SIZE]\n"
        )
    };
    let Some(name) = args.first() else {
        return Err(usage());
    };
    let mut kind = match name.as_str() {
        "senpai" => AgentKind::Senpai {
            conf: SenpaiConf::default(),
            st: SenpaiState {
                limit: None,
                last_total: 0,
                integral: 0,
                grace_ticks: 0,
            },
        },
        "koordinator" => AgentKind::Koordinator {
            conf: KoordConf::default(),
        },
        other => {
            return Err(format!(
                "agent: {other}: unknown agent (senpai, koordinator)\n"
            ))
        }
    };
    let mut path = None;
    let mut i = 1;
    while i < args.len() {
        let a = args[i].as_str();
        if !a.starts_with("--") {
            if path.is_some() {
                return Err(usage());
            }
            path = Some(args[i].clone());
            i += 1;
            continue;
        }
        let Some(v) = args.get(i + 1) else {
            return Err(format!("agent: option '{a}' requires an argument\n"));
        };
        let bad = || format!("agent: {a}: invalid value '{v}'\n");
        let int = |max: u64| v.parse::<u64>().ok().filter(|&n| n <= max).ok_or_else(bad);
        // At least 1 where senpai.py divides by the value (ZeroDivisionError)
        // or, for --interval, counts grace ticks below zero and never
        // tightens again.
        let pos = |max: u64| int(max).and_then(|n| if n == 0 { Err(bad()) } else { Ok(n) });
        match (&mut kind, a) {
            (AgentKind::Senpai { conf, .. }, _) => match a {
                "--min-size" => conf.min_size = parse_size(v).ok_or_else(bad)?,
                "--max-size" => conf.max_size = parse_size(v).ok_or_else(bad)?,
                "--interval" => conf.interval = pos(1 << 20)? as u32,
                "--pressure" => conf.pressure = pos(1 << 40)?,
                "--max-probe" => conf.max_probe = parse_fraction(v).ok_or_else(bad)?,
                "--max-backoff" => conf.max_backoff = parse_fraction(v).ok_or_else(bad)?,
                "--coeff-probe" => conf.coeff_probe = pos(1 << 20)?,
                "--coeff-backoff" => conf.coeff_backoff = pos(1 << 20)?,
                _ => return Err(format!("agent: senpai: unknown option '{a}'\n")),
            },
            (AgentKind::Koordinator { conf }, _) => match a {
                "--interval" => {
                    conf.interval_ns = super::parse_duration(v)
                        .filter(|&ns| ns >= 1_000_000)
                        .ok_or_else(bad)?;
                }
                "--wmark-ratio" => conf.wmark_ratio = int(100)?,
                "--batch" => {
                    conf.batch = parse_size(v).filter(|&b| b > 0).ok_or_else(bad)?;
                }
                _ => return Err(format!("agent: koordinator: unknown option '{a}'\n")),
            },
        }
        i += 2;
    }
    if let AgentKind::Senpai { conf, .. } = &kind {
        if conf.min_size > conf.max_size {
            return Err(String::from(
                "agent: senpai: --min-size is above --max-size\n",
            ));
        }
    }
    let Some(path) = path else {
        return Err(usage());
    };
    Ok((kind, path))
}

/// A decimal fraction such as `0.01` or `1.0` in parts per 10⁹ (at most 9
/// decimals, at most 1000): argparse's `float`, read exactly.
pub fn parse_fraction(s: &str) -> Option<u64> {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if int.is_empty() && frac.is_empty()
        || frac.len() > 9
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
        || int.len() > 4
    {
        return None;
    }
    let i: u64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut f: u64 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    for _ in frac.len()..9 {
        f *= 10;
    }
    let v = i * FP_ONE + f;
    (v <= 1000 * FP_ONE).then_some(v)
}

/// `agent NAME [OPTIONS] CGROUP`: prints the agent's pid.
pub(super) fn cmd_agent(m: &mut Machine, sh: &Shell, args: &[String]) -> Output {
    let (kind, path) = match parse_args(args) {
        Ok(v) => v,
        Err(msg) => return Output::err(msg, 2),
    };
    let name = kind.name();
    let k = &m.kernel;
    let cg = match cgroupfs::resolve(k, &sh.cwd, &path) {
        Ok(Node::Cgroup(id)) => id,
        Ok(_) => return Output::err(format!("agent: {path}: Not a cgroup directory\n"), 1),
        Err(e) => return Output::err(format!("agent: {path}: {}\n", e.message()), 1),
    };
    match m.engine.start_agent(&mut m.kernel, cg, kind, sh.cred) {
        Ok(pid) => line_out(format!("{pid}\n")),
        Err(msg) => Output::err(format!("agent: {name}: {msg}\n"), 1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractions_parse_exactly() {
        assert_eq!(parse_fraction("0.01"), Some(10_000_000));
        assert_eq!(parse_fraction("1.0"), Some(FP_ONE));
        assert_eq!(parse_fraction("1"), Some(FP_ONE));
        assert_eq!(parse_fraction(".5"), Some(FP_ONE / 2));
        assert_eq!(parse_fraction("0.0000000001"), None);
        assert_eq!(parse_fraction("-1"), None);
        assert_eq!(parse_fraction("."), None);
    }
}
