use yew::prelude::*;

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
    pub files: Result<Vec<FileRow>, String>,
}

fn mode_hint(mode: u16) -> &'static str {
    match (mode & 0o444 != 0, mode & 0o222 != 0) {
        (true, true) => "read-write",
        (true, false) => "read-only",
        (false, true) => "write-only",
        (false, false) => "no access",
    }
}

fn value_cell(mode: u16, value: &Result<String, String>) -> Html {
    if mode & 0o444 == 0 && mode & 0o222 != 0 {
        // Reading a write-only file fails by design (EINVAL for root): not news.
        return html! { <td class="value empty">{ "(write-only)" }</td> };
    }
    match value {
        Ok(text) => {
            let text = text.strip_suffix('\n').unwrap_or(text);
            if text.is_empty() {
                html! { <td class="value empty">{ "(empty)" }</td> }
            } else if text.contains('\n') {
                html! { <td class="value"><pre>{ text }</pre></td> }
            } else {
                html! { <td class="value">{ text }</td> }
            }
        }
        Err(err) => html! { <td class="value error">{ err }</td> },
    }
}

#[component]
pub fn Inspector(props: &InspectorProps) -> Html {
    let body = match &props.files {
        Ok(files) => html! {
            <table class="files">
                <thead>
                    <tr><th class="name">{ "file" }</th><th class="mode">{ "mode" }</th><th class="value">{ "value" }</th></tr>
                </thead>
                <tbody>
                    { for files.iter().map(|f| html! {
                        <tr key={f.name.clone()} data-file={f.name.clone()}>
                            <td class="name">{ &f.name }</td>
                            <td class="mode" title={mode_hint(f.mode)}>{ format!("{:04o}", f.mode) }</td>
                            { value_cell(f.mode, &f.value) }
                        </tr>
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
