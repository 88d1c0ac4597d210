//! The cgroup arena: cgroups by [`CgroupId`] index, never by pointer, with
//! their memcg state (spec §1.2, §9.4). Children are kept sorted by name
//! (a [`VecMap`]) so every walk is ordered and deterministic. The ordered
//! tables here ([`VecMap`], [`IdMap`], [`PidSet`]) stand in for `BTreeMap`s,
//! whose code per key/value type weighed on the wasm (issue 4).

use alloc::string::String;
use alloc::vec::Vec;

use crate::counter::PageCounter;
use crate::lru::{MemcgCounters, MemcgPages};
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
    pub wmark_work: WorkState,
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
            events: [0; 5],
            events_local: [0; 5],
            swap_events: [0; 3],
            wmark_reclaim_ns: 0,
            wmark_min_throttled_ns: 0,
            pages: MemcgPages::default(),
            stat: MemcgCounters::default(),
            under_oom: false,
            forced: 0,
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
        };
        Tree {
            nodes: alloc::vec![Some(root)],
            free: Vec::new(),
            live: 1,
            pages_charged: 0,
            pages_uncharged: 0,
            memsw_account: false,
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

    /// Remove a leaf cgroup.
    pub fn remove(&mut self, id: CgroupId) {
        let node = self.nodes[id.0 as usize].take().expect("live cgroup id");
        debug_assert!(node.children.is_empty());
        if let Some(p) = node.parent {
            self.cg_mut(p).children.remove(&node.name);
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
/// few KB of code in the wasm; these are a few hundred bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VecMap<K, V>(Vec<(K, V)>);

/// Tasks by pid, in pid order.
pub type PidMap<T> = VecMap<Pid, T>;

impl<K, V> Default for VecMap<K, V> {
    fn default() -> Self {
        VecMap(Vec::new())
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
        self.0.binary_search_by(|(key, _)| key.borrow().cmp(k))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get<Q: Ord + ?Sized>(&self, k: &Q) -> Option<&V>
    where
        K: core::borrow::Borrow<Q>,
    {
        self.at(k).ok().map(|i| &self.0[i].1)
    }

    pub fn get_mut<Q: Ord + ?Sized>(&mut self, k: &Q) -> Option<&mut V>
    where
        K: core::borrow::Borrow<Q>,
    {
        self.at(k).ok().map(|i| &mut self.0[i].1)
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
            Ok(i) => Some(core::mem::replace(&mut self.0[i].1, v)),
            Err(i) => {
                self.0.insert(i, (k, v));
                None
            }
        }
    }

    /// The value at `k`, inserted as `make()` if absent (`entry(k).or_insert_with(make)`).
    pub fn get_or_insert_with(&mut self, k: K, make: impl FnOnce() -> V) -> &mut V {
        let i = match self.at(&k) {
            Ok(i) => i,
            Err(i) => {
                self.0.insert(i, (k, make()));
                i
            }
        };
        &mut self.0[i].1
    }

    pub fn remove<Q: Ord + ?Sized>(&mut self, k: &Q) -> Option<V>
    where
        K: core::borrow::Borrow<Q>,
    {
        self.at(k).ok().map(|i| self.0.remove(i).1)
    }

    /// Entries in key order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&K, &V)> + '_ {
        self.0.iter().map(|(k, v)| (k, v))
    }

    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &K> + '_ {
        self.0.iter().map(|(k, _)| k)
    }

    pub fn values(&self) -> impl DoubleEndedIterator<Item = &V> + '_ {
        self.0.iter().map(|(_, v)| v)
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
