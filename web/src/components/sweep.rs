//! The sweep view (issue 14): the sweep's definition, a progress bar and
//! cancel, a heatmap per metric (each cell `data-metric` = the CLI's CSV
//! column, `data-value` = the number as the CLI prints it, its numbers in
//! the title, a click opens it in the compare view against the first
//! cell), the constraint and the CLI's recommendation sentence, and
//! "Export CSV" (exactly `memcg sweep --csv`'s text for the same script
//! and seed).
//!
//! The cells run in Web Workers (`www/sweep-worker.js`, one per core,
//! at most four) on the JS library's wasm, which carries the core's
//! `Sweep::run_one`; this module only draws, so the page's wasm does not
//! grow by an engine's worth. The Workers send each cell's metric integers
//! ([`Values`]); a Worker also prints the finished sweep's CSV and
//! recommendation with the core's code (the JS library's `sweepReport`),
//! so that text code stays out of the page's wasm too.

use memcg::metrics::fmt_fixed;
use memcg::sweep::{describe, shown, Columns, Combo, Values};
use wasm_bindgen::prelude::*;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::scenarios::SCENARIOS;
use crate::sweep::SweepDef;

#[wasm_bindgen(inline_js = r#"
let current = null;
export function memcg_sweep_cores() {
  return Math.max(1, Math.min(4, (typeof navigator !== 'undefined' && navigator.hardwareConcurrency) || 1));
}
export function memcg_sweep_cancel() {
  if (current) { current.workers.forEach((w) => w.terminate()); current = null; }
}
export function memcg_sweep_run(script, version, seed, kernel, names, flat, jobs, cb) {
  memcg_sweep_cancel();
  const k = names.length;
  const n = k ? flat.length / k : 0;
  // This file is www/pkg/snippets/<crate>/inlineN.js; the worker is www/sweep-worker.js.
  const url = new URL('../../../sweep-worker.js', import.meta.url);
  const me = { workers: [], next: 0 };
  current = me;
  const feed = (w) => {
    if (current !== me || me.next >= n) return;
    const i = me.next++;
    w.postMessage({ id: 0, i, script, version, seed, kernel, names, values: flat.slice(i * k, i * k + k) });
  };
  for (let j = 0; j < Math.min(jobs, n); j++) {
    let w;
    try { w = new Worker(url, { type: 'module' }); }
    catch (e) { cb(-1, '', 0, `could not start a Web Worker (${e && e.message || e})`); return; }
    w.onmessage = (ev) => {
      if (current !== me) return;
      const m = ev.data;
      if (m.error !== undefined) cb(m.i, '', 0, m.error);
      else cb(m.i, m.values, m.errors, m.first_error ?? undefined);
      feed(w);
    };
    w.onerror = (ev) => {
      if (current !== me) return;
      ev.preventDefault();
      memcg_sweep_cancel();
      cb(-1, '', 0, `the sweep's Web Worker failed: ${ev.message || 'could not load ' + url}`);
    };
    me.workers.push(w);
    feed(w);
  }
}
let reporter = null;
let reportSeq = 0;
export function memcg_sweep_report(names, values, kernel, cells, constraint, cb) {
  if (!reporter) {
    reporter = new Worker(new URL('../../../sweep-worker.js', import.meta.url), { type: 'module' });
  }
  const seq = ++reportSeq;
  reporter.onmessage = (ev) => {
    const m = ev.data;
    if (m.report !== reportSeq) return;
    if (m.error !== undefined) cb(undefined, m.error);
    else cb(m.csv, m.recommendation);
  };
  reporter.onerror = (ev) => { ev.preventDefault(); cb(undefined, `the sweep's Web Worker failed: ${ev.message || 'could not load it'}`); };
  reporter.postMessage({ report: seq, names, values, kernel, cells, constraint });
}
export function memcg_sweep_go(href) { location.href = href; }
export function memcg_sweep_hash(frag) {
  try { history.replaceState(history.state, '', '#' + frag); } catch (e) { location.hash = frag; }
}
"#)]
extern "C" {
    fn memcg_sweep_cores() -> u32;
    fn memcg_sweep_cancel();
    #[allow(clippy::too_many_arguments)]
    fn memcg_sweep_run(
        script: &str,
        version: &str,
        seed: f64,
        kernel: &str,
        names: Vec<String>,
        flat: Vec<String>,
        jobs: u32,
        cb: &Closure<dyn FnMut(i32, String, f64, Option<String>)>,
    );
    fn memcg_sweep_report(
        names: Vec<String>,
        values: Vec<String>,
        kernel: &str,
        cells: Vec<String>,
        constraint: &str,
        cb: &Closure<dyn FnMut(Option<String>, String)>,
    );
    fn memcg_sweep_go(href: &str);
    fn memcg_sweep_hash(frag: &str);
}

