//! Mounts the playground in headless Chrome and drives it like a user:
//! `wasm-pack test --headless --chrome --mode no-install web`.
#![cfg(target_arch = "wasm32")]

use memcg_web::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Document, Element, HtmlElement, HtmlInputElement, KeyboardEvent, KeyboardEventInit};

wasm_bindgen_test_configure!(run_in_browser);

const SEED: [&str; 6] = [
    "mkdir /sys/fs/cgroup/memory/test/",
    "echo 1G > /sys/fs/cgroup/memory/test/memory.limit_in_bytes",
    "echo 95 > /sys/fs/cgroup/memory/test/memory.wmark_ratio",
    "cat /sys/fs/cgroup/memory/test/memory.wmark_scale_factor",
    "cat /sys/fs/cgroup/memory/test/memory.wmark_high",
    "cat /sys/fs/cgroup/memory/test/memory.wmark_low",
];

fn document() -> Document {
    web_sys::window().unwrap().document().unwrap()
}

/// Mounts a fresh `App` in its own root and returns that root. Tests share
/// one page, so every query below is scoped to the root.
async fn mount() -> Element {
    let doc = document();
    let root = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&root).unwrap();
    yew::Renderer::<App>::with_root(root.clone()).render();
    yew::scheduler::flush().await;
    root
}

fn find(root: &Element, selector: &str) -> Element {
    root.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no element matches {selector}"))
}

/// Types `line` into the console and presses Enter, as a user would.
async fn run(root: &Element, line: &str) {
    let input: HtmlInputElement = find(root, "#console-input").dyn_into().unwrap();
    input.set_value(line);
    let init = KeyboardEventInit::new();
    init.set_key("Enter");
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    input.dispatch_event(&event).unwrap();
    yew::scheduler::flush().await;
}

fn lines(root: &Element, class: &str) -> Vec<String> {
    let list = root
        .query_selector_all(&format!("#console-output .{class}"))
        .unwrap();
    (0..list.length())
        .map(|i| {
            list.item(i)
                .unwrap()
                .text_content()
                .unwrap()
                .trim_end()
                .to_string()
        })
        .collect()
}

#[wasm_bindgen_test]
async fn seed_commands_print_the_documented_values() {
    let root = mount().await;
    for line in SEED {
        run(&root, line).await;
    }
    let output = find(&root, "#console-output").text_content().unwrap();
    for expected in ["50", "1020051456", "1014685696"] {
        assert!(
            output.contains(expected),
            "{expected} missing in:\n{output}"
        );
    }
    assert_eq!(lines(&root, "stdout"), ["50", "1020051456", "1014685696"]);
    assert!(lines(&root, "stderr").is_empty(), "{output}");
    // Every command is echoed after its prompt.
    let inputs = lines(&root, "input");
    assert_eq!(inputs.len(), SEED.len());
    assert!(inputs[0].ends_with("# mkdir /sys/fs/cgroup/memory/test/"));
    // The input is cleared after each command.
    let input: HtmlInputElement = find(&root, "#console-input").dyn_into().unwrap();
    assert_eq!(input.value(), "");
}

#[wasm_bindgen_test]
async fn invalid_write_prints_bash_error_on_stderr() {
    let root = mount().await;
    run(&root, "mkdir /sys/fs/cgroup/memory/test/").await;
    run(
        &root,
        "echo 101 > /sys/fs/cgroup/memory/test/memory.wmark_ratio",
    )
    .await;
    assert_eq!(
        lines(&root, "stderr"),
        ["bash: echo: write error: Invalid argument"]
    );
    assert!(lines(&root, "stdout").is_empty());
}

#[wasm_bindgen_test]
async fn selecting_a_cgroup_shows_its_files() {
    let root = mount().await;
    // The root cgroup is selected at first.
    let inspector = find(&root, "#inspector");
    assert_eq!(
        inspector.get_attribute("data-path").as_deref(),
        Some("/sys/fs/cgroup/memory")
    );
    run(&root, "mkdir /sys/fs/cgroup/memory/test/").await;
    run(
        &root,
        "echo 95 > /sys/fs/cgroup/memory/test/memory.wmark_ratio",
    )
    .await;

    let node: HtmlElement = find(
        &root,
        r#"#cgroup-tree button[data-path="/sys/fs/cgroup/memory/test"]"#,
    )
    .dyn_into()
    .unwrap();
    node.click();
    yew::scheduler::flush().await;

    assert!(node.class_name().split(' ').any(|c| c == "selected"));
    let inspector = find(&root, "#inspector");
    assert_eq!(
        inspector.get_attribute("data-path").as_deref(),
        Some("/sys/fs/cgroup/memory/test")
    );
    let value = |file: &str| {
        find(&inspector, &format!(r#"tr[data-file="{file}"] td.value"#))
            .text_content()
            .unwrap()
    };
    assert_eq!(value("memory.wmark_ratio"), "95");
    assert_eq!(value("memory.wmark_scale_factor"), "50");
    assert!(inspector.query_selector_all("tbody tr").unwrap().length() > 3);
}

#[wasm_bindgen_test]
async fn arrow_up_recalls_history() {
    let root = mount().await;
    run(&root, "cd /sys/fs/cgroup/memory").await;
    run(&root, "cat memory.wmark_ratio").await;
    let input: HtmlInputElement = find(&root, "#console-input").dyn_into().unwrap();
    let press = |key: &str| {
        let init = KeyboardEventInit::new();
        init.set_key(key);
        init.set_bubbles(true);
        let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
        input.dispatch_event(&event).unwrap();
    };
    input.set_value("draft");
    press("ArrowUp");
    assert_eq!(input.value(), "cat memory.wmark_ratio");
    press("ArrowUp");
    assert_eq!(input.value(), "cd /sys/fs/cgroup/memory");
    press("ArrowUp");
    assert_eq!(input.value(), "cd /sys/fs/cgroup/memory");
    press("ArrowDown");
    assert_eq!(input.value(), "cat memory.wmark_ratio");
    press("ArrowDown");
    assert_eq!(input.value(), "draft");
}

#[wasm_bindgen_test]
async fn version_selector_resets_to_v2() {
    let root = mount().await;
    run(&root, "mkdir /sys/fs/cgroup/memory/test/").await;
    let select: web_sys::HtmlSelectElement = find(&root, "#version-select").dyn_into().unwrap();
    select.set_value("v2");
    let event = web_sys::Event::new_with_event_init_dict("change", &{
        let init = web_sys::EventInit::new();
        init.set_bubbles(true);
        init
    })
    .unwrap();
    select.dispatch_event(&event).unwrap();
    yew::scheduler::flush().await;
    let tree = find(&root, "#cgroup-tree");
    let first = find(&tree, "button");
    assert_eq!(
        first.get_attribute("data-path").as_deref(),
        Some("/sys/fs/cgroup")
    );
    assert_eq!(tree.query_selector_all("button").unwrap().length(), 1);
    assert_eq!(
        find(&root, "#console-prompt").text_content().unwrap(),
        "root@memcg:/sys/fs/cgroup#"
    );
}

#[wasm_bindgen_test]
fn error_panel_shows_message() {
    memcg_web::show_error("boom");
    let panel = document().get_element_by_id("error-panel").unwrap();
    assert_eq!(panel.text_content().unwrap(), "boom");
    assert!(!panel.has_attribute("hidden"));
}
