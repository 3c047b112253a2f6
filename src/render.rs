//! One renderer for every front-end: answers become an [`Embed`] that already fits
//! Discord's limits; the terminal prints the same embed as text.

use crate::ask::Recognition;
use crate::kb::{Kb, Msg, Product};
use crate::lang::{fill, fill_into, Lang};
use crate::profile::{Field, FieldCode, FieldSet, Profile};
use crate::rules::{Outlook, RuleId, Verdict};
use crate::verdict::Report;
use serde::Serialize;
use std::borrow::Cow;

/// Discord's embed limits, in characters.
pub mod limits {
    pub const TITLE: usize = 256;
    pub const DESCRIPTION: usize = 4096;
    pub const FIELDS: usize = 25;
    pub const FIELD_NAME: usize = 256;
    pub const FIELD_VALUE: usize = 1024;
    pub const FOOTER: usize = 2048;
    /// Title, description, field names and values and footer together.
    pub const TOTAL: usize = 6000;
}

pub const COLOR_FAVORABLE: u32 = 0x2E_CC_71;
pub const COLOR_CONDITIONAL: u32 = 0xF1_C4_0F;
pub const COLOR_UNFAVORABLE: u32 = 0xE7_4C_3C;
pub const COLOR_INFO: u32 = 0x58_65_F2;

pub fn outlook_color(o: Outlook) -> u32 {
    match o {
        Outlook::Favorable => COLOR_FAVORABLE,
        Outlook::Conditional => COLOR_CONDITIONAL,
        Outlook::Unfavorable => COLOR_UNFAVORABLE,
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EmbedField<'k> {
    /// Most names are the knowledge base's headings, borrowed.
    pub name: Cow<'k, str>,
    pub value: String,
}

/// A Discord embed, within limits by construction ([`Embed::fit`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Embed<'k> {
    pub title: String,
    pub description: String,
    pub color: u32,
    pub fields: Vec<EmbedField<'k>>,
    /// The source credit, borrowed from the knowledge base.
    pub footer: Cow<'k, str>,
    /// The embed's image: `attachment://map.png` for a map sent with the message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
}

impl<'k> Embed<'k> {
    fn new(title: String, description: String, color: u32) -> Self {
        Embed { title, description, color, fields: Vec::with_capacity(8), footer: Cow::Borrowed(""), image: None }
    }