/// The heatmaps: CSV column, title, and the unit the cells print in.
const MAPS: &[(&str, &str)] = &[
    ("p99_stall_us", "p99 fault latency, µs"),
    ("task_reclaim_cpu_ms", "reclaim CPU paid by tasks, ms"),
    ("worker_cpu_ms", "reclaim CPU paid by the worker, ms"),
    ("refaults", "refaults"),
    ("oom_kills", "OOM kills"),
];

/// The numbers a cell's title shows.
const TITLE_COLUMNS: &[&str] = &[
    "p50_stall_us",
    "p99_stall_us",
    "max_stall_us",
    "direct_reclaim_ms",
    "task_reclaim_cpu_ms",
    "worker_cpu_ms",
    "agent_cpu_ms",
    "reclaim_cpu_ms",
    "refaults",
    "oom_kills",
    "alloc_mb",
    "errors",
];

#[derive(Properties, PartialEq)]
pub struct SweepProps {
    pub def: SweepDef,
    /// An error opening the link (the default sweep shows instead).
    #[prop_or_default]
    pub notice: Option<String>,
}

pub enum Msg {
    Run,
    Cancel,
    /// (cell, values, errors, error): cell -1 is the pool's own failure.
    Cell(i32, String, f64, Option<String>),
    Params(String),
    Time(String),
    Constraint(String),
    Open(usize),
    Export,
    /// The Worker's CSV (none on an error) and recommendation sentence.
    Report(Option<String>, String),
}

/// One cell's outcome.
enum Cell {
    Pending,
    Done(Values, Option<String>),
    Failed(String),
}

pub struct SweepView {
    def: SweepDef,
    combos: Vec<Combo>,
    cells: Vec<Cell>,
    running: bool,
    jobs: u32,
    constraint: String,
    notice: Option<String>,
    /// The cells' metric integers as the Workers sent them (for the report).
    raw: Vec<String>,
    /// The finished sweep's CSV and recommendation, from a Worker.
    csv: Option<String>,
    recommendation: String,
    /// Kept alive while the Workers may call them.
    cb: Closure<dyn FnMut(i32, String, f64, Option<String>)>,
    report_cb: Closure<dyn FnMut(Option<String>, String)>,
}

impl SweepView {
    fn done(&self) -> usize {
        self.cells
            .iter()
            .filter(|c| !matches!(c, Cell::Pending))
            .count()
    }

    fn values(&self) -> Option<Vec<Values>> {
        self.cells
            .iter()
            .map(|c| match c {
                Cell::Done(v, _) => Some(v.clone()),
                _ => None,
            })
            .collect()
    }

    /// Asks a Worker for the CSV and the recommendation once every cell
    /// has run.
    fn report(&mut self) {
        self.csv = None;
        if self.values().is_none() {
            self.recommendation = "The recommendation comes when every cell has run.".into();
            return;
        }
        let names = self.def.params.iter().map(|p| p.name.clone()).collect();
        let values = self.def.params.iter().map(|p| p.values.join(",")).collect();
        let kernel = self
            .combos
            .first()
            .map(|c| c.kernel.clone())
            .unwrap_or_default();
        memcg_sweep_report(
            names,
            values,
            &kernel,
            self.raw.clone(),
            &self.constraint,
            &self.report_cb,
        );
    }

