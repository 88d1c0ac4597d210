//! The wasm scenario codec (the browser's `JSON`, no serde_json) writes the
//! same bytes as serde_json natively: the golden files come from
//! `tests/tests/share_golden.rs`.
#![cfg(target_arch = "wasm32")]

use memcg_web::share::codec::{from_fragment, from_json, to_fragment, to_json};
use wasm_bindgen_test::wasm_bindgen_test;

const JSON: &str = include_str!("../../tests/golden/scenario.json");
const LINK: &str = include_str!("../../tests/golden/scenario.link");

#[wasm_bindgen_test]
fn same_json_and_link_as_serde_json() {
    let sc = from_json(JSON).unwrap();
    assert_eq!(to_json(&sc), JSON);
    assert_eq!(to_fragment(&sc), LINK);
    assert_eq!(from_fragment(LINK).unwrap(), sc);
    assert_eq!(sc.seed, 7);
    assert!(sc
        .journal
        .last()
        .unwrap()
        .exec
        .as_ref()
        .unwrap()
        .contains("ünï€ode \u{1}/\u{7f}"));
}

#[wasm_bindgen_test]
fn bad_documents_are_refused_with_a_reason() {
    let e = from_json("{\"schema\": 1, \"journal\": [{\"at\": \"soon\"}]}").unwrap_err();
    assert!(e.starts_with("not a scenario: Invalid type"), "{e}");
    let e = from_json("{\"schema\": 1,").unwrap_err();
    assert!(e.starts_with("not a scenario: ") && e.len() > 20, "{e}");
    let e = from_json("[1, 2]").unwrap_err();
    assert!(e.starts_with("not a scenario"), "{e}");
    // 2^53 is not exact in a JavaScript number; the core refuses big seeds.
    let e = from_json("{\"seed\": 9007199254740993}").unwrap_err();
    assert!(e.contains("2^53") || e.starts_with("not a scenario"), "{e}");
    let e = from_json(&format!("{{\"seed\": {}}}", (1u64 << 53) - 1));
    assert!(e.is_ok(), "{e:?}");
    // Fields this build does not know are skipped (newer links still open).
    let sc =
        from_json("{\"schema\": 1, \"later\": {\"x\": [1, \"y\", null]}, \"seed\": 3}").unwrap();
    assert_eq!(sc.seed, 3);
    assert!(from_json("{\"seed\": 18446744073709551616}").is_err());
    assert!(from_json("{\"seed\": -1}").is_err());
    assert!(from_json("{\"version\": \"V3\"}").is_err());
    assert!(from_json("{} {}").is_err());
    let big = " ".repeat(memcg::share::MAX_JSON + 1);
    assert!(from_json(&big).unwrap_err().contains("at most"));
    assert!(from_fragment("s=1.AAAA").unwrap_err().contains("damaged"));
}
