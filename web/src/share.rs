//! Sharing (issue 5): opening a scenario from a link, a file or an embed's
//! script, and the exports (scenario JSON, metrics CSV, trace text).
//!
//! A scenario is replayed by the core's [`Replay`] onto a
//! [`Timeline`], so the replayed session has its checkpoints and edit log
//! (the scrubber can go back to any instant of it) and its simulator
//! carries the same journal again. The [`Loader`] steps it in slices of
//! wall time, one per animation frame, so a heavy link never freezes the
//! page, and shows its commands in the console; the replay enforces the
//! core's bounds (cgroups, work units, virtual time) and gives up with a
//! message, leaving the playground as it was.
//!
//! The few browser calls (history, downloads, clipboard, file reading) are
//! small JavaScript functions, which cost less wasm than their `web-sys`
//! bindings.

use memcg::replay::Replay;
use memcg::scenario::Scenario;
use memcg::timeline::{EditOutcome, Timeline};
use memcg::Simulator;
use wasm_bindgen::prelude::*;

use crate::state::{Line, LineKind, Spec, Specs};

#[wasm_bindgen(inline_js = r#"
export function memcg_set_hash(frag) {
  try { history.replaceState(history.state, '', '#' + frag); } catch (e) { location.hash = frag; }
}
export function memcg_hash() { return location.hash; }
export function memcg_href() { return location.href; }
export function memcg_download(name, type, text) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url; a.download = name; a.hidden = true;
  document.body.appendChild(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
export function memcg_copy(text, cb) {
  const done = (ok) => cb(ok);
  try { navigator.clipboard.writeText(text).then(() => done(true), () => done(false)); }
  catch (e) { done(false); }
}
export function memcg_read(ev, max, cb) {
  const dt = ev.dataTransfer;
  const input = dt ? null : ev.target;
  const file = dt ? dt.files && dt.files[0] : input && input.files && input.files[0];
  if (input) setTimeout(() => { input.value = ''; });
  if (!file) {
    const text = dt ? dt.getData('text/uri-list') || dt.getData('text/plain') : '';
    if (!text) return;
    if (text.length > max) cb('', undefined, `the dropped text is ${text.length} characters; at most ${max} are accepted`);
    else cb('', text, undefined);
    return;
  }
  if (file.size > max) {
    cb(file.name, undefined, `${file.name} is ${file.size} bytes; at most ${max} are accepted`);
    return;
  }
  file.text().then((t) => cb(file.name, t, undefined),
    (e) => cb(file.name, undefined, `${file.name} could not be read (${e && e.message || e})`));
}
"#)]
extern "C" {
    /// Replace the page's fragment without a history entry or `hashchange`.
    pub fn memcg_set_hash(frag: &str);
    pub fn memcg_hash() -> String;
    pub fn memcg_href() -> String;
    /// Save `text` as a file named `name`.
    pub fn memcg_download(name: &str, mime: &str, text: &str);
    /// Copy to the clipboard; `cb(ok)` says whether it worked.
    pub fn memcg_copy(text: &str, cb: &JsValue);
    /// Read the file of an `<input type=file>` change event or a drop
    /// event (or a dropped link), refusing more than `max` bytes before
    /// reading: `cb(name, text | undefined, error | undefined)`.
    pub fn memcg_read(event: &JsValue, max: u32, cb: &JsValue);
}

/// Largest file or dropped text accepted, bytes (the core's JSON bound).
pub const MAX_FILE: usize = memcg::share::MAX_JSON;
/// Scenarios with more cgroups than this are sampled every
/// [`MANY_SAMPLE_NS`] instead of the core's 10 ms (as the fleet preset is):
/// sampling costs cgroups × tasks per tick. The trace does not depend on it.
pub const MANY_CGROUPS: usize = 50;
pub const MANY_SAMPLE_NS: u64 = 50_000_000;
/// Console lines a replay shows (the rest is summarised).
const SHOWN_LINES: usize = 60;

/// Whether every number in compact JSON `text` is at most 2^53 − 1 in
/// magnitude ([`MAX_JSON_INT`](memcg::scenario::MAX_JSON_INT), `Number.MAX_SAFE_INTEGER`), which
/// `JSON.parse` keeps exactly; serde-wasm-bindgen refused larger ones
/// too, so no link rounds a seed.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
fn numbers_are_safe(text: &[u8]) -> bool {
    let (mut in_str, mut escaped, mut n) = (false, false, 0u64);
    for &b in text {
        if in_str {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_str = false;
            }
        } else if b.is_ascii_digit() {
            n = n.saturating_mul(10).saturating_add(u64::from(b - b'0'));
            if n > memcg::scenario::MAX_JSON_INT {
                return false;
            }
        } else {
            n = 0;
            in_str = b == b'"';
        }
    }
    true
}

