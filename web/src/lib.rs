//! The memcg playground: a Yew (CSR) view over one live [`memcg::Simulator`].
//!
//! [`state`] holds the model and every user intent as an [`state::Action`];
//! [`model`] keeps the timeline (checkpoints, edits) that makes seeking
//! exact; [`components`] are small views with `Callback` props; [`App`]
//! wires them, drives the simulation from `requestAnimationFrame` and
//! handles the keyboard shortcuts. `start` mounts [`App`] into `#app` when
//! the page has one, so test pages can mount it themselves.

#![deny(unsafe_code)]

pub mod components;
pub mod format;
pub mod model;
mod panic;
pub mod scenarios;
pub mod state;

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

use memcg::Version;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use components::{
    visible_nodes, ChartData, Console, Controls, EventLog, FileRow, Header, Help, Inspector,
    Timeline, TourPanel, TreeLegend, TreeView, Workloads,
};
pub use panic::show_error;
use state::{Action, Flows, State, Theme};

#[derive(Properties, PartialEq, Default)]
pub struct AppProps {
    /// Scenario id to load (see [`scenarios::SCENARIOS`]); none: an empty
    /// v1 machine.
    #[prop_or_default]
    pub scenario: Option<String>,
    /// Start playing at once (skips the tour's first stop).
    #[prop_or_default]
    pub autoplay: bool,
    /// Speed slider position to start with.
    #[prop_or_default]
    pub speed: Option<i32>,
    /// Theme to start with.
    #[prop_or_default]
    pub theme: Option<Theme>,
}

thread_local! {
    /// When the current animation frame's callback started (ms).
    static FRAME_START: Cell<Option<f64>> = const { Cell::new(None) };
    /// Script time of the frames that rendered while playing, ms.
    static FRAME_TIMES: RefCell<Vec<f64>> = const { RefCell::new(Vec::new()) };
}

fn perf_now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Script time per animation frame while playing (ms): from the start of
/// the `requestAnimationFrame` callback to the end of the render it caused.
#[wasm_bindgen]
pub fn frame_times() -> Vec<f64> {
    FRAME_TIMES.with(|t| t.borrow().clone())
}

#[wasm_bindgen]
pub fn clear_frame_times() {
    FRAME_TIMES.with(|t| t.borrow_mut().clear());
}

type FrameCallback = Closure<dyn FnMut(f64)>;

/// Runs `f(dt_ms, wall_ms)` on every animation frame until the returned
/// guard's flag is cleared.
fn animation_loop(mut f: impl FnMut(f64, f64) + 'static) -> Rc<Cell<bool>> {
    let alive = Rc::new(Cell::new(true));
    let slot: Rc<RefCell<Option<FrameCallback>>> = Rc::new(RefCell::new(None));
    let last = Cell::new(None::<f64>);
    let (alive2, slot2) = (alive.clone(), slot.clone());
    *slot.borrow_mut() = Some(Closure::new(move |ts: f64| {
        if !alive2.get() {
            return;
        }
        let dt = last.get().map_or(16.0, |l| ts - l);
        last.set(Some(ts));
        f(dt, ts);
        if let (Some(w), Some(cb)) = (web_sys::window(), slot2.borrow().as_ref()) {
            let _ = w.request_animation_frame(cb.as_ref().unchecked_ref());
        }
    }));
    if let (Some(w), Some(cb)) = (web_sys::window(), slot.borrow().as_ref()) {
        let _ = w.request_animation_frame(cb.as_ref().unchecked_ref());
    }
    alive
}

fn typing_target(e: &web_sys::KeyboardEvent) -> bool {
    let Some(el) = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return false;
    };
    matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT") || el.is_content_editable()
}

fn focus(selector: &str) {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(selector).ok().flatten())
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

