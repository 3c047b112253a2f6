//! The command table: the one home of every command. A [`Command`] holds its name,
//! its options (kinds, ranges, choices), the CLI-only flags it takes, and how it
//! answers; its words (the Chinese name, descriptions) are `[command.<name>]` in
//! `config/messages.toml`, checked against the table by [`check`].
//!
//! Everything else derives from the table: slash-command registration
//! (`discord::commands`), routing a Discord interaction ([`Request::from_interaction`]),
//! the console's slash lines ([`parse_line`]), the CLI's subcommands (the binary's
//! `cli`), `/help` and autocomplete. To add a command: one more `Command` in
//! [`BUILTIN`] and its `[command.<name>]` in messages.toml.

use crate::answer::{self, Reply, UserError};
use crate::kb::{Kb, KbError};
use crate::lang::Lang;
use crate::profile::Field;
use regex::Regex;
use std::sync::LazyLock;

/// Option and flag names that the answers and the terminal read: named once, here.
pub const QUESTION: &str = "question";
pub const NUMBER: &str = "number";
pub const NAME: &str = "name";
pub const APP: &str = "app";
/// `imlaws assess --what-if`: every change that would move the verdict.
pub const WHAT_IF: &str = "what-if";
/// `imlaws map --out FILE.png`.
pub const OUT: &str = "out";

/// What an option holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One of a profile field's codes (or an alias): the field's codes are the choices.
    Field(Field),
    /// A whole number within a range.
    Number { min: i64, max: i64 },
    /// One of the article's products, by name: autocompleted.
    Product,
    /// Free text, read in plain words (at most the lexicon's `max_chars`).
    Text,
}

/// One option of a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opt {
    /// The option's name: Discord's option name, the slash line's `name:`, the CLI's
    /// `--name` (a profile field's name for [`Kind::Field`]).
    pub name: &'static str,
    pub kind: Kind,
    pub required: bool,
    /// Bare words on a slash line, and the CLI's positional arguments, fill this option.
    pub rest: bool,
    /// The CLI's help for the option (profile fields list their codes instead).
    pub help: &'static str,
}

impl Opt {
    /// A profile field, required as `/assess` requires it.
    pub const fn field(field: Field) -> Opt {
        Opt { name: field.name(), kind: Kind::Field(field), required: field.required(), rest: false, help: "" }
    }
}

/// A flag only the terminal has (where the answer goes, how much of it to print).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CliFlag {
    pub name: &'static str,
    pub help: &'static str,
    /// `Some(value name)` for a flag that takes a value; `None` for a switch.
    pub value: Option<&'static str>,
    pub required: bool,
}

/// How a command is being answered: in which language, whether the user chose it,
/// and the table it was routed by (for `/help`).
#[derive(Debug, Clone, Copy)]
pub struct Asked<'t> {
    pub lang: Lang,
    /// The user chose `lang` (`--lang`); else a question is answered in its own language.
    pub forced: bool,
    pub commands: &'t Commands,
}

/// How a command answers its arguments.
pub type AnswerFn = for<'k> fn(&'k Kb, &Args, &Asked<'_>) -> Result<Reply<'k>, UserError>;

/// One command: everything that makes it, in one place.
#[derive(Debug)]
pub struct Command {
    /// The name users type and Discord routes by; its words are `[command.<name>]`.
    pub name: &'static str,
    /// The CLI's one-line help.
    pub about: &'static str,
    pub options: &'static [Opt],
    pub cli: &'static [CliFlag],
    pub answer: AnswerFn,
}

