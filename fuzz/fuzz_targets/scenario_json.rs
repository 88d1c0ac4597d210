//! Scenario files (JSON or a link) through `share::from_text`. See `memcg_fuzz::scenario_text`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| memcg_fuzz::scenario_text(data));
