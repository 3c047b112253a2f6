//! The conversation around a verdict: menus to change one field and re-assess, a
//! "what would change it?" button, and, when a question lacks a field the decision
//! needs, a menu of that field's codes.
//!
//! All state lives in the `custom_id` (at most 100 characters), so any instance of the
//! stateless HTTP endpoint answers a click:
//!
//! ```text
//! im1.<kb tag>.<action>.<profile>.<owner>
//! im1.3fa2c1.c.05-------.80351110224678912
//! ```
//!
//! `im1` is the format's version; the knowledge base's tag refuses a component made
//! under another knowledge base as stale; the action is `c` (the identity/audience
//! menu), `o` (the other fields' menu), `n` (the menu of a needed field), `w` (the
//! what-if button) or `m` (the map button); the profile is one character per field in [`Field::ALL`] order, a
//! code's index or `-` when not stated; the owner is the user who asked, who refines
//! the message in place while anyone else gets an ephemeral copy of their own.
//! The "Map" button (`m`) answers with the positioning map marking the profile, as a
//! new message: public for the owner, ephemeral for anyone else.

use super::json::string;
use super::wire::{Button, Callback, CustomId, Message, Row, Select, SelectOption};
use super::{content, Answer};
use crate::answer::{self, Reply, UserError};
use crate::kb::{Kb, Msg};
use crate::lang::{fill, Lang, Text};
use crate::metrics::Outcome;
use crate::profile::{Field, ProfileInput};
use crate::render;
use crate::verdict::Report;
use std::borrow::Cow;

const PREFIX: &str = "im1";
/// Discord's limits (reference section 8).
pub const CUSTOM_ID_MAX: usize = 100;
pub const OPTIONS_MAX: usize = 25;
pub const LABEL_MAX: usize = 100;

/// The action part of a `custom_id` asking for field N.
const NEED: [&str; Field::COUNT] = ["n0", "n1", "n2", "n3", "n4", "n5", "n6", "n7", "n8"];

/// What a component does when clicked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// A menu of single-field changes (identity and audience, or the other fields).
    Change { core: bool },
    /// The menu of one field the decision needs.
    Need(Field),
    /// List every change that would move the verdict.
    WhatIf,
    /// Draw the positioning map with this profile marked.
    Map,
}

/// A component's state, as its `custom_id` carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct State {
    pub action: Action,
    pub input: ProfileInput,
    pub owner: u64,
}

/// Why a `custom_id` cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClickError {
    /// Not one imlaws made, or damaged.
    Malformed,
    /// Made under another knowledge base (or an older format).
    Stale,
    /// A menu value outside the codes.
    BadChoice,
}

impl State {
    pub fn encode(&self, tag: &str) -> CustomId {
        let [id] = State::encode_each(tag, self.input, self.owner, [self.action]);
        id
    }

    /// The custom ids of one profile and owner under each of `actions` (the rows under
    /// a verdict): what they share is worked out once.
    pub fn encode_each<const N: usize>(
        tag: &str,
        input: ProfileInput,
        owner: u64,
        actions: [Action; N],
    ) -> [CustomId; N] {
        let profile = Field::ALL.map(|f| match input.get(f) {
            Some(i) if i < 10 => b'0' + i as u8,
            _ => b'-',
        });
        let profile = std::str::from_utf8(&profile).unwrap_or_default();
        let mut digits = [0; 20];
        let owner = super::json::decimal(owner, &mut digits);
        // At most 3 + 1 + 6 + 1 + 2 + 1 + 9 + 1 + 20 = 44 bytes with the knowledge
        // base's six-digit tag. A tag long enough to pass Discord's 100 (only a
        // knowledge base made in code has one) cuts the id short instead of panicking:
        // such an id decodes to nothing, and ids cut alike may even coincide, which
        // Discord refuses; an id over 100 was never sendable either.
        actions.map(|action| {
            let mut id = CustomId::new();
            let action = match action {
                Action::Change { core: true } => "c",
                Action::Change { core: false } => "o",
                Action::Need(f) => NEED[f.index()],
                Action::WhatIf => "w",
                Action::Map => "m",
            };
            for part in [PREFIX, ".", tag, ".", action, ".", profile, ".", owner] {
                if id.try_push_str(part).is_err() {
                    break;
                }
            }
            id
        })
    }

