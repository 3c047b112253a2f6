//! The slash commands as Discord registers them, derived from the command table
//! (`crate::command`) with the knowledge base's words and `zh-CN` localisations, so
//! registration cannot drift from routing.

use crate::command::{Command, Commands, Kind, Opt};
use crate::kb::{Kb, Msg};
use crate::lang::{fill, Lang};
use crate::profile::Field;
use serenity::all::{CommandOptionType, CreateCommand, CreateCommandOption};

const ZH: &str = "zh-CN";

fn field_option(kb: &Kb, field: Field) -> CreateCommandOption {
    let description =
        |lang| fill(kb.msg(Msg::CommandFieldDescription, lang), &[("field", kb.field_label(field, lang))]);
    let mut option = CreateCommandOption::new(CommandOptionType::String, field.name(), description(Lang::En))
        .name_localized(ZH, kb.field_label(field, Lang::Zh))
        .description_localized(ZH, description(Lang::Zh));
    for (i, code) in field.codes().iter().enumerate() {
        option = option.add_string_choice_localized(
            kb.code_label(field, i, Lang::En),
            *code,
            [(ZH, kb.code_label(field, i, Lang::Zh))],
        );
    }
    option
}

fn option(kb: &Kb, command: &Command, opt: &Opt) -> CreateCommandOption {
    let option = if let Kind::Field(field) = opt.kind {
        field_option(kb, field)
    } else {
        // `command::check` guarantees the words; an unchecked knowledge base falls back
        // to the table's English.
        let text = kb.command(command.name).and_then(|t| t.option(opt.name));
        let words = |lang: Lang| text.map_or((opt.name, opt.help), |t| (t.name.get(lang), t.description.get(lang)));
        let kind = match opt.kind {
            Kind::Number { .. } => CommandOptionType::Integer,
            _ => CommandOptionType::String,
        };
        let option = CreateCommandOption::new(kind, opt.name, words(Lang::En).1)
            .name_localized(ZH, words(Lang::Zh).0)
            .description_localized(ZH, words(Lang::Zh).1);
        match opt.kind {
            Kind::Number { min, max } => option.min_int_value(min as u64).max_int_value(max as u64),
            Kind::Product => option.set_autocomplete(true),
            Kind::Text => option.max_length(u16::try_from(kb.lexicon.max_chars.min(6000)).unwrap_or(6000)),
            Kind::Field(_) => option,
        }
    };
    option.required(opt.required)
}

fn command(kb: &Kb, c: &Command) -> CreateCommand {
    let text = kb.command(c.name);
    let name_zh = text.map_or(c.name, |t| t.name.zh.as_str());
    let description = |lang: Lang| text.map_or(c.about, |t| t.description.get(lang));
    let mut out = CreateCommand::new(c.name)
        .name_localized(ZH, name_zh)
        .description(description(Lang::En))
        .description_localized(ZH, description(Lang::Zh));
    // Required options first, as Discord demands.
    let (required, optional): (Vec<&Opt>, Vec<&Opt>) = c.options.iter().partition(|o| o.required);
    for opt in required.into_iter().chain(optional) {
        out = out.add_option(option(kb, c, opt));
    }
    out
}

/// Every command of `commands`, as Discord registers it.
pub fn of(kb: &Kb, commands: &Commands) -> Vec<CreateCommand> {
    commands.iter().map(|c| command(kb, c)).collect()
}

/// The built-in commands: /assess, /ask, /law, /corollary, /app, /map, /help.
pub fn all(kb: &Kb) -> Vec<CreateCommand> {
    of(kb, Commands::builtin())
}
