#!/usr/bin/env bash
# StreamProx against HAProxy and nginx on this machine, in one run (issue 5).
#   it/bench/run.sh [--quick] [--rounds N] [--duration SECONDS] [--idle N] [--targets LIST] [--tests LIST]
#                   [--compare REV] [--pin]
# Starts on 127.0.0.1 an nginx upstream and every target, measures each target in turn over several rounds
# (order rotated per round so machine drift hits all alike), prints a table of medians and ratios, writes it to
# it/bench/results/bench-YYYYmmdd-HHMM.tsv, and stops everything it started. LIST is a comma-separated subset of
# direct,haproxy,nginx-stream,streamprox,design-floor,jetty,streamprox-local (default: all), e.g. to compare engine
# builds or JVM options quickly; design-floor is the bare minimum of StreamProx's design (DesignFloor.java); jetty and
# streamprox-local are the local-route pair (LocalRouteServer.java). --compare REV also builds StreamProx as it was at
# git revision REV and measures it beside the working tree's, as streamprox-base and streamprox-local-base (for the
# selected streamprox and streamprox-local); the table gains a vs_base column. --tests picks from
# idle,small,close,big,ws,mjpeg,tls-small,tls-close,tls-big (default: all), e.g. to spend more rounds on one figure;
# paced and tls-paced (named only) are bulk at one fixed byte rate (nginx's limit_rate), so that CPU per GiB compares
# like with like whatever each path's top speed; churn (named only) is for the PROXY-protocol pair, below.
# TLS targets (not in the default list): haproxy-tls and streamprox-tls terminate TLS with one ECDSA P-256 certificate
# made at start and forward the decrypted bytes to the plain upstream; haproxy-pass and streamprox-pass pass TLS through
# by SNI to the upstream's TLS server; streamprox-tcp tunnels the same TLS bytes there on a plain protocol route (a
# regex on the first bytes, no ClientHello read): passthrough's pair. Every TLS server has session resumption off,
# checked at start. They take the tls-* tests, e.g. --targets haproxy-tls,haproxy-pass,streamprox-tls,streamprox-pass,
#   streamprox-tcp,haproxy,streamprox --tests small,close,big,tls-small,tls-close,tls-big
# PROXY-protocol pair (not in the default list): streamprox-fronted and streamprox-pp are StreamProx behind one HAProxy
# in TCP mode, plainly and with send-proxy-v2 to a listener that accepts PROXY headers and detects protocols (an ssh
# route); their CPU is StreamProx's own. --targets streamprox-fronted,streamprox-pp --tests small,close,churn (churn:
# ConnectionChurn.java straight to the two StreamProx processes, the PROXY header in the request's own segment)
# streamprox-ab --tests churn-ab (not in the default lists): the PROXY-protocol pair as two listeners of one process,
# measured in alternating 2 s turns (ConnectionChurn.java alternate); ab_proxy_vs_plain is their CPU ratio per round.
# streamprox-pool-ab --tests churn-ab (not in the default lists): the same for a route to one server against a route to
# a pool of three (the upstream nginx on three ports; BENCH_POOL_POLICY, default round-robin; an HTTP health check
# every 2 s, passive checks on as by default); ab_pool_vs_single is their CPU ratio per round.
# Metrics pair (not in the default list): streamprox-metrics is streamprox with its admin listener on, so the engine
# records its meters; every other StreamProx target runs with admin: off. --targets streamprox,streamprox-metrics
# --tests small,close,big
# --pin runs every proxy (the measured targets and the HAProxy in front of the pair) on CPU 0 and the rest (upstream
# nginx, load generators, this script) on the other CPUs, so that the clients' work does not share a core with
# the measured process: CPU-per-connection figures then vary far less between rounds.
# Environment: STREAMPROX_JAVA_OPTS (e.g. a JFR recording, with %p in its file name: it applies to every
# StreamProx process), BENCH_PORT_BASE (default 18180), BENCH_KEEP=1 keeps the temporary directory with
# configurations and logs, BENCH_POOL_POLICY the policy of streamprox-pool-ab's pool.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)

usage() {
  sed -n '2,39s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"
}

quick=0 pin=0 rounds='' duration='' idle='' compare='' tests_arg=idle,small,close,big,ws,mjpeg,tls-small,tls-close,tls-big targets_arg=direct,haproxy,nginx-stream,streamprox,design-floor,jetty,streamprox-local
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --rounds) rounds=${2:?--rounds needs a number}; shift ;;
    --duration) duration=${2:?--duration needs seconds}; shift ;;
    --idle) idle=${2:?--idle needs a number}; shift ;;
    --targets) targets_arg=${2:?--targets needs a list}; shift ;;
    --compare) compare=${2:?--compare needs a git revision}; shift ;;
    --tests) tests_arg=${2:?--tests needs a list}; shift ;;
    --pin) pin=1 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown argument: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done
if [ "$quick" = 1 ]; then
  rounds=${rounds:-1} duration=${duration:-3} idle=${idle:-500} warmup=1 mjpeg_seconds=5
else
  rounds=${rounds:-3} duration=${duration:-15} idle=${idle:-5000} warmup=15 mjpeg_seconds=20
fi
threads=2
conns_small=50 conns_close=50 conns_big=8   # wrk connections per test (paced: as big)
paced_rate=24m paced_mib=64   # per connection; nginx lets a second's worth through at once, so the file is larger
ws_conns=8                                  # WebSocket echo: connections, each doing round trips in sequence
mjpeg_viewers=1000 mjpeg_settle=3           # motion-JPEG viewers; seconds they watch before the count starts

port_base=${BENCH_PORT_BASE:-18180}
port_upstream=$((port_base + 1))
port_hold=$((port_base + 2))        # IdleConnections' never-answering upstream for /idle
port_haproxy=$((port_base + 3))
port_nginx=$((port_base + 4))
port_nginx_idle=$((port_base + 5))  # nginx stream cannot route by path: a second server for /idle
port_streamprox=$((port_base + 6))
port_jetty=$((port_base + 7))       # LocalRouteServer: the handler on an ordinary Jetty connector, and WebSocket echo
port_local=$((port_base + 8))       # LocalRouteServer: the same handler behind StreamProx's hand-off
port_floor=$((port_base + 9))       # DesignFloor
port_streamprox_base=$((port_base + 10))   # --compare: StreamProx at REV
port_local_base=$((port_base + 11))        # --compare: LocalRouteServer handoff at REV
port_upstream_tls=$((port_base + 12))      # the upstream nginx's TLS server (same certificate): passthrough's end
port_haproxy_tls=$((port_base + 13))
port_haproxy_pass=$((port_base + 14))
port_streamprox_tls=$((port_base + 15))
port_streamprox_pass=$((port_base + 16))
port_streamprox_tcp=$((port_base + 17))
port_front=$((port_base + 18))             # HAProxy in front of streamprox-fronted
port_front_pp=$((port_base + 19))          # the same HAProxy, sending PROXY v2 to streamprox-pp
port_streamprox_fronted=$((port_base + 20))
port_streamprox_pp=$((port_base + 21))
port_streamprox_metrics=$((port_base + 22))  # streamprox with the admin listener on, so its meters recorded
port_admin=$((port_base + 23))
port_ab_plain=$((port_base + 24))          # streamprox-ab: one process, a plain listener ...
port_ab_proxy=$((port_base + 25))          # ... and one that takes PROXY headers and detects protocols
port_upstream_2=$((port_base + 26))        # the upstream nginx on two more ports: a pool of three servers
port_upstream_3=$((port_base + 27))
port_pool_single=$((port_base + 28))       # streamprox-pool-ab: one process, a route to one server ...
port_pool=$((port_base + 29))              # ... and one to a pool of three
pool_policy=${BENCH_POOL_POLICY:-round-robin}
tls_name=localhost   # the name wrk sends (SNI: its URL's host; StreamProx refuses an IP address there, as RFC 6066 asks),
                     # the passthrough routes' condition and the certificate's; only 127.0.0.1 listens

