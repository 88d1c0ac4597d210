//! The event trace: one line per event, fixed columns (TigerBeetle style),
//! and a hash of the whole stream for determinism checks (issue 3).
//!
//! What is an event: everything that changes the course of the simulation —
//! work queued, started, each worker chunk and its end, each direct reclaim
//! (stamped at its start, with its cost: it ends `cost_ns` later), memory.high
//! penalties, forced charges, stock drains, OOM kills, refaults, file writes,
//! spawns and exits. Plain charges and stock refills are not lines of their
//! own: a line per 32 pages would bury the rest and make the bulk engine
//! pointless. Their sum shows in `alloc_done` (pages and stall of each
//! allocation) and in the memcg's counters and statistics.
//!
//! ```text
//!       time(s)      event        pid    memcg                details
//!   0.012345678  work_queued      42     /test                usage=249056 wmark_high=249036
//! ```

use alloc::collections::VecDeque;
use alloc::string::String;
use core::fmt::Write as _;
use core::hash::Hasher;

use crate::units::{Nanos, Pages};

/// Something that happened, stamped with virtual time by the engine.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    Spawn {
        pid: u32,
        memcg: String,
        program: String,
    },
    Exit {
        pid: u32,
        memcg: String,
    },
    Killed {
        pid: u32,
        memcg: String,
    },
    /// An `Alloc` op finished: pages faulted and the stall it met.
    AllocDone {
        pid: u32,
        memcg: String,
        pages: Pages,
        stall_ns: Nanos,
    },
    /// A charge found usage ≥ wmark_high and queued the memcg's work.
    WorkQueued {
        pid: Option<u32>,
        memcg: String,
        usage: Pages,
        wmark_high: Pages,
    },
    WorkStart {
        memcg: String,
        nr: Pages,
        usage: Pages,
        wmark_low: Pages,
    },
    WorkChunk {
        memcg: String,
        reclaimed: Pages,
        scanned: Pages,
        cost_ns: Nanos,
        usage: Pages,
    },
    WorkDone {
        memcg: String,
        reclaimed: Pages,
        elapsed_ns: Nanos,
        usage: Pages,
    },
    DirectReclaim {
        pid: Option<u32>,
        memcg: String,
        nr: Pages,
        reclaimed: Pages,
        cost_ns: Nanos,
    },
    HighPenalty {
        pid: u32,
        memcg: String,
        jiffies: u64,
    },
    OomKill {
        pid: u32,
        memcg: String,
    },
    Force {
        memcg: String,
        pages: Pages,
    },
    Drain {
        memcg: String,
    },
    Refault {
        pid: u32,
        memcg: String,
        pages: Pages,
        cost_ns: Nanos,
    },
    /// A file write (shell or API), with the errno it failed with.
    Write {
        path: String,
        value: String,
        error: Option<&'static str>,
    },
}

