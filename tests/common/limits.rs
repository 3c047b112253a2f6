//! What Discord accepts from a bot, checked the way Discord checks it: each broken rule
//! is one line naming the field, the rule and where it is written down. The numbers are
//! copied from `../shared/reference/discord-platform.md` (Discord's docs), never from
//! imlaws' own constants, so a wrong constant in the code under test cannot hide here.
#![allow(dead_code)]

use serde_json::Value;
use std::collections::HashSet;

/// Message `content`, in characters (§5, resources/message#create-message-jsonform-params).
pub const CONTENT: usize = 2000;
/// Embeds in one message (§5).
pub const EMBEDS: usize = 10;
/// Embed limits (§5, resources/message#embed-object-embed-limits).
pub const TITLE: usize = 256;
pub const DESCRIPTION: usize = 4096;
pub const FIELDS: usize = 25;
pub const FIELD_NAME: usize = 256;
pub const FIELD_VALUE: usize = 1024;
pub const FOOTER: usize = 2048;
pub const AUTHOR: usize = 256;
/// Title, description, field names and values, footer and author of all embeds together.
pub const EMBED_TOTAL: usize = 6000;
/// Components (§8, components/reference).
pub const ACTION_ROWS: usize = 5;
pub const BUTTONS_PER_ROW: usize = 5;
pub const CUSTOM_ID: usize = 100;
pub const BUTTON_LABEL: usize = 80;
pub const BUTTON_URL: usize = 512;
pub const SELECT_OPTIONS: usize = 25;
pub const SELECT_OPTION_TEXT: usize = 100;
pub const PLACEHOLDER: usize = 150;
/// Autocomplete choices (§2) and command choices (§4).
pub const CHOICES: usize = 25;
pub const CHOICE_TEXT: usize = 100;
/// Modal (§2).
pub const MODAL_TITLE: usize = 45;
pub const MODAL_COMPONENTS: usize = 5;
/// Allowed mentions id lists (§5).
pub const MENTION_IDS: usize = 100;
/// Commands (§4).
pub const COMMAND_NAME: usize = 32;
pub const COMMAND_DESCRIPTION: usize = 100;
pub const COMMAND_OPTIONS: usize = 25;
pub const COMMAND_TOTAL: usize = 8000;
pub const CHAT_INPUT_COMMANDS: usize = 100;
pub const STRING_LENGTH: u64 = 6000;

/// Message flags (§2): SUPPRESS_EMBEDS, EPHEMERAL, SUPPRESS_NOTIFICATIONS, IS_VOICE_MESSAGE,
/// IS_COMPONENTS_V2.
pub const SUPPRESS_EMBEDS: u64 = 1 << 2;
pub const EPHEMERAL: u64 = 1 << 6;
pub const SUPPRESS_NOTIFICATIONS: u64 = 1 << 12;
pub const IS_VOICE_MESSAGE: u64 = 1 << 13;
pub const IS_COMPONENTS_V2: u64 = 1 << 15;

/// The 32 locales Discord knows (§4, reference#locales).
pub const LOCALES: [&str; 32] = [
    "id", "da", "de", "en-GB", "en-US", "es-ES", "es-419", "fr", "hr", "it", "lt", "hu", "nl", "no", "pl", "pt-BR",
    "ro", "fi", "sv-SE", "vi", "tr", "cs", "el", "bg", "ru", "uk", "hi", "th", "zh-CN", "ja", "zh-TW", "ko",
];

/// Where a message goes: what it may carry differs a little.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// `data` of an interaction callback (types 4 and 7) or a follow-up.
    InteractionReply,
    /// `POST /channels/{id}/messages`.
    ChannelMessage,
}

/// Characters as Discord counts them for content: every character.
fn len(s: &str) -> usize {
    s.chars().count()
}

/// Characters as Discord counts them in embeds: leading and trailing whitespace trimmed.
fn embed_len(s: &str) -> usize {
    s.trim().chars().count()
}

struct Check {
    out: Vec<String>,
}

impl Check {
    fn new() -> Check {
        Check { out: Vec::new() }
    }

