//! The event trace: one line per event, fixed columns (TigerBeetle style),
//! and a hash of the whole stream for determinism checks (issue 3).
//!
//! What is an event: everything that changes the course of the simulation —
//! work queued, started, each worker chunk and its end, each direct reclaim
//! (stamped at its start, with its cost: it ends `cost_ns` later), memory.high
//! penalties, forced charges, stock drains, OOM kills, refaults, pages put
//! under writeback (with the reason), file writes, spawns and exits. Plain
//! charges, stock refills, `balance_dirty_pages` pauses and bio completions
//! are not lines of their own: a line per 32 pages would bury the rest and
//! make the bulk engine pointless. Their sum shows in `alloc_done` (pages and stall of each
//! allocation) and in the memcg's counters and statistics.
//!
//! ```text
//!      0.012345678  work_queued      1001  /test                usage=249056 wmark_high=249036
//!      0.012345678  work_start          -  /a\x20b              nr=32 usage=1952 wmark_low=1935
//! ```
//!
//! ## Line format
//!
//! Fields are separated by ASCII spaces: the time in seconds with nine
//! decimals (right-aligned to 6 digits before the point), the event
//! ([`EventKind::as_str`], padded to 14), the pid or `-` (right-aligned to
//! 6), the memcg path under the mount (`/` for the root; the file's path
//! for `write`; padded to 20), then the details as `key=value` pairs.
//!
//! A cgroup name may hold any byte but `/` and NUL (mkdir "a b" is legal),
//! so the free-text fields are escaped and never hold a space: in the memcg
//! column and the `program=` value a backslash prints as `\\`, and a space
//! or a control byte (0x00–0x1f, 0x7f) as `\xHH` (two lower-case hex
//! digits); every other character, UTF-8 included, prints as is. The
//! `write` event's `value=` is a Rust string literal (`{:?}`: quotes,
//! `\\`, `\n`, …) with a space also written `\x20`. Names and values
//! without such bytes print unchanged. [`parse_line`] reads a line back.

use alloc::borrow::Cow;
use alloc::collections::VecDeque;
use alloc::string::String;
use core::fmt::{self, Write as _};
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
    /// Pages put under writeback, and why (§18.9).
    Writeback {
        memcg: String,
        pages: Pages,
        reason: &'static str,
    },
    /// A file write (shell or API), with the errno it failed with.
    Write {
        path: String,
        value: String,
        error: Option<&'static str>,
    },
    /// A user-space agent's action (§20): `agent=NAME action=ACTION` and
    /// the action's `key=value` details.
    Agent {
        pid: u32,
        memcg: String,
        agent: &'static str,
        action: &'static str,
        detail: String,
    },
}

/// The event column: what kind of [`Event`] a line records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EventKind {
    Spawn,
    Exit,
    Killed,
    AllocDone,
    WorkQueued,
    WorkStart,
    WorkChunk,
    WorkDone,
    DirectReclaim,
    HighPenalty,
    OomKill,
    ForceCharge,
    DrainStock,
    Refault,
    Writeback,
    Write,
    Agent,
}

impl EventKind {
    /// Every kind, in [`Event`] order.
    pub const ALL: [EventKind; 17] = [
        EventKind::Spawn,
        EventKind::Exit,
        EventKind::Killed,
        EventKind::AllocDone,
        EventKind::WorkQueued,
        EventKind::WorkStart,
        EventKind::WorkChunk,
        EventKind::WorkDone,
        EventKind::DirectReclaim,
        EventKind::HighPenalty,
        EventKind::OomKill,
        EventKind::ForceCharge,
        EventKind::DrainStock,
        EventKind::Refault,
        EventKind::Writeback,
        EventKind::Write,
        EventKind::Agent,
    ];

