//! The `spawn` syntax in one place: [`SpawnSpec`] parses the words of a
//! `spawn` line with the shell's messages, builds the task's program, and
//! prints the canonical line back. The shell's `spawn` and the
//! playground's tasks form both go through it.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use super::parse::parse_line;
use crate::units::{parse_size, PAGE_SIZE};
use crate::workload::{preset, Op, PageKind, Program, MAX_OP_PAGES, MAX_RATE, PRESETS};

/// The synopsis of `spawn`.
pub const USAGE: &str =
    "spawn PATH anon|file|dirty|PRESET SIZE [--rate SIZE/s] [--ws SIZE] [--hold] [--oom-score-adj N]";

/// The arguments of one `spawn` line, as typed, once they parsed.
///
/// Sizes stay text (`512M`, `524288K`), so a line prints back as it was
/// written; [`SpawnSpec::program`] reads them into pages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpawnSpec {
    /// The cgroup, absolute or relative to the working directory.
    pub path: String,
    /// `anon`, `file`, `dirty` or a preset of [`PRESETS`]; checked by
    /// [`SpawnSpec::program`], after the shell has found the cgroup.
    pub kind: String,
    /// How much to allocate, as memparse reads it (`512M`).
    pub size: String,
    /// Allocation rate per second without the `/s` (`100M`); `None` for
    /// the program's default.
    pub rate: Option<String>,
    /// Working set (`128M`); `None` for the program's default: none for
    /// the plain kinds (touch once, §18.5), the preset's own otherwise.
    pub ws: Option<String>,
    /// Keep the memory after allocating (plain kinds only).
    pub hold: bool,
    /// The task's `/proc/PID/oom_score_adj` (-1000..=1000); `None` for 0.
    pub oom_score_adj: Option<i32>,
}

/// The message after a malformed `spawn` line.
fn usage() -> String {
    format!("spawn: usage: {USAGE}\n")
}

/// "512M" or "4K" in pages, rounded up to whole pages.
fn parse_pages(s: &str) -> Option<u64> {
    Some(parse_size(s)?.div_ceil(PAGE_SIZE))
}

fn size_pages(size: &str) -> Result<u64, String> {
    match parse_pages(size) {
        Some(p) if p > 0 && p <= MAX_OP_PAGES => Ok(p),
        _ => Err(format!(
            "spawn: invalid size '{size}' (4K to 1T, e.g. 512M)\n"
        )),
    }
}

fn rate_pages(rate: &str) -> Result<u64, String> {
    match parse_pages(rate) {
        Some(p) if p > 0 && p <= MAX_RATE => Ok(p),
        _ => Err(format!(
            "spawn: invalid rate '{rate}/s' (use e.g. 100M/s)\n"
        )),
    }
}

/// `--oom-score-adj N`: an int in -1000..=1000, as `oom_score_adj_write`
/// takes it (§11.2).
fn oom_score_adj(v: &str) -> Result<i32, String> {
    match crate::units::kstrtoint(v) {
        Ok(n) if (-1000..=1000).contains(&n) => Ok(n),
        _ => Err(format!(
            "spawn: invalid oom_score_adj '{v}' (-1000 to 1000)\n"
        )),
    }
}

fn ws_pages(ws: &str) -> Result<u64, String> {
    parse_pages(ws).ok_or_else(|| format!("spawn: invalid working set '{ws}'\n"))
}