    fn fail(&mut self, message: String) {
        self.out.push(message);
    }

    /// `at` is a string of at most `max` characters (`min` at least), when present.
    fn text(&mut self, at: &str, v: &Value, min: usize, max: usize, rule: &str) -> usize {
        match v {
            Value::Null => {
                if min > 0 {
                    self.fail(format!("{at}: required ({rule})"));
                }
                0
            }
            Value::String(s) => {
                let n = len(s);
                if n > max {
                    self.fail(format!("{at}: {n} characters, more than Discord's limit of {max} ({rule})"));
                } else if n < min {
                    self.fail(format!("{at}: {n} characters, fewer than Discord's minimum of {min} ({rule})"));
                }
                n
            }
            other => {
                self.fail(format!("{at}: must be a string, got {other} ({rule})"));
                0
            }
        }
    }

    fn array<'v>(&mut self, at: &str, v: &'v Value, max: usize, rule: &str) -> &'v [Value] {
        match v {
            Value::Null => &[],
            Value::Array(items) => {
                if items.len() > max {
                    self.fail(format!("{at}: {} items, more than Discord's limit of {max} ({rule})", items.len()));
                }
                items
            }
            other => {
                self.fail(format!("{at}: must be an array, got {other} ({rule})"));
                &[]
            }
        }
    }
}

/// A message body (`content`, `embeds`, `allowed_mentions`, `flags`, `components`).
pub fn message(m: &Value, target: Target) -> Vec<String> {
    let mut c = Check::new();
    message_into(&mut c, "", m, target);
    c.out
}

fn message_into(c: &mut Check, at: &str, m: &Value, target: Target) {
    if !m.is_object() {
        c.fail(format!("{at}message: must be a JSON object, got {m}"));
        return;
    }
    const CREATE: &str = "message#create-message-jsonform-params";
    let content = c.text(&format!("{at}content"), &m["content"], 0, CONTENT, CREATE);
    let embeds = c.array(&format!("{at}embeds"), &m["embeds"], EMBEDS, CREATE);
    let mut total = 0;
    for (i, e) in embeds.iter().enumerate() {
        total += embed(c, &format!("{at}embeds[{i}]"), e);
    }
    if total > EMBED_TOTAL {
        c.fail(format!(
            "{at}embeds: {total} characters in titles, descriptions, fields, footers and authors together, \
             more than Discord's limit of {EMBED_TOTAL} across all embeds (message#embed-object-embed-limits)"
        ));
    }
    let components = c.array(&format!("{at}components"), &m["components"], usize::MAX, CREATE);
    let flags = match &m["flags"] {
        Value::Null => 0,
        v => v.as_u64().unwrap_or_else(|| {
            c.fail(format!("{at}flags: must be an integer, got {v}"));
            0
        }),
    };
    let allowed = match target {
        Target::InteractionReply => {
            SUPPRESS_EMBEDS | EPHEMERAL | SUPPRESS_NOTIFICATIONS | IS_VOICE_MESSAGE | IS_COMPONENTS_V2
        }
        Target::ChannelMessage => SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS | IS_VOICE_MESSAGE | IS_COMPONENTS_V2,
    };
    if flags & !allowed != 0 {
        c.fail(format!(
            "{at}flags: {flags} sets bits {:#x} that this message may not set \
             (interactions/receiving-and-responding#interaction-response-object-messages)",
            flags & !allowed
        ));
    }
    let v2 = flags & IS_COMPONENTS_V2 != 0;
    if v2 && (content > 0 || !embeds.is_empty()) {
        c.fail(format!("{at}flags: IS_COMPONENTS_V2 forbids content and embeds (components/reference)"));
    }
    components_into(c, at, components, v2);
    let has = |k: &str| m[k].as_array().is_some_and(|a| !a.is_empty()) || (k == "poll" && !m[k].is_null());
    let nonblank = m["content"].as_str().is_some_and(|s| !s.trim().is_empty());
    if !nonblank && !has("embeds") && !has("components") && !has("attachments") && !has("sticker_ids") && !has("poll") {
        c.fail(format!("{at}message: empty (no content, embeds, components, attachments, stickers or poll); Discord answers 50006 Cannot send an empty message"));
    }
    allowed_mentions(c, at, &m["allowed_mentions"]);
}

