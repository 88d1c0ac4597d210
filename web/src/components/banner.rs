//! The message over the page: an error (`role=alert`, stays until
//! dismissed), a note, or how far a scenario being opened has got. A plain
//! function rather than a component: it has no state, and each component
//! type costs the wasm module its own copy of Yew's machinery.

use yew::prelude::*;

use super::{class_list, on_click};

use crate::state::{version_label, Notice, Source};
use memcg::Version;

/// The question before a version switch discards the machine: "Switch and
/// discard" (`on_reset`) or Cancel (`on_ask(None)`, which also puts the
/// selector back on the machine's version).
pub fn confirm_switch(
    pending: Option<Version>,
    current: Version,
    on_reset: &Callback<Version>,
    on_ask: &Callback<Option<Version>>,
) -> Html {
    let Some(v) = pending else {
        return Html::default();
    };
    let cancel = on_ask.reform(move |_: MouseEvent| {
        // The selector shows the choice while asked; back to the machine's.
        let select = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id("version-select"));
        if let Some(s) = select {
            let s: web_sys::HtmlSelectElement = wasm_bindgen::JsCast::unchecked_into(s);
            s.set_value(if current == Version::V1 { "v1" } else { "v2" });
        }
        None
    });
    html! {
        <div id="confirm-version" class="banner note" role="alertdialog" aria-label="discard this machine?">
            <span class="banner-text">{ format!(
                "Switching to cgroup {} starts an empty machine: this one's edits and timeline are discarded.",
                version_label(v)
            ) }</span>
            <button id="confirm-switch" type="button" onclick={on_reset.reform(move |_: MouseEvent| v)}>{ "Switch and discard" }</button>
            <button id="confirm-cancel" type="button" class="primary" onclick={cancel}>{ "Cancel" }</button>
        </div>
    }
}

/// `progress`: a replay in progress (percent, what is being opened).
pub fn banner(
    notice: &Option<Notice>,
    progress: Option<(u32, Source)>,
    on_dismiss: &Callback<()>,
) -> Html {
    html! {
        <>
            if let Some((p, what)) = progress {
                <div id="loading-banner" class="banner note" role="status">
                    { format!("Opening the {what}… {p} %") }
                </div>
            }
            if let Some(n) = notice {
                <div id="notice" class={class_list(&["banner", if n.error { "error" } else { "note" }])}
                    role={if n.error { "alert" } else { "status" }}>
                    <span class="banner-text">{ &n.text }</span>
                    <button type="button" class="dismiss" aria-label="Dismiss this message" title="Dismiss (Esc)"
                        onclick={on_click(on_dismiss)}>{ "×" }</button>
                </div>
            }
        </>
    }
}
