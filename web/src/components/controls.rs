//! Play/pause, single steps, speed on a log scale, restart, and the clock.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::on_click;

use crate::format;
use crate::state::{SPEED_MAX, SPEED_MIN};

/// What the bar shows and does. A plain function of these, not a
/// component: the clock changes every frame, so a component would render
/// every frame anyway, and its machinery is wasm of its own.
pub struct ControlsProps {
    pub playing: bool,
    /// Tenths of a decade: speed = 10^(speed/10) virtual s per s.
    pub speed: i32,
    pub now: u64,
    pub lagging: bool,
    pub on_toggle: Callback<()>,
    pub on_step_event: Callback<()>,
    pub on_step_ms: Callback<()>,
    pub on_speed: Callback<i32>,
    pub on_restart: Callback<()>,
    pub on_help: Callback<()>,
    /// The embed's short bar: no "+1 ms" nor help button.
    pub compact: bool,
}

pub fn controls(props: &ControlsProps) -> Html {
    let on_speed = {
        let cb = props.on_speed.clone();
        Callback::from(move |e: InputEvent| {
            let input: HtmlInputElement = e.target_unchecked_into();
            if let Ok(v) = input.value().parse::<i32>() {
                cb.emit(v);
            }
        })
    };
    let speed_text = format::speed(props.speed);
    html! {
        <div class="controls" role="toolbar" aria-label="simulation controls">
            <button id="play" type="button" class="primary"
                aria-pressed={props.playing.to_string()}
                aria-keyshortcuts="Space"
                title="Play or pause (Space)"
                onclick={on_click(&props.on_toggle)}>
                { if props.playing { "❚❚ Pause" } else { "▶ Play" } }
            </button>
            <button id="step-event" type="button" aria-keyshortcuts="s" title="Process one event (s)"
                onclick={on_click(&props.on_step_event)}>{ "Step event" }</button>
            if !props.compact {
                <button id="step-ms" type="button" aria-keyshortcuts="m" title="Advance 1 ms of virtual time (m)"
                    onclick={on_click(&props.on_step_ms)}>{ "+1 ms" }</button>
            }
            <label class="speed">
                <span>{ "speed" }</span>
                <input id="speed" type="range"
                    min={SPEED_MIN.to_string()} max={SPEED_MAX.to_string()} step="1"
                    value={props.speed.to_string()}
                    aria-valuetext={format!("{speed_text} real time")}
                    aria-keyshortcuts="+ -"
                    title="Virtual seconds per second, log scale (+ and - keys)"
                    oninput={on_speed} />
                <output id="speed-value" for="speed">{ speed_text }</output>
            </label>
            <button id="restart" type="button" aria-keyshortcuts="Shift+R" title="Start the scenario over (Shift+R)"
                onclick={on_click(&props.on_restart)}>{ "↺ Reset" }</button>
            <span id="clock" class="clock" data-now={props.now.to_string()} aria-live="off">
                { "t = " }{ format::clock(props.now) }
            </span>
            if props.lagging && props.playing {
                <span class="lagging" role="status">{ "⚠ at full speed: the simulation cannot keep up" }</span>
            }
            if !props.compact {
                <button id="help-button" type="button" class="help-button" aria-keyshortcuts="?" title="Keyboard shortcuts (?)"
                    onclick={on_click(&props.on_help)}>{ "? Keys" }</button>
            }
        </div>
    }
}
