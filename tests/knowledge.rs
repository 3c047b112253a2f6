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
    let analysis = douyin.analysis.as_ref().expect("douyin.toml's analysis is Douyin's");
    let steps: Vec<RuleId> = analysis.steps.iter().map(|(r, _)| *r).collect();
    assert_eq!(steps, [RuleId::Corollary1, RuleId::Corollary2, RuleId::Corollary3, RuleId::Corollary4]);
    let a = assess(&douyin.profile);
    assert_eq!(a.primary, RuleId::Corollary6);
    assert_eq!(a.positioning.code(), "tool-with-chat");
    assert_eq!(a.outcome, Outcome::HostedTool);
    for f in &a.findings[1..5] {
        assert_eq!(f.verdict, Verdict::NotApplicable, "{}", f.rule);
    }

    let advice: Vec<&str> = analysis.advice.iter().map(|a| a.en.as_str()).collect();
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
    assert_eq!(REASON_KEYS.len(), 50);
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

// --- Issue 9: every sentence true to the article.

fn every_profile() -> Vec<imlaws::profile::Profile> {
    use imlaws::profile::*;
    let mut out = Vec::new();
    for &identity in Identity::ALL {
        for &audience in Audience::ALL {
            for &scenario in Scenario::ALL {
                for &host in Host::ALL {
                    for &device in Device::ALL {
                        for &stance in Stance::ALL {
                            for &coverage in Coverage::ALL {
                                for &community in Community::ALL {
                                    let role = Role::SelfRole;
                                    out.push(Profile {
                                        identity,
                                        audience,
                                        role,
                                        scenario,
                                        host,
                                        device,
                                        stance,
                                        coverage,
                                        community,
                                    });
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    out
}

/// Item 1: account import is the incumbent's weapon at a device shift. The incumbent is
/// told to carry its own accounts across; a challenger, to expect the company behind
/// the incumbent to do exactly that — never to import the incumbent's accounts itself.
#[test]
fn account_import_is_the_incumbents_weapon() {
    let kb = kb();
    let incumbent = kb.outcome(Outcome::NationalIncumbent);
    assert!(incumbent.advice.iter().any(|a| a.en.contains("carry your own accounts")), "{incumbent:?}");
    assert!(incumbent.advice.iter().any(|a| a.zh.contains("亲自把自己的账号带过去")), "{incumbent:?}");
    for o in [Outcome::NationalNextGen, Outcome::NationalChallenger] {
        let t = kb.outcome(o);
        let all: Vec<&Text> = std::iter::once(&t.summary).chain(&t.advice).collect();
        assert!(all.iter().any(|a| a.en.contains("company behind the")), "{o}: expect the incumbent's owner");
        assert!(all.iter().any(|a| a.zh.contains("背后的公司")), "{o}");
        for a in &all {
            assert!(!a.en.contains("Plan account import") && !a.en.contains("import accounts from"), "{o}: {}", a.en);
            assert!(!a.zh.contains("规划从现有全民应用"), "{o}: {}", a.zh);
        }
    }
    let next_gen = kb.outcome(Outcome::NationalNextGen);
    assert!(
        next_gen.advice.iter().any(|a| a.en.contains("owning the device")),
        "a challenger's chance is being the device"
    );
    // The article's own insight (corollary 7) and our law-3 advice point the same way.
    let c7 = kb.rule(RuleId::Corollary7);
    assert!(c7.insight && c7.advice.iter().any(|a| a.en.contains("hand its accounts to its successor")));
    let law3 = kb.rule(RuleId::Law3);
    assert!(law3.advice.iter().any(|a| a.en.contains("If you hold the seat, carry your own accounts")));
    // MiTalk lost to the incumbent's owner, not to an importer from outside.
    let mitalk = kb.product("MiTalk").unwrap();
    assert!(mitalk.outcome.as_ref().unwrap().en.contains("Tencent fed with QQ's accounts"));
}

/// Item 2, in words: reasons for chat inside a tool or a content platform read as
/// sentences in both languages, never call media a tool, and walk corollaries 1–4 in
/// terms of the host and the audience, the way the article walks Douyin.
#[test]
fn hosted_reasons_read_right_and_name_the_host() {
    let kb = kb();
    let douyin = kb.product("Douyin").unwrap();
    for lang in [Lang::En, Lang::Zh] {
        let r = report(&kb, douyin.profile, douyin.assumed, lang);
        let host = match lang {
            Lang::En => "content platform",
            Lang::Zh => "内容平台",
        };
        for line in &r.rules[..5] {
            assert!(
                line.reason.contains(host) || line.reason.contains("strangers") || line.reason.contains("陌生人"),
                "{}",
                line.reason
            );
        }
        let c6 = r.rules[7].reason;
        assert!(c6.contains("Douyin") || c6.contains("抖音"), "{c6}");
        assert!(!c6.contains("tool nature") && !c6.contains("工具属性"), "media is not a tool: {c6}");
        assert_eq!(r.rules[6].verdict, Verdict::NotApplicable, "the article does not use corollary 5 for Douyin");
    }
    for p in every_profile() {
        for lang in [Lang::En, Lang::Zh] {
            let r = report(&kb, p, Default::default(), lang);
            for line in &r.rules {
                let s = line.reason;
                for bad in [
                    "app app",
                    "tool app app",
                    "aims at interest community",
                    "compels interest community",
                    "On smartphone",
                    "on smartphone",
                    "broad public",
                    "应用应用",
                ] {
                    assert!(!s.contains(bad), "{p:?}: {s}");
                }
                assert!(!s.contains('{'), "{s}");
            }
        }
    }
}

/// Item 3: a mixed identity passes corollary 1, and the reason says why and what
/// would fail it; Telegram's and QQ's notes follow.
#[test]
fn a_mixed_identity_passes_corollary_1_and_the_notes_say_so() {
    let kb = kb();
    let mut input = imlaws::profile::ProfileInput::default();
    input.set_code(imlaws::profile::Field::Identity, "mixed");
    input.set_code(imlaws::profile::Field::Audience, "everyone");
    let (p, assumed) = imlaws::rules::complete(&input).unwrap();
    let en = report(&kb, p, assumed, Lang::En);
    assert_ne!(en.primary, RuleId::Corollary1);
    assert_eq!(en.rules[1].verdict, Verdict::Holds);
    assert!(en.rules[1].reason.contains("nicknames on top") && en.rules[1].reason.contains("anonymity at the core"));
    let zh = report(&kb, p, assumed, Lang::Zh);
    assert!(zh.rules[1].reason.contains("底层匿名"), "{}", zh.rules[1].reason);
    for name in ["Telegram", "QQ"] {
        let note = kb.product(name).unwrap().note.as_ref().unwrap();
        assert!(note.en.contains("corollary 1") && note.zh.contains("推论一"), "{name}: {note:?}");
    }
}

/// Item 4: only the article's cases and insights are labelled as the article's.
#[test]
fn only_the_articles_insight_is_labelled_as_the_articles() {
    let kb = kb();
    for id in RuleId::ALL {
        let has_insight = !matches!(id, RuleId::Law1 | RuleId::Law2 | RuleId::Law3 | RuleId::Corollary1);
        assert_eq!(kb.rule(id).insight, has_insight, "{id}: the article gives an insight for corollaries 2–7 only");
    }
    assert!(kb.rule(RuleId::Law2).cases.is_empty(), "law 2 names no cases in the article");
    let discussed: Vec<&str> = kb.products.iter().filter(|p| !p.discussed).map(|p| p.name.en.as_str()).collect();
    assert_eq!(discussed, ["MSN Messenger", "Duoshan", "Telegram"], "only in the article's table");
    let config = |file: &str| std::fs::read_to_string(format!("{}/config/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    for file in ["rules.toml", "outcomes.toml", "reasons.toml", "douyin.toml"] {
        let text = config(file);
        for ours in ["wearable", "可穿戴", "many countries", "多个国家"] {
            assert!(!text.contains(ours), "{file} claims `{ours}`, which the article does not say");
        }
    }
    // The article's hedge on enterprise replacements survives.
    let c2 = kb.rule(RuleId::Corollary2);
    assert!(c2.advice[0].en.contains("may") && c2.advice[0].zh.contains("可能"), "{:?}", c2.advice[0]);
}

/// Item 5: rules are numbered the article's way in Chinese, everywhere.
#[test]
fn chinese_numbers_rules_the_articles_way() {
    let kb = kb();
    let labels: Vec<&str> = RuleId::ALL.iter().map(|id| kb.rule_label(*id, Lang::Zh)).collect();
    assert_eq!(
        labels,
        ["第一定律", "推论一", "推论二", "推论三", "推论四", "第二定律", "推论五", "推论六", "第三定律", "推论七"]
    );
    assert_eq!(kb.rule_label(RuleId::Corollary5, Lang::En), "Corollary 5");
    let digit_label = regex::Regex::new(r"第\s*[0-9]+\s*定律|推论\s*[0-9]").unwrap();
    for file in FILES {
        let text = std::fs::read_to_string(format!("{}/config/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        for (i, line) in text.lines().enumerate() {
            assert!(!digit_label.is_match(line), "config/{file}:{}: {line}", i + 1);
        }
    }
    assert_eq!(kb.rule(RuleId::Corollary3).statement.zh, "特定文化群体（特定社群）可以存在独立的聊天应用。");
    assert!(kb.rule(RuleId::Corollary4).title.zh.ends_with("使用行为"));
    for m in [Msg::TitlePrimary, Msg::TitleAssess, Msg::OutlookConditional] {
        let t = kb.msg(m, Lang::Zh);
        assert!(!t.contains("决定因素") && !t.contains("前景有条件") && !t.contains("前景{outlook}"), "{m:?}: {t}");
    }
    let c2 = &kb.rule(RuleId::Corollary2).title.zh;
    assert!(!c2.contains("可靠"), "reads as 'reliable': {c2}");
}

/// A reason never carries a colon of its own: the trace already puts one after the
/// rule's name, and two in a row read badly.
#[test]
fn reasons_and_outcomes_carry_no_doubled_colon() {
    let kb = kb();
    for p in every_profile().into_iter().step_by(7) {
        let r = report(&kb, p, Default::default(), Lang::Zh);
        for line in &r.rules {
            assert!(!line.reason.contains('：'), "{}", line.reason);
        }
        let r = report(&kb, p, Default::default(), Lang::En);
        for line in &r.rules {
            assert!(!line.reason.contains(": "), "{}", line.reason);
        }
    }
    for p in &kb.products {
        if let Some(o) = &p.outcome {
            assert!(!o.zh.starts_with("失败：") && !o.en.starts_with("Failed:"), "{}", p.name.en);
        }
    }
}

/// Items 6 and 8: small facts and plain English.
#[test]
fn small_facts_are_right() {
    let kb = kb();
    let qq = kb.product("QQ").unwrap();
    assert_eq!(qq.profile.device.code(), "mobile", "QQ is assessed as it is now");
    let fetion = kb.product("Fetion").unwrap();
    assert!(fetion.row.en.contains("China Mobile users"), "{}", fetion.row.en);
    let trace = assess(&fetion.profile);
    assert_ne!(trace.findings[9].reason.key(), "corollary-7.challenger", "Fetion fought during the smartphone shift");
    assert!(fetion.note.as_ref().unwrap().en.contains("smartphone shift"));
    let d = kb.product("Douyin").unwrap().analysis.as_ref().unwrap();
    assert!(!d.conclusion.en.contains("work") && !d.conclusion.zh.contains("工作"), "{:?}", d.conclusion);
    assert!(d.conclusion.en.contains("media-social platform"));
}

use imlaws::lang::Text;

#[test]
fn a_rule_gives_the_articles_insight_or_our_advice_not_both() {
    let err =
        load_broken("both", "rules.toml", "cases = []\n", "cases = []\ninsight = [{ en = \"x\", zh = \"十\" }]\n");
    assert!(err.reason.contains("gives both `insight` and `advice`"), "{err}");
    assert!(err.line.is_some(), "{err}");
}

/// The article's analysis belongs to the product row douyin.toml names, whatever its
/// profile: naming another product moves it, naming none is refused with the line.
#[test]
fn the_analysis_follows_the_product_it_names() {
    let dir = common::config_copy("analysis");
    let path = dir.join("douyin.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replace(r#"product = "Douyin""#, r#"product = "陌陌""#)).unwrap();
    let kb = Kb::from_dir(&dir).unwrap();
    let with: Vec<&str> = kb.products.iter().filter(|p| p.analysis.is_some()).map(|p| p.name.en.as_str()).collect();
    assert_eq!(with, ["Momo"]);
    std::fs::write(&path, text.replace(r#"product = "Douyin""#, r#"product = "Kuaishou""#)).unwrap();
    let err = Kb::from_dir(&dir).unwrap_err();
    let line = text.lines().position(|l| l.starts_with("product =")).unwrap() + 1;
    assert_eq!(err.line, Some(line), "{err}");
    assert!(err.reason.contains("no product named `Kuaishou`"), "{err}");
    let _ = std::fs::remove_dir_all(dir);
}
