//! A fake Discord on loopback, as strict as Discord: the REST API the bot uses (through
//! `--discord-proxy`) and a gateway websocket speaking v10 JSON, driven by the test.
//!
//! Whatever Discord would refuse, the fake refuses the same way (400 with the broken
//! rule, 401, 404 10062, close 4004/4013/4014, op 9) and records it as a violation
//! naming the rule ([`limits`] for bodies). A test fails on a violation twice over:
//! [`FakeDiscord::wait_call`] panics when the call it waited for was refused, and
//! dropping the fake panics when any violation is left. A test that provokes one on
//! purpose takes it with [`FakeDiscord::take_violations`] and asserts on it.
#![allow(dead_code)]

use super::limits;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::collections::{HashMap, HashSet};
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
/// A token of the right shape (base64 of BOT_ID first); Discord never saw it. The fake
/// accepts this one and no other.
pub const TOKEN: &str = "MTIwMDAwMDAwMDAwMDAwMDA5OQ.GfakeX.fake-token-for-tests_0123456789abcdefghijkl";
/// The same shape, another secret: what a revoked or mistyped token looks like.
pub const WRONG_TOKEN: &str = "MTIwMDAwMDAwMDAwMDAwMDA5OQ.GfakeX.revoked-token-for-tests_0123456789abcdefgh";

/// Discord's deadline for the first response to an interaction (§2).
pub const INTERACTION_DEADLINE: Duration = Duration::from_secs(3);
/// A 429's two waits, far apart so a test can tell which one the bot honoured: the
/// body's `retry_after` (seconds, fractional) and the `Retry-After` header (seconds).
pub const RETRY_AFTER_BODY: f64 = 0.25;
pub const RETRY_AFTER_HEADER: u64 = 2;

/// Gateway intents (§6, events/gateway#list-of-intents): every defined bit, and the
/// privileged ones, which the portal must switch on.
pub const GUILD_MEMBERS: u64 = 1 << 1;
pub const GUILD_PRESENCES: u64 = 1 << 8;
pub const MESSAGE_CONTENT: u64 = 1 << 15;
pub const PRIVILEGED_INTENTS: u64 = GUILD_MEMBERS | GUILD_PRESENCES | MESSAGE_CONTENT;
pub const DEFINED_INTENTS: u64 = ((1 << 17) - 1) | (1 << 20) | (1 << 21) | (1 << 24) | (1 << 25);

/// Discord's default upload limit per file (reference#uploading-files).
pub const UPLOAD_LIMIT: usize = 10 * 1024 * 1024;
/// How long an interaction token stays usable for edits and follow-ups (§2).
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// One REST call the bot made, and what the fake refused in it (empty: accepted).
#[derive(Debug, Clone)]
pub struct Call {
    pub method: String,
    pub path: String,
    /// The JSON body, or a multipart body's `payload_json`.
    pub body: Value,
    /// A multipart body's file parts.
    pub files: Vec<Upload>,
    pub status: u16,
    pub at: Instant,
    pub refused: Vec<String>,
}

/// A file part of a multipart upload.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The form field: `files[n]`.
    pub name: String,
    pub filename: String,
    pub content_type: String,
    pub data: Vec<u8>,
}

enum Command {
    Send(Value),
    Close(u16),
    /// End the TCP connection without a close frame: the bot sees 1006 (abnormal).
    Drop,
}

/// Faults the fake injects at random into interaction callbacks, for a soak; off
/// unless a test sets [`Shared::faults`]. They are Discord's answers, not violations:
/// a 429 with `retry_after` (the interaction is not answered), a 500 (nor is it).
#[derive(Debug, Clone, Copy)]
pub struct Faults {
    /// Chance that a callback is answered 429.
    pub rate_limit: f64,
    /// The 429's body `retry_after`, in seconds.
    pub retry_after: f64,
    /// Chance that a callback is answered 500.
    pub server_error: f64,
    /// The random generator's seed (xorshift), so a run can be repeated.
    pub seed: u64,
}

/// An interaction dispatched and not yet answered.
struct Pending {
    token: String,
    kind: u64,
    at: Instant,
    acknowledged: bool,
}

/// The gateway session READY opened: its id, its last sequence, its dispatches (for
/// replay on RESUME).
struct Session {
    id: String,
    seq: u64,
    events: Vec<(u64, Value)>,
    /// The connection (its number) on which this session is authenticated, if any:
    /// where [`FakeDiscord::dispatch_resumable`] sends.
    live: Option<u64>,
    /// The last sequence no longer kept for replay (0: all kept).
    dropped: u64,
}

