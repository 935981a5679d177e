//! The server's counters and their Prometheus text exposition (format 0.0.4), served on the
//! metrics address: requests by status, request latency, inference time and infer-request pool
//! state per graph, queue depth, wasi:nn errors by code, guest failures by reason.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use crate::Backend;
use crate::backend::{Histogram, HistogramSnapshot};

/// Why a guest did not answer normally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GuestFailure {
    /// It trapped (a panic, an out-of-bounds access, memory it could not grow into, ...).
    Trap,
    /// It ran past the request deadline.
    Timeout,
    /// It returned without setting a response.
    NoResponse,
}

impl GuestFailure {
    const ALL: [GuestFailure; 3] = [Self::Trap, Self::Timeout, Self::NoResponse];

    fn label(self) -> &'static str {
        match self {
            Self::Trap => "trap",
            Self::Timeout => "timeout",
            Self::NoResponse => "no_response",
        }
    }
}

/// Status codes 100..=599, one counter each.
const STATUSES: usize = 500;

/// Everything the server counts; shared by every connection.
pub(crate) struct Metrics {
    by_status: Vec<AtomicU64>,
    latency: Histogram,
    /// Requests admitted and not yet answered (their guest may run on after: see `running`).
    pub(crate) in_flight: AtomicUsize,
    /// Guest instances alive.
    pub(crate) running: AtomicUsize,
    /// Requests waiting to be admitted.
    pub(crate) queued: AtomicUsize,
    failures: [AtomicU64; GuestFailure::ALL.len()],
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            by_status: (0..STATUSES).map(|_| AtomicU64::new(0)).collect(),
            latency: Histogram::default(),
            in_flight: AtomicUsize::new(0),
            running: AtomicUsize::new(0),
            queued: AtomicUsize::new(0),
            failures: Default::default(),
        }
    }
}

impl Metrics {
    /// Counts an answer (when its head is sent): its status and how long it took.
    pub(crate) fn answered(&self, status: u16, elapsed: std::time::Duration) {
        if let Some(n) = status
            .checked_sub(100)
            .and_then(|i| self.by_status.get(usize::from(i)))
        {
            n.fetch_add(1, Ordering::Relaxed);
        }
        self.latency.observe(elapsed);
    }