# With --compare, each selected StreamProx target gets its twin at REV.
if [ -n "$compare" ]; then
  for twin in streamprox streamprox-local; do
    [[ ",$targets_arg," == *",$twin,"* ]] && targets_arg="$targets_arg,$twin-base"
  done
fi

IFS=, read -ra targets <<<"$targets_arg"
declare -A target_port=([direct]=$port_upstream [haproxy]=$port_haproxy [nginx-stream]=$port_nginx
                        [streamprox]=$port_streamprox [design-floor]=$port_floor [jetty]=$port_jetty
                        [streamprox-local]=$port_local [streamprox-base]=$port_streamprox_base
                        [streamprox-local-base]=$port_local_base [haproxy-tls]=$port_haproxy_tls
                        [haproxy-pass]=$port_haproxy_pass [streamprox-tls]=$port_streamprox_tls
                        [streamprox-pass]=$port_streamprox_pass [streamprox-tcp]=$port_streamprox_tcp
                        [streamprox-fronted]=$port_front [streamprox-pp]=$port_front_pp
                        [streamprox-metrics]=$port_streamprox_metrics [streamprox-ab]=$port_ab_plain
                        [streamprox-pool-ab]=$port_pool_single)
# What each target is measured on: the remote-route pair with wrk against nginx, the local-route pair with wrk
# against the in-process handler, WebSocket echo through every way to the echo server, motion JPEG on StreamProx.
# The design floor copies with 1 KiB buffers only, so it is measured on the small-request tests.
declare -A target_tests=([direct]='small close big paced' [haproxy]='small close big paced'
                         [nginx-stream]='small close big' [streamprox]='small close big paced ws mjpeg'
                         [design-floor]='small close' [jetty]='small close ws'
                         [streamprox-local]='small close ws' [streamprox-base]='small close big ws mjpeg'
                         [streamprox-local-base]='small close ws' [haproxy-tls]='tls-small tls-close tls-big'
                         [haproxy-pass]='tls-small tls-close tls-big tls-paced'
                         [streamprox-tls]='tls-small tls-close tls-big'
                         [streamprox-pass]='tls-small tls-close tls-big tls-paced'
                         [streamprox-tcp]='tls-small tls-close tls-big tls-paced'
                         [streamprox-fronted]='small close churn' [streamprox-pp]='small close churn'
                         [streamprox-metrics]='small close big' [streamprox-ab]='churn-ab'
                         [streamprox-pool-ab]='churn-ab')
# churn-ab's targets: listener A's port, B's, what each is called in the metrics' names, and whether B's requests
# carry a PROXY v1 header.
declare -A ab_pair=([streamprox-ab]="$port_ab_plain $port_ab_proxy plain proxy proxy-v1"
                    [streamprox-pool-ab]="$port_pool_single $port_pool single pool")
declare -A idle_port=([haproxy]=$port_haproxy [nginx-stream]=$port_nginx_idle [streamprox]=$port_streamprox
                      [streamprox-base]=$port_streamprox_base)
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
  command -v openssl >/dev/null || missing+=(openssl)
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
. "$root/bin/jvm-memory.sh"
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
client_pid=''   # the idle or motion-JPEG client while one runs

cleanup() {
  local status=$? pid deadline
  trap - EXIT INT TERM
  [ -n "$client_pid" ] && kill "$client_pid" 2>/dev/null
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

# With --pin this script and all it starts run on the load CPUs; start_server moves the proxies to CPU 0.
cpus=$(nproc)   # before pinning, which nproc would then report
proxy_cpu=()
if [ "$pin" = 1 ]; then
  [ "$cpus" -ge 2 ] || die "--pin needs at least two CPUs"
  command -v taskset >/dev/null || die "--pin needs taskset (util-linux)"
  taskset -pc "1-$((cpus - 1))" $$ >/dev/null
  proxy_cpu=(taskset -c 0)
fi

# Starts "$@" in the background, logging to logs/NAME.log, and polls until it accepts on PORT. Every server but the
# upstream (direct) is a proxy under measurement.
start_server() {
  local name=$1 port=$2 pid deadline pinning=()
  shift 2
  port_open "$port" && die "port $port is already in use (set BENCH_PORT_BASE)"
  [ "$name" = direct ] || pinning=("${proxy_cpu[@]}")
  "${pinning[@]}" "$@" >"$work/logs/$name.log" 2>&1 &
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
dd if=/dev/urandom of="$work/www/paced" bs=1M count="$paced_mib" status=none
chmod -R a+rX "$work/www"

# One ECDSA P-256 certificate for every TLS server (HAProxy wants certificate and key in one file).
mkdir -p "$work/tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=$tls_name" \
  -addext "subjectAltName=DNS:$tls_name" -keyout "$work/tls/key.pem" -out "$work/tls/cert.pem" 2>/dev/null \
  || die "openssl could not make the certificate"
cat "$work/tls/cert.pem" "$work/tls/key.pem" >"$work/tls/haproxy.pem"
# The same cipher everywhere: the JDK (StreamProx) picks TLS_AES_128_GCM_SHA256 first; OpenSSL servers would follow wrk's
# order, AES-256 first, so HAProxy and nginx are told to prefer the same (the check below prints what was agreed).
tls13_suites=TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256
chmod -R a+rX "$work/tls"

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
    listen 127.0.0.1:$port_upstream_2 backlog=4096;
    listen 127.0.0.1:$port_upstream_3 backlog=4096;
    default_type application/octet-stream;
    location = /small { return 200 "hello, world\n"; }
    location = /big { root $work/www; }
    location = /paced { root $work/www; limit_rate $paced_rate; }
  }
  # The passthrough targets' end: the same locations over TLS. Session resumption off (no tickets, no cache), so that
  # every connection is a full handshake; TLS 1.3 as the other TLS servers (nginx 1.22 offers only up to 1.2 unless told).
  server {
    listen 127.0.0.1:$port_upstream_tls ssl backlog=4096;
    ssl_certificate $work/tls/cert.pem;
    ssl_certificate_key $work/tls/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_tickets off;
    ssl_session_cache off;
    ssl_prefer_server_ciphers on;
    ssl_conf_command Ciphersuites $tls13_suites;
    default_type application/octet-stream;
    location = /small { return 200 "hello, world\n"; }
    location = /big { root $work/www; }
    location = /paced { root $work/www; limit_rate $paced_rate; }
  }
}
EOF

