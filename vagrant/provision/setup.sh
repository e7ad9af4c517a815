#!/bin/sh
# Node 20 (bookworm ships 18; ctvm needs >= 20.9) from nodejs.org with its checksum verified,
# then the project's own dependency-free set-up: Debian packages, npm ci, native helpers, kernel.
set -eu
NODE_VERSION="${CTVM_NODE_VERSION:-v20.19.0}"
if ! node --version 2>/dev/null | grep -q '^v2[0-9]'; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ca-certificates curl xz-utils
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  tarball="node-$NODE_VERSION-linux-x64.tar.xz"
  curl -fsSLo "$tmp/$tarball" "https://nodejs.org/dist/$NODE_VERSION/$tarball"
  curl -fsSLo "$tmp/SHASUMS256.txt" "https://nodejs.org/dist/$NODE_VERSION/SHASUMS256.txt"
  (cd "$tmp" && grep " $tarball\$" SHASUMS256.txt | sha256sum -c -)
  tar -xJf "$tmp/$tarball" -C /usr/local --strip-components=1
fi
node --version
cd /home/vagrant/ctvm
node scripts/setup.mjs --for bench
