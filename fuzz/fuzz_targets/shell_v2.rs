//! Shell line sequences on cgroup v2. See `memcg_fuzz::shell`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| memcg_fuzz::shell(memcg::Version::V2, data));
