//! The console and the CLI, run as processes: stdout, stderr and exit codes.

mod common;

use common::{imlaws, imlaws_env};
use serde_json::Value;

#[test]
fn the_console_answers_assess_with_corollary_5() {
    let run = imlaws(&[], "/assess identity:anonymous audience:strangers\n");
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.starts_with("Tool · outlook conditional\n"), "{}", run.stdout);
    assert!(run.stdout.contains("Decided by Corollary 5: Stranger social is a tool in essence"));
    assert!(run.stdout.contains("use-and-leave"), "excerpt");
    assert!(run.stdout.contains("Advice\n  • Accept the tool nature"), "advice");
    assert!(run.stdout.contains("role: avatar (assumed)"), "profile with assumed defaults");
    assert!(run.stdout.contains("Source: 攀哥杨攀"), "source credit");
    assert!(!run.stdout.contains("**") && !run.stdout.contains('\x1b'), "plain text in a pipe");
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

#[test]
fn the_console_answers_in_chinese_with_lang_zh() {
    let run = imlaws(&["--lang", "zh"], "/assess identity:anonymous audience:strangers\n");
    assert_eq!(run.code, 0);
    assert!(run.stdout.starts_with("工具 · 前景视条件而定\n"), "{}", run.stdout);
    assert!(run.stdout.contains("由推论五决定：陌生人社交本质是工具"));
    assert!(run.stdout.contains("用完即走"));
}

#[test]
fn the_console_takes_every_command_and_keeps_going_after_errors() {
    let input = "\
# a comment, then a blank line

/law number:3
/law 4
/corollary 5
/corollary 0
/app name:微信
/app name:\"MSN Messenger\"
/app Wechta
/weather
/assess identity:实名 audience:企业
/assess identity:robot audience:enterprise
/assess identity:anonymous
/help
";
    let run = imlaws(&["console"], input);
    assert_eq!(run.code, 0);
    let out = &run.stdout;
    assert!(out.contains("Law 3: Each device-form change opens one chance"), "{out}");
    assert!(out.contains("Corollary 7: Before the next change of device form"), "law 3 lists corollary 7");
    assert!(out.contains("Corollary 5: Stranger social is a tool in essence"));
    assert!(out.contains("WeChat (微信) · National chat app · favorable"));
    assert!(out.contains("MSN Messenger · Enterprise and campus · favorable"));
    assert!(out.contains("Enterprise and campus · outlook favorable"), "Chinese aliases accepted");
    assert!(out.contains("imlaws: the three laws of IM apps"), "help");
    let errors: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(
        errors,
        [
            "error: There is no law 4: laws are numbered 1 to 3, e.g. /law 3.",
            "error: There is no corollary 0: corollaries are numbered 1 to 7, e.g. /corollary 5.",
            "error: `Wechta` is not one of the article's 27 products. Did you mean: WeChat (微信)?",
            "error: Unknown command `/weather`. Commands: /assess, /ask, /law, /corollary, /app, /map, /help.",
            "error: Unknown identity `robot`. Valid values: real-name, anonymous, mixed.",
            "error: `audience` is required. Valid values: everyone, acquaintances, enterprise, campus, subculture, interest-community, strangers, customers.",
        ]
    );
}