    /// The name in the event column.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Spawn => "spawn",
            EventKind::Exit => "exit",
            EventKind::Killed => "killed",
            EventKind::AllocDone => "alloc_done",
            EventKind::WorkQueued => "work_queued",
            EventKind::WorkStart => "work_start",
            EventKind::WorkChunk => "work_chunk",
            EventKind::WorkDone => "work_done",
            EventKind::DirectReclaim => "direct_reclaim",
            EventKind::HighPenalty => "high_penalty",
            EventKind::OomKill => "oom_kill",
            EventKind::ForceCharge => "force_charge",
            EventKind::DrainStock => "drain_stock",
            EventKind::Refault => "refault",
            EventKind::Writeback => "writeback",
            EventKind::Write => "write",
            EventKind::Agent => "agent",
        }
    }

    /// The kind named `s` in the event column.
    pub fn parse(s: &str) -> Option<EventKind> {
        EventKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl Event {
    pub fn kind(&self) -> EventKind {
        match self {
            Event::Spawn { .. } => EventKind::Spawn,
            Event::Exit { .. } => EventKind::Exit,
            Event::Killed { .. } => EventKind::Killed,
            Event::AllocDone { .. } => EventKind::AllocDone,
            Event::WorkQueued { .. } => EventKind::WorkQueued,
            Event::WorkStart { .. } => EventKind::WorkStart,
            Event::WorkChunk { .. } => EventKind::WorkChunk,
            Event::WorkDone { .. } => EventKind::WorkDone,
            Event::DirectReclaim { .. } => EventKind::DirectReclaim,
            Event::HighPenalty { .. } => EventKind::HighPenalty,
            Event::OomKill { .. } => EventKind::OomKill,
            Event::Force { .. } => EventKind::ForceCharge,
            Event::Drain { .. } => EventKind::DrainStock,
            Event::Refault { .. } => EventKind::Refault,
            Event::Writeback { .. } => EventKind::Writeback,
            Event::Write { .. } => EventKind::Write,
            Event::Agent { .. } => EventKind::Agent,
        }
    }

    /// The pid and memcg columns (the memcg as recorded: empty for the root).
    fn pid_and_memcg(&self) -> (Option<u32>, &str) {
        match self {
            Event::Spawn { pid, memcg, .. }
            | Event::Exit { pid, memcg }
            | Event::Killed { pid, memcg }
            | Event::AllocDone { pid, memcg, .. }
            | Event::HighPenalty { pid, memcg, .. }
            | Event::OomKill { pid, memcg }
            | Event::Refault { pid, memcg, .. }
            | Event::Agent { pid, memcg, .. } => (Some(*pid), memcg),
            Event::WorkQueued { pid, memcg, .. } | Event::DirectReclaim { pid, memcg, .. } => {
                (*pid, memcg)
            }
            Event::WorkStart { memcg, .. }
            | Event::WorkChunk { memcg, .. }
            | Event::WorkDone { memcg, .. }
            | Event::Force { memcg, .. }
            | Event::Writeback { memcg, .. }
            | Event::Drain { memcg } => (None, memcg),
            Event::Write { path, .. } => (None, path),
        }
    }

    /// One trace line: time, event, pid, memcg, details.
    pub fn line(&self, t: Nanos) -> String {
        let mut s = String::new();
        self.line_into(t, &mut s);
        s
    }

    /// [`Event::line`] appended to `s` (the trace reuses its buffers: one
    /// line per event is most of a busy run's work).
    pub fn line_into(&self, t: Nanos, s: &mut String) {
        let (pid, memcg) = self.pid_and_memcg();
        write_columns(s, t, self.kind(), pid, memcg);
        let _ = match self {
            Event::Spawn { program, .. } => write!(s, " program={}", escape(program)),
            Event::Exit { .. }
            | Event::Killed { .. }
            | Event::OomKill { .. }
            | Event::Drain { .. } => Ok(()),
            Event::AllocDone {
                pages, stall_ns, ..
            } => {
                kv(s, &[(" pages=", *pages), (" stall_ns=", *stall_ns)]);
                Ok(())
            }
            Event::WorkQueued {
                usage, wmark_high, ..
            } => {
                kv(s, &[(" usage=", *usage), (" wmark_high=", *wmark_high)]);
                Ok(())
            }
            Event::WorkStart {
                nr,
                usage,
                wmark_low,
                ..
            } => {
                kv(
                    s,
                    &[
                        (" nr=", *nr),
                        (" usage=", *usage),
                        (" wmark_low=", *wmark_low),
                    ],
                );
                Ok(())
            }
            Event::WorkChunk {
                reclaimed,
                scanned,
                cost_ns,
                usage,
                ..
            } => {
                kv(
                    s,
                    &[
                        (" reclaimed=", *reclaimed),
                        (" scanned=", *scanned),
                        (" cost_ns=", *cost_ns),
                        (" usage=", *usage),
                    ],
                );
                Ok(())
            }
            Event::WorkDone {
                reclaimed,
                elapsed_ns,
                usage,
                ..
            } => {
                kv(
                    s,
                    &[
                        (" reclaimed=", *reclaimed),
                        (" elapsed_ns=", *elapsed_ns),
                        (" usage=", *usage),
                    ],
                );
                Ok(())
            }
            Event::DirectReclaim {
                nr,
                reclaimed,
                cost_ns,
                ..
            } => {
                kv(
                    s,
                    &[
                        (" nr=", *nr),
                        (" reclaimed=", *reclaimed),
                        (" cost_ns=", *cost_ns),
                    ],
                );
                Ok(())
            }
            Event::HighPenalty { jiffies, .. } => {
                kv(s, &[(" jiffies=", *jiffies)]);
                Ok(())
            }
            Event::Force { pages, .. } => {
                kv(s, &[(" pages=", *pages)]);
                Ok(())
            }
            Event::Refault { pages, cost_ns, .. } => {
                kv(s, &[(" pages=", *pages), (" cost_ns=", *cost_ns)]);
                Ok(())
            }
            Event::Writeback { pages, reason, .. } => {
                kv(s, &[(" pages=", *pages)]);
                s.push_str(" reason=");
                s.push_str(reason);
                Ok(())
            }
            Event::Agent {
                agent,
                action,
                detail,
                ..
            } => {
                if detail.is_empty() {
                    write!(s, " agent={agent} action={action}")
                } else {
                    write!(s, " agent={agent} action={action} {detail}")
                }
            }
            Event::Write { value, error, .. } => {
                let value = alloc::format!("{value:?}").replace(' ', "\\x20");
                match error {
                    None => write!(s, " value={value}"),
                    Some(e) => write!(s, " value={value} error={e}"),
                }
            }
        };
    }
}

/// The four fixed columns; `memcg` as recorded (empty for the root).
fn write_columns(s: &mut String, t: Nanos, kind: EventKind, pid: Option<u32>, memcg: &str) {
    // As `format!("{:>6}.{:09}  {:<14} {:>6}  {:<20}")` writes them, by
    // hand: the formatter's padding goes a char at a time, and every event
    // of a busy run writes these columns.
    let memcg = if memcg.is_empty() { "/" } else { memcg };
    let mut digits = [0u8; 20];
    push_right(s, dec(t / 1_000_000_000, &mut digits), 6);
    s.push('.');
    let ns = dec(t % 1_000_000_000, &mut digits);
    pad(s, 9 - ns.len(), '0');
    s.push_str(ns);
    s.push_str("  ");
    push_left(s, kind.as_str(), 14);
    s.push(' ');
    match pid {
        Some(p) => push_right(s, dec(u64::from(p), &mut digits), 6),
        None => push_right(s, "-", 6),
    }
    s.push_str("  ");
    push_left(s, &escape(memcg), 20);
}

/// ` key=value` fields in decimal, as `write!(" key={v}")` writes them
/// (the hot lines of a busy run: chunks, direct reclaim).
fn kv(s: &mut String, fields: &[(&str, u64)]) {
    let mut digits = [0u8; 20];
    for &(key, v) in fields {
        s.push_str(key);
        s.push_str(dec(v, &mut digits));
    }
}

/// `v` in decimal, in `buf`.
fn dec(mut v: u64, buf: &mut [u8; 20]) -> &str {
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    core::str::from_utf8(&buf[i..]).unwrap_or("")
}

fn pad(s: &mut String, n: usize, c: char) {
    for _ in 0..n {
        s.push(c);
    }
}

/// `{:>width}` (widths count chars, as the formatter's do).
fn push_right(s: &mut String, text: &str, width: usize) {
    pad(s, width.saturating_sub(text.chars().count()), ' ');
    s.push_str(text);
}

/// `{:<width}`.
fn push_left(s: &mut String, text: &str, width: usize) {
    s.push_str(text);
    pad(s, width.saturating_sub(text.chars().count()), ' ');
}

/// Escape a free-text field (see the module doc): `\\` and `\xHH`.
pub fn escape(field: &str) -> Cow<'_, str> {
    let plain = |c: char| c != ' ' && c != '\\' && !c.is_ascii_control();
    if field.chars().all(plain) {
        return Cow::Borrowed(field);
    }
    let mut out = String::with_capacity(field.len() + 8);
    for c in field.chars() {
        if plain(c) {
            out.push(c);
        } else if c == '\\' {
            out.push_str("\\\\");
        } else {
            let _ = write!(out, "\\x{:02x}", c as u32);
        }
    }
    Cow::Owned(out)
}

