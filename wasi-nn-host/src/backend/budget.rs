//! Memory budgets that add up: every byte the host holds for a guest is charged to the guest's
//! instance and to the whole backend, and given back when the object holding it is dropped.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::{Error, ErrorKind};

/// A budget of bytes: one per instance, one for the backend.
#[derive(Debug)]
pub(crate) struct Budget {
    what: &'static str,
    limit: u64,
    used: AtomicU64,
}

impl Budget {
    pub(crate) fn new(what: &'static str, limit: u64) -> Arc<Self> {
        Arc::new(Self {
            what,
            limit,
            used: AtomicU64::new(0),
        })
    }

    pub(crate) fn used(&self) -> u64 {
        self.used.load(Ordering::Relaxed)
    }

    pub(crate) fn remaining(&self) -> u64 {
        self.limit.saturating_sub(self.used())
    }

    /// Takes `bytes` if they fit, atomically (two guests racing cannot both squeeze in).
    fn take(&self, bytes: u64, purpose: &str) -> Result<(), Error> {
        self.used
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |used| {
                used.checked_add(bytes).filter(|total| *total <= self.limit)
            })
            .map(|_| ())
            .map_err(|used| {
                Error::new(
                    ErrorKind::TooLarge,
                    format!(
                        "{purpose} needs {} of host memory, but the {} budget has {} of {} left",
                        mib(bytes),
                        self.what,
                        mib(self.limit.saturating_sub(used)),
                        mib(self.limit)
                    ),
                )
            })
    }

    fn give_back(&self, bytes: u64) {
        self.used.fetch_sub(bytes, Ordering::AcqRel);
    }
}

/// Bytes charged to an instance's budget and the backend's, given back on drop.
#[derive(Debug)]
pub(crate) struct Charge {
    budgets: Vec<Arc<Budget>>,
    bytes: u64,
}

impl Charge {
    /// Nothing charged (objects of the embedder: registered graphs).
    pub(crate) fn none() -> Self {
        Self {
            budgets: Vec::new(),
            bytes: 0,
        }
    }

    /// Charges `bytes` to every budget, or none of them.
    pub(crate) fn new(budgets: &[&Arc<Budget>], bytes: u64, purpose: &str) -> Result<Self, Error> {
        let mut charge = Self {
            budgets: Vec::with_capacity(budgets.len()),
            bytes,
        };
        for budget in budgets {
            // On failure, `charge` gives back what the earlier budgets took.
            budget.take(bytes, purpose)?;
            charge.budgets.push(Arc::clone(budget));
        }
        Ok(charge)
    }

    pub(crate) fn bytes(&self) -> u64 {
        self.bytes
    }
}

impl Drop for Charge {
    fn drop(&mut self) {
        for budget in &self.budgets {
            budget.give_back(self.bytes);
        }
    }
}

/// A byte count for messages, in MiB with one decimal.
pub(crate) fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1u64 << 20) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charges_add_up_and_are_given_back() {
        let instance = Budget::new("instance", 100);
        let backend = Budget::new("backend", 150);
        let a = Charge::new(&[&instance, &backend], 60, "a graph").unwrap();
        let err = Charge::new(&[&instance, &backend], 60, "a graph").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TooLarge);
        assert!(err.message().contains("instance budget"), "{err}");
        // The failed charge left nothing behind.
        assert_eq!((instance.used(), backend.used()), (60, 60));
        let other_instance = Budget::new("instance", 100);
        let b = Charge::new(&[&other_instance, &backend], 90, "a graph").unwrap();
        let err = Charge::new(&[&other_instance, &backend], 1, "an input").unwrap_err();
        assert!(err.message().contains("backend budget"), "{err}");
        assert_eq!(
            other_instance.used(),
            90,
            "the instance budget was given back"
        );
        drop((a, b));
        assert_eq!(
            (instance.used(), backend.used(), other_instance.used()),
            (0, 0, 0)
        );
    }

    #[test]
    fn racing_charges_never_overshoot() {
        let backend = Budget::new("backend", 1000);
        let charges: Vec<_> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| {
                    let backend = &backend;
                    s.spawn(move || {
                        (0..200)
                            .filter_map(|_| Charge::new(&[backend], 7, "x").ok())
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap())
                .collect()
        });
        assert_eq!(charges.len(), 1000 / 7);
        assert!(backend.used() <= 1000);
    }
}