#[derive(Default)]
pub struct Shared {
    rest_url: Mutex<String>,
    ws_url: Mutex<String>,
    calls: Mutex<Vec<Call>>,
    call_notify: Notify,
    /// (op or event, when): CONNECT, IDENTIFY, READY, RESUME, RESUMED, REPLAY, HEARTBEAT,
    /// INVALID_SESSION, CLOSE <code>, DROP, CLOSED.
    gateway_log: Mutex<Vec<(String, Instant)>>,
    gateway_notify: Notify,
    conn: Mutex<Option<mpsc::UnboundedSender<Command>>>,
    session: Mutex<Option<Session>>,
    sessions: AtomicU64,
    interactions: Mutex<HashMap<String, Pending>>,
    /// (channel, message) of every MESSAGE_CREATE dispatched: what a reply may reference.
    messages: Mutex<HashSet<(String, String)>>,
    violations: Mutex<Vec<String>>,
    /// IDENTIFY payloads (`d` without the token), in order.
    identifies: Mutex<Vec<Value>>,
    /// (session_id, seq) of every RESUME, in order.
    resumes: Mutex<Vec<(String, u64)>>,
    /// Answer this many interaction callbacks with 429 first.
    pub callback_429s: AtomicUsize,
    /// Then answer this many with 400 40060 (as if another process had answered): a
    /// fault the test injects, not a violation.
    pub callback_400s: AtomicUsize,
    /// The next N edits of an original response are answered 429 (`retry_after` 0.2 s).
    pub edit_429s: AtomicUsize,
    /// The privileged intents switched on in the (fake) Developer Portal.
    pub privileged_enabled: AtomicU64,
    /// Random faults in callbacks (a soak's); `None`: none.
    pub faults: Mutex<Option<Faults>>,
    /// The fault generator's state.
    rng: Mutex<u64>,
    /// Accepted callbacks per interaction id: a soak checks each is exactly 1.
    pub answered: Mutex<HashMap<String, u32>>,
    /// Faults injected so far: (429s, 500s).
    pub injected: Mutex<(u64, u64)>,
    /// Keep no [`Call`] records and only the last `n` dispatches for replay (a soak
    /// sends too many to keep); 0: keep everything.
    pub bounded: AtomicUsize,
    /// Gateway connections accepted so far (each one's number).
    connections: AtomicU64,
}

pub struct FakeDiscord {
    pub shared: Arc<Shared>,
    pub rest: SocketAddr,
    pub ws: SocketAddr,
}

