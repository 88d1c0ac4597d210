//! A comparison (issue 14): two to four runs of one preset's setup that
//! differ only in shell variables (`NAME=value` lines run before the
//! setup, which reads them as `$NAME`) and the kernel flavour; same seed,
//! same machine otherwise. This is the definition only (what a link
//! holds); the running runs are `state::compare`.
//!
//! Link form, in the URL's fragment: `cmp=PRESET;RUN;RUN…`, each run its
//! settings separated by `,`: `NAME=VALUE`, `kernel=FLAVOUR` or
//! `/CGROUP/FILE=VALUE` (a file written after the setup, the path relative
//! to the mount), e.g. `cmp=stalls;ratio=0;ratio=95`.

use memcg::flavour::KernelFlavour;
use memcg::Simulator;

use crate::scenarios::{by_id, SCENARIOS};

/// Runs in a comparison at most (and at least two).
pub const MAX_RUNS: usize = 4;
pub const MIN_RUNS: usize = 2;

/// One run's settings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Run {
    /// Shell variables, in the order set.
    pub vars: Vec<(String, String)>,
    /// The kernel; `None`: the preset's (the default flavour).
    pub kernel: Option<KernelFlavour>,
    /// Files written after the setup: (path relative to the mount, value).
    pub files: Vec<(String, String)>,
}

/// A base preset and its runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Comparison {
    /// Index into [`SCENARIOS`].
    pub scenario: usize,
    pub runs: Vec<Run>,
}

/// A preset's setup for comparing: its lines (reading `$NAME`s), the
/// cgroup its charts show, and the default runs.
pub struct CompareSetup {
    pub lines: &'static [&'static str],
    pub select: &'static str,
    pub runs: &'static [&'static str],
}

/// The comparison setup of preset `id`: a single cgroup whose setting is
/// the variable. Presets without one compare their own setup across
/// kernels.
pub fn setup_of(id: &str) -> Option<CompareSetup> {
    match id {
        "stalls" => Some(CompareSetup {
            lines: &[
                "mkdir /sys/fs/cgroup/svc",
                "echo 512M > /sys/fs/cgroup/svc/memory.max",
                "echo $ratio > /sys/fs/cgroup/svc/memory.wmark_ratio",
                "spawn /sys/fs/cgroup/svc anon 1536M --ws 128M --rate 100M/s",
                "spawn /sys/fs/cgroup/svc stream 256M --rate 20M/s",
            ],
            select: "/svc",
            runs: &["ratio=0", "ratio=95"],
        }),
        _ => None,
    }
}

/// A variable's name: a shell name (letters, digits, `_`, not starting
/// with a digit), not `kernel`.
fn valid_name(n: &str) -> bool {
    n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && n.chars().next().is_some_and(|c| !c.is_ascii_digit())
        && n != "kernel"
}

/// A value: what survives a URL fragment and a shell word unquoted.
fn valid_value(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 64
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-+/%".contains(c))
}

impl Run {
    /// `ratio=0,kernel=linux-6.6`.
    pub fn parse(text: &str) -> Result<Run, String> {
        let mut run = Run::default();
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let Some((k, v)) = item.split_once('=') else {
                return Err(format!("'{item}' is not NAME=VALUE"));
            };
            if k.starts_with('/') {
                let ok = k.len() <= 200
                    && !k.contains("..")
                    && k.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "._-/".contains(c));
                if !ok || !valid_value(v) {
                    return Err(format!(
                        "'{item}': a file is /CGROUP/FILE (letters, digits, ._-/) and its value letters, digits and ._-+/%"
                    ));
                }
                run.files.retain(|(f, _)| f != k);
                run.files.push((k.to_string(), v.to_string()));
            } else if k == "kernel" {
                run.kernel = Some(KernelFlavour::parse(v).ok_or_else(|| {
                    format!("unknown kernel '{v}' (one of: {})", KernelFlavour::names())
                })?);
            } else if !valid_name(k) {
                return Err(format!("'{k}': not a valid identifier"));
            } else if !valid_value(v) {
                return Err(format!(
                    "'{k}={v}': a value is letters, digits and ._-+/% (64 at most)"
                ));
            } else {
                run.vars.retain(|(n, _)| n != k);
                run.vars.push((k.to_string(), v.to_string()));
            }
        }
        Ok(run)
    }

    /// The settings as `parse` reads them ("" for none).
    pub fn settings(&self) -> String {
        let mut items: Vec<String> = self.vars.iter().map(|(k, v)| format!("{k}={v}")).collect();
        if let Some(k) = self.kernel {
            items.push(format!("kernel={}", k.name()));
        }
        items.extend(self.files.iter().map(|(f, v)| format!("{f}={v}")));
        items.join(",")
    }

    /// The run's label.
    pub fn text(&self) -> String {
        match self.settings() {
            s if s.is_empty() => "(as set up)".into(),
            s => s,
        }
    }
}

