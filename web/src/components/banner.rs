//! The message over the page: an error (`role=alert`, stays until
//! dismissed), a note, or how far a scenario being opened has got. A plain
//! function rather than a component: it has no state, and each component
//! type costs the wasm module its own copy of Yew's machinery.

use yew::prelude::*;

use super::{class_list, on_click};

use crate::state::{Notice, Source};

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
