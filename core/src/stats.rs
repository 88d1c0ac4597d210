//! Observability beyond the kernel's files: latency histograms, per-cgroup
//! time series and stall shares (issue 3).

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use crate::units::{Nanos, Pages};

/// Log2 buckets of nanoseconds: bucket `b` holds values in `[2^b, 2^(b+1))`
/// (bucket 0 also holds 0).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Histogram {
    pub buckets: [u64; 64],
    pub count: u64,
    pub sum: u128,
    pub max: Nanos,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            buckets: [0; 64],
            count: 0,
            sum: 0,
            max: 0,
        }
    }
}

impl Histogram {
    fn bucket(v: Nanos) -> usize {
        if v == 0 {
            0
        } else {
            63 - v.leading_zeros() as usize
        }
    }

    /// Record `n` samples of value `v`.
    pub fn add_n(&mut self, v: Nanos, n: u64) {
        if n == 0 {
            return;
        }
        self.buckets[Self::bucket(v)] += n;
        self.count += n;
        self.sum += u128::from(v) * u128::from(n);
        self.max = self.max.max(v);
    }

    pub fn add(&mut self, v: Nanos) {
        self.add_n(v, 1);
    }

    /// The upper bound of the bucket holding the `pct`-th percentile
    /// (`pct` in per mille, e.g. 990 for p99), capped at the maximum seen.
    pub fn percentile(&self, per_mille: u64) -> Nanos {
        if self.count == 0 {
            return 0;
        }
        let rank = (self.count * per_mille).div_ceil(1000).max(1);
        let mut seen = 0;
        for (b, &c) in self.buckets.iter().enumerate() {
            seen += c;
            if seen >= rank {
                let upper = if b >= 63 {
                    u64::MAX
                } else {
                    (1u64 << (b + 1)) - 1
                };
                return upper.min(self.max);
            }
        }
        self.max
    }

    pub fn merge(&mut self, o: &Histogram) {
        for (a, b) in self.buckets.iter_mut().zip(o.buckets.iter()) {
            *a += b;
        }
        self.count += o.count;
        self.sum += o.sum;
        self.max = self.max.max(o.max);
    }
}

/// Log-linear buckets of nanoseconds for percentiles (docs/model.md
/// §18.13): values below 16 exactly, above that 16 buckets per power of
/// two (each within 1/16 of its values), sparse. Each bucket keeps the
/// largest value it saw, and a percentile is that value of the bucket
/// holding its rank: a latency that occurred, at most 1/16 above the
/// exact percentile.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Quantiles {
    /// Bucket index → (count, largest value).
    buckets: BTreeMap<u16, (u64, Nanos)>,
    pub count: u64,
    pub max: Nanos,
}

impl Quantiles {
    fn index(v: Nanos) -> u16 {
        if v < 16 {
            return v as u16;
        }
        let e = 63 - v.leading_zeros();
        let sub = (v >> (e - 4)) & 15;
        ((e - 3) * 16) as u16 + sub as u16
    }

    /// Record `n` samples of value `v`.
    pub fn add_n(&mut self, v: Nanos, n: u64) {
        if n == 0 {
            return;
        }
        let b = self.buckets.entry(Self::index(v)).or_insert((0, 0));
        b.0 += n;
        b.1 = b.1.max(v);
        self.count += n;
        self.max = self.max.max(v);
    }

    pub fn add(&mut self, v: Nanos) {
        self.add_n(v, 1);
    }

    /// The `per_mille`-th percentile (500 for p50, 990 for p99): the
    /// largest value seen in the bucket holding rank ⌈count × p⌉.
    pub fn percentile(&self, per_mille: u64) -> Nanos {
        if self.count == 0 {
            return 0;
        }
        let rank = (u128::from(self.count) * u128::from(per_mille))
            .div_ceil(1000)
            .max(1);
        let mut seen = 0u128;
        for &(c, top) in self.buckets.values() {
            seen += u128::from(c);
            if seen >= rank {
                return top;
            }
        }
        self.max
    }

    pub fn merge(&mut self, o: &Quantiles) {
        for (&i, &(c, top)) in &o.buckets {
            let b = self.buckets.entry(i).or_insert((0, 0));
            b.0 += c;
            b.1 = b.1.max(top);
        }
        self.count += o.count;
        self.max = self.max.max(o.max);
    }
}