/// One embed's limits; returns the characters it adds to the 6000 total.
fn embed(c: &mut Check, at: &str, e: &Value) -> usize {
    const LIMITS: &str = "message#embed-object-embed-limits";
    if !e.is_object() {
        c.fail(format!("{at}: must be an object, got {e}"));
        return 0;
    }
    let mut total = 0;
    let mut part = |c: &mut Check, name: &str, v: &Value, min: usize, max: usize| {
        c.text(&format!("{at}.{name}"), v, min, max, LIMITS);
        total += v.as_str().map_or(0, embed_len);
    };
    part(c, "title", &e["title"], 0, TITLE);
    part(c, "description", &e["description"], 0, DESCRIPTION);
    let fields = c.array(&format!("{at}.fields"), &e["fields"], FIELDS, LIMITS);
    for (i, f) in fields.iter().enumerate() {
        // A field's name and value are required and may not be blank.
        for (key, max) in [("name", FIELD_NAME), ("value", FIELD_VALUE)] {
            part(c, &format!("fields[{i}].{key}"), &f[key], 1, max);
            if f[key].as_str().is_some_and(|s| !s.is_empty() && s.trim().is_empty()) {
                c.fail(format!("{at}.fields[{i}].{key}: blank; Discord requires it ({LIMITS})"));
            }
        }
    }
    if !e["footer"].is_null() {
        part(c, "footer.text", &e["footer"]["text"], 1, FOOTER);
    }
    if !e["author"].is_null() {
        part(c, "author.name", &e["author"]["name"], 1, AUTHOR);
    }
    match &e["color"] {
        Value::Null => {}
        v if v.as_u64().is_some_and(|n| n <= 0xFF_FF_FF) => {}
        v => c.fail(format!("{at}.color: {v} is not an RGB integer 0..=0xFFFFFF (resources/message#embed-object)")),
    }
    total
}

fn allowed_mentions(c: &mut Check, at: &str, am: &Value) {
    const RULE: &str = "resources/message#allowed-mentions-object";
    if am.is_null() {
        c.fail(format!(
            "{at}allowed_mentions: missing; imlaws sends it on every message so no text it echoes can ping \
             anyone (without it Discord parses mentions: {RULE})"
        ));
        return;
    }
    if !am.is_object() {
        c.fail(format!("{at}allowed_mentions: must be an object, got {am} ({RULE})"));
        return;
    }
    let parse: Vec<&str> = c
        .array(&format!("{at}allowed_mentions.parse"), &am["parse"], 3, RULE)
        .iter()
        .filter_map(|p| p.as_str())
        .collect();
    for p in &parse {
        if !["users", "roles", "everyone"].contains(p) {
            c.fail(format!("{at}allowed_mentions.parse: unknown type `{p}` ({RULE})"));
        }
    }
    for kind in ["users", "roles"] {
        let ids = c.array(&format!("{at}allowed_mentions.{kind}"), &am[kind], MENTION_IDS, RULE);
        if !ids.is_empty() && parse.contains(&kind) {
            c.fail(format!(
                "{at}allowed_mentions: `parse` holds `{kind}` and `{kind}` lists ids; Discord refuses both ({RULE})"
            ));
        }
    }
}

