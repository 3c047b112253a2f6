//! Discord, shared by both transports: the slash-command definitions, and one function
//! from an [`Interaction`] to the [`CreateInteractionResponse`] to send back, used as is
//! by the gateway bot and the HTTP interactions endpoint.

pub mod commands;
pub mod components;
pub mod gateway;
pub mod http;

use crate::answer::{Reply, UserError};
use crate::command::{Asked, Commands, Kind, Request};
use crate::kb::{Kb, Msg};
use crate::lang::Lang;
use crate::metrics::Outcome;
use crate::render::{self, Embed};
use serenity::all::{
    AutocompleteChoice, CommandDataOptionValue, CommandInteraction, CreateAllowedMentions, CreateAttachment,
    CreateAutocompleteResponse, CreateEmbed, CreateEmbedFooter, CreateInteractionResponse,
    CreateInteractionResponseMessage, Interaction,
};

/// Discord's limit on a message's `content`.
pub const CONTENT_LIMIT: usize = 2000;
/// Discord's limit on autocomplete suggestions.
pub const AUTOCOMPLETE_LIMIT: usize = 25;

/// What to send back for an interaction.
// One answer lives for one interaction: boxing its variants would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum Answer {
    /// A callback body, sent as JSON.
    Body(CreateInteractionResponse),
    /// A message with the positioning map attached. The gateway bot sends it as the
    /// callback, multipart; over HTTP, where Discord takes no file in the reply to its
    /// POST, the endpoint defers (type 5) and then edits the original response with it.
    Map { embed: CreateEmbed, png: Vec<u8>, ephemeral: bool },
}

impl Answer {
    /// The callback body, with the map attached (serialised, the body carries the
    /// file's `attachments` entry; the bytes go in the multipart upload).
    pub fn response(&self) -> CreateInteractionResponse {
        match self {
            Answer::Body(r) => r.clone(),
            Answer::Map { embed, png, ephemeral } => {
                let data = CreateInteractionResponseMessage::new()
                    .embed(embed.clone())
                    .allowed_mentions(CreateAllowedMentions::new())
                    .add_file(map_file(png));
                CreateInteractionResponse::Message(if *ephemeral { data.ephemeral(true) } else { data })
            }
        }
    }

    /// The file to upload with the answer, if any.
    pub fn file(&self) -> Option<CreateAttachment> {
        match self {
            Answer::Body(_) => None,
            Answer::Map { png, .. } => Some(map_file(png)),
        }
    }
}

/// The map as an attachment, `map.png` (the name the embed's image refers to).
pub fn map_file(png: &[u8]) -> CreateAttachment {
    CreateAttachment::bytes(png.to_vec(), crate::map::FILE_NAME)
}

/// The response to an interaction, as one callback body (a map's file attached).
pub fn respond(kb: &Kb, interaction: &Interaction) -> CreateInteractionResponse {
    answer_interaction(kb, interaction).0.response()
}

/// The answer to an interaction, and what became of it (for the metrics). Replies are
/// public embeds; errors are ephemeral and say what to fix; nothing a user typed can
/// ping anyone.
pub fn answer_interaction(kb: &Kb, interaction: &Interaction) -> (Answer, Outcome) {
    answer_interaction_with(kb, Commands::builtin(), interaction)
}

/// [`answer_interaction`], routing slash commands and autocomplete by `commands`.
pub fn answer_interaction_with(kb: &Kb, commands: &Commands, interaction: &Interaction) -> (Answer, Outcome) {
    let body = |r| Answer::Body(r);
    match interaction {
        Interaction::Ping(_) => (body(CreateInteractionResponse::Pong), Outcome::Answered),
        Interaction::Command(cmd) => {
            let lang = Lang::from_locale(&cmd.locale);
            match command_request(commands, cmd) {
                Ok(request) => {
                    let reply = request.answer(kb, &Asked { lang, forced: false, commands });
                    let outcome = if reply.is_ok() { Outcome::Answered } else { Outcome::UserError };
                    (answer_message(kb, reply, lang, cmd.user.id.get()), outcome)
                }
                Err(e @ UserError::UnknownCommand { .. }) => (body(ephemeral(&e.message(kb, lang))), Outcome::Refused),
                Err(e) => (body(ephemeral(&e.message(kb, lang))), Outcome::UserError),
            }
        }
        Interaction::Autocomplete(cmd) => (body(autocomplete(kb, commands, cmd)), Outcome::Answered),
        Interaction::Component(c) => components::click(kb, c),
        Interaction::Modal(m) => {
            (body(ephemeral(kb.msg(Msg::ErrorNotSupported, Lang::from_locale(&m.locale)))), Outcome::Refused)
        }
        _ => (body(ephemeral(kb.msg(Msg::ErrorNotSupported, Lang::En))), Outcome::Refused),
    }
}

