// Shared by app.rs and share.rs: a root to mount into, lookups, clicks and
// waits, the way the browser tests drive the page.

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
