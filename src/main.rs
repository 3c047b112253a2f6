use clap::Parser;
use imlaws::cli::{self, Cli};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let kb = match cli::load_kb(cli.config.as_ref()) {
        Ok(kb) => kb,
        Err(code) => return code,
    };
    cli::run(&cli, &kb)
}
