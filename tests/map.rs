//! The positioning map: the PNG decodes at its documented size and within budget,
//! every product stands once in the region its profile lands in, no label overlaps
//! another, the asker's star is in its region, Chinese labels are real glyphs with
//! ink where each label is, and the front-ends write it.

mod common;

use imlaws::answer::Reply;
use imlaws::command::{answer, Request};
use imlaws::font;
use imlaws::kb::Kb;
use imlaws::lang::Lang;
use imlaws::map::{self, Layout, Marker};
use imlaws::rules::{assess, Positioning};
use std::process::{Command, Stdio};
use std::sync::LazyLock;

static KB: LazyLock<Kb> = LazyLock::new(|| Kb::builtin().expect("built-in knowledge base"));

/// The documented budget for one map.
const PNG_BUDGET: usize = 300 * 1024;

fn decode(png: &[u8]) -> tiny_skia::Pixmap {
    tiny_skia::Pixmap::decode_png(png).expect("the map decodes as PNG")
}

/// The map for `/map` with these options, and its marker.
fn map_of(options: &[(&str, &str)], app: Option<&str>, lang: Lang) -> (Vec<u8>, Option<Marker>) {
    let mut options = options.to_vec();
    options.extend(app.map(|a| ("app", a)));
    let request = Request::map(&options);
    match answer(&KB, &request, lang) {
        Ok(Reply::Map(m)) => (m.png, m.marker),
        other => panic!("a map, not {other:?}"),
    }
}

/// One profile per positioning (and one of the products), to mark.
const MARKED: [&[(&str, &str)]; 6] = [
    &[("identity", "real-name"), ("audience", "everyone")],
    &[("identity", "real-name"), ("audience", "enterprise")],
    &[("audience", "subculture")],
    &[("audience", "interest-community"), ("community", "unbacked")],
    &[("identity", "anonymous"), ("audience", "strangers")],
    &[("identity", "anonymous"), ("audience", "everyone"), ("host", "media")],
];

fn layouts() -> Vec<(String, Layout)> {
    let mut out = Vec::new();
    for lang in [Lang::En, Lang::Zh] {
        out.push((format!("{lang:?} unmarked"), map::layout(&KB, None, lang)));
        for options in MARKED {
            let (_, marker) = map_of(options, None, lang);
            out.push((format!("{lang:?} {options:?}"), map::layout(&KB, marker.as_ref(), lang)));
        }
        let (_, marker) = map_of(&[], Some("MSN Messenger"), lang);
        out.push((format!("{lang:?} MSN Messenger"), map::layout(&KB, marker.as_ref(), lang)));
    }
    out
}

#[test]
fn the_png_decodes_at_its_documented_size_within_budget() {
    for lang in [Lang::En, Lang::Zh] {
        for (options, app) in [(&[][..], None), (MARKED[4], None), (&[][..], Some("微信"))] {
            let (png, _) = map_of(options, app, lang);
            assert!(png.len() <= PNG_BUDGET, "{lang:?} {options:?} {app:?}: {} bytes", png.len());
            let pixmap = decode(&png);
            assert_eq!((pixmap.width(), pixmap.height()), (map::WIDTH, map::HEIGHT));
            assert_eq!((map::WIDTH, map::HEIGHT), (1200, 800), "the size README and BENCHMARKS document");
        }
    }
}

#[test]
fn every_product_stands_once_in_the_region_its_profile_lands_in() {
    for (what, layout) in layouts() {
        for (i, p) in KB.products.iter().enumerate() {
            let places: Vec<_> = layout.places.iter().filter(|pl| pl.product == Some(i)).collect();
            assert_eq!(places.len(), 1, "{what}: {} placed {} times", p.name.en, places.len());
            let region = &layout.regions[places[0].region];
            assert_eq!(region.positioning, assess(&p.profile).positioning, "{what}: {}", p.name.en);
            let label = &layout.labels[places[0].label];
            let b = region.bounds;
            assert!(
                b.contains(label.bounds.x, label.bounds.y)
                    && b.contains(label.bounds.x + label.bounds.w - 0.01, label.bounds.y + label.bounds.h - 0.01),
                "{what}: {}'s label leaves its region",
                p.name.en
            );
        }
        assert_eq!(layout.regions.len(), Positioning::ALL.len());
    }
}

