//! The real `imlaws run` process against a fake Discord on loopback that is as strict
//! as Discord (`common::fake_discord`, `common::limits`): registration, every command in
//! both languages, mentions, over-long input, resume after close 4000 and op 7, a 429 on
//! the callback, IDENTIFY's token and intents. Whatever Discord would refuse fails the
//! test that caused it, naming the rule; expected values are field-level facts written
//! here (ids, codes, colours, limits), never the library's own answer.

mod common;

use common::discord;
use common::fake_discord::{
    message_json, FakeDiscord, APP_ID, BOT_ID, BOT_ROLE_ID, DEFINED_INTENTS, GUILD_ID, MESSAGE_CONTENT,
    RETRY_AFTER_BODY, RETRY_AFTER_HEADER, TOKEN, WRONG_TOKEN,
};
use common::limits;
use futures_util::{SinkExt, StreamExt};
use imlaws::kb::Kb;
use imlaws::lang::Lang;
use imlaws::rules::RuleId;
use serde_json::{json, Value};
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::LazyLock;
use std::time::Duration;
use tokio::process::{Child, Command};
use tokio_tungstenite::tungstenite::Message as Ws;

static KB: LazyLock<Kb> = LazyLock::new(|| Kb::builtin().unwrap());
const CHANNEL: &str = "1100000000000000010";

/// Embed colours by outlook and for reference answers (the renderer's palette).
const FAVORABLE: u32 = 0x2ECC71;
const CONDITIONAL: u32 = 0xF1C40F;
const INFO: u32 = 0x5865F2;
/// What the bot asks for at IDENTIFY: GUILD_MESSAGES (1 << 9) and DIRECT_MESSAGES
/// (1 << 12), nothing privileged (fact sheet §6).
const INTENTS: u64 = (1 << 9) | (1 << 12);
/// `CreateAllowedMentions::new()`: nobody is pinged.
fn no_pings() -> Value {
    json!({"parse": [], "users": [], "roles": []})
}

fn bot(fake: &FakeDiscord, extra: &[&str]) -> Child {
    bot_as(fake, extra, "info", TOKEN)
}

fn bot_as(fake: &FakeDiscord, extra: &[&str], log: &str, token: &str) -> Child {
    common::bot(fake, extra, log, token)
}

/// An interaction with a fresh id and token, as the gateway would deliver it.
fn interaction(mut v: Value) -> Value {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let n = NEXT.fetch_add(1, Ordering::SeqCst);
    v["id"] = json!(format!("{}", 1_301_000_000_000_000_000u64 + n));
    v["token"] = json!(format!("token-{n}"));
    v
}

/// Dispatch an interaction and return the callback body the bot posted for it (the
/// fake has checked it against Discord's rules; `wait_call` fails on a refusal).
async fn ask(fake: &FakeDiscord, v: Value) -> Value {
    let path = discord::callback_path(&v);
    fake.dispatch("INTERACTION_CREATE", v);
    let call = fake.wait_call(&path, 0).await;
    assert_eq!((call.method.as_str(), call.status), ("POST", 204));
    call.body
}

async fn sigterm(mut child: Child) {
    let pid = child.id().expect("running").to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().await.unwrap().success());
    let status = tokio::time::timeout(Duration::from_secs(20), child.wait()).await.expect("exits on SIGTERM").unwrap();
    assert_eq!(status.code(), Some(0), "clean shutdown");
}

/// `std::process::Command::output`, failing the test after `secs`.
async fn output_within(mut cmd: Command, secs: u64) -> std::process::Output {
    let child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true).spawn().expect("spawn");
    tokio::time::timeout(Duration::from_secs(secs), child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("the process did not exit within {secs} s"))
        .expect("wait")
}

fn has_cjk(s: &str) -> bool {
    s.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c))
}

/// A public answer: one embed, coloured `color`, in `lang`, with fields and a footer.
fn public_embed(body: &Value, color: u32, lang: Lang) -> &Value {
    assert_eq!(body["type"], 4, "CHANNEL_MESSAGE_WITH_SOURCE: {body}");
    let data = &body["data"];
    assert!(data["flags"].is_null(), "public, not ephemeral: {body}");
    assert_eq!(data["allowed_mentions"], no_pings());
    assert_eq!(data["embeds"].as_array().map(Vec::len), Some(1), "one embed: {body}");
    let e = &data["embeds"][0];
    assert_eq!(e["color"], color, "colour: {e}");
    assert!(!e["fields"].as_array().unwrap().is_empty(), "fields: {e}");
    assert!(!e["footer"]["text"].as_str().unwrap().is_empty(), "source credit: {e}");
    let title = e["title"].as_str().unwrap();
    assert_eq!(has_cjk(title), lang == Lang::Zh, "title in {lang:?}: {title}");
    e
}

/// An ephemeral text reply: the error, cut to Discord's 2000 characters.
fn ephemeral_text(body: &Value) -> &str {
    assert_eq!(body["type"], 4, "{body}");
    assert_eq!(body["data"]["flags"], limits::EPHEMERAL, "errors are ephemeral: {body}");
    assert_eq!(body["data"]["allowed_mentions"], no_pings());
    assert!(body["data"]["embeds"].as_array().is_none_or(Vec::is_empty), "{body}");
    body["data"]["content"].as_str().expect("content")
}

