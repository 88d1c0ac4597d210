//! The memcg playground: a Yew (CSR) view over one live [`memcg::Simulator`].
//!
//! [`state`] holds the model and every user intent as an [`state::Action`];
//! [`model`] keeps the timeline (checkpoints, edits) that makes seeking
//! exact; [`components`] are small views with `Callback` props; [`App`]
//! wires them, drives the simulation from `requestAnimationFrame` and
//! handles the keyboard shortcuts. `start` mounts [`App`] into `#app` when
//! the page has one, so test pages can mount it themselves.

#![deny(unsafe_code)]

pub mod api;
pub mod components;
pub mod format;
pub mod model;
mod panic;
pub mod scenarios;
pub mod state;
pub mod timing;

use std::cell::{Cell, RefCell};
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
use state::{Action, State, Theme};

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

pub use timing::{clear_frame_times, frame_times, sim_times};
use timing::{perf_now, FRAME_START};

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
    {
        // The tree is an <svg>: focus() is the same method there.
        let _ = el.unchecked_into::<web_sys::HtmlElement>().focus();
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
    let slow_cache = use_mut_ref(SlowViews::default);

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
                    timing::record_frame(perf_now() - t0);
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

    // Callbacks are made once: a new closure every frame would make every
    // component re-render every frame.
    let h = (*use_memo((), {
        let d = dispatcher.clone();
        move |_| Handlers::new(d)
    }))
    .clone();

    let snap = state.snap.clone();
    let nodes = Rc::new(visible_nodes(
        &snap,
        &state.collapsed,
        &|p| state.flows(p),
        state.playing,
    ));
    // The charts, the files and the event log are redrawn at most every
    // SLOW_VIEWS_MS while playing (the tree and the clock every frame);
    // paused, every change shows at once.
    let slow = {
        let mut cache = slow_cache.borrow_mut();
        let fresh = !state.playing
            || state.rev < cache.rev
            || (state.wall_ms - cache.wall_ms).abs() >= SLOW_VIEWS_MS
            || cache.selected != state.selected;
        if fresh {
            let model = state.model.borrow();
            let files = model
                .sim
                .list_files(&state.selected)
                .map(|files| files.into_iter().map(FileRow::from).collect::<Vec<_>>())
                .map_err(|e| format!("{}: {}", e.name(), e.message()));
            *cache = SlowViews {
                rev: state.rev,
                wall_ms: state.wall_ms,
                selected: state.selected.clone(),
                files: Rc::new(files),
                chart: Rc::new(ChartData::from_sim(&model.sim, &state.selected)),
                log: state.log.clone(),
            };
        }
        cache.clone()
    };
    let (files, chart) = (slow.files, slow.chart);
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
                on_version={h.version}
                scenario={state.scenario}
                on_scenario={h.scenario}
                theme={state.theme}
                on_theme={h.theme}
            />
            <Controls
                playing={state.playing}
                speed={state.speed}
                now={snap.now}
                lagging={state.lagging}
                on_toggle={h.toggle_play}
                on_step_event={h.step_event}
                on_step_ms={h.step_ms}
                on_speed={h.speed}
                on_restart={h.restart}
                on_help={h.help}
            />
            <main class={classes!("panes", state.tour.is_some().then_some("with-tour"))}>
                if let Some(tour) = state.tour {
                    <div class="tour-pane">
                        <TourPanel {tour} on_next={h.tour_next} on_close={h.tour_close} />
                    </div>
                }
                <div class="col col-a">
                    <section class="pane tree-pane" aria-label="cgroup tree">
                        <h2>{ "cgroups" }</h2>
                        <TreeView nodes={nodes} selected={state.selected.clone()} on_select={h.select} on_toggle={h.toggle_node} />
                        <TreeLegend />
                    </section>
                    <section class="pane console-pane" aria-label="shell">
                        <Console
                            lines={state.lines.clone()}
                            prompt={state.prompt()}
                            history={state.history.clone()}
                            on_exec={h.exec}
                            autofocus={state.tour.is_none()}
                        />
                    </section>
                </div>
                <div class="col col-b">
                    <section class="pane timeline-pane" aria-label="timeline">
                        <Timeline data={chart} now={snap.now} horizon={state.horizon()} on_seek={h.seek} on_seek_by={h.seek_by} />
                    </section>
                    <section class="pane log-pane" aria-label="event log">
                        <EventLog lines={slow.log} selected={rel} />
                    </section>
                </div>
                <div class="col col-c">
                    <section class="pane inspector-pane" aria-label="tasks and interface files">
                        <Workloads
                            path={state.selected.clone()}
                            {tasks}
                            specs={state.specs.clone()}
                            on_spawn={h.spawn}
                            on_kill={h.kill}
                            on_respawn={h.respawn}
                        />
                        <Inspector
                            path={state.selected.clone()}
                            {files}
                            write_error={state.write_error.clone()}
                            on_write={h.write}
                            on_dismiss={h.dismiss}
                        />
                    </section>
                </div>
            </main>
            if state.help {
                <Help on_close={h.close_help} />
            }
        </div>
    }
}

