//! One request, from its head to its answer: health paths, admission, the body, the guest, and
//! what every answer carries (the request id, the metrics, one log line).

use std::hash::{BuildHasher, RandomState};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::Instant;

use bytes::Bytes;
use http::header::{CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, HOST, RETRY_AFTER};
use http::{HeaderMap, HeaderValue, Request, Response, StatusCode};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use tokio::sync::OwnedSemaphorePermit;
use tracing::Instrument;
use wasmtime::Store;
use wasmtime_wasi_http::WasiHttpView;
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;

use super::Shared;
use super::host::Host;
use super::metrics::GuestFailure;

/// Every answer's body: the guest's stream, or the host's own bytes.
pub(crate) type Body = UnsyncBoxBody<Bytes, wasmtime_wasi_http::Error>;

const REQUEST_ID: &str = "x-request-id";

/// Answers one request on the service's address.
pub(crate) async fn handle(
    shared: Arc<Shared>,
    req: Request<Incoming>,
    peer: SocketAddr,
) -> Response<Body> {
    let arrived = Instant::now();
    let id = request_id(req.headers());
    let draining = || shared.draining.load(Ordering::SeqCst);
    let path = req.uri().path();
    // The host's own answers: never queued, never counted as requests, never the guest's.
    if path == shared.config.liveness_path {
        return finish(text(StatusCode::OK, "ok\n"), &id, draining());
    }
    if path == shared.config.readiness_path {
        let response = match draining() {
            false => text(StatusCode::OK, "ready\n"),
            true => text(StatusCode::SERVICE_UNAVAILABLE, "draining\n"),
        };
        return finish(response, &id, draining());
    }
    let span = tracing::info_span!(
        "request",
        id = id.to_str().unwrap_or_default(),
        method = %req.method(),
        path = %truncated(path),
        %peer
    );
    let response = serve(&shared, req, &id, arrived, span.clone())
        .instrument(span.clone())
        .await;
    let elapsed = arrived.elapsed();
    let status = response.status();
    shared.metrics.answered(status.as_u16(), elapsed);
    let _enter = span.enter();
    if status.is_server_error() {
        tracing::warn!(status = status.as_u16(), ?elapsed, "answered");
    } else {
        tracing::debug!(status = status.as_u16(), ?elapsed, "answered");
    }
    finish(response, &id, draining())
}

/// What every answer carries: the request id, and `connection: close` once the server drains
/// (keep-alive clients go elsewhere: this process is stopping).
fn finish(mut response: Response<Body>, id: &HeaderValue, draining: bool) -> Response<Body> {
    if draining {
        response
            .headers_mut()
            .insert(CONNECTION, HeaderValue::from_static("close"));
    }
    response
        .headers_mut()
        .entry(REQUEST_ID)
        .or_insert_with(|| id.clone());
    response
}

/// Admission, the body, then the guest.
async fn serve(
    shared: &Arc<Shared>,
    req: Request<Incoming>,
    id: &HeaderValue,
    arrived: Instant,
    span: tracing::Span,
) -> Response<Body> {
    let config = &shared.config;
    let deadline = arrived + config.request_timeout;
    let permit = match admit(shared, deadline).await {
        Ok(permit) => permit,
        Err(response) => return response,
    };
    let _in_flight = Gauge::up(&shared.metrics.in_flight);
    if req.uri().authority().is_none() && !req.headers().contains_key(HOST) {
        return text(
            StatusCode::BAD_REQUEST,
            "the request has no Host header (HTTP/1.1 requires one)\n",
        );
    }
    let limit = config.max_body_bytes;
    if let Some(length) = content_length(req.headers())
        && length > limit
    {
        return too_large(limit);
    }
    let (mut parts, body) = req.into_parts();
    let body = Limited::new(body, usize::try_from(limit).unwrap_or(usize::MAX));
    let body_deadline = config
        .body_timeout
        .min(deadline.saturating_duration_since(Instant::now()));
    let bytes = match tokio::time::timeout(body_deadline, body.collect()).await {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => {
            return too_large(limit);
        }
        Ok(Err(e)) => {
            tracing::debug!("cannot read the body: {e}");
            return text(
                StatusCode::BAD_REQUEST,
                "the request body could not be read\n",
            );
        }
        Err(_) => {
            return text(
                StatusCode::REQUEST_TIMEOUT,
                &format!(
                    "the request body did not arrive within {:?}\n",
                    config.body_timeout
                ),
            );
        }
    };
    // The guest sees the id it is logged under.
    parts.headers.insert(REQUEST_ID, id.clone());
    let req = Request::from_parts(parts, Full::new(bytes));
    run_guest(shared, req, permit, deadline, span).await
}

