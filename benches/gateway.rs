//! The time `imlaws run` adds between an INTERACTION_CREATE dispatch and its callback
//! arriving at the fake Discord, over 1000+ interactions, and the bot's RSS after READY
//! and after 20 `/map` answers (drawn on demand, nothing kept).
//! Targets (issue 4): median ≤ 1 ms, p99 ≤ 5 ms, RSS ≤ 25 MB; a component click (issue 11)
//! adds no more than a slash command: median ≤ 1 ms.
//!
//! `cargo bench --bench gateway` (builds and runs the release binary).

#[path = "../tests/common/discord.rs"]
mod discord;
#[path = "../tests/common/fake_discord.rs"]
mod fake_discord;
#[path = "../tests/common/limits.rs"]
mod limits;
#[path = "common/load.rs"]
mod load;

use load::rss_kib;

use fake_discord::{FakeDiscord, TOKEN};
use serde_json::json;
use std::time::{Duration, Instant};

const INTERACTIONS: usize = 1200;
const MAPS: usize = 20;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 1)]
async fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` lists benches; nothing to list here.
    }
    let fake = FakeDiscord::start().await;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_imlaws"))
        .args(["run", "--discord-proxy", &fake.proxy_url()])
        .env("DISCORD_TOKEN", TOKEN)
        .env("RUST_LOG", "warn")
        .kill_on_drop(true)
        .spawn()
        .expect("spawn imlaws");
    fake.wait_gateway("READY", 1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let pid = child.id().unwrap();
    let rss_ready = rss_kib(pid);

    // Every third interaction is a click on a verdict's menu (identity → real-name),
    // as the asker: the conversation's path, timed apart.
    let kb = imlaws::kb::Kb::builtin().expect("knowledge base");
    let mut stated = imlaws::profile::ProfileInput::default();
    stated.set_code(imlaws::profile::Field::Identity, "anonymous");
    stated.set_code(imlaws::profile::Field::Audience, "strangers");
    let menu = imlaws::discord::components::State {
        action: imlaws::discord::components::Action::Change { core: true },
        input: stated,
        owner: 900000000000000001,
    }
    .encode(&kb.tag);
    let mut latencies = Vec::with_capacity(INTERACTIONS);
    let mut clicks = Vec::with_capacity(INTERACTIONS / 3 + 1);
    for i in 0..INTERACTIONS {
        let locale = if i % 2 == 0 { "en-US" } else { "zh-CN" };
        let click = i % 3 == 2;
        let mut v = if click {
            discord::component(&menu, Some(&["0:0"]), "900000000000000001", locale)
        } else {
            discord::command(
                "assess",
                discord::string_options(&[("identity", "anonymous"), ("audience", "strangers")]),
                locale,
            )
        };
        v["id"] = json!(format!("{}", 1_301_000_000_000_000_000u64 + i as u64));
        v["token"] = json!(format!("bench-{i}"));
        let path = format!("/interactions/{}/bench-{i}/callback", v["id"].as_str().unwrap());
        let sent = Instant::now();
        fake.dispatch("INTERACTION_CREATE", v);
        let call = fake.wait_call(&path, 0).await;
        if click {
            clicks.push(call.at - sent);
        } else {
            latencies.push(call.at - sent);
        }
    }
    let rss_after = rss_kib(pid);

    // Maps are drawn on demand and dropped: RSS after a run of them (issue 12).
    let mut map_times = Vec::with_capacity(MAPS);
    for i in 0..MAPS {
        let mut v = discord::command(
            "map",
            discord::string_options(&[("identity", "anonymous"), ("audience", "strangers")]),
            if i % 2 == 0 { "en-US" } else { "zh-CN" },
        );
        let n = INTERACTIONS + i;
        v["id"] = json!(format!("{}", 1_301_000_000_000_000_000u64 + n as u64));
        v["token"] = json!(format!("bench-{n}"));
        let path = format!("/interactions/{}/bench-{n}/callback", v["id"].as_str().unwrap());
        let sent = Instant::now();
        fake.dispatch("INTERACTION_CREATE", v);
        let call = fake.wait_call(&path, 0).await;
        assert_eq!(call.files.len(), 1, "the map is uploaded");
        map_times.push(call.at - sent);
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let rss_maps = rss_kib(pid);
    map_times.sort();
    latencies.sort();
    clicks.sort();
    let mean = latencies.iter().sum::<Duration>() / latencies.len() as u32;
    println!(
        "gateway: {INTERACTIONS} interactions ({} slash commands, {} component clicks), dispatch → callback at the fake",
        latencies.len(),
        clicks.len()
    );
    println!(
        "  median {:?}  p90 {:?}  p99 {:?}  max {:?}  mean {:?}",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.9),
        percentile(&latencies, 0.99),
        latencies.last().unwrap(),
        mean
    );
    println!(
        "  component clicks: median {:?}  p90 {:?}  p99 {:?}",
        percentile(&clicks, 0.5),
        percentile(&clicks, 0.9),
        percentile(&clicks, 0.99)
    );
    println!(
        "  RSS after READY {:.1} MiB, after the run {:.1} MiB",
        rss_ready as f64 / 1024.0,
        rss_after as f64 / 1024.0
    );
    println!(
        "  {MAPS} /map callbacks (multipart): median {:?}, max {:?}; RSS after them {:.1} MiB",
        percentile(&map_times, 0.5),
        map_times.last().unwrap(),
        rss_maps as f64 / 1024.0
    );
    let _ = child.start_kill();
}
