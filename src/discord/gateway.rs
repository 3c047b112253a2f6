//! The gateway transport: a serenity client that answers slash commands and messages
//! that mention the bot, with the shared [`super::answer_interaction`] handler and
//! renderer.

use super::{answer_interaction, commands, components, Incoming};
use crate::answer::Reply;
use crate::ask::detect_lang;
use crate::command::{parse_line, Asked, Commands};
use crate::kb::Kb;
use crate::metrics::{self, Outcome, Transport};
use serenity::all::{
    Command, Context, CreateAllowedMentions, CreateAttachment, EventHandler, GatewayIntents, GuildId, HttpBuilder,
    Interaction, LightMethod, Message, RatelimitInfo, Ready, ResumedEvent, RoleId, Route, UserId,
};
use serenity::http::{Http, Multipart, MultipartUpload, Request as RestRequest};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How many shards this process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shards {
    /// One shard (id 0 of 1).
    Single,
    /// Discord's recommended count, from `GET /gateway/bot`.
    Auto,
    /// Shards `start..=end` of `total`, to spread shards over processes and machines.
    Range { start: u32, end: u32, total: u32 },
}

/// Why a bot token was refused before connecting.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("DISCORD_TOKEN is not set; copy the bot token from the Developer Portal (Bot → Reset Token)")]
    Missing,
    #[error(
        "DISCORD_TOKEN does not look like a bot token (three dot-separated parts, the first the bot's id in base64)"
    )]
    Shape,
}

/// Check a bot token's shape without printing it: `id.timestamp.hmac`, base64url, the
/// first part the bot's numeric user id. A leading `Bot ` is accepted.
pub fn check_token(token: Option<&str>) -> Result<String, TokenError> {
    let token = token.map(str::trim).filter(|t| !t.is_empty()).ok_or(TokenError::Missing)?;
    let token = token.strip_prefix("Bot ").unwrap_or(token);
    let parts: Vec<&str> = token.split('.').collect();
    let base64url = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if parts.len() != 3 || !parts.iter().all(|p| base64url(p)) {
        return Err(TokenError::Shape);
    }
    let id = decode_base64(parts[0]).ok_or(TokenError::Shape)?;
    if id.is_empty() || !id.iter().all(u8::is_ascii_digit) {
        return Err(TokenError::Shape);
    }
    Ok(token.to_string())
}

/// The bot's user id, from its token's first part (`Bot ` accepted).
pub fn token_user_id(token: &str) -> Option<UserId> {
    let token = token.strip_prefix("Bot ").unwrap_or(token);
    let digits = decode_base64(token.split('.').next()?)?;
    let id: u64 = std::str::from_utf8(&digits).ok()?.parse().ok()?;
    (id > 0).then(|| UserId::new(id))
}

fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' | b'-' => Some(62),
        b'/' | b'_' => Some(63),
        _ => None,
    };
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0);
    for c in s.trim_end_matches('=').bytes() {
        acc = acc << 6 | u32::from(value(c)?);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// Only what the bot needs, nothing privileged: guild and DM messages (a message that
/// mentions the bot carries its content without MESSAGE_CONTENT; others arrive empty
/// and are ignored). Interactions need no intent.
pub fn intents() -> GatewayIntents {
    GatewayIntents::GUILD_MESSAGES | GatewayIntents::DIRECT_MESSAGES
}

/// serenity's HTTP client for `token`, through `proxy` when given. serenity honours a
/// proxy only with its own ratelimiter off; [`Rest`] then handles 429s itself.
pub fn http(token: &str, proxy: Option<&str>, application_id: Option<u64>) -> Http {
    let mut builder = HttpBuilder::new(token).default_allowed_mentions(CreateAllowedMentions::new());
    if let Some(proxy) = proxy {
        builder = builder.proxy(proxy).ratelimiter_disabled(true);
    }
    if let Some(id) = application_id {
        builder = builder.application_id(id.into());
    }
    builder.build()
}

/// Replace every command: globally, or in one guild (instant, for testing).
pub async fn register(kb: &Kb, http: &Http, guild: Option<GuildId>) -> serenity::Result<usize> {
    let cmds = commands::all(kb);
    let n = cmds.len();
    match guild {
        Some(g) => g.set_commands(http, cmds).await.map(|_| n),
        None => Command::set_global_commands(http, cmds).await.map(|_| n),
    }
}

/// Posts to Discord (or the proxy in front of it). Behind a proxy serenity's ratelimiter
/// is off, so a 429 comes back here: wait its `retry_after` and try again, a few times,
/// so no interaction is dropped. A 5xx is tried again too, after a short wait; if
/// Discord had in fact taken the first try, the next is refused as already answered
/// (40060), which then counts as delivered.
pub struct Rest {
    client: reqwest::Client,
    token: String,
    proxy: Option<String>,
}

/// Why a REST call to Discord failed for good.
#[derive(Debug, thiserror::Error)]
pub enum RestError {
    #[error(transparent)]
    Serenity(#[from] serenity::Error),
    #[error(transparent)]
    Network(#[from] reqwest::Error),
    #[error("{status}: {body}")]
    Refused { status: reqwest::StatusCode, body: String },
}

/// How often a rate-limited request is tried, and the longest wait honoured.
const ATTEMPTS: usize = 4;
const LONGEST_WAIT: Duration = Duration::from_secs(10);
/// The wait before trying again after a 5xx, times the attempt (well inside an
/// interaction's 3 s).
const SERVER_ERROR_WAIT: Duration = Duration::from_millis(100);

impl Rest {
    pub fn new(token: &str, proxy: Option<String>) -> Rest {
        Rest { client: reqwest::Client::new(), token: format!("Bot {token}"), proxy }
    }

    /// POST the JSON `bytes` to `route`, with `files` as a multipart upload
    /// (`payload_json` and `files[n]`) when there are any, else as the body.
    pub async fn post_files(
        &self,
        http: &Http,
        route: Route<'_>,
        bytes: Vec<u8>,
        files: Vec<CreateAttachment>,
    ) -> Result<(), RestError> {
        let callback = matches!(route, Route::InteractionResponse { .. });
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::CONTENT_TYPE, reqwest::header::HeaderValue::from_static("application/json"));
        let request = || {
            let request = RestRequest::new(route, LightMethod::Post);
            if files.is_empty() {
                request.body(Some(bytes.clone())).headers(Some(headers.clone()))
            } else {
                request.multipart(Some(Multipart {
                    upload: MultipartUpload::Attachments(files.clone()),
                    payload_json: Some(String::from_utf8_lossy(&bytes).into_owned()),
                    fields: Vec::new(),
                }))
            }
        };
        if self.proxy.is_none() {
            // serenity's own ratelimiter waits out 429s on the direct path.
            return Ok(http.request(request()).await.map(drop)?);
        }
        let mut server_error = false;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let request = request().build(&self.client, &self.token, self.proxy.as_deref())?.build()?;
            let response = self.client.execute(request).await?;
            let status = response.status();
            if status.is_success() {
                return Ok(());
            }
            let retry_header =
                response.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<f64>().ok());
            let text = response.text().await.unwrap_or_default();
            let code = || serde_json::from_str::<serde_json::Value>(&text).ok().and_then(|v| v["code"].as_u64());
            if server_error && status.as_u16() == 400 && code() == Some(40060) {
                return Ok(());
            }
            // Only an interaction callback is safe to repeat (Discord refuses a second one
            // with 40060); a message posted twice would be two messages.
            if status.is_server_error() && callback && attempt < ATTEMPTS {
                server_error = true;
                let wait = SERVER_ERROR_WAIT * attempt as u32;
                tracing::warn!(attempt, %status, wait_ms = wait.as_millis() as u64, "Discord failed; retrying");
                tokio::time::sleep(wait).await;
                continue;
            }
            if status.as_u16() != 429 || attempt == ATTEMPTS {
                return Err(RestError::Refused { status, body: text });
            }
            let retry_after = serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|v| v["retry_after"].as_f64())
                .or(retry_header)
                .unwrap_or(1.0);
            let wait = Duration::try_from_secs_f64(retry_after).unwrap_or(LONGEST_WAIT).min(LONGEST_WAIT);
            tracing::warn!(attempt, wait_ms = wait.as_millis() as u64, "rate limited; retrying");
            metrics::retry_429();
            tokio::time::sleep(wait).await;
        }
    }
}

