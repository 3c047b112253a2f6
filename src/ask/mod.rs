//! Questions in plain words: text → profile, with a report of what was recognised,
//! from which words, what was assumed, and what could not be told. The lexicon is data
//! (`config/lexicon.toml`), compiled once when the knowledge base loads.

use crate::lang::Lang;
use crate::profile::{Field, FieldCode, ProfileInput};
use serde::Serialize;

mod lexicon;
mod products;
pub use lexicon::Lexicon;
pub(crate) use lexicon::{Signal, Target, Tier, Word};
pub use products::ProductHint;

fn glued(b: Option<&u8>) -> bool {
    b.is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
}

fn glued_before(text: &str, at: usize) -> bool {
    glued(at.checked_sub(1).and_then(|i| text.as_bytes().get(i)))
}

fn glued_after(text: &str, at: usize) -> bool {
    glued(text.as_bytes().get(at))
}

/// Latin script matches whole words only: a match that starts (ends) with an ASCII
/// letter or digit must not be glued to another one ("ar" is not in "share").
fn whole_latin(text: &str, start: usize, end: usize) -> bool {
    let b = text.as_bytes();
    let glued_start = b[start].is_ascii_alphanumeric() && glued_before(text, start);
    let glued_end = end > start && b[end - 1].is_ascii_alphanumeric() && glued_after(text, end);
    !glued_start && !glued_end
}

/// A signal found in a question.
#[derive(Debug, Clone, Copy)]
struct Hit {
    signal: usize,
    start: usize,
    end: usize,
    tier: Tier,
}

/// The words behind each (field, code) the question states, as byte spans of the
/// question, in the order found.
type Evidence = Vec<(Field, usize, usize, usize)>;

/// A product named in a question: (start, end, product).
type Named = (usize, usize, usize);

/// What a question said, field by field.
#[derive(Debug, Clone, Serialize)]
pub struct Recognition {
    /// The language the question is written in.
    pub language: &'static str,
    /// Fields told by the question's own words.
    pub recognised: Vec<Recognised>,
    /// Fields borrowed from a product the question names ("a Momo for pet owners").
    pub borrowed: Vec<Borrowed>,
    /// Words whose meaning was negated ("not anonymous").
    pub negated: Vec<String>,
    /// Fields filled with defaults (set once the profile is settled).
    pub assumed: Vec<Field>,
}

/// A field the question's words told, with the words.
#[derive(Debug, Clone, Serialize)]
pub struct Recognised {
    #[serde(flatten)]
    pub value: FieldCode,
    pub words: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Borrowed {
    #[serde(flatten)]
    pub value: FieldCode,
    pub product: String,
}

/// Why a question cannot be assessed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AskError {
    Empty,
    TooLong { len: usize, limit: usize },
    OffTopic,
}

/// The outcome of reading a question: the profile input and the report, or what is wrong.
pub struct Reading {
    pub input: ProfileInput,
    pub lang: Lang,
    pub recognition: Recognition,
}

/// The language a question is written in: Chinese when Han characters carry it.
pub fn detect_lang(text: &str) -> Lang {
    let (mut han, mut latin) = (0, 0);
    for c in text.chars() {
        if c.is_ascii_alphabetic() {
            latin += 1;
        } else if is_han(c) {
            han += 1;
        }
    }
    lang_of(han, latin)
}

/// Chinese when Han characters carry the text (a third of the Latin letters or more).
fn lang_of(han: usize, latin: usize) -> Lang {
    if han > 0 && han * 3 >= latin {
        Lang::Zh
    } else {
        Lang::En
    }
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{f900}'..='\u{faff}')
}

/// How far back (in bytes) a negation cue may stand: an English cue with a few filler
/// words, and a Chinese cue with up to two characters between it and the match.
const NEGATION_REACH: usize = 60;
const CHINESE_REACH: usize = 24;