/// Scenario JSON. Natively this is serde_json (`memcg::share`); in wasm
/// serde-json-core writes compact text that the browser's `JSON` re-reads
/// and writes (so the bytes are `JSON.stringify`'s), and serde-json-core
/// reads it after `JSON.parse` has checked the syntax, which keeps
/// serde_json out of the bundle (issue 4's size goal). Both write the
/// same text: `web/tests/codec.rs` checks the wasm side against the JSON
/// and link in `tests/golden/`, which `tests/tests/share_golden.rs` checks
/// natively.
#[cfg(target_arch = "wasm32")]
pub mod codec {
    use memcg::scenario::Scenario;
    use memcg::share;

    use super::numbers_are_safe;
    use wasm_bindgen::{JsCast, JsValue};

    /// The scenario's JSON as the browser's `JSON.stringify` writes it
    /// (compact, or indented by `indent`); empty if it holds a number
    /// JavaScript cannot keep exactly. serde-json-core writes the text
    /// (its serializer is smaller wasm than serde-wasm-bindgen's, which
    /// built a JS object field by field), the browser re-reads and writes it.
    fn stringify(sc: &Scenario, indent: Option<u32>) -> String {
        let mut buf = vec![0u8; 4096];
        let n = loop {
            match serde_json_core::to_slice(sc, &mut buf) {
                Ok(n) => break n,
                Err(serde_json_core::ser::Error::BufferFull) => buf.resize(buf.len() * 2, 0),
                Err(_) => return String::new(),
            }
        };
        let compact = &buf[..n];
        if !numbers_are_safe(compact) {
            return String::new();
        }
        let Ok(v) = core::str::from_utf8(compact)
            .map_err(|_| JsValue::NULL)
            .and_then(js_sys::JSON::parse)
        else {
            return String::new();
        };
        let text = match indent {
            Some(n) => js_sys::JSON::stringify_with_replacer_and_space(
                &v,
                &JsValue::NULL,
                &JsValue::from(n),
            ),
            None => js_sys::JSON::stringify(&v),
        };
        text.ok().and_then(|t| t.as_string()).unwrap_or_default()
    }

    /// Pretty JSON of a scenario (for export), as `serde_json::to_string_pretty`.
    pub fn to_json(sc: &Scenario) -> String {
        stringify(sc, Some(2))
    }

    /// Parse and validate a scenario from JSON.
    pub fn from_json(json: &str) -> Result<Scenario, String> {
        share::check_json_len(json)?;
        let why = |e: JsValue| {
            let why = e
                .dyn_into::<js_sys::Error>()
                .map_or_else(|_| "invalid JSON".into(), |e| String::from(e.message()));
            format!("not a scenario: {why}")
        };
        // The browser checks the syntax (strictly, with a position in its
        // message); serde-json-core, made for small no_std builds, reads
        // the fields. (serde-wasm-bindgen's deserializer cost 9 KB more of
        // gzipped wasm, most of it float formatting for its error messages.)
        let v = js_sys::JSON::parse(json).map_err(why)?;
        if !v.is_object() || js_sys::Array::is_array(&v) {
            return Err("not a scenario: the document is not a JSON object".into());
        }
        // Unescaped strings are never longer than the document.
        let mut scratch = vec![0u8; json.len()];
        let (sc, used): (Scenario, usize) = serde_json_core::from_str_escaped(json, &mut scratch)
            .map_err(|e| format!("not a scenario: {e}"))?;
        if !json[used..].trim().is_empty() {
            return Err("not a scenario: text after the JSON object".into());
        }
        sc.validate()?;
        Ok(sc)
    }

    /// The URL fragment (without `#`) for a scenario.
    pub fn to_fragment(sc: &Scenario) -> String {
        share::pack(stringify(sc, None).as_bytes())
    }

    /// Decode a URL fragment (with or without the leading `#`).
    pub fn from_fragment(fragment: &str) -> Result<Scenario, String> {
        from_json(&share::unpack(fragment)?)
    }
}

