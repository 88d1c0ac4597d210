//! Watermark arithmetic of the async reclaim feature (spec §9.2–9.5).

use crate::counter::PageCounter;
use crate::tree::Memcg;
use crate::units::{Pages, PAGE_COUNTER_MAX};

/// Default `wmark_scale_factor` for children of the root (§9.4).
pub const DEFAULT_WMARK_SCALE_FACTOR: u32 = 50;

/// The kernel's `mult_frac(x, numer, denom)`: quotient and remainder parts
/// computed separately, all in wrapping `unsigned long`.
pub fn mult_frac(x: u64, numer: u64, denom: u64) -> u64 {
    let quot = x / denom;
    let rem = x % denom;
    quot.wrapping_mul(numer)
        .wrapping_add(rem.wrapping_mul(numer) / denom)
}

/// The two watermarks for a counter's base, ratio and scale factor (§9.2).
/// Page-granular: multiply first, then divide; `wmark_low` wraps when the
/// gap exceeds `wmark_high` (TV-10).
pub fn compute_wmarks(base: Pages, ratio: u32, scale_factor: u32) -> (Pages, Pages) {
    if ratio == 0 {
        return (PAGE_COUNTER_MAX, PAGE_COUNTER_MAX);
    }
    let high = base.wrapping_mul(u64::from(ratio)) / 100;
    let gap = mult_frac(base, u64::from(scale_factor), 10000);
    (high, high.wrapping_sub(gap))
}

/// `setup_memcg_wmark(m)`: base = min(high, max) (§9.2).
pub fn setup_memcg_wmark(m: &mut Memcg) {
    let base = m.memory.high.min(m.memory.max);
    let (high, low) = compute_wmarks(base, m.wmark_ratio, m.wmark_scale_factor);
    m.memory.wmark_high = high;
    m.memory.wmark_low = low;
}

/// Disable both watermarks (css_offline / css_reset, §9.3).
pub fn disable_wmarks(m: &mut Memcg) {
    m.memory.wmark_high = PAGE_COUNTER_MAX;
    m.memory.wmark_low = PAGE_COUNTER_MAX;
}

/// `is_wmark_ok(m, high)`: strictly below the chosen watermark (§9.5).
pub fn is_wmark_ok(c: &PageCounter, high: bool) -> bool {
    if high {
        c.usage < c.wmark_high
    } else {
        c.usage < c.wmark_low
    }
}

// ---------------------------------------------------------------------------
// openEuler `memory.high_async_ratio` (OLK-6.6 mm/memcontrol.c, §19.4)

/// `HIGH_ASYNC_RATIO_BASE`: the default ratio, which turns the feature off.
pub const HIGH_ASYNC_RATIO_BASE: u32 = 100;
/// `HIGH_ASYNC_RATIO_GAP`: the stop mark lies this many percent lower.
pub const HIGH_ASYNC_RATIO_GAP: u32 = 10;

/// The trigger and safe marks, in pages: `high * ratio / 100` and
/// `high * (ratio - 10) / 100`, multiply first (as the kernel's
/// `unsigned long` arithmetic does).
pub fn high_async_marks(high: Pages, ratio: u32) -> (Pages, Pages) {
    let trigger = high.wrapping_mul(u64::from(ratio)) / u64::from(HIGH_ASYNC_RATIO_BASE);
    let safe = high.wrapping_mul(u64::from(ratio.saturating_sub(HIGH_ASYNC_RATIO_GAP)))
        / u64::from(HIGH_ASYNC_RATIO_BASE);
    (trigger, safe)
}

/// `is_high_async_reclaim(memcg)`: the ratio is not 100, `memory.high` is
/// set, and usage is strictly above the trigger mark.
pub fn is_high_async_reclaim(m: &Memcg) -> bool {
    let (ratio, high) = (m.high_async_ratio, m.memory.high);
    if ratio == HIGH_ASYNC_RATIO_BASE || high == PAGE_COUNTER_MAX {
        return false;
    }
    m.memory.usage > high_async_marks(high, ratio).0
}

/// `get_high_async_reclaim_size(memcg)`: down to the safe mark, or one
/// charge batch when usage is already under it.
pub fn high_async_reclaim_size(m: &Memcg) -> Pages {
    let safe = high_async_marks(m.memory.high, m.high_async_ratio).1;
    if m.memory.usage > safe {
        m.memory.usage - safe
    } else {
        crate::units::MEMCG_CHARGE_BATCH
    }
}

// ---------------------------------------------------------------------------
// TencentOS `memory.async_ratio` (TencentOS mm/memcontrol.c, §19.5)

/// `ASYNC_RATIO_DIV`.
pub const ASYNC_RATIO_DIV: u64 = 100;
/// `ASYNC_DISTANCE_DIV`: the distance factor is per million of the base.
pub const ASYNC_DISTANCE_DIV: u64 = 1_000_000;
/// `ASYNC_DISTANCE_DEF`: a child's factor when its parent's is 0 (the root).
pub const ASYNC_DISTANCE_DEF: i32 = 1;
/// `memory_async_distance_factor_write`'s upper bound.
pub const ASYNC_DISTANCE_FACTOR_MAX: i32 = 150_000;

