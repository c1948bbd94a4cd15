# Sourced by the demo launchers: runs StreamProx with one of the YAML files next to this script.
demos=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
streamprox="$demos/../bin/streamprox"

run_demo() {  # run_demo NAME [extra streamprox arguments]
  local name=$1
  shift
  echo "StreamProx demo '$name' ($demos/$name.yaml) on 127.0.0.1 only (--listen 0.0.0.0:8080 to serve other" \
    "machines); stop it with Ctrl-C." >&2
  "$streamprox" --config "$demos/$name.yaml" "$@"
}
