#!/usr/bin/env bash
# Capture from an agency's database, on SQLite and on PostgreSQL, in one run:
#  - the snapshot of a legacy table of N 双公示-style rows (the mapping-bench's
#    rows, through deploy/examples/legacy-penalty/penalty.toml): rows/s, peak memory;
#  - the cost the capture triggers add to the agency's own inserts, as
#    `hutong capture bench` measures it for a DBA: 200,000 rows in one
#    statement, 200,000 rows in one transaction of one-row statements, and
#    5,000 transactions of one row;
#  - the delay from an agency commit to the node store while `hutong capture
#    --follow` runs: 400 rows committed one at a time every 25 ms, p50/p99.
# Anchor: PostgreSQL 15 logical replication's initial copy of the same table
# to a second server (no mapping, no validation, no version vectors).
#
#   bash Benchmarks/capture-bench.sh [N]     (default 1000000; builds release first)
set -euo pipefail
n=${1:-1000000}
repo=$(cd "$(dirname "$0")/.." && pwd)
swift build -c release --product hutong --package-path "$repo" >/dev/null
swift build -c release --product hutong-bench --package-path "$repo" >/dev/null
h="$repo/.build/release/hutong"
export HUTONG_SCHEMAS="$repo/Schemas"
mapping="$repo/deploy/examples/legacy-penalty/penalty.toml"
work=$(mktemp -d /tmp/hutong-capture-bench-XXXXXX)
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
pg() { (cd / && PGOPTIONS="-c client_min_messages=warning" runuser -u postgres -- "$@"); }
cleanup() {
  [ -n "${follow:-}" ] && kill "$follow" 2>/dev/null || true
  if [ -n "$pgbin" ]; then for c in agency sub; do [ -d "$work/pg/$c" ] && pg "$pgbin/pg_ctl" -D "$work/pg/$c" -m immediate stop >/dev/null 2>&1 || true; done; fi
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
echo "hutong capture benchmark: $n legacy rows, $(nproc) cores, $work"
"$repo/.build/release/hutong-bench" legacy-csv --count "$n" --file legacy.csv
header=$(head -n 1 legacy.csv | tr -d '\r')
cols_sqlite=$(echo "$header" | tr ',' '\n' | awk '{ print ($1 == "ID" ? "ID INTEGER PRIMARY KEY" : $1 " TEXT") }' | paste -sd, -)
cols_pg=$(echo "$header" | tr ',' '\n' | awk '{ print ($1 == "ID" ? "\"ID\" bigint PRIMARY KEY" : "\"" $1 "\" text") }' | paste -sd, -)
echo "file: $(( $(stat -c %s legacy.csv) / 1000000 )) MB"

node() {  # node DIR DATABASE: a node with the source xzcf (t_xzcf)
  "$h" init --node-id "bench-$1" --dir "$1" >/dev/null
  printf '\n[[sources]]\nname = "xzcf"\ndatabase = "%s"\ntable = "t_xzcf"\nmapping = "%s"\n' "$2" "$mapping" >> "$1/hutong.toml"
}
snapshot() {  # snapshot DIR DATABASE: a node for the database, its triggers installed, its first capture timed
  node "$1" "$2"
  "$h" capture install xzcf --config "$1/hutong.toml" >/dev/null
  /usr/bin/time -f "%e %M" -o "$1.time" "$h" capture --once --config "$1/hutong.toml" > "$1.out" || true
  read -r secs rss < "$1.time"
  echo "snapshot: $(rate "$n" "$secs") rows/s ($secs s), peak memory $((rss / 1024)) MB; $(grep '^xzcf' "$1.out")"
}
rate() { python3 -c "print(f'{$1/$2:,.0f}')"; }
latency() {  # latency ENGINE: p50/p99 from commit (the inserter's clock) to the version's hybrid clock at the node
  python3 - "$1" <<'PY'
import json, re, subprocess, sys
commits = {int(l.split()[0]): float(l.split()[1]) for l in open("commits.txt")}
out = subprocess.run(["hutong", "records", "list", "--json", "--limit", "100000000", "--config", f"{sys.argv[1]}/hutong.toml"],
                     capture_output=True, text=True).stdout
lat = []
for line in out.splitlines():
    e = json.loads(line)
    m = re.search(r"-L(\d+)号", e.get("body", {}).get("decision_number", ""))
    if m and int(m.group(1)) in commits:
        lat.append(int(e["hlc"].split(".")[0]) - commits[int(m.group(1))] * 1000)
lat.sort()
if not lat: print("no rows arrived"); sys.exit()
print(f"{len(lat)} rows: p50 {lat[len(lat)//2]:.0f} ms, p99 {lat[int(len(lat)*0.99)-1]:.0f} ms, max {lat[-1]:.0f} ms")
PY
}
export PATH="$repo/.build/release:$PATH"

echo "== SQLite $(sqlite3 --version | cut -d' ' -f1)"
sqlite3 agency.sqlite "PRAGMA journal_mode = WAL" >/dev/null
sqlite3 agency.sqlite "CREATE TABLE t_xzcf ($cols_sqlite)"
sqlite3 agency.sqlite ".import --csv --skip 1 legacy.csv t_xzcf"
snapshot s "$work/agency.sqlite"
bulk=$(( n < 200000 ? n : 200000 ))
"$h" capture bench xzcf --rows "$bulk" --singles 5000 --config s/hutong.toml
"$h" capture --once --config s/hutong.toml >/dev/null || true
"$h" capture --follow --config s/hutong.toml > follow-s.out 2>&1 & follow=$!
sleep 1
python3 - <<'PY'
import sqlite3, time
db = sqlite3.connect("agency.sqlite", isolation_level=None)
row = list(db.execute("SELECT * FROM t_xzcf WHERE ID = 1").fetchone())
with open("commits.txt", "w") as out:
    for i in range(400):
        r = list(row); r[0] = 10_000_000 + i; r[1] = r[1].replace("号", f"-L{i}号")
        db.execute(f"INSERT INTO t_xzcf VALUES ({','.join('?' * len(r))})", r)
        out.write(f"{i} {time.time()}\n")
        time.sleep(0.025)
PY
sleep 1; kill -TERM $follow; wait $follow || true; follow=
echo "commit to node store (--follow): $(latency s)"
# Read-only capture (mode = "scan") of the same table, and the sink writing every record back.
"$h" init --node-id bench-r --dir r >/dev/null
printf '\n[[sources]]\nname = "xzcf"\ndatabase = "%s"\ntable = "t_xzcf"\nmapping = "%s"\nmode = "scan"\n' "$work/agency.sqlite" "$mapping" >> r/hutong.toml
printf '\n[[sinks]]\nname = "back"\ndatabase = "%s"\ntypes = ["penalty"]\n' "$work/sink.sqlite" >> r/hutong.toml
sqlite3 sink.sqlite "PRAGMA journal_mode = WAL" >/dev/null
rows=$(sqlite3 agency.sqlite "SELECT count(*) FROM t_xzcf")
secs() { local s e; s=$(date +%s.%N); "$@" >/dev/null || true; e=$(date +%s.%N); python3 -c "print(f'{$e-$s:.2f}')"; }
t_first=$(secs "$h" capture --once --config r/hutong.toml)
"$h" capture install back --config r/hutong.toml >/dev/null
t_sink=$(secs "$h" capture --once --config r/hutong.toml)
t_again=$(secs "$h" capture --once --config r/hutong.toml)
echo "scan, first (every row mapped): $(rate "$rows" "$t_first") rows/s ($t_first s)"
echo "scan of unchanged rows, nothing to write: $(rate "$rows" "$t_again") rows/s ($t_again s)"
echo "sink, every record written back (with an unchanged scan): $(rate "$rows" "$t_sink") rows/s ($t_sink s)"

if [ -z "$pgbin" ] || ! id postgres >/dev/null 2>&1; then
  echo "PostgreSQL part skipped: PostgreSQL is not installed (apt-get install postgresql)"; exit 0
fi
echo "== PostgreSQL $("$pgbin/postgres" --version | grep -oE "[0-9]+\.[0-9]+" | head -n 1)"
mkdir -p pg && chown postgres pg && chmod 755 "$work"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
sport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
for c in agency sub; do pg "$pgbin/initdb" -D "$work/pg/$c" -A trust -U postgres >/dev/null; done
pg "$pgbin/pg_ctl" -D "$work/pg/agency" -l "$work/pg/agency.log" -w start -o "-p $port -k $work/pg -c listen_addresses=127.0.0.1 -c wal_level=logical" >/dev/null
pg "$pgbin/pg_ctl" -D "$work/pg/sub" -l "$work/pg/sub.log" -w start -o "-p $sport -k $work/pg -c listen_addresses=127.0.0.1" >/dev/null
sql() { pg "$pgbin/psql" -h 127.0.0.1 -p "${2:-$port}" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt -c "$1"; }
sql "CREATE TABLE t_xzcf ($cols_pg)"
cp legacy.csv pg/rows.csv && chown postgres pg/rows.csv
sql "\\copy t_xzcf FROM '$work/pg/rows.csv' WITH (FORMAT csv, HEADER true)"
snapshot p "postgres://postgres@127.0.0.1:$port/postgres"
"$h" capture bench xzcf --rows "$bulk" --singles 5000 --config p/hutong.toml
# Commit times taken inside the agency's transaction (clock_timestamp() in a
# trigger of the bench's own), not around a psql process.
sql "CREATE TABLE bench_commits (id bigint, at double precision)"
sql "CREATE FUNCTION bench_commit() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN INSERT INTO bench_commits VALUES (NEW.\"ID\", extract(epoch FROM clock_timestamp())); RETURN NULL; END \$\$"
sql "CREATE TRIGGER bench_commit AFTER INSERT ON t_xzcf FOR EACH ROW EXECUTE FUNCTION bench_commit()"
"$h" capture --follow --config p/hutong.toml > follow-p.out 2>&1 & follow=$!
sleep 1
for i in $(seq 0 399); do
  sql "INSERT INTO t_xzcf SELECT $((10000000 + i)), replace(\"CF_WSH\", '号', '-L$i号'), $(echo "$header" | tr ',' '\n' | tail -n +3 | awk '{ printf "%s\"%s\"", (NR > 1 ? ", " : ""), $1 }') FROM t_xzcf WHERE \"ID\" = 1"
  sleep 0.025
done
sleep 1; kill -TERM $follow; wait $follow || true; follow=
sql "SELECT id - 10000000, at FROM bench_commits" | tr '|' ' ' > commits.txt
echo "commit to node store (--follow, NOTIFY): $(latency p)"

# Anchor: logical replication's initial copy of t_xzcf to a second server.
sql "CREATE TABLE t_xzcf ($cols_pg)" "$sport"
sql "CREATE PUBLICATION anchor FOR TABLE t_xzcf"
start=$(date +%s.%N)
sql "CREATE SUBSCRIPTION anchor CONNECTION 'host=127.0.0.1 port=$port user=postgres dbname=postgres' PUBLICATION anchor" "$sport"
total=$(sql "SELECT count(*) FROM t_xzcf")
until [ "$(sql "SELECT count(*) FROM pg_subscription_rel WHERE srsubstate <> 'r'" "$sport")" = "0" ]; do sleep 0.2; done
end=$(date +%s.%N)
echo "anchor: logical replication initial copy: $(python3 -c "print(f'{$total/($end-$start):,.0f}')") rows/s ($(python3 -c "print(f'{$end-$start:.1f}')") s for $total rows)"