impl SpawnSpec {
    /// The words after `spawn`. `Err` holds what the shell prints (exit
    /// status 2); options are checked in the order given, then the count
    /// of operands, then the size.
    pub fn parse_args<S: AsRef<str>>(args: &[S]) -> Result<SpawnSpec, String> {
        let mut pos: Vec<&str> = Vec::new();
        let mut rate = None;
        let mut ws = None;
        let mut hold = false;
        let mut adj = None;
        let mut args = args.iter().map(AsRef::as_ref);
        while let Some(a) = args.next() {
            match a {
                "--hold" => hold = true,
                "--oom-score-adj" => {
                    let Some(v) = args.next() else {
                        return Err(format!("spawn: {a} needs a value\n{}", usage()));
                    };
                    adj = Some(oom_score_adj(v)?);
                }
                "--rate" | "--ws" => {
                    let Some(v) = args.next() else {
                        return Err(format!("spawn: {a} needs a value\n{}", usage()));
                    };
                    if a == "--rate" {
                        let v = v.strip_suffix("/s").unwrap_or(v);
                        rate_pages(v)?;
                        rate = Some(v.to_string());
                    } else {
                        ws_pages(v)?;
                        ws = Some(v.to_string());
                    }
                }
                a if a.starts_with("--") => {
                    return Err(format!("spawn: unknown option '{a}'\n{}", usage()))
                }
                a => pos.push(a),
            }
        }
        let [path, kind, size] = pos[..] else {
            return Err(usage());
        };
        size_pages(size)?;
        Ok(SpawnSpec {
            path: path.to_string(),
            kind: kind.to_string(),
            size: size.to_string(),
            rate,
            ws,
            hold,
            oom_score_adj: adj,
        })
    }

    /// A whole line holding one `spawn` command, quoted as the shell reads
    /// it (`$$` expands; globs stay as typed). Redirections are ignored.
    pub fn parse(line: &str) -> Result<SpawnSpec, String> {
        let list = parse_line(line)?;
        let [(_, cmd)] = &list[..] else {
            return Err(String::from("memcg: not a single spawn command\n"));
        };
        match cmd.argv.split_first() {
            Some((name, args)) if name.text == "spawn" && !name.glob => {
                let args: Vec<&str> = args.iter().map(|w| w.text.as_str()).collect();
                SpawnSpec::parse_args(&args)
            }
            _ => Err(String::from("memcg: not a single spawn command\n")),
        }
    }

    /// The task's program. `Err` holds what the shell prints (exit status
    /// 2): a kind that is neither plain nor a preset, or a size that does
    /// not parse (only possible in a spec built by hand).
    pub fn program(&self) -> Result<Program, String> {
        let pages = size_pages(&self.size)?;
        let rate = self.rate.as_deref().map(rate_pages).transpose()?;
        let ws = self.ws.as_deref().map(ws_pages).transpose()?;
        let plain = match self.kind.as_str() {
            "anon" => Some(PageKind::Anon),
            "file" => Some(PageKind::File),
            "dirty" => Some(PageKind::FileDirty),
            _ => None,
        };
        if let Some(kind) = plain {
            let ops = alloc::vec![
                Op::Alloc { kind, pages, rate },
                if self.hold { Op::Hold(None) } else { Op::Exit },
            ];
            return Ok(Program {
                name: self.kind.clone(),
                ops,
                // Touch once, then hold without touching, as the upstream
                // selftests' alloc_anon (§18.5).
                ws: ws.unwrap_or(0),
                jitter_pct: 0,
            });
        }
        match preset(&self.kind, pages, rate) {
            Some(mut prog) => {
                if let Some(w) = ws {
                    prog.ws = w;
                }
                Ok(prog)
            }
            None => Err(format!(
                "spawn: unknown kind '{}' (anon, file, dirty, or a preset: {})\n",
                self.kind,
                PRESETS.join(", ")
            )),
        }
    }
}

/// A word as the shell reads it back: bare when it holds only characters
/// the lexer takes literally, else in single quotes.
struct Quoted<'a>(&'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bare = !self.0.is_empty()
            && self
                .0
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"_-./:@%+=,".contains(&b));
        if bare {
            return f.write_str(self.0);
        }
        f.write_str("'")?;
        for (i, part) in self.0.split('\'').enumerate() {
            if i > 0 {
                f.write_str("'\\''")?;
            }
            f.write_str(part)?;
        }
        f.write_str("'")
    }
}

