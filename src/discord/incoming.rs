//! What an interaction asks, whichever transport brought it: the few fields imlaws
//! reads, borrowed from the request. The HTTP endpoint reads them straight from the
//! signed body ([`Incoming::parse`]), skipping the rest; the gateway bot takes them from
//! serenity's model ([`Incoming::from_serenity`]). A test checks that both read every
//! sample interaction alike.

use super::json::{plain_string, Reader, Syntax};
use crate::lang::Lang;
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use serenity::all::{CommandDataOptionValue, ComponentInteractionDataKind, Interaction};
use std::borrow::Cow;
use std::fmt;

/// An interaction, as imlaws reads it.
#[derive(Debug, Clone, PartialEq)]
pub struct Incoming<'a> {
    pub kind: Kind<'a>,
    /// The user's client language.
    pub lang: Lang,
    /// Who clicked or asked (0 for a `PING`).
    pub user: u64,
    /// The interaction's token, to follow up on it (empty when absent).
    pub token: Cow<'a, str>,
}

/// What was asked.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind<'a> {
    Ping,
    /// A slash command and its options, values as text.
    Command {
        name: Cow<'a, str>,
        options: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    },
    /// Suggestions for the focused option of a command being typed.
    Autocomplete {
        name: Cow<'a, str>,
        focused: Option<(Cow<'a, str>, Cow<'a, str>)>,
    },
    /// A click on a component: its `custom_id`, and the chosen values of a string select
    /// menu (`None` for any other component).
    Component {
        custom_id: Cow<'a, str>,
        values: Option<Vec<Cow<'a, str>>>,
    },
    /// A modal's submission: imlaws opens none.
    Modal,
}

/// Why a body is not an interaction imlaws can read.
#[derive(Debug, thiserror::Error)]
pub enum NotAnInteraction {
    #[error("body is not JSON: {0}")]
    NotJson(#[from] Syntax),
    #[error("body is not a JSON object")]
    NotAnObject,
    #[error("not a Discord interaction: {0}")]
    Model(String),
}

impl<'a> Incoming<'a> {
    /// Read an interaction as Discord sends it over HTTP. Only `type` is required of
    /// every interaction; a command needs `data.name`, a component `data.custom_id`, and
    /// both the user (`member.user` in a server, `user` in a DM). The body is read once:
    /// the members imlaws uses are kept as written and decoded, the rest only checked.
    pub fn parse(body: &'a [u8]) -> Result<Incoming<'a>, NotAnInteraction> {
        let mut reader = Reader::new(body);
        if reader.peek() != Some(b'{') {
            reader.skip(0)?;
            reader.finish()?;
            return Err(NotAnInteraction::NotAnObject);
        }
        let mut raw = Raw::default();
        reader.object(0, |r, key, depth| match key {
            b"type" => set(&mut raw.kind, r.raw(depth)?),
            b"token" => set(&mut raw.token, r.raw(depth)?),
            b"locale" => set(&mut raw.locale, r.raw(depth)?),
            b"user" => user_id(r, depth, &mut raw.user),
            b"member" => members(r, depth, |r, key, depth| match key {
                b"user" => user_id(r, depth, &mut raw.member_user),
                _ => r.skip(depth),
            }),
            b"data" => data(r, depth, &mut raw.data),
            _ => r.skip(depth),
        })?;
        reader.finish()?;
        let missing = |what: &str| NotAnInteraction::Model(format!("missing {what}"));
        let kind = raw.kind.ok_or_else(|| missing("type"))?;
        // Plain digits need no decoder; anything else goes to `serde_json`, whose
        // refusals say what is wrong.
        let kind: u8 = match std::str::from_utf8(kind).ok().and_then(|k| k.parse().ok()) {
            Some(kind) => kind,
            None => decode(kind)?,
        };
        let user = match raw.member_user.or(raw.user) {
            Some(id) => match plain_string(id).and_then(|id| id.parse().ok()) {
                Some(id) => Some(id),
                None => Some(decode::<Snowflake>(id)?.0),
            },
            None => None,
        };
        let lang = match raw.locale {
            Some(locale) => text(locale)?.map_or(Lang::En, |l| Lang::from_locale(&l)),
            None => Lang::En,
        };
        let data = raw.data;
        let required =
            |raw: Option<&'a [u8]>, what: &str| text(raw.ok_or_else(|| missing(what))?)?.ok_or_else(|| missing(what));
        let option = |o: &RawOption<'a>| -> Result<(Cow<'a, str>, Cow<'a, str>), NotAnInteraction> {
            let value = match o.value {
                Some(value) => text(value)?.unwrap_or_default(),
                None => Cow::Borrowed(""),
            };
            Ok((required(o.name, "an option's name")?, value))
        };
        let kind = match kind {
            1 => Kind::Ping,
            2 => Kind::Command {
                name: required(data.name, "data.name")?,
                options: data.options.iter().map(option).collect::<Result<_, _>>()?,
            },
            3 => Kind::Component {
                custom_id: required(data.custom_id, "data.custom_id")?,
                values: match data.component_type.map(decode::<u8>).transpose()? {
                    Some(3) => {
                        Some(data.values.into_iter().map(|v| required(Some(v), "a value")).collect::<Result<_, _>>()?)
                    }
                    _ => None,
                },
            },
            4 => {
                let mut focused = None;
                for o in &data.options {
                    if o.focused.map(decode::<bool>).transpose()?.unwrap_or(false) {
                        focused = Some(option(o)?);
                        break;
                    }
                }
                Kind::Autocomplete { name: required(data.name, "data.name")?, focused }
            }
            5 => Kind::Modal,
            other => return Err(NotAnInteraction::Model(format!("unknown interaction type {other}"))),
        };
        let user = match (&kind, user) {
            (Kind::Command { .. } | Kind::Component { .. }, None) => return Err(missing("member.user or user")),
            (_, user) => user.unwrap_or(0),
        };
        let token = match raw.token {
            Some(token) => text(token)?.unwrap_or_default(),
            None => Cow::Borrowed(""),
        };
        Ok(Incoming { kind, lang, user, token })
    }

