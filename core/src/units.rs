//! Units, the constants several layers share, and the kernel's number
//! parsers (spec §0.2, §1.4, §14).
//!
//! Everything the kernel keeps in pages stays in pages here; bytes appear only
//! at the file boundary, as `pages × 4096` computed in wrapping `u64` (§0.2).

use crate::errno::Errno;

/// Page size on x86_64 (§0.2).
pub const PAGE_SIZE: u64 = 4096;
/// `LONG_MAX / PAGE_SIZE`: the "unlimited" value of a page counter (§0.2).
pub const PAGE_COUNTER_MAX: u64 = (i64::MAX as u64) / PAGE_SIZE;
/// `MEMCG_CHARGE_BATCH` (§0.2, §2).
pub const MEMCG_CHARGE_BATCH: u64 = 32;
/// `PAGE_ALLOC_COSTLY_ORDER`: the charge path retries and OOMs only up to
/// this order (§3, §11.1).
pub const PAGE_ALLOC_COSTLY_ORDER: u32 = 3;

/// A count of 4 KiB pages.
pub type Pages = u64;

/// Virtual time in nanoseconds.
pub type Nanos = u64;

/// `pages × PAGE_SIZE`, wrapping like the kernel's `u64` arithmetic (§0.2).
pub fn pages_to_bytes(pages: Pages) -> u64 {
    pages.wrapping_mul(PAGE_SIZE)
}

/// The kernel's `strstrip`: trim leading and trailing `isspace` bytes.
pub fn strstrip(s: &str) -> &str {
    s.trim_matches(|c: char| matches!(c, ' ' | '\t' | '\n' | '\x0b' | '\x0c' | '\r'))
}

fn digit_value(b: u8) -> Option<u64> {
    match b {
        b'0'..=b'9' => Some(u64::from(b - b'0')),
        b'a'..=b'f' => Some(u64::from(b - b'a' + 10)),
        b'A'..=b'F' => Some(u64::from(b - b'A' + 10)),
        _ => None,
    }
}

/// `_parse_integer_fixup_radix` for base 0: `0x` + hex digit → 16 (prefix
/// skipped), a leading `0` → 8, otherwise 10.
fn fixup_radix(s: &[u8]) -> (u64, usize) {
    if s.first() == Some(&b'0') {
        if matches!(s.get(1), Some(b'x' | b'X')) && s.get(2).is_some_and(|b| b.is_ascii_hexdigit())
        {
            return (16, 2);
        }
        return (8, 0);
    }
    (10, 0)
}

/// `_parse_integer`: digits consumed, value (wrapped) and whether it overflowed.
fn parse_integer(s: &[u8], base: u64) -> (usize, u64, bool) {
    let mut value: u64 = 0;
    let mut overflow = false;
    let mut n = 0;
    for &b in s {
        let Some(d) = digit_value(b) else { break };
        if d >= base {
            break;
        }
        match value.checked_mul(base).and_then(|v| v.checked_add(d)) {
            Some(v) => value = v,
            None => {
                overflow = true;
                value = value.wrapping_mul(base).wrapping_add(d);
            }
        }
        n += 1;
    }
    (n, value, overflow)
}

/// `kstrtoull(s, 0)`: one leading `+`, one trailing `\n`, nothing else (§14).
pub fn kstrtoull(s: &str) -> Result<u64, Errno> {
    let b = s.as_bytes();
    let b = b.strip_prefix(b"+").unwrap_or(b);
    kstrtoull_unsigned(b)
}

/// `_kstrtoull` (no sign handling).
fn kstrtoull_unsigned(b: &[u8]) -> Result<u64, Errno> {
    let (base, skip) = fixup_radix(b);
    let rest = &b[skip..];
    let (n, value, overflow) = parse_integer(rest, base);
    if overflow {
        return Err(Errno::ERANGE);
    }
    if n == 0 {
        return Err(Errno::EINVAL);
    }
    let tail = &rest[n..];
    let tail = tail.strip_prefix(b"\n").unwrap_or(tail);
    if !tail.is_empty() {
        return Err(Errno::EINVAL);
    }
    Ok(value)
}

