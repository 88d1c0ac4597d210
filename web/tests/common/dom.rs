// Shared by app.rs and share.rs: a root to mount into, lookups, clicks and
// waits, the way the browser tests drive the page. Waits print how long they
// took and fail only past a hang guard: tests assert behaviour, never wall
// time (a loaded 2-core machine is many times slower than an idle one).

use std::time::Duration;

use web_sys::{Element, MouseEvent, MouseEventInit};

/// A fresh `<div>` appended to `<body>`.
pub fn new_root() -> Element {
    let doc = web_sys::window().unwrap().document().unwrap();
    let root = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&root).unwrap();
    root
}

pub fn find(root: &Element, selector: &str) -> Element {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no element matches {selector}"))
}

/// A click on any element (SVG included).
pub async fn click(el: &Element) {
    let init = MouseEventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = MouseEvent::new_with_mouse_event_init_dict("click", &init).unwrap();
    el.dispatch_event(&event).unwrap();
    yew::scheduler::flush().await;
}

pub async fn sleep_ms(ms: u64) {
    yew::platform::time::sleep(Duration::from_millis(ms)).await;
    yew::scheduler::flush().await;
}

/// Polls `done` until it holds and prints how long that took. Fails only
/// once `hang_guard_ms` have passed, a limit far above the expected time.
pub async fn wait_until(what: &str, hang_guard_ms: f64, mut done: impl FnMut() -> bool) {
    let t0 = js_sys::Date::now();
    loop {
        let waited = js_sys::Date::now() - t0;
        if done() {
            wasm_bindgen_test::console_log!("{what}: after {waited:.0} ms");
            return;
        }
        assert!(
            waited < hang_guard_ms,
            "{what}: not after {waited:.0} ms (hang guard)"
        );
        sleep_ms(20).await;
    }
}
