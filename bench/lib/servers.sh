# shellcheck shell=bash
# bench/lib/servers.sh: start, find and stop the servers under test: relais-edge,
# nginx (static files) and Varnish (in front of an nginx), each pinned to core
# BENCH_SERVER_CPU, on its own 127.0.0.1 port, in BENCH_WORK, never the system services.
# Needs bench/lib/common.sh (sourced here) and bench_init called before.
#
# A server instance has a NAME chosen by the caller (e.g. "relais", "nginx", "zipf-varnish").
# Stable functions:
#   relais_build                  cmake Release build in RELAIS_BUILD_DIR (build), -jRELAIS_JOBS (1)
#   relais_publish SRC STORE      relais-sync publish SRC into BENCH_WORK/origin-*, then pull into STORE
#   relais_start NAME STORE [relais-edge flags...]
#                                 one worker, --access-log off, per-address limits off
#                                 (--address-connections 0 --address-rate 0: a load generator is one
#                                 address), --open-files 30000 (nginx's open_file_cache max here),
#                                 --listen/--admin-listen on port 0; extra flags are appended
#                                 (e.g. --memory-cache 64M, --tls-listen 127.0.0.1:0 --tls-cert C --tls-key K;
#                                 an option given twice is an error, except the repeatable ones);
#                                 RELAIS_LIMITS_ON=1 keeps the default per-address limits
#   nginx_start NAME ROOT [CERT KEY]
#                                 worker_processes 1, sendfile, open_file_cache, gzip_static on,
#                                 access_log off; with CERT KEY also an HTTPS listener, TLS 1.3 only,
#                                 TLS_AES_128_GCM_SHA256; BENCH_NGINX_HTTP2=1: http2 on the HTTPS
#                                 listener (ALPN h2, http/1.1) and an h2c (prior knowledge) listener
#   h2o_start NAME ROOT CERT KEY  h2o, 1 thread, file.send-compressed (ROOT/x.br, x.gz), no access
#                                 log; HTTP (h1 and h2c) and HTTPS (ALPN h2, http/1.1) listeners
#   varnish_start NAME BACKEND_HOST:PORT MALLOC_SIZE
#                                 varnishd -F -s malloc,SIZE, 1 thread pool (min 50, max 2000),
#                                 working dir BENCH_WORK/varnish-NAME; BENCH_VARNISH_PARAMS: more
#                                 varnishd arguments (e.g. "-p default_grace=3600")
#   server_stop NAME              stops the instance (TERM, then KILL) and forgets its URLs
#   server_pids NAME              prints the instance's pids: main process and its children
#                                 (nginx master + worker, varnish manager + cache child)
#   bench_make_cert DIR           self-signed EC P-256 certificate for 127.0.0.1/localhost:
#                                 DIR/cert.pem DIR/key.pem (openssl CLI)
#   bench_check_same NAME PATH FILE
#                                 GET PATH from NAME equals FILE byte for byte (returns 1 if not)
# Per instance, associative arrays indexed by NAME:
#   BENCH_KIND   relais | nginx | varnish | h2o BENCH_PID   main pid
#   BENCH_URL    http://127.0.0.1:PORT           BENCH_TLS_URL  https://127.0.0.1:PORT (or empty)
#   BENCH_H2C_URL  http://127.0.0.1:PORT taking HTTP/2 with prior knowledge (relais and h2o: BENCH_URL)
#   BENCH_ADMIN  http://127.0.0.1:PORT (relais admin listener: /metrics)
#   BENCH_DIR    the instance's directory (varnish: its -n working dir, for varnishstat -n)
# RELAIS_BIN (default BENCH_REPO/RELAIS_BUILD_DIR/bin) names the relais binaries.

[ -n "${_BENCH_SERVERS_SH:-}" ] && return 0
_BENCH_SERVERS_SH=1
# shellcheck source=common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

