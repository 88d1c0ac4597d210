use std::rc::Rc;

use web_sys::{Element, HtmlInputElement};
use yew::prelude::*;

use super::class_list;

use crate::state::Line;

#[derive(Properties, PartialEq)]
pub struct ConsoleProps {
    pub lines: Rc<Vec<Line>>,
    /// e.g. `root@memcg:/sys/fs/cgroup/memory#`
    pub prompt: String,
    /// Commands entered so far, oldest first, for ArrowUp/ArrowDown.
    pub history: Rc<Vec<String>>,
    /// Emitted with the line typed when Enter is pressed.
    pub on_exec: Callback<String>,
    /// Take the focus when mounted (the page's first place to type).
    #[prop_or(true)]
    pub autofocus: bool,
}

/// Where ArrowUp/ArrowDown browsing stands.
#[derive(Default)]
struct Browse {
    /// Index into the history, `None` while editing a fresh line.
    cursor: Option<usize>,
    /// The fresh line, restored when browsing past the newest entry.
    draft: String,
}

#[component]
pub fn Console(props: &ConsoleProps) -> Html {
    let input_ref = use_node_ref();
    let output_ref = use_node_ref();
    let browse = use_mut_ref(Browse::default);

    // Ready to type as soon as the page shows.
    {
        let input_ref = input_ref.clone();
        let autofocus = props.autofocus;
        use_effect_with((), move |_| {
            if let (true, Some(input)) = (autofocus, input_ref.cast::<HtmlInputElement>()) {
                // Without scrolling: the console may sit below the fold.
                let opts = web_sys::FocusOptions::new();
                opts.set_prevent_scroll(true);
                let _ = input.focus_with_options(&opts);
            }
        });
    }

    // Keep the newest output in view.
    {
        let output_ref = output_ref.clone();
        use_effect_with(props.lines.clone(), move |_| {
            if let Some(out) = output_ref.cast::<Element>() {
                out.set_scroll_top(out.scroll_height());
            }
        });
    }

    let onkeydown = {
        let input_ref = input_ref.clone();
        let history = props.history.clone();
        let on_exec = props.on_exec.clone();
        Callback::from(move |e: KeyboardEvent| {
            let Some(input) = input_ref.cast::<HtmlInputElement>() else {
                return;
            };
            let mut b = browse.borrow_mut();
            match e.key().as_str() {
                "Escape" => {
                    if let Some(el) = input_ref.cast::<web_sys::HtmlElement>() {
                        let _ = el.blur();
                    }
                }
                "Enter" if !e.is_composing() => {
                    e.prevent_default();
                    let line = input.value();
                    input.set_value("");
                    *b = Browse::default();
                    drop(b);
                    on_exec.emit(line);
                }
                "ArrowUp" if !history.is_empty() => {
                    e.prevent_default();
                    let index = match b.cursor {
                        None => {
                            b.draft = input.value();
                            history.len() - 1
                        }
                        Some(i) => i.saturating_sub(1),
                    };
                    b.cursor = Some(index);
                    input.set_value(&history[index]);
                }
                "ArrowDown" => {
                    if let Some(i) = b.cursor {
                        e.prevent_default();
                        if i + 1 < history.len() {
                            b.cursor = Some(i + 1);
                            input.set_value(&history[i + 1]);
                        } else {
                            b.cursor = None;
                            input.set_value(&b.draft);
                        }
                    }
                }
                _ => {}
            }
        })
    };

    // A click anywhere in the console (but not a text selection) focuses the input.
    let onclick = {
        let input_ref = input_ref.clone();
        Callback::from(move |_: MouseEvent| {
            let selecting = web_sys::window()
                .and_then(|w| w.get_selection().ok().flatten())
                .is_some_and(|s| !s.is_collapsed());
            if let (false, Some(input)) = (selecting, input_ref.cast::<HtmlInputElement>()) {
                let _ = input.focus();
            }
        })
    };

    html! {
        <div class="console" {onclick}>
            <pre id="console-output" ref={output_ref} aria-live="polite">
                { for props.lines.iter().map(|line| html! {
                    <span class={class_list(&["line", line.kind.class()])}>{ &line.text }{ "\n" }</span>
                }) }
            </pre>
            <div class="console-input-row">
                <label id="console-prompt" for="console-input">{ &props.prompt }</label>
                <input
                    id="console-input"
                    ref={input_ref}
                    type="text"
                    autocomplete="off"
                    autocapitalize="off"
                    spellcheck="false"
                    aria-label="shell command"
                    placeholder="type a shell command, Enter runs it"
                    {onkeydown}
                />
            </div>
        </div>
    }
}
