#!/usr/bin/env bash
# Runs the 'example4' demo on port 8080: see example4.yaml for what to open or curl.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/run-demo.sh"
run_demo example4 "$@"