/// An answer as a message: a public embed with the components to refine it (their
/// owner is the user who asked), or the error, ephemeral (with a menu when the error
/// is a field the decision needs).
pub fn message(kb: &Kb, reply: Result<Reply, UserError>, lang: Lang, owner: u64) -> CreateInteractionResponse {
    answer_message(kb, reply, lang, owner).response()
}

/// [`message`], with a map kept apart for the transport to upload.
pub fn answer_message(kb: &Kb, reply: Result<Reply, UserError>, lang: Lang, owner: u64) -> Answer {
    match reply {
        Ok(Reply::Map(m)) => {
            let embed = create_embed(&render::map(kb, m.marker.as_ref(), m.lang));
            Answer::Map { embed, png: m.png, ephemeral: false }
        }
        reply => {
            let (data, public) = components::message_data(kb, reply, lang, owner);
            Answer::Body(CreateInteractionResponse::Message(if public { data } else { data.ephemeral(true) }))
        }
    }
}

/// Message text cut to Discord's 2000-character limit.
pub fn content(text: &str) -> String {
    let mut text = text.to_string();
    render::truncate(&mut text, CONTENT_LIMIT);
    text
}

/// An ephemeral text reply (only the user who asked sees it).
pub fn ephemeral(text: &str) -> CreateInteractionResponse {
    CreateInteractionResponse::Message(
        CreateInteractionResponseMessage::new()
            .content(content(text))
            .ephemeral(true)
            .allowed_mentions(CreateAllowedMentions::new()),
    )
}

/// The renderer's embed as serenity's builder (already within Discord's limits).
pub fn create_embed(e: &Embed) -> CreateEmbed {
    let mut out = CreateEmbed::new().title(&e.title).description(&e.description).colour(e.color);
    for f in &e.fields {
        out = out.field(&f.name, &f.value, false);
    }
    if !e.footer.is_empty() {
        out = out.footer(CreateEmbedFooter::new(&e.footer));
    }
    if let Some(image) = &e.image {
        out = out.image(image);
    }
    out
}

fn text_value(v: &CommandDataOptionValue) -> String {
    match v {
        CommandDataOptionValue::String(s) => s.clone(),
        CommandDataOptionValue::Integer(n) => n.to_string(),
        CommandDataOptionValue::Number(n) => n.to_string(),
        CommandDataOptionValue::Boolean(b) => b.to_string(),
        CommandDataOptionValue::Autocomplete { value, .. } => value.clone(),
        _ => String::new(),
    }
}

/// A slash command as a [`Request`], routed by the command table.
pub fn command_request(commands: &Commands, cmd: &CommandInteraction) -> Result<Request, UserError> {
    let options = cmd.data.options.iter().map(|o| (o.name.clone(), text_value(&o.value)));
    Request::from_interaction(commands, &cmd.data.name, options)
}

/// Autocomplete of a product option (`/app name`, `/map app`): up to 25 products whose
/// English or Chinese name fits what the user typed, best first, named in the user's
/// language.
pub fn autocomplete(kb: &Kb, commands: &Commands, cmd: &CommandInteraction) -> CreateInteractionResponse {
    let lang = Lang::from_locale(&cmd.locale);
    let focused = cmd.data.autocomplete();
    let typed = focused.as_ref().map_or("", |o| o.value);
    let kind = commands.get(&cmd.data.name).zip(focused.as_ref()).and_then(|(c, o)| c.option(o.name));
    let choices = if kind.is_some_and(|o| o.kind == Kind::Product) {
        kb.suggest_products(typed, AUTOCOMPLETE_LIMIT)
            .into_iter()
            .map(|p| AutocompleteChoice::new(p.display_name(lang), p.name.en.clone()))
            .collect()
    } else {
        Vec::new()
    };
    CreateInteractionResponse::Autocomplete(CreateAutocompleteResponse::new().set_choices(choices))
}
