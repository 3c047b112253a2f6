//! What an interaction asks, whichever transport brought it: the few fields imlaws
//! reads, borrowed from the request. The HTTP endpoint reads them straight from the
//! signed body ([`Incoming::parse`]), skipping the rest; the gateway bot takes them from
//! serenity's model ([`Incoming::from_serenity`]). A test checks that both read every
//! sample interaction alike.

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
    NotJson(serde_json::Error),
    #[error("body is not a JSON object")]
    NotAnObject,
    #[error("not a Discord interaction: {0}")]
    Model(String),
}

impl<'a> Incoming<'a> {
    /// Read an interaction as Discord sends it over HTTP. Only `type` is required of
    /// every interaction; a command needs `data.name`, a component `data.custom_id`, and
    /// both the user (`member.user` in a server, `user` in a DM).
    pub fn parse(body: &'a [u8]) -> Result<Incoming<'a>, NotAnInteraction> {
        if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
            return Err(match serde_json::from_slice::<de::IgnoredAny>(body) {
                Err(e) => NotAnInteraction::NotJson(e),
                Ok(_) => NotAnInteraction::NotAnObject,
            });
        }
        let raw: Raw<'a> = serde_json::from_slice(body).map_err(|e| match e.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => NotAnInteraction::NotJson(e),
            _ => NotAnInteraction::Model(e.to_string()),
        })?;
        let missing = |what: &str| NotAnInteraction::Model(format!("missing {what}"));
        let user = raw.member.and_then(|m| m.user).or(raw.user).map(|u| u.id.0);
        let lang = raw.locale.as_ref().map_or(Lang::En, |l| Lang::from_locale(&l.0));
        let data = raw.data.unwrap_or_default();
        let kind = match raw.kind {
            1 => Kind::Ping,
            2 => Kind::Command {
                name: data.name.ok_or_else(|| missing("data.name"))?.0,
                options: data
                    .options
                    .into_iter()
                    .map(|o| (o.name.0, o.value.map_or(Cow::Borrowed(""), |v| v.0)))
                    .collect(),
            },
            3 => Kind::Component {
                custom_id: data.custom_id.ok_or_else(|| missing("data.custom_id"))?.0,
                values: (data.component_type == Some(3)).then(|| data.values.into_iter().map(|v| v.0).collect()),
            },
            4 => Kind::Autocomplete {
                name: data.name.ok_or_else(|| missing("data.name"))?.0,
                focused: data
                    .options
                    .into_iter()
                    .find(|o| o.focused)
                    .map(|o| (o.name.0, o.value.map_or(Cow::Borrowed(""), |v| v.0))),
            },
            5 => Kind::Modal,
            other => return Err(NotAnInteraction::Model(format!("unknown interaction type {other}"))),
        };
        let user = match (&kind, user) {
            (Kind::Command { .. } | Kind::Component { .. }, None) => return Err(missing("member.user or user")),
            (_, user) => user.unwrap_or(0),
        };
        Ok(Incoming { kind, lang, user, token: raw.token.map_or(Cow::Borrowed(""), |t| t.0) })
    }

    /// What serenity's model of a gateway interaction asks. `None` for a kind imlaws does
    /// not answer (a `PING` never comes over the gateway).
    pub fn from_serenity(interaction: &'a Interaction) -> Option<Incoming<'a>> {
        let (kind, locale, user, token) = match interaction {
            Interaction::Command(c) => {
                let options = c.data.options.iter().map(|o| (Cow::Borrowed(o.name.as_str()), text(&o.value))).collect();
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
fn text(v: &CommandDataOptionValue) -> Cow<'_, str> {
    match v {
        CommandDataOptionValue::String(s) => Cow::Borrowed(s),
        CommandDataOptionValue::Integer(n) => Cow::Owned(n.to_string()),
        CommandDataOptionValue::Number(n) => Cow::Owned(n.to_string()),
        CommandDataOptionValue::Boolean(b) => Cow::Owned(b.to_string()),
        CommandDataOptionValue::Autocomplete { value, .. } => Cow::Borrowed(value),
        _ => Cow::Borrowed(""),
    }
}

/// The body's fields imlaws reads; everything else is skipped unread.
#[derive(Deserialize)]
struct Raw<'a> {
    #[serde(rename = "type")]
    kind: u8,
    #[serde(borrow, default)]
    token: Option<Text<'a>>,
    #[serde(borrow, default)]
    locale: Option<Text<'a>>,
    #[serde(default)]
    member: Option<Member>,
    #[serde(default)]
    user: Option<User>,
    #[serde(borrow, default)]
    data: Option<Data<'a>>,
}

#[derive(Deserialize)]
struct Member {
    #[serde(default)]
    user: Option<User>,
}

#[derive(Deserialize)]
struct User {
    id: Snowflake,
}

#[derive(Deserialize, Default)]
struct Data<'a> {
    #[serde(borrow, default)]
    name: Option<Text<'a>>,
    #[serde(borrow, default)]
    options: Vec<RawOption<'a>>,
    #[serde(borrow, default)]
    custom_id: Option<Text<'a>>,
    #[serde(default)]
    component_type: Option<u8>,
    #[serde(borrow, default)]
    values: Vec<Text<'a>>,
}

#[derive(Deserialize)]
struct RawOption<'a> {
    #[serde(borrow)]
    name: Text<'a>,
    #[serde(borrow, default)]
    value: Option<Text<'a>>,
    #[serde(default)]
    focused: bool,
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
