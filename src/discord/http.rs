//! The HTTP transport: Discord POSTs each interaction, signed with Ed25519, to
//! `POST /interactions`; the answer is the same [`super::answer_interaction`] the gateway bot
//! sends, except a map: deferred, then sent by editing the original response.
//! Stateless: run as many instances behind a load balancer as needed.

use super::wire::{Callback, Raw};
use super::{answer_interaction, Answer, Incoming, NotAnInteraction};
use crate::kb::{Kb, Msg};
use crate::metrics::{self, Refusal, Transport};
use crate::render::Embed;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, FromRequest, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use serde_json::json;
use serenity::http::Http;
use serenity::interactions_endpoint::Verifier;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Defaults for `imlaws serve`.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_REPLAY_WINDOW: Duration = Duration::from_secs(300);
pub const DEFAULT_BODY_LIMIT: usize = 64 * 1024;

/// What the endpoint needs: the knowledge base and the application's public key; and,
/// to send maps, a client for the interaction webhook.
pub struct Endpoint {
    kb: &'static Kb,
    verifier: Verifier,
    replay_window: Duration,
    body_limit: usize,
    followup: Option<Arc<Http>>,
}

/// Why a public key was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("DISCORD_PUBLIC_KEY is not set; copy the application's Public Key from the Developer Portal")]
    Missing,
    #[error("DISCORD_PUBLIC_KEY must be 64 hexadecimal characters (the application's Public Key); got {0} characters")]
    Length(usize),
    #[error("DISCORD_PUBLIC_KEY must be hexadecimal (0-9, a-f)")]
    NotHex,
    #[error("DISCORD_PUBLIC_KEY is not a valid Ed25519 public key")]
    Invalid,
}

/// Decode hex; `None` on any non-hex character or an odd length.
pub fn decode_hex(s: &str) -> Option<Vec<u8>> {
    if s.len() % 2 != 0 {
        return None;
    }
    let digit = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    s.as_bytes().chunks(2).map(|pair| Some(digit(pair[0])? << 4 | digit(pair[1])?)).collect()
}

/// Check a hex public key and build its verifier (serenity's `Verifier::new` would
/// panic on a bad key; this says what is wrong instead).
pub fn verifier(public_key: Option<&str>) -> Result<Verifier, KeyError> {
    let key = public_key.map(str::trim).filter(|k| !k.is_empty()).ok_or(KeyError::Missing)?;
    if key.len() != 64 {
        return Err(KeyError::Length(key.chars().count()));
    }
    let bytes: [u8; 32] = decode_hex(key).ok_or(KeyError::NotHex)?.try_into().map_err(|_| KeyError::Invalid)?;
    Verifier::try_new(bytes).map_err(|_| KeyError::Invalid)
}

impl Endpoint {
    pub fn new(kb: &'static Kb, verifier: Verifier) -> Endpoint {
        Endpoint { kb, verifier, replay_window: DEFAULT_REPLAY_WINDOW, body_limit: DEFAULT_BODY_LIMIT, followup: None }
    }

    /// Send maps: Discord takes no file in the reply to its POST, so a map is answered
    /// with a deferred response (type 5) and then `PATCH
    /// /webhooks/{application_id}/{token}/messages/@original` through `http` (which
    /// knows the application id, and the proxy when there is one).
    pub fn followup(mut self, http: Http) -> Self {
        self.followup = Some(Arc::new(http));
        self
    }

    pub fn replay_window(mut self, window: Duration) -> Self {
        self.replay_window = window;
        self
    }

    pub fn body_limit(mut self, limit: usize) -> Self {
        self.body_limit = limit;
        self
    }

    /// The routes: `POST /interactions`, `GET /healthz`, `GET /metrics`; a log line per
    /// request when `info` is on (the filter is fixed at start, so with it off the
    /// layer is not there to pay for).
    pub fn router(self) -> Router {
        let limit = self.body_limit;
        let router = Router::new()
            .route("/interactions", post(interactions))
            .route("/healthz", get(|| async { "ok\n" }))
            .route("/metrics", get(metrics::scrape))
            .layer(DefaultBodyLimit::max(limit));
        let router = if tracing::enabled!(tracing::Level::INFO) {
            router.layer(middleware::from_fn(log_request))
        } else {
            router
        };
        router.with_state(Arc::new(self))
    }
}

/// Serve until `shutdown` resolves, then finish the requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    endpoint: Endpoint,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, endpoint.router()).with_graceful_shutdown(shutdown).await
}

/// One line per request: method, path, status, time. No bodies, no headers, no keys.
async fn log_request(request: Request, next: Next) -> Response {
    let (method, path) = (request.method().clone(), request.uri().path().to_string());
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::info!(%method, %path, status = response.status().as_u16(), micros = started.elapsed().as_micros() as u64, "request");
    response
}

