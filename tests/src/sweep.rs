//! `memcg sweep`: one run of a script per combination of kernels and
//! parameter values, each on a fresh machine with the same seed, on every
//! core; one row of [`RunMetrics`](memcg::metrics::RunMetrics) per run (issue 13).
//!
//! Everything but the threads and the JSON is the core's
//! ([`memcg::sweep`], issue 14), which the playground's Web Workers run too.
//! The runs are independent and deterministic, so the rows do not depend on
//! how many threads ran them: each thread takes the next combination's
//! index and writes its row into that slot.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

pub use memcg::sweep::{
    apply_kernel, cells, csv, header, recommend, run_count, sh_quote, table, Columns, Combo,
    Constraint, Param, Recommendation, Row, Sweep, Values, DEFAULT_KERNEL, MAX_RUNS,
    METRIC_COLUMNS,
};

/// The CLI's scheduling of a [`Sweep`]: its runs on threads.
pub trait Threads {
    /// Run every combination on `jobs` threads; `progress(done, total)`
    /// after each run. The rows come back in [`Sweep::combos`] order.
    fn run(
        &self,
        jobs: usize,
        progress: &(dyn Fn(usize, usize) + Sync),
    ) -> Result<Vec<Row>, String>;
}

impl Threads for Sweep {
    fn run(
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
