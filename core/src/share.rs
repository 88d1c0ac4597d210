//! Scenario ↔ JSON ↔ URL fragment (issue 5).
//!
//! A link carries `#s=1.<base64url(lz4(json))>` (an LZ4 block with its
//! length in front: a deflate codec made the gzipped wasm bundle 12 KB
//! larger). The `1.` names the encoding; the JSON carries
//! its own schema version ([`Scenario::schema`]),
//! and missing fields take defaults, so old links keep loading. Every size is
//! bounded before work is done, so a hostile link fails fast.
//!
//! Two layers, two features: [`pack`] / [`unpack`] (feature `link`) turn
//! JSON text into a fragment and back; [`to_json`], [`from_json`],
//! [`to_fragment`] and [`from_fragment`] (feature `json`) add serde_json.
//! The playground's wasm takes only `link` and does the JSON itself
//! (serde_json was 22 KB of its gzipped size; see `web/src/share.rs`);
//! both write the same text, so links made either way open in both.

use alloc::format;
use alloc::string::String;
#[cfg(feature = "json")]
use alloc::vec::Vec;

#[cfg(feature = "json")]
use crate::scenario::Scenario;

/// Longest fragment accepted (characters after `#`).
pub const MAX_FRAGMENT: usize = 256 * 1024;
/// Largest JSON accepted (bytes, also after decompression).
pub const MAX_JSON: usize = 2 * 1024 * 1024;
/// The fragment's key and encoding version.
pub const FRAGMENT_PREFIX: &str = "s=1.";

/// Refuse a scenario document over [`MAX_JSON`] before parsing it.
pub fn check_json_len(json: &str) -> Result<(), String> {
    if json.len() > MAX_JSON {
        return Err(format!(
            "the scenario file is {} bytes; at most {MAX_JSON} are accepted",
            json.len()
        ));
    }
    Ok(())
}

/// The URL fragment (without `#`) for a scenario's compact JSON.
pub fn pack(json: &[u8]) -> String {
    let packed = lz4_flex::block::compress_prepend_size(json);
    let mut s = String::from(FRAGMENT_PREFIX);
    encode_base64url(&packed, &mut s);
    s
}

/// The base64url alphabet (RFC 4648 §5).
const B64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Appends base64url of `bytes` without padding. Hand-written: the
/// `base64` crate's generic engine was 2.5 KB of the gzipped wasm.
fn encode_base64url(bytes: &[u8], out: &mut String) {
    out.reserve(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        // 3 bytes give 4 symbols, 2 give 3, 1 gives 2.
        for k in 0..=chunk.len() {
            out.push(char::from(B64URL[((n >> (18 - 6 * k)) & 63) as usize]));
        }
    }
}

/// Decodes unpadded base64url strictly, as the `base64` crate's
/// `URL_SAFE_NO_PAD` did: any other symbol, a length of 4n+1, or non-zero
/// bits after the last byte is an error.
fn decode_base64url(text: &str) -> Result<alloc::vec::Vec<u8>, String> {
    let s = text.as_bytes();
    if s.len() % 4 == 1 {
        return Err(format!("invalid length {}", s.len()));
    }
    let mut out = alloc::vec::Vec::with_capacity(s.len() / 4 * 3 + 2);
    for (c, chunk) in s.chunks(4).enumerate() {
        let mut n = 0u32;
        for (i, &ch) in chunk.iter().enumerate() {
            let Some(v) = B64URL.iter().position(|&a| a == ch) else {
                return Err(format!("invalid symbol {ch}, offset {}", c * 4 + i));
            };
            n |= (v as u32) << (18 - 6 * i);
        }
        // 4 symbols give 3 bytes, 3 give 2, 2 give 1.
        let bytes = chunk.len() - 1;
        if (n << (8 * bytes)) & 0xFF_FFFF != 0 {
            return Err(String::from("invalid last symbol (trailing bits)"));
        }
        out.extend((0..bytes).map(|k| (n >> (16 - 8 * k)) as u8));
    }
    Ok(out)
}