    /// What serenity's model of a gateway interaction asks. `None` for a kind imlaws does
    /// not answer (a `PING` never comes over the gateway).
    pub fn from_serenity(interaction: &'a Interaction) -> Option<Incoming<'a>> {
        let (kind, locale, user, token) = match interaction {
            Interaction::Command(c) => {
                let options =
                    c.data.options.iter().map(|o| (Cow::Borrowed(o.name.as_str()), option_text(&o.value))).collect();
                (Kind::Command { name: Cow::Borrowed(&c.data.name), options }, &c.locale, c.user.id.get(), &c.token)
            }
            Interaction::Autocomplete(c) => {
                let focused = c.data.autocomplete().map(|o| (Cow::Borrowed(o.name), Cow::Borrowed(o.value)));
                (
                    Kind::Autocomplete { name: Cow::Borrowed(&c.data.name), focused },
                    &c.locale,
                    c.user.id.get(),
                    &c.token,
                )
            }
            Interaction::Component(c) => {
                let values = match &c.data.kind {
                    ComponentInteractionDataKind::StringSelect { values } => {
                        Some(values.iter().map(|v| Cow::Borrowed(v.as_str())).collect())
                    }
                    _ => None,
                };
                let custom_id = Cow::Borrowed(c.data.custom_id.as_str());
                (Kind::Component { custom_id, values }, &c.locale, c.user.id.get(), &c.token)
            }
            Interaction::Modal(m) => (Kind::Modal, &m.locale, m.user.id.get(), &m.token),
            _ => return None,
        };
        Some(Incoming { kind, lang: Lang::from_locale(locale), user, token: Cow::Borrowed(token) })
    }
}

impl Incoming<'_> {
    /// What it was, for the metrics: a command of the table by its name (so a label
    /// never holds what a user typed), or the kind of interaction.
    pub fn label(&self) -> &'static str {
        match &self.kind {
            Kind::Ping => "ping",
            Kind::Command { name, .. } => crate::command::Commands::builtin().get(name).map_or("other", |c| c.name),
            Kind::Autocomplete { .. } => "autocomplete",
            Kind::Component { .. } => "component",
            Kind::Modal => "modal",
        }
    }
}

