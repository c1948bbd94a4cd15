#!/usr/bin/env bash
# Runs the 'mjpeg' demo on port 8080: see mjpeg.yaml for what to open or curl.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/run-demo.sh"
run_demo mjpeg "$@"
