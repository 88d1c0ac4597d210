//! A sweep (issue 13, one implementation since issue 14): one run of a
//! script per combination of kernels and parameter values, each on a fresh
//! machine with the same seed; one row of [`RunMetrics`] per run, the CSV,
//! a constraint over a metric column and the recommendation (docs/model.md
//! §18.13). The CLI's `memcg sweep` runs the rows on threads, the
//! playground in Web Workers; both call [`Sweep::run_one`] here and print
//! with [`csv`] and [`recommend`], so their rows and text are the same.
//!
//! Nothing here runs more than one combination at a time: the caller
//! schedules the runs (they are independent and deterministic, so the
//! rows do not depend on the order they ran in).

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use core::fmt::Write as _;

use crate::flavour::KernelFlavour;
use crate::metrics::{fmt_fixed, RunMetrics, Unit, COLUMNS, COUNT};
use crate::sim::SimConfig;
use crate::Simulator;

/// The kernel a run gets unless `--kernel` says otherwise.
pub const DEFAULT_KERNEL: &str = "alinux-4.19";

/// Build `config` for kernel `name` ([`KernelFlavour`]), or say which names
/// exist.
pub fn apply_kernel(config: &mut SimConfig, name: &str) -> Result<(), String> {
    match KernelFlavour::parse(name) {
        Some(f) => {
            config.kernel.flavour = f;
            Ok(())
        }
        None => Err(format!(
            "unknown kernel '{name}' (one of: {})",
            KernelFlavour::names()
        )),
    }
}

/// One `--param NAME=V1,V2,...`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Param {
    pub name: String,
    pub values: Vec<String>,
}

impl Param {
    /// `NAME=V1,V2,...`: NAME a shell variable name, at least one value.
    pub fn parse(s: &str) -> Result<Param, String> {
        let Some((name, values)) = s.split_once('=') else {
            return Err(format!("--param '{s}': expected NAME=V1,V2,..."));
        };
        if !is_name(name) {
            return Err(format!(
                "--param '{s}': '{name}' is not a shell variable name"
            ));
        }
        let values: Vec<String> = values.split(',').map(str::to_string).collect();
        Ok(Param {
            name: name.to_string(),
            values,
        })
    }
}

/// A shell variable name: a letter or `_`, then letters, digits, `_`.
pub fn is_name(s: &str) -> bool {
    let mut c = s.chars();
    c.next()
        .is_some_and(|f| f.is_ascii_alphabetic() || f == '_')
        && c.all(|x| x.is_ascii_alphanumeric() || x == '_')
}

/// What to sweep.
#[derive(Clone, Debug)]
pub struct Sweep {
    /// The machine every run starts from (`memcg sh`'s options).
    pub config: SimConfig,
    pub kernels: Vec<String>,
    pub params: Vec<Param>,
    /// The script's lines.
    pub script: Vec<String>,
}

/// One combination: the kernel and each parameter's value, in
/// [`Sweep::params`] order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Combo {
    pub kernel: String,
    pub values: Vec<String>,
}

/// One run's result.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub combo: Combo,
    pub metrics: RunMetrics,
    /// Script lines that exited non-zero.
    pub errors: u64,
    /// The first failing line's message, for the report.
    pub first_error: Option<String>,
}

/// One run's result as its [`METRIC_COLUMNS`] integers only: what a Web
/// Worker sends back to the page ([`Row::values_text`],
/// [`Values::parse`]), enough for the CSV and the recommendation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Values {
    pub combo: Combo,
    /// One integer per [`METRIC_COLUMNS`] entry, in that order.
    pub values: Vec<u64>,
}

/// A row of a sweep's table, full ([`Row`]) or as integers ([`Values`]).
pub trait Columns {
    fn combo(&self) -> &Combo;
    /// Column `name` ([`METRIC_COLUMNS`]): its integer and how it is
    /// printed; `None` for an unknown name.
    fn column(&self, name: &str) -> Option<(u64, Unit)>;
}

