#!/usr/bin/env bash
# Installs what the demos module's tests need beyond the JDK that builds: a Java older than 21, to show that the
# bare jar explains itself there (BareJarIT). Idempotent; bin/test runs it before Maven.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../bin/apt.sh"

for release in /usr/lib/jvm/*/release; do
  [ -f "$release" ] || continue
  major=$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$release")
  [ -n "$major" ] && [ "$major" -lt 21 ] && [ -x "$(dirname "$release")/bin/java" ] && exit 0
done
streamprox_apt_install "the demos tests (a Java older than 21)" openjdk-17-jre-headless
