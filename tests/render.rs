//! Every answer fits Discord's embed limits, in both languages.

use imlaws::answer::{answer, Request};
use imlaws::kb::Kb;
use imlaws::lang::Lang;
use imlaws::profile::Field;
use imlaws::render::{limits, Embed, EmbedField};

fn within_limits(e: &Embed) {
    let n = |s: &str| s.chars().count();
    assert!(n(&e.title) <= limits::TITLE, "{}", e.title);
    assert!(n(&e.description) <= limits::DESCRIPTION);
    assert!(e.fields.len() <= limits::FIELDS);
    for f in &e.fields {
        assert!(!f.name.is_empty() && n(&f.name) <= limits::FIELD_NAME);
        assert!(!f.value.is_empty() && n(&f.value) <= limits::FIELD_VALUE, "{}: {}", f.name, n(&f.value));
    }
    assert!(n(&e.footer) <= limits::FOOTER);
    assert!(e.total_chars() <= limits::TOTAL);
}

#[test]
fn every_answer_fits_an_embed() {
    let kb = Kb::builtin().unwrap();
    let mut requests = vec![Request::Help];
    requests.extend((1..=3).map(Request::Law));
    requests.extend((1..=7).map(Request::Corollary));
    requests.extend(kb.products.iter().map(|p| Request::App(p.name.en.clone())));
    for identity in Field::Identity.codes() {
        for audience in Field::Audience.codes() {
            for host in Field::Host.codes() {
                requests.push(Request::Assess(vec![
                    ("identity".into(), identity.to_string()),
                    ("audience".into(), audience.to_string()),
                    ("host".into(), host.to_string()),
                ]));
            }
        }
    }
    for lang in [Lang::En, Lang::Zh] {
        for r in &requests {
            let e = answer(&kb, r, lang).unwrap_or_else(|e| panic!("{r:?}: {e:?}")).embed(&kb);
            within_limits(&e);
            assert!(!e.footer.is_empty(), "source credit on {r:?}");
        }
    }
}

#[test]
fn an_oversized_embed_is_cut_to_every_limit() {
    let long = "长".repeat(5000);
    let e = Embed {
        title: long.clone(),
        description: long.clone(),
        color: 0,
        fields: (0..30).map(|i| EmbedField { name: format!("{i}{long}"), value: long.clone() }).collect(),
        footer: long.clone(),
    }
    .fit();
    within_limits(&e);
    assert!(e.title.ends_with('…'));
    assert_eq!(e.title.chars().count(), limits::TITLE);
}

#[test]
fn one_long_part_is_cut_even_when_the_total_fits() {
    // 5000 characters fit the 6000 total but not the 4096 of a description.
    let e =
        Embed { title: "t".into(), description: "d".repeat(5000), color: 0, fields: Vec::new(), footer: String::new() }
            .fit();
    within_limits(&e);
    assert_eq!(e.description.chars().count(), limits::DESCRIPTION);
    let e =
        Embed { title: "t".into(), description: String::new(), color: 0, fields: Vec::new(), footer: "f".repeat(3000) }
            .fit();
    within_limits(&e);
}

#[test]
fn long_lists_continue_in_a_second_field_without_cutting_lines() {
    let kb = Kb::builtin().unwrap();
    let r = answer(
        &kb,
        &Request::Assess(vec![("identity".into(), "anonymous".into()), ("audience".into(), "strangers".into())]),
        Lang::En,
    )
    .unwrap();
    let e = r.embed(&kb);
    let reasoning: Vec<&EmbedField> = e.fields.iter().filter(|f| f.name.starts_with("Reasoning")).collect();
    let lines: usize = reasoning.iter().map(|f| f.value.lines().count()).sum();
    assert_eq!(lines, 10, "one line per rule, none cut");
    assert!(reasoning.iter().all(|f| f.value.chars().count() <= limits::FIELD_VALUE));
}