declare -gA BENCH_KIND=() BENCH_PID=() BENCH_URL=() BENCH_TLS_URL=() BENCH_H2C_URL=() BENCH_ADMIN=() BENCH_DIR=()

_relais_bin() { echo "${RELAIS_BIN:-$BENCH_REPO/${RELAIS_BUILD_DIR:-build}/bin}"; }

relais_build() {
  local build=${RELAIS_BUILD_DIR:-build}
  bench_log "building relais (Release) in $build, -j${RELAIS_JOBS:-1}"
  # Warnings stay warnings: a newer compiler must not stop a benchmark (scripts/test.sh keeps -Werror).
  cmake -S "$BENCH_REPO" -B "$BENCH_REPO/$build" -DCMAKE_BUILD_TYPE=Release -DRELAIS_TESTS=OFF \
    -DRELAIS_WERROR=OFF --log-level=WARNING >&2 || return 1
  cmake --build "$BENCH_REPO/$build" -j"${RELAIS_JOBS:-1}" --target relais-edge relais-sync >&2
}

relais_publish() {
  local src=$1 store=$2 bin origin
  bin=$(_relais_bin)
  origin=$BENCH_WORK/origin-$(basename "$store")
  "$bin/relais-sync" publish "$src" "$origin" >"$BENCH_WORK/publish-$(basename "$store").log" 2>&1 \
    || { cat "$BENCH_WORK/publish-$(basename "$store").log" >&2; return 1; }
  "$bin/relais-sync" pull --origin "$origin" --store "$store" >"$BENCH_WORK/pull-$(basename "$store").log" 2>&1 \
    || { cat "$BENCH_WORK/pull-$(basename "$store").log" >&2; return 1; }
}

