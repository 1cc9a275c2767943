#!/usr/bin/env bash
# Demo: builds Relais, publishes the sample course, pulls it into a store and
# serves it on http://127.0.0.1:8080/ and https://localhost:8443/ (a self-signed
# certificate made once under build/demo/tls/; admin on 127.0.0.1:9090), in the foreground.
#
#   bash scripts/demo.sh            # from the repo root, Debian 12, as root the first time
#
# Environment: RELAIS_PORT (8080), RELAIS_TLS_PORT (8443), RELAIS_ADMIN_PORT (9090), RELAIS_BUILD_DIR (build),
# RELAIS_JOBS (nproc). Idempotent: a second run rebuilds nothing, the publish is
# incremental and the pull fetches nothing, so it is up again in seconds.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

build=${RELAIS_BUILD_DIR:-build}
port=${RELAIS_PORT:-8080}
admin_port=${RELAIS_ADMIN_PORT:-9090}
tls_port=${RELAIS_TLS_PORT:-8443}
jobs=${RELAIS_JOBS:-$(nproc)}
demo=$build/demo

step() { printf '\n== %s\n' "$*"; }

step "dependencies (scripts/install-deps.sh)"
bash scripts/install-deps.sh

step "build ($build, Release)"
# Warnings stay warnings here: a newer compiler must not stop a demo (scripts/test.sh keeps -Werror).
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DRELAIS_TESTS=OFF -DRELAIS_WERROR=OFF --log-level=WARNING
cmake --build "$build" -j"$jobs"

step "sample course ($demo/course)"
python3 scripts/make-sample-course.py "$demo/course"

step "publish ($demo/course -> $demo/origin)"
"$build/bin/relais-sync" publish "$demo/course" "$demo/origin"

step "pull ($demo/origin -> $demo/store)"
"$build/bin/relais-sync" pull --origin "$demo/origin" --store "$demo/store"

step "certificate ($demo/tls, self-signed for localhost, made once)"
if [ ! -s "$demo/tls/localhost.pem" ]; then
  mkdir -p "$demo/tls"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 365 \
    -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$demo/tls/localhost.key" -out "$demo/tls/localhost.pem" 2>/dev/null
  chmod 600 "$demo/tls/localhost.key"
fi

cat <<INFO

== Relais edge is starting. Open:

   http://127.0.0.1:$port/                     the sample course
   https://localhost:$tls_port/                   the same over HTTPS (self-signed: accept it once,
                                                 or curl --cacert $demo/tls/localhost.pem)
   http://127.0.0.1:$admin_port/healthz              admin: health
   http://127.0.0.1:$admin_port/metrics              admin: Prometheus metrics

   Try:
   curl -sI -H 'Accept-Encoding: br' http://127.0.0.1:$port/index.html
   curl -sI --cacert $demo/tls/localhost.pem -H 'Accept-Encoding: br, zstd' https://localhost:$tls_port/index.html
   curl -s -o /dev/null -w '%{http_code} %{size_download}\n' -r 1048576-2097151 http://127.0.0.1:$port/videos/cours-complet-archive.bin
   curl -sI 'http://127.0.0.1:$port/fiches/S%C3%A9ance%203%20%E2%80%94%20fractions.pdf'

   To publish a change: edit a file under $demo/course, then run
   $build/bin/relais-sync publish $demo/course $demo/origin
   The edge syncs from $demo/origin every 60 s. Ctrl-C stops the edge.

INFO
exec "$build/bin/relais-edge" --listen "127.0.0.1:$port" --admin-listen "127.0.0.1:$admin_port" \
  --tls-listen "127.0.0.1:$tls_port" --tls-cert "$demo/tls/localhost.pem" --tls-key "$demo/tls/localhost.key" \
  --store "$demo/store" --origin "$demo/origin" --access-log -
