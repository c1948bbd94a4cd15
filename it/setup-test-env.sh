#!/usr/bin/env bash
# Prepares this machine for the container integration tests (run by bin/test before Maven):
# installs Docker, debootstrap, the OpenSSH client and curl if missing, starts dockerd if no engine
# answers, and builds the test images unless current ones are present. Safe to run again; a warm
# run takes ~1 s.
#   it/setup-test-env.sh [--without-streamprox]
# --without-streamprox skips the image of the packaged jar (it/build-streamprox-image.sh).
# Images: streamprox/base:bookworm, streamprox/nginx:it, streamprox/websocketd:it,
# streamprox/sshd:it, streamprox/smtp:it, streamprox/jre:it, streamprox/streamprox:it.
# See it/README-containers.md.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/docker/lib.sh"

suite=bookworm
base_image=streamprox/base:$suite

take_lock setup

# Prints "URI SUITE" for each apt source of this machine that serves $1 or $1-*
# (e.g. "http://deb.debian.org/debian bookworm"), from one-line and deb822 source files.
apt_sources_for() {
  local files=() f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] && files+=("$f")
  done
  [ ${#files[@]} -gt 0 ] || return 0
  awk -v want="$1" '
    function emit(uri, s) {
      if ((s == want || index(s, want "-") == 1) && !seen[uri " " s]++) print uri, s
    }
    function flush(   nu, ns, u, s, U, S) {
      if (types ~ /(^| )deb( |$)/ && enabled != "no") {
        nu = split(uris, U, " "); ns = split(suites, S, " ")
        for (u = 1; u <= nu; u++) for (s = 1; s <= ns; s++) emit(U[u], S[s])
      }
      types = uris = suites = enabled = ""
    }
    FNR == 1 { flush() }
    /^[ \t]*#/ { next }
    FILENAME ~ /\.list$/ { if ($1 == "deb") { sub(/\[[^]]*\]/, ""); emit($2, $3) } next }
    /^[ \t]*$/ { flush(); next }
    tolower($1) == "types:"   { $1 = ""; types = $0 }
    tolower($1) == "uris:"    { $1 = ""; uris = $0 }
    tolower($1) == "suites:"  { $1 = ""; suites = $0 }
    tolower($1) == "enabled:" { enabled = tolower($2) }
    END { flush() }
  ' "${files[@]}"
}

# build_base SOURCES HASH: debootstraps a minimal Debian from the machine's own mirror, slims it and
# imports it labelled with HASH. SOURCES are the "URI SUITE" lines written to the image's sources.list.
build_base() {
  local sources=$1 mirror tree
  mirror=$(awk -v s="$suite" '$2 == s { print $1; exit }' <<<"$sources")
  new_tmp_dir tree /var/tmp   # not /tmp: that may be a small tmpfs
  run_logged debootstrap debootstrap --variant=minbase "$suite" "$tree" "$mirror"
  awk '{ print "deb", $1, $2, "main" }' <<<"$sources" >"$tree/etc/apt/sources.list"
  install -m 755 "$it_dir/docker/base/policy-rc.d" "$tree/usr/sbin/policy-rc.d"
  install -m 644 "$it_dir/docker/base/dpkg-excludes" "$tree/etc/dpkg/dpkg.cfg.d/streamprox-excludes"
  install -m 644 "$it_dir/docker/base/apt.conf" "$tree/etc/apt/apt.conf.d/90streamprox"
  rm -rf "$tree"/var/lib/apt/lists/* "$tree"/var/cache/apt/* "$tree"/var/cache/debconf/*-old \
    "$tree"/usr/share/man/* "$tree"/usr/share/info/* \
    "$tree"/usr/share/lintian "$tree"/var/log/*.log \
    "$tree"/var/log/apt/* "$tree"/tmp/* "$tree"/etc/machine-id
  find "$tree/usr/share/doc" -type f ! -name copyright -delete
  find "$tree/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name locale.alias -exec rm -rf {} +
  tar -C "$tree" --numeric-owner -c . | docker import \
    --change "LABEL $label_key=$2" \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["bash"]' - "$base_image" >/dev/null
}

# Links a small Java runtime from the build JDK and builds streamprox/jre:it around it.
build_jre() {
  local hash=$1 ctx modules
  new_tmp_dir ctx
  cp "$it_dir/docker/jre/Dockerfile" "$ctx/"
  modules=$(sed 's/#.*//' "$it_dir/docker/jre/modules" | xargs | tr ' ' ',')
  run_logged jlink "$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug \
    --no-header-files --no-man-pages --compress=zip-6 --generate-cds-archive --output "$ctx/java"
  docker_build streamprox/jre:it "$hash" "$ctx"
}

build_from_dir() {  # build_from_dir NAME DIR: a plain Dockerfile image from it/docker/DIR
  local hash; hash=$(inputs_hash "$it_dir/docker/$2")
  if image_current "$1" "$hash"; then step_end current; return; fi
  docker_build "$1" "$hash" "$it_dir/docker/$2"
  step_end built
}

with_app=true
case "${1:-}" in
  --without-streamprox) with_app=false ;;
  "") ;;
  *) die "unknown option $1 (usage: $0 [--without-streamprox])" ;;
esac

total_t0=$(now_us)

step_start "host packages"
ensure_packages

step_start "docker engine"
ensure_docker

step_start "image $base_image"
sources=$(apt_sources_for "$suite")
if ! grep -q " $suite\$" <<<"$sources"; then
  sources="http://deb.debian.org/debian $suite"
  say "no apt source of this machine serves '$suite'; using $sources"
fi
base_hash=$(inputs_hash "$it_dir/docker/base" "$sources" "$(declare -f build_base)")
if image_current "$base_image" "$base_hash"; then
  step_end current
else
  need_root "Building $base_image (debootstrap)"
  remember_replaced "$base_image"
  build_base "$sources" "$base_hash"
  step_end built
fi

step_start "image streamprox/nginx:it"
build_from_dir streamprox/nginx:it nginx

step_start "image streamprox/websocketd:it"
build_from_dir streamprox/websocketd:it websocketd

step_start "image streamprox/sshd:it"
build_from_dir streamprox/sshd:it sshd

step_start "image streamprox/smtp:it"
build_from_dir streamprox/smtp:it smtp

step_start "image streamprox/jre:it"
. "$repo_root/bin/jdk.sh"
streamprox_find_jdk
[ -x "$JAVA_HOME/bin/jlink" ] || die "the JDK at $JAVA_HOME has no jlink; a full JDK 21+ is needed."
jre_hash=$(inputs_hash "$it_dir/docker/jre" "$(cat "$JAVA_HOME/release")" "$(declare -f build_jre)")
if image_current streamprox/jre:it "$jre_hash"; then
  step_end current
else
  build_jre "$jre_hash"
  step_end built
fi

remove_replaced_images

if $with_app; then
  bash "$it_dir/build-streamprox-image.sh"
fi

ms=$(( ($(now_us) - total_t0) / 1000 ))
say "test environment ready in $((ms / 1000)).$(printf '%03d' $((ms % 1000))) s (logs: $log_dir)"
