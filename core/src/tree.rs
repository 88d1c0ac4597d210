//! The cgroup arena: cgroups by [`CgroupId`] index, never by pointer, with
//! their memcg state (spec §1.2, §9.4). Children are kept sorted by name
//! (a [`VecMap`]) so every walk is ordered and deterministic. The ordered
//! tables here ([`VecMap`], [`IdMap`], [`PidSet`]) stand in for `BTreeMap`s,
//! whose code per key/value type weighed on the wasm (issue 4).

use alloc::string::String;
use alloc::vec::Vec;

use crate::counter::PageCounter;
use crate::lru::{MemcgCounters, MemcgPages, TaskPages};
use crate::units::{Pages, PAGE_COUNTER_MAX};
use crate::workqueue::WorkState;

/// Index of a cgroup in the arena. Freed indices are reused lowest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CgroupId(pub u32);

impl CgroupId {
    pub const ROOT: CgroupId = CgroupId(0);
}

/// A process id.
pub type Pid = u32;

/// Index into the five memcg events (§13.1), in file order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemcgEvent {
    Low = 0,
    High = 1,
    Max = 2,
    Oom = 3,
    OomKill = 4,
}

/// Index into `memory.swap.events` (`MEMCG_SWAP_HIGH`, `_MAX`, `_FAIL`),
/// in file order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SwapEvent {
    High = 0,
    Max = 1,
    Fail = 2,
}

/// Names of [`MemcgEvent`] in `memory.events` order.
pub const MEMCG_EVENT_NAMES: [&str; 5] = ["low", "high", "max", "oom", "oom_kill"];

/// The memory controller's state of one cgroup (`struct mem_cgroup`).
#[derive(Clone, Debug)]
pub struct Memcg {
    pub memory: PageCounter,
    /// v2 `memory.swap.*`: swap entries.
    pub swap: PageCounter,
    /// v1 `memory.memsw.*`: memory plus swap entries (§15); its `high` is
    /// v1 `memory.swap.high`.
    pub memsw: PageCounter,
    pub kmem: PageCounter,
    pub tcpmem: PageCounter,
    /// The memcg whose counters are this one's counters' parents (§1.2).
    pub counter_parent: Option<CgroupId>,
    pub use_hierarchy: bool,
    pub soft_limit: Pages,
    pub swappiness: i64,
    pub oom_kill_disable: bool,
    pub oom_group: bool,
    pub priority: u64,
    pub use_priority_oom: bool,
    pub move_charge_at_immigrate: u64,
    /// `unsigned int` in the kernel; written through an `int` (§9.7 quirk).
    pub wmark_ratio: u32,
    pub wmark_scale_factor: u32,
    pub wmark_min_adj: i32,
    /// The memcg's one work item: ALinux `wmark_work` (§10), or on
    /// openEuler `high_work` run for `high_async_reclaim` (§19.4).
    pub wmark_work: WorkState,
    /// openEuler `memory.high_async_ratio` (11..=100, 100 = off, §19.4).
    pub high_async_ratio: u32,
    /// TencentOS `async_wmark` (`memory.async_ratio`, an `int`, 0 = off)
    /// and `async_distance_factor` (per million of the base), §19.5.
    pub async_ratio: i32,
    pub async_distance_factor: i32,
    /// TencentOS `memory.async_high` / `memory.async_low`
    /// (`page_counter_set_async_high/low`), in pages.
    pub async_high: Pages,
    pub async_low: Pages,
    /// Hierarchical (v2) event counts.
    pub events: [u64; 5],
    /// Local event counts (v1 reads these as `memory.events`).
    pub events_local: [u64; 5],
    /// `memory.swap.events`: high, max, fail.
    pub swap_events: [u64; 3],
    /// exstat MEMCG_WMARK_RECLAIM, in ns (§9.6).
    pub wmark_reclaim_ns: u64,
    pub wmark_min_throttled_ns: u64,
    /// Page cache no working set holds (the modelled LRU, see [`crate::lru`]).
    pub pages: MemcgPages,
    /// Local memory.stat event counters.
    pub stat: MemcgCounters,
    /// v1 `under_oom`.
    pub under_oom: bool,
    /// Charges forced over the limit here (§3 FORCE).
    pub forced: u64,
    /// `mem_cgroup_per_node.iter[DEF_PRIORITY + 1]` of the one node: where
    /// the last reclaim walk rooted here stopped, per priority (§5.2).
    pub reclaim_iter: [ReclaimIter; 13],
    /// Anon pages (`anon_cold`) and swap (`swapped`) of tasks that moved
    /// away without their charges, by pid: still charged here until
    /// reclaimed, freed or the task exits (§18.6).
    pub left_behind: PidMap<TaskPages>,
    /// The tasks charged to this memcg, by pid: those whose nearest cgroup
    /// with a memory css is this one (`css_task_iter` over the memcg's css;
    /// on v2 a cgroup without the controller charges its ancestor's).
    /// Kept by `Kernel::css_set_move_task`; reclaim and
    /// the OOM scan read it instead of every task (docs/model.md §18.4).
    pub tasks: PidSet,
}

