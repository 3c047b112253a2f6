//! Running imlaws as a service: `/metrics` and `/healthz` after scripted sessions on
//! both transports (the real `imlaws run` against the fake Discord, the real
//! `imlaws serve` with signed requests), and logs as JSON that keep secrets out.
//! Expected counts are written here from the script, never read from the code.

mod common;

use common::exchange;

use common::discord::{self, keypair, now, public_hex, sign};
use common::fake_discord::{message_json, FakeDiscord, BOT_ID, TOKEN};
use serde_json::{json, Value};
use std::io::Read;
use std::net::SocketAddr;
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

const CHANNEL: &str = "1100000000000000010";

/// The value of one sample line, `name{labels} value`; `None` when absent.
fn sample(metrics: &str, series: &str) -> Option<f64> {
    metrics.lines().find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.trim().parse().ok())
}

fn interactions(command: &str, transport: &str, lang: &str, outcome: &str) -> String {
    format!(
        r#"imlaws_interactions_total{{command="{command}",transport="{transport}",lang="{lang}",outcome="{outcome}"}}"#
    )
}

/// Every `imlaws_interactions_total` sample: (series, value).
fn interaction_samples(metrics: &str) -> Vec<(String, f64)> {
    metrics
        .lines()
        .filter(|l| l.starts_with("imlaws_interactions_total{"))
        .filter_map(|l| l.rsplit_once(' ').map(|(s, v)| (s.to_string(), v.parse().unwrap())))
        .collect()
}

/// The address `imlaws run` announces for its metrics; the rest of stdout is drained.
async fn metrics_addr(child: &mut Child) -> SocketAddr {
    use tokio::io::AsyncBufReadExt;
    let mut lines = tokio::io::BufReader::new(child.stdout.take().expect("piped stdout")).lines();
    let line = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
        .await
        .expect("the metrics address announced within 20 s")
        .unwrap()
        .expect("a line on stdout");
    tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
    let addr = line.strip_prefix("imlaws: metrics on http://").and_then(|l| l.strip_suffix("/metrics"));
    addr.and_then(|a| a.parse().ok()).unwrap_or_else(|| panic!("not an announcement: {line}"))
}

/// An interaction with a fresh id and token, as the gateway would deliver it.
fn fresh(mut v: Value) -> Value {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let n = NEXT.fetch_add(1, Ordering::SeqCst);
    v["id"] = json!(format!("{}", 1_301_000_000_000_100_000u64 + n));
    v["token"] = json!(format!("metrics-token-{n}"));
    v
}

/// Dispatch an interaction and wait for its (accepted) callback.
async fn ask(fake: &FakeDiscord, v: Value) {
    let path = discord::callback_path(&v);
    fake.dispatch("INTERACTION_CREATE", v);
    if fake.wait_call(&path, 0).await.status == 429 {
        assert_eq!(fake.wait_call(&path, 1).await.status, 204);
    } else {
        assert_eq!(fake.wait_call(&path, 0).await.status, 204);
    }
}

fn number(n: i64) -> Value {
    json!([{"name": "number", "type": 4, "value": n}])
}

/// A click on a component whose custom_id imlaws never made.
fn bad_click() -> Value {
    let mut v = discord::command("assess", json!([]), "en-US");
    v["type"] = json!(3);
    v["data"] = json!({"custom_id": "not-ours", "component_type": 2});
    v["message"] = json!({
        "id": "1302000000000000001", "channel_id": CHANNEL,
        "author": {"id": BOT_ID, "username": "imlaws", "discriminator": "0", "avatar": null, "bot": true},
        "content": "", "timestamp": "2026-11-30T12:00:00.000000+00:00", "edited_timestamp": null, "tts": false,
        "mention_everyone": false, "mentions": [], "mention_roles": [], "attachments": [], "embeds": [],
        "pinned": false, "type": 20, "flags": 0, "components": []
    });
    v
}

fn bot(fake: &FakeDiscord, log_format: &str, log: &str, token: &str) -> Child {
    common::bot(fake, &["--metrics-listen", "127.0.0.1:0", "--log-format", log_format], log, token)
}

async fn get(addr: SocketAddr, path: &'static str) -> (u16, String) {
    tokio::task::spawn_blocking(move || exchange(addr, "GET", path, &[], b"")).await.unwrap()
}