    /// Read a `custom_id`; never panics, whatever the string.
    pub fn decode(custom_id: &str, tag: &str) -> Result<State, ClickError> {
        let mut parts = custom_id.split('.');
        let prefix = parts.next().unwrap_or("");
        if prefix != PREFIX {
            // Another version of this format is stale; anything else is not ours.
            let versioned =
                prefix.strip_prefix("im").is_some_and(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()));
            return Err(if versioned { ClickError::Stale } else { ClickError::Malformed });
        }
        let (Some(kb), Some(action), Some(profile), Some(owner), None) =
            (parts.next(), parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(ClickError::Malformed);
        };
        if kb != tag {
            return Err(ClickError::Stale);
        }
        let action = match action.as_bytes() {
            [b'c'] => Action::Change { core: true },
            [b'o'] => Action::Change { core: false },
            [b'w'] => Action::WhatIf,
            [b'm'] => Action::Map,
            [b'n', d] => Action::Need(*Field::ALL.get(usize::from(d.wrapping_sub(b'0'))).ok_or(ClickError::Malformed)?),
            _ => return Err(ClickError::Malformed),
        };
        if profile.len() != Field::ALL.len() {
            return Err(ClickError::Malformed);
        }
        let mut input = ProfileInput::default();
        for (&f, c) in Field::ALL.iter().zip(profile.bytes()) {
            if c == b'-' {
                continue;
            }
            let i = usize::from(c.wrapping_sub(b'0'));
            if i >= f.codes().len() {
                return Err(ClickError::Malformed);
            }
            input.set(f, i);
        }
        let owner = owner.parse::<u64>().map_err(|_| ClickError::Malformed)?;
        Ok(State { action, input, owner })
    }
}

fn parse_choice(value: &str) -> Option<(Field, usize)> {
    let (f, c) = value.split_once(':')?;
    let f = *Field::ALL.get(f.parse::<usize>().ok()?)?;
    let c = c.parse::<usize>().ok().filter(|&c| c < f.codes().len())?;
    Some((f, c))
}

/// A component's text cut to Discord's 100 characters (borrowed when it fits).
fn label(text: &str) -> Cow<'_, str> {
    let mut text = Cow::Borrowed(text);
    render::truncate_cow(&mut text, LABEL_MAX);
    text
}

/// Every menu option as JSON, made once per knowledge base (at the first menu): by
/// field and code, in both languages, the option's head, `{"label":"…","value":"f:c"`
/// (a menu value is "field index:code index"), and the tail that closes it under an
/// assumed field, `,"description":"now assumed: …"}`. Texts are cut to Discord's 100
/// characters first. A menu then copies two texts an option.
struct OptionJson {
    heads: Vec<Vec<Text>>,
    assumed_tails: Vec<Vec<Text>>,
}

impl OptionJson {
    fn make(kb: &Kb) -> OptionJson {
        OptionJson {
            heads: per_code(|out, f, code, lang| {
                out.extend_from_slice(br#"{"label":"#);
                string(out, &label(kb.choice_label(f, code, lang)));
                out.extend_from_slice(format!(r#","value":"{}:{code}""#, f.index()).as_bytes());
            }),
            assumed_tails: per_code(|out, f, now, lang| {
                out.extend_from_slice(br#","description":"#);
                string(out, &label(kb.assumed_note(f, now, lang)));
                out.push(b'}');
            }),
        }
    }

    fn of(kb: &Kb) -> &OptionJson {
        kb.derived.get_or_init(|| OptionJson::make(kb)).expect("the knowledge base derives only the menus' options")
    }

    /// Code `code` of field `f` as a menu option; under an assumed field, with a note
    /// of what it is now (`assumed_now`).
    fn option(&self, lang: Lang, f: Field, code: usize, assumed_now: Option<usize>) -> SelectOption<'_> {
        SelectOption::new(
            self.heads[f.index()][code].get(lang),
            assumed_now.map_or("}", |now| self.assumed_tails[f.index()][now].get(lang)),
        )
    }
}

/// A text for every field and code, in both languages, as `write` writes it.
fn per_code(write: impl Fn(&mut Vec<u8>, Field, usize, Lang)) -> Vec<Vec<Text>> {
    let text = |f, code, lang| {
        let mut out = Vec::with_capacity(128);
        write(&mut out, f, code, lang);
        String::from_utf8(out).expect("JSON written from text is text")
    };
    let both = |f, code| Text { en: text(f, code, Lang::En), zh: text(f, code, Lang::Zh) };
    Field::ALL.iter().map(|&f| (0..f.codes().len()).map(|code| both(f, code)).collect()).collect()
}

/// The components under a verdict: a menu for identity and audience, one for the
/// other fields (assumed ones first), and the what-if and map buttons.
pub fn verdict_rows<'k>(kb: &'k Kb, lang: Lang, report: &Report, owner: u64) -> Vec<Row<'k>> {
    let input = crate::rules::stated(&crate::rules::Settled {
        profile: report.profile.values,
        assumed: report.assumed,
        unknown: report.profile.unknown,
    });
    let current = |f: Field| (!report.profile.unknown.contains(f)).then(|| report.profile.values.index(f));
    let json = OptionJson::of(kb);
    let options = |fields: &[Field]| -> Vec<SelectOption<'k>> {
        let mut out = Vec::with_capacity(OPTIONS_MAX);
        for &f in fields {
            let now = current(f);
            let note = now.filter(|_| report.assumed.contains(f));
            out.extend((0..f.codes().len()).filter(|&c| Some(c) != now).map(|code| json.option(lang, f, code, note)));
        }
        out.truncate(OPTIONS_MAX);
        out
    };
    let core = [Field::Identity, Field::Audience];
    // The other fields after the core ones, assumed first (a stable sort keeps the
    // table's order otherwise).
    let mut fields = Field::ALL;
    fields.sort_by_key(|f| (!core.contains(f), !report.assumed.contains(*f)));
    let others = &fields[core.len()..];
    let [change_core, change_other, what_if, map] = State::encode_each(
        &kb.tag,
        input,
        owner,
        [Action::Change { core: true }, Action::Change { core: false }, Action::WhatIf, Action::Map],
    );
    let menu = |custom_id, placeholder: Msg, options: Vec<SelectOption<'k>>| {
        Row::Select(Select { custom_id, placeholder: label(kb.msg(placeholder, lang)), options })
    };
    let button = |custom_id, text: Msg| Button { custom_id, label: label(kb.msg(text, lang)) };
    vec![
        menu(change_core, Msg::ComponentChangeCore, options(&core)),
        menu(change_other, Msg::ComponentChangeOther, options(others)),
        Row::Buttons(vec![button(what_if, Msg::ComponentWhatIf), button(map, Msg::ComponentMap)]),
    ]
}

