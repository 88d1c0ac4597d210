//! Hierarchical page counter operations (spec §1.3): charge, try-charge,
//! uncharge and protection walks along counter parents.
//!
//! A counter's parent is another memcg's counter of the same kind, named by
//! [`CgroupId`]; `None` for the root and for v1 children of a
//! non-hierarchical parent (§1.2). The walks take the arena so they can
//! follow those links; the counter itself is [`crate::counter`].

use crate::counter::{CounterKind, PageCounter};
use crate::tree::{CgroupId, Tree};
use crate::units::Pages;

impl Tree {
    fn counter_mut(&mut self, id: CgroupId, kind: CounterKind) -> &mut PageCounter {
        let m = self.memcg_mut(id);
        match kind {
            CounterKind::Memory => &mut m.memory,
            CounterKind::Swap => &mut m.swap,
            CounterKind::Memsw => &mut m.memsw,
        }
    }

    fn counter(&self, id: CgroupId, kind: CounterKind) -> &PageCounter {
        let m = self.memcg(id);
        match kind {
            CounterKind::Memory => &m.memory,
            CounterKind::Swap => &m.swap,
            CounterKind::Memsw => &m.memsw,
        }
    }

    /// `propagate_protected_usage(c, usage)` with 4.19 semantics (§1.3).
    fn propagate_protected_usage(&mut self, c: CgroupId, usage: Pages, kind: CounterKind) {
        let Some(parent) = self.memcg(c).counter_parent else {
            return;
        };
        let (min, min_usage, low, low_usage) = {
            let pc = self.counter(c, kind);
            (pc.min, pc.min_usage, pc.low, pc.low_usage)
        };
        if min != 0 || min_usage != 0 {
            let protected = if usage <= min { usage } else { 0 };
            self.counter_mut(c, kind).min_usage = protected;
            let p = self.counter_mut(parent, kind);
            p.children_min_usage = p
                .children_min_usage
                .wrapping_add(protected)
                .wrapping_sub(min_usage);
        }
        if low != 0 || low_usage != 0 {
            let protected = if usage <= low { usage } else { 0 };
            self.counter_mut(c, kind).low_usage = protected;
            let p = self.counter_mut(parent, kind);
            p.children_low_usage = p
                .children_low_usage
                .wrapping_add(protected)
                .wrapping_sub(low_usage);
        }
    }

