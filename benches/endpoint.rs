//! Load on the HTTP interactions endpoint (issues 5 and 13): throughput, latency and the
//! server's CPU time per signed `/assess` request, for `imlaws serve` side by side with
//! a *bare floor* built here (axum + serenity's `Verifier` + a fixed JSON reply, in its
//! own process, on the same single-threaded runtime), under the same loopback load
//! generator and the same signed requests; then the same load against Discord's sample
//! approach (Node with `discord-interactions`), installed into a temporary folder when
//! npm works.
//!
//! `cargo bench --profile profiling --bench endpoint`
//!
//! Environment: `IMLAWS_BENCH_ROUNDS` (default 3) alternating rounds of each server,
//! figures reported per round and as medians; `IMLAWS_BENCH_CLOSED_SECS` and
//! `IMLAWS_BENCH_OPEN_SECS` (default 4 and 5) the length of each loop; `IMLAWS_BENCH_NODE=0` skips Node;
//! `IMLAWS_BENCH_PIN=0` leaves the servers and the load generator unpinned (by default each
//! server runs on the last CPU and the load generator on the others); `IMLAWS_BENCH_WAIT=block`
//! makes the load generator sleep in `read` instead of polling (see `load::Wait`);
//! `IMLAWS_BIN` runs another `imlaws` binary (e.g. an older build, for before/after);
//! `IMLAWS_BENCH_ALSO=PATH[:PATH…]` adds those `imlaws` binaries to every round, beside
//! the first, so builds are compared against the same floor and each other, round by
//! round, in the same minutes;
//! `IMLAWS_BENCH_SLICE_MS=N` cuts each round's closed loops into slices of N ms that the
//! servers (all started for the round) take in turn, so they share the machine's drift
//! instead of meeting it one after another (each slice opens its own 8 connections: at
//! 250 ms, a few thousand requests share their set-up);
//! `IMLAWS_BENCH_DUMP=DIR` writes the endpoint's answers to a fixed set of interactions
//! into DIR (one file each) and stops: `diff -r` two such folders to check that a
//! change left every answer byte-identical.

#[path = "../tests/common/discord.rs"]
mod discord;
#[path = "common/load.rs"]
mod load;

use load::{Conn, Wait};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use discord::{assess_body, keypair, now, public_hex, sign, signed_request};
use serde_json::{json, Value};
use serenity::interactions_endpoint::Verifier;

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

const CONNECTIONS: usize = 8;
/// The closed loop (as fast as the server answers) and the open loop at a fixed rate,
/// in seconds: 4 and 5 unless `IMLAWS_BENCH_CLOSED_SECS` / `IMLAWS_BENCH_OPEN_SECS` say.
/// Shorter loops and more rounds interleave the servers more finely, which evens out a
/// shared machine's drift between them.
static CLOSED_SECS: std::sync::LazyLock<u64> = std::sync::LazyLock::new(|| secs("IMLAWS_BENCH_CLOSED_SECS", 4));
static OPEN_SECS: std::sync::LazyLock<u64> = std::sync::LazyLock::new(|| secs("IMLAWS_BENCH_OPEN_SECS", 5));
/// `IMLAWS_BENCH_SLICE_MS`: the closed loop of every server in a round, cut into slices
/// of this length and taken in turn (none: one after another, whole).
static SLICE: std::sync::LazyLock<Option<Duration>> = std::sync::LazyLock::new(|| {
    std::env::var("IMLAWS_BENCH_SLICE_MS")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|&ms| ms > 0)
        .map(Duration::from_millis)
});

fn secs(var: &str, default: u64) -> u64 {
    std::env::var(var).ok().and_then(|v| v.parse().ok()).filter(|&s| s > 0).unwrap_or(default)
}
const OPEN_RATE: u64 = 1000;

