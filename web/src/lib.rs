//! The memcg playground: a Yew (CSR) view over one live [`memcg::Simulator`].
//!
//! [`state`] holds the model and every user intent as an [`state::Action`];
//! [`components`] are small views with `Callback` props; [`App`] wires them.
//! `start` mounts [`App`] into `#app` when the page has one, so test pages
//! can mount it themselves.

#![deny(unsafe_code)]

pub mod components;
mod panic;
pub mod state;

use memcg::Version;
use wasm_bindgen::prelude::*;
use yew::prelude::*;

use components::{Console, FileRow, Header, Inspector, TreeNode, TreeView};
pub use panic::show_error;
use state::{Action, State};

/// The whole playground: header, cgroup tree, console and inspector.
#[component]
pub fn App() -> Html {
    let state = use_reducer(|| State::new(Version::V1));

    let on_exec = {
        let state = state.clone();
        Callback::from(move |line: String| state.dispatch(Action::Exec(line)))
    };
    let on_select = {
        let state = state.clone();
        Callback::from(move |path: String| state.dispatch(Action::Select(path)))
    };
    let on_version = {
        let state = state.clone();
        Callback::from(move |version: Version| state.dispatch(Action::Reset(version)))
    };

    let nodes: Vec<TreeNode> = state
        .sim
        .cgroups()
        .into_iter()
        .map(TreeNode::from)
        .collect();
    let files = state
        .sim
        .list_files(&state.selected)
        .map(|files| files.into_iter().map(FileRow::from).collect::<Vec<_>>())
        .map_err(|e| format!("{}: {}", e.name(), e.message()));

    html! {
        <div class="playground">
            <Header version={state.sim.version()} {on_version} />
            <main class="panes">
                <section class="pane tree-pane" aria-label="cgroup tree">
                    <h2>{ "cgroups" }</h2>
                    <TreeView {nodes} selected={state.selected.clone()} {on_select} />
                </section>
                <section class="pane console-pane" aria-label="shell">
                    <Console
                        lines={state.lines.clone()}
                        prompt={state.prompt()}
                        history={state.history.clone()}
                        {on_exec}
                    />
                </section>
                <section class="pane inspector-pane" aria-label="interface files">
                    <Inspector path={state.selected.clone()} {files} />
                </section>
            </main>
        </div>
    }
}

/// Runs when the wasm module is instantiated: mounts [`App`] into `#app`
/// if the page has one (test pages do not).
#[wasm_bindgen(start)]
pub fn start() {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Some(root) = doc.get_element_by_id("app") {
        panic::install();
        root.set_inner_html("");
        yew::Renderer::<App>::with_root(root).render();
    }
}
