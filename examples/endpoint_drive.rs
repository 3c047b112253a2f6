//! Starts an endpoint, sends it N signed `/assess` requests (English and Chinese in
//! turn) over one keep-alive connection, and stops it with SIGINT: a fixed workload to
//! count, under callgrind, the instructions a whole server spends per request, its
//! HTTP, verification and answer together. Run it with N and N + 500 and subtract: what
//! is left is 500 requests, without start-up. The endpoint is the command after N; it
//! gets the public key in `DISCORD_PUBLIC_KEY` (and, for the bench's floor,
//! `IMLAWS_FLOOR_KEY`, with `IMLAWS_FLOOR_REPLY` naming its fixed reply: a file you give,
//! such as an answer the endpoint bench's `IMLAWS_BENCH_DUMP` wrote).
//!
//! cargo build --profile profiling --example endpoint_drive
//! target/profiling/examples/endpoint_drive 501 valgrind --tool=callgrind --callgrind-out-file=serve.501 \
//!     target/profiling/imlaws serve --listen 127.0.0.1:0
//!
//! See BENCHMARKS.md, "The endpoint's own cost", for the figures and the floor's command.

#[path = "../tests/common/discord.rs"]
mod discord;
#[path = "../benches/common/load.rs"]
mod load;

use std::process::{Child, Command, Stdio};

/// The endpoint, stopped with SIGINT however the driver ends (a failed request too), so
/// none is left listening.
struct Endpoint(Child);

impl Endpoint {
    fn interrupt(&self) -> bool {
        Command::new("kill").args(["-INT", &self.0.id().to_string()]).status().is_ok_and(|s| s.success())
    }
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        if self.0.try_wait().ok().flatten().is_none() && !self.interrupt() {
            let _ = self.0.kill();
        }
        let _ = self.0.wait();
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let usage = "usage: endpoint_drive N COMMAND [ARGS…]";
    let n: usize = args.next().and_then(|n| n.parse().ok()).expect(usage);
    let program = args.next().expect(usage);
    let key = discord::keypair();
    let public = discord::public_hex(&key);
    let server = Command::new(program)
        .args(args)
        .env("DISCORD_PUBLIC_KEY", &public)
        .env("IMLAWS_FLOOR_KEY", &public)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("the endpoint starts");
    let mut server = Endpoint(server);
    let addr = discord::announced_addr(&mut server.0);
    let bodies = ["en-US", "zh-CN"].map(discord::assess_body);
    let mut conn = load::Conn::open(addr);
    for i in 0..n {
        let (status, answer) = conn.exchange(&discord::signed_request(addr, &key, &bodies[i % 2]));
        assert_eq!(status, 200, "{}", String::from_utf8_lossy(&answer));
    }
    drop(conn);
    // SIGINT: `imlaws serve` shuts down gracefully, and callgrind writes its counts.
    assert!(server.interrupt(), "kill -INT the endpoint");
    let status = server.0.wait().expect("the endpoint stops");
    println!("{n} requests; the endpoint ended with {status}");
}
