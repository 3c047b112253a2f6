//! assess + render of a full embed: the work behind every `/assess` answer.
//! Targets: median ≤ 2 µs (issue 2, before the verdict carried its what-if list);
//! assess + what-if + render with components ≤ 20 µs (issue 11).

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use imlaws::command::{answer, parse_line, Commands, Request};
use imlaws::kb::Kb;
use imlaws::lang::Lang;

fn assess_and_render(c: &mut Criterion) {
    let kb = Kb::builtin().expect("knowledge base");
    let request = Request::assess(&[("identity", "anonymous"), ("audience", "strangers")]);
    for lang in [Lang::En, Lang::Zh] {
        c.bench_function(&format!("assess+embed/{lang}"), |b| {
            b.iter(|| {
                let reply = answer(&kb, black_box(&request), lang).expect("answer");
                black_box(reply.embed(&kb))
            })
        });
    }
    c.bench_function("assess+embed/from-slash-line", |b| {
        b.iter(|| {
            let request = parse_line(Commands::builtin(), black_box("/assess identity:anonymous audience:strangers"))
                .expect("parse");
            let reply = answer(&kb, &request, Lang::En).expect("answer");
            black_box(reply.embed(&kb))
        })
    });
    c.bench_function("assess+json/en", |b| {
        b.iter(|| {
            let reply = answer(&kb, black_box(&request), Lang::En).expect("answer");
            black_box(serde_json::to_vec(&reply.to_json(&kb)).expect("json"))
        })
    });
}

/// The whole answer to a slash command as Discord gets it: the verdict with its what-if
/// list, the embed, the components, serialised.
fn with_components(c: &mut Criterion) {
    let kb = Kb::builtin().expect("knowledge base");
    let request = Request::assess(&[("identity", "anonymous"), ("audience", "everyone")]);
    for lang in [Lang::En, Lang::Zh] {
        c.bench_function(&format!("assess+what-if+components/{lang}"), |b| {
            b.iter(|| {
                let reply = answer(&kb, black_box(&request), lang);
                let response = imlaws::discord::message(&kb, reply, lang, 900000000000000001);
                black_box(response.to_json())
            })
        });
    }
}

criterion_group!(benches, assess_and_render, with_components);
criterion_main!(benches);
