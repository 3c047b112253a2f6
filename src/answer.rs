//! Answers shared by every front-end: each command of the table (`crate::command`)
//! and each component click ends in one of these functions, which return a [`Reply`]
//! or a [`UserError`] that says what to fix.

use crate::ask::{AskError, Recognition};
use crate::kb::{Kb, Msg, Product};
use crate::lang::{fill, Lang};
use crate::map;
use crate::profile::{Field, ProfileInput};
use crate::render::{self, Embed};
use crate::rules::{self, RuleId};
use crate::verdict::{self, Report, SourceRef};
use serde::Serialize;
use serde_json::{json, Value};

/// A bad input, with everything needed to say what to fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserError {
    UnknownCode {
        field: Field,
        value: String,
    },
    MissingFields(Vec<Field>),
    DuplicateOption(String),
    UnknownOption {
        command: &'static str,
        option: String,
        valid: Vec<&'static str>,
    },
    LawRange(i64),
    CorollaryRange(i64),
    NotANumber {
        command: &'static str,
        value: String,
    },
    MissingNumber {
        command: &'static str,
    },
    UnknownProduct(String),
    MissingName,
    /// `/map` given both a profile and an app.
    MapBoth,
    /// A command not in the table, with the table's command names.
    UnknownCommand {
        command: String,
        known: Vec<&'static str>,
    },
    UnclosedQuote,
    StrayText(String),
    /// A plain-words question that cannot be assessed, with the language to say so in.
    Ask(AskError, Lang),
    /// Fields the decision needs that nobody stated, with what was stated, so a
    /// front-end can offer the needed fields' codes as choices.
    Needs {
        input: ProfileInput,
        needed: Vec<Field>,
        lang: Lang,
    },
}

impl UserError {
    /// The message in `lang`, one line (two for an unknown product with suggestions).
    pub fn message(&self, kb: &Kb, lang: Lang) -> String {
        let m = |msg: Msg| kb.msg(msg, lang);
        match self {
            UserError::UnknownCode { field, value } => fill(
                m(Msg::ErrorUnknownCode),
                &[("field", kb.field_label(*field, lang)), ("value", value), ("valid", &valid_codes(*field))],
            ),
            UserError::MissingFields(fields) => fields
                .iter()
                .map(|f| fill(m(Msg::ErrorMissingField), &[("field", f.name()), ("valid", &valid_codes(*f))]))
                .collect::<Vec<_>>()
                .join(" "),
            UserError::DuplicateOption(option) => fill(m(Msg::ErrorDuplicateOption), &[("option", option)]),
            UserError::UnknownOption { command, option, valid } => fill(
                m(Msg::ErrorUnknownOption),
                &[("command", command), ("option", option), ("valid", &valid.join(", "))],
            ),
            UserError::LawRange(n) => fill(m(Msg::ErrorLawRange), &[("n", &n.to_string())]),
            UserError::CorollaryRange(n) => fill(m(Msg::ErrorCorollaryRange), &[("n", &n.to_string())]),
            UserError::NotANumber { command, value } => {
                fill(m(Msg::ErrorNotANumber), &[("command", command), ("value", value)])
            }
            UserError::MissingNumber { command } => fill(
                m(Msg::ErrorMissingNumber),
                &[("command", command), ("example", if *command == "law" { "3" } else { "5" })],
            ),
            UserError::UnknownProduct(name) => {
                let mut s = fill(m(Msg::ErrorUnknownProduct), &[("name", name)]);
                let near = kb.near_products(name);
                if lang == Lang::En {
                    s.push(' ');
                }
                if near.is_empty() {
                    let all: Vec<&str> = kb.products.iter().map(|p| p.name.get(lang)).collect();
                    s.push_str(&fill(m(Msg::ErrorProductList), &[("names", &all.join(", "))]));
                } else {
                    let names: Vec<String> = near.iter().map(|p| p.display_name(lang)).collect();
                    s.push_str(&fill(m(Msg::ErrorDidYouMean), &[("names", &names.join(", "))]));
                }
                s
            }
            UserError::MissingName => m(Msg::ErrorMissingName).to_string(),
            UserError::MapBoth => m(Msg::ErrorMapBoth).to_string(),
            UserError::UnknownCommand { command, known } => {
                let sep = if lang == Lang::Zh { "、" } else { ", " };
                let known: Vec<String> = known.iter().map(|c| format!("/{c}")).collect();
                fill(m(Msg::ErrorUnknownCommand), &[("command", command), ("commands", &known.join(sep))])
            }
            UserError::UnclosedQuote => m(Msg::ErrorUnclosedQuote).to_string(),
            UserError::StrayText(text) => fill(m(Msg::ErrorStrayText), &[("text", text)]),
            UserError::Ask(e, lang) => ask_message(kb, e, *lang),
            UserError::Needs { needed, lang, .. } => needs_message(kb, needed, *lang),
        }
    }
}