/// Where the servers and the load generator run: each server on the last CPU, the load
/// generator on the others, as Discord's side runs on other machines in production (on
/// one shared core, the 8 client threads preempt the server mid-request and evict its
/// caches, a cost no real deployment pays). `IMLAWS_BENCH_PIN=0`, or a single CPU, leaves
/// the scheduler free.
static PLACEMENT: std::sync::LazyLock<Option<(usize, Vec<usize>)>> = std::sync::LazyLock::new(|| {
    if std::env::var("IMLAWS_BENCH_PIN").is_ok_and(|v| v == "0") {
        return None;
    }
    let mut cpus = cpus();
    let server = cpus.pop()?;
    (!cpus.is_empty()).then_some((server, cpus))
});

/// How the load generator waits for answers: polling when it has CPUs of its own (see
/// [`Wait::Poll`]), unless `IMLAWS_BENCH_WAIT=block`.
static WAIT: std::sync::LazyLock<Wait> =
    std::sync::LazyLock::new(|| match (std::env::var("IMLAWS_BENCH_WAIT").as_deref(), &*PLACEMENT) {
        (Ok("block"), _) | (_, None) => Wait::Block,
        _ => Wait::Poll,
    });

fn placement() -> String {
    let wait = match *WAIT {
        Wait::Block => "waiting in read",
        Wait::Poll => "polling",
    };
    match &*PLACEMENT {
        Some((server, load)) => {
            format!("each server pinned to CPU {server}, the load generator ({wait}) to CPU {load:?}")
        }
        None => format!("no CPU pinning, the load generator {wait}"),
    }
}

/// What `/proc/PID/stat` counts for `pid` so far.
#[derive(Clone, Copy)]
struct Usage {
    /// User and system CPU time, in ticks (USER_HZ).
    user: u64,
    system: u64,
    /// Page faults served without I/O.
    minor_faults: u64,
}

/// `pid`'s CPU time and page faults, from `/proc/PID/stat`. A measurement that cannot
/// be made stops the bench: 0 would read as "target met".
fn usage(pid: u32) -> Usage {
    let path = format!("/proc/{pid}/stat");
    let stat = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot measure CPU time: {path}: {e}"));
    // Fields after the command name: state is 0, minflt 7, utime 11, stime 12 (proc(5)).
    let fields: Vec<&str> = stat.rsplit_once(')').map(|(_, r)| r.split_whitespace().collect()).unwrap_or_default();
    let field = |i: usize| -> u64 {
        fields
            .get(i)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("cannot measure CPU time: {path}: {stat:?}"))
    };
    Usage { user: field(11), system: field(12), minor_faults: field(7) }
}

/// `pid`'s CPU time so far, in nanoseconds: the process's CPU clock (every thread, those
/// that ended included), where `/proc/PID/stat` counts 10 ms ticks, too coarse for a
/// slice of a loop. A measurement that cannot be made stops the bench.
fn cpu_ns(pid: u32) -> u64 {
    let mut clock: libc::clockid_t = 0;
    // SAFETY: plain calls with valid out-pointers; the clock id is checked before use.
    let mut ts: libc::timespec = unsafe { std::mem::zeroed() };
    if unsafe { libc::clock_getcpuclockid(pid as libc::pid_t, &mut clock) } != 0
        || unsafe { libc::clock_gettime(clock, &mut ts) } != 0
    {
        panic!("cannot measure CPU time of process {pid}: {}", std::io::Error::last_os_error());
    }
    ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
}

/// The CPUs this process may run on.
fn cpus() -> Vec<usize> {
    // SAFETY: a zeroed cpu_set_t is a valid empty set, filled in by the kernel.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    if unsafe { libc::sched_getaffinity(0, std::mem::size_of_val(&set), &mut set) } != 0 {
        return Vec::new();
    }
    (0..libc::CPU_SETSIZE as usize).filter(|&c| unsafe { libc::CPU_ISSET(c, &set) }).collect()
}

/// Let thread `tid` (0: the calling thread) run only on `on`.
fn pin(tid: libc::pid_t, on: &[usize]) -> std::io::Result<()> {
    // SAFETY: as above; CPU_SET stays within the set for any CPU the kernel listed.
    let mut set: libc::cpu_set_t = unsafe { std::mem::zeroed() };
    for &c in on {
        unsafe { libc::CPU_SET(c, &mut set) };
    }
    match unsafe { libc::sched_setaffinity(tid, std::mem::size_of_val(&set), &set) } {
        0 => Ok(()),
        _ => Err(std::io::Error::last_os_error()),
    }
}

