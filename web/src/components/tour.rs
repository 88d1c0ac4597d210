//! The guided tour's card: the text of the current stop and Next.

use yew::prelude::*;

use super::{class_list, on_click};

use crate::state::Tour;

#[derive(Properties, PartialEq)]
pub struct TourPanelProps {
    pub tour: Tour,
    pub on_next: Callback<()>,
    pub on_close: Callback<()>,
}

#[component]
pub fn TourPanel(props: &TourPanelProps) -> Html {
    let tour = props.tour;
    let steps = tour.scenario().tour;
    let step = &steps[tour.step];
    let last = tour.step + 1 == steps.len();
    let next_ref = use_node_ref();
    // A stop takes the focus to Next, so Enter goes on.
    {
        let next_ref = next_ref.clone();
        use_effect_with((tour.step, tour.waiting), move |(_, waiting)| {
            if !*waiting {
                if let Some(b) = next_ref.cast::<web_sys::HtmlElement>() {
                    let typing = web_sys::window()
                        .and_then(|w| w.document())
                        .and_then(|d| d.active_element())
                        .is_some_and(|a| a.tag_name() == "INPUT" && a.id() == "console-input");
                    if !typing {
                        let _ = b.focus();
                    }
                }
            }
        });
    }
    html! {
        <section id="tour" class={class_list(&["tour", if tour.waiting { "waiting" } else { "" }])}
            aria-label="guided tour" data-step={tour.step.to_string()} data-waiting={tour.waiting.to_string()}>
            <div class="tour-head">
                <span class="tour-count">{ format!("Tour {}/{}", tour.step + 1, steps.len()) }</span>
                <h2 class="tour-title">{ step.title }</h2>
                <button type="button" class="tour-close" aria-label="end the tour" title="End the tour"
                    onclick={on_click(&props.on_close)}>{ "×" }</button>
            </div>
            if tour.waiting {
                <p class="tour-text" role="status">{ "Playing until the next moment that matters…" }</p>
            } else {
                <p class="tour-text" aria-live="polite">{ step.text }</p>
                if !step.run.is_empty() {
                    <p class="tour-run">{ "Next runs: " }{ for step.run.iter().map(|c| html! { <code>{ *c }</code> }) }</p>
                }
            }
            <div class="tour-actions">
                <button id="tour-next" type="button" class="primary" ref={next_ref} disabled={tour.waiting}
                    aria-keyshortcuts="n" title="Next (n)"
                    onclick={on_click(&props.on_next)}>
                    { if last { "Finish ▶" } else { "Next ▶" } }
                </button>
            </div>
        </section>
    }
}