fn components_into(c: &mut Check, at: &str, rows: &[Value], v2: bool) {
    const RULE: &str = "components/reference";
    if !v2 && rows.len() > ACTION_ROWS {
        c.fail(format!("{at}components: {} action rows, more than {ACTION_ROWS} ({RULE}#action-row)", rows.len()));
    }
    let mut ids = HashSet::new();
    for (r, row) in rows.iter().enumerate() {
        let at = format!("{at}components[{r}]");
        if row["type"] != 1 {
            if !v2 {
                c.fail(format!("{at}: top-level components must be action rows (type 1) ({RULE}#action-row)"));
            }
            continue;
        }
        let children = c.array(&format!("{at}.components"), &row["components"], BUTTONS_PER_ROW, RULE);
        if children.is_empty() {
            c.fail(format!("{at}: an action row holds 1 to 5 components ({RULE}#action-row)"));
        }
        let selects = children.iter().filter(|x| x["type"].as_u64().is_some_and(|t| (3..=8).contains(&t))).count();
        if selects > 0 && children.len() > 1 {
            c.fail(format!("{at}: a select menu must be alone in its action row ({RULE}#action-row)"));
        }
        for (i, x) in children.iter().enumerate() {
            let at = format!("{at}.components[{i}]");
            let link = x["type"] == 2 && x["style"] == 5;
            let premium = x["type"] == 2 && x["style"] == 6;
            if !link && !premium {
                c.text(&format!("{at}.custom_id"), &x["custom_id"], 1, CUSTOM_ID, RULE);
                if let Some(id) = x["custom_id"].as_str() {
                    if !ids.insert(id.to_string()) {
                        c.fail(format!("{at}.custom_id: `{id}` used twice in one message ({RULE}#anatomy-of-a-component-custom-id)"));
                    }
                }
            }
            match x["type"].as_u64() {
                Some(2) => {
                    c.text(&format!("{at}.label"), &x["label"], 0, BUTTON_LABEL, RULE);
                    if link {
                        c.text(&format!("{at}.url"), &x["url"], 1, BUTTON_URL, RULE);
                    }
                }
                Some(3) => {
                    c.text(&format!("{at}.placeholder"), &x["placeholder"], 0, PLACEHOLDER, RULE);
                    let options = c.array(&format!("{at}.options"), &x["options"], SELECT_OPTIONS, RULE);
                    if options.is_empty() {
                        c.fail(format!("{at}.options: a string select needs 1 to 25 options ({RULE}#string-select)"));
                    }
                    for (o, opt) in options.iter().enumerate() {
                        for (key, min) in [("label", 1), ("value", 1), ("description", 0)] {
                            c.text(&format!("{at}.options[{o}].{key}"), &opt[key], min, SELECT_OPTION_TEXT, RULE);
                        }
                    }
                }
                Some(4..=8) => {
                    c.text(&format!("{at}.placeholder"), &x["placeholder"], 0, PLACEHOLDER, RULE);
                }
                other => c.fail(format!("{at}.type: {other:?} is not a component in an action row ({RULE})")),
            }
        }
    }
}

/// Which callback types answer which interaction type
/// (interactions/receiving-and-responding#interaction-response-object-interaction-callback-type).
pub fn callback_types_for(interaction_type: u64) -> &'static [u64] {
    match interaction_type {
        1 => &[1],               // PING → PONG
        2 => &[4, 5, 9, 10, 12], // APPLICATION_COMMAND
        3 => &[4, 5, 6, 7, 9, 10, 12],
        4 => &[8], // AUTOCOMPLETE
        5 => &[4, 5, 6, 7, 10, 12],
        _ => &[],
    }
}