impl Command {
    pub fn option(&self, name: &str) -> Option<&'static Opt> {
        self.options.iter().find(|o| o.name.eq_ignore_ascii_case(name))
    }

    fn option_names(&self) -> Vec<&'static str> {
        self.options.iter().map(|o| o.name).collect()
    }

    /// The command as a clap subcommand: options as `--name` (profile fields list
    /// their codes), the option bare words fill as positional arguments, and the
    /// terminal-only flags.
    pub fn clap(&'static self) -> clap::Command {
        let mut cmd = clap::Command::new(self.name).about(self.about);
        for o in self.options {
            let help = match o.kind {
                Kind::Field(f) => f.codes().join(", "),
                _ => o.help.to_string(),
            };
            let arg = clap::Arg::new(o.name).help(help);
            cmd = cmd.arg(if o.rest {
                arg.required(o.required).num_args(1..).allow_negative_numbers(matches!(o.kind, Kind::Number { .. }))
            } else {
                arg.long(o.name)
            });
        }
        for f in self.cli {
            let arg = clap::Arg::new(f.name).long(f.name).help(f.help).required(f.required);
            cmd = cmd.arg(match f.value {
                Some(name) => arg.value_name(name).value_parser(clap::value_parser!(std::path::PathBuf)),
                None => arg.action(clap::ArgAction::SetTrue),
            });
        }
        cmd
    }

    /// The request a parsed [`Command::clap`] subcommand makes (positional words
    /// joined by spaces).
    pub fn from_clap(&'static self, m: &clap::ArgMatches) -> Request {
        let mut args = Vec::new();
        for o in self.options {
            if let Ok(Some(values)) = m.try_get_many::<String>(o.name) {
                args.push((o.name, values.map(String::as_str).collect::<Vec<_>>().join(" ")));
            }
        }
        Request { command: self, args: Args(args) }
    }

    /// How the command is typed, for `/help`: `/law number:1-3`,
    /// `/assess identity:… audience:… [role scenario …]`.
    pub fn usage(&self) -> String {
        let mut s = format!("/{}", self.name);
        let (mut optional, mut instead): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
        for o in self.options {
            let shown = match o.kind {
                Kind::Field(_) if !o.required => o.name.to_string(),
                Kind::Field(_) | Kind::Product => format!("{}:…", o.name),
                Kind::Number { min, max } => format!("{}:{min}-{max}", o.name),
                Kind::Text => format!("{}:\"…\"", o.name),
            };
            if o.required {
                s.push(' ');
                s.push_str(&shown);
            } else if matches!(o.kind, Kind::Field(_)) {
                optional.push(shown);
            } else {
                instead.push(shown);
            }
        }
        // Optional profile fields in one group; other optional options are the
        // alternative to them (`/map`: a profile or an app).
        let groups: Vec<String> =
            [optional, instead].into_iter().filter(|g| !g.is_empty()).map(|g| g.join(" ")).collect();
        if !groups.is_empty() {
            s.push_str(&format!(" [{}]", groups.join(" | ")));
        }
        s
    }
}

/// Option name and value pairs, in the order given: every front-end's arguments in
/// one shape.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Args(pub Vec<(&'static str, String)>);

impl Args {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }

    /// The pairs whose option is a profile field.
    fn profile(&self) -> Vec<(&'static str, String)> {
        self.0.iter().filter(|(n, _)| Field::from_name(n).is_some()).cloned().collect()
    }
}

/// A set of commands to route by: [`Commands::builtin`], or a test's own.
#[derive(Debug, Clone)]
pub struct Commands(Vec<&'static Command>);

impl Commands {
    /// The commands imlaws serves.
    pub fn builtin() -> &'static Commands {
        static BUILT: LazyLock<Commands> = LazyLock::new(|| Commands(BUILTIN.iter().collect()));
        &BUILT
    }

    pub fn new(commands: Vec<&'static Command>) -> Commands {
        Commands(commands)
    }

    pub fn iter(&self) -> impl Iterator<Item = &'static Command> + '_ {
        self.0.iter().copied()
    }

    pub fn get(&self, name: &str) -> Option<&'static Command> {
        self.iter().find(|c| c.name.eq_ignore_ascii_case(name))
    }

    fn names(&self) -> Vec<&'static str> {
        self.iter().map(|c| c.name).collect()
    }

    fn unknown(&self, command: String) -> UserError {
        UserError::UnknownCommand { command, known: self.names() }
    }

    /// `/help`'s lines: each command's name, usage and description, in the table's
    /// order.
    pub fn help(&self, kb: &Kb, lang: Lang) -> Vec<(&'static str, String)> {
        let dash = if lang == Lang::Zh { "——" } else { "—" };
        self.iter()
            .map(|c| {
                let about = kb.command(c.name).map_or(c.about, |t| t.description.get(lang));
                (c.name, format!("{} {dash} {about}", c.usage()))
            })
            .collect()
    }
}