impl Comparison {
    /// Preset `scenario`'s default comparison.
    pub fn default_for(scenario: usize) -> Comparison {
        let runs = match setup_of(SCENARIOS[scenario].id) {
            Some(s) => s
                .runs
                .iter()
                .map(|r| Run::parse(r).expect("preset run"))
                .collect(),
            None => vec![
                Run::default(),
                Run {
                    kernel: Some(KernelFlavour::Linux419),
                    ..Run::default()
                },
            ],
        };
        Comparison { scenario, runs }
    }

    /// The link's fragment, `cmp=stalls;ratio=0;ratio=95`.
    pub fn fragment(&self) -> String {
        let mut s = format!("cmp={}", SCENARIOS[self.scenario].id);
        for r in &self.runs {
            s.push(';');
            s.push_str(&r.settings());
        }
        s
    }

    /// Reads [`Comparison::fragment`]'s form (a leading `#` allowed).
    pub fn parse(fragment: &str) -> Result<Comparison, String> {
        let body = fragment
            .trim_start_matches('#')
            .strip_prefix("cmp=")
            .ok_or("a comparison link starts with cmp=")?;
        let mut parts = body.split(';');
        let id = parts.next().unwrap_or_default();
        let scenario = by_id(id).ok_or_else(|| format!("unknown preset '{id}'"))?;
        let runs = parts.map(Run::parse).collect::<Result<Vec<_>, _>>()?;
        if !(MIN_RUNS..=MAX_RUNS).contains(&runs.len()) {
            return Err(format!(
                "a comparison has {MIN_RUNS} to {MAX_RUNS} runs, not {}",
                runs.len()
            ));
        }
        Ok(Comparison { scenario, runs })
    }

    /// The setup lines every run runs (after its variables).
    pub fn lines(&self) -> Vec<String> {
        let sc = &SCENARIOS[self.scenario];
        match setup_of(sc.id) {
            Some(s) => s.lines.iter().map(|l| l.to_string()).collect(),
            None => sc.setup(),
        }
    }

    /// The cgroup the runs' charts show (absolute).
    pub fn select(&self) -> String {
        let sc = &SCENARIOS[self.scenario];
        let rel = setup_of(sc.id).map_or(sc.select, |s| s.select);
        format!("{}{}", sc.version.mount_point(), rel)
    }

    /// Run `i` set up at time 0: the preset's machine (same seed for all)
    /// of the run's kernel, its variables, then the setup. A line's error
    /// is the run's error.
    pub fn machine(&self, i: usize) -> Result<Simulator, String> {
        let sc = &SCENARIOS[self.scenario];
        let run = &self.runs[i];
        let mut b = Simulator::builder(sc.version).sample_interval(sc.sample_ms * 1_000_000);
        if let Some(k) = run.kernel {
            b = b.flavour(k);
        }
        let mut sim = b.build();
        let vars = run.vars.iter().map(|(k, v)| format!("{k}={v}"));
        let mount = sc.version.mount_point();
        let files = run
            .files
            .iter()
            .map(|(f, v)| format!("echo {v} > {mount}{f}"));
        for line in vars.chain(self.lines()).chain(files) {
            let out = sim.exec(&line);
            if out.status != 0 {
                return Err(format!(
                    "run {} ({}): {line}: {}",
                    i + 1,
                    run.text(),
                    out.stderr.trim()
                ));
            }
        }
        Ok(sim)
    }
}
