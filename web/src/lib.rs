//! The memcg playground: a Yew (CSR) view over one live [`memcg::Simulator`].
//!
//! [`state`] holds the model and every user intent as an [`state::Action`];
//! [`model`] keeps the timeline (checkpoints, edits) that makes seeking
//! exact; [`components`] are small views with `Callback` props; [`App`]
//! wires them, and its hooks (`hooks`) drive the simulation from
//! `requestAnimationFrame`, handle the keyboard shortcuts and keep the URL
//! and the theme. `start` mounts [`App`] into `#app` when the page has one,
//! so test pages can mount it themselves. [`share`] opens links and files
//! and makes the exports; [`embed`] is the compact view for documentation
//! pages.

#![deny(unsafe_code)]

#[cfg(feature = "api")]
pub mod api;
pub mod compare;
pub mod components;
pub mod embed;
pub mod format;
mod hooks;
mod panic;
pub mod scenarios;
pub mod share;
pub mod state;
pub mod sweep;
pub mod timing;

/// The wasm's allocator: talc instead of std's dlmalloc, 3 KB less gzipped
/// wasm (README "Measurements").
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

use std::cell::RefCell;
use std::rc::Rc;

use memcg::Version;
use wasm_bindgen::prelude::*;
use yew::prelude::*;

use components::{
    banner, class_list, controls, header, share_menu, timeline, tree_legend, visible_nodes,
    ChartData, Console, ControlsProps, EventLog, Export, FileRow, HeaderProps, Help, Inspector,
    TimelineProps, TourPanel, TreeView, Workloads,
};
pub use panic::show_error;
use state::{Action, Notice, State, Theme};
pub use timing::{clear_frame_times, frame_times, sim_times};

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
    /// A link's fragment (`s=1.…`) to open instead of `scenario`, which
    /// stays as the fallback when the link cannot be opened.
    #[prop_or_default]
    pub link: Option<String>,
    /// Keep the page's URL fragment in step with the state (the page's own
    /// app; not test mounts or embeds) and open links pasted into the
    /// address bar.
    #[prop_or_default]
    pub url: bool,
    /// Shell lines to run on a fresh machine of `version` (an embed's
    /// example), instead of `scenario`.
    #[prop_or_default]
    pub script: Option<String>,
    #[prop_or_default]
    pub version: Version,
    /// The compact view of an embed ([`embed`]): presets without tours, no
    /// page chrome; its "Open in playground" goes to this URL.
    #[prop_or_default]
    pub embed: Option<String>,
    /// An embed without its console.
    #[prop_or_default]
    pub hide_console: bool,
    /// Open the compare view (`?view=compare`): this comparison link
    /// (`cmp=…`) or, empty, the preset's default comparison.
    #[prop_or_default]
    pub compare: Option<String>,
}

/// The state an [`App`] starts with.
fn initial_state(props: &AppProps) -> State {
    let embed = props.embed.is_some();
    let preset = props.scenario.as_deref().and_then(scenarios::by_id);
    let mut s = match preset {
        Some(i) if props.script.is_none() => State::with_scenario(i),
        _ => State::new(props.version),
    };
    // The page's frames spend wall time, read on its clock.
    s.budget = state::Budget::wall(state::wall_now);
    if embed {
        s.tour = None;
        s.no_tours = true;
        if let (Some(id), None) = (&props.scenario, preset) {
            let ids: Vec<&str> = scenarios::SCENARIOS.iter().map(|p| p.id).collect();
            s.notice = Some(Notice::error(format!(
                "Unknown preset '{id}': it is one of {}.",
                ids.join(", ")
            )));
        }
    }
    if props.autoplay {
        s.tour = None;
        s.playing = true;
    }
    if let Some(v) = props.speed {
        s.speed = v.clamp(state::SPEED_MIN, state::SPEED_MAX);
    }
    if let Some(t) = props.theme {
        s.theme = t;
    }
    if let Some(cmp) = &props.compare {
        let def = if cmp.is_empty() {
            Ok(compare::Comparison::default_for(
                preset.or(s.scenario).unwrap_or_default(),
            ))
        } else {
            compare::Comparison::parse(cmp)
        };
        s.open_compare(def);
        s
    } else if let Some(link) = &props.link {
        State::opening(s, share::parse_link(link), "link")
    } else if let Some(text) = &props.script {
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        let sc = memcg::scenario::Scenario::from_script(props.version, &lines);
        State::opening(s, Ok(sc), "example")
    } else {
        s
    }
}