/// A command with its arguments, ready to answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub command: &'static Command,
    pub args: Args,
}

impl PartialEq for Command {
    fn eq(&self, other: &Command) -> bool {
        self.name == other.name
    }
}
impl Eq for Command {}

impl Request {
    /// A built-in command by name, with its arguments (tests, benches, front-ends).
    ///
    /// # Panics
    /// If `name` is not a built-in command, or an argument is not one of its options
    /// or comes twice (programming errors: what users type goes through
    /// [`parse_line`] or [`Request::from_interaction`], which say what to fix).
    pub fn new(name: &str, args: &[(&str, &str)]) -> Request {
        let command = Commands::builtin().get(name).unwrap_or_else(|| panic!("no built-in command `{name}`"));
        let args = args.iter().map(|&(n, v)| (n, v.to_string()));
        Request::checked(command, args).unwrap_or_else(|e| panic!("`/{name}` with {e:?}"))
    }

    /// `/ask question:…`: a question in plain words.
    pub fn ask(question: &str) -> Request {
        Request::new("ask", &[(QUESTION, question)])
    }

    /// `/assess` with these options.
    pub fn assess(options: &[(&str, &str)]) -> Request {
        Request::new("assess", options)
    }

    /// `/law n`.
    pub fn law(n: i64) -> Request {
        Request::new("law", &[(NUMBER, &n.to_string())])
    }

    /// `/corollary n`.
    pub fn corollary(n: i64) -> Request {
        Request::new("corollary", &[(NUMBER, &n.to_string())])
    }

    /// `/app name:…`.
    pub fn app(name: &str) -> Request {
        Request::new("app", &[(NAME, name)])
    }

    /// `/map` with these options (a profile, or `app`).
    pub fn map(options: &[(&str, &str)]) -> Request {
        Request::new("map", options)
    }

    /// `/help`.
    pub fn help() -> Request {
        Request::new("help", &[])
    }

    /// Check the arguments against the command's options: known names, no repeats.
    /// Each name is the option's own from here on (`&'static`, in the table's case).
    fn checked<N: AsRef<str>>(
        command: &'static Command,
        pairs: impl IntoIterator<Item = (N, String)>,
    ) -> Result<Request, UserError> {
        let pairs = pairs.into_iter();
        let mut args: Vec<(&'static str, String)> = Vec::with_capacity(pairs.size_hint().0);
        for (name, value) in pairs {
            let name = name.as_ref();
            let Some(opt) = command.option(name) else {
                return Err(UserError::UnknownOption {
                    command: command.name,
                    option: name.to_string(),
                    valid: command.option_names(),
                });
            };
            if args.iter().any(|(n, _)| *n == opt.name) {
                return Err(UserError::DuplicateOption(opt.name.to_string()));
            }
            args.push((opt.name, value));
        }
        Ok(Request { command, args: Args(args) })
    }

    /// A Discord slash command, routed by its name. Discord checks choices and ranges
    /// in the client only, so every value is checked again when answered.
    pub fn from_interaction(
        commands: &Commands,
        name: &str,
        options: impl IntoIterator<Item = (impl AsRef<str>, String)>,
    ) -> Result<Request, UserError> {
        let command = commands.get(name).ok_or_else(|| commands.unknown(format!("/{name}")))?;
        Request::checked(command, options)
    }

    /// Answer in `asked.lang`.
    pub fn answer<'k>(&self, kb: &'k Kb, asked: &Asked<'_>) -> Result<Reply<'k>, UserError> {
        (self.command.answer)(kb, &self.args, asked)
    }
}

/// Answer a request of the built-in table in `lang` (a question in its own language).
pub fn answer<'k>(kb: &'k Kb, request: &Request, lang: Lang) -> Result<Reply<'k>, UserError> {
    request.answer(kb, &Asked { lang, forced: false, commands: Commands::builtin() })
}