/// An interaction response body `{type, data}` for an interaction of `interaction_type`.
pub fn callback(interaction_type: u64, body: &Value) -> Vec<String> {
    const RULE: &str = "interactions/receiving-and-responding#interaction-response-object";
    let mut c = Check::new();
    let Some(kind) = body["type"].as_u64() else {
        c.fail(format!("type: required integer callback type, got {} ({RULE})", body["type"]));
        return c.out;
    };
    if !callback_types_for(interaction_type).contains(&kind) {
        c.fail(format!(
            "type: callback {kind} does not answer an interaction of type {interaction_type} (allowed: {:?}) ({RULE}-interaction-callback-type)",
            callback_types_for(interaction_type)
        ));
    }
    let data = &body["data"];
    match kind {
        1 => {
            if !data.is_null() {
                c.fail(format!("data: PONG carries no data ({RULE})"));
            }
        }
        4 => {
            if data.is_null() {
                c.fail(format!("data: CHANNEL_MESSAGE_WITH_SOURCE needs the message ({RULE}-messages)"));
            } else {
                message_into(&mut c, "data.", data, Target::InteractionReply);
            }
        }
        7 => {
            if !data.is_null() {
                message_into(&mut c, "data.", data, Target::InteractionReply);
            }
        }
        5 => {
            if data["flags"].as_u64().is_some_and(|f| f & !EPHEMERAL != 0) {
                c.fail(format!("data.flags: a deferred reply may set only EPHEMERAL ({RULE}-messages)"));
            }
        }
        6 => {}
        8 => {
            if data.is_null() {
                c.fail(format!("data: AUTOCOMPLETE_RESULT needs data.choices ({RULE}-autocomplete)"));
            } else if data["choices"].is_null() {
                c.fail(format!("data.choices: required ({RULE}-autocomplete)"));
            }
            let choices = c.array("data.choices", &data["choices"], CHOICES, &format!("{RULE}-autocomplete"));
            for (i, ch) in choices.iter().enumerate() {
                let rule =
                    "application-commands#application-command-object-application-command-option-choice-structure";
                c.text(&format!("data.choices[{i}].name"), &ch["name"], 1, CHOICE_TEXT, rule);
                match &ch["value"] {
                    Value::String(_) => {
                        c.text(&format!("data.choices[{i}].value"), &ch["value"], 0, CHOICE_TEXT, rule);
                    }
                    Value::Number(_) => {}
                    other => {
                        c.fail(format!("data.choices[{i}].value: must be a string or number, got {other} ({rule})"))
                    }
                }
            }
        }
        9 => {
            let rule = format!("{RULE}-modal");
            c.text("data.custom_id", &data["custom_id"], 1, CUSTOM_ID, &rule);
            c.text("data.title", &data["title"], 1, MODAL_TITLE, &rule);
            let n = data["components"].as_array().map_or(0, Vec::len);
            if !(1..=MODAL_COMPONENTS).contains(&n) {
                c.fail(format!("data.components: {n} components; a modal holds 1 to {MODAL_COMPONENTS} ({rule})"));
            }
        }
        10 | 12 => {}
        other => c.fail(format!("type: {other} is not a callback type ({RULE}-interaction-callback-type)")),
    }
    c.out
}

/// A bulk-overwrite body: the list of commands (§4, application-commands).
pub fn commands(body: &Value) -> Vec<String> {
    const RULE: &str = "application-commands#application-command-object";
    let mut c = Check::new();
    let Some(list) = body.as_array() else {
        c.fail(format!("commands: the body must be an array of commands ({RULE})"));
        return c.out;
    };
    let chat: Vec<&Value> = list.iter().filter(|x| x["type"].as_u64().unwrap_or(1) == 1).collect();
    if chat.len() > CHAT_INPUT_COMMANDS {
        c.fail(format!("commands: {} CHAT_INPUT commands, more than {CHAT_INPUT_COMMANDS} ({RULE})", chat.len()));
    }
    let mut names = HashSet::new();
    for (i, cmd) in list.iter().enumerate() {
        let at = format!("commands[{i}]");
        if let Some(n) = cmd["name"].as_str() {
            if !names.insert(n) {
                c.fail(format!("{at}.name: `{n}` twice ({RULE}-naming)"));
            }
        }
        let mut total = named(&mut c, &at, cmd);
        let options = c.array(&format!("{at}.options"), &cmd["options"], COMMAND_OPTIONS, RULE);
        total += options_into(&mut c, &at, options);
        if total > COMMAND_TOTAL {
            c.fail(format!(
                "{at}: {total} characters in names, descriptions and choices, more than {COMMAND_TOTAL} (application-commands#slash-commands)"
            ));
        }
    }
    c.out
}

