//! The knowledge base: the article's 27 products placed as the article places them,
//! the Douyin chain, both languages everywhere, and refusals of broken files.

mod common;

use imlaws::kb::{Kb, KbError, Msg, FILES};
use imlaws::lang::Lang;
use imlaws::rules::{assess, Outcome, RuleId, Verdict, REASON_KEYS};
use imlaws::verdict::report;

fn kb() -> Kb {
    Kb::builtin().expect("built-in knowledge base")
}

/// (English name, Chinese name, primary rule, positioning, outlook), as the article
/// places each product (the rule it illustrates it with).
const PLACES: [(&str, &str, &str, &str, &str); 27] = [
    ("WeChat", "微信", "law-1", "national-chat", "favorable"),
    ("QQ", "QQ", "corollary-4", "interest-community", "favorable"),
    ("Fetion", "飞信", "law-1", "national-chat", "unfavorable"),
    ("MiTalk", "米聊", "law-3", "national-chat", "conditional"),
    ("Yixin", "易信", "corollary-7", "national-chat", "unfavorable"),
    ("Laiwang", "来往", "corollary-7", "national-chat", "unfavorable"),
    ("MSN Messenger", "MSN Messenger", "corollary-2", "enterprise-campus", "favorable"),
    ("DingTalk", "钉钉", "corollary-2", "enterprise-campus", "favorable"),
    ("WeCom", "企业微信", "corollary-2", "enterprise-campus", "favorable"),
    ("Feishu", "飞书", "corollary-2", "enterprise-campus", "favorable"),
    ("Duoshan", "多闪", "corollary-5", "tool", "conditional"),
    ("Feiliao", "飞聊", "corollary-4", "interest-community", "unfavorable"),
    ("Douyin", "抖音", "corollary-6", "tool-with-chat", "conditional"),
    ("Momo", "陌陌", "corollary-5", "tool", "conditional"),
    ("Soul", "Soul", "corollary-5", "tool", "conditional"),
    ("Wangwang", "旺旺", "corollary-6", "tool-with-chat", "conditional"),
    ("Alipay", "支付宝", "corollary-6", "tool-with-chat", "conditional"),
    ("Telegram", "Telegram", "corollary-4", "interest-community", "favorable"),
    ("Messenger", "Messenger", "law-1", "national-chat", "favorable"),
    ("WhatsApp", "WhatsApp", "law-1", "national-chat", "favorable"),
    ("Line", "Line", "law-1", "national-chat", "favorable"),
    ("KakaoTalk", "KakaoTalk", "law-1", "national-chat", "favorable"),
    ("iMessage", "iMessage", "corollary-3", "subculture", "conditional"),
    ("Slack", "Slack", "corollary-2", "enterprise-campus", "favorable"),
    ("Teams", "Teams", "corollary-2", "enterprise-campus", "favorable"),
    ("Discord", "Discord", "corollary-4", "interest-community", "favorable"),
    ("Grindr", "Grindr", "corollary-3", "subculture", "conditional"),
];

#[test]
fn the_27_products_are_placed_as_the_article_places_them() {
    let kb = kb();
    assert_eq!(kb.products.len(), 27);
    for (en, zh, rule, positioning, outlook) in PLACES {
        let p = kb.product(en).unwrap_or_else(|| panic!("no product {en}"));
        assert_eq!(kb.product(zh).map(|q| &q.name.en), Some(&p.name.en), "{zh}");
        assert_eq!(p.name.zh, zh);
        let a = assess(&p.profile);
        assert_eq!((a.primary.id(), a.positioning.code(), a.outlook.code()), (rule, positioning, outlook), "{en}");
        assert_eq!(p.rule.id(), rule, "{en}");
    }
}

#[test]
fn the_failures_the_article_tells_are_unfavorable_or_lost() {
    let kb = kb();
    for name in ["Fetion", "Feiliao", "Laiwang", "Yixin"] {
        let p = kb.product(name).unwrap();
        assert_eq!(assess(&p.profile).outlook.code(), "unfavorable", "{name}");
        assert!(p.outcome.as_ref().is_some_and(|o| o.en.starts_with("Failed")), "{name}");
    }
    let c7 = kb.rule(RuleId::Corollary7);
    assert!(c7.cases.iter().any(|c| c.en.contains("Bullet Messenger") && c.en.contains("failed")));
}