/// One `name:value` or bare token of a slash line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Token {
    name: Option<String>,
    value: String,
}

static TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:([\p{L}\p{N}_-]+)[:：])?(?:"([^"]*)"|“([^”]*)”|([^\s"“”]+))"#).expect("token regex")
});

fn tokens(rest: &str) -> Result<Vec<Token>, UserError> {
    let mut out = Vec::new();
    let mut at = 0;
    for c in TOKEN.captures_iter(rest) {
        let whole = c.get(0).expect("match");
        if !rest[at..whole.start()].trim().is_empty() {
            return Err(UserError::UnclosedQuote);
        }
        at = whole.end();
        let value = c.get(2).or(c.get(3)).or(c.get(4)).map_or("", |m| m.as_str());
        out.push(Token { name: c.get(1).map(|m| m.as_str().to_string()), value: value.to_string() });
    }
    if !rest[at..].trim().is_empty() {
        return Err(UserError::UnclosedQuote);
    }
    Ok(out)
}

/// Parse one slash line, as typed in the console or after a mention:
/// `/assess identity:anonymous audience:strangers`, `/law 3`, `/app name:"MSN Messenger"`.
/// Plain words are a question (`/ask`).
pub fn parse_line(commands: &Commands, line: &str) -> Result<Request, UserError> {
    let line = line.trim();
    let Some(body) = line.strip_prefix('/').or_else(|| line.strip_prefix('／')) else {
        let ask = commands.get("ask").ok_or_else(|| commands.unknown(line.to_string()))?;
        return Ok(Request { command: ask, args: Args(vec![(QUESTION, line.to_string())]) });
    };
    let (name, rest) = match body.find(char::is_whitespace) {
        Some(i) => (&body[..i], body[i..].trim()),
        None => (body, ""),
    };
    if name.is_empty() {
        let help = commands.get("help").ok_or_else(|| commands.unknown("/".into()))?;
        return Ok(Request { command: help, args: Args::default() });
    }
    let command = commands.get(name).ok_or_else(|| commands.unknown(format!("/{}", name.to_lowercase())))?;
    if command.options.is_empty() {
        // Nothing to read: whatever follows is ignored, as Discord would.
        return Ok(Request { command, args: Args::default() });
    }
    let rest_opt = command.options.iter().find(|o| o.rest);
    if let Some(opt) = rest_opt.filter(|o| o.kind == Kind::Text) {
        // Free text is taken whole: `name:` and one pair of quotes are optional.
        let value = match tokens(rest) {
            Ok(toks) if matches!(toks.as_slice(), [Token { name: Some(n), .. }] if n.eq_ignore_ascii_case(opt.name)) => {
                toks[0].value.clone()
            }
            _ => strip_name(rest, opt.name).to_string(),
        };
        return Ok(Request { command, args: Args(vec![(opt.name, value)]) });
    }
    let mut pairs = Vec::new();
    let mut bare: Vec<String> = Vec::new();
    for t in tokens(rest)? {
        match t.name {
            Some(name) => pairs.push((name, t.value)),
            None if rest_opt.is_some() => bare.push(t.value),
            None => return Err(UserError::StrayText(t.value)),
        }
    }
    if let (Some(opt), false) = (rest_opt, bare.is_empty()) {
        if !pairs.is_empty() {
            return Err(UserError::StrayText(bare.join(" ")));
        }
        pairs.push((opt.name.to_string(), bare.join(" ")));
    }
    Request::checked(command, pairs)
}

