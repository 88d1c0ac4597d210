//! The keyboard shortcut sheet (`?`).

use yew::prelude::*;

use super::on_click;

pub const SHORTCUTS: &[(&str, &str)] = &[
    ("Space", "play / pause"),
    ("s", "step one event"),
    ("m", "advance 1 ms"),
    ("+ / −", "faster / slower"),
    ("[ / ]", "seek back / forward 1 s"),
    ("n", "next tour step"),
    ("Shift+R", "start the scenario over"),
    ("t", "cycle the theme (auto, light, dark)"),
    (
        "g",
        "focus the cgroup tree (then ↑ ↓ select, ← → collapse / expand)",
    ),
    ("/", "focus the console (↑ ↓ recall history)"),
    ("?", "show / hide this help"),
    ("Esc", "close this help, cancel an edit, dismiss a message"),
];

#[derive(Properties, PartialEq)]
pub struct HelpProps {
    pub on_close: Callback<()>,
}

#[component]
pub fn Help(props: &HelpProps) -> Html {
    let close_ref = use_node_ref();
    {
        let close_ref = close_ref.clone();
        use_effect_with((), move |_| {
            if let Some(b) = close_ref.cast::<web_sys::HtmlElement>() {
                let _ = b.focus();
            }
        });
    }
    let onkeydown = {
        let cb = props.on_close.clone();
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Escape" {
                e.prevent_default();
                cb.emit(());
            }
        })
    };
    html! {
        <div class="modal-backdrop" onclick={on_click(&props.on_close)}>
            <div id="help" class="modal" role="dialog" aria-modal="true" aria-labelledby="help-title"
                onclick={Callback::from(|e: MouseEvent| e.stop_propagation())} {onkeydown}>
                { super::raw(r#"<h2 id="help-title">Keyboard shortcuts</h2>"#) }
                <table class="shortcuts">
                    <tbody>
                        { for SHORTCUTS.iter().map(|(k, what)| html! {
                            <tr><th><kbd>{ *k }</kbd></th><td>{ *what }</td></tr>
                        }) }
                    </tbody>
                </table>
                { super::raw(concat!(
                    "<p>Every control is also reachable with Tab; writable files in the ",
                    "inspector open for editing with Enter.</p>"
                )) }
                <button type="button" ref={close_ref} onclick={on_click(&props.on_close)}>{ "Close" }</button>
            </div>
        </div>
    }
}