/// A place among the requests that run, waiting for one in the bounded queue; past the queue or
/// the deadline, `503` and the guest never runs.
async fn admit(
    shared: &Arc<Shared>,
    deadline: Instant,
) -> Result<OwnedSemaphorePermit, Response<Body>> {
    if let Ok(permit) = Arc::clone(&shared.admission).try_acquire_owned() {
        return Ok(permit);
    }
    let queued = Gauge::up(&shared.metrics.queued);
    if queued.value > shared.config.max_queued_requests {
        return Err(overloaded(
            "too many requests are waiting; try again shortly",
        ));
    }
    let wait = deadline.saturating_duration_since(Instant::now());
    match tokio::time::timeout(wait, Arc::clone(&shared.admission).acquire_owned()).await {
        Ok(Ok(permit)) => Ok(permit),
        Ok(Err(_closed)) => Err(overloaded("the server is stopping")),
        Err(_) => Err(overloaded(
            "the request waited its whole deadline for a turn; try again shortly",
        )),
    }
}

/// How a guest's run ended.
enum Outcome {
    /// `handle` returned.
    Returned,
    /// It trapped.
    Trapped(wasmtime::Error),
    /// The deadline passed: the instance was dropped where it was.
    TimedOut,
    /// The host could not set the store up.
    HostFailed(anyhow::Error),
}

/// Runs the guest on its own task (it may write the body after the head is answered) within the
/// deadline, and answers with its response or why there is none.
async fn run_guest(
    shared: &Arc<Shared>,
    req: Request<Full<Bytes>>,
    permit: OwnedSemaphorePermit,
    deadline: Instant,
    span: tracing::Span,
) -> Response<Body> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let guest = Guest::new(shared);
    let task_shared = Arc::clone(shared);
    let task = tokio::spawn(
        async move {
            let _permit = permit;
            let _guest = guest;
            let shared = task_shared;
            let outcome = match prepare(&shared, req, tx) {
                Ok((mut store, incoming, outparam)) => {
                    let pre = shared.pre.clone();
                    let run = async {
                        let proxy = pre.instantiate_async(&mut store).await?;
                        proxy
                            .wasi_http_incoming_handler()
                            .call_handle(&mut store, incoming, outparam)
                            .await
                    };
                    let remaining = deadline.saturating_duration_since(Instant::now());
                    let outcome = match tokio::time::timeout(remaining, run).await {
                        Ok(Ok(())) => Outcome::Returned,
                        Ok(Err(e)) => Outcome::Trapped(e),
                        Err(_) => Outcome::TimedOut,
                    };
                    // Dropping the store drops the guest's wasi:nn objects: an inference it left
                    // running is cancelled and its infer request returns to its pool once stopped.
                    drop(store);
                    outcome
                }
                Err(e) => Outcome::HostFailed(e),
            };
            match &outcome {
                Outcome::Returned => {}
                Outcome::Trapped(e) => {
                    shared.metrics.failed(GuestFailure::Trap);
                    tracing::warn!("the guest trapped: {e:?}");
                }
                Outcome::TimedOut => {
                    shared.metrics.failed(GuestFailure::Timeout);
                    tracing::warn!(
                        "the guest ran past the request deadline of {:?} and was stopped",
                        shared.config.request_timeout
                    );
                }
                Outcome::HostFailed(e) => tracing::error!("cannot run the guest: {e:#}"),
            }
            outcome
        }
        .instrument(span),
    );
    match rx.await {
        Ok(Ok(response)) => response,
        Ok(Err(code)) => {
            tracing::debug!("the guest answered the error {code:?}");
            text(
                StatusCode::INTERNAL_SERVER_ERROR,
                &format!("the service answered an error: {code:?}\n"),
            )
        }
        // No response was set: the task has ended (the outparam goes with the store).
        Err(_) => match task.await {
            Ok(Outcome::TimedOut) => text(
                StatusCode::GATEWAY_TIMEOUT,
                &format!(
                    "the service did not answer within the request deadline of {:?}\n",
                    shared.config.request_timeout
                ),
            ),
            Ok(Outcome::Returned) => {
                shared.metrics.failed(GuestFailure::NoResponse);
                text(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "the service returned without an answer\n",
                )
            }
            Ok(Outcome::Trapped(_)) => text(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the service failed on this request\n",
            ),
            Ok(Outcome::HostFailed(_)) | Err(_) => text(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the server could not run the service\n",
            ),
        },
    }
}

type IncomingRequest =
    wasmtime::component::Resource<wasmtime_wasi_http::p2::types::HostIncomingRequest>;
type Outparam = wasmtime::component::Resource<wasmtime_wasi_http::p2::types::HostResponseOutparam>;
type Sender = tokio::sync::oneshot::Sender<
    Result<
        hyper::Response<wasmtime_wasi_http::p2::body::HyperOutgoingBody>,
        wasmtime_wasi_http::p2::bindings::http::types::ErrorCode,
    >,
>;