/// `struct mem_cgroup_reclaim_iter` (4.19 `include/linux/memcontrol.h`):
/// the shared position of reclaim walks rooted at one memcg, at one
/// priority, and the generation, bumped each time a walk reaches the end.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReclaimIter {
    pub position: Option<CgroupId>,
    pub generation: u32,
}

/// `struct mem_cgroup_reclaim_cookie`: one walker's priority and the
/// generation it started in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReclaimCookie {
    pub priority: u8,
    pub generation: u32,
}

impl Memcg {
    /// A memcg as `mem_cgroup_css_alloc` leaves it before inheritance.
    pub fn new() -> Memcg {
        Memcg {
            memory: PageCounter::default(),
            swap: PageCounter::default(),
            memsw: PageCounter::default(),
            kmem: PageCounter::default(),
            tcpmem: PageCounter::default(),
            counter_parent: None,
            use_hierarchy: false,
            soft_limit: PAGE_COUNTER_MAX,
            swappiness: 60,
            oom_kill_disable: false,
            oom_group: false,
            priority: 0,
            use_priority_oom: false,
            move_charge_at_immigrate: 0,
            wmark_ratio: 0,
            wmark_scale_factor: 0,
            wmark_min_adj: 0,
            wmark_work: WorkState::Idle,
            high_async_ratio: 100, // HIGH_ASYNC_RATIO_BASE: off
            async_ratio: 0,
            async_distance_factor: 0, // kzalloc; css_alloc makes a child's 1
            async_high: PAGE_COUNTER_MAX,
            async_low: PAGE_COUNTER_MAX,
            events: [0; 5],
            events_local: [0; 5],
            swap_events: [0; 3],
            wmark_reclaim_ns: 0,
            wmark_min_throttled_ns: 0,
            pages: MemcgPages::default(),
            stat: MemcgCounters::default(),
            under_oom: false,
            forced: 0,
            reclaim_iter: [ReclaimIter::default(); 13],
            left_behind: PidMap::new(),
            tasks: PidSet::default(),
        }
    }
}

impl Default for Memcg {
    fn default() -> Self {
        Memcg::new()
    }
}

/// One cgroup directory.
#[derive(Clone, Debug)]
pub struct Cgroup {
    pub name: String,
    pub parent: Option<CgroupId>,
    pub children: VecMap<String, CgroupId>,
    /// Processes attached here (`cgroup.procs`).
    pub procs: PidSet,
    /// The memory css; `None` in v2 when the parent has not enabled
    /// `+memory` in `cgroup.subtree_control`.
    pub memcg: Option<Memcg>,
    /// v2: `memory` is in this cgroup's `cgroup.subtree_control`.
    pub subtree_memory: bool,
    /// v2 `cgroup.max.descendants` / `cgroup.max.depth` (`None` = max).
    pub max_descendants: Option<u32>,
    pub max_depth: Option<u32>,
    pub depth: u32,
    /// v1 `cgroup.clone_children` and `notify_on_release` (stored, no effect).
    pub clone_children: bool,
    pub notify_on_release: bool,
    /// rmdir'ed but its memcg still holds charges (an offline css, §18.7):
    /// out of the namespace, still in the parent's [`Cgroup::dying`].
    pub offline: bool,
    /// Offline children, in id order: walked by reclaim and summed in
    /// hierarchical stats after the online ones (§18.7).
    pub dying: Vec<CgroupId>,
}

/// The arena of cgroups. Index 0 is the root and always exists.
#[derive(Clone, Debug)]
pub struct Tree {
    nodes: Vec<Option<Cgroup>>,
    /// Free slots, largest first: ids are reused lowest first. (A sorted
    /// Vec, not a BTreeSet: one BTree instantiation less in the wasm.)
    free: Vec<u32>,
    live: usize,
    /// Pages charged and uncharged at the leaf of a memory-counter walk
    /// (an invariant check: their difference is the top-level usage).
    pub pages_charged: u64,
    pub pages_uncharged: u64,
    /// `do_memsw_account()`: v1 with swap accounting (§15). Memory charges
    /// and uncharges then go to memsw as well.
    pub memsw_account: bool,
    /// Cgroups with `cgroup.max.descendants` or `cgroup.max.depth` set
    /// ([`Tree::set_hierarchy_limits`]): while none has, `cgroup_mkdir` need
    /// not walk the ancestors, so `mkdir -p` stays linear in depth.
    hierarchy_limits: usize,
}