impl Drop for FakeDiscord {
    /// A violation nobody took fails the test that caused it.
    fn drop(&mut self) {
        let left = self.take_violations();
        if !left.is_empty() && !std::thread::panicking() {
            panic!("the fake Discord refused what Discord would refuse:\n  {}", left.join("\n  "));
        }
    }
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
                // As Discord's edge does: a frame written in two pieces must not wait
                // for the bot's delayed ACK (40 ms on Linux) before its second piece.
                let _ = stream.set_nodelay(true);
                let gw = gw.clone();
                tokio::spawn(async move { gateway_connection(gw, stream).await });
            }
        });
        FakeDiscord { shared, rest, ws }
    }

    pub fn proxy_url(&self) -> String {
        self.shared.rest_url.lock().unwrap().clone()
    }

    pub fn ws_url(&self) -> String {
        self.shared.ws_url.lock().unwrap().clone()
    }

    pub fn calls(&self) -> Vec<Call> {
        self.shared.calls.lock().unwrap().clone()
    }

    /// Every refusal so far, emptied: for a test that provoked them on purpose.
    pub fn take_violations(&self) -> Vec<String> {
        std::mem::take(&mut *self.shared.violations.lock().unwrap())
    }

    /// IDENTIFY payloads (`d`, token removed) the bot sent, in order.
    pub fn identifies(&self) -> Vec<Value> {
        self.shared.identifies.lock().unwrap().clone()
    }

    /// (session_id, seq) of every RESUME the bot sent, in order.
    pub fn resumes(&self) -> Vec<(String, u64)> {
        self.shared.resumes.lock().unwrap().clone()
    }

    /// The current session's id and last sequence sent.
    pub fn session(&self) -> Option<(String, u64)> {
        self.shared.session.lock().unwrap().as_ref().map(|s| (s.id.clone(), s.seq))
    }

    /// Wait for a REST call whose path contains `path` (the `nth` such, from 0). Panics,
    /// naming the rule, when the fake refused that call: Discord would have too.
    pub async fn wait_call(&self, path: &str, nth: usize) -> Call {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let notified = self.shared.call_notify.notified();
            let found = self.shared.calls.lock().unwrap().iter().filter(|c| c.path.contains(path)).nth(nth).cloned();
            if let Some(c) = found {
                assert!(
                    c.refused.is_empty(),
                    "Discord would refuse {} {} ({}):\n  {}",
                    c.method,
                    c.path,
                    c.status,
                    c.refused.join("\n  ")
                );
                return c;
            }
            let left = deadline.checked_duration_since(Instant::now()).unwrap_or_else(|| {
                let calls: Vec<String> =
                    self.calls().iter().map(|c| format!("{} {} → {}", c.method, c.path, c.status)).collect();
                panic!("no call to {path} (#{nth}) within 20 s; calls: {calls:#?}; refused: {:?}", self.violations())
            });
            let _ = tokio::time::timeout(left, notified).await;
        }
    }

    fn violations(&self) -> Vec<String> {
        self.shared.violations.lock().unwrap().clone()
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
            let left = deadline.checked_duration_since(Instant::now()).unwrap_or_else(|| {
                panic!("gateway never saw {n}× {event}: {:?}; refused: {:?}", self.gateway_log(), self.violations())
            });
            let _ = tokio::time::timeout(left, notified).await;
        }
    }

    fn command(&self, c: Command) {
        let conn = self.shared.conn.lock().unwrap();
        assert!(conn.as_ref().expect("a gateway connection").send(c).is_ok(), "connection alive");
    }

    /// An interaction Discord delivered over HTTP to the endpoint, which answered it
    /// inline (the test checks that answer): its token may now edit the original
    /// response and send follow-ups for 15 minutes.
    pub fn delivered_over_http(&self, id: &str, token: &str) {
        let pending = Pending { token: token.to_string(), kind: 2, at: Instant::now(), acknowledged: true };
        self.shared.interactions.lock().unwrap().insert(id.to_string(), pending);
    }

    /// An interaction about to be dispatched: it may be answered once, within 3 s, with
    /// its own token.
    fn expect_answer(&self, d: &Value) {
        let pending = Pending {
            token: d["token"].as_str().unwrap_or_default().to_string(),
            kind: d["type"].as_u64().unwrap_or(0),
            at: Instant::now(),
            acknowledged: false,
        };
        let id = d["id"].as_str().expect("an interaction id").to_string();
        self.shared.interactions.lock().unwrap().insert(id, pending);
    }

    /// Send a dispatch event (op 0) in the current session; returns its sequence. An
    /// INTERACTION_CREATE may then be answered once, within 3 s, with its own token; a
    /// MESSAGE_CREATE may then be replied to.
    pub fn dispatch(&self, event: &str, d: Value) -> u64 {
        match event {
            "INTERACTION_CREATE" => self.expect_answer(&d),
            "MESSAGE_CREATE" => {
                let key = (d["channel_id"].as_str().unwrap_or_default(), d["id"].as_str().unwrap_or_default());
                self.shared.messages.lock().unwrap().insert((key.0.to_string(), key.1.to_string()));
            }
            _ => {}
        }
        let mut session = self.shared.session.lock().unwrap();
        let session = session.as_mut().expect("a session: dispatch after READY");
        session.seq += 1;
        let payload = json!({"op": 0, "t": event, "s": session.seq, "d": d});
        session.events.push((session.seq, payload.clone()));
        self.command(Command::Send(payload));
        session.seq
    }

    /// [`dispatch`](Self::dispatch) as Discord does across reconnects: the event is
    /// recorded in the session and sent only on a connection where the session is
    /// authenticated; one the bot missed (sent on a dying connection, or while it was
    /// away) is replayed when it RESUMEs. Returns the interaction's sequence.
    pub fn dispatch_resumable(&self, event: &str, d: Value) -> u64 {
        if event == "INTERACTION_CREATE" {
            self.expect_answer(&d);
        }
        let mut session = self.shared.session.lock().unwrap();
        let session = session.as_mut().expect("a session: dispatch after READY");
        session.seq += 1;
        let payload = json!({"op": 0, "t": event, "s": session.seq, "d": d});
        session.events.push((session.seq, payload.clone()));
        let keep = self.shared.bounded.load(Ordering::SeqCst);
        if keep > 0 && session.events.len() > 2 * keep {
            let cut = session.events.len() - keep;
            session.dropped = session.events[cut - 1].0;
            session.events.drain(..cut);
        }
        if session.live.is_some() {
            if let Some(conn) = self.shared.conn.lock().unwrap().as_ref() {
                let _ = conn.send(Command::Send(payload));
            }
        }
        session.seq
    }

    /// Accepted callbacks to interaction `id` so far.
    pub fn answers(&self, id: &str) -> u32 {
        self.shared.answered.lock().unwrap().get(id).copied().unwrap_or(0)
    }

    /// Wait until the bot makes a REST call, or `within` passes.
    pub async fn next_call(&self, within: Duration) {
        let _ = tokio::time::timeout(within, self.shared.call_notify.notified()).await;
    }

    /// End the current connection without a close frame (the bot sees 1006).
    pub fn drop_connection(&self) {
        self.command(Command::Drop);
    }

    /// Stop sending [`dispatch_resumable`](Self::dispatch_resumable) events on the
    /// current connection (before an op 7, after which the bot leaves it).
    pub fn leave(&self) {
        if let Some(session) = self.shared.session.lock().unwrap().as_mut() {
            session.live = None;
        }
    }

    pub fn send_op(&self, op: u8, d: Value) {
        self.command(Command::Send(json!({"op": op, "d": d, "s": null, "t": null})));
    }

    /// Close the current connection with a close code.
    pub fn close(&self, code: u16) {
        self.command(Command::Close(code));
    }
}

