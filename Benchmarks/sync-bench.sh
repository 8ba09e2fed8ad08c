#!/usr/bin/env bash
# Two nodes on loopback over mutual TLS: N penalty records imported at node A,
# then `hutong sync --once` at node B until done — records/s, MB on the wire,
# peak memory of each process; then 10 changed records at A and the time of
# one more round.
#
#   bash Benchmarks/sync-bench.sh [N]        (default 1000000; builds release first)
set -euo pipefail
n=${1:-1000000}
repo=$(cd "$(dirname "$0")/.." && pwd)
swift build -c release --product hutong --package-path "$repo" >/dev/null
h="$repo/.build/release/hutong"
export HUTONG_SCHEMAS="$repo/Schemas"
work=$(mktemp -d /tmp/hutong-sync-bench-XXXXXX)
cd "$work"
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
bash "$repo/deploy/make-test-certs.sh" certs node-a node-b >/dev/null
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pa=$(port); pb=$(port)
for x in a b; do
  p=$([ $x = a ] && echo $pa || echo $pb)
  "$h" init --node-id node-$x --dir $x --listen 127.0.0.1:$p --tls-certificate certs/node-$x.crt --tls-key certs/node-$x.key --tls-ca certs/ca.crt >/dev/null
done
key() { "$h" keys show --config $1/hutong.toml | awk '/signing key/{print $3}'; }
all=agency,officer,matter,inspection,penalty,coercive_measure,case_transfer,violation_lead
"$h" peers add node-b --url https://127.0.0.1:$pb --signing-key "$(key b)" --certificate certs/node-b.crt --grant-pull $all --grant-push $all --personal --config a/hutong.toml >/dev/null
"$h" peers add node-a --url https://127.0.0.1:$pa --signing-key "$(key a)" --certificate certs/node-a.crt --grant-pull $all --grant-push $all --personal --config b/hutong.toml >/dev/null

echo "hutong sync benchmark: $n penalty records, $(nproc) cores, $work"
"$h" sample --type penalty --count "$n" --seed 11 -o p.ndjson >/dev/null
start=$(date +%s.%N)
"$h" import p.ndjson --config a/hutong.toml >/dev/null
echo "import at A: $(python3 -c "print(f'{$n/($(date +%s.%N)-$start):.0f}')") records/s (local writes, validated)"

"$h" serve --config a/hutong.toml > a.log 2>&1 &
apid=$!
until grep -q listening a.log; do sleep 0.2; done
acpu() { awk '{print $14 + $15}' /proc/$apid/stat; }
a0=$(acpu)
m0=$(head -1 /proc/stat)
/usr/bin/time -f "%e %M %U %S" -o b.time "$h" sync --once --pull-only --json --config b/hutong.toml > b.json
read -r secs rss bu bs < b.time
a1=$(acpu)
m1=$(head -1 /proc/stat)
apeak=$(awk '/VmHWM/{print $2}' /proc/$apid/status)
python3 - "$n" "$secs" "$rss" "$apeak" b.json "$bu" "$bs" "$a0" "$a1" "$(getconf CLK_TCK)" "$m0" "$m1" <<'PY'
import json, sys
n, secs, rss, apeak, path = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
bcpu = float(sys.argv[6]) + float(sys.argv[7])
acpu = (int(sys.argv[9]) - int(sys.argv[8])) / int(sys.argv[10])
s = json.load(open(path))[0]
print(f"sync --once at B: {s['received']} received, {s['applied']} applied in {secs:.1f} s: {s['received']/secs:.0f} records/s end to end")
print(f"on the wire: {s['bytes_received']/1e6:.1f} MB received ({s['bytes_received']/max(1,s['received']):.0f} bytes/record, gzip), {s['bytes_sent']/1e6:.2f} MB sent")
print(f"peak memory: B (sync) {rss/1024:.0f} MB, A (serve) {apeak/1024:.0f} MB")
print(f"CPU per record: B (sync) {bcpu/n*1e6:.0f} µs, A (serve) {acpu/n*1e6:.0f} µs")
# The whole machine meanwhile (both nodes share it): what stayed idle shows how far the stages overlap.
m0, m1 = [list(map(int, a.split()[1:9])) for a in (sys.argv[11], sys.argv[12])]
d = [y - x for x, y in zip(m0, m1)]
# Steal: time the virtual machine's host gave to others (this machine's speed drifts with it).
print(f"machine during the sync: {100 * (d[0] + d[1] + d[2] + d[5] + d[6]) / sum(d):.0f} % busy, {100 * d[3] / sum(d):.0f} % idle, {100 * d[4] / sum(d):.0f} % waiting for I/O, {100 * d[7] / sum(d):.0f} % stolen by the host")
PY

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