/// The components under an answer: a verdict's, or none.
pub fn rows<'k>(kb: &'k Kb, lang: Lang, reply: &Reply, owner: u64) -> Vec<Row<'k>> {
    match reply {
        Reply::Assess(r) | Reply::Ask(r, _) | Reply::Product(_, r) => verdict_rows(kb, lang, r, owner),
        Reply::Rule(..) | Reply::Help(..) | Reply::Map(_) => Vec::new(),
    }
}

/// The components under an error: a menu of the field the decision needs, or none.
pub fn error_rows<'k>(kb: &'k Kb, e: &UserError, owner: u64) -> Vec<Row<'k>> {
    match e {
        UserError::Needs { input, needed, lang } => need_rows(kb, *lang, *input, needed, owner),
        _ => Vec::new(),
    }
}

/// A menu of the first field the decision needs, to answer the question with it.
pub fn need_rows<'k>(kb: &'k Kb, lang: Lang, input: ProfileInput, needed: &[Field], owner: u64) -> Vec<Row<'k>> {
    let Some(&f) = needed.first() else { return Vec::new() };
    let json = OptionJson::of(kb);
    let options = (0..f.codes().len()).map(|c| json.option(lang, f, c, None)).collect();
    let placeholder = fill(kb.msg(Msg::ComponentChoose, lang), &[("field", kb.field_label(f, lang))]);
    vec![Row::Select(Select {
        custom_id: State { action: Action::Need(f), input, owner }.encode(&kb.tag),
        placeholder: Cow::Owned(label(&placeholder).into_owned()),
        options,
    })]
}

/// An answer as a message: the embed and its components, public; or the error text
/// (with a menu when the error is a field the decision needs), only for the asker.
/// A map's picture is not in it: [`super::answer_message`] keeps it apart.
pub fn message_data<'k>(kb: &'k Kb, reply: Result<Reply, UserError>, lang: Lang, owner: u64) -> Message<'k> {
    match reply {
        Ok(Reply::Map(m)) => super::map_message(render::map(kb, m.marker.as_ref(), m.lang), false),
        Ok(reply) => Message {
            embed: Some(reply.embed(kb)),
            components: Some(rows(kb, lang, &reply, owner)),
            ..Message::default()
        },
        Err(e) => Message {
            content: Some(content(&e.message(kb, lang))),
            components: Some(error_rows(kb, &e, owner)),
            ephemeral: true,
            ..Message::default()
        },
    }
}

fn refused(kb: &Kb, lang: Lang, e: ClickError) -> Answer<'_> {
    let msg = match e {
        ClickError::Malformed => Msg::ErrorBadComponent,
        ClickError::Stale => Msg::ErrorStaleComponent,
        ClickError::BadChoice => Msg::ErrorBadChoice,
    };
    Answer::Body(super::ephemeral(kb.msg(msg, lang)))
}

