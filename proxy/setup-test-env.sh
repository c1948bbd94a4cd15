#!/usr/bin/env bash
# Installs the real peers the proxy module's tests run beyond the JDK: HAProxy in front of StreamProx and nginx
# (with its stream module) behind it for the PROXY protocol, and the openssl, curl and ssh clients. The tests fail,
# not skip, when one is missing. Idempotent; bin/test runs it before Maven.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/../bin/apt.sh"

# The tests run these paths, which are Debian's; they need not be on a user's PATH.
missing=()
[ -x /usr/sbin/haproxy ] || missing+=(haproxy)
[ -x /usr/sbin/nginx ] || missing+=(nginx)
[ -f /usr/lib/nginx/modules/ngx_stream_module.so ] || missing+=(libnginx-mod-stream)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
command -v curl >/dev/null 2>&1 || missing+=(curl)
command -v ssh >/dev/null 2>&1 || missing+=(openssh-client)
[ ${#missing[@]} -eq 0 ] && exit 0
streamprox_apt_install "the proxy tests" "${missing[@]}"