/// The whole playground.
#[component]
pub fn App(props: &AppProps) -> Html {
    let state = use_reducer(|| initial_state(props));
    let embed = props.embed.is_some();
    let dispatcher = state.dispatcher();
    let slow_cache = use_mut_ref(SlowViews::default);
    // The state as last rendered, for the handlers that read it (made once).
    let latest = use_mut_ref(|| state.clone());
    *latest.borrow_mut() = state.clone();
    // The fragment this page last wrote into its URL.
    let written = hooks::use_url_state(state.clone(), props.url, embed);
    hooks::use_animation_frame(dispatcher.clone());
    hooks::use_frame_timing(state.playing);
    let root_ref = use_node_ref();
    hooks::use_keyboard(dispatcher.clone(), root_ref.clone(), embed);
    hooks::use_theme(state.theme, embed);
    // An embed's "Open in playground" link, made while it rests.
    let embed_link = use_mut_ref(|| (u64::MAX, String::new()));

    // Callbacks are made once: a new closure every frame would make every
    // component re-render every frame.
    let h = (*use_memo((), {
        let d = dispatcher.clone();
        move |_| Handlers::new(d)
    }))
    .clone();
    let sh = (*use_memo((), {
        let (d, latest, written) = (dispatcher.clone(), latest.clone(), written.clone());
        move |_| ShareHandlers::new(d, latest, written)
    }))
    .clone();
    // Made once, so that the header's props stay equal from frame to frame.
    let menu = use_memo((), {
        let sh = sh.clone();
        move |_| share_menu(&sh.link, &sh.export, &sh.import)
    });

    // The compare view's charts, redrawn like the slow views.
    let compare_cache = use_mut_ref(|| (u64::MAX, f64::MIN, Rc::new(Vec::new())));
    if let Some(c) = &state.compare {
        let charts = {
            let mut cache = compare_cache.borrow_mut();
            let fresh = !state.playing
                || (state.wall_ms - cache.1).abs() >= SLOW_VIEWS_MS
                || cache.2.len() != c.runs.len();
            if fresh && cache.0 != state.rev {
                let path = c.def.select();
                let charts: Vec<Rc<ChartData>> = c
                    .runs
                    .iter()
                    .map(|r| Rc::new(ChartData::from_sim(&r.model.borrow().sim, &path)))
                    .collect();
                *cache = (state.rev, state.wall_ms, Rc::new(charts));
            }
            cache.2.clone()
        };
        return compare_view(&state, c, &charts, &h, &sh, root_ref);
    }
    let snap = state.snap.clone();
    let nodes = Rc::new(visible_nodes(
        &snap,
        &state.collapsed,
        &|p| state.flows(p),
        state.playing,
    ));
    if let Some(base) = &props.embed {
        if !state.playing && state.loading.is_none() && embed_link.borrow().0 != state.rev {
            *embed_link.borrow_mut() = (state.rev, embed::playground_href(base, &state));
        }
        let href = embed_link.borrow().1.clone();
        return embed::view(&state, nodes, &h, base, href, latest, props.hide_console);
    }
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
                rare: state.rare.clone(),
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
            data-playing={state.playing.to_string()}
            data-loading={state.loading.is_some().to_string()}
            ondragover={sh.drag_over} ondrop={sh.drop}>
            { banner(&state.notice, state.load_progress, &h.dismiss_notice) }
            { components::confirm_switch(state.confirm_version, state.version(), &h.version, &h.ask_version) }
            { header(&HeaderProps {
                version: state.version(),
                on_version: h.ask_version.reform(Some),
                scenario: state.scenario,
                on_scenario: h.scenario,
                theme: state.theme,
                on_theme: h.theme,
                children: (*menu).clone(),
            }) }
            { controls(&ControlsProps {
                playing: state.playing,
                speed: state.speed,
                now: snap.now,
                lagging: state.lagging,
                on_toggle: h.toggle_play,
                on_step_event: h.step_event,
                on_step_ms: h.step_ms,
                on_speed: h.speed,
                on_restart: h.restart,
                on_help: h.help,
                compact: false,
            }) }
            if let Some(i) = state.scenario {
                <button id="compare-open" type="button" class="compare-open"
                    title="Open this preset's comparison: its setup in runs that differ in one setting, one clock"
                    onclick={h.compare.reform(move |_: MouseEvent| i)}>{ "⇆ Compare runs" }</button>
            }
            <main class={class_list(&["panes", if state.tour.is_some() { "with-tour" } else { "" }])}>
                if let Some(tour) = state.tour {
                    <div class="tour-pane">
                        <TourPanel {tour} on_next={h.tour_next} on_close={h.tour_close} />
                    </div>
                }
                <div class="col col-a">
                    <section class="pane tree-pane" aria-label="cgroup tree">
                        { components::raw("<h2>cgroups</h2>") }
                        <TreeView nodes={nodes} selected={state.selected.clone()} on_select={h.select} on_toggle={h.toggle_node} />
                        { tree_legend() }
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
                        { timeline(&TimelineProps { data: chart, now: snap.now, horizon: state.horizon(), on_seek: h.seek, on_seek_by: h.seek_by }) }
                    </section>
                    <section class="pane log-pane" aria-label="event log">
                        <EventLog lines={slow.log} rare={slow.rare} selected={rel} />
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

/// The compare view: the shared clock's controls and scrubber, the runs'
/// settings, the metrics table and each run's charts.
fn compare_view(
    state: &State,
    c: &state::Compare,
    charts: &[Rc<ChartData>],
    h: &Handlers,
    sh: &ShareHandlers,
    root_ref: NodeRef,
) -> Html {
    let sc = &scenarios::SCENARIOS[c.def.scenario];
    let metrics: Vec<&memcg::metrics::RunMetrics> = c.runs.iter().map(|r| &*r.metrics).collect();
    let horizon = c.horizon();
    html! {
        <div class="playground compare-view" ref={root_ref}
            data-view="compare"
            data-now={c.now.to_string()}
            data-horizon={horizon.to_string()}
            data-playing={state.playing.to_string()}
            data-loading="false"
            ondragover={sh.drag_over.clone()} ondrop={sh.drop.clone()}>
            { banner(&state.notice, None, &h.dismiss_notice) }
            <header class="compare-head">
                <h1>{ "Compare: " }{ sc.title }</h1>
                <button id="compare-close" type="button" onclick={components::on_click(&h.close_compare)}>{ "Back to one machine" }</button>
            </header>
            { controls(&ControlsProps {
                playing: state.playing,
                speed: state.speed,
                now: c.now,
                lagging: state.lagging,
                on_toggle: h.toggle_play.clone(),
                on_step_event: h.step_event.clone(),
                on_step_ms: h.step_ms.clone(),
                on_speed: h.speed.clone(),
                on_restart: h.restart.clone(),
                on_help: h.help.clone(),
                compact: true,
            }) }
            <section class="pane compare-clock" aria-label="shared timeline">
                { components::compare::run_editors(&c.def, &h.edit_run) }
                { components::scrubber(c.now, horizon, &h.seek, &h.seek_by) }
            </section>
            <section class="pane compare-metrics" aria-label="metrics of the runs">
                { components::compare::table(&c.def, &metrics) }
            </section>
            <div class="compare-runs">
                { for charts.iter().enumerate().map(|(i, data)| html! {
                    <section class="pane compare-run" data-run={i.to_string()} aria-label={format!("run {}", i + 1)}>
                        <h2>{ format!("run {}: {} — ", i + 1, c.def.runs.get(i).map(|r| r.text()).unwrap_or_default()) }<code>{ &data.path }</code></h2>
                        <components::Charts data={data.clone()} />
                    </section>
                }) }
            </div>
            if state.help {
                <Help on_close={h.close_help.clone()} />
            }
        </div>
    }
}

/// Every callback the views get, made once per mounted app.
#[derive(Clone)]
pub(crate) struct Handlers {
    exec: Callback<String>,
    select: Callback<String>,
    toggle_node: Callback<String>,
    version: Callback<Version>,
    ask_version: Callback<Option<Version>>,
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
    dismiss_notice: Callback<()>,
    close_compare: Callback<()>,
    /// Open preset `i`'s default comparison.
    compare: Callback<usize>,
    edit_run: Callback<(usize, Option<String>)>,
    /// An embed's keys (pressed inside it).
    embed_key: Callback<KeyboardEvent>,
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
        // One closure type for every unit action (a closure per action
        // would be code of its own in the wasm each).
        fn unit(d: &UseReducerDispatcher<State>, f: fn() -> Action) -> Callback<()> {
            with(d, move |_: ()| f())
        }
        Handlers {
            exec: with(&d, Action::Exec),
            select: with(&d, Action::Select),
            toggle_node: with(&d, Action::ToggleCollapse),
            version: with(&d, Action::Reset),
            ask_version: with(&d, Action::AskVersion),
            scenario: with(&d, Action::LoadScenario),
            theme: with(&d, Action::SetTheme),
            speed: with(&d, Action::SetSpeed),
            seek: with(&d, Action::Seek),
            seek_by: with(&d, Action::SeekBy),
            write: with(&d, |(file, value)| Action::WriteFile { file, value }),
            spawn: with(&d, Action::Spawn),
            kill: with(&d, Action::Kill),
            respawn: with(&d, |(pid, spec)| Action::Respawn { pid, spec }),
            toggle_play: unit(&d, || Action::TogglePlay),
            step_event: unit(&d, || Action::StepEvent),
            step_ms: unit(&d, || Action::StepMs),
            restart: unit(&d, || Action::Restart),
            help: unit(&d, || Action::ToggleHelp),
            close_help: unit(&d, || Action::CloseHelp),
            tour_next: unit(&d, || Action::TourNext),
            tour_close: unit(&d, || Action::TourClose),
            dismiss: unit(&d, || Action::DismissWriteError),
            dismiss_notice: unit(&d, || Action::DismissNotice),
            close_compare: unit(&d, || Action::CloseCompare),
            compare: with(&d, |i| {
                Action::OpenCompare(Ok(compare::Comparison::default_for(i)))
            }),
            edit_run: with(&d, |(index, text)| Action::EditRun { index, text }),
            embed_key: {
                let d = d.clone();
                Callback::from(move |e: KeyboardEvent| match hooks::shortcut(&e) {
                    Some(Action::CloseHelp) => d.dispatch(Action::DismissNotice),
                    Some(
                        Action::ToggleHelp | Action::CycleTheme | Action::TourNext | Action::Noop,
                    )
                    | None => {}
                    Some(a) => {
                        e.prevent_default();
                        d.dispatch(a);
                    }
                })
            },
        }
    }
}

