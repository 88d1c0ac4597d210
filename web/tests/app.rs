//! Mounts the playground in headless Chrome and drives it like a user:
//! `wasm-pack test --headless --chrome --mode no-install web`.
//!
//! Component tests for the console, the tree, the inspector, the controls
//! and the scrubber. Every test mounts its own `App` in its own root; the
//! page's keyboard shortcuts listen on the document, so tests that press
//! shortcut keys send them to their own root's elements.
#![cfg(target_arch = "wasm32")]

use memcg_web::scenarios::{by_id, SCENARIOS};
use memcg_web::{App, AppProps};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{
    Document, Element, Event, EventInit, HtmlElement, HtmlInputElement, HtmlSelectElement,
    KeyboardEvent, KeyboardEventInit,
};

wasm_bindgen_test_configure!(run_in_browser);

#[path = "common/dom.rs"]
mod dom;
use dom::{click, find, new_root, sleep_ms, wait_until};

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

/// Mounts a fresh `App` (an empty v1 machine) in its own root.
async fn mount() -> Element {
    let root = new_root();
    yew::Renderer::<App>::with_root(root.clone()).render();
    yew::scheduler::flush().await;
    root
}

/// Mounts an `App` with a scenario loaded.
async fn mount_scenario(id: &str) -> Element {
    let root = new_root();
    let props = AppProps {
        scenario: Some(id.to_string()),
        ..AppProps::default()
    };
    yew::Renderer::<App>::with_root_and_props(root.clone(), props).render();
    yew::scheduler::flush().await;
    root
}

fn html_el(root: &Element, selector: &str) -> HtmlElement {
    find(root, selector).dyn_into().unwrap()
}

fn attr(el: &Element, name: &str) -> String {
    el.get_attribute(name)
        .unwrap_or_else(|| panic!("no {name} on {}", el.outer_html()))
}

fn playground(root: &Element) -> Element {
    find(root, ".playground")
}

fn now(root: &Element) -> u64 {
    attr(&playground(root), "data-now").parse().unwrap()
}

async fn key(el: &Element, key: &str) {
    let init = KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let event = KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    el.dispatch_event(&event).unwrap();
    yew::scheduler::flush().await;
}

async fn fire(el: &Element, kind: &str) {
    let init = EventInit::new();
    init.set_bubbles(true);
    let event = Event::new_with_event_init_dict(kind, &init).unwrap();
    el.dispatch_event(&event).unwrap();
    yew::scheduler::flush().await;
}

