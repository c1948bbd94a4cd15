# Sourced by the setup-test-env.sh scripts: installs Debian packages, as root or through sudo.
#   streamprox_apt_install "WHAT FOR" PACKAGE...

streamprox_apt_install() {
  local purpose=$1 sudo=()
  shift
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "$purpose need: $*. Install them with your package manager (no apt-get here)." >&2
    return 1
  fi
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || { echo "installing $* needs root or sudo" >&2; return 1; }
    sudo=(sudo)
  fi
  echo "Installing for $purpose: $*" >&2
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq "$@" >&2
}
