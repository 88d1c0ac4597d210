//! Page counters (spec §1.1): one `struct page_counter` and which counter
//! of a memcg an operation touches.
//!
//! A counter's parent lives in its memcg (`Memcg::counter_parent`), so the
//! hierarchical walks that follow it take the arena of cgroups and sit above
//! it, in the `hierarchy` module; this one depends on units alone.

use crate::units::{Pages, PAGE_COUNTER_MAX};

/// One `struct page_counter` (§1.1). All values are pages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageCounter {
    pub usage: Pages,
    pub max: Pages,
    pub high: Pages,
    pub min: Pages,
    pub low: Pages,
    pub emin: Pages,
    pub elow: Pages,
    pub min_usage: Pages,
    pub low_usage: Pages,
    pub children_min_usage: Pages,
    pub children_low_usage: Pages,
    /// ALinux: async reclaim starts when `usage >= wmark_high` (§9).
    pub wmark_high: Pages,
    /// ALinux: async reclaim stops once `usage < wmark_low` (§9).
    pub wmark_low: Pages,
    /// Peak usage (v1 `max_usage_in_bytes`).
    pub watermark: Pages,
    pub failcnt: u64,
}

impl Default for PageCounter {
    fn default() -> Self {
        PageCounter {
            usage: 0,
            max: PAGE_COUNTER_MAX,
            high: PAGE_COUNTER_MAX,
            min: 0,
            low: 0,
            emin: 0,
            elow: 0,
            min_usage: 0,
            low_usage: 0,
            children_min_usage: 0,
            children_low_usage: 0,
            wmark_high: PAGE_COUNTER_MAX,
            wmark_low: PAGE_COUNTER_MAX,
            watermark: 0,
            failcnt: 0,
        }
    }
}

impl PageCounter {
    /// `page_counter_set_max`: -EBUSY when usage is already above (§1.3).
    pub fn set_max(&mut self, max: Pages) -> Result<(), crate::Errno> {
        if self.usage > max {
            return Err(crate::Errno::EBUSY);
        }
        self.max = max;
        Ok(())
    }

    /// `mem_cgroup_margin` for one counter: max − usage, 0 when at or over.
    pub fn margin(&self) -> Pages {
        self.max.saturating_sub(self.usage)
    }
}

/// Which counter of a memcg a walk touches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CounterKind {
    Memory,
    /// v2 swap entries (`memory.swap.*`).
    Swap,
    /// v1 memory+swap (`memory.memsw.*`, §15): memory and swap entries.
    Memsw,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_max_is_ebusy_below_usage() {
        let mut pc = PageCounter::default();
        assert_eq!(pc.max, PAGE_COUNTER_MAX);
        pc.usage = 10;
        assert_eq!(pc.set_max(9), Err(crate::Errno::EBUSY));
        assert_eq!(pc.set_max(10), Ok(()));
    }

    #[test]
    fn margin_is_zero_at_or_over_max() {
        let mut pc = PageCounter {
            max: 10,
            ..PageCounter::default()
        };
        pc.usage = 4;
        assert_eq!(pc.margin(), 6);
        pc.usage = 10;
        assert_eq!(pc.margin(), 0);
        pc.usage = 12;
        assert_eq!(pc.margin(), 0, "a forced charge leaves usage over max");
    }
}