/// xorshift64*, seeded from [`Faults::seed`]: a number in [0, 1).
fn chance(shared: &Shared) -> f64 {
    let mut x = shared.rng.lock().unwrap();
    if *x == 0 {
        *x = shared.faults.lock().unwrap().map_or(1, |f| f.seed.max(1));
    }
    *x ^= *x >> 12;
    *x ^= *x << 25;
    *x ^= *x >> 27;
    (x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
}

fn log(shared: &Shared, event: &str) {
    shared.gateway_log.lock().unwrap().push((event.to_string(), Instant::now()));
    shared.gateway_notify.notify_waiters();
}

fn violation(shared: &Shared, what: String) {
    shared.violations.lock().unwrap().push(what);
}

fn user() -> Value {
    json!({"id": BOT_ID, "username": "imlaws", "discriminator": "0", "global_name": null, "avatar": null, "bot": true,
           "public_flags": 0, "flags": 0, "verified": true, "mfa_enabled": false})
}

/// A Discord error body.
fn error(status: u16, code: u32, message: &str) -> (u16, Value) {
    (status, json!({"code": code, "message": message}))
}

fn invalid_form(refused: &[String]) -> (u16, Value) {
    (400, json!({"code": 50035, "message": "Invalid Form Body", "errors": refused}))
}

async fn rest_handler(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    let mut refused: Vec<String> = Vec::new();
    let content_type = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
    // A multipart body is its `payload_json` and its files (reference#uploading-files).
    let form = content_type.starts_with("multipart/form-data").then(|| parse_multipart(content_type, &body));
    let (json_bytes, files) = match &form {
        Some(Ok((payload, files))) => (payload.as_bytes().to_vec(), files.clone()),
        _ => (body.to_vec(), Vec::new()),
    };
    let (status, reply, extra_headers) = match &form {
        Some(Err(why)) => {
            refused.push(format!("multipart body: {why} (reference#uploading-files)"));
            (400, json!({"code": 50035, "message": "Invalid Form Body"}), Vec::new())
        }
        _ => rest(&shared, &method, &path, &headers, &json_bytes, &files, form.is_some(), &mut refused),
    };
    let parsed = serde_json::from_slice(&json_bytes).unwrap_or(Value::Null);
    for r in &refused {
        violation(&shared, format!("{method} {path}: {r}"));
    }
    if shared.bounded.load(Ordering::SeqCst) == 0 {
        shared.calls.lock().unwrap().push(Call {
            method: method.to_string(),
            path: path.clone(),
            body: parsed,
            files,
            status,
            at: Instant::now(),
            refused,
        });
    }
    shared.call_notify.notify_waiters();
    let code = StatusCode::from_u16(status).unwrap();
    let mut response = if status == 204 {
        code.into_response()
    } else {
        (code, [("content-type", "application/json")], reply.to_string()).into_response()
    };
    for (k, v) in extra_headers {
        response.headers_mut().insert(k, v.parse().unwrap());
    }
    response
}

type Reply = (u16, Value, Vec<(&'static str, String)>);

/// A `multipart/form-data` body as `(payload_json, file parts)`, or why it is not one
/// Discord reads: every part named, text parts `payload_json` only, file parts
/// `files[n]` with a file name.
fn parse_multipart(content_type: &str, body: &[u8]) -> Result<(String, Vec<Upload>), String> {
    let boundary = content_type
        .split(';')
        .filter_map(|p| p.trim().strip_prefix("boundary="))
        .next()
        .map(|b| b.trim_matches('"').to_string())
        .ok_or("Content-Type: multipart/form-data without a boundary")?;
    let delimiter = format!("--{boundary}").into_bytes();
    let find = |hay: &[u8], needle: &[u8], from: usize| {
        hay.get(from..).and_then(|h| h.windows(needle.len()).position(|w| w == needle)).map(|i| i + from)
    };
    let mut at = find(body, &delimiter, 0).ok_or("no boundary in the body")? + delimiter.len();
    let (mut payload, mut files) = (None, Vec::new());
    loop {
        if body.get(at..at + 2) == Some(b"--") {
            break;
        }
        let start = at + 2; // CRLF after the boundary
        let next = find(body, &delimiter, start).ok_or("a part without its closing boundary")?;
        let part = body.get(start..next.saturating_sub(2)).ok_or("a truncated part")?;
        let split = find(part, b"\r\n\r\n", 0).ok_or("a part without headers")?;
        let head = String::from_utf8_lossy(&part[..split]).to_string();
        let data = part[split + 4..].to_vec();
        let header = |name: &str| {
            head.lines()
                .find_map(|l| l.split_once(':').filter(|(k, _)| k.trim().eq_ignore_ascii_case(name)))
                .map(|(_, v)| v.trim().to_string())
        };
        let disposition = header("content-disposition").ok_or("a part without Content-Disposition")?;
        let param = |key: &str| {
            disposition
                .split(';')
                .find_map(|p| p.trim().strip_prefix(&format!("{key}=")).map(|v| v.trim_matches('"').to_string()))
        };
        let name = param("name").ok_or("a part without a name")?;
        if name == "payload_json" {
            payload = Some(String::from_utf8(data).map_err(|_| "payload_json is not UTF-8")?);
        } else if name.starts_with("files[") && name.ends_with(']') {
            let filename = param("filename").ok_or_else(|| format!("{name}: no filename"))?;
            let content_type = header("content-type").unwrap_or_default();
            files.push(Upload { name, filename, content_type, data });
        } else {
            return Err(format!("unexpected part `{name}` (only payload_json and files[n])"));
        }
        at = next + delimiter.len();
    }
    Ok((payload.ok_or("no payload_json part")?, files))
}

/// A multipart upload's files against its payload, as Discord checks them: each file
/// within the upload limit, each `attachments[]` entry naming an uploaded `files[id]`,
/// each `attachment://` image naming an uploaded file.
fn uploads(body: &Value, files: &[Upload]) -> Vec<String> {
    const RULE: &str = "reference#uploading-files";
    let mut out = Vec::new();
    if files.is_empty() {
        out.push(format!("multipart body without files: send JSON instead ({RULE})"));
    }
    for f in files {
        if f.data.len() > UPLOAD_LIMIT {
            out.push(format!(
                "{}: {} bytes, over the {UPLOAD_LIMIT}-byte upload limit (40005 Request entity too large)",
                f.name,
                f.data.len()
            ));
        }
        if f.data.is_empty() {
            out.push(format!("{}: an empty file ({RULE})", f.name));
        }
    }
    let data = if body["data"].is_object() { &body["data"] } else { body };
    for a in data["attachments"].as_array().into_iter().flatten() {
        let id = a["id"].as_u64().map(|i| i.to_string()).or_else(|| a["id"].as_str().map(str::to_string));
        let Some(id) = id else {
            out.push(format!("attachments[]: an entry without an id ({RULE})"));
            continue;
        };
        if !files.iter().any(|f| f.name == format!("files[{id}]")) {
            out.push(format!("attachments[]: id {id} names no uploaded files[{id}] ({RULE})"));
        }
    }
    for e in data["embeds"].as_array().into_iter().flatten() {
        if let Some(name) = e["image"]["url"].as_str().and_then(|u| u.strip_prefix("attachment://")) {
            if !files.iter().any(|f| f.filename == name) {
                out.push(format!("embeds[].image.url: attachment://{name} names no uploaded file ({RULE}-using-attachments-within-embeds)"));
            }
        }
    }
    out
}

/// The REST API: checks every call as Discord would, then answers it.
#[allow(clippy::too_many_arguments)]
fn rest(
    shared: &Shared,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    body: &[u8],
    files: &[Upload],
    multipart: bool,
    refused: &mut Vec<String>,
) -> Reply {
    let plain = |(status, v): (u16, Value)| (status, v, Vec::new());
    let Some(route) = path.strip_prefix("/api/v10") else {
        refused.push("not under /api/v10: unversioned routes are v6, deprecated (reference#api-versioning)".into());
        return plain(error(404, 0, "404: Not Found"));
    };
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or("");
    // GET /gateway needs no auth (§6); every other call needs the bot's own token.
    let auth = header("authorization");
    let auth_ok =
        if route == "/gateway" { auth.is_empty() || auth.starts_with("Bot ") } else { auth == format!("Bot {TOKEN}") };
    if !auth_ok {
        let seen = if auth.is_empty() {
            "none".to_string()
        } else if auth.starts_with("Bot ") {
            "`Bot <another token>`".into()
        } else {
            "a value without `Bot `".into()
        };
        refused.push(format!(
            "Authorization: must be `Bot <token>` with the bot's token, got {seen} (reference#authentication)"
        ));
        return plain(error(401, 0, "401: Unauthorized"));
    }
    if !header("user-agent").starts_with("DiscordBot (") {
        refused.push(format!(
            "User-Agent: must be `DiscordBot ($url, $version)`, got `{}` (reference#http-api)",
            header("user-agent")
        ));
        return plain(error(400, 0, "400: Bad Request"));
    }
    let json_body = if body.is_empty() {
        Value::Null
    } else {
        if !multipart && !header("content-type").starts_with("application/json") {
            refused.push(format!(
                "Content-Type: must be application/json for a JSON body, got `{}` (reference#http-api)",
                header("content-type")
            ));
            return plain(error(400, 50035, "Invalid Form Body"));
        }
        match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(e) => {
                refused.push(format!("body: not JSON ({e}); Discord answers 50109"));
                return plain(error(400, 50109, "The request body contains invalid JSON."));
            }
        }
    };
    if multipart {
        let problems = uploads(&json_body, files);
        if !problems.is_empty() {
            refused.extend(problems);
            return plain(invalid_form(refused));
        }
    }
    let ws_url = shared.ws_url.lock().unwrap().clone();
    let segments: Vec<&str> = route.trim_start_matches('/').split('/').collect();
    match (method.as_str(), segments.as_slice()) {
        ("GET", ["gateway"]) => plain((200, json!({"url": ws_url}))),
        ("GET", ["gateway", "bot"]) => plain((
            200,
            json!({"url": ws_url, "shards": 1,
                   "session_start_limit": {"total": 1000, "remaining": 999, "reset_after": 14400000, "max_concurrency": 1}}),
        )),
        ("GET", ["users", "@me"]) => plain((200, user())),
        ("PUT", ["applications", app, "commands"]) | ("PUT", ["applications", app, "guilds", _, "commands"]) => {
            if *app != APP_ID {
                refused.push(format!("applications/{app}: not this bot's application ({APP_ID})"));
                return plain(error(403, 20012, "You are not authorized to perform this action on this application"));
            }
            if let ["applications", _, "guilds", guild, "commands"] = segments.as_slice() {
                if *guild != GUILD_ID {
                    refused.push(format!("guilds/{guild}: the bot is in no such guild (10004 Unknown Guild)"));
                    return plain(error(404, 10004, "Unknown Guild"));
                }
            }
            let problems = limits::commands(&json_body);
            if !problems.is_empty() {
                refused.extend(problems);
                return plain(invalid_form(refused));
            }
            let mut cmds = json_body;
            for (i, c) in cmds.as_array_mut().into_iter().flatten().enumerate() {
                c["id"] = json!(format!("13000000000000000{i:02}"));
                c["application_id"] = json!(APP_ID);
                c["version"] = json!("1");
                c["type"] = json!(1);
                c["default_member_permissions"] = Value::Null;
            }
            plain((200, cmds))
        }
        ("POST", ["interactions", id, token, "callback"]) => callback(shared, id, token, &json_body, refused),
        ("POST", ["channels", channel, "messages"]) => {
            let mut problems = limits::message(&json_body, limits::Target::ChannelMessage);
            let reference = &json_body["message_reference"];
            if let Some(message) = reference["message_id"].as_str() {
                let in_channel = reference["channel_id"].as_str().unwrap_or(channel);
                let known = shared.messages.lock().unwrap().contains(&(in_channel.to_string(), message.to_string()));
                if in_channel != *channel || !known {
                    problems.push(format!(
                        "message_reference: message {message} in channel {in_channel} is not one Discord delivered here (10008 Unknown Message)"
                    ));
                }
            }
            if !problems.is_empty() {
                refused.extend(problems);
                return plain(invalid_form(refused));
            }
            plain((200, message_json("1400000000000000001", channel, BOT_ID, "", &[], true)))
        }
        ("PATCH", ["webhooks", _, _, "messages", "@original"])
            if shared.edit_429s.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok() =>
        {
            (
                429,
                json!({"message": "You are being rate limited.", "retry_after": 0.2, "global": false}),
                vec![("retry-after", "1".to_string())],
            )
        }
        ("PATCH", ["webhooks", app, token, "messages", "@original"]) => {
            if *app != APP_ID {
                refused.push(format!("webhooks/{app}: not this bot's application ({APP_ID}) (10015 Unknown Webhook)"));
                return plain(error(404, 10015, "Unknown Webhook"));
            }
            let interactions = shared.interactions.lock().unwrap();
            let Some(pending) = interactions.values().find(|p| p.token == *token) else {
                refused.push("webhooks: no interaction has that token (10015 Unknown Webhook)".into());
                return plain(error(404, 10015, "Unknown Webhook"));
            };
            if !pending.acknowledged {
                refused.push("@original: the interaction has not been answered yet; there is no original response (10008 Unknown Message)".into());
                return plain(error(404, 10008, "Unknown Message"));
            }
            if pending.at.elapsed() > TOKEN_LIFETIME {
                refused.push(
                    "webhooks: the interaction token is older than 15 minutes (50027 Invalid Webhook Token)".into(),
                );
                return plain(error(401, 50027, "Invalid Webhook Token"));
            }
            let problems = limits::message(&json_body, limits::Target::InteractionReply);
            if !problems.is_empty() {
                refused.extend(problems);
                return plain(invalid_form(refused));
            }
            let mut message = message_json("1400000000000000002", "1100000000000000010", APP_ID, "", &[], true);
            message["attachments"] = files
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    json!({"id": format!("15000000000000000{i:02}"), "filename": f.filename, "size": f.data.len(),
                                     "url": format!("https://cdn.discordapp.com/attachments/1/{}", f.filename),
                                     "proxy_url": format!("https://media.discordapp.net/attachments/1/{}", f.filename),
                                     "content_type": f.content_type})
                })
                .collect();
            message["embeds"] = json_body["embeds"].clone();
            plain((200, message))
        }
        ("GET", ["guilds", guild, "roles"]) => {
            if *guild != GUILD_ID {
                refused.push(format!("guilds/{guild}: the bot is in no such guild (10004 Unknown Guild)"));
                return plain(error(404, 10004, "Unknown Guild"));
            }
            plain((
                200,
                json!([
                    role_json(GUILD_ID, "@everyone", None),
                    role_json(BOT_ROLE_ID, "imlaws", Some(BOT_ID)),
                    role_json("1100000000000000888", "moderators", None),
                ]),
            ))
        }
        _ => {
            refused.push("no such route (the fake knows the routes imlaws needs; Discord answers 404)".into());
            plain(error(404, 0, "404: Not Found"))
        }
    }
}

