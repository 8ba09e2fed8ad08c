#!/usr/bin/env bash
# Three `hutong run` daemons on loopback over mutual TLS, each peered with the
# other two; node-a captures an agency's SQLite table (triggers). Measured:
#  - how long a row committed at the agency takes to be in node-b's and
#    node-c's stores: 1,000 rows at 10/s (p50, p99, max), then SECONDS of
#    1,000 rows/s (per 10 s window: latency and each daemon's memory);
#  - the three daemons at rest afterwards: CPU and memory over a minute.
# Arrival is seen by a reader of each store that looks every 0.5 ms.
# Anchor: PostgreSQL 15 logical replication of the same single-row inserts
# from a publisher to a subscriber on loopback, at 10/s (the subscriber's
# column default stamps the arrival).
#
#   bash Benchmarks/daemon-bench.sh [SECONDS]     (default 300; builds release first)
set -euo pipefail
secs=${1:-300}
repo=$(cd "$(dirname "$0")/.." && pwd)
swift build -c release --product hutong --package-path "$repo" >/dev/null
h="$repo/.build/release/hutong"
export HUTONG_SCHEMAS="$repo/Schemas"
work=$(mktemp -d /tmp/hutong-daemon-bench-XXXXXX)
pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
pg() { (cd / && PGOPTIONS="-c client_min_messages=warning" runuser -u postgres -- "$@"); }
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  if [ -n "$pgbin" ]; then for c in pub sub; do [ -d "$work/pg/$c" ] && pg "$pgbin/pg_ctl" -D "$work/pg/$c" -m immediate stop >/dev/null 2>&1 || true; done; fi
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
nodes=(node-a node-b node-c)
echo "hutong daemon benchmark: three nodes, $secs s of sustained load, $(nproc) cores, $work"
bash "$repo/deploy/make-test-certs.sh" certs "${nodes[@]}" >/dev/null
declare -A port admin
# Six different free ports at once (a port released may be handed out again).
read -r -a ports <<< "$(python3 -c 'import socket
s = [socket.socket() for _ in range(6)]
for x in s: x.bind(("127.0.0.1", 0))
print(" ".join(str(x.getsockname()[1]) for x in s))')"
i=0
for n in "${nodes[@]}"; do
  port[$n]=${ports[$i]}; admin[$n]=${ports[$((i + 3))]}; i=$((i + 1))
  "$h" init --node-id "$n" --dir "$n" --listen "127.0.0.1:${port[$n]}" \
    --tls-certificate "$work/certs/$n.crt" --tls-key "$work/certs/$n.key" --tls-ca "$work/certs/ca.crt" >/dev/null
  sed -i "s|^admin_listen = .*|admin_listen = \"127.0.0.1:${admin[$n]}\"|" "$n/hutong.toml"
done
types=agency,officer,matter,inspection,penalty,coercive_measure,case_transfer,violation_lead
for n in "${nodes[@]}"; do
  for p in "${nodes[@]}"; do
    [ "$n" = "$p" ] && continue
    key=$("$h" keys show --config "$p/hutong.toml" | awk '/^signing key:/ { print $NF }')
    "$h" peers add "$p" --url "https://127.0.0.1:${port[$p]}" --certificate "certs/$p.crt" --signing-key "$key" \
      --grant-pull "$types" --grant-push "$types" --personal --config "$n/hutong.toml" >/dev/null
  done
done

# The agency: the worked example's table, its valid rows, and the triggers.
python3 "$repo/Benchmarks/agency-table.py" "$repo/deploy/examples/legacy-penalty/xzcf-2023.csv" agency.sqlite
printf '\n[[sources]]\nname = "xzcf"\ndatabase = "%s"\ntable = "t_xzcf"\nmapping = "%s"\n' "$work/agency.sqlite" "$repo/deploy/examples/legacy-penalty/penalty.toml" >> node-a/hutong.toml
"$h" capture install xzcf --config node-a/hutong.toml >/dev/null
for n in "${nodes[@]}"; do
  "$h" run --config "$n/hutong.toml" > "$n.log" 2>&1 & pids+=($!)
