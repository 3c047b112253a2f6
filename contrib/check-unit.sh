#!/bin/sh
# Verify contrib/imlaws.service with systemd-analyze, before installing it: the unit's
# ExecStart names /usr/local/bin/imlaws, which `verify` insists exists, so the check
# runs on a copy pointing at the binary given (default: the release build).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=$(realpath "${1:-$here/../target/release/imlaws}")
[ -x "$bin" ] || { echo "no executable at $bin; cargo build --release first, or pass its path" >&2; exit 2; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
sed "s#/usr/local/bin/imlaws#$bin#g" "$here/imlaws.service" > "$dir/imlaws.service"
systemd-analyze verify "$dir/imlaws.service"
systemd-analyze security --offline=yes "$dir/imlaws.service" | tail -1
echo "imlaws.service: verified"
