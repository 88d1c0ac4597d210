//! The compare view's parts (issue 14): the runs' settings, the metrics
//! table (one column per run, each cell `data-metric` = the CLI's CSV
//! column and `data-value` = the number as the CLI prints it) and who
//! pays the reclaim CPU.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use memcg::metrics::{fmt_fixed, RunMetrics, MS};

use super::class_list;
use crate::compare::{Comparison, MAX_RUNS, MIN_RUNS};

/// The table's rows: column name, label, and whether a lower value is
/// better (`Some(true)`), higher (`Some(false)`), or neither (`None`).
const ROWS: &[(&str, &str, Option<bool>)] = &[
    ("p50_stall_us", "p50 fault latency, µs", Some(true)),
    ("p99_stall_us", "p99 fault latency, µs", Some(true)),
    ("max_stall_us", "max fault latency, µs", Some(true)),
    (
        "direct_reclaim_ms",
        "tasks in direct reclaim, ms",
        Some(true),
    ),
    ("high_throttle_ms", "memory.high throttling, ms", Some(true)),
    ("writeback_wait_ms", "writeback waits, ms", Some(true)),
    ("task_reclaim_cpu_ms", "reclaim CPU: tasks, ms", Some(true)),
    ("worker_cpu_ms", "reclaim CPU: worker, ms", Some(true)),
    ("agent_cpu_ms", "reclaim CPU: agents, ms", Some(true)),
    ("reclaim_cpu_ms", "reclaim CPU: all, ms", Some(true)),
    ("refaults", "refaults", Some(true)),
    ("oom_kills", "OOM kills", Some(true)),
    ("max_events", "memory.events max", Some(true)),
    ("psi_some_total_us", "PSI some, µs", Some(true)),
    ("alloc_mb", "work done: allocated, MiB", Some(false)),
    ("runtime_ms", "virtual time, ms", None),
];

/// Who paid the reclaim CPU: each payer's share in whole percent, the
/// largest first (`tasks 100%`), or "nobody" when none was spent.
pub fn payers(m: &RunMetrics) -> String {
    let m = &m.machine;
    let total = m.reclaim_cpu_ns();
    if total == 0 {
        return "nobody (no reclaim)".into();
    }
    let mut left = vec![
        ("tasks", m.task_reclaim_cpu_ns),
        ("worker", m.worker_cpu_ns),
        ("agents", m.agent_cpu_ns),
    ];
    // The largest first, ties in the order above (no sort: a slice sort
    // is kilobytes of wasm for three items).
    let mut out = Vec::new();
    while let Some(k) = (0..left.len()).max_by_key(|&k| (left[k].1, std::cmp::Reverse(k))) {
        let (n, v) = left.remove(k);
        if v > 0 {
            let pct = (u128::from(v) * 100 + u128::from(total) / 2) / u128::from(total);
            out.push(format!("{n} {pct}%"));
        }
    }
    out.join(", ")
}

/// Per row, each run's mark: "best", "worst" or "" (all equal: none).
pub fn marks(values: &[u64], lower_better: Option<bool>) -> Vec<&'static str> {
    let (Some(lower), Some(&min), Some(&max)) =
        (lower_better, values.iter().min(), values.iter().max())
    else {
        return vec![""; values.len()];
    };
    if min == max {
        return vec![""; values.len()];
    }
    let (best, worst) = if lower { (min, max) } else { (max, min) };
    values
        .iter()
        .map(|&v| {
            if v == best {
                "best"
            } else if v == worst {
                "worst"
            } else {
                ""
            }
        })
        .collect()
}

/// The metrics table.
pub fn table(def: &Comparison, metrics: &[&RunMetrics]) -> Html {
    let rows = ROWS.iter().map(|&(name, label, lower)| {
        let cols: Vec<(u64, String)> = metrics
            .iter()
            .map(|m| {
                let (v, u) = m.column(name).expect("column");
                (v, fmt_fixed(v, u.scale, u.decimals))
            })
            .collect();
        let values: Vec<u64> = cols.iter().map(|c| c.0).collect();
        let marks = marks(&values, lower);
        html! {
            <tr>
                <th scope="row"><code>{ name }</code><span class="metric-label">{ label }</span></th>
                { for cols.into_iter().zip(marks).enumerate().map(|(i, ((_, shown), mark))| html! {
                    <td data-metric={name} data-run={i.to_string()} data-value={shown.clone()}
                        class={class_list(&["num", mark])} title={mark}>{ shown }</td>
                }) }
            </tr>
        }
    });
    html! {
        <table id="compare-table" class="compare-table">
            <thead>
                <tr>
                    <th scope="col">{ "metric (machine)" }</th>
                    { for def.runs.iter().enumerate().map(|(i, r)| html! {
                        <th scope="col" data-run={i.to_string()}>{ format!("run {}: {}", i + 1, r.text()) }</th>
                    }) }
                </tr>
            </thead>
            <tbody>
                <tr class="payers">
                    <th scope="row">{ "reclaim CPU paid by" }</th>
                    { for metrics.iter().enumerate().map(|(i, m)| html! {
                        <td data-run={i.to_string()} data-payers={payers(m)}>
                            { payers(m) }
                            <span class="metric-label">{ format!(
                                "{} ms",
                                fmt_fixed(m.machine.reclaim_cpu_ns(), MS.scale, MS.decimals)
                            ) }</span>
                        </td>
                    }) }
                </tr>
                { for rows }
            </tbody>
        </table>
    }
}

/// One run's settings: a text field (Enter applies) and a remove button.
pub fn run_editor(def: &Comparison, i: usize, on_edit: &Callback<(usize, Option<String>)>) -> Html {
    let onchange = on_edit.reform(move |e: Event| {
        let input: HtmlInputElement = e.target_unchecked_into();
        (i, Some(input.value()))
    });
    let remove = on_edit.reform(move |_: MouseEvent| (i, None));
    let text = def.runs.get(i).map(|r| r.settings()).unwrap_or_default();
    html! {
        <div class="run-editor">
            <label>
                <span>{ format!("run {}", i + 1) }</span>
                <input type="text" class="run-settings" data-run={i.to_string()} value={text}
                    title="NAME=VALUE shell variables (the setup reads $NAME), kernel=FLAVOUR, /CGROUP/FILE=VALUE written after the setup; comma separated; Enter applies"
                    {onchange} />
            </label>
            if def.runs.len() > MIN_RUNS {
                <button type="button" aria-label={format!("remove run {}", i + 1)} onclick={remove}>{ "✕" }</button>
            }
        </div>
    }
}

/// The settings of every run, and "add a run" while there are fewer than
/// [`MAX_RUNS`].
pub fn run_editors(def: &Comparison, on_edit: &Callback<(usize, Option<String>)>) -> Html {
    let n = def.runs.len();
    let add = {
        let last = def.runs.last().map(|r| r.settings()).unwrap_or_default();
        on_edit.reform(move |_: MouseEvent| (n, Some(last.clone())))
    };
    html! {
        <div class="run-editors">
            { for (0..n).map(|i| run_editor(def, i, on_edit)) }
            if n < MAX_RUNS {
                <button id="add-run" type="button" onclick={add}>{ "+ run" }</button>
            }
        </div>
    }
}
