//! Share links through `share::from_link`, and packed inputs. See `memcg_fuzz::share_link`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| memcg_fuzz::share_link(data));