    pub(crate) fn failed(&self, failure: GuestFailure) {
        if let Some(i) = GuestFailure::ALL.iter().position(|f| *f == failure) {
            self.failures[i].fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Requests answered with `status` so far.
    #[cfg(test)]
    fn count(&self, status: u16) -> u64 {
        status
            .checked_sub(100)
            .and_then(|i| self.by_status.get(usize::from(i)))
            .map_or(0, |n| n.load(Ordering::Relaxed))
    }

    /// The exposition: every metric with HELP and TYPE lines, label values escaped.
    pub(crate) fn render(&self, backend: &Backend) -> String {
        let mut out = String::with_capacity(8 << 10);
        header(
            &mut out,
            "wasi_nn_serve_requests_total",
            "counter",
            "HTTP requests answered, by status code (health and metrics requests excluded).",
        );
        for (i, n) in self.by_status.iter().enumerate() {
            let n = n.load(Ordering::Relaxed);
            if n > 0 {
                let _ = writeln!(
                    out,
                    "wasi_nn_serve_requests_total{{status=\"{}\"}} {n}",
                    i + 100
                );
            }
        }
        header(
            &mut out,
            "wasi_nn_serve_request_duration_seconds",
            "histogram",
            "Time from a request's arrival to its response's head.",
        );
        histogram(
            &mut out,
            "wasi_nn_serve_request_duration_seconds",
            "",
            &self.latency.snapshot(),
        );
        let gauges = [
            (
                "wasi_nn_serve_queue_depth",
                "Requests waiting to be admitted (past --max-queued-requests: 503).",
                self.queued.load(Ordering::Relaxed),
            ),
            (
                "wasi_nn_serve_requests_in_flight",
                "Requests admitted and not answered yet.",
                self.in_flight.load(Ordering::Relaxed),
            ),
            (
                "wasi_nn_serve_instances",
                "Component instances alive (a guest may write its body after the head).",
                self.running.load(Ordering::Relaxed),
            ),
        ];
        for (name, help, value) in gauges {
            header(&mut out, name, "gauge", help);
            let _ = writeln!(out, "{name} {value}");
        }
        header(
            &mut out,
            "wasi_nn_serve_guest_failures_total",
            "counter",
            "Requests whose guest trapped, ran past the deadline or set no response.",
        );
        for (failure, n) in GuestFailure::ALL.iter().zip(&self.failures) {
            let _ = writeln!(
                out,
                "wasi_nn_serve_guest_failures_total{{reason=\"{}\"}} {}",
                failure.label(),
                n.load(Ordering::Relaxed)
            );
        }
        let graphs = backend.named_graphs();
        header(
            &mut out,
            "wasi_nn_inference_duration_seconds",
            "histogram",
            "OpenVINO's time per successful compute, by named graph.",
        );
        for (name, graph) in &graphs {
            let label = format!("graph=\"{}\"", escape(name));
            histogram(
                &mut out,
                "wasi_nn_inference_duration_seconds",
                &label,
                &graph.inference_time().snapshot(),
            );
        }
        header(
            &mut out,
            "wasi_nn_infer_requests",
            "gauge",
            "Pooled infer requests by named graph and state (idle or lent to a context).",
        );
        let mut waiting = String::new();
        for (name, graph) in &graphs {
            if let Some((size, idle, wait)) = graph.pool_state() {
                let name = escape(name);
                let _ = writeln!(
                    out,
                    "wasi_nn_infer_requests{{graph=\"{name}\",state=\"idle\"}} {idle}"
                );
                let _ = writeln!(
                    out,
                    "wasi_nn_infer_requests{{graph=\"{name}\",state=\"lent\"}} {}",
                    size.saturating_sub(idle)
                );
                let _ = writeln!(
                    waiting,
                    "wasi_nn_infer_requests_waiting{{graph=\"{name}\"}} {wait}"
                );
            }
        }
        header(
            &mut out,
            "wasi_nn_infer_requests_waiting",
            "gauge",
            "Execution contexts waiting for a pooled infer request, by named graph.",
        );
        out.push_str(&waiting);
        header(
            &mut out,
            "wasi_nn_errors_total",
            "counter",
            "wasi:nn errors answered to guests, by WIT error code.",
        );
        let mut by_code: Vec<(&'static str, u64)> = Vec::new();
        for (kind, n) in backend.error_counts() {
            let code = code_name(crate::wit::error_code(kind));
            match by_code.iter_mut().find(|(c, _)| *c == code) {
                Some((_, total)) => *total += n,
                None => by_code.push((code, n)),
            }
        }
        for (code, n) in by_code {
            let _ = writeln!(out, "wasi_nn_errors_total{{code=\"{code}\"}} {n}");
        }
        out
    }
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// A histogram's `_bucket`, `_sum` and `_count` lines; `labels` go before `le`.
fn histogram(out: &mut String, name: &str, labels: &str, s: &HistogramSnapshot) {
    let sep = if labels.is_empty() { "" } else { "," };
    for (bound, n) in &s.cumulative {
        let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"{bound}\"}} {n}");
    }
    let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}", s.count);
    let braces = |l: &str| {
        if l.is_empty() {
            String::new()
        } else {
            format!("{{{l}}}")
        }
    };
    let _ = writeln!(out, "{name}_sum{} {}", braces(labels), s.sum_seconds);
    let _ = writeln!(out, "{name}_count{} {}", braces(labels), s.count);
}

/// A label value as the text format wants it: backslash, double quote and newline escaped.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The WIT name of an error code.
fn code_name(code: crate::wit::ErrorCode) -> &'static str {
    use crate::wit::ErrorCode as C;
    match code {
        C::InvalidArgument => "invalid-argument",
        C::InvalidEncoding => "invalid-encoding",
        C::Timeout => "timeout",
        C::RuntimeError => "runtime-error",
        C::UnsupportedOperation => "unsupported-operation",
        C::TooLarge => "too-large",
        C::NotFound => "not-found",
        C::Security => "security",
        C::Unknown => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(escape("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }

    #[test]
    fn statuses_outside_100_to_599_are_not_counted_and_do_not_panic() {
        let m = Metrics::default();
        m.answered(99, std::time::Duration::ZERO);
        m.answered(600, std::time::Duration::ZERO);
        m.answered(503, std::time::Duration::ZERO);
        assert_eq!(m.count(503), 1);
        assert_eq!(m.count(99), 0);
        assert_eq!(m.count(600), 0);
    }
}