/// The action for a global shortcut key, if it is one.
fn shortcut(e: &web_sys::KeyboardEvent) -> Option<Action> {
    if e.ctrl_key() || e.meta_key() || e.alt_key() || typing_target(e) {
        return None;
    }
    let on_button = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| matches!(el.tag_name().as_str(), "BUTTON" | "A" | "SUMMARY"));
    Some(match e.key().as_str() {
        " " if on_button => return None,
        " " | "k" => Action::TogglePlay,
        "s" | "." => Action::StepEvent,
        "m" => Action::StepMs,
        "+" | "=" => Action::SpeedBy(1),
        "-" | "_" => Action::SpeedBy(-1),
        "[" => Action::SeekBy(-1_000_000_000),
        "]" => Action::SeekBy(1_000_000_000),
        "n" => Action::TourNext,
        "R" => Action::Restart,
        "t" => Action::CycleTheme,
        "?" => Action::ToggleHelp,
        "Escape" => Action::CloseHelp,
        "g" => {
            focus("#cgroup-tree");
            return Some(Action::Noop);
        }
        "/" => {
            focus("#console-input");
            return Some(Action::Noop);
        }
        _ => return None,
    })
}

fn apply_theme(theme: Theme) {
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Some(root) = window.document().and_then(|d| d.document_element()) {
        let _ = root.set_attribute("data-theme", theme.name());
    }
    if let Ok(Some(storage)) = window.local_storage() {
        let _ = storage.set_item("memcg-theme", theme.name());
    }
}

