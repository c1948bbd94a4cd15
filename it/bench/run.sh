#!/usr/bin/env bash
# StreamProx against HAProxy and nginx on this machine, in one run (issue 5).
#   it/bench/run.sh [--quick] [--rounds N] [--duration SECONDS] [--idle N] [--targets LIST]
# Starts on 127.0.0.1 an nginx upstream and every target, measures each target in turn over several rounds
# (order rotated per round so machine drift hits all alike), prints a table of medians and ratios, writes it to
# it/bench/results/bench-YYYYmmdd-HHMM.tsv, and stops everything it started. LIST is a comma-separated subset of
# direct,haproxy,nginx-stream,streamprox (default: all), e.g. to compare engine builds or JVM options quickly.
# Environment: STREAMPROX_JAVA_OPTS (e.g. a JFR recording), BENCH_PORT_BASE (default 18180), BENCH_KEEP=1 keeps
# the temporary directory with configurations and logs.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

usage() {
  sed -n '2,10s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
}

quick=0 rounds='' duration='' idle='' targets_arg=direct,haproxy,nginx-stream,streamprox
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --rounds) rounds=${2:?--rounds needs a number}; shift ;;
    --duration) duration=${2:?--duration needs seconds}; shift ;;
    --idle) idle=${2:?--idle needs a number}; shift ;;
    --targets) targets_arg=${2:?--targets needs a list}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
if [ "$quick" = 1 ]; then
  rounds=${rounds:-1} duration=${duration:-3} idle=${idle:-500} warmup=1
else
  rounds=${rounds:-3} duration=${duration:-15} idle=${idle:-5000} warmup=5
fi
threads=2
conns_small=50 conns_close=50 conns_big=8   # wrk connections per test

port_base=${BENCH_PORT_BASE:-18180}
port_upstream=$((port_base + 1))
port_hold=$((port_base + 2))        # IdleConnections' never-answering upstream for /idle
port_haproxy=$((port_base + 3))
port_nginx=$((port_base + 4))
port_nginx_idle=$((port_base + 5))  # nginx stream cannot route by path: a second server for /idle
port_streamprox=$((port_base + 6))

IFS=, read -ra targets <<<"$targets_arg"
declare -A target_port=([direct]=$port_upstream [haproxy]=$port_haproxy [nginx-stream]=$port_nginx
                        [streamprox]=$port_streamprox)
declare -A idle_port=([haproxy]=$port_haproxy [nginx-stream]=$port_nginx_idle [streamprox]=$port_streamprox)
declare -A target_pid=()
for target in "${targets[@]}"; do
  [ -n "${target_port[$target]:-}" ] || { echo "unknown target: $target" >&2; usage >&2; exit 2; }
done

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

# --- prerequisites -------------------------------------------------------------------------------------------

install_packages() {
  local missing=()
  command -v haproxy >/dev/null || missing+=(haproxy)
  command -v nginx >/dev/null || missing+=(nginx)
  [ -f /usr/lib/nginx/modules/ngx_stream_module.so ] || missing+=(libnginx-mod-stream)
  command -v wrk >/dev/null || missing+=(wrk)
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=''
  [ "$(id -u)" -eq 0 ] || sudo=sudo
  log "installing ${missing[*]}"
  # Refresh the package lists only when they do not know a package yet (a fresh machine).
  if ! apt-cache show "${missing[@]}" >/dev/null 2>&1; then
    $sudo apt-get update -q >&2
  fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${missing[@]}" >&2
}

install_packages
. "$root/bin/jdk.sh"
streamprox_find_jdk
# Builds the jar when it is missing or older than the sources, then just prints the version.
"$root/bin/streamprox" --version >/dev/null

# The idle test holds 2 sockets per connection in the proxy and 2 in the client.
ulimit -n "$(ulimit -Hn)"
fd_limit=$(ulimit -n)
[ "$fd_limit" -ge $((2 * idle + 1000)) ] || die "--idle $idle needs $((2 * idle + 1000)) file descriptors, the limit is $fd_limit"
maxconn=$(((fd_limit - 1000) / 2))   # HAProxy needs two descriptors per connection

