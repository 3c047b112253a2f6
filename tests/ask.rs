//! Questions in plain words: the corpus in `ask_corpus.toml` (accuracy must stay at or
//! above 95 %), the answers' shape, and a property test that no text panics.

use imlaws::answer::{Reply, UserError};
use imlaws::command::{answer, Commands, Request};

fn parse_line(line: &str) -> Result<Request, UserError> {
    imlaws::command::parse_line(Commands::builtin(), line)
}
use imlaws::ask::AskError;
use imlaws::kb::Kb;
use imlaws::lang::Lang;
use imlaws::profile::Field;
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::sync::LazyLock;

static KB: LazyLock<Kb> = LazyLock::new(|| Kb::builtin().expect("knowledge base"));

fn ask(text: &str) -> Result<Reply<'static>, UserError> {
    answer(&KB, &Request::ask(text), Lang::En)
}

/// How a corpus split was read: every miss, and per field what was expected and read.
#[derive(Default)]
struct Score {
    cases: usize,
    chinese: usize,
    misses: Vec<String>,
    primary_right: usize,
    /// (field, expected, read) → count, over the fields the corpus states.
    confusion: BTreeMap<(&'static str, String, String), usize>,
}

impl Score {
    fn accuracy(&self) -> f64 {
        100.0 * (self.cases - self.misses.len()) as f64 / self.cases as f64
    }

