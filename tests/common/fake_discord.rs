//! A fake Discord on loopback: the REST API the bot uses (through `--discord-proxy`)
//! and a gateway websocket speaking v10 JSON, driven by the test.
#![allow(dead_code)]

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, Notify};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message as Ws;

pub const BOT_ID: &str = "1200000000000000099";
pub const APP_ID: &str = "1200000000000000000";
pub const GUILD_ID: &str = "1100000000000000000";
pub const BOT_ROLE_ID: &str = "1100000000000000777";
/// A token of the right shape (base64 of BOT_ID first); Discord never saw it.
pub const TOKEN: &str = "MTIwMDAwMDAwMDAwMDAwMDA5OQ.GfakeX.fake-token-for-tests_0123456789abcdefghijkl";

/// One REST call the bot made.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub path: String,
    pub body: Value,
    pub status: u16,
    pub at: Instant,
}

enum Command {
    Send(Value),
    Close(u16),
}

#[derive(Default)]
pub struct Shared {
    rest_url: Mutex<String>,
    ws_url: Mutex<String>,
    calls: Mutex<Vec<Call>>,
    call_notify: Notify,
    /// (op or event, when): IDENTIFY, RESUME, HEARTBEAT, CONNECT, CLOSED.
    gateway_log: Mutex<Vec<(String, Instant)>>,
    gateway_notify: Notify,
    conn: Mutex<Option<mpsc::UnboundedSender<Command>>>,
    seq: AtomicU64,
    /// Answer this many interaction callbacks with 429 first.
    pub callback_429s: AtomicUsize,
    /// Close the socket with 4004 on IDENTIFY.
    pub reject_token: std::sync::atomic::AtomicBool,
}

pub struct FakeDiscord {
    pub shared: Arc<Shared>,
    pub rest: SocketAddr,
    pub ws: SocketAddr,
}

impl FakeDiscord {
    /// Start both servers on loopback ports.
    pub async fn start() -> FakeDiscord {
        let shared = Arc::new(Shared::default());
        let rest_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let ws_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let (rest, ws) = (rest_listener.local_addr().unwrap(), ws_listener.local_addr().unwrap());
        *shared.rest_url.lock().unwrap() = format!("http://{rest}");
        *shared.ws_url.lock().unwrap() = format!("ws://{ws}");
        let app = Router::new().fallback(rest_handler).with_state(shared.clone());
        tokio::spawn(async move { axum::serve(rest_listener, app).await.unwrap() });
        let gw = shared.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = ws_listener.accept().await {
                let gw = gw.clone();
                tokio::spawn(async move { gateway_connection(gw, stream).await });
            }
        });
        FakeDiscord { shared, rest, ws }
    }

    pub fn proxy_url(&self) -> String {
        self.shared.rest_url.lock().unwrap().clone()
    }

    pub fn calls(&self) -> Vec<Call> {
        self.shared.calls.lock().unwrap().clone()
    }

    /// Wait for a REST call whose path contains `path` (the `nth` such, from 0).
    pub async fn wait_call(&self, path: &str, nth: usize) -> Call {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let notified = self.shared.call_notify.notified();
            let found = self.shared.calls.lock().unwrap().iter().filter(|c| c.path.contains(path)).nth(nth).cloned();
            if let Some(c) = found {
                return c;
            }
            let left = deadline
                .checked_duration_since(Instant::now())
                .unwrap_or_else(|| panic!("no call to {path} (#{nth}); calls: {:?}", self.calls()));
            let _ = tokio::time::timeout(left, notified).await;
        }
    }

    pub fn gateway_log(&self) -> Vec<String> {
        self.shared.gateway_log.lock().unwrap().iter().map(|(e, _)| e.clone()).collect()
    }

    pub fn count(&self, event: &str) -> usize {
        self.gateway_log().iter().filter(|e| *e == event).count()
    }

    /// Wait until the gateway log has `n` entries `event`.
    pub async fn wait_gateway(&self, event: &str, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let notified = self.shared.gateway_notify.notified();
            if self.count(event) >= n {
                return;
            }
            let left = deadline
                .checked_duration_since(Instant::now())
                .unwrap_or_else(|| panic!("gateway never saw {n}× {event}: {:?}", self.gateway_log()));
            let _ = tokio::time::timeout(left, notified).await;
        }
    }

    fn command(&self, c: Command) {
        let conn = self.shared.conn.lock().unwrap();
        assert!(conn.as_ref().expect("a gateway connection").send(c).is_ok(), "connection alive");
    }

    /// Send a dispatch event (op 0) on the current connection; returns its sequence.
    pub fn dispatch(&self, event: &str, d: Value) -> u64 {
        let s = self.shared.seq.fetch_add(1, Ordering::SeqCst) + 1;
        self.command(Command::Send(json!({"op": 0, "t": event, "s": s, "d": d})));
        s
    }

    pub fn send_op(&self, op: u8, d: Value) {
        self.command(Command::Send(json!({"op": op, "d": d, "s": null, "t": null})));
    }

    /// Close the current connection with a close code.
    pub fn close(&self, code: u16) {
        self.command(Command::Close(code));
    }
}

