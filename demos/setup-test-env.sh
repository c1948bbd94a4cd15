#!/usr/bin/env bash
# Installs what the demos module's tests need beyond the JDK that builds: a Java older than 21, to show that the
# bare jar explains itself there (BareJarIT). Idempotent; bin/test runs it before Maven.
set -euo pipefail

for release in /usr/lib/jvm/*/release; do
  [ -f "$release" ] || continue
  major=$(sed -n 's/^JAVA_VERSION="\([0-9][0-9]*\).*/\1/p' "$release")
  [ -n "$major" ] && [ "$major" -lt 21 ] && [ -x "$(dirname "$release")/bin/java" ] && exit 0
done

if ! command -v apt-get >/dev/null 2>&1; then
  echo "demos tests need a Java older than 21 under /usr/lib/jvm (e.g. OpenJDK 17); no apt-get here." >&2
  exit 1
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "installing openjdk-17-jre-headless needs root or sudo" >&2; exit 1; }
  sudo=(sudo)
fi
echo "Installing for the demos tests: openjdk-17-jre-headless" >&2
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq openjdk-17-jre-headless >&2