impl Tree {
    /// A tree holding only the root, with the given root memcg.
    pub fn new(root_memcg: Memcg) -> Tree {
        let root = Cgroup {
            name: String::new(),
            parent: None,
            children: VecMap::new(),
            procs: PidSet::default(),
            memcg: Some(root_memcg),
            subtree_memory: true,
            max_descendants: None,
            max_depth: None,
            depth: 0,
            clone_children: false,
            notify_on_release: false,
            offline: false,
            dying: Vec::new(),
        };
        Tree {
            nodes: alloc::vec![Some(root)],
            free: Vec::new(),
            live: 1,
            pages_charged: 0,
            pages_uncharged: 0,
            memsw_account: false,
            hierarchy_limits: 0,
        }
    }

    /// Number of live cgroups, the root included.
    pub fn len(&self) -> usize {
        self.live
    }

    /// Always false: the root exists.
    pub fn is_empty(&self) -> bool {
        false
    }

    pub fn get(&self, id: CgroupId) -> Option<&Cgroup> {
        self.nodes.get(id.0 as usize).and_then(Option::as_ref)
    }

    pub fn get_mut(&mut self, id: CgroupId) -> Option<&mut Cgroup> {
        self.nodes.get_mut(id.0 as usize).and_then(Option::as_mut)
    }

    /// The cgroup; panics on a dead id, which would be a simulator bug.
    pub fn cg(&self, id: CgroupId) -> &Cgroup {
        self.get(id).expect("live cgroup id")
    }

    pub fn cg_mut(&mut self, id: CgroupId) -> &mut Cgroup {
        self.get_mut(id).expect("live cgroup id")
    }

    /// The memcg of a cgroup known to have one.
    pub fn memcg(&self, id: CgroupId) -> &Memcg {
        self.cg(id)
            .memcg
            .as_ref()
            .expect("cgroup with a memory css")
    }

    pub fn memcg_mut(&mut self, id: CgroupId) -> &mut Memcg {
        self.cg_mut(id)
            .memcg
            .as_mut()
            .expect("cgroup with a memory css")
    }

    /// Insert a new child; the caller has checked the name is free.
    pub fn insert(&mut self, parent: CgroupId, name: String, memcg: Option<Memcg>) -> CgroupId {
        let depth = self.cg(parent).depth + 1;
        let node = Cgroup {
            name: name.clone(),
            parent: Some(parent),
            children: VecMap::new(),
            procs: PidSet::default(),
            memcg,
            subtree_memory: false,
            max_descendants: None,
            max_depth: None,
            depth,
            clone_children: false,
            notify_on_release: false,
            offline: false,
            dying: Vec::new(),
        };
        let id = match self.free.pop() {
            Some(i) => {
                self.nodes[i as usize] = Some(node);
                CgroupId(i)
            }
            None => {
                self.nodes.push(Some(node));
                CgroupId((self.nodes.len() - 1) as u32)
            }
        };
        self.cg_mut(parent).children.insert(name, id);
        self.live += 1;
        id
    }

    /// Set a cgroup's v2 `cgroup.max.descendants` and `cgroup.max.depth`
    /// (`None` = max), keeping count of the cgroups that have either.
    pub fn set_hierarchy_limits(
        &mut self,
        id: CgroupId,
        max_descendants: Option<u32>,
        max_depth: Option<u32>,
    ) {
        let cg = self.cg_mut(id);
        let before = cg.max_descendants.is_some() || cg.max_depth.is_some();
        cg.max_descendants = max_descendants;
        cg.max_depth = max_depth;
        let after = max_descendants.is_some() || max_depth.is_some();
        self.hierarchy_limits = self.hierarchy_limits + usize::from(after) - usize::from(before);
    }

    /// Whether any cgroup has a v2 hierarchy limit set.
    pub fn has_hierarchy_limits(&self) -> bool {
        self.hierarchy_limits > 0
    }

