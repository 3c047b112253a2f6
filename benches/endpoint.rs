//! Load on the HTTP interactions endpoint (issue 5): throughput and latency of signed
//! `/assess` requests from a loopback load generator, the server's CPU time per request
//! against one Ed25519 verification, and the same load against Discord's sample approach
//! (Node with `discord-interactions`), installed into a temporary folder when npm works.
//!
//! `cargo bench --bench endpoint`

#[path = "../tests/common/discord.rs"]
mod discord;

use discord::{keypair, now, public_hex, sign};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CONNECTIONS: usize = 8;

struct Conn {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Conn {
    fn open(addr: SocketAddr) -> Conn {
        let s = TcpStream::connect(addr).expect("connect");
        s.set_nodelay(true).unwrap();
        Conn { reader: BufReader::new(s.try_clone().unwrap()), writer: s }
    }

    /// One keep-alive request; returns the status.
    fn send(&mut self, request: &[u8]) -> u16 {
        self.writer.write_all(request).expect("write");
        let mut line = String::new();
        self.reader.read_line(&mut line).expect("status line");
        let status = line.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        let mut length = 0;
        loop {
            line.clear();
            self.reader.read_line(&mut line).expect("header");
            if line == "\r\n" {
                break;
            }
            if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).expect("body");
        status
    }
}

fn request(addr: SocketAddr, key: &ed25519_dalek::SigningKey, locale: &str) -> Vec<u8> {
    let body = discord::command(
        "assess",
        discord::string_options(&[("identity", "anonymous"), ("audience", "strangers")]),
        locale,
    )
    .to_string();
    let ts = now();
    let sig = sign(key, &ts, body.as_bytes());
    format!(
        "POST /interactions HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nX-Signature-Ed25519: {sig}\r\nX-Signature-Timestamp: {ts}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// User plus system CPU ticks of `pid`, from `/proc/PID/stat`. A measurement that
/// cannot be made stops the bench: 0 would read as "target met".
fn cpu_ticks(pid: u32) -> u64 {
    let path = format!("/proc/{pid}/stat");
    let stat = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot measure CPU time: {path}: {e}"));
    // Fields after the command name: state is 0, utime 11, stime 12 (proc(5)).
    let fields: Vec<&str> = stat.rsplit_once(')').map(|(_, r)| r.split_whitespace().collect()).unwrap_or_default();
    let field = |i: usize| -> u64 {
        fields
            .get(i)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("cannot measure CPU time: {path}: {stat:?}"))
    };
    field(11) + field(12)
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Drive `rate` requests/s (0 = as fast as possible) for `secs`; (requests, latencies).
fn load(addr: SocketAddr, reqs: &[Vec<u8>], rate: u64, secs: u64) -> (usize, Vec<Duration>) {
    let start = Instant::now() + Duration::from_millis(50);
    let handles: Vec<_> = (0..CONNECTIONS)
        .map(|c| {
            let reqs = reqs.to_vec();
            std::thread::spawn(move || {
                let mut conn = Conn::open(addr);
                let mut lat = Vec::new();
                let per_conn =
                    if rate == 0 { None } else { Some(Duration::from_secs_f64(CONNECTIONS as f64 / rate as f64)) };
                let end = start + Duration::from_secs(secs);
                let mut i = 0u32;
                loop {
                    let due = match per_conn {
                        Some(gap) => start + gap * i + gap * c as u32 / CONNECTIONS as u32,
                        None => Instant::now(),
                    };
                    if due >= end {
                        break;
                    }
                    if let Some(wait) = due.checked_duration_since(Instant::now()) {
                        std::thread::sleep(wait);
                    }
                    // Latency counts from when the request was due (no coordinated omission).
                    let t0 = if per_conn.is_some() { due } else { Instant::now() };
                    let status = conn.send(&reqs[i as usize % reqs.len()]);
                    assert_eq!(status, 200, "the endpoint refused a signed request");
                    lat.push(t0.elapsed());
                    i += 1;
                }
                lat
            })
        })
        .collect();
    let mut all: Vec<Duration> = handles.into_iter().flat_map(|h| h.join().unwrap()).collect();
    all.sort();
    (all.len(), all)
}

/// Load `addr` and print throughput and latency; returns the server's CPU per request.
fn report(name: &str, pid: u32, addr: SocketAddr, reqs: &[Vec<u8>]) -> Duration {
    let tick = Duration::from_secs(1) / 100; // USER_HZ
    let cpu0 = cpu_ticks(pid);
    let t0 = Instant::now();
    let (n, lat) = load(addr, reqs, 0, 4);
    let elapsed = t0.elapsed().as_secs_f64();
    assert!(n > 0, "{name}: no request completed");
    let per = tick * (cpu_ticks(pid) - cpu0) as u32 / n as u32;
    println!(
        "{name}: closed loop, {CONNECTIONS} connections: {:.0} req/s, p50 {:?}, p99 {:?}",
        n as f64 / elapsed,
        pct(&lat, 0.5),
        pct(&lat, 0.99)
    );
    let (n, lat) = load(addr, reqs, 1000, 5);
    println!(
        "{name}: 1000 req/s for 5 s ({n} requests): p50 {:?}, p99 {:?}, max {:?}",
        pct(&lat, 0.5),
        pct(&lat, 0.99),
        lat.last().unwrap()
    );
    per
}

fn ratio(name: &str, per: Duration, verify: Duration) {
    println!(
        "{name}: server CPU {per:?} per request = {:.2} × one verification ({verify:?})",
        per.as_secs_f64() / verify.as_secs_f64()
    );
}

fn wait_listening(addr: SocketAddr) {
    for _ in 0..200 {
        if TcpStream::connect(addr).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("nothing listening on {addr}");
}

struct Kill(Child);
impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let key = keypair();
    // One Ed25519 verification, as the server does it (serenity's Verifier), timed
    // right before and after the imlaws run and averaged: this VM's speed drifts.
    let verifier = serenity::interactions_endpoint::Verifier::new(&public_hex(&key));
    let body = discord::command(
        "assess",
        discord::string_options(&[("identity", "anonymous"), ("audience", "strangers")]),
        "en-US",
    )
    .to_string();
    let ts = now();
    let sig = sign(&key, &ts, body.as_bytes());
    let time_verify = || {
        let rounds = 5000;
        let t0 = Instant::now();
        for _ in 0..rounds {
            assert!(verifier.verify(&sig, &ts, body.as_bytes()).is_ok());
        }
        t0.elapsed() / rounds
    };
    let verify_before = time_verify();
    let mut child = Command::new(env!("CARGO_BIN_EXE_imlaws"))
        .args(["serve", "--listen", "127.0.0.1:0"])
        .env("DISCORD_PUBLIC_KEY", public_hex(&key))
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("imlaws serve");
    let addr = discord::announced_addr(&mut child);
    let pid = child.id();
    let server = Kill(child);
    let reqs: Vec<Vec<u8>> = ["en-US", "zh-CN"].iter().map(|l| request(addr, &key, l)).collect();
    let per = report("imlaws serve", pid, addr, &reqs);
    let verify = (verify_before + time_verify()) / 2;
    ratio("imlaws serve", per, verify);
    drop(server);

    // Discord's sample approach: Node's http server with discord-interactions' verifyKey.
    let dir = std::env::temp_dir().join(format!("imlaws-node-bench-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let installed = Command::new("npm")
        .args(["install", "--silent", "--no-audit", "--no-fund", "discord-interactions@4"])
        .current_dir(&dir)
        .status()
        .is_ok_and(|s| s.success());
    if !installed {
        println!("node discord-interactions: skipped (npm install failed)");
        return;
    }
    let port = 20000 + (std::process::id() % 20000) as u16;
    std::fs::write(
        dir.join("server.mjs"),
        format!(
            r#"import http from "node:http";
import {{ verifyKey }} from "discord-interactions";
const KEY = "{key}";
http.createServer((req, res) => {{
  const chunks = [];
  req.on("data", c => chunks.push(c));
  req.on("end", async () => {{
    const body = Buffer.concat(chunks);
    const ok = await verifyKey(body, req.headers["x-signature-ed25519"], req.headers["x-signature-timestamp"], KEY);
    if (!ok) {{ res.writeHead(401).end(); return; }}
    const i = JSON.parse(body);
    const out = JSON.stringify({{ type: 4, data: {{ content: "ok " + i.data.name }} }});
    res.writeHead(200, {{ "content-type": "application/json", "content-length": Buffer.byteLength(out) }}).end(out);
  }});
}}).listen({port}, "127.0.0.1");
"#,
            key = public_hex(&key)
        ),
    )
    .unwrap();
    let node = Command::new("node").arg("server.mjs").current_dir(&dir).spawn().expect("node");
    let pid = node.id();
    let node = Kill(node);
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    wait_listening(addr);
    let reqs: Vec<Vec<u8>> = ["en-US", "zh-CN"].iter().map(|l| request(addr, &key, l)).collect();
    let name = "node + discord-interactions (verify only, fixed reply)";
    let per = report(name, pid, addr, &reqs);
    ratio(name, per, verify);
    drop(node);
    let _ = std::fs::remove_dir_all(&dir);
}
