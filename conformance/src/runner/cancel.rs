//! Cancellation: the binary's signal handler holds a [`Canceller`], the run a [`CancelSignal`];
//! a cancelled run stops the check in flight, then cleans up.

use std::sync::Arc;
use tokio::sync::watch;

/// Cancels a running check run (the binary calls it from its signal handler).
#[derive(Debug, Clone)]
pub struct Canceller(Arc<watch::Sender<bool>>);

/// The runner's side of a [`Canceller`].
#[derive(Debug, Clone)]
pub struct CancelSignal(watch::Receiver<bool>);

/// A connected canceller and signal.
pub fn cancellation() -> (Canceller, CancelSignal) {
    let (tx, rx) = watch::channel(false);
    (Canceller(Arc::new(tx)), CancelSignal(rx))
}

impl Canceller {
    /// Asks the run to stop after cleaning up.
    pub fn cancel(&self) {
        let _ = self.0.send(true);
    }
}

impl CancelSignal {
    /// Resolves once the run is cancelled (never, when the canceller is gone uncancelled).
    pub(crate) async fn cancelled(&mut self) {
        while !*self.0.borrow() {
            if self.0.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }

    /// True once the run is cancelled.
    pub(crate) fn is_cancelled(&self) -> bool {
        *self.0.borrow()
    }
}