/// `POST /interactions/{id}/{token}/callback`: a dispatched interaction, answered once,
/// within 3 s, with a body that fits the interaction's type.
fn callback(shared: &Shared, id: &str, token: &str, body: &Value, refused: &mut Vec<String>) -> Reply {
    let plain = |(status, v): (u16, Value)| (status, v, Vec::new());
    if shared.callback_429s.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok() {
        return (
            429,
            json!({"message": "You are being rate limited.", "retry_after": RETRY_AFTER_BODY, "global": false}),
            vec![
                ("retry-after", RETRY_AFTER_HEADER.to_string()),
                ("x-ratelimit-scope", "user".into()),
                ("x-ratelimit-global", "false".into()),
            ],
        );
    }
    if shared.callback_400s.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1)).is_ok() {
        return plain(error(400, 40060, "Interaction has already been acknowledged."));
    }
    let faults = *shared.faults.lock().unwrap();
    if let Some(f) = faults {
        let roll = chance(shared);
        if roll < f.rate_limit {
            shared.injected.lock().unwrap().0 += 1;
            return (
                429,
                json!({"message": "You are being rate limited.", "retry_after": f.retry_after, "global": false}),
                vec![("retry-after", RETRY_AFTER_HEADER.to_string()), ("x-ratelimit-scope", "user".into())],
            );
        }
        if roll < f.rate_limit + f.server_error {
            shared.injected.lock().unwrap().1 += 1;
            return plain(error(500, 0, "500: Internal Server Error"));
        }
    }
    let mut interactions = shared.interactions.lock().unwrap();
    let Some(pending) = interactions.get_mut(id).filter(|p| p.token == token) else {
        refused
            .push(format!("interaction {id}: none was dispatched with that id and token (10062 Unknown interaction)"));
        return plain(error(404, 10062, "Unknown interaction"));
    };
    let waited = pending.at.elapsed();
    if waited > INTERACTION_DEADLINE {
        refused.push(format!(
            "interaction {id}: answered {waited:?} after dispatch; Discord's deadline is 3 s, then the token is invalid (10062 Unknown interaction)"
        ));
        return plain(error(404, 10062, "Unknown interaction"));
    }
    if pending.acknowledged {
        refused.push(format!("interaction {id}: answered twice (40060 Interaction has already been acknowledged)"));
        return plain(error(400, 40060, "Interaction has already been acknowledged."));
    }
    let problems = limits::callback(pending.kind, body);
    if !problems.is_empty() {
        refused.extend(problems);
        return plain(invalid_form(refused));
    }
    pending.acknowledged = true;
    *shared.answered.lock().unwrap().entry(id.to_string()).or_insert(0) += 1;
    plain((204, Value::Null))
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