# HAProxy's closest equivalent to StreamProx: wait for a complete HTTP head (the HTTP ACL does not match before
# the head is whole), refuse what is not HTTP, route by path prefix, then copy bytes in TCP mode. Every proxy
# writes one access-log line per connection to a file, as StreamProx does and as operators run them.
# What every HAProxy target shares: two threads, TCP mode, one log line per connection.
haproxy_common=$(cat <<EOF
global
  maxconn $maxconn
  nbthread 2
  log stdout format raw local0
defaults
  mode tcp
  log global
  option tcplog
  maxconn $maxconn
  timeout connect 5s
  timeout client 1h
  timeout server 1h
EOF
)
cat >"$work/haproxy.cfg" <<EOF
$haproxy_common
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

# The same over TLS: HAProxy decrypts (resumption off: no tickets, no session cache), then waits for the head, routes
# by path and copies the decrypted bytes to the plain upstream.
sed -e "/^  log stdout/a\\  tune.ssl.cachesize 0" \
    -e "s|^  bind 127.0.0.1:$port_haproxy\$|  bind 127.0.0.1:$port_haproxy_tls ssl crt $work/tls/haproxy.pem alpn http/1.1 ciphersuites $tls13_suites no-tls-tickets|" \
    "$work/haproxy.cfg" >"$work/haproxy-tls.cfg"
# Passthrough: wait for the ClientHello, route by its server name, copy the TLS bytes to the upstream's TLS server.
cat >"$work/haproxy-pass.cfg" <<EOF
$haproxy_common
frontend bench
  bind 127.0.0.1:$port_haproxy_pass
  tcp-request inspect-delay 10s
  tcp-request content accept if { req.ssl_hello_type 1 }
  tcp-request content reject
  use_backend upstream_tls if { req.ssl_sni -i $tls_name }
backend upstream_tls
  server upstream 127.0.0.1:$port_upstream_tls
EOF

cat >"$work/stream/nginx.conf" <<EOF
load_module /usr/lib/nginx/modules/ngx_stream_module.so;
worker_processes auto;
worker_rlimit_nofile $fd_limit;
pid $work/stream/nginx.pid;
events { worker_connections $fd_limit; }
stream {
  log_format basic '\$remote_addr [\$time_local] \$protocol \$status \$bytes_sent \$bytes_received \$session_time \$upstream_addr';
  access_log $work/logs/stream-access.log basic;
  server { listen 127.0.0.1:$port_nginx backlog=4096; proxy_pass 127.0.0.1:$port_upstream; }
  server { listen 127.0.0.1:$port_nginx_idle backlog=4096; proxy_pass 127.0.0.1:$port_hold; proxy_timeout 1h; }
}
EOF

# Every load generator is one address (127.0.0.1), so the per-address limit is off, as behind a load balancer.
cat >"$work/streamprox.yaml" <<EOF
listen: 127.0.0.1:$port_streamprox
drain-timeout: 1s
admin: off
max-connections-per-client: 0
routes:
  - name: idle
    match: { path-prefix: /idle }
    remote: 127.0.0.1:$port_hold
  - name: ws-echo
    match: { path-prefix: /ws }
    remote: 127.0.0.1:$port_jetty
  - name: mjpeg-stream
    match: { path-prefix: /websocketdemo }
    local: mjpeg
  - name: upstream
    match: { path-prefix: / }
    remote: 127.0.0.1:$port_upstream
EOF
# The same with the admin listener on, as shipped: the engine's meters recorded (metrics' pair: streamprox).
sed -e "s/^listen: .*/listen: 127.0.0.1:$port_streamprox_metrics/" \
  -e "s/^admin: off/admin: { listen: 127.0.0.1:$port_admin }/" "$work/streamprox.yaml" >"$work/streamprox-metrics.yaml"

# TLS terminated with the same certificate, then the routes of the plain target (the head is read from the
# decrypted bytes), and passthrough by server name to the upstream's TLS server (a listener without certificates).
cat >"$work/streamprox-tls.yaml" <<EOF
listen: 127.0.0.1:$port_streamprox_tls
drain-timeout: 1s
admin: off
max-connections-per-client: 0
tls:
  certificates: [ { cert: $work/tls/cert.pem, key: $work/tls/key.pem } ]
routes:
  - name: idle
    match: { path-prefix: /idle }
    remote: 127.0.0.1:$port_hold
  - name: upstream
    match: { path-prefix: / }
    remote: 127.0.0.1:$port_upstream
EOF
cat >"$work/streamprox-pass.yaml" <<EOF
listen: 127.0.0.1:$port_streamprox_pass
drain-timeout: 1s
admin: off
max-connections-per-client: 0
routes:
  - name: upstream-tls
    match: { sni: '$tls_name' }
    passthrough: 127.0.0.1:$port_upstream_tls
EOF

# Passthrough's pair: the same TLS bytes on a plain protocol route, told by a regex, never read as a ClientHello.
cat >"$work/streamprox-tcp.yaml" <<EOF
listen: 127.0.0.1:$port_streamprox_tcp
drain-timeout: 1s
admin: off
max-connections-per-client: 0
protocols: { tls-bytes: '^\x16\x03' }
routes:
  - name: upstream-tls
    match: { protocol: tls-bytes }
    remote: 127.0.0.1:$port_upstream_tls
EOF

# The PROXY-protocol pair behind one HAProxy: the plain target's upstream route, and for streamprox-pp the PROXY
# header accepted and the first bytes told apart (an ssh route, never used, makes the listener detect).
cat >"$work/haproxy-front.cfg" <<EOF
$haproxy_common
frontend fronted
  bind 127.0.0.1:$port_front
  tcp-request inspect-delay 10s
  tcp-request content accept if HTTP
  default_backend fronted
frontend pp
  bind 127.0.0.1:$port_front_pp
  tcp-request inspect-delay 10s
  tcp-request content accept if HTTP
  default_backend pp
backend fronted
  server streamprox 127.0.0.1:$port_streamprox_fronted
backend pp
  server streamprox 127.0.0.1:$port_streamprox_pp send-proxy-v2
EOF
fronted_routes="routes:
  - name: upstream
    match: { path-prefix: / }
    remote: 127.0.0.1:$port_upstream"
cat >"$work/streamprox-fronted.yaml" <<EOF
listen: 127.0.0.1:$port_streamprox_fronted
drain-timeout: 1s
admin: off
max-connections-per-client: 0
$fronted_routes
EOF
cat >"$work/streamprox-pp.yaml" <<EOF
listen: 127.0.0.1:$port_streamprox_pp
drain-timeout: 1s
admin: off
max-connections-per-client: 0
accept-proxy-protocol: { trusted: [127.0.0.1/32] }
$fronted_routes
  - name: ssh
    match: { protocol: ssh }
    remote: 127.0.0.1:$port_hold
