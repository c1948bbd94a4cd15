# Sourced by StreamProx scripts: finds a JDK >= 21 and exports JAVA_HOME and PATH.
# Order: JAVA_HOME if it is new enough, then every JDK under /usr/lib/jvm and
# /opt (newest first), then the `java` on PATH.

streamprox_java_major() {  # prints the feature version of the java binary $1, or nothing
  "$1" -XshowSettings:properties -version 2>&1 \
    | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}

streamprox_find_jdk() {
  local candidates=() home major
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  for home in $(ls -d /usr/lib/jvm/*/ /opt/*jdk*/ /opt/java/*/ 2>/dev/null | sort -rV); do
    candidates+=("${home%/}")
  done
  if command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for home in "${candidates[@]}"; do
    [ -x "$home/bin/java" ] && [ -x "$home/bin/javac" ] || continue
    major=$(streamprox_java_major "$home/bin/java")
    if [ -n "$major" ] && [ "$major" -ge 21 ]; then
      export JAVA_HOME="$home"
      export PATH="$JAVA_HOME/bin:$PATH"
      # Maven 3.8's bundled Guava calls sun.misc.Unsafe, which JDK 24+ warns about on every run.
      if [ "$major" -ge 24 ]; then
        export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
      fi
      return 0
    fi
  done
  {
    echo "StreamProx needs a JDK 21 or newer, and none was found."
    echo "Looked at: JAVA_HOME (${JAVA_HOME:-unset}), /usr/lib/jvm/*, /opt/*jdk*, and the java on PATH."
    echo "Install one (for example Temurin 21 or 25, or 'apt-get install openjdk-21-jdk' where your"
    echo "distribution has it) or point JAVA_HOME at it, then run this command again."
  } >&2
  return 1
}

streamprox_require_maven() {
  command -v mvn >/dev/null 2>&1 && return 0
  echo "StreamProx builds with Apache Maven 3.8+, and 'mvn' is not on PATH." >&2
  echo "Install it (for example 'apt-get install maven') and run this command again." >&2
  return 1
}
