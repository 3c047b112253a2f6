//! The slash commands, generated from the profile codes and the knowledge base's
//! words, with `zh-CN` localisations, so they cannot drift from the rule module.

use crate::kb::{Kb, Msg};
use crate::lang::{fill, Lang};
use crate::profile::Field;
use serenity::all::{CommandOptionType, CreateCommand, CreateCommandOption};

const ZH: &str = "zh-CN";

fn described(kb: &Kb, name: Msg, description: Msg) -> CreateCommand {
    CreateCommand::new(kb.msg(name, Lang::En))
        .name_localized(ZH, kb.msg(name, Lang::Zh))
        .description(kb.msg(description, Lang::En))
        .description_localized(ZH, kb.msg(description, Lang::Zh))
}

fn field_option(kb: &Kb, field: Field) -> CreateCommandOption {
    let description =
        |lang| fill(kb.msg(Msg::CommandFieldDescription, lang), &[("field", kb.field_label(field, lang))]);
    let mut option = CreateCommandOption::new(CommandOptionType::String, field.name(), description(Lang::En))
        .name_localized(ZH, kb.field_label(field, Lang::Zh))
        .description_localized(ZH, description(Lang::Zh))
        .required(field.required());
    for (i, code) in field.codes().iter().enumerate() {
        option = option.add_string_choice_localized(
            kb.code_label(field, i, Lang::En),
            *code,
            [(ZH, kb.code_label(field, i, Lang::Zh))],
        );
    }
    option
}

fn number_option(kb: &Kb, description: Msg, max: u64) -> CreateCommandOption {
    CreateCommandOption::new(CommandOptionType::Integer, "number", kb.msg(description, Lang::En))
        .name_localized(ZH, kb.msg(Msg::CommandNumberName, Lang::Zh))
        .description_localized(ZH, kb.msg(description, Lang::Zh))
        .required(true)
        .min_int_value(1)
        .max_int_value(max)
}

/// All seven commands: /assess, /ask, /law, /corollary, /app, /help, /map.
pub fn all(kb: &Kb) -> Vec<CreateCommand> {
    let mut assess = described(kb, Msg::CommandAssessName, Msg::CommandAssessDescription);
    // Required options first, as Discord demands.
    for field in Field::ALL.into_iter().filter(|f| f.required()).chain(Field::ALL.into_iter().filter(|f| !f.required()))
    {
        assess = assess.add_option(field_option(kb, field));
    }
    let question =
        CreateCommandOption::new(CommandOptionType::String, "question", kb.msg(Msg::CommandAskQuestion, Lang::En))
            .name_localized(ZH, "问题")
            .description_localized(ZH, kb.msg(Msg::CommandAskQuestion, Lang::Zh))
            .required(true)
            .max_length(u16::try_from(kb.lexicon.max_chars.min(6000)).unwrap_or(6000));
    let product = CreateCommandOption::new(CommandOptionType::String, "name", kb.msg(Msg::CommandAppProduct, Lang::En))
        .name_localized(ZH, "名称")
        .description_localized(ZH, kb.msg(Msg::CommandAppProduct, Lang::Zh))
        .required(true)
        .set_autocomplete(true);
    // /map: the /assess options, all optional, or one of the 27 products.
    let mut map = described(kb, Msg::CommandMapName, Msg::CommandMapDescription);
    for field in Field::ALL {
        map = map.add_option(field_option(kb, field).required(false));
    }
    let app = CreateCommandOption::new(CommandOptionType::String, "app", kb.msg(Msg::CommandMapApp, Lang::En))
        .name_localized(ZH, "产品")
        .description_localized(ZH, kb.msg(Msg::CommandMapApp, Lang::Zh))
        .required(false)
        .set_autocomplete(true);
    map = map.add_option(app);
    vec![
        assess,
        described(kb, Msg::CommandAskName, Msg::CommandAskDescription).add_option(question),
        described(kb, Msg::CommandLawName, Msg::CommandLawDescription).add_option(number_option(
            kb,
            Msg::CommandLawDescription,
            3,
        )),
        described(kb, Msg::CommandCorollaryName, Msg::CommandCorollaryDescription).add_option(number_option(
            kb,
            Msg::CommandCorollaryDescription,
            7,
        )),
        described(kb, Msg::CommandAppName, Msg::CommandAppDescription).add_option(product),
        described(kb, Msg::CommandHelpName, Msg::CommandHelpDescription),
        map,
    ]
}