/// The share menu's and the drop target's handlers. They read the state as
/// last rendered and do the browser's part (URL, clipboard, downloads, file
/// reading) themselves; the state only ever sees `Open` and `Notify`.
#[derive(Clone)]
struct ShareHandlers {
    link: Callback<()>,
    export: Callback<Export>,
    import: Callback<Event>,
    drag_over: Callback<DragEvent>,
    drop: Callback<DragEvent>,
}

/// Reads the file of an `<input type=file>` change or a drop event (or a
/// dropped link) and opens it.
fn read_and_open(event: &JsValue, d: UseReducerDispatcher<State>) {
    let cb = Closure::once_into_js(
        move |name: String, text: Option<String>, err: Option<String>| {
            let what = if name.is_empty() { "link" } else { "file" };
            let sc = match (text, err) {
                (Some(t), _) => share::parse_file(&t),
                (None, e) => Err(e.unwrap_or_default()),
            };
            d.dispatch(Action::Open(sc, what));
        },
    );
    share::memcg_read(event, share::MAX_FILE as u32, &cb);
}

impl ShareHandlers {
    fn new(
        d: UseReducerDispatcher<State>,
        latest: Rc<RefCell<UseReducerHandle<State>>>,
        written: Rc<RefCell<String>>,
    ) -> ShareHandlers {
        let link = {
            let (d, latest) = (d.clone(), latest.clone());
            Callback::from(move |_: ()| {
                let frag = share::fragment(&latest.borrow().model.borrow().sim);
                match frag {
                    Ok(f) => {
                        share::memcg_set_hash(&f);
                        *written.borrow_mut() = f;
                        let d = d.clone();
                        let cb = Closure::once_into_js(move |ok: bool| {
                            d.dispatch(Action::Notify(Notice::note(if ok {
                                "Link copied: it opens this exact state (the address bar holds it too)."
                            } else {
                                "The address bar now holds a link to this exact state."
                            })))
                        });
                        share::memcg_copy(&share::memcg_href(), &cb);
                    }
                    Err(e) => d.dispatch(Action::Notify(Notice::error(format!(
                        "Cannot make a link: {e}."
                    )))),
                }
            })
        };
        let export = {
            let d = d.clone();
            Callback::from(move |kind: Export| {
                let st = latest.borrow();
                let model = st.model.borrow();
                let sim = &model.sim;
                let file = match kind {
                    Export::Json => share::json(sim)
                        .map(|t| ("memcg-scenario.json".to_string(), "application/json", t)),
                    Export::Csv => {
                        let name = st.selected.rsplit('/').next().unwrap_or("root");
                        Ok((
                            format!("memcg-metrics-{name}.csv"),
                            "text/csv",
                            share::metrics_csv(sim, &st.selected),
                        ))
                    }
                    Export::Trace => Ok((
                        "memcg-trace.txt".to_string(),
                        "text/plain",
                        share::trace_text(sim),
                    )),
                };
                match file {
                    Ok((name, mime, text)) => share::memcg_download(&name, mime, &text),
                    Err(e) => d.dispatch(Action::Notify(Notice::error(format!(
                        "Cannot export the scenario: {e}."
                    )))),
                }
            })
        };
        let import = {
            let d = d.clone();
            Callback::from(move |e: Event| read_and_open(e.as_ref(), d.clone()))
        };
        ShareHandlers {
            link,
            export,
            import,
            drag_over: Callback::from(|e: DragEvent| e.prevent_default()),
            drop: Callback::from(move |e: DragEvent| {
                e.prevent_default();
                read_and_open(e.as_ref(), d.clone());
            }),
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
    rare: Rc<Vec<Rc<str>>>,
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
            rare: Rc::default(),
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
/// machine), `&play=1`, `&speed=N` (tenths of a decade), `&theme=dark`;
/// a fragment `#s=1.…` (a shared link) opens that scenario instead.
#[cfg_attr(feature = "app", wasm_bindgen(start))]
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
        let hash = window.location().hash().unwrap_or_default();
        let link = Some(hash.trim_start_matches('#').to_string()).filter(|h| !h.is_empty());
        // `?view=sweep` opens the preset's default sweep; a sweep's link
        // (`#sweep=…`) opens that one and runs it (issue 14).
        let sweep_link = link.clone().filter(|l| l.starts_with("sweep="));
        if sweep_link.is_some() || query_param(&search, "view").is_some_and(|v| v == "sweep") {
            let fallback = scenarios::by_id(&scenario).unwrap_or_default();
            let (def, notice) = match sweep_link.map(|l| sweep::SweepDef::parse(&l)) {
                Some(Ok(d)) => (d, None),
                Some(Err(e)) => (
                    sweep::SweepDef::default_for(fallback),
                    Some(format!("This sweep link could not be opened: {e}")),
                ),
                None => (sweep::SweepDef::default_for(fallback), None),
            };
            root.set_inner_html("");
            let props = components::sweep::SweepProps { def, notice };
            yew::Renderer::<components::sweep::SweepView>::with_root_and_props(root, props)
                .render();
            return;
        }
        // `?view=compare` opens the preset's default comparison; a
        // comparison's link (`#cmp=…`) opens that one.
        let cmp_link = link.clone().filter(|l| l.starts_with("cmp="));
        let compare = cmp_link.or_else(|| {
            query_param(&search, "view")
                .is_some_and(|v| v == "compare")
                .then(String::new)
        });
        let link = link.filter(|_| compare.is_none());
        let props = AppProps {
            compare,
            link,
            url: true,
            scenario: Some(scenario),
            autoplay: query_param(&search, "play").is_some_and(|v| v == "1"),
            speed: query_param(&search, "speed").and_then(|v| v.parse().ok()),
            theme: query_param(&search, "theme")
                .or(stored_theme)
                .map(|t| Theme::parse(&t)),
            ..AppProps::default()
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
