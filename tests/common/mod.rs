//! Drives the real `imlaws` binary: arguments, stdin, and what came back.
#![allow(dead_code)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

pub struct Run {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

/// Run `imlaws ARGS` with `stdin`, with the Discord secrets and config cleared.
pub fn imlaws(args: &[&str], stdin: &str) -> Run {
    imlaws_env(args, stdin, &[])
}

pub fn imlaws_env(args: &[&str], stdin: &str, env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_imlaws"));
    cmd.args(args)
        .env_remove("IMLAWS_CONFIG")
        .env_remove("DISCORD_TOKEN")
        .env_remove("DISCORD_PUBLIC_KEY")
        .env_remove("RUST_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("spawn imlaws");
    child.stdin.take().expect("stdin").write_all(stdin.as_bytes()).expect("write stdin");
    let out = child.wait_with_output().expect("wait imlaws");
    Run {
        stdout: String::from_utf8(out.stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("utf-8 stderr"),
        code: out.status.code().unwrap_or(-1),
    }
}

/// A fresh copy of `config/` in a temporary folder, for tests that break it.
pub fn config_copy(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("imlaws-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("config");
    for entry in std::fs::read_dir(src).expect("config dir") {
        let entry = entry.expect("entry");
        std::fs::copy(entry.path(), dir.join(entry.file_name())).expect("copy");
    }
    dir
}
pub mod discord;
pub mod fake_discord;
