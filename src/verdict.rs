//! The verdict: a [`rules::Assessment`] in words, as the JSON of the product brief.

use crate::kb::Kb;
use crate::lang::Lang;
use crate::profile::{Field, FieldSet, Profile};
use crate::rules::{self, Outlook, Positioning, RuleId, Verdict};
use serde::Serialize;

/// What `imlaws assess --json` prints. Text fields are in one language; codes never
/// change with it.
#[derive(Debug, Clone, Serialize)]
pub struct Report<'a> {
    pub profile: Profile,
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
    #[serde(skip)]
    pub summary: &'a str,
    #[serde(skip)]
    pub lang: Lang,
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
    let assessment = rules::assess(&profile);
    let rule = kb.rule(assessment.primary);
    let outcome = kb.outcome(assessment.outcome);
    let rules = assessment
        .findings
        .iter()
        .map(|f| RuleLine { id: f.rule, verdict: f.verdict, reason: kb.reason(f.reason, &profile, lang) })
        .collect();
    Report {
        profile,
        assumed,
        positioning: assessment.positioning,
        outlook: assessment.outlook,
        primary: assessment.primary,
        rules,
        excerpt: Excerpt { id: rule.id, title: rule.title.get(lang), text: rule.excerpt.get(lang) },
        advice: outcome.advice.iter().map(|a| a.get(lang)).collect(),
        source: SourceRef::new(kb, lang),
        summary: outcome.summary.get(lang),
        lang,
    }
}