/// A command's or option's name and description with their localisations; returns the
/// characters they count toward the 8000 total (the longest version of each).
fn named(c: &mut Check, at: &str, x: &Value) -> usize {
    const RULE: &str = "application-commands#application-command-object";
    let mut total = 0;
    for (key, max, check_name) in [("name", COMMAND_NAME, true), ("description", COMMAND_DESCRIPTION, false)] {
        let mut longest = c.text(&format!("{at}.{key}"), &x[key], 1, max, RULE);
        if check_name {
            name_chars(c, &format!("{at}.name"), &x["name"]);
        }
        if let Some(map) = x[&format!("{key}_localizations")].as_object() {
            for (locale, v) in map {
                if !LOCALES.contains(&locale.as_str()) {
                    c.fail(format!("{at}.{key}_localizations: `{locale}` is not a Discord locale (reference#locales)"));
                }
                longest = longest.max(c.text(&format!("{at}.{key}_localizations.{locale}"), v, 1, max, RULE));
                if check_name {
                    name_chars(c, &format!("{at}.name_localizations.{locale}"), v);
                }
            }
        }
        total += longest;
    }
    total
}

/// `^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$`, lowercase where a letter has case.
fn name_chars(c: &mut Check, at: &str, v: &Value) {
    let Some(s) = v.as_str() else { return };
    let ok = |ch: char| ch.is_alphanumeric() || "-_'".contains(ch) || ('\u{0900}'..='\u{0E7F}').contains(&ch);
    if !s.chars().all(ok) || s.chars().any(char::is_uppercase) {
        c.fail(format!(
            "{at}: `{s}` breaks the naming rule (lowercase letters, digits, - _ ') (application-commands#application-command-object-application-command-naming)"
        ));
    }
}

fn options_into(c: &mut Check, at: &str, options: &[Value]) -> usize {
    const RULE: &str = "application-commands#application-command-object-application-command-option-structure";
    let mut total = 0;
    let mut names = HashSet::new();
    let mut optional_seen = false;
    for (i, o) in options.iter().enumerate() {
        let at = format!("{at}.options[{i}]");
        total += named(c, &at, o);
        if let Some(n) = o["name"].as_str() {
            if !names.insert(n) {
                c.fail(format!("{at}.name: `{n}` twice in one options list ({RULE})"));
            }
        }
        let required = o["required"].as_bool().unwrap_or(false);
        if required && optional_seen {
            c.fail(format!("{at}: a required option after an optional one ({RULE})"));
        }
        optional_seen |= !required;
        let kind = o["type"].as_u64().unwrap_or(0);
        let choices = c.array(&format!("{at}.choices"), &o["choices"], CHOICES, RULE);
        if !choices.is_empty() && ![3, 4, 10].contains(&kind) {
            c.fail(format!("{at}.choices: only STRING, INTEGER and NUMBER options have choices ({RULE})"));
        }
        if !choices.is_empty() && o["autocomplete"] == true {
            c.fail(format!("{at}: autocomplete together with choices ({RULE})"));
        }
        for (j, ch) in choices.iter().enumerate() {
            let at = format!("{at}.choices[{j}]");
            let mut longest = c.text(&format!("{at}.name"), &ch["name"], 1, CHOICE_TEXT, RULE);
            if let Some(map) = ch["name_localizations"].as_object() {
                for (locale, v) in map {
                    if !LOCALES.contains(&locale.as_str()) {
                        c.fail(format!("{at}.name_localizations: `{locale}` is not a Discord locale"));
                    }
                    longest =
                        longest.max(c.text(&format!("{at}.name_localizations.{locale}"), v, 1, CHOICE_TEXT, RULE));
                }
            }
            total += longest;
            if let Value::String(_) = ch["value"] {
                total += c.text(&format!("{at}.value"), &ch["value"], 1, CHOICE_TEXT, RULE);
            }
        }
        for key in ["min_length", "max_length"] {
            if let Some(n) = o[key].as_u64() {
                let min = if key == "max_length" { 1 } else { 0 };
                if kind != 3 || n < min || n > STRING_LENGTH {
                    c.fail(format!("{at}.{key}: {n}; STRING options only, {min} to {STRING_LENGTH} ({RULE})"));
                }
            }
        }
        let nested = c.array(&format!("{at}.options"), &o["options"], COMMAND_OPTIONS, RULE);
        total += options_into(c, &at, nested);
    }
    total
}
