//! The message over the page: an error (`role=alert`, stays until
//! dismissed), a note, or how far a scenario being opened has got.

use yew::prelude::*;

use crate::state::{Notice, Source};

#[derive(Properties, PartialEq)]
pub struct BannerProps {
    pub notice: Option<Notice>,
    /// A replay in progress: percent, and what is being opened.
    #[prop_or_default]
    pub progress: Option<(u32, Source)>,
    pub on_dismiss: Callback<()>,
}

#[component]
pub fn Banner(props: &BannerProps) -> Html {
    html! {
        <>
            if let Some((p, what)) = props.progress {
                <div id="loading-banner" class="banner note" role="status">
                    { format!("Opening the {what}… {p} %") }
                </div>
            }
            if let Some(n) = &props.notice {
                <div id="notice" class={classes!("banner", if n.error { "error" } else { "note" })}
                    role={if n.error { "alert" } else { "status" }}>
                    <span class="banner-text">{ &n.text }</span>
                    <button type="button" class="dismiss" aria-label="Dismiss this message" title="Dismiss (Esc)"
                        onclick={props.on_dismiss.reform(|_| ())}>{ "×" }</button>
                </div>
            }
        </>
    }
}
