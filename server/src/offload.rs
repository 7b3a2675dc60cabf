//! CPU-heavy request work (list scans over large stores, sorting, rendering pages, a reset
//! that regenerates a million users) runs on tokio's blocking threads, not on the async
//! workers, so `/_scimock/health` and every cheap request keep being answered while it runs.
//! What the work notes of the vendor's rules ([`crate::violations`]) is carried back to the
//! request.

use crate::error::ScimError;
use crate::violations;
use axum::http::StatusCode;

/// Runs `f` on a blocking thread and returns its result; a panic in `f` is resumed here (as if
/// it had run inline), and work the runtime cancelled at shutdown is a 503.
pub async fn run<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ScimError> {
    match tokio::task::spawn_blocking(move || violations::collect_sync(f)).await {
        Ok((out, notes)) => {
            violations::replay(notes);
            Ok(out)
        }
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(_) => Err(ScimError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "The server is shutting down",
        )),
    }
}