/// Characters that end a clause: a negation does not reach across them.
fn clause_break(c: char) -> bool {
    matches!(
        c,
        ',' | '.'
            | ';'
            | ':'
            | '!'
            | '?'
            | '，'
            | '。'
            | '；'
            | '：'
            | '！'
            | '？'
            | '、'
            | '\n'
            | '('
            | ')'
            | '（'
            | '）'
    )
}

/// The byte offsets just after each clause break, in one pass over the bytes: every
/// break is ASCII or a three-byte CJK mark, so no character is decoded (a Chinese
/// question is mostly three-byte characters).
fn clause_breaks(text: &str) -> Vec<usize> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len() / 16);
    let mut i = 0;
    while i < b.len() {
        let width = match b[i] {
            c @ 0..=0x7f => {
                if clause_break(char::from(c)) {
                    out.push(i + 1);
                }
                1
            }
            0xc0..=0xdf => 2,
            lead @ 0xe0..=0xef => {
                if matches!(
                    (lead, b.get(i + 1), b.get(i + 2)),
                    (0xef, Some(0xbc), Some(0x8c | 0x9b | 0x9a | 0x81 | 0x9f | 0x88 | 0x89))
                        | (0xe3, Some(0x80), Some(0x81 | 0x82))
                ) {
                    out.push(i + 3);
                }
                3
            }
            _ => 4,
        };
        i += width;
    }
    out
}

/// A clause break that a negation after its word may cross: a topic, then a comment
/// ("real names? nope", "实名认证？我们不做").
const AFTER_REACH: usize = 40;
/// How far back an aiming cue ("for", "面向") or a target cue ("beat", "取代") may stand.
const AIM_REACH: usize = 24;

/// What the words say of one code of one field.
#[derive(Debug, Clone, Copy)]
struct Vote {
    field: Field,
    code: usize,
    tier: Tier,
    count: u32,
    against: u32,
    /// The strongest negated hit: a negated hint does not cancel a statement.
    against_tier: Tier,
    last: usize,
}

impl Vote {
    fn stands(&self) -> bool {
        self.count > 0 && (self.count > self.against || self.against_tier < self.tier)
    }
}

impl Lexicon {
    /// Read a question.
    pub fn read(&self, text: &str) -> Result<Reading, AskError> {
        let (clean, lang) = self.prepare(text)?;
        let clean = clean.trim();
        let breaks = clause_breaks(clean);
        let (mut hits, named) = self.find(clean);
        self.drop_masked(&mut hits);
        self.drop_questions(clean, &breaks, &mut hits);
        self.aim(clean, &breaks, &mut hits);
        let (votes, evidence, negated) = self.vote(clean, &breaks, &hits);
        let mut input = ProfileInput::default();
        let mut recognised = Vec::new();
        for f in Field::ALL {
            if let Some(code) = self.decide(f, &votes) {
                input.set(f, code);
                let mut words: Vec<String> = Vec::new();
                for &(_, _, from, to) in evidence.iter().filter(|(fi, c, _, _)| *fi == f && *c == code) {
                    let w = &clean[from..to];
                    if !words.iter().any(|x| x == w) {
                        words.push(w.to_string());
                    }
                }
                recognised.push(Recognised { value: FieldCode::new(f, code), words });
            }
        }
        let borrowed = self.lend(clean, &breaks, &named, lang, &mut input);
        if recognised.is_empty() && borrowed.is_empty() && !self.topic.is_match(clean) {
            return Err(AskError::OffTopic);
        }
        let recognition = Recognition { language: lang.code(), recognised, borrowed, negated, assumed: Vec::new() };
        Ok(Reading { input, lang, recognition })
    }

