#!/usr/bin/env bash
# One `hutong run` at rest: a SQLite source of 5 rows followed by triggers and
# one sink, no peers, the admin listener on, under systemd's log format
# (JOURNAL_STREAM set). After 40 s of start-up and rest: CPU time over a
# minute of nothing happening (from /proc/PID/stat) and resident memory, with
# what it is made of (from /proc/PID/smaps: heap and stacks, the program's
# code, the libraries').
#
#   bash Benchmarks/rest-bench.sh     (builds release first)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
swift build -c release --product hutong --package-path "$repo" >/dev/null 2>&1 || { echo "the release build failed: swift build -c release"; exit 1; }
h="$repo/.build/release/hutong"
export HUTONG_SCHEMAS="$repo/Schemas"
work=$(mktemp -d /tmp/hutong-rest-bench-XXXXXX)
pid=""
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
cd "$work"
read -r port admin <<< "$(python3 -c 'import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(" ".join(str(x.getsockname()[1]) for x in s))')"
"$h" init --node-id node-r --dir node --listen "127.0.0.1:$port" >/dev/null
sed -i -e "s|^admin_listen = .*|admin_listen = \"127.0.0.1:$admin\"|" -e "s|^plain_http = .*|plain_http = true|" node/hutong.toml
python3 "$repo/Benchmarks/agency-table.py" "$repo/deploy/examples/legacy-penalty/xzcf-2023.csv" agency.sqlite
printf '\n[[sources]]\nname = "xzcf"\ndatabase = "%s"\ntable = "t_xzcf"\nmapping = "%s"\n' "$work/agency.sqlite" "$repo/deploy/examples/legacy-penalty/penalty.toml" >> node/hutong.toml
printf '\n[[sinks]]\nname = "agency-in"\ndatabase = "%s"\n' "$work/agency.sqlite" >> node/hutong.toml
"$h" capture install xzcf --config node/hutong.toml >/dev/null
"$h" capture install agency-in --config node/hutong.toml >/dev/null
JOURNAL_STREAM=8:1 "$h" run --config node/hutong.toml > run.log 2>&1 & pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$admin/readyz" >/dev/null && break; sleep 0.1; done
echo "hutong run at rest: pid $pid, $(nproc) cores, $work"
sleep 40
python3 - "$pid" "$h" <<'PY'
import os, sys, time
pid, program = sys.argv[1], os.path.realpath(sys.argv[2])
hz = os.sysconf("SC_CLK_TCK")
def ticks():
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return int(f[11]) + int(f[12])
before = ticks(); time.sleep(60); after = ticks()
print(f"CPU at rest: {100 * (after - before) / hz / 60:.2f} % of a core ({after - before} ticks of {60 * hz} in 60 s)")
parts, name, rss = {}, None, 0
for line in open(f"/proc/{pid}/smaps"):
    fields = line.split()
    if "-" in fields[0] and len(fields) >= 5 and ":" in fields[3]:
        path = fields[5] if len(fields) > 5 else "[anonymous]"
        if path == program: name = "the program"
        elif path.startswith("/"): name = os.path.basename(path)
        else: name = "heap, stacks and other anonymous memory"
    elif fields[0] == "Rss:":
        parts[name] = parts.get(name, 0) + int(fields[1])
        rss += int(fields[1])
print(f"resident memory: {rss / 1024:.1f} MB")
for n, kb in sorted(parts.items(), key=lambda p: -p[1])[:12]:
    print(f"  {kb / 1024:6.1f} MB  {n}")
PY
