//! The knowledge base: TOML in `config/`, compiled in as the default, loadable from a
//! folder, and validated before use. Loading happens in two phases (cargo-deny's
//! habit): raw serde structs that remember where each value stood, then a checked
//! [`Kb`] in which every id resolves and every text exists in both languages.

mod messages;
mod raw;

pub use messages::Msg;

use crate::lang::{Lang, Text};
use crate::profile::{Field, FieldSet, Profile};
use crate::rules::{Outcome, Reason, RuleId};
use std::any::Any;
use std::fmt;
use std::path::Path;
use std::sync::OnceLock;

/// The files of a knowledge base, in load order.
pub const FILES: [&str; 9] = [
    "source.toml",
    "profile.toml",
    "messages.toml",
    "rules.toml",
    "outcomes.toml",
    "reasons.toml",
    "products.toml",
    "douyin.toml",
    "lexicon.toml",
];

const BUILTIN: [&str; 9] = [
    include_str!("../../config/source.toml"),
    include_str!("../../config/profile.toml"),
    include_str!("../../config/messages.toml"),
    include_str!("../../config/rules.toml"),
    include_str!("../../config/outcomes.toml"),
    include_str!("../../config/reasons.toml"),
    include_str!("../../config/products.toml"),
    include_str!("../../config/douyin.toml"),
    include_str!("../../config/lexicon.toml"),
];

/// The messages the positioning map draws, by key prefix: with the product names and
/// the source credit, every character of theirs must be in the map's font (loading
/// refuses one that is not; `assets/fonts/subset.py` uses the same prefixes).
pub const FONT_CHECKED_MESSAGES: [&str; 5] = ["map.", "positioning.", "outlook.", "rule.", "footer.source"];

/// What is wrong with a knowledge-base file, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct KbError {
    pub file: String,
    /// 1-based; `None` when the whole file is at fault (missing, unreadable).
    pub line: Option<usize>,
    pub reason: String,
}

impl fmt::Display for KbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}: {}", self.file, line, self.reason),
            None => write!(f, "{}: {}", self.file, self.reason),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Source {
    pub title: Text,
    pub author: String,
    pub account: String,
    pub date: String,
    pub url: String,
}

#[derive(Debug, Clone)]
pub struct CodeInfo {
    pub label: Text,
    /// How a reason names the code in running text ("members of an interest
    /// community"); the label where the file gives none.
    pub phrase: Text,
    pub aliases: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct FieldInfo {
    pub label: Text,
    pub codes: Vec<CodeInfo>,
}

#[derive(Debug, Clone)]
pub struct Rule {
    pub id: RuleId,
    pub title: Text,
    pub statement: Text,
    pub excerpt: Text,
    pub cases: Vec<Text>,
    /// The article's insight (启示) when [`Rule::insight`], else imlaws' own advice.
    pub advice: Vec<Text>,
    /// Whether [`Rule::advice`] is the article's own insight for the rule.
    pub insight: bool,
}

#[derive(Debug, Clone)]
pub struct OutcomeText {
    pub summary: Text,
    pub advice: Vec<Text>,
}

#[derive(Debug, Clone)]
pub struct Product {
    pub name: Text,
    pub aliases: Vec<String>,
    /// The article's table row.
    pub row: Text,
    pub profile: Profile,
    /// Fields the product's entry does not give (filled with defaults).
    pub assumed: FieldSet,
    pub note: Option<Text>,
    /// The rule the article uses the product to illustrate, or (when not
    /// [`Product::discussed`]) the rule imlaws places it under.
    pub rule: RuleId,
    /// Whether the article discusses the product (else it is only in its table).
    pub discussed: bool,
    /// The name is also an everyday English word ("Line"): named only as written.
    pub common_word: bool,
    /// The article's walk through the rules for this product, where it gives one.
    pub analysis: Option<Analysis>,
    pub outcome: Option<Text>,
}

impl Product {
    /// "WeChat (微信)", or just the name where both languages agree.
    pub fn display_name(&self, lang: Lang) -> String {
        let (first, second) = match lang {
            Lang::En => (&self.name.en, &self.name.zh),
            Lang::Zh => (&self.name.zh, &self.name.en),
        };
        if first == second {
            first.clone()
        } else {
            format!("{first} ({second})")
        }
    }
}

/// Where a text stands in the knowledge base, for refusals found after loading (the
/// command table's check of the command names).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    pub file: String,
    pub line: usize,
}