/// The event handler: interactions and mentions, answered by the shared handler.
pub struct Handler {
    kb: &'static Kb,
    rest: Rest,
    register_guild: Option<GuildId>,
    me: OnceLock<UserId>,
    /// The bot's own managed role in each guild (`None`: it has none), fetched once per
    /// guild the first time a message there mentions roles.
    roles: Mutex<HashMap<GuildId, Option<RoleId>>>,
}

impl Handler {
    pub fn new(kb: &'static Kb, rest: Rest, register_guild: Option<GuildId>) -> Handler {
        // The bot's user id is the token's first part: known before READY, so a mention
        // that arrives while serenity still runs the `ready` handler (events are handled
        // in tasks of their own) is not taken for a message to someone else.
        let me = OnceLock::new();
        if let Some(id) = token_user_id(&rest.token) {
            let _ = me.set(id);
        }
        Handler { kb, rest, register_guild, me, roles: Mutex::new(HashMap::new()) }
    }

    /// The bot's managed role in `guild`, asked of Discord once and remembered.
    async fn managed_role(&self, http: &Http, guild: GuildId) -> Option<RoleId> {
        if let Some(known) = self.roles.lock().ok().and_then(|r| r.get(&guild).copied()) {
            return known;
        }
        let me = *self.me.get()?;
        match guild.roles(http).await {
            Ok(roles) => {
                let role = roles.values().find(|r| r.tags.bot_id == Some(me)).map(|r| r.id);
                if let Ok(mut known) = self.roles.lock() {
                    known.insert(guild, role);
                }
                role
            }
            Err(e) => {
                tracing::warn!(%guild, error = %e, "could not look up the bot's role");
                None
            }
        }
    }

    /// Does this message address the bot — a mention of it, or of its managed role?
    /// Returns the role to strip from the text when that is how it was addressed.
    async fn addressed(&self, http: &Http, msg: &Message) -> Option<Option<RoleId>> {
        let me = self.me.get()?;
        if msg.mentions.iter().any(|u| u.id == *me) {
            return Some(None);
        }
        let guild = msg.guild_id.filter(|_| !msg.mention_roles.is_empty())?;
        let role = self.managed_role(http, guild).await?;
        msg.mention_roles.contains(&role).then_some(Some(role))
    }

    /// The message's text without the mentions of the bot.
    fn question(&self, msg: &Message, role: Option<RoleId>) -> String {
        let mut text = msg.content.clone();
        if let Some(me) = self.me.get() {
            text = text.replace(&format!("<@{me}>"), " ").replace(&format!("<@!{me}>"), " ");
        }
        if let Some(role) = role {
            text = text.replace(&format!("<@&{role}>"), " ");
        }
        text.trim().to_string()
    }
}