    /// Remove a leaf cgroup (online, or offline and released) and free its
    /// id; reclaim iterators that point at it forget it.
    pub fn remove(&mut self, id: CgroupId) {
        self.invalidate_reclaim_iterators(id);
        let node = self.nodes[id.0 as usize].take().expect("live cgroup id");
        debug_assert!(node.children.is_empty() && node.dying.is_empty());
        if node.max_descendants.is_some() || node.max_depth.is_some() {
            self.hierarchy_limits -= 1;
        }
        if let Some(p) = node.parent {
            if node.offline {
                self.cg_mut(p).dying.retain(|&c| c != id);
            } else {
                self.cg_mut(p).children.remove(&node.name);
            }
        }
        let at = self.free.partition_point(|&f| f > id.0);
        self.free.insert(at, id.0);
        self.live -= 1;
    }

    /// Pre-order walk of `root`'s subtree, children by name (`mem_cgroup_iter`).
    pub fn subtree(&self, root: CgroupId) -> Vec<CgroupId> {
        let mut out = Vec::new();
        let mut stack = alloc::vec![root];
        while let Some(id) = stack.pop() {
            out.push(id);
            for &child in self.cg(id).children.values().rev() {
                stack.push(child);
            }
        }
        out
    }

    /// `kill_css` of an rmdir'ed cgroup whose memcg still holds charges:
    /// its name leaves the namespace (a new cgroup may take it), the node
    /// stays in the arena, its id taken, as one of the parent's dying
    /// children until [`Tree::remove`] (css release, §18.7).
    pub fn offline(&mut self, id: CgroupId) {
        let (parent, name) = {
            let cg = self.cg_mut(id);
            cg.offline = true;
            (cg.parent, cg.name.clone())
        };
        if let Some(p) = parent {
            let pc = self.cg_mut(p);
            pc.children.remove(&name);
            let at = pc.dying.partition_point(|&c| c < id);
            pc.dying.insert(at, id);
        }
    }

    /// The children `css_next_descendant_pre` visits: the online ones by
    /// name, then the offline ones by id, those with a memory css only.
    pub fn css_children(&self, id: CgroupId) -> Vec<CgroupId> {
        let cg = self.cg(id);
        cg.children
            .values()
            .chain(cg.dying.iter())
            .copied()
            .filter(|&c| self.cg(c).memcg.is_some())
            .collect()
    }

    /// Pre-order walk of `root`'s memcgs, offline ones included
    /// (`css_for_each_descendant_pre` on the memory css).
    pub fn css_subtree(&self, root: CgroupId) -> Vec<CgroupId> {
        let mut out = Vec::new();
        let mut stack = alloc::vec![root];
        while let Some(id) = stack.pop() {
            out.push(id);
            for child in self.css_children(id).into_iter().rev() {
                stack.push(child);
            }
        }
        out
    }

    /// `css_next_descendant_pre(pos, root)`: the memcg after `pos` in a
    /// pre-order walk of `root`'s subtree; `None` for `pos` starts at root.
    /// In the order of [`Tree::css_children`], by binary search (a walk of
    /// n siblings stays O(n log n)).
    pub fn css_next_descendant_pre(
        &self,
        pos: Option<CgroupId>,
        root: CgroupId,
    ) -> Option<CgroupId> {
        let Some(mut pos) = pos else {
            return Some(root);
        };
        let has_memcg = |c: &CgroupId| self.cg(*c).memcg.is_some();
        let cg = self.cg(pos);
        if let Some(&first) = cg
            .children
            .values()
            .chain(cg.dying.iter())
            .find(|c| has_memcg(c))
        {
            return Some(first);
        }
        while pos != root {
            let cg = self.cg(pos);
            let p = self.cg(cg.parent?);
            let next = if cg.offline {
                let at = p.dying.partition_point(|&c| c <= pos);
                p.dying[at..].iter().find(|c| has_memcg(c))
            } else {
                p.children
                    .values_after(cg.name.as_str())
                    .chain(p.dying.iter())
                    .find(|c| has_memcg(c))
            };
            if let Some(&next) = next {
                return Some(next);
            }
            pos = cg.parent?;
        }
        None
    }

