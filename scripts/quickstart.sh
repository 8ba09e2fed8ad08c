#!/usr/bin/env bash
# Installs what Hutong needs, builds it, and runs the main job on the embedded
# default: generate sample records of every type (some invalid on purpose),
# validate them, and import them into a node on the embedded store (SQLite). Run from anywhere; as root, or
# with sudo available for the package install.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pkg in libcurl4-openssl-dev libsqlite3-dev; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y "${need[@]}"
fi

swift build -c release --product hutong
hutong=.build/release/hutong
demo=demo
mkdir -p "$demo"

echo "== Sample records (10% invalid on purpose; reasons in $demo/*.manifest.ndjson)"
for type in agency officer matter inspection penalty coercive_measure case_transfer violation_lead; do
  "$hutong" sample --type "$type" --count 1000 --invalid-ratio 0.1 --seed 2026 \
    -o "$demo/$type.ndjson" --manifest "$demo/$type.manifest.ndjson"
done

echo
echo "== hutong validate $demo (first findings)"
set +e
"$hutong" validate "$demo" > "$demo/validate.txt"
status=$?
set -e
head -n 8 "$demo/validate.txt"
echo "…"
tail -n 1 "$demo/validate.txt"
# 1 is the expected answer here: the invalid samples are meant to be caught.
[ "$status" -eq 1 ] || { echo "unexpected exit status $status"; exit 1; }

echo
echo "== hutong validate Schemas/examples/penalty"
set +e
"$hutong" validate Schemas/examples/penalty
set -e
echo
echo "== A node on the embedded store (SQLite): hutong init, hutong import"
rm -rf "$demo/node"
"$hutong" init --node-id demo-node --dir "$demo/node"
set +e
"$hutong" import --config "$demo/node/hutong.toml" \
  "$demo"/{agency,officer,matter,inspection,penalty,coercive_measure,case_transfer,violation_lead}.ndjson
status=$?
set -e
# 1 is expected: the invalid samples are quarantined with their reasons.
[ "$status" -eq 1 ] || { echo "unexpected exit status $status"; exit 1; }
"$hutong" status --config "$demo/node/hutong.toml"
"$hutong" audit verify --config "$demo/node/hutong.toml"

echo
echo "Done. Validate your own files with: $hutong validate FILE_OR_DIR   (see $hutong validate --help)"
echo "The demo node is in $demo/node: cd $demo/node && ../../$hutong status"
