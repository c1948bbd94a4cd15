# Shared by it/setup-test-env.sh and it/build-streamprox-image.sh (sourced, not run).
# Step timing, Docker engine start-up, and cached image builds: every image carries a
# label with a hash of what it was built from, and is rebuilt only when that changes.

export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"   # dockerd, debootstrap, chroot live in sbin
export DOCKER_BUILDKIT=0        # the classic builder: offline-safe, and honours --network host
export DEBIAN_FRONTEND=noninteractive

it_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
repo_root=$(dirname "$it_dir")
log_dir=${STREAMPROX_IT_LOG_DIR:-/tmp/streamprox-it-logs}
mkdir -p "$log_dir"
label_key=org.streamprox.inputs
replaced_images=()   # ids of images a rebuild untagged; removed by remove_replaced_images
tmp_dirs=()          # removed on exit, also when a step fails

cleanup_tmp_dirs() {
  local d
  # --one-file-system: never descend into a /proc or /sys that a failed debootstrap left mounted
  for d in "${tmp_dirs[@]}"; do rm -rf --one-file-system "$d"; done
}
trap cleanup_tmp_dirs EXIT

new_tmp_dir() {  # new_tmp_dir VAR [PARENT]: sets VAR to a fresh directory removed on exit
  local d; d=$(mktemp -d "${2:-${TMPDIR:-/tmp}}/streamprox-it.XXXXXX")
  tmp_dirs+=("$d")
  printf -v "$1" '%s' "$d"
}

say() { echo "[it-setup] $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

now_us() { local t=${EPOCHREALTIME//[!0-9]/}; echo "$t"; }
step_start() { step_name=$1; step_t0=$(now_us); }
step_end() {  # step_end RESULT: prints the step's name, result and duration
  local ms=$(( ($(now_us) - step_t0) / 1000 ))
  printf '[it-setup] %-34s %-11s %d.%03d s\n' "$step_name" "$1" $((ms / 1000)) $((ms % 1000)) >&2
}

# take_lock NAME: waits for, then holds until exit, a lock that serialises runs (two cold
# runs would build the same images twice). Long-lived children must not inherit fd 9.
take_lock() {
  exec 9>"${TMPDIR:-/tmp}/streamprox-it-$1.lock"
  flock 9
}

need_root() { [ "$(id -u)" = 0 ] || die "$1 needs root (apt-get, dockerd, debootstrap); run this script as root."; }

# run_logged NAME CMD...: runs CMD with its output in $log_dir/NAME.log; on failure shows the tail.
run_logged() {
  local log="$log_dir/$1.log"; shift
  if ! "$@" >"$log" 2>&1; then
    say "'$*' failed; last lines of $log:"
    tail -n 25 "$log" >&2
    return 1
  fi
}

ensure_packages() {
  local missing=()
  command -v docker >/dev/null && command -v dockerd >/dev/null || missing+=(docker.io)
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  # Real clients the tests run on this machine: ssh (with a key pair from ssh-keygen) and curl.
  command -v ssh >/dev/null && command -v ssh-keygen >/dev/null || missing+=(openssh-client)
  command -v curl >/dev/null || missing+=(curl)
  if [ ${#missing[@]} -eq 0 ]; then step_end present; return; fi
  need_root "Installing ${missing[*]}"
  run_logged apt-get-update apt-get update
  run_logged apt-get-install apt-get install -y --no-install-recommends "${missing[@]}"
  step_end "installed ${missing[*]}"
}

# Starts dockerd unless an engine already answers. It gets a session of its own so it outlives
# this script. HTTP(S)_PROXY point at a closed local port: an accidental pull fails at once
# with "proxyconnect ... connection refused" and never leaves the machine (the daemon's own
# environment does not reach containers or RUN steps of builds).
ensure_docker() {
  if docker info >/dev/null 2>&1; then step_end running; return; fi
  need_root "Starting the Docker engine"
  local log=/var/log/streamprox-dockerd.log pid i
  HTTP_PROXY=http://127.0.0.1:9 HTTPS_PROXY=http://127.0.0.1:9 NO_PROXY= \
    setsid nohup dockerd --bridge=none --iptables=false --ip6tables=false \
      --storage-driver=overlay2 >"$log" 2>&1 </dev/null 9>&- &
  pid=$!
  for ((i = 0; i < 120; i++)); do   # up to 60 s
    docker info >/dev/null 2>&1 && { step_end "started"; return; }
    if ! kill -0 "$pid" 2>/dev/null; then
      say "dockerd exited during start-up. Its errors (full log: $log):"
      grep -E 'level=(error|fatal)|^failed' "$log" | tail -n 5 >&2 || tail -n 10 "$log" >&2
      die "the Docker engine cannot run here (see the reason above)."
    fi
    sleep 0.5
  done
  tail -n 10 "$log" >&2
  die "dockerd (pid $pid) did not answer 'docker info' within 60 s; log: $log"
}

image_id() { docker image inspect -f '{{.Id}}' "$1" 2>/dev/null || true; }
image_label() { docker image inspect -f "{{index .Config.Labels \"$label_key\"}}" "$1" 2>/dev/null || true; }

# inputs_hash DIR [EXTRA...]: hash of DIR's files, the image its Dockerfile starts FROM (by id),
# and any EXTRA strings.
inputs_hash() {
  local dir=$1; shift
  {
    if [ -f "$dir/Dockerfile" ]; then
      image_id "$(awk 'toupper($1) == "FROM" { print $2; exit }' "$dir/Dockerfile")"
    fi
    (cd "$dir" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
    printf '%s\n' "$@"
  } | sha256sum | cut -c1-64
}

# image_current NAME HASH: true when NAME exists and was built from HASH.
image_current() { [ "$(image_label "$1")" = "$2" ]; }

# remember_replaced NAME: call before rebuilding NAME, so the old image can be removed later.
remember_replaced() {
  local old; old=$(image_id "$1")
  [ -n "$old" ] && replaced_images+=("$old")
  return 0
}

# docker_build NAME HASH CONTEXT: builds CONTEXT/Dockerfile as NAME, labelled with HASH.
# --network host lets RUN apt-get reach the Debian mirror; the FROM image is local, never pulled.
docker_build() {
  remember_replaced "$1"
  run_logged "build-${1//[\/:]/_}" docker build --network host --force-rm \
    --label "$label_key=$2" -t "$1" "$3"
}

# Removes images that rebuilds untagged, newest first so children go before their parents.
# One still used by a container stays; that is harmless.
remove_replaced_images() {
  local i
  for ((i = ${#replaced_images[@]} - 1; i >= 0; i--)); do
    docker rmi "${replaced_images[i]}" >/dev/null 2>&1 || true
  done
  replaced_images=()
}
