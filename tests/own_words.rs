//! The knowledge base is in our own words: no Chinese clause in `config/` follows the
//! article's prose character for character.
//!
//! The repository does not carry the article. `tests/article/runs.txt` holds the
//! FNV-1a 64 hashes of every run of four Han characters in it, made once by
//! `tests/article/make_hashes.py` from `../shared/seed/`; this test never reads
//! `../shared` and needs no network. A clause (text between clause punctuation) of 12
//! or more Han characters fails when more than half of its four-character runs occur
//! in the article. Terms of art the article coined (全民聊天应用, 用完即走…) are taken
//! out of a clause before it is measured, and rule titles, statements and the table's
//! rows may stay close to the article, so they are not measured.

use std::collections::HashSet;
use std::fmt::Write as _;

/// A clause fails above this share of runs found in the article.
const THRESHOLD: f64 = 0.5;
/// Clauses shorter than this (in Han characters, terms of art removed) are not measured.
const MIN_HAN: usize = 12;

/// The article's own terms, which any paraphrase must use; removed before measuring.
const TERMS_OF_ART: &[&str] = &[
    "全民聊天社交应用",
    "全民聊天应用",
    "陌生人聊天社交应用",
    "陌生人社交应用",
    "实名熟人社交",
    "特定文化群体",
    "亚文化群体",
    "特定社群",
    "兴趣主题",
    "用完即走",
    "工具属性",
    "社交属性",
    "终端设备形态",
    "终端形态更迭",
    "行政强制力",
    "媒体社交平台",
    "中国移动",
    "动感地带",
];

/// Keys whose text names a rule or copies the article's table: allowed to stay close.
const CLOSE_KEYS: &[&str] = &["title", "statement", "row", "name"];

/// Characters that end a clause. The enumeration comma and quotes do not: a list or a
/// quotation inside a sentence belongs to its clause.
const CLAUSE_END: &[char] = &['。', '，', '；', '：', '！', '？', '—', '…', ',', ';', ':', '!', '?', '\n'];

fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c)
}

fn fnv1a64(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}

fn article_runs() -> HashSet<u64> {
    include_str!("article/runs.txt")
        .lines()
        .map(|l| u64::from_str_radix(l.trim(), 16).unwrap_or_else(|_| panic!("bad hash line `{l}`")))
        .collect()
}

/// Runs of four Han characters, inside stretches of Han characters only (as the
/// script takes them from the article).
fn runs(clause: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stretch: Vec<char> = Vec::new();
    for c in clause.chars().chain(std::iter::once(' ')) {
        if is_han(c) {
            stretch.push(c);
            continue;
        }
        out.extend(stretch.windows(4).map(|w| w.iter().collect::<String>()));
        stretch.clear();
    }
    out
}

/// The share of a clause's runs found in the article, or `None` for a short clause.
fn share(clause: &str, article: &HashSet<u64>) -> Option<f64> {
    let mut clause = clause.to_string();
    for term in TERMS_OF_ART {
        clause = clause.replace(term, " ");
    }
    if clause.chars().filter(|c| is_han(*c)).count() < MIN_HAN {
        return None;
    }
    let runs = runs(&clause);
    if runs.is_empty() {
        return None;
    }
    let found = runs.iter().filter(|r| article.contains(&fnv1a64(r.as_bytes()))).count();
    Some(found as f64 / runs.len() as f64)
}

/// The clauses that follow the article too closely: (share, clause).
fn copied(text: &str, article: &HashSet<u64>) -> Vec<(f64, String)> {
    text.split(CLAUSE_END)
        .filter_map(|c| share(c, article).filter(|s| *s > THRESHOLD).map(|s| (s, c.trim().to_string())))
        .collect()
}

/// The quoted strings of one TOML line (basic strings, as the knowledge base writes
/// them), each with the key written just before it, if any.
fn strings(line: &str) -> Vec<(Option<String>, String)> {
    let mut out = Vec::new();
    let mut rest = line;
    let mut key: Option<String> = None;
    while let Some(open) = rest.find('"') {
        let before = rest[..open].trim_end();
        if let Some(k) = before.strip_suffix('=') {
            let k = k.trim_end();
            let start = k.rfind(|c: char| c == '{' || c == ',' || c.is_whitespace()).map_or(0, |i| i + 1);
            key = Some(k[start..].to_string());
        }
        let body = &rest[open + 1..];
        let mut end = None;
        let mut escaped = false;
        for (i, c) in body.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => {
                    end = Some(i);
                    break;
                }
                _ => {}
            }
        }
        let Some(end) = end else { break };
        out.push((key.clone(), body[..end].replace("\\\"", "\"")));
        rest = &body[end + 1..];
    }
    out
}

#[test]
fn the_hashes_are_the_articles() {
    let article = article_runs();
    assert!(article.len() > 2000, "tests/article/runs.txt has {} runs; remake it", article.len());
    // The script and this test hash alike: FNV-1a 64 of the UTF-8 bytes.
    assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
    assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
    assert!(article.contains(&fnv1a64("全民聊天".as_bytes())));
}