fn strip_name<'a>(rest: &'a str, name: &str) -> &'a str {
    let lower = rest.get(..name.len()).map(str::to_ascii_lowercase);
    if lower.as_deref() == Some(name) {
        let after = &rest[name.len()..];
        if let Some(v) = after.strip_prefix(':').or_else(|| after.strip_prefix('：')) {
            return v;
        }
    }
    rest
}

/// Every command and its options in messages.toml, and nothing else: a renamed
/// command or option would register under one name and be routed by another.
pub fn check(kb: &Kb, commands: &Commands) -> Result<(), KbError> {
    let file = kb.commands.first().map_or_else(|| "messages.toml".to_string(), |c| c.at.file.clone());
    let names = commands.names().join(", ");
    for text in &kb.commands {
        let Some(command) = commands.get(&text.key).filter(|c| c.name == text.key) else {
            return Err(text.at.error(format!("[command.{}] is not a command; the commands are: {names}", text.key)));
        };
        for o in &text.options {
            if !command.options.iter().any(|opt| opt.name == o.key && !matches!(opt.kind, Kind::Field(_))) {
                let expected: Vec<&str> =
                    command.options.iter().filter(|o| !matches!(o.kind, Kind::Field(_))).map(|o| o.name).collect();
                return Err(o.at.error(format!(
                    "/{} has no option `{}` to describe here; its options with words of their own: {}",
                    command.name,
                    o.key,
                    if expected.is_empty() { "none".to_string() } else { expected.join(", ") }
                )));
            }
        }
    }
    for command in commands.iter() {
        let Some(text) = kb.command(command.name) else {
            return Err(KbError {
                file: file.clone(),
                line: None,
                reason: format!("[command.{}] is missing (the commands are: {names})", command.name),
            });
        };
        if text.name.en != command.name {
            return Err(text.at.error(format!(
                "command `{}` is named `{}` in English; it must be `{}`, the name Discord routes by",
                command.name, text.name.en, command.name
            )));
        }
        discord_name(&text.name.zh).map_err(|why| text.at.error(format!("/{}: Chinese name {why}", command.name)))?;
        description(&text.description).map_err(|why| text.at.error(format!("/{}: {why}", command.name)))?;
        for opt in command.options.iter().filter(|o| !matches!(o.kind, Kind::Field(_))) {
            let Some(o) = text.option(opt.name) else {
                return Err(text
                    .at
                    .error(format!("/{} needs `option.{}` with its name and description", command.name, opt.name)));
            };
            if o.name.en != opt.name {
                return Err(o.at.error(format!(
                    "option `{}` of /{} is named `{}` in English; it must be `{}`",
                    opt.name, command.name, o.name.en, opt.name
                )));
            }
            discord_name(&o.name.zh).map_err(|why| o.at.error(format!("option `{}`: Chinese name {why}", opt.name)))?;
            description(&o.description).map_err(|why| o.at.error(format!("option `{}`: {why}", opt.name)))?;
        }
    }
    Ok(())
}

/// Discord's rule for command and option names: 1–32 lower-case letters, digits, `-`
/// or `_`.
fn discord_name(name: &str) -> Result<(), String> {
    let n = name.chars().count();
    if n == 0 || n > 32 {
        return Err(format!("`{name}` must be 1 to 32 characters"));
    }
    if let Some(c) = name.chars().find(|c| !(c.is_alphanumeric() || *c == '-' || *c == '_') || c.is_uppercase()) {
        return Err(format!("`{name}` has `{c}`; use lower-case letters, digits, - or _"));
    }
    Ok(())
}

/// Discord's limit on descriptions: 1–100 characters.
fn description(text: &crate::lang::Text) -> Result<(), String> {
    for t in [&text.en, &text.zh] {
        let n = t.chars().count();
        if n == 0 || n > 100 {
            return Err(format!("description `{t}` must be 1 to 100 characters (it has {n})"));
        }
    }
    Ok(())
}

