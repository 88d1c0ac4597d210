//! The embed (issue 5): a compact live example for documentation pages, the
//! cgroup tree with the simulation controls and a short console, no page
//! chrome. `www/embed.html#s=1.…` shows one full-window; the loader
//! `www/embed.js` defines `<memcg-playground preset|state|…>`, which mounts
//! one per element with [`mount_embed`] (each its own simulator, all in the
//! one wasm module, each in its own shadow root).

use memcg::scenario::Scenario;
use memcg::Version;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::components::{visible_nodes, Banner, Console, Controls, TreeLegend, TreeView};
use crate::state::{Action, Notice, State};
use crate::{animation_loop, scenarios, share, shortcut};

/// What an embed shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A preset by id (`seed`, `stalls`, …), without its tour.
    Preset(String),
    /// A link or its fragment (`s=1.…`).
    Link(String),
    /// Shell lines run on a fresh machine at time 0.
    Script { version: Version, text: String },
}

#[derive(Properties, PartialEq)]
pub struct EmbedProps {
    pub source: Source,
    /// The playground page "Open in playground" links to.
    #[prop_or_default]
    pub playground: String,
    /// Speed slider position to start with (tenths of a decade).
    #[prop_or_default]
    pub speed: Option<i32>,
    /// Show the console under the tree.
    #[prop_or(true)]
    pub console: bool,
    /// Open the link of a new URL fragment (`www/embed.html`).
    #[prop_or_default]
    pub url: bool,
}

/// The state an embed starts with.
pub fn initial_state(source: &Source) -> State {
    match source {
        Source::Preset(id) => match scenarios::by_id(id) {
            Some(i) => {
                let mut s = State::with_scenario(i);
                s.tour = None;
                s
            }
            None => {
                let mut s = State::new(Version::V1);
                let ids: Vec<&str> = scenarios::SCENARIOS.iter().map(|p| p.id).collect();
                s.notice = Some(Notice::error(format!(
                    "Unknown preset '{id}': it is one of {}.",
                    ids.join(", ")
                )));
                s
            }
        },
        Source::Link(link) => {
            State::opening(State::new(Version::V1), share::parse_link(link), "link")
        }
        Source::Script { version, text } => {
            let lines: Vec<&str> = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect();
            let sc = Scenario::from_script(*version, &lines);
            State::opening(State::new(*version), Ok(sc), "example")
        }
    }
}

/// Where "Open in playground" goes: the preset's tour while the embed is
/// untouched, else a link to its exact state.
fn playground_href(base: &str, state: &State) -> String {
    let model = state.model.borrow();
    match state.scenario {
        Some(i) if model.edits.is_empty() && model.now() == 0 => {
            format!("{base}?scenario={}", scenarios::SCENARIOS[i].id)
        }
        _ => match share::fragment(&model.sim) {
            Ok(f) => format!("{base}#{f}"),
            Err(_) => base.to_string(),
        },
    }
}

