//! Charts of the selected cgroup over virtual time — usage with the
//! watermark lines, the fault-latency (direct-reclaim stall) histogram,
//! worker CPU time and task stall, refaults — and the scrubber.

use std::rc::Rc;

use memcg::Simulator;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::format::{self, num};

/// One point of the usage chart (bytes; `None` = no limit).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Point {
    pub t: u64,
    pub usage: u64,
    pub anon: u64,
    pub file: u64,
    pub max: Option<u64>,
    pub high: Option<u64>,
    pub wmark_high: Option<u64>,
    pub wmark_low: Option<u64>,
    pub stall_ns: u64,
    pub worker_ns: u64,
    pub refaults: u64,
}

/// What the charts draw for one cgroup.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChartData {
    pub path: String,
    pub points: Vec<Point>,
    /// Bytes at the top of the usage chart.
    pub scale: u64,
    /// Fault latency histogram: log2 buckets of ns.
    pub hist: Vec<u64>,
    /// Virtual time the data was taken at (the charts' right edge).
    pub end: u64,
}

/// Points drawn per chart at most.
pub const MAX_POINTS: usize = 320;

impl ChartData {
    /// The selected cgroup's series and histogram from the simulator.
    pub fn from_sim(sim: &Simulator, path: &str) -> ChartData {
        use memcg::units::PAGE_COUNTER_MAX;
        let b = |p: u64| p * 4096;
        let opt = |p: u64| (p != PAGE_COUNTER_MAX).then(|| b(p));
        let mut data = ChartData {
            path: path.to_string(),
            end: sim.now(),
            ..ChartData::default()
        };
        let Some(id) = sim.lookup(path) else {
            return data;
        };
        if let Some(series) = sim.series(id) {
            let n = series.len();
            let stride = n.div_ceil(MAX_POINTS).max(1);
            // Every stride-th sample and the last, skipping whole runs.
            let mut pick: Vec<memcg::stats::Sample> = series.iter().step_by(stride).collect();
            if n > 0 && (n - 1) % stride != 0 {
                pick.extend(series.last());
            }
            data.points = pick
                .into_iter()
                .map(|s| Point {
                    t: s.t,
                    usage: b(s.usage),
                    anon: b(s.anon),
                    file: b(s.file),
                    max: opt(s.max),
                    high: opt(s.high),
                    wmark_high: opt(s.wmark_high),
                    wmark_low: opt(s.wmark_low),
                    stall_ns: s.stall_ns,
                    worker_ns: s.worker_ns,
                    refaults: s.refaults,
                })
                .collect();
        }
        if let Some(times) = sim.memcg_times(id) {
            data.hist = times.latency.buckets.to_vec();
        }
        let top = data
            .points
            .iter()
            .flat_map(|p| [Some(p.usage), p.max, p.high])
            .flatten()
            .max()
            .unwrap_or(0);
        data.scale = top.max(64 << 20);
        data
    }
}

/// What the timeline shows and does. A plain function of these, not a
/// component: the clock changes every frame, so it would render every
/// frame anyway (the charts are their own component, [`Charts`]).
pub struct TimelineProps {
    pub data: Rc<ChartData>,
    pub now: u64,
    pub horizon: u64,
    pub on_seek: Callback<u64>,
    /// Seek relative to now, ns.
    pub on_seek_by: Callback<i64>,
}

const W: f64 = 600.0;
const H: f64 = 150.0;
const L: f64 = 52.0;
const R: f64 = 10.0;
const T: f64 = 8.0;
const B: f64 = 18.0;

fn path_of(points: &[(f64, f64)]) -> String {
    let mut d = String::with_capacity(points.len() * 14);
    for (i, (x, y)) in points.iter().enumerate() {
        d.push_str(if i == 0 { "M" } else { "L" });
        d.push_str(&num(*x));
        d.push(' ');
        d.push_str(&num(*y));
    }
    d
}

/// A line chart of one value over time; `None` values break nothing, they
/// are skipped.
fn line(
    data: &ChartData,
    end: u64,
    w: f64,
    h: f64,
    top: f64,
    value: &dyn Fn(&Point) -> Option<f64>,
) -> String {
    let x = |t: u64| L + (t as f64 / end.max(1) as f64) * (w - L - R);
    let y = |v: f64| T + (1.0 - (v / top.max(1.0)).min(1.0)) * (h - T - B);
    let pts: Vec<(f64, f64)> = data
        .points
        .iter()
        .filter_map(|p| value(p).map(|v| (x(p.t), y(v))))
        .collect();
    path_of(&pts)
}

