//! What each fuzz target does with its input, shared by `fuzz/fuzz_targets/*.rs`
//! (cargo-fuzz, nightly) and `tests/fuzz_regressions.rs` (`cargo test`, which replays
//! every input in `fuzz/regressions/<target>/`). Each function must never panic,
//! whatever the bytes; the asserts inside are the properties checked on top.
#![allow(dead_code)]

use imlaws::command::{answer, parse_line, Commands, Request};
use imlaws::discord::components::State;
use imlaws::discord::{answer_interaction, respond, Incoming};
use imlaws::kb::{Kb, FILES};
use imlaws::lang::Lang;
use std::sync::LazyLock;

static KB: LazyLock<Kb> = LazyLock::new(|| Kb::builtin().expect("the built-in knowledge base"));

/// A fuzz target's body: any bytes, never a panic.
pub type Target = fn(&[u8]);

/// The targets, by name: `fuzz/run.sh` runs each, `cargo test` replays each one's
/// regressions.
pub const TARGETS: [(&str, Target); 5] = [
    ("slash_line", slash_line),
    ("plain_words", plain_words),
    ("interaction", interaction),
    ("kb_toml", kb_toml),
    ("custom_id", custom_id),
];

/// A console or mention line: parsed, answered in both languages, rendered.
pub fn slash_line(data: &[u8]) {
    let Ok(line) = std::str::from_utf8(data) else { return };
    if let Ok(request) = parse_line(Commands::builtin(), line) {
        for lang in [Lang::En, Lang::Zh] {
            match answer(&KB, &request, lang) {
                Ok(reply) => {
                    let _ = reply.embed(&KB).to_text(false);
                }
                Err(e) => assert!(!e.message(&KB, lang).is_empty(), "an error says what is wrong"),
            }
        }
    }
}

/// A question in plain words, read by the lexicon.
pub fn plain_words(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let _ = KB.lexicon.read(text);
}

/// A request body as either transport reads it (the gateway: serenity's `Interaction`;
/// HTTP: `Incoming::parse`), answered and written as the callback body, which must be
/// JSON.
pub fn interaction(data: &[u8]) {
    let owned;
    let data = match std::str::from_utf8(data) {
        Ok(text) if text.contains("{kb}") => {
            owned = text.replacen("{kb}", &KB.tag, 1);
            owned.as_bytes()
        }
        _ => data,
    };
    if let Ok(i) = serde_json::from_slice::<serenity::all::Interaction>(data) {
        let body = respond(&KB, &i).to_json();
        serde_json::from_slice::<serde_json::Value>(&body).expect("the callback body is JSON");
    }
    if let Ok(i) = Incoming::parse(data) {
        let body = answer_interaction(&KB, &i).0.into_parts().0.to_json();
        serde_json::from_slice::<serde_json::Value>(&body).expect("the callback body is JSON");
    }
}

/// One knowledge-base file replaced by the input (its first byte picks which), the
/// others built in: loaded and checked, or refused with a file and a reason.
pub fn kb_toml(data: &[u8]) {
    let Some((&which, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let which = usize::from(which) % FILES.len();
    let builtin = builtin_files();
    let files: Vec<(String, &str)> = FILES
        .iter()
        .enumerate()
        .map(|(i, name)| (format!("fuzz/{name}"), if i == which { text } else { builtin[i] }))
        .collect();
    match Kb::parse(&files) {
        Ok(kb) => {
            let _ = answer(&kb, &Request::help(), Lang::Zh);
        }
        Err(e) => assert!(!e.reason.is_empty(), "a refusal says why"),
    }
}

/// The built-in knowledge base's files, in [`FILES`] order.
pub fn builtin_files() -> [&'static str; 9] {
    [
        include_str!("../config/source.toml"),
        include_str!("../config/profile.toml"),
        include_str!("../config/messages.toml"),
        include_str!("../config/rules.toml"),
        include_str!("../config/outcomes.toml"),
        include_str!("../config/reasons.toml"),
        include_str!("../config/products.toml"),
        include_str!("../config/douyin.toml"),
        include_str!("../config/lexicon.toml"),
    ]
}

/// A component's `custom_id`: decoded against the built-in tag, and what decodes
/// encodes back to a `custom_id` that decodes to the same state, within 100 characters.
/// `{kb}` in the input stands for the built-in knowledge base's tag (so seeds reach
/// past the tag check whatever the knowledge base's contents).
pub fn custom_id(data: &[u8]) {
    let Ok(id) = std::str::from_utf8(data) else { return };
    let id = id.replacen("{kb}", &KB.tag, 1);
    if let Ok(state) = State::decode(&id, &KB.tag) {
        let again = state.encode(&KB.tag);
        assert!(again.chars().count() <= 100, "{again}");
        assert_eq!(State::decode(&again, &KB.tag), Ok(state));
    }
}
