//! What imlaws sends to Discord, written as JSON directly: the interaction callback
//! bodies, a mention's reply and a map's edit. The texts borrow from the knowledge base
//! and the rendered embed, so an answer copies each text once, into the body.
//!
//! The shapes and key order are those serenity's builders write (a test compares the
//! two on every kind of answer); the escapes are found sixteen bytes at a time, which
//! is most of what made this faster than the builders and `serde_json` (see
//! BENCHMARKS.md, "The endpoint's own cost").

use super::json::{decimal, string};
use crate::render::Embed;
use std::borrow::Cow;

/// Discord's message flag for a reply only the asker sees.
const EPHEMERAL: u32 = 1 << 6;

/// An interaction callback body.
#[derive(Debug, Clone, PartialEq)]
pub enum Callback<'a> {
    /// `PONG` (1), to Discord's `PING`.
    Pong,
    /// A new message (4).
    Message(Message<'a>),
    /// "Thinking…", the message to follow by editing the original response (5).
    Defer { ephemeral: bool },
    /// The clicked message, updated in place (7).
    Update(Message<'a>),
    /// Autocomplete suggestions (8).
    Autocomplete(Vec<Choice<'a>>),
}

/// A message: text or an embed, components, and at most one attached file. Nothing in
/// it can ping anyone (`allowed_mentions` is empty).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Message<'a> {
    pub content: Option<String>,
    pub embed: Option<Embed<'a>>,
    pub ephemeral: bool,
    /// `None` leaves the key out; `Some(vec![])` clears a message's components.
    pub components: Option<Vec<Row<'a>>>,
    /// The name of the file uploaded with the message, if any.
    pub attachment: Option<&'static str>,
}

/// A component's `custom_id`, kept inline: Discord allows 100 characters, and the
/// rows under every verdict carry four.
pub type CustomId = arrayvec::ArrayString<{ super::components::CUSTOM_ID_MAX }>;

/// An action row.
#[derive(Debug, Clone, PartialEq)]
pub enum Row<'a> {
    Select(Select<'a>),
    Buttons(Vec<Button<'a>>),
}

/// A string select menu.
#[derive(Debug, Clone, PartialEq)]
pub struct Select<'a> {
    pub custom_id: CustomId,
    pub placeholder: Cow<'a, str>,
    pub options: Vec<SelectOption<'a>>,
}

/// A select menu's option, as JSON made ahead (see `components::OptionJson`): `head`
/// is `{"label":…,"value":…`, and `tail` closes it, `}` or `,"description":…}`. Only
/// the components module makes one, so what is copied into a body is JSON.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SelectOption<'a> {
    head: &'a str,
    tail: &'a str,
}

impl<'a> SelectOption<'a> {
    pub(super) fn new(head: &'a str, tail: &'a str) -> Self {
        SelectOption { head, tail }
    }

    /// The option's JSON, in its two parts.
    pub fn parts(&self) -> [&'a str; 2] {
        [self.head, self.tail]
    }
}

/// A secondary (grey) button.
#[derive(Debug, Clone, PartialEq)]
pub struct Button<'a> {
    pub custom_id: CustomId,
    pub label: Cow<'a, str>,
}

/// An autocomplete suggestion: shown `name`, sent `value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice<'a> {
    pub name: Cow<'a, str>,
    pub value: Cow<'a, str>,
}

