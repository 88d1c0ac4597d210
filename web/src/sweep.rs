//! A sweep in the page (issue 14): a grid over one or two parameters of a
//! preset's comparison setup ([`crate::compare::setup_of`]), each cell one
//! run of the same script on the same seed. This is the definition only
//! (what a link holds, the script, the CLI line that reproduces it); the
//! cells run in Web Workers with the core's [`memcg::sweep`]
//! (`www/sweep-worker.js`), the view is `components::sweep`.
//!
//! Link form, in the URL's fragment:
//! `sweep=PRESET;time=8s;seed=0;NAME=V1,V2,…[;NAME=V1,V2,…]`, e.g.
//! `sweep=stalls;time=8s;seed=0;ratio=0,50,80,95;wmark_scale_factor=10,50,100,200`.
//! A parameter the setup reads (`$ratio`) is a shell variable; any other
//! is a file of the setup's cgroup, `memory.NAME`, written after the setup
//! (`echo $NAME > …/memory.NAME`), so the script stays one `memcg sweep`
//! script and the CLI prints the same rows.

use memcg::sweep::{combos, is_name, Combo, Param, DEFAULT_KERNEL};

use crate::compare::setup_of;
use crate::scenarios::{by_id, SCENARIOS};

/// Parameters in a sweep at most: a heatmap has two axes.
pub const MAX_PARAMS: usize = 2;
/// Values of one parameter at most, and cells at most.
pub const MAX_VALUES: usize = 12;
pub const MAX_CELLS: usize = 64;

/// A sweep over a preset's setup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SweepDef {
    /// Index into [`SCENARIOS`].
    pub scenario: usize,
    /// The virtual time each run sleeps after the setup (`sleep` syntax,
    /// `8s`, `500ms`).
    pub time: String,
    pub seed: u64,
    /// One or two.
    pub params: Vec<Param>,
}

/// `Ns` or `Nms`, at most 60 s of virtual time per run.
fn valid_time(t: &str) -> bool {
    let (n, ms) = match t.strip_suffix("ms") {
        Some(n) => (n, 1),
        None => match t.strip_suffix('s') {
            Some(n) => (n, 1000),
            None => return false,
        },
    };
    !n.is_empty()
        && n.len() <= 6
        && n.chars().all(|c| c.is_ascii_digit())
        && n.parse::<u64>().is_ok_and(|v| v > 0 && v * ms <= 60_000)
}

/// A value: what survives a URL fragment and a shell word unquoted.
fn valid_value(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 32
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-+%".contains(c))
}

impl SweepDef {
    /// Preset `scenario`'s default sweep: the ratio × the scale factor
    /// (4 × 4) for `stalls`; otherwise the ratio of the setup's cgroup.
    pub fn default_for(scenario: usize) -> SweepDef {
        let params = match SCENARIOS[scenario].id {
            "stalls" => vec![
                Param::parse("ratio=0,50,80,95").expect("preset"),
                Param::parse("wmark_scale_factor=10,50,100,200").expect("preset"),
            ],
            _ => vec![Param::parse("wmark_ratio=0,50,80,90,95").expect("preset")],
        };
        SweepDef {
            scenario,
            time: "8s".into(),
            seed: 0,
            params,
        }
    }

    /// Checks the parameters: one or two, distinct names, valid values,
    /// at most [`MAX_CELLS`] cells.
    pub fn with_params(mut self, params: Vec<Param>) -> Result<SweepDef, String> {
        if params.is_empty() || params.len() > MAX_PARAMS {
            return Err(format!(
                "a sweep has 1 or {MAX_PARAMS} parameters, not {}",
                params.len()
            ));
        }
        let mut cells = 1;
        for (i, p) in params.iter().enumerate() {
            if params[..i].iter().any(|q| q.name == p.name) {
                return Err(format!("parameter {} given twice", p.name));
            }
            if ["time", "seed"].contains(&p.name.as_str()) {
                return Err(format!("'{}' is not a parameter name here", p.name));
            }
            if p.values.len() > MAX_VALUES {
                return Err(format!(
                    "{}: {} values, at most {MAX_VALUES}",
                    p.name,
                    p.values.len()
                ));
            }
            if let Some(v) = p.values.iter().find(|v| !valid_value(v)) {
                return Err(format!(
                    "{}: '{v}' is not a value (letters, digits and ._-+%)",
                    p.name
                ));
            }
            cells *= p.values.len();
        }
        if cells > MAX_CELLS {
            return Err(format!("{cells} cells, at most {MAX_CELLS}"));
        }
        self.params = params;
        Ok(self)
    }