/// Every thread of process `pid`, on `on`.
fn pin_process(pid: u32, on: &[usize]) -> std::io::Result<()> {
    for task in std::fs::read_dir(format!("/proc/{pid}/task"))? {
        let tid = task?.file_name().to_string_lossy().parse().map_err(std::io::Error::other)?;
        pin(tid, on)?;
    }
    Ok(())
}

fn pct(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// Drive `rate` requests/s (0 = as fast as possible) for `window`, from a start 50 ms
/// from now (the connections open in between); sorted latencies, and the time from the
/// start until the last answer.
fn load(addr: SocketAddr, reqs: &[Vec<u8>], rate: u64, window: Duration) -> (Vec<Duration>, Duration) {
    let start = Instant::now() + Duration::from_millis(50);
    let handles: Vec<_> = (0..CONNECTIONS)
        .map(|c| {
            let reqs = reqs.to_vec();
            std::thread::spawn(move || {
                let mut conn = Conn::open_with(addr, *WAIT);
                let mut lat = Vec::new();
                let per_conn =
                    if rate == 0 { None } else { Some(Duration::from_secs_f64(CONNECTIONS as f64 / rate as f64)) };
                let end = start + window;
                let mut i = 0u32;
                loop {
                    let due = match per_conn {
                        Some(gap) => start + gap * i + gap * c as u32 / CONNECTIONS as u32,
                        None => start.max(Instant::now()),
                    };
                    if due >= end {
                        break;
                    }
                    if let Some(wait) = due.checked_duration_since(Instant::now()) {
                        std::thread::sleep(wait);
                    }
                    // Latency counts from when the request was due (no coordinated omission).
                    let t0 = if per_conn.is_some() { due } else { Instant::now() };
                    let (status, _) = conn.exchange(&reqs[i as usize % reqs.len()]);
                    assert_eq!(status, 200, "the endpoint refused a signed request");
                    lat.push(t0.elapsed());
                    i += 1;
                }
                lat
            })
        })
        .collect();
    let mut all: Vec<Duration> = handles.into_iter().flat_map(|h| h.join().unwrap()).collect();
    let span = start.elapsed();
    all.sort();
    (all, span)
}

/// One server's figures in one round.
#[derive(Clone, Copy)]
struct Figures {
    throughput: f64,
    cpu_per_request: Duration,
    /// The kernel's part of `cpu_per_request`.
    system_per_request: Duration,
    faults_per_request: f64,
    /// The share of the closed loop the server spent on the CPU: below ~95 % the load
    /// generator, not the server, set the throughput.
    busy: f64,
    closed_p50: Duration,
    closed_p99: Duration,
    open_p50: Duration,
    open_p99: Duration,
    open_max: Duration,
}

/// A server under test: its own process, so its CPU time is its own.
struct Server<'a> {
    name: &'a str,
    pid: u32,
    addr: SocketAddr,
    _child: Kill,
    key: ed25519_dalek::SigningKey,
}

