#!/usr/bin/env bash
# Two nodes linked by files only: N sample penalties imported at A, then
#  - `hutong bundle create` at A (read from the log, signed, gzip), its size;
#  - `hutong bundle apply` at B (checked as pushed batches, applied, acknowledged);
#  - the acknowledgement applied at A.
# Anchor: the same records moved as an unsigned export (`hutong export` at A,
# `hutong import` at B), the path bundles replace between agencies.
#
#   bash Benchmarks/bundle-bench.sh [N]     (default 200000; builds release first)
set -euo pipefail
n=${1:-200000}
repo=$(cd "$(dirname "$0")/.." && pwd)
swift build -c release --product hutong --package-path "$repo" >/dev/null 2>&1 || { echo "the release build failed: swift build -c release"; exit 1; }
h="$repo/.build/release/hutong"
export HUTONG_SCHEMAS="$repo/Schemas"
work=$(mktemp -d /tmp/hutong-bundle-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
echo "hutong bundle benchmark: $n penalties, $(nproc) cores, $work"
for node in a b c; do "$h" init --node-id "node-$node" --dir "$node" --listen 127.0.0.1:0 >/dev/null; done
key() { "$h" keys show --config "$1/hutong.toml" | awk '/^signing key:/ { print $NF }'; }
"$h" peers add node-b --url "file://$work/link" --signing-key "$(key b)" --grant-pull penalty --grant-push penalty --personal --config a/hutong.toml >/dev/null
"$h" peers add node-a --url "file://$work/link" --signing-key "$(key a)" --grant-pull penalty --grant-push penalty --personal --config b/hutong.toml >/dev/null
"$h" sample --type penalty --count "$n" --seed 11 -o p.ndjson >/dev/null 2>&1
"$h" import p.ndjson --config a/hutong.toml >/dev/null
timed() { local label=$1; shift; /usr/bin/time -f "%e %M" -o t.time "$@" > t.out 2>&1; read -r secs rss < t.time
  echo "$label: $(python3 -c "print(f'{$n/$secs:,.0f}')") records/s ($secs s), peak memory $((rss / 1024)) MB"; }
timed "bundle create" "$h" bundle create --for-peer node-b -o a.hb --config a/hutong.toml
echo "bundle file: $(stat -c %s a.hb) bytes ($(( $(stat -c %s a.hb) / n )) bytes a record)"
timed "bundle apply" "$h" bundle apply a.hb --ack-dir acks --config b/hutong.toml
start=$(date +%s.%N); "$h" bundle apply acks/*.json --config a/hutong.toml >/dev/null
echo "acknowledgement applied: $(python3 -c "print(f'{($(date +%s.%N)-$start)*1000:.0f}')") ms for the whole command"
timed "anchor: hutong export (unsigned)" "$h" export -o e.ndjson --config a/hutong.toml
timed "anchor: hutong import of the export" "$h" import e.ndjson --config c/hutong.toml
