//! The conversation around a verdict, at the handler: components on every verdict
//! within Discord's limits, clicks that refine in place or copy, and bad clicks.
//! (End to end through both transports: tests/conversation.rs.)

mod common;

use common::discord::{command, component, custom_id, string_options};
use imlaws::discord::components::State;
use imlaws::discord::respond;
use imlaws::kb::Kb;
use proptest::prelude::*;
use serde_json::Value;
use serenity::all::Interaction;
use std::sync::LazyLock;

static KB: LazyLock<Kb> = LazyLock::new(|| Kb::builtin().expect("knowledge base"));
const ALICE: &str = "900000000000000001";
const BOB: &str = "900000000000000002";

/// The answer to `interaction`, as it goes on the wire; checked on the way to be
/// byte for byte what serenity's builders write for the same message.
fn run(interaction: Value) -> Value {
    run_with(&KB, interaction)
}

/// [`run`], under knowledge base `kb`.
fn run_with(kb: &Kb, interaction: Value) -> Value {
    let i: Interaction = serde_json::from_value(interaction).expect("an interaction serenity accepts");
    let callback = respond(kb, &i);
    let ours = callback.to_json();
    let theirs = serde_json::to_vec(&builders::callback(&callback)).unwrap();
    assert_eq!(String::from_utf8_lossy(&ours), String::from_utf8_lossy(&theirs), "our JSON and serenity's differ");
    serde_json::from_slice(&ours).expect("json")
}

/// Our wire types as serenity's builders, to compare what each writes.
mod builders {
    use imlaws::discord::wire::{Callback, Message, Row};
    use serenity::all::*;

    pub fn callback(c: &Callback) -> CreateInteractionResponse {
        match c {
            Callback::Pong => CreateInteractionResponse::Pong,
            Callback::Message(m) => CreateInteractionResponse::Message(message(m)),
            Callback::Update(m) => CreateInteractionResponse::UpdateMessage(message(m)),
            Callback::Defer { ephemeral } => {
                let data = CreateInteractionResponseMessage::new();
                CreateInteractionResponse::Defer(if *ephemeral { data.ephemeral(true) } else { data })
            }
            Callback::Autocomplete(choices) => {
                CreateInteractionResponse::Autocomplete(CreateAutocompleteResponse::new().set_choices(
                    choices.iter().map(|c| AutocompleteChoice::new(c.name.to_string(), c.value.to_string())).collect(),
                ))
            }
        }
    }

    pub fn message(m: &Message) -> CreateInteractionResponseMessage {
        let mut out = CreateInteractionResponseMessage::new().allowed_mentions(CreateAllowedMentions::new());
        if let Some(text) = &m.content {
            out = out.content(text);
        }
        if let Some(e) = &m.embed {
            let mut embed = CreateEmbed::new().title(&e.title).description(&e.description).colour(e.color);
            for f in &e.fields {
                embed = embed.field(&*f.name, &f.value, false);
            }
            if !e.footer.is_empty() {
                embed = embed.footer(CreateEmbedFooter::new(&*e.footer));
            }
            if let Some(image) = &e.image {
                embed = embed.image(image);
            }
            out = out.embed(embed);
        }
        if m.ephemeral {
            out = out.ephemeral(true);
        }
        if let Some(rows) = &m.components {
            out = out.components(rows.iter().map(row).collect());
        }
        if let Some(name) = m.attachment {
            out = out.add_file(CreateAttachment::bytes(Vec::new(), name));
        }
        out
    }

