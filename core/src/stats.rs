//! Observability beyond the kernel's files: latency histograms, per-cgroup
//! time series and stall shares (issue 3).

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
    /// Runs in time order; the greedy encoding (each sample extends the
    /// last run when it can), so equal sequences have equal runs.
    runs: Vec<Run>,
    /// Samples held (the sum of the runs' counts).
    len: usize,
    /// Keep one sample in `stride` of the sampler's ticks.
    pub stride: u64,
    ticks: u64,
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
        Self::append(&mut self.runs, Run::single(s));
        self.len += 1;
    }

    /// Keep the samples at even positions, as `step_by(2)` over the
    /// expanded sequence would, run by run.
    fn decimate(&mut self) {
        let old = core::mem::take(&mut self.runs);
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
            Self::append(&mut self.runs, kept);
            len += count as usize;
        }
        self.len = len;
        self.stride *= 2;
    }

    /// Append `r`'s samples one by one as [`Series::push`] would, in O(1).
    fn append(runs: &mut Vec<Run>, mut r: Run) {
        let Some(last) = runs.last_mut() else {
            runs.push(r);
            return;
        };
        if !same_values(&last.first, &r.first)
            || (last.count > 1 && r.first.t != last.next_t())
            || r.first.t < last.first.t
        {
            runs.push(r);
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
                runs.push(r);
            } else {
                last.count += r.count;
            }
            return;
        }
        runs.push(r);
    }

    /// Samples held.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Runs stored (what the series costs: runs × `size_of::<Run>()`).
    pub fn runs(&self) -> &[Run] {
        &self.runs
    }

    /// Heap bytes of the stored runs (what a clone, e.g. a timeline
    /// checkpoint, allocates for them).
    pub fn heap_bytes(&self) -> usize {
        self.runs.len() * core::mem::size_of::<Run>()
    }

    /// Every sample held, in time order.
    pub fn iter(&self) -> SeriesIter<'_> {
        SeriesIter {
            runs: &self.runs,
            run: 0,
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
        self.runs.last().map(|r| r.at(r.count - 1))
    }
}

/// The samples of a [`Series`], expanded from its runs.
#[derive(Clone, Debug)]
pub struct SeriesIter<'a> {
    runs: &'a [Run],
    run: usize,
    j: u64,
    left: usize,
}

impl Iterator for SeriesIter<'_> {
    type Item = Sample;

    fn next(&mut self) -> Option<Sample> {
        let r = self.runs.get(self.run)?;
        let s = r.at(self.j);
        self.j += 1;
        if self.j == r.count {
            self.run += 1;
            self.j = 0;
        }
        self.left -= 1;
        Some(s)
    }

    /// Skips whole runs: O(runs), not O(samples).
    fn nth(&mut self, mut n: usize) -> Option<Sample> {
        while let Some(r) = self.runs.get(self.run) {
            let rest = r.count - self.j;
            if (n as u64) < rest {
                self.j += n as u64;
                self.left -= n;
                return self.next();
            }
            n -= rest as usize;
            self.left -= rest as usize;
            self.run += 1;
            self.j = 0;
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
    pub direct_reclaim_ns: Nanos,
    pub penalty_ns: Nanos,
    pub refault_ns: Nanos,
    pub latency: Histogram,
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
