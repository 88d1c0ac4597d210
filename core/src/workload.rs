//! Task programs: what a simulated process does with memory (issue 3).
//!
//! A [`Program`] is a list of [`Op`]s run in order; `Loop` jumps back to the
//! start. Pages an `Alloc` faults in are charged one fault at a time, as the
//! kernel charges them.

use alloc::string::String;
use alloc::vec::Vec;

use crate::units::{Nanos, Pages};

/// What kind of page a fault brings in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum PageKind {
    /// Anonymous memory (heap): freed at exit.
    Anon,
    /// Page cache from reading a file: clean; stays charged after exit.
    File,
    /// Page cache from writing a file: dirty until written back.
    FileDirty,
}

/// One step of a program.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Op {
    /// Fault in `pages` pages, at `rate` pages per second or as fast as
    /// possible (`None`: one fault per `fault_ns` plus any stall).
    Alloc {
        kind: PageKind,
        pages: Pages,
        rate: Option<u64>,
    },
    /// Keep running and touching the working set; `None` = until killed.
    Hold(Option<Nanos>),
    /// Sleep without touching memory.
    Sleep(Nanos),
    /// Free all anon memory (munmap).
    FreeAnon,
    /// Jump back to the first op.
    Loop,
    /// Exit (anon freed, page cache stays).
    Exit,
}

/// A task program.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Program {
    pub name: String,
    pub ops: Vec<Op>,
    /// Working set: how many of the task's pages it keeps touching (hot).
    pub ws: Pages,
    /// Sleeps in `Loop`ed programs are jittered by up to ±this percent,
    /// drawn from the seeded PRNG.
    pub jitter_pct: u8,
}

/// Largest allocation one op may ask for (1 TiB), so a typo cannot make the
/// engine spin for hours.
pub const MAX_OP_PAGES: Pages = 1 << 28;
/// Fastest allowed rate (pages per second).
pub const MAX_RATE: u64 = 1 << 32;

impl Program {
    /// Check a program for values the engine cannot run sensibly.
    pub fn validate(&self) -> Result<(), String> {
        if self.ops.is_empty() {
            return Err(String::from("a program needs at least one op"));
        }
        if self.ops.len() > 1024 {
            return Err(String::from("a program has at most 1024 ops"));
        }
        if self.jitter_pct > 90 {
            return Err(String::from("jitter must be at most 90%"));
        }
        let mut takes_time = false;
        for op in &self.ops {
            match op {
                Op::Alloc { pages, rate, .. } => {
                    if *pages == 0 || *pages > MAX_OP_PAGES {
                        return Err(alloc::format!(
                            "allocation size must be 1 page to {} pages (1T)",
                            MAX_OP_PAGES
                        ));
                    }
                    if rate.is_some_and(|r| r == 0 || r > MAX_RATE) {
                        return Err(String::from("rate must be between 4K/s and 16T/s"));
                    }
                    takes_time = true;
                }
                Op::Hold(Some(0)) | Op::Sleep(0) => {}
                Op::Hold(_) | Op::Sleep(_) => takes_time = true,
                Op::Loop => {
                    if !takes_time {
                        return Err(String::from("a loop must allocate, hold or sleep"));
                    }
                }
                Op::FreeAnon | Op::Exit => {}
            }
        }
        Ok(())
    }
}

/// Preset names, for help texts and the UI.
pub const PRESETS: &[&str] = &["steady", "burst", "stream", "leak", "sawtooth", "writer"];

/// A preset program of about `size` pages, with its own working set
/// (docs/model.md §18.5). `rate` in pages/s where it
/// applies.
pub fn preset(name: &str, size: Pages, rate: Option<u64>) -> Option<Program> {
    let ms = 1_000_000;
    let p = |ops: Vec<Op>, ws: Pages, jitter_pct: u8| Program {
        name: String::from(name),
        ops,
        ws,
        jitter_pct,
    };
    Some(match name {
        // Grow to `size` at a steady rate, then hold it (a service warming up).
        "steady" => p(
            alloc::vec![
                Op::Alloc {
                    kind: PageKind::Anon,
                    pages: size,
                    rate: rate.or(Some(256 * 100))
                },
                Op::Hold(None),
            ],
            size / 2,
            0,
        ),
        // Allocate `size` as fast as possible, hold briefly, free; repeat.
        "burst" => p(
            alloc::vec![
                Op::Alloc {
                    kind: PageKind::Anon,
                    pages: size,
                    rate: None
                },
                Op::Hold(Some(200 * ms)),
                Op::FreeAnon,
                Op::Sleep(300 * ms),
                Op::Loop,
            ],
            size,
            20,
        ),
        // Read files once (page cache grows, nothing is re-used).
        "stream" => p(
            alloc::vec![
                Op::Alloc {
                    kind: PageKind::File,
                    pages: size,
                    rate: rate.or(Some(256 * 200))
                },
                Op::Loop
            ],
            0,
            0,
        ),
        // Leak anon memory slowly and never free it.
        "leak" => p(
            alloc::vec![
                Op::Alloc {
                    kind: PageKind::Anon,
                    pages: size,
                    rate: rate.or(Some(256 * 10))
                },
                Op::Hold(None)
            ],
            size / 4,
            0,
        ),
        // Grow, drop everything, grow again.
        "sawtooth" => p(
            alloc::vec![
                Op::Alloc {
                    kind: PageKind::Anon,
                    pages: size,
                    rate: rate.or(Some(256 * 100))
                },
                Op::FreeAnon,
                Op::Loop,
            ],
            size / 2,
            0,
        ),
        // Write files: dirty page cache the flusher writes back; on v2 the
        // memcg's dirty limits throttle it, on v1 reclaim waits (§18.9).
        "writer" => p(
            alloc::vec![
                Op::Alloc {
                    kind: PageKind::FileDirty,
                    pages: size,
                    rate: rate.or(Some(256 * 50))
                },
                Op::Hold(None)
            ],
            0,
            0,
        ),
        _ => return None,
    })
}