relais_start() {
  local name=$1 store=$2; shift 2
  local bin dir pid line
  bin=$(_relais_bin)
  dir=$BENCH_WORK/$name; mkdir -p "$dir"
  local limits=(--address-connections 0 --address-rate 0)
  [ "${RELAIS_LIMITS_ON:-0}" = 1 ] && limits=()
  taskset -c "$BENCH_SERVER_CPU" "$bin/relais-edge" --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 \
    --store "$store" --workers 1 --access-log off "${limits[@]}" --open-files 30000 "$@" \
    >"$dir/out" 2>&1 &
  pid=$!
  bench_track "$pid"
  BENCH_KIND[$name]=relais; BENCH_PID[$name]=$pid; BENCH_DIR[$name]=$dir
  line=$(bench_wait_line "$dir/out" '^listening admin ' 30 "$pid") \
    || { bench_log "relais-edge $name did not start:"; cat "$dir/out" >&2; return 1; }
  BENCH_ADMIN[$name]=http://${line#listening admin }
  line=$(grep -m1 '^listening http ' "$dir/out")
  BENCH_URL[$name]=http://${line#listening http }
  line=$(grep -m1 '^listening https ' "$dir/out" || true)
  BENCH_TLS_URL[$name]=${line:+https://${line#listening https }}
  BENCH_H2C_URL[$name]=${BENCH_URL[$name]}
  bench_wait_http "${BENCH_ADMIN[$name]}/healthz" 30 \
    || { bench_log "relais-edge $name: /healthz never answered"; cat "$dir/out" >&2; return 1; }
  bench_log "relais-edge $name on ${BENCH_URL[$name]} ${BENCH_TLS_URL[$name]} admin ${BENCH_ADMIN[$name]} (pid $pid)"
}

nginx_start() {
  local name=$1 root=$2 cert=${3:-} key=${4:-}
  local dir=$BENCH_WORK/$name port tls_port="" tls_conf="" pid h2="" h2c_port="" h2c_conf=""
  mkdir -p "$dir"
  port=$(bench_free_port)
  if [ "${BENCH_NGINX_HTTP2:-0}" = 1 ]; then
    h2=" http2"
    h2c_port=$(bench_free_port)
    h2c_conf="
    listen 127.0.0.1:$h2c_port http2 backlog=4096;"
  fi
  if [ -n "$cert" ]; then
    tls_port=$(bench_free_port)
    # BENCH_TLS_SESSIONS_OFF=1: no resumption, every connection a full handshake.
    local sessions="ssl_session_cache shared:bench:10m; ssl_session_tickets on;"
    [ -z "${BENCH_TLS_SESSIONS_OFF:-}" ] || sessions="ssl_session_cache off; ssl_session_tickets off;"
    # Same protocol and cipher as relais in the HTTPS scenarios: TLS 1.3, AES-128-GCM.
    tls_conf="
    listen 127.0.0.1:$tls_port ssl$h2 backlog=4096;
    ssl_certificate $cert;
    ssl_certificate_key $key;
    ssl_protocols TLSv1.3;
    ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256;
    ssl_conf_command Ciphersuites TLS_AES_128_GCM_SHA256;
    $sessions"
  fi
  cat >"$dir/nginx.conf" <<EOF
worker_processes 1;
worker_rlimit_nofile $BENCH_NOFILE;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections $((BENCH_NOFILE - 64)); use epoll; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  open_file_cache max=30000 inactive=120s;
  open_file_cache_valid 120s;
  gzip_static on;
  gzip_vary on;
  keepalive_timeout 300s;
  keepalive_requests 1000000;
  client_body_temp_path $dir/body;
  proxy_temp_path $dir/proxy;
  fastcgi_temp_path $dir/fastcgi;
  uwsgi_temp_path $dir/uwsgi;
  scgi_temp_path $dir/scgi;
  server {
    listen 127.0.0.1:$port backlog=4096;$h2c_conf$tls_conf
    server_name bench;
    root $root;
  }
}
EOF
  # Our own config and prefix, in the foreground: never the system service.
  taskset -c "$BENCH_SERVER_CPU" nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" \
    -g 'daemon off;' >"$dir/stdout" 2>&1 &
  pid=$!
  bench_track "$pid"
  BENCH_KIND[$name]=nginx; BENCH_PID[$name]=$pid; BENCH_DIR[$name]=$dir; BENCH_ADMIN[$name]=""
  BENCH_URL[$name]=http://127.0.0.1:$port
  BENCH_TLS_URL[$name]=${tls_port:+https://127.0.0.1:$tls_port}
  BENCH_H2C_URL[$name]=${h2c_port:+http://127.0.0.1:$h2c_port}
  bench_wait_http "${BENCH_URL[$name]}/" 10 \
    || { bench_log "nginx $name did not start:"; cat "$dir/error.log" "$dir/stdout" >&2; return 1; }
  bench_log "nginx $name on ${BENCH_URL[$name]} ${BENCH_TLS_URL[$name]} (pids $(server_pids "$name" | tr '\n' ' '))"
}

h2o_start() {
  local name=$1 root=$2 cert=$3 key=$4
  local dir=$BENCH_WORK/$name port tls_port pid
  mkdir -p "$dir"
  chmod 777 "$dir"  # h2o started as root writes its pid file as nobody
  port=$(bench_free_port); tls_port=$(bench_free_port)
  # TLS as close to the others as h2o 2.2 lets: it takes OpenSSL's TLS 1.3 suites as they are.
  cat >"$dir/h2o.conf" <<EOF
num-threads: 1
max-connections: $((BENCH_NOFILE - 64))
pid-file: $dir/h2o.pid
error-log: $dir/error.log
http2-max-concurrent-requests-per-connection: 100
file.send-compressed: ON
listen:
  host: 127.0.0.1
  port: $port
listen:
  host: 127.0.0.1
  port: $tls_port
  ssl:
    certificate-file: $cert
    key-file: $key
    cipher-suite: ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256
    ocsp-update-interval: 0
hosts:
  default:
    paths:
      /:
        file.dir: $root
EOF
  taskset -c "$BENCH_SERVER_CPU" h2o -c "$dir/h2o.conf" >"$dir/stdout" 2>&1 &
  pid=$!
  bench_track "$pid"
  BENCH_KIND[$name]=h2o; BENCH_PID[$name]=$pid; BENCH_DIR[$name]=$dir; BENCH_ADMIN[$name]=""
  BENCH_URL[$name]=http://127.0.0.1:$port
  BENCH_TLS_URL[$name]=https://127.0.0.1:$tls_port
  BENCH_H2C_URL[$name]=${BENCH_URL[$name]}
  bench_wait_http "${BENCH_URL[$name]}/" 10 \
    || { bench_log "h2o $name did not start:"; cat "$dir/error.log" "$dir/stdout" >&2; return 1; }
  bench_log "h2o $name on ${BENCH_URL[$name]} ${BENCH_TLS_URL[$name]} (pids $(server_pids "$name" | tr '\n' ' '))"
}

varnish_start() {
  local name=$1 backend=$2 size=$3
  local dir=$BENCH_WORK/varnish-$name port pid
  mkdir -p "$dir"; chmod 755 "$dir"
  port=$(bench_free_port)
  # -F: foreground, so the pid is ours; the cache child inherits the core pinning.
  # One thread pool; min 50 idle threads, max 2000 (the 1 000-connection run needs one per busy session).
  local extra=()
  read -r -a extra <<<"${BENCH_VARNISH_PARAMS:-}"
  taskset -c "$BENCH_SERVER_CPU" varnishd -F -a "127.0.0.1:$port" -b "$backend" -s "malloc,$size" \
    -n "$dir" -p thread_pools=1 -p thread_pool_min=50 -p thread_pool_max=2000 "${extra[@]}" \
    >"$BENCH_WORK/$name.varnish.out" 2>&1 &
  pid=$!
  bench_track "$pid"
  BENCH_KIND[$name]=varnish; BENCH_PID[$name]=$pid; BENCH_DIR[$name]=$dir; BENCH_ADMIN[$name]=""
  BENCH_URL[$name]=http://127.0.0.1:$port; BENCH_TLS_URL[$name]=""
  bench_wait_http "${BENCH_URL[$name]}/" 30 \
    || { bench_log "varnish $name did not start:"; cat "$BENCH_WORK/$name.varnish.out" >&2; return 1; }
  bench_log "varnish $name on ${BENCH_URL[$name]} -> $backend, malloc $size (pids $(server_pids "$name" | tr '\n' ' '))"
}

server_pids() {
  local pid=${BENCH_PID[$1]:-} t
  [ -n "$pid" ] || return 0
  echo "$pid"
  for t in /proc/"$pid"/task/*/children; do
    [ -r "$t" ] && tr ' ' '\n' <"$t" | awk 'NF'
  done
}

server_stop() {
  local name=$1 pid=${BENCH_PID[$1]:-}
  [ -n "$pid" ] || return 0
  # varnishd -F stops its child on TERM; nginx's master stops its worker.
  bench_stop_pid "$pid" 10
  unset "BENCH_PID[$name]"
  BENCH_URL[$name]=""; BENCH_TLS_URL[$name]=""; BENCH_H2C_URL[$name]=""; BENCH_ADMIN[$name]=""
}

bench_make_cert() {
  local dir=$1
  mkdir -p "$dir"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$dir/key.pem" -out "$dir/cert.pem" >/dev/null 2>&1 || return 1
  chmod 644 "$dir/key.pem" "$dir/cert.pem"
}

bench_check_same() {
  local name=$1 path=$2 file=$3 got want
  got=$(curl -ksS --max-time 20 "${BENCH_URL[$name]}$path" | sha256sum | cut -c1-64)
  want=$(sha256sum <"$file" | cut -c1-64)
  [ "$got" = "$want" ] || { bench_log "$name: $path differs from $file"; return 1; }
}
