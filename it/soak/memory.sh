#!/usr/bin/env bash
# The proxy's memory against idle connections, for docs/operations.md ("Memory"): StreamProx as bin/streamprox runs
# it (STREAMPROX_JAVA_OPTS is passed on) in front of the soak's loopback upstream; first COUNTS connections holding
# half a head, then, in a fresh proxy, COUNTS tunnels to the upstream, each step measured once the proxy has been
# idle 15 s. A tunnel takes two of the proxy's descriptors: keep 2 x COUNT under `ulimit -n`.
#   it/soak/memory.sh [COUNT...]      default 1000 5000 9000
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
. "$root/bin/jdk.sh"
. "$root/bin/build.sh"
streamprox_find_jdk
streamprox_build
counts=("$@")
[ ${#counts[@]} -gt 0 ] || counts=(1000 5000 9000)
. "$here/lib.sh"
start_upstream

for kind in heads tunnels; do
  start_proxy "$here/memory.yaml" "$work/proxy-$kind.log"
  "${soak[@]}" idle "$proxy_port" "$proxy_pid" "$kind" "${counts[@]}"
  kill -TERM "$proxy_pid"
  wait "$proxy_pid" || true
done
