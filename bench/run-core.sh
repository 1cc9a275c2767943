#!/usr/bin/env bash
# Edge serving core benchmark: relais-edge against nginx, side by side, in one run.
#
#   bash bench/run-core.sh [--quick] [--nginx-only]
#
# Both servers get one worker pinned to core 0 (taskset -c 0); wrk runs on
# core 1. relais-edge serves the published store, nginx the source tree of the
# same files (sendfile on, open_file_cache, access_log off). Scenarios:
#   10 KiB hit and 1 MiB hit     wrk, 64 keep-alive connections
#   64 MiB file, 1 MiB ranges    wrk + bench/random-range.lua (fixed seed)
#   10 000 idle keep-alive conns bench/hold-connections.py; server VmRSS before/after
# Rounds alternate which server goes first; the table reports the median req/s of the
# rounds and the median of the per-round ratios. Full run: 3 rounds of 10 s
# (< 10 min once built); --quick: 1 round of 5 s (< 3 min).
# --nginx-only skips building and running relais-edge.
# Loopback only; every wait is bounded. Writes bench/results/core-DATE.md.
#
# Environment: RELAIS_BUILD_DIR (build), RELAIS_JOBS (nproc),
# RELAIS_BENCH_IDLE (10000 idle connections), RELAIS_BENCH_CONNS (64).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo=$PWD

rounds=3
duration=10
with_relais=1
for arg in "$@"; do
  case $arg in
    --quick) rounds=1; duration=5 ;;
    --nginx-only) with_relais=0 ;;
    -h|--help) awk 'NR > 1 && /^#/ {print; next} NR > 1 {exit}' "$0"; exit 0 ;;
    *) echo "run-core.sh: unknown argument '$arg' (use --quick, --nginx-only)" >&2; exit 2 ;;
  esac
done
build=${RELAIS_BUILD_DIR:-build}
jobs=${RELAIS_JOBS:-$(nproc)}
idle=${RELAIS_BENCH_IDLE:-10000}
conns=${RELAIS_BENCH_CONNS:-64}
if [ "$(nproc)" -lt 2 ]; then
  echo "run-core.sh: needs 2 cores (server on core 0, wrk on core 1)" >&2
  exit 1
fi

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }

# ------------------------------------------------------------------ set-up
RELAIS_BENCH=1 bash scripts/install-deps.sh
# Idle connections need one descriptor each in the server and in the holder.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
nofile=$(ulimit -n)
if [ "$nofile" -lt $((idle + 512)) ]; then
  log "ulimit -n is $nofile: holding $((nofile - 512)) idle connections instead of $idle"
  idle=$((nofile - 512))
fi

if [ "$with_relais" = 1 ]; then
  log "building Release in $build"
  # Warnings stay warnings here: a newer compiler must not stop a benchmark (scripts/test.sh keeps -Werror).
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DRELAIS_TESTS=OFF -DRELAIS_WERROR=OFF --log-level=WARNING >&2
  cmake --build "$build" -j"$jobs" >&2
fi

