#!/usr/bin/env bash
# Soak test: StreamProx as bin/streamprox runs it (the jar, rebuilt when older than its sources, with the launcher's
# memory settings) in front of a loopback upstream, under a mixed workload (short requests, requests to a local app,
# checksummed bulk transfers both ways, upgraded echo connections, slowloris and abusive clients) for N minutes after
# a 10 s warm-up; then a 15 s flood of new connections and a quiet minute. The proxy's heap, resident memory,
# descriptors, threads and the error counts go to a TSV once a second.
# Fails on any lost byte or unexpected answer, on growth without bound (last quarter's median against the second
# quarter's), if descriptors do not come back after the load, if resident memory a minute after the flood is more
# than 25 % above its pre-load value (taken after the warm-up, once its connections have closed), on an ERROR in the
# proxy's log, or an unclean stop. STREAMPROX_JAVA_OPTS, if set, is passed on (after the launcher's settings).
#   it/soak/run.sh [--minutes N]      default 10; 1 when CI=true
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/bin/jdk.sh"
. "$root/bin/build.sh"
streamprox_find_jdk

minutes=10
[ "${CI:-}" = true ] && minutes=1
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) minutes="$2"; shift 2 ;;
    *) echo "usage: $0 [--minutes N]" >&2; exit 2 ;;
  esac
done

streamprox_build
# The soak speaks HTTP with the same test kit as the other tests.
. "$here/lib.sh"
start_upstream
start_proxy "$here/soak.yaml" "$work/proxy.log"

echo "soak: ${minutes} min, proxy pid $proxy_pid on port $proxy_port, upstream port $upstream_port, files in $work"
verdict=0
"${soak[@]}" drive "$proxy_port" "$proxy_pid" $((minutes * 60)) "$work/samples.tsv" || verdict=1

kill -TERM "$proxy_pid"
stop_status=0
wait "$proxy_pid" || stop_status=$?
if [ "$stop_status" -ne 0 ]; then
  echo "proxy exited with $stop_status after SIGTERM" >&2
  verdict=1
fi
if grep -q ' ERROR ' "$work/proxy.log"; then
  echo "errors in the proxy's log:" >&2
  grep ' ERROR ' "$work/proxy.log" | head -n 20 >&2
  verdict=1
fi
echo "samples: $work/samples.tsv"
# The plain closing line CI reads, whatever else ran before.
[ "$verdict" -eq 0 ] && echo "soak: 1 passed, 0 failed" || echo "soak: 0 passed, 1 failed"
exit "$verdict"