#[serenity::async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Context, ready: Ready) {
        let _ = self.me.set(ready.user.id);
        if let Some(shard) = ready.shard {
            metrics::gateway_ready(shard.id.0, shard.total);
        }
        tracing::info!(user = %ready.user.name, shard = ?ready.shard.map(|s| s.id.0), guilds = ready.guilds.len(), "ready");
        if let Some(guild) = self.register_guild {
            match register(self.kb, &ctx.http, Some(guild)).await {
                Ok(n) => tracing::info!(%guild, commands = n, "registered guild commands"),
                Err(e) => tracing::error!(%guild, error = %e, "could not register commands"),
            }
        }
    }

    async fn resume(&self, _: Context, _: ResumedEvent) {
        metrics::gateway_resumed();
    }

    async fn ratelimit(&self, _: RatelimitInfo) {
        metrics::ratelimit_wait();
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        let started = Instant::now();
        let Some(incoming) = Incoming::from_serenity(&interaction) else { return };
        let (id, token) = match &interaction {
            Interaction::Command(c) | Interaction::Autocomplete(c) => (c.id, c.token.as_str()),
            Interaction::Component(c) => (c.id, c.token.as_str()),
            Interaction::Modal(m) => (m.id, m.token.as_str()),
            _ => return,
        };
        let (answer, mut outcome) = answer_interaction(self.kb, &incoming);
        // A map goes with its callback, as a multipart upload.
        let (callback, file) = answer.into_parts();
        let route = Route::InteractionResponse { interaction_id: id, token };
        if let Err(e) = self.rest.post_files(&ctx.http, route, callback.to_json(), file.into_iter().collect()).await {
            tracing::error!(interaction = %id, error = %e, "could not answer an interaction");
            outcome = Outcome::Failed;
        }
        metrics::interaction(Transport::Gateway, incoming.label(), incoming.lang, outcome, started.elapsed());
    }

    async fn message(&self, ctx: Context, msg: Message) {
        if msg.author.bot {
            return;
        }
        let Some(role) = self.addressed(&ctx.http, &msg).await else { return };
        let started = Instant::now();
        let text = self.question(&msg, role);
        let lang = detect_lang(&text);
        let commands = Commands::builtin();
        let request = parse_line(commands, if text.is_empty() { "/help" } else { &text });
        let owner = msg.author.id.get();
        let mut files = Vec::new();
        let answered = request.and_then(|r| r.answer(self.kb, &Asked { lang, forced: false, commands }));
        let mut outcome = if answered.is_ok() { Outcome::Answered } else { Outcome::UserError };
        let mut reply = match answered {
            Ok(Reply::Map(m)) => {
                files.push(super::map_file(&m.png));
                super::map_message(crate::render::map(self.kb, m.marker.as_ref(), m.lang), false)
            }
            answered => components::message_data(self.kb, answered, lang, owner),
        };
        // A reply in the channel: only an interaction's answer can be seen by the asker alone.
        reply.ephemeral = false;
        let body = reply.to_reply_json(msg.id.get(), msg.channel_id.get());
        let route = Route::ChannelMessages { channel_id: msg.channel_id };
        if let Err(e) = self.rest.post_files(&ctx.http, route, body, files).await {
            tracing::error!(channel = %msg.channel_id, error = %e, "could not reply to a mention");
            outcome = Outcome::Failed;
        }
        metrics::mention(lang, outcome, started.elapsed());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_shapes() {
        // A made-up token of the right shape: base64("123456789012345678").x.y
        let good = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDE.abcdefghijklmnopqrstuvwxyz0123456789_-";
        assert_eq!(check_token(Some(good)).as_deref(), Ok(good));
        assert_eq!(check_token(Some(&format!("Bot {good}"))).as_deref(), Ok(good));
        assert_eq!(check_token(None), Err(TokenError::Missing));
        assert_eq!(check_token(Some("")), Err(TokenError::Missing));
        assert_eq!(check_token(Some("not-a-token")), Err(TokenError::Shape));
        assert_eq!(check_token(Some("aGVsbG8.x.y")), Err(TokenError::Shape), "first part is not an id");
        assert_eq!(check_token(Some("MTIz.x y.z")), Err(TokenError::Shape));
        assert_eq!(decode_base64("MTIz"), Some(b"123".to_vec()));
    }

    #[test]
    fn the_bot_id_is_read_from_the_token() {
        let good = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GabcDE.abcdefghijklmnopqrstuvwxyz0123456789_-";
        assert_eq!(token_user_id(good), Some(UserId::new(123456789012345678)));
        assert_eq!(token_user_id(&format!("Bot {good}")), Some(UserId::new(123456789012345678)));
        assert_eq!(token_user_id("aGVsbG8.x.y"), None, "not digits");
        assert_eq!(token_user_id("MA.x.y"), None, "0 is no id");
    }
}