#[test]
fn assess_json_is_the_verdict_of_the_brief() {
    let run = imlaws(&["assess", "--identity", "anonymous", "--audience", "strangers", "--json"], "");
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(v["positioning"], "tool");
    assert_eq!(v["outlook"], "conditional");
    assert_eq!(v["primary"], "corollary-5");
    assert_eq!(
        v["profile"],
        serde_json::json!({"identity": "anonymous", "audience": "strangers", "role": "avatar", "scenario": "social",
            "host": "chat", "device": "mobile", "stance": "challenger", "coverage": "universal", "community": "backed"})
    );
    let ids: Vec<&str> = v["rules"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [
            "law-1",
            "corollary-1",
            "corollary-2",
            "corollary-3",
            "corollary-4",
            "law-2",
            "corollary-5",
            "corollary-6",
            "law-3",
            "corollary-7"
        ]
    );
    for r in v["rules"].as_array().unwrap() {
        assert!(["holds", "violated", "not-applicable"].contains(&r["verdict"].as_str().unwrap()));
        assert!(!r["reason"].as_str().unwrap().is_empty());
    }
    assert_eq!(v["excerpt"]["id"], "corollary-5");
    assert!(v["excerpt"]["text"].as_str().unwrap().contains("use-and-leave"));
    assert!(!v["advice"].as_array().unwrap().is_empty());
    assert_eq!(v["source"]["url"], "https://mp.weixin.qq.com/s/1kzRViKbVeVzlnXpy99rAQ");
    assert_eq!(v["assumed"].as_array().unwrap().len(), 7);
}

#[test]
fn json_codes_do_not_change_with_the_language() {
    let en = imlaws(&["assess", "--identity", "实名", "--audience", "enterprise", "--json"], "");
    let zh = imlaws(&["assess", "--identity", "real-name", "--audience", "企业", "--json", "--lang", "zh"], "");
    let (en, zh): (Value, Value) =
        (serde_json::from_str(&en.stdout).unwrap(), serde_json::from_str(&zh.stdout).unwrap());
    assert_eq!(en["profile"], zh["profile"]);
    assert_eq!((en["primary"].clone(), zh["primary"].clone()), ("corollary-2".into(), "corollary-2".into()));
    assert_ne!(en["excerpt"]["text"], zh["excerpt"]["text"]);
}

#[test]
fn law_corollary_and_app_print_text_and_json() {
    let law = imlaws(&["law", "3", "--json"], "");
    let v: Value = serde_json::from_str(&law.stdout).unwrap();
    assert_eq!((v["id"].as_str(), v["corollaries"][0].as_str()), (Some("law-3"), Some("corollary-7")));
    let c = imlaws(&["corollary", "5", "--lang", "zh"], "");
    assert!(c.stdout.starts_with("推论五：陌生人社交本质是工具"), "{}", c.stdout);
    let app = imlaws(&["app", "msn", "messenger", "--json"], "");
    let v: Value = serde_json::from_str(&app.stdout).unwrap();
    assert_eq!(v["name"]["en"], "MSN Messenger");
    assert_eq!(v["verdict"]["primary"], "corollary-2");
    let douyin = imlaws(&["app", "抖音"], "");
    assert!(douyin.stdout.contains("The article's analysis"), "{}", douyin.stdout);
    assert!(douyin.stdout.contains("Douyin's Wangwang"));
}

#[test]
fn bad_commands_exit_2_with_one_line_on_stderr() {
    let cases: [(&[&str], &str); 7] = [
        (&["assess", "--identity", "anonymous"], "error: `audience` is required. Valid values: everyone,"),
        (
            &["assess", "--identity", "ghost", "--audience", "strangers"],
            "error: Unknown identity `ghost`. Valid values: real-name, anonymous, mixed.",
        ),
        (
            &["assess", "--identity", "anonymous", "--audience", "strangers", "--device", "tv"],
            "error: Unknown device `tv`. Valid values: pc, mobile, next-gen.",
        ),
        (&["law", "4"], "error: There is no law 4: laws are numbered 1 to 3"),
        (&["corollary", "0"], "error: There is no corollary 0"),
        (&["corollary", "five"], "error: `five` is not a number"),
        (&["app", "Wechta"], "error: `Wechta` is not one of the article's 27 products. Did you mean: WeChat (微信)?"),
    ];
    for (args, expected) in cases {
        let run = imlaws(args, "");
        assert_eq!(run.code, 2, "{args:?}");
        assert!(run.stdout.is_empty(), "{args:?}");
        assert_eq!(run.stderr.lines().count(), 1, "{args:?}: {}", run.stderr);
        assert!(run.stderr.starts_with(expected), "{args:?}: {}", run.stderr);
    }
    let zh = imlaws(&["law", "9", "--lang", "zh"], "");
    assert_eq!(zh.stderr, "error: 没有编号为 9 的定律：定律只有三条，编号 1 到 3，例如 /law 3。\n");
    let clap = imlaws(&["assess", "--colour", "x"], "");
    assert_eq!(clap.code, 2);
    let lang = imlaws(&["law", "1", "--lang", "fr"], "");
    assert_eq!(lang.code, 2);
    assert!(lang.stderr.contains("unknown language `fr`; use en or zh"));
}

