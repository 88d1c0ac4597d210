//! The per-CPU charge stock (spec §2): pages charged ahead to one cached
//! memcg, so most faults charge without walking the counters.
//!
//! The stock sits below the kernel state that holds one per CPU: it needs
//! only the arena, to give drained pages back. Draining every CPU for a
//! subtree (`drain_all_stock`) logs an event, so it lives in `charge`.

use crate::counter::CounterKind;
use crate::tree::{CgroupId, Tree};
use crate::units::{Pages, MEMCG_CHARGE_BATCH};

/// One CPU's charge stock (§2): a cached memcg and pre-charged pages.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stock {
    pub cached: Option<CgroupId>,
    pub nr_pages: Pages,
}

/// `consume_stock`: take `n` pages of `m` from this CPU's stock, if it holds
/// them and `n` fits a batch.
pub fn consume_stock(stock: &mut Stock, m: CgroupId, n: Pages) -> bool {
    if n <= MEMCG_CHARGE_BATCH && stock.cached == Some(m) && stock.nr_pages >= n {
        stock.nr_pages -= n;
        true
    } else {
        false
    }
}

/// `drain_stock`: give the cached pages back to their memcg.
pub fn drain_stock(stock: &mut Stock, tree: &mut Tree) {
    let (cached, nr) = (stock.cached, stock.nr_pages);
    stock.nr_pages = 0;
    stock.cached = None;
    if let Some(m) = cached {
        if nr > 0 && tree.get(m).is_some_and(|c| c.memcg.is_some()) {
            tree.page_counter_uncharge(m, nr, CounterKind::Memory);
        }
    }
}

/// `refill_stock`: cache `n` more pages of `m`, draining another memcg's
/// pages first and everything past one batch.
pub fn refill_stock(stock: &mut Stock, tree: &mut Tree, m: CgroupId, n: Pages) {
    if stock.cached != Some(m) {
        drain_stock(stock, tree);
        stock.cached = Some(m);
    }
    stock.nr_pages += n;
    if stock.nr_pages > MEMCG_CHARGE_BATCH {
        drain_stock(stock, tree);
    }
}

/// Pages held for `m` in all the stocks.
pub fn stock_of(stocks: &[Stock], m: CgroupId) -> Pages {
    stocks
        .iter()
        .filter(|s| s.cached == Some(m))
        .map(|s| s.nr_pages)
        .sum()
}
