use memcg::Version;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::scenarios::SCENARIOS;
use crate::state::Theme;

/// What the header shows and does. A plain function of these, not a
/// component: its machinery was wasm of its own, and the few nodes are
/// cheap to compare each frame.
pub struct HeaderProps {
    pub version: Version,
    /// Emitted with the version chosen in the selector; the root resets the simulator.
    pub on_version: Callback<Version>,
    /// The loaded scenario, if any.
    pub scenario: Option<usize>,
    pub on_scenario: Callback<usize>,
    pub theme: Theme,
    pub on_theme: Callback<Theme>,
    /// More controls at the end (the share menu).
    pub children: Html,
}

pub fn header(props: &HeaderProps) -> Html {
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
    let on_scenario = {
        let cb = props.on_scenario.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            if let Ok(i) = select.value().parse::<usize>() {
                cb.emit(i);
            }
        })
    };
    let on_theme = {
        let cb = props.on_theme.clone();
        Callback::from(move |e: Event| {
            let select: HtmlSelectElement = e.target_unchecked_into();
            cb.emit(Theme::parse(&select.value()));
        })
    };
    let is_v1 = props.version == Version::V1;
    html! {
        <header class="app-header">
            { super::raw(concat!(
                r#"<div class="title"><h1>memcg playground</h1><span class="subtitle">"#,
                "Linux memory cgroups with Alibaba Cloud Linux async watermark reclaim</span></div>"
            )) }
            <div class="header-controls">
                <label class="scenario">
                    { "scenario " }
                    <select id="scenario-select" onchange={on_scenario}
                        title={props.scenario.map_or("", |i| SCENARIOS[i].title).to_string() + " (load a preset with its guided tour)"}>
                        <option value="" selected={props.scenario.is_none()} disabled=true>{ "choose a tour…" }</option>
                        { for SCENARIOS.iter().enumerate().map(|(i, s)| html! {
                            <option value={i.to_string()} selected={props.scenario == Some(i)}>{ s.title }</option>
                        }) }
                    </select>
                </label>
                <label class="version">
                    { "cgroup " }
                    <select id="version-select" {onchange} title="Changing the version starts an empty machine (it asks first when this one has edits)">
                        <option value="v1" selected={is_v1}>{ "v1 (memory controller)" }</option>
                        <option value="v2" selected={!is_v1}>{ "v2 (unified)" }</option>
                    </select>
                </label>
                <label class="theme">
                    { "theme " }
                    <select id="theme-select" onchange={on_theme} aria-keyshortcuts="t" title="Colour theme (t cycles)">
                        { for [Theme::Auto, Theme::Light, Theme::Dark].into_iter().map(|t| html! {
                            <option value={t.name()} selected={props.theme == t}>{ t.name() }</option>
                        }) }
                    </select>
                </label>
                { props.children.clone() }
            </div>
        </header>
    }
}
