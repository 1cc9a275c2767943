#!/usr/bin/env bash
# Installs every Debian 12 package that building, testing and running the demo need.
# Idempotent: when everything is already installed it returns in about a second
# without touching the network.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git ca-certificates python3 curl
  libevent-dev        # event loop
  libbrotli-dev       # brotli variants
  libzstd-dev         # zstd variants
  zlib1g-dev          # gzip variants
  libxxhash-dev       # XXH3-128 content hashes
  libboost-program-options-dev  # CLI + config file
  libgtest-dev libgmock-dev     # tests
  libssl-dev          # TLS
  libcurl4-openssl-dev # fetching from an HTTP origin
  libnghttp2-dev      # HTTP/2
  python3-h2          # tests: hostile HTTP/2 clients (raw frames)
  nghttp2-client      # tests: nghttp/h2load as ordinary HTTP/2 clients
  prometheus          # tests: promtool check metrics, and a real scrape of the admin endpoint
  systemd             # systemd-analyze: the packaging test verifies the unit
  dpkg-dev            # cpack -G DEB: dpkg-shlibdeps for the package's Depends
  zstd                # tests: decode a dcz delta with `zstd -D` (RFC 9842)
  chromium            # tests: a real browser uses the dcz deltas (edge_dictionary_browser_test.cc)
)
if [ "${RELAIS_BENCH:-0}" = 1 ]; then
  packages+=(nginx-light varnish wrk slowhttptest gnuplot-nox util-linux valgrind iproute2 h2o brotli)
fi
if [ "${RELAIS_FUZZ:-0}" = 1 ]; then
  packages+=(clang libclang-rt-dev)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages (${missing[*]}); run as root or install them" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Every server here (prometheus, nginx, varnish, h2o) is installed for its
# tools or to be started by a test or the bench on a port of its own, never
# as a system service: Debian would start prometheus on :9090, the demo's
# admin port, and nginx on :80. policy-rc.d (Debian policy §9.3.3) keeps the
# maintainer scripts from starting them; they are disabled at boot too.
policy=/usr/sbin/policy-rc.d
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\n# installed by relais scripts/install-deps.sh for the length of an apt-get install\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  trap 'rm -f "$policy"' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
if [ -d /run/systemd/system ]; then
  for unit in prometheus nginx varnish h2o; do
    if printf '%s\n' "${missing[@]}" | grep -qx -e "$unit" -e "$unit-light"; then
      systemctl disable --now "$unit.service" >/dev/null 2>&1 || true
    fi
  done
fi
echo "install-deps: installed ${missing[*]}"