/// Undo [`escape`]; `None` for a malformed escape.
pub fn unescape(field: &str) -> Option<Cow<'_, str>> {
    if !field.contains('\\') {
        return Some(Cow::Borrowed(field));
    }
    let mut out = String::with_capacity(field.len());
    let mut rest = field;
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(r) = after.strip_prefix('\\') {
            out.push('\\');
            rest = r;
        } else {
            let hex = after.strip_prefix('x')?.get(..2)?;
            if !hex.bytes().all(|h| h.is_ascii_hexdigit()) {
                return None;
            }
            let b = u8::from_str_radix(hex, 16).ok().filter(u8::is_ascii)?;
            out.push(char::from(b));
            rest = &after[3..];
        }
    }
    out.push_str(rest);
    Some(Cow::Owned(out))
}

/// One trace line read back: the columns, the memcg unescaped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceLine<'a> {
    pub time: Nanos,
    pub kind: EventKind,
    pub pid: Option<u32>,
    /// The memcg path (`/` for the root), or the file for `write`.
    pub memcg: Cow<'a, str>,
    /// The `key=value` pairs as printed; empty when there are none.
    pub details: &'a str,
}

impl fmt::Display for TraceLine<'_> {
    /// The line as [`Event::line`] printed it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::new();
        write_columns(&mut s, self.time, self.kind, self.pid, &self.memcg);
        f.write_str(&s)?;
        if !self.details.is_empty() {
            write!(f, " {}", self.details)?;
        }
        Ok(())
    }
}

