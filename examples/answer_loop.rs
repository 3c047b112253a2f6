//! Answers one `/assess` N times as a slash command's full response (verdict, what-if,
//! embed, components, JSON): a fixed workload for `valgrind --tool=callgrind`, whose
//! instruction counts hold still where this VM's timings do not (see BENCHMARKS.md).
//!
//! cargo build --profile profiling --example answer_loop
//! valgrind --tool=callgrind target/profiling/examples/answer_loop 1000   (and 0, to subtract start-up)

use imlaws::command::{answer, Request};
use imlaws::lang::Lang;

fn main() {
    let kb = imlaws::kb::Kb::builtin().unwrap();
    let request = Request::assess(&[("identity", "anonymous"), ("audience", "everyone")]);
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(1000);
    let mut bytes = 0;
    for _ in 0..n {
        let reply = answer(&kb, std::hint::black_box(&request), Lang::En);
        let response = imlaws::discord::message(&kb, reply, Lang::En, 900000000000000001);
        bytes += response.to_json().len();
    }
    println!("{bytes}");
}
