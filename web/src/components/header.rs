use memcg::Version;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct HeaderProps {
    pub version: Version,
    /// Emitted with the version chosen in the selector; the root resets the simulator.
    pub on_version: Callback<Version>,
}

#[component]
pub fn Header(props: &HeaderProps) -> Html {
    let onchange = {
        let on_version = props.on_version.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            let version = match select.value().as_str() {
                "v2" => Version::V2,
                _ => Version::V1,
            };
            on_version.emit(version);
        })
    };
    let is_v1 = props.version == Version::V1;
    html! {
        <header class="app-header">
            <div class="title">
                <h1>{ "memcg playground" }</h1>
                <span class="subtitle">
                    { "Linux memory cgroups with Alibaba Cloud Linux async watermark reclaim" }
                </span>
            </div>
            <label class="version">
                { "cgroup " }
                <select id="version-select" {onchange} title="Changing the version resets the simulator">
                    <option value="v1" selected={is_v1}>{ "v1 (memory controller)" }</option>
                    <option value="v2" selected={!is_v1}>{ "v2 (unified)" }</option>
                </select>
            </label>
        </header>
    }
}