/// The whole playground.
#[component]
pub fn App(props: &AppProps) -> Html {
    let state = {
        let scenario = props.scenario.clone();
        let (autoplay, speed, theme) = (props.autoplay, props.speed, props.theme);
        use_reducer(move || {
            let mut s = match scenario.as_deref().and_then(scenarios::by_id) {
                Some(i) => State::with_scenario(i),
                None => State::new(Version::V1),
            };
            if autoplay {
                s.tour = None;
                s.playing = true;
            }
            if let Some(v) = speed {
                s.speed = v.clamp(state::SPEED_MIN, state::SPEED_MAX);
            }
            if let Some(t) = theme {
                s.theme = t;
            }
            s
        })
    };
    let dispatcher = state.dispatcher();

    // requestAnimationFrame drives the simulation.
    {
        let dispatcher = dispatcher.clone();
        use_effect_with((), move |_| {
            let alive = animation_loop(move |dt_ms, wall_ms| {
                FRAME_START.with(|s| s.set(Some(perf_now())));
                dispatcher.dispatch(Action::Tick { dt_ms, wall_ms });
            });
            move || alive.set(false)
        });
    }
    // Frame timing: the render a frame caused has finished.
    {
        let playing = state.playing;
        use_effect(move || {
            if let Some(t0) = FRAME_START.with(|s| s.take()) {
                if playing {
                    let dt = perf_now() - t0;
                    FRAME_TIMES.with(|t| {
                        let mut t = t.borrow_mut();
                        if t.len() < 100_000 {
                            t.push(dt);
                        }
                    });
                }
            }
        });
    }
    // Keyboard shortcuts, on the document. A key pressed inside another
    // playground on the same page (tests mount several) is not ours.
    let root_ref = use_node_ref();
    {
        let dispatcher = dispatcher.clone();
        let root_ref = root_ref.clone();
        use_effect_with((), move |_| {
            let listener = Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(
                move |e: web_sys::KeyboardEvent| {
                    let other = e
                        .target()
                        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                        .and_then(|t| t.closest(".playground").ok().flatten())
                        .is_some_and(|p| Some(p) != root_ref.cast::<web_sys::Element>());
                    if other {
                        return;
                    }
                    if let Some(action) = shortcut(&e) {
                        e.prevent_default();
                        dispatcher.dispatch(action);
                    }
                },
            );
            let doc = web_sys::window().and_then(|w| w.document());
            if let Some(doc) = &doc {
                let _ = doc
                    .add_event_listener_with_callback("keydown", listener.as_ref().unchecked_ref());
            }
            move || {
                if let Some(doc) = doc {
                    let _ = doc.remove_event_listener_with_callback(
                        "keydown",
                        listener.as_ref().unchecked_ref(),
                    );
                }
                drop(listener);
            }
        });
    }
    // Theme on <html data-theme>.
    use_effect_with(state.theme, |theme| apply_theme(*theme));

    let cb = |f: fn(()) -> Action| {
        let d = dispatcher.clone();
        Callback::from(move |_: ()| d.dispatch(f(())))
    };
    let on_exec = {
        let d = dispatcher.clone();
        Callback::from(move |line: String| d.dispatch(Action::Exec(line)))
    };
    let on_select = {
        let d = dispatcher.clone();
        Callback::from(move |path: String| d.dispatch(Action::Select(path)))
    };
    let on_toggle_node = {
        let d = dispatcher.clone();
        Callback::from(move |path: String| d.dispatch(Action::ToggleCollapse(path)))
    };
    let on_version = {
        let d = dispatcher.clone();
        Callback::from(move |v: Version| d.dispatch(Action::Reset(v)))
    };
    let on_scenario = {
        let d = dispatcher.clone();
        Callback::from(move |i: usize| d.dispatch(Action::LoadScenario(i)))
    };
    let on_theme = {
        let d = dispatcher.clone();
        Callback::from(move |t: Theme| d.dispatch(Action::SetTheme(t)))
    };
    let on_speed = {
        let d = dispatcher.clone();
        Callback::from(move |s: i32| d.dispatch(Action::SetSpeed(s)))
    };
    let on_seek = {
        let d = dispatcher.clone();
        Callback::from(move |t: u64| d.dispatch(Action::Seek(t)))
    };
    let on_seek_by = {
        let d = dispatcher.clone();
        Callback::from(move |t: i64| d.dispatch(Action::SeekBy(t)))
    };
    let on_write = {
        let d = dispatcher.clone();
        Callback::from(move |(file, value): (String, String)| {
            d.dispatch(Action::WriteFile { file, value })
        })
    };
    let on_spawn = {
        let d = dispatcher.clone();
        Callback::from(move |spec| d.dispatch(Action::Spawn(spec)))
    };
    let on_kill = {
        let d = dispatcher.clone();
        Callback::from(move |pid| d.dispatch(Action::Kill(pid)))
    };
    let on_respawn = {
        let d = dispatcher.clone();
        Callback::from(move |(pid, spec)| d.dispatch(Action::Respawn { pid, spec }))
    };

    let snap = state.snap.clone();
    let flows: BTreeMap<String, Flows> = state
        .flow_until
        .keys()
        .map(|p| (p.clone(), state.flows(p)))
        .collect();
    let nodes = Rc::new(visible_nodes(&snap, &state.collapsed, &flows));
    let (files, chart) = {
        let model = state.model.borrow();
        let files = model
            .sim
            .list_files(&state.selected)
            .map(|files| files.into_iter().map(FileRow::from).collect::<Vec<_>>())
            .map_err(|e| format!("{}: {}", e.name(), e.message()));
        (
            files,
            Rc::new(ChartData::from_sim(&model.sim, &state.selected)),
        )
    };
    let rel = state::rel_path(state.mount(), &state.selected);
    let tasks: Vec<_> = snap
        .tasks
        .iter()
        .filter(|t| {
            let c = if t.cgroup.is_empty() {
                "/"
            } else {
                t.cgroup.as_str()
            };
            c == rel
        })
        .cloned()
        .collect();

    html! {
        <div class="playground" ref={root_ref}
            data-now={snap.now.to_string()}
            data-horizon={state.horizon().to_string()}
            data-trace-hash={format!("{:016x}", snap.trace_hash)}
            data-trace-len={snap.trace_len.to_string()}
            data-playing={state.playing.to_string()}>
            <Header
                version={state.version()}
                {on_version}
                scenario={state.scenario}
                {on_scenario}
                theme={state.theme}
                {on_theme}
            />
            <Controls
                playing={state.playing}
                speed={state.speed}
                now={snap.now}
                lagging={state.lagging}
                on_toggle={cb(|_| Action::TogglePlay)}
                on_step_event={cb(|_| Action::StepEvent)}
                on_step_ms={cb(|_| Action::StepMs)}
                {on_speed}
                on_restart={cb(|_| Action::Restart)}
                on_help={cb(|_| Action::ToggleHelp)}
            />
            <main class={classes!("panes", state.tour.is_some().then_some("with-tour"))}>
                if let Some(tour) = state.tour {
                    <div class="tour-pane">
                        <TourPanel {tour} on_next={cb(|_| Action::TourNext)} on_close={cb(|_| Action::TourClose)} />
                    </div>
                }
                <div class="col col-a">
                    <section class="pane tree-pane" aria-label="cgroup tree">
                        <h2>{ "cgroups" }</h2>
                        <TreeView nodes={nodes} selected={state.selected.clone()} {on_select} on_toggle={on_toggle_node} />
                        <TreeLegend />
                    </section>
                    <section class="pane console-pane" aria-label="shell">
                        <Console
                            lines={state.lines.clone()}
                            prompt={state.prompt()}
                            history={state.history.clone()}
                            {on_exec}
                            autofocus={state.tour.is_none()}
                        />
                    </section>
                </div>
                <div class="col col-b">
                    <section class="pane timeline-pane" aria-label="timeline">
                        <Timeline data={chart} now={snap.now} horizon={state.horizon()} {on_seek} {on_seek_by} />
                    </section>
                    <section class="pane log-pane" aria-label="event log">
                        <EventLog lines={state.log.clone()} selected={rel} />
                    </section>
                </div>
                <div class="col col-c">
                    <section class="pane inspector-pane" aria-label="tasks and interface files">
                        <Workloads
                            path={state.selected.clone()}
                            {tasks}
                            specs={state.specs.clone()}
                            {on_spawn}
                            {on_kill}
                            {on_respawn}
                        />
                        <Inspector
                            path={state.selected.clone()}
                            {files}
                            write_error={state.write_error.clone()}
                            {on_write}
                            on_dismiss={cb(|_| Action::DismissWriteError)}
                        />
                    </section>
                </div>
            </main>
            if state.help {
                <Help on_close={cb(|_| Action::CloseHelp)} />
            }
        </div>
    }
}