/// Every callback the views get, made once per mounted app.
#[derive(Clone)]
struct Handlers {
    exec: Callback<String>,
    select: Callback<String>,
    toggle_node: Callback<String>,
    version: Callback<Version>,
    scenario: Callback<usize>,
    theme: Callback<Theme>,
    speed: Callback<i32>,
    seek: Callback<u64>,
    seek_by: Callback<i64>,
    write: Callback<(String, String)>,
    spawn: Callback<state::Spec>,
    kill: Callback<u32>,
    respawn: Callback<(u32, state::Spec)>,
    toggle_play: Callback<()>,
    step_event: Callback<()>,
    step_ms: Callback<()>,
    restart: Callback<()>,
    help: Callback<()>,
    close_help: Callback<()>,
    tour_next: Callback<()>,
    tour_close: Callback<()>,
    dismiss: Callback<()>,
}

impl Handlers {
    fn new(d: UseReducerDispatcher<State>) -> Handlers {
        fn with<T: 'static>(
            d: &UseReducerDispatcher<State>,
            f: impl Fn(T) -> Action + 'static,
        ) -> Callback<T> {
            let d = d.clone();
            Callback::from(move |v: T| d.dispatch(f(v)))
        }
        Handlers {
            exec: with(&d, Action::Exec),
            select: with(&d, Action::Select),
            toggle_node: with(&d, Action::ToggleCollapse),
            version: with(&d, Action::Reset),
            scenario: with(&d, Action::LoadScenario),
            theme: with(&d, Action::SetTheme),
            speed: with(&d, Action::SetSpeed),
            seek: with(&d, Action::Seek),
            seek_by: with(&d, Action::SeekBy),
            write: with(&d, |(file, value)| Action::WriteFile { file, value }),
            spawn: with(&d, Action::Spawn),
            kill: with(&d, Action::Kill),
            respawn: with(&d, |(pid, spec)| Action::Respawn { pid, spec }),
            toggle_play: with(&d, |_: ()| Action::TogglePlay),
            step_event: with(&d, |_: ()| Action::StepEvent),
            step_ms: with(&d, |_: ()| Action::StepMs),
            restart: with(&d, |_: ()| Action::Restart),
            help: with(&d, |_: ()| Action::ToggleHelp),
            close_help: with(&d, |_: ()| Action::CloseHelp),
            tour_next: with(&d, |_: ()| Action::TourNext),
            tour_close: with(&d, |_: ()| Action::TourClose),
            dismiss: with(&d, |_: ()| Action::DismissWriteError),
        }
    }
}

/// How often the heavier views follow the simulation while it plays, ms.
pub const SLOW_VIEWS_MS: f64 = 100.0;

/// What the heavier views last drew.
#[derive(Clone)]
struct SlowViews {
    rev: u64,
    wall_ms: f64,
    selected: String,
    files: Rc<Result<Vec<FileRow>, String>>,
    chart: Rc<ChartData>,
    log: Rc<Vec<Rc<str>>>,
}

impl Default for SlowViews {
    fn default() -> Self {
        SlowViews {
            rev: 0,
            wall_ms: f64::MIN,
            selected: String::new(),
            files: Rc::new(Ok(Vec::new())),
            chart: Rc::default(),
            log: Rc::default(),
        }
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