#[test]
fn douyin_rules_out_corollaries_1_to_4_and_keeps_the_tool() {
    let kb = kb();
    let douyin = kb.product("抖音").unwrap();
    let steps: Vec<RuleId> = kb.douyin.steps.iter().map(|(r, _)| *r).collect();
    assert_eq!(steps, [RuleId::Corollary1, RuleId::Corollary2, RuleId::Corollary3, RuleId::Corollary4]);
    let a = assess(&douyin.profile);
    assert_eq!(a.primary, RuleId::Corollary6);
    assert_eq!(a.positioning.code(), "tool-with-chat");
    assert_eq!(a.outcome, Outcome::HostedTool);
    for f in &a.findings[1..5] {
        assert_eq!(f.verdict, Verdict::NotApplicable, "{}", f.rule);
    }
    let advice: Vec<&str> = kb.douyin.advice.iter().map(|a| a.en.as_str()).collect();
    assert!(advice.iter().any(|a| a.contains("Wangwang")) && advice.iter().any(|a| a.contains("WeCom")));
}

fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

#[test]
fn every_rule_product_and_message_exists_in_both_languages() {
    let kb = kb();
    for id in RuleId::ALL {
        let r = kb.rule(id);
        for t in [&r.title, &r.statement, &r.excerpt].into_iter().chain(&r.advice) {
            assert!(!t.en.is_empty() && has_cjk(&t.zh) && !has_cjk(&t.en), "{id}: {t:?}");
        }
        // Cases may be bare product names that read the same in both languages.
        for t in &r.cases {
            assert!(!t.en.is_empty() && !t.zh.is_empty() && !has_cjk(&t.en), "{id}: {t:?}");
        }
        assert!(!r.advice.is_empty(), "{id} has insight");
    }
    for p in &kb.products {
        assert!(has_cjk(&p.row.zh), "{}", p.name.en);
        if let Some(n) = &p.note {
            assert!(has_cjk(&n.zh) && !has_cjk(&n.en), "{}", p.name.en);
        }
    }
    for o in Outcome::ALL {
        let t = kb.outcome(*o);
        assert!(has_cjk(&t.summary.zh) && !has_cjk(&t.summary.en), "{o}");
    }
    for m in Msg::ALL {
        assert!(!kb.msg(*m, Lang::En).is_empty() && !kb.msg(*m, Lang::Zh).is_empty(), "{m:?}");
    }
    assert_eq!(REASON_KEYS.len(), 45);
}

#[test]
fn reports_are_worded_in_the_asked_language() {
    let kb = kb();
    let momo = kb.product("momo").unwrap();
    let en = report(&kb, momo.profile, momo.assumed, Lang::En);
    let zh = report(&kb, momo.profile, momo.assumed, Lang::Zh);
    assert_eq!(en.primary, zh.primary);
    assert!(en.rules.iter().all(|r| !has_cjk(r.reason)));
    assert!(zh.rules.iter().all(|r| has_cjk(r.reason)));
    assert!(!en.rules.iter().chain(&zh.rules).any(|r| r.reason.contains('{')), "placeholders filled");
}

#[test]
fn product_names_are_found_loosely_and_misspellings_suggested() {
    let kb = kb();
    assert_eq!(kb.product("msn messenger").unwrap().name.en, "MSN Messenger");
    assert_eq!(kb.product("MSNMessenger").unwrap().name.en, "MSN Messenger");
    assert_eq!(kb.product("  WECHAT ").unwrap().name.en, "WeChat");
    assert_eq!(kb.product("lark").unwrap().name.en, "Feishu");
    assert!(kb.product("wechta").is_none());
    assert_eq!(kb.near_products("wechta")[0].name.en, "WeChat");
    assert_eq!(kb.near_products("Dicsord")[0].name.en, "Discord");
    assert!(kb.near_products("weather forecast").is_empty());
    let we = kb.suggest_products("we", 25);
    assert_eq!(we[0].name.en, "WeChat");
    assert!(we.iter().any(|p| p.name.en == "WeCom"));
    assert_eq!(kb.suggest_products("", 25).len(), 25);
    assert_eq!(kb.suggest_products("微", 25)[0].name.en, "WeChat");
}

// --- Validation: a broken folder is refused with the file, the line and the fault.

