//! The playground must never die silently: a panic shows `#error-panel`
//! with the message (and logs it to the browser console).

use wasm_bindgen::JsValue;

/// Installs the panic hook. Called from `start` only on the real page, so the
/// test harness keeps its own hook.
pub fn install() {
    std::panic::set_hook(Box::new(|info| {
        let message = info.to_string();
        web_sys::console::error_1(&JsValue::from_str(&format!(
            "memcg playground panicked: {message}"
        )));
        show_error(&format!(
            "The playground crashed: {message}. Reload the page to start again."
        ));
    }));
}

/// Shows `message` in `#error-panel`, creating the panel at the top of
/// `<body>` if the page has none.
pub fn show_error(message: &str) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let panel = match doc.get_element_by_id("error-panel") {
        Some(panel) => panel,
        None => {
            let (Ok(panel), Some(body)) = (doc.create_element("div"), doc.body()) else {
                return;
            };
            panel.set_id("error-panel");
            let _ = panel.set_attribute("role", "alert");
            let _ = body.prepend_with_node_1(&panel);
            panel
        }
    };
    panel.set_text_content(Some(message));
    let _ = panel.remove_attribute("hidden");
}