/// Why the endpoint refused a request before answering it: a 401 or 400 with the
/// reason as JSON, counted in the metrics.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error("missing X-Signature-Ed25519 or X-Signature-Timestamp")]
    Unsigned,
    #[error("invalid request signature")]
    BadSignature,
    #[error("stale or malformed X-Signature-Timestamp")]
    Stale,
    #[error(transparent)]
    NotAnInteraction(#[from] NotAnInteraction),
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        let (status, why) = match &self {
            Refused::Unsigned => (StatusCode::UNAUTHORIZED, Refusal::Unsigned),
            Refused::BadSignature => (StatusCode::UNAUTHORIZED, Refusal::BadSignature),
            Refused::Stale => (StatusCode::UNAUTHORIZED, Refusal::Stale),
            Refused::NotAnInteraction(_) => (StatusCode::BAD_REQUEST, Refusal::NotAnInteraction),
        };
        metrics::http_refused(why);
        let body = json!({ "error": self.to_string() }).to_string();
        (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
    }
}

async fn interactions(State(ep): State<Arc<Endpoint>>, mut request: Request) -> Result<Response, Refused> {
    // The headers taken out of the request, not copied (as a `HeaderMap` extractor
    // would); the body read under the route's limit, as the `Bytes` extractor reads it.
    let headers = std::mem::take(request.headers_mut());
    let body = Bytes::from_request(request, &()).await;
    let started = Instant::now();
    // A body over the limit (413), counted; any other failure to read it, as axum says.
    let body = match body {
        Ok(body) => body,
        Err(rejection) => {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                metrics::http_refused(Refusal::TooLarge);
            }
            return Ok(rejection.into_response());
        }
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let (Some(signature), Some(timestamp)) = (header("x-signature-ed25519"), header("x-signature-timestamp")) else {
        return Err(Refused::Unsigned);
    };
    ep.verifier.verify(signature, timestamp, &body).map_err(|_| Refused::BadSignature)?;
    if !fresh(timestamp, ep.replay_window) {
        return Err(Refused::Stale);
    }
    let interaction = Incoming::parse(&body)?;
    let (answer, outcome) = answer_interaction(ep.kb, &interaction);
    let response = match answer {
        Answer::Body(response) => response,
        Answer::Map { embed, png, ephemeral } => match &ep.followup {
            Some(http) if !interaction.token.is_empty() => {
                tokio::spawn(edit_original(http.clone(), interaction.token.to_string(), embed, png));
                Callback::Defer { ephemeral }
            }
            _ => super::ephemeral(ep.kb.msg(Msg::ErrorMapUnavailable, interaction.lang)),
        },
    };
    let json = response.to_json();
    metrics::interaction(Transport::Http, interaction.label(), interaction.lang, outcome, started.elapsed());
    // Built directly: through `IntoResponse`, the bytes would get a content type first
    // and then have it replaced.
    let mut response = Response::new(Body::from(json));
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(response)
}

/// The deferred response, edited into the map: the embed and the PNG, multipart.
/// Behind a proxy serenity's rate limiter is off, so a 429 (or a 5xx) comes back here:
/// the edit is tried again, a few times, a little later each time. Editing the same
/// original response twice is harmless; the token stays valid for 15 minutes.
async fn edit_original(http: Arc<Http>, token: String, embed: Embed<'static>, png: Vec<u8>) {
    const ATTEMPTS: u32 = 4;
    const WAIT: Duration = Duration::from_millis(500);
    let edit = Raw(super::map_message(embed, false).to_json());
    for attempt in 1..=ATTEMPTS {
        let file = vec![super::map_file(&png)];
        let status = match http.edit_original_interaction_response(&token, &edit, file).await {
            Ok(_) => {
                tracing::info!(bytes = png.len(), "sent a map");
                return;
            }
            Err(serenity::Error::Http(e)) => e.status_code().map(|s| s.as_u16()),
            Err(e) => {
                tracing::error!(error = %e, "could not send a map");
                return;
            }
        };
        match status {
            Some(429 | 500..=599) if attempt < ATTEMPTS => {
                if status == Some(429) {
                    metrics::retry_429();
                }
                tracing::warn!(attempt, status, "sending a map failed; retrying");
                tokio::time::sleep(WAIT * attempt).await;
            }
            _ => {
                tracing::error!(status, "could not send a map");
                return;
            }
        }
    }
}

/// Is the signed timestamp (Unix seconds) within the replay window of now?
fn fresh(timestamp: &str, window: Duration) -> bool {
    let Ok(ts) = timestamp.trim().parse::<i64>() else { return false };
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    now.abs_diff(ts) <= window.as_secs()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_checked() {
        assert_eq!(verifier(None).err(), Some(KeyError::Missing));
        assert_eq!(verifier(Some("  ")).err(), Some(KeyError::Missing));
        assert_eq!(verifier(Some("abc")).err(), Some(KeyError::Length(3)));
        assert_eq!(verifier(Some(&"zz".repeat(32))).err(), Some(KeyError::NotHex));
        assert!(verifier(Some("3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29")).is_ok());
    }

    #[test]
    fn timestamps_outside_the_window_are_stale() {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
        let w = Duration::from_secs(300);
        assert!(fresh(&now.to_string(), w));
        assert!(fresh(&(now - 299).to_string(), w));
        assert!(!fresh(&(now - 301).to_string(), w));
        assert!(!fresh(&(now + 301).to_string(), w));
        assert!(!fresh("yesterday", w));
    }

    #[test]
    fn hex() {
        assert_eq!(decode_hex("00ff10"), Some(vec![0, 255, 16]));
        assert_eq!(decode_hex("0"), None);
        assert_eq!(decode_hex("zz"), None);
    }
}
