//! Share and export: a link to this exact state, the scenario as JSON, the
//! selected cgroup's metrics as CSV, the trace as text, and importing a
//! scenario file (dropping one on the page works too). A plain function
//! (see [`super::banner`]).

use yew::prelude::*;

/// What to save.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Export {
    Json,
    Csv,
    Trace,
}

/// Closes the menu an event came from (a chosen item is done with it).
fn close(e: &Event) {
    if let Some(d) = e
        .target()
        .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok())
        .and_then(|el| el.closest("details").ok().flatten())
    {
        let _ = d.remove_attribute("open");
    }
}

/// `on_import` gets the file input's change event.
pub fn share_menu(
    on_link: &Callback<()>,
    on_export: &Callback<Export>,
    on_import: &Callback<Event>,
) -> Html {
    let item = |id: &'static str, kind: Export, label: &'static str| {
        let cb = on_export.clone();
        html! {
            <button {id} type="button" role="menuitem" onclick={move |e: MouseEvent| {
                close(&e);
                cb.emit(kind);
            }}>{ label }</button>
        }
    };
    let on_link = {
        let cb = on_link.clone();
        move |e: MouseEvent| {
            close(&e);
            cb.emit(());
        }
    };
    let on_import = {
        let cb = on_import.clone();
        move |e: Event| {
            close(&e);
            cb.emit(e);
        }
    };
    html! {
        <details class="share-menu">
            <summary id="share-button" title="Share a link, export or import">{ "Share ▾" }</summary>
            <div class="share-items" role="menu">
                <button id="copy-link" type="button" role="menuitem"
                    title="Put a link to this exact state in the address bar and on the clipboard"
                    onclick={on_link}>{ "Copy link to this state" }</button>
                { item("export-json", Export::Json, "Download scenario (JSON)") }
                { item("export-csv", Export::Csv, "Download metrics of the selected cgroup (CSV)") }
                { item("export-trace", Export::Trace, "Download trace (text)") }
                <label class="import" role="menuitem" title="Open a scenario JSON file; dropping one on the page works too">
                    { "Open scenario file…" }
                    <input id="import-file" type="file" class="sr-only"
                        accept=".json,application/json,text/plain"
                        onchange={on_import} />
                </label>
            </div>
        </details>
    }
}