impl Columns for Row {
    fn combo(&self) -> &Combo {
        &self.combo
    }
    /// The core's [`RunMetrics::column`], then the sweep's `errors`.
    fn column(&self, name: &str) -> Option<(u64, Unit)> {
        match name {
            "errors" => Some((self.errors, COUNT)),
            _ => self.metrics.column(name),
        }
    }
}

impl Columns for Values {
    fn combo(&self) -> &Combo {
        &self.combo
    }
    fn column(&self, name: &str) -> Option<(u64, Unit)> {
        let i = METRIC_COLUMNS.iter().position(|&c| c == name)?;
        Some((*self.values.get(i)?, unit_of(name)?))
    }
}

/// How column `name` ([`METRIC_COLUMNS`]) is printed.
pub fn unit_of(name: &str) -> Option<Unit> {
    match name {
        "errors" => Some(COUNT),
        _ => RunMetrics::default().column(name).map(|(_, u)| u),
    }
}

impl Row {
    /// The [`METRIC_COLUMNS`] integers, comma separated.
    pub fn values_text(&self) -> String {
        let mut s = String::new();
        for (i, name) in METRIC_COLUMNS.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            let _ = write!(s, "{}", self.column(name).map_or(0, |c| c.0));
        }
        s
    }
}

impl Values {
    /// Reads [`Row::values_text`] for `combo`.
    pub fn parse(combo: Combo, text: &str) -> Result<Values, String> {
        let values = text
            .split(',')
            .map(|v| v.parse::<u64>())
            .collect::<Result<Vec<u64>, _>>()
            .map_err(|_| format!("'{text}' is not a list of integers"))?;
        if values.len() != METRIC_COLUMNS.len() {
            return Err(format!(
                "{} values, not {} (one per metric column)",
                values.len(),
                METRIC_COLUMNS.len()
            ));
        }
        Ok(Values { combo, values })
    }
}

impl Sweep {
    /// Every combination in a stable order: kernels outermost, then the
    /// parameters in the order given, the last varying fastest.
    pub fn combos(&self) -> Vec<Combo> {
        combos(&self.kernels, &self.params)
    }

    /// Run one combination: a fresh machine of the combination's kernel,
    /// each parameter set as a shell variable (`NAME='value'`) before the
    /// script's first line, then every line; a failing line is counted and
    /// the run goes on.
    pub fn run_one(&self, combo: &Combo) -> Result<Row, String> {
        let mut config = self.config.clone();
        apply_kernel(&mut config, &combo.kernel)?;
        // The series are for charts; the metrics do not read them.
        config.sample_interval = 0;
        let mut sim = Simulator::build(config);
        for (p, v) in self.params.iter().zip(&combo.values) {
            let out = sim.exec(&format!("{}={}", p.name, sh_quote(v)));
            if !out.ok() {
                return Err(format!("setting {}: {}", p.name, out.stderr.trim_end()));
            }
        }
        let (mut errors, mut first_error) = (0, None);
        for line in &self.script {
            let out = sim.exec(line);
            if !out.ok() {
                errors += 1;
                if first_error.is_none() {
                    first_error = Some(format!("{line}: {}", out.stderr.trim_end()));
                }
            }
        }
        Ok(Row {
            combo: combo.clone(),
            metrics: RunMetrics::of(&sim),
            errors,
            first_error,
        })
    }
}

/// Runs a sweep may ask for: its combinations are built in memory, and a
/// product of many short value lists grows past any machine (2^64 wraps).
pub const MAX_RUNS: usize = 4096;

/// How many runs `kernels` × `params` make, or why they are refused (none,
/// or more than [`MAX_RUNS`]).
pub fn run_count(kernels: &[String], params: &[Param]) -> Result<usize, String> {
    let n = params
        .iter()
        .try_fold(kernels.len(), |n, p| n.checked_mul(p.values.len()))
        .filter(|&n| n <= MAX_RUNS)
        .ok_or_else(|| {
            format!("too many runs: the kernels and parameter values make more than {MAX_RUNS}")
        })?;
    if n == 0 {
        return Err(String::from(
            "no runs: a kernel list or a parameter has no values",
        ));
    }
    Ok(n)
}