/// Load the knowledge base (the built-in one, or a folder's) and check it against the
/// built-in commands.
pub fn load_kb(dir: Option<&std::path::Path>) -> Result<Kb, KbError> {
    let kb = match dir {
        Some(dir) => Kb::from_dir(dir)?,
        None => Kb::builtin()?,
    };
    check(&kb, Commands::builtin())?;
    Ok(kb)
}

fn number(command: &'static str, args: &Args) -> Result<i64, UserError> {
    let value = args.get(NUMBER).ok_or(UserError::MissingNumber { command })?.trim();
    value.parse::<i64>().map_err(|_| UserError::NotANumber { command, value: value.to_string() })
}

/// `/assess`: one option per profile field, in the profile's order.
const PROFILE: [Opt; Field::COUNT] = {
    let mut out = [Opt::field(Field::Identity); Field::COUNT];
    let mut i = 0;
    while i < Field::COUNT {
        out[i] = Opt::field(Field::ALL[i]);
        i += 1;
    }
    out
};

/// `/map`: the profile's options, all of them optional, or one of the products.
const MAP_OPTIONS: [Opt; Field::COUNT + 1] = {
    let app = Opt {
        name: APP,
        kind: Kind::Product,
        required: false,
        rest: false,
        help: "Mark one of the article's 27 products instead of a profile (English or Chinese name)",
    };
    let mut out = [app; Field::COUNT + 1];
    let mut i = 0;
    while i < PROFILE.len() {
        out[i] = Opt { required: false, ..PROFILE[i] };
        i += 1;
    }
    out
};

