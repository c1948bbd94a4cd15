# Sourced by StreamProx scripts after bin/jdk.sh: builds the runnable jar, and the engine's test jar with the test
# kit the soak uses, when either is missing or older than a source or build file.
#   streamprox_build    sets STREAMPROX_JAR and STREAMPROX_TESTKIT_JAR

streamprox_testkit_jar() {  # prints the engine's test jar, or nothing
  ls "$1"/proxy/target/streamprox-proxy-*-tests.jar 2>/dev/null | head -n 1
}

streamprox_build() {
  local root newest
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
  STREAMPROX_JAR="$root/demos/target/streamprox.jar"
  newest=$(find "$root/pom.xml" "$root"/{proxy,local-apps,demos}/pom.xml "$root"/{proxy,local-apps,demos}/src/main \
    "$root/proxy/src/test/java/org/streamprox/testkit" -type f -newer "$STREAMPROX_JAR" 2>/dev/null | head -n 1 || true)
  if [ ! -f "$STREAMPROX_JAR" ] || [ -z "$(streamprox_testkit_jar "$root")" ] || [ -n "$newest" ]; then
    streamprox_require_maven || return 1
    echo "Building $STREAMPROX_JAR (with $JAVA_HOME) ..." >&2
    # Maven 3.8 writes colour resets even in quiet batch mode: strip them so a terminal shows plain text.
    mvn -q -B -f "$root/pom.xml" -pl demos -am -DskipTests package 2>&1 | sed $'s/\e\\[[0-9;]*m//g' >&2
  fi
  STREAMPROX_TESTKIT_JAR=$(streamprox_testkit_jar "$root")
}
