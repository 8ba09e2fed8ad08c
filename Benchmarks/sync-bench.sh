#!/usr/bin/env bash
# Two nodes on loopback over mutual TLS: N penalty records imported at node A,
# then `hutong sync --once` at node B until done — records/s, MB on the wire,
# peak memory of each process; then 10 changed records at A and the time of
# one more round. Then the same pull by node P, whose store is on PostgreSQL.
# Beside them, in the same run, the anchor: PostgreSQL's logical replication
# bringing the same N records (id, body as jsonb) to a subscriber that has
# none, over TLS on loopback. (P and the anchor are skipped when PostgreSQL is
# not installed: apt-get install postgresql.)
#
#   bash Benchmarks/sync-bench.sh [N]        (default 1000000; builds release first)
#   ANCHOR=no bash Benchmarks/sync-bench.sh  (Hutong alone, e.g. to compare two commits)
set -euo pipefail
n=${1:-1000000}
repo=$(cd "$(dirname "$0")/.." && pwd)
swift build -c release --product hutong --package-path "$repo" >/dev/null
h="$repo/.build/release/hutong"
export HUTONG_SCHEMAS="$repo/Schemas"
work=$(mktemp -d /tmp/hutong-sync-bench-XXXXXX)
cd "$work"
pgdir=""
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
pg() { (cd / && PGOPTIONS="-c client_min_messages=warning" runuser -u postgres -- "$@"); }
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  if [ -n "$pgdir" ]; then
    for c in store pub sub; do pg "$pgbin/pg_ctl" -D "$pgdir/$c" -m immediate stop >/dev/null 2>&1 || true; done
    rm -rf "$pgdir"
  fi
  rm -rf "$work"
}
trap cleanup EXIT
bash "$repo/deploy/make-test-certs.sh" certs node-a node-b node-p >/dev/null
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pa=$(port); pb=$(port); pp=$(port)
for x in a b; do
  p=$([ $x = a ] && echo $pa || echo $pb)
  "$h" init --node-id node-$x --dir $x --listen 127.0.0.1:$p --tls-certificate certs/node-$x.crt --tls-key certs/node-$x.key --tls-ca certs/ca.crt >/dev/null
done
key() { "$h" keys show --config $1/hutong.toml | awk '/signing key/{print $3}'; }
all=agency,officer,matter,inspection,penalty,coercive_measure,case_transfer,violation_lead
"$h" peers add node-b --url https://127.0.0.1:$pb --signing-key "$(key b)" --certificate certs/node-b.crt --grant-pull $all --grant-push $all --personal --config a/hutong.toml >/dev/null
"$h" peers add node-a --url https://127.0.0.1:$pa --signing-key "$(key a)" --certificate certs/node-a.crt --grant-pull $all --grant-push $all --personal --config b/hutong.toml >/dev/null
# Node P: its store on a PostgreSQL server of its own (the server's defaults).
if [ -n "$pgbin" ] && id postgres >/dev/null 2>&1; then
  pgdir=$(mktemp -d /tmp/hutong-pg-anchor-XXXXXX)
  chown postgres "$pgdir"
  pg "$pgbin/initdb" -D "$pgdir/store" -A trust -U postgres >/dev/null
  qstore=$(port)
  pg "$pgbin/pg_ctl" -D "$pgdir/store" -l "$pgdir/store.log" -w start -o "-p $qstore -k $pgdir -c listen_addresses=127.0.0.1" >/dev/null
  "$h" init --node-id node-p --dir p --listen 127.0.0.1:$pp --tls-certificate certs/node-p.crt --tls-key certs/node-p.key --tls-ca certs/ca.crt \
    --store-database "postgres://postgres@127.0.0.1:$qstore/postgres" >/dev/null
  "$h" peers add node-p --url https://127.0.0.1:$pp --signing-key "$(key p)" --certificate certs/node-p.crt --grant-pull $all --grant-push $all --personal --config a/hutong.toml >/dev/null
  "$h" peers add node-a --url https://127.0.0.1:$pa --signing-key "$(key a)" --certificate certs/node-a.crt --grant-pull $all --grant-push $all --personal --config p/hutong.toml >/dev/null