    /// Length, control characters, anything to read at all, and the script, in one
    /// pass; control characters become spaces.
    fn prepare<'t>(&self, text: &'t str) -> Result<(std::borrow::Cow<'t, str>, Lang), AskError> {
        let (mut len, mut control, mut readable, mut han, mut latin) = (0, false, false, 0, 0);
        for c in text.chars() {
            len += 1;
            if c.is_ascii_alphabetic() {
                latin += 1;
                readable = true;
            } else if is_han(c) {
                han += 1;
                readable = true;
            } else if c.is_control() {
                control = true;
            } else if !readable && c.is_alphanumeric() {
                readable = true;
            }
        }
        if len > self.max_chars {
            return Err(AskError::TooLong { len, limit: self.max_chars });
        }
        if !readable {
            return Err(AskError::Empty);
        }
        let clean = if control {
            text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().into()
        } else {
            text.into()
        };
        Ok((clean, lang_of(han, latin)))
    }

    /// Every signal hit (words, patterns, and Latin words one typo away), the longest
    /// first where one signal's hits overlap, and every product named.
    fn find(&self, text: &str) -> (Vec<Hit>, Vec<Named>) {
        // A long question holds dozens of hits: grow once, not by doubling from one.
        let mut hits = Vec::with_capacity(64);
        let mut named = Vec::new();
        for m in self.words.find_overlapping_iter(text) {
            for w in &self.word_targets[m.pattern().as_usize()] {
                if w.accepts(text, m.start(), m.end()) {
                    match w.target {
                        Target::Signal(signal) => {
                            hits.push(Hit { signal, start: m.start(), end: m.end(), tier: w.tier })
                        }
                        Target::Product(p) => named.push((m.start(), m.end(), p)),
                    }
                }
            }
        }
        // Patterns are written for lower-case ASCII (see the lexicon loader); folding
        // keeps every byte offset.
        let folded: std::borrow::Cow<str> =
            if text.bytes().any(|b| b.is_ascii_uppercase()) { text.to_ascii_lowercase().into() } else { text.into() };
        for m in self.patterns.find_iter(folded.as_bytes()) {
            if whole_latin(text, m.start(), m.end()) {
                for &(signal, tier) in &self.pattern_signal[m.pattern().as_usize()] {
                    hits.push(Hit { signal, start: m.start(), end: m.end(), tier });
                }
            }
        }
        self.typos_in(text, &mut hits);
        hits.sort_unstable_by_key(|h| (h.signal, h.start, std::cmp::Reverse(h.end)));
        hits.dedup_by(|b, a| a.signal == b.signal && b.start < a.end);
        hits.sort_by_key(|h| h.start);
        (hits, named)
    }

    /// Latin words of six letters or more that are one edit from a lexicon word
    /// ("anonimous", "enterprize") and were not matched as written.
    fn typos_in(&self, text: &str, hits: &mut Vec<Hit>) {
        if self.typos.is_empty() {
            return;
        }
        let bytes = text.as_bytes();
        let mut i = 0;
        let mut token = String::new();
        while i < bytes.len() {
            if !bytes[i].is_ascii_alphabetic() {
                i += 1;
                continue;
            }
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
                i += 1;
            }
            if i - start < 6 || glued_after(text, i) || hits.iter().any(|h| h.start <= start && h.end >= i) {
                continue;
            }
            token.clear();
            token.extend(bytes[start..i].iter().map(|b| b.to_ascii_lowercase() as char));
            if let Some(targets) = self.typo_targets(&token) {
                for &signal in targets {
                    hits.push(Hit { signal, start, end: i, tier: Tier::Word });
                }
            }
        }
    }

    /// The signals of the lexicon word within one edit of `token`, if any.
    fn typo_targets(&self, token: &str) -> Option<&[usize]> {
        let check = |key: &str| {
            self.typos
                .get(key)?
                .iter()
                .map(|&i| &self.typo_words[i as usize])
                .find_map(|(word, signals)| edit_distance_at_most_one(token, word).then_some(signals.as_slice()))
        };
        check(token).or_else(|| {
            let mut key = String::with_capacity(token.len());
            (0..token.len()).find_map(|d| {
                key.clear();
                key.push_str(&token[..d]);
                key.push_str(&token[d + 1..]);
                check(&key)
            })
        })
    }

    /// Hits of a masking signal's patterns claim their span: other fields' hits inside
    /// do not count. And a hit inside a longer hit of the same field gives way to it
    /// ("new friends" is not "friends", 实名匿名 is neither 实名 nor 匿名 alone).
    fn drop_masked(&self, hits: &mut Vec<Hit>) {
        // Hits are in order of start: a hit's containers start at most the longest
        // hit's length before it, so only those few are looked at.
        let longest = hits.iter().map(|h| h.end - h.start).max().unwrap_or(0);
        let contains = |outer: &Hit, inner: &Hit| {
            let (o, i) = (&self.signals[outer.signal], &self.signals[inner.signal]);
            outer.start <= inner.start
                && inner.end <= outer.end
                && outer.end - outer.start > inner.end - inner.start
                && (o.field == i.field || (o.masks && outer.tier == Tier::Word))
        };
        let masked: Vec<bool> = (0..hits.len())
            .map(|i| {
                let h = &hits[i];
                let before = hits[..i].iter().rev().take_while(|o| o.start + longest >= h.start);
                let same_start = hits[i + 1..].iter().take_while(|o| o.start == h.start);
                before.chain(same_start).any(|o| contains(o, h))
            })
            .collect();
        let mut i = 0;
        hits.retain(|_| {
            i += 1;
            !masked[i - 1]
        });
    }

    /// A clause that asks about a field ("should we require real names?") states none.
    fn drop_questions(&self, text: &str, breaks: &[usize], hits: &mut Vec<Hit>) {
        let mut asked: Vec<(usize, usize)> = Vec::new();
        for m in self.question.find_iter(text) {
            let (start, end) = clause(text, breaks, m.start());
            asked.push((start, end));
        }
        if !asked.is_empty() {
            hits.retain(|h| !asked.iter().any(|&(s, e)| s <= h.start && h.end <= e));
        }
    }

    /// The first audience named after an aiming cue ("for teens", "面向企业") is the
    /// audience the question states.
    fn aim(&self, text: &str, breaks: &[usize], hits: &mut [Hit]) {
        let mut previous_end = 0;
        for h in hits.iter_mut() {
            if self.signals[h.signal].field != Field::Audience || h.tier == Tier::Cue {
                continue;
            }
            let (clause_start, _) = clause(text, breaks, h.start);
            // Hits may overlap: the window never starts past this one.
            let from = floor_boundary(
                text,
                h.start.saturating_sub(AIM_REACH).max(clause_start).max(previous_end).min(h.start),
            );
            if self.aim.is_match(&text[from..h.start]) {
                h.tier = Tier::Aimed;
            }
            previous_end = previous_end.max(h.end);
        }
    }

    /// Count every hit for its code, or, negated, against it and for its opposite.
    fn vote(&self, text: &str, breaks: &[usize], hits: &[Hit]) -> (Vec<Vote>, Evidence, Vec<String>) {
        let mut votes: Vec<Vote> = Vec::with_capacity(16);
        let mut evidence = Vec::with_capacity(hits.len());
        let mut negated: Vec<String> = Vec::new();
        let mut cast = |field: Field, code: usize, tier: Tier, at: usize, against: bool| {
            let i = match votes.iter().position(|v| v.field == field && v.code == code) {
                Some(i) => i,
                None => {
                    votes.push(Vote { field, code, tier, count: 0, against: 0, against_tier: Tier::Cue, last: 0 });
                    votes.len() - 1
                }
            };
            let v = &mut votes[i];
            if against {
                v.against_tier = if v.against == 0 { tier } else { v.against_tier.max(tier) };
                v.against += 1;
            } else {
                v.tier = if v.count == 0 { tier } else { v.tier.max(tier) };
                v.count += 1;
                v.last = at;
            }
        };
        for h in hits {
            let s = &self.signals[h.signal];
            match self.negation(text, h, breaks) {
                Some((from, to)) => {
                    cast(s.field, s.code, h.tier, h.start, true);
                    if let Some(alt) = s.negated {
                        cast(s.field, alt, h.tier, h.start, false);
                        evidence.push((s.field, alt, from, to));
                    }
                    let phrase = &text[from..to];
                    if !negated.iter().any(|n| n == phrase) {
                        negated.push(phrase.to_string());
                    }
                }
                None => {
                    cast(s.field, s.code, h.tier, h.start, false);
                    evidence.push((s.field, s.code, h.start, h.end));
                }
            }
        }
        (votes, evidence, negated)
    }

    /// The code the words state for a field: the strongest kind of evidence first,
    /// then how often, then the later one (after "but", the later clause wins).
    /// Codes that combine (real-name and anonymous, both stated → mixed) do so.
    fn decide(&self, field: Field, votes: &[Vote]) -> Option<usize> {
        let valid = |v: &&Vote| v.field == field && v.stands();
        for &(f, a, b, gives) in &self.combine {
            let stated = |code| votes.iter().filter(valid).any(|v| v.code == code && v.tier >= Tier::Word);
            if f == field && stated(a) && stated(b) {
                return Some(gives);
            }
        }
        votes.iter().filter(valid).max_by_key(|v| (v.tier, v.count.saturating_sub(v.against), v.last)).map(|v| v.code)
    }

    /// Where the negation of a hit stands, as the span of the negated phrase: a cue
    /// before it within its clause ("not for strangers", "不是匿名"), or right after it
    /// ("real names? nope", "实名认证？我们不做").
    fn negation(&self, text: &str, h: &Hit, breaks: &[usize]) -> Option<(usize, usize)> {
        let (clause_start, _) = clause(text, breaks, h.start);
        let back = |bytes: usize| floor_boundary(text, h.start.saturating_sub(bytes).max(clause_start));
        let start = back(NEGATION_REACH);
        let window = &text[start..h.start];
        // Each cue list only where its script is present: most windows hold one script.
        if window.bytes().any(|b| b.is_ascii_alphabetic()) {
            if let Some(m) = self.neg_en.find(window) {
                return Some((start + m.start(), h.end));
            }
        }
        let tail_start = back(CHINESE_REACH);
        let tail = &text[tail_start..h.start];
        if !tail.is_ascii() {
            if let Some(m) = self.neg_zh.find(tail) {
                return Some((tail_start + m.start(), h.end));
            }
        }
        // Most hits are followed by plain words: only a break, a space or the first
        // character of a cue or filler can start a negation after them.
        let next = text[h.end..].chars().next()?;
        if !(next.is_whitespace() || self.after_starts.contains(&next)) {
            return None;
        }
        let mut to = (h.end + AFTER_REACH).min(text.len());
        while !text.is_char_boundary(to) {
            to -= 1;
        }
        self.neg_after.find(&text[h.end..to]).map(|m| (h.start, h.end + m.end()))
    }
}

