//! Sharing in headless Chrome: a link opens the same trace, a hostile link
//! shows an alert and keeps the state, embeds mount side by side, each with
//! its own simulator. (`wasm-pack test --headless --chrome --mode no-install web`)
#![cfg(target_arch = "wasm32")]

use memcg::{Simulator, Version};
use memcg_web::scenarios::{by_id, SCENARIOS};
use memcg_web::{App, AppProps};
use wasm_bindgen_test::*;
use web_sys::Element;

wasm_bindgen_test_configure!(run_in_browser);

#[path = "common/dom.rs"]
mod dom;
use dom::{click, find, new_root, wait_until};

fn data(root: &Element, name: &str) -> String {
    find(root, ".playground")
        .get_attribute(&format!("data-{name}"))
        .unwrap()
}

/// Waits until the root's replay, if any, is done.
async fn settled(root: &Element) {
    wait_until("replay", 60_000.0, || data(root, "loading") == "false").await;
}

/// The tour-2 preset run straight to 3 s, with an edit at 1 s.
fn session() -> Simulator {
    let sc = &SCENARIOS[by_id("stalls").unwrap()];
    let mut sim = sc.machine();
    for l in sc.setup() {
        sim.exec(&l);
    }
    sim.run_until(1_000_000_000);
    sim.write("/sys/fs/cgroup/ratio0/memory.wmark_ratio", "50")
        .unwrap();
    sim.run_until(3_000_000_000);
    sim
}

#[wasm_bindgen_test]
async fn a_link_opens_the_same_trace() {
    let sim = session();
    let frag = memcg_web::share::fragment(&sim).unwrap();
    let root = new_root();
    let props = AppProps {
        scenario: Some("seed".into()),
        link: Some(frag),
        ..AppProps::default()
    };
    yew::Renderer::<App>::with_root_and_props(root.clone(), props).render();
    yew::scheduler::flush().await;
    settled(&root).await;
    assert_eq!(data(&root, "now"), "3000000000");
    assert_eq!(
        data(&root, "trace-hash"),
        format!("{:016x}", sim.trace_hash())
    );
    assert!(root.query_selector("#notice").unwrap().is_none());
    // The replay is the whole session: its timeline starts at 0.
    assert_eq!(data(&root, "horizon"), "3000000000");
    assert!(find(&root, "#console-output")
        .text_content()
        .unwrap()
        .contains("opened a link"));
}

#[wasm_bindgen_test]
async fn a_hostile_link_shows_an_alert_and_keeps_the_state() {
    for link in ["garbage", "s=1.AAAA", "s=1.%%%"] {
        let root = new_root();
        let props = AppProps {
            scenario: Some("seed".into()),
            link: Some(link.into()),
            ..AppProps::default()
        };
        yew::Renderer::<App>::with_root_and_props(root.clone(), props).render();
        yew::scheduler::flush().await;
        let notice = find(&root, "#notice");
        assert_eq!(notice.get_attribute("role").as_deref(), Some("alert"));
        let text = notice.text_content().unwrap();
        assert!(text.contains("Could not open the link"), "{text}");
        // What was there stays: the seed preset with its tour.
        assert!(root
            .query_selector(r#"#cgroup-tree [data-path="/sys/fs/cgroup/memory/test"]"#)
            .unwrap()
            .is_some());
        assert!(root.query_selector("#tour").unwrap().is_some());
        click(&find(&root, "#notice .dismiss")).await;
        assert!(root.query_selector("#notice").unwrap().is_none());
    }
}

/// Mounts an embed: the compact view of `App`.
fn mount_embed(props: AppProps) -> Element {
    let root = new_root();
    let props = AppProps {
        embed: Some("http://example.invalid/index.html".into()),
        speed: Some(20),
        ..props
    };
    yew::Renderer::<App>::with_root_and_props(root.clone(), props).render();
    root
}

#[wasm_bindgen_test]
async fn embeds_run_side_by_side_each_with_its_own_simulator() {
    let script = mount_embed(AppProps {
        version: Version::V1,
        script: Some(
            "mkdir /sys/fs/cgroup/memory/test/\n\
             echo 1G > /sys/fs/cgroup/memory/test/memory.limit_in_bytes\n\
             echo 95 > /sys/fs/cgroup/memory/test/memory.wmark_ratio\n\
             cat /sys/fs/cgroup/memory/test/memory.wmark_high\n\
             spawn /sys/fs/cgroup/memory/test anon 2G --rate 200M/s\n"
                .into(),
        ),
        ..AppProps::default()
    });
    let preset = mount_embed(AppProps {
        scenario: Some("stalls".into()),
        ..AppProps::default()
    });
    let bad = mount_embed(AppProps {
        scenario: Some("nope".into()),
        ..AppProps::default()
    });
    yew::scheduler::flush().await;
    settled(&script).await;

    let test = find(
        &script,
        r#"#cgroup-tree [data-path="/sys/fs/cgroup/memory/test"]"#,
    );
    assert_eq!(
        test.get_attribute("data-wmark-high").as_deref(),
        Some("1020051456")
    );
    assert!(find(&script, "#console-output")
        .text_content()
        .unwrap()
        .contains("1020051456"));
    assert!(preset
        .query_selector(r#"#cgroup-tree [data-path="/sys/fs/cgroup/wmark95"]"#)
        .unwrap()
        .is_some());
    // No tour in an embed; an untouched preset links to its tour.
    assert!(preset.query_selector("#tour").unwrap().is_none());
    assert_eq!(
        find(&preset, ".open-playground")
            .get_attribute("href")
            .as_deref(),
        Some("http://example.invalid/index.html?scenario=stalls")
    );
    let href = find(&script, ".open-playground")
        .get_attribute("href")
        .unwrap();
    assert!(
        href.starts_with("http://example.invalid/index.html#s=1."),
        "{href}"
    );
    assert_eq!(
        find(&bad, "#notice").get_attribute("role").as_deref(),
        Some("alert")
    );

    // Play one: it advances, the other stays at 0.
    click(&find(&script, "#play")).await;
    wait_until("1 virtual s played", 30_000.0, || {
        data(&script, "now").parse::<u64>().unwrap() > 1_000_000_000
    })
    .await;
    click(&find(&script, "#play")).await;
    assert!(data(&script, "now").parse::<u64>().unwrap() > 1_000_000_000);
    assert_eq!(data(&preset, "now"), "0");
    // Its link now holds the state it reached, and opens the same trace.
    yew::scheduler::flush().await;
    let href = find(&script, ".open-playground")
        .get_attribute("href")
        .unwrap();
    let frag = href.split_once('#').unwrap().1;
    let sc = memcg_web::share::parse_link(frag).unwrap();
    assert_eq!(sc.now.to_string(), data(&script, "now"));
    assert_eq!(
        format!("{:016x}", sc.instantiate().unwrap().trace_hash()),
        data(&script, "trace-hash")
    );
    // Reset goes back to the example's time 0; a preset's, to the preset
    // (without a tour).
    click(&find(&script, "#restart")).await;
    assert_eq!(data(&script, "now"), "0");
    click(&find(&preset, "#restart")).await;
    assert!(preset.query_selector("#tour").unwrap().is_none());
    // Keys pressed inside an embed are its own: Space plays it.
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(" ");
    init.set_bubbles(true);
    init.set_cancelable(true);
    let space =
        web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).unwrap();
    find(&preset, "#cgroup-tree")
        .dispatch_event(&space)
        .unwrap();
    yew::scheduler::flush().await;
    assert_eq!(data(&preset, "playing"), "true");
    assert_eq!(data(&script, "playing"), "false");
}
