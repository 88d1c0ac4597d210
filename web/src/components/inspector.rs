//! Every interface file of the selected cgroup with its current value.
//! Writable files are edited in place: the value is a button; Enter or a
//! click opens an input; Enter writes through the core's cgroupfs, Escape
//! cancels. A rejected write shows the kernel's message next to the file.

use std::rc::Rc;

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::{class_list, on_click};

use crate::state::WriteError;

/// One interface file of the selected cgroup, ready to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileRow {
    pub name: String,
    pub mode: u16,
    /// The file's content, or the read error as "ENAME: message".
    pub value: Result<String, String>,
}

impl From<memcg::FileInfo> for FileRow {
    fn from(file: memcg::FileInfo) -> Self {
        FileRow {
            name: file.name,
            mode: file.mode,
            value: file
                .value
                .map_err(|e| format!("{}: {}", e.name(), e.message())),
        }
    }
}

#[derive(Properties, PartialEq)]
pub struct InspectorProps {
    /// Absolute path of the cgroup directory.
    pub path: String,
    /// Its files sorted by name, or why they could not be listed.
    pub files: Rc<Result<Vec<FileRow>, String>>,
    #[prop_or_default]
    pub write_error: Option<WriteError>,
    /// (file name, value) to write.
    #[prop_or_default]
    pub on_write: Callback<(String, String)>,
    #[prop_or_default]
    pub on_dismiss: Callback<()>,
}

fn mode_hint(mode: u16) -> &'static str {
    match (mode & 0o444 != 0, mode & 0o222 != 0) {
        (true, true) => "read-write",
        (true, false) => "read-only",
        (false, true) => "write-only",
        (false, false) => "no access",
    }
}

fn shown(value: &Result<String, String>) -> Html {
    match value {
        Ok(text) => {
            let text = text.strip_suffix('\n').unwrap_or(text);
            if text.is_empty() {
                html! { <span class="empty">{ "(empty)" }</span> }
            } else if text.contains('\n') {
                html! { <pre>{ text }</pre> }
            } else {
                html! { { text } }
            }
        }
        Err(err) => html! { <span class="error">{ err }</span> },
    }
}

#[derive(Properties, PartialEq)]
struct EditorProps {
    file: String,
    initial: String,
    on_write: Callback<(String, String)>,
    on_done: Callback<()>,
}

#[component]
fn Editor(props: &EditorProps) -> Html {
    let input_ref = use_node_ref();
    {
        let input_ref = input_ref.clone();
        use_effect_with((), move |_| {
            if let Some(input) = input_ref.cast::<HtmlInputElement>() {
                let _ = input.focus();
                input.select();
            }
        });
    }
    let onkeydown = {
        let input_ref = input_ref.clone();
        let file = props.file.clone();
        let on_write = props.on_write.clone();
        let on_done = props.on_done.clone();
        Callback::from(move |e: KeyboardEvent| {
            e.stop_propagation();
            match e.key().as_str() {
                "Enter" => {
                    e.prevent_default();
                    if let Some(input) = input_ref.cast::<HtmlInputElement>() {
                        on_write.emit((file.clone(), input.value()));
                    }
                    on_done.emit(());
                }
                "Escape" => {
                    e.prevent_default();
                    on_done.emit(());
                }
                _ => {}
            }
        })
    };
    let onblur = {
        let on_done = props.on_done.clone();
        Callback::from(move |_: FocusEvent| on_done.emit(()))
    };
    html! {
        <input
            ref={input_ref}
            class="file-edit"
            type="text"
            value={props.initial.clone()}
            aria-label={format!("new value for {} (Enter writes, Escape cancels)", props.file)}
            spellcheck="false"
            autocomplete="off"
            {onkeydown}
            {onblur}
        />
    }
}

#[component]
pub fn Inspector(props: &InspectorProps) -> Html {
    let editing = use_state(|| None::<String>);
    // A new cgroup closes any open editor.
    {
        let editing = editing.clone();
        use_effect_with(props.path.clone(), move |_| editing.set(None));
    }
    let on_done = {
        let editing = editing.clone();
        Callback::from(move |_| editing.set(None))
    };
    let body = match &*props.files {
        Ok(files) => html! {
            <table class="files">
                <thead>
                    <tr><th class="name">{ "file" }</th><th class="mode">{ "mode" }</th><th class="value">{ "value" }</th></tr>
                </thead>
                <tbody>
                    { for files.iter().map(|f| {
                        let writable = f.mode & 0o222 != 0;
                        let readable = f.mode & 0o444 != 0;
                        let error = props
                            .write_error
                            .as_ref()
                            .filter(|e| e.file == f.name && e.path == props.path);
                        let cell = if editing.as_deref() == Some(f.name.as_str()) {
                            let initial = f.value.clone().unwrap_or_default();
                            html! {
                                <Editor
                                    file={f.name.clone()}
                                    initial={initial.trim_end().to_string()}
                                    on_write={props.on_write.clone()}
                                    on_done={on_done.clone()}
                                />
                            }
                        } else if writable {
                            let onclick = {
                                let editing = editing.clone();
                                let name = f.name.clone();
                                Callback::from(move |_: MouseEvent| editing.set(Some(name.clone())))
                            };
                            let content = if readable {
                                shown(&f.value)
                            } else {
                                html! { <span class="empty">{ "(write-only)" }</span> }
                            };
                            html! {
                                <button type="button" class="file-value" {onclick}
                                    title="Edit (Enter writes, Escape cancels)"
                                    aria-label={format!("{}: edit value", f.name)}>
                                    { content }
                                </button>
                            }
                        } else {
                            shown(&f.value)
                        };
                        html! {
                            <>
                            <tr data-file={f.name.clone()} class={class_list(&[if writable { "writable" } else { "" }, if error.is_some() { "has-error" } else { "" }])}>
                                <td class="name">{ &f.name }</td>
                                <td class="mode" title={mode_hint(f.mode)}>{ format!("{:04o}", f.mode) }</td>
                                <td class={class_list(&["value", if f.value.is_err() { "error" } else { "" }])}>{ cell }</td>
                            </tr>
                            if let Some(err) = error {
                                <tr class="write-error" data-error-for={f.name.clone()}>
                                    <td colspan="3" role="alert">
                                        { format!("echo {} > {}: write error: {}", err.value, f.name, err.message) }
                                        <button type="button" class="dismiss" aria-label="dismiss the error"
                                            onclick={on_click(&props.on_dismiss)}>{ "×" }</button>
                                    </td>
                                </tr>
                            }
                            </>
                        }
                    }) }
                </tbody>
            </table>
        },
        Err(err) => html! { <p class="error">{ err }</p> },
    };
    html! {
        <div id="inspector" class="inspector" data-path={props.path.clone()}>
            <h2>{ "Files of " }<code>{ &props.path }</code></h2>
            <div class="files-wrap">{ body }</div>
        </div>
    }
}