EOF
# The same two in one process, so one JVM's compiled code and warmth serve both (churn-ab).
cat >"$work/streamprox-ab.yaml" <<EOF
drain-timeout: 1s
admin: off
max-connections-per-client: 0
listeners:
  - listen: 127.0.0.1:$port_ab_plain
    routes:
      - { name: upstream, match: { path-prefix: / }, remote: 127.0.0.1:$port_upstream }
  - listen: 127.0.0.1:$port_ab_proxy
    accept-proxy-protocol: { trusted: [127.0.0.1/32] }
    routes:
      - { name: upstream, match: { path-prefix: / }, remote: 127.0.0.1:$port_upstream }
      - { name: ssh, match: { protocol: ssh }, remote: 127.0.0.1:$port_hold }
EOF
# A route to one server and one to a pool of three (the same nginx), in one process (churn-ab). The pool as an
# operator runs one: an active check every 2 s, and passive checks, on by default for two servers or more.
cat >"$work/streamprox-pool-ab.yaml" <<EOF
drain-timeout: 1s
admin: off
max-connections-per-client: 0
upstreams:
  three:
    policy: $pool_policy
    servers: [127.0.0.1:$port_upstream, 127.0.0.1:$port_upstream_2, 127.0.0.1:$port_upstream_3]
    health-check: { type: http, path: /small, interval: 2s }
listeners:
  - listen: 127.0.0.1:$port_pool_single
    routes:
      - { name: upstream, match: { path-prefix: / }, remote: 127.0.0.1:$port_upstream }
  - listen: 127.0.0.1:$port_pool
    routes:
      - { name: upstream, match: { path-prefix: / }, remote: three }
EOF

# The Java programs, compiled once against the jar: run in source-file mode, each server JVM would also carry javac.
jar="$root/demos/target/streamprox.jar"
mkdir -p "$work/classes"
javac -d "$work/classes" -cp "$jar" "$here"/{IdleConnections,LocalRouteServer,WebSocketEcho,MjpegViewers,DesignFloor,ConnectionChurn}.java
bench_java=(java -cp "$work/classes:$jar")

# --compare: the jar and the local-route server as they were at REV, built from that revision's own tree.
if [ -n "$compare" ]; then
  log "building StreamProx at $compare ($(git -C "$root" rev-parse --short "$compare")) for comparison"
  mkdir -p "$work/base-src" "$work/classes-base"
  git -C "$root" archive "$compare" | tar -x -C "$work/base-src"
  mvn -q -B -f "$work/base-src/pom.xml" -pl demos -am -DskipTests package >"$work/logs/base-build.log" 2>&1 \
    || { tail -n 30 "$work/logs/base-build.log" >&2; die "building $compare failed"; }
  base_jar="$work/base-src/demos/target/streamprox.jar"
  javac -d "$work/classes-base" -cp "$base_jar" "$work/base-src/it/bench/LocalRouteServer.java"
  # Builds from before the admin listener do not know its key.
  sed -e "s/^listen: .*/listen: 127.0.0.1:$port_streamprox_base/" -e '/^admin: /d' "$work/streamprox.yaml" \
    >"$work/streamprox-base.yaml"
fi

log "starting the upstream and the proxies in $work"
start_server direct "$port_upstream" nginx -p "$work/upstream" -e "$work/logs/upstream-error.log" \
  -c "$work/upstream/nginx.conf" -g 'daemon off;'
selected() { [[ ",$targets_arg," == *",$1,"* ]]; }
selected haproxy && start_server haproxy "$port_haproxy" haproxy -db -f "$work/haproxy.cfg"
selected nginx-stream && start_server nginx-stream "$port_nginx" nginx -p "$work/stream" \
  -e "$work/logs/stream-error.log" -c "$work/stream/nginx.conf" -g 'daemon off;'
# Default JVM options, access log on (to a file here), admin listener off; streamprox-metrics as shipped, with it on.
selected streamprox && start_server streamprox "$port_streamprox" "$root/bin/streamprox" --config "$work/streamprox.yaml"
selected streamprox-ab && start_server streamprox-ab "$port_ab_plain" "$root/bin/streamprox" --config "$work/streamprox-ab.yaml"
selected streamprox-pool-ab && start_server streamprox-pool-ab "$port_pool_single" "$root/bin/streamprox" \
  --config "$work/streamprox-pool-ab.yaml"
selected streamprox-metrics && start_server streamprox-metrics "$port_streamprox_metrics" "$root/bin/streamprox" \
  --config "$work/streamprox-metrics.yaml"
selected haproxy-tls && start_server haproxy-tls "$port_haproxy_tls" haproxy -db -f "$work/haproxy-tls.cfg"
selected haproxy-pass && start_server haproxy-pass "$port_haproxy_pass" haproxy -db -f "$work/haproxy-pass.cfg"
# The JDK resumes TLS 1.3 sessions with the tickets it sends after each handshake (stateless ones by default, else
# from its session cache); sending none leaves nothing to resume. (TLS 1.2 would resume by session ID from the cache,
# which cannot be turned off, only bounded; every client here speaks 1.3.)
selected streamprox-tls && start_server streamprox-tls "$port_streamprox_tls" \
  env STREAMPROX_JAVA_OPTS="-Djdk.tls.server.newSessionTicketCount=0 ${STREAMPROX_JAVA_OPTS:-}" \
  "$root/bin/streamprox" --config "$work/streamprox-tls.yaml"
selected streamprox-pass && start_server streamprox-pass "$port_streamprox_pass" "$root/bin/streamprox" \
  --config "$work/streamprox-pass.yaml"
selected streamprox-tcp && start_server streamprox-tcp "$port_streamprox_tcp" "$root/bin/streamprox" \
  --config "$work/streamprox-tcp.yaml"
# The fronted pair: wrk talks to HAProxy, the CPU measured is the StreamProx process's behind it.
if selected streamprox-fronted || selected streamprox-pp; then
  start_server fronted-behind "$port_streamprox_fronted" "$root/bin/streamprox" --config "$work/streamprox-fronted.yaml"
  start_server pp-behind "$port_streamprox_pp" "$root/bin/streamprox" --config "$work/streamprox-pp.yaml"
  start_server haproxy-front "$port_front" haproxy -db -f "$work/haproxy-front.cfg"
  target_pid[streamprox-fronted]=${target_pid[fronted-behind]}
  target_pid[streamprox-pp]=${target_pid[pp-behind]}
fi
# shellcheck disable=SC2086 # the options are words
# The earlier build with the launcher's JVM options of this tree, so that the engines are what differs.
streamprox_memory_settings java
selected streamprox-base && start_server streamprox-base "$port_streamprox_base" \
  java $STREAMPROX_MEMORY_OPTS ${STREAMPROX_JAVA_OPTS:-} -jar "$base_jar" --config "$work/streamprox-base.yaml"
selected design-floor && start_server design-floor "$port_floor" "${bench_java[@]}" DesignFloor "$port_floor" \
  "$port_upstream"