    /// Start a field written line by line; long ones continue in further fields.
    fn field<'e>(&'e mut self, name: &'k str) -> Lines<'e, 'k> {
        Lines { embed: self, name, value: String::with_capacity(FIELD_BYTES), chars: 0, counted: 0, continued: false }
    }

    /// Add a field of whole lines.
    fn lines<S: AsRef<str>>(&mut self, name: &'k str, lines: &[S]) {
        let mut f = self.field(name);
        for line in lines {
            f.line(&[line.as_ref()]);
        }
        f.finish();
    }

    /// Add a field of bulleted lines.
    fn bullets<'a>(&mut self, name: &'k str, items: impl IntoIterator<Item = &'a str>) {
        let mut f = self.field(name);
        for item in items {
            f.line(&["• ", item]);
        }
        f.finish();
    }

    /// Characters that count toward the 6000 total.
    pub fn total_chars(&self) -> usize {
        let count = |s: &str| char_len(s.trim());
        count(&self.title)
            + count(&self.description)
            + self.fields.iter().map(|f| count(&f.name) + count(&f.value)).sum::<usize>()
            + count(&self.footer)
    }

    /// The bytes of the parts [`Embed::total_chars`] counts: never fewer than their
    /// characters.
    fn total_bytes(&self) -> usize {
        self.title.len()
            + self.description.len()
            + self.footer.len()
            + self.fields.iter().map(|f| f.name.len() + f.value.len()).sum::<usize>()
    }

    /// Cut every part to Discord's limits: per-part caps first, then drop or shorten
    /// trailing fields until the total fits. Nothing is cut from a typical answer.
    pub fn fit(mut self) -> Self {
        // Fast path: byte lengths bound character counts from above.
        if self.total_bytes() <= limits::TOTAL
            && self.title.len() <= limits::TITLE
            && self.description.len() <= limits::DESCRIPTION
            && self.footer.len() <= limits::FOOTER
            && self.fields.len() <= limits::FIELDS
            && self.fields.iter().all(|f| f.name.len() <= limits::FIELD_NAME && f.value.len() <= limits::FIELD_VALUE)
        {
            return self;
        }
        truncate(&mut self.title, limits::TITLE);
        truncate(&mut self.description, limits::DESCRIPTION);
        truncate_cow(&mut self.footer, limits::FOOTER);
        self.fields.truncate(limits::FIELDS);
        for f in &mut self.fields {
            truncate_cow(&mut f.name, limits::FIELD_NAME);
            truncate(&mut f.value, limits::FIELD_VALUE);
        }
        // Each round fits the last field exactly, drops it, or cuts the description, so
        // the fields' count and two more rounds always suffice: bounded, so a mistake
        // here shows as an embed over the limit (which the tests name), never a hang.
        for _ in 0..self.fields.len() + 3 {
            // Within the total in bytes is within it in characters: nothing to count (a
            // Chinese answer's fields exceed their caps in bytes, not in characters, so
            // it comes this way).
            if self.total_bytes() <= limits::TOTAL {
                break;
            }
            let over = match self.total_chars().checked_sub(limits::TOTAL) {
                Some(over) if over > 0 => over,
                _ => break,
            };
            match self.fields.last_mut() {
                Some(f) if f.value.chars().count() > over + 2 => {
                    let keep = f.value.chars().count() - over;
                    truncate(&mut f.value, keep);
                }
                Some(_) => {
                    self.fields.pop();
                }
                None => {
                    let keep = self.description.chars().count().saturating_sub(over);
                    truncate(&mut self.description, keep);
                }
            }
        }
        self
    }

    /// The embed as terminal text; `styled` adds ANSI bold and the outlook colour.
    pub fn to_text(&self, styled: bool) -> String {
        let (bold, color, reset) = if styled {
            let c = self.color;
            ("\x1b[1m", format!("\x1b[1;38;2;{};{};{}m", c >> 16, (c >> 8) & 0xFF, c & 0xFF), "\x1b[0m")
        } else {
            ("", String::new(), "")
        };
        let md = |s: &str| {
            if styled {
                let mut out = String::with_capacity(s.len());
                for (i, part) in s.split("**").enumerate() {
                    if i > 0 {
                        out.push_str(if i % 2 == 1 { bold } else { reset });
                    }
                    out.push_str(part);
                }
                out
            } else {
                s.replace("**", "")
            }
        };
        let mut out = format!("{color}{}{reset}\n", self.title);
        if !self.description.is_empty() {
            out.push('\n');
            out.push_str(&md(&self.description));
            out.push('\n');
        }
        for f in &self.fields {
            // A field continued from the one before reads as one list on a terminal.
            if !f.name.ends_with(" …") {
                out.push_str(&format!("\n{bold}{}{reset}\n", f.name));
            }
            for line in f.value.lines() {
                out.push_str("  ");
                out.push_str(&md(line));
                out.push('\n');
            }
        }
        if !self.footer.is_empty() {
            out.push_str(&format!("\n— {}\n", self.footer));
        }
        out
    }
}

/// Room for a field's value up front: most are a few hundred bytes, and glibc serves
/// blocks up to about 1 KiB from its fast per-thread cache (2 KiB measured slower).
const FIELD_BYTES: usize = 1024;

/// A field being written: lines are joined with newlines, and a line that would take
/// the value past Discord's 1024 characters starts a continuation field instead (a
/// single longer line is cut by [`Embed::fit`]).
struct Lines<'e, 'k> {
    embed: &'e mut Embed<'k>,
    name: &'k str,
    value: String,
    /// Characters in `value[..counted]`, counted once each.
    chars: usize,
    counted: usize,
    continued: bool,
}

