//! Counters an embedder can export (the `serve` command's Prometheus metrics read them): a
//! lock-free latency [`Histogram`] and the count of errors answered to guests by kind.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use super::ErrorKind;

/// Upper bounds of the histogram's buckets, in seconds: 100 us to 60 s, about three per decade
/// (an inference of a small model takes well under a millisecond, a request with a slow client
/// or a deadline tens of seconds).
pub const BUCKETS: [f64; 16] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    10.0, 60.0,
];

/// A latency histogram with Prometheus' semantics: per bucket, the observations at most its
/// bound (cumulative when read), their count and their sum. Observing is a few relaxed atomic
/// adds, so it can sit on every inference.
///
/// ```
/// use std::time::Duration;
/// use wasi_nn_host::backend::Histogram;
/// let h = Histogram::default();
/// h.observe(Duration::from_micros(700));
/// h.observe(Duration::from_secs(120));
/// let snapshot = h.snapshot();
/// assert_eq!(snapshot.count, 2);
/// // 700 us is counted in the 1 ms bucket and every larger one; 120 s only in +Inf.
/// assert_eq!(snapshot.cumulative[3], (0.001, 1));
/// assert_eq!(snapshot.cumulative.last(), Some(&(60.0, 1)));
/// assert!((snapshot.sum_seconds - 120.0007).abs() < 1e-9);
/// ```
#[derive(Debug, Default)]
pub struct Histogram {
    /// Observations in each bucket alone (not cumulative); the last is past every bound.
    buckets: [AtomicU64; BUCKETS.len() + 1],
    count: AtomicU64,
    sum_nanos: AtomicU64,
}

/// A [`Histogram`] read at one moment.
#[derive(Debug, Clone, PartialEq)]
pub struct HistogramSnapshot {
    /// `(upper bound in seconds, observations at most that)`, for each bound of [`BUCKETS`].
    pub cumulative: Vec<(f64, u64)>,
    /// All observations (the `+Inf` bucket).
    pub count: u64,
    /// Their sum, in seconds.
    pub sum_seconds: f64,
}

impl Histogram {
    /// Records one observation.
    pub fn observe(&self, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        let bucket = BUCKETS
            .iter()
            .position(|bound| seconds <= *bound)
            .unwrap_or(BUCKETS.len());
        self.buckets[bucket].fetch_add(1, Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX);
        self.sum_nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    /// The counts so far. Read while others observe, the buckets and the count may disagree by
    /// the observations in flight (as with any Prometheus client).
    pub fn snapshot(&self) -> HistogramSnapshot {
        let mut total = 0;
        let cumulative = BUCKETS
            .iter()
            .zip(&self.buckets)
            .map(|(bound, n)| {
                total += n.load(Ordering::Relaxed);
                (*bound, total)
            })
            .collect();
        HistogramSnapshot {
            cumulative,
            count: self.count.load(Ordering::Relaxed),
            sum_seconds: self.sum_nanos.load(Ordering::Relaxed) as f64 / 1e9,
        }
    }
}

/// Every [`ErrorKind`], in a fixed order (for counters indexed by kind).
pub const ERROR_KINDS: [ErrorKind; 9] = [
    ErrorKind::InvalidArgument,
    ErrorKind::InvalidEncoding,
    ErrorKind::UnsupportedOperation,
    ErrorKind::Denied,
    ErrorKind::TooLarge,
    ErrorKind::NotFound,
    ErrorKind::Busy,
    ErrorKind::Timeout,
    ErrorKind::RuntimeError,
];

/// Errors answered to guests, by kind.
#[derive(Debug, Default)]
pub(crate) struct ErrorCounts([AtomicU64; ERROR_KINDS.len()]);

impl ErrorCounts {
    pub(crate) fn add(&self, kind: ErrorKind) {
        if let Some(i) = ERROR_KINDS.iter().position(|k| *k == kind) {
            self.0[i].fetch_add(1, Ordering::Relaxed);
        }
    }

    pub(crate) fn get(&self) -> Vec<(ErrorKind, u64)> {
        ERROR_KINDS
            .iter()
            .zip(&self.0)
            .map(|(k, n)| (*k, n.load(Ordering::Relaxed)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_observation_on_a_bound_counts_in_that_bucket() {
        let h = Histogram::default();
        h.observe(Duration::from_millis(1));
        h.observe(Duration::from_nanos(1_000_001));
        let s = h.snapshot();
        assert_eq!(s.cumulative[3], (0.001, 1));
        assert_eq!(s.cumulative[4], (0.0025, 2));
        assert_eq!(s.count, 2);
    }

    #[test]
    fn every_kind_is_counted_under_itself() {
        let counts = ErrorCounts::default();
        for (i, kind) in ERROR_KINDS.iter().enumerate() {
            for _ in 0..=i {
                counts.add(*kind);
            }
        }
        for (i, (kind, n)) in counts.get().into_iter().enumerate() {
            assert_eq!((kind, n), (ERROR_KINDS[i], i as u64 + 1));
        }
    }
}
