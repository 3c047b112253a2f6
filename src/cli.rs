//! The binary's front-end: the clap model (the answering subcommands derived from the
//! command table), the console, and starting the Discord services. Nothing here
//! decides: input becomes a [`Request`], the table's command answers, the renderer
//! prints. Every failure comes back to `main` as a [`CliError`]: one message on stderr,
//! one exit code.

use clap::{ArgMatches, Args, FromArgMatches, Parser, Subcommand};
use imlaws::answer::Reply;
use imlaws::command::{self, parse_line, Asked, Commands, Request};
use imlaws::kb::Kb;
use imlaws::lang::Lang;
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
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
    /// The commands of the table: assess, ask, law, corollary, app, map, help.
    #[command(flatten)]
    Answer(Call),
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
    pub fn shard_plan(&self) -> Result<imlaws::discord::gateway::Shards, String> {
        use imlaws::discord::gateway::Shards;
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
    #[arg(long, env = "IMLAWS_LISTEN", default_value = imlaws::discord::http::DEFAULT_LISTEN)]
    pub listen: std::net::SocketAddr,
    /// Refuse requests whose signed timestamp is further than this from now.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub replay_window: u64,
    /// Refuse bodies larger than this with 413.
    #[arg(long, value_name = "BYTES", default_value_t = imlaws::discord::http::DEFAULT_BODY_LIMIT)]
    pub body_limit: usize,
    /// Threads serving requests. One (the default) spends the least CPU per request;
    /// scale out with more instances, or raise this to use more cores in one process.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub workers: usize,
    /// Send maps' follow-up REST calls to this base URL instead of https://discord.com.
    #[arg(long, env = "IMLAWS_DISCORD_PROXY", value_name = "URL")]
    pub discord_proxy: Option<String>,
}

/// A command of the table, as the CLI gives it: the request, and the flags only the
/// terminal has (`--what-if`, `--out`).
#[derive(Debug, Clone)]
pub struct Call {
    pub request: Request,
    pub flags: ArgMatches,
}

impl FromArgMatches for Call {
    fn from_arg_matches(m: &ArgMatches) -> Result<Self, clap::Error> {
        let (name, sub) = m.subcommand().ok_or_else(|| clap::Error::new(clap::error::ErrorKind::MissingSubcommand))?;
        let command = Commands::builtin().get(name).ok_or_else(|| {
            clap::Error::raw(clap::error::ErrorKind::InvalidSubcommand, format!("no command `{name}`"))
        })?;
        Ok(Call { request: command.from_clap(sub), flags: sub.clone() })
    }

    fn update_from_arg_matches(&mut self, m: &ArgMatches) -> Result<(), clap::Error> {
        *self = Call::from_arg_matches(m)?;
        Ok(())
    }
}

impl Subcommand for Call {
    fn augment_subcommands(cmd: clap::Command) -> clap::Command {
        // `help` stays clap's (`imlaws help assess`); the table's /help is the console's.
        cmd.subcommands(Commands::builtin().iter().filter(|c| c.name != "help").map(command::Command::clap))
    }

    fn augment_subcommands_for_update(cmd: clap::Command) -> clap::Command {
        Call::augment_subcommands(cmd)
    }

    fn has_subcommand(name: &str) -> bool {
        name != "help" && Commands::builtin().get(name).is_some()
    }
}

/// Why the binary stops: one line on stderr, and the exit code.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// A bad input or setting: what to fix (exit 2).
    #[error("{0}")]
    Usage(String),
    /// A service that started and then failed (exit 1).
    #[error("{0}")]
    Failed(String),
}

impl CliError {
    pub fn exit_code(&self) -> ExitCode {
        match self {
            CliError::Usage(_) => ExitCode::from(2),
            CliError::Failed(_) => ExitCode::FAILURE,
        }
    }
}

fn usage(e: impl std::fmt::Display) -> CliError {
    CliError::Usage(e.to_string())
}

/// The binary's work: load the knowledge base, then answer or serve.
pub fn main(cli: &Cli) -> Result<(), CliError> {
    let kb = command::load_kb(cli.config.as_deref()).map_err(|e| usage(format!("invalid knowledge base: {e}")))?;
    let lang = cli.lang.unwrap_or_default();
    let call = match &cli.command {
        None | Some(Command::Console) => return console(&kb, cli.lang, cli.json),
        Some(Command::Serve(args)) => return serve(&kb, args, cli.log_format),
        Some(Command::Run(args)) => return run_bot(&kb, args, cli.log_format),
        Some(Command::Register { guild, discord_proxy }) => {
            return register(&kb, *guild, discord_proxy.as_deref(), cli.log_format)
        }
        Some(Command::Answer(call)) => call,
    };
    let asked = Asked { lang, forced: cli.lang.is_some(), commands: Commands::builtin() };
    let mut reply = call.request.answer(&kb, &asked).map_err(|e| usage(e.message(&kb, lang)))?;
    if let Reply::Assess(r) = &mut reply {
        if call.flags.try_get_one::<bool>(command::WHAT_IF).ok().flatten() == Some(&true) {
            r.what_if_shown = usize::MAX;
        }
    }
    let mut out = std::io::stdout().lock();
    if let Reply::Map(m) = &reply {
        let path = call
            .flags
            .try_get_one::<PathBuf>(command::OUT)
            .ok()
            .flatten()
            .ok_or_else(|| usage("map needs --out FILE.png"))?;
        return write_map(&kb, &reply, &m.png, path, lang, cli.json);
    }
    let _ = out.write_all(format_reply(&kb, &reply, cli.json, out.is_terminal()).as_bytes());
    Ok(())
}