async fn sigterm(child: &mut Child) -> std::process::ExitStatus {
    let pid = child.id().expect("running").to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().await.unwrap().success());
    tokio::time::timeout(Duration::from_secs(20), child.wait()).await.expect("exits on SIGTERM").unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_gateway_bot_counts_what_it_answered_and_is_healthy_when_its_shard_is_connected() {
    let fake = FakeDiscord::start().await;
    let mut child = bot(&fake, "text", "info", TOKEN);
    let metrics = metrics_addr(&mut child).await;
    fake.wait_gateway("READY", 1).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (status, body) = get(metrics, "/healthz").await;
        if status == 200 {
            assert_eq!(body, "ok\n");
            break;
        }
        assert_eq!(status, 503, "{body}");
        assert!(Instant::now() < deadline, "never healthy after READY: {body}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // The script: three answers (two languages), a user error, a command imlaws does not
    // know, a stale click, an autocomplete, a mention, a 429 on one callback, a resume.
    ask(&fake, fresh(discord::command("help", json!([]), "en-US"))).await;
    ask(&fake, fresh(discord::command("law", number(1), "zh-CN"))).await;
    fake.shared.callback_429s.store(1, Ordering::SeqCst);
    ask(
        &fake,
        fresh(discord::command(
            "assess",
            discord::string_options(&[("identity", "anonymous"), ("audience", "strangers")]),
            "en-US",
        )),
    )
    .await;
    ask(&fake, fresh(discord::command("law", number(9), "en-US"))).await;
    ask(&fake, fresh(discord::command("nope", json!([]), "en-US"))).await;
    ask(&fake, fresh(bad_click())).await;
    ask(&fake, fresh(discord::autocomplete("we", "zh-CN"))).await;
    fake.dispatch(
        "MESSAGE_CREATE",
        message_json(
            "1400000000000000012",
            CHANNEL,
            "900000000000000001",
            &format!("<@{BOT_ID}> /law 3"),
            &[BOT_ID],
            false,
        ),
    );
    fake.wait_call(&format!("/channels/{CHANNEL}/messages"), 0).await;
    fake.close(4000);
    fake.wait_gateway("RESUMED", 1).await;
    ask(&fake, fresh(discord::command("corollary", number(5), "zh-CN"))).await;

    // The handler counts after the callback returns; give the last one a moment.
    let want = [
        (interactions("help", "gateway", "en", "answered"), 1.0),
        (interactions("law", "gateway", "zh", "answered"), 1.0),
        (interactions("assess", "gateway", "en", "answered"), 1.0),
        (interactions("law", "gateway", "en", "user_error"), 1.0),
        (interactions("other", "gateway", "en", "refused"), 1.0),
        (interactions("component", "gateway", "en", "refused"), 1.0),
        (interactions("autocomplete", "gateway", "zh", "answered"), 1.0),
        (interactions("mention", "gateway", "en", "answered"), 1.0),
        (interactions("corollary", "gateway", "zh", "answered"), 1.0),
    ];
    let deadline = Instant::now() + Duration::from_secs(10);
    let text = loop {
        let (status, text) = get(metrics, "/metrics").await;
        assert_eq!(status, 200);
        if interaction_samples(&text).iter().map(|s| s.1).sum::<f64>() >= 9.0 || Instant::now() > deadline {
            break text;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    };
    let mut got = interaction_samples(&text);
    got.sort_by(|a, b| a.0.cmp(&b.0));
    let mut want: Vec<(String, f64)> = want.into_iter().collect();
    want.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(got, want, "{text}");
    assert_eq!(sample(&text, "imlaws_rest_429_retries_total"), Some(1.0), "{text}");
    assert_eq!(sample(&text, "imlaws_gateway_resumes_total"), Some(1.0), "{text}");
    assert_eq!(sample(&text, "imlaws_gateway_reconnects_total"), Some(1.0), "{text}");
    assert_eq!(sample(&text, r#"imlaws_interaction_seconds_count{transport="gateway"}"#), Some(9.0), "{text}");
    assert_eq!(sample(&text, r#"imlaws_shard_up{shard="0"}"#), Some(1.0), "{text}");
    // The fake asks for a heartbeat every 41.25 s, as Discord does: a latency is known
    // only once one was acknowledged.
    if fake.count("HEARTBEAT") > 0 {
        assert!(text.contains(r#"imlaws_shard_heartbeat_latency_seconds{shard="0"}"#), "{text}");
    }
    assert_eq!(sigterm(&mut child).await.code(), Some(0));
}

#[test]
fn the_http_endpoint_counts_answers_and_refusals() {
    let key = keypair();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_imlaws"))
        .args(["serve", "--listen", "127.0.0.1:0", "--body-limit", "4096"])
        .env("DISCORD_PUBLIC_KEY", public_hex(&key))
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let addr = discord::announced_addr(&mut child);
    let signed = |v: &Value| common::post_signed(addr, &key, v.to_string().as_bytes()).0;
    assert_eq!(signed(&discord::ping()), 200);
    assert_eq!(signed(&discord::command("help", json!([]), "zh-CN")), 200);
    assert_eq!(signed(&discord::command("help", json!([]), "zh-TW")), 200);
    assert_eq!(signed(&discord::command("app", json!([{"name": "name", "type": 3, "value": "微信"}]), "en-GB")), 200);
    assert_eq!(signed(&discord::command("corollary", number(8), "en-US")), 200);
    assert_eq!(signed(&bad_click()), 200);
    assert_eq!(signed(&json!({"hello": "world"})), 400);
    assert_eq!(exchange(addr, "POST", "/interactions", &[], b"{}").0, 401);
    let ts = now();
    let forged = [("X-Signature-Ed25519", "00".repeat(64)), ("X-Signature-Timestamp", ts)];
    assert_eq!(exchange(addr, "POST", "/interactions", &forged, b"{}").0, 401);
    let big = vec![b' '; 8192];
    let ts = now();
    let too_big = [("X-Signature-Ed25519", sign(&key, &ts, &big)), ("X-Signature-Timestamp", ts)];
    assert_eq!(exchange(addr, "POST", "/interactions", &too_big, &big).0, 413);

    let (status, text) = exchange(addr, "GET", "/metrics", &[], b"");
    assert_eq!(status, 200);
    let mut got = interaction_samples(&text);
    got.sort_by(|a, b| a.0.cmp(&b.0));
    let mut want = vec![
        (interactions("ping", "http", "en", "answered"), 1.0),
        (interactions("help", "http", "zh", "answered"), 2.0),
        (interactions("app", "http", "en", "answered"), 1.0),
        (interactions("corollary", "http", "en", "user_error"), 1.0),
        (interactions("component", "http", "en", "refused"), 1.0),
    ];
    want.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(got, want, "{text}");
    for (reason, n) in [("unsigned", 1.0), ("bad_signature", 1.0), ("not_an_interaction", 1.0), ("too_large", 1.0)] {
        assert_eq!(sample(&text, &format!(r#"imlaws_http_refused_total{{reason="{reason}"}}"#)), Some(n), "{text}");
    }
    assert_eq!(sample(&text, r#"imlaws_interaction_seconds_count{transport="http"}"#), Some(6.0), "{text}");
    assert!(text.contains("# TYPE imlaws_interaction_seconds histogram"), "{text}");
    let _ = child.kill();
    let _ = child.wait();
}

/// Each line a JSON object with a level and a message (or fields), or one of the
/// process's own `error:` lines.
fn json_lines(stderr: &str) -> Vec<Value> {
    stderr
        .lines()
        .filter(|l| !l.starts_with("error: "))
        .map(|l| serde_json::from_str::<Value>(l).unwrap_or_else(|e| panic!("not a JSON log line ({e}): {l}")))
        .inspect(|v| assert!(v["level"].is_string() && v["timestamp"].is_string(), "{v}"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_carry_no_token_at_any_level() {
    use common::fake_discord::WRONG_TOKEN;
    let fake = FakeDiscord::start().await;
    let child = bot(&fake, "json", "trace", WRONG_TOKEN);
    let out =
        tokio::time::timeout(Duration::from_secs(30), child.wait_with_output()).await.expect("the bot stops").unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    let lines = json_lines(&stderr);
    assert!(lines.len() > 10, "trace logs something: {stderr}");
    assert!(!stderr.contains("revoked-token-for-tests"), "the token never reaches a log");
    assert!(stderr.contains("error: Discord rejected the token (gateway close 4004)"), "{stderr}");
    fake.take_violations();
}

#[test]
fn json_logs_of_the_endpoint_carry_no_key_and_no_body_at_any_level() {
    let key = keypair();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_imlaws"))
        .args(["serve", "--listen", "127.0.0.1:0", "--log-format", "json"])
        .env("DISCORD_PUBLIC_KEY", public_hex(&key))
        .env("RUST_LOG", "trace")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let addr = discord::announced_addr(&mut child);
    let marker = "a-question-only-the-user-should-see";
    let body = discord::command("ask", discord::string_options(&[("question", marker)]), "en-US").to_string();
    let ts = now();
    let signature = sign(&key, &ts, body.as_bytes());
    let headers = [("X-Signature-Ed25519", signature.clone()), ("X-Signature-Timestamp", ts)];
    assert_eq!(exchange(addr, "POST", "/interactions", &headers, body.as_bytes()).0, 200);
    let killed = std::process::Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let status = common::wait_within(&mut child, Duration::from_secs(20));
    assert_eq!(status.code(), Some(0));
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    let lines = json_lines(&stderr);
    assert!(
        lines.iter().any(|v| v["path"] == "/interactions" && v["status"] == 200 && v["message"] == "request"),
        "the request is logged as a JSON object: {stderr}"
    );
    for secret in [public_hex(&key), signature, marker.to_string(), "interaction-token-1".to_string()] {
        assert!(!stderr.contains(&secret), "{secret} reached the log");
    }
}