fn area(
    data: &ChartData,
    end: u64,
    top: f64,
    lo: &dyn Fn(&Point) -> f64,
    hi: &dyn Fn(&Point) -> f64,
) -> String {
    let x = |t: u64| L + (t as f64 / end.max(1) as f64) * (W - L - R);
    let y = |v: f64| T + (1.0 - (v / top.max(1.0)).min(1.0)) * (H - T - B);
    if data.points.is_empty() {
        return String::new();
    }
    let mut pts: Vec<(f64, f64)> = data.points.iter().map(|p| (x(p.t), y(hi(p)))).collect();
    pts.extend(data.points.iter().rev().map(|p| (x(p.t), y(lo(p)))));
    let mut d = path_of(&pts);
    d.push('Z');
    d
}

fn axes(w: f64, h: f64) -> Html {
    html! {
        <g class="axes">
            <line x1={num(L)} x2={num(L)} y1={num(T)} y2={num(h - B)} />
            <line x1={num(L)} x2={num(w - R)} y1={num(h - B)} y2={num(h - B)} />
        </g>
    }
}

/// Where a tick label hangs from its point: its end, middle or start at
/// the point's x, its baseline at y ("top": its top at y).
#[derive(Clone, Copy)]
enum At {
    End,
    Mid,
    Start,
    Top,
}

/// Tick labels as HTML over the chart, placed in percent of the viewBox:
/// text inside the SVG scaled with it (10 units were 7 px on a 600-unit
/// chart 420 px wide); these keep the page's font size at any width.
fn tick_labels(w: f64, h: f64, items: Vec<(f64, f64, At, String)>) -> Html {
    html! {
        <div class="ticks" aria-hidden="true">
            { for items.into_iter().map(|(x, y, at, text)| {
                let class = match at { At::End => "end", At::Mid => "mid", At::Start => "start", At::Top => "top" };
                let style = format!("left:{}%;top:{}%", num(x / w * 100.0), num(y / h * 100.0));
                html! { <span {class} {style}>{ text }</span> }
            }) }
        </div>
    }
}

/// The labels of [`axes`]: the scale's top inside the plot, 0, and the
/// time axis' ends.
fn axes_labels(w: f64, h: f64, top_label: String, end: u64) -> Html {
    tick_labels(
        w,
        h,
        vec![
            (L + 3.0, T, At::Top, top_label),
            (L - 4.0, h - B, At::End, "0".to_string()),
            (L, h - 2.0, At::Start, "0 s".to_string()),
            (w - R, h - 2.0, At::End, format::clock(end)),
        ],
    )
}

fn usage_chart(data: &ChartData, end: u64) -> Html {
    let top = data.scale as f64;
    let f = |v: u64| v as f64;
    let anon = area(data, end, top, &|_: &Point| 0.0, &|p: &Point| f(p.anon));
    let file = area(data, end, top, &|p: &Point| f(p.anon), &|p: &Point| {
        f(p.anon + p.file)
    });
    let usage = line(data, end, W, H, top, &|p: &Point| Some(f(p.usage)));
    let max = line(data, end, W, H, top, &|p: &Point| p.max.map(f));
    let high = line(data, end, W, H, top, &|p: &Point| p.high.map(f));
    let wh = line(data, end, W, H, top, &|p: &Point| p.wmark_high.map(f));
    let wl = line(data, end, W, H, top, &|p: &Point| p.wmark_low.map(f));
    let last = data.points.last();
    let summary = match last {
        Some(p) => format!(
            "usage {} at {}; max {}, high {}, wmark_high {}, wmark_low {}",
            format::bytes(p.usage),
            format::clock(p.t),
            format::limit(p.max),
            format::limit(p.high),
            format::limit(p.wmark_high),
            format::limit(p.wmark_low)
        ),
        None => "no samples yet: play to record".to_string(),
    };
    html! {
        <figure class="chart usage-chart">
            { super::raw(concat!(
                r#"<figcaption>usage and limits<span class="legend-inline">"#,
                r#"<span class="key anon">anon</span><span class="key file">file</span>"#,
                r#"<span class="key k-limit">max</span><span class="key k-high">high</span>"#,
                r#"<span class="key k-wh">wmark_high</span><span class="key k-wl">wmark_low</span>"#,
                "</span></figcaption>"
            )) }
            <div class="plot">
            <svg viewBox={format!("0 0 {} {}", num(W), num(H))} width="100%" role="img" aria-label={summary}>
                { axes(W, H) }
                <path class="area-anon" d={anon} />
                <path class="area-file" d={file} />
                <path class="line-usage" d={usage} />
                <path class="line-limit" d={max} />
                <path class="line-high" d={high} />
                <path class="line-wh" d={wh} />
                <path class="line-wl" d={wl} />
            </svg>
            { axes_labels(W, H, format::bytes(data.scale), end) }
            </div>
        </figure>
    }
}