#[cfg(not(target_arch = "wasm32"))]
pub mod codec {
    pub use memcg::share::{from_fragment, from_json, to_fragment, to_json};
}

/// A scenario from a link: a whole URL, `#s=1.…` or `s=1.…`.
pub fn parse_link(text: &str) -> Result<Scenario, String> {
    codec::from_fragment(memcg::share::link_fragment(text))
}

/// A scenario from a file's text: JSON, or a link.
pub fn parse_file(text: &str) -> Result<Scenario, String> {
    let t = text.trim_start();
    if t.starts_with('{') {
        codec::from_json(t)
    } else if t.contains("s=1.") {
        parse_link(t)
    } else {
        Err("it is neither a scenario JSON file nor a playground link".into())
    }
}

/// The fragment (`s=1.…`) that reproduces `sim`.
pub fn fragment(sim: &Simulator) -> Result<String, String> {
    sim.scenario().map(|sc| codec::to_fragment(&sc))
}

/// Pretty scenario JSON of `sim`.
pub fn json(sim: &Simulator) -> Result<String, String> {
    sim.scenario().map(|sc| codec::to_json(&sc))
}

/// The time series of the cgroup at `path` as CSV, sizes in bytes
/// (`max` for no limit).
pub fn metrics_csv(sim: &Simulator, path: &str) -> String {
    use core::fmt::Write;
    use memcg::units::PAGE_COUNTER_MAX;
    let mut s = String::from(
        "cgroup,time_ns,usage,anon,file,max,high,wmark_high,wmark_low,stall_ns,worker_ns,refaults\n",
    );
    let lim = |p: u64| {
        if p >= PAGE_COUNTER_MAX {
            "max".to_string()
        } else {
            (p * 4096).to_string()
        }
    };
    // Every sample time gets its row: runs of equal samples are expanded
    // (docs/model.md §18.4).
    let series = sim.lookup(path).and_then(|id| sim.series(id));
    for x in series.into_iter().flat_map(memcg::stats::Series::iter) {
        let _ = writeln!(
            s,
            "{path},{},{},{},{},{},{},{},{},{},{},{}",
            x.t,
            x.usage * 4096,
            x.anon * 4096,
            x.file * 4096,
            lim(x.max),
            lim(x.high),
            lim(x.wmark_high),
            lim(x.wmark_low),
            x.stall_ns,
            x.worker_ns,
            x.refaults
        );
    }
    s
}

/// The kept trace lines (the newest 10 000), one per line.
pub fn trace_text(sim: &Simulator) -> String {
    let mut s = String::new();
    for l in sim.trace_recent() {
        s.push_str(l);
        s.push('\n');
    }
    s
}

/// The core's [`Replay`] of a scenario, a slice at a time, plus what the
/// console shows of it.
pub struct Loader {
    replay: Replay,
    /// What the console shows of the replay.
    pub lines: Vec<Line>,
    pub specs: Specs,
    /// "link", "file", "example": for messages.
    pub what: &'static str,
    /// The console shows only the start of the replay.
    pub cut: bool,
    /// The replay's console replaces what the console had (a page opening
    /// a link: its fallback's lines are no history of the user's).
    pub fresh_console: bool,
}

impl Loader {
    /// Checks the scenario's bounds and builds its machine at time 0.
    pub fn new(sc: Scenario, what: &'static str) -> Result<Loader, String> {
        Ok(Loader {
            replay: Replay::new(sc)?.sample_large_trees(MANY_CGROUPS, MANY_SAMPLE_NS),
            lines: Vec::new(),
            specs: Specs::default(),
            what,
            cut: false,
            fresh_console: false,
        })
    }

    /// Journal entries replayed so far, and in all.
    pub fn entries(&self) -> (usize, usize) {
        self.replay.entries()
    }

    /// How far the replay is, 0 to 100.
    pub fn percent(&self) -> u32 {
        self.replay.percent()
    }

    /// The timeline replayed so far.
    pub fn model(&self) -> &Timeline {
        self.replay.timeline()
    }

    /// The replayed timeline, its edit log the scenario's journal.
    pub fn into_model(self) -> Timeline {
        self.replay.into_timeline()
    }

