//! The JavaScript API (issue 5): a `Simulator` class over the core, for
//! documentation embeds, notebooks and headless tests. Feature `api`: it is
//! its own wasm package (`www/lib/memcg.js`, see the Makefile), so the
//! playground's wasm does not carry it.
//!
//! ```js
//! import init, { Simulator } from './www/lib/memcg.js';
//! await init();
//! const sim = new Simulator('v1');
//! sim.exec('mkdir /sys/fs/cgroup/memory/test/');
//! sim.write('/sys/fs/cgroup/memory/test/memory.limit_in_bytes', '1G');
//! sim.write('/sys/fs/cgroup/memory/test/memory.wmark_ratio', '95');
//! sim.read('/sys/fs/cgroup/memory/test/memory.wmark_high'); // "1020051456\n"
//! try { sim.write('/sys/fs/cgroup/memory/test/memory.wmark_ratio', '101'); }
//! catch (e) { e.errno; /* "EINVAL" */ }
//! ```
//!
//! Times are JavaScript numbers of nanoseconds (exact up to 2^53 ns, about
//! 104 days of virtual time).

use memcg::scenario::Scenario;
use memcg::{Errno, Simulator, Version};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(inline_js = "export function memcg_error(message, errno, code) {
  const e = new Error(message);
  e.name = 'MemcgError';
  e.errno = errno;
  e.code = code;
  return e;
}")]
extern "C" {
    fn memcg_error(message: &str, errno: &str, code: i32) -> JsValue;
}

/// A kernel error as a thrown JS `Error` with `errno` ("EINVAL") and `code`.
fn kernel_error(path: &str, e: Errno) -> JsValue {
    memcg_error(&format!("{path}: {}", e.message()), e.name(), e.code())
}

/// Any other failure (bad arguments, a damaged scenario): an `Error` with
/// `errno` "EINVAL".
fn usage_error(message: &str) -> JsValue {
    memcg_error(message, "EINVAL", Errno::EINVAL.code())
}

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** Result of `Simulator.exec`. */
export interface ExecResult { stdout: string; stderr: string; status: number; }
/** One cgroup of a snapshot. Sizes in bytes; `null` means "max". */
export interface CgroupSnapshot {
  path: string; name: string; depth: number; has_memory: boolean;
  usage: number; anon: number; file: number;
  max: number | null; high: number | null; wmark_high: number | null; wmark_low: number | null;
  wmark_ratio: number; low: number;
  work: "idle" | "pending" | "running" | "running+pending";
  /** memory.events: [low, high, max, oom, oom_kill] */
  events: [number, number, number, number, number];
  worker_ns: number; stall_ns: number; refaults: number;
  pgscan_direct: number; pgscan_kswapd: number;
}
/** One task of a snapshot. Latencies in ns. */
export interface TaskSnapshot {
  pid: number; cgroup: string; program: string;
  state: "running" | "holding" | "sleeping" | "exited" | "killed";
  rss: number; faults: number; stall_ns: number; p50_ns: number; p99_ns: number; max_ns: number;
}
/** `Simulator.snapshot()`. `now` in ns; `trace_hash` as 16 hex digits. */
export interface Snapshot {
  now: number; version: "V1" | "V2"; cgroups: CgroupSnapshot[]; tasks: TaskSnapshot[];
  trace_len: number; trace_hash: string;
}
"#;

/// A simulated machine with a root shell.
#[wasm_bindgen(js_name = Simulator)]
pub struct JsSimulator {
    sim: Simulator,
}

fn to_ns(ns: f64) -> Result<u64, JsValue> {
    if !(0.0..=9_007_199_254_740_992.0).contains(&ns) {
        return Err(usage_error(
            "time must be a number of nanoseconds from 0 to 2^53",
        ));
    }
    Ok(ns as u64)
}