# --- servers -------------------------------------------------------------------------------------------------

work=$(mktemp -d "${TMPDIR:-/tmp}/streamprox-bench.XXXXXX")
chmod 711 "$work"   # nginx workers may run as another user and must reach www/
mkdir -p "$work"/{logs,www,upstream,stream}
server_pids=()
idle_client_pid=''

cleanup() {
  local status=$? pid deadline
  trap - EXIT INT TERM
  [ -n "$idle_client_pid" ] && kill "$idle_client_pid" 2>/dev/null
  for pid in "${server_pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  deadline=$((SECONDS + 10))
  for pid in "${server_pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if [ "$status" -ne 0 ] || [ "${BENCH_KEEP:-0}" = 1 ]; then
    log "configurations and logs kept in $work"
  else
    rm -rf "$work"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Starts "$@" in the background, logging to logs/NAME.log, and polls until it accepts on PORT.
start_server() {
  local name=$1 port=$2 pid deadline
  shift 2
  port_open "$port" && die "port $port is already in use (set BENCH_PORT_BASE)"
  "$@" >"$work/logs/$name.log" 2>&1 &
  pid=$!
  server_pids+=("$pid")
  deadline=$((SECONDS + 60))
  until port_open "$port"; do
    kill -0 "$pid" 2>/dev/null || { tail -n 20 "$work/logs/$name.log" >&2; die "$name exited at start-up"; }
    [ $SECONDS -lt $deadline ] || die "$name did not listen on port $port within 60 s"
    sleep 0.1
  done
  target_pid[$name]=$pid
}

dd if=/dev/urandom of="$work/www/big" bs=1M count=1 status=none
chmod -R a+rX "$work/www"

cat >"$work/upstream/nginx.conf" <<EOF
worker_processes auto;
worker_rlimit_nofile $fd_limit;
pid $work/upstream/nginx.pid;
events { worker_connections $fd_limit; }
http {
  access_log off;
  keepalive_requests 100000000;  # wrk's connections must not be recycled
  keepalive_timeout 300s;
  sendfile on;
  client_body_temp_path $work/upstream/body;
  proxy_temp_path $work/upstream/proxy;
  fastcgi_temp_path $work/upstream/fastcgi;
  uwsgi_temp_path $work/upstream/uwsgi;
  scgi_temp_path $work/upstream/scgi;
  server {
    listen 127.0.0.1:$port_upstream backlog=4096;
    default_type application/octet-stream;
    location = /small { return 200 "hello, world\n"; }
    location = /big { root $work/www; }
  }
}
EOF

# HAProxy's closest equivalent to StreamProx: wait for a complete HTTP head (the HTTP ACL does not match before
# the head is whole), refuse what is not HTTP, route by path prefix, then copy bytes in TCP mode.
cat >"$work/haproxy.cfg" <<EOF
global
  maxconn $maxconn
  nbthread 2
defaults
  mode tcp
  maxconn $maxconn
  timeout connect 5s
  timeout client 1h
  timeout server 1h
frontend bench
  bind 127.0.0.1:$port_haproxy
  tcp-request inspect-delay 10s
  tcp-request content accept if HTTP
  tcp-request content reject
  use_backend hold if { path_beg /idle }
  default_backend upstream
backend upstream
  server upstream 127.0.0.1:$port_upstream
backend hold
  server hold 127.0.0.1:$port_hold
EOF

cat >"$work/stream/nginx.conf" <<EOF
load_module /usr/lib/nginx/modules/ngx_stream_module.so;
worker_processes auto;
worker_rlimit_nofile $fd_limit;
pid $work/stream/nginx.pid;
events { worker_connections $fd_limit; }
stream {
  server { listen 127.0.0.1:$port_nginx backlog=4096; proxy_pass 127.0.0.1:$port_upstream; }
  server { listen 127.0.0.1:$port_nginx_idle backlog=4096; proxy_pass 127.0.0.1:$port_hold; proxy_timeout 1h; }
}
EOF

cat >"$work/streamprox.yaml" <<EOF
listen: 127.0.0.1:$port_streamprox
drain-timeout: 1s
routes:
  - name: idle
    match: { path-prefix: /idle }
    remote: 127.0.0.1:$port_hold
  - name: upstream
    match: { path-prefix: / }
    remote: 127.0.0.1:$port_upstream
EOF

log "starting the upstream and the proxies in $work"
start_server direct "$port_upstream" nginx -p "$work/upstream" -e "$work/logs/upstream-error.log" \
  -c "$work/upstream/nginx.conf" -g 'daemon off;'
selected() { [[ ",$targets_arg," == *",$1,"* ]]; }
selected haproxy && start_server haproxy "$port_haproxy" haproxy -db -f "$work/haproxy.cfg"
selected nginx-stream && start_server nginx-stream "$port_nginx" nginx -p "$work/stream" \
  -e "$work/logs/stream-error.log" -c "$work/stream/nginx.conf" -g 'daemon off;'
# As shipped: default JVM options, access log on (to a file here).
selected streamprox && start_server streamprox "$port_streamprox" "$root/bin/streamprox" --config "$work/streamprox.yaml"

# --- measuring -----------------------------------------------------------------------------------------------

# A process and its children (nginx's workers): CPU and memory are summed over all of them.
process_tree() { echo "$1"; pgrep -P "$1" || true; }

cpu_ticks() {  # utime + stime of every thread of the tree, in clock ticks
  local total=0 pid line fields
  for pid in $(process_tree "$1"); do
    read -r line <"/proc/$pid/stat" || continue
    read -ra fields <<<"${line##*) }"   # fields after "pid (comm) ": utime and stime are the 12th and 13th
    total=$((total + fields[11] + fields[12]))
  done
  echo "$total"
}

rss_kib() {
  local total=0 pid kib
  for pid in $(process_tree "$1"); do
    kib=$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status")
    total=$((total + ${kib:-0}))
  done
  echo "$total"
}

clk_tck=$(getconf CLK_TCK)
samples="$work/samples.tsv"   # round target metric value
: >"$samples"

# run_wrk TARGET TEST SECONDS ROUND: ROUND 0 is the warm-up, not recorded.
run_wrk() {
  local target=$1 test=$2 seconds=$3 round=$4 path=/small conns=$conns_small header=() pid ticks0 ticks1 out
  case "$test" in
    close) conns=$conns_close header=(-H 'Connection: close') ;;
    big) path=/big conns=$conns_big ;;
  esac
  pid=${target_pid[$target]}
  ticks0=$(cpu_ticks "$pid")
  out=$(wrk -t "$threads" -c "$conns" -d "${seconds}s" --timeout 10s "${header[@]}" -s "$here/report.lua" \
        "http://127.0.0.1:${target_port[$target]}$path")
  ticks1=$(cpu_ticks "$pid")
  printf '### %s %s round %s\n%s\n' "$target" "$test" "$round" "$out" >>"$work/logs/wrk.log"
  [ "$round" -gt 0 ] || return 0
  # The direct case has no proxy: its CPU figure would be nginx's, so it is left out.
  [ "$target" = direct ] && ticks1=-1 ticks0=0
  awk -v r="$round" -v t="$target" -v test="$test" -v ticks=$((ticks1 - ticks0)) -v hz="$clk_tck" '
    $1 == "WRKRESULT" {
      req = $2; bytes = $3; secs = $4 / 1e6; errors = $7 + $8 + $9 + $10 + $11
      cpu = ticks / hz
      if (test == "small") {
        printf "%s\t%s\tsmall_rps\t%.0f\n", r, t, req / secs
        printf "%s\t%s\tsmall_p50_ms\t%.3f\n", r, t, $5 / 1000
        printf "%s\t%s\tsmall_p99_ms\t%.3f\n", r, t, $6 / 1000
        if (ticks >= 0) printf "%s\t%s\tsmall_cpu_us_per_req\t%.2f\n", r, t, cpu * 1e6 / req
      } else if (test == "close") {
        printf "%s\t%s\tclose_cps\t%.0f\n", r, t, req / secs
        printf "%s\t%s\tclose_p99_ms\t%.3f\n", r, t, $6 / 1000
        if (ticks >= 0) printf "%s\t%s\tclose_cpu_us_per_conn\t%.2f\n", r, t, cpu * 1e6 / req
      } else {
        printf "%s\t%s\tbig_mibps\t%.1f\n", r, t, bytes / 1048576 / secs
        if (ticks >= 0) printf "%s\t%s\tbig_cpu_s_per_gib\t%.3f\n", r, t, cpu / (bytes / 1073741824)
      }
      printf "%s\t%s\t%s_errors\t%d\n", r, t, test, errors
    }' <<<"$out" >>"$samples"
  grep -q '^WRKRESULT' <<<"$out" || die "wrk printed no result for $target $test: $out"
}