#[test]
fn a_broken_config_folder_is_refused_with_file_and_line() {
    let dir = common::config_copy("cli");
    let rules = dir.join("rules.toml");
    let text = std::fs::read_to_string(&rules).unwrap();
    std::fs::write(&rules, text.replacen("id = \"law-2\"", "id = \"law-4\"", 1)).unwrap();
    let run = imlaws(&["--config", dir.to_str().unwrap(), "law", "1"], "");
    let env = imlaws_env(&["law", "1"], "", &[("IMLAWS_CONFIG", dir.to_str().unwrap())]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(run.code, 2);
    assert!(run.stderr.starts_with("error: invalid knowledge base: "), "{}", run.stderr);
    assert!(run.stderr.contains("rules.toml:"), "{}", run.stderr);
    assert!(run.stderr.contains("unknown rule id `law-4`"), "{}", run.stderr);
    assert_eq!(env.stderr, run.stderr, "IMLAWS_CONFIG works like --config");
    let missing = imlaws(&["--config", "/nonexistent/imlaws", "law", "1"], "");
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.contains("/nonexistent/imlaws/source.toml: cannot read it"), "{}", missing.stderr);
}

#[test]
fn ask_answers_in_the_questions_language() {
    let en = imlaws(&["ask", "an anonymous app where strangers nearby can chat"], "");
    assert_eq!(en.code, 0, "{}", en.stderr);
    assert!(en.stdout.contains("Decided by Corollary 5"), "{}", en.stdout);
    assert!(en.stdout.contains("Understood from your question"));
    let zh = imlaws(&["ask", "面向企业员工的实名办公沟通工具"], "");
    assert_eq!(zh.code, 0, "{}", zh.stderr);
    assert!(zh.stdout.starts_with("企业与校园 · 前景看好"), "{}", zh.stdout);
    assert!(zh.stdout.contains("由推论二决定"));
    let forced = imlaws(&["ask", "面向企业员工的实名办公沟通工具", "--lang", "en"], "");
    assert!(forced.stdout.starts_with("Enterprise and campus · outlook favorable"), "{}", forced.stdout);
    let json = imlaws(&["ask", "an anonymous app for strangers", "--json"], "");
    let v: Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["primary"], "corollary-5");
    assert_eq!(v["recognition"]["recognised"][1]["code"], "strangers");
    let missing = imlaws(&["ask", "an anonymous chat app"], "");
    assert_eq!(missing.code, 2);
    assert!(missing.stderr.starts_with("error: I could not tell the audience"), "{}", missing.stderr);
    let long = "chat ".repeat(500);
    let too_long = imlaws(&["ask", &long], "");
    assert_eq!(too_long.code, 2);
    assert!(too_long.stderr.contains("the limit is 2000"));
}

#[test]
fn the_console_takes_plain_words_and_ask_lines() {
    let run = imlaws(&[], "an anonymous app where strangers nearby can chat\n/ask question:\"面向企业员工的实名办公沟通工具\"\n匿名聊天软件\n");
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("Decided by Corollary 5"));
    assert!(run.stdout.contains("由推论二决定"), "{}", run.stdout);
    assert_eq!(
        run.stderr.trim(),
        "error: 我无法判断产品的用户定位。请补充说明，例如“面向陌生人的匿名交友应用”，或使用 /assess。\n用户定位：全民、熟人、企业、校园、特定文化群体、兴趣社群、陌生人、交易对象",
        "names the field the decision needs, and its codes"
    );
}