    fn print(&self, split: &str) {
        println!(
            "ask corpus, {split} split: {}/{} right ({:.1} %), primary or ask right {}/{}; {} Chinese",
            self.cases - self.misses.len(),
            self.cases,
            self.accuracy(),
            self.primary_right,
            self.cases,
            self.chinese
        );
        println!("  per field (expected → read: count, wrong ones only):");
        for ((field, want, got), n) in &self.confusion {
            if want != got {
                println!("    {field}: {want} → {got}: {n}");
            }
        }
        for m in &self.misses {
            println!("{m}");
        }
    }
}

/// One corpus case against what imlaws answered: `None` when right, else what differs.
fn check(case: &toml::Table, score: &mut Score) -> Option<String> {
    let text = case["text"].as_str().unwrap();
    let expect_field = |f: Field| case.get(f.name()).and_then(|v| v.as_str());
    let mut confuse = |f: Field, got: &str| {
        if let Some(want) = expect_field(f) {
            *score.confusion.entry((f.name(), want.to_string(), got.to_string())).or_default() += 1;
        }
    };
    let (wrong, primary_right) = match ask(text) {
        Ok(Reply::Ask(report, _)) => {
            let mut wrong = Vec::new();
            for f in Field::ALL {
                let got = report.profile.code(f).unwrap_or("(not stated)");
                confuse(f, got);
                if let Some(code) = expect_field(f) {
                    if got != code {
                        wrong.push(format!("{f}={got} (want {code})"));
                    }
                }
            }
            let primary_right = match case.get("primary").and_then(|v| v.as_str()) {
                Some(primary) if report.primary.id() != primary => {
                    wrong.push(format!("primary={} (want {primary})", report.primary));
                    false
                }
                Some(_) => true,
                None => {
                    wrong.push(format!("answered {} but should have asked", report.primary));
                    false
                }
            };
            (wrong, primary_right)
        }
        Ok(_) => (vec!["not an ask reply".into()], false),
        Err(UserError::Needs { needed: missing, .. }) => {
            for f in Field::ALL {
                confuse(f, if missing.contains(&f) { "(asked)" } else { "(not reached)" });
            }
            let want: Vec<&str> = case
                .get("ask")
                .and_then(|v| v.as_array())
                .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
                .unwrap_or_default();
            let got: Vec<&str> = missing.iter().map(|f| f.name()).collect();
            let right = got == want;
            ((!right).then(|| format!("asked for {got:?} (want {want:?})")).into_iter().collect(), right)
        }
        Err(UserError::Ask(AskError::OffTopic, _)) => {
            let right = case.get("off_topic").and_then(|v| v.as_bool()) == Some(true);
            ((!right).then(|| "called off-topic".to_string()).into_iter().collect(), right)
        }
        Err(e) => (vec![format!("error {e:?}")], false),
    };
    score.primary_right += usize::from(primary_right);
    (!wrong.is_empty()).then(|| wrong.join(", "))
}

fn score(corpus: &str) -> Score {
    let corpus: toml::Table = toml::from_str(corpus).expect("corpus");
    let cases = corpus["q"].as_array().expect("[[q]]");
    let han = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    let mut score = Score { cases: cases.len(), ..Score::default() };
    for case in cases {
        let case = case.as_table().unwrap();
        let text = case["text"].as_str().unwrap();
        score.chinese += usize::from(han(text));
        if let Some(why) = check(case, &mut score) {
            score.misses.push(format!("  {text:?}: {why}"));
        }
    }
    score
}

/// The corpus written alongside the lexicon: at least 250 questions, half Chinese.
#[test]
fn the_corpus_is_understood_at_95_percent_or_better() {
    let s = score(include_str!("ask_corpus.toml"));
    s.print("seen");
    assert!(s.cases >= 250 && s.chinese * 2 >= s.cases, "{} cases, {} Chinese", s.cases, s.chinese);
    assert!(s.accuracy() >= 95.0, "accuracy {:.1} % < 95 %:\n{}", s.accuracy(), s.misses.join("\n"));
}

/// Questions written by someone who never saw the lexicon, scored once before any
/// change to it (BENCHMARKS.md), and since then fixed only by classes of misses.
#[test]
fn the_unseen_split_is_understood_at_95_percent_or_better() {
    let s = score(include_str!("ask_unseen.toml"));
    s.print("unseen");
    assert!(s.cases >= 80, "{} cases", s.cases);
    assert!(s.accuracy() >= 95.0, "accuracy {:.1} % < 95 %:\n{}", s.accuracy(), s.misses.join("\n"));
}

#[test]
fn the_issue_examples() {
    let Ok(Reply::Ask(r, _)) = ask("an anonymous app where strangers nearby can chat") else { panic!() };
    assert_eq!((r.primary.id(), r.lang), ("corollary-5", Lang::En));
    let Ok(Reply::Ask(r, rec)) = ask("面向企业员工的实名办公沟通工具") else { panic!() };
    assert_eq!((r.primary.id(), r.lang), ("corollary-2", Lang::Zh), "answers in Chinese");
    assert_eq!(rec.language, "zh");
    let e = r.excerpt.text;
    assert!(e.contains("雇主"), "{e}");
    let Err(e) = ask("an anonymous chat app") else { panic!("no audience must ask for it") };
    assert_eq!(
        e.message(&KB, Lang::Zh),
        "I could not tell the audience of your product. Add it in words, e.g. \"an anonymous app for strangers nearby\", or use /assess.\naudience: everyone, acquaintances, enterprise, campus, subculture, interest community, strangers, customers",
        "the question's language wins"
    );
    let Err(e) = ask("匿名聊天软件") else { panic!() };
    assert!(e.message(&KB, Lang::En).starts_with("我无法判断产品的用户定位"), "{}", e.message(&KB, Lang::En));
}

#[test]
fn the_reply_reports_what_it_recognised_and_assumed() {
    let Ok(reply @ Reply::Ask(..)) = ask("An anonymous app for strangers, not for friends") else { panic!() };
    let v = reply.to_json(&KB);
    assert_eq!(v["primary"], "corollary-5");
    let rec = &v["recognition"];
    assert_eq!(rec["recognised"][0]["field"], "identity");
    assert_eq!(rec["recognised"][0]["words"][0], "anonymous");
    assert_eq!(rec["negated"][0], "not for friends");
    assert!(rec["assumed"].as_array().unwrap().iter().any(|f| f == "device"));
    let embed = reply.embed(&KB);
    let understood = embed.fields.iter().find(|f| f.name == "Understood from your question").expect("field");
    assert!(understood.value.contains("identity: anonymous ← “anonymous”"), "{}", understood.value);
    let Ok(Reply::Ask(_, rec)) = ask("a Momo for pet owners") else { panic!() };
    assert_eq!(rec.borrowed[0].product, "Momo");
}

#[test]
fn bad_questions_get_clear_answers() {
    let msg = |text: &str| ask(text).err().map(|e| e.message(&KB, Lang::En)).unwrap_or_default();
    assert!(msg("").starts_with("The question is empty"));
    assert!(msg("   \t\n").starts_with("The question is empty"));
    assert!(msg("🚀🔥💬").starts_with("The question is empty"));
    // Control characters are read as spaces: a terminal escape leaves "[31m", which says
    // nothing of a product; control characters alone leave nothing at all.
    assert!(msg("\u{0}\u{7}\u{1b}[31m").starts_with("That does not sound like a chat product"));
    assert!(msg("\u{0}\u{7}").starts_with("The question is empty"));
    assert!(msg("what's the weather").starts_with("That does not sound like a chat product"));
    let long = "chat ".repeat(2000);
    assert_eq!(
        msg(&long),
        "The question is 10000 characters long; the limit is 2000. Shorten it to the essentials: who the users are and whether they use real names."
    );
    let Ok(Reply::Ask(r, _)) = ask("an anonymous 🚀 app for strangers\u{7} nearby 💬") else {
        panic!("emoji and control characters are ignored")
    };
    assert_eq!(r.primary.id(), "corollary-5");
}

#[test]
fn console_lines_in_plain_words_are_questions() {
    assert_eq!(parse_line("an app for strangers").unwrap(), Request::ask("an app for strangers"));
    assert_eq!(parse_line("/ask question:\"an app for strangers\"").unwrap(), Request::ask("an app for strangers"));
    assert_eq!(parse_line("/ask 匿名 陌生人").unwrap(), Request::ask("匿名 陌生人"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Whatever is typed gets an answer or a message saying what to fix, never nothing.
    #[test]
    fn any_text_gets_an_answer_or_a_message(text in "\\PC{0,300}") {
        match ask(&text) {
            Ok(reply) => {
                let e = reply.embed(&KB);
                prop_assert!(!e.title.is_empty() && !e.description.is_empty() && !e.fields.is_empty());
            }
            Err(e) => prop_assert!(!e.message(&KB, Lang::En).trim().is_empty()),
        }
        if let Ok(r) = parse_line(&text) {
            match answer(&KB, &r, Lang::Zh) {
                Ok(reply) => prop_assert!(!reply.embed(&KB).title.is_empty()),
                Err(e) => prop_assert!(!e.message(&KB, Lang::Zh).trim().is_empty()),
            }
        }
    }

    #[test]
    fn no_mix_of_words_panics(words in proptest::collection::vec(
        prop::sample::select(vec!["anonymous", "not", "strangers", "不是", "匿名", "企业", "，", "VR", "Momo", "微信", "no", "real-name", "🚀", "\u{0}", "\"", "/ask", "friends"]), 0..25)) {
        let text = words.join(" ");
        let _ = ask(&text);
        let _ = ask(&words.concat());
    }
}

/// What the profile reads for `text`: the primary rule, or the fields asked for.
fn outcome(text: &str) -> String {
    match ask(text) {
        Ok(Reply::Ask(r, _)) => r.primary.id().to_string(),
        Err(UserError::Needs { needed: m, .. }) => {
            format!("ask {}", m.iter().map(|f| f.name()).collect::<Vec<_>>().join("+"))
        }
        Err(e) => format!("{e:?}"),
        Ok(_) => "not an ask reply".into(),
    }
}

fn field(text: &str, f: Field) -> Option<&'static str> {
    match ask(text) {
        Ok(Reply::Ask(r, _)) => r.profile.code(f),
        _ => None,
    }
}

/// Each class of misfire the plain-words issue found, on sentences of our own.
#[test]
fn only_what_the_decision_needs_is_asked_for() {
    assert_eq!(outcome("an app to find travel buddies on the road"), "corollary-5");
    assert_eq!(outcome("我们的外卖App想加个骑手和顾客的聊天"), "corollary-6");
    assert_eq!(outcome("our short video platform wants a DM feature"), "corollary-6");
    assert_eq!(outcome("a chat app for k-pop fans"), "corollary-3");
    assert_eq!(outcome("a chat app for the whole country"), "ask identity");
    assert_eq!(outcome("a chat app"), "ask identity+audience");
    // Not stated and not needed: null in JSON, listed as unknown, shown as such.
    let Ok(reply @ Reply::Ask(..)) = ask("an app to find travel buddies on the road") else { panic!() };
    let v = reply.to_json(&KB);
    assert_eq!(v["profile"]["identity"], serde_json::Value::Null);
    assert_eq!(v["unknown"], serde_json::json!(["identity", "role"]));
    let text = reply.embed(&KB).to_text(false);
    assert!(text.contains("not stated (it would not change this verdict)"), "{text}");
}

#[test]
fn latin_cues_match_whole_words_only() {
    for text in [
        "a real-name messenger where families share albums and start group calls",
        "real-name chat for the whole nation; we will board new users by carrier partnerships",
    ] {
        assert_eq!(field(text, Field::Device), Some("mobile"), "{text}");
        assert_eq!(outcome(text), "corollary-7", "{text}");
    }
    assert_eq!(field("a real-name chat app for everyone on AR glasses", Field::Device), Some("next-gen"));
    assert_eq!(outcome("like momo but for cat people"), "corollary-5", "product names regardless of case");
}

#[test]
fn a_statement_beats_an_incidental_cue() {
    assert_eq!(field("an anonymous chat community for the hip-hop scene", Field::Audience), Some("subculture"));
    assert_eq!(field("一个给说唱圈子用的匿名聊天社区", Field::Audience), Some("subculture"));
    assert_eq!(field("实名的校园聊天，面向全国高校学生", Field::Audience), Some("campus"));
    assert_eq!(field("LGBT dating chat under nicknames", Field::Audience), Some("subculture"));
}

#[test]
fn negation_reaches_both_ways_and_contrast_is_read() {
    assert_eq!(field("实名认证？不需要。给附近的陌生人聊天用", Field::Identity), Some("anonymous"));
    assert_eq!(field("real names? nope. it's for strangers nearby", Field::Identity), Some("anonymous"));
    assert_eq!(
        field("员工不用露真名的企业吐槽群", Field::Audience),
        Some("enterprise"),
        "a negation that goes on is not a comment"
    );
    assert_eq!(field("员工不用露真名的企业吐槽群", Field::Identity), Some("anonymous"));
    assert_eq!(field("not for strangers but for old friends, real names", Field::Audience), Some("acquaintances"));
    assert_eq!(field("real names at the core, nicknames on top, for everyone", Field::Identity), Some("mixed"));
}

#[test]
fn coverage_and_incumbency_in_other_words() {
    assert_eq!(
        field("a real-name messenger where only your existing contacts can message you", Field::Coverage),
        Some("universal")
    );
    assert_eq!(
        field("real-name chat for everyone, but only AT&T or Verizon subscribers can register", Field::Coverage),
        Some("restricted")
    );
    assert_eq!(
        field("real-name chat for everyone, but only AT&T or Verizon subscribers can register", Field::Audience),
        Some("everyone")
    );
    assert_eq!(outcome("the chat app 80% of Brazilians already use is ours, real names"), "law-1");
    assert_eq!(outcome("这个国家人人都在用的聊天软件就是我们的，实名"), "law-1");
}

#[test]
fn a_target_lends_its_ground_a_model_its_profile() {
    assert_eq!(outcome("we want to beat WhatsApp with a new messenger"), "ask identity");
    assert_eq!(outcome("我们要干掉微信"), "ask identity");
    // QQ today stands in its communities: beating it lends that ground, not its identity.
    assert_eq!(field("我们要干掉QQ", Field::Identity), None);
    assert_eq!(field("a Momo for dog owners", Field::Identity), Some("anonymous"), "a model lends");
    assert_eq!(field("做一个像陌陌那样的聊天应用", Field::Audience), Some("strangers"));
    assert_eq!(outcome("对标企业微信，给企业用的沟通工具"), "ask identity", "微信 inside 企业微信 is not named");
}

#[test]
fn hosts_communities_and_typos_in_other_words() {
    assert_eq!(outcome("bolt a chat tab onto our fitness tracker"), "corollary-6");
    assert_eq!(outcome("在健身打卡工具里加个聊天"), "corollary-6");
    assert_eq!(outcome("news app wants readers to chat with each other"), "corollary-6");
    assert_eq!(
        field("a chat app for board game nerds, the community isn't there yet", Field::Community),
        Some("unbacked")
    );
    assert_eq!(field("桌游爱好者的聊天群，社区也还没建起来", Field::Community), Some("unbacked"));
    assert_eq!(field("anonimous chat for strangers", Field::Identity), Some("anonymous"));
    assert_eq!(field("realname chat for colleages", Field::Audience), Some("enterprise"));
    assert_eq!(field("a rational chat app for strangers", Field::Audience), Some("strangers"));
}
