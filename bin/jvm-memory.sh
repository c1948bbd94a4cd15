# Sourced by bin/streamprox and by the container image's entry point (POSIX sh): the JVM's memory settings, chosen by
# measurement in docs/operations.md ("Memory").
#   streamprox_memory_settings JAVA    sets STREAMPROX_MEMORY_OPTS for that java and exports MALLOC_ARENA_MAX
# The options go before STREAMPROX_JAVA_OPTS on the command line, so an operator's own choice of each wins. The proxy
# itself turns on G1's periodic collection (when nobody chose an interval), which shrinks the heap when idle.

streamprox_memory_settings() {
  # A bound of its own rather than a quarter of the machine; a heap that starts small rather than at 1/64 of the
  # machine. When the proxy has collected nothing for the periodic interval, G1 collects in full, which shrinks the
  # heap back to what is live (plus G1's default 70 % free at most) at once; a concurrent collection would shrink it
  # over several intervals. Lower free ratios kept the heap so small under load that G1 marked it over and over.
  STREAMPROX_MEMORY_OPTS="-Xms16m -Xmx512m -XX:-G1PeriodicGCInvokesConcurrent"
  # G1 also where the JVM would pick Serial (one CPU, or under 1792 MB), unless the operator picked a collector.
  case " ${STREAMPROX_JAVA_OPTS:-} " in
    *" -XX:+UseSerialGC "* | *" -XX:+UseParallelGC "* | *" -XX:+UseG1GC "* | *" -XX:+UseZGC "* \
      | *" -XX:+UseShenandoahGC "* | *" -XX:+UseEpsilonGC "*) ;;
    *) STREAMPROX_MEMORY_OPTS="-XX:+UseG1GC $STREAMPROX_MEMORY_OPTS" ;;
  esac
  # Give freed native memory back every 10 s: JDK 21.0.4+ and 22+ (older 21 updates lack it or keep it experimental).
  if "$1" -XX:TrimNativeHeapInterval=10000 -version >/dev/null 2>&1; then
    STREAMPROX_MEMORY_OPTS="$STREAMPROX_MEMORY_OPTS -XX:TrimNativeHeapInterval=10000"
  fi
  # glibc's malloc would keep up to 8 arenas per core, each holding on to memory it once needed.
  MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2}
  export MALLOC_ARENA_MAX
}