    fn row(r: &Row) -> CreateActionRow {
        match r {
            Row::Select(s) => {
                let options = s
                    .options
                    .iter()
                    .map(|o| {
                        // Our option is JSON made ahead: its texts, read back, go to the
                        // builder, and the bytes written are compared.
                        let ours: serde_json::Value =
                            serde_json::from_str(&o.parts().concat()).expect("an option is JSON");
                        let text = |key: &str| ours[key].as_str().map(str::to_string);
                        let option = CreateSelectMenuOption::new(text("label").unwrap(), text("value").unwrap());
                        match text("description") {
                            Some(d) => option.description(d),
                            None => option,
                        }
                    })
                    .collect();
                CreateActionRow::SelectMenu(
                    CreateSelectMenu::new(s.custom_id.as_str(), CreateSelectMenuKind::String { options })
                        .placeholder(s.placeholder.to_string()),
                )
            }
            Row::Buttons(buttons) => CreateActionRow::Buttons(
                buttons
                    .iter()
                    .map(|b| {
                        CreateButton::new(b.custom_id.as_str()).label(b.label.to_string()).style(ButtonStyle::Secondary)
                    })
                    .collect(),
            ),
        }
    }
}

/// What `run` cannot reach: the deferral, and a map's message with its attachment.
#[test]
fn the_wire_writes_what_serenitys_builders_write() {
    use imlaws::discord::wire::Callback;
    let map = respond(&KB, &serde_json::from_value(command("map", serde_json::json!([]), "en-US")).unwrap());
    assert!(matches!(map, Callback::Message(_)));
    let map = imlaws::discord::answer_message(
        &KB,
        imlaws::command::answer(&KB, &imlaws::command::Request::map(&[]), imlaws::lang::Lang::Zh),
        imlaws::lang::Lang::Zh,
        1,
    );
    let (with_file, file) = map.into_parts();
    assert!(file.is_some(), "a map");
    for c in [Callback::Pong, Callback::Defer { ephemeral: true }, Callback::Defer { ephemeral: false }] {
        let theirs = serde_json::to_vec(&builders::callback(&c)).unwrap();
        assert_eq!(String::from_utf8_lossy(&c.to_json()), String::from_utf8_lossy(&theirs));
    }
    // serenity also writes the image's read-only fields (proxy_url, height, width) as
    // null; we leave them out, which Discord takes as the same.
    let without_nulls = |mut v: Value| {
        v["data"]["embeds"][0]["image"].as_object_mut().unwrap().retain(|_, v| !v.is_null());
        v
    };
    let theirs = serde_json::to_value(builders::callback(&with_file)).unwrap();
    let ours: Value = serde_json::from_slice(&with_file.to_json()).unwrap();
    assert_eq!(ours, without_nulls(theirs));
    assert_eq!(ours["data"]["attachments"], serde_json::json!([{"id": 0, "filename": "map.png", "description": null}]));
}

fn click(custom_id: &str, values: Option<&[&str]>, user: &str, locale: &str) -> Value {
    component(custom_id, values, user, locale)
}

fn assess(pairs: &[(&str, &str)]) -> Value {
    run(command("assess", string_options(pairs), "en-US"))
}

/// Every custom_id in a response's components, with its component.
fn components(response: &Value) -> Vec<Value> {
    let rows = response["data"]["components"].as_array().cloned().unwrap_or_default();
    rows.iter().flat_map(|r| r["components"].as_array().cloned().unwrap_or_default()).collect()
}