impl Lines<'_, '_> {
    /// Add one line made of `parts`.
    fn line(&mut self, parts: &[&str]) {
        self.line_with(|out| {
            for p in parts {
                out.push_str(p);
            }
        });
    }

    /// Add one line, which `write` appends to the field's value in place (no buffer of
    /// its own). Characters are only counted near the limit: a byte length within it
    /// is a character count within it, and what was counted once is not counted again.
    fn line_with(&mut self, write: impl FnOnce(&mut String)) {
        let start = self.value.len();
        if start > 0 {
            self.value.push('\n');
        }
        write(&mut self.value);
        if start == 0 || self.value.len() <= limits::FIELD_VALUE {
            return;
        }
        self.chars += char_len(&self.value[self.counted..start]);
        self.counted = start;
        if self.chars + char_len(&self.value[start..]) > limits::FIELD_VALUE {
            // The line starts a continuation field instead.
            let mut next = String::with_capacity(FIELD_BYTES);
            next.push_str(&self.value[start + 1..]);
            self.value.truncate(start);
            self.flush(next);
        }
    }

    /// The value so far becomes a field; `next` is written from here on.
    fn flush(&mut self, next: String) {
        let name = if self.continued { Cow::Owned(format!("{} …", self.name)) } else { Cow::Borrowed(self.name) };
        let value = std::mem::replace(&mut self.value, next);
        self.embed.fields.push(EmbedField { name, value });
        (self.chars, self.counted, self.continued) = (0, 0, true);
    }

    fn finish(mut self) {
        if !self.value.is_empty() {
            self.flush(String::new());
        }
    }
}

/// Characters, as Discord counts them; ASCII without counting.
fn char_len(s: &str) -> usize {
    s.chars().count()
}

/// More than `max` characters (the byte length answers first when it is within).
fn too_long(s: &str, max: usize) -> bool {
    s.len() > max && char_len(s) > max
}

/// Cut `s` to at most `max` characters, ending with "…" when cut.
pub fn truncate(s: &mut String, max: usize) {
    if !too_long(s, max) {
        return;
    }
    let cut = s.char_indices().nth(max.saturating_sub(1)).map_or(s.len(), |(i, _)| i);
    s.truncate(cut);
    s.push('…');
}

/// [`truncate`], copying a borrowed text only when it is cut.
pub(crate) fn truncate_cow(s: &mut Cow<'_, str>, max: usize) {
    if too_long(s, max) {
        truncate(s.to_mut(), max);
    }
}

fn footer(kb: &Kb, lang: Lang) -> Cow<'_, str> {
    Cow::Borrowed(kb.source_credit(lang))
}

/// ": " or "：".
fn colon(lang: Lang) -> &'static str {
    match lang {
        Lang::En => ": ",
        Lang::Zh => "：",
    }
}

/// " (" and ")", or "（" and "）".
fn parens(lang: Lang) -> (&'static str, &'static str) {
    match lang {
        Lang::En => (" (", ")"),
        Lang::Zh => ("（", "）"),
    }
}

/// The mark before a rule in a trace; its words follow it, because "❌" alone reads as
/// if the product broke the rule rather than the rule working against it.
fn mark(v: Verdict) -> &'static str {
    match v {
        Verdict::Holds => "✅",
        Verdict::Violated => "❌",
        Verdict::NotApplicable => "➖",
    }
}

/// "identity: anonymous · audience: strangers · role: avatar (assumed) · …"; a field in
/// `unknown` reads "not stated (it would not change this verdict)".
pub fn profile_line(kb: &Kb, p: &Profile, assumed: FieldSet, unknown: FieldSet, lang: Lang) -> String {
    let mut s = String::with_capacity(400);
    profile_line_into(&mut s, kb, p, assumed, unknown, lang);
    s
}