/// Read a line of [`Event::line`] back (see the module doc for the format);
/// `None` when it is not one.
///
/// ```
/// use memcg::trace::{parse_line, EventKind};
/// let l = parse_line("     0.000480000  work_start          -  /a\\x20b              nr=32").unwrap();
/// assert_eq!((l.time, l.kind, l.pid), (480_000, EventKind::WorkStart, None));
/// assert_eq!((&*l.memcg, l.details), ("/a b", "nr=32"));
/// ```
pub fn parse_line(line: &str) -> Option<TraceLine<'_>> {
    fn field(s: &str) -> Option<(&str, &str)> {
        let s = s.trim_start_matches(' ');
        match s.split_once(' ') {
            Some((f, rest)) => Some((f, rest)),
            None if !s.is_empty() => Some((s, "")),
            None => None,
        }
    }
    let (time, rest) = field(line)?;
    let (kind, rest) = field(rest)?;
    let (pid, rest) = field(rest)?;
    let (memcg, details) = field(rest)?;
    let (secs, frac) = time.split_once('.')?;
    let digits = |d: &str| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit());
    if !digits(secs) || !digits(frac) || frac.len() != 9 {
        return None;
    }
    let time = secs
        .parse::<u64>()
        .ok()?
        .checked_mul(1_000_000_000)?
        .checked_add(frac.parse::<u64>().ok()?)?;
    let pid = match pid {
        "-" => None,
        p if digits(p) => Some(p.parse().ok()?),
        _ => return None,
    };
    Some(TraceLine {
        time,
        kind: EventKind::parse(kind)?,
        pid,
        memcg: unescape(memcg)?,
        details: details.trim_start_matches(' '),
    })
}

