//! Sweep definitions: options line and script. See `memcg_fuzz::sweep_definition`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| memcg_fuzz::sweep_definition(data));