#[test]
fn no_label_overlaps_another_and_all_fit_the_canvas() {
    for (what, layout) in layouts() {
        for (i, a) in layout.labels.iter().enumerate() {
            let b = a.bounds;
            assert!(
                b.x >= 0.0 && b.y >= 0.0 && b.x + b.w <= map::WIDTH as f32 && b.y + b.h <= map::HEIGHT as f32,
                "{what}: `{}` leaves the canvas: {b:?}",
                a.text
            );
            assert!(a.size >= 14.0, "{what}: `{}` is drawn at {} px, too small to read", a.text, a.size);
            for other in &layout.labels[i + 1..] {
                assert!(!b.intersects(&other.bounds), "{what}: `{}` overlaps `{}`", a.text, other.text);
            }
        }
        // A label never sits on another product's dot either.
        for place in &layout.places {
            for other in layout.places.iter().filter(|o| o.label != place.label) {
                let l = &layout.labels[other.label].bounds;
                assert!(!l.contains(place.dot.x, place.dot.y), "{what}: a label covers a dot");
            }
        }
    }
}

/// Pixels of exactly `color`, by where they are.
fn pixels_of(pixmap: &tiny_skia::Pixmap, color: [u8; 3]) -> Vec<(f32, f32)> {
    let mut out = Vec::new();
    for (i, px) in pixmap.pixels().iter().enumerate() {
        if [px.red(), px.green(), px.blue()] == color {
            let (x, y) = (i as u32 % pixmap.width(), i as u32 / pixmap.width());
            out.push((x as f32 + 0.5, y as f32 + 0.5));
        }
    }
    out
}

#[test]
fn the_askers_star_is_found_in_its_region_and_no_other() {
    for lang in [Lang::En, Lang::Zh] {
        for options in MARKED {
            let (png, marker) = map_of(options, None, lang);
            let marker = marker.expect("a marker");
            let layout = map::layout(&KB, Some(&marker), lang);
            let pixmap = decode(&png);
            let blue = pixels_of(&pixmap, map::ASKER);
            for region in &layout.regions {
                let inside = blue.iter().filter(|(x, y)| region.bounds.contains(*x, *y)).count();
                if region.positioning == marker.positioning {
                    assert!(inside > 100, "{options:?}: {inside} star pixels in {:?}", region.positioning);
                    assert!(region.marked);
                } else {
                    assert_eq!(inside, 0, "{options:?}: the star's colour in {:?}", region.positioning);
                    assert!(!region.marked);
                }
            }
        }
    }
    // Unmarked, the star's colour is nowhere.
    let (png, _) = map_of(&[], None, Lang::En);
    assert!(pixels_of(&decode(&png), map::ASKER).is_empty());
}

/// Is this pixel ink (text or a marker's edge), not the background or a panel?
fn ink(px: &tiny_skia::PremultipliedColorU8) -> bool {
    px.red().min(px.green()).min(px.blue()) < 0xB0
}

#[test]
fn a_chinese_map_draws_real_glyphs_with_ink_where_each_label_is() {
    let face = font::face();
    let (png, marker) = map_of(MARKED[4], None, Lang::Zh);
    let layout = map::layout(&KB, marker.as_ref(), Lang::Zh);
    let pixmap = decode(&png);
    let mut han = 0;
    for label in &layout.labels {
        assert_eq!(font::missing(&face, &label.text), None, "`{}` has a character the font lacks", label.text);
        han += label.text.chars().filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c)).count();
        let b = label.bounds;
        let (mut inked, mut all) = (0usize, 0usize);
        for y in b.y as u32..(b.y + b.h) as u32 {
            for x in b.x as u32..(b.x + b.w) as u32 {
                all += 1;
                inked += usize::from(pixmap.pixel(x, y).is_some_and(|px| ink(&px)));
            }
        }
        // Glyph strokes cover a good share of a label's box; blank or hairline boxes would not.
        assert!(inked * 100 >= all * 8, "`{}`: {inked} of {all} pixels inked", label.text);
    }
    assert!(han > 100, "the Chinese map draws Chinese: {han} characters");
    // The products' Chinese names are what is drawn.
    assert!(layout.labels.iter().any(|l| l.text == "陌陌") && layout.labels.iter().any(|l| l.text == "微信"));
}