    /// `mem_cgroup_iter(root, prev, reclaim)` with a reclaim cookie, 4.19
    /// `mm/memcontrol.c` (§5.2): walkers rooted at `root` at one priority
    /// share `root`'s iterator, so each walk resumes after the memcg the
    /// last one stopped at. A fresh walk (`prev` None) always returns a
    /// memcg and joins the iterator's generation; a continuing walk returns
    /// `None` once another walker finished the round (generation changed)
    /// or the subtree ends (the generation then moves on). A v1 memcg
    /// without use_hierarchy walks only itself.
    pub fn mem_cgroup_iter(
        &mut self,
        root: CgroupId,
        prev: Option<CgroupId>,
        cookie: &mut ReclaimCookie,
    ) -> Option<CgroupId> {
        if !self.memcg(root).use_hierarchy && root != CgroupId::ROOT {
            return if prev.is_some() { None } else { Some(root) };
        }
        let prio = usize::from(cookie.priority).min(12);
        let iter = self.memcg(root).reclaim_iter[prio];
        if prev.is_some() && cookie.generation != iter.generation {
            return None;
        }
        // css_tryget on the position: a memcg gone from the subtree (its id
        // freed, or reused elsewhere) reads as no position.
        let pos = iter.position.filter(|&p| {
            self.get(p).is_some_and(|c| c.memcg.is_some()) && self.is_ancestor_or_self(root, p)
        });
        let mut next = self.css_next_descendant_pre(pos, root);
        if next.is_none() && prev.is_none() {
            // "make sure they see at least one group and restart"
            next = Some(root);
        }
        let it = &mut self.memcg_mut(root).reclaim_iter[prio];
        it.position = next;
        if next.is_none() {
            it.generation = it.generation.wrapping_add(1);
        } else if prev.is_none() {
            cookie.generation = it.generation;
        }
        next
    }

    /// `invalidate_reclaim_iterators(dead)`: clear every iterator of `dead`
    /// and its ancestors that points at it (4.19, from css release).
    pub fn invalidate_reclaim_iterators(&mut self, dead: CgroupId) {
        let mut at = Some(dead);
        while let Some(id) = at {
            if let Some(m) = self.get_mut(id).and_then(|c| c.memcg.as_mut()) {
                for it in m.reclaim_iter.iter_mut() {
                    if it.position == Some(dead) {
                        it.position = None;
                    }
                }
            }
            at = self.get(id).and_then(|c| c.parent);
        }
    }

    /// Number of descendants (not counting `id`).
    pub fn nr_descendants(&self, id: CgroupId) -> usize {
        self.subtree(id).len() - 1
    }

    /// `a` is `b` or one of its ancestors in the cgroup tree.
    pub fn is_ancestor_or_self(&self, a: CgroupId, b: CgroupId) -> bool {
        let mut at = Some(b);
        while let Some(id) = at {
            if id == a {
                return true;
            }
            at = self.cg(id).parent;
        }
        false
    }

    /// Path components from the root (exclusive) to `id`.
    pub fn rel_path(&self, id: CgroupId) -> String {
        let mut names = Vec::new();
        let mut at = id;
        while let Some(p) = self.cg(at).parent {
            names.push(self.cg(at).name.as_str());
            at = p;
        }
        let mut out = String::new();
        for n in names.iter().rev() {
            out.push('/');
            out.push_str(n);
        }
        out
    }

    /// One past the largest id ever used: the length of a table indexed by
    /// id (`CgroupId.0`).
    pub fn slots(&self) -> usize {
        self.nodes.len()
    }

    /// All live ids in index order.
    pub fn ids(&self) -> impl Iterator<Item = CgroupId> + '_ {
        self.nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.is_some())
            .map(|(i, _)| CgroupId(i as u32))
    }
}

/// A table keyed by cgroup id, iterated in id order like a `BTreeMap`, but
/// a `Vec` of slots: ids are small and dense (the kernel's `mem_cgroup_idr`
/// hands out the lowest free one), and each `BTreeMap` key/value pair is
/// another few KB of code in the wasm.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdMap<T> {
    slots: Vec<Option<T>>,
    len: usize,
}

impl<T> Default for IdMap<T> {
    fn default() -> Self {
        IdMap {
            slots: Vec::new(),
            len: 0,
        }
    }
}

impl<T> IdMap<T> {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn get(&self, id: &CgroupId) -> Option<&T> {
        self.slots.get(id.0 as usize).and_then(Option::as_ref)
    }

    pub fn get_mut(&mut self, id: &CgroupId) -> Option<&mut T> {
        self.slots.get_mut(id.0 as usize).and_then(Option::as_mut)
    }

    pub fn contains_key(&self, id: &CgroupId) -> bool {
        self.get(id).is_some()
    }

    /// Insert or replace; the old value, if any.
    pub fn insert(&mut self, id: CgroupId, v: T) -> Option<T> {
        let i = id.0 as usize;
        if i >= self.slots.len() {
            self.slots.resize_with(i + 1, || None);
        }
        let old = self.slots[i].replace(v);
        if old.is_none() {
            self.len += 1;
        }
        old
    }