/// The commands, in the order `/help` lists them.
pub static BUILTIN: [Command; 7] = [
    Command {
        name: "assess",
        about: "Assess a product from its profile codes",
        options: &PROFILE,
        cli: &[CliFlag {
            name: WHAT_IF,
            help: "List every change that would move the verdict, not only the three most useful",
            value: None,
            required: false,
        }],
        answer: |kb, args, asked| answer::assess(kb, &args.0, asked.lang),
    },
    Command {
        name: "ask",
        about: "Describe a product in your own words (English or Chinese)",
        options: &[Opt {
            name: QUESTION,
            kind: Kind::Text,
            required: true,
            rest: true,
            help: "The question, e.g. \"an anonymous app where strangers nearby can chat\"",
        }],
        cli: &[],
        answer: |kb, args, asked| answer::ask(kb, args.get(QUESTION).unwrap_or(""), asked.forced.then_some(asked.lang)),
    },
    Command {
        name: "law",
        about: "Show a law (1–3) and its corollaries",
        options: &[Opt {
            name: NUMBER,
            kind: Kind::Number { min: 1, max: 3 },
            required: true,
            rest: true,
            help: "1, 2 or 3",
        }],
        cli: &[],
        answer: |_, args, asked| answer::law(number("law", args)?, asked.lang),
    },
    Command {
        name: "corollary",
        about: "Show a corollary (1–7), its cases and insight",
        options: &[Opt {
            name: NUMBER,
            kind: Kind::Number { min: 1, max: 7 },
            required: true,
            rest: true,
            help: "1 to 7",
        }],
        cli: &[],
        answer: |_, args, asked| answer::corollary(number("corollary", args)?, asked.lang),
    },
    Command {
        name: "app",
        about: "Show one of the article's 27 products (English or Chinese name)",
        options: &[Opt {
            name: NAME,
            kind: Kind::Product,
            required: true,
            rest: true,
            help: "The product's name, e.g. WeChat, 微信, \"MSN Messenger\"",
        }],
        cli: &[],
        answer: |kb, args, asked| answer::app(kb, args.get(NAME).ok_or(UserError::MissingName)?, asked.lang),
    },
    Command {
        name: "map",
        about: "Draw the positioning map (PNG): the 27 products, with a profile or one of them marked",
        options: &MAP_OPTIONS,
        cli: &[CliFlag {
            name: OUT,
            help: "Write the PNG here (`-`: standard output)",
            value: Some("FILE.png"),
            required: true,
        }],
        answer: |kb, args, asked| answer::map(kb, &args.profile(), args.get(APP), asked.lang),
    },
    Command {
        name: "help",
        about: "What imlaws does and how to ask it",
        options: &[],
        cli: &[],
        answer: |kb, _, asked| Ok(Reply::Help(asked.lang, asked.commands.help(kb, asked.lang))),
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Result<Request, UserError> {
        parse_line(Commands::builtin(), line)
    }

    #[test]
    fn parses_slash_lines() {
        assert_eq!(
            parse("/assess identity:anonymous audience:strangers").unwrap(),
            Request::assess(&[("identity", "anonymous"), ("audience", "strangers")])
        );
        assert_eq!(
            parse("/assess identity：实名 audience:\"interest-community\"").unwrap(),
            Request::assess(&[("identity", "实名"), ("audience", "interest-community")])
        );
        assert_eq!(parse("/law number:3").unwrap(), Request::law(3));
        assert_eq!(parse("/law 3").unwrap(), Request::law(3));
        assert_eq!(parse("/Corollary 5").unwrap(), Request::corollary(5));
        assert_eq!(parse("/app name:微信").unwrap(), Request::app("微信"));
        assert_eq!(parse("/app name:\"MSN Messenger\"").unwrap(), Request::app("MSN Messenger"));
        assert_eq!(parse("/app MSN Messenger").unwrap(), Request::app("MSN Messenger"));
        assert_eq!(parse("/help").unwrap(), Request::help());
        assert_eq!(parse("/").unwrap(), Request::help());
        assert_eq!(parse("/map app:Momo").unwrap(), Request::map(&[("app", "Momo")]));
        // Option names are matched without case and stored as the table names them.
        assert_eq!(parse("/assess Identity:anonymous").unwrap(), Request::assess(&[("identity", "anonymous")]));
    }

    #[test]
    fn refuses_bad_lines() {
        let kb = Kb::builtin().unwrap();
        let asked = Asked { lang: Lang::En, forced: false, commands: Commands::builtin() };
        let answered = |line: &str| parse(line).and_then(|r| r.answer(&kb, &asked).map(|_| ()));
        assert_eq!(answered("/law x").unwrap_err(), UserError::NotANumber { command: "law", value: "x".into() });
        assert_eq!(answered("/law").unwrap_err(), UserError::MissingNumber { command: "law" });
        assert_eq!(parse("/app name:\"MSN").unwrap_err(), UserError::UnclosedQuote);
        assert_eq!(parse("/assess anonymous").unwrap_err(), UserError::StrayText("anonymous".into()));
        let UserError::UnknownCommand { command, known } = parse("/weather").unwrap_err() else { panic!() };
        assert_eq!(
            (command.as_str(), known),
            ("/weather", vec!["assess", "ask", "law", "corollary", "app", "map", "help"])
        );
        assert_eq!(
            parse("/law n:3").unwrap_err(),
            UserError::UnknownOption { command: "law", option: "n".into(), valid: vec!["number"] }
        );
        assert_eq!(
            parse("/assess identity:anonymous identity:real-name").unwrap_err(),
            UserError::DuplicateOption("identity".into())
        );
        let UserError::UnknownOption { valid, .. } = parse("/map colour:red").unwrap_err() else { panic!() };
        assert!(valid.contains(&"app") && valid.contains(&"identity"), "{valid:?}");
    }

    #[test]
    fn usage_lines_come_from_the_options() {
        let c = |name| Commands::builtin().get(name).unwrap().usage();
        assert_eq!(c("law"), "/law number:1-3");
        assert_eq!(c("ask"), "/ask question:\"…\"");
        assert_eq!(c("assess"), "/assess identity:… audience:… [role scenario host device stance coverage community]");
        assert_eq!(c("help"), "/help");
        assert_eq!(c("map"), "/map [identity audience role scenario host device stance coverage community | app:…]");
    }

    #[test]
    fn the_built_in_knowledge_base_names_every_command_as_the_table_does() {
        check(&Kb::builtin().unwrap(), Commands::builtin()).unwrap();
    }
}
