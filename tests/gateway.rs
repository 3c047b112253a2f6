//! The real `imlaws run` process against a fake Discord on loopback: registration,
//! every command in both languages, mentions, resume after close 4000 and op 7, a 429
//! on the callback, and close 4004. Each test asserts the exact callback bodies.

mod common;

use common::discord;
use common::fake_discord::{message_json, FakeDiscord, APP_ID, BOT_ID, BOT_ROLE_ID, GUILD_ID, TOKEN};
use imlaws::kb::Kb;
use serde_json::{json, Value};
use serenity::all::Interaction;
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::LazyLock;
use std::time::Duration;
use tokio::process::{Child, Command};

static KB: LazyLock<Kb> = LazyLock::new(|| Kb::builtin().unwrap());
const CHANNEL: &str = "1100000000000000010";

fn bot(fake: &FakeDiscord, extra: &[&str]) -> Child {
    bot_logging(fake, extra, "info")
}

fn bot_logging(fake: &FakeDiscord, extra: &[&str], log: &str) -> Child {
    Command::new(env!("CARGO_BIN_EXE_imlaws"))
        .arg("run")
        .args(["--discord-proxy", &fake.proxy_url()])
        .args(extra)
        .env("DISCORD_TOKEN", TOKEN)
        .env("RUST_LOG", log)
        .env_remove("IMLAWS_DISCORD_PROXY")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("spawn imlaws run")
}

/// An interaction with a fresh id and token, as the gateway would deliver it.
fn interaction(mut v: Value) -> Value {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let n = NEXT.fetch_add(1, Ordering::SeqCst);
    v["id"] = json!(format!("{}", 1_301_000_000_000_000_000u64 + n));
    v["token"] = json!(format!("token-{n}"));
    v
}

/// What the library answers for this interaction: the body the fake must receive.
fn expected(v: &Value) -> Value {
    let i: Interaction = serde_json::from_value(v.clone()).expect("interaction");
    serde_json::to_value(imlaws::discord::respond(&KB, &i)).unwrap()
}

/// Dispatch an interaction and return the callback body the bot posted for it.
async fn ask(fake: &FakeDiscord, v: Value) -> Value {
    let path = format!("/interactions/{}/{}/callback", v["id"].as_str().unwrap(), v["token"].as_str().unwrap());
    fake.dispatch("INTERACTION_CREATE", v);
    let call = fake.wait_call(&path, 0).await;
    assert_eq!(call.method, "POST");
    call.body
}