#[wasm_bindgen(js_class = Simulator)]
impl JsSimulator {
    /// `new Simulator()` / `new Simulator('v2')` / `new Simulator(scenarioObject)`
    /// / `new Simulator('#s=1.…')` (a shared link's fragment).
    #[wasm_bindgen(constructor)]
    pub fn new(init: JsValue) -> Result<JsSimulator, JsValue> {
        let sim = if init.is_undefined() || init.is_null() {
            Simulator::new(Version::V1)
        } else if let Some(s) = init.as_string() {
            match s.as_str() {
                "v1" | "V1" => Simulator::new(Version::V1),
                "v2" | "V2" => Simulator::new(Version::V2),
                frag if frag.trim_start_matches('#').starts_with("s=") => {
                    crate::share::codec::from_fragment(frag)
                        .and_then(|sc| sc.instantiate())
                        .map_err(|e| usage_error(&e))?
                }
                other => match crate::scenarios::by_id(other) {
                    Some(i) => {
                        let sc = &crate::scenarios::SCENARIOS[i];
                        let mut sim = sc.machine();
                        for line in sc.setup() {
                            sim.exec(&line);
                        }
                        sim
                    }
                    None => {
                        return Err(usage_error(&format!("unknown version or preset '{other}'")))
                    }
                },
            }
        } else {
            let sc: Scenario = serde_wasm_bindgen::from_value(init)
                .map_err(|e| usage_error(&format!("not a scenario: {e}")))?;
            sc.instantiate().map_err(|e| usage_error(&e))?
        };
        Ok(JsSimulator { sim })
    }

    /// Run one shell line: `{stdout, stderr, status}`.
    pub fn exec(&mut self, line: &str) -> Result<JsValue, JsValue> {
        let out = self.sim.exec(line);
        let obj = serde_wasm_bindgen::to_value(&ExecResult {
            stdout: out.stdout,
            stderr: out.stderr,
            status: out.status,
        })?;
        Ok(obj)
    }

    /// Read a file; throws an `Error` whose `errno` is e.g. "ENOENT".
    pub fn read(&self, path: &str) -> Result<String, JsValue> {
        self.sim.read(path).map_err(|e| kernel_error(path, e))
    }

    /// Write exactly `value` to a file; throws like `read` (e.g. "EINVAL").
    pub fn write(&mut self, path: &str, value: &str) -> Result<(), JsValue> {
        self.sim
            .write(path, value)
            .map_err(|e| kernel_error(path, e))
    }

    /// Process one event; false when nothing is queued.
    pub fn step(&mut self) -> bool {
        self.sim.step()
    }

    /// Run to virtual time `ns`.
    #[wasm_bindgen(js_name = runUntil)]
    pub fn run_until(&mut self, ns: f64) -> Result<(), JsValue> {
        let t = to_ns(ns)?;
        self.sim.run_until(t);
        Ok(())
    }

    /// Virtual time now, ns.
    pub fn now(&self) -> f64 {
        self.sim.now() as f64
    }

    /// Everything a view draws, as plain objects (see `Snapshot`).
    #[wasm_bindgen(unchecked_return_type = "Snapshot")]
    pub fn snapshot(&self) -> Result<JsValue, JsValue> {
        let snap = self.sim.snapshot();
        let ser = serde_wasm_bindgen::Serializer::json_compatible();
        let v = serde::Serialize::serialize(&JsSnapshot::from(snap), &ser)?;
        Ok(v)
    }

    /// The most recent trace lines (at most 10 000), newline-separated.
    pub fn trace(&self) -> String {
        let mut s = String::new();
        for l in self.sim.trace_recent() {
            s.push_str(l);
            s.push('\n');
        }
        s
    }

    /// Hash of the whole trace so far, 16 hex digits.
    #[wasm_bindgen(js_name = traceHash)]
    pub fn trace_hash(&self) -> String {
        format!("{:016x}", self.sim.trace_hash())
    }

    /// The scenario that reproduces this machine (plain object).
    pub fn scenario(&self) -> Result<JsValue, JsValue> {
        let sc = self.sim.scenario().map_err(|e| usage_error(&e))?;
        Ok(serde_wasm_bindgen::to_value(&sc)?)
    }

    /// A link fragment (`s=1.…`) that reproduces this machine.
    #[wasm_bindgen(js_name = toFragment)]
    pub fn to_fragment(&self) -> Result<String, JsValue> {
        let sc = self.sim.scenario().map_err(|e| usage_error(&e))?;
        Ok(crate::share::codec::to_fragment(&sc))
    }
}

#[derive(serde::Serialize)]
struct ExecResult {
    stdout: String,
    stderr: String,
    status: i32,
}

/// The snapshot with the hash as hex (a u64 does not fit a JS number).
#[derive(serde::Serialize)]
struct JsSnapshot {
    now: u64,
    version: Version,
    cgroups: Vec<memcg::sim::CgroupSnapshot>,
    tasks: Vec<memcg::sim::TaskSnapshot>,
    trace_len: u64,
    trace_hash: String,
}

