#!/usr/bin/env bash
# Builds Hutong in release mode and installs it for all users:
#   PREFIX/bin/hutong and the standard in PREFIX/share/hutong/schemas,
# where `hutong` finds it. PREFIX defaults to /usr/local.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="${PREFIX:-/usr/local}"
swift build -c release --product hutong
install -d "$prefix/bin" "$prefix/share/hutong"
install -m 0755 .build/release/hutong "$prefix/bin/hutong"
rm -rf "$prefix/share/hutong/schemas"
cp -r Schemas "$prefix/share/hutong/schemas"
echo "installed $prefix/bin/hutong ($("$prefix/bin/hutong" --version)) and $prefix/share/hutong/schemas"
