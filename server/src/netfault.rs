//! Network faults (`"network"` in a fault): the request is served as usual — a write lands and
//! is journaled — and then its answer is lost or mangled on the way out: a closed connection,
//! a body cut off, JSON that does not parse, a slow dribble, or no answer at all. One layer
//! around every tenant's routes; the admin API is never affected.

use crate::app::App;
use crate::faults::{MAX_LATENCY_MS, Network};
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;
use std::time::Duration;

/// The error a cut-off body ends with (hyper then closes the connection).
#[derive(Debug, thiserror::Error)]
#[error("scimock network fault: {0}")]
pub struct Cut(&'static str);

/// The layer: takes a matching network fault, if any, and applies it to the answer.
pub async fn layer(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    if !app.shared.faults.has_network() || req.uri().path().starts_with("/_scimock") {
        return next.run(req).await;
    }
    let path = req.uri().path().to_string();
    let vendor = app
        .tenants
        .iter()
        .filter(|t| path.starts_with(t.public_path.as_str()))
        .max_by_key(|t| t.public_path.len())
        .map(|t| t.profile.name.clone())
        .unwrap_or_default();
    let method = req.method().as_str().to_string();
    let Some((kind, rate)) = app.shared.faults.take_network(&method, &path, &vendor) else {
        return next.run(req).await;
    };
    let resp = next.run(req).await;
    apply(&app, kind, rate, resp).await
}

/// The answer as the client will see it.
async fn apply(app: &App, kind: Network, bytes_per_sec: u64, resp: Response) -> Response {
    let (mut parts, body) = resp.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX)
        .await
        .unwrap_or_default();
    let full_length = || HeaderValue::from(bytes.len());
    match kind {
        Network::Reset => {
            // The body fails before its first byte: hyper gives up on the connection with
            // the status line still unsent.
            Response::from_parts(parts, chunks_body(vec![Err(Cut("reset"))]))
        }
        Network::AbortBody => {
            let half = bytes.slice(..bytes.len() / 2);
            parts.headers.insert(header::CONTENT_LENGTH, full_length());
            // The half is flushed before the connection is given up.
            let stream = futures_util::stream::unfold(Some(half), |half| async move {
                match half {
                    Some(h) => Some((Ok(h), None)),
                    None => {
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        Some((Err(Cut("body aborted")), None))
                    }
                }
            });
            Response::from_parts(parts, Body::from_stream(stream))
        }
        Network::MalformedBody => {
            let half = bytes.slice(..bytes.len() / 2);
            parts.headers.remove(header::CONTENT_LENGTH);
            Response::from_parts(parts, Body::from(half))
        }
        Network::Dribble => {
            parts.headers.insert(header::CONTENT_LENGTH, full_length());
            Response::from_parts(parts, dribble(bytes, bytes_per_sec))
        }
        Network::Hang => {
            tokio::select! {
                () = tokio::time::sleep(Duration::from_millis(MAX_LATENCY_MS)) => {}
                () = app.shared.stopped() => {}
            }
            Response::from_parts(parts, Body::from(bytes))
        }
    }
}

/// A body that yields the given chunks, in order.
fn chunks_body(chunks: Vec<Result<Bytes, Cut>>) -> Body {
    Body::from_stream(futures_util::stream::iter(chunks))
}

/// `bytes` sent in ten slices a second at `bytes_per_sec`.
fn dribble(bytes: Bytes, bytes_per_sec: u64) -> Body {
    let slice = usize::try_from((bytes_per_sec / 10).max(1)).unwrap_or(usize::MAX);
    let stream = futures_util::stream::unfold((bytes, true), move |(rest, first)| async move {
        if rest.is_empty() {
            return None;
        }
        if !first {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let take = slice.min(rest.len());
        Some((
            Ok::<Bytes, Cut>(rest.slice(..take)),
            (rest.slice(take..), false),
        ))
    });
    Body::from_stream(stream)
}
