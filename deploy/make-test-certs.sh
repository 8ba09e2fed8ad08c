#!/usr/bin/env bash
# Makes a test certificate authority and one certificate per node, for trying
# Hutong's mutual TLS on one machine (tests, the README). Not for production:
# an agency's certificates come from its own CA.
#
#   deploy/make-test-certs.sh DIR NODE [NODE...]
#
# Writes DIR/ca.crt and DIR/ca.key (made once, reused on later runs), and for
# each NODE: DIR/NODE.crt and DIR/NODE.key, valid for 127.0.0.1 and localhost,
# usable as server and as client certificate. Keys are EC P-256, mode 600.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 DIR NODE [NODE...]" >&2
  exit 2
fi
command -v openssl >/dev/null || { echo "$0: openssl is needed (apt-get install openssl)" >&2; exit 2; }
dir=$1; shift
mkdir -p "$dir"
umask 077
if [ ! -f "$dir/ca.key" ]; then
  openssl ecparam -name prime256v1 -genkey -noout -out "$dir/ca.key"
  openssl req -x509 -new -key "$dir/ca.key" -sha256 -days 825 -subj "/O=Hutong test/CN=Hutong test CA $(basename "$dir")" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out "$dir/ca.crt"
fi
for node in "$@"; do
  openssl ecparam -name prime256v1 -genkey -noout -out "$dir/$node.key.ec"
  openssl pkcs8 -topk8 -nocrypt -in "$dir/$node.key.ec" -out "$dir/$node.key"
  rm -f "$dir/$node.key.ec"
  openssl req -new -key "$dir/$node.key" -subj "/O=Hutong test/CN=$node" -out "$dir/$node.csr"
  printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" "basicConstraints=CA:FALSE" \
    "keyUsage=critical,digitalSignature,keyEncipherment" "extendedKeyUsage=serverAuth,clientAuth" > "$dir/$node.ext"
  openssl x509 -req -in "$dir/$node.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -sha256 -days 825 \
    -extfile "$dir/$node.ext" -out "$dir/$node.crt" 2>/dev/null
  rm -f "$dir/$node.csr" "$dir/$node.ext"
done
chmod 644 "$dir"/*.crt
echo "$dir: ca.crt and certificates for $*"
