//! The terminal front-end: clap subcommands and the console. Nothing here decides:
//! input becomes a [`Request`], [`answer`] decides, the renderer prints.

use crate::answer::{answer, parse_line, Reply, Request, UserError};
use crate::kb::Kb;
use crate::lang::Lang;
use clap::{Args, Parser, Subcommand};
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(name = "imlaws", version, about = "Which law of IM apps decides your chat product's positioning?")]
pub struct Cli {
    /// Load the knowledge base from this folder instead of the built-in one.
    #[arg(long, global = true, env = "IMLAWS_CONFIG", value_name = "DIR")]
    pub config: Option<PathBuf>,

    /// Answer in this language: en or zh.
    #[arg(long, global = true, value_parser = parse_lang, value_name = "en|zh")]
    pub lang: Option<Lang>,

    /// Print JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,

    /// Logs on stderr as text lines or as one JSON object per line.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text, value_name = "text|json")]
    pub log_format: LogFormat,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// How `run`, `serve` and `register` write their logs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    Lang::parse(s).ok_or_else(|| format!("unknown language `{s}`; use en or zh"))
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Assess a product from its profile codes.
    Assess(AssessArgs),
    /// Show a law (1–3) and its corollaries.
    Law {
        /// 1, 2 or 3.
        #[arg(allow_negative_numbers = true)]
        number: String,
    },
    /// Show a corollary (1–7), its cases and insight.
    Corollary {
        /// 1 to 7.
        #[arg(allow_negative_numbers = true)]
        number: String,
    },
    /// Show one of the article's 27 products (English or Chinese name).
    App {
        /// The product's name, e.g. WeChat, 微信, "MSN Messenger".
        #[arg(required = true, num_args = 1..)]
        name: Vec<String>,
    },
    /// Describe a product in your own words (English or Chinese).
    Ask {
        /// The question, e.g. "an anonymous app where strangers nearby can chat".
        #[arg(required = true, num_args = 1..)]
        question: Vec<String>,
    },
    /// Draw the positioning map (PNG): the 27 products, with a profile or one of them
    /// marked.
    Map(MapArgs),
    /// Read slash commands, one per line, from the terminal or a pipe (the default).
    Console,
    /// Serve Discord's Interactions Endpoint URL over HTTP (needs DISCORD_PUBLIC_KEY).
    Serve(ServeArgs),
    /// Run the bot over the gateway (needs DISCORD_TOKEN).
    Run(RunArgs),
    /// Replace the slash commands, globally or in one guild (needs DISCORD_TOKEN and
    /// DISCORD_APPLICATION_ID).
    Register {
        /// Register in this guild only (updates instantly) instead of globally.
        #[arg(long, value_name = "GUILD_ID")]
        guild: Option<u64>,
        /// Send REST calls to this base URL instead of https://discord.com.
        #[arg(long, env = "IMLAWS_DISCORD_PROXY", value_name = "URL")]
        discord_proxy: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// `auto` for Discord's recommended shard count, or a number of shards to run here.
    #[arg(long, value_name = "auto|N", conflicts_with = "shard_range")]
    pub shards: Option<String>,
    /// Run shards A to B (inclusive) of --shard-total, to spread shards over processes.
    #[arg(long, value_name = "A-B", requires = "shard_total")]
    pub shard_range: Option<String>,
    /// The total number of shards across all processes.
    #[arg(long, value_name = "N", requires = "shard_range")]
    pub shard_total: Option<u32>,
    /// Send REST calls to this base URL instead of https://discord.com (an HTTP proxy
    /// in front of Discord, shared by bots for one rate limiter).
    #[arg(long, env = "IMLAWS_DISCORD_PROXY", value_name = "URL")]
    pub discord_proxy: Option<String>,
    /// Register the commands in this guild once connected.
    #[arg(long, value_name = "GUILD_ID")]
    pub register_guild: Option<u64>,
    /// Serve `/metrics` (Prometheus) and `/healthz` (every shard connected) here.
    #[arg(long, env = "IMLAWS_METRICS_LISTEN", value_name = "ADDR")]
    pub metrics_listen: Option<std::net::SocketAddr>,
}

impl RunArgs {
    /// The shard plan, or what is wrong with the flags.
    pub fn shard_plan(&self) -> Result<crate::discord::gateway::Shards, String> {
        use crate::discord::gateway::Shards;
        if let (Some(range), Some(total)) = (&self.shard_range, self.shard_total) {
            let (a, b) = range.split_once('-').ok_or_else(|| format!("--shard-range `{range}` must look like 0-3"))?;
            let parse =
                |s: &str| s.trim().parse::<u32>().map_err(|_| format!("--shard-range `{range}` must look like 0-3"));
            let (start, end) = (parse(a)?, parse(b)?);
            if start > end || end >= total {
                return Err(format!(
                    "--shard-range {start}-{end} must lie within 0-{} (--shard-total {total})",
                    total.saturating_sub(1)
                ));
            }
            return Ok(Shards::Range { start, end, total });
        }
        match self.shards.as_deref() {
            None => Ok(Shards::Single),
            Some("auto") => Ok(Shards::Auto),
            Some(n) => match n.parse::<u32>() {
                Ok(n) if n >= 1 => Ok(Shards::Range { start: 0, end: n - 1, total: n }),
                _ => Err(format!("--shards `{n}` must be `auto` or a number of shards (1 or more)")),
            },
        }
    }
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "IMLAWS_LISTEN", default_value = crate::discord::http::DEFAULT_LISTEN)]
    pub listen: std::net::SocketAddr,
    /// Refuse requests whose signed timestamp is further than this from now.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub replay_window: u64,
    /// Refuse bodies larger than this with 413.
    #[arg(long, value_name = "BYTES", default_value_t = crate::discord::http::DEFAULT_BODY_LIMIT)]
    pub body_limit: usize,
    /// Threads serving requests. One (the default) spends the least CPU per request;
    /// scale out with more instances, or raise this to use more cores in one process.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub workers: usize,
    /// Send maps' follow-up REST calls to this base URL instead of https://discord.com.
    #[arg(long, env = "IMLAWS_DISCORD_PROXY", value_name = "URL")]
    pub discord_proxy: Option<String>,
}

