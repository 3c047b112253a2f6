//! Phase one and two of loading: raw serde structs that keep their spans, then checks
//! that turn them into a [`Kb`] or a [`KbError`] naming the file, line and fault.

use super::*;
use crate::lang::placeholders;
use crate::profile::ProfileInput;
use crate::rules::{self, REASON_KEYS};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use toml::Spanned;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawText {
    en: Option<Spanned<String>>,
    zh: Option<Spanned<String>>,
}

/// Dotted keys (`title.en = …`) carry no span of their own, so a text's position is
/// taken from its strings, or from the item it belongs to.
type SText = RawText;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceFile {
    source: RawSource,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSource {
    title: SText,
    author: Spanned<String>,
    account: Spanned<String>,
    date: Spanned<String>,
    url: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProfileFile {
    field: Vec<RawField>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawField {
    name: Spanned<String>,
    label: SText,
    codes: Vec<RawCode>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCode {
    code: Spanned<String>,
    label: SText,
    phrase: Option<SText>,
    #[serde(default)]
    aliases: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MessagesFile {
    message: BTreeMap<Spanned<String>, SText>,
    command: BTreeMap<Spanned<String>, RawCommand>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCommand {
    name: SText,
    description: SText,
    #[serde(default)]
    option: BTreeMap<Spanned<String>, RawOption>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOption {
    name: SText,
    description: SText,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    rule: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Spanned<String>,
    law: Option<Spanned<String>>,
    title: SText,
    statement: SText,
    excerpt: SText,
    cases: Spanned<Vec<SText>>,
    /// The article's own insight (启示) for the rule, paraphrased…
    insight: Option<Spanned<Vec<SText>>>,
    /// …or, where the article gives none, imlaws' advice.
    advice: Option<Spanned<Vec<SText>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OutcomesFile {
    outcome: Vec<RawOutcome>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOutcome {
    id: Spanned<String>,
    summary: SText,
    advice: Spanned<Vec<SText>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReasonsFile {
    reason: BTreeMap<Spanned<String>, SText>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProductsFile {
    product: Vec<RawProduct>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProduct {
    name: SText,
    #[serde(default)]
    aliases: Vec<Spanned<String>>,
    row: SText,
    profile: Spanned<BTreeMap<Spanned<String>, Spanned<String>>>,
    note: Option<SText>,
    rule: Spanned<String>,
    /// `false` when the article names the product only in its table.
    #[serde(default = "yes")]
    discussed: bool,
    /// The name is also an everyday English word: a question names the product only
    /// when it is written as here.
    #[serde(default)]
    common_word: bool,
    outcome: Option<SText>,
}

fn yes() -> bool {
    true
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DouyinFile {
    douyin: RawDouyin,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDouyin {
    product: Spanned<String>,
    premise: SText,
    steps: Vec<Spanned<RawStep>>,
    conclusion: SText,
    advice: Spanned<Vec<SText>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    rule: Spanned<String>,
    en: Option<Spanned<String>>,
    zh: Option<Spanned<String>>,
}

/// One file being checked: its label and text, for turning spans into lines.
struct Ctx<'a> {
    file: &'a str,
    text: &'a str,
}

impl Ctx<'_> {
    fn err(&self, span: std::ops::Range<usize>, reason: impl Into<String>) -> KbError {
        KbError { file: self.file.to_string(), line: Some(self.line(span.start)), reason: reason.into() }
    }

    /// The 1-based line of a byte offset.
    fn line(&self, at: usize) -> usize {
        let end = at.min(self.text.len());
        self.text.as_bytes()[..end].iter().filter(|b| **b == b'\n').count() + 1
    }

    fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, KbError> {
        toml::from_str(self.text).map_err(|e| {
            // toml gives no message for some faults (a NUL in a comment): say what
            // is wrong anyway (found by fuzzing: fuzz/regressions/kb_toml/).
            let reason = match e.message().trim() {
                "" => "not valid TOML here (a character TOML does not allow?)".to_string(),
                m => m.to_string(),
            };
            match e.span() {
                Some(span) => self.err(span, reason),
                None => KbError { file: self.file.to_string(), line: None, reason },
            }
        })
    }

    fn text(&self, raw: &RawText, near: std::ops::Range<usize>, what: &str) -> Result<Text, KbError> {
        let span = raw.en.as_ref().or(raw.zh.as_ref()).map_or(near, |s| s.span());
        let get = |lang: &str, v: &Option<Spanned<String>>| -> Result<String, KbError> {
            match v {
                None => Err(self.err(span.clone(), format!("{what} has no `{lang}` text; give both `en` and `zh`"))),
                Some(s) if s.get_ref().trim().is_empty() => {
                    Err(self.err(s.span(), format!("{what}: the `{lang}` text is empty")))
                }
                Some(s) => Ok(s.get_ref().trim().to_string()),
            }
        };
        Ok(Text { en: get("en", &raw.en)?, zh: get("zh", &raw.zh)? })
    }

    fn texts(&self, list: &Spanned<Vec<SText>>, what: &str, required: bool) -> Result<Vec<Text>, KbError> {
        if required && list.get_ref().is_empty() {
            return Err(self.err(list.span(), format!("{what} is empty; give at least one entry")));
        }
        list.get_ref().iter().map(|t| self.text(t, list.span(), what)).collect()
    }

    fn nonempty(&self, s: &Spanned<String>, what: &str) -> Result<String, KbError> {
        match s.get_ref().trim() {
            "" => Err(self.err(s.span(), format!("{what} is empty"))),
            v => Ok(v.to_string()),
        }
    }

    fn field(&self, s: &Spanned<String>) -> Result<Field, KbError> {
        Field::from_name(s.get_ref()).ok_or_else(|| {
            let valid: Vec<&str> = Field::ALL.iter().map(|f| f.name()).collect();
            self.err(s.span(), format!("unknown field `{}`; fields: {}", s.get_ref(), valid.join(", ")))
        })
    }

    /// The index of a code of `field`.
    fn code(&self, field: Field, s: &Spanned<String>) -> Result<usize, KbError> {
        field.codes().iter().position(|k| k == s.get_ref()).ok_or_else(|| {
            self.err(s.span(), format!("unknown {field} code `{}`; codes: {}", s.get_ref(), field.codes().join(", ")))
        })
    }

    /// Refuse a text the map draws with a character its font lacks.
    fn drawable(&self, face: &ttf_parser::Face, s: &Option<Spanned<String>>, what: &str) -> Result<(), KbError> {
        let Some(s) = s else { return Ok(()) };
        match crate::font::missing(face, s.get_ref().trim()) {
            None => Ok(()),
            Some(c) => Err(self.err(
                s.span(),
                format!(
                    "{what} `{}` has the character `{}` (U+{:04X}), which the map's font lacks; add it with assets/fonts/subset.py",
                    s.get_ref().trim(),
                    c.escape_debug(),
                    u32::from(c)
                ),
            )),
        }
    }

    fn rule_id(&self, s: &Spanned<String>) -> Result<RuleId, KbError> {
        RuleId::from_id(s.get_ref()).ok_or_else(|| {
            let valid: Vec<&str> = RuleId::ALL.iter().map(|r| r.id()).collect();
            self.err(s.span(), format!("unknown rule id `{}`; valid ids: {}", s.get_ref(), valid.join(", ")))
        })
    }
}

pub(super) fn load(files: &[(String, &str)]) -> Result<Kb, KbError> {
    if files.len() != FILES.len() {
        return Err(KbError {
            file: "knowledge base".into(),
            line: None,
            reason: format!("expected the files {}", FILES.join(", ")),
        });
    }
    let ctx = |i: usize| Ctx { file: &files[i].0, text: files[i].1 };
    let source = load_source(&ctx(0))?;
    let fields = load_fields(&ctx(1))?;
    let (messages, commands) = load_messages(&ctx(2))?;
    let rules = load_rules(&ctx(3))?;
    let outcomes = load_outcomes(&ctx(4))?;
    let not_stated = &messages[crate::kb::Msg::ProfileNotStated.index()];
    let reasons = load_reasons(&ctx(5))?.iter().map(|t| ReasonText::new(&fields, t, not_stated)).collect();
    let mut products = load_products(&ctx(6))?;
    load_douyin(&ctx(7), &mut products)?;
    let lexicon = load_lexicon(&ctx(8), &products)?;
    let rule_labels = RuleId::ALL
        .iter()
        .map(|id| {
            let m = if id.is_law() { Msg::RuleLaw } else { Msg::RuleCorollary };
            let n = id.number().to_string();
            let han = han_numeral(id.number());
            let label =
                |lang: Lang| crate::lang::fill(messages[m.index()].get(lang), &[("n", n.as_str()), ("han", han)]);
            Text { en: label(Lang::En), zh: label(Lang::Zh) }
        })
        .collect();
    let credit = {
        let s = &source;
        let credit = |lang: Lang| {
            crate::lang::fill(
                messages[Msg::FooterSource.index()].get(lang),
                &[("author", &s.author), ("title", s.title.get(lang)), ("date", &s.date), ("url", &s.url)],
            )
        };
        Text { en: credit(Lang::En), zh: credit(Lang::Zh) }
    };
    // "audience: strangers" and "now assumed: strangers" for every code, made once:
    // every verdict's menus list them.
    let code_texts = |m: Msg, key: &str, with_field: bool| -> Vec<Vec<Text>> {
        fields
            .iter()
            .enumerate()
            .map(|(fi, info)| {
                (0..info.codes.len())
                    .map(|ci| {
                        let text = |lang: Lang| {
                            let field = fields[fi].label.get(lang);
                            let code = info.codes[ci].label.get(lang);
                            let mut pairs = vec![(key, code)];
                            if with_field {
                                pairs.push(("field", field));
                            }
                            crate::lang::fill(messages[m.index()].get(lang), &pairs)
                        };
                        Text { en: text(Lang::En), zh: text(Lang::Zh) }
                    })
                    .collect()
            })
            .collect()
    };
    let choice_labels = code_texts(Msg::ComponentOption, "code", true);
    let assumed_notes = code_texts(Msg::ComponentAssumed, "code", false);
    // FNV-1a over every file, names and texts: stable across builds and machines.
    let mut hash: u32 = 0x811c_9dc5;
    for (name, text) in files {
        for b in name.bytes().chain([0]).chain(text.bytes()).chain([0]) {
            hash = (hash ^ u32::from(b)).wrapping_mul(0x0100_0193);
        }
    }
    let tag = format!("{:06x}", hash & 0x00ff_ffff);
    Ok(Kb {
        source,
        fields,
        messages,
        rules,
        outcomes,
        reasons,
        rule_labels,
        credit,
        choice_labels,
        assumed_notes,
        products,
        commands,
        lexicon,
        tag,
        derived: Default::default(),
    })
}

/// A rule number the way Chinese text writes it (第三定律, 推论五).
fn han_numeral(n: u8) -> &'static str {
    const HAN: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    HAN.get(usize::from(n)).copied().unwrap_or("")
}

fn load_source(c: &Ctx) -> Result<Source, KbError> {
    let f: SourceFile = c.parse()?;
    let s = f.source;
    let face = crate::font::face();
    c.drawable(&face, &s.title.en, "source title")?;
    c.drawable(&face, &s.title.zh, "source title")?;
    for (value, what) in [(&s.author, "author"), (&s.date, "date"), (&s.url, "url")] {
        c.drawable(&face, &Some(value.clone()), what)?;
    }
    Ok(Source {
        title: c.text(&s.title, s.author.span(), "source title")?,
        author: c.nonempty(&s.author, "author")?,
        account: c.nonempty(&s.account, "account")?,
        date: c.nonempty(&s.date, "date")?,
        url: c.nonempty(&s.url, "url")?,
    })
}

fn load_fields(c: &Ctx) -> Result<Vec<FieldInfo>, KbError> {
    let f: ProfileFile = c.parse()?;
    let mut out: Vec<Option<FieldInfo>> = vec![None; Field::ALL.len()];
    for raw in &f.field {
        let field = c.field(&raw.name)?;
        if out[field.index()].is_some() {
            return Err(c.err(raw.name.span(), format!("field `{field}` is defined twice")));
        }
        let mut codes: Vec<Option<CodeInfo>> = vec![None; field.codes().len()];
        let mut aliases_seen: HashMap<String, String> = HashMap::new();
        for code in &raw.codes {
            let i = c.code(field, &code.code)?;
            if codes[i].is_some() {
                return Err(c.err(code.code.span(), format!("{field} code `{}` is defined twice", field.codes()[i])));
            }
            let mut aliases = Vec::new();
            for a in &code.aliases {
                let alias = c.nonempty(a, "alias")?;
                let key = alias.to_lowercase();
                let other = field.codes().iter().find(|k| k.eq_ignore_ascii_case(&key));
                if let Some(prev) = aliases_seen.get(&key).map(String::as_str).or(other.copied()) {
                    if prev != field.codes()[i] {
                        return Err(c.err(
                            a.span(),
                            format!("alias `{alias}` of {field} `{}` already means `{prev}`", field.codes()[i]),
                        ));
                    }
                }
                aliases_seen.insert(key, field.codes()[i].to_string());
                aliases.push(alias);
            }
            let what = |part: &str| format!("{field} `{}` {part}", field.codes()[i]);
            let label = c.text(&code.label, code.code.span(), &what("label"))?;
            let phrase = match &code.phrase {
                Some(p) => c.text(p, code.code.span(), &what("phrase"))?,
                None => label.clone(),
            };
            codes[i] = Some(CodeInfo { label, phrase, aliases });
        }
        let codes = codes
            .into_iter()
            .enumerate()
            .map(|(i, code)| {
                code.ok_or_else(|| c.err(raw.name.span(), format!("{field} code `{}` is missing", field.codes()[i])))
            })
            .collect::<Result<_, _>>()?;
        out[field.index()] =
            Some(FieldInfo { label: c.text(&raw.label, raw.name.span(), &format!("field `{field}` label"))?, codes });
    }
    out.into_iter()
        .enumerate()
        .map(|(i, f)| f.ok_or_else(|| c.err(0..0, format!("field `{}` is missing", Field::ALL[i]))))
        .collect()
}

/// A table of keyed texts (messages, reasons) that must hold exactly `keys`.
fn keyed(
    c: &Ctx,
    table: &BTreeMap<Spanned<String>, SText>,
    keys: &[&str],
    what: &str,
    allowed_vars: Option<&[&str]>,
) -> Result<Vec<Text>, KbError> {
    let mut out: Vec<Option<Text>> = vec![None; keys.len()];
    for (key, value) in table {
        let Some(i) = keys.iter().position(|k| k == key.get_ref()) else {
            return Err(c.err(key.span(), format!("unknown {what} `{}`", key.get_ref())));
        };
        let text = c.text(value, key.span(), &format!("{what} `{}`", key.get_ref()))?;
        if let Some(vars) = allowed_vars {
            for t in [&text.en, &text.zh] {
                if let Some(bad) = placeholders(t).find(|p| !vars.contains(p)) {
                    return Err(c.err(
                        key.span(),
                        format!("{what} `{}` uses `{{{bad}}}`; placeholders: {}", key.get_ref(), vars.join(", ")),
                    ));
                }
            }
        }
        out[i] = Some(text);
    }
    out.into_iter()
        .enumerate()
        .map(|(i, t)| t.ok_or_else(|| c.err(0..0, format!("{what} `{}` is missing", keys[i]))))
        .collect()
}

fn load_messages(c: &Ctx) -> Result<(Vec<Text>, Vec<CommandText>), KbError> {
    let f: MessagesFile = c.parse()?;
    let at = |span: std::ops::Range<usize>| Origin { file: c.file.to_string(), line: c.line(span.start) };
    let mut commands = Vec::new();
    for (key, raw) in &f.command {
        let what = |part: &str| format!("command `{}` {part}", key.get_ref());
        let mut options = Vec::new();
        for (opt, o) in &raw.option {
            let what = |part: &str| format!("command `{}` option `{}` {part}", key.get_ref(), opt.get_ref());
            options.push(OptionText {
                key: opt.get_ref().clone(),
                at: at(opt.span()),
                name: c.text(&o.name, opt.span(), &what("name"))?,
                description: c.text(&o.description, opt.span(), &what("description"))?,
            });
        }
        commands.push(CommandText {
            key: key.get_ref().clone(),
            at: at(key.span()),
            name: c.text(&raw.name, key.span(), &what("name"))?,
            description: c.text(&raw.description, key.span(), &what("description"))?,
            options,
        });
    }
    let keys: Vec<&str> = Msg::CODES.to_vec();
    let out = keyed(c, &f.message, &keys, "message", None)?;
    let face = crate::font::face();
    for (key, text) in &f.message {
        if super::FONT_CHECKED_MESSAGES.iter().any(|p| key.get_ref().starts_with(p)) {
            let what = format!("message `{}`", key.get_ref());
            c.drawable(&face, &text.en, &what)?;
            c.drawable(&face, &text.zh, &what)?;
        }
    }
    Ok((out, commands))
}

fn load_reasons(c: &Ctx) -> Result<Vec<Text>, KbError> {
    let f: ReasonsFile = c.parse()?;
    let vars: Vec<&str> = Field::ALL.iter().map(|f| f.name()).collect();
    keyed(c, &f.reason, REASON_KEYS, "reason", Some(&vars))
}

fn load_rules(c: &Ctx) -> Result<Vec<Rule>, KbError> {
    let f: RulesFile = c.parse()?;
    let mut out: Vec<Option<Rule>> = vec![None; RuleId::ALL.len()];
    for raw in &f.rule {
        let id = c.rule_id(&raw.id)?;
        if out[id as usize].is_some() {
            return Err(c.err(raw.id.span(), format!("rule `{id}` is defined twice")));
        }
        match (&raw.law, id.is_law()) {
            (Some(law), true) => {
                return Err(c.err(law.span(), format!("`{id}` is a law; only corollaries name a `law`")))
            }
            (None, false) => {
                return Err(c.err(raw.id.span(), format!("`{id}` must name its law (`law = \"{}\"`)", id.parent())))
            }
            (Some(law), false) => {
                let parent = c.rule_id(law)?;
                if parent != id.parent() {
                    return Err(c.err(law.span(), format!("`{id}` derives from `{}`, not `{parent}`", id.parent())));
                }
            }
            (None, true) => {}
        }
        let what = |part: &str| format!("rule `{id}` {part}");
        let (advice, insight) = match (&raw.insight, &raw.advice) {
            (Some(list), None) => (c.texts(list, &what("insight"), true)?, true),
            (None, Some(list)) => (c.texts(list, &what("advice"), true)?, false),
            (Some(list), Some(_)) => {
                return Err(c.err(
                    list.span(),
                    format!("rule `{id}` gives both `insight` and `advice`; give the article's insight or our advice"),
                ))
            }
            (None, None) => {
                return Err(
                    c.err(raw.id.span(), format!("rule `{id}` needs `insight` (the article's) or `advice` (ours)"))
                )
            }
        };
        out[id as usize] = Some(Rule {
            id,
            title: c.text(&raw.title, raw.id.span(), &what("title"))?,
            statement: c.text(&raw.statement, raw.id.span(), &what("statement"))?,
            excerpt: c.text(&raw.excerpt, raw.id.span(), &what("excerpt"))?,
            cases: c.texts(&raw.cases, &what("cases"), !id.is_law() || id == RuleId::Law1)?,
            advice,
            insight,
        });
    }
    out.into_iter()
        .enumerate()
        .map(|(i, r)| r.ok_or_else(|| c.err(0..0, format!("rule `{}` is missing", RuleId::ALL[i]))))
        .collect()
}

fn load_outcomes(c: &Ctx) -> Result<Vec<OutcomeText>, KbError> {
    let f: OutcomesFile = c.parse()?;
    let mut out: Vec<Option<OutcomeText>> = vec![None; Outcome::ALL.len()];
    for raw in &f.outcome {
        let Some(o) = Outcome::ALL.iter().copied().find(|o| o.code() == raw.id.get_ref()) else {
            let valid: Vec<&str> = Outcome::ALL.iter().map(|o| o.code()).collect();
            return Err(c.err(
                raw.id.span(),
                format!("unknown outcome `{}`; outcomes: {}", raw.id.get_ref(), valid.join(", ")),
            ));
        };
        if out[o as usize].is_some() {
            return Err(c.err(raw.id.span(), format!("outcome `{o}` is defined twice")));
        }
        out[o as usize] = Some(OutcomeText {
            summary: c.text(&raw.summary, raw.id.span(), &format!("outcome `{o}` summary"))?,
            advice: c.texts(&raw.advice, &format!("outcome `{o}` advice"), true)?,
        });
    }
    out.into_iter()
        .enumerate()
        .map(|(i, o)| o.ok_or_else(|| c.err(0..0, format!("outcome `{}` is missing", Outcome::ALL[i]))))
        .collect()
}

/// The article's analysis of one product, attached to that product's entry.
fn load_douyin(c: &Ctx, products: &mut [Product]) -> Result<(), KbError> {
    let f: DouyinFile = c.parse()?;
    let d = f.douyin;
    let name = normalize(d.product.get_ref());
    let Some(product) = products.iter_mut().find(|p| names_of(p).any(|n| normalize(n) == name)) else {
        return Err(c.err(d.product.span(), format!("no product named `{}` in products.toml", d.product.get_ref())));
    };
    let mut steps = Vec::new();
    for step in &d.steps {
        let s = step.get_ref();
        let rule = c.rule_id(&s.rule)?;
        let raw = RawText { en: s.en.clone(), zh: s.zh.clone() };
        let text = c.text(&raw, step.span(), &format!("Douyin step `{rule}`"))?;
        steps.push((rule, text));
    }
    product.analysis = Some(Analysis {
        premise: c.text(&d.premise, 0..0, "Douyin premise")?,
        steps,
        conclusion: c.text(&d.conclusion, 0..0, "Douyin conclusion")?,
        advice: c.texts(&d.advice, "Douyin advice", true)?,
    });
    Ok(())
}

fn load_products(c: &Ctx) -> Result<Vec<Product>, KbError> {
    let f: ProductsFile = c.parse()?;
    let mut out = Vec::with_capacity(f.product.len());
    let mut names: HashMap<String, (usize, String)> = HashMap::new();
    let face = crate::font::face();
    for (index, raw) in f.product.iter().enumerate() {
        let name = c.text(&raw.name, raw.profile.span(), "product name")?;
        c.drawable(&face, &raw.name.en, "product name")?;
        c.drawable(&face, &raw.name.zh, "product name")?;
        let what = |part: &str| format!("product `{}` {part}", name.en);
        let mut aliases = Vec::new();
        for a in &raw.aliases {
            aliases.push(c.nonempty(a, &what("alias"))?);
        }
        let name_span = raw.name.en.as_ref().map_or(raw.rule.span(), |s| s.span());
        let spans = std::iter::repeat_n(name_span, 2).chain(raw.aliases.iter().map(|a| a.span()));
        for (n, span) in [&name.en, &name.zh].into_iter().chain(aliases.iter()).zip(spans) {
            let key = normalize(n);
            match names.get(&key) {
                Some((other, other_name)) if *other != index => {
                    return Err(c.err(span, format!("duplicate product name `{n}` (also `{other_name}`)")));
                }
                _ => {
                    names.insert(key, (index, name.en.clone()));
                }
            }
        }
        let mut input = ProfileInput::default();
        for (field, value) in raw.profile.get_ref() {
            let fld = c.field(field)?;
            input.set(fld, c.code(fld, value)?);
        }
        let (profile, assumed) = rules::complete(&input).map_err(|missing| {
            let names: Vec<&str> = missing.iter().map(|f| f.name()).collect();
            c.err(raw.profile.span(), format!("{} needs {}", what("profile"), names.join(" and ")))
        })?;
        let rule = c.rule_id(&raw.rule)?;
        let placed = rules::assess(&profile).primary;
        if placed != rule {
            return Err(c.err(
                raw.rule.span(),
                format!(
                    "{} is assessed under `{placed}`, but `rule` says `{rule}`; fix its profile or its rule",
                    name.en
                ),
            ));
        }
        out.push(Product {
            row: c.text(&raw.row, raw.profile.span(), &what("row"))?,
            note: raw.note.as_ref().map(|t| c.text(t, raw.profile.span(), &what("note"))).transpose()?,
            outcome: raw.outcome.as_ref().map(|t| c.text(t, raw.profile.span(), &what("outcome"))).transpose()?,
            name,
            aliases,
            profile,
            assumed,
            rule,
            discussed: raw.discussed,
            common_word: raw.common_word,
            analysis: None,
        });
    }
    Ok(out)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LexiconFile {
    limits: RawLimits,
    negation: RawNegation,
    topic: RawTopic,
    aim: RawCues,
    question: RawCues,
    products: RawProductCues,
    combine: Vec<RawCombine>,
    signal: Vec<RawSignal>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCues {
    en: Vec<Spanned<String>>,
    zh: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProductCues {
    target_before: Vec<Spanned<String>>,
    target_after: Vec<Spanned<String>>,
    target_lends: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCombine {
    field: Spanned<String>,
    codes: [Spanned<String>; 2],
    gives: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    max_chars: Spanned<usize>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNegation {
    en: Vec<Spanned<String>>,
    zh: Vec<Spanned<String>>,
    zh_prefix: Vec<Spanned<String>>,
    en_fillers: Vec<Spanned<String>>,
    after: Vec<Spanned<String>>,
    after_fillers: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTopic {
    words: Vec<Spanned<String>>,
    zh: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSignal {
    field: Spanned<String>,
    code: Spanned<String>,
    negated: Option<Spanned<String>>,
    #[serde(default)]
    words: Vec<Spanned<String>>,
    #[serde(default)]
    cues: Vec<Spanned<String>>,
    #[serde(default)]
    patterns: Vec<Spanned<String>>,
    #[serde(default)]
    cue_patterns: Vec<Spanned<String>>,
    #[serde(default)]
    masks: bool,
}

/// Regex source for a word: whole-word (ASCII boundaries) for Latin script.
fn word_regex(word: &str) -> String {
    let escaped = regex::escape(word);
    let b = r"(?-u:\b)";
    let starts = word.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    let ends = word.chars().last().is_some_and(|c| c.is_ascii_alphanumeric());
    format!("{}{escaped}{}", if starts { b } else { "" }, if ends { b } else { "" })
}

/// `\b` in a lexicon pattern is an ASCII word boundary, as for words: Han characters
/// next to a Latin word do not glue to it, and the regex engine's fast DFA keeps
/// working on Chinese text (a Unicode `\b` makes it fall back to a much slower one).
fn ascii_boundaries(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len() + 16);
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('b') => out.push_str("(?-u:\\b)"),
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// A pattern's literal ASCII letters in lower case, escapes (`\S`, `\P{Han}`, `\B`)
/// left as written.
fn ascii_lowercase_literals(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c.to_ascii_lowercase());
            continue;
        }
        out.push(c);
        let Some(escaped) = chars.next() else { break };
        out.push(escaped);
        // A property name stays as written: `\pL`, or `\p{Han}` up to its brace.
        if matches!(escaped, 'p' | 'P') {
            if let Some(first) = chars.next() {
                out.push(first);
                if first == '{' {
                    for c in chars.by_ref() {
                        out.push(c);
                        if c == '}' {
                            break;
                        }
                    }
                }
            }
        }
    }
    out
}

fn compile(c: &Ctx, src: &str, near: std::ops::Range<usize>) -> Result<regex::Regex, KbError> {
    regex::Regex::new(src).map_err(|e| c.err(near, format!("cannot compile: {e}")))
}

fn load_lexicon(c: &Ctx, products: &[Product]) -> Result<crate::ask::Lexicon, KbError> {
    use crate::ask::{Signal, Target, Tier, Word};
    let f: LexiconFile = c.parse()?;
    let max_chars = *f.limits.max_chars.get_ref();
    if max_chars == 0 {
        return Err(c.err(f.limits.max_chars.span(), "max_chars must be at least 1"));
    }
    let mut signals = Vec::with_capacity(f.signal.len());
    let mut words: Vec<String> = Vec::new();
    let mut word_targets: Vec<Vec<Word>> = Vec::new();
    let mut add_word = |word: String, target: Word| match words.iter().position(|w| *w == word) {
        Some(i) => word_targets[i].push(target),
        None => {
            words.push(word);
            word_targets.push(vec![target]);
        }
    };
    let mut typo_words: Vec<(String, Vec<usize>)> = Vec::new();
    let mut patterns = Vec::new();
    let mut pattern_signal = Vec::new();
    for raw in &f.signal {
        let field = c.field(&raw.field)?;
        let code = c.code(field, &raw.code)?;
        let negated = raw.negated.as_ref().map(|n| c.code(field, n)).transpose()?;
        if raw.words.is_empty() && raw.cues.is_empty() && raw.patterns.is_empty() && raw.cue_patterns.is_empty() {
            return Err(
                c.err(raw.code.span(), format!("signal {field}={} has no words and no patterns", field.codes()[code]))
            );
        }
        let index = signals.len();
        signals.push(Signal { field, code, negated, masks: raw.masks });
        for (list, tier) in [(&raw.words, Tier::Word), (&raw.cues, Tier::Cue)] {
            for w in list {
                let word = c.nonempty(w, "word")?.to_lowercase();
                for form in word_forms(&word) {
                    add_word(form.clone(), Word::new(Target::Signal(index), tier, &form, false));
                }
                let joined: String = word.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
                if joined.len() >= 6 && joined.bytes().all(|b| b.is_ascii_lowercase()) {
                    match typo_words.iter_mut().find(|(w, _)| *w == joined) {
                        Some((_, s)) if !s.contains(&index) => s.push(index),
                        Some(_) => {}
                        None => typo_words.push((joined, vec![index])),
                    }
                }
            }
        }
        for (list, tier) in [(&raw.patterns, Tier::Word), (&raw.cue_patterns, Tier::Cue)] {
            for p in list {
                // Matched against the question with ASCII letters folded to lower case:
                // a Unicode `(?i)` would turn every letter into a class of its case
                // variants and slow the lazy DFA on Chinese text.
                let src = ascii_lowercase_literals(&ascii_boundaries(&c.nonempty(p, "pattern")?));
                regex::Regex::new(&src).map_err(|e| c.err(p.span(), format!("bad pattern `{}`: {e}", p.get_ref())))?;
                patterns.push(src);
                pattern_signal.push((index, tier));
            }
        }
    }
    for (i, p) in products.iter().enumerate() {
        for name in [&p.name.en, &p.name.zh] {
            let exact = p.common_word && name.is_ascii();
            add_word(name.to_lowercase(), Word::new(Target::Product(i), Tier::Word, name, exact));
        }
        for a in &p.aliases {
            add_word(a.to_lowercase(), Word::new(Target::Product(i), Tier::Word, a, false));
        }
    }
    let mut typos: std::collections::HashMap<String, Vec<u32>> = std::collections::HashMap::new();
    for (i, (word, _)) in typo_words.iter().enumerate() {
        let i = u32::try_from(i).map_err(|_| c.err(0..0, "too many words"))?;
        let mut forms = vec![word.clone()];
        forms.extend((0..word.len()).map(|d| format!("{}{}", &word[..d], &word[d + 1..])));
        forms.sort();
        forms.dedup();
        for form in forms {
            typos.entry(form).or_default().push(i);
        }
    }
    let automaton = aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .match_kind(aho_corasick::MatchKind::Standard)
        .kind(Some(aho_corasick::AhoCorasickKind::DFA))
        .build(&words)
        .map_err(|e| c.err(0..0, format!("cannot build the word automaton: {e}")))?;
    // One leftmost-first scan: where two patterns match at the same place, the one
    // listed first wins, so the patterns that claim their words (masks) and then the
    // longer, more specific ones go first ("九成人都在用的…是我们的" is a claim to the
    // national seat before it is a share of the population). A pattern listed under
    // two signals states both.
    let mut order: Vec<usize> = (0..patterns.len()).collect();
    order.sort_by_key(|&i| (!signals[pattern_signal[i].0].masks, std::cmp::Reverse(patterns[i].len())));
    let (mut sources, mut targets): (Vec<String>, Vec<Vec<(usize, Tier)>>) = (Vec::new(), Vec::new());
    for i in order {
        match sources.iter().position(|s| *s == patterns[i]) {
            Some(at) => targets[at].push(pattern_signal[i]),
            None => {
                sources.push(patterns[i].clone());
                targets.push(vec![pattern_signal[i]]);
            }
        }
    }
    let pattern_signal = targets;
    let patterns = regex_automata::meta::Regex::new_many(&sources)
        .map_err(|e| c.err(0..0, format!("cannot compile the lexicon patterns: {e}")))?;
    let list = |v: &[Spanned<String>]| -> Result<Vec<String>, KbError> {
        v.iter().map(|w| c.nonempty(w, "word").map(|w| regex::escape(&w.to_lowercase()))).collect()
    };
    let neg = &f.negation;
    let neg_en = format!(
        r"(?i)(?-u:\b)(?:{})(?-u:\b)(?:[\s-]+(?:{}))*[\s-]*$",
        list(&neg.en)?.join("|"),
        list(&neg.en_fillers)?.join("|")
    );
    let neg_zh = format!(r"(?:{})\p{{Han}}{{0,2}}$|(?:{})$", list(&neg.zh)?.join("|"), list(&neg.zh_prefix)?.join("|"));
    let cues = |v: &[Spanned<String>]| -> Result<String, KbError> {
        let words: Result<Vec<String>, KbError> =
            v.iter().map(|w| c.nonempty(w, "cue").map(|w| word_regex(&w.to_lowercase()))).collect();
        Ok(words?.join("|"))
    };
    let neg_after = format!(
        r"(?i)^[\s?？:：]*(?:(?:{})[\s,，]*)*(?:{})\s*[了的啦]?\s*(?:$|[,.;!?，。；！？、)）])",
        cues(&neg.after_fillers)?,
        cues(&neg.after)?
    );
    let mut after_starts: Vec<char> = "?？:：".chars().collect();
    for w in neg.after.iter().chain(&neg.after_fillers) {
        for c in w.get_ref().chars().next().into_iter().flat_map(|c| [c.to_ascii_lowercase(), c.to_ascii_uppercase()]) {
            if !after_starts.contains(&c) {
                after_starts.push(c);
            }
        }
    }
    let fillers = list(&neg.en_fillers)?.join("|");
    let aim = format!(
        r"(?i)(?:{}|{})(?:[\s-]+(?:{fillers})(?-u:\b))*[\s-]*\p{{Han}}{{0,4}}[\s-]*$",
        cues(&f.aim.en)?,
        cues(&f.aim.zh)?
    );
    let question = format!("(?i){}|{}", cues(&f.question.en)?, cues(&f.question.zh)?);
    let pc = &f.products;
    let target_before = format!(r"(?i)(?:{})(?:[\s-]+(?:{fillers})(?-u:\b))*[\s-]*$", cues(&pc.target_before)?);
    let target_after = format!(r"(?i)^[\s-]*(?:{})", cues(&pc.target_after)?);
    let target_lends = pc.target_lends.iter().map(|n| c.field(n)).collect::<Result<Vec<_>, _>>()?;
    let mut combine = Vec::new();
    for raw in &f.combine {
        let field = c.field(&raw.field)?;
        combine.push((field, c.code(field, &raw.codes[0])?, c.code(field, &raw.codes[1])?, c.code(field, &raw.gives)?));
    }
    let mut topic: Vec<String> = Vec::new();
    for w in f.topic.words.iter().chain(&f.topic.zh) {
        topic.push(word_regex(&c.nonempty(w, "word")?.to_lowercase()));
    }
    let topic = format!("(?i){}", topic.join("|"));
    Ok(crate::ask::Lexicon {
        max_chars,
        signals,
        words: automaton,
        word_targets,
        patterns,
        pattern_signal,
        topic: compile(c, &topic, 0..0)?,
        neg_en: compile(c, &neg_en, 0..0)?,
        neg_zh: compile(c, &neg_zh, 0..0)?,
        neg_after: compile(c, &neg_after, 0..0)?,
        after_starts,
        aim: compile(c, &aim, 0..0)?,
        question: compile(c, &question, 0..0)?,
        target_before: compile(c, &target_before, 0..0)?,
        target_after: compile(c, &target_after, 0..0)?,
        target_lends,
        combine,
        typo_words,
        typos,
        products: products
            .iter()
            .map(|p| crate::ask::ProductHint { name: p.name.clone(), profile: p.profile, assumed: p.assumed })
            .collect(),
    })
}

/// A Latin word and its other number ("driver" and "drivers"); other words as given.
fn word_forms(word: &str) -> Vec<String> {
    let single = !word.is_empty() && word.bytes().all(|b| b.is_ascii_lowercase());
    let mut forms = vec![word.to_string()];
    if single && word.len() >= 3 {
        let sibilant = ["s", "x", "z", "ch", "sh"].iter().any(|end| word.ends_with(end));
        if let Some(stem) = word.strip_suffix("es").filter(|s| ["x", "ch", "sh", "ss"].iter().any(|e| s.ends_with(e))) {
            forms.push(stem.to_string());
        } else if let Some(stem) = word.strip_suffix('s').filter(|s| s.len() >= 4 && !s.ends_with('s')) {
            forms.push(stem.to_string());
        } else if sibilant {
            forms.push(format!("{word}es"));
        } else {
            forms.push(format!("{word}s"));
        }
    }
    forms
}