fn log(shared: &Shared, event: &str) {
    shared.gateway_log.lock().unwrap().push((event.to_string(), Instant::now()));
    shared.gateway_notify.notify_waiters();
}

fn record(shared: &Shared, method: &Method, path: &str, body: &[u8], status: u16) {
    let body = serde_json::from_slice(body).unwrap_or(Value::Null);
    shared.calls.lock().unwrap().push(Call {
        method: method.to_string(),
        path: path.to_string(),
        body,
        status,
        at: Instant::now(),
    });
    shared.call_notify.notify_waiters();
}

fn user() -> Value {
    json!({"id": BOT_ID, "username": "imlaws", "discriminator": "0", "global_name": null, "avatar": null, "bot": true,
           "public_flags": 0, "flags": 0, "verified": true, "mfa_enabled": false})
}

async fn rest_handler(State(shared): State<Arc<Shared>>, method: Method, uri: Uri, body: Bytes) -> Response {
    let path = uri.path().to_string();
    let ws_url = shared.ws_url.lock().unwrap().clone();
    let json_ok =
        |status: StatusCode, v: Value| (status, [("content-type", "application/json")], v.to_string()).into_response();
    let (status, response) = match (method.as_str(), path.trim_start_matches("/api/v10")) {
        ("GET", "/gateway") => (200, json_ok(StatusCode::OK, json!({"url": ws_url}))),
        ("GET", "/gateway/bot") => (
            200,
            json_ok(
                StatusCode::OK,
                json!({"url": ws_url, "shards": 1,
            "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 14400000, "max_concurrency": 1}}),
            ),
        ),
        ("GET", "/users/@me") => (200, json_ok(StatusCode::OK, user())),
        ("PUT", p) if p.ends_with("/commands") => {
            let mut cmds: Value = serde_json::from_slice(&body).unwrap_or(json!([]));
            if let Some(list) = cmds.as_array_mut() {
                for (i, c) in list.iter_mut().enumerate() {
                    c["id"] = json!(format!("13000000000000000{i:02}"));
                    c["application_id"] = json!(APP_ID);
                    c["version"] = json!("1");
                    c["type"] = json!(1);
                    c["default_member_permissions"] = Value::Null;
                }
            }
            (200, json_ok(StatusCode::OK, cmds))
        }
        ("POST", p) if p.starts_with("/interactions/") && p.ends_with("/callback") => {
            let limited =
                shared.callback_429s.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok();
            if limited {
                let r = (
                    StatusCode::TOO_MANY_REQUESTS,
                    [("content-type", "application/json"), ("retry-after", "1")],
                    json!({"message": "You are being rate limited.", "retry_after": 0.4, "global": false}).to_string(),
                );
                (429, r.into_response())
            } else {
                (204, StatusCode::NO_CONTENT.into_response())
            }
        }
        ("POST", p) if p.starts_with("/channels/") && p.ends_with("/messages") => {
            let channel = p.trim_start_matches("/channels/").trim_end_matches("/messages").to_string();
            (200, json_ok(StatusCode::OK, message_json("1400000000000000001", &channel, BOT_ID, "", &[], true)))
        }
        ("GET", p) if p.starts_with("/guilds/") && p.ends_with("/roles") => (
            200,
            json_ok(
                StatusCode::OK,
                json!([
                    role_json(GUILD_ID, "@everyone", None),
                    role_json(BOT_ROLE_ID, "imlaws", Some(BOT_ID)),
                    role_json("1100000000000000888", "moderators", None),
                ]),
            ),
        ),
        _ => (404, json_ok(StatusCode::NOT_FOUND, json!({"message": "404: Not Found", "code": 0}))),
    };
    record(&shared, &method, &path, &body, status);
    response
}

fn role_json(id: &str, name: &str, bot: Option<&str>) -> Value {
    let tags = match bot {
        Some(b) => json!({"bot_id": b}),
        None => json!({}),
    };
    json!({"id": id, "name": name, "color": 0, "colors": {"primary_color": 0, "secondary_color": null, "tertiary_color": null}, "hoist": false, "icon": null, "unicode_emoji": null, "position": 1,
           "permissions": "0", "managed": bot.is_some(), "mentionable": true, "tags": tags, "flags": 0})
}

/// A MESSAGE_CREATE payload in a guild channel.
pub fn message_json(id: &str, channel: &str, author: &str, content: &str, mentions: &[&str], bot: bool) -> Value {
    let mentioned: Vec<Value> = mentions
        .iter()
        .map(|m| {
            let mut u = user();
            u["id"] = json!(m);
            u
        })
        .collect();
    json!({
        "id": id, "channel_id": channel, "guild_id": GUILD_ID,
        "author": {"id": author, "username": if bot { "somebot" } else { "alice" }, "discriminator": "0", "global_name": null,
                   "avatar": null, "bot": bot, "public_flags": 0},
        "member": {"roles": [], "joined_at": "2024-05-01T12:00:00.000000+00:00", "deaf": false, "mute": false, "flags": 0},
        "content": content, "timestamp": "2026-11-25T12:00:00.000000+00:00", "edited_timestamp": null,
        "tts": false, "mention_everyone": false, "mentions": mentioned, "mention_roles": [], "attachments": [],
        "embeds": [], "pinned": false, "type": 0, "flags": 0, "components": []
    })
}

async fn gateway_connection(shared: Arc<Shared>, stream: tokio::net::TcpStream) {
    let Ok(mut ws) = tokio_tungstenite::accept_async(stream).await else { return };
    log(&shared, "CONNECT");
    let (tx, mut rx) = mpsc::unbounded_channel();
    *shared.conn.lock().unwrap() = Some(tx);
    let hello = json!({"op": 10, "d": {"heartbeat_interval": 41250}, "s": null, "t": null});
    if ws.send(Ws::Text(hello.to_string())).await.is_err() {
        return;
    }
    let ws_url = shared.ws_url.lock().unwrap().clone();
    loop {
        tokio::select! {
            frame = ws.next() => {
                let Some(Ok(frame)) = frame else { break };
                let Ws::Text(text) = frame else { continue };
                let Ok(v) = serde_json::from_str::<Value>(&text) else { continue };
                match v["op"].as_u64() {
                    Some(1) => {
                        log(&shared, "HEARTBEAT");
                        let _ = ws.send(Ws::Text(json!({"op": 11, "d": null, "s": null, "t": null}).to_string())).await;
                    }
                    Some(2) => {
                        log(&shared, "IDENTIFY");
                        if shared.reject_token.load(Ordering::SeqCst) {
                            let _ = ws.send(Ws::Close(Some(CloseFrame { code: CloseCode::from(4004), reason: "Authentication failed.".into() }))).await;
                            break;
                        }
                        let s = shared.seq.fetch_add(1, Ordering::SeqCst) + 1;
                        let ready = json!({"op": 0, "t": "READY", "s": s, "d": {
                            "v": 10, "user": user(), "guilds": [{"id": GUILD_ID, "unavailable": true}],
                            "session_id": "fake-session-1", "resume_gateway_url": ws_url, "shard": [0, 1],
                            "application": {"id": APP_ID, "flags": 0}
                        }});
                        let _ = ws.send(Ws::Text(ready.to_string())).await;
                        log(&shared, "READY");
                    }
                    Some(6) => {
                        log(&shared, "RESUME");
                        let s = shared.seq.fetch_add(1, Ordering::SeqCst) + 1;
                        let _ = ws.send(Ws::Text(json!({"op": 0, "t": "RESUMED", "s": s, "d": {}}).to_string())).await;
                        log(&shared, "RESUMED");
                    }
                    _ => {}
                }
            }
            cmd = rx.recv() => match cmd {
                Some(Command::Send(v)) => {
                    if ws.send(Ws::Text(v.to_string())).await.is_err() {
                        break;
                    }
                }
                Some(Command::Close(code)) => {
                    let _ = ws.send(Ws::Close(Some(CloseFrame { code: CloseCode::from(code), reason: "fake close".into() }))).await;
                    break;
                }
                None => break,
            }
        }
    }
    log(&shared, "CLOSED");
}