#[derive(Debug, Args)]
pub struct AssessArgs {
    #[command(flatten)]
    profile: ProfileArgs,
    /// List every change that would move the verdict, not only the three most useful.
    #[arg(long)]
    what_if: bool,
}

#[derive(Debug, Args)]
pub struct MapArgs {
    #[command(flatten)]
    profile: ProfileArgs,
    /// Mark one of the article's 27 products instead of a profile (English or Chinese name).
    #[arg(long, value_name = "NAME")]
    app: Option<String>,
    /// Write the PNG here (`-`: standard output).
    #[arg(long, value_name = "FILE.png")]
    out: PathBuf,
}

/// The profile options `assess` and `map` share (the options of /assess).
#[derive(Debug, Args)]
pub struct ProfileArgs {
    /// real-name, anonymous, mixed (or 实名, 匿名, 实名匿名).
    #[arg(long)]
    identity: Option<String>,
    /// everyone, acquaintances, enterprise, campus, subculture, interest-community, strangers, customers.
    #[arg(long)]
    audience: Option<String>,
    /// self, avatar, employee, teacher-student.
    #[arg(long)]
    role: Option<String>,
    /// social, interest, work, teaching, transaction, service.
    #[arg(long)]
    scenario: Option<String>,
    /// chat, tool, media.
    #[arg(long)]
    host: Option<String>,
    /// pc, mobile, next-gen.
    #[arg(long)]
    device: Option<String>,
    /// challenger, incumbent.
    #[arg(long)]
    stance: Option<String>,
    /// universal, restricted.
    #[arg(long)]
    coverage: Option<String>,
    /// backed, unbacked.
    #[arg(long)]
    community: Option<String>,
}