/// `kstrtouint(s, 0)`: as [`kstrtoull`], then `> u32::MAX` → ERANGE.
pub fn kstrtouint(s: &str) -> Result<u32, Errno> {
    let v = kstrtoull(s)?;
    u32::try_from(v).map_err(|_| Errno::ERANGE)
}

/// `kstrtoll(s, 0)`: an optional sign, then as [`kstrtoull`] (§14).
pub fn kstrtoll(s: &str) -> Result<i64, Errno> {
    let b = s.as_bytes();
    if let Some(rest) = b.strip_prefix(b"-") {
        let v = kstrtoull_unsigned(rest)?;
        if v > (i64::MAX as u64) + 1 {
            return Err(Errno::ERANGE);
        }
        Ok((v as i64).wrapping_neg())
    } else {
        let v = kstrtoull(s)?;
        i64::try_from(v).map_err(|_| Errno::ERANGE)
    }
}

/// `kstrtoint(s, 0)`.
pub fn kstrtoint(s: &str) -> Result<i32, Errno> {
    let v = kstrtoll(s)?;
    i32::try_from(v).map_err(|_| Errno::ERANGE)
}

/// `memparse`: `simple_strtoull` (base auto-detected, no sign, wraps on
/// overflow) and one optional K/M/G/T/P/E suffix. Returns the value and the
/// unparsed rest (§1.4).
pub fn memparse(s: &str) -> (u64, &str) {
    let b = s.as_bytes();
    let (base, skip) = fixup_radix(b);
    let (n, value, _) = parse_integer(&b[skip..], base);
    // simple_strtoull with no digits leaves the end pointer at the start.
    let consumed = if n == 0 { 0 } else { skip + n };
    let mut value = value;
    let mut rest = &s[consumed..];
    let shift = match rest.as_bytes().first() {
        Some(b'E' | b'e') => 60,
        Some(b'P' | b'p') => 50,
        Some(b'T' | b't') => 40,
        Some(b'G' | b'g') => 30,
        Some(b'M' | b'm') => 20,
        Some(b'K' | b'k') => 10,
        _ => 0,
    };
    if shift != 0 {
        // C's `v <<= 10` per suffix step keeps the low 64 bits.
        value = if shift >= 64 { 0 } else { value << shift };
        rest = &rest[1..];
    }
    (value, rest)
}

/// `page_counter_memparse(buf, maxstr)` on an already stripped buffer (§1.4).
pub fn page_counter_memparse(buf: &str, maxstr: &str) -> Result<Pages, Errno> {
    if buf == maxstr {
        return Ok(PAGE_COUNTER_MAX);
    }
    let (bytes, rest) = memparse(buf);
    if !rest.is_empty() {
        return Err(Errno::EINVAL);
    }
    Ok((bytes / PAGE_SIZE).min(PAGE_COUNTER_MAX))
}

/// Parse a human size for the simulator's own commands ("64M", "1G", "4096").
/// Unlike the kernel parsers this one rejects wrap-around.
pub fn parse_size(s: &str) -> Option<u64> {
    let (num, shift) = match s.as_bytes().last()? {
        b'K' | b'k' => (&s[..s.len() - 1], 10),
        b'M' | b'm' => (&s[..s.len() - 1], 20),
        b'G' | b'g' => (&s[..s.len() - 1], 30),
        b'T' | b't' => (&s[..s.len() - 1], 40),
        _ => (s, 0),
    };
    if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let v: u64 = num.parse().ok()?;
    v.checked_mul(1u64 << shift)
}

// Work units: what the engine counts in `Engine::work` so that a replay's
// budget and bound follow the work done, not only the events (one event
// may walk every memcg; docs/model.md §18.12). A unit is about one memcg
// or task looked at; the weights keep a unit at 10–20 ns of native time
// whatever the kind of work.