/// The clause around byte `at`: from just after the break before it to the break
/// after it (byte offsets into `text`).
fn clause(text: &str, breaks: &[usize], at: usize) -> (usize, usize) {
    let i = breaks.partition_point(|&b| b <= at);
    let start = if i == 0 { 0 } else { breaks[i - 1] };
    let end = breaks.get(i).copied().unwrap_or(text.len());
    (start, end)
}

/// The nearest char boundary at or after `at`.
fn floor_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

/// Levenshtein distance ≤ 1 between two ASCII words.
fn edit_distance_at_most_one(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let prefix = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    if prefix == long.len() {
        true
    } else if short.len() == long.len() {
        short[prefix + 1..] == long[prefix + 1..]
    } else {
        short[prefix..] == long[prefix + 1..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn by_chars(text: &str) -> Vec<usize> {
        text.char_indices().filter(|(_, c)| clause_break(*c)).map(|(i, c)| i + c.len_utf8()).collect()
    }

    #[test]
    fn clause_breaks_by_bytes_are_the_breaks_by_characters() {
        let text =
            "A chat app, for teams: real names (mostly)! 面向企业，实名。不匿名；问：可以吗？行、（好）\n end. 😀，é,";
        assert_eq!(clause_breaks(text), by_chars(text));
        let all: String =
            (0..0x3100u32).chain(0xfe00..0xff70).chain(0x1f600..0x1f610).filter_map(char::from_u32).collect();
        assert_eq!(clause_breaks(&all), by_chars(&all), "every character to U+30FF, the full-width forms, emoji");
    }
}
