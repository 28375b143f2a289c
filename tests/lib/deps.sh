# The Debian packages secretwatch needs to build, test and demo: the one list.
# Sourced by tests/run.sh and contrib/demo.sh; installs what is missing.

SW_DEB_PACKAGES="build-essential cmake pkg-config clang libclang-rt-14-dev
  libcurl4-openssl-dev libssl-dev libjson-c-dev libxml2-dev
  collectd-core collectd-dev collectd-utils
  python3 python3-botocore python3-boto3 awscli openssl curl ca-certificates
  valgrind procps dpkg-dev groff-base systemd
  graphite-carbon python3-whisper libmicrohttpd12 libprotobuf-c1
  nagios4-core ansible-core"

sw_install_deps() {
  local missing=() p
  for p in $SW_DEB_PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
      missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  if [ "$(id -u)" != 0 ]; then
    echo "secretwatch: missing Debian packages: ${missing[*]}" >&2
    echo "secretwatch: run as root, or: apt-get install ${missing[*]}" >&2
    return 1
  fi
  echo "secretwatch: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  # Installing collectd-core must not start a system collectd.
  local policy=/usr/sbin/policy-rc.d had_policy=0
  [ -e "$policy" ] && had_policy=1
  if [ "$had_policy" = 0 ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod 755 "$policy"
  fi
  local rc=0
  apt-get update -qq >/dev/null 2>&1 || apt-get update || rc=$?
  [ "$rc" = 0 ] && { apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    >/dev/null || rc=$?; }
  [ "$had_policy" = 0 ] && rm -f "$policy"
  return "$rc"
}