    fn start(&mut self) {
        self.combos = self.def.combos();
        self.raw = vec![String::new(); self.combos.len()];
        self.report();
        self.cells = self.combos.iter().map(|_| Cell::Pending).collect();
        self.running = true;
        let names: Vec<String> = self.def.params.iter().map(|p| p.name.clone()).collect();
        let flat: Vec<String> = self
            .combos
            .iter()
            .flat_map(|c| c.values.iter().cloned())
            .collect();
        let kernel = self
            .combos
            .first()
            .map(|c| c.kernel.clone())
            .unwrap_or_default();
        memcg_sweep_hash(&self.def.fragment());
        memcg_sweep_run(
            &self.def.script_text(),
            self.def.version(),
            self.def.seed as f64,
            &kernel,
            names,
            flat,
            self.jobs,
            &self.cb,
        );
    }
}

impl Component for SweepView {
    type Message = Msg;
    type Properties = SweepProps;

    fn create(ctx: &Context<Self>) -> Self {
        let link = ctx.link().clone();
        let cb = Closure::new(move |i: i32, v: String, e: f64, err: Option<String>| {
            link.send_message(Msg::Cell(i, v, e, err))
        });
        let link = ctx.link().clone();
        let report_cb = Closure::new(move |csv: Option<String>, text: String| {
            link.send_message(Msg::Report(csv, text))
        });
        let mut me = SweepView {
            def: ctx.props().def.clone(),
            combos: Vec::new(),
            cells: Vec::new(),
            running: false,
            jobs: memcg_sweep_cores(),
            // A p99 hides rare refault stalls: ask for none as well.
            constraint: "p99_stall_us<=100,refaults<=0".into(),
            notice: ctx.props().notice.clone(),
            raw: Vec::new(),
            csv: None,
            recommendation: String::new(),
            cb,
            report_cb,
        };
        // Opening a sweep (or its link) runs it.
        me.start();
        me
    }

    fn update(&mut self, _ctx: &Context<Self>, msg: Msg) -> bool {
        match msg {
            Msg::Run => self.start(),
            Msg::Cancel => {
                memcg_sweep_cancel();
                self.running = false;
            }
            Msg::Cell(-1, _, _, err) => {
                self.running = false;
                self.notice = err;
            }
            Msg::Cell(i, values, errors, err) => {
                let Some(slot) = usize::try_from(i).ok().and_then(|i| self.cells.get_mut(i)) else {
                    return false;
                };
                let combo = self.combos[i as usize].clone();
                self.raw[i as usize] = values.clone();
                *slot = match (values.is_empty(), err) {
                    (true, err) => Cell::Failed(err.unwrap_or_default()),
                    (false, err) => match Values::parse(combo, &values) {
                        Ok(v) => Cell::Done(v, err.filter(|_| errors > 0.0)),
                        Err(e) => Cell::Failed(e),
                    },
                };
                if self.done() == self.cells.len() {
                    memcg_sweep_cancel();
                    self.running = false;
                    self.report();
                }
            }
            Msg::Params(text) => {
                match SweepDef::parse_params(&text).and_then(|p| self.def.clone().with_params(p)) {
                    Ok(def) => {
                        self.def = def;
                        self.notice = None;
                        self.start();
                    }
                    Err(e) => self.notice = Some(e),
                }
            }
            Msg::Time(t) => {
                let frag = SweepDef {
                    time: t.trim().to_string(),
                    ..self.def.clone()
                }
                .fragment();
                match SweepDef::parse(&frag) {
                    Ok(def) => {
                        self.def = def;
                        self.notice = None;
                        self.start();
                    }
                    Err(e) => self.notice = Some(e),
                }
            }
            Msg::Constraint(c) => {
                self.constraint = c;
                self.report();
            }
            Msg::Report(csv, text) => {
                // A report of an earlier sweep (this one still runs).
                if self.values().is_none() {
                    return false;
                }
                self.csv = csv;
                self.recommendation = text;
            }
            Msg::Open(i) => {
                if let (Some(first), Some(c)) = (self.combos.first(), self.combos.get(i)) {
                    let sc = SCENARIOS[self.def.scenario].id;
                    let frag = self.def.compare_fragment(first, c);
                    memcg_sweep_go(&format!("?scenario={sc}#{frag}"));
                }
                return false;
            }
            Msg::Export => {
                if let Some(csv) = &self.csv {
                    crate::share::memcg_download("memcg-sweep.csv", "text/csv", csv);
                }
                return false;
            }
        }
        true
    }