/// One sample of a memcg at a virtual instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sample {
    pub t: Nanos,
    pub usage: Pages,
    pub anon: Pages,
    pub file: Pages,
    pub max: Pages,
    pub high: Pages,
    pub wmark_high: Pages,
    pub wmark_low: Pages,
    /// Cumulative: direct-reclaim and penalty stall of its tasks.
    pub stall_ns: Nanos,
    /// Cumulative: wmark worker time (exstat, ns).
    pub worker_ns: Nanos,
    /// Cumulative: refaulted pages.
    pub refaults: u64,
}

/// At most this many samples per memcg; when full, every other one is
/// dropped and the interval doubles (deterministic decimation).
pub const SERIES_CAP: usize = 4096;

/// Equal samples at evenly spaced times: `first`, then `count − 1` more
/// every `step` ns (`step` is 0 while `count` is 1). Equal means equal in
/// every field but `t` (docs/model.md §18.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Run {
    pub first: Sample,
    pub step: Nanos,
    pub count: u64,
}

impl Run {
    fn single(s: Sample) -> Run {
        Run {
            first: s,
            step: 0,
            count: 1,
        }
    }

    /// The `j`-th sample of the run.
    fn at(&self, j: u64) -> Sample {
        Sample {
            t: self.first.t + j * self.step,
            ..self.first
        }
    }

    /// The time the next sample must have to extend the run.
    fn next_t(&self) -> Nanos {
        self.first.t + self.count * self.step
    }
}

/// Equal in every field but `t`.
fn same_values(a: &Sample, b: &Sample) -> bool {
    Sample { t: 0, ..*a } == Sample { t: 0, ..*b }
}

/// A bounded time series, stored run-length encoded: a memcg whose sample
/// does not change between ticks costs one [`Run`] however long it idles.
/// Logically it is the sequence of samples the sampler kept (one per
/// `stride` ticks, at most [`SERIES_CAP`]); [`Series::iter`] yields every one
/// of them, so the charts and the CSV see each sample time (§18.4).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Series {
    /// Runs in time order but the newest, delta-encoded ([`pack_run`]):
    /// each as LEB128 zigzag differences from the run before, about 20
    /// bytes against `size_of::<Run>()` (issue 12: a 10,000-cgroup node's
    /// busy series). The greedy encoding (each sample extends the last run
    /// when it can) makes equal sequences equal bytes.
    packed: Vec<u8>,
    /// The newest packed run: what the next one is encoded against.
    base: Run,
    /// The newest run, still growing.
    last: Option<Run>,
    /// Runs held (packed and the newest).
    nruns: usize,
    /// Samples held (the sum of the runs' counts).
    len: usize,
    /// Keep one sample in `stride` of the sampler's ticks.
    pub stride: u64,
    ticks: u64,
}

impl Default for Run {
    fn default() -> Run {
        Run {
            first: Sample {
                t: 0,
                usage: 0,
                anon: 0,
                file: 0,
                max: 0,
                high: 0,
                wmark_high: 0,
                wmark_low: 0,
                stall_ns: 0,
                worker_ns: 0,
                refaults: 0,
            },
            step: 0,
            count: 0,
        }
    }
}

/// The fields of a run in their packed order.
fn run_fields(r: &Run) -> [u64; 13] {
    let s = &r.first;
    [
        s.t,
        s.usage,
        s.anon,
        s.file,
        s.max,
        s.high,
        s.wmark_high,
        s.wmark_low,
        s.stall_ns,
        s.worker_ns,
        s.refaults,
        r.step,
        r.count,
    ]
}

/// Append `r` to `out` as the zigzag LEB128 of each field's wrapping
/// difference from `base`'s.
fn pack_run(out: &mut Vec<u8>, base: &Run, r: &Run) {
    for (x, b) in run_fields(r).into_iter().zip(run_fields(base)) {
        let d = x.wrapping_sub(b) as i64;
        let mut z = ((d << 1) ^ (d >> 63)) as u64;
        while z >= 0x80 {
            out.push((z as u8) | 0x80);
            z >>= 7;
        }
        out.push(z as u8);
    }
}

/// The run packed at `bytes[*at..]` against `base`; `at` moves past it.
fn unpack_run(bytes: &[u8], at: &mut usize, base: &Run) -> Run {
    let b = run_fields(base);
    let mut f = [0u64; 13];
    for (i, v) in f.iter_mut().enumerate() {
        let (mut z, mut shift) = (0u64, 0);
        loop {
            let byte = bytes[*at];
            *at += 1;
            z |= u64::from(byte & 0x7f) << shift;
            shift += 7;
            if byte & 0x80 == 0 {
                break;
            }
        }
        let d = ((z >> 1) as i64) ^ -((z & 1) as i64);
        *v = b[i].wrapping_add(d as u64);
    }
    Run {
        first: Sample {
            t: f[0],
            usage: f[1],
            anon: f[2],
            file: f[3],
            max: f[4],
            high: f[5],
            wmark_high: f[6],
            wmark_low: f[7],
            stall_ns: f[8],
            worker_ns: f[9],
            refaults: f[10],
        },
        step: f[11],
        count: f[12],
    }
}

