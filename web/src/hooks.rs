//! [`App`](crate::App)'s effects as named hooks, each the browser's side of
//! one input or output of the state: animation frames and their timing,
//! the keyboard, the URL fragment and the theme. They read the browser
//! (`performance.now()`, events) and dispatch actions; the reducer itself
//! reads no clock.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::share;
use crate::state::{Action, State, Theme};
use crate::timing::{self, perf_now, FRAME_START};

type FrameCallback = Closure<dyn FnMut(f64)>;

/// Runs `f(dt_ms, wall_ms)` on every animation frame until the returned
/// guard's flag is cleared.
pub(crate) fn animation_loop(mut f: impl FnMut(f64, f64) + 'static) -> Rc<Cell<bool>> {
    let alive = Rc::new(Cell::new(true));
    let slot: Rc<RefCell<Option<FrameCallback>>> = Rc::new(RefCell::new(None));
    let last = Cell::new(None::<f64>);
    let (alive2, slot2) = (alive.clone(), slot.clone());
    *slot.borrow_mut() = Some(Closure::new(move |ts: f64| {
        if !alive2.get() {
            return;
        }
        let dt = last.get().map_or(16.0, |l| ts - l);
        last.set(Some(ts));
        f(dt, ts);
        if let (Some(w), Some(cb)) = (web_sys::window(), slot2.borrow().as_ref()) {
            let _ = w.request_animation_frame(cb.as_ref().unchecked_ref());
        }
    }));
    if let (Some(w), Some(cb)) = (web_sys::window(), slot.borrow().as_ref()) {
        let _ = w.request_animation_frame(cb.as_ref().unchecked_ref());
    }
    alive
}

/// requestAnimationFrame drives the simulation: a `Tick` every frame, with
/// the frame's time.
#[hook]
pub(crate) fn use_animation_frame(dispatcher: UseReducerDispatcher<State>) {
    use_effect_with((), move |_| {
        let alive = animation_loop(move |dt_ms, wall_ms| {
            FRAME_START.with(|s| s.set(Some(perf_now())));
            dispatcher.dispatch(Action::Tick { dt_ms, wall_ms });
        });
        move || alive.set(false)
    });
}

/// Frame timing: the render a frame caused has finished (recorded while
/// `playing`).
#[hook]
pub(crate) fn use_frame_timing(playing: bool) {
    use_effect(move || {
        if let Some(t0) = FRAME_START.with(|s| s.take()) {
            if playing {
                timing::record_frame(perf_now() - t0);
            }
        }
    });
}

/// The page's URL fragment and the state, with `url` (the page's own app):
/// the URL follows the state whenever it rests (paused, not on a tour stop:
/// reloading a tour's URL restarts the tour; nothing loading), and a link
/// pasted into the address bar (only the fragment changed) is opened.
/// Returns the fragment this page last wrote, which the share menu's
/// "link" also sets.
#[hook]
pub(crate) fn use_url_state(
    state: UseReducerHandle<State>,
    url: bool,
    embed: bool,
) -> Rc<RefCell<String>> {
    let written = use_mut_ref(String::new);
    {
        let rests =
            url && !embed && !state.playing && state.tour.is_none() && state.loading.is_none();
        let (st, written) = (state.clone(), written.clone());
        // The compare view's link is its definition.
        let cmp = st.compare.as_ref().map(|c| c.def.fragment());
        use_effect_with((state.rev, rests, cmp), move |(_, rests, cmp)| {
            if let Some(f) = cmp.as_ref().filter(|_| url && !embed) {
                if *written.borrow() != *f {
                    share::memcg_set_hash(f);
                    *written.borrow_mut() = f.clone();
                }
                return;
            }
            let rests = *rests;
            let model = st.model.borrow();
            if rests && (!model.sim.journal().is_empty() || model.sim.now() > 0) {
                if let Ok(f) = share::fragment(&model.sim) {
                    if *written.borrow() != f {
                        share::memcg_set_hash(&f);
                        *written.borrow_mut() = f;
                    }
                }
            }
        });
    }
    {
        let (d, written) = (state.dispatcher(), written.clone());
        use_effect_with((), move |_| {
            let listener = Closure::<dyn FnMut(web_sys::Event)>::new(move |_: web_sys::Event| {
                let hash = share::memcg_hash();
                let frag = hash.trim_start_matches('#');
                if !frag.is_empty() && *written.borrow() != frag {
                    *written.borrow_mut() = frag.to_string();
                    if frag.starts_with("cmp=") {
                        d.dispatch(Action::OpenCompare(crate::compare::Comparison::parse(frag)));
                        return;
                    }
                    d.dispatch(Action::Open(share::parse_link(frag), "link"));
                }
            });
            let window = web_sys::window().filter(|_| url);
            if let Some(w) = &window {
                let _ = w.add_event_listener_with_callback(
                    "hashchange",
                    listener.as_ref().unchecked_ref(),
                );
            }
            move || {
                if let Some(w) = window {
                    let _ = w.remove_event_listener_with_callback(
                        "hashchange",
                        listener.as_ref().unchecked_ref(),
                    );
                }
                drop(listener);
            }
        });
    }
    written
}