# Live Java heap after a full GC (jcmd's class histogram forces one), in bytes.
live_heap_bytes() { jcmd "$1" GC.class_histogram | awk '$1 == "Total" { print $3 }'; }

# Resident memory added per connection while IDLE connections are held open through the target; for StreamProx
# also the live heap per connection, which the JVM's heap sizing does not blur.
measure_idle() {
  local target=$1 pid before after heap_before heap_after line fd
  pid=${target_pid[$target]}
  [ "$target" = streamprox ] && heap_before=$(live_heap_bytes "$pid")
  before=$(rss_kib "$pid")
  coproc IDLE_CLIENT { exec java "$here/IdleConnections.java" "${idle_port[$target]}" "$port_hold" "$idle"; }
  idle_client_pid=$IDLE_CLIENT_PID
  read -r -t 180 line <&"${IDLE_CLIENT[0]}" || true
  [ "$line" = "ready $idle" ] || die "$target: the idle client did not hold $idle connections (got '$line')"
  after=$(rss_kib "$pid")
  [ "$target" = streamprox ] && heap_after=$(live_heap_bytes "$pid")
  fd=${IDLE_CLIENT[1]}
  exec {fd}>&-   # end of input: the client closes its connections and exits
  wait "$idle_client_pid"
  idle_client_pid=''
  printf '1\t%s\tidle_kib_per_conn\t%s\n' "$target" "$(awk -v d=$((after - before)) -v n="$idle" 'BEGIN { printf "%.2f", d / n }')" >>"$samples"
  if [ "$target" = streamprox ]; then
    printf '1\t%s\tidle_heap_kib_per_conn\t%s\n' "$target" \
      "$(awk -v d=$((heap_after - heap_before)) -v n="$idle" 'BEGIN { printf "%.2f", d / 1024 / n }')" >>"$samples"
  fi
}

