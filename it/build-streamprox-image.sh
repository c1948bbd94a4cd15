#!/usr/bin/env bash
# Builds streamprox/streamprox:it: the packaged jar on the jlink runtime of streamprox/jre:it.
# Rebuilt only when the jar's content changes (the image is labelled with its hash); the image
# it replaces is removed. Called at the end of it/setup-test-env.sh, and meant for Maven's
# pre-integration-test phase, once the jar exists.
#   it/build-streamprox-image.sh [JAR]     (default: demos/target/streamprox.jar)
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/docker/lib.sh"

image=streamprox/streamprox:it
jar=${1:-$repo_root/demos/target/streamprox.jar}

step_start "image $image"
if [ ! -f "$jar" ]; then
  step_end skipped
  say "no jar at $jar yet; 'mvn package' makes demos/target/streamprox.jar, after which"
  say "Maven's it module (or you) runs it/build-streamprox-image.sh."
  exit 0
fi

# Without an engine or the runtime image (e.g. Maven run without bin/test), prepare them first.
if ! docker image inspect streamprox/jre:it >/dev/null 2>&1; then
  bash "$it_dir/setup-test-env.sh" --without-streamprox
  step_start "image $image"
fi

take_lock app-image

# The entry point sources the launcher's memory settings, so they are an input too.
hash=$(inputs_hash "$it_dir/docker/streamprox" "$(sha256sum <"$jar")" "$(sha256sum <"$repo_root/bin/jvm-memory.sh")")
if image_current "$image" "$hash"; then
  step_end current
  exit 0
fi
new_tmp_dir ctx
cp "$it_dir/docker/streamprox/Dockerfile" "$it_dir/docker/streamprox/entrypoint.sh" "$repo_root/bin/jvm-memory.sh" "$ctx/"
cp "$jar" "$ctx/streamprox.jar"
docker_build "$image" "$hash" "$ctx"
remove_replaced_images
step_end built