/// [`profile_line`], appended to `s`.
fn profile_line_into(s: &mut String, kb: &Kb, p: &Profile, assumed: FieldSet, unknown: FieldSet, lang: Lang) {
    let (colon, open, close) = match lang {
        Lang::En => (": ", " (", ")"),
        Lang::Zh => ("：", "（", "）"),
    };
    let assumed_word = kb.msg(Msg::ProfileAssumed, lang);
    for (i, &f) in Field::ALL.iter().enumerate() {
        if i > 0 {
            s.push_str(" · ");
        }
        s.push_str(kb.field_label(f, lang));
        s.push_str(colon);
        let note = if unknown.contains(f) {
            s.push_str(kb.msg(Msg::ProfileNotStated, lang));
            Some(kb.msg(Msg::ProfileUnneeded, lang))
        } else {
            s.push_str(kb.code_label(f, p.index(f), lang));
            assumed.contains(f).then_some(assumed_word)
        };
        if let Some(note) = note {
            s.push_str(open);
            s.push_str(note);
            s.push_str(close);
        }
    }
}

/// The answer to `/assess`: positioning and outlook in the title, coloured by outlook.
pub fn assess<'k>(kb: &'k Kb, r: &Report) -> Embed<'k> {
    assessment(kb, r).fit()
}

/// The answer to `/ask`: the assessment, and what was understood from the question.
pub fn ask<'k>(kb: &'k Kb, r: &Report, rec: &Recognition) -> Embed<'k> {
    let lang = r.lang;
    let mut e = assessment(kb, r);
    let (arrow, open_q, close_q, comma) = match lang {
        Lang::En => (" ← ", "“", "”", ", "),
        Lang::Zh => (" ← ", "“", "”", "、"),
    };
    let mut f = e.field(kb.msg(Msg::HeadingRecognised, lang));
    for item in &rec.recognised {
        let FieldCode { field, code } = item.value;
        let mut quoted = String::new();
        for (i, w) in item.words.iter().enumerate() {
            if i > 0 {
                quoted.push_str(comma);
            }
            quoted.push_str(open_q);
            quoted.push_str(w);
            quoted.push_str(close_q);
        }
        f.line(&[kb.field_label(field, lang), colon(lang), kb.code_label(field, code, lang), arrow, &quoted]);
    }
    for item in &rec.borrowed {
        let FieldCode { field, code } = item.value;
        f.line(&[kb.field_label(field, lang), colon(lang), kb.code_label(field, code, lang), arrow, &item.product]);
    }
    f.finish();
    e.fit()
}

fn assessment<'k>(kb: &'k Kb, r: &Report) -> Embed<'k> {
    let lang = r.lang;
    let title = fill(
        kb.msg(Msg::TitleAssess, lang),
        &[("positioning", kb.msg(r.positioning.into(), lang)), ("outlook", kb.msg(r.outlook.into(), lang))],
    );
    let primary = kb.msg(Msg::TitlePrimary, lang);
    let mut description = String::with_capacity(primary.len() + 64 + r.summary.len() + r.excerpt.text.len() + 12);
    description.push_str("**");
    fill_into(&mut description, primary, &[("rule", kb.rule_label(r.primary, lang)), ("title", r.excerpt.title)]);
    for part in ["**\n", r.summary, "\n\n> ", r.excerpt.text] {
        description.push_str(part);
    }
    let mut e = Embed::new(title, description, outlook_color(r.outlook));
    let (open, close) = parens(lang);
    let mut f = e.field(kb.msg(Msg::HeadingReasoning, lang));
    for line in &r.rules {
        let star = if line.id == r.primary { " ◀" } else { "" };
        f.line(&[
            mark(line.verdict),
            " **",
            kb.rule_label(line.id, lang),
            "**",
            open,
            kb.msg(line.verdict.into(), lang),
            close,
            star,
            colon(lang),
            line.reason,
        ]);
    }
    f.finish();
    e.bullets(kb.msg(Msg::HeadingAdvice, lang), r.advice.iter().copied());
    let mut f = e.field(kb.msg(Msg::HeadingWhatIf, lang));
    what_if_lines(kb, r, |line| f.line(&[line]));
    f.finish();
    let mut f = e.field(kb.msg(Msg::HeadingProfile, lang));
    f.line_with(|out| profile_line_into(out, kb, &r.profile.values, r.assumed, r.profile.unknown, lang));
    f.finish();
    e.footer = footer(kb, lang);
    e
}

