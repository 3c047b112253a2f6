//! Questions in plain words: text → profile, with a report of what was recognised,
//! from which words, what was assumed, and what could not be told. The lexicon is data
//! (`config/lexicon.toml`), compiled once when the knowledge base loads.

use crate::kb::Product;
use crate::lang::Lang;
use crate::profile::{Audience, Field, Host, ProfileInput};
use regex::Regex;
use serde::Serialize;

/// What a signal points to: a match means `code` of `field`.
#[derive(Debug, Clone)]
pub(crate) struct Signal {
    pub(crate) field: Field,
    pub(crate) code: usize,
    /// What a negated match points to instead ("not anonymous" → real-name).
    pub(crate) negated: Option<usize>,
}

/// What one lexicon word stands for.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    Signal(usize),
    Product(usize),
}

/// A word of the lexicon, found by the Aho-Corasick automaton, and how to accept it.
#[derive(Debug, Clone)]
pub(crate) struct Word {
    pub(crate) target: Target,
    /// Latin words must stand whole: no ASCII letter or digit right before / after.
    pub(crate) bounded_start: bool,
    pub(crate) bounded_end: bool,
    /// Names that are also plain English words ("Line", "Soul") must match their case.
    pub(crate) exact: Option<String>,
}

impl Word {
    pub(crate) fn new(target: Target, word: &str, exact: bool) -> Word {
        Word {
            target,
            bounded_start: word.chars().next().is_some_and(|c| c.is_ascii_alphanumeric()),
            bounded_end: word.chars().last().is_some_and(|c| c.is_ascii_alphanumeric()),
            exact: exact.then(|| word.to_string()),
        }
    }

    fn accepts(&self, text: &str, start: usize, end: usize) -> bool {
        let glued = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_');
        let glued_start = self.bounded_start && glued(start.checked_sub(1).and_then(|i| text.as_bytes().get(i)));
        let glued_end = self.bounded_end && glued(text.as_bytes().get(end));
        !glued_start && !glued_end && self.exact.as_deref().is_none_or(|w| &text[start..end] == w)
    }
}

/// The compiled lexicon: every word (and product name) in one Aho-Corasick automaton,
/// every regex pattern in one multi-pattern regex, so a question is read in two passes.
#[derive(Debug, Clone)]
pub struct Lexicon {
    pub max_chars: usize,
    pub(crate) signals: Vec<Signal>,
    pub(crate) words: aho_corasick::AhoCorasick,
    /// By the automaton's pattern id: every target a word stands for.
    pub(crate) word_targets: Vec<Vec<Word>>,
    pub(crate) patterns: regex_automata::meta::Regex,
    /// By the multi-pattern regex's pattern id: the signal it belongs to.
    pub(crate) pattern_signal: Vec<usize>,
    pub(crate) topic: Regex,
    /// An English negation cue ending the text before a match, fillers allowed.
    pub(crate) neg_en: Regex,
    /// A Chinese negation cue a few characters before a match.
    pub(crate) neg_zh: Regex,
}

/// A signal found in a question: (signal, start, end).
type Hit = (usize, usize, usize);
/// A product named in a question: (start, product).
type Named = (usize, usize);

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
    /// Fields filled with defaults.
    pub assumed: Vec<&'static str>,
    /// Required fields that could not be told.
    pub missing: Vec<&'static str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Recognised {
    pub field: &'static str,
    pub code: &'static str,
    pub words: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Borrowed {
    pub field: &'static str,
    pub code: &'static str,
    pub product: String,
}

/// Why a question cannot be assessed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AskError {
    Empty,
    TooLong {
        len: usize,
        limit: usize,
    },
    OffTopic,
    /// Identity or audience (or both) could not be told.
    Missing(Vec<Field>),
}

/// The outcome of reading a question: the profile input and the report, or what is wrong.
pub struct Reading {
    pub input: ProfileInput,
    pub lang: Lang,
    pub recognition: Recognition,
}

/// Fields a named product lends its profile for: what kind of product it is, not its
/// situation (its stance, device, coverage or community are its own).
const BORROWED: [Field; 5] = [Field::Identity, Field::Audience, Field::Role, Field::Scenario, Field::Host];

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