impl ProfileArgs {
    fn options(&self) -> Vec<(String, String)> {
        [
            ("identity", &self.identity),
            ("audience", &self.audience),
            ("role", &self.role),
            ("scenario", &self.scenario),
            ("host", &self.host),
            ("device", &self.device),
            ("stance", &self.stance),
            ("coverage", &self.coverage),
            ("community", &self.community),
        ]
        .into_iter()
        .filter_map(|(name, v)| v.as_ref().map(|v| (name.to_string(), v.clone())))
        .collect()
    }
}

/// Load the knowledge base the CLI asked for; a bad one ends the process with exit 2.
pub fn load_kb(config: Option<&PathBuf>) -> Result<Kb, ExitCode> {
    let kb = match config {
        Some(dir) => Kb::from_dir(dir),
        None => Kb::builtin(),
    };
    kb.map_err(|e| {
        eprintln!("error: invalid knowledge base: {e}");
        ExitCode::from(2)
    })
}

/// Run a terminal subcommand (everything but the Discord transports).
pub fn run(cli: &Cli, kb: &Kb) -> ExitCode {
    let lang = cli.lang.unwrap_or_default();
    let request = match &cli.command {
        None | Some(Command::Console) => return console(kb, cli.lang, cli.json),
        Some(Command::Assess(args)) => Ok(Request::Assess(args.profile.options())),
        Some(Command::Map(args)) => return map(kb, args, lang, cli.json),
        Some(Command::Law { number }) => Request::numbered("law", number),
        Some(Command::Corollary { number }) => Request::numbered("corollary", number),
        Some(Command::App { name }) => Ok(Request::App(name.join(" "))),
        Some(Command::Ask { question }) => Ok(Request::Ask { question: question.join(" "), lang: cli.lang }),
        Some(Command::Serve(args)) => return serve(kb, args, cli.log_format),
        Some(Command::Run(args)) => return run_bot(kb, args, cli.log_format),
        Some(Command::Register { guild, discord_proxy }) => {
            return register(kb, *guild, discord_proxy.as_deref(), cli.log_format)
        }
    };
    match request.and_then(|r| answer(kb, &r, lang)) {
        Ok(mut reply) => {
            if let (Some(Command::Assess(AssessArgs { what_if: true, .. })), Reply::Assess(r)) =
                (&cli.command, &mut reply)
            {
                r.what_if_shown = usize::MAX;
            }
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(format_reply(kb, &reply, cli.json, out.is_terminal()).as_bytes());
            ExitCode::SUCCESS
        }
        Err(e) => fail(kb, &e, lang),
    }
}

/// `imlaws map`: the positioning map, to a file or standard output.
fn map(kb: &Kb, args: &MapArgs, lang: Lang, json: bool) -> ExitCode {
    let request = Request::Map { options: args.profile.options(), app: args.app.clone() };
    let reply = match answer(kb, &request, lang) {
        Ok(reply) => reply,
        Err(e) => return fail(kb, &e, lang),
    };
    let Reply::Map(m) = &reply else { return ExitCode::FAILURE };
    if args.out.as_os_str() == "-" {
        let mut out = std::io::stdout().lock();
        if let Err(e) = out.write_all(&m.png).and_then(|()| out.flush()) {
            return usage_error(format!("cannot write the map to standard output: {e}"));
        }
        return ExitCode::SUCCESS;
    }
    if let Err(e) = std::fs::write(&args.out, &m.png) {
        return usage_error(format!("cannot write the map to {}: {e}", args.out.display()));
    }
    let mut out = std::io::stdout().lock();
    let text = if json {
        format_reply(kb, &reply, true, false)
    } else {
        let path = args.out.display().to_string();
        format!("{}\n", crate::lang::fill(kb.msg(crate::kb::Msg::MapWritten, lang), &[("path", &path)]))
    };
    let _ = out.write_all(text.as_bytes());
    ExitCode::SUCCESS
}