#[test]
fn a_clause_copied_from_the_article_is_caught() {
    let article = article_runs();
    // Sentences of the article itself, as a careless paraphrase would keep them.
    for copied_text in [
        "在这个移动时代，桌面版提供了坐在电脑前高速聊天沟通的场景。",
        "任何厂商强如字节跳动，在下次终端设备形态更迭之前，都没有必要主动下场挑战当前的全民聊天社交应用，否则纯属浪费资源。",
        "Discord 本是游戏人群在游戏中聊天沟通的工具，后来人群范围逐步扩大。",
    ] {
        assert!(!copied(copied_text, &article).is_empty(), "not caught: {copied_text}");
    }
    // A clause that swaps a few words but keeps the article's sentence still fails.
    assert!(!copied("抖音自己就是个巨大的媒体平台，所以，抖音聊天做什么社交", &article).is_empty());
}

#[test]
fn a_paraphrase_passes() {
    let article = article_runs();
    for ours in [
        "下一次终端更迭到来之前，再有实力的公司（字节跳动也不例外）去正面挑战全民聊天应用，都是白费力气。",
        "Discord 最早是给打游戏的人边玩边聊用的，用户慢慢扩大，如今什么人、什么话题都能在上面找到去处。",
        "桌面版照顾的，是坐在电脑前想快速聊天的场景。",
    ] {
        assert_eq!(copied(ours, &article), Vec::<(f64, String)>::new(), "{ours}");
    }
}

#[test]
fn config_is_in_our_own_words() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
    assert_eq!(imlaws::kb::FILES.iter().filter(|f| dir.join(f).is_file()).count(), imlaws::kb::FILES.len());
    let failures = failures_in(&dir, &article_runs());
    assert!(failures.is_empty(), "paraphrase these clauses in our own words:\n{failures}");
}

#[test]
fn a_failure_names_the_file_the_line_and_the_key() {
    let dir = std::env::temp_dir().join(format!("imlaws-own-words-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let toml = "[[rule]]\ntitle.zh = \"在这个移动时代，桌面版提供了坐在电脑前高速聊天沟通的场景\"\n\
                excerpt.zh = \"我们自己的话。在这个移动时代，桌面版提供了坐在电脑前高速聊天沟通的场景。\"\n\
                advice = [\n  { en = \"x\", zh = \"在这个移动时代，桌面版提供了坐在电脑前高速聊天沟通的场景\" },\n]\n";
    std::fs::write(dir.join("rules.toml"), toml).unwrap();
    let failures = failures_in(&dir, &article_runs());
    let _ = std::fs::remove_dir_all(&dir);
    let lines: Vec<&str> = failures.lines().collect();
    assert_eq!(lines.len(), 2, "a title may stay close; the excerpt and the advice may not:\n{failures}");
    assert!(lines[0].starts_with("config/rules.toml:3 [excerpt.zh] "), "{failures}");
    assert!(lines[0].ends_with(": 桌面版提供了坐在电脑前高速聊天沟通的场景"), "{failures}");
    assert!(lines[1].starts_with("config/rules.toml:5 [advice zh] "), "{failures}");
}

/// Every clause under `dir/*.toml` that follows the article too closely, one line each:
/// `config/FILE:LINE [KEY] SHARE: CLAUSE`.
fn failures_in(dir: &std::path::Path, article: &HashSet<u64>) -> String {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{} has TOML files", dir.display());
    let mut failures = String::new();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy();
        let text = std::fs::read_to_string(path).unwrap();
        // The key of the array an element line belongs to (`advice = [`).
        let mut array_key: Option<String> = None;
        for (i, line) in text.lines().enumerate() {
            let trimmed = line.trim_start();
            if trimmed.starts_with('#') {
                continue;
            }
            if let Some(k) = trimmed.strip_suffix('[').and_then(|l| l.trim_end().strip_suffix('=')) {
                array_key = Some(k.trim().to_string());
            } else if trimmed.starts_with(']') {
                array_key = None;
            }
            let line_key = trimmed.split('=').next().map(|k| k.trim().trim_matches('"').to_string());
            for (key, s) in strings(line) {
                let outer = array_key.clone().or(line_key.clone()).unwrap_or_default();
                let base = outer.split('.').next().unwrap_or("");
                if CLOSE_KEYS.contains(&base) {
                    continue;
                }
                for (share, clause) in copied(&s, article) {
                    let key = match key.as_deref() {
                        Some(k) if k != outer => format!("{outer} {k}"),
                        _ => outer.clone(),
                    };
                    writeln!(
                        failures,
                        "config/{name}:{} [{key}] {:.0}% of its runs are the article's: {clause}",
                        i + 1,
                        share * 100.0
                    )
                    .unwrap();
                }
            }
        }
    }
    failures
}