fn load_broken(tag: &str, file: &str, from: &str, to: &str) -> KbError {
    let dir = common::config_copy(tag);
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} has {from}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    let err = match Kb::from_dir(&dir) {
        Ok(_) => panic!("{tag}: a broken {file} must be refused"),
        Err(e) => e,
    };
    let _ = std::fs::remove_dir_all(&dir);
    assert!(err.file.ends_with(file), "{err}");
    err
}

fn line_of(file: &str, needle: &str) -> usize {
    let text = std::fs::read_to_string(format!("{}/config/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    text.lines().position(|l| l.contains(needle)).unwrap() + 1
}

#[test]
fn the_shipped_folder_loads_like_the_builtin() {
    let dir = common::config_copy("ok");
    let from_dir = Kb::from_dir(&dir).expect("config/ loads");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(from_dir.products.len(), kb().products.len());
    assert_eq!(FILES.len(), 9);
}

#[test]
fn a_missing_translation_is_refused_at_its_line() {
    let needle = "statement.zh = \"企业和校园";
    let err = load_broken("zh", "rules.toml", needle, "# no zh");
    assert_eq!(err.line, Some(line_of("rules.toml", "statement.en = \"Enterprises and campuses")), "{err}");
    assert!(err.reason.contains("no `zh` text"), "{err}");
}

#[test]
fn an_unknown_rule_id_is_refused() {
    let err = load_broken("rule", "products.toml", "rule = \"corollary-5\"", "rule = \"corollary-9\"");
    assert!(err.reason.contains("unknown rule id `corollary-9`"), "{err}");
    assert_eq!(err.line, Some(line_of("products.toml", "rule = \"corollary-5\"")));
}

#[test]
fn an_unknown_code_is_refused() {
    let err = load_broken("code", "products.toml", "audience = \"strangers\"", "audience = \"aliens\"");
    assert!(err.reason.contains("unknown audience code `aliens`"), "{err}");
    assert!(err.line.is_some());
}

#[test]
fn a_duplicate_product_is_refused() {
    let err = load_broken(
        "dup",
        "products.toml",
        "name = { en = \"Soul\", zh = \"Soul\" }",
        "name = { en = \"Momo\", zh = \"陌陌2\" }",
    );
    assert!(err.reason.contains("duplicate product name `Momo`"), "{err}");
}

#[test]
fn a_product_placed_under_the_wrong_rule_is_refused() {
    let err = load_broken(
        "place",
        "products.toml",
        "profile = { identity = \"anonymous\", audience = \"interest-community\" }",
        "profile = { identity = \"anonymous\", audience = \"strangers\" }",
    );
    assert!(err.reason.contains("assessed under `corollary-5`"), "{err}");
}

#[test]
fn a_toml_syntax_error_is_refused_with_its_line() {
    let err = load_broken("syntax", "outcomes.toml", "id = \"campus\"", "id = \"campus");
    assert_eq!(err.line, Some(line_of("outcomes.toml", "id = \"campus\"")), "{err}");
}

#[test]
fn unknown_keys_and_placeholders_are_refused() {
    let err = load_broken("key", "rules.toml", "title.en = \"One national", "titel.en = \"One national");
    assert!(err.reason.contains("titel"), "{err}");
    let err = load_broken("ph", "reasons.toml", "{host} does not contend", "{hots} does not contend");
    assert!(err.reason.contains("{hots}"), "{err}");
    let err = load_broken("msg", "messages.toml", "\"heading.advice\"", "\"heading.advise\"");
    assert!(err.reason.contains("heading.advise"), "{err}");
}

#[test]
fn a_missing_file_is_named() {
    let dir = common::config_copy("missing");
    std::fs::remove_file(dir.join("douyin.toml")).unwrap();
    let Err(err) = Kb::from_dir(&dir) else { panic!("a missing file is refused") };
    let _ = std::fs::remove_dir_all(&dir);
    assert!(err.file.ends_with("douyin.toml") && err.line.is_none(), "{err}");
}

#[test]
fn every_product_whose_row_lists_several_values_says_which_one_is_assessed() {
    let kb = kb();
    for p in &kb.products {
        let several = p.row.zh.contains('、') || p.row.zh.contains("？？") || p.row.en.contains(", ");
        if several {
            assert!(p.note.is_some(), "{} lists several values and must say which one it is assessed by", p.name.en);
        }
    }
}