# Work dir in /tmp, world-readable: nginx workers run as nobody when started as root.
work=$(mktemp -d /tmp/relais-bench-core.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "corpus in $work/corpus"
python3 - "$work/corpus" "$repo" <<'PY'
import hashlib, os, shutil, subprocess, sys
out, repo = sys.argv[1], sys.argv[2]
os.makedirs(out)
def blob(name, size):
    # Incompressible and deterministic, like a video: no server can win by compressing.
    with open(os.path.join(out, name), "wb") as f:
        i = 0
        while size > 0:
            n = min(size, 1 << 20)
            f.write(hashlib.shake_256(b"relais bench %s %d" % (name.encode(), i)).digest(n))
            size -= n
            i += 1
blob("f10k.bin", 10 * 1024)
blob("f1m.bin", 1 << 20)
blob("f64m.bin", 64 << 20)
course = os.path.join(out, "..", "course")
subprocess.run([sys.executable, os.path.join(repo, "scripts/make-sample-course.py"), "--skip-large", course], check=True)
shutil.copyfile(os.path.join(course, "lecons/01-decouvrir-les-fractions/index.html"), os.path.join(out, "page.html"))
PY
chmod -R a+rX "$work/corpus"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# ------------------------------------------------------------------ nginx
nginx_start() {
  local port; port=$(free_port)
  mkdir -p "$work/nginx"
  cat >"$work/nginx/nginx.conf" <<EOF
worker_processes 1;
worker_rlimit_nofile $nofile;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log warn;
events { worker_connections $((nofile - 64)); use epoll; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log off;
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  open_file_cache max=1000 inactive=60s;
  open_file_cache_valid 60s;
  keepalive_timeout 300s;
  keepalive_requests 1000000;
  client_body_temp_path $work/nginx/body;
  proxy_temp_path $work/nginx/proxy;
  fastcgi_temp_path $work/nginx/fastcgi;
  uwsgi_temp_path $work/nginx/uwsgi;
  scgi_temp_path $work/nginx/scgi;
  server {
    listen 127.0.0.1:$port;
    server_name bench;
    root $work/corpus;
  }
}
EOF
  # Our own config and prefix, in the foreground: never the system service.
  taskset -c 0 nginx -p "$work/nginx" -e "$work/nginx/error.log" -c "$work/nginx/nginx.conf" \
    -g 'daemon off;' >"$work/nginx/stdout" 2>&1 &
  nginx_pid=$!
  pids+=("$nginx_pid")
  for _ in $(seq 100); do
    if curl -fsS -o /dev/null "http://127.0.0.1:$port/page.html" 2>/dev/null; then
      nginx_url=http://127.0.0.1:$port
      nginx_worker=$(cat "/proc/$nginx_pid/task/$nginx_pid/children" | awk '{print $1}')
      # The master forked the worker on core 0 too (affinity is inherited).
      log "nginx $(nginx -v 2>&1 | sed 's/.*\///') on $nginx_url (master $nginx_pid, worker $nginx_worker)"
      return 0
    fi
    kill -0 "$nginx_pid" 2>/dev/null || break
    sleep 0.1
  done
  log "nginx did not start:"; cat "$work/nginx/error.log" "$work/nginx/stdout" >&2
  return 1
}

# ------------------------------------------------------------------ relais
relais_start() {
  local bin=$build/bin
  log "publishing the corpus and pulling it into a store"
  "$bin/relais-sync" publish "$work/corpus" "$work/origin" >&2
  "$bin/relais-sync" pull --origin "$work/origin" --store "$work/store" >&2
  # wrk is one source address: the per-address limits (a defence, measured by the
  # attack scenarios) would turn this load into 429s, and nginx runs without any.
  taskset -c 0 "$bin/relais-edge" --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 --store "$work/store" \
    --workers 1 --access-log off --memory-cache 512M --address-connections 0 --address-rate 0 \
    >"$work/relais.out" 2>&1 &
  relais_pid=$!
  pids+=("$relais_pid")
  for _ in $(seq 300); do
    local line; line=$(grep -m1 '^listening http ' "$work/relais.out" 2>/dev/null || true)
    if [ -n "$line" ]; then
      relais_url=http://${line#listening http }
      log "relais-edge on $relais_url (pid $relais_pid)"
      return 0
    fi
    kill -0 "$relais_pid" 2>/dev/null || break
    sleep 0.1
  done
  log "relais-edge did not start:"; cat "$work/relais.out" >&2
  return 1
}

# Same bytes, right status, before any figure is taken.
sanity() {
  local name=$1 url=$2 got
  got=$(curl -fsS --max-time 10 "$url/f10k.bin" | sha256sum | cut -c1-64)
  [ "$got" = "$(sha256sum <"$work/corpus/f10k.bin" | cut -c1-64)" ] || { log "$name: /f10k.bin differs"; return 1; }
  got=$(curl -sS --max-time 10 -o /dev/null -w '%{http_code} %{size_download}' -r 1048576-2097151 "$url/f64m.bin")
  [ "$got" = "206 1048576" ] || { log "$name: range on /f64m.bin gave '$got', want '206 1048576'"; return 1; }
  got=$(curl -sS --max-time 10 -o /dev/null -w '%{http_code} %{size_download}' "$url/f1m.bin")
  [ "$got" = "200 1048576" ] || { log "$name: /f1m.bin gave '$got'"; return 1; }
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A url rsspid
servers=()
nginx_start
url[nginx]=$nginx_url; rsspid[nginx]=$nginx_worker
sanity nginx "$nginx_url"
servers+=(nginx)
relais_note=""
if [ "$with_relais" = 1 ]; then
  if relais_start && sanity relais "$relais_url"; then
    url[relais]=$relais_url; rsspid[relais]=$relais_pid
    servers=(relais nginx)
  else
    relais_note="relais-edge failed to start or failed the sanity checks: see the log above"
  fi
else
  relais_note="run with --nginx-only"
fi

# ------------------------------------------------------------------ runs
declare -A result   # result[server,scenario] = "r1 r2 r3" (req/s)
declare -A errs
scenarios=(s10k s1m range)
declare -A label=(
  [s10k]="10 KiB hit, $conns keep-alive conns"
  [s1m]="1 MiB hit, $conns keep-alive conns"
  [range]="64 MiB file, random 1 MiB range, $conns conns"
  [idle]="$idle idle keep-alive conns"
)
run_wrk() {  # server scenario
  local server=$1 scenario=$2 out path args=()
  case $scenario in
    s10k) path=/f10k.bin ;;
    s1m) path=/f1m.bin ;;
    range) path=/f64m.bin; args=(-s bench/random-range.lua) ;;
  esac
  out=$(timeout $((duration + 30)) taskset -c 1 wrk -t1 -c"$conns" -d"${duration}s" --timeout 10s \
        "${args[@]}" "${url[$server]}$path" 2>&1) || { log "wrk failed: $out"; return 1; }
  local rps; rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  local bad; bad=$(awk '/Non-2xx or 3xx responses:/ {print $NF}' <<<"$out")
  local sock; sock=$(grep -o 'Socket errors:.*' <<<"$out" || true)
  [ -z "$bad$sock" ] || errs[$server,$scenario]+="${bad:+non-2xx=$bad }$sock; "
  result[$server,$scenario]+="$rps "
  log "round $r $server ${label[$scenario]}: $rps req/s $(awk '/^Transfer\/sec:/ {print $2}' <<<"$out")/s ${bad:+non-2xx=$bad} $sock"
}

