//! The command table is the one home of a command: a new unit plus its words in
//! `config/` is registered, routed, read from a console line and from CLI arguments,
//! and listed in `/help`; a command renamed in a `--config` folder is refused at load.

mod common;

use imlaws::answer::Reply;
use imlaws::command::{self, parse_line, Asked, Command, Commands, Kind, Opt, Request};
use imlaws::kb::Kb;
use imlaws::lang::Lang;
use imlaws::rules::RuleId;
use std::path::Path;

/// A command the built-in table does not have: `/rule id:corollary-5`.
static RULE: Command = Command {
    name: "rule",
    about: "Show a law or corollary by its id",
    options: &[Opt { name: "id", kind: Kind::Text, required: true, rest: true, help: "law-1 … corollary-7" }],
    cli: &[],
    answer: |_, args, asked| {
        let id = args.get("id").unwrap_or("").trim();
        let rule = RuleId::ALL.iter().find(|r| r.id() == id).copied();
        rule.map(|r| Reply::Rule(r, asked.lang)).ok_or(imlaws::answer::UserError::StrayText(id.to_string()))
    },
};

const RULE_WORDS: &str = r#"
[command.rule]
name = { en = "rule", zh = "规则" }
description = { en = "A law or corollary by its id", zh = "按编号查看定律或推论" }
option.id = { name = { en = "id", zh = "编号" }, description = { en = "law-1 to corollary-7", zh = "law-1 到 corollary-7" } }
"#;

fn with_rule() -> Commands {
    let mut all: Vec<&'static Command> = Commands::builtin().iter().collect();
    all.push(&RULE);
    Commands::new(all)
}

fn append(dir: &Path, file: &str, text: &str) {
    let path = dir.join(file);
    let mut s = std::fs::read_to_string(&path).unwrap();
    s.push_str(text);
    std::fs::write(path, s).unwrap();
}

fn rule_of(reply: Result<Reply, imlaws::answer::UserError>) -> RuleId {
    match reply {
        Ok(Reply::Rule(id, _)) => id,
        other => panic!("a rule, not {other:?}"),
    }
}