/// Discord's limits on components (reference section 8), checked on one response.
fn within_limits(response: &Value) -> Result<(), String> {
    let rows = response["data"]["components"].as_array().cloned().unwrap_or_default();
    if rows.len() > 5 {
        return Err(format!("{} action rows (max 5)", rows.len()));
    }
    let mut ids = std::collections::BTreeSet::new();
    for row in &rows {
        let inner = row["components"].as_array().ok_or("a row without components")?;
        if inner.is_empty() || inner.len() > 5 {
            return Err(format!("a row of {} components", inner.len()));
        }
        for c in inner {
            let id = c["custom_id"].as_str().ok_or("a component without custom_id")?;
            if id.is_empty() || id.chars().count() > 100 {
                return Err(format!("custom_id of {} characters", id.chars().count()));
            }
            if !ids.insert(id.to_string()) {
                return Err(format!("custom_id {id} twice in one message"));
            }
            match c["type"].as_u64() {
                Some(2) => {
                    let label = c["label"].as_str().unwrap_or("");
                    if label.is_empty() || label.chars().count() > 80 {
                        return Err(format!("button label {label:?}"));
                    }
                }
                Some(3) => {
                    let options = c["options"].as_array().ok_or("a select without options")?;
                    if options.is_empty() || options.len() > 25 {
                        return Err(format!("a select of {} options", options.len()));
                    }
                    if c["placeholder"].as_str().is_some_and(|p| p.chars().count() > 150) {
                        return Err("placeholder over 150".into());
                    }
                    for o in options {
                        for (key, max) in [("label", 100), ("value", 100), ("description", 100)] {
                            if o[key].as_str().is_some_and(|t| t.chars().count() > max || t.is_empty()) {
                                return Err(format!("option {key} {:?}", o[key]));
                            }
                        }
                    }
                }
                other => return Err(format!("component type {other:?}")),
            }
        }
    }
    Ok(())
}

#[test]
fn a_verdict_carries_components_to_refine_it() {
    let r = assess(&[("identity", "anonymous"), ("audience", "strangers")]);
    assert_eq!(r["type"], 4);
    assert_eq!(r["data"]["flags"], Value::Null, "public, so the team sees it");
    within_limits(&r).unwrap();
    let all = components(&r);
    assert_eq!(all.len(), 4, "two menus, the what-if and the map buttons");
    let core = &all[0];
    let values: Vec<&str> = core["options"].as_array().unwrap().iter().map(|o| o["value"].as_str().unwrap()).collect();
    assert!(values.contains(&"0:0"), "identity → real-name is offered: {values:?}");
    assert!(!values.contains(&"0:1"), "not the current identity");
    assert_eq!(all[2]["type"], 2);
    assert_eq!(all[2]["label"], "What would change it?");
    assert_eq!((all[3]["type"].as_u64(), all[3]["label"].as_str()), (Some(2), Some("Map")));
    // The other fields' menu lists assumed fields first, saying what they are now.
    let other = &all[1]["options"][0];
    assert!(other["description"].as_str().unwrap().starts_with("now assumed"), "{other}");
    // In Chinese, the labels are too.
    let zh = run(command("assess", string_options(&[("identity", "anonymous"), ("audience", "strangers")]), "zh-CN"));
    assert_eq!(components(&zh)[2]["label"], "什么会改变它？");
}

#[test]
fn the_asker_refines_in_place_and_anyone_else_gets_a_copy() {
    let r = assess(&[("identity", "anonymous"), ("audience", "everyone")]);
    let menu = custom_id(&r, "c");
    let mine = run(click(&menu, Some(&["0:0"]), ALICE, "en-US"));
    assert_eq!(mine["type"], 7, "UPDATE_MESSAGE for the asker");
    let expected = assess(&[("identity", "real-name"), ("audience", "everyone")]);
    assert_eq!(mine["data"]["embeds"], expected["data"]["embeds"], "the verdict of /assess with the changed field");
    assert!(mine["data"]["embeds"][0]["description"].as_str().unwrap().contains("Corollary 7"));
    let theirs = run(click(&menu, Some(&["0:0"]), BOB, "en-US"));
    assert_eq!(theirs["type"], 4);
    assert_eq!(theirs["data"]["flags"], 64, "an ephemeral copy: nobody overwrites the team's message");
    assert_eq!(theirs["data"]["embeds"], expected["data"]["embeds"]);
    let state = State::decode(&custom_id(&theirs, "c"), &KB.tag).unwrap();
    assert_eq!(state.owner.to_string(), BOB, "the copy is Bob's to refine");
    within_limits(&mine).unwrap();
}