impl Callback<'_> {
    /// The body as JSON.
    pub fn to_json(&self) -> Vec<u8> {
        // An answer with its components is 4–8 KB: one allocation, not a doubling series.
        let mut out = Vec::with_capacity(8 * 1024);
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut Vec<u8>) {
        match self {
            Callback::Pong => out.extend_from_slice(br#"{"type":1,"data":null}"#),
            Callback::Message(m) | Callback::Update(m) => {
                out.extend_from_slice(if matches!(self, Callback::Update(_)) {
                    br#"{"type":7,"data":"#
                } else {
                    br#"{"type":4,"data":"#
                });
                m.write(out, None);
                out.push(b'}');
            }
            Callback::Defer { ephemeral: true } => {
                out.extend_from_slice(br#"{"type":5,"data":{"flags":64,"attachments":[]}}"#)
            }
            Callback::Defer { ephemeral: false } => out.extend_from_slice(br#"{"type":5,"data":{"attachments":[]}}"#),
            Callback::Autocomplete(choices) => {
                out.extend_from_slice(br#"{"type":8,"data":{"choices":["#);
                for (i, c) in choices.iter().enumerate() {
                    comma(out, i);
                    out.extend_from_slice(br#"{"name":"#);
                    string(out, &c.name);
                    out.extend_from_slice(br#","value":"#);
                    string(out, &c.value);
                    out.push(b'}');
                }
                out.extend_from_slice(b"]}}");
            }
        }
    }
}

impl Message<'_> {
    /// The message as an interaction callback's `data`, or as the body of an edit.
    pub fn to_json(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 * 1024);
        self.write(&mut out, None);
        out
    }

    /// The message as a channel message replying to message `reply_to` in `channel`.
    pub fn to_reply_json(&self, reply_to: u64, channel: u64) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 * 1024);
        self.write(&mut out, Some((reply_to, channel)));
        out
    }

    fn write(&self, out: &mut Vec<u8>, reply_to: Option<(u64, u64)>) {
        let mut o = Object::open(out);
        if let Some(content) = &self.content {
            string(o.key("content"), content);
        }
        if let Some(embed) = &self.embed {
            let out = o.key("embeds");
            out.push(b'[');
            write_embed(out, embed);
            out.push(b']');
        }
        o.key("allowed_mentions").extend_from_slice(br#"{"parse":[],"users":[],"roles":[]}"#);
        if let Some((message, channel)) = reply_to {
            let out = o.key("message_reference");
            out.extend_from_slice(br#"{"message_id":""#);
            number(out, message);
            out.extend_from_slice(br#"","channel_id":""#);
            number(out, channel);
            out.extend_from_slice(br#""}"#);
        }
        if self.ephemeral {
            number(o.key("flags"), u64::from(EPHEMERAL));
        }
        if let Some(rows) = &self.components {
            let out = o.key("components");
            out.push(b'[');
            for (i, row) in rows.iter().enumerate() {
                comma(out, i);
                row.write(out);
            }
            out.push(b']');
        }
        let out = o.key("attachments");
        match self.attachment {
            Some(name) => {
                out.extend_from_slice(br#"[{"id":0,"filename":"#);
                string(out, name);
                out.extend_from_slice(br#","description":null}]"#);
            }
            None => out.extend_from_slice(b"[]"),
        }
        o.close();
    }
}

fn write_embed(out: &mut Vec<u8>, e: &Embed<'_>) {
    out.extend_from_slice(br#"{"title":"#);
    string(out, &e.title);
    out.extend_from_slice(br#","type":"rich","description":"#);
    string(out, &e.description);
    out.extend_from_slice(br#","color":"#);
    number(out, u64::from(e.color));
    if !e.footer.is_empty() {
        out.extend_from_slice(br#","footer":{"text":"#);
        string(out, &e.footer);
        out.push(b'}');
    }
    if let Some(url) = &e.image {
        out.extend_from_slice(br#","image":{"url":"#);
        string(out, url);
        out.push(b'}');
    }
    if !e.fields.is_empty() {
        out.extend_from_slice(br#","fields":["#);
        for (i, f) in e.fields.iter().enumerate() {
            comma(out, i);
            out.extend_from_slice(br#"{"name":"#);
            string(out, &f.name);
            out.extend_from_slice(br#","value":"#);
            string(out, &f.value);
            out.extend_from_slice(br#","inline":false}"#);
        }
        out.push(b']');
    }
    out.push(b'}');
}

impl Row<'_> {
    fn write(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(br#"{"type":1,"components":["#);
        match self {
            Row::Select(s) => {
                out.extend_from_slice(br#"{"custom_id":"#);
                string(out, &s.custom_id);
                out.extend_from_slice(br#","placeholder":"#);
                string(out, &s.placeholder);
                out.extend_from_slice(br#","type":3,"options":["#);
                for (i, o) in s.options.iter().enumerate() {
                    comma(out, i);
                    out.extend_from_slice(o.head.as_bytes());
                    out.extend_from_slice(o.tail.as_bytes());
                }
                out.extend_from_slice(b"]}");
            }
            Row::Buttons(buttons) => {
                for (i, b) in buttons.iter().enumerate() {
                    comma(out, i);
                    out.extend_from_slice(br#"{"type":2,"style":2,"custom_id":"#);
                    string(out, &b.custom_id);
                    out.extend_from_slice(br#","label":"#);
                    string(out, &b.label);
                    out.extend_from_slice(br#","disabled":false}"#);
                }
            }
        }
        out.extend_from_slice(b"]}");
    }
}

/// A JSON object written key by key.
struct Object<'o> {
    out: &'o mut Vec<u8>,
    empty: bool,
}

impl<'o> Object<'o> {
    fn open(out: &'o mut Vec<u8>) -> Self {
        out.push(b'{');
        Object { out, empty: true }
    }

    /// Write `"key":` (after a comma but for the first) and return the output for the value.
    fn key(&mut self, key: &str) -> &mut Vec<u8> {
        if !std::mem::replace(&mut self.empty, false) {
            self.out.push(b',');
        }
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out.extend_from_slice(b"\":");
        self.out
    }

    fn close(self) {
        self.out.push(b'}');
    }
}

fn comma(out: &mut Vec<u8>, index: usize) {
    if index > 0 {
        out.push(b',');
    }
}

fn number(out: &mut Vec<u8>, n: u64) {
    out.extend_from_slice(decimal(n, &mut [0; 20]).as_bytes());
}

/// A body for serenity's REST calls, which take anything `Serialize`: our JSON,
/// written out verbatim (checked to be JSON on the way, as serenity's REST path is not
/// the hot one).
pub struct Raw(pub Vec<u8>);

impl serde::Serialize for Raw {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::Error;
        let text = std::str::from_utf8(&self.0).map_err(S::Error::custom)?;
        let raw: &serde_json::value::RawValue = serde_json::from_str(text).map_err(S::Error::custom)?;
        raw.serialize(serializer)
    }
}

impl serde::Serialize for Callback<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        Raw(self.to_json()).serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        for n in [0, 7, 10, 64, 15844367, u64::MAX] {
            let mut out = Vec::new();
            number(&mut out, n);
            assert_eq!(String::from_utf8(out).unwrap(), n.to_string());
        }
    }
}
