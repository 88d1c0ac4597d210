//! The cgroup tree as SVG: one row per cgroup with a stacked anon/file bar,
//! lines for memory.max (limit), memory.high, wmark_high and wmark_low, a
//! badge for the work state and animated flows for charging and reclaim.
//! Rows never overlap (one per cgroup, names cut to their column); groups
//! collapse; the pane scrolls.

use std::rc::Rc;

use memcg::sim::Snapshot;
use yew::prelude::*;

use super::class_list;

use crate::format::{self, num};
use crate::state::Flows;

pub const ROW: i32 = 56;
/// The SVG's own width: the pane scales it, so keep it near the pane's width
/// at 1024 px (about 460 px) for readable text.
pub const WIDTH: i32 = 524;
const BAR_X: f64 = 178.0;
const BAR_W: f64 = 236.0;
const RIGHT_X: f64 = BAR_X + BAR_W + 10.0;

/// One visible row of the tree, ready to draw.
#[derive(Clone, Debug, PartialEq)]
pub struct TreeNode {
    pub path: String,
    pub name: String,
    pub depth: usize,
    pub has_memory: bool,
    pub has_children: bool,
    pub collapsed: bool,
    /// Hidden descendants when collapsed.
    pub hidden: usize,
    pub usage: u64,
    pub anon: u64,
    pub file: u64,
    pub max: Option<u64>,
    pub high: Option<u64>,
    pub wmark_high: Option<u64>,
    pub wmark_low: Option<u64>,
    /// memory.low (0: none).
    pub low: u64,
    /// Bytes the full bar stands for.
    pub scale: u64,
    pub work: String,
    pub tasks: usize,
    pub stall_ns: u64,
    pub max_events: u64,
    pub worker_ns: u64,
    pub flows: Flows,
}

/// The rows to draw: pre-order, skipping the insides of collapsed groups.
///
/// `coarse` (while playing): sizes are rounded to a 1/1024 of the bar and
/// times to 1 ms, so that a row is redrawn only when it visibly changes —
/// with 200 rows on screen that is most of a frame's work. Paused, every
/// value is exact.
pub fn visible_nodes(
    snap: &Snapshot,
    collapsed: &[String],
    flows: &dyn Fn(&str) -> Flows,
    coarse: bool,
) -> Vec<TreeNode> {
    // Scale: the tightest limit on the way to the root, or else the
    // largest limit anywhere (or the largest usage), so bars compare.
    let mut global = snap.cgroups.iter().filter_map(|c| c.max).max().unwrap_or(0);
    let top_usage = snap.cgroups.iter().map(|c| c.usage).max().unwrap_or(0);
    if global == 0 {
        global = (top_usage + top_usage / 4).max(256 << 20);
    }
    let tasks_in = |rel: &str| {
        snap.tasks
            .iter()
            .filter(|t| {
                let key = if t.cgroup.is_empty() {
                    "/"
                } else {
                    t.cgroup.as_str()
                };
                key == rel && t.state != "exited" && t.state != "killed"
            })
            .count()
    };
    let mount = snap.version.mount_point();
    let mut out = Vec::new();
    let mut limits: Vec<Option<u64>> = Vec::new();
    let mut hide_below: Option<usize> = None;
    let n = snap.cgroups.len();
    for (i, cg) in snap.cgroups.iter().enumerate() {
        limits.truncate(cg.depth);
        let inherited = limits.iter().flatten().copied().min();
        limits.push(match (inherited, cg.max) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        });
        if let Some(d) = hide_below {
            if cg.depth > d {
                if let Some(last) = out.last_mut() {
                    let last: &mut TreeNode = last;
                    last.hidden += 1;
                }
                continue;
            }
            hide_below = None;
        }
        let has_children = i + 1 < n && snap.cgroups[i + 1].depth > cg.depth;
        let is_collapsed = has_children && collapsed.contains(&cg.path);
        if is_collapsed {
            hide_below = Some(cg.depth);
        }
        let mut scale = limits.last().copied().flatten().unwrap_or(global);
        scale = scale.max(cg.usage).max(1);
        let rel = crate::state::rel_path(mount, &cg.path);
        let (q, qt) = if coarse {
            ((scale / 1024).max(4096), 1_000_000)
        } else {
            (1, 1)
        };
        let round = |v: u64, q: u64| v / q * q;
        out.push(TreeNode {
            path: cg.path.clone(),
            name: if cg.depth == 0 {
                cg.path.clone()
            } else {
                cg.name.clone()
            },
            depth: cg.depth,
            has_memory: cg.has_memory,
            has_children,
            collapsed: is_collapsed,
            hidden: 0,
            usage: round(cg.usage, q),
            anon: round(cg.anon, q),
            file: round(cg.file, q),
            max: cg.max,
            high: cg.high,
            wmark_high: cg.wmark_high,
            wmark_low: cg.wmark_low,
            low: cg.low,
            scale,
            work: cg.work.clone(),
            tasks: tasks_in(&rel),
            stall_ns: round(cg.stall_ns, qt),
            max_events: cg.events[2],
            worker_ns: round(cg.worker_ns, qt),
            flows: flows(&cg.path),
        });
    }
    out
}

