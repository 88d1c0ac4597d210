//! Short human formats for bytes, durations and speeds, as the UI shows them.

/// Bytes in the units `memparse` takes: `512M`, `1.5G`, `4K`, `0`.
pub fn bytes(b: u64) -> String {
    const UNITS: [(&str, u64); 4] = [
        ("T", 1 << 40),
        ("G", 1 << 30),
        ("M", 1 << 20),
        ("K", 1 << 10),
    ];
    for (unit, size) in UNITS {
        if b >= size {
            let v = b as f64 / size as f64;
            return if b % size == 0 || v >= 100.0 {
                format!("{:.0}{unit}", v)
            } else if v >= 10.0 {
                format!("{:.1}{unit}", v)
            } else {
                format!("{:.2}{unit}", v)
            };
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
        format!("{:.1} µs", ns as f64 / 1e3)
    } else if ns < 1_000_000_000 {
        format!("{:.2} ms", ns as f64 / 1e6)
    } else {
        format!("{:.2} s", ns as f64 / 1e9)
    }
}

/// Virtual time as seconds with millisecond precision: `12.345 s`.
pub fn clock(ns: u64) -> String {
    format!("{}.{:03} s", ns / 1_000_000_000, (ns / 1_000_000) % 1000)
}

/// Speed factor 10^(tenths/10), e.g. `×1`, `×0.25`, `×316`.
pub fn speed(tenths: i32) -> String {
    let v = speed_factor(tenths);
    if v >= 10.0 {
        format!("×{:.0}", v)
    } else if v >= 1.0 {
        format!("×{:.1}", v).replace(".0", "")
    } else {
        format!("×{:.2}", v)
    }
}

/// Virtual seconds per real second for a speed slider position.
pub fn speed_factor(tenths: i32) -> f64 {
    10f64.powf(f64::from(tenths) / 10.0)
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
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit_left("/sys/fs/cgroup/memory", 10), "…up/memory");
    }
}