impl Lexicon {
    /// Read a question. `products` are the knowledge base's, in the order the lexicon
    /// was compiled with.
    pub fn read(&self, text: &str, products: &[Product]) -> Result<Reading, AskError> {
        // One pass: length, control characters, anything to read at all, and script.
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
        let clean: std::borrow::Cow<str> = if control {
            text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().into()
        } else {
            text.into()
        };
        let clean = clean.trim();
        let lang = lang_of(han, latin);

        // Scores per field and code: the characters of every match, so a longer, more
        // specific phrase outweighs a short word ("make new friends" over "friends").
        let mut scores = [[0i64; 8]; 9];
        // (field, code, evidence) in the order found.
        let mut evidence: Vec<(usize, usize, std::borrow::Cow<str>)> = Vec::new();
        let mut negated = Vec::new();
        let (hits, mut named) = self.find(clean);
        let breaks: Vec<usize> =
            clean.char_indices().filter(|(_, c)| clause_break(*c)).map(|(i, c)| i + c.len_utf8()).collect();
        for (signal, start, end) in hits {
            let s = &self.signals[signal];
            let found = &clean[start..end];
            let weight = found.chars().count() as i64;
            let field = s.field.index();
            if let Some(cue) = self.negation(clean, start, &breaks) {
                scores[field][s.code] -= weight;
                let phrase = &clean[cue..end];
                if let Some(alt) = s.negated {
                    scores[field][alt] += weight;
                    evidence.push((field, alt, phrase.into()));
                }
                if !negated.iter().any(|n| n == phrase) {
                    negated.push(phrase.to_string());
                }
            } else {
                scores[field][s.code] += weight;
                evidence.push((field, s.code, found.into()));
            }
        }

        let mut input = ProfileInput::default();
        let mut recognised = Vec::new();
        for f in Field::ALL {
            let best = scores[f.index()][..f.codes().len()]
                .iter()
                .enumerate()
                .filter(|(_, s)| **s > 0)
                .max_by_key(|(i, s)| (**s, -(*i as i64)));
            if let Some((code, _)) = best {
                input.set(f, code);
                let mut words: Vec<String> = Vec::new();
                for (_, _, w) in evidence.iter().filter(|(fi, c, _)| *fi == f.index() && *c == code) {
                    if !words.iter().any(|x| x == w) {
                        words.push(w.to_string());
                    }
                }
                recognised.push(Recognised { field: f.name(), code: f.codes()[code], words });
            }
        }

        // Product names lend what the words did not tell.
        let mut borrowed = Vec::new();
        named.sort_unstable();
        named.dedup_by_key(|(_, p)| *p);
        named.sort_by_key(|(start, _)| *start);
        for (_, p) in named {
            let product = &products[p];
            for f in BORROWED {
                // Fields the product's entry leaves to defaults are recomputed, not lent.
                if !input.is_set(f) && !product.assumed.contains(f) {
                    let code = product.profile.index(f);
                    input.set(f, code);
                    borrowed.push(Borrowed {
                        field: f.name(),
                        code: f.codes()[code],
                        product: product.name.get(lang).to_string(),
                    });
                }
            }
        }

        // Chat inside a tool or a content platform is decided by its host whatever the
        // audience (step 1 of the procedure): when the words do not say, the audience is
        // the host's counterparties (a tool's customers; a platform's strangers, as in
        // the article's Douyin case), reported as assumed rather than asked for.
        let mut inferred = Vec::new();
        if !input.is_set(Field::Audience) {
            let audience = match input.get(Field::Host).map(|i| Host::ALL[i]) {
                Some(Host::Tool) => Some(Audience::Customers),
                Some(Host::Media) => Some(Audience::Strangers),
                _ => None,
            };
            if let Some(a) = audience {
                input.set(Field::Audience, a.index());
                inferred.push(Field::Audience.name());
            }
        }
        let missing: Vec<Field> = Field::ALL.into_iter().filter(|f| f.required() && !input.is_set(*f)).collect();
        if !missing.is_empty() {
            if recognised.is_empty() && borrowed.is_empty() && !self.topic.is_match(clean) {
                return Err(AskError::OffTopic);
            }
            return Err(AskError::Missing(missing));
        }
        let assumed = match input.complete() {
            Ok((_, assumed)) => assumed,
            Err(missing) => return Err(AskError::Missing(missing)),
        };
        let recognition = Recognition {
            language: lang.code(),
            recognised,
            borrowed,
            negated,
            assumed: inferred.into_iter().chain(assumed.iter().map(Field::name)).collect(),
            missing: Vec::new(),
        };
        Ok(Reading { input, lang, recognition })
    }

    /// Every signal hit as (signal, start, end), the longest first where one signal's
    /// hits overlap, and every product named as (start, product).
    fn find(&self, text: &str) -> (Vec<Hit>, Vec<Named>) {
        let mut hits = Vec::new();
        let mut named = Vec::new();
        for m in self.words.find_overlapping_iter(text) {
            for w in &self.word_targets[m.pattern().as_usize()] {
                if w.accepts(text, m.start(), m.end()) {
                    match w.target {
                        Target::Signal(s) => hits.push((s, m.start(), m.end())),
                        Target::Product(p) => named.push((m.start(), p)),
                    }
                }
            }
        }
        for m in self.patterns.find_iter(text) {
            hits.push((self.pattern_signal[m.pattern().as_usize()], m.start(), m.end()));
        }
        hits.sort_unstable_by_key(|&(s, start, end)| (s, start, std::cmp::Reverse(end)));
        let mut kept: Vec<Hit> = Vec::with_capacity(hits.len());
        for h in hits {
            match kept.last() {
                Some(&(s, _, end)) if s == h.0 && h.1 < end => {}
                _ => kept.push(h),
            }
        }
        kept.sort_by_key(|&(_, start, _)| start);
        (kept, named)
    }

    /// Where the negation cue starts, when the match at byte `at` of `text` is negated
    /// within its clause. `breaks` are the byte offsets just after each clause break.
    fn negation(&self, text: &str, at: usize, breaks: &[usize]) -> Option<usize> {
        let clause_start = match breaks.partition_point(|&b| b <= at) {
            0 => 0,
            i => breaks[i - 1],
        };
        // Only the last few dozen bytes matter: an English cue and its fillers, or a
        // Chinese cue a few characters back.
        let back = |bytes: usize| {
            let mut from = at.saturating_sub(bytes).max(clause_start);
            while !text.is_char_boundary(from) {
                from += 1;
            }
            from
        };
        let start = back(NEGATION_REACH);
        let window = &text[start..at];
        // Each cue list only where its script is present: most windows hold one script.
        if window.bytes().any(|b| b.is_ascii_alphabetic()) {
            if let Some(m) = self.neg_en.find(window) {
                return Some(start + m.start());
            }
        }
        let tail_start = back(CHINESE_REACH);
        let tail = &text[tail_start..at];
        if tail.is_ascii() {
            return None;
        }
        self.neg_zh.find(tail).map(|m| tail_start + m.start())
    }
}
