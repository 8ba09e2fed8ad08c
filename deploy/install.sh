#!/usr/bin/env bash
# Builds Hutong in release mode and installs it for all users:
#   PREFIX/bin/hutong, the standard in PREFIX/share/hutong/schemas (where `hutong`
#   finds it) and the documentation in PREFIX/share/doc/hutong. PREFIX defaults to /usr/local.
# With --service (as root), it also sets the node up as a systemd service:
#   - a system user `hutong` (agency files and the inbox need a stable owner);
#   - the node in /var/lib/hutong (hutong.toml, the store, the signing key), made by
#     `hutong init` unless one is there, with /etc/hutong/hutong.toml pointing to it;
#   - hutong.service (the daemon, `hutong run`) and hutong-sync.service/.timer (a nightly
#     `sync --once`, for sites without the daemon) in /etc/systemd/system, not yet enabled.
#   NODE_ID=… and the usual init options in INIT_OPTIONS="…" (e.g. --tls-certificate …) are used.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="${PREFIX:-/usr/local}"
service=false
[ "${1:-}" = "--service" ] && service=true
swift build -c release --product hutong
install -d "$prefix/bin" "$prefix/share/hutong" "$prefix/share/doc/hutong"
install -m 0755 .build/release/hutong "$prefix/bin/hutong"
rm -rf "$prefix/share/hutong/schemas" "$prefix/share/doc/hutong/docs"
cp -r Schemas "$prefix/share/hutong/schemas"
cp README.md "$prefix/share/doc/hutong/" && cp -r docs "$prefix/share/doc/hutong/docs"
echo "installed $prefix/bin/hutong ($("$prefix/bin/hutong" --version)) and $prefix/share/hutong/schemas"
$service || exit 0

[ "$(id -u)" = 0 ] || { echo "install.sh --service: run as root (it creates the user hutong and the units)" >&2; exit 2; }
id hutong >/dev/null 2>&1 || useradd --system --home-dir /var/lib/hutong --shell /usr/sbin/nologin --user-group hutong
install -d -o hutong -g hutong -m 0700 /var/lib/hutong
install -d -m 0755 /etc/hutong
if [ ! -e /var/lib/hutong/hutong.toml ]; then
  # shellcheck disable=SC2086
  runuser -u hutong -- env HUTONG_SCHEMAS="$prefix/share/hutong/schemas" "$prefix/bin/hutong" init --dir /var/lib/hutong \
    ${NODE_ID:+--node-id "$NODE_ID"} ${INIT_OPTIONS:-}
fi
ln -sfn /var/lib/hutong/hutong.toml /etc/hutong/hutong.toml
for unit in hutong.service hutong-sync.service hutong-sync.timer; do
  sed "s|/usr/local|$prefix|g" "deploy/systemd/$unit" > "/etc/systemd/system/$unit"
done
if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi
cat <<MSG
the node is in /var/lib/hutong (its configuration also at /etc/hutong/hutong.toml).
Next: configure [tls], sources and peers (docs/daemon.md); name the agency databases it
writes in ReadWritePaths= (systemctl edit hutong); then
  systemctl enable --now hutong         # the daemon
  journalctl -u hutong -f               # what it does, one line per event
or, without the daemon, a nightly sync: systemctl enable --now hutong-sync.timer
MSG
