//! The positioning map: `/map identity:anonymous audience:strangers` from request to
//! PNG bytes (assess, lay out, draw, encode), in both languages, and its parts.
//! Targets (issue 12): median ≤ 30 ms, PNG ≤ 300 KB.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use imlaws::answer::Reply;
use imlaws::command::{answer, Request};
use imlaws::kb::Kb;
use imlaws::lang::Lang;
use imlaws::map;

fn render(c: &mut Criterion) {
    let kb = Kb::builtin().expect("knowledge base");
    let request = Request::map(&[("identity", "anonymous"), ("audience", "strangers")]);
    let mut group = c.benchmark_group("map");
    group.sample_size(30);
    for lang in [Lang::En, Lang::Zh] {
        let Ok(Reply::Map(m)) = answer(&kb, &request, lang) else { panic!("a map") };
        println!("map/{lang}: {} bytes PNG, {}×{}", m.png.len(), map::WIDTH, map::HEIGHT);
        group.bench_function(format!("request-to-png/{lang}"), |b| {
            b.iter(|| match answer(&kb, black_box(&request), lang) {
                Ok(Reply::Map(m)) => black_box(m.png.len()),
                _ => unreachable!(),
            })
        });
        let marker = m.marker.clone();
        group.bench_function(format!("layout/{lang}"), |b| {
            b.iter(|| black_box(map::layout(&kb, black_box(marker.as_ref()), lang)))
        });
        let layout = map::layout(&kb, marker.as_ref(), lang);
        group.bench_function(format!("draw/{lang}"), |b| b.iter(|| black_box(map::draw(black_box(&layout)))));
        let pixmap = map::draw(&layout);
        group.bench_function(format!("encode/{lang}"), |b| b.iter(|| black_box(map::encode(black_box(&pixmap)))));
    }
    group.finish();
}

criterion_group!(benches, render);
criterion_main!(benches);