impl Origin {
    pub fn error(&self, reason: impl Into<String>) -> KbError {
        KbError { file: self.file.clone(), line: Some(self.line), reason: reason.into() }
    }
}

/// A slash command's words (`[command.<key>]` in messages.toml): its name in both
/// languages, its description, and those of its options that are not profile fields.
#[derive(Debug, Clone)]
pub struct CommandText {
    pub key: String,
    pub at: Origin,
    pub name: Text,
    pub description: Text,
    pub options: Vec<OptionText>,
}

#[derive(Debug, Clone)]
pub struct OptionText {
    pub key: String,
    pub at: Origin,
    pub name: Text,
    pub description: Text,
}

impl CommandText {
    pub fn option(&self, key: &str) -> Option<&OptionText> {
        self.options.iter().find(|o| o.key == key)
    }
}

/// The article's own analysis of a product (Douyin's chat, `config/douyin.toml`): the
/// rules it rules out one by one, where that leaves the product, and its advice.
#[derive(Debug, Clone)]
pub struct Analysis {
    pub premise: Text,
    pub steps: Vec<(RuleId, Text)>,
    pub conclusion: Text,
    pub advice: Vec<Text>,
}

/// A reason with its placeholders filled at load for every value of the fields it
/// names, and for each field not stated (at most a few dozen variants), so answering
/// never formats text.
#[derive(Debug, Clone)]
pub(crate) struct ReasonText {
    /// The fields the template names, in order of first use.
    pub(crate) fields: Vec<Field>,
    /// Indexed by the fields' code indices, in mixed radix: one more slot per field
    /// than it has codes, the last for "not stated".
    pub(crate) variants: Vec<Text>,
}

impl ReasonText {
    pub(crate) fn new(kb_fields: &[FieldInfo], template: &Text, not_stated: &Text) -> ReasonText {
        let mut fields: Vec<Field> = Vec::new();
        for t in [&template.en, &template.zh] {
            for name in crate::lang::placeholders(t) {
                if let Some(f) = Field::from_name(name) {
                    if !fields.contains(&f) {
                        fields.push(f);
                    }
                }
            }
        }
        let count: usize = fields.iter().map(|f| f.codes().len() + 1).product();
        let variants = (0..count)
            .map(|mut i| {
                let mut values = vec![0; fields.len()];
                for (slot, f) in values.iter_mut().zip(&fields).rev() {
                    *slot = i % (f.codes().len() + 1);
                    i /= f.codes().len() + 1;
                }
                let fill = |lang: Lang| {
                    crate::lang::fill_with(template.get(lang), |name| {
                        let at = fields.iter().position(|f| f.name() == name)?;
                        let codes = &kb_fields[fields[at].index()].codes;
                        Some(codes.get(values[at]).map_or(not_stated, |c| &c.phrase).get(lang))
                    })
                };
                Text { en: fill(Lang::En), zh: fill(Lang::Zh) }
            })
            .collect();
        ReasonText { fields, variants }
    }
}

/// A checked knowledge base.
#[derive(Debug, Clone)]
pub struct Kb {
    pub source: Source,
    /// Indexed by [`Field::index`].
    pub fields: Vec<FieldInfo>,
    /// Indexed by [`Msg::index`].
    messages: Vec<Text>,
    /// In [`RuleId::ALL`] order.
    rules: Vec<Rule>,
    /// In [`Outcome::ALL`] order.
    outcomes: Vec<OutcomeText>,
    /// In [`REASON_KEYS`] order.
    reasons: Vec<ReasonText>,
    /// "Law 1" … "Corollary 7", in [`RuleId::ALL`] order (made once at load).
    rule_labels: Vec<Text>,
    /// The source credit every answer ends with (made once at load).
    credit: Text,
    /// "audience: strangers", by field and code (made once at load).
    choice_labels: Vec<Vec<Text>>,
    /// "now assumed: strangers", by field and code (made once at load).
    assumed_notes: Vec<Vec<Text>>,
    pub products: Vec<Product>,
    pub lexicon: crate::ask::Lexicon,
    /// The slash commands' words, as messages.toml gives them; the command table
    /// (`crate::command`) checks them against its own names.
    pub commands: Vec<CommandText>,
    /// Six hex digits that change whenever any file of the knowledge base does: a
    /// component made under another knowledge base is refused as stale.
    pub tag: String,
    /// What a front-end makes once from these texts and keeps beside them (the crate's
    /// own: one type per knowledge base, so no one outside may fill it first).
    pub(crate) derived: Derived,
}

