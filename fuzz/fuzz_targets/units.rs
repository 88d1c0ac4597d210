//! The number parsers (`memparse`, `kstrto*`, sizes, durations). See `memcg_fuzz::number_parsers`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| memcg_fuzz::number_parsers(data));