/// Log2 buckets shown: 64 ns … 64 ms.
const HIST_FROM: usize = 6;
const HIST_TO: usize = 26;

fn histogram(data: &ChartData) -> Html {
    let (w, h) = (290.0, 120.0);
    let counts: Vec<u64> = (HIST_FROM..=HIST_TO)
        .map(|b| data.hist.get(b).copied().unwrap_or(0))
        .collect();
    let top = counts.iter().copied().max().unwrap_or(0);
    let log_top = ((top + 1) as f64).log10().max(1.0);
    let bw = (w - L - R) / counts.len() as f64;
    let stalls: u64 = (10..64)
        .map(|b| data.hist.get(b).copied().unwrap_or(0))
        .sum();
    let total: u64 = data.hist.iter().sum();
    let label = format!(
        "fault latency histogram: {total} faults, {stalls} of them took 1 µs or more (reclaim or penalty stalls)"
    );
    // Few enough to stay apart at the page's font size on a narrow chart.
    let ticks = [(10, "1µs"), (20, "1ms")];
    html! {
        <figure class="chart hist-chart">
            <figcaption>{ format!("fault latency (stalls ≥ 1 µs hatched; log scale to {top})") }</figcaption>
            <div class="plot">
            <svg viewBox={format!("0 0 {} {}", num(w), num(h))} width="100%" role="img" aria-label={label} data-stalls={stalls.to_string()}>
                <g class="axes">
                    <line x1={num(L)} x2={num(w - R)} y1={num(h - B)} y2={num(h - B)} />
                </g>
                { for counts.iter().enumerate().map(|(i, &c)| {
                    let b = HIST_FROM + i;
                    let hh = if c == 0 { 0.0 } else { ((c + 1) as f64).log10() / log_top * (h - T - B) };
                    let x = L + i as f64 * bw;
                    let class = if b >= 10 { "bar stall" } else { "bar fast" };
                    html! {
                        <rect class={class} x={num(x + 1.0)} width={num((bw - 2.0).max(1.0))}
                            y={num(h - B - hh)} height={num(hh)}>
                            <title>{ format!("{}–{}: {c}", format::duration(1 << b), format::duration((1u64 << (b + 1)) - 1)) }</title>
                        </rect>
                    }
                }) }
            </svg>
            { tick_labels(w, h, std::iter::once((L - 4.0, h - B, At::End, "0".to_string()))
                .chain(ticks.iter().map(|(b, text)| {
                    (L + (*b - HIST_FROM) as f64 * bw + bw / 2.0, h - 2.0, At::Mid, text.to_string())
                })).collect()) }
            </div>
        </figure>
    }
}

fn cumulative(data: &ChartData, end: u64) -> Html {
    let (w, h) = (290.0, 120.0);
    let last = data.points.last().copied();
    let worker = last.map_or(0, |p| p.worker_ns);
    let stall = last.map_or(0, |p| p.stall_ns);
    let top = worker.max(stall).max(1_000_000) as f64;
    let wl = line(data, end, w, h, top, &|p: &Point| Some(p.worker_ns as f64));
    let sl = line(data, end, w, h, top, &|p: &Point| Some(p.stall_ns as f64));
    let label = format!(
        "cumulative worker CPU time {} and task stall {}",
        format::duration(worker),
        format::duration(stall)
    );
    html! {
        <figure class="chart time-chart">
            <figcaption title={EXSTAT_NOTE}>{ "worker CPU vs task stall" }<span class="legend-inline">
                <span class="key k-worker">{ format!("worker {}", format::duration(worker)) }</span>
                <span class="key-note">{ cpu_share(worker, end) }</span>
                <span class="key k-stall">{ format!("stall {}", format::duration(stall)) }</span>
            </span></figcaption>
            <div class="plot">
            <svg viewBox={format!("0 0 {} {}", num(w), num(h))} width="100%" role="img" aria-label={label}>
                { axes(w, h) }
                <path class="line-worker" d={wl} />
                <path class="line-stall" d={sl} />
            </svg>
            { axes_labels(w, h, format::duration(top as u64), end) }
            </div>
            <p class="chart-note">{ format!("exstat wmark_reclaim_work_ms = {} (ns >> 20)", worker >> 20) }</p>
        </figure>
    }
}

/// What the worker chart's ns are against `memory.exstat`'s figure.
const EXSTAT_NOTE: &str = "The worker line is the work item's time in ns. memory.exstat's \
    wmark_reclaim_work_ms is the same time shifted right by 20 bits (units of 1.048576 ms, \
    rounded down), as ALinux prints it.";