fn ask_message(kb: &Kb, e: &AskError, lang: Lang) -> String {
    let m = |msg: Msg| kb.msg(msg, lang);
    match e {
        AskError::Empty => m(Msg::ErrorEmptyQuestion).to_string(),
        AskError::TooLong { len, limit } => {
            fill(m(Msg::ErrorTooLong), &[("len", &len.to_string()), ("limit", &limit.to_string())])
        }
        AskError::OffTopic => m(Msg::ErrorOffTopic).to_string(),
    }
}

/// "I could not tell the identity of your product… identity: real-name, anonymous,
/// mixed." Every needed field with its codes, in the user's language.
fn needs_message(kb: &Kb, fields: &[Field], lang: Lang) -> String {
    let m = |msg: Msg| kb.msg(msg, lang);
    let names = fields
        .iter()
        .map(|f| kb.field_label(*f, lang).to_string())
        .reduce(|a, b| fill(m(Msg::ErrorListAnd), &[("a", &a), ("b", &b)]));
    let mut s =
        fill(m(Msg::ErrorNeedFields), &[("fields", &names.unwrap_or_default()), ("example", m(Msg::ErrorNeedExample))]);
    let sep = match lang {
        Lang::En => ", ",
        Lang::Zh => "、",
    };
    for &f in fields {
        let codes: Vec<&str> = (0..f.codes().len()).map(|i| kb.code_label(f, i, lang)).collect();
        s.push('\n');
        s.push_str(&fill(m(Msg::ErrorNeedCodes), &[("field", kb.field_label(f, lang)), ("codes", &codes.join(sep))]));
    }
    s
}

fn valid_codes(field: Field) -> String {
    field.codes().join(", ")
}

