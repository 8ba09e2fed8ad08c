#!/usr/bin/env bash
# A legacy export through a mapping into a node, end to end: N 双公示-style
# penalty rows (CSV, amounts in 万元, Chinese dates) imported with
# deploy/examples/legacy-penalty/penalty.toml — rows/s and peak memory; then
# the same records as standard NDJSON through plain `hutong import`, and the
# steps on one core (hutong-bench mapping). Anchor, in the same run: Python's
# csv module reading the same file into dicts (reading alone, nothing checked).
#
#   bash Benchmarks/mapping-bench.sh [N]     (default 1000000; builds release first)
set -euo pipefail
n=${1:-1000000}
repo=$(cd "$(dirname "$0")/.." && pwd)
swift build -c release --product hutong --package-path "$repo" >/dev/null
swift build -c release --product hutong-bench --package-path "$repo" >/dev/null
h="$repo/.build/release/hutong"
export HUTONG_SCHEMAS="$repo/Schemas"
work=$(mktemp -d /tmp/hutong-mapping-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
cd "$work"
mapping="$repo/deploy/examples/legacy-penalty/penalty.toml"
echo "hutong mapping benchmark: $n legacy penalty rows, $(nproc) cores, $work"
"$repo/.build/release/hutong-bench" mapping --count "$n" --file legacy.csv --mapping "$mapping" --schemas "$repo/Schemas"
echo "file: $(( $(stat -c %s legacy.csv) / 1000000 )) MB"

"$h" init --node-id bench-m --dir m >/dev/null
/usr/bin/time -f "%e %M" -o m.time "$h" import --config m/hutong.toml --mapping "$mapping" legacy.csv > m.out || true
read -r secs rss < m.time
echo "hutong import --mapping: $(python3 -c "print(f'{$n/$secs:.0f}')") rows/s end to end ($secs s), peak memory $((rss / 1024)) MB; $(tail -c 200 m.out)"

# The same import in transactions of 1,000 rows instead of the default 10,000:
# the id index's pages are written to the log once per transaction, so
# smaller transactions write more, for less memory.
"$h" init --node-id bench-t --dir t >/dev/null
/usr/bin/time -f "%e %M" -o t.time "$h" import --config t/hutong.toml --mapping "$mapping" --transaction-size 1000 legacy.csv > /dev/null || true
read -r secs rss < t.time
echo "hutong import --mapping --transaction-size 1000: $(python3 -c "print(f'{$n/$secs:.0f}')") rows/s end to end ($secs s), peak memory $((rss / 1024)) MB"
rm -rf t

"$h" export --config m/hutong.toml -o export.ndjson >/dev/null
python3 - export.ndjson records.ndjson <<'PY'
import json, sys
with open(sys.argv[1]) as f, open(sys.argv[2], "w") as out:
    for line in f:
        e = json.loads(line)
        if "body" in e: out.write(json.dumps(e["body"], ensure_ascii=False) + "\n")
PY
"$h" init --node-id bench-s --dir s >/dev/null
/usr/bin/time -f "%e %M" -o s.time "$h" import --config s/hutong.toml records.ndjson > /dev/null || true
read -r secs rss < s.time
echo "hutong import (the same records as standard NDJSON): $(python3 -c "print(f'{$n/$secs:.0f}')") records/s ($secs s), peak memory $((rss / 1024)) MB"

start=$(date +%s.%N)
python3 -c 'import csv, sys
n = 0
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    for row in csv.DictReader(f): n += 1
print(n)' legacy.csv > /dev/null
echo "anchor: Python csv.DictReader reading the file: $(python3 -c "print(f'{$n/($(date +%s.%N)-$start):.0f}')") rows/s"