impl Series {
    pub fn push(&mut self, s: Sample) {
        if self.stride == 0 {
            self.stride = 1;
        }
        self.ticks += 1;
        if (self.ticks - 1) % self.stride != 0 {
            return;
        }
        if self.len == SERIES_CAP {
            self.decimate();
        }
        self.append(Run::single(s));
        self.len += 1;
    }

    /// Keep the samples at even positions, as `step_by(2)` over the
    /// expanded sequence would, run by run.
    fn decimate(&mut self) {
        let old = self.runs();
        let stride = self.stride;
        let ticks = self.ticks;
        *self = Series::default();
        let mut at = 0u64;
        let mut len = 0;
        for r in old {
            let skip = at % 2;
            at += r.count;
            if r.count <= skip {
                continue;
            }
            let count = (r.count - skip).div_ceil(2);
            let kept = Run {
                first: r.at(skip),
                step: if count > 1 { r.step * 2 } else { 0 },
                count,
            };
            self.append(kept);
            len += count as usize;
        }
        self.len = len;
        self.stride = stride * 2;
        self.ticks = ticks;
    }

    /// A new newest run: the current one is packed.
    fn push_run(&mut self, r: Run) {
        if let Some(prev) = self.last.take() {
            pack_run(&mut self.packed, &self.base, &prev);
            self.base = prev;
        }
        self.last = Some(r);
        self.nruns += 1;
    }

    /// Append `r`'s samples one by one as [`Series::push`] would, in O(1).
    fn append(&mut self, mut r: Run) {
        let Some(last) = self.last.as_mut() else {
            self.push_run(r);
            return;
        };
        if !same_values(&last.first, &r.first)
            || (last.count > 1 && r.first.t != last.next_t())
            || r.first.t < last.first.t
        {
            self.push_run(r);
            return;
        }
        // The first of r extends the last run.
        if last.count == 1 {
            last.step = r.first.t - last.first.t;
        }
        last.count += 1;
        r.count -= 1;
        if r.count == 0 {
            return;
        }
        r.first.t += r.step;
        if r.count == 1 || r.step == last.step {
            // The rest continues the same progression.
            if r.count == 1 && r.first.t != last.next_t() {
                r.step = 0;
                self.push_run(r);
            } else {
                last.count += r.count;
            }
            return;
        }
        self.push_run(r);
    }

    /// Samples held.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The runs stored, decoded, in time order.
    pub fn runs(&self) -> Vec<Run> {
        let mut v = Vec::with_capacity(self.nruns);
        let (mut at, mut base) = (0, Run::default());
        while at < self.packed.len() {
            base = unpack_run(&self.packed, &mut at, &base);
            v.push(base);
        }
        v.extend(self.last);
        v
    }

    /// Bytes of the stored runs (about what a clone, e.g. a timeline
    /// checkpoint, allocates for them): the packed runs and the newest.
    pub fn heap_bytes(&self) -> usize {
        self.packed.len() + self.last.map_or(0, |_| core::mem::size_of::<Run>())
    }

    /// Every sample held, in time order.
    pub fn iter(&self) -> SeriesIter<'_> {
        SeriesIter {
            packed: &self.packed,
            at: 0,
            base: Run::default(),
            last: self.last,
            run: None,
            j: 0,
            left: self.len,
        }
    }

    /// The `i`-th sample held.
    pub fn get(&self, i: usize) -> Option<Sample> {
        self.iter().nth(i)
    }

    /// The newest sample.
    pub fn last(&self) -> Option<Sample> {
        self.last.map(|r| r.at(r.count - 1))
    }
}

/// The samples of a [`Series`], expanded from its runs.
#[derive(Clone, Debug)]
pub struct SeriesIter<'a> {
    packed: &'a [u8],
    /// Where the next packed run starts.
    at: usize,
    /// The run last unpacked (the next one's base).
    base: Run,
    /// The newest run, read after the packed ones.
    last: Option<Run>,
    /// The run being read.
    run: Option<Run>,
    j: u64,
    left: usize,
}

impl SeriesIter<'_> {
    /// The run being read, unpacking the next one when needed.
    fn current(&mut self) -> Option<Run> {
        if self.run.is_none() {
            if self.at < self.packed.len() {
                self.base = unpack_run(self.packed, &mut self.at, &self.base);
                self.run = Some(self.base);
            } else {
                self.run = self.last.take();
            }
            self.j = 0;
        }
        self.run
    }
}