#[test]
fn the_knowledge_base_refuses_a_label_the_font_cannot_draw() {
    let dir = common::config_copy("font");
    let path = dir.join("products.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let needle = "name = { en = \"Momo\", zh = \"陌陌\" }";
    let line = text.lines().position(|l| l.contains(needle)).expect("Momo's name") + 1;
    std::fs::write(&path, text.replacen(needle, "name = { en = \"Momo\", zh = \"陌龘\" }", 1)).unwrap();
    let err = Kb::from_dir(&dir).expect_err("a name the font cannot draw is refused");
    assert!(err.file.ends_with("products.toml"), "{err}");
    assert_eq!(err.line, Some(line), "{err}");
    assert!(err.reason.contains('龘') && err.reason.contains("U+9F98") && err.reason.contains("font"), "{err}");

    // The CLI says the same, with file and line, and exits 2.
    let run = common::imlaws(&["--config", dir.to_str().unwrap(), "map", "--out", "-"], "");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains(&format!("products.toml:{line}:")) && run.stderr.contains('龘'), "{}", run.stderr);

    // A map message is checked too.
    let dir = common::config_copy("font-msg");
    let path = dir.join("messages.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, text.replacen("zh = \"你的产品\"", "zh = \"你的产品☃\"", 1)).unwrap();
    let err = Kb::from_dir(&dir).expect_err("a map message the font cannot draw is refused");
    let _ = std::fs::remove_dir_all(&dir);
    assert!(err.file.ends_with("messages.toml") && err.reason.contains("map.you") && err.reason.contains('☃'), "{err}");
}

fn imlaws_bytes(args: &[&str], dir: &std::path::Path, stdin: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_imlaws"))
        .args(args)
        .current_dir(dir)
        .env_remove("IMLAWS_CONFIG")
        .env_remove("RUST_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn imlaws");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("stdin");
    common::output_within(child, std::time::Duration::from_secs(60))
}