/// An option's value as text, as a command line would carry it.
fn option_text(v: &CommandDataOptionValue) -> Cow<'_, str> {
    match v {
        CommandDataOptionValue::String(s) => Cow::Borrowed(s),
        CommandDataOptionValue::Integer(n) => Cow::Owned(n.to_string()),
        CommandDataOptionValue::Number(n) => Cow::Owned(n.to_string()),
        CommandDataOptionValue::Boolean(b) => Cow::Owned(b.to_string()),
        CommandDataOptionValue::Autocomplete { value, .. } => Cow::Borrowed(value),
        _ => Cow::Borrowed(""),
    }
}

/// The members imlaws reads, as written in the body; everything else is only checked.
#[derive(Default)]
struct Raw<'a> {
    kind: Option<&'a [u8]>,
    token: Option<&'a [u8]>,
    locale: Option<&'a [u8]>,
    member_user: Option<&'a [u8]>,
    user: Option<&'a [u8]>,
    data: Data<'a>,
}

#[derive(Default)]
struct Data<'a> {
    name: Option<&'a [u8]>,
    options: Vec<RawOption<'a>>,
    custom_id: Option<&'a [u8]>,
    component_type: Option<&'a [u8]>,
    values: Vec<&'a [u8]>,
}

#[derive(Default)]
struct RawOption<'a> {
    name: Option<&'a [u8]>,
    value: Option<&'a [u8]>,
    focused: Option<&'a [u8]>,
}

/// Keep a member's value; `null` is as good as absent.
fn set<'a>(slot: &mut Option<&'a [u8]>, raw: &'a [u8]) -> Result<(), Syntax> {
    *slot = (raw != b"null").then_some(raw);
    Ok(())
}

/// An object's members, or nothing when the value is not an object (`null`, say).
fn members<'a>(
    r: &mut Reader<'a>,
    depth: u32,
    member: impl FnMut(&mut Reader<'a>, &'a [u8], u32) -> Result<(), Syntax>,
) -> Result<(), Syntax> {
    match r.peek() {
        Some(b'{') => r.object(depth, member),
        _ => r.skip(depth),
    }
}

/// A user object's `id`.
fn user_id<'a>(r: &mut Reader<'a>, depth: u32, slot: &mut Option<&'a [u8]>) -> Result<(), Syntax> {
    members(r, depth, |r, key, depth| match key {
        b"id" => set(slot, r.raw(depth)?),
        _ => r.skip(depth),
    })
}

/// The interaction's `data`: the command and its options, or the component clicked.
fn data<'a>(r: &mut Reader<'a>, depth: u32, data: &mut Data<'a>) -> Result<(), Syntax> {
    members(r, depth, |r, key, depth| match key {
        b"name" => set(&mut data.name, r.raw(depth)?),
        b"custom_id" => set(&mut data.custom_id, r.raw(depth)?),
        b"component_type" => set(&mut data.component_type, r.raw(depth)?),
        b"values" if r.peek() == Some(b'[') => r.array(depth, |r, depth| {
            data.values.push(r.raw(depth)?);
            Ok(())
        }),
        b"options" if r.peek() == Some(b'[') => r.array(depth, |r, depth| {
            if data.options.capacity() == 0 {
                data.options.reserve(4);
            }
            let mut option = RawOption::default();
            members(r, depth, |r, key, depth| match key {
                b"name" => set(&mut option.name, r.raw(depth)?),
                b"value" => set(&mut option.value, r.raw(depth)?),
                b"focused" => set(&mut option.focused, r.raw(depth)?),
                _ => r.skip(depth),
            })?;
            data.options.push(option);
            Ok(())
        }),
        _ => r.skip(depth),
    })
}

/// A kept member decoded by `serde_json`, or refused as not what Discord sends.
fn decode<'a, T: Deserialize<'a>>(raw: &'a [u8]) -> Result<T, NotAnInteraction> {
    serde_json::from_slice(raw).map_err(|e| NotAnInteraction::Model(e.to_string()))
}

/// A kept string (or number, or boolean) as text: borrowed when written plainly.
fn text(raw: &[u8]) -> Result<Option<Cow<'_, str>>, NotAnInteraction> {
    if let Some(plain) = plain_string(raw) {
        return Ok(Some(Cow::Borrowed(plain)));
    }
    Ok(decode::<Option<Text>>(raw)?.map(|t| t.0))
}