fi

echo "hutong sync benchmark: $n penalty records, $(nproc) cores, $work"
"$h" sample --type penalty --count "$n" --seed 11 -o p.ndjson >/dev/null
start=$(date +%s.%N)
"$h" import p.ndjson --config a/hutong.toml >/dev/null
echo "import at A: $(python3 -c "print(f'{$n/($(date +%s.%N)-$start):.0f}')") records/s (local writes, validated)"

"$h" serve --config a/hutong.toml > a.log 2>&1 &
apid=$!
until grep -q listening a.log; do sleep 0.2; done
acpu() { awk '{print $14 + $15}' /proc/$apid/stat; }
# One full pull by node $1 from A, with its figures.
pull() {
  local x=$1 label=$2
  a0=$(acpu)
  m0=$(head -1 /proc/stat)
  /usr/bin/time -f "%e %M %U %S" -o $x.time "$h" sync --once --pull-only --json --config $x/hutong.toml > $x.json
  read -r secs rss bu bs < $x.time
  a1=$(acpu)
  m1=$(head -1 /proc/stat)
  apeak=$(awk '/VmHWM/{print $2}' /proc/$apid/status)
  python3 - "$n" "$secs" "$rss" "$apeak" $x.json "$bu" "$bs" "$a0" "$a1" "$(getconf CLK_TCK)" "$m0" "$m1" "$label" "$(nproc)" <<'PY'
import json, sys
n, secs, rss, apeak, path = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
bcpu = float(sys.argv[6]) + float(sys.argv[7])
acpu = (int(sys.argv[9]) - int(sys.argv[8])) / int(sys.argv[10])
label = sys.argv[13]
s = json.load(open(path))[0]
print(f"sync --once at {label}: {s['received']} received, {s['applied']} applied in {secs:.1f} s: {s['received']/secs:.0f} records/s end to end")
print(f"  on the wire: {s['bytes_received']/1e6:.1f} MB received ({s['bytes_received']/max(1,s['received']):.0f} bytes/record, gzip), {s['bytes_sent']/1e6:.2f} MB sent")
print(f"  peak memory: puller {rss/1024:.0f} MB, A (serve) {apeak/1024:.0f} MB")
m0, m1 = [list(map(int, a.split()[1:9])) for a in (sys.argv[11], sys.argv[12])]
d = [y - x for x, y in zip(m0, m1)]
# The machine's CPU less both hutong processes': what a database server beside them spent.
others = (d[0] + d[1] + d[2] + d[5] + d[6]) / int(sys.argv[10]) - bcpu - acpu
print(f"  CPU per record: puller {bcpu/n*1e6:.0f} µs, A (serve) {acpu/n*1e6:.0f} µs, the rest of the machine {max(0, others)/n*1e6:.0f} µs")
# What stayed idle shows how far the stages overlap. Steal: time the virtual machine's host gave to others.
print(f"  machine during the sync: {100 * (d[0] + d[1] + d[2] + d[5] + d[6]) / sum(d):.0f} % busy, {100 * d[3] / sum(d):.0f} % idle, {100 * d[4] / sum(d):.0f} % waiting for I/O, {100 * d[7] / sum(d):.0f} % stolen by the host")
PY
}
pull b "B (store on SQLite)"
if [ -d p ]; then pull p "P (store on PostgreSQL)"; fi

# Ten changed records at A, then one round.
"$h" records list --json --limit 10 --config a/hutong.toml | python3 -c '
import json, sys
for line in sys.stdin:
    b = json.loads(line)["body"]; b["remarks"] = "benchmark change"; print(json.dumps(b, ensure_ascii=False))' > ten.ndjson