fn number(n: i64) -> Value {
    json!([{"name": "number", "type": 4, "value": n}])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registers_and_answers_every_command_in_both_languages() {
    let fake = FakeDiscord::start().await;
    let child = bot(&fake, &["--register-guild", GUILD_ID]);
    fake.wait_gateway("READY", 1).await;

    // The fake has checked the commands against Discord's naming, length, order and
    // count rules; these are the facts only imlaws knows.
    let put = fake.wait_call(&format!("/applications/{APP_ID}/guilds/{GUILD_ID}/commands"), 0).await;
    assert_eq!(put.method, "PUT");
    let names: Vec<&str> = put.body.as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["assess", "ask", "law", "corollary", "app", "map", "help"], "the command table's order");
    for c in put.body.as_array().unwrap() {
        let zh = c["name_localizations"]["zh-CN"].as_str().unwrap_or_else(|| panic!("zh-CN name: {c}"));
        assert!(has_cjk(zh), "{zh}");
        assert!(c["description_localizations"]["zh-CN"].is_string(), "{c}");
    }
    let assess = &put.body[0];
    let options = assess["options"].as_array().unwrap();
    assert_eq!(options.len(), 9, "the nine profile fields");
    assert_eq!((options[0]["name"].as_str(), options[0]["required"].as_bool()), (Some("identity"), Some(true)));
    assert_eq!((options[1]["name"].as_str(), options[1]["required"].as_bool()), (Some("audience"), Some(true)));
    let identity: Vec<&str> =
        options[0]["choices"].as_array().unwrap().iter().map(|c| c["value"].as_str().unwrap()).collect();
    assert_eq!(identity, ["real-name", "anonymous", "mixed"], "choice values are the profile codes");
    assert_eq!(
        (put.body[2]["options"][0]["min_value"].as_u64(), put.body[2]["options"][0]["max_value"].as_u64()),
        (Some(1), Some(3))
    );
    assert_eq!(
        (put.body[3]["options"][0]["min_value"].as_u64(), put.body[3]["options"][0]["max_value"].as_u64()),
        (Some(1), Some(7))
    );
    assert_eq!(put.body[4]["options"][0]["autocomplete"], true);

    let anon = discord::string_options(&[("identity", "anonymous"), ("audience", "strangers")]);
    for (locale, lang) in [("en-US", Lang::En), ("zh-CN", Lang::Zh)] {
        let body = ask(&fake, interaction(discord::command("assess", anon.clone(), locale))).await;
        let e = public_embed(&body, CONDITIONAL, lang);
        let decided = KB.rule_label(RuleId::Corollary5, lang);
        assert!(e["description"].as_str().unwrap().contains(decided), "decided by {decided}: {e}");
    }
    for (command, n, id) in [("law", 3, RuleId::Law3), ("corollary", 5, RuleId::Corollary5)] {
        for (locale, lang) in [("en-US", Lang::En), ("zh-CN", Lang::Zh)] {
            let body = ask(&fake, interaction(discord::command(command, number(n), locale))).await;
            let title = public_embed(&body, INFO, lang)["title"].as_str().unwrap();
            assert!(title.starts_with(KB.rule_label(id, lang)), "the title names {id:?}: {title}");
        }
    }
    let body =
        ask(&fake, interaction(discord::command("app", discord::string_options(&[("name", "WeChat")]), "en-US"))).await;
    let title = public_embed(&body, FAVORABLE, Lang::Zh)["title"].as_str().unwrap();
    assert!(title.starts_with("WeChat") && title.contains("微信"), "{title}");
    // /ask answers in the question's language, whatever the client's.
    let question = discord::string_options(&[("question", "面向企业员工的实名办公沟通工具")]);
    let body = ask(&fake, interaction(discord::command("ask", question, "en-US"))).await;
    let e = public_embed(&body, FAVORABLE, Lang::Zh);
    assert!(e["description"].as_str().unwrap().contains(KB.rule_label(RuleId::Corollary2, Lang::Zh)), "{e}");
    let body = ask(&fake, interaction(discord::command("help", json!([]), "en-US"))).await;
    public_embed(&body, INFO, Lang::En);

    let body = ask(&fake, interaction(discord::autocomplete("微", "zh-CN"))).await;
    assert_eq!(body["type"], 8);
    assert_eq!(body["data"]["choices"][0]["value"], "WeChat");
    assert!(body["data"]["choices"][0]["name"].as_str().unwrap().starts_with("微信"), "{body}");

    let wrong = discord::string_options(&[("identity", "robot"), ("audience", "strangers")]);
    let body = ask(&fake, interaction(discord::command("assess", wrong, "zh-CN"))).await;
    let text = ephemeral_text(&body);
    assert!(text.contains("robot") && has_cjk(text), "names the value, in Chinese: {text}");

    sigterm(child).await;
}