    fn view(&self, ctx: &Context<Self>) -> Html {
        let link = ctx.link();
        let sc = &SCENARIOS[self.def.scenario];
        let (done, total) = (self.done(), self.cells.len());
        let pct = (done * 100).checked_div(total).unwrap_or(100);
        let on_params = link.callback(|e: Event| {
            Msg::Params(e.target_unchecked_into::<HtmlInputElement>().value())
        });
        let on_time = link
            .callback(|e: Event| Msg::Time(e.target_unchecked_into::<HtmlInputElement>().value()));
        let on_constraint = link.callback(|e: InputEvent| {
            Msg::Constraint(e.target_unchecked_into::<HtmlInputElement>().value())
        });
        let failures: Vec<String> = self
            .cells
            .iter()
            .zip(&self.combos)
            .filter_map(|(c, combo)| match c {
                Cell::Failed(e) => Some(format!("{}: {e}", describe(&self.def.params, combo))),
                Cell::Done(_, Some(e)) => {
                    Some(format!("{}: {e}", describe(&self.def.params, combo)))
                }
                _ => None,
            })
            .collect();
        html! {
            <div class="playground sweep-view" data-view="sweep"
                data-done={done.to_string()} data-total={total.to_string()}
                data-running={self.running.to_string()}>
                <header class="compare-head">
                    <h1>{ "Sweep: " }{ sc.title }</h1>
                    <a id="sweep-close" href={format!("?scenario={}", sc.id)}>{ "Back to one machine" }</a>
                </header>
                if let Some(n) = &self.notice {
                    <p class="banner banner-error" role="alert">{ n }</p>
                }
                <section class="pane sweep-def" aria-label="the sweep">
                    <label>
                        <span>{ "parameters" }</span>
                        <input id="sweep-params" type="text" value={self.def.params_text()}
                            title="NAME=V1,V2,… (one or two, separated by ;): a variable the setup reads ($ratio) or a memory.NAME file of the cgroup; Enter reruns"
                            onchange={on_params} />
                    </label>
                    <label>
                        <span>{ "virtual time per run" }</span>
                        <input id="sweep-time" type="text" size="6" value={self.def.time.clone()} onchange={on_time} />
                    </label>
                    <span class="metric-label">{ format!("seed {} · {} · {} Workers", self.def.seed, self.def.version(), self.jobs) }</span>
                    <details>
                        <summary>{ "The script, and the CLI line that prints the same CSV" }</summary>
                        <pre id="sweep-script">{ self.def.script_text() }</pre>
                        <pre id="sweep-cli">{ self.def.cli() }</pre>
                    </details>
                </section>
                <section class="pane sweep-progress" aria-label="progress">
                    <progress id="sweep-progress" max={total.to_string()} value={done.to_string()}
                        data-percent={pct.to_string()}></progress>
                    <span id="sweep-count">{ format!("{done}/{total} runs ({pct} %)") }</span>
                    if self.running {
                        <button id="sweep-cancel" type="button" onclick={link.callback(|_| Msg::Cancel)}>{ "Cancel" }</button>
                    } else {
                        <button id="sweep-run" type="button" onclick={link.callback(|_| Msg::Run)}>{ "Run again" }</button>
                    }
                    <button id="sweep-export" type="button" disabled={self.csv.is_none()}
                        onclick={link.callback(|_| Msg::Export)}>{ "Export CSV" }</button>
                </section>
                <section class="pane sweep-recommend" aria-label="recommendation">
                    <label>
                        <span>{ "constraint" }</span>
                        <input id="sweep-constraint" type="text" value={self.constraint.clone()} oninput={on_constraint} />
                    </label>
                    <p id="sweep-recommendation">{ self.recommendation.clone() }</p>
                    if !failures.is_empty() {
                        <ul class="sweep-failures">{ for failures.iter().map(|f| html! { <li>{ f }</li> }) }</ul>
                    }
                </section>
                <div class="sweep-maps">
                    { for MAPS.iter().map(|&(name, label)| self.heatmap(ctx, name, label)) }
                </div>
            </div>
        }
    }