"$h" import ten.ndjson --config a/hutong.toml >/dev/null
start=$(date +%s.%N)
"$h" sync --once --json --config b/hutong.toml > round.json
end=$(date +%s.%N)
python3 - "$start" "$end" round.json <<'PY'
import json, sys
s = json.load(open(sys.argv[3]))[0]
print(f"10 changes: one round (push + pull, whole command) {(float(sys.argv[2]) - float(sys.argv[1]))*1000:.0f} ms, in-process {s['seconds']*1000:.0f} ms; received {s['received']}")
PY

# The anchor: PostgreSQL logical replication of the same records.
if [ "${ANCHOR:-yes}" = no ]; then exit 0; fi
if [ -z "$pgbin" ] || ! id postgres >/dev/null 2>&1; then
  echo "anchor skipped: PostgreSQL is not installed (apt-get install postgresql)"
  exit 0
fi
kill $apid 2>/dev/null || true
for c in pub sub; do pg "$pgbin/initdb" -D "$pgdir/$c" -A trust -U postgres >/dev/null; done
install -o postgres -m 600 certs/node-a.crt "$pgdir/pub/server.crt"
install -o postgres -m 600 certs/node-a.key "$pgdir/pub/server.key"
qpub=$(port); qsub=$(port)
pg "$pgbin/pg_ctl" -D "$pgdir/pub" -l "$pgdir/pub.log" -w start \
  -o "-p $qpub -k $pgdir -c listen_addresses=127.0.0.1 -c wal_level=logical -c ssl=on" >/dev/null
pg "$pgbin/pg_ctl" -D "$pgdir/sub" -l "$pgdir/sub.log" -w start -o "-p $qsub -k $pgdir -c listen_addresses=127.0.0.1" >/dev/null
sql() { pg "$pgbin/psql" -h "$pgdir" -p "$1" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt -c "$2"; }
# The records as A stores them: id and body, one CSV row each.
"$h" export --config a/hutong.toml 2>/dev/null | python3 -c '
import csv, json, sys
w = csv.writer(sys.stdout)
for line in sys.stdin:
    e = json.loads(line)
    if "body" in e: w.writerow([e["id"], json.dumps(e["body"], ensure_ascii=False, separators=(",", ":"))])' > "$pgdir/rows.csv"
chown postgres "$pgdir/rows.csv"
for q in $qpub $qsub; do sql $q "create table penalty (id uuid primary key, body jsonb not null)"; done
sql $qpub "\\copy penalty from '$pgdir/rows.csv' csv"
sql $qpub "create publication hutong_anchor for table penalty"
rows=$(sql $qpub "select count(*) from penalty")
m0=$(head -1 /proc/stat)
start=$(date +%s.%N)
sql $qsub "create subscription hutong_anchor connection 'host=127.0.0.1 port=$qpub user=postgres dbname=postgres sslmode=require' publication hutong_anchor"
until [ "$(sql $qsub "select count(*) = 0 from pg_subscription_rel where srsubstate <> 'r'")" = t ] &&
      [ "$(sql $qsub "select count(*) from penalty")" -ge "$rows" ]; do sleep 0.1; done
end=$(date +%s.%N)
m1=$(head -1 /proc/stat)
python3 - "$rows" "$start" "$end" "$m0" "$m1" "$(getconf CLK_TCK)" "$(nproc)" <<'PY'
import sys
n, secs = int(sys.argv[1]), float(sys.argv[3]) - float(sys.argv[2])
m0, m1 = [list(map(int, a.split()[1:9])) for a in (sys.argv[4], sys.argv[5])]
d = [y - x for x, y in zip(m0, m1)]
busy = (d[0] + d[1] + d[2] + d[5] + d[6]) / int(sys.argv[6])
print(f"anchor, PostgreSQL logical replication (initial table sync over TLS): {n} rows in {secs:.1f} s: {n/secs:.0f} records/s; machine CPU {busy/n*1e6:.0f} µs per record (both servers)")
PY