done
for n in "${nodes[@]}"; do
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:${admin[$n]}/readyz" >/dev/null && break; sleep 0.1; done
done
echo "daemons: ${pids[*]} (node-a node-b node-c)"

python3 - "$secs" "${pids[@]}" <<'PY'
import os, re, sqlite3, sys, threading, time
secs, pids = int(sys.argv[1]), [int(p) for p in sys.argv[2:]]
names = ["node-a", "node-b", "node-c"]
arrived = {"node-b": {}, "node-c": {}}
mark = re.compile(r"-([LM]\d+)号")
stop = False

def watch():
    dbs = {n: sqlite3.connect(f"file:{n}/hutong.sqlite?mode=ro", uri=True, isolation_level=None) for n in arrived}
    last = {n: 0 for n in arrived}
    while not stop:
        for n, db in dbs.items():
            rows = db.execute("SELECT seq, json_extract(body, '$.decision_number') FROM records WHERE seq > ? ORDER BY seq", (last[n],)).fetchall()
            if rows:
                now = time.time()
                last[n] = rows[-1][0]
                for _, number in rows:
                    m = mark.search(number or "")
                    if m and m.group(1) not in arrived[n]: arrived[n][m.group(1)] = now
        time.sleep(0.0005)

def rss(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"): return int(line.split()[1]) // 1024
    return 0

def ticks(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(f[11]) + int(f[12])

def pct(xs, q): return xs[min(len(xs) - 1, int(len(xs) * q))] if xs else float("nan")

def stats(keys, committed):
    out = {}
    for n in ["node-b", "node-c", "both"]:
        lat = []
        for k in keys:
            got = [arrived[m].get(k) for m in arrived] if n == "both" else [arrived[n].get(k)]
            if None not in got: lat.append((max(got) - committed[k]) * 1000)
        lat.sort()
        out[n] = (len(lat), pct(lat, 0.5), pct(lat, 0.99), lat[-1] if lat else float("nan"))
    return out

def show(label, s, total):
    parts = [f"{n} p50 {p50:.1f} / p99 {p99:.1f} / max {mx:.1f} ms" + ("" if c == total else f" ({total - c} not arrived)")
             for n, (c, p50, p99, mx) in s.items()]
    print(f"{label}: " + "; ".join(parts), flush=True)

threading.Thread(target=watch, daemon=True).start()
db = sqlite3.connect("agency.sqlite", isolation_level=None)
db.execute("PRAGMA synchronous = NORMAL")
db.execute("PRAGMA busy_timeout = 5000")
row = list(db.execute("SELECT * FROM t_xzcf WHERE ID = 1001").fetchone())
insert = f"INSERT INTO t_xzcf VALUES ({','.join('?' * len(row))})"
committed = {}

def commit(key, n):
    r = list(row); r[0] = 10_000_000 + n; r[1] = r[1].replace("号", f"-{key}号")
    db.execute(insert, r)
    committed[key] = time.time()

time.sleep(2)
# 1,000 rows at 10/s.
start = time.time()
for i in range(1000):
    time.sleep(max(0, start + i / 10 - time.time()))
    commit(f"L{i}", i)
keys = [f"L{i}" for i in range(1000)]
end = time.time() + 30
while time.time() < end and any(k not in arrived[n] for n in arrived for k in keys): time.sleep(0.05)
show("1,000 rows at 10/s, commit to store", stats(keys, committed), 1000)

# 1,000 rows/s for `secs` seconds, each its own transaction.
print(f"sustained 1,000 rows/s for {secs} s; per 10 s window: latency, then memory of node-a/b/c", flush=True)
start = time.time()
j = 0
window = []
next_report = start + 10
while time.time() < start + secs:
    t = time.time()
    due = int((t - start) * 1000)
    while j < due:
        key = f"M{j}"; commit(key, 1000 + j); window.append(key); j += 1
    if t >= next_report:
        time.sleep(0.2)  # the window's last rows a moment to arrive
        s = stats(window, committed)
        c, p50, p99, mx = s["both"]
        print(f"  {int(t - start):4d} s: {len(window)} rows, both nodes p50 {p50:.0f} / p99 {p99:.0f} / max {mx:.0f} ms"
              + ("" if c == len(window) else f" ({len(window) - c} not yet)") + f"; RSS {'/'.join(str(rss(p)) for p in pids)} MB", flush=True)
        window = []
        next_report += 10
    time.sleep(0.0005)
keys = [f"M{i}" for i in range(j)]
end = time.time() + 120
while time.time() < end and any(k not in arrived[n] for n in arrived for k in keys): time.sleep(0.1)
show(f"{j} rows at 1,000/s, commit to store", stats(keys, committed), j)
stop = True

# At rest: a minute of nothing.
time.sleep(10)
before = [ticks(p) for p in pids]
time.sleep(60)
after = [ticks(p) for p in pids]
hz = os.sysconf("SC_CLK_TCK")
print("at rest over 60 s: " + "; ".join(f"{names[i]} CPU {100 * (after[i] - before[i]) / hz / 60:.2f} % RSS {rss(pids[i])} MB" for i in range(3)), flush=True)
PY

if [ -z "$pgbin" ] || ! id postgres >/dev/null 2>&1; then
  echo "anchor skipped: PostgreSQL is not installed (apt-get install postgresql)"; exit 0
fi
mkdir -p pg && chown postgres pg && chmod 755 "$work"
read -r ppub psub <<< "$(python3 -c 'import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(" ".join(str(x.getsockname()[1]) for x in s))')"
for c in pub sub; do pg "$pgbin/initdb" -D "$work/pg/$c" -A trust -U postgres >/dev/null; done
pg "$pgbin/pg_ctl" -D "$work/pg/pub" -l "$work/pg/pub.log" -w start -o "-p $ppub -k $work/pg -c listen_addresses=127.0.0.1 -c wal_level=logical" >/dev/null
pg "$pgbin/pg_ctl" -D "$work/pg/sub" -l "$work/pg/sub.log" -w start -o "-p $psub -k $work/pg -c listen_addresses=127.0.0.1" >/dev/null
psql() { pg "$pgbin/psql" -h 127.0.0.1 -U postgres -qAt "$@"; }
psql -p "$ppub" -c "CREATE TABLE t (id int PRIMARY KEY, body text, committed timestamptz DEFAULT clock_timestamp()); CREATE PUBLICATION p FOR TABLE t;"
psql -p "$psub" -c "CREATE TABLE t (id int PRIMARY KEY, body text, committed timestamptz, arrived timestamptz DEFAULT clock_timestamp());"
psql -p "$psub" -c "CREATE SUBSCRIPTION s CONNECTION 'host=127.0.0.1 port=$ppub user=postgres dbname=postgres' PUBLICATION p;"
sleep 2
python3 - "$ppub" <<'PY' | psql -p "$ppub" >/dev/null
import sys, time
# One INSERT a statement, autocommitted, every 100 ms: psql runs them as they come.
for i in range(1000):
    print(f"INSERT INTO t (id, body) VALUES ({i}, repeat('x', 1500)); SELECT pg_sleep(0.1);", flush=True)
PY
sleep 2
psql -p "$psub" -c "SELECT 'anchor, PostgreSQL logical replication, 1,000 rows at 10/s: ' || count(*) || ' rows, p50 ' || round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1) || ' / p99 ' || round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 1) || ' / max ' || round(max(ms)::numeric, 1) || ' ms' FROM (SELECT extract(epoch FROM arrived - committed) * 1000 AS ms FROM t) x;"