/// Write a console map to the first free `imlaws-map-N.png` in the current folder.
fn save_console_map(png: &[u8]) -> std::io::Result<PathBuf> {
    let dir = std::env::current_dir()?;
    for n in 1.. {
        let path = dir.join(format!("imlaws-map-{n}.png"));
        match std::fs::OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut f) => {
                f.write_all(png)?;
                return Ok(path);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    unreachable!("some file name is free")
}

fn fail(kb: &Kb, e: &UserError, lang: Lang) -> ExitCode {
    eprintln!("error: {}", e.message(kb, lang));
    ExitCode::from(2)
}

fn format_reply(kb: &Kb, reply: &Reply, json: bool, styled: bool) -> String {
    if json {
        let mut s = serde_json::to_string_pretty(&reply.to_json(kb)).unwrap_or_default();
        s.push('\n');
        s
    } else {
        reply.embed(kb).to_text(styled)
    }
}

/// The console: slash lines from a terminal or a pipe, each answered as Discord would.
/// Bad lines get a message on stderr and the console goes on.
fn console(kb: &Kb, lang: Option<Lang>, json: bool) -> ExitCode {
    let stdin = std::io::stdin();
    let interactive = stdin.is_terminal();
    let mut out = std::io::stdout().lock();
    let styled = out.is_terminal() && !json;
    let forced = lang;
    let lang = lang.unwrap_or_default();
    if interactive {
        let _ =
            writeln!(out, "imlaws console — type /help, /assess identity:anonymous audience:strangers, or /quit.\n");
    }
    let mut line = String::new();
    let mut input = stdin.lock();
    loop {
        if interactive {
            let _ = write!(out, "imlaws> ");
            let _ = out.flush();
        }
        line.clear();
        match input.read_line(&mut line) {
            Ok(0) => break,
            Ok(_) => {}
            Err(e) => {
                eprintln!("error: cannot read input: {e}");
                return ExitCode::from(2);
            }
        }
        let text = line.trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        if matches!(text, "/quit" | "/exit" | "quit" | "exit") {
            break;
        }
        let request = parse_line(text).map(|r| match r {
            Request::Ask { question, lang: None } => Request::Ask { question, lang: forced },
            other => other,
        });
        match request.and_then(|r| answer(kb, &r, lang)) {
            Ok(Reply::Map(m)) => match save_console_map(&m.png) {
                Ok(path) => {
                    let path = path.display().to_string();
                    let msg = crate::lang::fill(kb.msg(crate::kb::Msg::MapWritten, lang), &[("path", &path)]);
                    let _ = writeln!(out, "{msg}");
                }
                Err(e) => {
                    let _ = out.flush();
                    eprintln!("error: cannot write the map in the current folder: {e}");
                }
            },
            Ok(reply) => {
                let _ = out.write_all(format_reply(kb, &reply, json, styled).as_bytes());
                if !json {
                    let _ = writeln!(out);
                }
            }
            Err(e) => {
                let _ = out.flush();
                eprintln!("error: {}", e.message(kb, lang));
            }
        }
        let _ = out.flush();
    }
    ExitCode::SUCCESS
}

/// Logs to stderr, filtered by `RUST_LOG` (default `info`), as text lines or one JSON
/// object per line. Either way no token, key or body is ever logged.
pub fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.with_ansi(std::io::stderr().is_terminal()).try_init(),
        LogFormat::Json => builder.json().flatten_event(true).with_current_span(false).try_init(),
    };
}

/// Resolves on SIGINT or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

/// The async runtime: one thread when `workers` is 1, else a pool of that many
/// (`None`: one per core).
fn runtime(workers: Option<usize>) -> Result<tokio::runtime::Runtime, ExitCode> {
    let mut builder = match workers {
        Some(1) => tokio::runtime::Builder::new_current_thread(),
        Some(n) => {
            let mut b = tokio::runtime::Builder::new_multi_thread();
            b.worker_threads(n);
            b
        }
        None => tokio::runtime::Builder::new_multi_thread(),
    };
    builder.enable_all().build().map_err(|e| {
        eprintln!("error: cannot start the async runtime: {e}");
        ExitCode::from(2)
    })
}