# The local-route pair, each in a JVM of its own with default options (plus STREAMPROX_JAVA_OPTS for StreamProx).
# The connector side is also the WebSocket echo server behind StreamProx's /ws route.
if selected jetty || selected streamprox || selected streamprox-base; then
  start_server jetty "$port_jetty" "${bench_java[@]}" LocalRouteServer connector "$port_jetty"
fi
# shellcheck disable=SC2086 # the options are words
selected streamprox-local && start_server streamprox-local "$port_local" \
  "${bench_java[@]}" ${STREAMPROX_JAVA_OPTS:-} LocalRouteServer handoff "$port_local"
# shellcheck disable=SC2086 # the options are words
selected streamprox-local-base && start_server streamprox-local-base "$port_local_base" \
  java -cp "$work/classes-base:$base_jar" ${STREAMPROX_JAVA_OPTS:-} LocalRouteServer handoff "$port_local_base"

# --- measuring -----------------------------------------------------------------------------------------------

# Every TLS connection must be a full handshake: wrk keeps each connection's session and offers it when it reconnects
# (nginx with its defaults resumed all but 2 of 3,208 such connections), so a server that resumed would measure
# resumptions. openssl s_client makes a request, keeps what the server gave for resumption (a TLS 1.3 ticket arrives
# after the handshake, hence the request, and a TLS 1.2 session ID), and offers it on a second connection: that must
# be a full handshake again (or the server gave nothing). The protocol and cipher agreed are noted for the results.
# (s_client -reconnect cannot tell: it reconnects before any TLS 1.3 ticket has arrived, and reports "New" even
# where resumption is on.)
tls_agreed=''
tls_request=$'GET /small HTTP/1.1\r\nHost: '"$tls_name"$'\r\nConnection: close\r\n\r\n'
for target in "${targets[@]}"; do
  case "$target" in *-tls|*-pass|*-tcp) ;; *) continue ;; esac
  session="$work/tls/session-$target.pem"
  first=$(openssl s_client -connect "127.0.0.1:${target_port[$target]}" -servername "$tls_name" -ign_eof \
          -sess_out "$session" <<<"$tls_request" 2>&1) || true
  grep -q '^HTTP/1.1 200' <<<"$first" || die "$target: no answer over TLS: $(tail -n 5 <<<"$first")"
  agreed=$(grep -E '^New,' <<<"$first" | sed 's/^New, \([^,]*\), Cipher is \(.*\)/\1:\2/')
  if [ -s "$session" ]; then
    second=$(openssl s_client -connect "127.0.0.1:${target_port[$target]}" -servername "$tls_name" -ign_eof \
             -sess_in "$session" <<<"$tls_request" 2>&1) || true
    grep -q '^New,' <<<"$second" || die "$target resumed a TLS session: $(grep -E '^(New|Reused),' <<<"$second")"
    agreed="$agreed,resumption-refused"
  fi
  tls_agreed="$tls_agreed $target=$agreed"
done
[ -z "$tls_agreed" ] || log "TLS, full handshakes only:$tls_agreed"

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

# The local-route pair's wrk figures get metrics of their own (local_small_rps ...), compared with each other.
metric_prefix() { case "$1" in jetty|streamprox-local|streamprox-local-base) echo local_ ;; esac; }

# The StreamProx processes whose live heap is measured too: the remote-route one, and its twin with --compare.
remote_streamprox() { [ "$1" = streamprox ] || [ "$1" = streamprox-base ]; }

# run_wrk TARGET TEST SECONDS ROUND: ROUND 0 is the warm-up, not recorded.
run_wrk() {
  local target=$1 test=$2 seconds=$3 round=$4 path=/small conns=$conns_small header=() pid ticks0 ticks1 out
  local scheme=http host=127.0.0.1 kind=$2 prefix
  prefix=$(metric_prefix "$target")
  # tls-small, tls-close, tls-big: the same over https (tls_* metrics).
  if [[ "$test" == tls-* ]]; then scheme=https host=$tls_name kind=${test#tls-} prefix=tls_; fi
  case "$kind" in
    close) conns=$conns_close header=(-H 'Connection: close') ;;
    big|paced) path=/$kind conns=$conns_big ;;
  esac
  pid=${target_pid[$target]}
  ticks0=$(cpu_ticks "$pid")
  out=$(wrk -t "$threads" -c "$conns" -d "${seconds}s" --timeout 10s "${header[@]}" -s "$here/report.lua" \
        "$scheme://$host:${target_port[$target]}$path")
  ticks1=$(cpu_ticks "$pid")
  printf '### %s %s round %s\n%s\n' "$target" "$test" "$round" "$out" >>"$work/logs/wrk.log"
  [ "$round" -gt 0 ] || return 0
  # The direct case has no proxy: its CPU figure would be nginx's, so it is left out.
  [ "$target" = direct ] && ticks1=-1 ticks0=0
  awk -v r="$round" -v t="$target" -v test="$kind" -v ticks=$((ticks1 - ticks0)) -v hz="$clk_tck" \
      -v p="$prefix" '
    $1 == "WRKRESULT" {
      req = $2; bytes = $3; secs = $4 / 1e6; errors = $7 + $8 + $9 + $10 + $11
      cpu = ticks / hz
      if (test == "small") {
        printf "%s\t%s\t%ssmall_rps\t%.0f\n", r, t, p, req / secs
        printf "%s\t%s\t%ssmall_p50_ms\t%.3f\n", r, t, p, $5 / 1000
        printf "%s\t%s\t%ssmall_p99_ms\t%.3f\n", r, t, p, $6 / 1000
        if (ticks >= 0) printf "%s\t%s\t%ssmall_cpu_us_per_req\t%.2f\n", r, t, p, cpu * 1e6 / req
      } else if (test == "close") {
        printf "%s\t%s\t%sclose_cps\t%.0f\n", r, t, p, req / secs
        printf "%s\t%s\t%sclose_p99_ms\t%.3f\n", r, t, p, $6 / 1000
        if (ticks >= 0) printf "%s\t%s\t%sclose_cpu_us_per_conn\t%.2f\n", r, t, p, cpu * 1e6 / req
      } else {
        printf "%s\t%s\t%s%s_mibps\t%.1f\n", r, t, p, test, bytes / 1048576 / secs
        if (ticks >= 0) printf "%s\t%s\t%s%s_cpu_s_per_gib\t%.3f\n", r, t, p, test, cpu / (bytes / 1073741824)
      }
      printf "%s\t%s\t%s%s_errors\t%d\n", r, t, p, test, errors
    }' <<<"$out" >>"$samples"
  grep -q '^WRKRESULT' <<<"$out" || die "wrk printed no result for $target $test: $out"
}

