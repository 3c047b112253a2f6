//! Every answer fits Discord's embed limits, in both languages.

use imlaws::command::{answer, Request};
use imlaws::kb::Kb;
use imlaws::lang::Lang;
use imlaws::profile::Field;
use imlaws::render::{limits, Embed, EmbedField};

fn within_limits(e: &Embed) {
    let n = |s: &str| s.chars().count();
    assert!(n(&e.title) <= limits::TITLE, "{}", e.title);
    assert!(n(&e.description) <= limits::DESCRIPTION);
    assert!(e.fields.len() <= limits::FIELDS);
    for f in &e.fields {
        assert!(!f.name.is_empty() && n(&f.name) <= limits::FIELD_NAME);
        assert!(!f.value.is_empty() && n(&f.value) <= limits::FIELD_VALUE, "{}: {}", f.name, n(&f.value));
    }
    assert!(n(&e.footer) <= limits::FOOTER);
    assert!(e.total_chars() <= limits::TOTAL);
}

#[test]
fn every_answer_fits_an_embed() {
    let kb = Kb::builtin().unwrap();
    let mut requests = vec![Request::help()];
    requests.extend((1..=3).map(Request::law));
    requests.extend((1..=7).map(Request::corollary));
    requests.extend(kb.products.iter().map(|p| Request::app(&p.name.en)));
    for identity in Field::Identity.codes() {
        for audience in Field::Audience.codes() {
            for host in Field::Host.codes() {
                requests.push(Request::assess(&[("identity", identity), ("audience", audience), ("host", host)]));
            }
        }
    }
    for lang in [Lang::En, Lang::Zh] {
        for r in &requests {
            let e = answer(&kb, r, lang).unwrap_or_else(|e| panic!("{r:?}: {e:?}")).embed(&kb);
            within_limits(&e);
            assert!(!e.footer.is_empty(), "source credit on {r:?}");
        }
    }
}

#[test]
fn an_oversized_embed_is_cut_to_every_limit() {
    let long = "长".repeat(5000);
    let e = Embed {
        title: long.clone(),
        description: long.clone(),
        color: 0,
        fields: (0..30).map(|i| EmbedField { name: format!("{i}{long}").into(), value: long.clone() }).collect(),
        footer: long.clone().into(),
        image: None,
    }
    .fit();
    within_limits(&e);
    assert!(e.title.ends_with('…'));
    assert_eq!(e.title.chars().count(), limits::TITLE);
}

#[test]
fn one_long_part_is_cut_even_when_the_total_fits() {
    // 5000 characters fit the 6000 total but not the 4096 of a description.
    let e = Embed {
        title: "t".into(),
        description: "d".repeat(5000),
        color: 0,
        fields: Vec::new(),
        footer: "".into(),
        image: None,
    }
    .fit();
    within_limits(&e);
    assert_eq!(e.description.chars().count(), limits::DESCRIPTION);
    let e = Embed {
        title: "t".into(),
        description: String::new(),
        color: 0,
        fields: Vec::new(),
        footer: "f".repeat(3000).into(),
        image: None,
    }
    .fit();
    within_limits(&e);
}

#[test]
fn long_lists_continue_in_a_second_field_without_cutting_lines() {
    let kb = Kb::builtin().unwrap();
    let r = answer(&kb, &Request::assess(&[("identity", "anonymous"), ("audience", "strangers")]), Lang::En).unwrap();
    let e = r.embed(&kb);
    let reasoning: Vec<&EmbedField> = e.fields.iter().filter(|f| f.name.starts_with("Reasoning")).collect();
    let lines: usize = reasoning.iter().map(|f| f.value.lines().count()).sum();
    assert_eq!(lines, 10, "one line per rule, none cut");
    assert!(reasoning.iter().all(|f| f.value.chars().count() <= limits::FIELD_VALUE));
}

fn text(kb: &Kb, r: Request, lang: Lang) -> String {
    answer(kb, &r, lang).unwrap().embed(kb).to_text(false)
}