/// The worker's time as a share of one CPU over `end` ns, e.g. "3.2 % of a CPU"
/// (integers only: no float formatting in the page's wasm).
fn cpu_share(worker_ns: u64, end: u64) -> String {
    let permille = u128::from(worker_ns) * 1000 / u128::from(end.max(1));
    format!("{}.{} % of a CPU", permille / 10, permille % 10)
}

fn refaults(data: &ChartData, end: u64) -> Html {
    let (w, h) = (290.0, 120.0);
    let last = data.points.last().map_or(0, |p| p.refaults);
    let top = last.max(10) as f64;
    let d = line(data, end, w, h, top, &|p: &Point| Some(p.refaults as f64));
    html! {
        <figure class="chart refault-chart">
            <figcaption>{ format!("refaults (pages): {last}") }</figcaption>
            <div class="plot">
            <svg viewBox={format!("0 0 {} {}", num(w), num(h))} width="100%" role="img" aria-label={format!("{last} refaulted pages so far")}>
                { axes(w, h) }
                <path class="line-refault" d={d} />
            </svg>
            { axes_labels(w, h, format!("{}", top as u64), end) }
            </div>
        </figure>
    }
}

#[derive(Properties, PartialEq)]
pub struct ChartsProps {
    pub data: Rc<ChartData>,
}

/// The charts alone, so that the clock moving does not redraw them.
#[component]
pub fn Charts(props: &ChartsProps) -> Html {
    let end = props.data.end.max(1_000_000);
    html! {
        <div class="charts">
            { usage_chart(&props.data, end) }
            <div class="small-charts">
                { histogram(&props.data) }
                { cumulative(&props.data, end) }
                { refaults(&props.data, end) }
            </div>
        </div>
    }
}

/// The scrubber: seek buttons and the time slider (the playground's
/// timeline and the compare view's shared clock).
pub fn scrubber(
    now: u64,
    horizon: u64,
    on_seek: &Callback<u64>,
    on_seek_by: &Callback<i64>,
) -> Html {
    let now_ms = now / 1_000_000;
    let horizon_ms = horizon / 1_000_000;
    let oninput = {
        let cb = on_seek.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Ok(ms) = input.value().parse::<u64>() {
                cb.emit(ms * 1_000_000);
            }
        })
    };
    let seek = |t: u64| on_seek.reform(move |_: MouseEvent| t);
    let by = |d: i64| on_seek_by.reform(move |_: MouseEvent| d);
    html! {
        <div class="scrubber">
                <button type="button" title="Seek to the start" aria-label="seek to the start" onclick={seek(0)}>{ "|◀" }</button>
                <button type="button" aria-keyshortcuts="[" title="Back 1 s ([)" aria-label="back one second" onclick={by(-1_000_000_000)}>{ "−1 s" }</button>
                <input id="scrubber" type="range" min="0" max={horizon_ms.to_string()} step="1"
                    value={now_ms.to_string()}
                    aria-label="virtual time: seek replays exactly from the nearest checkpoint"
                    aria-valuetext={format::clock(now)}
                    {oninput} />
                <button type="button" aria-keyshortcuts="]" title="Forward 1 s (])" aria-label="forward one second" onclick={by(1_000_000_000)}>{ "+1 s" }</button>
                <button type="button" title="Seek to the newest time simulated" aria-label="seek to the end" onclick={seek(horizon)}>{ "▶|" }</button>
                <span class="scrub-times">{ format!("{} / {}", format::clock(now), format::clock(horizon)) }</span>
            </div>
    }
}

/// The selected cgroup's charts over time and the scrubber.
pub fn timeline(props: &TimelineProps) -> Html {
    html! {
        <div id="timeline" class="timeline" data-path={props.data.path.clone()}>
            <h2>{ "Timeline of " }<code>{ &props.data.path }</code></h2>
            <Charts data={props.data.clone()} />
            { scrubber(props.now, props.horizon, &props.on_seek, &props.on_seek_by) }
            { super::raw(concat!(
                r#"<p class="scrub-note">Seeking replays from the nearest checkpoint; "#,
                "an edit made in the past drops the future after it.</p>"
            )) }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::cpu_share;

    #[test]
    fn worker_share_of_a_cpu_in_integers() {
        assert_eq!(cpu_share(0, 0), "0.0 % of a CPU");
        assert_eq!(cpu_share(1_220_566_000, 8_000_000_000), "15.2 % of a CPU");
        assert_eq!(cpu_share(8_000_000_000, 8_000_000_000), "100.0 % of a CPU");
        assert_eq!(
            cpu_share(u64::MAX, 1),
            "1844674407370955161500.0 % of a CPU"
        );
    }
}