    pub fn remove(&mut self, id: &CgroupId) -> Option<T> {
        let old = self.slots.get_mut(id.0 as usize).and_then(Option::take);
        if old.is_some() {
            self.len -= 1;
        }
        old
    }

    /// The value at `id`, inserted as `T::default()` if absent (`entry(id).or_default()`).
    pub fn get_or_default(&mut self, id: CgroupId) -> &mut T
    where
        T: Default,
    {
        if !self.contains_key(&id) {
            self.insert(id, T::default());
        }
        self.get_mut(&id).expect("just inserted")
    }

    /// Keep only the entries `f` accepts.
    pub fn retain(&mut self, mut f: impl FnMut(&CgroupId, &mut T) -> bool) {
        for (i, slot) in self.slots.iter_mut().enumerate() {
            if let Some(v) = slot {
                if !f(&CgroupId(i as u32), v) {
                    *slot = None;
                    self.len -= 1;
                }
            }
        }
    }

    /// Values in id order.
    pub fn values(&self) -> impl Iterator<Item = &T> + '_ {
        self.slots.iter().flatten()
    }

    /// Entries in id order.
    pub fn iter(&self) -> impl Iterator<Item = (CgroupId, &T)> + '_ {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.as_ref().map(|v| (CgroupId(i as u32), v)))
    }
}

#[cfg(test)]
mod id_map_tests {
    use super::*;

    #[test]
    fn behaves_like_an_ordered_map() {
        let mut m: IdMap<u32> = IdMap::new();
        assert!(m.is_empty());
        assert_eq!(m.insert(CgroupId(5), 50), None);
        assert_eq!(m.insert(CgroupId(2), 20), None);
        assert_eq!(m.insert(CgroupId(5), 55), Some(50));
        *m.get_or_default(CgroupId(3)) += 3;
        assert_eq!(m.len(), 3);
        let v: Vec<_> = m.iter().map(|(id, v)| (id.0, *v)).collect();
        assert_eq!(v, [(2, 20), (3, 3), (5, 55)]);
        m.retain(|id, _| id.0 != 3);
        assert_eq!(m.remove(&CgroupId(2)), Some(20));
        assert_eq!(m.remove(&CgroupId(9)), None);
        assert_eq!(m.len(), 1);
        assert!(m.contains_key(&CgroupId(5)) && !m.contains_key(&CgroupId(3)));
        assert_eq!(m.get(&CgroupId(100)), None);
    }
}

/// The pids of a cgroup in ascending order (`cgroup.procs`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PidSet(VecMap<Pid, ()>);

impl PidSet {
    pub fn insert(&mut self, pid: Pid) -> bool {
        self.0.insert(pid, ()).is_none()
    }

    pub fn remove(&mut self, pid: &Pid) -> bool {
        self.0.remove(pid).is_some()
    }

    pub fn contains(&self, pid: &Pid) -> bool {
        self.0.contains_key(pid)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Pid> + '_ {
        self.0.keys()
    }
}

#[cfg(test)]
mod pid_set_tests {
    use super::*;

    #[test]
    fn stays_sorted_and_unique() {
        let mut s = PidSet::default();
        assert!(s.insert(1003) && s.insert(1001) && s.insert(1002));
        assert!(!s.insert(1002));
        assert!(s.remove(&1001) && !s.remove(&1001));
        assert!(s.contains(&1003) && !s.contains(&1001));
        assert_eq!(s.iter().copied().collect::<Vec<_>>(), [1002, 1003]);
        assert_eq!(s.len(), 2);
    }
}

/// An ordered map in a `Vec` sorted by key: for the kernel's and the
/// engine's tasks (pids are handed out in increasing order, so inserts
/// append) and a cgroup's children by name. Lookups are binary searches,
/// iteration is in key order like a `BTreeMap`'s; the methods are the
/// `BTreeMap` ones the callers use. Each `BTreeMap` key/value pair was a
/// few KB of code in the wasm; these are a few hundred bytes. Keys and
/// values are kept in two vectors, so a lookup's binary search reads only
/// the dense keys (an engine task record is hundreds of bytes: searching
/// the pairs was a cache miss per step, issue 12).
#[derive(Clone, PartialEq, Eq)]
pub struct VecMap<K, V> {
    keys: Vec<K>,
    vals: Vec<V>,
}

/// Tasks by pid, in pid order.
pub type PidMap<T> = VecMap<Pid, T>;

