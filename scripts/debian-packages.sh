# Sourced by mailstack.sh, sambadc.sh and pgstack.sh: installs the Debian
# packages a private test server needs, once, however many test binaries
# ask at the same moment. The sourcing script defines die and log, and may
# define deb_preinstall (run as root just before apt-get, e.g. debconf
# answers).

# deb_missing PACKAGE...: prints the packages that are not installed.
deb_missing() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || echo "$p"
  done
}

# deb_install LOCK PACKAGE...: installs the missing packages (as root),
# holding the flock LOCK so that parallel callers install only once, with
# the packages' scripts kept from starting system-wide daemons on all
# interfaces (containers often have such a policy-rc.d already).
deb_install() {
  local lock=$1 missing
  shift
  missing=$(deb_missing "$@" | tr '\n' ' ')
  [ -z "${missing// /}" ] && return 0
  [ "$(id -u)" = 0 ] || die "packages missing ($missing) and not root"
  exec 9>"$lock"
  flock -w 900 9 || die "timed out waiting for $lock"
  missing=$(deb_missing "$@" | tr '\n' ' ')
  if [ -z "${missing// /}" ]; then exec 9>&-; return 0; fi
  log "installing $missing"
  local made_policy=0 out rc=0 t0=$SECONDS
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; made_policy=1
  fi
  if declare -F deb_preinstall >/dev/null; then deb_preinstall; fi
  out=$(mktemp)
  {
    apt-get -q -o DPkg::Lock::Timeout=300 update &&
    # shellcheck disable=SC2086  # word splitting intended
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      -o DPkg::Lock::Timeout=300 $missing
  } >"$out" 2>&1 || rc=$?
  [ $made_policy = 1 ] && rm -f /usr/sbin/policy-rc.d
  if [ $rc != 0 ]; then tail -n 30 "$out" >&2; rm -f "$out"; exec 9>&-; die "apt-get failed (exit $rc)"; fi
  rm -f "$out"
  exec 9>&-
  log "installed in $((SECONDS - t0)) s"
}