#[test]
fn a_new_command_is_one_unit_plus_its_words() {
    let dir = common::config_copy("command-table");
    append(&dir, "messages.toml", RULE_WORDS);
    let kb = Kb::from_dir(&dir).unwrap();
    let commands = with_rule();
    command::check(&kb, &commands).expect("its words match the table");
    let asked = Asked { lang: Lang::En, forced: false, commands: &commands };

    // Registered, with its Chinese name and its option.
    let registered = serde_json::to_value(imlaws::discord::commands::of(&kb, &commands)).unwrap();
    let rule = registered.as_array().unwrap().iter().find(|c| c["name"] == "rule").expect("registered");
    assert_eq!(rule["name_localizations"]["zh-CN"], "规则");
    assert_eq!(rule["options"][0]["name"], "id");
    assert_eq!(rule["options"][0]["type"], 3, "a string option");
    assert_eq!(rule["options"][0]["required"], true);

    // Routed from a Discord interaction by its name, through the handler both
    // transports call: a public embed in the user's language.
    let routed = Request::from_interaction(&commands, "rule", [("id".to_string(), "law-2".to_string())]).unwrap();
    assert_eq!(rule_of(routed.answer(&kb, &asked)), RuleId::Law2);
    let json = common::discord::command("rule", common::discord::string_options(&[("id", "corollary-6")]), "zh-CN");
    let body = json.to_string();
    let interaction = imlaws::discord::Incoming::parse(body.as_bytes()).unwrap();
    let (answer, outcome) = imlaws::discord::answer_interaction_with(&kb, &commands, &interaction);
    assert_eq!(outcome, imlaws::metrics::Outcome::Answered);
    let body: serde_json::Value = serde_json::from_slice(&answer.into_parts().0.to_json()).unwrap();
    assert_eq!(body["type"], 4, "{body}");
    assert!(body["data"]["embeds"][0]["title"].as_str().unwrap().starts_with("推论六"), "{body}");
    // The built-in table does not know it: refused, in the user's language.
    let (answer, outcome) = imlaws::discord::answer_interaction(&kb, &interaction);
    assert_eq!(outcome, imlaws::metrics::Outcome::Refused);
    let body: serde_json::Value = serde_json::from_slice(&answer.into_parts().0.to_json()).unwrap();
    assert!(body["data"]["content"].as_str().unwrap().contains("/rule"), "{body}");

    // Read from a console line, bare or named.
    let line = parse_line(&commands, "/rule corollary-5").unwrap();
    assert_eq!(rule_of(line.answer(&kb, &asked)), RuleId::Corollary5);
    let named = parse_line(&commands, "/rule id:law-3").unwrap();
    assert_eq!(rule_of(named.answer(&kb, &asked)), RuleId::Law3);

    // Read from CLI arguments.
    let cli =
        clap::Command::new("imlaws").disable_help_subcommand(true).subcommands(commands.iter().map(Command::clap));
    let m = cli.try_get_matches_from(["imlaws", "rule", "corollary-7"]).unwrap();
    let (name, sub) = m.subcommand().unwrap();
    let request = commands.get(name).unwrap().from_clap(sub);
    assert_eq!(rule_of(request.answer(&kb, &asked)), RuleId::Corollary7);

    // Listed in /help, in both languages, after the built-in commands.
    let help = parse_line(&commands, "/help").unwrap();
    let Ok(Reply::Help(_, lines)) = help.answer(&kb, &asked) else { panic!("help") };
    assert_eq!(lines.last().unwrap(), &("rule", "/rule id:\"…\" — A law or corollary by its id".to_string()));
    let zh = Asked { lang: Lang::Zh, ..asked };
    let Ok(Reply::Help(_, lines)) = help.answer(&kb, &zh) else { panic!("help") };
    assert_eq!(lines.last().unwrap(), &("rule", "/rule id:\"…\" —— 按编号查看定律或推论".to_string()));
    let text = help.answer(&kb, &asked).unwrap().embed(&kb).description;
    assert!(text.contains("/rule id:\"…\""), "{text}");

    // The built-in table refuses the words of a command it does not have.
    let err = command::check(&kb, Commands::builtin()).unwrap_err();
    assert!(err.file.ends_with("messages.toml"), "{err}");
    assert!(err.reason.contains("[command.rule] is not a command"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

/// The line of `needle` in `dir/file`, 1-based.
fn line_of(dir: &Path, file: &str, needle: &str) -> usize {
    let text = std::fs::read_to_string(dir.join(file)).unwrap();
    text.lines().position(|l| l.contains(needle)).expect("the needle") + 1
}

#[test]
fn a_renamed_command_is_refused_at_load_with_file_and_line() {
    // The English name changed: Discord would register `apps` and nothing routes it.
    let dir = common::config_copy("renamed-command");
    let path = dir.join("messages.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace(r#"name = { en = "app", zh = "产品" }"#, r#"name = { en = "apps", zh = "产品" }"#),
    )
    .unwrap();
    let err = command::load_kb(Some(&dir)).unwrap_err();
    assert!(err.file.ends_with("messages.toml"), "{err}");
    assert_eq!(err.line, Some(line_of(&dir, "messages.toml", "[command.app]")), "{err}");
    assert!(err.reason.contains("`apps`") && err.reason.contains("must be `app`"), "{err}");

    // The binary refuses it the same way: exit 2, file and line on stderr.
    let run = common::run_within(
        std::process::Command::new(env!("CARGO_BIN_EXE_imlaws")).args(["--config", dir.to_str().unwrap(), "law", "1"]),
        std::time::Duration::from_secs(30),
    );
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    let at = format!("messages.toml:{}:", line_of(&dir, "messages.toml", "[command.app]"));
    assert!(stderr.contains(&at), "{stderr}");

    // The table renamed: [command.apps] is no command, and /app has no words.
    std::fs::write(&path, text.replace("[command.app]", "[command.apps]")).unwrap();
    let err = command::load_kb(Some(&dir)).unwrap_err();
    assert_eq!(err.line, Some(line_of(&dir, "messages.toml", "[command.apps]")), "{err}");
    assert!(err.reason.contains("[command.apps] is not a command; the commands are: assess, ask"), "{err}");

    // An option renamed.
    std::fs::write(&path, text.replace(r#"{ name = { en = "question","#, r#"{ name = { en = "query","#)).unwrap();
    let err = command::load_kb(Some(&dir)).unwrap_err();
    assert_eq!(err.line, Some(line_of(&dir, "messages.toml", "option.question")), "{err}");
    assert!(err.reason.contains("must be `question`"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_check_refuses_what_discord_would() {
    let dir = common::config_copy("command-limits");
    let path = dir.join("messages.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let refused = |changed: String| {
        std::fs::write(&path, changed).unwrap();
        command::load_kb(Some(&dir)).unwrap_err()
    };
    // A command's words missing: named, with the file.
    let start = text.find("[command.help]").unwrap();
    let err = refused(text[..start].to_string());
    assert!(err.file.ends_with("messages.toml") && err.reason.contains("[command.help] is missing"), "{err}");
    // A Chinese name Discord refuses (a space), and a description over 100 characters.
    let err = refused(text.replace(r#"zh = "评估""#, r#"zh = "评 估""#));
    assert!(err.reason.contains("Chinese name") && err.line.is_some(), "{err}");
    let long = "x".repeat(101);
    let err = refused(text.replace("What imlaws does and how to ask it", &long));
    assert!(err.reason.contains("1 to 100 characters (it has 101)"), "{err}");
    assert_eq!(err.line, Some(line_of(&dir, "messages.toml", "[command.help]")), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn help_lists_the_table_in_both_forms() {
    let kb = Kb::builtin().unwrap();
    let help = command::answer(&kb, &Request::help(), Lang::En).unwrap();
    let json = help.to_json(&kb);
    assert_eq!(json["commands"], serde_json::json!(["assess", "ask", "law", "corollary", "app", "map", "help"]));
    let text = json["help"].as_str().unwrap();
    assert!(text.starts_with("/assess identity:… audience:… [role scenario"), "{text}");
    assert!(
        text.contains("/map [identity audience role scenario host device stance coverage community | app:…] — "),
        "{text}"
    );
    assert_eq!(text.lines().count(), 7);
}

#[test]
fn the_cli_keeps_clap_help_for_a_command() {
    let run = common::run_within(
        std::process::Command::new(env!("CARGO_BIN_EXE_imlaws")).args(["help", "assess"]),
        std::time::Duration::from_secs(30),
    );
    assert_eq!(run.status.code(), Some(0));
    let out = String::from_utf8_lossy(&run.stdout);
    assert!(out.contains("--identity") && out.contains("--what-if"), "{out}");
}