#[test]
fn the_what_if_button_lists_what_would_change_the_verdict() {
    let r = assess(&[("identity", "anonymous"), ("audience", "everyone")]);
    let w = run(click(&custom_id(&r, "w"), None, BOB, "en-US"));
    assert_eq!((w["type"].as_u64(), w["data"]["flags"].as_u64()), (Some(4), Some(64)));
    let text = w["data"]["embeds"][0]["description"].as_str().unwrap();
    assert!(text.contains("identity: anonymous → real-name: Corollary 7, unfavorable"), "{text}");
    assert!(text.contains("audience: everyone → interest community: Corollary 4, favorable"), "{text}");
}

#[test]
fn a_question_missing_its_audience_is_answered_with_a_menu_of_audiences() {
    let r = run(command("ask", string_options(&[("question", "an anonymous chat app")]), "en-US"));
    assert_eq!(r["data"]["flags"], 64);
    assert!(r["data"]["content"].as_str().unwrap().contains("audience: everyone, acquaintances"));
    let menu = &components(&r)[0];
    assert_eq!(menu["options"].as_array().unwrap().len(), 8, "every audience");
    let picked = run(click(menu["custom_id"].as_str().unwrap(), Some(&["1:6"]), ALICE, "en-US"));
    assert_eq!(picked["type"], 7);
    let expected = assess(&[("identity", "anonymous"), ("audience", "strangers")]);
    assert_eq!(picked["data"]["embeds"], expected["data"]["embeds"], "the question, answered with the pick");
}

#[test]
fn bad_and_stale_clicks_get_a_clear_message() {
    let r = assess(&[("identity", "anonymous"), ("audience", "strangers")]);
    let menu = custom_id(&r, "c");
    let stale = menu.replacen(&KB.tag, "000000", 1);
    let truncated = &menu[..menu.len() - 25];
    let cases: [(String, Option<&[&str]>, &str); 7] = [
        (stale, Some(&["0:0"]), "earlier version"),
        (truncated.to_string(), Some(&["0:0"]), "cannot read"),
        ("something-else".into(), Some(&["0:0"]), "cannot read"),
        (menu.clone(), Some(&["1:9"]), "not one of the codes"),
        (menu.clone(), Some(&["x"]), "not one of the codes"),
        (menu.clone(), Some(&[]), "not one of the codes"),
        (menu.clone(), None, "cannot read"),
    ];
    for (id, values, says) in cases {
        let out = run(click(&id, values, ALICE, "en-US"));
        assert_eq!((out["type"].as_u64(), out["data"]["flags"].as_u64()), (Some(4), Some(64)), "{id}");
        let text = out["data"]["content"].as_str().unwrap();
        assert!(text.contains(says), "{id} {values:?}: {text}");
    }
    let zh = run(click(&menu.replacen(&KB.tag, "000000", 1), Some(&["0:0"]), ALICE, "zh-CN"));
    assert!(zh["data"]["content"].as_str().unwrap().contains("旧版本"), "in the user's language");
}

/// Every message the bot can answer an assessment with stays within the limits.
#[test]
fn every_profile_answers_within_discords_limits() {
    use imlaws::profile::Field;
    let fields = [
        Field::Identity,
        Field::Audience,
        Field::Host,
        Field::Device,
        Field::Stance,
        Field::Coverage,
        Field::Community,
    ];
    let mut n = 0;
    let mut stack = vec![Vec::<(&str, &str)>::new()];
    while let Some(pairs) = stack.pop() {
        if pairs.len() == fields.len() {
            let r = assess(&pairs);
            within_limits(&r).unwrap_or_else(|e| panic!("{pairs:?}: {e}"));
            assert!(!components(&r).is_empty());
            n += 1;
            continue;
        }
        let f = fields[pairs.len()];
        for code in f.codes() {
            let mut next = pairs.clone();
            next.push((f.name(), code));
            stack.push(next);
        }
    }
    assert_eq!(n, 3 * 8 * 3 * 3 * 2 * 2 * 2);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn any_custom_id_decodes_without_panicking(id in "\\PC{0,120}", prefix in prop::sample::select(vec!["", "im1.", "im0.", "im1.abcdef."])) {
        let id = format!("{prefix}{id}");
        let _ = State::decode(&id, &KB.tag);
        let out = run(click(&id, Some(&["0:0"]), ALICE, "en-US"));
        prop_assert!(matches!(out["type"].as_u64(), Some(4) | Some(7)));
    }
}