#[derive(Properties, PartialEq)]
pub struct TreeViewProps {
    /// Visible rows, pre-order.
    pub nodes: Rc<Vec<TreeNode>>,
    pub selected: String,
    pub on_select: Callback<String>,
    /// Collapse or expand the group at this path.
    pub on_toggle: Callback<String>,
}

fn x_of(v: u64, scale: u64) -> f64 {
    BAR_X + (v as f64 / scale as f64).min(1.0) * BAR_W
}

fn node_id(i: usize) -> String {
    format!("cg-node-{i}")
}

#[derive(Properties, PartialEq)]
struct RowProps {
    node: TreeNode,
    index: usize,
    selected: bool,
    on_select: Callback<String>,
    on_toggle: Callback<String>,
}

fn work_badge(work: &str) -> (&'static str, &'static str) {
    match work {
        "running" | "running+pending" => ("⟳ running", "running"),
        "pending" => ("… pending", "pending"),
        _ => ("idle", "idle"),
    }
}

#[component]
fn Row(props: &RowProps) -> Html {
    let n = &props.node;
    let top = props.index as i32 * ROW;
    let onclick = {
        let on_select = props.on_select.clone();
        let path = n.path.clone();
        Callback::from(move |_: MouseEvent| on_select.emit(path.clone()))
    };
    let ontoggle = {
        let on_toggle = props.on_toggle.clone();
        let path = n.path.clone();
        Callback::from(move |e: MouseEvent| {
            e.stop_propagation();
            on_toggle.emit(path.clone());
        })
    };
    let name_x = 10.0 + n.depth as f64 * 14.0 + 14.0;
    let room = BAR_X - 34.0 - name_x;
    let chars = (room / 7.2).max(3.0) as usize;
    // The root's name is the mount point: whole, narrowed to fit
    // (textLength) rather than cut; a child's is cut, its title whole.
    let squeeze = (n.depth == 0 && n.name.chars().count() > chars).then(|| num(room));
    let label = if n.depth == 0 {
        n.name.clone()
    } else {
        format::fit(&n.name, chars)
    };
    let (badge, work_class) = work_badge(&n.work);
    let limit_text = format!("{} / {}", format::bytes(n.usage), format::limit(n.max));
    let bar_y = 16.0;
    let bar_h = 16.0;
    let anon_w = x_of(n.anon, n.scale) - BAR_X;
    let file_w = (x_of(n.anon + n.file, n.scale) - BAR_X - anon_w).max(0.0);
    let usage_x = x_of(n.usage, n.scale);

    // Threshold lines, and their labels merged when they would collide.
    let mut marks: Vec<(f64, &str, &str)> = Vec::new();
    if let Some(v) = n.max {
        marks.push((x_of(v, n.scale), "max", "limit"));
    }
    if let Some(v) = n.high {
        marks.push((x_of(v, n.scale), "high", "high"));
    }
    if let Some(v) = n.wmark_high {
        marks.push((x_of(v, n.scale), "wH", "wmark-high"));
    }
    if let Some(v) = n.wmark_low {
        marks.push((x_of(v, n.scale), "wL", "wmark-low"));
    }
    if n.low > 0 && n.depth > 0 {
        marks.push((x_of(n.low, n.scale), "low", "low"));
    }
    let mut labels: Vec<(f64, String)> = Vec::new();
    // By position; a handful of marks, so ordered insertion (no sort code).
    let mut sorted: Vec<(f64, &str, &str)> = Vec::with_capacity(marks.len());
    for m in &marks {
        let at = sorted.partition_point(|s| s.0 <= m.0);
        sorted.insert(at, *m);
    }
    for (x, short, _) in &sorted {
        match labels.last_mut() {
            Some((lx, text)) if x - *lx < 22.0 + 5.0 * text.len() as f64 / 2.0 => {
                text.push('·');
                text.push_str(short);
            }
            _ => labels.push((*x, short.to_string())),
        }
    }
    let title = format!(
        "{}\nusage {} (anon {}, file {})\nmemory.max {} · memory.high {} · memory.low {}\nwmark_high {} · wmark_low {}\nwork {}{}",
        n.path,
        format::bytes(n.usage),
        format::bytes(n.anon),
        format::bytes(n.file),
        format::limit(n.max),
        format::limit(n.high),
        format::bytes(n.low),
        format::limit(n.wmark_high),
        format::limit(n.wmark_low),
        n.work,
        if n.has_memory { "" } else { "\n(memory controller not enabled)" },
    );
    let aria = format!(
        "{}: {} of {}, work {}{}",
        n.name,
        format::bytes(n.usage),
        format::limit(n.max),
        n.work,
        if n.collapsed {
            format!(", collapsed, {} hidden", n.hidden)
        } else {
            String::new()
        }
    );
    let sub = if !n.has_memory {
        "no memory controller".to_string()
    } else if n.collapsed {
        format!("{} hidden", n.hidden)
    } else if n.tasks > 0 {
        format!("{} task{}", n.tasks, if n.tasks == 1 { "" } else { "s" })
    } else {
        String::new()
    };
    let mut flow_labels = Vec::new();
    if n.flows.worker {
        flow_labels.push(("kworker", "worker"));
    }
    if n.flows.direct {
        flow_labels.push(("direct", "direct"));
    }
    if n.flows.oom {
        flow_labels.push(("OOM kill", "oom"));
    }
    let flow_x = (usage_x - 6.0).max(BAR_X + 4.0);
    html! {
        <g
            id={node_id(props.index)}
            class={class_list(&["cg", if props.selected { "selected" } else { "" }, if n.has_memory { "" } else { "no-memory" }, &format!("work-{work_class}")])}
            transform={format!("translate(0 {top})")}
            role="treeitem"
            aria-level={(n.depth + 1).to_string()}
            aria-selected={props.selected.to_string()}
            aria-expanded={n.has_children.then(|| (!n.collapsed).to_string())}
            aria-label={aria}
            data-path={n.path.clone()}
            data-usage={n.usage.to_string()}
            data-max={n.max.map(|v| v.to_string())}
            data-high={n.high.map(|v| v.to_string())}
            data-wmark-high={n.wmark_high.map(|v| v.to_string())}
            data-wmark-low={n.wmark_low.map(|v| v.to_string())}
            data-low={n.low.to_string()}
            data-work={n.work.clone()}
            data-stall-ns={n.stall_ns.to_string()}
            data-max-events={n.max_events.to_string()}
            data-worker-ns={n.worker_ns.to_string()}
            {onclick}
        >
            <title>{ title }</title>
            <rect class="row-bg" x="0" y="1" width={WIDTH.to_string()} height={(ROW - 2).to_string()} rx="4" />
            if n.has_children {
                <g class="toggle" onclick={ontoggle} aria-hidden="true">
                    <rect x={num(name_x - 16.0)} y="14" width="14" height="16" fill="transparent" />
                    <text x={num(name_x - 14.0)} y="27">{ if n.collapsed { "▸" } else { "▾" } }</text>
                </g>
            }
            <text class="name" x={num(name_x)} y="27" textLength={squeeze.clone()}
                lengthAdjust={squeeze.as_ref().map(|_| "spacingAndGlyphs")}>{ label }</text>
            <text class="sub" x={num(name_x)} y="44">{ sub }</text>
            if n.has_memory {
                <rect class="bar-bg" x={num(BAR_X)} y={num(bar_y)} width={num(BAR_W)} height={num(bar_h)} />
                <rect class="bar-anon" x={num(BAR_X)} y={num(bar_y)} width={num(anon_w.max(0.0))} height={num(bar_h)} />
                <rect class="bar-file" x={num(BAR_X + anon_w)} y={num(bar_y)} width={num(file_w)} height={num(bar_h)} />
                <line class="usage-edge" x1={num(usage_x)} x2={num(usage_x)} y1={num(bar_y - 1.0)} y2={num(bar_y + bar_h + 1.0)} />
                { for marks.iter().map(|&(x, _, class)| html! {
                    <g class={class_list(&["mark", class])}>
                        <line x1={num(x)} x2={num(x)} y1={num(bar_y - 4.0)} y2={num(bar_y + bar_h + 4.0)} />
                        if class == "wmark-high" {
                            <path d={format!("M{} {} l-3.5 -5 h7 z", num(x), num(bar_y - 4.0))} />
                        }
                        if class == "wmark-low" {
                            <path d={format!("M{} {} l-3.5 5 h7 z", num(x), num(bar_y + bar_h + 4.0))} />
                        }
                    </g>
                }) }
                { for labels.iter().map(|(x, text)| html! {
                    <text class="mark-label" x={num(*x)} y="47" text-anchor="middle">{ text.clone() }</text>
                }) }
                if n.flows.charge {
                    <g class="flow charge">
                        <title>{ "charging: tasks allocating" }</title>
                        <path class="flow-line" d={format!("M{} {} H{}", num(BAR_X - 30.0), num(bar_y + bar_h / 2.0), num(BAR_X - 6.0))} />
                        <path class="flow-head" d={format!("M{} {} l-6 -4 v8 z", num(BAR_X - 1.0), num(bar_y + bar_h / 2.0))} />
                    </g>
                }
                { for flow_labels.iter().enumerate().map(|(i, (text, class))| {
                    let x = flow_x - i as f64 * 62.0;
                    html! {
                        <g class={class_list(&["flow", "reclaim", class])}>
                            <title>{ format!("reclaim by {text}") }</title>
                            <path class="flow-line" d={format!("M{} {} V{}", num(x), num(bar_y + 2.0), num(3.0))} />
                            <path class="flow-head" d={format!("M{} {} l-4 5 h8 z", num(x), num(0.5))} />
                            <text class="flow-label" x={num(x - 5.0)} y="10" text-anchor="end">{ *text }</text>
                        </g>
                    }
                }) }
                <text class="usage-text" x={num(RIGHT_X)} y="22">{ limit_text }</text>
                <g class={class_list(&["badge", work_class])}>
                    <rect x={num(RIGHT_X)} y="30" width="86" height="16" rx="8" />
                    <text x={num(RIGHT_X + 43.0)} y="42" text-anchor="middle">{ badge }</text>
                </g>
            }
        </g>
    }
}