/// Work units of one engine event (its queue pop, its trace line, a bulk run's step).
pub const WORK_EVENT: u64 = 8;
/// One memcg the sampler visits, or one task whose pages it sums.
pub const WORK_SAMPLE: u64 = 1;
/// One step of a reclaim walk (`mem_cgroup_iter`, `mem_cgroup_protected`,
/// the memcg's size) or one chunk it shrinks.
pub const WORK_RECLAIM_STEP: u64 = 8;
/// One task looked at (reclaim's task list, the engine's task scan).
pub const WORK_TASK: u64 = 1;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kstrtoull_forms() {
        assert_eq!(kstrtoull("95"), Ok(95));
        assert_eq!(kstrtoull("95\n"), Ok(95));
        assert_eq!(kstrtoull("+95"), Ok(95));
        assert_eq!(kstrtoull("0x5f"), Ok(95));
        assert_eq!(kstrtoull("0137"), Ok(95));
        assert_eq!(kstrtoull("0"), Ok(0));
        assert_eq!(kstrtoull(""), Err(Errno::EINVAL));
        assert_eq!(kstrtoull("0x"), Err(Errno::EINVAL));
        assert_eq!(kstrtoull("08"), Err(Errno::EINVAL));
        assert_eq!(kstrtoull("95\n\n"), Err(Errno::EINVAL));
        assert_eq!(kstrtoull(" 95"), Err(Errno::EINVAL));
        assert_eq!(kstrtoull("-1"), Err(Errno::EINVAL));
        assert_eq!(kstrtoull("18446744073709551615"), Ok(u64::MAX));
        assert_eq!(kstrtoull("18446744073709551616"), Err(Errno::ERANGE));
        assert_eq!(kstrtouint("4294967296"), Err(Errno::ERANGE));
        assert_eq!(kstrtouint("4294967295"), Ok(u32::MAX));
    }

    #[test]
    fn kstrtoll_forms() {
        assert_eq!(kstrtoll("-1"), Ok(-1));
        assert_eq!(kstrtoll("+7"), Ok(7));
        assert_eq!(kstrtoll("-+7"), Err(Errno::EINVAL));
        assert_eq!(kstrtoll("-9223372036854775808"), Ok(i64::MIN));
        assert_eq!(kstrtoll("-9223372036854775809"), Err(Errno::ERANGE));
        assert_eq!(kstrtoll("9223372036854775808"), Err(Errno::ERANGE));
        assert_eq!(kstrtoint("2147483648"), Err(Errno::ERANGE));
        assert_eq!(kstrtoint("-2147483648"), Ok(i32::MIN));
    }

    #[test]
    fn memparse_suffixes_and_wrap() {
        assert_eq!(memparse("1G"), (1 << 30, ""));
        assert_eq!(memparse("1k"), (1024, ""));
        assert_eq!(memparse("16E"), (0, ""));
        assert_eq!(memparse("18446744073709551616"), (0, ""));
        assert_eq!(memparse("1GB"), (1 << 30, "B"));
        assert_eq!(memparse("abc"), (0, "abc"));
        assert_eq!(memparse(""), (0, ""));
        assert_eq!(memparse("0x"), (0, "x"));
        assert_eq!(memparse("08"), (0, "8"));
        assert_eq!(memparse("0x40000000"), (1 << 30, ""));
    }

    #[test]
    fn page_counter_memparse_rules() {
        assert_eq!(page_counter_memparse("-1", "-1"), Ok(PAGE_COUNTER_MAX));
        assert_eq!(page_counter_memparse("max", "-1"), Err(Errno::EINVAL));
        assert_eq!(page_counter_memparse("4097", "max"), Ok(1));
        assert_eq!(page_counter_memparse("8E", "max"), Ok(PAGE_COUNTER_MAX));
        assert_eq!(pages_to_bytes(PAGE_COUNTER_MAX), 9223372036854771712);
    }
}
