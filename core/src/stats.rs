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

/// A bounded time series.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Series {
    pub samples: Vec<Sample>,
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
        if self.samples.len() == SERIES_CAP {
            let kept: Vec<Sample> = self.samples.iter().step_by(2).copied().collect();
            self.samples = kept;
            self.stride *= 2;
        }
        self.samples.push(s);
    }
}

/// Stall accounting per memcg (a PSI-like "some" share is
/// `stall_ns / elapsed` of the memcg's tasks).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemcgTimes {
    pub stall_ns: Nanos,
    pub direct_reclaim_ns: Nanos,
    pub penalty_ns: Nanos,
    pub refault_ns: Nanos,
    pub latency: Histogram,
}
