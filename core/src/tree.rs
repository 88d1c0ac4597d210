//! The cgroup arena: cgroups by [`CgroupId`] index, never by pointer, with
//! their memcg state (spec §1.2, §9.4). Children are kept in a `BTreeMap` so
//! every walk is ordered and deterministic.

use alloc::collections::{BTreeMap, BTreeSet};
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

/// Names of [`MemcgEvent`] in `memory.events` order.
pub const MEMCG_EVENT_NAMES: [&str; 5] = ["low", "high", "max", "oom", "oom_kill"];

/// The memory controller's state of one cgroup (`struct mem_cgroup`).
#[derive(Clone, Debug)]
pub struct Memcg {
    pub memory: PageCounter,
    /// v2 `memory.swap.*` (v1 memsw shares it in the kernel; memsw accounting
    /// is off in this simulator).
    pub swap: PageCounter,
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
    pub children: BTreeMap<String, CgroupId>,
    /// Processes attached here (`cgroup.procs`).
    pub procs: BTreeSet<Pid>,
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
}

impl Tree {
    /// A tree holding only the root, with the given root memcg.
    pub fn new(root_memcg: Memcg) -> Tree {
        let root = Cgroup {
            name: String::new(),
            parent: None,
            children: BTreeMap::new(),
            procs: BTreeSet::new(),
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
            children: BTreeMap::new(),
            procs: BTreeSet::new(),
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
