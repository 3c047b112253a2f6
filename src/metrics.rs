//! What an operator scrapes: counters, a latency histogram and shard gauges in
//! Prometheus' text format (version 0.0.4), kept with `prometheus-client`.
//!
//! One process-wide registry. The transports call the small hooks below
//! ([`interaction`], [`http_refused`], [`retry_429`], [`gateway_ready`],
//! [`gateway_resumed`], [`ratelimit_wait`]); nothing here decides an answer, and no
//! label ever holds what a user typed: a command is named only if it is one of ours.
//!
//! | metric | type | labels |
//! |---|---|---|
//! | `imlaws_interactions_total` | counter | `command`, `transport` (`gateway`, `http`), `lang` (`en`, `zh`), `outcome` (`answered`, `user_error`, `refused`, `failed`) |
//! | `imlaws_interaction_seconds` | histogram | `transport` |
//! | `imlaws_http_refused_total` | counter | `reason` (`unsigned`, `bad_signature`, `stale`, `not_an_interaction`, `too_large`) |
//! | `imlaws_rest_429_retries_total` | counter | |
//! | `imlaws_rest_ratelimit_waits_total` | counter | |
//! | `imlaws_gateway_reconnects_total` | counter | |
//! | `imlaws_gateway_resumes_total` | counter | |
//! | `imlaws_shard_up` | gauge | `shard` |
//! | `imlaws_shard_heartbeat_latency_seconds` | gauge | `shard` |

use crate::lang::Lang;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use prometheus_client::encoding::{prometheus_text, EncodeLabelSet};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;
use serenity::all::ShardManager;
use serenity::gateway::ConnectionStage;
use std::collections::HashSet;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

/// What became of an interaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Outcome {
    /// The answer the user asked for (an embed, suggestions, a refined message, PONG).
    Answered,
    /// The user's input was wrong; the ephemeral reply says what to fix.
    UserError,
    /// Not something imlaws answers: a stale or damaged component, a command it does
    /// not know, an interaction type it does not handle.
    Refused,
    /// The answer never reached Discord (the callback failed after its retries).
    Failed,
}

impl Outcome {
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Answered => "answered",
            Outcome::UserError => "user_error",
            Outcome::Refused => "refused",
            Outcome::Failed => "failed",
        }
    }
}

/// The two ways interactions arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    Gateway,
    Http,
}

impl Transport {
    pub fn name(self) -> &'static str {
        match self {
            Transport::Gateway => "gateway",
            Transport::Http => "http",
        }
    }
}

/// Why the HTTP endpoint refused a request before it became an interaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Refusal {
    Unsigned,
    BadSignature,
    Stale,
    NotAnInteraction,
    TooLarge,
}

