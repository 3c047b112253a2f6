//! The HTTP interactions endpoint, over a real socket: signed requests from a key pair
//! made here, every command in both languages, and every refusal.

mod common;

use common::discord::{self, keypair, now, public_hex, sign};
use ed25519_dalek::SigningKey;
use imlaws::discord::http::{self, Endpoint};
use imlaws::kb::Kb;
use proptest::prelude::*;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::OnceLock;
use std::time::Duration;

struct Server {
    addr: SocketAddr,
    key: SigningKey,
}

/// One endpoint for the whole test binary, on a loopback port, in its own runtime.
fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let key = keypair();
        let kb: &'static Kb = Box::leak(Box::new(Kb::builtin().unwrap()));
        let verifier = http::verifier(Some(&public_hex(&key))).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                tx.send(listener.local_addr().unwrap()).unwrap();
                http::serve(listener, Endpoint::new(kb, verifier), std::future::pending()).await.unwrap();
            });
        });
        Server { addr: rx.recv().unwrap(), key }
    })
}

/// A raw HTTP/1.1 exchange: (status, body).
fn exchange(addr: SocketAddr, method: &str, path: &str, headers: &[(&str, String)], body: &[u8]) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut req =
        format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    let _ = s.write_all(body);
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).to_string();
    let status = text.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default();
    (status, body)
}

fn signed(body: &[u8]) -> (u16, String) {
    let s = server();
    let ts = now();
    let headers = [
        ("Content-Type", "application/json".to_string()),
        ("X-Signature-Ed25519", sign(&s.key, &ts, body)),
        ("X-Signature-Timestamp", ts),
    ];
    exchange(s.addr, "POST", "/interactions", &headers, body)
}

fn post(v: &Value) -> Value {
    let (status, body) = signed(v.to_string().as_bytes());
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).expect("JSON response")
}

fn embed_title(r: &Value) -> &str {
    r["data"]["embeds"][0]["title"].as_str().unwrap_or_else(|| panic!("no embed in {r}"))
}

#[test]
fn ping_is_answered_with_pong() {
    assert_eq!(post(&discord::ping())["type"], 1);
}

#[test]
fn every_command_in_both_languages() {
    let cases: Vec<(&str, Value, &str, &str)> = vec![
        (
            "assess",
            discord::string_options(&[("identity", "anonymous"), ("audience", "strangers")]),
            "Tool · outlook conditional",
            "工具 · 前景视条件而定",
        ),
        (
            "law",
            json!([{"name": "number", "type": 4, "value": 3}]),
            "Law 3: Each device-form change opens one chance",
            "第三定律：终端形态更迭带来一次机会",
        ),
        (
            "corollary",
            json!([{"name": "number", "type": 4, "value": 5}]),
            "Corollary 5: Stranger social is a tool in essence",
            "推论五：陌生人社交本质是工具",
        ),
        (
            "app",
            discord::string_options(&[("name", "WeChat")]),
            "WeChat (微信) · National chat app · favorable",
            "微信 (WeChat) · 全民聊天应用 · 前景看好",
        ),
        ("help", json!([]), "imlaws: the three laws of IM apps", "imlaws：IM 应用三定律"),
    ];
    for (name, options, en, zh) in cases {
        for (locale, title) in [("en-US", en), ("zh-CN", zh), ("zh-TW", zh), ("fr", en)] {
            let r = post(&discord::command(name, options.clone(), locale));
            assert_eq!(r["type"], 4, "{name} {locale}");
            assert_eq!(embed_title(&r), title, "{name} {locale}");
            assert!(r["data"]["flags"].is_null(), "public reply");
            assert_eq!(r["data"]["allowed_mentions"], json!({"parse": [], "users": [], "roles": []}));
        }
    }
    let colour = post(&discord::command(
        "assess",
        discord::string_options(&[("identity", "real-name"), ("audience", "enterprise")]),
        "en-US",
    ));
    assert_eq!(colour["data"]["embeds"][0]["color"], 0x2ECC71, "favorable is green");
}

#[test]
fn ask_follows_the_question_language() {
    let en = post(&discord::command(
        "ask",
        discord::string_options(&[("question", "an anonymous app where strangers nearby can chat")]),
        "zh-CN",
    ));
    assert_eq!(embed_title(&en), "Tool · outlook conditional");
    let zh = post(&discord::command(
        "ask",
        discord::string_options(&[("question", "面向企业员工的实名办公沟通工具")]),
        "en-US",
    ));
    assert_eq!(embed_title(&zh), "企业与校园 · 前景看好");
    let missing =
        post(&discord::command("ask", discord::string_options(&[("question", "an anonymous chat app")]), "en-US"));
    assert_eq!(missing["data"]["flags"], 64, "ephemeral");
    assert!(missing["data"]["content"].as_str().unwrap().starts_with("I could not tell the audience"));
}