/// Lines kept for display.
pub const TRACE_KEEP: usize = 10_000;

/// Where a [`Trace`] hands each line the moment it is recorded (the CLI's
/// `--trace FILE` writer), so that no front end holds a command's whole
/// trace: a `sleep` on a busy machine records millions of lines.
///
/// Any `FnMut(&str) + Send` closure is one. The sink cannot fail the
/// simulation: a writer keeps its own error for its owner to check.
pub trait TraceSink: Send {
    /// One line as [`Event::line`] prints it, without the newline.
    fn line(&mut self, line: &str);
}

impl<F: FnMut(&str) + Send> TraceSink for F {
    fn line(&mut self, line: &str) {
        self(line)
    }
}

/// A place for a [`TraceSink`]. A clone is empty: the lines a clone of a
/// machine records (a timeline's checkpoint, a scratch copy) are not the
/// session's, and must not reach its file.
#[derive(Default)]
pub struct SinkSlot(Option<alloc::boxed::Box<dyn TraceSink>>);

impl SinkSlot {
    pub fn new(sink: alloc::boxed::Box<dyn TraceSink>) -> SinkSlot {
        SinkSlot(Some(sink))
    }

    pub fn is_some(&self) -> bool {
        self.0.is_some()
    }

    pub fn take(&mut self) -> SinkSlot {
        SinkSlot(self.0.take())
    }
}

impl Clone for SinkSlot {
    fn clone(&self) -> SinkSlot {
        SinkSlot(None)
    }
}

impl fmt::Debug for SinkSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "SinkSlot(Some(..))"
        } else {
            "SinkSlot(None)"
        })
    }
}

/// The trace: recent lines, lines not yet taken by a sink, and the hash of
/// every line ever written.
#[derive(Clone, Debug)]
pub struct Trace {
    recent: VecDeque<String>,
    pending: VecDeque<String>,
    /// FNV-1a state (the crate's hasher is not `Clone`, its state is).
    hash: u64,
    count: u64,
    /// Keep lines for [`Trace::take_pending`] (a `--trace FILE` sink that
    /// drains after each command; unbounded within one command, so a
    /// writer should use [`Trace::set_sink`] instead).
    pub keep_pending: bool,
    /// Gets every line as it is recorded (then nothing is kept pending).
    sink: SinkSlot,
}

impl Default for Trace {
    fn default() -> Self {
        Trace {
            recent: VecDeque::new(),
            pending: VecDeque::new(),
            hash: fnv::FnvHasher::default().finish(),
            count: 0,
            keep_pending: false,
            sink: SinkSlot::default(),
        }
    }
}