impl From<memcg::sim::Snapshot> for JsSnapshot {
    fn from(s: memcg::sim::Snapshot) -> Self {
        JsSnapshot {
            now: s.now,
            version: s.version,
            cgroups: s.cgroups,
            tasks: s.tasks,
            trace_len: s.trace_len,
            trace_hash: format!("{:016x}", s.trace_hash),
        }
    }
}

/// One cell of a sweep (issue 14), for a Web Worker (`www/sweep-worker.js`):
/// a fresh machine (`v1` or `v2`, `seed`, kernel `kernel`), each
/// `names[i]` set to `values[i]` as a shell variable, then the script's
/// lines, exactly as `memcg sweep --seed SEED [--v2] --kernel KERNEL
/// --param NAME=...` runs that combination ([`memcg::sweep::Sweep::run_one`]).
/// Returns `{values, errors, first_error}`: `values` the integers of the
/// metric columns (`memcg::sweep::METRIC_COLUMNS`), comma separated, for
/// the page's CSV and recommendation; `first_error` the first failing
/// line's message or `null`.
#[wasm_bindgen(js_name = sweepCell)]
pub fn sweep_cell(
    script: &str,
    version: &str,
    seed: f64,
    kernel: &str,
    names: Vec<String>,
    values: Vec<String>,
) -> Result<JsValue, JsValue> {
    use memcg::sweep::{Combo, Param, Sweep};
    let version = match version {
        "v1" | "V1" => Version::V1,
        "v2" | "V2" => Version::V2,
        other => {
            return Err(usage_error(&format!(
                "unknown version '{other}' (v1 or v2)"
            )))
        }
    };
    if names.len() != values.len() {
        return Err(usage_error(&format!(
            "{} names but {} values",
            names.len(),
            values.len()
        )));
    }
    let mut params = Vec::new();
    for (n, v) in names.iter().zip(&values) {
        params.push(Param::parse(&format!("{n}={v}")).map_err(|e| usage_error(&e))?);
    }
    let mut config = memcg::sim::SimConfig::new(version);
    config.seed = to_ns(seed)?;
    let sweep = Sweep {
        config,
        kernels: vec![kernel.to_string()],
        params,
        script: script.lines().map(str::to_string).collect(),
    };
    let combo = Combo {
        kernel: kernel.to_string(),
        values,
    };
    let row = sweep.run_one(&combo).map_err(|e| usage_error(&e))?;
    let out = SweepCell {
        values: row.values_text(),
        errors: row.errors,
        first_error: row.first_error,
    };
    Ok(serde_wasm_bindgen::to_value(&out)?)
}

#[derive(serde::Serialize)]
struct SweepCell {
    values: String,
    errors: u64,
    first_error: Option<String>,
}

/// A finished sweep's CSV and recommendation (issue 14), for the sweep
/// view's Worker, so the page's own wasm carries neither: the parameters
/// (`names[i]` with the comma-separated `values[i]`), the cells'
/// [`sweep_cell`] `values` in the CLI's order, and the constraint
/// (`p99_stall_us<=100`). Returns `{csv, recommendation}`: exactly what
/// `memcg sweep --csv` prints, and `--recommend`'s sentence (or why the
/// constraint cannot be read).
#[wasm_bindgen(js_name = sweepReport)]
pub fn sweep_report(
    names: Vec<String>,
    values: Vec<String>,
    kernel: &str,
    cells: Vec<String>,
    constraint: &str,
) -> Result<JsValue, JsValue> {
    use memcg::sweep::{combos, csv, recommend, Constraint, Param, Values};
    let params = names
        .iter()
        .zip(&values)
        .map(|(n, v)| Param::parse(&format!("{n}={v}")))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| usage_error(&e))?;
    let combos = combos(&[kernel.to_string()], &params);
    if combos.len() != cells.len() {
        return Err(usage_error(&format!(
            "{} cells for {} combinations",
            cells.len(),
            combos.len()
        )));
    }
    let rows = combos
        .into_iter()
        .zip(&cells)
        .map(|(c, v)| Values::parse(c, v))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| usage_error(&e))?;
    let recommendation = match Constraint::parse(constraint) {
        Ok(c) => recommend(&params, &rows, c).text,
        Err(e) => e,
    };
    Ok(serde_wasm_bindgen::to_value(&SweepReport {
        csv: csv(&params, &rows),
        recommendation,
    })?)
}

#[derive(serde::Serialize)]
struct SweepReport {
    csv: String,
    recommendation: String,
}