async fn sigterm(mut child: Child) {
    let pid = child.id().expect("running").to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().await.unwrap().success());
    let status = tokio::time::timeout(Duration::from_secs(20), child.wait()).await.expect("exits on SIGTERM").unwrap();
    assert_eq!(status.code(), Some(0), "clean shutdown");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registers_and_answers_every_command_in_both_languages() {
    let fake = FakeDiscord::start().await;
    let child = bot(&fake, &["--register-guild", GUILD_ID]);
    fake.wait_gateway("READY", 1).await;

    let put = fake.wait_call(&format!("/applications/{APP_ID}/guilds/{GUILD_ID}/commands"), 0).await;
    assert_eq!(put.method, "PUT");
    let names: Vec<&str> = put.body.as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["assess", "ask", "law", "corollary", "app", "help"]);
    let assess = &put.body[0];
    assert_eq!(assess["name_localizations"]["zh-CN"], "评估");
    assert_eq!(assess["options"][0]["name"], "identity");
    assert_eq!(assess["options"][0]["required"], true);
    assert_eq!(assess["options"][0]["name_localizations"]["zh-CN"], "身份");
    assert_eq!(
        assess["options"][0]["choices"][1],
        json!({"name": "anonymous", "value": "anonymous", "name_localizations": {"zh-CN": "匿名"}})
    );
    assert_eq!(assess["options"].as_array().unwrap().len(), 9);
    assert_eq!(put.body[2]["options"][0]["max_value"], 3);
    assert_eq!(put.body[4]["options"][0]["autocomplete"], true);

    let cases: Vec<(Value, &str)> = vec![
        (
            discord::command(
                "assess",
                discord::string_options(&[("identity", "anonymous"), ("audience", "strangers")]),
                "en-US",
            ),
            "Tool · outlook conditional",
        ),
        (
            discord::command(
                "assess",
                discord::string_options(&[("identity", "anonymous"), ("audience", "strangers")]),
                "zh-CN",
            ),
            "工具 · 前景视条件而定",
        ),
        (
            discord::command("law", json!([{"name": "number", "type": 4, "value": 3}]), "en-US"),
            "Law 3: Each device-form change opens one chance",
        ),
        (
            discord::command("corollary", json!([{"name": "number", "type": 4, "value": 5}]), "zh-CN"),
            "推论五：陌生人社交本质是工具",
        ),
        (
            discord::command("app", discord::string_options(&[("name", "WeChat")]), "en-US"),
            "WeChat (微信) · National chat app · favorable",
        ),
        (
            discord::command(
                "ask",
                discord::string_options(&[("question", "面向企业员工的实名办公沟通工具")]),
                "en-US",
            ),
            "企业与校园 · 前景看好",
        ),
    ];
    for (payload, title) in cases {
        let v = interaction(payload);
        let body = ask(&fake, v.clone()).await;
        assert_eq!(body, expected(&v), "exact callback body");
        assert_eq!(body["type"], 4);
        assert_eq!(body["data"]["embeds"][0]["title"], title);
        assert_eq!(body["data"]["allowed_mentions"], json!({"parse": [], "users": [], "roles": []}));
    }

    let v = interaction(discord::autocomplete("微", "zh-CN"));
    let body = ask(&fake, v.clone()).await;
    assert_eq!(body, expected(&v));
    assert_eq!(
        (body["type"].clone(), body["data"]["choices"][0].clone()),
        (json!(8), json!({"name": "微信 (WeChat)", "value": "WeChat"}))
    );

    let v = interaction(discord::command(
        "assess",
        discord::string_options(&[("identity", "robot"), ("audience", "strangers")]),
        "zh-CN",
    ));
    let body = ask(&fake, v.clone()).await;
    assert_eq!(body, expected(&v));
    assert_eq!(body["data"]["flags"], 64, "errors are ephemeral");
    assert!(body["data"]["content"].as_str().unwrap().starts_with("未知的身份“robot”"));

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
    assert_eq!(reply.body["allowed_mentions"]["parse"], json!([]), "nobody is pinged");
    assert_eq!(reply.body["embeds"][0]["title"], "Enterprise and campus · outlook favorable");

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
    assert_eq!(reply.body["embeds"][0]["title"], "工具 · 前景视条件而定");

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
    assert!(reply.body["content"].as_str().unwrap().starts_with("I could not tell the audience"), "{}", reply.body);
    assert_eq!(reply.body["allowed_mentions"]["parse"], json!([]));

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
    assert_eq!(
        reply.body["content"],
        "`@everyone` is not an option; write options as name:value, e.g. identity:anonymous."
    );
    assert_eq!(reply.body["allowed_mentions"], json!({"parse": [], "users": [], "roles": []}));

    let replies = fake.calls().into_iter().filter(|c| c.path.ends_with("/messages")).count();
    assert_eq!(replies, 4, "the bot's own kind and unaddressed messages are ignored");
    sigterm(child).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resumes_after_close_4000_and_op_7_and_keeps_answering() {
    let fake = FakeDiscord::start().await;
    let child = bot(&fake, &[]);
    fake.wait_gateway("READY", 1).await;

    fake.close(4000);
    fake.wait_gateway("RESUMED", 1).await;
    let v = interaction(discord::command("law", json!([{"name": "number", "type": 4, "value": 2}]), "en-US"));
    assert_eq!(ask(&fake, v.clone()).await, expected(&v));

    fake.send_op(7, Value::Null);
    fake.wait_gateway("RESUMED", 2).await;
    let v = interaction(discord::command("help", json!([]), "zh-CN"));
    assert_eq!(ask(&fake, v.clone()).await, expected(&v));

    assert_eq!(fake.count("IDENTIFY"), 1, "resumed, never re-identified: {:?}", fake.gateway_log());
    assert_eq!(fake.count("RESUME"), 2);
    sigterm(child).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_429_on_the_callback_is_waited_out_and_retried() {
    let fake = FakeDiscord::start().await;
    let child = bot(&fake, &[]);
    fake.wait_gateway("READY", 1).await;
    fake.shared.callback_429s.store(1, Ordering::SeqCst);

    let v = interaction(discord::command("corollary", json!([{"name": "number", "type": 4, "value": 7}]), "en-US"));
    let path = format!("/interactions/{}/{}/callback", v["id"].as_str().unwrap(), v["token"].as_str().unwrap());
    fake.dispatch("INTERACTION_CREATE", v.clone());
    let first = fake.wait_call(&path, 0).await;
    let second = fake.wait_call(&path, 1).await;
    assert_eq!((first.status, second.status), (429, 204));
    assert_eq!(second.body, expected(&v), "the same body, answered after the wait");
    let waited = second.at - first.at;
    assert!(waited >= Duration::from_millis(400), "waited retry_after (0.4 s), not Retry-After: {waited:?}");
    assert!(waited < Duration::from_millis(1500), "{waited:?}");
    sigterm(child).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn close_4004_stops_the_bot_with_a_clear_message() {
    let fake = FakeDiscord::start().await;
    fake.shared.reject_token.store(true, Ordering::SeqCst);
    // The most verbose logging there is: the token still never appears.
    let child = bot_logging(&fake, &[], "trace");
    let out =
        tokio::time::timeout(Duration::from_secs(30), child.wait_with_output()).await.expect("the bot stops").unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("error: Discord rejected the token (gateway close 4004); check DISCORD_TOKEN"), "{stderr}");
    assert_eq!(fake.count("IDENTIFY"), 1, "no retry loop: {:?}", fake.gateway_log());
    assert!(!stderr.contains(TOKEN) && !stderr.contains("fake-token-for-tests"), "the token never reaches a log");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_malformed_token_or_flags_are_refused_before_connecting() {
    let run = |token: Option<&str>, args: &[&str]| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_imlaws"));
        cmd.arg("run").args(args).env_remove("DISCORD_TOKEN").env_remove("IMLAWS_DISCORD_PROXY");
        if let Some(t) = token {
            cmd.env("DISCORD_TOKEN", t);
        }
        cmd.output().unwrap()
    };
    let out = run(None, &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: DISCORD_TOKEN is not set"));
    let out = run(Some("hunter2-secret"), &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.starts_with("error: DISCORD_TOKEN does not look like a bot token"), "{stderr}");
    assert!(!stderr.contains("hunter2"), "the token is never printed");
    let out = run(Some(TOKEN), &["--shard-range", "3-1", "--shard-total", "2"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--shard-range 3-1 must lie within 0-1"));
    let out = run(Some(TOKEN), &["--discord-proxy", "ftp://x"]);
    assert_eq!(out.status.code(), Some(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_overwrites_guild_and_global_commands() {
    let fake = FakeDiscord::start().await;
    let register = |extra: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_imlaws"))
            .arg("register")
            .args(["--discord-proxy", &fake.proxy_url()])
            .args(extra)
            .env("DISCORD_TOKEN", TOKEN)
            .env("DISCORD_APPLICATION_ID", APP_ID)
            .output()
            .unwrap()
    };
    let out = tokio::task::block_in_place(|| register(&["--guild", GUILD_ID]));
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), format!("registered 6 commands in guild {GUILD_ID}\n"));
    let out = tokio::task::block_in_place(|| register(&[]));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "registered 6 global commands\n");
    let puts: Vec<String> = fake.calls().into_iter().filter(|c| c.method == "PUT").map(|c| c.path).collect();
    assert_eq!(
        puts,
        [
            format!("/api/v10/applications/{APP_ID}/guilds/{GUILD_ID}/commands"),
            format!("/api/v10/applications/{APP_ID}/commands")
        ]
    );
    let missing_app = tokio::task::block_in_place(|| {
        std::process::Command::new(env!("CARGO_BIN_EXE_imlaws"))
            .args(["register", "--discord-proxy", &fake.proxy_url()])
            .env("DISCORD_TOKEN", TOKEN)
            .env_remove("DISCORD_APPLICATION_ID")
            .output()
            .unwrap()
    });
    assert_eq!(missing_app.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing_app.stderr).starts_with("error: DISCORD_APPLICATION_ID is not set"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shards_auto_asks_discord_for_the_count() {
    let fake = FakeDiscord::start().await;
    let child = bot(&fake, &["--shards", "auto"]);
    fake.wait_gateway("READY", 1).await;
    assert!(fake.calls().iter().any(|c| c.path == "/api/v10/gateway/bot"), "{:?}", fake.calls());
    let v = interaction(discord::command("corollary", json!([{"name": "number", "type": 4, "value": 1}]), "en-US"));
    assert_eq!(ask(&fake, v.clone()).await, expected(&v));
    sigterm(child).await;
}