#[component]
pub fn TreeView(props: &TreeViewProps) -> Html {
    let svg_ref = use_node_ref();
    let nodes = props.nodes.clone();
    let selected_index = nodes.iter().position(|n| n.path == props.selected);

    // Keep the selection in view when it moves by keyboard.
    {
        let svg_ref = svg_ref.clone();
        use_effect_with(selected_index, move |index| {
            if let (Some(i), Some(svg)) = (index, svg_ref.cast::<web_sys::Element>()) {
                if let Ok(Some(el)) = svg.query_selector(&format!("#{}", node_id(*i))) {
                    let focused_here = web_sys::window()
                        .and_then(|w| w.document())
                        .and_then(|d| d.active_element())
                        .is_some_and(|a| a == svg);
                    if focused_here {
                        let opts = web_sys::ScrollIntoViewOptions::new();
                        opts.set_block(web_sys::ScrollLogicalPosition::Nearest);
                        el.scroll_into_view_with_scroll_into_view_options(&opts);
                    }
                }
            }
        });
    }

    let onkeydown = {
        let nodes = nodes.clone();
        let on_select = props.on_select.clone();
        let on_toggle = props.on_toggle.clone();
        Callback::from(move |e: KeyboardEvent| {
            let Some(i) = selected_index else {
                if let Some(first) = nodes.first() {
                    on_select.emit(first.path.clone());
                }
                return;
            };
            let n = &nodes[i];
            let select = |j: usize| on_select.emit(nodes[j].path.clone());
            match e.key().as_str() {
                "ArrowDown" if i + 1 < nodes.len() => select(i + 1),
                "ArrowUp" if i > 0 => select(i - 1),
                "Home" => select(0),
                "End" => select(nodes.len() - 1),
                "ArrowRight" if n.has_children && n.collapsed => on_toggle.emit(n.path.clone()),
                "ArrowRight" if n.has_children && i + 1 < nodes.len() => select(i + 1),
                "ArrowLeft" if n.has_children && !n.collapsed => on_toggle.emit(n.path.clone()),
                "ArrowLeft" => {
                    if let Some(p) = (0..i).rev().find(|&j| nodes[j].depth < n.depth) {
                        select(p);
                    }
                }
                "Enter" | " " if n.has_children => on_toggle.emit(n.path.clone()),
                _ => return,
            }
            e.prevent_default();
            e.stop_propagation();
        })
    };
    let height = (nodes.len() as i32 * ROW).max(ROW);
    html! {
        <div class="tree-wrap">
            <svg
                id="cgroup-tree"
                ref={svg_ref}
                class="tree-svg"
                role="tree"
                tabindex="0"
                aria-label="cgroup tree: arrow keys move, Left and Right collapse and expand"
                aria-activedescendant={selected_index.map(node_id)}
                viewBox={format!("0 0 {WIDTH} {height}")}
                width="100%"
                style={format!("max-height: none; aspect-ratio: {WIDTH} / {height}")}
                preserveAspectRatio="xMinYMin meet"
                {onkeydown}
            >
                <defs>
                    <pattern id="hatch" patternUnits="userSpaceOnUse" width="5" height="5" patternTransform="rotate(45)">
                        <rect class="hatch-bg" width="5" height="5" />
                        <line class="hatch-line" x1="0" y1="0" x2="0" y2="5" />
                    </pattern>
                </defs>
                { for nodes.iter().enumerate().map(|(i, n)| html! {
                    <Row
                        key={n.path.clone()}
                        node={n.clone()}
                        index={i}
                        selected={Some(i) == selected_index}
                        on_select={props.on_select.clone()}
                        on_toggle={props.on_toggle.clone()}
                    />
                }) }
            </svg>
        </div>
    }
}

/// The key of the tree's symbols: static markup, so raw HTML (the same
/// nodes, without the code that builds them one by one).
pub fn tree_legend() -> Html {
    super::raw(concat!(
        r#"<p class="legend legend-inline" aria-label="legend">"#,
        r#"<span class="key anon">anon</span>"#,
        r#"<span class="key file">file (page cache, hatched)</span>"#,
        r#"<span class="key k-limit">max: the limit</span>"#,
        r#"<span class="key k-high">high</span>"#,
        r#"<span class="key k-wh">wH: wmark_high ▼</span>"#,
        r#"<span class="key k-wl">wL: wmark_low ▲</span>"#,
        r#"<span class="key k-low">low: memory.low</span>"#,
        r#"<span class="key k-charge">→ charging</span>"#,
        r#"<span class="key k-worker">↑ kworker reclaim</span>"#,
        r#"<span class="key k-direct">↑ direct reclaim</span>"#,
        "</p>"
    ))
}
