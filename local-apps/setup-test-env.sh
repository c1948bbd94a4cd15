#!/usr/bin/env bash
# Installs what the local-apps tests need beyond the JDK: headless Chromium for the browser tests, fontconfig with a
# font so the motion-JPEG demo can draw its clock, and a Prometheus server to scrape the admin listener. Idempotent;
# bin/test runs it before Maven.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../bin/apt.sh"

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# The test runs Debian's binary at this path as a process of its own; the package's service is not used.
[ -x /usr/bin/prometheus ] || missing+=(prometheus)
command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list 2>/dev/null | head -n 1)" ] || missing+=(fontconfig fonts-dejavu-core)
[ ${#missing[@]} -eq 0 ] && exit 0
streamprox_apt_install "the local-apps tests" "${missing[@]}"