fn temp_dir(tag: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("imlaws-map-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn the_cli_writes_the_map_to_a_file_or_stdout() {
    let dir = temp_dir("cli");
    let out = imlaws_bytes(&["map", "--identity", "anonymous", "--audience", "strangers", "--out", "m.png"], &dir, "");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("m.png"));
    let file = std::fs::read(dir.join("m.png")).unwrap();
    assert_eq!(decode(&file).width(), map::WIDTH);

    let out = imlaws_bytes(
        &["map", "--identity", "anonymous", "--audience", "strangers", "--lang", "zh", "--out", "-"],
        &dir,
        "",
    );
    assert!(out.status.success());
    assert_eq!(&out.stdout[..8], b"\x89PNG\r\n\x1a\n");
    assert_eq!(decode(&out.stdout).height(), map::HEIGHT);
    assert_ne!(out.stdout, file, "the Chinese map differs from the English one");

    // No profile: the 27 alone; an app: that product marked.
    for args in [&["map", "--out", "-"][..], &["map", "--app", "陌陌", "--out", "-"]] {
        let out = imlaws_bytes(args, &dir, "");
        assert!(out.status.success(), "{args:?}");
        decode(&out.stdout);
    }

    // Bad input: one clear line on stderr, exit 2, no file.
    for (args, says) in [
        (&["map", "--identity", "anonymous", "--app", "Momo", "--out", "x.png"][..], "either a profile"),
        (&["map", "--identity", "nobody", "--audience", "strangers", "--out", "x.png"], "nobody"),
        (&["map", "--app", "Mom", "--out", "x.png"], "Momo"),
        (&["map", "--identity", "anonymous", "--out", "x.png"], "audience"),
        (&["map", "--identity", "anonymous", "--audience", "strangers"], "--out"),
        (&["map", "--audience", "strangers", "--out", "no/such/folder/x.png"], "cannot write"),
    ] {
        let out = imlaws_bytes(args, &dir, "");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(!dir.join("x.png").exists());
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_console_writes_the_map_in_the_current_folder_and_prints_its_path() {
    let dir = temp_dir("console");
    let out = imlaws_bytes(
        &[],
        &dir,
        "/map identity:anonymous audience:strangers\n/map app:微信\n/map app:Momo audience:strangers\n",
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let paths: Vec<&str> = stdout.lines().filter_map(|l| l.strip_prefix("Map written to ")).collect();
    assert_eq!(paths.len(), 2, "{stdout}");
    for p in &paths {
        let path = std::path::Path::new(p);
        assert_eq!(path.parent().map(|d| d.canonicalize().unwrap()), Some(dir.canonicalize().unwrap()));
        decode(&std::fs::read(path).unwrap());
    }
    assert_ne!(paths[0], paths[1], "a second map does not overwrite the first");
    assert!(stderr.contains("either a profile"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A click on a button of a message imlaws sent, as Discord delivers it.
fn click(custom_id: &str, user: &str, locale: &str) -> serde_json::Value {
    common::discord::component(custom_id, None, user, locale)
}

fn interaction(v: serde_json::Value) -> serenity::all::Interaction {
    serde_json::from_value(v).expect("an interaction serenity accepts")
}

/// The answer to `v`, read as the HTTP endpoint reads it.
fn answer_interaction(v: serde_json::Value) -> imlaws::discord::Answer<'static> {
    let body = v.to_string();
    let incoming = imlaws::discord::Incoming::parse(body.as_bytes()).expect("an interaction");
    imlaws::discord::answer_interaction(&KB, &incoming).0
}

/// The map's message as a transport gets it: the embed shows `attachment://map.png`,
/// the file goes apart, and the callback body names it among its attachments.
fn map_answer(answer: &imlaws::discord::Answer) -> (serde_json::Value, tiny_skia::Pixmap) {
    let imlaws::discord::Answer::Map { png, .. } = answer else { panic!("a map, not {answer:?}") };
    let (callback, file) = answer.clone().into_parts();
    let body: serde_json::Value = serde_json::from_slice(&callback.to_json()).unwrap();
    assert_eq!(body["type"], 4, "{body}");
    assert_eq!(body["data"]["embeds"][0]["image"]["url"], "attachment://map.png", "{body}");
    assert_eq!(body["data"]["attachments"][0]["filename"], "map.png", "{body}");
    assert_eq!(body["data"]["allowed_mentions"], serde_json::json!({"parse": [], "users": [], "roles": []}));
    let file = file.expect("the file to upload");
    assert_eq!((file.filename.as_str(), file.data.as_slice()), ("map.png", png.as_slice()));
    (body, decode(png))
}

#[test]
fn slash_map_and_the_map_button_answer_with_the_picture() {
    use common::discord::{command, string_options};
    const ALICE: &str = "900000000000000001";
    const BOB: &str = "900000000000000002";
    let anon = string_options(&[("identity", "anonymous"), ("audience", "strangers")]);
    let (body, pixmap) = map_answer(&answer_interaction(command("map", anon.clone(), "zh-CN")));
    assert_eq!(pixmap.width(), map::WIDTH);
    assert!(body["data"]["flags"].is_null(), "public: {body}");
    assert!(body["data"]["embeds"][0]["title"].as_str().unwrap().contains("定位图"), "{body}");
    // /map app:… marks that product; /map alone draws the 27.
    for options in [string_options(&[("app", "Momo")]), serde_json::json!([])] {
        map_answer(&answer_interaction(command("map", options, "en-US")));
    }
    // Both a profile and an app: an ephemeral message says to choose.
    let both = string_options(&[("audience", "strangers"), ("app", "Momo")]);
    let r = serde_json::to_value(imlaws::discord::respond(&KB, &interaction(command("map", both, "en-US")))).unwrap();
    assert_eq!(r["data"]["flags"], 64, "{r}");
    assert!(r["data"]["content"].as_str().unwrap().contains("either a profile"), "{r}");

    // Every verdict carries a Map button beside what-if; clicking it maps that profile.
    let verdict =
        serde_json::to_value(imlaws::discord::respond(&KB, &interaction(command("assess", anon, "en-US")))).unwrap();
    let buttons: Vec<&serde_json::Value> = verdict["data"]["components"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|row| row["components"].as_array().unwrap())
        .filter(|c| c["type"] == 2)
        .collect();
    let labels: Vec<&str> = buttons.iter().map(|b| b["label"].as_str().unwrap()).collect();
    assert_eq!(labels, ["What would change it?", "Map"], "{verdict}");
    let map_id = buttons[1]["custom_id"].as_str().unwrap();
    assert!(map_id.len() <= 100 && map_id.split('.').nth(2) == Some("m"), "{map_id}");
    for (user, ephemeral) in [(ALICE, false), (BOB, true)] {
        let (body, pixmap) = map_answer(&answer_interaction(click(map_id, user, "en-US")));
        assert_eq!(body["data"]["flags"].as_u64().unwrap_or(0) == 64, ephemeral, "{body}");
        // The star marks the profile's region: stranger chat.
        let layout = map::layout(&KB, Some(&map_of(MARKED[4], None, Lang::En).1.unwrap()), Lang::En);
        let region = layout.regions.iter().find(|r| r.positioning == Positioning::Tool).unwrap();
        let blue = pixels_of(&pixmap, map::ASKER);
        assert!(blue.iter().filter(|(x, y)| region.bounds.contains(*x, *y)).count() > 100);
    }
}