/// [`Sweep::combos`] of `kernels` × `params` (check [`run_count`] first).
pub fn combos(kernels: &[String], params: &[Param]) -> Vec<Combo> {
    let per_kernel: usize = params.iter().map(|p| p.values.len()).product();
    let mut out = Vec::new();
    for kernel in kernels {
        for k in 0..per_kernel {
            // k in mixed radix, the last parameter the lowest digit.
            let mut rest = k;
            let mut values = vec![String::new(); params.len()];
            for (i, p) in params.iter().enumerate().rev() {
                values[i] = p.values[rest % p.values.len()].clone();
                rest /= p.values.len();
            }
            out.push(Combo {
                kernel: kernel.clone(),
                values,
            });
        }
    }
    out
}

/// `v` as one sh word, single-quoted unless it needs no quotes.
pub fn sh_quote(v: &str) -> String {
    let plain = !v.is_empty()
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:+%@".contains(c));
    if plain {
        v.to_string()
    } else {
        format!("'{}'", v.replace('\'', r"'\''"))
    }
}

/// The metric columns: the core's ([`crate::metrics::COLUMNS`]), then
/// the sweep's own `errors`.
pub const METRIC_COLUMNS: &[&str] = &{
    let mut c = [""; COLUMNS.len() + 1];
    let mut i = 0;
    while i < COLUMNS.len() {
        c[i] = COLUMNS[i];
        i += 1;
    }
    c[i] = "errors";
    c
};

/// The header: `kernel`, each parameter, then [`METRIC_COLUMNS`].
pub fn header(params: &[Param]) -> Vec<String> {
    let mut h = vec![String::from("kernel")];
    h.extend(params.iter().map(|p| p.name.clone()));
    h.extend(METRIC_COLUMNS.iter().map(|c| c.to_string()));
    h
}

/// Column `name` of `row` as the CSV prints it.
pub fn shown<R: Columns>(row: &R, name: &str) -> String {
    let (v, u) = row.column(name).expect("column");
    fmt_fixed(v, u.scale, u.decimals)
}

/// A row's cells, as the header orders them.
pub fn cells<R: Columns>(row: &R) -> Vec<String> {
    let mut c = vec![row.combo().kernel.clone()];
    c.extend(row.combo().values.iter().cloned());
    for name in METRIC_COLUMNS {
        c.push(shown(row, name));
    }
    c
}

fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// RFC 4180 CSV with a header line.
pub fn csv<R: Columns>(params: &[Param], rows: &[R]) -> String {
    let mut out = String::new();
    let line = |cells: Vec<String>| {
        cells
            .iter()
            .map(|c| csv_cell(c))
            .collect::<Vec<_>>()
            .join(",")
    };
    out.push_str(&line(header(params)));
    out.push('\n');
    for r in rows {
        out.push_str(&line(cells(r)));
        out.push('\n');
    }
    out
}

