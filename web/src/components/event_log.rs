//! The core's trace lines, newest last, filterable by text, by event and by
//! the selected cgroup, in an ARIA live region.

use std::rc::Rc;

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::state::trace_fields;

/// Event filters: (label, events shown).
pub const KINDS: &[(&str, &[&str])] = &[
    ("all events", &[]),
    (
        "worker (work_*)",
        &["work_queued", "work_start", "work_chunk", "work_done"],
    ),
    ("direct reclaim", &["direct_reclaim"]),
    ("OOM and force", &["oom_kill", "killed", "force_charge"]),
    ("memory.high penalty", &["high_penalty"]),
    ("refaults", &["refault"]),
    ("tasks", &["spawn", "exit", "killed", "alloc_done"]),
    ("writes", &["write"]),
];

/// Lines shown at most.
pub const SHOWN: usize = 150;

#[derive(Properties, PartialEq)]
pub struct EventLogProps {
    /// Newest trace lines, oldest first.
    pub lines: Rc<Vec<Rc<str>>>,
    /// The trace's memcg column of the selected cgroup (`/` for the root).
    pub selected: String,
}

#[component]
pub fn EventLog(props: &EventLogProps) -> Html {
    let text = use_state(String::new);
    let kind = use_state(|| 0usize);
    let only_selected = use_state(|| false);

    let kinds = KINDS[*kind].1;
    let needle = text.trim().to_ascii_lowercase();
    let mut shown: Vec<&str> = props
        .lines
        .iter()
        .rev()
        .filter(|l| {
            let (event, memcg) = trace_fields(l).unwrap_or(("", ""));
            (kinds.is_empty() || kinds.contains(&event))
                && (!*only_selected || memcg == props.selected)
                && (needle.is_empty() || l.to_ascii_lowercase().contains(&needle))
        })
        .take(SHOWN)
        .map(|l| &**l)
        .collect();
    shown.reverse();
    let body = shown.join("\n");

    let on_text = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            text.set(input.value());
        })
    };
    let on_kind = {
        let kind = kind.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            kind.set(select.value().parse().unwrap_or(0));
        })
    };
    let on_only = {
        let only_selected = only_selected.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            only_selected.set(input.checked());
        })
    };
    html! {
        <div id="event-log" class="event-log">
            <h2>{ "Event log" }</h2>
            <div class="log-filters">
                <input id="log-filter" type="search" placeholder="filter text" aria-label="filter the event log"
                    value={(*text).clone()} oninput={on_text} />
                <select id="log-kind" aria-label="event kind" onchange={on_kind}>
                    { for KINDS.iter().enumerate().map(|(i, (label, _))| html! {
                        <option value={i.to_string()} selected={*kind == i}>{ *label }</option>
                    }) }
                </select>
                <label class="check"><input id="log-only-selected" type="checkbox" checked={*only_selected} onchange={on_only} />{ " selected cgroup only" }</label>
            </div>
            // column-reverse keeps the newest line in view without reading
            // the layout every frame.
            <div class="log-scroll" tabindex="0" aria-label="trace lines, scrollable">
                <pre id="log-lines" role="log" aria-live="polite" aria-label="trace lines: time, event, pid, memcg, details">
                    { if body.is_empty() { "(no events yet)".to_string() } else { body } }
                </pre>
            </div>
        </div>
    }
}