# run_ws TARGET TEST SECONDS ROUND: WebSocket echo round trips; jetty is the echo server itself, streamprox reaches
# it over a remote route, streamprox-local hands the connection to its in-process ws-echo app.
run_ws() {
  local target=$1 seconds=$3 round=$4 out
  out=$("${bench_java[@]}" WebSocketEcho "${target_port[$target]}" /ws/echo "$ws_conns" "$seconds")
  printf '### %s ws round %s\n%s\n' "$target" "$round" "$out" >>"$work/logs/wrk.log"
  grep -q '^WSRESULT' <<<"$out" || die "the WebSocket echo client printed no result for $target: $out"
  [ "$round" -gt 0 ] || return 0
  awk -v r="$round" -v t="$target" '
    $1 == "WSRESULT" {
      printf "%s\t%s\tws_rtps\t%.0f\n", r, t, $2 / ($3 / 1e6)
      printf "%s\t%s\tws_p50_ms\t%.3f\n", r, t, $4 / 1000
      printf "%s\t%s\tws_p99_ms\t%.3f\n", r, t, $5 / 1000
      printf "%s\t%s\tws_errors\t%d\n", r, t, $6
    }' <<<"$out" >>"$samples"
}

# run_churn TARGET TEST SECONDS ROUND: ConnectionChurn's new connection per request, straight to the StreamProx
# process of the PROXY-protocol pair (not through HAProxy), with a PROXY v1 header in the request's own write for
# streamprox-pp: the bytes arrive as one segment either way, so what differs is the header and the detection.
run_churn() {
  local target=$1 seconds=$3 round=$4 pid port mode='' ticks0 ticks1 out
  pid=${target_pid[$target]}
  case "$target" in
    streamprox-pp) port=$port_streamprox_pp mode=proxy-v1 ;;
    *) port=$port_streamprox_fronted ;;
  esac
  ticks0=$(cpu_ticks "$pid")
  out=$("${bench_java[@]}" ConnectionChurn "$port" "$seconds" "$conns_close" $mode)
  ticks1=$(cpu_ticks "$pid")
  printf '### %s churn round %s\n%s\n' "$target" "$round" "$out" >>"$work/logs/wrk.log"
  grep -q '^CHURN' <<<"$out" || die "the churn client printed no result for $target: $out"
  [ "$round" -gt 0 ] || return 0
  awk -v r="$round" -v t="$target" -v ticks=$((ticks1 - ticks0)) -v hz="$clk_tck" '
    $1 == "CHURN" {
      printf "%s\t%s\tchurn_cps\t%.0f\n", r, t, $2 / $4
      printf "%s\t%s\tchurn_cpu_us_per_conn\t%.2f\n", r, t, ticks / hz * 1e6 / $2
      printf "%s\t%s\tchurn_errors\t%d\n", r, t, $3
    }' <<<"$out" >>"$samples"
}

# run_churn_ab TARGET TEST SECONDS ROUND: ConnectionChurn in turns on the target's two listeners (ab_pair), with a
# PROXY v1 header in the request's segment on the second where the pair says so; CPU per connection of each and their
# ratio for the round, as ab_A_cpu_us_per_conn, ab_B_cpu_us_per_conn and ab_B_vs_A.
run_churn_ab() {
  local target=$1 seconds=$3 round=$4 out port_a port_b a b header
  read -r port_a port_b a b header <<<"${ab_pair[$target]}"
  # shellcheck disable=SC2086 # no header is no argument
  out=$("${bench_java[@]}" ConnectionChurn alternate "${target_pid[$target]}" "$port_a" "$port_b" \
        "$seconds" "$conns_close" $header)
  printf '### %s churn-ab round %s\n%s\n' "$target" "$round" "$out" >>"$work/logs/wrk.log"
  grep -q '^ALTERNATE' <<<"$out" || die "the churn client printed no result for $target: $out"
  [ "$round" -gt 0 ] || return 0
  awk -v r="$round" -v t="$target" -v hz="$clk_tck" -v a="$a" -v b="$b" '
    $1 == "ALTERNATE" {
      cpu_a = $3 / hz * 1e6 / $2; cpu_b = $5 / hz * 1e6 / $4
      printf "%s\t%s\tab_%s_cpu_us_per_conn\t%.2f\n", r, t, a, cpu_a
      printf "%s\t%s\tab_%s_cpu_us_per_conn\t%.2f\n", r, t, b, cpu_b
      printf "%s\t%s\tab_%s_vs_%s\t%.4f\n", r, t, b, a, cpu_b / cpu_a
      printf "%s\t%s\tchurn_ab_errors\t%d\n", r, t, $6
    }' <<<"$out" >>"$samples"
}

# run_mjpeg TARGET TEST SECONDS ROUND: motion-JPEG viewers on the target's /websocketdemo. The proxy's CPU time is
# taken over exactly the client's counting window, which the client announces on its standard output.
run_mjpeg() {
  local target=$1 seconds=$3 round=$4 pid out line ticks0 ticks1 nanos0 nanos1
  pid=${target_pid[$target]}
  coproc MJPEG_CLIENT { exec "${bench_java[@]}" MjpegViewers "${target_port[$target]}" /websocketdemo \
    "$mjpeg_viewers" "$mjpeg_settle" "$seconds"; }
  client_pid=$MJPEG_CLIENT_PID
  exec {out}<&"${MJPEG_CLIENT[0]}"   # a copy: bash drops the coproc's own descriptors when it exits
  read -r -t 120 line <&"$out" || true
  [ "$line" = measuring ] || die "$target: the motion-JPEG client did not start counting (got '$line')"
  ticks0=$(cpu_ticks "$pid") nanos0=$(date +%s%N)
  read -r -t $((seconds + 30)) line <&"$out" || true
  [ "$line" = window-end ] || die "$target: the motion-JPEG client did not finish counting (got '$line')"
  ticks1=$(cpu_ticks "$pid") nanos1=$(date +%s%N)
  read -r -t 30 line <&"$out" || true
  exec {out}<&-
  wait "$client_pid" || true
  client_pid=''
  printf '### %s mjpeg round %s\n%s\n' "$target" "$round" "$line" >>"$work/logs/wrk.log"
  [[ "$line" == MJPEGRESULT* ]] || die "$target: the motion-JPEG client printed no result (got '$line')"
  [ "$round" -gt 0 ] || return 0
  awk -v r="$round" -v t="$target" -v cpu=$(((ticks1 - ticks0) * 1000000000 / clk_tck)) -v nanos=$((nanos1 - nanos0)) '
    $1 == "MJPEGRESULT" {
      printf "%s\t%s\tmjpeg_fps_p50\t%s\n", r, t, $3
      printf "%s\t%s\tmjpeg_fps_p5\t%s\n", r, t, $4
      printf "%s\t%s\tmjpeg_rendered_fps\t%s\n", r, t, $5
      printf "%s\t%s\tmjpeg_dropped_pct\t%s\n", r, t, $6
      printf "%s\t%s\tmjpeg_lag_p50_ms\t%s\n", r, t, $7
      printf "%s\t%s\tmjpeg_lag_p99_ms\t%s\n", r, t, $8
      printf "%s\t%s\tmjpeg_cpu_pct\t%.1f\n", r, t, 100 * cpu / nanos
      printf "%s\t%s\tmjpeg_errors\t%d\n", r, t, $9
    }' <<<"$line" >>"$samples"
}

run_test() {
  case "$2" in
    ws) run_ws "$@" ;;
    churn) run_churn "$@" ;;
    churn-ab) run_churn_ab "$@" ;;
    mjpeg) run_mjpeg "$@" ;;
    *) run_wrk "$@" ;;
  esac
}