/// A slot for what a front-end derives from the knowledge base once, at first use (the
/// Discord menus' options, written as JSON): this module cannot name the front-end's
/// type, so the slot holds any one type. Empty in a fresh or cloned knowledge base.
#[derive(Default)]
pub(crate) struct Derived(OnceLock<Box<dyn Any + Send + Sync>>);

impl Derived {
    /// The derived value, made by `make` the first time. One type per knowledge base:
    /// a second type gets `None`.
    pub(crate) fn get_or_init<T: Any + Send + Sync>(&self, make: impl FnOnce() -> T) -> Option<&T> {
        self.0.get_or_init(|| Box::new(make())).downcast_ref()
    }
}

impl Clone for Derived {
    fn clone(&self) -> Self {
        Derived::default()
    }
}

impl fmt::Debug for Derived {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.get().is_some() { "Derived(made)" } else { "Derived(empty)" })
    }
}

impl Kb {
    /// The knowledge base compiled into the binary.
    pub fn builtin() -> Result<Kb, KbError> {
        let files: Vec<(String, &str)> =
            FILES.iter().zip(BUILTIN).map(|(name, text)| (format!("config/{name} (built in)"), text)).collect();
        Kb::parse(&files)
    }

    /// Load `dir/source.toml`, `dir/rules.toml`, … (every file in [`FILES`]).
    pub fn from_dir(dir: &Path) -> Result<Kb, KbError> {
        let mut files = Vec::with_capacity(FILES.len());
        for name in FILES {
            let path = dir.join(name);
            let text = std::fs::read_to_string(&path).map_err(|e| KbError {
                file: path.display().to_string(),
                line: None,
                reason: format!("cannot read it: {e}"),
            })?;
            files.push((path.display().to_string(), text));
        }
        let borrowed: Vec<(String, &str)> = files.iter().map(|(n, t)| (n.clone(), t.as_str())).collect();
        Kb::parse(&borrowed)
    }

    /// Parse and check a knowledge base given as `(file label, contents)` in [`FILES`] order.
    pub fn parse(files: &[(String, &str)]) -> Result<Kb, KbError> {
        raw::load(files)
    }

    pub fn msg(&self, m: Msg, lang: Lang) -> &str {
        self.messages[m.index()].get(lang)
    }

    /// A slash command's words, by its name in the command table.
    pub fn command(&self, key: &str) -> Option<&CommandText> {
        self.commands.iter().find(|c| c.key == key)
    }

    pub fn rule(&self, id: RuleId) -> &Rule {
        &self.rules[id as usize]
    }

    pub fn outcome(&self, o: Outcome) -> &OutcomeText {
        &self.outcomes[o as usize]
    }

    /// A reason's text for `profile`, its placeholders already filled.
    /// A reason's words for a profile; fields in `unknown` read as not stated.
    pub fn reason(&self, r: Reason, profile: &Profile, unknown: FieldSet, lang: Lang) -> &str {
        let rt = &self.reasons[r.index()];
        let i = rt.fields.iter().fold(0, |i, &f| {
            let value = if unknown.contains(f) { f.codes().len() } else { profile.index(f) };
            i * (f.codes().len() + 1) + value
        });
        rt.variants[i].get(lang)
    }

    /// The label of a field ("identity", "身份").
    pub fn field_label(&self, field: Field, lang: Lang) -> &str {
        self.fields[field.index()].label.get(lang)
    }

    /// The label of a field's code ("anonymous", "匿名").
    pub fn code_label(&self, field: Field, index: usize, lang: Lang) -> &str {
        self.fields[field.index()].codes[index].label.get(lang)
    }

    /// "Source: 攀哥杨攀, “…” (2023-01-09) · https://…"
    pub fn source_credit(&self, lang: Lang) -> &str {
        self.credit.get(lang)
    }

    /// "audience: strangers", a menu option changing `field` to the code at `index`.
    pub fn choice_label(&self, field: Field, index: usize, lang: Lang) -> &str {
        self.choice_labels[field.index()][index].get(lang)
    }

    /// "now assumed: strangers", what an assumed field is now.
    pub fn assumed_note(&self, field: Field, index: usize, lang: Lang) -> &str {
        self.assumed_notes[field.index()][index].get(lang)
    }

    /// "Law 3", "第三定律", "推论五".
    pub fn rule_label(&self, id: RuleId, lang: Lang) -> &str {
        self.rule_labels[id as usize].get(lang)
    }