    /// `ratio=0,50;wmark_scale_factor=10,50` as [`SweepDef::params_text`]
    /// writes it.
    pub fn parse_params(text: &str) -> Result<Vec<Param>, String> {
        text.split(';')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| {
                Param::parse(s).map(|mut p| {
                    p.values = p.values.iter().map(|v| v.trim().to_string()).collect();
                    p
                })
            })
            .collect()
    }

    /// The parameters as `NAME=V1,V2;NAME=…`.
    pub fn params_text(&self) -> String {
        self.params
            .iter()
            .map(|p| format!("{}={}", p.name, p.values.join(",")))
            .collect::<Vec<_>>()
            .join(";")
    }

    /// The link's fragment, `sweep=stalls;time=8s;seed=0;ratio=0,95`.
    pub fn fragment(&self) -> String {
        format!(
            "sweep={};time={};seed={};{}",
            SCENARIOS[self.scenario].id,
            self.time,
            self.seed,
            self.params_text()
        )
    }

    /// Reads [`SweepDef::fragment`]'s form (a leading `#` allowed;
    /// `time` and `seed` optional).
    pub fn parse(fragment: &str) -> Result<SweepDef, String> {
        let body = fragment
            .trim_start_matches('#')
            .strip_prefix("sweep=")
            .ok_or("a sweep link starts with sweep=")?;
        let mut parts = body.split(';');
        let id = parts.next().unwrap_or_default();
        let scenario = by_id(id).ok_or_else(|| format!("unknown preset '{id}'"))?;
        let mut def = SweepDef::default_for(scenario);
        let mut params = Vec::new();
        for part in parts.filter(|p| !p.is_empty()) {
            if let Some(t) = part.strip_prefix("time=") {
                if !valid_time(t) {
                    return Err(format!(
                        "time '{t}': a virtual time like 8s or 500ms, at most 60s"
                    ));
                }
                def.time = t.to_string();
            } else if let Some(s) = part.strip_prefix("seed=") {
                def.seed = s.parse().map_err(|_| format!("invalid seed '{s}'"))?;
            } else {
                params.push(Param::parse(part)?);
            }
        }
        def.with_params(params)
    }

    /// The setup's lines and the names it reads as `$NAME`.
    fn setup(&self) -> (Vec<String>, Vec<(String, String)>) {
        let sc = &SCENARIOS[self.scenario];
        match setup_of(sc.id) {
            Some(s) => {
                // The default runs' first settings are the values of the
                // variables a sweep does not vary.
                let defaults = s
                    .runs
                    .first()
                    .and_then(|r| crate::compare::Run::parse(r).ok())
                    .map(|r| r.vars)
                    .unwrap_or_default();
                (s.lines.iter().map(|l| l.to_string()).collect(), defaults)
            }
            None => (sc.setup(), Vec::new()),
        }
    }

    /// The cgroup the setup makes for the sweep (absolute).
    pub fn cgroup(&self) -> String {
        let sc = &SCENARIOS[self.scenario];
        let rel = setup_of(sc.id).map_or(sc.select, |s| s.select);
        format!("{}{}", sc.version.mount_point(), rel)
    }

    /// Whether the setup reads `$name` (else it is a memory file).
    pub fn is_variable(&self, name: &str) -> bool {
        let (lines, _) = self.setup();
        let (a, b) = (format!("${name}"), format!("${{{name}}}"));
        lines.iter().any(|l| {
            l.match_indices(&a).any(|(i, _)| {
                !l[i + a.len()..]
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            }) || l.contains(&b)
        })
    }

    /// The script each cell runs after its parameters are set: the values
    /// of the setup's variables not swept, the setup, each other parameter
    /// written to its `memory.NAME` file, then `sleep TIME`.
    pub fn script(&self) -> Vec<String> {
        let (lines, defaults) = self.setup();
        let mut out: Vec<String> = defaults
            .iter()
            .filter(|(k, _)| !self.params.iter().any(|p| &p.name == k))
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        out.extend(lines);
        let cg = self.cgroup();
        for p in &self.params {
            if !self.is_variable(&p.name) && is_name(&p.name) {
                out.push(format!("echo ${} > {cg}/memory.{}", p.name, p.name));
            }
        }
        out.push(format!("sleep {}", self.time));
        out
    }

    /// The script as a file's text.
    pub fn script_text(&self) -> String {
        let mut s = self.script().join("\n");
        s.push('\n');
        s
    }

    /// `v1` or `v2`: the preset's hierarchy.
    pub fn version(&self) -> &'static str {
        match SCENARIOS[self.scenario].version {
            memcg::Version::V1 => "v1",
            memcg::Version::V2 => "v2",
        }
    }

    /// The cells in the CLI's order (the last parameter fastest).
    pub fn combos(&self) -> Vec<Combo> {
        combos(&[DEFAULT_KERNEL.to_string()], &self.params)
    }

    /// The command line that prints the same CSV (the script saved as
    /// `sweep.sh`).
    pub fn cli(&self) -> String {
        let mut s = String::from("memcg sweep");
        if self.version() == "v2" {
            s.push_str(" --v2");
        }
        s.push_str(&format!(" --seed {}", self.seed));
        for p in &self.params {
            s.push_str(&format!(" --param {}={}", p.name, p.values.join(",")));
        }
        s.push_str(" --csv sweep.sh");
        s
    }

    /// A compare link (`cmp=…`) of cell `a` against cell `b`: each run the
    /// cell's variables, its other parameters as files of the cgroup.
    pub fn compare_fragment(&self, a: &Combo, b: &Combo) -> String {
        let sc = &SCENARIOS[self.scenario];
        let rel = setup_of(sc.id).map_or(sc.select, |s| s.select);
        let run = |c: &Combo| {
            self.params
                .iter()
                .zip(&c.values)
                .map(|(p, v)| {
                    if self.is_variable(&p.name) {
                        format!("{}={v}", p.name)
                    } else {
                        format!("{rel}/memory.{}={v}", p.name)
                    }
                })
                .collect::<Vec<_>>()
                .join(",")
        };
        format!("cmp={};{};{}", sc.id, run(a), run(b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_link_round_trips() {
        let s = by_id("stalls").unwrap();
        let d = SweepDef::default_for(s);
        assert_eq!(
            d.fragment(),
            "sweep=stalls;time=8s;seed=0;ratio=0,50,80,95;wmark_scale_factor=10,50,100,200"
        );
        assert_eq!(SweepDef::parse(&format!("#{}", d.fragment())).unwrap(), d);
        let one = SweepDef::parse("sweep=stalls;time=500ms;seed=3;ratio=0,95").unwrap();
        assert_eq!(
            (one.time.as_str(), one.seed, one.combos().len()),
            ("500ms", 3, 2)
        );
        for bad in [
            "sweep=nope;ratio=1",
            "sweep=stalls",
            "sweep=stalls;time=2h;ratio=1",
            "sweep=stalls;time=61s;ratio=1",
            "sweep=stalls;ratio=1;ratio=2",
            "sweep=stalls;a=1;b=2;c=3",
            "sweep=stalls;ratio=1 2",
            "sweep=stalls;9x=1",
            "sweep=stalls;seed=x;ratio=1",
            "cmp=stalls;ratio=1",
        ] {
            assert!(SweepDef::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_script_sets_what_the_setup_does_not_read() {
        let s = by_id("stalls").unwrap();
        let d = SweepDef::default_for(s);
        assert!(d.is_variable("ratio"));
        assert!(!d.is_variable("wmark_scale_factor"));
        assert!(!d.is_variable("rat"));
        let script = d.script();
        assert_eq!(
            script[script.len() - 2..],
            [
                "echo $wmark_scale_factor > /sys/fs/cgroup/svc/memory.wmark_scale_factor"
                    .to_string(),
                "sleep 8s".to_string()
            ]
        );
        assert!(!script.iter().any(|l| l == "ratio=0"));
        // Not sweeping the ratio: the default run's value is set.
        let d = SweepDef::parse("sweep=stalls;wmark_scale_factor=10,20").unwrap();
        assert_eq!(d.script()[0], "ratio=0");
        assert_eq!(
            d.cli(),
            "memcg sweep --v2 --seed 0 --param wmark_scale_factor=10,20 --csv sweep.sh"
        );
    }

    #[test]
    fn a_cell_opens_as_a_comparison() {
        let d = SweepDef::default_for(by_id("stalls").unwrap());
        let c = d.combos();
        let f = d.compare_fragment(&c[0], &c[15]);
        assert_eq!(
            f,
            "cmp=stalls;ratio=0,/svc/memory.wmark_scale_factor=10;ratio=95,/svc/memory.wmark_scale_factor=200"
        );
        assert!(crate::compare::Comparison::parse(&f).is_ok());
    }
}
