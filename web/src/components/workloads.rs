//! The tasks of the selected cgroup with their allocation latency, and an
//! editor to add, change or remove them from the core's workload presets.
//! Everything goes through the shell (`spawn`, `kill`), so the console shows
//! the command for each click.

use std::rc::Rc;

use memcg::sim::TaskSnapshot;
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use super::class_list;

use crate::format;
use crate::state::{Spec, Specs};

/// Plain kinds, then the core's presets.
pub fn kinds() -> Vec<&'static str> {
    let mut k = vec!["anon", "file", "dirty"];
    k.extend_from_slice(memcg::workload::PRESETS);
    k
}

fn kind_hint(kind: &str) -> &'static str {
    match kind {
        "anon" => "touch anonymous memory once (no working set unless given), then exit (or hold)",
        "file" => "read files once into the page cache",
        "dirty" => "write files: dirty page cache",
        "steady" => "grow to SIZE at RATE, then hold it",
        "burst" => "allocate SIZE at once, hold 200 ms, free, repeat",
        "stream" => "stream files through the page cache, forever",
        "leak" => "leak anon memory slowly",
        "sawtooth" => "grow to SIZE, free everything, repeat",
        "writer" => "write files at RATE (dirty page cache, written back by the flusher)",
        _ => "",
    }
}

#[derive(Properties, PartialEq)]
pub struct WorkloadsProps {
    /// Absolute path of the selected cgroup.
    pub path: String,
    /// Its tasks (all states).
    pub tasks: Vec<TaskSnapshot>,
    pub specs: Rc<Specs>,
    pub on_spawn: Callback<Spec>,
    pub on_kill: Callback<u32>,
    pub on_respawn: Callback<(u32, Spec)>,
}

fn alive(t: &TaskSnapshot) -> bool {
    t.state != "exited" && t.state != "killed"
}

#[component]
pub fn Workloads(props: &WorkloadsProps) -> Html {
    let form = use_state(Spec::default);
    let editing = use_state(|| None::<u32>);
    {
        let editing = editing.clone();
        use_effect_with(props.path.clone(), move |_| editing.set(None));
    }

    let text_input = |field: fn(&mut Spec) -> &mut String| {
        let form = form.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let mut next = (*form).clone();
            *field(&mut next) = input.value();
            form.set(next);
        })
    };
    let on_kind = {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            let mut next = (*form).clone();
            next.kind = select.value();
            form.set(next);
        })
    };
    let on_hold = {
        let form = form.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let mut next = (*form).clone();
            next.hold = input.checked();
            form.set(next);
        })
    };
    let onsubmit = {
        let form = form.clone();
        let editing = editing.clone();
        let on_spawn = props.on_spawn.clone();
        let on_respawn = props.on_respawn.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            match *editing {
                Some(pid) => on_respawn.emit((pid, (*form).clone())),
                None => on_spawn.emit((*form).clone()),
            }
            editing.set(None);
        })
    };
    let cancel = {
        let editing = editing.clone();
        Callback::from(move |_: MouseEvent| editing.set(None))
    };
    let plain = matches!(form.kind.as_str(), "anon" | "file" | "dirty");
    let command = form.command(&props.path);

    let rows = props.tasks.iter().map(|t| {
        let edit = {
            let form = form.clone();
            let editing = editing.clone();
            let spec = props.specs.get(t.pid).cloned().unwrap_or_else(|| Spec {
                kind: t.program.clone(),
                ..Spec::default()
            });
            let pid = t.pid;
            Callback::from(move |_: MouseEvent| {
                form.set(spec.clone());
                editing.set(Some(pid));
            })
        };
        let kill = props.on_kill.reform({
            let pid = t.pid;
            move |_: MouseEvent| pid
        });
        html! {
            <tr key={t.pid.to_string()} data-pid={t.pid.to_string()} class={class_list(&[if alive(t) { "" } else { "gone" }, if *editing == Some(t.pid) { "editing" } else { "" }])}>
                <td>{ t.pid }</td>
                <td>{ &t.program }</td>
                <td class="state">{ &t.state }</td>
                <td class="num">{ format::bytes(t.rss) }</td>
                <td class="num">{ format::duration(t.p50_ns) }</td>
                <td class="num p99">{ format::duration(t.p99_ns) }</td>
                <td class="num">{ format::duration(t.max_ns) }</td>
                <td class="num">{ format::duration(t.stall_ns) }</td>
                <td class="actions">
                    if alive(t) {
                        <button type="button" onclick={edit} aria-label={format!("edit task {}", t.pid)}>{ "Edit" }</button>
                        <button type="button" onclick={kill} aria-label={format!("remove task {}", t.pid)}>{ "Remove" }</button>
                    }
                </td>
            </tr>
        }
    });

    html! {
        <div id="workloads" class="workloads" data-path={props.path.clone()}>
            <h2>{ "Tasks of " }<code>{ &props.path }</code></h2>
            <div class="tasks-wrap">
                if props.tasks.is_empty() {
                    <p class="empty">{ "No tasks in this cgroup. Add one below." }</p>
                } else {
                    <table class="tasks">
                        <thead><tr>
                            <th>{ "pid" }</th><th>{ "program" }</th><th>{ "state" }</th><th>{ "rss" }</th>
                            <th title="fault latency, median">{ "p50" }</th>
                            <th title="fault latency, 99th percentile">{ "p99" }</th>
                            <th title="worst fault latency">{ "max" }</th>
                            <th title="time stalled in reclaim, penalty and refaults">{ "stall" }</th>
                            <th><span class="sr-only">{ "actions" }</span></th>
                        </tr></thead>
                        <tbody>{ for rows }</tbody>
                    </table>
                }
            </div>
            <form class="spawn-form" {onsubmit} aria-label="add a task">
                <label>{ "program " }
                    <select id="spawn-kind" onchange={on_kind} title={kind_hint(&form.kind)}>
                        { for kinds().into_iter().map(|k| html! {
                            <option value={k} selected={form.kind == k}>{ k }</option>
                        }) }
                    </select>
                </label>
                <label>{ "size " }
                    <input id="spawn-size" type="text" size="6" value={form.size.clone()} oninput={text_input(|s| &mut s.size)} />
                </label>
                <label>{ "rate/s " }
                    <input id="spawn-rate" type="text" size="6" placeholder="default" value={form.rate.clone()} oninput={text_input(|s| &mut s.rate)} />
                </label>
                <label>{ "working set " }
                    <input id="spawn-ws" type="text" size="6" placeholder="default" value={form.ws.clone()} oninput={text_input(|s| &mut s.ws)} />
                </label>
                if plain {
                    <label class="check"><input id="spawn-hold" type="checkbox" checked={form.hold} onchange={on_hold} />{ " hold" }</label>
                }
                <button id="spawn-submit" type="submit">
                    { match *editing { Some(pid) => format!("Replace task {pid}"), None => "Add task".to_string() } }
                </button>
                if editing.is_some() {
                    <button type="button" onclick={cancel}>{ "Cancel" }</button>
                }
                <p class="hint"><code>{ command }</code>{ " — " }{ kind_hint(&form.kind) }</p>
            </form>
        </div>
    }
}
