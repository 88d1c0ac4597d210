//! The scenario codec's golden files: `tests/golden/scenario.json` (pretty
//! JSON, as exported) and `tests/golden/scenario.link` (the fragment). The
//! playground's wasm writes them with the browser's `JSON` instead of
//! serde_json; `web/tests/share.rs` checks it produces the same bytes, so a
//! link made by either side opens in the other.
//!
//! After a deliberate format change: `MEMCG_BLESS=1 cargo test --test share_golden`.

use memcg::scenario::{JournalEntry, Scenario};
use memcg::share::{from_fragment, from_json, to_fragment, to_json};
use memcg::{Simulator, Version};

const JSON: &str = "../golden/scenario.json";
const LINK: &str = "../golden/scenario.link";

fn golden() -> Scenario {
    let mut c = memcg::sim::SimConfig::new(Version::V2);
    c.seed = 7;
    let mut sim = Simulator::build(c);
    for line in memcg_tests::GOLDEN_SCENARIO.lines() {
        let out = sim.exec(line);
        assert!(out.ok(), "{line}: {}", out.stderr);
    }
    sim.write("/sys/fs/cgroup/app/memory.high", "200M").unwrap();
    let mut sc = sim.scenario().unwrap();
    // Text that needs escaping in JSON, or looks like it might.
    sc.journal.push(JournalEntry {
        at: sc.now,
        exec: Some("# \"quoted\" back\\slash\ttab ünï€ode \u{1}/\u{7f}".into()),
        write: None,
    });
    sc
}

fn check(name: &str, got: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(name);
    if std::env::var_os("MEMCG_BLESS").is_some() {
        std::fs::write(&path, got).unwrap();
    }
    let want = std::fs::read_to_string(&path).unwrap();
    assert_eq!(got, want, "{name} changed; see this file's header");
}

#[test]
fn golden_json_and_link() {
    let sc = golden();
    let json = to_json(&sc);
    let link = to_fragment(&sc);
    check(JSON, &json);
    check(LINK, &link);
    assert_eq!(from_json(&json).unwrap(), sc);
    assert_eq!(from_fragment(&link).unwrap(), sc);
}