/// A bad input: one line on stderr, exit 2.
fn usage_error(e: impl std::fmt::Display) -> ExitCode {
    eprintln!("error: {e}");
    ExitCode::from(2)
}

/// What a long-running transport needs: logs, a knowledge base that lives as long as
/// the process, and the async runtime.
fn service(
    kb: &Kb,
    workers: Option<usize>,
    log: LogFormat,
) -> Result<(&'static Kb, tokio::runtime::Runtime), ExitCode> {
    init_tracing(log);
    let rt = runtime(workers)?;
    Ok((Box::leak(Box::new(kb.clone())), rt))
}

/// `imlaws serve`: the HTTP interactions endpoint.
fn serve(kb: &Kb, args: &ServeArgs, log: LogFormat) -> ExitCode {
    use crate::discord::http;
    let verifier = match http::verifier(std::env::var("DISCORD_PUBLIC_KEY").ok().as_deref()) {
        Ok(v) => v,
        Err(e) => return usage_error(e),
    };
    if args.workers == 0 {
        return usage_error("--workers must be at least 1");
    }
    let proxy = match proxy_or_exit(args.discord_proxy.as_deref()) {
        Ok(p) => p,
        Err(code) => return code,
    };
    // Maps are sent by editing the deferred response through the interaction webhook:
    // that needs the application id, and the bot token to authenticate as the bot.
    let followup = match (std::env::var("DISCORD_APPLICATION_ID").ok(), std::env::var("DISCORD_TOKEN").ok()) {
        (Some(id), Some(token)) => {
            let Some(id) = id.trim().parse::<u64>().ok().filter(|&id| id > 0) else {
                return usage_error("DISCORD_APPLICATION_ID must be the application's numeric id");
            };
            let token = match crate::discord::gateway::check_token(Some(&token)) {
                Ok(t) => t,
                Err(e) => return usage_error(e),
            };
            Some(crate::discord::gateway::http(&token, proxy.as_deref(), Some(id)))
        }
        _ => None,
    };
    let (kb, rt) = match service(kb, Some(args.workers), log) {
        Ok(s) => s,
        Err(code) => return code,
    };
    rt.block_on(async {
        let listener = match tokio::net::TcpListener::bind(args.listen).await {
            Ok(l) => l,
            Err(e) => {
                eprintln!("error: cannot listen on {}: {e}", args.listen);
                return ExitCode::from(2);
            }
        };
        let addr = listener.local_addr().map_or_else(|_| args.listen.to_string(), |a| a.to_string());
        println!("imlaws: interactions endpoint on http://{addr}/interactions");
        let mut endpoint = http::Endpoint::new(kb, verifier)
            .replay_window(std::time::Duration::from_secs(args.replay_window))
            .body_limit(args.body_limit);
        match followup {
            Some(client) => endpoint = endpoint.followup(client),
            None => tracing::warn!(
                "DISCORD_APPLICATION_ID and DISCORD_TOKEN are not both set: /map answers that it cannot send pictures"
            ),
        }
        match http::serve(listener, endpoint, shutdown_signal()).await {
            Ok(()) => {
                tracing::info!("shut down");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: the server stopped: {e}");
                ExitCode::FAILURE
            }
        }
    })
}

fn token_or_exit() -> Result<String, ExitCode> {
    crate::discord::gateway::check_token(std::env::var("DISCORD_TOKEN").ok().as_deref()).map_err(|e| {
        eprintln!("error: {e}");
        ExitCode::from(2)
    })
}

fn proxy_or_exit(proxy: Option<&str>) -> Result<Option<String>, ExitCode> {
    match proxy.map(str::trim).filter(|p| !p.is_empty()) {
        None => Ok(None),
        Some(p) if p.starts_with("http://") || p.starts_with("https://") => {
            Ok(Some(p.trim_end_matches('/').to_string()))
        }
        Some(p) => {
            eprintln!("error: --discord-proxy `{p}` must be an http:// or https:// URL");
            Err(ExitCode::from(2))
        }
    }
}