    /// Resolve what a user typed for a field: a code, or an alias (case-insensitive).
    pub fn resolve_code(&self, field: Field, value: &str) -> Option<usize> {
        let v = value.trim();
        if let Some(i) = field.codes().iter().position(|c| c.eq_ignore_ascii_case(v)) {
            return Some(i);
        }
        let lower = v.to_lowercase();
        self.fields[field.index()].codes.iter().position(|c| c.aliases.iter().any(|a| a.to_lowercase() == lower))
    }

    /// Find a product by English or Chinese name or alias, ignoring case and spaces.
    pub fn product(&self, name: &str) -> Option<&Product> {
        let key = normalize(name);
        if key.is_empty() {
            return None;
        }
        self.products.iter().find(|p| names_of(p).any(|n| normalize(n) == key))
    }

    /// Products whose names start with, contain, or nearly match `partial`, best first.
    pub fn suggest_products(&self, partial: &str, limit: usize) -> Vec<&Product> {
        let key = normalize(partial);
        let mut scored: Vec<(u32, usize, &Product)> = self
            .products
            .iter()
            .enumerate()
            .filter_map(|(i, p)| {
                let score = names_of(p).filter_map(|n| match_score(&key, &normalize(n))).min()?;
                Some((score, i, p))
            })
            .collect();
        scored.sort_by_key(|(score, i, _)| (*score, *i));
        scored.into_iter().take(limit).map(|(_, _, p)| p).collect()
    }

    /// Close misspellings of a product name (for "did you mean").
    pub fn near_products(&self, name: &str) -> Vec<&Product> {
        let key = normalize(name);
        if key.is_empty() {
            return Vec::new();
        }
        self.suggest_products(name, 3)
            .into_iter()
            .filter(|p| {
                names_of(p).any(|n| {
                    let n = normalize(n);
                    n.contains(&key) || key.contains(&n) || close(&key, &n)
                })
            })
            .collect()
    }
}

fn names_of(p: &Product) -> impl Iterator<Item = &str> {
    [p.name.en.as_str(), p.name.zh.as_str()].into_iter().chain(p.aliases.iter().map(String::as_str))
}

/// Lower case, without spaces and punctuation.
pub(crate) fn normalize(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// Lower is better; `None` when the name does not match at all. An empty `key` matches
/// everything equally (autocomplete before the user types).
fn match_score(key: &str, name: &str) -> Option<u32> {
    if key.is_empty() {
        return Some(3);
    }
    if name == key {
        Some(0)
    } else if name.starts_with(key) {
        Some(1)
    } else if name.contains(key) {
        Some(2)
    } else if close(key, name) {
        Some(4 + edit_distance(key, name) as u32)
    } else {
        None
    }
}

fn close(a: &str, b: &str) -> bool {
    let len = a.chars().count().max(b.chars().count());
    let allowed = if len <= 3 { 1 } else { len.div_ceil(3) };
    edit_distance(a, b) <= allowed
}

/// Levenshtein distance over chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_works() {
        assert_eq!(edit_distance("wechat", "wechta"), 2);
        assert_eq!(edit_distance("momo", "momo"), 0);
        assert_eq!(edit_distance("", "abc"), 3);
    }

    #[test]
    fn builtin_loads() {
        let kb = Kb::builtin().unwrap();
        assert_eq!(kb.products.len(), 27);
        assert_eq!(kb.rule(RuleId::Corollary5).id, RuleId::Corollary5);
        assert_eq!(kb.reasons.len(), crate::rules::REASON_KEYS.len());
        let narrow = crate::rules::Reason::of("law-1.narrow");
        let strangers = kb.product("Momo").unwrap().profile;
        let none = FieldSet::default();
        let en = kb.reason(narrow, &strangers, none, Lang::En);
        assert!(en.contains("strangers") && !en.contains('{'), "{en}");
        assert!(kb.reason(narrow, &strangers, none, Lang::Zh).contains("陌生人"));
        // A field nobody stated reads as such, never as its stand-in's label.
        let mut unknown = FieldSet::default();
        unknown.insert(Field::Audience);
        let en = kb.reason(narrow, &strangers, unknown, Lang::En);
        assert!(en.contains("not stated") && !en.contains("strangers"), "{en}");
        assert!(kb.reason(narrow, &strangers, unknown, Lang::Zh).contains("未说明"));
    }
}