#[test]
fn autocomplete_suggests_products_best_first() {
    let r = post(&discord::autocomplete("we", "en-US"));
    assert_eq!(r["type"], 8);
    let choices = r["data"]["choices"].as_array().unwrap();
    assert_eq!(choices[0], json!({"name": "WeChat (微信)", "value": "WeChat"}));
    assert!(choices.iter().any(|c| c["value"] == "WeCom"));
    let zh = post(&discord::autocomplete("飞", "zh-CN"));
    let names: Vec<&str> =
        zh["data"]["choices"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert!(names.contains(&"飞信 (Fetion)") && names.contains(&"飞书 (Feishu)"), "{names:?}");
    let all = post(&discord::autocomplete("", "en-US"));
    assert_eq!(all["data"]["choices"].as_array().unwrap().len(), 25, "at most 25");
}

#[test]
fn bad_option_values_and_unknown_commands_are_ephemeral() {
    let cases = [
        (
            discord::command(
                "assess",
                discord::string_options(&[("identity", "robot"), ("audience", "strangers")]),
                "en-US",
            ),
            "Unknown identity `robot`",
        ),
        (
            discord::command(
                "assess",
                discord::string_options(&[("identity", "robot"), ("audience", "strangers")]),
                "zh-CN",
            ),
            "未知的身份“robot”",
        ),
        (discord::command("law", json!([{"name": "number", "type": 4, "value": 9}]), "en-US"), "There is no law 9"),
        (
            discord::command("app", discord::string_options(&[("name", "Wechta")]), "en-US"),
            "`Wechta` is not one of the article's 27 products. Did you mean: WeChat (微信)?",
        ),
        (discord::command("weather", json!([]), "en-US"), "Unknown command `/weather`"),
    ];
    for (v, expected) in cases {
        let r = post(&v);
        assert_eq!(r["type"], 4);
        assert_eq!(r["data"]["flags"], 64, "{expected}");
        assert!(r["data"]["content"].as_str().unwrap().starts_with(expected), "{r}");
    }
}

#[test]
fn payloads_as_discord_documents_them_are_accepted() {
    // Discord's own sample leaves these out; serenity's model wants them.
    let mut v = discord::command("law", json!([{"name": "number", "type": 4, "value": 1}]), "en-US");
    for key in ["application_id", "version", "entitlements", "attachment_size_limit"] {
        v.as_object_mut().unwrap().remove(key);
    }
    v["member"].as_object_mut().unwrap().remove("flags");
    assert_eq!(embed_title(&post(&v)), "Law 1: One national chat app per country");
    let mut dm = discord::command("help", json!([]), "en-US");
    for key in ["guild", "guild_id", "member"] {
        dm.as_object_mut().unwrap().remove(key);
    }
    dm["user"] = json!({"id": "900000000000000001", "username": "alice", "discriminator": "0", "avatar": null});
    dm["context"] = json!(1);
    assert_eq!(post(&dm)["type"], 4);
}

#[test]
fn refusals_answer_with_their_documented_status() {
    let s = server();
    let body = discord::ping().to_string();
    let ts = now();
    let good_sig = sign(&s.key, &ts, body.as_bytes());
    let post_with =
        |headers: &[(&str, String)], body: &[u8]| exchange(s.addr, "POST", "/interactions", headers, body).0;
    assert_eq!(post_with(&[], body.as_bytes()), 401, "no headers");
    let wrong = keypair();
    assert_eq!(
        post_with(
            &[("X-Signature-Ed25519", sign(&wrong, &ts, body.as_bytes())), ("X-Signature-Timestamp", ts.clone())],
            body.as_bytes()
        ),
        401,
        "signed by another key"
    );
    assert_eq!(
        post_with(&[("X-Signature-Ed25519", "zz".into()), ("X-Signature-Timestamp", ts.clone())], body.as_bytes()),
        401,
        "garbage signature"
    );
    let altered = body.replace("\"type\":1", "\"type\":2");
    assert_ne!(altered, body);
    assert_eq!(
        post_with(
            &[("X-Signature-Ed25519", good_sig.clone()), ("X-Signature-Timestamp", ts.clone())],
            altered.as_bytes()
        ),
        401,
        "altered after signing"
    );
    let stale = (ts.parse::<u64>().unwrap() - 600).to_string();
    assert_eq!(
        post_with(
            &[("X-Signature-Ed25519", sign(&s.key, &stale, body.as_bytes())), ("X-Signature-Timestamp", stale)],
            body.as_bytes()
        ),
        401,
        "stale timestamp"
    );
    let big = vec![b' '; 65 * 1024];
    assert_eq!(
        post_with(&[("X-Signature-Ed25519", sign(&s.key, &ts, &big)), ("X-Signature-Timestamp", ts.clone())], &big),
        413,
        "oversized"
    );
    for bad in [&b"{not json"[..], b"[1,2,3]", b"{\"type\": 99}", b""] {
        assert_eq!(signed(bad).0, 400, "malformed: {}", String::from_utf8_lossy(bad));
    }
    assert_eq!(exchange(s.addr, "GET", "/healthz", &[], b"").0, 200);
    assert_eq!(exchange(s.addr, "GET", "/interactions", &[], b"").0, 405);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn random_requests_never_get_a_5xx(
        body in proptest::collection::vec(any::<u8>(), 0..2048),
        sig in "[0-9a-f]{0,130}",
        ts in "[0-9]{0,12}",
        sign_it in any::<bool>(),
        json_body in any::<bool>(),
    ) {
        let s = server();
        let body = if json_body { discord::command("assess", json!([{"name": "identity", "type": 3, "value": String::from_utf8_lossy(&body)}]), "zh-CN").to_string().into_bytes() } else { body };
        let (status, _) = if sign_it {
            signed(&body)
        } else {
            exchange(s.addr, "POST", "/interactions", &[("X-Signature-Ed25519", sig), ("X-Signature-Timestamp", ts)], &body)
        };
        prop_assert!((200..500).contains(&status), "status {}", status);
    }
}

#[test]
fn imlaws_serve_checks_its_key_answers_and_shuts_down_on_sigterm() {
    use std::process::{Command, Stdio};
    let bin = env!("CARGO_BIN_EXE_imlaws");
    for (key, expected) in [
        (None, "error: DISCORD_PUBLIC_KEY is not set"),
        (Some("abc"), "error: DISCORD_PUBLIC_KEY must be 64 hexadecimal characters"),
        (Some(&*"g".repeat(64)), "error: DISCORD_PUBLIC_KEY must be hexadecimal"),
    ] {
        let mut cmd = Command::new(bin);
        cmd.args(["serve", "--listen", "127.0.0.1:0"]).env_remove("DISCORD_PUBLIC_KEY");
        if let Some(k) = key {
            cmd.env("DISCORD_PUBLIC_KEY", k);
        }
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.starts_with(expected), "{stderr}");
        assert!(!stderr.contains("abc") || key != Some("abc"), "the key itself is never printed");
    }

    let key = keypair();
    let mut child = Command::new(bin)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("DISCORD_PUBLIC_KEY", public_hex(&key))
        .env("RUST_LOG", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let addr = discord::announced_addr(&mut child);
    let body = discord::ping().to_string();
    let ts = now();
    let (status, reply) = exchange(
        addr,
        "POST",
        "/interactions",
        &[("X-Signature-Ed25519", sign(&key, &ts, body.as_bytes())), ("X-Signature-Timestamp", ts)],
        body.as_bytes(),
    );
    assert_eq!((status, reply.as_str()), (200, "{\"type\":1,\"data\":null}"));
    let killed = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "clean exit on SIGTERM");
    let mut logs = String::new();
    child.stderr.take().unwrap().read_to_string(&mut logs).unwrap();
    assert!(logs.contains("path=/interactions status=200"), "{logs}");
    assert!(!logs.contains(&public_hex(&key)), "no key in the logs");
}

