//! The compiled lexicon: what `config/lexicon.toml` becomes when the knowledge base
//! loads (`kb` compiles it; the reader in this folder reads with it).

use super::products::ProductHint;
use super::{glued_after, glued_before};
use crate::profile::Field;
use regex::Regex;

/// What a signal points to: a match means `code` of `field`.
#[derive(Debug, Clone)]
pub(crate) struct Signal {
    pub(crate) field: Field,
    pub(crate) code: usize,
    /// What a negated match points to instead ("not anonymous" → real-name).
    pub(crate) negated: Option<usize>,
    /// Its pattern matches claim their words: hits of other fields inside them do not
    /// count ("only customers of one bank can register" says nothing of the audience).
    pub(crate) masks: bool,
}

/// How much a hit says of its field: an incidental cue ("community"), a word that
/// states the code ("subculture", "LGBT"), or a statement aimed at it ("for teens").
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Tier {
    Cue = 1,
    Word = 2,
    Aimed = 3,
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
    pub(crate) tier: Tier,
    /// Latin words must stand whole: no ASCII letter or digit right before / after.
    pub(crate) bounded_start: bool,
    pub(crate) bounded_end: bool,
    /// Names that are also plain English words ("Line", "Soul") must match their case.
    pub(crate) exact: Option<String>,
}

impl Word {
    pub(crate) fn new(target: Target, tier: Tier, word: &str, exact: bool) -> Word {
        Word {
            target,
            tier,
            bounded_start: word.chars().next().is_some_and(|c| c.is_ascii_alphanumeric()),
            bounded_end: word.chars().last().is_some_and(|c| c.is_ascii_alphanumeric()),
            exact: exact.then(|| word.to_string()),
        }
    }

    pub(super) fn accepts(&self, text: &str, start: usize, end: usize) -> bool {
        let found = &text[start..end];
        let glued_start = self.bounded_start && glued_before(text, start);
        let glued_end = self.bounded_end && glued_after(text, end);
        !glued_start && !glued_end && self.exact.as_deref().is_none_or(|w| found == w)
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
    /// By the multi-pattern regex's pattern id: the signals it belongs to (one pattern
    /// may state two fields), and its tier.
    pub(crate) pattern_signal: Vec<Vec<(usize, Tier)>>,
    pub(crate) topic: Regex,
    /// An English negation cue ending the text before a match, fillers allowed.
    pub(crate) neg_en: Regex,
    /// A Chinese negation cue a few characters before a match.
    pub(crate) neg_zh: Regex,
    /// A negation right after a match ("real names? nope", "实名认证？我们不做").
    pub(crate) neg_after: Regex,
    /// The characters a negation after a match can start with (besides white space).
    pub(crate) after_starts: Vec<char>,
    /// A cue that aims what follows at an audience ("for", "面向").
    pub(crate) aim: Regex,
    /// A clause that asks about a field rather than states it ("should we require…").
    pub(crate) question: Regex,
    /// A cue before a product that makes it a target ("beat", "取代"), not a model.
    pub(crate) target_before: Regex,
    /// A cue after a product that makes it a target ("killer", "杀手").
    pub(crate) target_after: Regex,
    /// Fields a target lends (the ground it holds), where a model lends its profile.
    pub(crate) target_lends: Vec<Field>,
    /// Codes of one field that, stated together, mean another (real-name + anonymous
    /// → mixed): (field, a, b, gives).
    pub(crate) combine: Vec<(Field, usize, usize, usize)>,
    /// Latin words of six letters or more (multi-word ones joined: "realname"), with
    /// the signals each stands for, for one-edit typo tolerance…
    pub(crate) typo_words: Vec<(String, Vec<usize>)>,
    /// …found by the word and by every form one deletion away from it.
    pub(crate) typos: std::collections::HashMap<String, Vec<u32>>,
    /// The products a question may name, by their `Target::Product` index.
    pub(crate) products: Vec<ProductHint>,
}
