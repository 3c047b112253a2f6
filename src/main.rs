use clap::Parser;
use imlaws::cli::{self, Cli};
use std::process::ExitCode;

// Answers are built from many short strings; mimalloc makes each one cheaper than
// glibc's allocator does (see BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let kb = match cli::load_kb(cli.config.as_ref()) {
        Ok(kb) => kb,
        Err(code) => return code,
    };
    cli::run(&cli, &kb)
}
