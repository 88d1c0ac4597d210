//! Short human formats for bytes, durations and speeds, as the UI shows them.
//!
//! Integer arithmetic only: float formatting would add its tables and
//! algorithms to the wasm, and these run every frame.

/// `n / d` rounded to `decimals` places, as text.
fn fixed(n: u64, d: u64, decimals: u32) -> String {
    let scale = 10u128.pow(decimals);
    let (n, d) = (u128::from(n), u128::from(d.max(1)));
    let q = (n * scale + d / 2) / d;
    // Both parts fit a u64 (q / scale is at most n / d rounded): printing
    // u64s keeps u128's Display out of the wasm.
    let (whole, frac) = ((q / scale) as u64, (q % scale) as u64);
    if decimals == 0 {
        format!("{whole}")
    } else {
        format!("{whole}.{frac:0width$}", width = decimals as usize)
    }
}

/// Bytes in the units `memparse` takes: `512M`, `1.50G`, `4K`, `0`.
pub fn bytes(b: u64) -> String {
    const UNITS: [(&str, u64); 4] = [
        ("T", 1 << 40),
        ("G", 1 << 30),
        ("M", 1 << 20),
        ("K", 1 << 10),
    ];
    for (unit, size) in UNITS {
        if b >= size {
            let decimals = if b % size == 0 || b >= 100 * size {
                0
            } else if b >= 10 * size {
                1
            } else {
                2
            };
            return format!("{}{unit}", fixed(b, size, decimals));
        }
    }
    format!("{b}")
}

/// `None` (no limit) reads as the kernel writes it: `max`.
pub fn limit(b: Option<u64>) -> String {
    b.map_or_else(|| "max".to_string(), bytes)
}

/// Nanoseconds as `0`, `850 ns`, `12.3 µs`, `0.48 ms`, `2.50 s`.
pub fn duration(ns: u64) -> String {
    if ns == 0 {
        "0".to_string()
    } else if ns < 1_000 {
        format!("{ns} ns")
    } else if ns < 1_000_000 {
        format!("{} µs", fixed(ns, 1_000, 1))
    } else if ns < 1_000_000_000 {
        format!("{} ms", fixed(ns, 1_000_000, 2))
    } else {
        format!("{} s", fixed(ns, 1_000_000_000, 2))
    }
}

/// Virtual time as seconds with millisecond precision: `12.345 s`.
pub fn clock(ns: u64) -> String {
    format!("{}.{:03} s", ns / 1_000_000_000, (ns / 1_000_000) % 1000)
}

/// 1000 × 10^(i/10) for i in 0..10.
const DECADE_MILLI: [u64; 10] = [1000, 1259, 1585, 1995, 2512, 3162, 3981, 5012, 6310, 7943];

/// Speed factor × 1000 for a slider position (tenths of a decade, ≥ −30).
fn speed_milli(tenths: i32) -> u64 {
    let t = tenths.clamp(-30, 60) + 30;
    let mantissa = DECADE_MILLI[(t % 10) as usize];
    let decades = t / 10;
    // 10^(decades − 3) × mantissa, in thousandths.
    if decades >= 3 {
        mantissa * 10u64.pow((decades - 3) as u32)
    } else {
        mantissa / 10u64.pow((3 - decades) as u32)
    }
}

/// Speed factor 10^(tenths/10), e.g. `×1`, `×0.25`, `×316`.
pub fn speed(tenths: i32) -> String {
    let m = speed_milli(tenths);
    if m >= 10_000 {
        format!("×{}", fixed(m, 1000, 0))
    } else if m >= 1000 {
        let s = fixed(m, 1000, 1);
        format!("×{}", s.strip_suffix(".0").unwrap_or(&s))
    } else {
        format!("×{}", fixed(m, 1000, 2))
    }
}

/// Virtual seconds per real second for a speed slider position.
pub fn speed_factor(tenths: i32) -> f64 {
    speed_milli(tenths) as f64 / 1000.0
}

/// An SVG coordinate with one decimal, formatted through integers (these
/// are written thousands of times a frame).
pub fn num(x: f64) -> String {
    let tenths = (x * 10.0).round() as i64;
    let (int, frac) = (tenths / 10, (tenths % 10).abs());
    if frac == 0 {
        format!("{int}")
    } else if tenths < 0 && int == 0 {
        format!("-0.{frac}")
    } else {
        format!("{int}.{frac}")
    }
}

/// A label that fits `max` characters, with an ellipsis when cut.
pub fn fit(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// Like [`fit`], but keeps the end (for paths).
pub fn fit_left(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        s.to_string()
    } else {
        let tail: String = s.chars().skip(n + 1 - max.max(1)).collect();
        format!("…{tail}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(bytes(512 << 20), "512M");
        assert_eq!(bytes(1536 << 20), "1.50G");
        assert_eq!(bytes(510025728), "486M");
        assert_eq!(bytes(100), "100");
        assert_eq!(limit(None), "max");
        assert_eq!(duration(481_280), "481.3 µs");
        assert_eq!(duration(2_500_000), "2.50 ms");
        assert_eq!(clock(12_345_678_901), "12.345 s");
        assert_eq!(speed(0), "×1");
        assert_eq!(speed(30), "×1000");
        assert_eq!(speed(-20), "×0.01");
        assert_eq!(speed(20), "×100");
        assert_eq!(speed(15), "×32");
        assert_eq!(speed(3), "×2");
        assert_eq!(speed(-3), "×0.50");
        assert_eq!(speed_factor(10), 10.0);
        assert_eq!(bytes(1536 << 20), "1.50G");
        assert_eq!(bytes((10 << 20) + (1 << 19)), "10.5M");
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(num(12.34), "12.3");
        assert_eq!(num(-0.25), "-0.3");
        assert_eq!(num(-3.0), "-3");
        assert_eq!(num(196.0), "196");
        assert_eq!(fit_left("/sys/fs/cgroup/memory", 10), "…up/memory");
        // The largest inputs: both printed parts of `fixed` fit a u64.
        assert_eq!(bytes(u64::MAX), "16777216T");
        assert_eq!(duration(u64::MAX), "18446744073.71 s");
    }
}