impl<K, V> Default for VecMap<K, V> {
    fn default() -> Self {
        VecMap {
            keys: Vec::new(),
            vals: Vec::new(),
        }
    }
}

/// As the former `VecMap(Vec<(K, V)>)` printed itself.
impl<K: core::fmt::Debug, V: core::fmt::Debug> core::fmt::Debug for VecMap<K, V> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        struct Pairs<'a, K, V>(&'a [K], &'a [V]);
        impl<K: core::fmt::Debug, V: core::fmt::Debug> core::fmt::Debug for Pairs<'_, K, V> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.debug_list()
                    .entries(self.0.iter().zip(self.1.iter()))
                    .finish()
            }
        }
        f.debug_tuple("VecMap")
            .field(&Pairs(&self.keys, &self.vals))
            .finish()
    }
}

impl<K: Ord, V> VecMap<K, V> {
    pub fn new() -> Self {
        Self::default()
    }

    fn at<Q: Ord + ?Sized>(&self, k: &Q) -> Result<usize, usize>
    where
        K: core::borrow::Borrow<Q>,
    {
        self.keys.binary_search_by(|key| key.borrow().cmp(k))
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    pub fn get<Q: Ord + ?Sized>(&self, k: &Q) -> Option<&V>
    where
        K: core::borrow::Borrow<Q>,
    {
        self.at(k).ok().map(|i| &self.vals[i])
    }

    pub fn get_mut<Q: Ord + ?Sized>(&mut self, k: &Q) -> Option<&mut V>
    where
        K: core::borrow::Borrow<Q>,
    {
        self.at(k).ok().map(|i| &mut self.vals[i])
    }

    pub fn contains_key<Q: Ord + ?Sized>(&self, k: &Q) -> bool
    where
        K: core::borrow::Borrow<Q>,
    {
        self.at(k).is_ok()
    }

    /// Insert or replace; the old value, if any.
    pub fn insert(&mut self, k: K, v: V) -> Option<V> {
        match self.at(&k) {
            Ok(i) => Some(core::mem::replace(&mut self.vals[i], v)),
            Err(i) => {
                self.keys.insert(i, k);
                self.vals.insert(i, v);
                None
            }
        }
    }

    /// The value at `k`, inserted as `make()` if absent (`entry(k).or_insert_with(make)`).
    pub fn get_or_insert_with(&mut self, k: K, make: impl FnOnce() -> V) -> &mut V {
        let i = match self.at(&k) {
            Ok(i) => i,
            Err(i) => {
                self.keys.insert(i, k);
                self.vals.insert(i, make());
                i
            }
        };
        &mut self.vals[i]
    }

    pub fn remove<Q: Ord + ?Sized>(&mut self, k: &Q) -> Option<V>
    where
        K: core::borrow::Borrow<Q>,
    {
        self.at(k).ok().map(|i| {
            self.keys.remove(i);
            self.vals.remove(i)
        })
    }

    /// Keep only the entries `f` accepts, in key order.
    pub fn retain(&mut self, mut f: impl FnMut(&K, &mut V) -> bool) {
        let keep: Vec<bool> = self
            .keys
            .iter()
            .zip(self.vals.iter_mut())
            .map(|(k, v)| f(k, v))
            .collect();
        let mut i = 0;
        self.keys.retain(|_| {
            i += 1;
            keep[i - 1]
        });
        let mut i = 0;
        self.vals.retain(|_| {
            i += 1;
            keep[i - 1]
        });
    }

    /// Values whose key is greater than `k`, in key order.
    pub fn values_after<Q: Ord + ?Sized>(&self, k: &Q) -> impl Iterator<Item = &V> + '_
    where
        K: core::borrow::Borrow<Q>,
    {
        let from = match self.at(k) {
            Ok(i) => i + 1,
            Err(i) => i,
        };
        self.vals[from..].iter()
    }

    /// Entries in key order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&K, &V)> + '_ {
        self.keys.iter().zip(self.vals.iter())
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + '_ {
        self.keys.iter()
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + '_ {
        self.vals.iter()
    }
}

impl<K: Ord + core::borrow::Borrow<Q>, Q: Ord + ?Sized, V> core::ops::Index<&Q> for VecMap<K, V> {
    type Output = V;
    fn index(&self, k: &Q) -> &V {
        self.get(k).expect("key in map")
    }
}

#[cfg(test)]
mod vec_map_tests {
    use super::*;