/// A knowledge base from a folder may give the menus' options texts longer than
/// Discord's 100 characters, and characters JSON escapes: each is cut to 100 with "…",
/// escaped, and written as serenity writes it (`run_with` compares the bytes).
#[test]
fn long_option_texts_are_cut_and_escaped() {
    let dir = common::config_copy("long-options");
    let path = dir.join("messages.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let long = format!(r#" \"said\" \\ {}"#, "长".repeat(120));
    let text = text
        .replace(r#"en = "{field}: {code}""#, &format!(r#"en = "{{field}}: {{code}}{long}""#))
        .replace(r#"en = "now assumed: {code}""#, &format!(r#"en = "now assumed: {{code}}{long}""#));
    std::fs::write(&path, text).unwrap();
    let kb = Kb::from_dir(&dir).expect("long texts load");
    let _ = std::fs::remove_dir_all(&dir);
    let response = run_with(
        &kb,
        command("assess", string_options(&[("identity", "anonymous"), ("audience", "strangers")]), "en-US"),
    );
    within_limits(&response).unwrap();
    let menus: Vec<Value> = components(&response).into_iter().filter(|c| c["type"] == 3).collect();
    let options: Vec<&Value> = menus.iter().flat_map(|m| m["options"].as_array().unwrap()).collect();
    let descriptions: Vec<&str> = options.iter().filter_map(|o| o["description"].as_str()).collect();
    assert!(!descriptions.is_empty(), "assumed fields carry a note");
    for t in options.iter().map(|o| o["label"].as_str().unwrap()).chain(descriptions) {
        assert_eq!(t.chars().count(), 100, "{t}");
        assert!(t.contains(" \"said\" \\ 长") && t.ends_with('…'), "{t}");
    }
}

/// With one of the other fields stated (host), the assumed ones still come first in
/// that menu, and the stated field's options after all of them.
#[test]
fn stated_fields_come_after_assumed_ones_in_the_other_menu() {
    let r = assess(&[("identity", "anonymous"), ("audience", "strangers"), ("host", "tool")]);
    let options = components(&r)[1]["options"].as_array().cloned().unwrap();
    let field = |o: &Value| o["value"].as_str().unwrap().split(':').next().unwrap().to_string();
    let assumed = |o: &Value| o["description"].as_str().is_some_and(|d| d.starts_with("now assumed"));
    assert!(assumed(&options[0]), "{}", options[0]);
    let first_host = options.iter().position(|o| field(o) == "4").unwrap_or(options.len());
    assert!(first_host > 0 && options[first_host..].iter().all(|o| field(o) == "4"), "{options:?}");
}

/// A prefix other than `im1` is stale only when it names another version (`im` and
/// digits); `im` alone or `im` and letters is not ours at all.
#[test]
fn only_another_version_of_the_prefix_is_stale() {
    use imlaws::discord::components::ClickError;
    let tag = &KB.tag;
    for (prefix, expected) in [
        ("im0", ClickError::Stale),
        ("im22", ClickError::Stale),
        ("im", ClickError::Malformed),
        ("imx", ClickError::Malformed),
        ("im1x", ClickError::Malformed),
        ("xx1", ClickError::Malformed),
    ] {
        let id = format!("{prefix}.{tag}.w.01-------.{ALICE}");
        assert_eq!(State::decode(&id, tag).err(), Some(expected), "{id}");
    }
}