/// Why the fake ends or refuses a gateway exchange.
enum Verdict {
    Close(u16, String),
    InvalidSession(String),
}

async fn send(ws: &mut tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>, v: Value) -> bool {
    ws.send(Ws::Text(v.to_string())).await.is_ok()
}

/// IDENTIFY (§6): the bot's token, defined intents only, privileged ones only when the
/// portal switched them on, the connection properties, a valid shard.
fn check_identify(shared: &Shared, d: &Value) -> Result<(), Verdict> {
    let token = d["token"].as_str().unwrap_or_default();
    if token.strip_prefix("Bot ").unwrap_or(token) != TOKEN {
        return Err(Verdict::Close(
            4004,
            "IDENTIFY: the token is not the bot's (close 4004 Authentication failed)".into(),
        ));
    }
    let Some(intents) = d["intents"].as_u64() else {
        return Err(Verdict::Close(
            4013,
            format!("IDENTIFY: intents must be an integer, got {} (close 4013 Invalid intent(s))", d["intents"]),
        ));
    };
    if intents & !DEFINED_INTENTS != 0 {
        return Err(Verdict::Close(
            4013,
            format!(
                "IDENTIFY: intents {intents:#x} set undefined bits {:#x} (close 4013 Invalid intent(s))",
                intents & !DEFINED_INTENTS
            ),
        ));
    }
    let disallowed = intents & PRIVILEGED_INTENTS & !shared.privileged_enabled.load(Ordering::SeqCst);
    if disallowed != 0 {
        return Err(Verdict::Close(
            4014,
            format!("IDENTIFY: privileged intents {disallowed:#x} not switched on in the portal (close 4014 Disallowed intent(s))"),
        ));
    }
    let p = &d["properties"];
    if !["os", "browser", "device"].iter().all(|k| p[k].is_string()) {
        return Err(Verdict::Close(
            4002,
            format!("IDENTIFY: properties need os, browser and device, got {p} (close 4002 Decode error)"),
        ));
    }
    if !d["shard"].is_null() {
        let (id, n) = (d["shard"][0].as_u64(), d["shard"][1].as_u64());
        if !matches!((id, n), (Some(id), Some(n)) if n >= 1 && id < n) {
            return Err(Verdict::Close(
                4010,
                format!("IDENTIFY: shard {} is not [id, count] with id < count (close 4010 Invalid shard)", d["shard"]),
            ));
        }
    }
    Ok(())
}