#[test]
fn the_documented_payload_takes_the_direct_parse() {
    // The fact sheet's payload deserialises straight into serenity's model, without the
    // slower fill-in-the-defaults path.
    let body = discord::command(
        "assess",
        discord::string_options(&[("identity", "anonymous"), ("audience", "strangers")]),
        "en-US",
    )
    .to_string();
    let direct = serde_json::from_slice::<serenity::all::Interaction>(body.as_bytes());
    assert!(direct.is_ok(), "{direct:?}");
}

#[test]
fn sigterm_finishes_the_request_in_flight() {
    use std::process::{Command, Stdio};
    let key = keypair();
    let mut child = Command::new(env!("CARGO_BIN_EXE_imlaws"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("DISCORD_PUBLIC_KEY", public_hex(&key))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let addr = discord::announced_addr(&mut child);
    let body = discord::command("law", json!([{"name": "number", "type": 4, "value": 2}]), "en-US").to_string();
    let ts = now();
    let head = format!(
        "POST /interactions HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nX-Signature-Ed25519: {}\r\nX-Signature-Timestamp: {ts}\r\nContent-Length: {}\r\n\r\n",
        sign(&key, &ts, body.as_bytes()),
        body.len()
    );
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    // Headers and half the body are in; the request is in flight when SIGTERM comes.
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(&body.as_bytes()[..body.len() / 2]).unwrap();
    std::thread::sleep(Duration::from_millis(200));
    assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success());
    std::thread::sleep(Duration::from_millis(200));
    s.write_all(&body.as_bytes()[body.len() / 2..]).unwrap();
    let mut reply = Vec::new();
    let mut buf = [0u8; 8192];
    while !String::from_utf8_lossy(&reply).contains("Law 2") {
        let n = s.read(&mut buf).unwrap();
        assert!(n > 0, "connection closed before the answer: {}", String::from_utf8_lossy(&reply));
        reply.extend_from_slice(&buf[..n]);
    }
    assert!(String::from_utf8_lossy(&reply).starts_with("HTTP/1.1 200"), "{}", String::from_utf8_lossy(&reply));
    drop(s);
    assert_eq!(child.wait().unwrap().code(), Some(0));
}