/// What comes back.
#[derive(Debug, Clone)]
pub enum Reply<'a> {
    Assess(Report<'a>),
    Rule(RuleId, Lang),
    Product(&'a Product, Report<'a>),
    Ask(Report<'a>, Recognition),
    /// `/help`: each command's name and its line (usage and description), as the
    /// table lists them.
    Help(Lang, Vec<(&'static str, String)>),
    Map(MapReply),
}

/// The positioning map, drawn: the product it marks and the PNG.
#[derive(Debug, Clone)]
pub struct MapReply {
    pub marker: Option<map::Marker>,
    pub lang: Lang,
    pub png: Vec<u8>,
}

impl Reply<'_> {
    /// The answer as a Discord embed (and, through [`Embed::to_text`], as terminal text).
    pub fn embed<'k>(&self, kb: &'k Kb) -> Embed<'k> {
        match self {
            Reply::Assess(r) => render::assess(kb, r),
            Reply::Rule(id, lang) => render::rule(kb, *id, *lang),
            Reply::Product(p, r) => render::product(kb, p, r),
            Reply::Ask(r, recognition) => render::ask(kb, r, recognition),
            Reply::Help(lang, commands) => render::help(kb, commands, *lang),
            Reply::Map(m) => render::map(kb, m.marker.as_ref(), m.lang),
        }
    }

    /// The answer as JSON: the verdict of the product brief for an assessment.
    pub fn to_json(&self, kb: &Kb) -> Value {
        match self {
            Reply::Assess(r) => json!(r),
            Reply::Rule(id, lang) => rule_json(kb, *id, *lang),
            Reply::Product(p, r) => {
                let lang = r.lang;
                json!({
                    "name": {"en": p.name.en, "zh": p.name.zh},
                    "row": p.row.get(lang),
                    "note": p.note.as_ref().map(|n| n.get(lang)),
                    "illustrates": p.rule,
                    "outcome": p.outcome.as_ref().map(|o| o.get(lang)),
                    "verdict": r,
                })
            }
            Reply::Ask(r, recognition) => {
                let mut v = json!(r);
                v["recognition"] = json!(recognition);
                v
            }
            Reply::Help(lang, commands) => json!({
                "commands": commands.iter().map(|(name, _)| *name).collect::<Vec<_>>(),
                "help": commands.iter().map(|(_, line)| line.as_str()).collect::<Vec<_>>().join("\n"),
                "source": SourceRef::new(kb, *lang),
            }),
            Reply::Map(m) => json!({
                "marker": m.marker.as_ref().map(|mk| json!({
                    "app": mk.product.map(|i| kb.products[i].name.en.as_str()),
                    "positioning": mk.positioning,
                    "outlook": mk.outlook,
                    "primary": mk.primary,
                    "line": map::marker_line(kb, mk, m.lang),
                })),
                "file": map::FILE_NAME,
                "width": map::WIDTH,
                "height": map::HEIGHT,
                "bytes": m.png.len(),
                "source": SourceRef::new(kb, m.lang),
            }),
        }
    }
}

#[derive(Serialize)]
struct RuleJson<'a> {
    id: RuleId,
    law: RuleId,
    title: &'a str,
    statement: &'a str,
    excerpt: &'a str,
    cases: Vec<&'a str>,
    advice: Vec<&'a str>,
    corollaries: Vec<RuleId>,
    source: SourceRef<'a>,
}

fn rule_json(kb: &Kb, id: RuleId, lang: Lang) -> Value {
    let r = kb.rule(id);
    json!(RuleJson {
        id,
        law: id.parent(),
        title: r.title.get(lang),
        statement: r.statement.get(lang),
        excerpt: r.excerpt.get(lang),
        cases: r.cases.iter().map(|c| c.get(lang)).collect(),
        advice: r.advice.iter().map(|a| a.get(lang)).collect(),
        corollaries: id.corollaries().collect(),
        source: SourceRef::new(kb, lang),
    })
}

/// `/assess`: option name and raw value pairs, in the order given.
pub fn assess<'a>(kb: &'a Kb, options: &[(&str, String)], lang: Lang) -> Result<Reply<'a>, UserError> {
    let input = profile_input(kb, options)?;
    let (profile, assumed) = rules::complete(&input).map_err(UserError::MissingFields)?;
    Ok(Reply::Assess(verdict::report(kb, profile, assumed, lang)))
}

/// `/law n`.
pub fn law(n: i64, lang: Lang) -> Result<Reply<'static>, UserError> {
    u8::try_from(n).ok().and_then(RuleId::law).map(|id| Reply::Rule(id, lang)).ok_or(UserError::LawRange(n))
}

/// `/corollary n`.
pub fn corollary(n: i64, lang: Lang) -> Result<Reply<'static>, UserError> {
    u8::try_from(n).ok().and_then(RuleId::corollary).map(|id| Reply::Rule(id, lang)).ok_or(UserError::CorollaryRange(n))
}

/// `/app name`: one of the article's products, by its English or Chinese name.
pub fn app<'a>(kb: &'a Kb, name: &str, lang: Lang) -> Result<Reply<'a>, UserError> {
    if name.trim().is_empty() {
        return Err(UserError::MissingName);
    }
    let p = kb.product(name).ok_or_else(|| UserError::UnknownProduct(name.trim().to_string()))?;
    Ok(Reply::Product(p, verdict::report(kb, p.profile, p.assumed, lang)))
}