fn assess(pairs: &[(&str, &str)]) -> Request {
    Request::assess(pairs)
}

/// Item 7: "❌ Law 3 (violated)" read as if a challenger broke the law; the words say
/// what the verdict means, and the JSON keeps its codes.
#[test]
fn a_verdict_says_what_it_means() {
    let kb = Kb::builtin().unwrap();
    let challenger = assess(&[("identity", "real-name"), ("audience", "everyone")]);
    let en = text(&kb, challenger.clone(), Lang::En);
    assert!(en.contains("❌ Law 3 (works against it): "), "{en}");
    assert!(en.contains("❌ Corollary 7 (works against it) ◀: "), "{en}");
    assert!(en.contains("✅ Corollary 1 (applies): "), "{en}");
    assert!(en.contains("➖ Corollary 5 (does not decide this): "), "{en}");
    assert!(!en.contains("(violated)") && !en.contains("(holds)"), "{en}");
    let zh = text(&kb, challenger.clone(), Lang::Zh);
    assert!(zh.contains("❌ 第三定律（对它不利）："), "{zh}");
    assert!(zh.contains("由推论七决定：下次终端更迭前挑战必败"), "{zh}");
    assert!(!zh.contains("违背") && !zh.contains("决定因素："), "{zh}");
    let json = answer(&kb, &challenger, Lang::Zh).unwrap().to_json(&kb);
    let verdicts: Vec<&str> =
        json["rules"].as_array().unwrap().iter().map(|r| r["verdict"].as_str().unwrap()).collect();
    assert_eq!(verdicts[8], "violated", "codes never change with the words");
    // Product pages carry the same words after the mark.
    let yixin = text(&kb, Request::app("Yixin"), Lang::En);
    assert!(yixin.contains("❌ Corollary 7 (works against it): "), "{yixin}");
}

/// Item 4: a law or corollary 1 shows our advice as advice; corollaries 2–7 show the
/// article's insight under its name. Products the article only lists in its table are
/// placed by imlaws, not "used for" by the article.
#[test]
fn headings_say_whose_words_they_are() {
    let kb = Kb::builtin().unwrap();
    for (r, insight) in [
        (Request::law(1), false),
        (Request::law(2), false),
        (Request::law(3), false),
        (Request::corollary(1), false),
        (Request::corollary(2), true),
        (Request::corollary(7), true),
    ] {
        let en = text(&kb, r.clone(), Lang::En);
        let zh = text(&kb, r.clone(), Lang::Zh);
        assert_eq!(en.contains("\nThe article's insight\n"), insight, "{r:?}: {en}");
        assert_eq!(en.contains("\nAdvice\n"), !insight, "{r:?}: {en}");
        assert_eq!(zh.contains("\n文中启示\n"), insight, "{r:?}: {zh}");
        assert_eq!(zh.contains("\n建议\n"), !insight, "{r:?}: {zh}");
    }
    assert!(!text(&kb, Request::law(2), Lang::En).contains("Cases in the article"));
    for name in ["MSN Messenger", "Duoshan", "Telegram"] {
        let en = text(&kb, Request::app(name), Lang::En);
        assert!(en.contains("Placed by imlaws under: ") && !en.contains("The article uses it for"), "{en}");
        let zh = text(&kb, Request::app(name), Lang::Zh);
        assert!(zh.contains("imlaws 将它归入：") && !zh.contains("文中用它说明"), "{zh}");
    }
    let momo = text(&kb, Request::app("Momo"), Lang::En);
    assert!(momo.contains("The article uses it for: Corollary 5"), "{momo}");
}