/// The request's store, with the request and the response's out-parameter in its table.
fn prepare(
    shared: &Shared,
    req: Request<Full<Bytes>>,
    tx: Sender,
) -> anyhow::Result<(Store<Host>, IncomingRequest, Outparam)> {
    let mut store = Store::new(&shared.engine, Host::new(&shared.config, &shared.backend)?);
    store.limiter(|host| &mut host.limits);
    // Every epoch tick, guest code yields: the deadline (a timeout around the call) can then
    // stop it, and other requests get the thread.
    store.epoch_deadline_async_yield_and_update(1);
    let incoming = store
        .data_mut()
        .http()
        .new_incoming_request(Scheme::Http, req)?;
    let outparam = store.data_mut().http().new_response_outparam(tx)?;
    Ok((store, incoming, outparam))
}

/// Counts a guest instance while alive; the last one out wakes a draining server.
struct Guest(Arc<Shared>);

impl Guest {
    fn new(shared: &Arc<Shared>) -> Self {
        shared.guests.fetch_add(1, Ordering::SeqCst);
        shared.metrics.running.fetch_add(1, Ordering::Relaxed);
        Self(Arc::clone(shared))
    }
}

impl Drop for Guest {
    fn drop(&mut self) {
        self.0.metrics.running.fetch_sub(1, Ordering::Relaxed);
        if self.0.guests.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.guests_done.notify_waiters();
        }
    }
}

/// A gauge held one up while alive.
struct Gauge<'a> {
    gauge: &'a std::sync::atomic::AtomicUsize,
    /// The value with this one counted.
    value: usize,
}

impl<'a> Gauge<'a> {
    fn up(gauge: &'a std::sync::atomic::AtomicUsize) -> Self {
        let value = gauge.fetch_add(1, Ordering::Relaxed) + 1;
        Self { gauge, value }
    }
}

impl Drop for Gauge<'_> {
    fn drop(&mut self) {
        self.gauge.fetch_sub(1, Ordering::Relaxed);
    }
}

/// `GET /metrics` on the metrics address.
pub(crate) fn metrics(shared: &Shared, req: &Request<Incoming>) -> Response<Body> {
    if req.uri().path() != "/metrics" {
        return text(StatusCode::NOT_FOUND, "metrics are at /metrics\n");
    }
    let mut response = text(StatusCode::OK, &shared.metrics.render(&shared.backend));
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

fn text(status: StatusCode, message: &str) -> Response<Body> {
    let mut response = Response::new(
        Full::new(Bytes::from(message.to_owned()))
            .map_err(|never| match never {})
            .boxed_unsync(),
    );
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

fn overloaded(message: &str) -> Response<Body> {
    let mut response = text(StatusCode::SERVICE_UNAVAILABLE, &format!("{message}\n"));
    response
        .headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from_static("1"));
    response
}

fn too_large(limit: u64) -> Response<Body> {
    let mut response = text(
        StatusCode::PAYLOAD_TOO_LARGE,
        &format!("the request body is larger than this server's limit of {limit} bytes\n"),
    );
    // The unread rest of the body would be taken as the next request: close the connection.
    response
        .headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
    response
}

fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers.get(CONTENT_LENGTH)?.to_str().ok()?.parse().ok()
}

/// The client's `x-request-id` if it is a sane one (1 to 128 characters, letters, digits and
/// `._:/+=-`: it goes into logs), else a new random one.
fn request_id(headers: &HeaderMap) -> HeaderValue {
    if let Some(value) = headers.get(REQUEST_ID)
        && (1..=128).contains(&value.len())
        && value
            .as_bytes()
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"._:/+=-".contains(b))
    {
        return value.clone();
    }
    // A process-wide random key and a counter: unique in the process, unguessable across them.
    static KEYS: LazyLock<RandomState> = LazyLock::new(RandomState::new);
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let high = KEYS.hash_one(n);
    let low = KEYS.hash_one((n, 1u8));
    HeaderValue::from_str(&format!("{high:016x}{low:016x}"))
        .expect("hex digits are a valid header value")
}

/// A path for logs: cut at 256 bytes (on a character boundary).
fn truncated(path: &str) -> &str {
    let mut end = path.len().min(256);
    while !path.is_char_boundary(end) {
        end -= 1;
    }
    &path[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sane_client_request_id_is_kept_and_anything_else_replaced() {
        let mut headers = HeaderMap::new();
        headers.insert(REQUEST_ID, HeaderValue::from_static("abc-123_x.y:z/+="));
        assert_eq!(request_id(&headers), "abc-123_x.y:z/+=");
        for bad in ["", "has space", "new\u{7f}line", &"x".repeat(129)] {
            if let Ok(value) = HeaderValue::from_str(bad) {
                headers.insert(REQUEST_ID, value);
                let id = request_id(&headers);
                assert_ne!(id, bad);
                assert_eq!(id.len(), 32, "{id:?}");
            }
        }
        let (a, b) = (request_id(&HeaderMap::new()), request_id(&HeaderMap::new()));
        assert_ne!(a, b);
    }

    #[test]
    fn long_paths_are_cut_for_logs_on_a_character_boundary() {
        let path = format!("/{}", "é".repeat(300));
        let cut = truncated(&path);
        assert!(cut.len() <= 256 && path.starts_with(cut));
    }
}