/// A map's callback as the fake received it: multipart, `payload_json` a public
/// message whose embed shows `attachment://map.png`, and the PNG as `files[0]`.
fn uploaded_map(call: &common::fake_discord::Call, lang: Lang) -> tiny_skia::Pixmap {
    assert_eq!((call.method.as_str(), call.status), ("POST", 204));
    assert_eq!(call.files.len(), 1, "one file: {:?}", call.files.iter().map(|f| &f.name).collect::<Vec<_>>());
    let file = &call.files[0];
    assert_eq!(
        (file.name.as_str(), file.filename.as_str(), file.content_type.as_str()),
        ("files[0]", "map.png", "image/png")
    );
    let e = &call.body["data"]["embeds"][0];
    assert_eq!(e["image"]["url"], "attachment://map.png", "{}", call.body);
    assert_eq!(has_cjk(e["title"].as_str().unwrap()), lang == Lang::Zh, "{e}");
    assert_eq!(call.body["data"]["allowed_mentions"], no_pings());
    let pixmap = tiny_skia::Pixmap::decode_png(&file.data).expect("the uploaded map decodes");
    assert_eq!((pixmap.width(), pixmap.height()), (imlaws::map::WIDTH, imlaws::map::HEIGHT));
    pixmap
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn map_uploads_the_png_with_its_callback_and_from_the_map_button() {
    let fake = FakeDiscord::start().await;
    let child = bot(&fake, &[]);
    fake.wait_gateway("READY", 1).await;
    let anon = discord::string_options(&[("identity", "anonymous"), ("audience", "strangers")]);
    for (locale, lang) in [("en-US", Lang::En), ("zh-CN", Lang::Zh)] {
        let v = interaction(discord::command("map", anon.clone(), locale));
        let path = discord::callback_path(&v);
        fake.dispatch("INTERACTION_CREATE", v);
        let call = fake.wait_call(&path, 0).await;
        assert_eq!(call.body["type"], 4);
        uploaded_map(&call, lang);
    }

    // The Map button under a verdict, clicked by its owner: the map, public.
    let verdict = ask(&fake, interaction(discord::command("assess", anon, "en-US"))).await;
    let map_id = discord::custom_id(&verdict, "m");
    let mut click = interaction(discord::command("assess", json!([]), "en-US"));
    click["type"] = json!(3);
    click["data"] = json!({"custom_id": map_id, "component_type": 2});
    click["message"] = message_json("1302000000000000001", CHANNEL, BOT_ID, "", &[], true);
    let path = discord::callback_path(&click);
    fake.dispatch("INTERACTION_CREATE", click);
    let call = fake.wait_call(&path, 0).await;
    assert!(call.body["data"]["flags"].is_null(), "the owner's map is public: {}", call.body);
    uploaded_map(&call, Lang::En);
    sigterm(child).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn identify_sends_the_token_and_only_the_intents_the_bot_needs() {
    let fake = FakeDiscord::start().await;
    let child = bot(&fake, &[]);
    fake.wait_gateway("READY", 1).await;
    let identify = fake.identifies();
    assert_eq!(identify.len(), 1);
    assert_eq!(identify[0]["intents"], INTENTS, "GUILD_MESSAGES | DIRECT_MESSAGES: {}", identify[0]);
    assert_eq!(identify[0]["shard"], json!([0, 1]));
    sigterm(child).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn over_long_input_is_answered_within_2000_characters() {
    let fake = FakeDiscord::start().await;
    let child = bot(&fake, &[]);
    fake.wait_gateway("READY", 1).await;
    // Discord lets a string option hold 6000 characters; the error echoes it.
    for (name, options) in [
        ("app", discord::string_options(&[("name", &"x".repeat(2500))])),
        ("assess", discord::string_options(&[("identity", &"长".repeat(2500)), ("audience", "strangers")])),
    ] {
        let body = ask(&fake, interaction(discord::command(name, options, "en-US"))).await;
        let text = ephemeral_text(&body);
        assert_eq!(text.chars().count(), limits::CONTENT, "cut to exactly the limit: /{name}");
        assert!(text.ends_with('…'), "marked as cut: /{name}");
    }
    // A mention with a long unparseable option: the reply's text is cut too.
    let long = format!("<@{BOT_ID}> /assess identity:anonymous {}", "@everyone ".repeat(300));
    fake.dispatch(
        "MESSAGE_CREATE",
        message_json("1400000000000000020", CHANNEL, "900000000000000001", &long, &[BOT_ID], false),
    );
    let reply = fake.wait_call(&format!("/channels/{CHANNEL}/messages"), 0).await;
    let text = reply.body["content"].as_str().unwrap();
    assert!(text.chars().count() <= limits::CONTENT, "{}", text.chars().count());
    assert_eq!(reply.body["allowed_mentions"], no_pings());
    sigterm(child).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mentions_are_answered_with_a_reply_that_pings_nobody() {
    let fake = FakeDiscord::start().await;
    let child = bot(&fake, &[]);
    fake.wait_gateway("READY", 1).await;

    // Ignored: another bot mentioning us, and a message that does not mention us
    // (Discord delivers it with empty content).
    fake.dispatch(
        "MESSAGE_CREATE",
        message_json(
            "1400000000000000010",
            CHANNEL,
            "900000000000000002",
            &format!("<@{BOT_ID}> /help"),
            &[BOT_ID],
            true,
        ),
    );
    fake.dispatch("MESSAGE_CREATE", message_json("1400000000000000011", CHANNEL, "900000000000000001", "", &[], false));

    let content = format!("<@{BOT_ID}> /assess identity:real-name audience:enterprise");
    fake.dispatch(
        "MESSAGE_CREATE",
        message_json("1400000000000000012", CHANNEL, "900000000000000001", &content, &[BOT_ID], false),
    );
    let reply = fake.wait_call(&format!("/channels/{CHANNEL}/messages"), 0).await;
    assert_eq!(reply.body["message_reference"]["message_id"], "1400000000000000012", "a reply to that message");
    assert_eq!(reply.body["allowed_mentions"], no_pings(), "nobody is pinged");
    assert_eq!(reply.body["embeds"][0]["color"], FAVORABLE);
    assert!(!has_cjk(reply.body["embeds"][0]["title"].as_str().unwrap()), "English question, English answer");

    // A mention of the bot's managed role counts too; plain words are a question.
    let mut by_role = message_json(
        "1400000000000000013",
        CHANNEL,
        "900000000000000001",
        &format!("<@&{BOT_ROLE_ID}> 做一个匿名的陌生人交友应用"),
        &[],
        false,
    );
    by_role["mention_roles"] = json!([BOT_ROLE_ID]);
    fake.dispatch("MESSAGE_CREATE", by_role);
    let reply = fake.wait_call(&format!("/channels/{CHANNEL}/messages"), 1).await;
    assert_eq!(reply.body["message_reference"]["message_id"], "1400000000000000013");
    assert_eq!(reply.body["embeds"][0]["color"], CONDITIONAL);
    assert!(has_cjk(reply.body["embeds"][0]["title"].as_str().unwrap()), "Chinese question, Chinese answer");

    // A question that cannot be assessed gets a text reply saying what to add.
    fake.dispatch(
        "MESSAGE_CREATE",
        message_json(
            "1400000000000000014",
            CHANNEL,
            "900000000000000001",
            &format!("<@!{BOT_ID}> an anonymous chat app"),
            &[BOT_ID],
            false,
        ),
    );
    let reply = fake.wait_call(&format!("/channels/{CHANNEL}/messages"), 2).await;
    assert!(reply.body["embeds"].as_array().is_none_or(Vec::is_empty), "{}", reply.body);
    assert!(!reply.body["content"].as_str().unwrap().is_empty(), "{}", reply.body);
    assert_eq!(reply.body["allowed_mentions"], no_pings());

    // Quoted user text (here `@everyone`) goes back in the reply, and pings nobody.
    fake.dispatch(
        "MESSAGE_CREATE",
        message_json(
            "1400000000000000015",
            CHANNEL,
            "900000000000000001",
            &format!("<@{BOT_ID}> /assess identity:anonymous @everyone"),
            &[BOT_ID],
            false,
        ),
    );
    let reply = fake.wait_call(&format!("/channels/{CHANNEL}/messages"), 3).await;
    assert!(reply.body["content"].as_str().unwrap().contains("@everyone"), "{}", reply.body);
    assert_eq!(reply.body["allowed_mentions"], no_pings());

    let replies = fake.calls().into_iter().filter(|c| c.path.ends_with("/messages")).count();
    assert_eq!(replies, 4, "the bot's own kind and unaddressed messages are ignored");
    sigterm(child).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resumes_after_close_4000_and_op_7_and_keeps_answering() {
    let fake = FakeDiscord::start().await;
    let child = bot(&fake, &[]);
    fake.wait_gateway("READY", 1).await;
    let v = interaction(discord::command("law", number(1), "en-US"));
    ask(&fake, v).await;
    let (session, before_close) = fake.session().expect("READY opened a session");

    // Close 4000 is resumable: the bot must come back with the session READY gave and
    // the last sequence it saw, so nothing is replayed (and nothing answered twice).
    fake.close(4000);
    fake.wait_gateway("RESUMED", 1).await;
    assert_eq!(fake.resumes(), [(session.clone(), before_close)], "RESUME carries the session and last seq");
    let v = interaction(discord::command("law", number(2), "en-US"));
    let title = public_embed(&ask(&fake, v).await, INFO, Lang::En)["title"].as_str().unwrap().to_string();
    assert!(title.starts_with(KB.rule_label(RuleId::Law2, Lang::En)), "{title}");

    let (_, before_op7) = fake.session().unwrap();
    fake.send_op(7, Value::Null);
    fake.wait_gateway("RESUMED", 2).await;
    assert_eq!(fake.resumes()[1], (session, before_op7), "op 7: the same session, the latest seq");
    let v = interaction(discord::command("help", json!([]), "zh-CN"));
    public_embed(&ask(&fake, v).await, INFO, Lang::Zh);

    let log = fake.gateway_log();
    assert_eq!(fake.count("IDENTIFY"), 1, "resumed, never re-identified: {log:?}");
    assert!(!log.iter().any(|e| e.starts_with("REPLAY") || e == "INVALID_SESSION"), "{log:?}");
    sigterm(child).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_on_the_callback_waits_the_bodys_retry_after_and_retries() {
    let fake = FakeDiscord::start().await;
    let child = bot(&fake, &[]);
    fake.wait_gateway("READY", 1).await;
    fake.shared.callback_429s.store(1, Ordering::SeqCst);

    let v = interaction(discord::command("corollary", number(7), "en-US"));
    let path = discord::callback_path(&v);
    fake.dispatch("INTERACTION_CREATE", v);
    let first = fake.wait_call(&path, 0).await;
    let second = fake.wait_call(&path, 1).await;
    assert_eq!((first.status, second.status), (429, 204));
    assert_eq!(second.body, first.body, "the same body, answered after the wait");
    // The body says 0.25 s, the header 2 s: only the body's wait lands in this window.
    let waited = second.at - first.at;
    let body_wait = Duration::from_secs_f64(RETRY_AFTER_BODY);
    assert!(waited >= body_wait, "waited less than the body's retry_after ({body_wait:?}): {waited:?}");
    assert!(
        waited < body_wait + Duration::from_millis(600),
        "waited {waited:?}: that is not the body's retry_after ({body_wait:?}); the Retry-After header says {RETRY_AFTER_HEADER} s"
    );
    sigterm(child).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn buttons_and_modals_are_answered_too() {
    let fake = FakeDiscord::start().await;
    let child = bot(&fake, &[]);
    fake.wait_gateway("READY", 1).await;
    let message = message_json("1400000000000000030", CHANNEL, BOT_ID, "", &[], true);
    for (kind, data) in
        [(3, json!({"custom_id": "x", "component_type": 2})), (5, json!({"custom_id": "m", "components": []}))]
    {
        let mut v = interaction(discord::command("x", json!([]), "zh-CN"));
        v["type"] = json!(kind);
        v["data"] = data;
        v["message"] = message.clone();
        let body = ask(&fake, v).await;
        assert!(has_cjk(ephemeral_text(&body)), "declined in the user's language: {body}");
    }
    sigterm(child).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_callback_is_not_retried() {
    let fake = FakeDiscord::start().await;
    let child = bot(&fake, &[]);
    fake.wait_gateway("READY", 1).await;
    fake.shared.callback_400s.store(1, Ordering::SeqCst);
    let v = interaction(discord::command("law", number(1), "en-US"));
    let path = discord::callback_path(&v);
    fake.dispatch("INTERACTION_CREATE", v);
    assert_eq!(fake.wait_call(&path, 0).await.status, 400);
    // Only a 429 is retried. A retry without a retry_after would come after 1 s.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let calls = fake.calls().into_iter().filter(|c| c.path.contains(&path)).count();
    assert_eq!(calls, 1, "a 400 is final: posting the same body again cannot succeed");
    sigterm(child).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_token_is_closed_with_4004_and_stops_the_bot_with_a_clear_message() {
    let fake = FakeDiscord::start().await;
    // The most verbose logging there is: the token still never appears.
    let child = bot_as(&fake, &[], "trace", WRONG_TOKEN);
    let out =
        tokio::time::timeout(Duration::from_secs(30), child.wait_with_output()).await.expect("the bot stops").unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("error: Discord rejected the token (gateway close 4004); check DISCORD_TOKEN"), "{stderr}");
    assert_eq!(fake.count("IDENTIFY"), 1, "no retry loop: {:?}", fake.gateway_log());
    assert!(
        !stderr.contains(WRONG_TOKEN) && !stderr.contains("revoked-token-for-tests"),
        "the token never reaches a log"
    );
    let refused = fake.take_violations();
    assert_eq!(refused.len(), 1, "{refused:?}");
    assert!(refused[0].contains("close 4004"), "{refused:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_token_or_flags_are_refused_before_connecting() {
    let run = |token: Option<&str>, args: &[&str]| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_imlaws"));
        cmd.arg("run").args(args).env_remove("DISCORD_TOKEN").env_remove("IMLAWS_DISCORD_PROXY");
        if let Some(t) = token {
            cmd.env("DISCORD_TOKEN", t);
        }
        output_within(cmd, 20)
    };
    let out = run(None, &[]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: DISCORD_TOKEN is not set"));
    let out = run(Some("hunter2-secret"), &[]).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.starts_with("error: DISCORD_TOKEN does not look like a bot token"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "the token is never printed");
    let out = run(Some(TOKEN), &["--shard-range", "3-1", "--shard-total", "2"]).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--shard-range 3-1 must lie within 0-1"));
    let out = run(Some(TOKEN), &["--discord-proxy", "ftp://x"]).await;
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_overwrites_guild_and_global_commands() {
    let fake = FakeDiscord::start().await;
    let register = |extra: &[&str], app: Option<&str>| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_imlaws"));
        cmd.arg("register").args(["--discord-proxy", &fake.proxy_url()]).args(extra).env("DISCORD_TOKEN", TOKEN);
        match app {
            Some(id) => cmd.env("DISCORD_APPLICATION_ID", id),
            None => cmd.env_remove("DISCORD_APPLICATION_ID"),
        };
        output_within(cmd, 30)
    };
    let out = register(&["--guild", GUILD_ID], Some(APP_ID)).await;
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("registered 7 commands in guild {GUILD_ID}\n"));
    let out = register(&[], Some(APP_ID)).await;
    assert_eq!(String::from_utf8_lossy(&out.stdout), "registered 7 global commands\n");
    let puts: Vec<String> = fake.calls().into_iter().filter(|c| c.method == "PUT").map(|c| c.path).collect();
    assert_eq!(
        puts,
        [
            format!("/api/v10/applications/{APP_ID}/guilds/{GUILD_ID}/commands"),
            format!("/api/v10/applications/{APP_ID}/commands")
        ]
    );
    let missing_app = register(&[], None).await;
    assert_eq!(missing_app.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing_app.stderr).starts_with("error: DISCORD_APPLICATION_ID is not set"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shards_auto_asks_discord_for_the_count() {
    let fake = FakeDiscord::start().await;
    let child = bot(&fake, &["--shards", "auto"]);
    fake.wait_gateway("READY", 1).await;
    assert!(fake.calls().iter().any(|c| c.path == "/api/v10/gateway/bot"), "{:?}", fake.calls());
    let body = ask(&fake, interaction(discord::command("corollary", number(1), "en-US"))).await;
    public_embed(&body, INFO, Lang::En);
    sigterm(child).await;
}

// ---------------------------------------------------------------------------------
// The fake itself: it must refuse what Discord refuses, or the tests above prove
// nothing. Each case breaks one rule and checks the refusal names it.

type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn next_frame(ws: &mut Socket) -> Ws {
    tokio::time::timeout(Duration::from_secs(10), ws.next())
        .await
        .expect("a frame within 10 s")
        .expect("open")
        .expect("ok")
}

/// A raw gateway client: connect, read Hello, send `op` with `d`, return the answer.
async fn gateway_answer(fake: &FakeDiscord, op: u8, d: Value) -> Ws {
    let (mut ws, _) = tokio_tungstenite::connect_async(fake.ws_url()).await.expect("connect");
    assert!(matches!(next_frame(&mut ws).await, Ws::Text(t) if t.contains("\"op\":10")), "Hello first");
    ws.send(Ws::Text(json!({"op": op, "d": d}).to_string())).await.unwrap();
    next_frame(&mut ws).await
}

fn identify(token: &str, intents: u64) -> Value {
    json!({"token": token, "intents": intents, "properties": {"os": "linux", "browser": "test", "device": "test"}})
}

fn close_code(frame: &Ws) -> u16 {
    match frame {
        Ws::Close(Some(f)) => f.code.into(),
        other => panic!("expected a close frame, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fake_gateway_refuses_what_discord_refuses() {
    let fake = FakeDiscord::start().await;
    let cases = [
        (identify(WRONG_TOKEN, INTENTS), 4004, "token"),
        (identify(TOKEN, 1 << 30), 4013, "undefined bits"),
        (identify(TOKEN, INTENTS | MESSAGE_CONTENT), 4014, "privileged"),
        (json!({"token": TOKEN, "intents": 0}), 4002, "properties"),
    ];
    for (d, code, rule) in cases {
        assert_eq!(close_code(&gateway_answer(&fake, 2, d).await), code, "{rule}");
        let refused = fake.take_violations();
        assert!(
            refused.len() == 1 && refused[0].contains(&format!("close {code}")) && refused[0].contains(rule),
            "{refused:?}"
        );
    }
    assert_eq!(DEFINED_INTENTS & INTENTS, INTENTS);
    // A privileged intent the portal switched on is accepted.
    fake.shared.privileged_enabled.store(MESSAGE_CONTENT, Ordering::SeqCst);
    assert!(
        matches!(gateway_answer(&fake, 2, identify(TOKEN, INTENTS | MESSAGE_CONTENT)).await, Ws::Text(t) if t.contains("READY"))
    );
    let (session, seq) = fake.session().unwrap();
    // RESUME: an unknown session, or a sequence the fake never sent, gets op 9.
    for (d, rule) in [
        (json!({"token": TOKEN, "session_id": "someone-else", "seq": seq}), "session_id"),
        (json!({"token": TOKEN, "session_id": session, "seq": seq + 5}), "seq"),
    ] {
        let answer = gateway_answer(&fake, 6, d).await;
        assert!(matches!(&answer, Ws::Text(t) if serde_json::from_str::<Value>(t).unwrap()["op"] == 9), "{answer:?}");
        let refused = fake.take_violations();
        assert!(refused.len() == 1 && refused[0].contains("op 9") && refused[0].contains(rule), "{refused:?}");
    }
    // The right session and sequence: RESUMED, nothing refused.
    let answer = gateway_answer(&fake, 6, json!({"token": TOKEN, "session_id": session, "seq": seq})).await;
    assert!(matches!(&answer, Ws::Text(t) if t.contains("RESUMED")), "{answer:?}");
    assert!(fake.take_violations().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fake_rest_api_refuses_what_discord_refuses() {
    let fake = FakeDiscord::start().await;
    let (mut ws, _) = tokio_tungstenite::connect_async(fake.ws_url()).await.expect("connect");
    next_frame(&mut ws).await;
    ws.send(Ws::Text(json!({"op": 2, "d": identify(TOKEN, INTENTS)}).to_string())).await.unwrap();
    next_frame(&mut ws).await;
    let client = reqwest::Client::new();
    let post = |path: String, auth: &str, body: Value| {
        client
            .post(format!("{}/api/v10{path}", fake.proxy_url()))
            .header("authorization", auth)
            .header("user-agent", "DiscordBot (https://example.invalid, 1)")
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
    };
    let auth = format!("Bot {TOKEN}");
    let message = |content: Value| json!({"content": content, "allowed_mentions": {"parse": []}});
    let embed = |e: Value| json!({"embeds": [e], "allowed_mentions": {"parse": []}});
    let field = |name: &str, value: &str| json!({"name": name, "value": value});
    let many = |n: usize, e: Value| json!({"embeds": vec![e; n], "allowed_mentions": {"parse": []}});
    let cases: Vec<(Value, &str)> = vec![
        (message(json!("x".repeat(2001))), "content: 2001 characters, more than Discord's limit of 2000"),
        (message(json!("")), "empty"),
        (json!({"content": "hi"}), "allowed_mentions: missing"),
        (json!({"content": "hi", "allowed_mentions": {"parse": ["users"], "users": ["1"]}}), "parse` holds `users`"),
        (many(11, json!({"title": "t"})), "embeds: 11 items, more than Discord's limit of 10"),
        (embed(json!({"title": "t".repeat(257)})), "title: 257 characters, more than Discord's limit of 256"),
        (embed(json!({"description": "d".repeat(4097)})), "description: 4097 characters"),
        (embed(json!({"fields": vec![field("n", "v"); 26]})), "fields: 26 items, more than Discord's limit of 25"),
        (embed(json!({"fields": [field(&"n".repeat(257), "v")]})), "name: 257 characters"),
        (embed(json!({"fields": [field("n", &"v".repeat(1025))]})), "value: 1025 characters"),
        (embed(json!({"fields": [field("n", "")]})), "value: 0 characters, fewer than Discord's minimum of 1"),
        (embed(json!({"footer": {"text": "f".repeat(2049)}})), "footer.text: 2049 characters"),
        (embed(json!({"author": {"name": "a".repeat(257)}})), "author.name: 257 characters"),
        (many(2, json!({"description": "d".repeat(3001)})), "6002 characters"),
        (
            json!({"content": "c", "allowed_mentions": {"parse": []}, "components": vec![json!({"type": 1, "components": [{"type": 2, "style": 1, "label": "b", "custom_id": "b"}]}); 6]}),
            "6 action rows",
        ),
        (
            json!({"content": "c", "allowed_mentions": {"parse": []}, "components": [{"type": 1, "components": [{"type": 2, "style": 1, "label": "l".repeat(81), "custom_id": "x".repeat(101)}]}]}),
            "custom_id: 101 characters",
        ),
    ];
    for (i, (body, rule)) in cases.into_iter().enumerate() {
        let id = format!("{}", 1_401_000_000_000_000_000u64 + i as u64);
        fake.dispatch("INTERACTION_CREATE", json!({"id": id, "token": "t", "type": 2}));
        let response =
            post(format!("/interactions/{id}/t/callback"), &auth, json!({"type": 4, "data": body})).await.unwrap();
        assert_eq!(response.status(), 400, "{rule}");
        let refused = fake.take_violations();
        assert!(refused.iter().any(|r| r.contains(rule)), "want `{rule}`, got {refused:?}");
    }
    // Callbacks: the wrong type for the interaction, an unknown one, a second answer,
    // autocomplete limits, a wrong token, a channel message posing as ephemeral.
    fake.dispatch("INTERACTION_CREATE", json!({"id": "1402", "token": "t", "type": 4}));
    let ok = json!({"type": 4, "data": message(json!("hi"))});
    let cases: Vec<(String, String, Value, u16, &str)> = vec![
        (
            "/interactions/1402/t/callback".into(),
            auth.clone(),
            ok.clone(),
            400,
            "does not answer an interaction of type 4",
        ),
        (
            "/interactions/1402/t/callback".into(),
            auth.clone(),
            json!({"type": 8, "data": {"choices": vec![json!({"name": "n", "value": "v"}); 26]}}),
            400,
            "choices: 26 items",
        ),
        ("/interactions/1403/t/callback".into(), auth.clone(), ok.clone(), 404, "10062"),
        ("/interactions/1402/t/callback".into(), format!("Bot {WRONG_TOKEN}"), ok.clone(), 401, "Authorization"),
        ("/interactions/1402/t/callback".into(), TOKEN.into(), ok.clone(), 401, "Authorization"),
        (
            format!("/channels/{CHANNEL}/messages"),
            auth.clone(),
            json!({"content": "hi", "flags": 64, "allowed_mentions": {"parse": []}}),
            400,
            "flags",
        ),
        (
            format!("/channels/{CHANNEL}/messages"),
            auth.clone(),
            json!({"content": "hi", "allowed_mentions": {"parse": []}, "message_reference": {"message_id": "1"}}),
            400,
            "10008",
        ),
    ];
    for (path, auth, body, status, rule) in cases {
        let response = post(path, &auth, body).await.unwrap();
        assert_eq!(response.status(), status, "{rule}");
        let refused = fake.take_violations();
        assert!(refused.len() == 1 && refused[0].contains(rule), "want `{rule}`, got {refused:?}");
    }
    let answer = json!({"type": 8, "data": {"choices": [{"name": "n", "value": "v"}]}});
    assert_eq!(post("/interactions/1402/t/callback".into(), &auth, answer.clone()).await.unwrap().status(), 204);
    assert_eq!(post("/interactions/1402/t/callback".into(), &auth, answer).await.unwrap().status(), 400);
    let refused = fake.take_violations();
    assert!(refused.len() == 1 && refused[0].contains("40060"), "answered twice: {refused:?}");
    // Commands: an upper-case name, a required option after an optional one.
    let commands = json!([{"name": "Assess", "description": "d", "options": [
        {"type": 3, "name": "a", "description": "d"}, {"type": 3, "name": "b", "description": "d", "required": true}]}]);
    let response = client
        .put(format!("{}/api/v10/applications/{APP_ID}/commands", fake.proxy_url()))
        .header("authorization", &auth)
        .header("user-agent", "DiscordBot (https://example.invalid, 1)")
        .header("content-type", "application/json")
        .body(commands.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let refused = fake.take_violations();
    assert!(refused.iter().any(|r| r.contains("naming rule")), "{refused:?}");
    assert!(refused.iter().any(|r| r.contains("required option after an optional")), "{refused:?}");
}

/// The conversation around a verdict through the gateway: the verdict carries
/// components; the asker's pick updates the message in place (type 7) to the verdict
/// `imlaws assess` gives with that field changed; anyone else gets an ephemeral copy;
/// the what-if button lists what would change it; a question without its audience is
/// answered with a menu of audiences; a stale click is told so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_verdict_is_refined_in_place_through_the_gateway() {
    const ALICE: &str = "900000000000000001";
    let fake = FakeDiscord::start().await;
    let child = bot(&fake, &[]);
    fake.wait_gateway("READY", 1).await;
    let assess = discord::string_options(&[("identity", "anonymous"), ("audience", "strangers")]);
    let body = ask(&fake, interaction(discord::command("assess", assess, "en-US"))).await;
    public_embed(&body, CONDITIONAL, Lang::En);
    let menu = discord::custom_id(&body, "c");

    // What the CLI says of the changed profile, from outside the bot.
    let cli = output_within(
        {
            let mut c = Command::new(env!("CARGO_BIN_EXE_imlaws"));
            c.args(["assess", "--identity", "real-name", "--audience", "strangers", "--json"]);
            c
        },
        20,
    )
    .await;
    let expected: Value = serde_json::from_slice(&cli.stdout).expect("verdict JSON");

    let mine = ask(&fake, interaction(discord::component(&menu, Some(&["0:0"]), ALICE, "en-US"))).await;
    assert_eq!(mine["type"], 7, "UPDATE_MESSAGE for the asker: {mine}");
    let e = &mine["data"]["embeds"][0];
    let rule = KB.rule_label(RuleId::from_id(expected["primary"].as_str().unwrap()).unwrap(), Lang::En);
    assert!(e["description"].as_str().unwrap().contains(rule), "decided by {rule}: {e}");
    let profile = e["fields"].as_array().unwrap().iter().find(|f| f["name"] == "Profile").expect("profile field");
    assert!(profile["value"].as_str().unwrap().starts_with("identity: real-name · audience: strangers"), "{profile}");

    let theirs =
        ask(&fake, interaction(discord::component(&menu, Some(&["0:0"]), "900000000000000002", "en-US"))).await;
    assert_eq!((theirs["type"].as_u64(), theirs["data"]["flags"].as_u64()), (Some(4), Some(limits::EPHEMERAL)));
    assert_eq!(theirs["data"]["embeds"][0]["description"], e["description"]);

    let what_if =
        ask(&fake, interaction(discord::component(&discord::custom_id(&body, "w"), None, ALICE, "en-US"))).await;
    let text = what_if["data"]["embeds"][0]["description"].as_str().unwrap();
    assert!(text.contains("host: standalone chat app → tool app: Corollary 6"), "{text}");

    let question = discord::string_options(&[("question", "an anonymous chat app")]);
    let asked = ask(&fake, interaction(discord::command("ask", question, "zh-CN"))).await;
    let audiences = discord::custom_id(&asked, "n");
    let answered = ask(&fake, interaction(discord::component(&audiences, Some(&["1:6"]), ALICE, "zh-CN"))).await;
    assert_eq!(answered["type"], 7);
    assert!(answered["data"]["embeds"][0]["description"]
        .as_str()
        .unwrap()
        .contains(KB.rule_label(RuleId::Corollary5, Lang::Zh)));

    let stale = menu.replacen(&KB.tag, "000000", 1);
    let refused = ask(&fake, interaction(discord::component(&stale, Some(&["0:0"]), ALICE, "en-US"))).await;
    assert!(ephemeral_text(&refused).contains("earlier version"), "{refused}");
    assert!(fake.take_violations().is_empty());
    sigterm(child).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_fake_refuses_uploads_and_webhook_edits_discord_would_refuse() {
    use reqwest::multipart::{Form, Part};
    let fake = FakeDiscord::start().await;
    let (mut ws, _) = tokio_tungstenite::connect_async(fake.ws_url()).await.expect("connect");
    next_frame(&mut ws).await;
    ws.send(Ws::Text(json!({"op": 2, "d": identify(TOKEN, INTENTS)}).to_string())).await.unwrap();
    next_frame(&mut ws).await;
    let client = reqwest::Client::new();
    let png = || Part::bytes(vec![0x89, b'P', b'N', b'G']).file_name("map.png").mime_str("image/png").unwrap();
    let send = |method: reqwest::Method, path: String, form: Form| {
        client
            .request(method, format!("{}/api/v10{path}", fake.proxy_url()))
            .header("authorization", format!("Bot {TOKEN}"))
            .header("user-agent", "DiscordBot (https://example.invalid, 1)")
            .multipart(form)
            .send()
    };
    let reply = |image: &str, attachments: Value| {
        json!({"type": 4, "data": {"embeds": [{"title": "t", "image": {"url": image}}], "attachments": attachments,
               "allowed_mentions": {"parse": []}}})
        .to_string()
    };
    let cases: Vec<(Form, &str)> = vec![
        (
            Form::new().text("payload_json", reply("attachment://other.png", json!([]))).part("files[0]", png()),
            "attachment://other.png names no uploaded file",
        ),
        (
            Form::new().text("payload_json", reply("attachment://map.png", json!([{"id": 1}]))).part("files[0]", png()),
            "id 1 names no uploaded files[1]",
        ),
        (Form::new().part("files[0]", png()), "no payload_json part"),
        (
            Form::new().text("payload_json", reply("attachment://map.png", json!([]))).part("file", png()),
            "unexpected part",
        ),
    ];
    for (i, (form, rule)) in cases.into_iter().enumerate() {
        let id = format!("{}", 1_403_000_000_000_000_000u64 + i as u64);
        fake.dispatch("INTERACTION_CREATE", json!({"id": id, "token": "t", "type": 2}));
        let response = send(reqwest::Method::POST, format!("/interactions/{id}/t/callback"), form).await.unwrap();
        assert_eq!(response.status(), 400, "{rule}");
        let refused = fake.take_violations();
        assert!(refused.iter().any(|r| r.contains(rule)), "want `{rule}`, got {refused:?}");
    }
    // Editing the original response: an unknown token, an interaction not answered yet,
    // another application.
    fake.dispatch("INTERACTION_CREATE", json!({"id": "1404", "token": "unanswered", "type": 2}));
    let edit = || {
        Form::new()
            .text("payload_json", json!({"embeds": [{"title": "t"}], "allowed_mentions": {"parse": []}}).to_string())
            .part("files[0]", png())
    };
    for (path, status, rule) in [
        (format!("/webhooks/{APP_ID}/nobody/messages/@original"), 404, "10015"),
        (format!("/webhooks/{APP_ID}/unanswered/messages/@original"), 404, "10008"),
        ("/webhooks/1/unanswered/messages/@original".to_string(), 404, "not this bot's application"),
    ] {
        let response = send(reqwest::Method::PATCH, path, edit()).await.unwrap();
        assert_eq!(response.status(), status, "{rule}");
        let refused = fake.take_violations();
        assert!(refused.iter().any(|r| r.contains(rule)), "want `{rule}`, got {refused:?}");
    }
}