/// The canonical line: `spawn PATH KIND SIZE [--rate RATE/s] [--ws WS]
/// [--hold] [--oom-score-adj N]`, quoting words that need it, so it parses back to the same
/// spec.
impl fmt::Display for SpawnSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "spawn {} {} {}",
            Quoted(&self.path),
            Quoted(&self.kind),
            Quoted(&self.size)
        )?;
        if let Some(rate) = &self.rate {
            write!(f, " --rate {}", Quoted(&format!("{rate}/s")))?;
        }
        if let Some(ws) = &self.ws {
            write!(f, " --ws {}", Quoted(ws))?;
        }
        if self.hold {
            f.write_str(" --hold")?;
        }
        if let Some(adj) = self.oom_score_adj {
            write!(f, " --oom-score-adj {adj}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_prints_back_as_typed() {
        for line in [
            "spawn svc anon 1G",
            "spawn /sys/fs/cgroup/w steady 256M --rate 50M/s",
            "spawn svc anon 1G --rate 100M/s --ws 128M --hold",
            "spawn svc anon 1G --hold --oom-score-adj -500",
            "spawn 'a b' burst 64M",
            "spawn 'it'\\''s' file 4K",
        ] {
            let spec = SpawnSpec::parse(line).unwrap();
            assert_eq!(spec.to_string(), line);
        }
    }

    #[test]
    fn options_in_any_order_print_in_one() {
        let spec = SpawnSpec::parse("spawn --hold x --ws 8M anon --rate 1M 16M").unwrap();
        assert_eq!(
            spec,
            SpawnSpec {
                path: "x".into(),
                kind: "anon".into(),
                size: "16M".into(),
                rate: Some("1M".into()),
                ws: Some("8M".into()),
                hold: true,
                oom_score_adj: None,
            }
        );
        assert_eq!(
            spec.to_string(),
            "spawn x anon 16M --rate 1M/s --ws 8M --hold"
        );
    }

    #[test]
    fn refusals_carry_the_shell_messages() {
        let usage = "spawn: usage: spawn PATH anon|file|dirty|PRESET SIZE [--rate SIZE/s] [--ws SIZE] [--hold] [--oom-score-adj N]\n";
        let cases = [
            ("spawn x anon", String::from(usage)),
            (
                "spawn x anon 0",
                "spawn: invalid size '0' (4K to 1T, e.g. 512M)\n".into(),
            ),
            (
                "spawn x anon 1G --rate",
                format!("spawn: --rate needs a value\n{usage}"),
            ),
            (
                "spawn x anon 1G --rate 0/s",
                "spawn: invalid rate '0/s' (use e.g. 100M/s)\n".into(),
            ),
            (
                "spawn x anon 1G --ws lots",
                "spawn: invalid working set 'lots'\n".into(),
            ),
            (
                "spawn x anon 1G --oom-score-adj 1001",
                "spawn: invalid oom_score_adj '1001' (-1000 to 1000)\n".into(),
            ),
            (
                "spawn x anon 1G --oom-score-adj",
                format!("spawn: --oom-score-adj needs a value\n{usage}"),
            ),
            (
                "spawn x anon 1G --fast",
                format!("spawn: unknown option '--fast'\n{usage}"),
            ),
            (
                "ls; spawn x anon 1G",
                "memcg: not a single spawn command\n".into(),
            ),
            ("kill 1", "memcg: not a single spawn command\n".into()),
        ];
        for (line, err) in cases {
            assert_eq!(SpawnSpec::parse(line), Err(err), "{line}");
        }
        let swirl = SpawnSpec::parse("spawn x swirl 1G").unwrap();
        assert!(swirl
            .program()
            .unwrap_err()
            .starts_with("spawn: unknown kind 'swirl'"));
    }

    #[test]
    fn programs_of_plain_kinds_and_presets() {
        let p = SpawnSpec::parse("spawn x anon 5000 --hold")
            .unwrap()
            .program()
            .unwrap();
        assert_eq!(p.ws, 0, "plain anon touches each page once");
        assert_eq!(p.ops[1], Op::Hold(None));
        let p = SpawnSpec::parse("spawn x anon 1M --ws 5000")
            .unwrap()
            .program()
            .unwrap();
        assert_eq!(p.ws, 2, "5000 bytes are two pages");
        let p = SpawnSpec::parse("spawn x steady 1M --ws 4K")
            .unwrap()
            .program()
            .unwrap();
        assert_eq!((p.name.as_str(), p.ws), ("steady", 1));
    }
}
