#!/usr/bin/env bash
# Installs what Hutong needs, builds it, and runs the main job on the embedded
# default: generate sample records of every type (some invalid on purpose),
# validate them, import them into a node on the embedded store (SQLite), take
# a legacy export through a mapping, capture an agency's SQLite table by
# triggers, sync them to a second node over mutual TLS, and write them into that
# node's agency database (a sink). Run from anywhere; as root, or
# with sudo available for the package install.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
for pkg in libcurl4-openssl-dev libsqlite3-dev libisal-dev openssl sqlite3; do
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
# Records and the manifests that say what is wrong with them apart, so that
# validating the records reads only records.
mkdir -p "$demo/records" "$demo/manifests"

echo "== Sample records (10% invalid on purpose; what and where in $demo/manifests/)"
for type in agency officer matter inspection penalty coercive_measure case_transfer violation_lead; do
  "$hutong" sample --type "$type" --count 1000 --invalid-ratio 0.1 --seed 2026 \
    -o "$demo/records/$type.ndjson" --manifest "$demo/manifests/$type.ndjson"
done

echo
echo "== hutong validate $demo/records (first findings)"
set +e
"$hutong" validate "$demo/records" > "$demo/validate.txt"
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
bash deploy/make-test-certs.sh "$demo/certs" demo-node demo-peer >/dev/null
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
"$hutong" init --node-id demo-node --dir "$demo/node" --listen "127.0.0.1:$(port)" \
  --tls-certificate "$demo/certs/demo-node.crt" --tls-key "$demo/certs/demo-node.key" --tls-ca "$demo/certs/ca.crt"
set +e
"$hutong" import --config "$demo/node/hutong.toml" \
  "$demo"/records/{agency,officer,matter,inspection,penalty,coercive_measure,case_transfer,violation_lead}.ndjson
status=$?
set -e
# 1 is expected: the invalid samples are quarantined with their reasons.
[ "$status" -eq 1 ] || { echo "unexpected exit status $status"; exit 1; }
"$hutong" status --config "$demo/node/hutong.toml"
"$hutong" audit verify --config "$demo/node/hutong.toml"

echo
echo "== An agency's own export through a mapping: hutong map test, hutong map preview, hutong import --mapping"
ex=deploy/examples/legacy-penalty
"$hutong" map test "$ex/penalty.toml"
set +e
"$hutong" map preview "$ex/penalty.toml" "$ex/xzcf-2023.csv" > "$demo/preview.txt"
status=$?
set -e
[ "$status" -eq 1 ] || { echo "unexpected exit status $status"; exit 1; }
grep -E "^line|×|rows:" "$demo/preview.txt"
set +e
"$hutong" import --config "$demo/node/hutong.toml" --mapping "$ex/penalty.toml" "$ex/xzcf-2023.csv"
status=$?
set -e
[ "$status" -eq 1 ] || { echo "unexpected exit status $status"; exit 1; }

echo
echo "== An agency's own database, followed by triggers: hutong capture install, hutong capture --once"
# The agency's table: the same legacy rows, in a SQLite database of its own.
rm -f "$demo/agency.sqlite"
columns=$(head -n 1 "$ex/xzcf-2023.csv" | tr -d '\r' | sed 's/^\xEF\xBB\xBF//' | tr ',' '\n' \
  | awk '{ print ($1 == "ID" ? "ID INTEGER PRIMARY KEY" : $1 " TEXT") }' | paste -sd, -)
sqlite3 "$demo/agency.sqlite" "CREATE TABLE t_xzcf ($columns)" ".import --csv --skip 1 $ex/xzcf-2023.csv t_xzcf"
printf '\n[[sources]]\nname = "xzcf"\ndatabase = "../agency.sqlite"\ntable = "t_xzcf"\nmapping = "../../%s/penalty.toml"\n' "$ex" >> "$demo/node/hutong.toml"
"$hutong" capture install xzcf --config "$demo/node/hutong.toml"
set +e
"$hutong" capture --once --config "$demo/node/hutong.toml"
status=$?
set -e
# 1 is expected: the example's three bad rows are quarantined again, now with their table and key.
[ "$status" -eq 1 ] || { echo "unexpected exit status $status"; exit 1; }
echo "-- a clerk corrects a fine and withdraws a decision; the next capture takes exactly that"
sqlite3 "$demo/agency.sqlite" "UPDATE t_xzcf SET CF_NR_FK = '1.6' WHERE ID = 1001; DELETE FROM t_xzcf WHERE ID = 1005;"
set +e
"$hutong" capture --once --config "$demo/node/hutong.toml"
set -e
"$hutong" status --config "$demo/node/hutong.toml" | grep '^source'

echo
echo "== A second node pulls them over mutual TLS: hutong peers add, hutong serve, hutong sync --once"
rm -rf "$demo/peer"
"$hutong" init --node-id demo-peer --dir "$demo/peer" --listen "127.0.0.1:$(port)" \
  --tls-certificate "$demo/certs/demo-peer.crt" --tls-key "$demo/certs/demo-peer.key" --tls-ca "$demo/certs/ca.crt" >/dev/null
key() { "$hutong" keys show --config "$1" | awk '/signing key/{print $3}'; }
listen() { awk -F'"' '/^listen/{print $2}' "$1"; }
"$hutong" peers add demo-peer --url "https://$(listen "$demo/peer/hutong.toml")" --signing-key "$(key "$demo/peer/hutong.toml")" \
  --certificate "$demo/certs/demo-peer.crt" --grant-pull penalty,case_transfer,violation_lead --config "$demo/node/hutong.toml"
"$hutong" peers add demo-node --url "https://$(listen "$demo/node/hutong.toml")" --signing-key "$(key "$demo/node/hutong.toml")" \
  --certificate "$demo/certs/demo-node.crt" --config "$demo/peer/hutong.toml"
"$hutong" serve --config "$demo/node/hutong.toml" > "$demo/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
until grep -q listening "$demo/serve.log"; do kill -0 $server || { cat "$demo/serve.log"; exit 1; }; sleep 0.2; done
"$hutong" peers check demo-node --config "$demo/peer/hutong.toml"
"$hutong" sync --once --config "$demo/peer/hutong.toml"
"$hutong" status --config "$demo/peer/hutong.toml"

echo
echo "== The way back: the second node writes what it received into its agency's database (a sink)"
rm -f "$demo/peer-agency.sqlite"
sqlite3 "$demo/peer-agency.sqlite" "PRAGMA journal_mode = WAL" >/dev/null
printf '\n[[sinks]]\nname = "agency-in"\ndatabase = "../peer-agency.sqlite"\ntypes = ["penalty"]\n' >> "$demo/peer/hutong.toml"
"$hutong" capture install agency-in --config "$demo/peer/hutong.toml"
"$hutong" capture --once --config "$demo/peer/hutong.toml"
sqlite3 -header -column "$demo/peer-agency.sqlite" \
  "SELECT decision_number, party_name, fine_fen, owner FROM hutong_in_penalty WHERE owner = 'demo-node' AND deleted = 0 ORDER BY decision_number LIMIT 5"
echo "withdrawn (deleted = 1): $(sqlite3 "$demo/peer-agency.sqlite" "SELECT count(*) FROM hutong_in_penalty WHERE deleted = 1")"

echo
echo "Done. Validate your own files with: $hutong validate FILE_OR_DIR   (see $hutong validate --help)"
echo "The demo nodes are in $demo/node and $demo/peer: cd $demo/node && ../../$hutong status"