/// RESUME (§6): the session READY gave, a sequence the fake sent; returns the events
/// to replay (those after the bot's sequence).
fn check_resume(shared: &Shared, d: &Value, conn: u64) -> Result<(Vec<Value>, u64), Verdict> {
    let token = d["token"].as_str().unwrap_or_default();
    if token.strip_prefix("Bot ").unwrap_or(token) != TOKEN {
        return Err(Verdict::Close(
            4004,
            "RESUME: the token is not the bot's (close 4004 Authentication failed)".into(),
        ));
    }
    let (sid, seq) = (d["session_id"].as_str().unwrap_or_default(), d["seq"].as_u64());
    shared.resumes.lock().unwrap().push((sid.to_string(), seq.unwrap_or(u64::MAX)));
    let mut session = shared.session.lock().unwrap();
    let Some(session) = session.as_mut() else {
        return Err(Verdict::InvalidSession(format!(
            "RESUME: session `{sid}` but READY never opened one (op 9 Invalid Session)"
        )));
    };
    if sid != session.id {
        return Err(Verdict::InvalidSession(format!(
            "RESUME: session_id `{sid}` is not the one READY gave (`{}`) (op 9 Invalid Session, gateway#resuming)",
            session.id
        )));
    }
    let Some(seq) = seq.filter(|s| *s <= session.seq) else {
        return Err(Verdict::InvalidSession(format!(
            "RESUME: seq {} but the last event sent was {} (op 9 Invalid Session, gateway#resuming)",
            d["seq"], session.seq
        )));
    };
    if seq < session.dropped {
        return Err(Verdict::InvalidSession(format!(
            "RESUME: seq {seq} is older than the events kept for replay (op 9 Invalid Session, gateway#resuming)"
        )));
    }
    let missed = session.events.iter().filter(|(s, _)| *s > seq).map(|(_, e)| e.clone()).collect();
    // RESUMED's sequence, and this connection live, in the same breath as the replay:
    // a dispatch made meanwhile is either replayed or sent after it.
    session.seq += 1;
    session.live = Some(conn);
    Ok((missed, session.seq))
}

