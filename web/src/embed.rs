//! The embed (issue 5): a compact live example for documentation pages, the
//! cgroup tree with the simulation controls and a short console, no page
//! chrome. It is [`App`] with `embed` set (presets without their tours,
//! keys taken only inside it, the host page's theme and URL left alone), so
//! it costs the wasm module only this view.
//!
//! `www/embed.html#s=1.…` shows one full-window; the loader `www/embed.js`
//! defines `<memcg-playground preset|state|…>`, which mounts one per
//! element: each its own simulator, all in the one wasm module, each in its
//! own shadow root. Both call [`mount_embed`].

use std::cell::RefCell;
use std::rc::Rc;

use memcg::Version;
#[cfg(feature = "app")]
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::components::{
    banner, class_list, controls, tree_legend, Console, ControlsProps, TreeNode, TreeView,
};
use crate::state::State;
use crate::{scenarios, share, App, AppProps, Handlers};

/// Where "Open in playground" goes: the preset's tour while the embed is
/// untouched, else a link to its exact state.
pub fn playground_href(base: &str, state: &State) -> String {
    let model = state.model.borrow();
    match state.scenario {
        Some(i) if model.edits().is_empty() && model.now() == 0 => {
            format!("{base}?scenario={}", scenarios::SCENARIOS[i].id)
        }
        _ => match share::fragment(&model.sim) {
            Ok(f) => format!("{base}#{f}"),
            Err(_) => base.to_string(),
        },
    }
}

/// The compact view.
pub(crate) fn view(
    state: &UseReducerHandle<State>,
    nodes: Rc<Vec<TreeNode>>,
    h: &Handlers,
    base: &str,
    href: String,
    latest: Rc<RefCell<UseReducerHandle<State>>>,
    hide_console: bool,
) -> Html {
    let snap = &state.snap;
    // Following the link while playing: the state it has reached.
    let on_open = {
        let base = base.to_string();
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
    html! {
        <div class="playground embed" onkeydown={h.embed_key.clone()}
            data-now={snap.now.to_string()}
            data-trace-hash={format!("{:016x}", snap.trace_hash)}
            data-playing={state.playing.to_string()}
            data-loading={state.loading.is_some().to_string()}>
            { banner(&state.notice, state.load_progress, &h.dismiss_notice) }
            <div class="embed-bar">
                { controls(&ControlsProps {
                    compact: true,
                    playing: state.playing,
                    speed: state.speed,
                    now: snap.now,
                    lagging: state.lagging,
                    on_toggle: h.toggle_play.clone(),
                    on_step_event: h.step_event.clone(),
                    on_step_ms: h.step_ms.clone(),
                    on_speed: h.speed.clone(),
                    on_restart: h.restart.clone(),
                    on_help: Callback::noop(),
                }) }
                <a class="open-playground" {href} target="_blank" rel="noopener"
                    title="Open this example, as it is now, in the full playground"
                    onclick={on_open}>{ "Open in playground ↗" }</a>
            </div>
            <div class={class_list(&["embed-body", if hide_console { "" } else { "with-console" }])}>
                <section class="pane tree-pane" aria-label="cgroup tree">
                    <TreeView {nodes} selected={state.selected.clone()}
                        on_select={h.select.clone()} on_toggle={h.toggle_node.clone()} />
                    { tree_legend() }
                </section>
                if !hide_console {
                    <section class="pane console-pane" aria-label="shell">
                        <Console lines={state.lines.clone()} prompt={state.prompt()}
                            history={state.history.clone()} on_exec={h.exec.clone()} autofocus=false />
                    </section>
                }
            </div>
        </div>
    }
}

/// Mounts an embed into `root` (the loader passes an element inside the
/// custom element's shadow root; `www/embed.html` its page's). The first
/// non-empty of `state` (a link or its fragment), `preset` and `script`
/// (shell lines for a fresh `version` machine, `v1` or `v2`) says what it
/// shows; `playground` is the URL of the full playground page; with `url`,
/// a new fragment of the page's URL opens that link in place.
#[cfg_attr(feature = "app", wasm_bindgen)]
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
    url: bool,
) {
    crate::panic::install();
    let mut props = AppProps {
        embed: Some(playground),
        speed,
        hide_console: !console,
        url,
        ..AppProps::default()
    };
    if !state.trim().is_empty() {
        props.link = Some(state);
    } else if !preset.trim().is_empty() {
        props.scenario = Some(preset.trim().to_string());
    } else {
        props.script = Some(script);
        if version.trim().eq_ignore_ascii_case("v2") {
            props.version = Version::V2;
        }
    }
    root.set_inner_html("");
    yew::Renderer::<App>::with_root_and_props(root, props).render();
}
