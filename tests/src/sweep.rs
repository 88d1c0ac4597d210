//! `memcg sweep`: one run of a script per combination of kernels and
//! parameter values, each on a fresh machine with the same seed, on every
//! core; one row of [`RunMetrics`] per run (issue 13).
//!
//! The runs are independent and deterministic, so the rows do not depend on
//! how many threads ran them: each thread takes the next combination's
//! index and writes its row into that slot.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use memcg::flavour::KernelFlavour;
use memcg::metrics::{fmt_fixed, RunMetrics, Unit, COLUMNS, COUNT};
use memcg::sim::SimConfig;
use memcg::Simulator;

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

fn is_name(s: &str) -> bool {
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

impl Sweep {
    /// Every combination in a stable order: kernels outermost, then the
    /// parameters in the order given, the last varying fastest.
    pub fn combos(&self) -> Vec<Combo> {
        let per_kernel: usize = self.params.iter().map(|p| p.values.len()).product();
        let mut out = Vec::new();
        for kernel in &self.kernels {
            for k in 0..per_kernel {
                // k in mixed radix, the last parameter the lowest digit.
                let mut rest = k;
                let mut values = vec![String::new(); self.params.len()];
                for (i, p) in self.params.iter().enumerate().rev() {
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

    /// The machine and the lines of one run: the sweep sets each parameter
    /// as a shell variable (`NAME='value'`) before the script's first line.
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

    /// Run every combination on `jobs` threads; `progress(done, total)`
    /// after each run. The rows come back in [`Sweep::combos`] order.
    pub fn run(
        &self,
        jobs: usize,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<Vec<Row>, String> {
        let combos = self.combos();
        let total = combos.len();
        let slots: Vec<Mutex<Option<Result<Row, String>>>> =
            (0..total).map(|_| Mutex::new(None)).collect();
        let next = AtomicUsize::new(0);
        let done = AtomicUsize::new(0);
        let jobs = jobs.clamp(1, total.max(1));
        std::thread::scope(|s| {
            for _ in 0..jobs {
                s.spawn(|| loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= total {
                        break;
                    }
                    let row = self.run_one(&combos[i]);
                    *slots[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(row);
                    progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
                });
            }
        });
        slots
            .into_iter()
            .map(|m| {
                m.into_inner()
                    .unwrap_or_else(|e| e.into_inner())
                    .unwrap_or_else(|| Err(String::from("a run did not finish")))
            })
            .collect()
    }
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

/// The metric columns: the core's ([`memcg::metrics::COLUMNS`]), then
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

/// Column `name` of `row`: its integer and how it is printed (the core's
/// [`RunMetrics::column`], one implementation for the CLI and the page).
fn column(row: &Row, name: &str) -> Option<(u64, Unit)> {
    match name {
        "errors" => Some((row.errors, COUNT)),
        _ => row.metrics.column(name),
    }
}

/// The header: `kernel`, each parameter, then [`METRIC_COLUMNS`].
pub fn header(params: &[Param]) -> Vec<String> {
    let mut h = vec![String::from("kernel")];
    h.extend(params.iter().map(|p| p.name.clone()));
    h.extend(METRIC_COLUMNS.iter().map(|c| c.to_string()));
    h
}

/// A row's cells, as the header orders them.
pub fn cells(row: &Row) -> Vec<String> {
    let mut c = vec![row.combo.kernel.clone()];
    c.extend(row.combo.values.iter().cloned());
    for name in METRIC_COLUMNS {
        let (v, u) = column(row, name).expect("column");
        c.push(fmt_fixed(v, u.scale, u.decimals));
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
pub fn csv(params: &[Param], rows: &[Row]) -> String {
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
pub fn table(params: &[Param], rows: &[Row]) -> String {
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

fn json_str(s: &str) -> String {
    serde_json::to_string(s).expect("string")
}

/// JSON: `{"columns": [...], "runs": [{column: value, ..., "cgroups":
/// [MemcgMetrics...]}], "recommendation": ...}`; numbers as in the CSV.
pub fn json(params: &[Param], rows: &[Row], rec: Option<&Recommendation>) -> String {
    let head = header(params);
    let mut out = String::from("{\n  \"columns\": [");
    out.push_str(
        &head
            .iter()
            .map(|h| json_str(h))
            .collect::<Vec<_>>()
            .join(", "),
    );
    out.push_str("],\n  \"runs\": [");
    for (i, r) in rows.iter().enumerate() {
        out.push_str(if i == 0 { "\n    {" } else { ",\n    {" });
        let c = cells(r);
        let text_cols = 1 + params.len();
        for (j, (h, v)) in head.iter().zip(&c).enumerate() {
            if j > 0 {
                out.push_str(", ");
            }
            let v = if j < text_cols {
                json_str(v)
            } else {
                v.clone()
            };
            let _ = write!(out, "{}: {v}", json_str(h));
        }
        let cg = serde_json::to_string(&r.metrics.cgroups).expect("metrics");
        let _ = write!(out, ", \"cgroups\": {cg}}}");
    }
    out.push_str("\n  ]");
    if let Some(rec) = rec {
        let _ = write!(
            out,
            ",\n  \"recommendation\": {{\"constraint\": {}, \"run\": {}, \"text\": {}}}",
            json_str(&rec.constraint.text),
            rec.pick.map_or(String::from("null"), |i| i.to_string()),
            json_str(&rec.text)
        );
    }
    out.push_str("\n}\n");
    out
}

/// `METRIC<=X` (or `<`, `>=`, `>`, `==`) over a metric column.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Constraint {
    pub text: String,
    pub column: String,
    pub op: &'static str,
    /// X as mantissa × 10^-exp.
    mantissa: u128,
    exp: u32,
}

impl Constraint {
    pub fn parse(s: &str) -> Result<Constraint, String> {
        let s = s.trim();
        let (column, op, x) = ["<=", ">=", "==", "<", ">"]
            .iter()
            .find_map(|op| s.split_once(op).map(|(a, b)| (a.trim(), *op, b.trim())))
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
        Ok(Constraint {
            text: s.to_string(),
            column: column.to_string(),
            op,
            mantissa,
            exp: frac.len() as u32,
        })
    }

    /// The row meets it, compared exactly: v / 10^scale against
    /// mantissa / 10^exp, both sides scaled to integers in u128.
    pub fn holds(&self, row: &Row) -> bool {
        let (v, unit) = column(row, &self.column).expect("column");
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

fn describe(params: &[Param], row: &Row) -> String {
    let mut s = format!("kernel={}", row.combo.kernel);
    for (p, v) in params.iter().zip(&row.combo.values) {
        let _ = write!(s, " {}={v}", p.name);
    }
    s
}

fn shown(row: &Row, col: &str) -> String {
    let (v, u) = column(row, col).expect("column");
    fmt_fixed(v, u.scale, u.decimals)
}

/// Among the rows meeting `c`, the one with the least reclaim CPU
/// (tasks + worker + agents); the first in sweep order on a tie.
pub fn recommend(params: &[Param], rows: &[Row], c: Constraint) -> Recommendation {
    let meeting: Vec<usize> = (0..rows.len()).filter(|&i| c.holds(&rows[i])).collect();
    let pick = meeting
        .iter()
        .copied()
        .min_by_key(|&i| (rows[i].metrics.machine.reclaim_cpu_ns(), i));
    let text = match pick {
        Some(i) => {
            let r = &rows[i];
            let m = &r.metrics.machine;
            let others = if meeting.len() > 1 {
                let next = meeting
                    .iter()
                    .copied()
                    .filter(|&j| j != i)
                    .min_by_key(|&j| (rows[j].metrics.machine.reclaim_cpu_ns(), j))
                    .expect("another");
                format!(
                    "; the next cheapest that meets it ({}) spends {} ms",
                    describe(params, &rows[next]),
                    shown(&rows[next], "reclaim_cpu_ms")
                )
            } else {
                String::new()
            };
            format!(
                "Recommended: {} — {} of the {} runs meet {} ({} = {} here), and it spends the \
                 least CPU on reclaim among them: {} ms (tasks {} ms, worker {} ms, agents {} ms){}.",
                describe(params, r),
                meeting.len(),
                rows.len(),
                c.text,
                c.column,
                shown(r, &c.column),
                shown(r, "reclaim_cpu_ms"),
                fmt_fixed(m.task_reclaim_cpu_ns, 6, 3),
                fmt_fixed(m.worker_cpu_ns, 6, 3),
                fmt_fixed(m.agent_cpu_ns, 6, 3),
                others
            )
        }
        None => {
            let best =
                (0..rows.len()).min_by_key(|&i| (column(&rows[i], &c.column).map(|x| x.0), i));
            let closest = match best {
                Some(b) if c.op.starts_with('<') => format!(
                    "; the lowest {} was {} ({})",
                    c.column,
                    shown(&rows[b], &c.column),
                    describe(params, &rows[b])
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