/// Types `line` into the console and presses Enter, as a user would.
async fn run(root: &Element, line: &str) {
    let input: HtmlInputElement = find(root, "#console-input").dyn_into().unwrap();
    input.set_value(line);
    key(&input, "Enter").await;
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

fn node(root: &Element, path: &str) -> Element {
    find(root, &format!(r#"#cgroup-tree [data-path="{path}"]"#))
}

async fn select_scenario(root: &Element, id: &str) {
    let select: HtmlSelectElement = find(root, "#scenario-select").dyn_into().unwrap();
    select.set_value(&by_id(id).unwrap().to_string());
    fire(&select, "change").await;
}

// --- console -----------------------------------------------------------------

#[wasm_bindgen_test]
async fn seed_commands_print_the_documented_values() {
    let root = mount().await;
    for line in SEED {
        run(&root, line).await;
    }
    let output = find(&root, "#console-output").text_content().unwrap();
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
async fn arrow_up_recalls_history() {
    let root = mount().await;
    run(&root, "cd /sys/fs/cgroup/memory").await;
    run(&root, "cat memory.wmark_ratio").await;
    let input: HtmlInputElement = find(&root, "#console-input").dyn_into().unwrap();
    input.set_value("draft");
    key(&input, "ArrowUp").await;
    assert_eq!(input.value(), "cat memory.wmark_ratio");
    key(&input, "ArrowUp").await;
    assert_eq!(input.value(), "cd /sys/fs/cgroup/memory");
    key(&input, "ArrowUp").await;
    assert_eq!(input.value(), "cd /sys/fs/cgroup/memory");
    key(&input, "ArrowDown").await;
    assert_eq!(input.value(), "cat memory.wmark_ratio");
    key(&input, "ArrowDown").await;
    assert_eq!(input.value(), "draft");
}

#[wasm_bindgen_test]
async fn spawn_and_sleep_in_the_console_move_the_simulation() {
    let root = mount().await;
    run(&root, "mkdir /sys/fs/cgroup/memory/w").await;
    run(
        &root,
        "spawn /sys/fs/cgroup/memory/w anon 64M --rate 100M/s --hold",
    )
    .await;
    assert_eq!(lines(&root, "stdout"), ["1001"]);
    run(&root, "sleep 1s").await;
    assert_eq!(now(&root), 1_000_000_000);
    let w = node(&root, "/sys/fs/cgroup/memory/w");
    assert_eq!(attr(&w, "data-usage"), (64u64 << 20).to_string());
}

// --- tree --------------------------------------------------------------------

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
    click(&node(&root, "/sys/fs/cgroup/memory/test")).await;

    let node = node(&root, "/sys/fs/cgroup/memory/test");
    assert_eq!(attr(&node, "aria-selected"), "true");
    assert_eq!(attr(&node, "role"), "treeitem");
    let inspector = find(&root, "#inspector");
    assert_eq!(attr(&inspector, "data-path"), "/sys/fs/cgroup/memory/test");
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
async fn tree_draws_bars_lines_and_work_state() {
    let root = mount_scenario("stalls").await;
    let items = root
        .query_selector_all("#cgroup-tree [role=treeitem]")
        .unwrap();
    assert_eq!(items.length(), 3);
    let w = node(&root, "/sys/fs/cgroup/wmark95");
    assert_eq!(attr(&w, "data-max"), (512u64 << 20).to_string());
    assert_eq!(attr(&w, "data-wmark-high"), "510025728");
    assert_eq!(attr(&w, "data-work"), "idle");
    // One line per threshold, each with its own style class.
    for class in ["limit", "wmark-high", "wmark-low"] {
        assert!(
            w.query_selector(&format!(".mark.{class} line"))
                .unwrap()
                .is_some(),
            "{class}"
        );
    }
    // ratio 0: no watermark lines.
    let r0 = node(&root, "/sys/fs/cgroup/ratio0");
    assert!(r0.query_selector(".mark.wmark-high").unwrap().is_none());
    // The badge says the state in words, not only in colour.
    assert_eq!(find(&w, ".badge text").text_content().unwrap(), "idle");
}

#[wasm_bindgen_test]
async fn tree_keyboard_collapses_and_names_never_overlap() {
    let root = mount_scenario("fleet").await;
    let tree = find(&root, "#cgroup-tree");
    let count = || {
        root.query_selector_all("#cgroup-tree [role=treeitem]")
            .unwrap()
            .length()
    };
    // Ten collapsed groups under the root.
    assert_eq!(count(), 11);
    let g0 = node(&root, "/sys/fs/cgroup/g0");
    assert_eq!(attr(&g0, "aria-expanded"), "false");
    // g0 is selected by the scenario: Right expands it, Left collapses it.
    key(&tree, "ArrowRight").await;
    assert_eq!(count(), 30);
    key(&tree, "ArrowDown").await;
    assert_eq!(
        attr(&playground(&root), "data-now"),
        "0",
        "moving the selection does not run the simulation"
    );
    assert_eq!(
        find(&root, "#inspector")
            .get_attribute("data-path")
            .as_deref(),
        Some("/sys/fs/cgroup/g0/c0")
    );
    key(&tree, "ArrowLeft").await; // to the parent
    assert_eq!(
        find(&root, "#inspector")
            .get_attribute("data-path")
            .as_deref(),
        Some("/sys/fs/cgroup/g0")
    );
    // Open a second group by clicking its triangle, then check that no two
    // names overlap and every name ends before its bar.
    click(&find(&node(&root, "/sys/fs/cgroup/g1"), ".toggle")).await;
    assert_eq!(count(), 49);
    let names = root.query_selector_all("#cgroup-tree .cg .name").unwrap();
    let mut last_bottom = f64::MIN;
    for i in 0..names.length() {
        let name: Element = names.item(i).unwrap().dyn_into().unwrap();
        let r = name.get_bounding_client_rect();
        assert!(
            r.top() >= last_bottom - 0.5,
            "row {i} overlaps the one above"
        );
        last_bottom = r.bottom();
        let row = name.parent_element().unwrap();
        let bar = row.query_selector(".bar-bg").unwrap().unwrap();
        assert!(
            r.right() <= bar.get_bounding_client_rect().left() + 0.5,
            "name {i} runs into its bar"
        );
    }
    key(&tree, "ArrowLeft").await;
    assert_eq!(count(), 30);
}

// --- inspector ---------------------------------------------------------------

fn file_values(root: &Element) -> Vec<String> {
    let cells = root.query_selector_all("#inspector td.value").unwrap();
    (0..cells.length())
        .map(|i| cells.item(i).unwrap().text_content().unwrap())
        .collect()
}

async fn edit_file(root: &Element, file: &str, value: &str) {
    let button = find(
        root,
        &format!(r#"#inspector tr[data-file="{file}"] button.file-value"#),
    );
    click(&button).await;
    let input: HtmlInputElement = find(
        root,
        &format!(r#"#inspector tr[data-file="{file}"] input.file-edit"#),
    )
    .dyn_into()
    .unwrap();
    input.set_value(value);
    key(&input, "Enter").await;
}

#[wasm_bindgen_test]
async fn inspector_invalid_write_shows_invalid_argument_and_changes_nothing() {
    let root = mount().await;
    run(&root, "mkdir /sys/fs/cgroup/memory/test/").await;
    click(&node(&root, "/sys/fs/cgroup/memory/test")).await;
    let before = file_values(&root);

    edit_file(&root, "memory.wmark_ratio", "101").await;
    let error = find(
        &root,
        r#"#inspector tr.write-error[data-error-for="memory.wmark_ratio"]"#,
    );
    let text = error.text_content().unwrap();
    assert!(text.contains("Invalid argument"), "{text}");
    assert_eq!(attr(&find(&error, "td"), "role"), "alert");
    assert_eq!(
        file_values(&root),
        before,
        "a rejected write changed a file"
    );
    // The console shows the same write as a shell would.
    assert_eq!(
        lines(&root, "stderr"),
        ["bash: echo: write error: Invalid argument"]
    );

    // A valid write goes through and clears the error.
    edit_file(&root, "memory.limit_in_bytes", "1G").await;
    edit_file(&root, "memory.wmark_ratio", "95").await;
    assert!(root
        .query_selector("#inspector tr.write-error")
        .unwrap()
        .is_none());
    let value = |file: &str| {
        find(
            &root,
            &format!(r#"#inspector tr[data-file="{file}"] td.value"#),
        )
        .text_content()
        .unwrap()
    };
    assert_eq!(value("memory.wmark_ratio"), "95");
    assert_eq!(value("memory.wmark_high"), "1020051456");
    assert_eq!(value("memory.wmark_low"), "1014685696");
}

#[wasm_bindgen_test]
async fn inspector_escape_cancels_an_edit() {
    let root = mount().await;
    run(&root, "mkdir /sys/fs/cgroup/memory/test/").await;
    click(&node(&root, "/sys/fs/cgroup/memory/test")).await;
    let button = find(
        &root,
        r#"#inspector tr[data-file="memory.wmark_ratio"] button.file-value"#,
    );
    click(&button).await;
    let input: HtmlInputElement = find(&root, "#inspector input.file-edit")
        .dyn_into()
        .unwrap();
    input.set_value("50");
    key(&input, "Escape").await;
    assert!(root
        .query_selector("#inspector input.file-edit")
        .unwrap()
        .is_none());
    let value = find(
        &root,
        r#"#inspector tr[data-file="memory.wmark_ratio"] td.value"#,
    );
    assert_eq!(value.text_content().unwrap(), "0");
}

#[wasm_bindgen_test]
async fn workloads_add_edit_and_remove_tasks() {
    let root = mount().await;
    run(&root, "mkdir /sys/fs/cgroup/memory/w").await;
    click(&node(&root, "/sys/fs/cgroup/memory/w")).await;
    let size: HtmlInputElement = find(&root, "#spawn-size").dyn_into().unwrap();
    size.set_value("32M");
    fire(&size, "input").await;
    click(&find(&root, "#spawn-submit")).await;
    let row = find(&root, "#workloads tr[data-pid]");
    assert_eq!(attr(&row, "data-pid"), "1001");
    assert!(lines(&root, "input")
        .last()
        .unwrap()
        .ends_with("spawn /sys/fs/cgroup/memory/w steady 32M --rate 50M/s"));
    // Edit: the form takes the task's spec; Replace kills it and spawns anew.
    click(&find(&row, "button")).await;
    let kind: HtmlSelectElement = find(&root, "#spawn-kind").dyn_into().unwrap();
    assert_eq!(kind.value(), "steady");
    kind.set_value("burst");
    fire(&kind, "change").await;
    click(&find(&root, "#spawn-submit")).await;
    let live = root
        .query_selector_all("#workloads tr[data-pid]:not(.gone)")
        .unwrap();
    assert_eq!(live.length(), 1);
    let live: Element = live.item(0).unwrap().dyn_into().unwrap();
    assert_eq!(attr(&live, "data-pid"), "1002");
    // Remove.
    let remove = live.query_selector_all("button").unwrap().item(1).unwrap();
    click(&remove.dyn_into().unwrap()).await;
    assert_eq!(
        root.query_selector_all("#workloads tr[data-pid]:not(.gone)")
            .unwrap()
            .length(),
        0
    );
}

// --- controls ----------------------------------------------------------------

#[wasm_bindgen_test]
async fn controls_step_speed_and_play() {
    let root = mount_scenario("stalls").await;
    let pg = playground(&root);
    assert_eq!(now(&root), 0);
    let len = || {
        attr(&playground(&root), "data-trace-len")
            .parse::<u64>()
            .unwrap()
    };
    let len0 = len();
    click(&find(&root, "#step-ms")).await;
    assert!(now(&root) >= 1_000_000, "{}", now(&root));
    let t1 = now(&root);
    click(&find(&root, "#step-event")).await;
    assert!(now(&root) >= t1);
    assert!(len() >= len0);
    // Speed: a log-scale slider.
    let speed: HtmlInputElement = find(&root, "#speed").dyn_into().unwrap();
    speed.set_value("20");
    fire(&speed, "input").await;
    assert_eq!(find(&root, "#speed-value").text_content().unwrap(), "×100");
    // Play runs frames; Pause stops them.
    let play = find(&root, "#play");
    click(&play).await;
    assert_eq!(attr(&pg, "data-playing"), "true");
    assert_eq!(attr(&play, "aria-pressed"), "true");
    let t = now(&root);
    wait_until("first frame after play", 10_000.0, || now(&root) > t).await;
    click(&play).await;
    assert_eq!(attr(&playground(&root), "data-playing"), "false");
    let t = now(&root);
    sleep_ms(100).await;
    assert_eq!(now(&root), t);
}

#[wasm_bindgen_test]
async fn shortcuts_play_and_help() {
    let root = mount_scenario("stalls").await;
    // Keys sent to a non-typing element reach the document's handler.
    let tree = find(&root, "#cgroup-tree");
    key(&tree, "?").await;
    let help = find(&root, "#help");
    assert_eq!(attr(&help, "role"), "dialog");
    assert!(help.text_content().unwrap().contains("play / pause"));
    key(&help, "Escape").await;
    assert!(root.query_selector("#help").unwrap().is_none());
    key(&tree, " ").await;
    assert_eq!(attr(&playground(&root), "data-playing"), "true");
    key(&tree, " ").await;
    assert_eq!(attr(&playground(&root), "data-playing"), "false");
    // In the console, keys are text.
    let input = find(&root, "#console-input");
    key(&input, " ").await;
    assert_eq!(attr(&playground(&root), "data-playing"), "false");
}

#[wasm_bindgen_test]
async fn tour_next_runs_to_the_next_stop() {
    let root = mount_scenario("stalls").await;
    let tour = find(&root, "#tour");
    assert_eq!(attr(&tour, "data-step"), "0");
    let speed: HtmlInputElement = find(&root, "#speed").dyn_into().unwrap();
    speed.set_value("20");
    fire(&speed, "input").await;
    click(&find(&root, "#tour-next")).await;
    assert_eq!(attr(&find(&root, "#tour"), "data-waiting"), "true");
    wait_until("tour stop 1", 30_000.0, || {
        attr(&find(&root, "#tour"), "data-waiting") == "false"
    })
    .await;
    let tour = find(&root, "#tour");
    assert_eq!(attr(&tour, "data-step"), "1");
    assert_eq!(attr(&playground(&root), "data-playing"), "false");
    // The stop is the moment wmark95's worker starts.
    let w = node(&root, "/sys/fs/cgroup/wmark95");
    assert!(attr(&w, "data-work").starts_with("running"));
    assert_eq!(attr(&w, "aria-selected"), "true");
}

// --- scrubber ----------------------------------------------------------------

fn straight_run(id: &str, t: u64) -> memcg::sim::Snapshot {
    let sc = &SCENARIOS[by_id(id).unwrap()];
    let mut sim = sc.machine();
    for line in sc.setup() {
        sim.exec(&line);
    }
    sim.run_until(t);
    sim.snapshot()
}

/// Everything the tree shows about each cgroup.
fn tree_state(root: &Element) -> Vec<String> {
    let items = root
        .query_selector_all("#cgroup-tree [role=treeitem]")
        .unwrap();
    (0..items.length())
        .map(|i| {
            let el: Element = items.item(i).unwrap().dyn_into().unwrap();
            [
                "data-path",
                "data-usage",
                "data-work",
                "data-stall-ns",
                "data-max-events",
                "data-worker-ns",
                "aria-label",
            ]
            .iter()
            .map(|a| el.get_attribute(a).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("|")
        })
        .collect()
}

#[wasm_bindgen_test]
async fn scrubber_seek_back_and_forward_matches_a_straight_run() {
    let root = mount_scenario("stalls").await;
    click(&find(&root, "#tour .tour-close")).await;
    let speed: HtmlInputElement = find(&root, "#speed").dyn_into().unwrap();
    speed.set_value("15");
    fire(&speed, "input").await;
    click(&find(&root, "#play")).await;
    wait_until("5 virtual s played", 30_000.0, || {
        now(&root) >= 5_000_000_000
    })
    .await;
    click(&find(&root, "#play")).await;
    let end = now(&root);
    assert!(end >= 5_000_000_000, "played only to {end}");
    let hash = attr(&playground(&root), "data-trace-hash");
    let tree = tree_state(&root);

    // The live state is the state a straight run reaches.
    let want = straight_run("stalls", end);
    assert_eq!(hash, format!("{:016x}", want.trace_hash));

    // Seek back with the scrubber.
    let scrubber: HtmlInputElement = find(&root, "#scrubber").dyn_into().unwrap();
    assert_eq!(scrubber.max(), (end / 1_000_000).to_string());
    scrubber.set_value("2000");
    fire(&scrubber, "input").await;
    let back = now(&root);
    assert!((2_000_000_000..2_020_000_000).contains(&back), "{back}");
    assert_eq!(
        attr(&playground(&root), "data-trace-hash"),
        format!("{:016x}", straight_run("stalls", 2_000_000_000).trace_hash)
    );
    assert_ne!(tree_state(&root), tree);

    // And forward to the end: the same snapshot as before.
    click(&find(
        &root,
        r#".scrubber button[aria-label="seek to the end"]"#,
    ))
    .await;
    assert_eq!(now(&root), end);
    assert_eq!(attr(&playground(&root), "data-trace-hash"), hash);
    assert_eq!(tree_state(&root), tree);

    // An edit after seeking back forks the future: the horizon moves back.
    scrubber.set_value("1000");
    fire(&scrubber, "input").await;
    run(&root, "echo 90 > /sys/fs/cgroup/wmark95/memory.wmark_ratio").await;
    let horizon: u64 = attr(&playground(&root), "data-horizon").parse().unwrap();
    assert!(horizon < 1_100_000_000, "{horizon}");
}

// --- misc --------------------------------------------------------------------

#[wasm_bindgen_test]
async fn version_selector_resets_to_v2() {
    let root = mount().await;
    run(&root, "mkdir /sys/fs/cgroup/memory/test/").await;
    let select: HtmlSelectElement = find(&root, "#version-select").dyn_into().unwrap();
    select.set_value("v2");
    fire(&select, "change").await;
    // A machine with an edit: the page asks first, and Cancel keeps it.
    let _ = find(&root, "#confirm-version");
    html_el(&root, "#confirm-cancel").click();
    yew::scheduler::flush().await;
    assert!(root.query_selector("#confirm-version").unwrap().is_none());
    let _ = node(&root, "/sys/fs/cgroup/memory/test");
    select.set_value("v2");
    fire(&select, "change").await;
    html_el(&root, "#confirm-switch").click();
    yew::scheduler::flush().await;
    let items = root
        .query_selector_all("#cgroup-tree [role=treeitem]")
        .unwrap();
    assert_eq!(items.length(), 1);
    assert_eq!(attr(&node(&root, "/sys/fs/cgroup"), "role"), "treeitem");
    assert_eq!(
        find(&root, "#console-prompt").text_content().unwrap(),
        "root@memcg:/sys/fs/cgroup#"
    );
}

#[wasm_bindgen_test]
async fn scenario_selector_loads_a_tour() {
    let root = mount().await;
    select_scenario(&root, "low").await;
    assert!(find(&root, "#tour")
        .text_content()
        .unwrap()
        .contains("protected"));
    assert_eq!(
        attr(&node(&root, "/sys/fs/cgroup/parent/prot"), "aria-selected"),
        "true"
    );
    let _ = html_el(&root, "#tour-next");
}

#[wasm_bindgen_test]
fn error_panel_shows_message() {
    memcg_web::show_error("boom");
    let panel = document().get_element_by_id("error-panel").unwrap();
    assert_eq!(panel.text_content().unwrap(), "boom");
    assert!(!panel.has_attribute("hidden"));
}