/// Item 5: titles in Chinese use the article's numbering and one colon.
#[test]
fn chinese_titles_number_rules_the_articles_way() {
    let kb = Kb::builtin().unwrap();
    assert!(text(&kb, Request::law(2), Lang::Zh).starts_with("第二定律：社交属性与工具属性不可兼得\n"));
    assert!(text(&kb, Request::corollary(5), Lang::Zh).starts_with("推论五：陌生人社交本质是工具\n"));
    let zh = text(&kb, assess(&[("identity", "anonymous"), ("audience", "strangers")]), Lang::Zh);
    assert!(zh.starts_with("工具 · 前景视条件而定\n\n由推论五决定：陌生人社交本质是工具\n"), "{zh}");
    let law1 = text(&kb, Request::law(1), Lang::Zh);
    assert!(law1.contains("推论一：全民聊天应用必定是实名熟人社交。"), "{law1}");
}

/// The terminal text, written out by hand: plain drops the `**`, styled puts the title
/// in the outlook colour (24-bit ANSI), `**…**` in bold, and a field continued from the
/// one before (its name ends in " …") under the first one's heading.
#[test]
fn terminal_text_plain_and_styled() {
    let field = |name: &'static str, value: &str| EmbedField { name: name.into(), value: value.into() };
    let e = Embed {
        title: "Title".into(),
        description: "a **b** c **d** e".into(),
        color: 0x2ECC71,
        fields: vec![field("List", "x **y**\nz"), field("List …", "w")],
        footer: "Source".into(),
        image: None,
    };
    assert_eq!(e.to_text(false), "Title\n\na b c d e\n\nList\n  x y\n  z\n  w\n\n— Source\n");
    let (b, r) = ("\x1b[1m", "\x1b[0m");
    assert_eq!(
        e.to_text(true),
        format!(
            "\x1b[1;38;2;46;204;113mTitle{r}\n\na {b}b{r} c {b}d{r} e\n\n{b}List{r}\n  x {b}y{r}\n  z\n  w\n\n— Source\n"
        )
    );
    let bare = Embed { description: String::new(), fields: Vec::new(), footer: "".into(), ..e };
    assert_eq!(bare.to_text(false), "Title\n");
}

/// `truncate` counts characters, not bytes: Chinese text within the limit is kept whole,
/// and a cut one ends in "…" at exactly the limit.
#[test]
fn truncate_counts_characters() {
    let mut s = "长".repeat(10);
    imlaws::render::truncate(&mut s, 10);
    assert_eq!(s, "长".repeat(10));
    imlaws::render::truncate(&mut s, 4);
    assert_eq!(s, "长长长…");
    let mut ascii = "abcdef".to_string();
    imlaws::render::truncate(&mut ascii, 6);
    assert_eq!(ascii, "abcdef");
    imlaws::render::truncate(&mut ascii, 5);
    assert_eq!(ascii, "abcd…");
}

/// Over the 6000 total alone, by a few characters: `fit` keeps everything up to the
/// last field, shortens that one to bring the total to exactly 6000 ("…" included), and
/// drops it when no more than two characters of it would be left; with no field, the
/// description is shortened. Each embed takes the slow path by its total alone (an
/// empty title, footer or field list makes no difference to that).
#[test]
fn fit_shortens_or_drops_the_last_field_to_exactly_the_total() {
    let field = |name: &'static str, n: usize| EmbedField { name: name.into(), value: "v".repeat(n) };
    let embed = |title: &str, description: usize, footer: usize, fields: Vec<EmbedField<'static>>| Embed {
        title: title.into(),
        description: "d".repeat(description),
        color: 0,
        fields,
        footer: "f".repeat(footer).into(),
        image: None,
    };
    let cut = |n: usize| format!("{}…", "v".repeat(n - 1));
    // One over, no title: the one field loses one character.
    let e = embed("", 4000, 1000, vec![field("n", 1000)]).fit();
    assert_eq!(e.fields, vec![EmbedField { name: "n".into(), value: cut(999) }]);
    assert_eq!(e.total_chars(), limits::TOTAL);
    // One over, no footer: the last of two fields loses one character.
    let e = embed("t", 4000, 0, vec![field("n", 1000), field("m", 998)]).fit();
    assert_eq!(e.fields, vec![field("n", 1000), EmbedField { name: "m".into(), value: cut(997) }]);
    assert_eq!(e.total_chars(), limits::TOTAL);
    // One over, no field: the description loses one character.
    let e = embed(&"t".repeat(100), 4000, 1901, Vec::new()).fit();
    assert_eq!(e.description, format!("{}…", "d".repeat(3998)));
    assert_eq!(e.total_chars(), limits::TOTAL);
    // Three over, last value 5 characters: 2 would be left, so the field is dropped.
    let e = embed("", 4000, 1000, vec![field("n", 996), field("m", 5)]).fit();
    assert_eq!(e.fields, vec![field("n", 996)]);
    // Ten over, last value 15 characters: 5 are left, "vvvv…".
    let e = embed("", 4000, 1000, vec![field("n", 993), field("m", 15)]).fit();
    assert_eq!(e.fields, vec![field("n", 993), EmbedField { name: "m".into(), value: cut(5) }]);
    assert_eq!(e.total_chars(), limits::TOTAL);
}