/// A click by `clicker` on the component `custom_id` (with a string select menu's
/// chosen `values`). The asker's message is updated in place; anyone else gets an
/// ephemeral copy of their own to explore. What became of it goes to the metrics.
pub fn click<'k>(
    kb: &'k Kb,
    lang: Lang,
    clicker: u64,
    custom_id: &str,
    values: Option<&[Cow<'_, str>]>,
) -> (Answer<'k>, Outcome) {
    let state = match State::decode(custom_id, &kb.tag) {
        Ok(state) => state,
        Err(e) => return (refused(kb, lang, e), Outcome::Refused),
    };
    let mut input = state.input;
    if let Action::Change { .. } | Action::Need(_) = state.action {
        let Some(values) = values else {
            return (refused(kb, lang, ClickError::Malformed), Outcome::Refused);
        };
        let Some((f, code)) = values.first().and_then(|v| parse_choice(v)) else {
            return (refused(kb, lang, ClickError::BadChoice), Outcome::Refused);
        };
        if matches!(state.action, Action::Need(need) if need != f) {
            return (refused(kb, lang, ClickError::BadChoice), Outcome::Refused);
        }
        input.set(f, code);
    }
    if state.action == Action::Map {
        return match answer::map_of(kb, &input, lang) {
            Ok(Reply::Map(m)) => (
                Answer::Map {
                    embed: render::map(kb, m.marker.as_ref(), m.lang),
                    png: m.png,
                    ephemeral: clicker != state.owner,
                },
                Outcome::Answered,
            ),
            Ok(_) => (refused(kb, lang, ClickError::Malformed), Outcome::Refused),
            Err(e) => (Answer::Body(super::ephemeral(&e.message(kb, lang))), Outcome::UserError),
        };
    }
    let mut reply = answer::refine(kb, &input, lang);
    if state.action == Action::WhatIf {
        return match reply {
            Ok(Reply::Assess(mut r)) => {
                r.what_if_shown = usize::MAX;
                let message = Message { embed: Some(render::what_if(kb, &r)), ephemeral: true, ..Message::default() };
                (Answer::Body(Callback::Message(message)), Outcome::Answered)
            }
            Ok(_) => (refused(kb, lang, ClickError::Malformed), Outcome::Refused),
            Err(e) => (Answer::Body(super::ephemeral(&e.message(kb, lang))), Outcome::UserError),
        };
    }
    if let Ok(Reply::Assess(r)) = &mut reply {
        r.what_if_shown = 3;
    }
    let outcome = if reply.is_ok() { Outcome::Answered } else { Outcome::UserError };
    let mut data = message_data(kb, reply, lang, clicker);
    let response = if clicker == state.owner {
        // An update keeps the message as it was shown: public.
        data.ephemeral = false;
        Callback::Update(data)
    } else {
        data.ephemeral = true;
        Callback::Message(data)
    };
    (Answer::Body(response), outcome)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_ids_round_trip_within_100_characters() {
        let mut input = ProfileInput::default();
        input.set_code(Field::Audience, "strangers");
        input.set_code(Field::Community, "unbacked");
        for action in [Action::Change { core: true }, Action::Change { core: false }, Action::WhatIf, Action::Map]
            .into_iter()
            .chain(Field::ALL.map(Action::Need))
        {
            let s = State { action, input, owner: u64::MAX };
            let id = s.encode("a1b2c3");
            assert!(id.len() <= CUSTOM_ID_MAX, "{id}");
            assert_eq!(State::decode(&id, "a1b2c3"), Ok(s));
            assert_eq!(State::decode(&id, "ffffff"), Err(ClickError::Stale));
        }
    }

    /// A tag too long for Discord's 100 characters (only a knowledge base made in code
    /// has one) cuts the id short: no panic, and the id decodes to nothing.
    #[test]
    fn an_overlong_tag_cuts_the_id_and_its_clicks_are_refused() {
        for len in [90, 94, 100, 300] {
            let tag = "a".repeat(len);
            let s = State { action: Action::Map, input: ProfileInput::default(), owner: u64::MAX };
            let id = s.encode(&tag);
            assert!(id.len() <= CUSTOM_ID_MAX, "{len}: {id}");
            assert!(State::decode(&id, &tag).is_err(), "{len}: {id}");
        }
    }

    #[test]
    fn bad_custom_ids_are_refused() {
        for id in [
            "",
            "x",
            "im1",
            "im1.a1b2c3.c.---------",
            "im1.a1b2c3.c.9--------.1",
            "im1.a1b2c3.z.---------.1",
            "im1.a1b2c3.mm.---------.1",
            "im1.a1b2c3.c.--------.1",
            "im1.a1b2c3.c.---------.-1",
            "im1.a1b2c3.n9.---------.1",
            "hello.a.b.c.d",
        ] {
            assert!(State::decode(id, "a1b2c3").is_err(), "{id}");
        }
        assert_eq!(State::decode("im0.a1b2c3.c.---------.1", "a1b2c3"), Err(ClickError::Stale));
        assert_eq!(parse_choice("1:8"), None);
        assert_eq!(parse_choice("9:0"), None);
        assert_eq!(parse_choice("1:7"), Some((Field::Audience, 7)));
    }
}
