#!/usr/bin/env bash
# Runs the 'echo' demo on port 8080 (see echo.yaml), after starting its remote WebSocket echo server, a second
# StreamProx on localhost:9001, as a separate process that stops with the demo.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/run-demo.sh"

# Its lines are marked, so the two processes' logs (each with its own connection numbers) can be told apart.
"$streamprox" --config "$demos/echo-server.yaml" > >(sed -u 's/^/[echo-server :9001] /') 2>&1 &
echo_server=$!
trap 'kill "$echo_server" 2>/dev/null; wait "$echo_server" 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do
  (exec 3<>/dev/tcp/127.0.0.1/9001) 2>/dev/null && break
  kill -0 "$echo_server" 2>/dev/null || { echo "the echo server did not start" >&2; exit 1; }
  sleep 0.2
done
run_demo echo "$@"