/// `imlaws register`: bulk-overwrite the slash commands.
fn register(kb: &Kb, guild: Option<u64>, proxy: Option<&str>, log: LogFormat) -> ExitCode {
    use crate::discord::gateway;
    let (token, proxy) = match (token_or_exit(), proxy_or_exit(proxy)) {
        (Ok(t), Ok(p)) => (t, p),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let app_id = match std::env::var("DISCORD_APPLICATION_ID").ok().map(|v| v.trim().parse::<u64>()) {
        Some(Ok(id)) if id > 0 => id,
        Some(_) => {
            eprintln!("error: DISCORD_APPLICATION_ID must be the application's numeric id");
            return ExitCode::from(2);
        }
        None => {
            eprintln!("error: DISCORD_APPLICATION_ID is not set; copy the Application ID from the Developer Portal");
            return ExitCode::from(2);
        }
    };
    init_tracing(log);
    let rt = match runtime(None) {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let http = gateway::http(&token, proxy.as_deref(), Some(app_id));
    match rt.block_on(gateway::register(kb, &http, guild.map(Into::into))) {
        Ok(n) => {
            match guild {
                Some(g) => println!("registered {n} commands in guild {g}"),
                None => println!("registered {n} global commands"),
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: Discord refused the commands: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `imlaws run`: the gateway bot, until SIGINT/SIGTERM.
fn run_bot(kb: &Kb, args: &RunArgs, log: LogFormat) -> ExitCode {
    use crate::discord::gateway::{self, Handler, Rest, Shards};
    let (token, proxy) = match (token_or_exit(), proxy_or_exit(args.discord_proxy.as_deref())) {
        (Ok(t), Ok(p)) => (t, p),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let plan = match args.shard_plan() {
        Ok(p) => p,
        Err(e) => return usage_error(e),
    };
    let (kb, rt) = match service(kb, None, log) {
        Ok(s) => s,
        Err(code) => return code,
    };
    rt.block_on(async move {
        let handler = Handler::new(kb, Rest::new(&token, proxy.clone()), args.register_guild.map(Into::into));
        let http = gateway::http(&token, proxy.as_deref(), None);
        let built = serenity::all::ClientBuilder::new_with_http(http, gateway::intents()).event_handler(handler);
        let mut client = match built.await {
            Ok(c) => c,
            Err(e) => {
                eprintln!("error: cannot start the Discord client: {e}");
                return ExitCode::FAILURE;
            }
        };
        match plan {
            Shards::Single => crate::metrics::expect_shards(1),
            Shards::Range { start, end, .. } => crate::metrics::expect_shards(end - start + 1),
            Shards::Auto => {} // the first READY says how many
        }
        if let Some(addr) = args.metrics_listen {
            match tokio::net::TcpListener::bind(addr).await {
                Ok(listener) => {
                    let shown = listener.local_addr().map_or_else(|_| addr.to_string(), |a| a.to_string());
                    println!("imlaws: metrics on http://{shown}/metrics");
                    let router = crate::metrics::gateway_router(client.shard_manager.clone());
                    tokio::spawn(async move { axum::serve(listener, router).await });
                }
                Err(e) => {
                    eprintln!("error: cannot listen on {addr}: {e}");
                    return ExitCode::from(2);
                }
            }
        }
        let manager = client.shard_manager.clone();
        tokio::spawn(async move {
            shutdown_signal().await;
            tracing::info!("shutting down");
            manager.shutdown_all().await;
        });
        let result = match plan {
            Shards::Single => client.start().await,
            Shards::Auto => client.start_autosharded().await,
            Shards::Range { start, end, total } => client.start_shard_range(start..end, total).await,
        };
        match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(serenity::Error::Gateway(serenity::gateway::GatewayError::InvalidAuthentication)) => {
                eprintln!("error: Discord rejected the token (gateway close 4004); check DISCORD_TOKEN");
                ExitCode::from(2)
            }
            Err(serenity::Error::Gateway(e)) => {
                eprintln!("error: the gateway closed the connection for good: {e}");
                ExitCode::FAILURE
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        }
    })
}
