#!/usr/bin/env bash
# Runs the libFuzzer targets of Fuzz/ (json, envelope, batch), each for RUNS
# executions (default 1,000,000) from the committed corpus in Fuzz/corpus/,
# and prints executions, speed and crashes per target. A crash leaves its input
# in Fuzz/crashes/TARGET/; make it a regression test, then fix it.
#
#   bash Benchmarks/fuzz.sh [RUNS] [TARGET…]
#
# Needs what the project needs (.ci/run installs it). The first run builds the
# project again with -sanitize=fuzzer in Fuzz/.build (several minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
runs=${1:-1000000}
[ $# -gt 0 ] && shift
if [ $# -gt 0 ]; then targets=("$@"); else targets=(json envelope batch); fi

# Fuzz/Package.swift names the project as .hutong, whatever the clone's directory is called.
ln -sfn .. Fuzz/.hutong
trap 'rm -f "$root/Fuzz/.hutong"' EXIT
(cd Fuzz && swift build -c release -Xswiftc -sanitize=fuzzer -Xswiftc -use-ld=lld 2>&1 | grep -E "error|warning: unre|Compiling hutong_fuzz|Build complete" || true)
bin=$(cd Fuzz && swift build -c release -Xswiftc -sanitize=fuzzer -Xswiftc -use-ld=lld --show-bin-path)/hutong-fuzz
[ -x "$bin" ] || { echo "fuzz.sh: the build failed"; exit 2; }

status=0
for t in "${targets[@]}"; do
  work=$(mktemp -d)
  cp -r "Fuzz/corpus/$t/." "$work/"
  mkdir -p "Fuzz/crashes/$t"
  log=$(mktemp)
  start=$(date +%s.%N)
  set +e
  # Swift's own backtracer would end the process before libFuzzer writes the crashing input.
  SWIFT_BACKTRACE=enable=no HUTONG_FUZZ_TARGET=$t HUTONG_SCHEMAS="$root/Schemas" "$bin" -runs="$runs" -max_len=65536 -timeout=10 -rss_limit_mb=4096 \
    -artifact_prefix="Fuzz/crashes/$t/" -print_final_stats=1 "$work" >"$log" 2>&1
  rc=$?
  set -e
  seconds=$(echo "$(date +%s.%N) - $start" | bc)
  execs=$(grep -oE "stat::number_of_executed_units: *[0-9]+" "$log" | grep -oE "[0-9]+$" || echo 0)
  crashes=$(find "Fuzz/crashes/$t" -type f ! -name last-run.log | wc -l)
  cov=$(grep -oE "cov: [0-9]+" "$log" | tail -n 1 | grep -oE "[0-9]+" || echo "?")
  corpus=$(find "$work" -type f | wc -l)
  printf "%-9s %10s executions in %6.0f s (%6.0f/s), coverage %s edges, corpus %s -> %s inputs, crashes %s (exit %s)\n" \
    "$t" "$execs" "$seconds" "$(echo "$execs / $seconds" | bc -l)" "$cov" "$(find "Fuzz/corpus/$t" -type f | wc -l)" "$corpus" "$crashes" "$rc"
  if [ "$rc" -ne 0 ]; then
    status=1
    cp "$log" "Fuzz/crashes/$t/last-run.log"
    grep -E "ERROR|Fatal|fatal|SUMMARY|runtime failure|Test unit written" "$log" | head -n 5
  fi
  rm -rf "$work" "$log"
done
exit $status