impl<'a> Server<'a> {
    fn start(name: &'a str, mut command: Command, key: &ed25519_dalek::SigningKey) -> Server<'a> {
        let mut child = command.stdout(Stdio::piped()).spawn().unwrap_or_else(|e| panic!("{name}: {e}"));
        let addr = discord::announced_addr(&mut child);
        let pid = child.id();
        if let Some((cpu, _)) = &*PLACEMENT {
            pin_process(pid, &[*cpu]).unwrap_or_else(|e| panic!("{name}: cannot pin to CPU {cpu}: {e}"));
        }
        let server = Server { name, pid, addr, _child: Kill(child), key: key.clone() };
        // Warm up: code paged in, lazy statics made, allocator pools grown.
        let reqs = server.requests();
        let mut conn = Conn::open(addr);
        for i in 0..200 {
            assert_eq!(conn.exchange(&reqs[i % reqs.len()]).0, 200, "{name}: the warm-up was refused");
        }
        server
    }

    /// The English and the Chinese `/assess`, signed now: within the endpoint's replay
    /// window however long a round runs.
    fn requests(&self) -> Vec<Vec<u8>> {
        ["en-US", "zh-CN"].iter().map(|l| signed_request(self.addr, &self.key, &assess_body(l))).collect()
    }

    /// The closed loop (throughput, CPU per request), then the open loop at 1000 req/s.
    fn measure(&self) -> Figures {
        let closed = self.closed(Duration::from_secs(*CLOSED_SECS));
        self.figures(closed)
    }

    /// One closed loop of `window`: what it cost the server.
    fn closed(&self, window: Duration) -> Closed {
        let reqs = self.requests();
        let (before, ns) = (usage(self.pid), cpu_ns(self.pid));
        let (latencies, elapsed) = load(self.addr, &reqs, 0, window);
        let after = usage(self.pid);
        Closed {
            elapsed,
            cpu_ns: cpu_ns(self.pid) - ns,
            system_ticks: after.system - before.system,
            ticks: after.user - before.user + after.system - before.system,
            minor_faults: after.minor_faults - before.minor_faults,
            latencies,
        }
    }

    /// The figures of `closed` (one loop or a round's slices together), with the open
    /// loop at 1000 req/s run now.
    fn figures(&self, closed: Closed) -> Figures {
        let n = closed.latencies.len();
        assert!(n > 0 && closed.cpu_ns > 0, "{}: no request completed or no CPU time counted", self.name);
        let cpu = Duration::from_nanos(closed.cpu_ns);
        // The kernel's share of the ticks, applied to the precise total.
        let system = if closed.ticks == 0 { 0.0 } else { closed.system_ticks as f64 / closed.ticks as f64 };
        let mut lat = closed.latencies;
        lat.sort();
        let (closed_p50, closed_p99) = (pct(&lat, 0.5), pct(&lat, 0.99));
        let (open, _) = load(self.addr, &self.requests(), OPEN_RATE, Duration::from_secs(*OPEN_SECS));
        let figures = Figures {
            throughput: n as f64 / closed.elapsed.as_secs_f64(),
            cpu_per_request: cpu / n as u32,
            system_per_request: (cpu / n as u32).mul_f64(system),
            faults_per_request: closed.minor_faults as f64 / n as f64,
            busy: cpu.as_secs_f64() / closed.elapsed.as_secs_f64(),
            closed_p50,
            closed_p99,
            open_p50: pct(&open, 0.5),
            open_p99: pct(&open, 0.99),
            open_max: *open.last().unwrap(),
        };
        println!(
            "  {:<40} {:>6.0} req/s  CPU {:>6.1} µs/req (kernel {:>5.1}, {:.2} page faults, busy {:>3.0} %)  closed p50 {:>7.3} ms p99 {:>7.3} ms  at {OPEN_RATE}/s p50 {:.3} ms p99 {:.3} ms max {:.3} ms",
            self.name,
            figures.throughput,
            us(figures.cpu_per_request),
            us(figures.system_per_request),
            figures.faults_per_request,
            figures.busy * 100.0,
            ms(figures.closed_p50),
            ms(figures.closed_p99),
            ms(figures.open_p50),
            ms(figures.open_p99),
            ms(figures.open_max),
        );
        figures
    }
}

/// What closed loops cost a server: summed over a round's slices when they are cut.
#[derive(Default)]
struct Closed {
    elapsed: Duration,
    cpu_ns: u64,
    system_ticks: u64,
    ticks: u64,
    minor_faults: u64,
    latencies: Vec<Duration>,
}

impl Closed {
    fn add(&mut self, other: Closed) {
        self.elapsed += other.elapsed;
        self.cpu_ns += other.cpu_ns;
        self.system_ticks += other.system_ticks;
        self.ticks += other.ticks;
        self.minor_faults += other.minor_faults;
        self.latencies.extend(other.latencies);
    }
}

fn us(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Where the median of `v` could as well have fallen: the middle 95 % of the medians of
/// 10 000 resamplings of the rounds (the bootstrap, with a fixed seed). One round is
/// one placement of each server in memory, and placements move CPU per request by up
/// to a fifth; this says how much of a median is that.
fn median_interval(v: &[f64]) -> (f64, f64) {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let n = v.len() as u64;
    let mut medians: Vec<f64> =
        (0..10_000).map(|_| median((0..n).map(|_| v[(next() % n) as usize]).collect())).collect();
    medians.sort_by(f64::total_cmp);
    (medians[250], medians[9_749])
}

struct Kill(Child);
impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn imlaws_bin() -> String {
    std::env::var("IMLAWS_BIN").unwrap_or_else(|_| env!("CARGO_BIN_EXE_imlaws").to_string())
}

fn imlaws_serve(key: &ed25519_dalek::SigningKey) -> Command {
    imlaws_serve_from(&imlaws_bin(), key)
}

fn imlaws_serve_from(bin: &str, key: &ed25519_dalek::SigningKey) -> Command {
    let mut c = Command::new(bin);
    c.args(["serve", "--listen", "127.0.0.1:0"]).env("DISCORD_PUBLIC_KEY", public_hex(key)).env("RUST_LOG", "warn");
    c
}

/// The floor: what any endpoint must do (HTTP/1.1 with axum on one thread, serenity's
/// Ed25519 verification of the timestamp and raw body) and nothing else, answering
/// every verified request with the same fixed bytes. Runs in this bench's binary,
/// started again as a child with `--floor-server`.
fn floor_server() {
    struct Floor {
        verifier: Verifier,
        reply: Bytes,
    }
    async fn interactions(State(floor): State<Arc<Floor>>, headers: HeaderMap, body: Bytes) -> Response {
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let (Some(signature), Some(timestamp)) = (header("x-signature-ed25519"), header("x-signature-timestamp"))
        else {
            return StatusCode::UNAUTHORIZED.into_response();
        };
        if floor.verifier.verify(signature, timestamp, &body).is_err() {
            return StatusCode::UNAUTHORIZED.into_response();
        }
        ([(header::CONTENT_TYPE, "application/json")], floor.reply.clone()).into_response()
    }
    let key = std::env::var("IMLAWS_FLOOR_KEY").expect("IMLAWS_FLOOR_KEY");
    let reply = std::fs::read(std::env::var("IMLAWS_FLOOR_REPLY").expect("IMLAWS_FLOOR_REPLY")).expect("reply");
    let floor = Arc::new(Floor { verifier: Verifier::new(&key), reply: Bytes::from(reply) });
    // As `imlaws serve` runs by default: one thread.
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        println!("imlaws: interactions endpoint on http://{}/interactions", listener.local_addr().unwrap());
        let app = axum::Router::new().route("/interactions", axum::routing::post(interactions)).with_state(floor);
        axum::serve(listener, app).await.expect("serve");
    });
}