    /// The chain `c, parent(c), …` following counter parents.
    pub fn counter_chain(&self, c: CgroupId) -> CounterChain<'_> {
        CounterChain {
            tree: self,
            next: Some(c),
        }
    }

    /// `page_counter_charge`: unconditional, hierarchical (§1.3). Carries the
    /// 4.19 propagation bug: the *leaf* is recomputed against each level's
    /// new usage. A memory charge with memsw accounting charges memsw too,
    /// as every kernel site pairs them (force, `mem_cgroup_migrate`).
    pub fn page_counter_charge(&mut self, c: CgroupId, n: Pages, kind: CounterKind) {
        if kind == CounterKind::Memory {
            self.pages_charged += n;
            if self.memsw_account {
                self.page_counter_charge(c, n, CounterKind::Memsw);
            }
        }
        let mut at = Some(c);
        while let Some(id) = at {
            let new = {
                let pc = self.counter_mut(id, kind);
                pc.usage = pc.usage.wrapping_add(n);
                pc.usage
            };
            self.propagate_protected_usage(c, new, kind);
            let pc = self.counter_mut(id, kind);
            if new > pc.watermark {
                pc.watermark = new;
            }
            at = self.memcg(id).counter_parent;
        }
    }

    /// `page_counter_try_charge` (§1.3): on failure returns the counter over
    /// its limit, whose failcnt went up; lower levels are cancelled.
    pub fn page_counter_try_charge(
        &mut self,
        c: CgroupId,
        n: Pages,
        kind: CounterKind,
    ) -> Result<(), CgroupId> {
        let mut at = Some(c);
        while let Some(id) = at {
            let (new, max) = {
                let pc = self.counter_mut(id, kind);
                pc.usage = pc.usage.wrapping_add(n);
                (pc.usage, pc.max)
            };
            if new > max {
                let pc = self.counter_mut(id, kind);
                pc.usage = pc.usage.wrapping_sub(n);
                // 4.19 propagates the leaf against the rejected `new` here too.
                self.propagate_protected_usage(c, new, kind);
                self.counter_mut(id, kind).failcnt += 1;
                // Cancel the levels below the failing one.
                let mut undo = Some(c);
                while let Some(u) = undo {
                    if u == id {
                        break;
                    }
                    self.page_counter_cancel(u, n, kind);
                    undo = self.memcg(u).counter_parent;
                }
                return Err(id);
            }
            self.propagate_protected_usage(c, new, kind);
            let pc = self.counter_mut(id, kind);
            if new > pc.watermark {
                pc.watermark = new;
            }
            at = self.memcg(id).counter_parent;
        }
        if kind == CounterKind::Memory {
            self.pages_charged += n;
        }
        Ok(())
    }

    /// Add `n` pages of memory (and memsw when accounted) on every level
    /// without the per-charge protection propagation and watermark: only for
    /// the bulk engine's single-page runs, whose last fault walks the real
    /// path afterwards and leaves the state the per-page engine leaves
    /// (§18.4: each propagation overwrites the last, so only the last
    /// counts; the watermark's largest value is the last fault's).
    pub(crate) fn page_counter_add_quiet(&mut self, c: CgroupId, n: Pages) {
        let kinds: &[CounterKind] = if self.memsw_account {
            &[CounterKind::Memory, CounterKind::Memsw]
        } else {
            &[CounterKind::Memory]
        };
        for &kind in kinds {
            let mut at = Some(c);
            while let Some(id) = at {
                let pc = self.counter_mut(id, kind);
                pc.usage = pc.usage.wrapping_add(n);
                at = self.memcg(id).counter_parent;
            }
        }
        self.pages_charged += n;
    }

    /// `failcnt += n` of one counter (the failures of a single-page run).
    pub(crate) fn add_failcnt(&mut self, c: CgroupId, kind: CounterKind, n: u64) {
        let pc = self.counter_mut(c, kind);
        pc.failcnt = pc.failcnt.wrapping_add(n);
    }

    /// `page_counter_cancel`: one level, no walk.
    fn page_counter_cancel(&mut self, c: CgroupId, n: Pages, kind: CounterKind) {
        let new = {
            let pc = self.counter_mut(c, kind);
            // A negative result only warns in the kernel; we saturate at 0.
            pc.usage = pc.usage.saturating_sub(n);
            pc.usage
        };
        self.propagate_protected_usage(c, new, kind);
    }

    /// `page_counter_uncharge`: every level, propagation per level (§1.3).
    /// A memory uncharge with memsw accounting uncharges memsw too
    /// (`uncharge_batch`, `cancel_charge`, `drain_stock`); swap-out is the
    /// exception, [`Tree::mem_cgroup_swapout`].
    pub fn page_counter_uncharge(&mut self, c: CgroupId, n: Pages, kind: CounterKind) {
        if kind == CounterKind::Memory && self.memsw_account {
            self.page_counter_uncharge(c, n, CounterKind::Memsw);
        }
        self.uncharge_walk(c, n, kind);
    }

    /// `mem_cgroup_swapout` (v1): `n` pages leave memory for swap entries;
    /// their memsw charge stays with the entries until the swap is freed or
    /// read back ([`Tree::mem_cgroup_uncharge_swap`]).
    pub fn mem_cgroup_swapout(&mut self, c: CgroupId, n: Pages) {
        self.uncharge_walk(c, n, CounterKind::Memory);
    }

    /// `mem_cgroup_uncharge_swap`: `n` swap entries of `c` freed (or read
    /// back in): v2 uncharges the swap counter, v1 memsw.
    pub fn mem_cgroup_uncharge_swap(&mut self, c: CgroupId, n: Pages) {
        let kind = if self.memsw_account {
            CounterKind::Memsw
        } else {
            CounterKind::Swap
        };
        self.uncharge_walk(c, n, kind);
    }

    /// The swap entries of a moved task charged to `c` (v2 swap, v1 memsw).
    pub fn swap_entries_charge(&mut self, c: CgroupId, n: Pages) {
        let kind = if self.memsw_account {
            CounterKind::Memsw
        } else {
            CounterKind::Swap
        };
        self.page_counter_charge(c, n, kind);
    }

    fn uncharge_walk(&mut self, c: CgroupId, n: Pages, kind: CounterKind) {
        if kind == CounterKind::Memory {
            self.pages_uncharged += n;
        }
        let mut at = Some(c);
        while let Some(id) = at {
            self.page_counter_cancel(id, n, kind);
            at = self.memcg(id).counter_parent;
        }
    }

    /// `page_counter_set_min` / `_set_low`: store, then re-propagate for c and
    /// every ancestor (§1.3).
    pub fn page_counter_set_protection(
        &mut self,
        c: CgroupId,
        min: Option<Pages>,
        low: Option<Pages>,
    ) {
        {
            let pc = &mut self.memcg_mut(c).memory;
            if let Some(v) = min {
                pc.min = v;
            }
            if let Some(v) = low {
                pc.low = v;
            }
        }
        let mut at = Some(c);
        while let Some(id) = at {
            let usage = self.memcg(id).memory.usage;
            self.propagate_protected_usage(id, usage, CounterKind::Memory);
            at = self.memcg(id).counter_parent;
        }
    }
}

/// Iterator over a counter and its counter ancestors.
pub struct CounterChain<'a> {
    tree: &'a Tree,
    next: Option<CgroupId>,
}