/// `setup_async_wmark(memcg)`: base = memory.high on v2, memory.max on v1;
/// `async_high = async_wmark * base / 100` (the `int` ratio converted to
/// `unsigned long`, wrapping), `distance = mult_frac(base, factor,
/// 1000000)`, `async_low = distance >= async_high ? memory.low :
/// async_high - distance`; ratio 0 disables both.
pub fn setup_async_wmark(m: &mut Memcg, v2: bool) {
    let base = if v2 { m.memory.high } else { m.memory.max };
    let (high, low) = if m.async_ratio != 0 {
        let high = (i64::from(m.async_ratio) as u64).wrapping_mul(base) / ASYNC_RATIO_DIV;
        let factor = i64::from(m.async_distance_factor) as u64;
        let distance = mult_frac(base, factor, ASYNC_DISTANCE_DIV);
        let low = if distance >= high {
            m.memory.low
        } else {
            high - distance
        };
        (high, low)
    } else {
        (PAGE_COUNTER_MAX, PAGE_COUNTER_MAX)
    };
    m.async_high = high;
    m.async_low = low;
}

/// `need_memcg_async_reclaim(memcg)`: `vm.memory_qos` set and usage
/// strictly above `async_high`.
pub fn need_memcg_async_reclaim(memory_qos: i32, m: &Memcg) -> bool {
    memory_qos != 0 && m.memory.usage > m.async_high
}

/// `async_reclaim_func`'s request: `usage - async_low` in `unsigned long`
/// (so usage under `async_low` wraps to a huge number), none when exactly
/// 0, capped at `async_high - async_low`.
pub fn async_reclaim_size(m: &Memcg) -> Option<Pages> {
    let nr = m.memory.usage.wrapping_sub(m.async_low);
    if nr == 0 {
        return None;
    }
    Some(nr.min(m.async_high.wrapping_sub(m.async_low)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_numbers_in_pages() {
        // §9.2: 1 GiB, ratio 95, sf 50 → 249036 / 247726 pages.
        assert_eq!(compute_wmarks(262144, 95, 50), (249036, 247726));
    }

    #[test]
    fn async_marks_of_the_selftest() {
        // The TencentOS selftest: high 64M, ratio 50 → async_high 32M.
        let mut m = Memcg::new();
        m.memory.high = 16384;
        m.async_ratio = 50;
        m.async_distance_factor = 100_000;
        setup_async_wmark(&mut m, true);
        assert_eq!((m.async_high, m.async_low), (8192, 8192 - 1638));
        // The distance reaches async_high: async_low is memory.low.
        m.async_distance_factor = 150_000;
        m.async_ratio = 10;
        m.memory.low = 77;
        setup_async_wmark(&mut m, true);
        assert_eq!((m.async_high, m.async_low), (1638, 77));
        // v1 bases the marks on memory.max.
        m.memory.max = 1000;
        setup_async_wmark(&mut m, false);
        assert_eq!((m.async_high, m.async_low), (100, 77));
        m.async_ratio = 0;
        setup_async_wmark(&mut m, false);
        assert_eq!(
            (m.async_high, m.async_low),
            (PAGE_COUNTER_MAX, PAGE_COUNTER_MAX)
        );
    }

    #[test]
    fn async_reclaim_size_wraps_under_async_low() {
        let mut m = Memcg::new();
        m.async_high = 1000;
        m.async_low = 900;
        m.memory.usage = 900;
        assert_eq!(async_reclaim_size(&m), None);
        m.memory.usage = 950;
        assert_eq!(async_reclaim_size(&m), Some(50));
        m.memory.usage = 1200;
        assert_eq!(async_reclaim_size(&m), Some(100));
        // Under async_low the unsigned difference wraps: the cap applies.
        m.memory.usage = 10;
        assert_eq!(async_reclaim_size(&m), Some(100));
    }

    #[test]
    fn high_async_marks_of_1g() {
        // high 1 GiB = 262144 pages, ratio 90: trigger 235929, safe 209715.
        assert_eq!(high_async_marks(262144, 90), (235929, 209715));
        assert_eq!(high_async_marks(262144, 11), (28835, 2621));
    }

    #[test]
    fn high_async_trigger_is_strict_and_size_falls_back_to_a_batch() {
        let mut m = Memcg::new();
        m.memory.high = 25600;
        m.high_async_ratio = 90;
        m.memory.usage = 23040;
        assert!(!is_high_async_reclaim(&m), "at the mark is not above it");
        m.memory.usage = 23041;
        assert!(is_high_async_reclaim(&m));
        assert_eq!(high_async_reclaim_size(&m), 23041 - 20480);
        m.memory.usage = 20480;
        assert_eq!(high_async_reclaim_size(&m), 32);
        m.high_async_ratio = HIGH_ASYNC_RATIO_BASE;
        m.memory.usage = 25000;
        assert!(!is_high_async_reclaim(&m), "100 is off");
        m.high_async_ratio = 50;
        m.memory.high = PAGE_COUNTER_MAX;
        assert!(!is_high_async_reclaim(&m), "no memory.high, no async");
    }

    #[test]
    fn wrap_of_wmark_low() {
        let (h, l) = compute_wmarks(262144, 1, 101);
        assert_eq!(h, 2621);
        assert_eq!(l, 2621u64.wrapping_sub(2647));
    }
}
