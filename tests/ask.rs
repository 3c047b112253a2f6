//! Questions in plain words: the corpus in `ask_corpus.toml` (accuracy must stay at or
//! above 95 %), the answers' shape, and a property test that no text panics.

use imlaws::answer::{answer, parse_line, Reply, Request, UserError};
use imlaws::ask::AskError;
use imlaws::kb::Kb;
use imlaws::lang::Lang;
use imlaws::profile::Field;
use proptest::prelude::*;
use std::sync::LazyLock;

static KB: LazyLock<Kb> = LazyLock::new(|| Kb::builtin().expect("knowledge base"));

fn ask(text: &str) -> Result<Reply<'static>, UserError> {
    answer(&KB, &Request::Ask { question: text.to_string(), lang: None }, Lang::En)
}

/// One corpus case against what imlaws answered: `None` when right, else what differs.
fn check(case: &toml::Table) -> Option<String> {
    let text = case["text"].as_str().unwrap();
    let expect_field = |f: Field| case.get(f.name()).and_then(|v| v.as_str());
    match ask(text) {
        Ok(Reply::Ask(report, _)) => {
            let mut wrong = Vec::new();
            for f in Field::ALL {
                if let Some(code) = expect_field(f) {
                    if report.profile.code(f) != code {
                        wrong.push(format!("{f}={} (want {code})", report.profile.code(f)));
                    }
                }
            }
            match case.get("primary").and_then(|v| v.as_str()) {
                Some(primary) if report.primary.id() != primary => {
                    wrong.push(format!("primary={} (want {primary})", report.primary))
                }
                Some(_) => {}
                None => wrong.push(format!("answered {} but should have asked", report.primary)),
            }
            (!wrong.is_empty()).then(|| wrong.join(", "))
        }
        Ok(_) => Some("not an ask reply".into()),
        Err(UserError::Ask(AskError::Missing(missing), _)) => {
            let want: Vec<&str> = case
                .get("ask")
                .and_then(|v| v.as_array())
                .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
                .unwrap_or_default();
            let got: Vec<&str> = missing.iter().map(|f| f.name()).collect();
            (got != want).then(|| format!("asked for {got:?} (want {want:?})"))
        }
        Err(UserError::Ask(AskError::OffTopic, _)) => {
            (case.get("off_topic").and_then(|v| v.as_bool()) != Some(true)).then(|| "called off-topic".into())
        }
        Err(e) => Some(format!("error {e:?}")),
    }
}

#[test]
fn the_corpus_is_understood_at_95_percent_or_better() {
    let corpus: toml::Table = toml::from_str(include_str!("ask_corpus.toml")).expect("corpus");
    let cases = corpus["q"].as_array().expect("[[q]]");
    let han = |s: &str| s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    let zh = cases.iter().filter(|c| han(c["text"].as_str().unwrap())).count();
    assert!(cases.len() >= 80 && zh >= 40 && cases.len() - zh >= 40, "{} cases, {zh} Chinese", cases.len());
    let mut misses = Vec::new();
    for case in cases {
        let case = case.as_table().unwrap();
        if let Some(why) = check(case) {
            misses.push(format!("  {:?}: {why}", case["text"].as_str().unwrap()));
        }
    }
    let accuracy = 100.0 * (cases.len() - misses.len()) as f64 / cases.len() as f64;
    println!("ask corpus: {}/{} right ({accuracy:.1} %)", cases.len() - misses.len(), cases.len());
    for m in &misses {
        println!("{m}");
    }
    assert!(accuracy >= 95.0, "accuracy {accuracy:.1} % < 95 %:\n{}", misses.join("\n"));
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
        "I could not tell the audience of your product. Add it in words, e.g. \"an anonymous app for strangers nearby\", or use /assess.",
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
    assert!(
        msg("\u{0}\u{7}\u{1b}[31m").starts_with("I could not tell")
            || msg("\u{0}\u{7}").starts_with("The question is empty")
    );
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
    assert_eq!(
        parse_line("an app for strangers").unwrap(),
        Request::Ask { question: "an app for strangers".into(), lang: None }
    );
    assert_eq!(
        parse_line("/ask question:\"an app for strangers\"").unwrap(),
        Request::Ask { question: "an app for strangers".into(), lang: None }
    );
    assert_eq!(parse_line("/ask 匿名 陌生人").unwrap(), Request::Ask { question: "匿名 陌生人".into(), lang: None });
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn no_text_panics(text in "\\PC{0,300}") {
        let _ = ask(&text);
        if let Ok(r) = parse_line(&text) {
            let _ = answer(&KB, &r, Lang::Zh);
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
