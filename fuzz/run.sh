#!/bin/sh
# Run each fuzz target for SECONDS (default 60), one after another, on nightly:
#   cargo install cargo-fuzz        # once
#   fuzz/run.sh 60
# Each target starts from its seeds (fuzz/seeds/<target>) and the corpus grown by
# earlier runs (fuzz/corpus/<target>, not committed). A crash is copied to
# fuzz/regressions/<target>/, which `cargo test --test fuzz_regressions` replays: fix
# the bug, keep the input. Executions and time per target go to fuzz/results.txt.
# Not in CI: it needs nightly and minutes of CPU.
set -u
seconds=${1:-60}
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/.." || exit 2
targets="slash_line plain_words interaction kb_toml custom_id"
# No sanitizer: the code is safe Rust but for one SSE2 load of a 16-byte array in
# src/discord/json.rs (ASan would find nothing and triple the build);
# libFuzzer's coverage and the panics are what count.
cargo +nightly fuzz build -s none -O || exit 2
: > fuzz/results.txt
status=0
for t in $targets; do
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t" "fuzz/regressions/$t"
  log="fuzz/artifacts/$t/last-run.log"
  rm -f fuzz/artifacts/"$t"/crash-* fuzz/artifacts/"$t"/timeout-* fuzz/artifacts/"$t"/oom-*
  cargo +nightly fuzz run -s none -O "$t" "fuzz/corpus/$t" "fuzz/seeds/$t" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -max_len=8192 -timeout=10 \
    -artifact_prefix="fuzz/artifacts/$t/" > "$log" 2>&1
  rc=$?
  runs=$(grep -o 'Done [0-9]* runs in [0-9]* second' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  corpus=$(ls "fuzz/corpus/$t" | wc -l)
  for crash in fuzz/artifacts/"$t"/crash-* fuzz/artifacts/"$t"/timeout-* fuzz/artifacts/"$t"/oom-*; do
    [ -e "$crash" ] || continue
    cp "$crash" "fuzz/regressions/$t/" && echo "  $t: $(basename "$crash") → fuzz/regressions/$t/"
    status=1
  done
  echo "$t: exit $rc; ${runs:-no summary (crashed?)}s; $cov; corpus $corpus" | tee -a fuzz/results.txt
done
exit $status
