//! Discord, shared by both transports: the slash-command definitions, and one function
//! from what an interaction asks ([`Incoming`]) to the callback body to send back
//! ([`wire::Callback`]), used as is by the gateway bot and the HTTP interactions
//! endpoint.

pub mod commands;
pub mod components;
pub mod gateway;
pub mod http;
pub mod incoming;
pub mod json;
pub mod wire;

use crate::answer::{Reply, UserError};
use crate::command::{Asked, Commands, Kind, Request};
use crate::kb::{Kb, Msg};
use crate::lang::Lang;
use crate::metrics::Outcome;
use crate::render::{self, Embed};
pub use incoming::{Incoming, NotAnInteraction};
use serenity::all::{CreateAttachment, Interaction};
use std::borrow::Cow;
use wire::{Callback, Choice, Message};

/// Discord's limit on a message's `content`.
pub const CONTENT_LIMIT: usize = 2000;
/// Discord's limit on autocomplete suggestions.
pub const AUTOCOMPLETE_LIMIT: usize = 25;

/// What to send back for an interaction; its texts borrow from the knowledge base.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer<'k> {
    /// A callback body, sent as JSON.
    Body(Callback<'k>),
    /// A message with the positioning map attached. The gateway bot sends it as the
    /// callback, multipart; over HTTP, where Discord takes no file in the reply to its
    /// POST, the endpoint defers (type 5) and then edits the original response with it.
    Map { embed: Embed<'k>, png: Vec<u8>, ephemeral: bool },
}

impl<'k> Answer<'k> {
    /// The callback body, and the file to upload with it (a map's: the body carries its
    /// `attachments` entry, the bytes go in the multipart upload).
    pub fn into_parts(self) -> (Callback<'k>, Option<CreateAttachment>) {
        match self {
            Answer::Body(r) => (r, None),
            Answer::Map { embed, png, ephemeral } => {
                let file = map_file(&png);
                (Callback::Message(map_message(embed, ephemeral)), Some(file))
            }
        }
    }
}

/// A message carrying the map: its embed, pointing at the attached `map.png`.
pub fn map_message<'k>(embed: Embed<'k>, ephemeral: bool) -> Message<'k> {
    Message { embed: Some(embed), ephemeral, attachment: Some(crate::map::FILE_NAME), ..Message::default() }
}

/// The map as an attachment, `map.png` (the name the embed's image refers to).
pub fn map_file(png: &[u8]) -> CreateAttachment {
    CreateAttachment::bytes(png.to_vec(), crate::map::FILE_NAME)
}

/// The response to serenity's model of an interaction, as one callback body (a map's
/// file left out).
pub fn respond<'k>(kb: &'k Kb, interaction: &Interaction) -> Callback<'k> {
    match Incoming::from_serenity(interaction) {
        Some(incoming) => answer_interaction(kb, &incoming).0.into_parts().0,
        None => ephemeral(kb.msg(Msg::ErrorNotSupported, Lang::En)),
    }
}

/// The answer to an interaction, and what became of it (for the metrics). Replies are
/// public embeds; errors are ephemeral and say what to fix; nothing a user typed can
/// ping anyone.
pub fn answer_interaction<'k>(kb: &'k Kb, interaction: &Incoming<'_>) -> (Answer<'k>, Outcome) {
    answer_interaction_with(kb, Commands::builtin(), interaction)
}

/// [`answer_interaction`], routing slash commands and autocomplete by `commands`.
pub fn answer_interaction_with<'k>(
    kb: &'k Kb,
    commands: &Commands,
    interaction: &Incoming<'_>,
) -> (Answer<'k>, Outcome) {
    let lang = interaction.lang;
    match &interaction.kind {
        incoming::Kind::Ping => (Answer::Body(Callback::Pong), Outcome::Answered),
        incoming::Kind::Command { name, options } => match command_request(commands, name, options) {
            Ok(request) => {
                let reply = request.answer(kb, &Asked { lang, forced: false, commands });
                let outcome = if reply.is_ok() { Outcome::Answered } else { Outcome::UserError };
                (answer_message(kb, reply, lang, interaction.user), outcome)
            }
            Err(e @ UserError::UnknownCommand { .. }) => {
                (Answer::Body(ephemeral(&e.message(kb, lang))), Outcome::Refused)
            }
            Err(e) => (Answer::Body(ephemeral(&e.message(kb, lang))), Outcome::UserError),
        },
        incoming::Kind::Autocomplete { name, focused } => {
            let typed = focused.as_ref().map(|(option, value)| (option.as_ref(), value.as_ref()));
            (Answer::Body(autocomplete(kb, commands, name, typed, lang)), Outcome::Answered)
        }
        incoming::Kind::Component { custom_id, values } => {
            components::click(kb, lang, interaction.user, custom_id, values.as_deref())
        }
        incoming::Kind::Modal => (Answer::Body(ephemeral(kb.msg(Msg::ErrorNotSupported, lang))), Outcome::Refused),
    }
}

/// An answer as a message: a public embed with the components to refine it (their
/// owner is the user who asked), or the error, ephemeral (with a menu when the error
/// is a field the decision needs).
pub fn message<'k>(kb: &'k Kb, reply: Result<Reply, UserError>, lang: Lang, owner: u64) -> Callback<'k> {
    answer_message(kb, reply, lang, owner).into_parts().0
}

/// [`message`], with a map kept apart for the transport to upload.
pub fn answer_message<'k>(kb: &'k Kb, reply: Result<Reply, UserError>, lang: Lang, owner: u64) -> Answer<'k> {
    match reply {
        Ok(Reply::Map(m)) => {
            Answer::Map { embed: render::map(kb, m.marker.as_ref(), m.lang), png: m.png, ephemeral: false }
        }
        reply => Answer::Body(Callback::Message(components::message_data(kb, reply, lang, owner))),
    }
}

/// Message text cut to Discord's 2000-character limit.
pub fn content(text: &str) -> String {
    let mut text = text.to_string();
    render::truncate(&mut text, CONTENT_LIMIT);
    text
}

/// An ephemeral text reply (only the user who asked sees it).
pub fn ephemeral<'k>(text: &str) -> Callback<'k> {
    Callback::Message(Message { content: Some(content(text)), ephemeral: true, ..Message::default() })
}

/// A slash command as a [`Request`], routed by the command table.
pub fn command_request(
    commands: &Commands,
    name: &str,
    options: &[(Cow<'_, str>, Cow<'_, str>)],
) -> Result<Request, UserError> {
    let options = options.iter().map(|(name, value)| (name, value.to_string()));
    Request::from_interaction(commands, name, options)
}

/// Autocomplete of a product option (`/app name`, `/map app`): up to 25 products whose
/// English or Chinese name fits what the user typed, best first, named in the user's
/// language. `focused` is the option being typed and its text so far.
pub fn autocomplete<'k>(
    kb: &'k Kb,
    commands: &Commands,
    command: &str,
    focused: Option<(&str, &str)>,
    lang: Lang,
) -> Callback<'k> {
    let typed = focused.map_or("", |(_, value)| value);
    let kind = commands.get(command).zip(focused).and_then(|(c, (option, _))| c.option(option));
    let choices = if kind.is_some_and(|o| o.kind == Kind::Product) {
        kb.suggest_products(typed, AUTOCOMPLETE_LIMIT)
            .into_iter()
            .map(|p| Choice { name: Cow::Owned(p.display_name(lang)), value: Cow::Borrowed(p.name.en.as_str()) })
            .collect()
    } else {
        Vec::new()
    };
    Callback::Autocomplete(choices)
}