async fn gateway_connection(shared: Arc<Shared>, stream: tokio::net::TcpStream) {
    let Ok(mut ws) = tokio_tungstenite::accept_async(stream).await else { return };
    let me = shared.connections.fetch_add(1, Ordering::SeqCst) + 1;
    log(&shared, "CONNECT");
    let (tx, mut rx) = mpsc::unbounded_channel();
    *shared.conn.lock().unwrap() = Some(tx);
    if !send(&mut ws, json!({"op": 10, "d": {"heartbeat_interval": 41250}, "s": null, "t": null})).await {
        return;
    }
    let ws_url = shared.ws_url.lock().unwrap().clone();
    let mut authenticated = false;
    loop {
        let verdict = tokio::select! {
            frame = ws.next() => {
                let Some(Ok(frame)) = frame else { break };
                let Ws::Text(text) = frame else { continue };
                let v = serde_json::from_str::<Value>(&text).unwrap_or(Value::Null);
                match (v["op"].as_u64(), authenticated) {
                    _ if !v.is_object() => Some(Verdict::Close(4002, "a frame that is not a JSON object (close 4002 Decode error)".into())),
                    (Some(1), _) => {
                        log(&shared, "HEARTBEAT");
                        send(&mut ws, json!({"op": 11, "d": null, "s": null, "t": null})).await;
                        None
                    }
                    (Some(2 | 6), true) => Some(Verdict::Close(4005, "IDENTIFY or RESUME on an authenticated connection (close 4005 Already authenticated)".into())),
                    (Some(2), false) => {
                        log(&shared, "IDENTIFY");
                        match check_identify(&shared, &v["d"]) {
                            Err(why) => Some(why),
                            Ok(()) => {
                                let mut d = v["d"].clone();
                                d.as_object_mut().map(|o| o.remove("token"));
                                shared.identifies.lock().unwrap().push(d);
                                let n = shared.sessions.fetch_add(1, Ordering::SeqCst) + 1;
                                let id = format!("fake-session-{n}");
                                let ready = json!({"op": 0, "t": "READY", "s": 1, "d": {
                                    "v": 10, "user": user(), "guilds": [{"id": GUILD_ID, "unavailable": true}],
                                    "session_id": id, "resume_gateway_url": ws_url, "shard": v["d"]["shard"].as_array().map_or(json!([0, 1]), |s| json!(s)),
                                    "application": {"id": APP_ID, "flags": 0}
                                }});
                                *shared.session.lock().unwrap() = Some(Session { id, seq: 1, events: Vec::new(), live: Some(me), dropped: 0 });
                                authenticated = true;
                                send(&mut ws, ready).await;
                                log(&shared, "READY");
                                None
                            }
                        }
                    }
                    (Some(6), false) => {
                        log(&shared, "RESUME");
                        match check_resume(&shared, &v["d"], me) {
                            Err(why) => Some(why),
                            Ok((missed, s)) => {
                                for event in &missed {
                                    send(&mut ws, event.clone()).await;
                                }
                                if !missed.is_empty() {
                                    log(&shared, &format!("REPLAY {}", missed.len()));
                                }
                                authenticated = true;
                                send(&mut ws, json!({"op": 0, "t": "RESUMED", "s": s, "d": {}})).await;
                                log(&shared, "RESUMED");
                                None
                            }
                        }
                    }
                    (Some(3 | 4 | 8), true) => None,
                    (Some(3 | 4 | 8), false) => Some(Verdict::Close(4003, format!("op {} before IDENTIFY (close 4003 Not authenticated)", v["op"]))),
                    (op, _) => Some(Verdict::Close(4001, format!("op {op:?} is not one a client sends (close 4001 Unknown opcode)"))),
                }
            }
            cmd = rx.recv() => match cmd {
                Some(Command::Send(v)) => {
                    if !send(&mut ws, v).await {
                        break;
                    }
                    None
                }
                Some(Command::Close(code)) => {
                    not_live(&shared, me);
                    log(&shared, &format!("CLOSE {code}"));
                    let _ = ws.send(Ws::Close(Some(CloseFrame { code: CloseCode::from(code), reason: "fake close".into() }))).await;
                    break;
                }
                Some(Command::Drop) => {
                    not_live(&shared, me);
                    log(&shared, "DROP");
                    break;
                }
                None => break,
            }
        };
        match verdict {
            None => {}
            Some(Verdict::Close(code, why)) => {
                violation(&shared, format!("gateway: {why}"));
                log(&shared, &format!("CLOSE {code}"));
                let reason = match code {
                    4004 => "Authentication failed.",
                    4013 => "Invalid intent(s).",
                    4014 => "Disallowed intent(s).",
                    _ => "Refused by the fake Discord.",
                };
                let _ =
                    ws.send(Ws::Close(Some(CloseFrame { code: CloseCode::from(code), reason: reason.into() }))).await;
                break;
            }
            Some(Verdict::InvalidSession(why)) => {
                violation(&shared, format!("gateway: {why}"));
                log(&shared, "INVALID_SESSION");
                send(&mut ws, json!({"op": 9, "d": false, "s": null, "t": null})).await;
            }
        }
    }
    not_live(&shared, me);
    log(&shared, "CLOSED");
}

/// Connection `me` no longer carries the session's dispatches.
fn not_live(shared: &Shared, me: u64) {
    if let Some(session) = shared.session.lock().unwrap().as_mut().filter(|s| s.live == Some(me)) {
        session.live = None;
    }
}
