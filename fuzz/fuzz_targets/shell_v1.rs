//! Shell line sequences on cgroup v1. See `memcg_fuzz::shell`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| memcg_fuzz::shell(memcg::Version::V1, data));