# Idle memory first, on fresh processes: after load, a JVM's already-touched heap would hide the cost.
log "holding $idle idle connections through each proxy"
for target in "${targets[@]}"; do
  [ "$target" = direct ] || measure_idle "$target"
done

tests=(small close big)
log "warming up ${warmup}s per target and test"
for target in "${targets[@]}"; do
  for test in "${tests[@]}"; do run_wrk "$target" "$test" "$warmup" 0; done
done

for ((round = 1; round <= rounds; round++)); do
  # Rotate the order by one target per round.
  order=("${targets[@]:round % ${#targets[@]}}" "${targets[@]:0:round % ${#targets[@]}}")
  log "round $round of $rounds: ${order[*]} (${duration}s per test)"
  for test in "${tests[@]}"; do
    for target in "${order[@]}"; do run_wrk "$target" "$test" "$duration" "$round"; done
  done
done

# --- report --------------------------------------------------------------------------------------------------

mkdir -p "$here/results"
result="$here/results/bench-$(date +%Y%m%d-%H%M%S).tsv"
{
  echo "# StreamProx benchmark, $(date -Iseconds)"
  echo "# command: it/bench/run.sh $([ "$quick" = 1 ] && echo '--quick ')--rounds $rounds --duration $duration --idle $idle --targets $targets_arg${STREAMPROX_JAVA_OPTS:+ (STREAMPROX_JAVA_OPTS=$STREAMPROX_JAVA_OPTS)}"
  echo "# machine: $(nproc) cores ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)), $(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) memory, load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# versions: $(haproxy -v | head -n 1 | cut -d' ' -f1-3), $(nginx -v 2>&1 | cut -d' ' -f3), $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2), java $(streamprox_java_major "$JAVA_HOME/bin/java") ($JAVA_HOME), streamprox $(git -C "$root" rev-parse --short HEAD)"
  echo "# wrk: $threads threads; connections small $conns_small, close $conns_close, big $conns_big; CPU from /proc (all threads and child processes of the proxy)"
  printf 'metric\tunit\ttarget\tmedian\tmin\tmax\tn\tvs_direct\tvs_haproxy\n'
  sort -t$'\t' -k3,3 -k2,2 -k4,4g "$samples" | awk -F'\t' '
    BEGIN {
      split("small_rps small_p50_ms small_p99_ms small_cpu_us_per_req close_cps close_p99_ms close_cpu_us_per_conn " \
            "big_mibps big_cpu_s_per_gib idle_kib_per_conn idle_heap_kib_per_conn", order, " ")
      split("direct haproxy nginx-stream streamprox", targets, " ")
      unit["small_rps"] = "req/s"; unit["small_p50_ms"] = unit["small_p99_ms"] = unit["close_p99_ms"] = "ms"
      unit["small_cpu_us_per_req"] = "us/req"; unit["close_cps"] = "conn/s"; unit["close_cpu_us_per_conn"] = "us/conn"
      unit["big_mibps"] = "MiB/s"; unit["big_cpu_s_per_gib"] = "s/GiB"; unit["idle_kib_per_conn"] = unit["idle_heap_kib_per_conn"] = "KiB/conn"
    }
    { key = $3 SUBSEP $2; n[key]++; v[key, n[key]] = $4 }
    function median(k, c) { c = n[k]; return c % 2 ? v[k, (c + 1) / 2] : (v[k, c / 2] + v[k, c / 2 + 1]) / 2 }
    function ratio(a, b) { return (b == "" || b == 0) ? "-" : sprintf("%.2f", a / b) }
    END {
      for (i = 1; i in order; i++) {
        m = order[i]
        for (j = 1; j in targets; j++) {
          k = m SUBSEP targets[j]
          if (!(k in n)) continue
          med[k] = median(k)
        }
        for (j = 1; j in targets; j++) {
          t = targets[j]; k = m SUBSEP t
          if (!(k in n)) continue
          printf "%s\t%s\t%s\t%g\t%g\t%g\t%d\t%s\t%s\n", m, unit[m], t, med[k], v[k, 1], v[k, n[k]], n[k],
            ratio(med[k], med[m SUBSEP "direct"]), ratio(med[k], med[m SUBSEP "haproxy"])
        }
      }
    }'
  printf 'local_route_keepalive_rps\treq/s\tstreamprox-local\t-\t-\t-\t0\t-\t-\t# not measured yet: needs a bench app on the in-process Jetty hand-off\n'
  printf 'websocket_echo_p99_ms\tms\tstreamprox\t-\t-\t-\t0\t-\t-\t# not measured: needs a local WebSocket echo app\n'
  # wrk's socket errors, timeouts and non-2xx answers: any would make the figures above suspect.
  awk -F'\t' '$3 ~ /_errors$/ && $4 > 0 { e = e " " $2 "/" $3 "/round" $1 "=" $4 } END { print "# wrk errors:" (e == "" ? " none" : e) }' "$samples"
} >"$result"

grep '^#' "$result"
grep -v '^#' "$result" | column -t -s $'\t'
cp "$work/logs/wrk.log" "${result%.tsv}.wrk.log"
log "results in ${result#"$root"/}"