/// The what-if button's answer: every change that moves the verdict.
pub fn what_if<'k>(kb: &'k Kb, r: &Report) -> Embed<'k> {
    let lang = r.lang;
    let title = format!("{}{}{}", kb.msg(Msg::HeadingWhatIf, lang), colon(lang), kb.rule_label(r.primary, lang));
    let mut description = String::with_capacity(1024);
    what_if_lines(kb, r, |line| {
        if !description.is_empty() {
            description.push('\n');
        }
        description.push_str(line);
    });
    let mut e = Embed::new(title, description, outlook_color(r.outlook));
    e.footer = footer(kb, lang);
    e.fit()
}

/// "identity: anonymous → real-name: Corollary 7, unfavorable", for the first
/// `r.what_if_shown` changes, then the fields nothing in which changes the verdict:
/// each line given to `line` in turn (written in one buffer, not a string each).
pub fn what_if_lines(kb: &Kb, r: &Report, mut line: impl FnMut(&str)) {
    let lang = r.lang;
    let not_stated = kb.msg(Msg::ProfileNotStated, lang);
    // The best change of each field first, then the rest: three lines that name one
    // field each say more than three ways to change the audience.
    let changes = &r.what_if.changes;
    let first_of_field = |i: usize| changes[..i].iter().all(|c| c.field != changes[i].field);
    let order =
        (0..changes.len()).filter(|&i| first_of_field(i)).chain((0..changes.len()).filter(|&i| !first_of_field(i)));
    let mut buffer = String::with_capacity(256);
    let mut any = false;
    for c in order.take(r.what_if_shown).map(|i| &changes[i]) {
        buffer.clear();
        fill_into(
            &mut buffer,
            kb.msg(Msg::WhatIfLine, lang),
            &[
                ("field", kb.field_label(c.field, lang)),
                ("from", c.from.map_or(not_stated, |i| kb.code_label(c.field, i, lang))),
                ("to", kb.code_label(c.field, c.to, lang)),
                ("rule", kb.rule_label(c.primary, lang)),
                ("outlook", kb.msg(c.outlook.into(), lang)),
            ],
        );
        line(&buffer);
        any = true;
    }
    if !any {
        line(kb.msg(Msg::WhatIfNone, lang));
    }
    if !r.what_if.steady.is_empty() {
        let sep = match lang {
            Lang::En => ", ",
            Lang::Zh => "、",
        };
        let mut fields = String::with_capacity(64);
        for (i, f) in r.what_if.steady.iter().enumerate() {
            if i > 0 {
                fields.push_str(sep);
            }
            fields.push_str(kb.field_label(f, lang));
        }
        buffer.clear();
        fill_into(&mut buffer, kb.msg(Msg::WhatIfSteady, lang), &[("fields", &fields)]);
        line(&buffer);
    }
}

/// `/law N` and `/corollary N`: the rule, its excerpt, cases, and the article's insight
/// (or, where the article gives none, imlaws' advice); a law lists its corollaries, a
/// corollary names its law.
pub fn rule(kb: &Kb, id: RuleId, lang: Lang) -> Embed<'_> {
    let rule = kb.rule(id);
    let title = format!("{}{}{}", kb.rule_label(id, lang), colon(lang), rule.title.get(lang));
    let description = format!("**{}**\n\n{}", rule.statement.get(lang), rule.excerpt.get(lang));
    let mut e = Embed::new(title, description, COLOR_INFO);
    if id.is_law() {
        let corollaries: Vec<String> = id
            .corollaries()
            .map(|c| format!("**{}**{}{}", kb.rule_label(c, lang), colon(lang), kb.rule(c).statement.get(lang)))
            .collect();
        e.lines(kb.msg(Msg::HeadingCorollaries, lang), &corollaries);
    } else {
        let law = id.parent();
        e.lines(
            kb.msg(Msg::HeadingDerived, lang),
            &[format!("{}{}{}", kb.rule_label(law, lang), colon(lang), kb.rule(law).title.get(lang))],
        );
    }
    if !rule.cases.is_empty() {
        e.bullets(kb.msg(Msg::HeadingCases, lang), rule.cases.iter().map(|c| c.get(lang)));
    }
    // Only the article's own insight (启示) is labelled as the article's.
    let heading = if rule.insight { Msg::HeadingInsight } else { Msg::HeadingAdvice };
    e.bullets(kb.msg(heading, lang), rule.advice.iter().map(|a| a.get(lang)));
    e.footer = footer(kb, lang);
    e.fit()
}