fn ask(question: &str) -> Request {
    Request::ask(question)
}

/// What `/ask` understood, line by line: each field with the code it read and the words
/// it read it from (quoted, comma-separated), or the product it borrowed the code from.
#[test]
fn ask_shows_what_it_understood_and_from_which_words() {
    let kb = Kb::builtin().unwrap();
    let en = text(&kb, ask("an anonymous chat app for strangers, no real names, like Momo"), Lang::En);
    assert!(en.contains("\n  identity: anonymous ← “anonymous”, “no real names”\n"), "{en}");
    assert!(en.contains("\n  audience: strangers ← “strangers”\n"), "{en}");
    let borrowed = text(&kb, ask("a Momo for pet owners"), Lang::En);
    assert!(borrowed.contains("\n  audience: interest community ← “pet owners”\n"), "{borrowed}");
    assert!(borrowed.contains("\n  identity: anonymous ← Momo\n"), "{borrowed}");
}

/// "What would change it": the best change of each field first, then further changes of
/// a field already named, then the fields nothing in which changes the verdict.
#[test]
fn what_if_names_each_field_once_before_repeating_one() {
    let kb = Kb::builtin().unwrap();
    let en = text(&kb, assess(&[("identity", "anonymous"), ("audience", "strangers")]), Lang::En);
    let expected = "\nWhat would change it\n\
        \x20 audience: strangers → interest community: Corollary 4, favorable\n\
        \x20 host: standalone chat app → tool app: Corollary 6, conditional\n\
        \x20 audience: strangers → subculture: Corollary 3, conditional\n\
        \x20 Nothing you do with identity, role, scenario, device, stance, coverage, community changes this verdict.\n";
    assert!(en.contains(expected), "{en}");
}

/// A rule with cases in the article lists them; a product page shows every rule that
/// applies or works against it (not only the deciding one), and only Douyin's page, the
/// article's worked example, carries the article's analysis.
#[test]
fn rule_and_product_pages_show_their_parts() {
    let kb = Kb::builtin().unwrap();
    let c5 = text(&kb, Request::corollary(5), Lang::En);
    assert!(c5.contains("\nCases in the article\n  • Momo\n  • Soul\n"), "{c5}");
    let momo = text(&kb, Request::app("Momo"), Lang::En);
    assert!(momo.contains("\n  ❌ Law 2 (works against it): "), "{momo}");
    assert!(momo.contains("\n  ✅ Corollary 5 (applies): "), "{momo}");
    assert!(text(&kb, Request::app("Douyin"), Lang::En).contains("\nThe article's analysis\n"));
    for name in ["Wangwang", "Alipay", "Momo"] {
        let page = text(&kb, Request::app(name), Lang::En);
        assert!(!page.contains("The article's analysis"), "{page}");
    }
}