    /// Replays until done (`Ok(true)`), a bound is crossed (`Err`), or the
    /// slice is used up: `ms` of wall time in the browser, `units` work
    /// units natively (no clock there). The core asks every
    /// [`memcg::timeline::REPLAY_CHUNK_WORK`] units, so a slice ends within
    /// about that much work of its budget whatever the link's shape.
    pub fn work(&mut self, ms: f64, units: u64) -> Result<bool, String> {
        let start = crate::state::wall_now();
        if cfg!(target_arch = "wasm32") {
            self.work_with(&mut |_| crate::state::wall_now() - start < ms)
        } else {
            self.work_with(&mut |n| n < units)
        }
    }

    /// Replays while `budget(work)` allows (see [`Replay::run`]).
    pub fn work_with(&mut self, budget: &mut dyn FnMut(u64) -> bool) -> Result<bool, String> {
        let Loader {
            replay,
            lines,
            specs,
            cut,
            ..
        } = self;
        replay.run(budget, &mut |a| {
            let e = &a.entry;
            let shown = match (&e.exec, &e.write) {
                (Some(line), _) => line.clone(),
                (None, Some((path, value))) => format!("echo {} > {path}", value.trim_end()),
                (None, None) => return,
            };
            let show = lines.len() < SHOWN_LINES;
            *cut |= !show;
            if show {
                lines.push(Line::new(
                    LineKind::Input,
                    format!("root@memcg:{}# {shown}", a.cwd),
                ));
            }
            match a.outcome {
                EditOutcome::Exec(out) => {
                    if let (Some((_, spec)), Ok(pid)) =
                        (Spec::parse(&shown), out.stdout.trim().parse::<u32>())
                    {
                        specs.insert(pid, spec);
                    }
                    if show {
                        lines.extend(crate::state::output_lines(&out));
                    }
                }
                EditOutcome::Write(Err(err)) if show => lines.push(Line::new(
                    LineKind::Stderr,
                    format!("bash: echo: write error: {}", err.message()),
                )),
                EditOutcome::Write(_) => {}
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use std::rc::Rc;

    use yew::Reducible;

    use super::*;
    use crate::scenarios::by_id;
    use crate::state::{Action, State};

    /// Plays `s` in 16 ms frames at ×10 until virtual time `t`.
    fn play(mut s: Rc<State>, t: u64) -> Rc<State> {
        s = s
            .reduce(Action::TourClose)
            .reduce(Action::SetSpeed(10))
            .reduce(Action::Play);
        let mut wall = 0.0;
        while s.now() < t {
            wall += 16.0;
            s = s.reduce(Action::Tick {
                dt_ms: 16.0,
                wall_ms: wall,
            });
        }
        s.reduce(Action::Pause)
    }

    /// Ticks until the replay in progress is done.
    fn settle(mut s: Rc<State>) -> Rc<State> {
        let mut wall = 0.0;
        for _ in 0..10_000 {
            if s.loading.is_none() {
                break;
            }
            wall += 16.0;
            s = s.reduce(Action::Tick {
                dt_ms: 16.0,
                wall_ms: wall,
            });
        }
        assert!(s.loading.is_none(), "the replay never finished");
        s
    }

    fn hash(s: &State) -> u64 {
        s.model.borrow().sim.trace_hash()
    }

    /// A session with edits made while it ran: the tour-2 preset, a write
    /// at ~2 s and a typed command at ~4 s, paused at ~6 s.
    fn session() -> Rc<State> {
        let s = Rc::new(State::with_scenario(by_id("stalls").unwrap()));
        let s = play(s, 2_000_000_000).reduce(Action::Select("/sys/fs/cgroup/ratio0".into()));
        let s = s.reduce(Action::WriteFile {
            file: "memory.wmark_ratio".into(),
            value: "80".into(),
        });
        let s = play(s, 4_000_000_000).reduce(Action::Exec(
            "spawn /sys/fs/cgroup/wmark95 burst 64M".into(),
        ));
        play(s, 6_000_000_000)
    }

    #[test]
    fn a_link_and_a_file_reproduce_the_session() {
        let s = session();
        let sc = s.model.borrow().sim.scenario().unwrap();
        assert_eq!(sc.now, s.now());
        assert!(sc.journal.iter().any(|e| e.write.is_some() && e.at > 0));
        let frag = fragment(&s.model.borrow().sim).unwrap();
        let link = format!("http://127.0.0.1:8080/?scenario=stalls#{frag}");
        assert_eq!(parse_link(&link).unwrap(), sc);
        assert_eq!(
            parse_file(&json(&s.model.borrow().sim).unwrap()).unwrap(),
            sc
        );

        let opened = settle(
            Rc::new(State::new(memcg::Version::V1)).reduce(Action::Open(parse_link(&link), "link")),
        );
        assert!(opened.notice.is_none(), "{:?}", opened.notice);
        assert!(opened.replayed);
        assert_eq!(opened.now(), s.now());
        assert_eq!(hash(&opened), hash(&s));
        assert_eq!(*opened.snap, *s.snap);
        // The replayed session carries the same journal, so it shares the
        // same link again.
        assert_eq!(fragment(&opened.model.borrow().sim).unwrap(), frag);
        // Both run on identically.
        let (a, b) = (play(s, 9_000_000_000), play(opened, 9_000_000_000));
        assert_eq!(hash(&a), hash(&b));
        // The replay has the whole timeline: seeking back works as on the
        // original.
        let (a, b) = (
            a.reduce(Action::Seek(3_000_000_000)),
            b.reduce(Action::Seek(3_000_000_000)),
        );
        assert_eq!(*a.snap, *b.snap);
        // Restart goes back to the link's time 0, with its setup applied.
        let b = b.reduce(Action::Restart);
        assert_eq!(b.now(), 0);
        assert_eq!(b.snap.cgroups.len(), 3);
    }

    #[test]
    fn a_long_replay_goes_on_frame_by_frame() {
        let mut sim = memcg::Simulator::new(memcg::Version::V2);
        for l in [
            "mkdir /sys/fs/cgroup/a",
            "echo 64M > /sys/fs/cgroup/a/memory.max",
            "echo 95 > /sys/fs/cgroup/a/memory.wmark_ratio",
            "spawn /sys/fs/cgroup/a anon 4G --ws 16M --rate 400M/s",
        ] {
            sim.exec(l);
        }
        sim.run_until(8_000_000_000);
        let sc = sim.scenario().unwrap();
        let before = Rc::new(State::new(memcg::Version::V1));
        let s = before.clone().reduce(Action::Open(Ok(sc), "link"));
        assert!(s.loading.is_some());
        assert!(s.load_progress.is_some());
        // The current state stays until the replay is done.
        assert!(Rc::ptr_eq(&s.model, &before.model));
        let s = settle(s);
        assert_eq!(s.model.borrow().sim.trace_hash(), sim.trace_hash());
        assert!(s.load_progress.is_none());
    }

    #[test]
    fn hostile_scenarios_leave_the_state_alone() {
        let s = Rc::new(State::with_scenario(by_id("seed").unwrap()));
        let keep = |t: &Rc<State>| {
            assert!(Rc::ptr_eq(&t.model, &s.model), "the state was replaced");
            let n = t.notice.as_ref().expect("an error notice");
            assert!(n.error);
            n.text.clone()
        };
        // Garbage, a truncated link, an oversized one.
        let t = s
            .clone()
            .reduce(Action::Open(parse_link("#garbage"), "link"));
        assert!(
            keep(&t).contains("does not hold a scenario"),
            "{:?}",
            t.notice
        );
        let frag = fragment(&s.model.borrow().sim).unwrap();
        let t = s
            .clone()
            .reduce(Action::Open(parse_link(&frag[..frag.len() / 2]), "link"));
        keep(&t);
        let big = format!("s=1.{}", "A".repeat(memcg::share::MAX_FRAGMENT));
        let t = s.clone().reduce(Action::Open(parse_link(&big), "link"));
        assert!(keep(&t).contains("at most"));
        // Too many cgroups: refused while replaying, after the entry that
        // crosses the bound.
        let names: Vec<String> = (0..5000).map(|i| format!("c{i}")).collect();
        let lines: Vec<String> = names
            .chunks(400)
            .map(|c| format!("mkdir {}", c.join(" ")))
            .collect();
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        let sc = Scenario::from_script(memcg::Version::V1, &lines);
        let t = settle(s.clone().reduce(Action::Open(Ok(sc), "link")));
        assert!(
            keep(&t).contains("more than 4096 cgroups"),
            "{:?}",
            t.notice
        );
        // A sleep past the time bound is refused before it runs.
        let sc = Scenario::from_script(
            memcg::Version::V1,
            &["mkdir /sys/fs/cgroup/memory/a", "true; sleep 2h"],
        );
        let t = settle(s.clone().reduce(Action::Open(Ok(sc), "link")));
        assert!(keep(&t).contains("sleeps past 1 hour"), "{:?}", t.notice);
        // Not a scenario at all.
        assert!(parse_file("hello").is_err());
        assert!(parse_file("{\"schema\": 99}")
            .unwrap_err()
            .contains("schema"));
        // The error goes away when dismissed.
        assert!(t.reduce(Action::DismissNotice).notice.is_none());
    }

    /// An idle cgroup's series is stored as one run, and the CSV still has
    /// a row per sample time, as when every sample was stored (§18.4).
    #[test]
    fn metrics_csv_expands_runs_of_unchanged_samples() {
        let mut sim = Simulator::new(memcg::Version::V2);
        for l in ["mkdir idle busy", "spawn busy anon 4M --rate 8M/s --hold"] {
            assert!(sim.exec(l).ok(), "{l}");
        }
        sim.run_until(1_000_000_000);
        let id = sim.lookup("/sys/fs/cgroup/idle").unwrap();
        assert_eq!(sim.series(id).unwrap().runs().len(), 1);
        let csv = metrics_csv(&sim, "/sys/fs/cgroup/idle");
        let rows: Vec<&str> = csv.lines().skip(1).collect();
        assert_eq!(rows.len(), 101);
        for (i, row) in rows.iter().enumerate() {
            let t = (i as u64 * 10_000_000).to_string();
            assert_eq!(
                *row,
                format!("/sys/fs/cgroup/idle,{t},0,0,0,max,max,max,max,0,0,0")
            );
        }
        // The busy cgroup's rows change while it grows.
        let busy = metrics_csv(&sim, "/sys/fs/cgroup/busy");
        assert_eq!(busy.lines().count(), 102);
        let id = sim.lookup("/sys/fs/cgroup/busy").unwrap();
        assert!(sim.series(id).unwrap().runs().len() > 40);
    }

    #[test]
    fn metrics_csv_has_one_row_per_sample() {
        let s = play(
            Rc::new(State::with_scenario(by_id("seed").unwrap())),
            1_000_000_000,
        );
        let csv = metrics_csv(&s.model.borrow().sim, "/sys/fs/cgroup/memory/test");
        let mut rows = csv.lines();
        assert_eq!(
            rows.next().unwrap(),
            "cgroup,time_ns,usage,anon,file,max,high,wmark_high,wmark_low,stall_ns,worker_ns,refaults"
        );
        let row: Vec<&str> = rows.next().unwrap().split(',').collect();
        assert_eq!(row[0], "/sys/fs/cgroup/memory/test");
        assert_eq!(row[5], "1073741824");
        assert_eq!(row[6], "max");
        assert_eq!(row[7], "1020051456");
        assert_eq!(row[8], "1014685696");
        assert!(csv.lines().count() > 50);
        let trace = trace_text(&s.model.borrow().sim);
        assert!(trace.lines().any(|l| l.contains(" spawn ")), "{trace}");
    }

    #[test]
    fn numbers_are_safe_up_to_2_pow_53() {
        let max = memcg::scenario::MAX_JSON_INT;
        assert!(numbers_are_safe(
            format!(r#"{{"seed":{max},"at":0}}"#).as_bytes()
        ));
        assert!(!numbers_are_safe(
            format!(r#"{{"seed":{}}}"#, max + 1).as_bytes()
        ));
        assert!(!numbers_are_safe(b"[1,18446744073709551615]"));
        // Digits in strings are text, also after an escaped quote.
        assert!(numbers_are_safe(
            br#"["99999999999999999999 \" 99999999999999999999"]"#
        ));
        assert!(!numbers_are_safe(br#"["\\",99999999999999999999]"#));
    }

    /// The wasm's compact JSON (serde-json-core) is serde_json's, byte for
    /// byte, on the golden scenario (escapes, a write, every field).
    /// Native only: the wasm build has no serde_json (memcg's "json").
    #[cfg(not(target_arch = "wasm32"))]
    #[test]
    fn serde_json_core_writes_what_serde_json_writes() {
        let sc = memcg::share::from_json(include_str!("../../tests/golden/scenario.json")).unwrap();
        let mut buf = vec![0u8; 1 << 16];
        let n = serde_json_core::to_slice(&sc, &mut buf).unwrap();
        assert_eq!(
            std::str::from_utf8(&buf[..n]).unwrap(),
            serde_json::to_string(&sc).unwrap()
        );
        assert!(numbers_are_safe(&buf[..n]));
    }
}
