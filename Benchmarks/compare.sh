#!/usr/bin/env bash
# Validates the same 100,000 sample penalty records with Hutong and with
# jsonschema-rs (PyPI), against the same Schemas/, and prints both figures.
#   Benchmarks/compare.sh [COUNT]
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-100000}"
# One product per build: SwiftPM builds only the last --product given.
swift build -c release --product hutong >/dev/null
swift build -c release --product hutong-bench >/dev/null
file="${TMPDIR:-/tmp}/hutong-compare-penalty-$count.ndjson"
[ -f "$file" ] || .build/release/hutong sample --type penalty --count "$count" --seed 1 -o "$file"
python3 -c "import jsonschema_rs" 2>/dev/null || pip install --quiet jsonschema-rs
echo "== Hutong"
.build/release/hutong-bench --file "$file"
echo "== hutong validate (end to end, this machine's cores)"
if [ -x /usr/bin/time ]; then
  /usr/bin/time -f "peak memory %M KiB, %e s" .build/release/hutong validate --quiet "$file" || true
else
  time .build/release/hutong validate --quiet "$file" || true
fi
echo "== jsonschema-rs (Python binding; json.loads per line included, as a Python user would run it)"
python3 Benchmarks/jsonschema_rs_validate.py Schemas penalty "$file"
