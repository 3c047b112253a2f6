//! Drives the real `imlaws` binary: arguments, stdin, and what came back.
#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

/// Run `imlaws ARGS` with `stdin`, with the Discord secrets and config cleared.
pub fn imlaws(args: &[&str], stdin: &str) -> Run {
    imlaws_env(args, stdin, &[])
}

pub fn imlaws_env(args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_imlaws"));
    cmd.args(args)
        .env_remove("IMLAWS_CONFIG")
        .env_remove("DISCORD_TOKEN")
        .env_remove("DISCORD_PUBLIC_KEY")
        .env_remove("RUST_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn imlaws");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("write stdin");
    let out = output_within(child, Duration::from_secs(60));
    Run {
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
        code: out.status.code().unwrap_or(-1),
    }
}

/// Wait for `child` to exit; after `limit` kill it and fail the test (a process that
/// ignores its signal or its input must not hang the suite).
pub fn wait_within(child: &mut Child, limit: Duration) -> ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("process {} did not exit within {limit:?}", child.id());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// `Child::wait_with_output`, failing the test after `limit`.
pub fn output_within(mut child: Child, limit: Duration) -> Output {
    use std::io::Read;
    let pipe = |p: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = p {
                let _ = p.read_to_end(&mut buf);
            }
            buf
        })
    };
    let stdout = pipe(child.stdout.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let stderr = pipe(child.stderr.take().map(|p| Box::new(p) as Box<dyn Read + Send>));
    let status = wait_within(&mut child, limit);
    Output { status, stdout: stdout.join().expect("stdout"), stderr: stderr.join().expect("stderr") }
}

/// `Command::output` with piped stdout and stderr, failing the test after `limit`.
pub fn run_within(cmd: &mut Command, limit: Duration) -> Output {
    let child = cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("spawn");
    output_within(child, limit)
}

/// A fresh copy of `config/` in a temporary folder, for tests that break it.
pub fn config_copy(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("imlaws-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("config");
    for entry in std::fs::read_dir(src).expect("config dir") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), dir.join(entry.file_name())).expect("copy");
    }
    dir
}
/// A raw HTTP/1.1 exchange with a server on loopback: (status, body).
pub fn exchange(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> (u16, String) {
    use std::io::Read;
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
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

/// POST `body` to `/interactions` at `addr`, signed with `key` as Discord signs it:
/// (status, body).
pub fn post_signed(addr: std::net::SocketAddr, key: &ed25519_dalek::SigningKey, body: &[u8]) -> (u16, String) {
    let ts = discord::now();
    let headers = [
        ("Content-Type", "application/json".to_string()),
        ("X-Signature-Ed25519", discord::sign(key, &ts, body)),
        ("X-Signature-Timestamp", ts),
    ];
    exchange(addr, "POST", "/interactions", &headers, body)
}

/// `imlaws run` against the fake Discord (`--discord-proxy`), with `extra` arguments,
/// `RUST_LOG=log` and `DISCORD_TOKEN=token`; the environment's own proxy and metrics
/// address cleared. Killed when dropped.
pub fn bot(fake: &fake_discord::FakeDiscord, extra: &[&str], log: &str, token: &str) -> tokio::process::Child {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_imlaws"))
        .arg("run")
        .args(["--discord-proxy", &fake.proxy_url()])
        .args(extra)
        .env("DISCORD_TOKEN", token)
        .env("RUST_LOG", log)
        .env_remove("IMLAWS_DISCORD_PROXY")
        .env_remove("IMLAWS_METRICS_LISTEN")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn imlaws run")
}

pub mod discord;
pub mod fake_discord;
pub mod limits;