impl Iterator for SeriesIter<'_> {
    type Item = Sample;

    fn next(&mut self) -> Option<Sample> {
        let r = self.current()?;
        let s = r.at(self.j);
        self.j += 1;
        if self.j == r.count {
            self.run = None;
        }
        self.left -= 1;
        Some(s)
    }

    /// Skips whole runs: O(runs), not O(samples).
    fn nth(&mut self, mut n: usize) -> Option<Sample> {
        while let Some(r) = self.current() {
            let rest = r.count - self.j;
            if (n as u64) < rest {
                self.j += n as u64;
                self.left -= n;
                return self.next();
            }
            n -= rest as usize;
            self.left -= rest as usize;
            self.run = None;
        }
        None
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for SeriesIter<'_> {}

/// Stall accounting per memcg (a PSI-like "some" share is
/// `stall_ns / elapsed` of the memcg's tasks).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemcgTimes {
    pub stall_ns: Nanos,
    /// `try_charge`'s reclaim (faults and refaults), writeback waits in it
    /// included.
    pub direct_reclaim_ns: Nanos,
    /// `mem_cgroup_handle_over_high`: its `reclaim_high` and its sleep.
    pub penalty_ns: Nanos,
    pub refault_ns: Nanos,
    pub latency: Histogram,
    /// The same latencies, finer, for the run metrics' percentiles.
    pub quantiles: Quantiles,
    /// The sleep part of `penalty_ns` (§18.13).
    pub high_sleep_ns: Nanos,
    /// Writeback waits inside `direct_reclaim_ns` and `penalty_ns`
    /// (§18.13).
    pub reclaim_wait_ns: Nanos,
    /// `balance_dirty_pages` pauses (§18.9).
    pub dirty_pause_ns: Nanos,
    /// Pages the tasks' allocation ops charged (refaults not included).
    pub alloc_pages: Pages,
    /// This memcg's own wmark work items' time, ns: what `reclaim_wmark`
    /// adds to exstat `wmark_reclaim_work_ms` of it and its ancestors.
    pub worker_ns: Nanos,
    /// CPU time user-space agents spent acting on this memcg: their
    /// syscalls and the reclaim their writes did (§20).
    pub agent_cpu_ns: Nanos,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The series as it was stored before run-length encoding: one
    /// `Sample` per kept tick (the reference the runs must expand to).
    #[derive(Default)]
    #[cfg(not(target_arch = "wasm32"))]
    struct Flat {
        samples: Vec<Sample>,
        stride: u64,
        ticks: u64,
    }

    #[cfg(not(target_arch = "wasm32"))]
    impl Flat {
        fn push(&mut self, s: Sample) {
            if self.stride == 0 {
                self.stride = 1;
            }
            self.ticks += 1;
            if (self.ticks - 1) % self.stride != 0 {
                return;
            }
            if self.samples.len() == SERIES_CAP {
                self.samples = self.samples.iter().step_by(2).copied().collect();
                self.stride *= 2;
            }
            self.samples.push(s);
        }
    }

    fn sample(t: Nanos, usage: Pages) -> Sample {
        Sample {
            t,
            usage,
            anon: usage / 2,
            file: 3,
            max: 100,
            high: 90,
            wmark_high: 80,
            wmark_low: 70,
            stall_ns: 5,
            worker_ns: 6,
            refaults: 7,
        }
    }

    /// Packed runs (issue 12) read back as the flat list of kept samples,
    /// across decimations, with extreme values and time going backwards,
    /// and take a fraction of `size_of::<Run>()` each.
    #[test]
    fn packed_runs_read_back_exactly_and_small() {
        let (mut s, mut flat, mut stride, mut ticks) = (Series::default(), Vec::new(), 1u64, 0u64);
        let mut x = 12345u64;
        for i in 0..20_000u64 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let mut v = sample(i * 10_000_000, 100 + (x >> 60));
            if x % 7 == 0 {
                v.max = u64::MAX;
            }
            if x % 97 == 0 {
                v.t = 3;
            }
            s.push(v);
            ticks += 1;
            if (ticks - 1) % stride == 0 {
                if flat.len() == SERIES_CAP {
                    flat = flat.into_iter().step_by(2).collect();
                    stride *= 2;
                }
                flat.push(v);
            }
        }
        assert_eq!(s.iter().collect::<Vec<_>>(), flat);
        assert_eq!(s.len(), flat.len());
        assert_eq!(s.last(), flat.last().copied());
        for i in [0, 1, 777, flat.len() - 1] {
            assert_eq!(s.get(i), Some(flat[i]));
        }
        let runs = s.runs();
        assert!(runs.len() > 1000);
        assert_eq!(
            runs.iter().map(|r| r.count as usize).sum::<usize>(),
            flat.len()
        );
        assert!(s.heap_bytes() * 3 < runs.len() * core::mem::size_of::<Run>());
    }

    #[test]
    fn quantiles_are_seen_values_within_a_sixteenth() {
        let mut q = Quantiles::default();
        q.add_n(250, 98);
        q.add(11_130);
        q.add(3);
        assert_eq!(q.percentile(500), 250);
        assert_eq!(q.percentile(990), 250);
        assert_eq!(q.percentile(1000), 11_130);
        assert_eq!(q.percentile(1), 3);
        // Buckets are exact below 16, then 16 per octave.
        for v in [0u64, 15, 16, 17, 31, 32, 33, 1000, 1 << 40, u64::MAX] {
            let i = Quantiles::index(v);
            let same: u64 = if v < 16 {
                1
            } else {
                1 << (63 - v.leading_zeros() - 4)
            };
            assert!(Quantiles::index(v - v % same) == i, "{v}");
        }
        let mut m = Quantiles::default();
        m.merge(&q);
        m.merge(&q);
        assert_eq!((m.count, m.max, m.percentile(500)), (200, 11_130, 250));
    }

    #[test]
    fn an_idle_series_is_one_run_however_long() {
        let mut s = Series::default();
        for i in 0..100_000u64 {
            s.push(sample(i * 10_000_000, 42));
        }
        // 100 000 ticks: decimated five times, 3125 samples, one run.
        assert_eq!(s.len(), 3125);
        assert_eq!(s.stride, 32);
        assert_eq!(s.runs().len(), 1);
        assert_eq!(s.heap_bytes(), core::mem::size_of::<Run>());
        assert_eq!(s.last().unwrap().t, 999_680_000_000);
        assert_eq!(s.get(1).unwrap().t, 320_000_000);
    }

    #[test]
    fn a_changed_value_or_a_gap_starts_a_run() {
        let mut s = Series::default();
        for (t, u) in [(0, 1), (10, 1), (20, 1), (30, 2), (40, 2), (60, 2), (70, 2)] {
            s.push(sample(t, u));
        }
        let runs: Vec<(Nanos, Nanos, u64)> = s
            .runs()
            .iter()
            .map(|r| (r.first.t, r.step, r.count))
            .collect();
        // (60, 70) follow a gap: the progression 30, 40 does not reach 60.
        assert_eq!(runs, [(0, 10, 3), (30, 10, 2), (60, 10, 2)]);
        let ts: Vec<Nanos> = s.iter().map(|x| x.t).collect();
        assert_eq!(ts, [0, 10, 20, 30, 40, 60, 70]);
    }

    // proptest is a native dev-dependency only (core/Cargo.toml).
    #[cfg(not(target_arch = "wasm32"))]
    mod props {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(64))]
            /// Whatever the values and the gaps between ticks, the runs expand
            /// to exactly the samples the flat series keeps (decimation
            /// included), and `nth` (the charts' `step_by`) agrees with `next`.
            #[test]
            fn runs_expand_to_the_flat_series(
                steps in proptest::collection::vec((0u64..4, 0u64..3, 1u64..400), 1..40),
                stride in 1usize..400,
            ) {
                let (mut flat, mut runs) = (Flat::default(), Series::default());
                let (mut t, mut v) = (0u64, 0u64);
                for (gap, change, repeat) in steps {
                    v += change;
                    for _ in 0..repeat * 30 {
                        let s = sample(t, v);
                        flat.push(s);
                        runs.push(s);
                        t += 10 + gap * (gap % 2);
                    }
                    t += gap * 7;
                }
                let all: Vec<Sample> = runs.iter().collect();
                prop_assert_eq!(&all, &flat.samples);
                prop_assert_eq!(runs.len(), flat.samples.len());
                prop_assert_eq!(runs.stride, flat.stride);
                prop_assert_eq!(runs.last(), flat.samples.last().copied());
                let picked: Vec<Sample> = runs.iter().step_by(stride).collect();
                let want: Vec<Sample> = flat.samples.iter().step_by(stride).copied().collect();
                prop_assert_eq!(picked, want);
                // The encoding is canonical: pushing the expanded samples into
                // a fresh series gives the same runs.
                let mut again = Series::default();
                for s in &all {
                    again.push(*s);
                }
                prop_assert_eq!(again.runs(), runs.runs());
            }
        }
    }
}