/// The JSON text a URL fragment (with or without the leading `#`) carries,
/// at most [`MAX_JSON`] bytes.
pub fn unpack(fragment: &str) -> Result<String, String> {
    let f = fragment.strip_prefix('#').unwrap_or(fragment);
    if f.len() > MAX_FRAGMENT {
        return Err(format!(
            "the link is {} characters long; at most {MAX_FRAGMENT} are accepted",
            f.len()
        ));
    }
    let Some(body) = f.strip_prefix(FRAGMENT_PREFIX) else {
        return Err(String::from(
            "the link does not hold a scenario (expected #s=1.…)",
        ));
    };
    let packed = decode_base64url(body.trim_end_matches('='))
        .map_err(|e| format!("the link is damaged (base64: {e})"))?;
    // The block says how long it inflates to: check that before allocating.
    let Some(len) = packed.get(..4) else {
        return Err(String::from("the link is damaged (too short)"));
    };
    if u32::from_le_bytes([len[0], len[1], len[2], len[3]]) as usize > MAX_JSON {
        return Err(String::from("the link is too large once unpacked"));
    }
    let json = lz4_flex::block::decompress_size_prepended(&packed)
        .map_err(|_| String::from("the link is damaged (lz4)"))?;
    String::from_utf8(json).map_err(|_| String::from("the link is damaged (UTF-8)"))
}

/// The fragment part of a link: a whole URL (what follows its `#`),
/// `#s=1.…` or `s=1.…`, surrounding whitespace trimmed.
pub fn link_fragment(link: &str) -> &str {
    let text = link.trim();
    text.split_once('#').map_or(text, |(_, f)| f)
}

/// Pretty JSON of a scenario (for export).
#[cfg(feature = "json")]
pub fn to_json(sc: &Scenario) -> String {
    serde_json::to_string_pretty(sc).unwrap_or_default()
}

/// Parse and validate a scenario from JSON.
#[cfg(feature = "json")]
pub fn from_json(json: &str) -> Result<Scenario, String> {
    check_json_len(json)?;
    let sc: Scenario = serde_json::from_str(json).map_err(|e| format!("not a scenario: {e}"))?;
    sc.validate()?;
    Ok(sc)
}

/// The URL fragment (without `#`) for a scenario.
#[cfg(feature = "json")]
pub fn to_fragment(sc: &Scenario) -> String {
    let json: Vec<u8> = serde_json::to_vec(sc).unwrap_or_default();
    pack(&json)
}

/// Decode a URL fragment (with or without the leading `#`).
#[cfg(feature = "json")]
pub fn from_fragment(fragment: &str) -> Result<Scenario, String> {
    from_json(&unpack(fragment)?)
}

/// A scenario from a link: a whole URL, `#s=1.…` or `s=1.…`.
#[cfg(feature = "json")]
pub fn from_link(link: &str) -> Result<Scenario, String> {
    from_fragment(link_fragment(link))
}

/// A scenario from a file's text: JSON, or a link.
#[cfg(feature = "json")]
pub fn from_text(text: &str) -> Result<Scenario, String> {
    let t = text.trim_start();
    if t.starts_with('{') {
        from_json(t)
    } else if t.contains(FRAGMENT_PREFIX) {
        from_link(t)
    } else {
        Err(String::from(
            "it is neither a scenario JSON file nor a playground link",
        ))
    }
}

#[cfg(all(test, feature = "json"))]
mod tests {
    use super::*;
    use crate::{Simulator, Version};