impl Event {
    fn kind(&self) -> &'static str {
        match self {
            Event::Spawn { .. } => "spawn",
            Event::Exit { .. } => "exit",
            Event::Killed { .. } => "killed",
            Event::AllocDone { .. } => "alloc_done",
            Event::WorkQueued { .. } => "work_queued",
            Event::WorkStart { .. } => "work_start",
            Event::WorkChunk { .. } => "work_chunk",
            Event::WorkDone { .. } => "work_done",
            Event::DirectReclaim { .. } => "direct_reclaim",
            Event::HighPenalty { .. } => "high_penalty",
            Event::OomKill { .. } => "oom_kill",
            Event::Force { .. } => "force_charge",
            Event::Drain { .. } => "drain_stock",
            Event::Refault { .. } => "refault",
            Event::Write { .. } => "write",
        }
    }

    /// One trace line: time, event, pid, memcg, details.
    pub fn line(&self, t: Nanos) -> String {
        let mut s = String::new();
        let none = String::from("-");
        let (pid, memcg): (Option<u32>, &str) = match self {
            Event::Spawn { pid, memcg, .. }
            | Event::Exit { pid, memcg }
            | Event::Killed { pid, memcg }
            | Event::AllocDone { pid, memcg, .. }
            | Event::HighPenalty { pid, memcg, .. }
            | Event::OomKill { pid, memcg }
            | Event::Refault { pid, memcg, .. } => (Some(*pid), memcg),
            Event::WorkQueued { pid, memcg, .. } | Event::DirectReclaim { pid, memcg, .. } => {
                (*pid, memcg)
            }
            Event::WorkStart { memcg, .. }
            | Event::WorkChunk { memcg, .. }
            | Event::WorkDone { memcg, .. }
            | Event::Force { memcg, .. }
            | Event::Drain { memcg } => (None, memcg),
            Event::Write { path, .. } => (None, path),
        };
        let pid = pid.map(|p| alloc::format!("{p}")).unwrap_or(none);
        let _ = write!(
            s,
            "{:>6}.{:09}  {:<14} {:>6}  {:<20}",
            t / 1_000_000_000,
            t % 1_000_000_000,
            self.kind(),
            pid,
            if memcg.is_empty() { "/" } else { memcg }
        );
        let _ = match self {
            Event::Spawn { program, .. } => write!(s, " program={program}"),
            Event::Exit { .. }
            | Event::Killed { .. }
            | Event::OomKill { .. }
            | Event::Drain { .. } => Ok(()),
            Event::AllocDone {
                pages, stall_ns, ..
            } => write!(s, " pages={pages} stall_ns={stall_ns}"),
            Event::WorkQueued {
                usage, wmark_high, ..
            } => write!(s, " usage={usage} wmark_high={wmark_high}"),
            Event::WorkStart {
                nr,
                usage,
                wmark_low,
                ..
            } => write!(s, " nr={nr} usage={usage} wmark_low={wmark_low}"),
            Event::WorkChunk {
                reclaimed,
                scanned,
                cost_ns,
                usage,
                ..
            } => {
                write!(
                    s,
                    " reclaimed={reclaimed} scanned={scanned} cost_ns={cost_ns} usage={usage}"
                )
            }
            Event::WorkDone {
                reclaimed,
                elapsed_ns,
                usage,
                ..
            } => {
                write!(
                    s,
                    " reclaimed={reclaimed} elapsed_ns={elapsed_ns} usage={usage}"
                )
            }
            Event::DirectReclaim {
                nr,
                reclaimed,
                cost_ns,
                ..
            } => {
                write!(s, " nr={nr} reclaimed={reclaimed} cost_ns={cost_ns}")
            }
            Event::HighPenalty { jiffies, .. } => write!(s, " jiffies={jiffies}"),
            Event::Force { pages, .. } => write!(s, " pages={pages}"),
            Event::Refault { pages, cost_ns, .. } => write!(s, " pages={pages} cost_ns={cost_ns}"),
            Event::Write { value, error, .. } => match error {
                None => write!(s, " value={value:?}"),
                Some(e) => write!(s, " value={value:?} error={e}"),
            },
        };
        s
    }
}

/// Lines kept for display.
pub const TRACE_KEEP: usize = 10_000;

/// The trace: recent lines, lines not yet taken by a sink, and the hash of
/// every line ever written.
#[derive(Clone, Debug)]
pub struct Trace {
    recent: VecDeque<String>,
    pending: VecDeque<String>,
    /// FNV-1a state (the crate's hasher is not `Clone`, its state is).
    hash: u64,
    count: u64,
    /// Keep lines for [`Trace::take_pending`] (a `--trace FILE` sink).
    pub keep_pending: bool,
}

impl Default for Trace {
    fn default() -> Self {
        Trace {
            recent: VecDeque::new(),
            pending: VecDeque::new(),
            hash: fnv::FnvHasher::default().finish(),
            count: 0,
            keep_pending: false,
        }
    }
}

impl Trace {
    pub fn record(&mut self, t: Nanos, e: &Event) {
        let line = e.line(t);
        let mut h = fnv::FnvHasher::with_key(self.hash);
        h.write(line.as_bytes());
        h.write_u8(b'\n');
        self.hash = h.finish();
        self.count += 1;
        if self.keep_pending {
            self.pending.push_back(line.clone());
        }
        if self.recent.len() == TRACE_KEEP {
            self.recent.pop_front();
        }
        self.recent.push_back(line);
    }

    /// FNV-1a 64 of the whole stream so far.
    pub fn hash(&self) -> u64 {
        self.hash
    }

    pub fn len(&self) -> u64 {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// The most recent lines (at most [`TRACE_KEEP`]).
    pub fn recent(&self) -> impl Iterator<Item = &String> {
        self.recent.iter()
    }

    /// Lines recorded since the last call (when `keep_pending`).
    pub fn take_pending(&mut self) -> VecDeque<String> {
        core::mem::take(&mut self.pending)
    }
}