measured_on() { [[ " ${target_tests[$1]} " == *" $2 "* ]]; }

# Live Java heap after a full GC (jcmd's class histogram forces one), in bytes.
live_heap_bytes() { jcmd "$1" GC.class_histogram | awk '$1 == "Total" { print $3 }'; }

# After a full GC, G1 gives memory back to the OS from a background thread: waits (up to 10 s) until the
# resident size holds still for a second, so the "before" figure is not taken in the middle of that.
rss_settled() {
  local previous current
  previous=$(rss_kib "$1")
  for _ in $(seq 10); do
    sleep 1
    current=$(rss_kib "$1")
    [ "$(( (current - previous) * 100 / previous ))" -eq 0 ] && return 0
    previous=$current
  done
}

# Resident memory added per connection while IDLE connections are held open through the target; for StreamProx
# also the live heap per connection, which the JVM's heap sizing does not blur. PHASE fresh: on a process that has
# served nothing yet; warm: after the load rounds, StreamProx's live heap only (its RSS then moves with a heap
# the load has already grown), when the JIT has compiled the paths a parked connection's stack runs through.
measure_idle() {
  local target=$1 phase=$2 pid before after heap_before heap_after line fd suffix=''
  pid=${target_pid[$target]}
  [ "$phase" = warm ] && suffix=_warm
  remote_streamprox "$target" && heap_before=$(live_heap_bytes "$pid")
  # Only the fresh phase reports RSS; the warm one has no reason to wait for it.
  remote_streamprox "$target" && [ "$phase" = fresh ] && rss_settled "$pid"
  before=$(rss_kib "$pid")
  coproc IDLE_CLIENT { exec "${bench_java[@]}" IdleConnections "${idle_port[$target]}" "$port_hold" "$idle"; }
  client_pid=$IDLE_CLIENT_PID
  read -r -t 180 line <&"${IDLE_CLIENT[0]}" || true
  [ "$line" = "ready $idle" ] || die "$target: the idle client did not hold $idle connections (got '$line')"
  after=$(rss_kib "$pid")
  remote_streamprox "$target" && heap_after=$(live_heap_bytes "$pid")
  fd=${IDLE_CLIENT[1]}
  exec {fd}>&-   # end of input: the client closes its connections and exits
  wait "$client_pid"
  client_pid=''
  if [ "$phase" = fresh ]; then
    printf '1\t%s\tidle_kib_per_conn\t%s\n' "$target" "$(awk -v d=$((after - before)) -v n="$idle" 'BEGIN { printf "%.2f", d / n }')" >>"$samples"
  fi
  if remote_streamprox "$target"; then
    printf '1\t%s\tidle_heap%s_kib_per_conn\t%s\n' "$target" "$suffix" \
      "$(awk -v d=$((heap_after - heap_before)) -v n="$idle" 'BEGIN { printf "%.2f", d / 1024 / n }')" >>"$samples"
  fi
}

# Idle memory first, on fresh processes: after load, a JVM's already-touched heap would hide the cost.
wanted() { [[ ",$tests_arg," == *",$1,"* ]]; }
if wanted idle; then
  log "holding $idle idle connections through each proxy"
  for target in "${targets[@]}"; do
    [ -z "${idle_port[$target]:-}" ] || measure_idle "$target" fresh
  done
fi

tests=()
for test in small close churn churn-ab big paced ws mjpeg tls-small tls-close tls-big tls-paced; do
  if wanted "$test"; then tests+=("$test"); fi
done
log "warming up ${warmup}s per target and test"
for target in "${targets[@]}"; do
  for test in "${tests[@]}"; do
    # The viewers' settling time before each count is the motion-JPEG test's warm-up.
    if [ "$test" != mjpeg ] && measured_on "$target" "$test"; then run_test "$target" "$test" "$warmup" 0; fi
  done
done

for ((round = 1; round <= rounds; round++)); do
  # Rotate the order by one target per round.
  order=("${targets[@]:round % ${#targets[@]}}" "${targets[@]:0:round % ${#targets[@]}}")
  log "round $round of $rounds: ${order[*]} (${duration}s per test, motion JPEG ${mjpeg_seconds}s)"
  for test in "${tests[@]}"; do
    seconds=$duration
    [ "$test" = mjpeg ] && seconds=$mjpeg_seconds
    for target in "${order[@]}"; do
      if measured_on "$target" "$test"; then run_test "$target" "$test" "$seconds" "$round"; fi
    done
  done
done

for target in streamprox streamprox-base; do
  if wanted idle && selected "$target"; then
    log "holding $idle idle connections through the warm $target"
    measure_idle "$target" warm
  fi
done

# --- report --------------------------------------------------------------------------------------------------

