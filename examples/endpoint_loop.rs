//! What `imlaws serve` does for one signed `/assess` beyond the floor's verification
//! and HTTP: the interaction parsed, answered, serialised and counted, N times, over the
//! English and the Chinese request. A fixed workload for `valgrind --tool=callgrind`
//! (see BENCHMARKS.md, "The endpoint's own cost").
//!
//! cargo build --profile profiling --example endpoint_loop
//! valgrind --tool=callgrind target/profiling/examples/endpoint_loop 2000   (and 0, to subtract start-up)

#[path = "../tests/common/discord.rs"]
mod discord;

use imlaws::discord::{answer_interaction, Answer, Incoming};
use imlaws::metrics::{self, Transport};
use std::time::Instant;

fn main() {
    let kb = imlaws::kb::Kb::builtin().unwrap();
    let bodies = ["en-US", "zh-CN"].map(discord::assess_body);
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let mut bytes = 0;
    for i in 0..n {
        let started = Instant::now();
        let body = std::hint::black_box(bodies[i % 2].as_bytes());
        let interaction = Incoming::parse(body).expect("an interaction");
        let (answer, outcome) = answer_interaction(&kb, &interaction);
        let Answer::Body(response) = answer else { panic!("not a map") };
        bytes += response.to_json().len();
        metrics::interaction(Transport::Http, interaction.label(), interaction.lang, outcome, started.elapsed());
    }
    println!("{bytes}");
}