    #[test]
    fn round_trips() {
        let mut sim = Simulator::new(Version::V2);
        for l in [
            "mkdir a",
            "echo 64M > a/memory.max",
            "echo 95 > a/memory.wmark_ratio",
            "spawn a steady 80M",
        ] {
            sim.exec(l);
        }
        sim.run_until(1_000_000_000);
        let sc = sim.scenario().unwrap();
        let frag = to_fragment(&sc);
        assert!(frag.len() < 600, "{}", frag.len());
        assert_eq!(from_fragment(&frag).unwrap(), sc);
        assert_eq!(from_fragment(&alloc::format!("#{frag}")).unwrap(), sc);
        assert_eq!(from_json(&to_json(&sc)).unwrap(), sc);
        let url = alloc::format!("https://example.org/play/?scenario=seed#{frag}\n");
        assert_eq!(from_link(&url).unwrap(), sc);
        assert_eq!(from_text(&url).unwrap(), sc);
        assert_eq!(
            from_text(&alloc::format!("\n{}", to_json(&sc))).unwrap(),
            sc
        );
        assert!(from_text("hello").unwrap_err().contains("neither"));
        // The sample interval is written only when it is not the default.
        assert!(!to_json(&sc).contains("sample_interval"));
        let mut fleet = sc.clone();
        fleet.sample_interval = 50_000_000;
        assert!(to_json(&fleet).contains("\"sample_interval\": 50000000"));
        assert_eq!(from_fragment(&to_fragment(&fleet)).unwrap(), fleet);
        let back = from_fragment(&frag).unwrap().instantiate().unwrap();
        assert_eq!(back.trace_hash(), sim.trace_hash());
    }

    #[test]
    fn old_and_partial_documents_load_with_defaults() {
        let sc = from_json(r#"{"schema":1,"version":"V2","journal":[{"at":0,"exec":"mkdir x"}]}"#)
            .unwrap();
        assert_eq!(sc.cpus, 4);
        assert_eq!(sc.journal.len(), 1);
        assert!(
            from_json("{}").is_ok(),
            "an empty document is an empty machine"
        );
    }

    /// The hand-written codec against the `base64` crate it replaced: the
    /// same text for every length, and the same inputs accepted on decode.
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn base64url_matches_the_base64_crate() {
        use base64::Engine as _;
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let bytes: alloc::vec::Vec<u8> = (0..300u32).map(|i| (i * 151 + 7) as u8).collect();
        for n in 0..bytes.len() {
            let mut ours = String::new();
            encode_base64url(&bytes[..n], &mut ours);
            assert_eq!(ours, engine.encode(&bytes[..n]), "{n} bytes");
            assert_eq!(decode_base64url(&ours).unwrap(), &bytes[..n]);
        }
        // Every 1-3 symbol string over a few symbols, with and without a
        // valid prefix: accepted exactly when the crate accepts it.
        let symbols = ["A", "B", "Q", "g", "w", "_", "-", "/", "+", "=", "%", "é"];
        for a in symbols {
            for b in symbols {
                for c in symbols {
                    for pre in ["", "QUJD"] {
                        let t = alloc::format!("{pre}{a}{b}{c}");
                        assert_eq!(decode_base64url(&t).ok(), engine.decode(&t).ok(), "{t:?}");
                        let t = alloc::format!("{pre}{a}{b}");
                        assert_eq!(decode_base64url(&t).ok(), engine.decode(&t).ok(), "{t:?}");
                        let t = alloc::format!("{pre}{a}");
                        assert_eq!(decode_base64url(&t).ok(), engine.decode(&t).ok(), "{t:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn hostile_input_is_refused() {
        assert!(from_fragment("garbage")
            .unwrap_err()
            .contains("does not hold"));
        assert!(from_fragment("s=1.%%%").unwrap_err().contains("base64"));
        assert!(from_fragment("s=1.AAAA").unwrap_err().contains("damaged"));
        let big = "A".repeat(MAX_FRAGMENT + 1);
        assert!(from_fragment(&big).unwrap_err().contains("characters long"));
        let sc = Scenario::default();
        let frag = to_fragment(&sc);
        let cut = &frag[..frag.len() - 3];
        assert!(from_fragment(cut).is_err(), "truncated");
        // A bomb: 10 MB of spaces packs small and would inflate past the limit.
        let bomb = lz4_flex::block::compress_prepend_size(&alloc::vec![b' '; 10_000_000]);
        let mut f = String::from(FRAGMENT_PREFIX);
        encode_base64url(&bomb, &mut f);
        assert!(from_fragment(&f).unwrap_err().contains("too large"));
        assert!(from_json("[1,2]")
            .unwrap_err()
            .starts_with("not a scenario"));
    }
}