mkdir -p "$here/results"
result="$here/results/bench-$(date +%Y%m%d-%H%M%S).tsv"
{
  echo "# StreamProx benchmark, $(date -Iseconds)"
  echo "# command: it/bench/run.sh $([ "$quick" = 1 ] && echo '--quick ')$([ "$pin" = 1 ] && echo '--pin ')--rounds $rounds --duration $duration --idle $idle --targets $targets_arg --tests $tests_arg${compare:+ --compare $compare ($(git -C "$root" rev-parse --short "$compare"))}${STREAMPROX_JAVA_OPTS:+ (STREAMPROX_JAVA_OPTS=$STREAMPROX_JAVA_OPTS)}${BENCH_POOL_POLICY:+ (BENCH_POOL_POLICY=$BENCH_POOL_POLICY)}"
  echo "# machine: $cpus cores$([ "$pin" = 0 ] || echo ", proxies pinned to CPU 0") ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n 1)), $(awk '/^MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) memory, load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "# versions: $(haproxy -v | head -n 1 | cut -d' ' -f1-3), $(nginx -v 2>&1 | cut -d' ' -f3), $(wrk -v 2>&1 | head -n 1 | cut -d' ' -f1-2), java $(streamprox_java_major "$JAVA_HOME/bin/java") ($JAVA_HOME), streamprox $(git -C "$root" rev-parse --short HEAD)"
  echo "# wrk: $threads threads; connections small $conns_small, close $conns_close, big $conns_big (paced: $paced_rate/s each); CPU from /proc (all threads and child processes of the proxy)"
  [ -z "$tls_agreed" ] || echo "# TLS: one ECDSA P-256 certificate, resumption off everywhere (a session offered back by s_client is not resumed); agreed with s_client:$tls_agreed; tls_* vs_haproxy is to haproxy-tls (terminating) or haproxy-pass (passthrough), vs_plain to the same proxy's plain figure (streamprox, haproxy)"
  selected streamprox-pool-ab && echo "# streamprox-pool-ab: a route to 127.0.0.1:$port_upstream against a pool of it and two more ports of the same nginx, policy $pool_policy, HTTP health check every 2 s, passive checks as by default; ab_pool_vs_single is per round"
  echo "# WebSocket echo: $ws_conns connections; motion JPEG: $mjpeg_viewers viewers, ${mjpeg_seconds}s counted after ${mjpeg_settle}s; local_* and ws_* ratios are to jetty (no StreamProx on the path)"
  printf 'metric\tunit\ttarget\tmedian\tmin\tmax\tn\tvs_direct\tvs_haproxy\tvs_base\tvs_plain\tvs_pair\n'
  sort -t$'\t' -k3,3 -k2,2 -k4,4g "$samples" | awk -F'\t' '
    BEGIN {
      split("small_rps small_p50_ms small_p99_ms small_cpu_us_per_req close_cps close_p99_ms close_cpu_us_per_conn " \
            "churn_cps churn_cpu_us_per_conn ab_plain_cpu_us_per_conn ab_proxy_cpu_us_per_conn ab_proxy_vs_plain " \
            "ab_single_cpu_us_per_conn ab_pool_cpu_us_per_conn ab_pool_vs_single big_mibps big_cpu_s_per_gib paced_mibps paced_cpu_s_per_gib idle_kib_per_conn idle_heap_kib_per_conn idle_heap_warm_kib_per_conn " \
            "local_small_rps local_small_p50_ms local_small_p99_ms local_small_cpu_us_per_req " \
            "local_close_cps local_close_p99_ms local_close_cpu_us_per_conn ws_rtps ws_p50_ms ws_p99_ms " \
            "mjpeg_fps_p50 mjpeg_fps_p5 mjpeg_rendered_fps mjpeg_dropped_pct mjpeg_lag_p50_ms mjpeg_lag_p99_ms " \
            "mjpeg_cpu_pct tls_small_rps tls_small_p50_ms tls_small_p99_ms tls_small_cpu_us_per_req " \
            "tls_close_cps tls_close_p99_ms tls_close_cpu_us_per_conn tls_big_mibps tls_big_cpu_s_per_gib " \
            "tls_paced_mibps tls_paced_cpu_s_per_gib", order, " ")
      split("direct haproxy nginx-stream streamprox streamprox-base design-floor jetty streamprox-local " \
            "streamprox-local-base haproxy-tls haproxy-pass streamprox-tls streamprox-pass streamprox-tcp " \
            "streamprox-fronted streamprox-pp streamprox-metrics streamprox-ab streamprox-pool-ab", targets, " ")
      # TLS targets: HAProxy doing the same (terminating or passing through), and the same proxy in plain HTTP.
      peer["haproxy-tls"] = peer["streamprox-tls"] = "haproxy-tls"
      peer["haproxy-pass"] = peer["streamprox-pass"] = peer["streamprox-tcp"] = "haproxy-pass"
      plain["haproxy-tls"] = plain["haproxy-pass"] = "haproxy"
      plain["streamprox-tls"] = plain["streamprox-pass"] = plain["streamprox-tcp"] = "streamprox"
      # Pairs that differ in one thing: passthrough against the same bytes on a plain route; PROXY header and
      # detection against neither, behind the same HAProxy; metrics recorded against none.
      pair["streamprox-pass"] = "streamprox-tcp"; pair["streamprox-pp"] = "streamprox-fronted"
      pair["streamprox-metrics"] = "streamprox"
      unit["small_rps"] = "req/s"; unit["small_p50_ms"] = unit["small_p99_ms"] = unit["close_p99_ms"] = "ms"
      unit["small_cpu_us_per_req"] = "us/req"; unit["close_cps"] = "conn/s"; unit["close_cpu_us_per_conn"] = "us/conn"
      unit["big_mibps"] = unit["paced_mibps"] = "MiB/s"; unit["big_cpu_s_per_gib"] = unit["paced_cpu_s_per_gib"] = "s/GiB"; unit["idle_kib_per_conn"] = unit["idle_heap_kib_per_conn"] = unit["idle_heap_warm_kib_per_conn"] = "KiB/conn"
      split("small_rps small_p50_ms small_p99_ms small_cpu_us_per_req close_cps close_p99_ms close_cpu_us_per_conn", local, " ")
      for (i = 1; i in local; i++) unit["local_" local[i]] = unit[local[i]]
      split("small_rps small_p50_ms small_p99_ms small_cpu_us_per_req close_cps close_p99_ms close_cpu_us_per_conn " \
            "big_mibps big_cpu_s_per_gib paced_mibps paced_cpu_s_per_gib", tls, " ")
      for (i = 1; i in tls; i++) unit["tls_" tls[i]] = unit[tls[i]]
      unit["churn_cps"] = "conn/s"; unit["churn_cpu_us_per_conn"] = "us/conn"
      unit["ab_plain_cpu_us_per_conn"] = unit["ab_proxy_cpu_us_per_conn"] = "us/conn"; unit["ab_proxy_vs_plain"] = "x"
      unit["ab_single_cpu_us_per_conn"] = unit["ab_pool_cpu_us_per_conn"] = "us/conn"; unit["ab_pool_vs_single"] = "x"
      unit["ws_rtps"] = "rt/s"; unit["ws_p50_ms"] = unit["ws_p99_ms"] = "ms"
      unit["mjpeg_fps_p50"] = unit["mjpeg_fps_p5"] = unit["mjpeg_rendered_fps"] = "frames/s"
      unit["mjpeg_dropped_pct"] = "%"; unit["mjpeg_lag_p50_ms"] = unit["mjpeg_lag_p99_ms"] = "ms"
      unit["mjpeg_cpu_pct"] = "% of a core"
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
        # The local route and WebSocket echo have no proxy on their direct path: the ordinary Jetty connector.
        base = m ~ /^(local|ws)_/ ? "jetty" : "direct"
        for (j = 1; j in targets; j++) {
          t = targets[j]; k = m SUBSEP t
          if (!(k in n)) continue
          hap = t in peer ? peer[t] : "haproxy"
          # tls_X of a TLS target against X of the same proxy in plain HTTP.
          pm = substr(m, 5); pk = pm SUBSEP plain[t]
          printf "%s\t%s\t%s\t%g\t%g\t%g\t%d\t%s\t%s\t%s\t%s\t%s\n", m, unit[m], t, med[k], v[k, 1], v[k, n[k]],
            n[k], ratio(med[k], med[m SUBSEP base]), ratio(med[k], med[m SUBSEP hap]),
            ratio(med[k], med[m SUBSEP t "-base"]), (m ~ /^tls_/ && (t in plain) && (pk in med)) ? ratio(med[k], med[pk]) : "-",
            (t in pair) ? ratio(med[k], med[m SUBSEP pair[t]]) : "-"
        }
      }
    }'
  # wrk's socket errors, timeouts and non-2xx answers, wrong or failed echoes, lost viewers: any would make the
  # figures above suspect.
  awk -F'\t' '$3 ~ /_errors$/ && $4 > 0 { e = e " " $2 "/" $3 "/round" $1 "=" $4 } END { print "# client errors:" (e == "" ? " none" : e) }' "$samples"
} >"$result"

grep '^#' "$result"
grep -v '^#' "$result" | column -t -s $'\t'
cp "$work/logs/wrk.log" "${result%.tsv}.wrk.log"
log "results in ${result#"$root"/}"