impl Iterator for CounterChain<'_> {
    type Item = CgroupId;
    fn next(&mut self) -> Option<CgroupId> {
        let id = self.next?;
        self.next = self.tree.memcg(id).counter_parent;
        Some(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::{Kernel, KernelConfig, Version};

    fn kernel(version: Version, root_hier: bool) -> Kernel {
        let mut cfg = KernelConfig::new(version);
        cfg.root_use_hierarchy = root_hier;
        Kernel::new(cfg)
    }

    #[test]
    fn try_charge_walks_up_and_fails_at_the_limited_level() {
        let mut k = kernel(Version::V2, true);
        let p = k.mkdir(CgroupId::ROOT, "p").unwrap();
        k.set_subtree_memory(p, true);
        let c = k.mkdir(p, "c").unwrap();
        k.tree.memcg_mut(p).memory.max = 100;
        assert_eq!(
            k.tree.page_counter_try_charge(c, 60, CounterKind::Memory),
            Ok(())
        );
        for id in [c, p, CgroupId::ROOT] {
            assert_eq!(k.tree.memcg(id).memory.usage, 60);
            assert_eq!(k.tree.memcg(id).memory.watermark, 60);
        }
        // 60 + 41 > 100 at p: fail there, cancel c, failcnt only on p.
        assert_eq!(
            k.tree.page_counter_try_charge(c, 41, CounterKind::Memory),
            Err(p)
        );
        assert_eq!(k.tree.memcg(c).memory.usage, 60);
        assert_eq!(k.tree.memcg(p).memory.usage, 60);
        assert_eq!(k.tree.memcg(CgroupId::ROOT).memory.usage, 60);
        assert_eq!(k.tree.memcg(p).memory.failcnt, 1);
        assert_eq!(k.tree.memcg(c).memory.failcnt, 0);
        // The child recorded the transient peak before the parent failed.
        assert_eq!(k.tree.memcg(c).memory.watermark, 101);
        assert_eq!(k.tree.memcg(p).memory.watermark, 60);
        // usage == max is allowed (strict `>`).
        assert_eq!(
            k.tree.page_counter_try_charge(c, 40, CounterKind::Memory),
            Ok(())
        );
        assert_eq!(k.tree.memcg(p).memory.usage, 100);
        // charge ignores limits; uncharge walks every level.
        k.tree.page_counter_charge(c, 10, CounterKind::Memory);
        assert_eq!(k.tree.memcg(p).memory.usage, 110);
        k.tree.page_counter_uncharge(c, 110, CounterKind::Memory);
        for id in [c, p, CgroupId::ROOT] {
            assert_eq!(k.tree.memcg(id).memory.usage, 0);
        }
    }

    #[test]
    fn v1_non_hierarchical_children_have_independent_counters() {
        let mut k = kernel(Version::V1, false);
        let c = k.mkdir(CgroupId::ROOT, "c").unwrap();
        assert_eq!(k.tree.memcg(c).counter_parent, None);
        assert!(!k.tree.memcg(c).use_hierarchy);
        k.tree.page_counter_charge(c, 5, CounterKind::Memory);
        assert_eq!(k.tree.memcg(CgroupId::ROOT).memory.usage, 0);
        let mut k = kernel(Version::V1, true);
        let c = k.mkdir(CgroupId::ROOT, "c").unwrap();
        assert_eq!(k.tree.memcg(c).counter_parent, Some(CgroupId::ROOT));
        assert!(k.tree.memcg(c).use_hierarchy);
    }

    #[test]
    fn protected_usage_uses_the_419_rule_and_charge_bug() {
        // §1.3: above its low a counter contributes 0, not min(usage, low).
        let mut k = kernel(Version::V2, true);
        let p = k.mkdir(CgroupId::ROOT, "p").unwrap();
        k.set_subtree_memory(p, true);
        let c = k.mkdir(p, "c").unwrap();
        k.tree.page_counter_set_protection(c, None, Some(10));
        k.tree.page_counter_charge(c, 8, CounterKind::Memory);
        // Charge bug: the leaf is finally recomputed against the top of the
        // chain (root usage 8 ≤ 10), so it still counts 8 here.
        assert_eq!(k.tree.memcg(c).memory.low_usage, 8);
        assert_eq!(k.tree.memcg(p).memory.children_low_usage, 8);
        k.tree.page_counter_charge(c, 4, CounterKind::Memory);
        assert_eq!(k.tree.memcg(c).memory.low_usage, 0, "12 > low 10");
        assert_eq!(k.tree.memcg(p).memory.children_low_usage, 0);
        k.tree.page_counter_uncharge(c, 3, CounterKind::Memory);
        assert_eq!(k.tree.memcg(c).memory.low_usage, 9);
        assert_eq!(k.tree.memcg(p).memory.children_low_usage, 9);
    }
}