for r in $(seq "$rounds"); do
  order=("${servers[@]}")
  if [ $((r % 2)) = 0 ] && [ ${#servers[@]} = 2 ]; then order=("${servers[1]}" "${servers[0]}"); fi
  for scenario in "${scenarios[@]}"; do
    for server in "${order[@]}"; do
      run_wrk "$server" "$scenario" || errs[$server,$scenario]+="wrk failed; "
    done
  done
done

vmrss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }
declare -A per_conn idle_note
idle_run() {  # server
  local server=$1 pid=${rsspid[$1]} before after held closed
  local port=${url[$server]##*:}
  before=$(vmrss_kib "$pid")
  # The holder reads its stdin from a FIFO we hold open: closing it tells the
  # holder to report how many connections the server closed, and to exit.
  local dir=$work/holder-$server
  mkdir -p "$dir" && mkfifo "$dir/ctl"
  python3 bench/hold-connections.py --port "$port" --path /page.html --count "$idle" --hold 150 \
    <"$dir/ctl" >"$dir/out" 2>"$dir/err" &
  local holder_pid=$!
  pids+=("$holder_pid")
  local ctl
  exec {ctl}>"$dir/ctl"
  for _ in $(seq 1500); do   # 150 s at most to open and exercise every connection
    grep -q '^held' "$dir/out" 2>/dev/null && break
    kill -0 "$holder_pid" 2>/dev/null || break
    sleep 0.1
  done
  held=$(awk '/^held/ {print $2}' "$dir/out")
  sleep 1  # let the server finish its bookkeeping for the last connections
  after=$(vmrss_kib "$pid")
  exec {ctl}>&-
  for _ in $(seq 300); do kill -0 "$holder_pid" 2>/dev/null || break; sleep 0.1; done
  kill "$holder_pid" 2>/dev/null || true
  wait "$holder_pid" 2>/dev/null || true
  closed=$(awk '/^closed/ {print $2}' "$dir/out")
  local line; line=$(tr '\n' ' ' <"$dir/err")
  if [ -z "$held" ] || [ "$held" = 0 ]; then
    idle_note[$server]="no connection held ($(tr '\n' ' ' <"$dir/out") $line)"
    per_conn[$server]="n/a"
  else
    per_conn[$server]=$(( (after - before) * 1024 / held ))
    idle_note[$server]="held $held of $idle${line:+ ($line)}, RSS ${before} KiB -> ${after} KiB, closed by server while held: ${closed:-?}"
  fi
  log "idle $server: ${idle_note[$server]}: ${per_conn[$server]} B/conn"
}
for server in "${servers[@]}"; do idle_run "$server"; done

# ------------------------------------------------------------------ report
median() { tr ' ' '\n' | awk 'NF' | sort -g | awk '{a[NR]=$1} END {if (NR==0) print "n/a"; else if (NR%2) print a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2}'; }
fmt() { [ "$1" = n/a ] && echo n/a || printf "%.0f" "$1"; }
ratio() { if [ "$1" = n/a ] || [ "$2" = n/a ] || [ "$2" = 0 ]; then echo n/a; else awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; fi; }

# Ratio of the two servers within each round (measured minutes apart, under the
# same background load), then the median of those: steadier than a ratio of medians.
paired_ratio() {
  [ -n "$1" ] && [ -n "$2" ] || { echo n/a; return; }
  paste <(tr ' ' '\n' <<<"$1" | awk 'NF') <(tr ' ' '\n' <<<"$2" | awk 'NF') \
    | awk '$2 > 0 {printf "%.4f\n", $1 / $2}' | median | awk '{ if ($1 == "n/a") print; else printf "%.2f", $1 }'
}

date_tag=$(date +%Y-%m-%d-%H%M)
report=bench/results/core-$date_tag.md
mkdir -p bench/results
rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
{
  echo "# Edge serving core: relais-edge vs nginx — $(date '+%Y-%m-%d %H:%M')"
  echo
  echo "- host: $(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo), $(nproc) cores, Linux $(uname -r)"
  echo "- relais $rev; $(nginx -v 2>&1 | sed 's/^nginx version: //'); $(wrk -v 2>&1 | head -1 | awk '{print "wrk", $2}')"
  echo "- each server: 1 worker on core 0 (taskset -c 0); wrk -t1 on core 1; loopback;" \
       "$rounds round(s) of ${duration}s, server order alternating; req/s: median of rounds;" \
       "ratio: median of the per-round ratios"
  echo "- load average before / after: $load_before / $(cut -d' ' -f1-3 /proc/loadavg) (other work on the host makes figures noisy)"
  echo "- nginx: sendfile on, open_file_cache, access_log off, source tree; relais-edge: --workers 1" \
       "--access-log off --memory-cache 512M, per-address limits off, published store"
  [ -z "$relais_note" ] || echo "- **relais not measured**: $relais_note"
  echo
  echo "| scenario | relais req/s | nginx req/s | ratio relais/nginx | relais RSS/conn | nginx RSS/conn |"
  echo "|---|---:|---:|---:|---:|---:|"
  for scenario in "${scenarios[@]}"; do
    a=$(median <<<"${result[relais,$scenario]:-}")
    b=$(median <<<"${result[nginx,$scenario]:-}")
    echo "| ${label[$scenario]} | $(fmt "$a") | $(fmt "$b") | $(paired_ratio "${result[relais,$scenario]:-}" "${result[nginx,$scenario]:-}") | | |"
  done
  a=${per_conn[relais]:-n/a}; b=${per_conn[nginx]:-n/a}
  echo "| ${label[idle]} | | | $(ratio "$a" "$b") (RSS) | $( [ "$a" = n/a ] && echo n/a || echo "$a B") | $( [ "$b" = n/a ] && echo n/a || echo "$b B") |"
  echo
  echo "Per round (req/s):"
  echo
  for scenario in "${scenarios[@]}"; do
    echo "- ${label[$scenario]}: relais ${result[relais,$scenario]:-n/a}; nginx ${result[nginx,$scenario]:-n/a}"
  done
  for server in "${servers[@]}"; do echo "- idle, $server: ${idle_note[$server]}"; done
  for k in "${!errs[@]}"; do echo "- errors ${k/,/ }: ${errs[$k]}"; done
} >"$report"
cat "$report"
log "written to $report"
[ -z "${errs[*]:-}" ] || exit 1
[ "$with_relais" = 0 ] || [ -z "$relais_note" ] || exit 1
