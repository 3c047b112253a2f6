//! Interactions as Discord sends them, and signing like Discord does.
#![allow(dead_code)]

use ed25519_dalek::{Signer, SigningKey};
use serde_json::{json, Value};
use std::io::Read;

/// A fresh Ed25519 key pair from the OS's randomness.
/// The REST path of an interaction's callback: `/interactions/{id}/{token}/callback`.
pub fn callback_path(interaction: &Value) -> String {
    let field = |k: &str| interaction[k].as_str().unwrap_or_else(|| panic!("an interaction's {k}")).to_string();
    format!("/interactions/{}/{}/callback", field("id"), field("token"))
}

pub fn keypair() -> SigningKey {
    let mut seed = [0u8; 32];
    std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut seed)).expect("urandom");
    SigningKey::from_bytes(&seed)
}

pub fn public_hex(key: &SigningKey) -> String {
    key.verifying_key().to_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

/// The X-Signature-Ed25519 header for `timestamp + body`.
pub fn sign(key: &SigningKey, timestamp: &str, body: &[u8]) -> String {
    let mut msg = timestamp.as_bytes().to_vec();
    msg.extend_from_slice(body);
    key.sign(&msg).to_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

pub fn now() -> String {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs().to_string()
}

/// A `POST /interactions` of `body` to `addr`, signed now with `key`, as raw HTTP/1.1.
pub fn signed_request(addr: std::net::SocketAddr, key: &SigningKey, body: &str) -> Vec<u8> {
    let ts = now();
    let sig = sign(key, &ts, body.as_bytes());
    format!(
        "POST /interactions HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nX-Signature-Ed25519: {sig}\r\nX-Signature-Timestamp: {ts}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// The endpoint benches' workload: `/assess` of an anonymous app for strangers.
pub fn assess_body(locale: &str) -> String {
    command("assess", string_options(&[("identity", "anonymous"), ("audience", "strangers")]), locale).to_string()
}

/// A guild slash-command interaction, as in the platform fact sheet.
pub fn command(name: &str, options: Value, locale: &str) -> Value {
    json!({
        "id": "1301000000000000001",
        "application_id": "1200000000000000000",
        "type": 2,
        "data": {"id": "1250000000000000000", "name": name, "type": 1, "options": options},
        "guild": {"id": "1100000000000000000", "locale": "en-US", "features": []},
        "guild_id": "1100000000000000000",
        "channel": {"id": "1100000000000000010", "type": 0, "name": "general", "guild_id": "1100000000000000000",
                    "permissions": "2147483647", "nsfw": false},
        "channel_id": "1100000000000000010",
        "member": {
            "user": {"id": "900000000000000001", "username": "alice", "discriminator": "0", "global_name": "Alice",
                     "avatar": null, "public_flags": 0},
            "nick": null, "avatar": null, "roles": [], "joined_at": "2024-05-01T12:00:00.000000+00:00",
            "premium_since": null, "deaf": false, "mute": false, "flags": 0, "pending": false,
            "permissions": "2147483647", "communication_disabled_until": null
        },
        "token": "interaction-token-1",
        "version": 1,
        "app_permissions": "2147483647",
        "locale": locale,
        "guild_locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": {"0": "1100000000000000000"},
        "context": 0,
        "attachment_size_limit": 10485760
    })
}

/// `/app` autocomplete with `typed` in the focused option.
pub fn autocomplete(typed: &str, locale: &str) -> Value {
    let mut v = command("app", json!([{"name": "name", "type": 3, "value": typed, "focused": true}]), locale);
    v["type"] = json!(4);
    v
}

pub fn ping() -> Value {
    json!({"id": "1301000000000000002", "application_id": "1200000000000000000", "type": 1, "token": "t", "version": 1})
}

pub fn string_options(pairs: &[(&str, &str)]) -> Value {
    Value::Array(pairs.iter().map(|(n, v)| json!({"name": n, "type": 3, "value": v})).collect())
}

/// The address `imlaws serve` announces on its first line of stdout; fails the test if
/// that line does not come within 20 s.
pub fn announced_addr(child: &mut std::process::Child) -> std::net::SocketAddr {
    use std::io::BufRead;
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = std::io::BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx.recv_timeout(std::time::Duration::from_secs(20)).unwrap_or_else(|_| {
        let _ = child.kill();
        panic!("imlaws serve announced no address within 20 s")
    });
    line.trim()
        .trim_start_matches("imlaws: interactions endpoint on http://")
        .trim_end_matches("/interactions")
        .parse()
        .unwrap_or_else(|_| panic!("not an announcement: {line:?}"))
}

/// A click on a component of a message imlaws sent, as Discord delivers it: a select
/// (`values`) or a button (`None`), by `user`.
pub fn component(custom_id: &str, values: Option<&[&str]>, user: &str, locale: &str) -> Value {
    let mut v = command("assess", json!([]), locale);
    v["type"] = json!(3);
    v["member"]["user"]["id"] = json!(user);
    v["data"] = match values {
        Some(values) => json!({"custom_id": custom_id, "component_type": 3, "values": values}),
        None => json!({"custom_id": custom_id, "component_type": 2}),
    };
    v["message"] = json!({
        "id": "1302000000000000001", "channel_id": "1100000000000000010",
        "author": {"id": "1200000000000000000", "username": "imlaws", "discriminator": "0", "avatar": null, "bot": true},
        "content": "", "timestamp": "2026-11-30T12:00:00.000000+00:00", "edited_timestamp": null, "tts": false,
        "mention_everyone": false, "mentions": [], "mention_roles": [], "attachments": [], "embeds": [],
        "pinned": false, "type": 20, "flags": 0, "components": []
    });
    v
}

/// The custom_id of the component whose action (the id's third part) starts with
/// `action` (`c`, `o`, `n…`, `w`).
pub fn custom_id(response: &Value, action: &str) -> String {
    let data = if response["data"].is_null() { response } else { &response["data"] };
    data["components"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row["components"].as_array().cloned().unwrap_or_default())
        .filter_map(|c| c["custom_id"].as_str().map(str::to_string))
        .find(|id| id.split('.').nth(2).is_some_and(|a| a.starts_with(action)))
        .unwrap_or_else(|| panic!("no `{action}` component in {response}"))
}
