//! The core's trace lines, newest last, filterable by text, by event and by
//! the selected cgroup, in an ARIA live region.

use std::rc::Rc;

use memcg::trace::{parse_line, EventKind};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// Event filters: (label, events shown).
pub const KINDS: &[(&str, &[EventKind])] = &[
    ("all events", &[]),
    (
        "worker (work_*)",
        &[
            EventKind::WorkQueued,
            EventKind::WorkStart,
            EventKind::WorkChunk,
            EventKind::WorkDone,
        ],
    ),
    ("direct reclaim", &[EventKind::DirectReclaim]),
    (
        "OOM and force",
        &[
            EventKind::OomKill,
            EventKind::Killed,
            EventKind::ForceCharge,
        ],
    ),
    ("memory.high penalty", &[EventKind::HighPenalty]),
    ("refaults", &[EventKind::Refault]),
    ("writeback", &[EventKind::Writeback]),
    (
        "tasks",
        &[
            EventKind::Spawn,
            EventKind::Exit,
            EventKind::Killed,
            EventKind::AllocDone,
        ],
    ),
    ("writes", &[EventKind::Write]),
    ("agents", &[EventKind::Agent]),
];

/// Whether the log shows `line`: one of `kinds` (empty: any), of the
/// `selected` memcg (the trace's memcg column unescaped, `/` for the root)
/// when given, and holding the lower-case `needle` in its text or its
/// cgroup name as written.
pub fn shows(line: &str, kinds: &[EventKind], selected: Option<&str>, needle: &str) -> bool {
    let parsed = parse_line(line);
    let kind = parsed.as_ref().map(|l| l.kind);
    let memcg = parsed.as_ref().map(|l| &*l.memcg);
    (kinds.is_empty() || kind.is_some_and(|k| kinds.contains(&k)))
        && selected.is_none_or(|s| memcg == Some(s))
        && (needle.is_empty()
            || line.to_ascii_lowercase().contains(needle)
            || memcg.is_some_and(|m| m.to_ascii_lowercase().contains(needle)))
}

/// Lines shown at most.
pub const SHOWN: usize = 150;

#[derive(Properties, PartialEq)]
pub struct EventLogProps {
    /// Newest trace lines, oldest first.
    pub lines: Rc<Vec<Rc<str>>>,
    /// The rare lines kept longer (`State::rare`), oldest first.
    pub rare: Rc<Vec<Rc<str>>>,
    /// The trace's memcg column of the selected cgroup (`/` for the root).
    pub selected: String,
}

/// The log's filters as one piece of state (a `use_state` per type was
/// wasm code of its own each); a change sets one of them.
#[derive(Clone, Default)]
struct Filters {
    text: String,
    kind: usize,
    only_selected: bool,
}

enum SetFilter {
    Text(String),
    Kind(usize),
    OnlySelected(bool),
}

impl Reducible for Filters {
    type Action = SetFilter;

    fn reduce(self: Rc<Self>, set: SetFilter) -> Rc<Self> {
        let mut f = Rc::unwrap_or_clone(self);
        match set {
            SetFilter::Text(t) => f.text = t,
            SetFilter::Kind(k) => f.kind = k,
            SetFilter::OnlySelected(o) => f.only_selected = o,
        }
        Rc::new(f)
    }
}

