//! cgroupfs writes: path and value through `Simulator::write`. See `memcg_fuzz::cgroupfs_write`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| memcg_fuzz::cgroupfs_write(data));