fn typing_target(e: &web_sys::KeyboardEvent) -> bool {
    let Some(el) = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return false;
    };
    matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT") || el.is_content_editable()
}

fn focus(selector: &str) {
    if let Some(el) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(selector).ok().flatten())
    {
        // The tree is an <svg>: focus() is the same method there.
        let _ = el.unchecked_into::<web_sys::HtmlElement>().focus();
    }
}

/// The action for a global shortcut key, if it is one.
pub(crate) fn shortcut(e: &web_sys::KeyboardEvent) -> Option<Action> {
    if e.ctrl_key() || e.meta_key() || e.alt_key() || typing_target(e) {
        return None;
    }
    let on_button = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| matches!(el.tag_name().as_str(), "BUTTON" | "A" | "SUMMARY"));
    Some(match e.key().as_str() {
        " " if on_button => return None,
        " " | "k" => Action::TogglePlay,
        "s" | "." => Action::StepEvent,
        "m" => Action::StepMs,
        "+" | "=" => Action::SpeedBy(1),
        "-" | "_" => Action::SpeedBy(-1),
        "[" => Action::SeekBy(-1_000_000_000),
        "]" => Action::SeekBy(1_000_000_000),
        "n" => Action::TourNext,
        "R" => Action::Restart,
        "t" => Action::CycleTheme,
        "?" => Action::ToggleHelp,
        "Escape" => Action::CloseHelp,
        "g" => {
            focus("#cgroup-tree");
            return Some(Action::Noop);
        }
        "/" => {
            focus("#console-input");
            return Some(Action::Noop);
        }
        _ => return None,
    })
}

/// Keyboard shortcuts, on the document. A key pressed inside another
/// playground on the same page (tests mount several) is not ours: `root`
/// is this one's. An embed takes only the keys pressed inside it (its
/// root's onkeydown), so it listens to nothing here.
#[hook]
pub(crate) fn use_keyboard(dispatcher: UseReducerDispatcher<State>, root: NodeRef, embed: bool) {
    use_effect_with(embed, move |&embed| {
        let listener =
            Closure::<dyn FnMut(web_sys::KeyboardEvent)>::new(move |e: web_sys::KeyboardEvent| {
                let other = e
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                    .and_then(|t| t.closest(".playground").ok().flatten())
                    .is_some_and(|p| Some(p) != root.cast::<web_sys::Element>());
                if other {
                    return;
                }
                if let Some(action) = shortcut(&e) {
                    e.prevent_default();
                    dispatcher.dispatch(action);
                }
            });
        let doc = web_sys::window()
            .and_then(|w| w.document())
            .filter(|_| !embed);
        if let Some(doc) = &doc {
            let _ =
                doc.add_event_listener_with_callback("keydown", listener.as_ref().unchecked_ref());
        }
        move || {
            if let Some(doc) = doc {
                let _ = doc.remove_event_listener_with_callback(
                    "keydown",
                    listener.as_ref().unchecked_ref(),
                );
            }
            drop(listener);
        }
    });
}

fn apply_theme(theme: Theme) {
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Some(root) = window.document().and_then(|d| d.document_element()) {
        let _ = root.set_attribute("data-theme", theme.name());
    }
    if let Ok(Some(storage)) = window.local_storage() {
        let _ = storage.set_item("memcg-theme", theme.name());
    }
}

/// The theme on `<html data-theme>`, remembered in local storage (an embed
/// leaves its host page alone).
#[hook]
pub(crate) fn use_theme(theme: Theme, embed: bool) {
    use_effect_with(theme, move |theme| {
        if !embed {
            apply_theme(*theme)
        }
    });
}