#[component]
pub fn Embed(props: &EmbedProps) -> Html {
    let state = {
        let (source, speed) = (props.source.clone(), props.speed);
        use_reducer(move || {
            let mut s = initial_state(&source);
            if let Some(v) = speed {
                s.speed = v.clamp(crate::state::SPEED_MIN, crate::state::SPEED_MAX);
            }
            s
        })
    };
    let d = state.dispatcher();
    {
        let d = d.clone();
        use_effect_with((), move |_| {
            let alive = animation_loop(move |dt_ms, wall_ms| {
                d.dispatch(Action::Tick { dt_ms, wall_ms });
            });
            move || alive.set(false)
        });
    }
    {
        let (d, url) = (d.clone(), props.url);
        use_effect_with((), move |_| {
            let listener = Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
                let hash = share::memcg_hash();
                d.dispatch(Action::Open(share::parse_link(&hash), "link"));
            });
            let window = web_sys::window().filter(|_| url);
            if let Some(w) = &window {
                let _ = w.add_event_listener_with_callback(
                    "hashchange",
                    listener.as_ref().unchecked_ref(),
                );
            }
            move || {
                if let Some(w) = window {
                    let _ = w.remove_event_listener_with_callback(
                        "hashchange",
                        listener.as_ref().unchecked_ref(),
                    );
                }
                drop(listener);
            }
        });
    }
    let latest = use_mut_ref(|| state.clone());
    *latest.borrow_mut() = state.clone();
    // The link is made while the embed rests, and again when followed.
    let link = use_mut_ref(|| (u64::MAX, String::new()));
    if !state.playing && state.loading.is_none() && link.borrow().0 != state.rev {
        *link.borrow_mut() = (state.rev, playground_href(&props.playground, &state));
    }
    let href = link.borrow().1.clone();

    let cb = |f: fn() -> Action| {
        let d = d.clone();
        Callback::from(move |_: ()| d.dispatch(f()))
    };
    let on_open = {
        let (latest, base) = (latest.clone(), props.playground.clone());
        Callback::from(move |e: MouseEvent| {
            let href = playground_href(&base, &latest.borrow());
            if let Some(a) = e
                .current_target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            {
                let _ = a.set_attribute("href", &href);
            }
        })
    };
    let onkeydown = {
        let d = d.clone();
        Callback::from(move |e: KeyboardEvent| match shortcut(&e) {
            Some(Action::CloseHelp) => d.dispatch(Action::DismissNotice),
            Some(Action::ToggleHelp | Action::CycleTheme | Action::TourNext | Action::Noop)
            | None => {}
            Some(a) => {
                e.prevent_default();
                d.dispatch(a);
            }
        })
    };
    let restart = {
        let d = d.clone();
        Callback::from(move |_: ()| {
            d.dispatch(Action::Restart);
            d.dispatch(Action::TourClose);
        })
    };
    let snap = state.snap.clone();
    let nodes = std::rc::Rc::new(visible_nodes(
        &snap,
        &state.collapsed,
        &|p| state.flows(p),
        state.playing,
    ));
    let select = {
        let d = d.clone();
        Callback::from(move |p: String| d.dispatch(Action::Select(p)))
    };
    let toggle = {
        let d = d.clone();
        Callback::from(move |p: String| d.dispatch(Action::ToggleCollapse(p)))
    };
    let exec = {
        let d = d.clone();
        Callback::from(move |l: String| d.dispatch(Action::Exec(l)))
    };
    let speed = {
        let d = d.clone();
        Callback::from(move |v: i32| d.dispatch(Action::SetSpeed(v)))
    };
    html! {
        <div class="playground embed" {onkeydown}
            data-now={snap.now.to_string()}
            data-trace-hash={format!("{:016x}", snap.trace_hash)}
            data-playing={state.playing.to_string()}
            data-loading={state.loading.is_some().to_string()}>
            <Banner notice={state.notice.clone()} progress={state.load_progress}
                on_dismiss={cb(|| Action::DismissNotice)} />
            <div class="embed-bar">
                <Controls compact=true
                    playing={state.playing}
                    speed={state.speed}
                    now={snap.now}
                    lagging={state.lagging}
                    on_toggle={cb(|| Action::TogglePlay)}
                    on_step_event={cb(|| Action::StepEvent)}
                    on_step_ms={cb(|| Action::StepMs)}
                    on_speed={speed}
                    on_restart={restart}
                />
                <a class="open-playground" {href} target="_blank" rel="noopener"
                    title="Open this example, as it is now, in the full playground"
                    onclick={on_open}>{ "Open in playground ↗" }</a>
            </div>
            <div class={classes!("embed-body", props.console.then_some("with-console"))}>
                <section class="pane tree-pane" aria-label="cgroup tree">
                    <TreeView nodes={nodes} selected={state.selected.clone()} on_select={select} on_toggle={toggle} />
                    <TreeLegend />
                </section>
                if props.console {
                    <section class="pane console-pane" aria-label="shell">
                        <Console lines={state.lines.clone()} prompt={state.prompt()}
                            history={state.history.clone()} on_exec={exec} autofocus=false />
                    </section>
                }
            </div>
        </div>
    }
}

/// Mounts an [`Embed`] into `root` (the loader passes an element inside the
/// custom element's shadow root). The first non-empty of `state` (a link or
/// fragment), `preset` and `script` (shell lines for a fresh `version`
/// machine, `v1` or `v2`) says what it shows; `playground` is the URL of the
/// full playground page.
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn mount_embed(
    root: web_sys::Element,
    preset: String,
    state: String,
    script: String,
    version: String,
    playground: String,
    speed: Option<i32>,
    console: bool,
) {
    crate::panic::install();
    let source = if !state.trim().is_empty() {
        Source::Link(state)
    } else if !preset.trim().is_empty() {
        Source::Preset(preset.trim().to_string())
    } else {
        let version = if version.trim().eq_ignore_ascii_case("v2") {
            Version::V2
        } else {
            Version::V1
        };
        Source::Script {
            version,
            text: script,
        }
    };
    root.set_inner_html("");
    let props = EmbedProps {
        source,
        playground,
        speed,
        console,
        url: false,
    };
    yew::Renderer::<Embed>::with_root_and_props(root, props).render();
}

/// `www/embed.html`: one embed filling the page, showing the link in the
/// page's fragment (or `?preset=ID`; also `&speed=N`, `&console=off`), and
/// opening the link of a new fragment in place.
#[wasm_bindgen]
pub fn mount_embed_page(root: web_sys::Element) {
    crate::panic::install();
    let Some(location) = web_sys::window().map(|w| w.location()) else {
        return;
    };
    let search = location.search().unwrap_or_default();
    let hash = location.hash().unwrap_or_default();
    let param = |k: &str| crate::query_param(&search, k);
    let source = match param("preset") {
        _ if hash.len() > 1 => Source::Link(hash),
        Some(p) => Source::Preset(p),
        None => Source::Script {
            version: Version::V1,
            text: String::new(),
        },
    };
    let playground = location
        .href()
        .ok()
        .and_then(|h| {
            let page = h.split(['?', '#']).next()?;
            Some(format!("{}/../index.html", page.rsplit_once('/')?.0))
        })
        .unwrap_or_default();
    root.set_inner_html("");
    let props = EmbedProps {
        source,
        playground,
        speed: param("speed").and_then(|v| v.parse().ok()),
        console: param("console").as_deref() != Some("off"),
        url: true,
    };
    yew::Renderer::<Embed>::with_root_and_props(root, props).render();
}