fn floor(key: &ed25519_dalek::SigningKey, reply: &std::path::Path) -> Command {
    let mut c = Command::new(std::env::current_exe().expect("this bench's path"));
    c.arg("--floor-server").env("IMLAWS_FLOOR_KEY", public_hex(key)).env("IMLAWS_FLOOR_REPLY", reply);
    c
}

/// Interactions whose answers must not change with a performance edit: every command,
/// both languages, errors, autocomplete, PING and the clicks under a verdict.
fn dump(dir: &str, key: &ed25519_dalek::SigningKey) {
    let server = Server::start("imlaws serve", imlaws_serve(key), key);
    let mut conn = Conn::open(server.addr);
    // The raw bytes are written, so a change of key order or spacing shows too.
    let mut ask = |body: &Value| -> (Vec<u8>, Value) {
        let (status, bytes) = conn.exchange(&signed_request(server.addr, key, &body.to_string()));
        assert_eq!(status, 200, "{body}");
        let value = serde_json::from_slice(&bytes).expect("a JSON answer");
        (bytes, value)
    };
    let opts = discord::string_options;
    let mut cases: Vec<(String, Value)> = Vec::new();
    for locale in ["en-US", "zh-CN"] {
        let l = &locale[..2];
        cases.push((
            format!("assess-{l}"),
            discord::command("assess", opts(&[("identity", "anonymous"), ("audience", "strangers")]), locale),
        ));
        cases.push((
            format!("assess-all-{l}"),
            discord::command(
                "assess",
                opts(&[
                    ("identity", "real-name"),
                    ("audience", "everyone"),
                    ("device", "next-gen"),
                    ("stance", "incumbent"),
                    ("host", "chat"),
                ]),
                locale,
            ),
        ));
        cases.push((
            format!("assess-missing-{l}"),
            discord::command("assess", opts(&[("identity", "anonymous")]), locale),
        ));
        cases.push((
            format!("assess-bad-{l}"),
            discord::command("assess", opts(&[("identity", "nope"), ("audience", "<@&1>")]), locale),
        ));
        cases.push((
            format!("ask-{l}"),
            discord::command("ask", opts(&[("question", "an anonymous app where strangers nearby can chat")]), locale),
        ));
        cases.push((
            format!("ask-zh-{l}"),
            discord::command("ask", opts(&[("question", "我们想做一个面向企业员工的实名办公沟通工具")]), locale),
        ));
        cases.push((format!("ask-needs-{l}"), discord::command("ask", opts(&[("question", "a chat app")]), locale)));
        cases.push((
            format!("law-{l}"),
            discord::command("law", json!([{"name": "number", "type": 4, "value": 3}]), locale),
        ));
        cases.push((
            format!("law-bad-{l}"),
            discord::command("law", json!([{"name": "number", "type": 4, "value": 9}]), locale),
        ));
        cases.push((
            format!("corollary-{l}"),
            discord::command("corollary", json!([{"name": "number", "type": 4, "value": 5}]), locale),
        ));
        cases.push((format!("app-{l}"), discord::command("app", opts(&[("name", "微信")]), locale)));
        cases.push((format!("help-{l}"), discord::command("help", json!([]), locale)));
        cases.push((format!("unknown-{l}"), discord::command("nope", json!([]), locale)));
        cases.push((format!("autocomplete-{l}"), discord::autocomplete("m", locale)));
        cases.push((format!("map-{l}"), discord::command("map", opts(&[("audience", "strangers")]), locale)));
    }
    cases.push(("ping".into(), discord::ping()));
    std::fs::create_dir_all(dir).expect("dump folder");
    let mut n = 0;
    for (name, body) in &cases {
        let (bytes, answer) = ask(body);
        std::fs::write(format!("{dir}/{name}.json"), bytes).unwrap();
        n += 1;
        if name.starts_with("assess-") && !name.contains("bad") && !name.contains("missing") {
            // The clicks under the verdict: a menu choice by the asker and by someone
            // else, the what-if button.
            let locale = body["locale"].as_str().unwrap().to_string();
            let menu = discord::custom_id(&answer, "c");
            for (who, user) in [("asker", "900000000000000001"), ("other", "900000000000000002")] {
                let click = discord::component(&menu, Some(&["0:0"]), user, &locale);
                std::fs::write(format!("{dir}/{name}-click-{who}.json"), ask(&click).0).unwrap();
                n += 1;
            }
            let what_if = discord::custom_id(&answer, "w");
            let click = discord::component(&what_if, None, "900000000000000001", &locale);
            std::fs::write(format!("{dir}/{name}-what-if.json"), ask(&click).0).unwrap();
            n += 1;
        }
    }
    println!("{n} answers written to {dir}");
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--list") {
        return;
    }
    if args.iter().any(|a| a == "--floor-server") {
        return floor_server();
    }
    let key = keypair();
    if let Ok(dir) = std::env::var("IMLAWS_BENCH_DUMP") {
        return dump(&dir, &key);
    }
    let rounds: usize = std::env::var("IMLAWS_BENCH_ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(3).max(1);

    // One Ed25519 verification, as the servers do it (serenity's Verifier).
    let verifier = Verifier::new(&public_hex(&key));
    let body = assess_body("en-US");
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

    // The floor answers with fixed bytes: our own answer to the English request (the
    // same bytes on the wire, so the difference is what we do to make them), and,
    // for reference, a short fixed reply as Discord's samples send.
    let answer = {
        let imlaws = Server::start("imlaws serve", imlaws_serve(&key), &key);
        let (status, answer) = Conn::open(imlaws.addr).exchange(&imlaws.requests()[0]);
        assert_eq!(status, 200);
        answer
    };
    let dir = std::env::temp_dir().join(format!("imlaws-endpoint-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary folder");
    let (same, short) = (dir.join("same.json"), dir.join("short.json"));
    std::fs::write(&same, &answer).unwrap();
    std::fs::write(&short, br#"{"type":4,"data":{"content":"ok assess"}}"#).unwrap();
    // The load generator's threads, started from here, inherit this.
    if let Some((_, cpus)) = &*PLACEMENT {
        pin(0, cpus).expect("cannot pin the load generator");
    }
    let slicing = match *SLICE {
        Some(slice) => format!(" in slices of {} ms taken in turn", slice.as_millis()),
        None => String::new(),
    };
    println!(
        "{rounds} rounds, each with freshly started servers; {CONNECTIONS} keep-alive connections; closed loop {} s{slicing}, then {OPEN_RATE} req/s for {} s; {}; our answer is {} bytes; load average {}",
        *CLOSED_SECS,
        *OPEN_SECS,
        placement(),
        answer.len(),
        load_average()
    );
    // Each round starts every server anew. A process keeps one placement in memory for
    // its life (where its stack, heap and tables fall), and that alone moved the same
    // floor binary's CPU per request by up to 18 % between two processes, for every
    // round: only new processes average it out.
    type Start<'a> = Box<dyn Fn() -> Command + 'a>;
    let also: Vec<String> = std::env::var("IMLAWS_BENCH_ALSO")
        .map(|v| v.split(':').filter(|p| !p.is_empty()).map(String::from).collect())
        .unwrap_or_default();
    let also_names: Vec<String> = also.iter().map(|bin| format!("imlaws serve ({bin})")).collect();
    let mut servers: Vec<(&str, Start)> = vec![
        ("imlaws serve", Box::new(|| imlaws_serve(&key))),
        ("floor (fixed reply, our answer's bytes)", Box::new(|| floor(&key, &same))),
        ("floor (fixed short reply)", Box::new(|| floor(&key, &short))),
    ];
    for (bin, name) in also.iter().zip(&also_names) {
        servers.push((name, Box::new(|| imlaws_serve_from(bin, &key))));
    }
    let mut figures: Vec<Vec<Figures>> = vec![Vec::new(); servers.len()];
    for round in 0..rounds {
        println!("round {}:", round + 1);
        let mut order: Vec<usize> = (0..servers.len()).collect();
        if round % 2 == 1 {
            order.reverse();
        }
        match *SLICE {
            None => {
                for i in order {
                    let (name, command) = &servers[i];
                    figures[i].push(Server::start(name, command(), &key).measure());
                }
            }
            Some(slice) => {
                // Every server up at once (only the one under load runs; the others
                // wait in epoll), the slices taken in turn, the first server of each
                // turn rotating.
                let started: Vec<Server> =
                    (0..servers.len()).map(|i| Server::start(servers[i].0, servers[i].1(), &key)).collect();
                let mut closed: Vec<Closed> = (0..servers.len()).map(|_| Closed::default()).collect();
                let slices = (Duration::from_secs(*CLOSED_SECS).as_millis() / slice.as_millis()).max(1) as usize;
                for turn in 0..slices {
                    for k in 0..order.len() {
                        let i = order[(k + turn) % order.len()];
                        closed[i].add(started[i].closed(slice));
                    }
                }
                for &i in &order {
                    figures[i].push(started[i].figures(std::mem::take(&mut closed[i])));
                }
            }
        }
    }
    let verify = (verify_before + time_verify()) / 2;
    println!("medians over {rounds} rounds (load average now {}):", load_average());
    for ((name, _), f) in servers.iter().zip(&figures) {
        println!(
            "  {:<40} {:>6.0} req/s (busy {:.0} %)  CPU {:>6.1} µs/req = {:.2} × one verification ({:.1} µs)  p99 at {OPEN_RATE}/s {:.3} ms",
            name,
            median(f.iter().map(|f| f.throughput).collect()),
            median(f.iter().map(|f| f.busy * 100.0).collect()),
            median(f.iter().map(|f| us(f.cpu_per_request)).collect()),
            median(f.iter().map(|f| us(f.cpu_per_request)).collect()) / us(verify),
            us(verify),
            median(f.iter().map(|f| ms(f.open_p99)).collect()),
        );
    }
    let idle: Vec<String> = servers
        .iter()
        .zip(&figures)
        .filter(|(_, f)| median(f.iter().map(|f| f.busy).collect()) < 0.95)
        .map(|((name, _), _)| name.to_string())
        .collect();
    if !idle.is_empty() {
        println!(
            "WARNING: below 95 % busy in the closed loop (median): {}. The load generator, not the server, set their throughput; the throughput ratios below do not measure the servers.",
            idle.join(", ")
        );
    }
    // The builds against each other, round by round (the same minutes, the same floor).
    for other in 3..servers.len() {
        let cpu: Vec<f64> =
            (0..rounds).map(|r| us(figures[0][r].cpu_per_request) / us(figures[other][r].cpu_per_request)).collect();
        let (low, high) = median_interval(&cpu);
        println!(
            "{} against {}: CPU per request {:.3} × (the median's 95 % interval {low:.3}–{high:.3}; more in {} of {rounds} rounds)",
            servers[0].0,
            servers[other].0,
            median(cpu.clone()),
            cpu.iter().filter(|&&c| c > 1.0).count(),
        );
    }
    let imlaws: Vec<usize> = std::iter::once(0).chain(3..servers.len()).collect();
    for (ours, i) in imlaws.into_iter().flat_map(|o| [(o, 1), (o, 2)]) {
        let cpu: Vec<f64> =
            (0..rounds).map(|r| us(figures[ours][r].cpu_per_request) / us(figures[i][r].cpu_per_request)).collect();
        let tput: Vec<f64> = (0..rounds).map(|r| figures[ours][r].throughput / figures[i][r].throughput).collect();
        let ((cpu_low, cpu_high), (tput_low, tput_high)) = (median_interval(&cpu), median_interval(&tput));
        println!(
            "{} against the {}: CPU per request {:.2} × (the median's 95 % interval {cpu_low:.2}–{cpu_high:.2}; per round {}), throughput {:.0} % ({:.0}–{:.0} %; per round {})",
            servers[ours].0,
            servers[i].0,
            median(cpu.clone()),
            cpu.iter().map(|c| format!("{c:.2}")).collect::<Vec<_>>().join(", "),
            median(tput.clone()) * 100.0,
            tput_low * 100.0,
            tput_high * 100.0,
            tput.iter().map(|t| format!("{:.0} %", t * 100.0)).collect::<Vec<_>>().join(", "),
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
    if std::env::var("IMLAWS_BENCH_NODE").is_ok_and(|v| v == "0") {
        return;
    }
    node(&key, verify);
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|e| format!("unknown ({e})"))
}

/// Discord's sample approach: Node's http server with discord-interactions' verifyKey.
fn node(key: &ed25519_dalek::SigningKey, verify: Duration) {
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
    std::fs::write(
        dir.join("server.mjs"),
        format!(
            r#"import http from "node:http";
import {{ verifyKey }} from "discord-interactions";
const KEY = "{key}";
const server = http.createServer((req, res) => {{
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
}});
server.listen(0, "127.0.0.1", () => console.log(`imlaws: interactions endpoint on http://127.0.0.1:${{server.address().port}}/interactions`));
"#,
            key = public_hex(key)
        ),
    )
    .unwrap();
    let mut command = Command::new("node");
    command.arg("server.mjs").current_dir(&dir);
    let node = Server::start("node + discord-interactions (verify only)", command, key);
    let f = node.measure();
    println!(
        "  node: CPU {:.1} µs per request = {:.2} × one verification",
        us(f.cpu_per_request),
        f.cpu_per_request.as_secs_f64() / verify.as_secs_f64()
    );
    drop(node);
    let _ = std::fs::remove_dir_all(&dir);
}