/// `imlaws map --out`: the positioning map, to a file or standard output.
fn write_map(kb: &Kb, reply: &Reply, png: &[u8], path: &Path, lang: Lang, json: bool) -> Result<(), CliError> {
    let mut out = std::io::stdout().lock();
    if path.as_os_str() == "-" {
        return out
            .write_all(png)
            .and_then(|()| out.flush())
            .map_err(|e| usage(format!("cannot write the map to standard output: {e}")));
    }
    std::fs::write(path, png).map_err(|e| usage(format!("cannot write the map to {}: {e}", path.display())))?;
    let text = if json {
        format_reply(kb, reply, true, false)
    } else {
        let path = path.display().to_string();
        format!("{}\n", imlaws::lang::fill(kb.msg(imlaws::kb::Msg::MapWritten, lang), &[("path", &path)]))
    };
    let _ = out.write_all(text.as_bytes());
    Ok(())
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
/// A bad line gets its message on stderr and the console goes on.
fn console(kb: &Kb, lang: Option<Lang>, json: bool) -> Result<(), CliError> {
    let stdin = std::io::stdin();
    let interactive = stdin.is_terminal();
    let mut out = std::io::stdout().lock();
    let styled = out.is_terminal() && !json;
    let commands = Commands::builtin();
    let asked = Asked { lang: lang.unwrap_or_default(), forced: lang.is_some(), commands };
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
        if input.read_line(&mut line).map_err(|e| usage(format!("cannot read input: {e}")))? == 0 {
            break;
        }
        let text = line.trim();
        if text.is_empty() || text.starts_with('#') {
            continue;
        }
        if matches!(text, "/quit" | "/exit" | "quit" | "exit") {
            break;
        }
        let answered = parse_line(commands, text).and_then(|r| r.answer(kb, &asked));
        let said = match answered {
            Ok(Reply::Map(m)) => match save_console_map(&m.png) {
                Ok(path) => {
                    let path = path.display().to_string();
                    let msg = imlaws::lang::fill(kb.msg(imlaws::kb::Msg::MapWritten, asked.lang), &[("path", &path)]);
                    let _ = writeln!(out, "{msg}");
                    Ok(())
                }
                Err(e) => Err(format!("cannot write the map in the current folder: {e}")),
            },
            Ok(reply) => {
                let _ = out.write_all(format_reply(kb, &reply, json, styled).as_bytes());
                if !json {
                    let _ = writeln!(out);
                }
                Ok(())
            }
            Err(e) => Err(e.message(kb, asked.lang)),
        };
        if let Err(message) = said {
            // The console goes on after a bad line: its message, then the next prompt.
            let _ = out.flush();
            eprintln!("error: {message}");
        }
        let _ = out.flush();
    }
    Ok(())
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
fn runtime(workers: Option<usize>) -> Result<tokio::runtime::Runtime, CliError> {
    let mut builder = match workers {
        Some(1) => tokio::runtime::Builder::new_current_thread(),
        Some(n) => {
            let mut b = tokio::runtime::Builder::new_multi_thread();
            b.worker_threads(n);
            b
        }
        None => tokio::runtime::Builder::new_multi_thread(),
    };
    builder.enable_all().build().map_err(|e| usage(format!("cannot start the async runtime: {e}")))
}

/// What a long-running transport needs: logs, a knowledge base that lives as long as
/// the process, and the async runtime.
fn service(
    kb: &Kb,
    workers: Option<usize>,
    log: LogFormat,
) -> Result<(&'static Kb, tokio::runtime::Runtime), CliError> {
    init_tracing(log);
    let rt = runtime(workers)?;
    Ok((Box::leak(Box::new(kb.clone())), rt))
}

fn app_id() -> Result<Option<u64>, CliError> {
    match std::env::var("DISCORD_APPLICATION_ID").ok().map(|v| v.trim().parse::<u64>()) {
        Some(Ok(id)) if id > 0 => Ok(Some(id)),
        Some(_) => Err(usage("DISCORD_APPLICATION_ID must be the application's numeric id")),
        None => Ok(None),
    }
}

async fn listen(addr: std::net::SocketAddr) -> Result<tokio::net::TcpListener, CliError> {
    tokio::net::TcpListener::bind(addr).await.map_err(|e| usage(format!("cannot listen on {addr}: {e}")))
}

/// `imlaws serve`: the HTTP interactions endpoint.
fn serve(kb: &Kb, args: &ServeArgs, log: LogFormat) -> Result<(), CliError> {
    use imlaws::discord::{gateway, http};
    let verifier = http::verifier(std::env::var("DISCORD_PUBLIC_KEY").ok().as_deref()).map_err(usage)?;
    if args.workers == 0 {
        return Err(usage("--workers must be at least 1"));
    }
    let proxy = proxy(args.discord_proxy.as_deref())?;
    // Maps are sent by editing the deferred response through the interaction webhook:
    // that needs the application id, and the bot token to authenticate as the bot.
    let token = std::env::var("DISCORD_TOKEN").ok();
    let id = if token.is_some() { app_id()? } else { None };
    let followup = match (id, token) {
        (Some(id), Some(token)) => {
            let token = gateway::check_token(Some(&token)).map_err(usage)?;
            Some(gateway::http(&token, proxy.as_deref(), Some(id)))
        }
        _ => None,
    };
    let (kb, rt) = service(kb, Some(args.workers), log)?;
    rt.block_on(async {
        let listener = listen(args.listen).await?;
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
        http::serve(listener, endpoint, shutdown_signal())
            .await
            .map_err(|e| CliError::Failed(format!("the server stopped: {e}")))?;
        tracing::info!("shut down");
        Ok(())
    })
}

fn token() -> Result<String, CliError> {
    imlaws::discord::gateway::check_token(std::env::var("DISCORD_TOKEN").ok().as_deref()).map_err(usage)
}

fn proxy(proxy: Option<&str>) -> Result<Option<String>, CliError> {
    match proxy.map(str::trim).filter(|p| !p.is_empty()) {
        None => Ok(None),
        Some(p) if p.starts_with("http://") || p.starts_with("https://") => {
            Ok(Some(p.trim_end_matches('/').to_string()))
        }
        Some(p) => Err(usage(format!("--discord-proxy `{p}` must be an http:// or https:// URL"))),
    }
}

/// `imlaws register`: bulk-overwrite the slash commands.
fn register(kb: &Kb, guild: Option<u64>, discord_proxy: Option<&str>, log: LogFormat) -> Result<(), CliError> {
    use imlaws::discord::gateway;
    let (token, proxy) = (token()?, proxy(discord_proxy)?);
    let app_id = app_id()?
        .ok_or_else(|| usage("DISCORD_APPLICATION_ID is not set; copy the Application ID from the Developer Portal"))?;
    init_tracing(log);
    let rt = runtime(None)?;
    let http = gateway::http(&token, proxy.as_deref(), Some(app_id));
    let n = rt
        .block_on(gateway::register(kb, &http, guild.map(Into::into)))
        .map_err(|e| CliError::Failed(format!("Discord refused the commands: {e}")))?;
    match guild {
        Some(g) => println!("registered {n} commands in guild {g}"),
        None => println!("registered {n} global commands"),
    }
    Ok(())
}

/// `imlaws run`: the gateway bot, until SIGINT/SIGTERM.
fn run_bot(kb: &Kb, args: &RunArgs, log: LogFormat) -> Result<(), CliError> {
    use imlaws::discord::gateway::{self, Handler, Rest, Shards};
    let (token, proxy) = (token()?, proxy(args.discord_proxy.as_deref())?);
    let plan = args.shard_plan().map_err(usage)?;
    let (kb, rt) = service(kb, None, log)?;
    rt.block_on(async move {
        let handler = Handler::new(kb, Rest::new(&token, proxy.clone()), args.register_guild.map(Into::into));
        let http = gateway::http(&token, proxy.as_deref(), None);
        let built = serenity::all::ClientBuilder::new_with_http(http, gateway::intents()).event_handler(handler);
        let mut client = built.await.map_err(|e| CliError::Failed(format!("cannot start the Discord client: {e}")))?;
        match plan {
            Shards::Single => imlaws::metrics::expect_shards(1),
            Shards::Range { start, end, .. } => imlaws::metrics::expect_shards(end - start + 1),
            Shards::Auto => {} // the first READY says how many
        }
        if let Some(addr) = args.metrics_listen {
            let listener = listen(addr).await?;
            let shown = listener.local_addr().map_or_else(|_| addr.to_string(), |a| a.to_string());
            println!("imlaws: metrics on http://{shown}/metrics");
            let router = imlaws::metrics::gateway_router(client.shard_manager.clone());
            tokio::spawn(async move { axum::serve(listener, router).await });
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
        result.map_err(|e| match e {
            serenity::Error::Gateway(serenity::gateway::GatewayError::InvalidAuthentication) => {
                usage("Discord rejected the token (gateway close 4004); check DISCORD_TOKEN")
            }
            serenity::Error::Gateway(e) => CliError::Failed(format!("the gateway closed the connection for good: {e}")),
            e => CliError::Failed(e.to_string()),
        })
    })
}
