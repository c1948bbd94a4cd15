#!/bin/sh
# The image's entry point: java with StreamProx's memory settings (bin/jvm-memory.sh, copied next to this file),
# then STREAMPROX_JAVA_OPTS, whose options win where both set one, then the jar with the container's arguments.
# exec: java becomes the container's main process and gets its SIGTERM.
. /opt/streamprox/jvm-memory.sh
streamprox_memory_settings java
# shellcheck disable=SC2086 # options are words
exec java $STREAMPROX_MEMORY_OPTS ${STREAMPROX_JAVA_OPTS:-} -jar /opt/streamprox/streamprox.jar "$@"