#[component]
pub fn EventLog(props: &EventLogProps) -> Html {
    let filters = use_reducer(Filters::default);
    let only_selected = filters.only_selected;

    let kinds = KINDS[filters.kind].1;
    let needle = filters.text.trim().to_ascii_lowercase();
    let mut shown: Vec<&str> = crate::state::log_lines(&props.lines, &props.rare)
        .rev()
        .filter(|l| {
            let selected = only_selected.then_some(props.selected.as_str());
            shows(l, kinds, selected, &needle)
        })
        .take(SHOWN)
        .map(|l| &**l)
        .collect();
    shown.reverse();
    let body = shown.join("\n");

    let on_text = {
        let set = filters.dispatcher();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            set.dispatch(SetFilter::Text(input.value()));
        })
    };
    let on_kind = {
        let set = filters.dispatcher();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            set.dispatch(SetFilter::Kind(select.value().parse().unwrap_or(0)));
        })
    };
    let on_only = {
        let set = filters.dispatcher();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            set.dispatch(SetFilter::OnlySelected(input.checked()));
        })
    };
    html! {
        <div id="event-log" class="event-log">
            { super::raw("<h2>Event log</h2>") }
            <div class="log-filters">
                <input id="log-filter" type="search" placeholder="filter text" aria-label="filter the event log"
                    value={filters.text.clone()} oninput={on_text} />
                <select id="log-kind" aria-label="event kind" onchange={on_kind}>
                    { for KINDS.iter().enumerate().map(|(i, (label, _))| html! {
                        <option value={i.to_string()} selected={filters.kind == i}>{ *label }</option>
                    }) }
                </select>
                <label class="check"><input id="log-only-selected" type="checkbox" checked={only_selected} onchange={on_only} />{ " selected cgroup only" }</label>
            </div>
            // column-reverse keeps the newest line in view without reading
            // the layout every frame.
            <div class="log-scroll" tabindex="0" aria-label="trace lines, scrollable">
                <pre id="log-lines" role="log" aria-live="polite" aria-label="trace lines: time, event, pid, memcg, details">
                    { if !body.is_empty() {
                        body
                    } else if props.lines.is_empty() && props.rare.is_empty() {
                        "(no events yet)".to_string()
                    } else {
                        // Events happened: say what the log holds.
                        format!(
                            "(no matching event among the newest {} lines and the last {} writes, \
                             spawns, exits, kills and agent actions; Share ▸ Download trace has \
                             the newest {})",
                            props.lines.len(), props.rare.len(), memcg::trace::TRACE_KEEP
                        )
                    } }
                </pre>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use memcg::{Simulator, Version};

    use super::{shows, KINDS};
    use crate::state::trace_fields;

    /// Trace lines of a machine with a cgroup named `a b` (legal: mkdir
    /// "a b") next to one named `a`.
    fn lines_with_a_space() -> Vec<String> {
        let mut sim = Simulator::new(Version::V2);
        for line in [
            "mkdir a \"a b\"",
            "echo 8M > \"a b/memory.max\"",
            "echo 95 > \"a b/memory.wmark_ratio\"",
            "spawn a anon 1M",
            "spawn \"a b\" anon 12M --ws 2M",
            "wait",
        ] {
            assert!(sim.exec(line).ok(), "{line}");
        }
        sim.trace_recent().map(String::from).collect()
    }

    #[test]
    fn a_cgroup_name_with_a_space_is_one_memcg_column() {
        let lines = lines_with_a_space();
        let queued: Vec<_> = lines
            .iter()
            .filter_map(|l| trace_fields(l))
            .filter(|(event, _)| *event == memcg::trace::EventKind::WorkQueued)
            .map(|(_, memcg)| memcg.to_string())
            .collect();
        assert!(!queued.is_empty(), "{lines:#?}");
        assert!(queued.iter().all(|m| m == "/a b"), "{:?}", queued[0]);
    }

    /// The log's filters by cgroup and kind, as the component applies them.
    fn shown<'a>(lines: &'a [String], kind: usize, selected: Option<&str>) -> Vec<&'a str> {
        lines
            .iter()
            .filter(|l| shows(l, KINDS[kind].1, selected, ""))
            .map(String::as_str)
            .collect()
    }

    #[test]
    fn filtering_by_a_cgroup_named_a_space_b() {
        let lines = lines_with_a_space();
        let worker = KINDS.iter().position(|k| k.0 == "worker (work_*)").unwrap();
        let tasks = KINDS.iter().position(|k| k.0 == "tasks").unwrap();
        let of = |memcg: &str, kind| shown(&lines, kind, Some(memcg));
        let field = |l: &str| trace_fields(l).unwrap().1.into_owned();
        // Its worker lines, and only its own.
        let ab = of("/a b", worker);
        assert!(!ab.is_empty());
        assert!(ab.iter().all(|l| field(l) == "/a b"), "{:?}", ab[0]);
        // `a` never ran the worker; its tasks are not `a b`'s.
        assert!(of("/a", worker).is_empty(), "{:?}", of("/a", worker));
        let a = of("/a", tasks);
        assert_eq!(a.len(), 3, "spawn, alloc_done, exit: {a:?}");
        assert_eq!(of("/a b", tasks).len(), 3);
        // All of `a b`: everything but `a`'s three lines and the writes
        // (whose column holds the file's path).
        let all_ab = shown(&lines, 0, Some("/a b"));
        assert_eq!(all_ab.len(), lines.len() - 3 - 2);
        // The text filter finds the name as the user types it.
        assert_eq!(
            lines.iter().filter(|l| shows(l, &[], None, "a b")).count(),
            lines.len() - 3
        );
    }
}
