//! The cgroup tree's collapsed groups: large ones start collapsed, the user
//! toggles them.

use std::rc::Rc;

use memcg::sim::Snapshot;

use super::State;

/// Groups with more children than this start collapsed.
pub const COLLAPSE_OVER: usize = 8;

/// The groups that start collapsed in `snap`.
pub(super) fn initial_collapsed(snap: &Snapshot) -> Vec<String> {
    let cgs = &snap.cgroups;
    let mut out = Vec::new();
    for (i, cg) in cgs.iter().enumerate() {
        if cg.depth == 0 {
            continue;
        }
        // Pre-order: the children follow, one level deeper, until the
        // depth comes back up.
        let children = cgs[i + 1..]
            .iter()
            .take_while(|c| c.depth > cg.depth)
            .filter(|c| c.depth == cg.depth + 1)
            .count();
        if children > COLLAPSE_OVER {
            out.push(cg.path.clone());
        }
    }
    out
}

impl State {
    /// Collapse the group at `path`, or expand it.
    pub(super) fn toggle_collapse(&mut self, path: String) {
        let list = Rc::make_mut(&mut self.collapsed);
        match list.iter().position(|p| *p == path) {
            Some(i) => {
                list.remove(i);
            }
            None => list.push(path),
        }
    }
}
