#!/bin/sh
# The Debian package (cmake/Packaging.cmake): cpack builds the .deb from the
# build tree; dpkg-deb -c shows the plugin in /usr/lib/collectd, the
# provisioner in /usr/bin, both man pages, the docs and contrib in
# /usr/share/doc/secretwatch and nothing else; dpkg installs it into a
# private root (dpkg --root, never the machine's /usr); `collectd -T` loads
# the plugin from that root's /usr/lib/collectd (a regular file, as
# PluginDir requires) against tests/awssim and refuses a bad value with it;
# removal and purge leave nothing behind (purge also removes the state).
# Usage: package.sh /path/to/secretwatch.so (the build's; SW_BUILD_DIR: the
# build tree). Exit: 0 pass, 1 fail, 77 skipped.
set -u

SO=${1:?usage: package.sh /path/to/secretwatch.so}
SRC=${SW_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BUILD=${SW_BUILD_DIR:?SW_BUILD_DIR (the build tree) is not set}
. "$SRC/tests/lib/swharness.sh"

for tool in cpack dpkg-deb dpkg; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "skip: $tool missing (Debian cmake / dpkg)"
    exit 77
  fi
done
if ! command -v dpkg-shlibdeps >/dev/null 2>&1; then
  echo "skip: dpkg-shlibdeps missing (Debian dpkg-dev)"
  exit 77
fi
sw_need_collectd
# The package is what ships: a sanitizer build is not one (its plugin needs
# libasan, which the package does not depend on and collectd cannot load).
if sw_is_asan "$SO"; then
  sw_skip "$SO is an AddressSanitizer build; only a normal build is packaged"
fi
if [ ! -f "$BUILD/CPackConfig.cmake" ]; then
  echo "FAIL: $BUILD/CPackConfig.cmake missing (cmake/Packaging.cmake not included)"
  exit 1
fi

sw_work sw-eco-package

passes=0
fails=0
ok() { echo "ok   $1"; passes=$((passes + 1)); }
fail() { echo "FAIL $1"; fails=$((fails + 1)); }
check() { # check DESCRIPTION COMMAND...
  what=$1
  shift
  if "$@"; then ok "$what"; else fail "$what"; fi
}

# ---- build the package ----
if ! (cd "$BUILD" && timeout 240 cpack -G DEB -B "$WORK/out" \
        --config "$BUILD/CPackConfig.cmake") >"$WORK/cpack.log" 2>&1; then
  cat "$WORK/cpack.log"
  echo "FAIL: cpack -G DEB failed"
  exit 1
fi
DEB=$(ls "$WORK"/out/secretwatch_*.deb 2>/dev/null | head -n 1)
if [ -z "$DEB" ]; then
  cat "$WORK/cpack.log"
  echo "FAIL: no secretwatch_*.deb produced"
  exit 1
fi
ok "cpack -G DEB built $(basename "$DEB")"

# ---- contents ----
dpkg-deb -c "$DEB" | awk '{print $1 " " $6}' >"$WORK/contents"
has() { grep -q " \./$1\$" "$WORK/contents"; }
for path in usr/lib/collectd/secretwatch.so usr/bin/secretwatch-provision \
            usr/share/man/man5/secretwatch.5 \
            usr/share/man/man1/secretwatch-provision.1 \
            usr/share/doc/secretwatch/collectd.conf.example \
            usr/share/doc/secretwatch/README.md \
            usr/share/doc/secretwatch/contrib/grafana/secretwatch-dashboard.json \
            usr/share/doc/secretwatch/contrib/graphite/storage-schemas.conf \
            usr/share/doc/secretwatch/contrib/systemd/secretwatch.conf; do
  check "dpkg-deb -c lists /$path" has "$path"
done
outside=$(awk '{print $2}' "$WORK/contents" |
  grep -v -e '^\./$' -e '^\./usr/$' -e '^\./usr/lib/$' -e '^\./usr/lib/collectd/' \
    -e '^\./usr/bin/' -e '^\./usr/share/$' -e '^\./usr/share/man/' \
    -e '^\./usr/share/doc/$' -e '^\./usr/share/doc/secretwatch/')
if [ -z "$outside" ]; then ok "nothing outside the expected directories"
else fail "unexpected paths: $outside"; fi
if grep -q -e '__pycache__' -e '\.pyc$' -e '/usr/local/' "$WORK/contents"; then
  fail "caches or /usr/local paths in the package"
else
  ok "no caches, no /usr/local"
fi
if grep -q '^-rwxr-xr-x \./usr/bin/secretwatch-provision$' "$WORK/contents"; then
  ok "/usr/bin/secretwatch-provision is 0755"
else fail "/usr/bin/secretwatch-provision mode"; fi
deps=$(dpkg-deb -f "$DEB" Depends)
case "$deps" in
  *collectd-core*libcurl*) ok "Depends: $deps" ;;
  *) fail "Depends lacks collectd-core or the shared libraries: $deps" ;;
esac
if dpkg-deb -I "$DEB" postinst 2>/dev/null | grep -q '^[^#]*ldconfig'; then
  fail "postinst calls ldconfig"