/// `/app NAME`: the article's row, how imlaws assesses it, and the verdict.
pub fn product<'k>(kb: &'k Kb, p: &Product, r: &Report) -> Embed<'k> {
    let lang = r.lang;
    let title = format!(
        "{} · {} · {}",
        p.display_name(lang),
        kb.msg(r.positioning.into(), lang),
        kb.msg(r.outlook.into(), lang)
    );
    let rule = kb.rule(p.rule);
    let c = colon(lang);
    let mut description = format!(
        "**{}**{c}{}\n**{}**{c}{} — {}",
        kb.msg(Msg::HeadingTable, lang),
        p.row.get(lang),
        kb.msg(if p.discussed { Msg::HeadingIllustrates } else { Msg::HeadingPlaced }, lang),
        kb.rule_label(p.rule, lang),
        rule.title.get(lang),
    );
    if let Some(o) = &p.outcome {
        description.push_str(&format!("\n**{}**{c}{}", kb.msg(Msg::HeadingOutcome, lang), o.get(lang)));
    }
    description.push_str(&format!("\n\n{}", r.summary));
    let mut e = Embed::new(title, description, outlook_color(r.outlook));
    if let Some(d) = &p.analysis {
        let mut lines = vec![d.premise.get(lang).to_string()];
        lines.extend(
            d.steps
                .iter()
                .map(|(rule, text)| format!("➖ **{}**{}{}", kb.rule_label(*rule, lang), colon(lang), text.get(lang))),
        );
        lines.push(format!("➡ {}", d.conclusion.get(lang)));
        e.lines(kb.msg(Msg::HeadingAnalysis, lang), &lines);
        e.bullets(kb.msg(Msg::HeadingAdvice, lang), d.advice.iter().map(|a| a.get(lang)));
    } else {
        let reasoning: Vec<String> = r
            .rules
            .iter()
            .filter(|l| l.verdict != Verdict::NotApplicable || l.id == r.primary)
            .map(|l| {
                let (open, close) = parens(lang);
                let verdict = kb.msg(l.verdict.into(), lang);
                format!(
                    "{} **{}**{open}{verdict}{close}{}{}",
                    mark(l.verdict),
                    kb.rule_label(l.id, lang),
                    colon(lang),
                    l.reason
                )
            })
            .collect();
        e.lines(kb.msg(Msg::HeadingReasoning, lang), &reasoning);
        e.bullets(kb.msg(Msg::HeadingAdvice, lang), r.advice.iter().copied());
    }
    let mut assessed = vec![profile_line(kb, &r.profile.values, p.assumed, r.profile.unknown, lang)];
    if let Some(note) = &p.note {
        assessed.push(note.get(lang).to_string());
    }
    e.lines(kb.msg(Msg::HeadingAssessed, lang), &assessed);
    e.footer = footer(kb, lang);
    e.fit()
}

/// The positioning map's message: its title, the marked product's verdict (or what
/// the map shows), coloured by that outlook, with the picture attached as
/// [`crate::map::FILE_NAME`].
pub fn map<'k>(kb: &'k Kb, marker: Option<&crate::map::Marker>, lang: Lang) -> Embed<'k> {
    let (description, color) = match marker {
        Some(mk) => (crate::map::marker_line(kb, mk, lang), outlook_color(mk.outlook)),
        None => (kb.msg(Msg::MapSubtitle, lang).to_string(), COLOR_INFO),
    };
    let mut e = Embed::new(kb.msg(Msg::MapTitle, lang).to_string(), description, color);
    e.footer = footer(kb, lang);
    e.image = Some(format!("attachment://{}", crate::map::FILE_NAME));
    e.fit()
}