impl Refusal {
    fn name(self) -> &'static str {
        match self {
            Refusal::Unsigned => "unsigned",
            Refusal::BadSignature => "bad_signature",
            Refusal::Stale => "stale",
            Refusal::NotAnInteraction => "not_an_interaction",
            Refusal::TooLarge => "too_large",
        }
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct InteractionLabels {
    command: &'static str,
    transport: &'static str,
    lang: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TransportLabel {
    transport: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabel {
    reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ShardLabel {
    shard: u32,
}

fn latency_histogram() -> Histogram {
    // 100 µs to 3.3 s, doubling.
    Histogram::new(exponential_buckets(0.0001, 2.0, 16))
}

struct Metrics {
    registry: Registry,
    interactions: Family<InteractionLabels, Counter>,
    latency: Family<TransportLabel, Histogram, fn() -> Histogram>,
    http_refused: Family<ReasonLabel, Counter>,
    retries_429: Counter,
    ratelimit_waits: Counter,
    reconnects: Counter,
    resumes: Counter,
    shard_up: Family<ShardLabel, Gauge>,
    heartbeat: Family<ShardLabel, Gauge<f64, AtomicU64>>,
    /// Shards this process should run (0: not known yet).
    shards_expected: AtomicU32,
    /// Shards that have had a READY, to tell a reconnect from the first connection.
    shards_seen: Mutex<HashSet<u32>>,
}

static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let m = Metrics {
        registry: Registry::default(),
        interactions: Family::default(),
        latency: Family::new_with_constructor(latency_histogram),
        http_refused: Family::default(),
        retries_429: Counter::default(),
        ratelimit_waits: Counter::default(),
        reconnects: Counter::default(),
        resumes: Counter::default(),
        shard_up: Family::default(),
        heartbeat: Family::default(),
        shards_expected: AtomicU32::new(0),
        shards_seen: Mutex::new(HashSet::new()),
    };
    let mut r = Registry::with_prefix("imlaws");
    r.register(
        "interactions",
        "Interactions (and mentions) handled, by command, transport, language and outcome",
        m.interactions.clone(),
    );
    r.register(
        "interaction_seconds",
        "Time from an interaction's arrival to its answer: the callback delivered (gateway) or the response built (http)",
        m.latency.clone(),
    );
    r.register(
        "http_refused",
        "Requests the HTTP endpoint refused before they became interactions, by reason",
        m.http_refused.clone(),
    );
    r.register("rest_429_retries", "REST calls retried after a 429 (behind --discord-proxy)", m.retries_429.clone());
    r.register(
        "rest_ratelimit_waits",
        "Waits serenity's own rate limiter made before or after a REST call (direct to Discord)",
        m.ratelimit_waits.clone(),
    );
    r.register(
        "gateway_reconnects",
        "Gateway connections after a shard's first: resumed sessions and new ones",
        m.reconnects.clone(),
    );
    r.register("gateway_resumes", "Gateway sessions resumed (RESUMED received)", m.resumes.clone());
    r.register("shard_up", "1 when the shard is connected to the gateway, else 0", m.shard_up.clone());
    r.register(
        "shard_heartbeat_latency_seconds",
        "Time between the shard's last heartbeat and its acknowledgement",
        m.heartbeat.clone(),
    );
    Metrics { registry: r, ..m }
});

fn count(command: &'static str, transport: Transport, lang: Lang, outcome: Outcome, took: Duration) {
    let m = &*METRICS;
    let labels = InteractionLabels { command, transport: transport.name(), lang: lang.code(), outcome: outcome.name() };
    m.interactions.get_or_create(&labels).inc();
    m.latency.get_or_create(&TransportLabel { transport: transport.name() }).observe(took.as_secs_f64());
}

/// An interaction handled: what it was (a command of the table, `ping`, `autocomplete`,
/// `component`, `modal` or `other`), in which language, how it went, how long it took.
pub fn interaction(transport: Transport, what: &'static str, lang: Lang, outcome: Outcome, took: Duration) {
    count(what, transport, lang, outcome, took);
}

/// A message that mentioned the bot, answered (or not) over the gateway.
pub fn mention(lang: Lang, outcome: Outcome, took: Duration) {
    count("mention", Transport::Gateway, lang, outcome, took);
}

/// A request the HTTP endpoint refused before it became an interaction.
pub fn http_refused(why: Refusal) {
    METRICS.http_refused.get_or_create(&ReasonLabel { reason: why.name() }).inc();
}

/// A REST call retried after a 429.
pub fn retry_429() {
    METRICS.retries_429.inc();
}

/// serenity's rate limiter waited.
pub fn ratelimit_wait() {
    METRICS.ratelimit_waits.inc();
}

/// READY on `shard` of `total`: a reconnect when the shard had one before.
pub fn gateway_ready(shard: u32, total: u32) {
    let m = &*METRICS;
    let _ = m.shards_expected.compare_exchange(0, total, Ordering::SeqCst, Ordering::SeqCst);
    let again = m.shards_seen.lock().map(|mut seen| !seen.insert(shard)).unwrap_or(false);
    if again {
        m.reconnects.inc();
    }
}

/// RESUMED: the session went on over a new connection.
pub fn gateway_resumed() {
    METRICS.resumes.inc();
    METRICS.reconnects.inc();
}

/// How many shards this process runs, when the plan says (else the first READY does).
pub fn expect_shards(n: u32) {
    METRICS.shards_expected.store(n, Ordering::SeqCst);
}

/// Every metric in Prometheus' text format.
pub fn render() -> String {
    let mut out = String::new();
    let _ = prometheus_text::encode(&mut out, &METRICS.registry);
    out
}

/// `GET /metrics`.
pub async fn scrape() -> Response {
    ([(header::CONTENT_TYPE, prometheus_text::CONTENT_TYPE)], render()).into_response()
}

/// The shards' state now: (shard, connected, heartbeat latency).
async fn shards(manager: &ShardManager) -> Vec<(u32, bool, Option<Duration>)> {
    let runners = manager.runners.lock().await;
    let mut out: Vec<_> =
        runners.iter().map(|(id, info)| (id.0, info.stage == ConnectionStage::Connected, info.latency)).collect();
    out.sort_unstable_by_key(|s| s.0);
    out
}

/// Every shard this process runs is connected (and it knows how many it runs).
fn healthy(expected: usize, shards: &[(u32, bool, Option<Duration>)]) -> bool {
    let up = shards.iter().filter(|s| s.1).count();
    expected > 0 && up >= expected && up == shards.len()
}

/// `/metrics` and `/healthz` for the gateway bot: healthy when every shard this process
/// runs is connected.
pub fn gateway_router(manager: Arc<ShardManager>) -> Router {
    let for_metrics = manager.clone();
    Router::new()
        .route(
            "/metrics",
            get(move || {
                let manager = for_metrics.clone();
                async move {
                    let m = &*METRICS;
                    for (shard, up, latency) in shards(&manager).await {
                        m.shard_up.get_or_create(&ShardLabel { shard }).set(i64::from(up));
                        if let Some(latency) = latency {
                            m.heartbeat.get_or_create(&ShardLabel { shard }).set(latency.as_secs_f64());
                        }
                    }
                    scrape().await
                }
            }),
        )
        .route(
            "/healthz",
            get(move || {
                let manager = manager.clone();
                async move {
                    let shards = shards(&manager).await;
                    let expected = METRICS.shards_expected.load(Ordering::SeqCst) as usize;
                    let up = shards.iter().filter(|s| s.1).count();
                    if healthy(expected, &shards) {
                        (StatusCode::OK, "ok\n".to_string())
                    } else {
                        (
                            StatusCode::SERVICE_UNAVAILABLE,
                            format!("{up} of {} shards connected\n", expected.max(shards.len())),
                        )
                    }
                }
            }),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn healthy_means_every_shard_connected() {
        let up = |id| (id, true, None);
        let down = |id| (id, false, None);
        assert!(healthy(1, &[up(0)]));
        assert!(healthy(2, &[up(0), up(1)]));
        assert!(!healthy(1, &[]), "not started");
        assert!(!healthy(0, &[up(0)]), "the shard count is not known yet");
        assert!(!healthy(2, &[up(0)]), "one shard not started");
        assert!(!healthy(2, &[up(0), down(1)]), "one shard down");
    }

    #[test]
    fn the_text_format_names_every_metric() {
        count("help", Transport::Http, Lang::Zh, Outcome::Answered, Duration::from_micros(300));
        let text = render();
        // Families without a sample yet (refusals, shards) print nothing.
        for name in [
            "imlaws_interactions_total",
            "imlaws_interaction_seconds",
            "imlaws_rest_429_retries_total",
            "imlaws_rest_ratelimit_waits_total",
            "imlaws_gateway_reconnects_total",
            "imlaws_gateway_resumes_total",
        ] {
            assert!(text.contains(&format!("# TYPE {name} ")), "{name} in {text}");
        }
        assert!(text
            .contains(r#"imlaws_interactions_total{command="help",transport="http",lang="zh",outcome="answered"} 1"#));
        assert!(text.contains(r#"imlaws_interaction_seconds_bucket{transport="http",le="0.0004"} 1"#), "{text}");
    }
}
