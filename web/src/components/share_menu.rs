//! Share and export: a link to this exact state, the scenario as JSON, the
//! selected cgroup's metrics as CSV, the trace as text, and importing a
//! scenario file (dropping one on the page works too).

use yew::prelude::*;

/// What to save.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Export {
    Json,
    Csv,
    Trace,
}

#[derive(Properties, PartialEq)]
pub struct ShareMenuProps {
    pub on_link: Callback<()>,
    pub on_export: Callback<Export>,
    /// The file input's change event.
    pub on_import: Callback<Event>,
}

#[component]
pub fn ShareMenu(props: &ShareMenuProps) -> Html {
    let item = |id: &'static str, kind: Export, label: &'static str| {
        let cb = props.on_export.clone();
        html! {
            <button {id} type="button" role="menuitem" onclick={move |_| cb.emit(kind)}>{ label }</button>
        }
    };
    html! {
        <details class="share-menu">
            <summary id="share-button" title="Share a link, export or import">{ "Share ▾" }</summary>
            <div class="share-items" role="menu">
                <button id="copy-link" type="button" role="menuitem"
                    title="Put a link to this exact state in the address bar and on the clipboard"
                    onclick={props.on_link.reform(|_| ())}>{ "Copy link to this state" }</button>
                { item("export-json", Export::Json, "Download scenario (JSON)") }
                { item("export-csv", Export::Csv, "Download metrics of the selected cgroup (CSV)") }
                { item("export-trace", Export::Trace, "Download trace (text)") }
                <label class="import" role="menuitem" title="Open a scenario JSON file; dropping one on the page works too">
                    { "Open scenario file…" }
                    <input id="import-file" type="file" class="sr-only"
                        accept=".json,application/json,text/plain"
                        onchange={props.on_import.clone()} />
                </label>
            </div>
        </details>
    }
}