/// `/help`: what imlaws does, the commands (one line each, from the command table),
/// an example and the three laws.
pub fn help<'k>(kb: &'k Kb, commands: &[(&str, String)], lang: Lang) -> Embed<'k> {
    let lines: Vec<&str> = commands.iter().map(|(_, line)| line.as_str()).collect();
    let description =
        format!("{}\n\n{}\n\n{}", kb.msg(Msg::HelpBody, lang), lines.join("\n"), kb.msg(Msg::HelpExample, lang));
    let mut e = Embed::new(kb.msg(Msg::HelpTitle, lang).to_string(), description, COLOR_INFO);
    let laws: Vec<String> = [RuleId::Law1, RuleId::Law2, RuleId::Law3]
        .iter()
        .map(|&l| format!("**{}**{}{}", kb.rule_label(l, lang), colon(lang), kb.rule(l).statement.get(lang)))
        .collect();
    e.lines(kb.source.title.get(lang), &laws);
    e.footer = footer(kb, lang);
    e.fit()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(name: &'static str, value: &str) -> EmbedField<'static> {
        EmbedField { name: name.into(), value: value.into() }
    }

    /// A field takes lines, joined by "\n", up to exactly 1024 characters; the line that
    /// would take it past 1024 starts a field named "… …" instead. Characters, not
    /// bytes: the same holds for 3-byte Chinese characters.
    #[test]
    fn a_field_is_filled_up_to_exactly_1024_characters() {
        for c in ["a", "长"] {
            let first = c.repeat(500);
            let fits = c.repeat(limits::FIELD_VALUE - 501); // 500 + "\n" + 523 = 1024
            let over = c.repeat(limits::FIELD_VALUE - 500); // 500 + "\n" + 524 = 1025
            let mut e = Embed::new(String::new(), String::new(), 0);
            e.lines("L", &[&first, &fits]);
            assert_eq!(e.fields, vec![field("L", &format!("{first}\n{fits}"))], "{c}: 1024 fits");
            let mut e = Embed::new(String::new(), String::new(), 0);
            e.lines("L", &[&first, &over]);
            assert_eq!(e.fields, vec![field("L", &first), field("L …", &over)], "{c}: 1025 continues");
        }
    }

    /// `fit` copies a borrowed field name or footer only to cut it: Chinese text at
    /// exactly the limit in characters (three times over it in bytes) stays borrowed,
    /// one character more is cut to the limit.
    #[test]
    fn fit_copies_a_borrowed_text_only_to_cut_it() {
        let (name, footer) = ("长".repeat(limits::FIELD_NAME), "长".repeat(limits::FOOTER));
        let mut e = Embed::new(String::new(), String::new(), 0);
        e.fields.push(EmbedField { name: Cow::Borrowed(&name), value: "v".into() });
        e.footer = Cow::Borrowed(&footer);
        let e = e.fit();
        assert!(matches!(e.fields[0].name, Cow::Borrowed(_)), "name copied");
        assert!(matches!(e.footer, Cow::Borrowed(_)), "footer copied");

        let longer = format!("{name}长");
        let mut e = Embed::new(String::new(), String::new(), 0);
        e.fields.push(EmbedField { name: Cow::Borrowed(&longer), value: "v".into() });
        let e = e.fit();
        assert_eq!(e.fields[0].name.chars().count(), limits::FIELD_NAME);
        assert!(e.fields[0].name.ends_with('…'));
    }

    /// One line longer than a field is left whole in its field (`fit` cuts it), and no
    /// empty field comes before it.
    #[test]
    fn a_single_overlong_line_stays_in_the_first_field() {
        for c in ["a", "长"] {
            let long = c.repeat(limits::FIELD_VALUE + 76);
            let mut e = Embed::new(String::new(), String::new(), 0);
            e.bullets("B", [long.as_str()]);
            assert_eq!(e.fields, vec![field("B", &format!("• {long}"))], "{c}");
        }
    }
}
