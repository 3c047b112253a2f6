//! Where a signed `/assess` spends its time beyond the floor, part by part (parse,
//! answer, JSON, drop), in a warm loop and right after an Ed25519 verification as the
//! server makes one before each answer: the difference is what the verification's
//! work costs the answer in caches; and after a verification and a sweep through 8 MiB,
//! which leaves nothing of ours in L1 or L2 (what the answer costs cold: the server's
//! kernel, HTTP and verification come between two answers). English and Chinese
//! alternate. Wall-clock means per request, three rounds; pin it to one CPU for steadier
//! figures:
//!
//! cargo build --profile profiling --example endpoint_parts
//! taskset -c 1 target/profiling/examples/endpoint_parts 20000

#[path = "../tests/common/discord.rs"]
mod discord;

use imlaws::discord::{answer_interaction, Answer, Incoming};
use imlaws::metrics::{self, Transport};
use serenity::interactions_endpoint::Verifier;
use std::time::{Duration, Instant};

fn main() {
    let kb = imlaws::kb::Kb::builtin().expect("the built-in knowledge base");
    let key = discord::keypair();
    let verifier = Verifier::new(&discord::public_hex(&key));
    let timestamp = discord::now();
    let signed: Vec<(String, String)> = ["en-US", "zh-CN"]
        .iter()
        .map(|locale| {
            let body = discord::assess_body(locale);
            let signature = discord::sign(&key, &timestamp, body.as_bytes());
            (body, signature)
        })
        .collect();
    let n: u32 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let thrash = vec![1u8; 8 << 20];
    for round in 1..=3 {
        for (verify, sweep) in [(true, true), (true, false), (false, false)] {
            let mut parts = [Duration::ZERO; 5];
            for i in 0..n {
                let (body, signature) = &signed[i as usize % 2];
                if sweep {
                    // Out of L1 and L2 (the data, and the code L2 held): one read per line.
                    for line in thrash.chunks(64) {
                        std::hint::black_box(line[0]);
                    }
                }
                let t0 = Instant::now();
                if verify {
                    assert!(verifier.verify(signature, &timestamp, body.as_bytes()).is_ok());
                }
                let t1 = Instant::now();
                let interaction = Incoming::parse(std::hint::black_box(body.as_bytes())).expect("an interaction");
                let t2 = Instant::now();
                let (answer, outcome) = answer_interaction(&kb, &interaction);
                let t3 = Instant::now();
                let Answer::Body(callback) = answer else { panic!("/assess is not a map") };
                let json = std::hint::black_box(callback.to_json());
                let t4 = Instant::now();
                drop((json, callback));
                let (label, lang) = (interaction.label(), interaction.lang);
                drop(interaction);
                metrics::interaction(Transport::Http, label, lang, outcome, t4 - t1);
                let t5 = Instant::now();
                for (part, took) in parts.iter_mut().zip([t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4]) {
                    *part += took;
                }
            }
            let us = |d: Duration| d.as_secs_f64() * 1e6 / f64::from(n);
            let ours: Duration = parts[1..].iter().sum();
            println!(
                "round {round}, {:<42} verify {:6.2} µs | ours {:5.2} µs: parse {:.2}, answer {:.2}, JSON {:.2}, drop and count {:.2}",
                match (verify, sweep) {
                    (true, true) => "after a verification and an 8 MiB sweep:",
                    (true, false) => "after a verification:",
                    _ => "warm (no verification):",
                },
                us(parts[0]),
                us(ours),
                us(parts[1]),
                us(parts[2]),
                us(parts[3]),
                us(parts[4]),
            );
        }
    }
}
