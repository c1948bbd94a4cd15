#!/usr/bin/env bash
# Runs the 'ws-echo' demo on port 8080: see ws-echo.yaml for what to open or curl.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/run-demo.sh"
run_demo ws-echo "$@"