/// A question in plain words; `forced` is the reply language when the user chose
/// one, else the question's own language is used.
pub fn ask<'a>(kb: &'a Kb, question: &str, forced: Option<Lang>) -> Result<Reply<'a>, UserError> {
    let mut reading = kb.lexicon.read(question).map_err(|e| {
        let lang = forced.unwrap_or_else(|| crate::ask::detect_lang(question));
        UserError::Ask(e, lang)
    })?;
    let lang = forced.unwrap_or(reading.lang);
    let settled =
        rules::settle(&reading.input).map_err(|needed| UserError::Needs { input: reading.input, needed, lang })?;
    reading.recognition.assumed = settled.assumed.iter().collect();
    Ok(Reply::Ask(verdict::report_settled(kb, &settled, lang), reading.recognition))
}

/// A profile as stated, refined from a verdict's components: assessed when the
/// decision has what it needs.
pub fn refine<'a>(kb: &'a Kb, input: &ProfileInput, lang: Lang) -> Result<Reply<'a>, UserError> {
    let settled = rules::settle(input).map_err(|needed| UserError::Needs { input: *input, needed, lang })?;
    Ok(Reply::Assess(verdict::report_settled(kb, &settled, lang)))
}

/// `/map`: the positioning map, marking a profile (`/assess` options, assessed when
/// the decision has what it needs), one of the 27 products, or nothing.
pub fn map<'a>(kb: &'a Kb, options: &[(&str, String)], app: Option<&str>, lang: Lang) -> Result<Reply<'a>, UserError> {
    let marker = match app {
        Some(_) if !options.is_empty() => return Err(UserError::MapBoth),
        Some(name) if name.trim().is_empty() => return Err(UserError::MissingName),
        Some(name) => {
            let i = product_index(kb, name).ok_or_else(|| UserError::UnknownProduct(name.trim().to_string()))?;
            Some(marker(&kb.products[i].profile, Some(i)))
        }
        None if options.is_empty() => None,
        None => Some(profile_marker(&profile_input(kb, options)?)?),
    };
    Ok(Reply::Map(MapReply { png: map::render(kb, marker.as_ref(), lang), marker, lang }))
}

/// The map marking a profile as stated (a verdict's "Map" button).
pub fn map_of<'a>(kb: &'a Kb, input: &ProfileInput, lang: Lang) -> Result<Reply<'a>, UserError> {
    let marker = profile_marker(input)?;
    Ok(Reply::Map(MapReply { png: map::render(kb, Some(&marker), lang), marker: Some(marker), lang }))
}

fn product_index(kb: &Kb, name: &str) -> Option<usize> {
    let p = kb.product(name)?;
    kb.products.iter().position(|q| std::ptr::eq(p, q))
}

/// The map's marker for a profile as stated: the decision must have what it needs.
fn profile_marker(input: &ProfileInput) -> Result<map::Marker, UserError> {
    let settled = rules::settle(input).map_err(UserError::MissingFields)?;
    Ok(marker(&settled.profile, None))
}

fn marker(profile: &crate::profile::Profile, product: Option<usize>) -> map::Marker {
    let a = rules::assess(profile);
    map::Marker { product, positioning: a.positioning, outlook: a.outlook, primary: a.primary }
}

/// Resolve `/assess` options: field names, codes or their aliases.
pub fn profile_input(kb: &Kb, options: &[(&str, String)]) -> Result<ProfileInput, UserError> {
    let mut input = ProfileInput::default();
    for (name, value) in options {
        let field = Field::ALL.into_iter().find(|f| f.name().eq_ignore_ascii_case(name)).ok_or_else(|| {
            UserError::UnknownOption {
                command: "assess",
                option: name.to_string(),
                valid: Field::ALL.iter().map(|f| f.name()).collect(),
            }
        })?;
        if input.is_set(field) {
            return Err(UserError::DuplicateOption(field.name().to_string()));
        }
        let index =
            kb.resolve_code(field, value).ok_or_else(|| UserError::UnknownCode { field, value: value.clone() })?;
        input.set(field, index);
    }
    Ok(input)
}