else ok "no ldconfig call in the maintainer scripts"; fi

# ---- install into a private root ----
ROOT="$WORK/root"
mkdir -p "$ROOT/var/lib/dpkg/info" "$ROOT/var/lib/dpkg/updates" \
         "$ROOT/var/lib/dpkg/triggers"
: >"$ROOT/var/lib/dpkg/status"
: >"$ROOT/var/lib/dpkg/available"
DPKG="dpkg --root=$ROOT --log=$WORK/dpkg.log --force-script-chrootless"
if $DPKG --force-depends -i "$DEB" >"$WORK/dpkg-i.log" 2>&1; then
  ok "dpkg --root installs the package"
else
  cat "$WORK/dpkg-i.log"
  fail "dpkg --root -i"
fi
if $DPKG -s secretwatch 2>/dev/null | grep -q '^Status: install ok installed'; then
  ok "dpkg -s: install ok installed"
else fail "dpkg -s status"; fi
PLUGIN="$ROOT/usr/lib/collectd/secretwatch.so"
if [ -f "$PLUGIN" ] && [ ! -L "$PLUGIN" ]; then
  ok "the plugin is a regular file in the root's /usr/lib/collectd"
else fail "the plugin is missing or a symlink"; fi
if "$ROOT/usr/bin/secretwatch-provision" --help >"$WORK/help.txt" 2>&1 &&
   grep -qi 'usage' "$WORK/help.txt"; then
  ok "the installed secretwatch-provision --help runs"
else
  cat "$WORK/help.txt"
  fail "secretwatch-provision --help"
fi
if command -v groff >/dev/null 2>&1; then
  check "the installed secretwatch(5) renders" \
    groff -man -z "$ROOT/usr/share/man/man5/secretwatch.5"
fi

# ---- collectd -T loads the installed plugin ----
write_conf() { # write_conf FILE ACCOUNT_OPTIONS
  cat >"$1" <<CONF
Hostname "swtest"
BaseDir "$WORK/base"
PIDFile "$WORK/collectd.pid"
PluginDir "$ROOT/usr/lib/collectd"
TypesDB "/usr/share/collectd/types.db"
Interval 10
LoadPlugin secretwatch
<Plugin secretwatch>
  <Account "prod">
    Region "us-east-1"
$2
    <Secret "TopSecretInfo">
      Mode "honeytoken"
    </Secret>
  </Account>
</Plugin>
CONF
}
if sw_start_sim; then
  write_conf "$WORK/good.conf" "    EndpointURL \"$EP\"
    CAFile \"$CA\"
    Timeout 5"
  if AWS_ACCESS_KEY_ID=$SW_KEY AWS_SECRET_ACCESS_KEY=$SW_SECRET_KEY \
     sw_collectd "$SO" 60 -T -C "$WORK/good.conf" >"$WORK/T.log" 2>&1 &&
     [ -f "$WORK/base/secretwatch/prod.json" ]; then
    ok "collectd -T with PluginDir in the root: exit 0, state file written"
  else
    cat "$WORK/T.log"
    fail "collectd -T with the installed plugin"
  fi
else
  cat "$WORK/sim.log"
  fail "tests/awssim did not start"
fi
write_conf "$WORK/bad.conf" "    Timeout 0"
if sw_collectd "$SO" 60 -T -C "$WORK/bad.conf" >"$WORK/bad.log" 2>&1; then
  fail "collectd -T accepted Timeout 0 with the installed plugin"
elif grep -q '"Timeout"' "$WORK/bad.log"; then
  ok "collectd -T with the installed plugin refuses Timeout 0, naming it"
else
  cat "$WORK/bad.log"
  fail "collectd -T bad config: no line naming Timeout"
fi

# ---- remove, purge ----
if $DPKG -r secretwatch >"$WORK/dpkg-r.log" 2>&1; then
  ok "dpkg --root -r removes the package"
else
  cat "$WORK/dpkg-r.log"
  fail "dpkg -r"
fi
left=$(find "$ROOT" -path "$ROOT/var/lib/dpkg" -prune -o ! -type d -print)
if [ -z "$left" ]; then ok "no file left in the root after removal"
else fail "left after removal: $left"; fi
if [ -z "$(find "$ROOT/usr" -mindepth 1 2>/dev/null)" ]; then
  ok "no directory left under the root's /usr"
else fail "left under /usr: $(find "$ROOT/usr" -mindepth 1 | head)"; fi
# purge removes the plugin's state files
mkdir -p "$ROOT/var/lib/collectd/secretwatch"
echo '{}' >"$ROOT/var/lib/collectd/secretwatch/prod.json"
if $DPKG -P secretwatch >"$WORK/dpkg-P.log" 2>&1 &&
   [ ! -e "$ROOT/var/lib/collectd/secretwatch" ]; then
  ok "dpkg -P purges the state directory"
else
  cat "$WORK/dpkg-P.log"
  fail "purge left /var/lib/collectd/secretwatch"
fi
if $DPKG -s secretwatch >/dev/null 2>&1; then
  fail "dpkg still knows secretwatch after purge"
else ok "dpkg -s: not installed after purge"; fi

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