    #[test]
    fn behaves_like_an_ordered_map() {
        let mut m: PidMap<&str> = PidMap::new();
        assert_eq!(m.insert(1002, "b"), None);
        assert_eq!(m.insert(1001, "a"), None);
        assert_eq!(m.insert(1003, "c"), None);
        assert_eq!(m.insert(1002, "B"), Some("b"));
        assert_eq!(m.keys().copied().collect::<Vec<_>>(), [1001, 1002, 1003]);
        assert_eq!(m.get(&1002), Some(&"B"));
        *m.get_mut(&1001).unwrap() = "A";
        assert_eq!(m.remove(&1003), Some("c"));
        assert_eq!(m.remove(&1003), None);
        assert!(m.contains_key(&1001) && !m.contains_key(&7));
        assert_eq!(m.values().copied().collect::<Vec<_>>(), ["A", "B"]);
        assert_eq!(m.iter().count(), m.len());
        let mut by_name: VecMap<String, u32> = VecMap::new();
        by_name.insert("b".into(), 2);
        by_name.insert("a".into(), 1);
        *by_name.get_or_insert_with("c".into(), || 0) += 3;
        assert_eq!(by_name.get("a"), Some(&1));
        assert_eq!(by_name["c"], 3);
        assert_eq!(by_name.remove("b"), Some(2));
        assert_eq!(
            by_name.keys().map(String::as_str).collect::<Vec<_>>(),
            ["a", "c"]
        );
    }
}

#[cfg(test)]
mod mem_cgroup_iter_tests {
    use super::*;

    fn tree() -> (Tree, [CgroupId; 4]) {
        let mut root = Memcg::new();
        root.use_hierarchy = true;
        let mut t = Tree::new(root);
        let hier = || {
            let mut m = Memcg::new();
            m.use_hierarchy = true;
            Some(m)
        };
        let a = t.insert(CgroupId::ROOT, "a".into(), hier());
        let a1 = t.insert(a, "a1".into(), hier());
        let b = t.insert(CgroupId::ROOT, "b".into(), hier());
        let c = t.insert(CgroupId::ROOT, "c".into(), hier());
        (t, [a, a1, b, c])
    }

    #[test]
    fn pre_order_with_offline_children_last() {
        let (mut t, [a, a1, b, c]) = tree();
        t.offline(a);
        assert!(!t.cg(CgroupId::ROOT).children.contains_key("a"));
        let walk = t.css_subtree(CgroupId::ROOT);
        assert_eq!(walk, [CgroupId::ROOT, b, c, a, a1]);
        let mut next = Vec::new();
        let mut pos = None;
        while let Some(p) = t.css_next_descendant_pre(pos, CgroupId::ROOT) {
            next.push(p);
            pos = Some(p);
        }
        assert_eq!(next, walk);
        assert_eq!(t.css_next_descendant_pre(Some(a1), a), None);
    }

    #[test]
    fn walks_resume_and_generations_end_overtaken_walks() {
        let (mut t, [a, a1, b, c]) = tree();
        let r = CgroupId::ROOT;
        let mut w1 = ReclaimCookie {
            priority: 12,
            generation: 0,
        };
        assert_eq!(t.mem_cgroup_iter(r, None, &mut w1), Some(r));
        assert_eq!(t.mem_cgroup_iter(r, Some(r), &mut w1), Some(a));
        // A second walker at the same priority starts after a.
        let mut w2 = ReclaimCookie {
            priority: 12,
            generation: 0,
        };
        assert_eq!(t.mem_cgroup_iter(r, None, &mut w2), Some(a1));
        assert_eq!(t.mem_cgroup_iter(r, Some(a1), &mut w2), Some(b));
        assert_eq!(t.mem_cgroup_iter(r, Some(b), &mut w2), Some(c));
        assert_eq!(t.mem_cgroup_iter(r, Some(c), &mut w2), None);
        // w2 finished the round: w1's walk ends too.
        assert_eq!(t.mem_cgroup_iter(r, Some(a), &mut w1), None);
        // Another priority has its own position.
        let mut w3 = ReclaimCookie {
            priority: 11,
            generation: 0,
        };
        assert_eq!(t.mem_cgroup_iter(r, None, &mut w3), Some(r));
        // A freed memcg leaves no stale position.
        let mut w4 = ReclaimCookie {
            priority: 10,
            generation: 0,
        };
        t.mem_cgroup_iter(r, None, &mut w4);
        assert_eq!(t.mem_cgroup_iter(r, Some(r), &mut w4), Some(a));
        assert_eq!(t.mem_cgroup_iter(r, Some(a), &mut w4), Some(a1));
        t.remove(a1);
        assert_eq!(t.memcg(r).reclaim_iter[10].position, None);
    }
}