fn query_param(search: &str, key: &str) -> Option<String> {
    search
        .trim_start_matches('?')
        .split('&')
        .filter_map(|kv| kv.split_once('=').or(Some((kv, ""))))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v.to_string())
}

/// Runs when the wasm module is instantiated: mounts [`App`] into `#app`
/// if the page has one (test pages do not). The query string picks the
/// start: `?scenario=ID` (default `seed`; `blank` for an empty v1
/// machine), `&play=1`, `&speed=N` (tenths of a decade), `&theme=dark`.
#[wasm_bindgen(start)]
pub fn start() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some(doc) = window.document() else {
        return;
    };
    if let Some(root) = doc.get_element_by_id("app") {
        panic::install();
        let search = window.location().search().unwrap_or_default();
        let scenario = query_param(&search, "scenario").unwrap_or_else(|| "seed".into());
        let stored_theme = window
            .local_storage()
            .ok()
            .flatten()
            .and_then(|s| s.get_item("memcg-theme").ok().flatten());
        let props = AppProps {
            scenario: Some(scenario),
            autoplay: query_param(&search, "play").is_some_and(|v| v == "1"),
            speed: query_param(&search, "speed").and_then(|v| v.parse().ok()),
            theme: query_param(&search, "theme")
                .or(stored_theme)
                .map(|t| Theme::parse(&t)),
        };
        root.set_inner_html("");
        yew::Renderer::<App>::with_root_and_props(root, props).render();
    }
}

#[cfg(test)]
mod tests {
    use super::query_param;

    #[test]
    fn query_params() {
        assert_eq!(
            query_param("?scenario=stalls&play=1", "play").as_deref(),
            Some("1")
        );
        assert_eq!(
            query_param("?scenario=stalls", "scenario").as_deref(),
            Some("stalls")
        );
        assert_eq!(query_param("", "scenario"), None);
    }
}