    fn destroy(&mut self, _ctx: &Context<Self>) {
        memcg_sweep_cancel();
    }
}

impl SweepView {
    /// One metric's grid: rows the first parameter's values, columns the
    /// second's (one column for a single parameter).
    fn heatmap(&self, ctx: &Context<Self>, name: &'static str, label: &'static str) -> Html {
        let params = &self.def.params;
        let rows = params[0].values.len();
        let cols = params.get(1).map_or(1, |p| p.values.len());
        let done: Vec<u64> = self
            .cells
            .iter()
            .filter_map(|c| match c {
                Cell::Done(v, _) => v.column(name).map(|x| x.0),
                _ => None,
            })
            .collect();
        let (min, max) = (
            done.iter().copied().min().unwrap_or(0),
            done.iter().copied().max().unwrap_or(0),
        );
        let cell = |i: usize| -> Html {
            match self.cells.get(i) {
                Some(Cell::Done(v, _)) => {
                    let raw = v.column(name).map_or(0, |x| x.0);
                    let text = shown(v, name);
                    // 0..=100 from the lowest to the highest of this map.
                    let heat = if max > min {
                        (u128::from(raw - min) * 100 / u128::from(max - min)) as u64
                    } else {
                        0
                    };
                    let mut title = describe(params, v.combo());
                    for c in TITLE_COLUMNS {
                        title.push_str(&format!("\n{c} = {}", shown(v, c)));
                    }
                    title.push_str("\n(click: compare with the first cell)");
                    // At most 60 % red over the panel, so the number stays readable.
                    let style = format!(
                        "background: color-mix(in srgb, var(--limit) {}%, var(--panel))",
                        heat * 3 / 5
                    );
                    let onclick = ctx.link().callback(move |_: MouseEvent| Msg::Open(i));
                    html! {
                        <td class="num heat" data-metric={name} data-value={text.clone()}
                            data-cell={i.to_string()} data-heat={heat.to_string()}
                            {title} {style} {onclick}>{ text }</td>
                    }
                }
                Some(Cell::Failed(e)) => {
                    html! { <td class="heat failed" title={e.clone()}>{ "✕" }</td> }
                }
                _ => html! { <td class="heat pending">{ "…" }</td> },
            }
        };
        let range = if done.is_empty() {
            String::new()
        } else {
            let u = memcg::sweep::unit_of(name).expect("column");
            format!(
                " ({} … {})",
                fmt_fixed(min, u.scale, u.decimals),
                fmt_fixed(max, u.scale, u.decimals)
            )
        };
        html! {
            <figure class="pane sweep-map" data-map={name}>
                <figcaption><code>{ name }</code>{ " " }{ label }<span class="metric-label">{ range }</span></figcaption>
                <table class="heatmap">
                    <thead>
                        <tr>
                            <th scope="col">{ match params.get(1) {
                                Some(p) => format!("{} ↓ {} →", params[0].name, p.name),
                                None => params[0].name.clone(),
                            } }</th>
                            { for (0..cols).map(|c| html! {
                                <th scope="col">{ params.get(1).map_or(String::new(), |p| p.values[c].clone()) }</th>
                            }) }
                        </tr>
                    </thead>
                    <tbody>
                        { for (0..rows).map(|r| html! {
                            <tr>
                                <th scope="row">{ params[0].values[r].clone() }</th>
                                { for (0..cols).map(|c| cell(r * cols + c)) }
                            </tr>
                        }) }
                    </tbody>
                </table>
            </figure>
        }
    }
}