/// An aligned table: text columns left, numbers right.
pub fn table<R: Columns>(params: &[Param], rows: &[R]) -> String {
    let head = header(params);
    let body: Vec<Vec<String>> = rows.iter().map(cells).collect();
    let widths: Vec<usize> = (0..head.len())
        .map(|i| {
            body.iter()
                .map(|r| r[i].chars().count())
                .chain([head[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let text_cols = 1 + params.len();
    let mut out = String::new();
    let mut line = |cells: &[String]| {
        let mut l = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i > 0 {
                l.push_str("  ");
            }
            let w = widths[i];
            if i < text_cols {
                let _ = write!(l, "{c:<w$}");
            } else {
                let _ = write!(l, "{c:>w$}");
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(&head);
    for r in &body {
        line(r);
    }
    out
}

/// `--recommend`: one clause `METRIC<=X` (or `<`, `>=`, `>`, `==`), or
/// several separated by `,`, all of which a run must meet
/// (`p99_stall_us<=100,refaults<=0`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Constraint {
    pub text: String,
    pub clauses: Vec<Clause>,
}

/// One `METRIC op X` of a [`Constraint`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Clause {
    pub column: String,
    pub op: &'static str,
    /// X as mantissa × 10^-exp.
    mantissa: u128,
    exp: u32,
}

/// Clauses a constraint may have (one per metric column is plenty).
pub const MAX_CLAUSES: usize = 8;

impl Constraint {
    pub fn parse(s: &str) -> Result<Constraint, String> {
        let s = s.trim();
        let parts: Vec<&str> = s.split(',').collect();
        if parts.len() > MAX_CLAUSES {
            return Err(format!(
                "--recommend '{s}': at most {MAX_CLAUSES} clauses separated by ','"
            ));
        }
        let clauses = parts
            .into_iter()
            .map(|part| Clause::parse(s, part.trim()))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Constraint {
            text: s.to_string(),
            clauses,
        })
    }

    /// The row meets every clause.
    pub fn holds<R: Columns>(&self, row: &R) -> bool {
        self.clauses.iter().all(|c| c.holds(row))
    }
}

impl Clause {
    /// `part` of the constraint `whole` (named in the errors).
    fn parse(whole: &str, part: &str) -> Result<Clause, String> {
        let s = whole;
        let (column, op, x) = ["<=", ">=", "==", "<", ">"]
            .iter()
            .find_map(|op| part.split_once(op).map(|(a, b)| (a.trim(), *op, b.trim())))
            .ok_or_else(|| format!("--recommend '{s}': expected METRIC<=X (or <, >=, >, ==)"))?;
        if !METRIC_COLUMNS.contains(&column) {
            return Err(format!(
                "--recommend '{s}': unknown metric '{column}' (one of: {})",
                METRIC_COLUMNS.join(", ")
            ));
        }
        let bad = || format!("--recommend '{s}': '{x}' is not a number (digits, at most one '.')");
        let (int, frac) = x.split_once('.').unwrap_or((x, ""));
        if int.is_empty() && frac.is_empty()
            || !int.chars().chain(frac.chars()).all(|c| c.is_ascii_digit())
            || int.len() + frac.len() > 30
        {
            return Err(bad());
        }
        let digits = format!("{int}{frac}");
        let mantissa: u128 = digits.parse().map_err(|_| bad())?;
        Ok(Clause {
            column: column.to_string(),
            op,
            mantissa,
            exp: frac.len() as u32,
        })
    }

    /// The row meets it, compared exactly: v / 10^scale against
    /// mantissa / 10^exp, both sides scaled to integers in u128.
    pub fn holds<R: Columns>(&self, row: &R) -> bool {
        let (v, unit) = row.column(&self.column).expect("column");
        let lhs = u128::from(v) * 10u128.pow(self.exp);
        let rhs = self.mantissa * 10u128.pow(unit.scale);
        match self.op {
            "<=" => lhs <= rhs,
            "<" => lhs < rhs,
            ">=" => lhs >= rhs,
            ">" => lhs > rhs,
            _ => lhs == rhs,
        }
    }
}

/// What `--recommend` found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recommendation {
    pub constraint: Constraint,
    /// Index of the recommended row, if any run meets the constraint.
    pub pick: Option<usize>,
    /// The sentence saying why.
    pub text: String,
}

/// `kernel=K NAME=V ...`.
pub fn describe(params: &[Param], combo: &Combo) -> String {
    let mut s = format!("kernel={}", combo.kernel);
    for (p, v) in params.iter().zip(&combo.values) {
        let _ = write!(s, " {}={v}", p.name);
    }
    s
}

fn raw<R: Columns>(row: &R, name: &str) -> u64 {
    row.column(name).expect("column").0
}

/// Among the rows meeting `c`, the one with the least reclaim CPU
/// (tasks + worker + agents); the first in sweep order on a tie.
pub fn recommend<R: Columns>(params: &[Param], rows: &[R], c: Constraint) -> Recommendation {
    let cpu = |i: usize| raw(&rows[i], "reclaim_cpu_ms");
    let meeting: Vec<usize> = (0..rows.len()).filter(|&i| c.holds(&rows[i])).collect();
    let pick = meeting.iter().copied().min_by_key(|&i| (cpu(i), i));
    let text = match pick {
        Some(i) => {
            let r = &rows[i];
            let others = if meeting.len() > 1 {
                let next = meeting
                    .iter()
                    .copied()
                    .filter(|&j| j != i)
                    .min_by_key(|&j| (cpu(j), j))
                    .expect("another");
                format!(
                    "; the next cheapest that meets it ({}) spends {} ms",
                    describe(params, rows[next].combo()),
                    shown(&rows[next], "reclaim_cpu_ms")
                )
            } else {
                String::new()
            };
            format!(
                "Recommended: {} — {} of the {} runs meet {} ({} here), and it spends the \
                 least CPU on reclaim among them: {} ms (tasks {} ms, worker {} ms, agents {} ms){}.",
                describe(params, r.combo()),
                meeting.len(),
                rows.len(),
                c.text,
                c.clauses
                    .iter()
                    .map(|cl| format!("{} = {}", cl.column, shown(r, &cl.column)))
                    .collect::<Vec<_>>()
                    .join(", "),
                shown(r, "reclaim_cpu_ms"),
                shown(r, "task_reclaim_cpu_ms"),
                shown(r, "worker_cpu_ms"),
                shown(r, "agent_cpu_ms"),
                others
            )
        }
        None => {
            // The closest on the first clause, where "closest" means lowest.
            let first = &c.clauses[0];
            let best = (0..rows.len()).min_by_key(|&i| (raw(&rows[i], &first.column), i));
            let closest = match best {
                Some(b) if first.op.starts_with('<') => format!(
                    "; the lowest {} was {} ({})",
                    first.column,
                    shown(&rows[b], &first.column),
                    describe(params, rows[b].combo())
                ),
                _ => String::new(),
            };
            format!(
                "No recommendation: none of the {} runs meets {}{}.",
                rows.len(),
                c.text,
                closest
            )
        }
    };
    Recommendation {
        constraint: c,
        pick,
        text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Version;

    const SCRIPT: &str = "mkdir /sys/fs/cgroup/svc
echo 128M > /sys/fs/cgroup/svc/memory.max
echo $ratio > /sys/fs/cgroup/svc/memory.wmark_ratio
spawn /sys/fs/cgroup/svc anon 512M --ws 64M --rate 200M/s
sleep 2s";

    fn sweep() -> Sweep {
        let mut config = SimConfig::new(Version::V2);
        config.seed = 3;
        Sweep {
            config,
            kernels: vec![DEFAULT_KERNEL.into()],
            params: vec![Param::parse("ratio=0,95").unwrap()],
            script: SCRIPT.lines().map(String::from).collect(),
        }
    }

    /// A run is the script with `ratio=V` before it, on the same machine.
    #[test]
    fn run_one_is_the_script_after_the_variables() {
        let s = sweep();
        for combo in s.combos() {
            let row = s.run_one(&combo).unwrap();
            let mut sim = Simulator::build(s.config.clone());
            assert!(sim.exec(&format!("ratio={}", combo.values[0])).ok());
            for l in SCRIPT.lines() {
                assert!(sim.exec(l).ok(), "{l}");
            }
            assert_eq!(row.metrics, RunMetrics::of(&sim), "{combo:?}");
            assert_eq!(row.errors, 0);
        }
    }

    /// What a Worker sends back prints the same CSV and recommendation.
    #[test]
    fn values_print_as_the_rows() {
        let s = sweep();
        let rows: Vec<Row> = s.combos().iter().map(|c| s.run_one(c).unwrap()).collect();
        let values: Vec<Values> = rows
            .iter()
            .map(|r| Values::parse(r.combo.clone(), &r.values_text()).unwrap())
            .collect();
        assert_eq!(csv(&s.params, &values), csv(&s.params, &rows));
        assert_ne!(rows[0].metrics, rows[1].metrics);
        for c in ["p99_stall_us<=100", "worker_cpu_ms<1", "p99_stall_us<=0"] {
            let c = Constraint::parse(c).unwrap();
            assert_eq!(
                recommend(&s.params, &values, c.clone()),
                recommend(&s.params, &rows, c)
            );
        }
        assert!(Values::parse(rows[0].combo.clone(), "1,2").is_err());
        assert!(Values::parse(rows[0].combo.clone(), "x").is_err());
    }
}
