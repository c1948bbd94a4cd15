# Shared by it/soak/run.sh and it/soak/memory.sh: the soak's loopback upstream and StreamProx as bin/streamprox runs
# it in front of it, each in the background, killed when the script exits. Source after streamprox_build.

soak_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
soak=(java -cp "$STREAMPROX_TESTKIT_JAR" "$soak_dir/Soak.java")
work=$(mktemp -d "${TMPDIR:-/tmp}/streamprox-soak.XXXXXX")
pids=()
trap 'for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done' EXIT

# Waits up to 30 s for the first line of FILE that matches REGEX and prints its first capture group.
await_line() {
  local file=$1 regex=$2
  for _ in $(seq 300); do
    if [ -s "$file" ] && grep -qE "$regex" "$file"; then
      sed -nE "s/.*$regex.*/\1/p" "$file" | head -n 1
      return 0
    fi
    sleep 0.1
  done
  echo "nothing like /$regex/ in $file after 30 s:" >&2
  cat "$file" >&2
  return 1
}

# Starts the upstream; sets upstream_port.
start_upstream() {
  "${soak[@]}" upstream >"$work/upstream.out" 2>&1 &
  pids+=($!)
  upstream_port=$(await_line "$work/upstream.out" '^([0-9]+)$')
}

# start_proxy CONFIG LOG: starts the proxy with CONFIG (UPSTREAM_PORT filled in) on a free port; sets proxy_pid (the
# JVM's, as bin/streamprox execs java) and proxy_port. STREAMPROX_JAVA_OPTS, if set, is passed on.
start_proxy() {
  sed "s/UPSTREAM_PORT/$upstream_port/g" "$1" >"$work/$(basename "$1")"
  STREAMPROX_JAVA_OPTS="${STREAMPROX_JAVA_OPTS:-} -Dlogback.configurationFile=$soak_dir/logback-soak.xml" \
    "$root/bin/streamprox" --config "$work/$(basename "$1")" --listen 127.0.0.1:0 >"$2" 2>&1 &
  proxy_pid=$!
  pids+=("$proxy_pid")
  proxy_port=$(await_line "$2" 'listening on 127\.0\.0\.1:([0-9]+)')
}