/// A string, borrowed from the body unless it had escapes; a number or a boolean as
/// its text (an integer, number or boolean option).
struct Text<'a>(Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(std::marker::PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Text<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string, a number or a boolean")
            }
            fn visit_borrowed_str<E: de::Error>(self, s: &'de str) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Borrowed(s)))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Owned(s.to_string())))
            }
            fn visit_string<E: de::Error>(self, s: String) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Owned(s)))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Owned(n.to_string())))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Owned(n.to_string())))
            }
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Owned(n.to_string())))
            }
            fn visit_bool<E: de::Error>(self, b: bool) -> Result<Text<'a>, E> {
                Ok(Text(Cow::Owned(b.to_string())))
            }
        }
        d.deserialize_any(V(std::marker::PhantomData))
    }
}

/// A Discord id: a string of digits (a bare number is taken too).
struct Snowflake(u64);

impl<'de> Deserialize<'de> for Snowflake {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Snowflake;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an id: a string of digits")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Snowflake, E> {
                s.parse().map(Snowflake).map_err(|_| E::invalid_value(de::Unexpected::Str(s), &self))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Snowflake, E> {
                Ok(Snowflake(n))
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both transports read every sample interaction alike: the HTTP endpoint's parse
    /// of the body, and serenity's model of it as the gateway delivers it.
    #[test]
    fn the_body_reads_as_serenity_reads_it() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/interaction");
        let mut compared = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let body = std::fs::read(&path).unwrap();
            let Ok(model) = serde_json::from_slice::<Interaction>(&body) else { continue };
            let Some(from_model) = Incoming::from_serenity(&model) else { continue };
            let parsed = Incoming::parse(&body).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_eq!(parsed, from_model, "{}", path.display());
            compared += 1;
        }
        assert!(compared >= 8, "only {compared} seeds compared");
    }

    fn seeds() -> Vec<Vec<u8>> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/interaction");
        let mut seeds: Vec<Vec<u8>> =
            std::fs::read_dir(&dir).unwrap().map(|e| std::fs::read(e.unwrap().path()).unwrap()).collect();
        seeds.sort();
        seeds.retain(|body| Incoming::parse(body).is_ok());
        seeds
    }

    /// Where noise goes: the body, its member, the member's user, its data, an option.
    fn place(v: &mut serde_json::Value, place: usize) -> Option<&mut serde_json::Map<String, serde_json::Value>> {
        match place {
            0 => v.as_object_mut(),
            1 => v.get_mut("member")?.as_object_mut(),
            2 => v.get_mut("member")?.get_mut("user")?.as_object_mut(),
            3 => v.get_mut("data")?.as_object_mut(),
            _ => v.get_mut("data")?.get_mut("options")?.get_mut(0)?.as_object_mut(),
        }
    }

    proptest::proptest! {
        /// Members imlaws does not read, of any shape, anywhere in an interaction, and
        /// pretty printing, change nothing of what it reads.
        #[test]
        fn what_imlaws_does_not_read_changes_nothing(
            seed in proptest::sample::select(seeds()),
            noise in proptest::collection::vec(("[a-z_]{1,10}", crate::discord::json::tests::value(), 0..5usize), 0..6),
            pretty in proptest::bool::ANY,
        ) {
            const READ: [&str; 14] = ["type", "token", "locale", "member", "user", "data", "id", "name", "options",
                "value", "focused", "custom_id", "component_type", "values"];
            let mut v: serde_json::Value = serde_json::from_slice(&seed).unwrap();
            for (key, value, at) in noise {
                if let (false, Some(members)) = (READ.contains(&key.as_str()), place(&mut v, at)) {
                    members.insert(key, value);
                }
            }
            let text = if pretty { serde_json::to_string_pretty(&v) } else { serde_json::to_string(&v) }.unwrap();
            proptest::prop_assert_eq!(Incoming::parse(text.as_bytes()).unwrap(), Incoming::parse(&seed).unwrap());
        }
    }

    #[test]
    fn what_is_not_an_interaction_says_why() {
        let why = |body: &[u8]| Incoming::parse(body).unwrap_err().to_string();
        assert!(why(b"{not json").starts_with("body is not JSON"), "{}", why(b"{not json"));
        assert!(why(b"[1]").contains("not a JSON object"));
        assert!(why(b" 7 ").contains("not a JSON object"));
        assert!(why(b"").starts_with("body is not JSON"));
        assert_eq!(why(br#"{"type": 99}"#), "not a Discord interaction: unknown interaction type 99");
        assert!(why(br#"{"type": 2, "data": {"name": "assess"}}"#).contains("missing member.user or user"));
        assert!(why(br#"{"type": 2, "user": {"id": "1"}}"#).contains("missing data.name"));
        assert!(why(br#"{"type": 3, "user": {"id": "x"}, "data": {"custom_id": "a"}}"#).starts_with("not a Discord"));
        assert!(why(br#"{"data": {}}"#).starts_with("not a Discord interaction"));
        assert_eq!(why(br#"{"type": 1} x"#), "body is not JSON: expected the end at byte 12");
        assert!(why(br#"{"type": "1"}"#).starts_with("not a Discord interaction: invalid type"));
        // A member that is not an object counts as absent.
        let dm = br#"{"type": 2, "member": null, "user": {"id": "7"}, "data": {"name": "help", "options": null}}"#;
        assert_eq!(Incoming::parse(dm).unwrap().user, 7);
    }

    /// `type` and the user's id, read without a decoder when plainly written, read as
    /// `serde_json` reads them however they are written.
    #[test]
    fn the_type_and_the_user_read_as_serde_json_reads_them() {
        let written = ["2", "1", "0", "-0", "2.0", "2e0", "300", "-2", "\"2\"", "true"];
        let ids =
            ["\"7\"", "7", "\"+7\"", "\"-7\"", "\"07\"", "\"18446744073709551616\"", "\"\\u0037\"", "\"x\"", "7.5"];
        for kind in written {
            for id in ids {
                let body = format!(r#"{{"type": {kind}, "user": {{"id": {id}}}, "data": {{"name": "help"}}}}"#);
                let read = Incoming::parse(body.as_bytes()).map(|i| i.user);
                let expected =
                    decode::<u8>(kind.as_bytes()).and_then(|k| Ok((k, decode::<Snowflake>(id.as_bytes())?.0)));
                match (&read, &expected) {
                    (Ok(user), Ok((k, expected_user))) => {
                        assert!(matches!(k, 1..=5), "{kind} {id}: read as an interaction");
                        assert_eq!(user, expected_user, "{kind} {id}");
                    }
                    (Err(e), Ok((k, _))) => assert!(
                        !matches!(k, 1..=5) && e.to_string().contains("unknown interaction type"),
                        "{kind} {id}: {e}"
                    ),
                    (Err(e), Err(x)) => assert_eq!(e.to_string(), x.to_string(), "{kind} {id}"),
                    (Ok(_), Err(x)) => panic!("{kind} {id}: read, but serde_json refuses it: {x}"),
                }
            }
        }
    }

    #[test]
    fn values_are_read_as_text_and_borrowed_when_they_can_be() {
        let body = br#"{"type": 2, "locale": "zh-CN", "token": "t", "member": {"user": {"id": "42"}},
            "data": {"name": "assess", "options": [
                {"name": "identity", "type": 3, "value": "anonymous"},
                {"name": "n", "type": 4, "value": 2},
                {"name": "x", "type": 10, "value": 2.5},
                {"name": "b", "type": 5, "value": true},
                {"name": "q", "type": 3, "value": "a \"quoted\" word"}]}}"#;
        let i = Incoming::parse(body).unwrap();
        assert_eq!((i.lang, i.user, i.token.as_ref()), (Lang::Zh, 42, "t"));
        let Kind::Command { name, options } = i.kind else { panic!("a command") };
        assert_eq!(name, "assess");
        let texts: Vec<(&str, &str)> = options.iter().map(|(n, v)| (n.as_ref(), v.as_ref())).collect();
        assert_eq!(
            texts,
            [("identity", "anonymous"), ("n", "2"), ("x", "2.5"), ("b", "true"), ("q", "a \"quoted\" word")]
        );
        assert!(matches!(options[0].1, Cow::Borrowed(_)), "no copy of a plain string");
    }
}
