//! The verdict: a [`rules::Assessment`] in words, as the JSON of the product brief.

use crate::kb::Kb;
use crate::lang::Lang;
use crate::profile::{Field, FieldSet, Profile};
use crate::rules::{self, Outlook, Positioning, RuleId, Settled, Verdict, WhatIf};
use serde::Serialize;

/// What `imlaws assess --json` prints. Text fields are in one language; codes never
/// change with it.
#[derive(Debug, Clone, Serialize)]
pub struct Report<'a> {
    /// The profile assessed and the fields nobody stated that the decision does not
    /// need: in JSON, `profile` (an unknown field `null`) and `unknown` (their names).
    #[serde(flatten)]
    pub profile: ProfileView,
    /// The fields filled with defaults rather than given (a list of names in JSON).
    #[serde(serialize_with = "field_names")]
    pub assumed: FieldSet,
    pub positioning: Positioning,
    pub outlook: Outlook,
    pub primary: RuleId,
    pub rules: Vec<RuleLine<'a>>,
    pub excerpt: Excerpt<'a>,
    pub advice: Vec<&'a str>,
    pub source: SourceRef<'a>,
    /// What would change the verdict: every single-field change that moves the
    /// primary rule or the outlook, best outlook first.
    #[serde(serialize_with = "what_if_json")]
    pub what_if: WhatIf,
    /// How many of them the text shows (the CLI's `--what-if` shows all).
    #[serde(skip)]
    pub what_if_shown: usize,
    #[serde(skip)]
    pub summary: &'a str,
    #[serde(skip)]
    pub lang: Lang,
}

/// The profile as a verdict shows it: the values assessed, and which fields nobody
/// stated (the procedure ran with a stand-in that cannot change the decision).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProfileView {
    pub values: Profile,
    pub unknown: FieldSet,
}

impl ProfileView {
    /// A field's code, or `None` when it was not stated.
    pub fn code(&self, field: Field) -> Option<&'static str> {
        (!self.unknown.contains(field)).then(|| self.values.code(field))
    }
}

/// Two entries of the verdict: `profile`, each field's code or `null`, and `unknown`,
/// the names of the fields nobody stated.
impl Serialize for ProfileView {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        struct Codes<'v>(&'v ProfileView);
        impl Serialize for Codes<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut map = s.serialize_map(Some(Field::ALL.len()))?;
                for f in Field::ALL {
                    map.serialize_entry(f.name(), &self.0.code(f))?;
                }
                map.end()
            }
        }
        let names: Vec<&str> = self.unknown.iter().map(Field::name).collect();
        let mut map = s.serialize_map(Some(2))?;
        map.serialize_entry("profile", &Codes(self))?;
        map.serialize_entry("unknown", &names)?;
        map.end()
    }
}

fn what_if_json<S: serde::Serializer>(w: &WhatIf, s: S) -> Result<S::Ok, S::Error> {
    #[derive(Serialize)]
    struct Line {
        field: &'static str,
        from: Option<&'static str>,
        to: &'static str,
        primary: RuleId,
        positioning: Positioning,
        outlook: Outlook,
    }
    s.collect_seq(w.changes.iter().map(|c| Line {
        field: c.field.name(),
        from: c.from.map(|i| c.field.codes()[i]),
        to: c.field.codes()[c.to],
        primary: c.primary,
        positioning: c.positioning,
        outlook: c.outlook,
    }))
}

fn field_names<S: serde::Serializer>(set: &FieldSet, s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(set.iter().map(Field::name))
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleLine<'a> {
    pub id: RuleId,
    pub verdict: Verdict,
    pub reason: &'a str,
}

#[derive(Debug, Clone, Serialize)]
pub struct Excerpt<'a> {
    pub id: RuleId,
    pub title: &'a str,
    pub text: &'a str,
}

#[derive(Debug, Clone, Serialize)]
pub struct SourceRef<'a> {
    pub title: &'a str,
    pub author: &'a str,
    pub url: &'a str,
}

impl<'a> SourceRef<'a> {
    pub fn new(kb: &'a Kb, lang: Lang) -> Self {
        SourceRef { title: kb.source.title.get(lang), author: &kb.source.author, url: &kb.source.url }
    }
}

/// Assess `profile` and word the result from the knowledge base.
pub fn report<'a>(kb: &'a Kb, profile: Profile, assumed: FieldSet, lang: Lang) -> Report<'a> {
    report_settled(kb, &Settled { profile, assumed, unknown: FieldSet::default() }, lang)
}

/// Assess a settled profile (some fields possibly unknown) and word the result.
pub fn report_settled<'a>(kb: &'a Kb, settled: &Settled, lang: Lang) -> Report<'a> {
    let Settled { profile, assumed, unknown } = *settled;
    let assessment = rules::assess_with(&profile, unknown);
    let rule = kb.rule(assessment.primary);
    let outcome = kb.outcome(assessment.outcome);
    let rules = assessment
        .findings
        .iter()
        .map(|f| RuleLine { id: f.rule, verdict: f.verdict, reason: kb.reason(f.reason, &profile, unknown, lang) })
        .collect();
    Report {
        profile: ProfileView { values: profile, unknown },
        assumed,
        positioning: assessment.positioning,
        outlook: assessment.outlook,
        primary: assessment.primary,
        rules,
        excerpt: Excerpt { id: rule.id, title: rule.title.get(lang), text: rule.excerpt.get(lang) },
        advice: outcome.advice.iter().map(|a| a.get(lang)).collect(),
        source: SourceRef::new(kb, lang),
        what_if: rules::what_if(settled),
        what_if_shown: 3,
        summary: outcome.summary.get(lang),
        lang,
    }
}