impl Trace {
    pub fn record(&mut self, t: Nanos, e: &Event) {
        // Into the oldest kept line's buffer once the ring is full: no
        // allocation per line in a long run.
        let mut line = if self.recent.len() == TRACE_KEEP {
            self.recent.pop_front().unwrap_or_default()
        } else {
            String::new()
        };
        line.clear();
        e.line_into(t, &mut line);
        let mut h = fnv::FnvHasher::with_key(self.hash);
        h.write(line.as_bytes());
        h.write_u8(b'\n');
        self.hash = h.finish();
        self.count += 1;
        if let Some(sink) = self.sink.0.as_mut() {
            sink.line(&line);
        } else if self.keep_pending {
            self.pending.push_back(line.clone());
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

    /// Hand every line from now on to `sink` (after the lines still
    /// pending, so it sees the whole stream in order); an empty slot takes
    /// the sink away.
    pub fn set_sink(&mut self, mut sink: SinkSlot) {
        if let Some(s) = sink.0.as_mut() {
            for line in self.pending.drain(..) {
                s.line(&line);
            }
        }
        self.sink = sink;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec::Vec;

    /// One event of every kind, recorded for `memcg` (and a file below it).
    fn every_kind(memcg: &str, pid: u32) -> Vec<Event> {
        let m = || String::from(memcg);
        let path = alloc::format!("/sys/fs/cgroup{memcg}/memory.max");
        alloc::vec![
            Event::Spawn {
                pid,
                memcg: m(),
                program: String::from("anon")
            },
            Event::Exit { pid, memcg: m() },
            Event::Killed { pid, memcg: m() },
            Event::AllocDone {
                pid,
                memcg: m(),
                pages: 256,
                stall_ns: 12
            },
            Event::WorkQueued {
                pid: Some(pid),
                memcg: m(),
                usage: 9,
                wmark_high: 8
            },
            Event::WorkStart {
                memcg: m(),
                nr: 32,
                usage: 9,
                wmark_low: 7
            },
            Event::WorkChunk {
                memcg: m(),
                reclaimed: 2,
                scanned: 3,
                cost_ns: 4,
                usage: 5
            },
            Event::WorkDone {
                memcg: m(),
                reclaimed: 2,
                elapsed_ns: 6,
                usage: 5
            },
            Event::DirectReclaim {
                pid: None,
                memcg: m(),
                nr: 32,
                reclaimed: 1,
                cost_ns: 2
            },
            Event::HighPenalty {
                pid,
                memcg: m(),
                jiffies: 20
            },
            Event::OomKill { pid, memcg: m() },
            Event::Force {
                memcg: m(),
                pages: 1
            },
            Event::Drain { memcg: m() },
            Event::Refault {
                pid,
                memcg: m(),
                pages: 3,
                cost_ns: 4
            },
            Event::Writeback {
                memcg: m(),
                pages: 1024,
                reason: "background"
            },
            Event::Write {
                path: path.clone(),
                value: String::from("1 G\n"),
                error: None
            },
            Event::Write {
                path,
                value: String::from("\"x\\"),
                error: Some("EINVAL")
            },
            Event::Agent {
                pid,
                memcg: m(),
                agent: "koordinator",
                action: "reclaim",
                detail: String::from("bytes=33554432 error=EAGAIN"),
            },
        ]
    }

    #[test]
    fn every_line_parses_back_and_prints_again() {
        let names = [
            "",
            "/test",
            "/a b",
            "/a  b ",
            "/tab\there/back\\slash",
            "/\x7f\x01",
            "/ünï cødé",
            "/a\\x20b",
            "/a-name-far-longer-than-the-twenty-columns",
        ];
        let mut kinds = Vec::new();
        for (i, name) in names.iter().enumerate() {
            for e in every_kind(name, 1000 + i as u32) {
                let t = 3_000_000_017 * i as u64;
                let line = e.line(t);
                let p = parse_line(&line).unwrap_or_else(|| panic!("{line:?}"));
                assert_eq!(p.time, t);
                assert_eq!(p.kind, e.kind());
                let (pid, memcg) = e.pid_and_memcg();
                assert_eq!(p.pid, pid, "{line:?}");
                let shown = if memcg.is_empty() { "/" } else { memcg };
                assert_eq!(p.memcg, shown, "{line:?}");
                assert_eq!(p.to_string(), line);
                kinds.push(p.kind);
            }
        }
        kinds.sort();
        kinds.dedup();
        assert_eq!(kinds, EventKind::ALL, "every kind is covered");
    }

    #[test]
    fn no_free_text_field_holds_a_space() {
        for e in every_kind("/a b", 7) {
            let line = e.line(0);
            let p = parse_line(&line).unwrap();
            let in_memcg = escape(&p.memcg);
            assert!(!in_memcg.contains(' '), "{line:?}");
            // Details split on spaces into key=value pairs only.
            for pair in p.details.split(' ').filter(|f| !f.is_empty()) {
                assert!(pair.contains('='), "{pair:?} in {line:?}");
            }
        }
    }

    #[test]
    fn plain_names_print_as_before() {
        // The format the README and existing traces show, byte for byte.
        let e = Event::WorkQueued {
            pid: Some(1001),
            memcg: String::from("/svc"),
            usage: 124544,
            wmark_high: 124518,
        };
        assert_eq!(
            e.line(4_863_750_000),
            "     4.863750000  work_queued      1001  /svc                 usage=124544 wmark_high=124518"
        );
        let w = Event::Write {
            path: String::from("/sys/fs/cgroup/memory/svc/memory.wmark_ratio"),
            value: String::from("95\n"),
            error: None,
        };
        assert_eq!(
            w.line(0),
            "     0.000000000  write               -  /sys/fs/cgroup/memory/svc/memory.wmark_ratio value=\"95\\n\""
        );
        let x = Event::Exit {
            pid: 7,
            memcg: String::new(),
        };
        assert_eq!(
            x.line(0),
            "     0.000000000  exit                7  /                   "
        );
        assert_eq!(escape("/svc"), Cow::Borrowed("/svc"));
    }

    #[test]
    fn escapes_are_c_style_and_malformed_ones_are_refused() {
        assert_eq!(escape("/a b\\c\td"), "/a\\x20b\\\\c\\x09d");
        assert_eq!(unescape("/a\\x20b\\\\c\\x09d").unwrap(), "/a b\\c\td");
        for bad in ["\\", "\\x2", "\\xg0", "\\x+1", "\\q", "\\xff"] {
            assert_eq!(unescape(bad), None, "{bad:?}");
        }
        for bad in [
            "",
            "x",
            "     0.000000000  nosuch  -  /",
            "     0.00000000  exit  7  /",
            "     0.000000000  exit  x7  /",
            "     0.000000000  exit  7  /\\x2",
        ] {
            assert_eq!(parse_line(bad), None, "{bad:?}");
        }
        assert_eq!(EventKind::parse("work_chunk"), Some(EventKind::WorkChunk));
        for k in EventKind::ALL {
            assert_eq!(EventKind::parse(k.as_str()), Some(k));
        }
    }

    /// A sink that folds what it gets into an FNV-1a hash and a count, as
    /// a file of the lines would hash.
    fn hashing_sink() -> (
        alloc::boxed::Box<dyn TraceSink>,
        alloc::sync::Arc<[core::sync::atomic::AtomicU64; 2]>,
    ) {
        use core::sync::atomic::{AtomicU64, Ordering::Relaxed};
        let seen = alloc::sync::Arc::new([
            AtomicU64::new(fnv::FnvHasher::default().finish()),
            AtomicU64::new(0),
        ]);
        let s = alloc::sync::Arc::clone(&seen);
        let sink = move |line: &str| {
            let mut h = fnv::FnvHasher::with_key(s[0].load(Relaxed));
            h.write(line.as_bytes());
            h.write_u8(b'\n');
            s[0].store(h.finish(), Relaxed);
            s[1].fetch_add(1, Relaxed);
        };
        (alloc::boxed::Box::new(sink), seen)
    }

    #[test]
    fn a_sink_gets_every_line_as_recorded_and_a_clone_gets_none() {
        use core::sync::atomic::Ordering::Relaxed;
        let (sink, seen) = hashing_sink();
        let mut sim = crate::Simulator::builder(crate::Version::V2)
            .trace_to(sink)
            .build();
        for line in [
            "mkdir a",
            "echo 8M > a/memory.max",
            "echo 95 > a/memory.wmark_ratio",
            "spawn a anon 12M",
            "sleep 1s",
        ] {
            assert!(sim.exec(line).ok(), "{line}");
        }
        let lines = seen[1].load(Relaxed);
        assert!(lines > 10);
        assert_eq!(
            (seen[0].load(Relaxed), lines),
            (sim.trace_hash(), sim.trace_len())
        );
        assert!(
            sim.take_trace().is_empty(),
            "nothing is kept for take_trace"
        );
        let mut copy = sim.clone();
        assert!(copy.exec("spawn a anon 12M").ok());
        assert!(copy.trace_len() > lines);
        assert_eq!(seen[1].load(Relaxed), lines, "the clone writes nothing");
    }

    #[test]
    fn a_sink_set_late_gets_the_pending_lines_first() {
        use core::sync::atomic::Ordering::Relaxed;
        let mut t = Trace {
            keep_pending: true,
            ..Trace::default()
        };
        let e = |pid| Event::Exit {
            pid,
            memcg: String::new(),
        };
        t.record(1, &e(1));
        t.record(2, &e(2));
        let (sink, seen) = hashing_sink();
        t.set_sink(SinkSlot::new(sink));
        t.record(3, &e(3));
        assert_eq!(
            (seen[0].load(Relaxed), seen[1].load(Relaxed)),
            (t.hash(), 3)
        );
        assert!(t.take_pending().is_empty());
    }

    #[test]
    fn a_trace_of_a_cgroup_named_a_space_b_parses_back() {
        let mut sim = crate::Simulator::new(crate::Version::V2);
        for line in [
            "mkdir \"a b\"",
            "echo 8M > \"a b/memory.max\"",
            "echo 95 > \"a b/memory.wmark_ratio\"",
            "spawn \"a b\" anon 12M",
            "wait",
        ] {
            assert!(sim.exec(line).ok(), "{line}");
        }
        let lines: Vec<&String> = sim.engine().trace.recent().collect();
        let mut worker = 0;
        for l in &lines {
            let p = parse_line(l).unwrap_or_else(|| panic!("{l:?}"));
            match p.kind {
                EventKind::Write => assert!(p.memcg.starts_with("/sys/fs/cgroup/a b/")),
                _ => assert_eq!(p.memcg, "/a b", "{l:?}"),
            }
            worker += usize::from(p.kind == EventKind::WorkChunk);
        }
        assert!(worker > 0, "the worker ran for /a b");
    }
}

#[cfg(test)]
mod columns {
    use super::*;
    use alloc::format;

    /// The hand-written columns are the formatter's, byte for byte.
    #[test]
    fn columns_match_the_formatter() {
        for (t, kind, pid, memcg) in [
            (0, EventKind::Spawn, Some(1001), "/a"),
            (4_863_750_000, EventKind::WorkChunk, None, ""),
            (
                u64::MAX,
                EventKind::DirectReclaim,
                Some(u32::MAX),
                "/a/b c/very-long-name-of-a-cgroup",
            ),
            (1_000_000_000_000_123, EventKind::Write, Some(7), "/é"),
        ] {
            let mut got = String::new();
            write_columns(&mut got, t, kind, pid, memcg);
            let m = if memcg.is_empty() { "/" } else { memcg };
            let p = pid.map_or(String::from("-"), |p| format!("{p}"));
            let want = format!(
                "{:>6}.{:09}  {:<14} {:>6}  {:<20}",
                t / 1_000_000_000,
                t % 1_000_000_000,
                kind.as_str(),
                p,
                escape(m)
            );
            assert_eq!(got, want);
        }
    }

    /// The hand-written fields are `write!`'s, at the extremes of u64.
    #[test]
    fn fields_match_the_formatter() {
        for (a, b, c) in [(0, 1, 9), (10, 99, 100), (u64::MAX, 12_345, u64::MAX - 1)] {
            let mut got = String::new();
            kv(
                &mut got,
                &[(" nr=", a), (" reclaimed=", b), (" cost_ns=", c)],
            );
            assert_eq!(got, format!(" nr={a} reclaimed={b} cost_ns={c}"));
            let e = Event::WorkChunk {
                memcg: "/a".into(),
                reclaimed: a,
                scanned: b,
                cost_ns: c,
                usage: a / 3,
            };
            let mut line = String::new();
            e.line_into(5, &mut line);
            assert!(
                line.ends_with(&format!(
                    " reclaimed={a} scanned={b} cost_ns={c} usage={}",
                    a / 3
                )),
                "{line}"
            );
        }
    }
}
