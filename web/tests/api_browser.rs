//! The JS API in headless Chrome (`wasm-pack test --headless --chrome web`).
#![cfg(all(target_arch = "wasm32", feature = "api"))]

use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[path = "common/api.rs"]
mod api_common;

#[wasm_bindgen_test]
fn seed_example_through_exec() {
    api_common::seed_example_through_exec();
}

#[wasm_bindgen_test]
fn invalid_write_throws_einval() {
    api_common::invalid_write_throws_einval();
}

#[wasm_bindgen_test]
fn snapshot_shape() {
    api_common::snapshot_shape();
}

#[wasm_bindgen_test]
fn link_reproduces_the_trace() {
    api_common::link_reproduces_the_trace();
}
