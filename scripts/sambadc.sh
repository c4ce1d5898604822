#!/usr/bin/env bash
# sambadc.sh - a private Samba Active Directory domain controller on one
# loopback address, for tests of the LDAP directory against real AD behaviour
# (LDAPS and StartTLS, unicodePwd, userAccountControl, sAMAccountName,
# contacts, the password policy). All state (the domain's databases, smb.conf,
# the TLS files, the log, the pid file) lives under DIR; nothing under /etc is
# touched. Needs root.
#
#   sambadc.sh install          install the Debian packages if missing
#   sambadc.sh start DIR ADDR   provision DIR (the first time: about 10 s), start
#                               Samba detached (output to DIR/samba.log) and wait
#                               until LDAPS answers a bind
#   sambadc.sh run DIR ADDR     provision as start does, then become Samba in the
#                               foreground (exec; output to DIR/samba.log): for a
#                               caller that owns the process and waits itself
#   sambadc.sh check DIR        exit 0 when the DC answers a bind over LDAPS
#   sambadc.sh stop DIR         stop Samba by its pid (TERM, then KILL after 10 s),
#                               and take ADDR off lo again if start or run put it there
#   sambadc.sh ldif DIR FILE    apply an LDIF file as Administrator (ldapmodify -a)
#
# ADDR is a loopback address, 127.0.0.N. Samba's ports are fixed (389, 636,
# 3268, 3269 for LDAP; the script starts no other service), so two DCs on one
# machine need two addresses. Samba only binds an address that an interface
# carries: the script adds ADDR to lo when it is not there (and stop removes
# it). Only one DC may use a DIR or an ADDR at a time; internal/sambatest hands
# each test binary its own address under a lock.
#
# After provisioning, DIR/sambadc.env holds shell-style KEY=VALUE lines:
#   SAMBADC_ADDR, SAMBADC_LDAPS_URL (ldaps://ADDR:636), SAMBADC_LDAP_URL
#   (ldap://ADDR:389, StartTLS only), SAMBADC_BASE_DN, SAMBADC_BIND_DN
#   (CN=Administrator,CN=Users,...), SAMBADC_PASSWORD, SAMBADC_CA_CERT,
#   SAMBADC_LOG, SAMBADC_PID_FILE
#
# Environment knobs (defaults in brackets):
#   SAMBADC_REALM [NHS.TEST]  SAMBADC_DOMAIN [NHSTEST]
#   SAMBADC_PASSWORD [Adm1n-Passw0rd!]  the Administrator's password
#   SAMBADC_MODEL [single]    Samba's process model: single (one process) or
#                             prefork (a master and workers)
#   SAMBADC_NOSYNC [0]        1 = the databases skip fsync (ldb:nosync): for
#                             throwaway test domains (no measurable gain on this
#                             machine, where Samba's adds are CPU-bound; spares slow disks)
#   SAMBADC_SCHEMA_UPDATES [0] 1 = the schema may be changed over LDAP (dsdb:schema
#                             update allowed), e.g. to index an attribute (searchFlags 1;
#                             then run samba-tool dbcheck --reindex -H DIR/dc/private/sam.ldb,
#                             or existing values are not found through the new index)
#
# Facts the tests rely on (Samba 4.17, Debian 12):
#  - a simple bind needs TLS: LDAPS, or StartTLS on 389 ("ldap server require
#    strong auth"); unicodePwd is the password in double quotes, UTF-16LE, and can
#    only be written over TLS;
#  - Samba's own certificate has only a Common Name, which Go's crypto/tls refuses:
#    the script makes a CA (DIR/tls/ca.pem) and a server certificate whose
#    subjectAltName is IP:ADDR and DNS:localhost;
#  - a user added without a password is disabled (userAccountControl 546);
#  - the default password policy: at least 7 characters from 3 of upper case,
#    lower case, digits and symbols, not containing the account name.
set -euo pipefail

REALM=${SAMBADC_REALM:-NHS.TEST}
DOMAIN=${SAMBADC_DOMAIN:-NHSTEST}
PASSWORD=${SAMBADC_PASSWORD:-Adm1n-Passw0rd!}
MODEL=${SAMBADC_MODEL:-single}
NOSYNC=${SAMBADC_NOSYNC:-0}
SCHEMA_UPDATES=${SAMBADC_SCHEMA_UPDATES:-0}
PACKAGES="samba samba-ad-dc samba-ad-provision ldb-tools ldap-utils"
INSTALL_LOCK=/var/lock/sambadc-install.lock
TEMPLATE_ROOT=${SAMBADC_TEMPLATE_DIR:-/var/cache/sambadc}
TEMPLATE_FORMAT=1  # raise when make_template changes, so old templates are not used

die() { echo "sambadc: $*" >&2; exit 1; }
log() { echo "sambadc: $*" >&2; }

. "$(dirname "${BASH_SOURCE[0]}")/debian-packages.sh"

install_packages() {
  # shellcheck disable=SC2086  # word splitting intended
  deb_install "$INSTALL_LOCK" $PACKAGES
}

set_dir() { # DIR [create]
  [ -n "${1:-}" ] || die "no DIR given"
  if [ "${2:-}" = create ]; then mkdir -p "$1"; elif [ ! -d "$1" ]; then die "no such DIR: $1"; fi
  D=$(cd "$1" && pwd -P)
}

set_addr() { # ADDR: a loopback IPv4 address
  local a=${1:-} o
  [[ "$a" =~ ^127\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$ ]] || die "ADDR must be a loopback address 127.x.y.z, not '${a}'"
  for o in "${BASH_REMATCH[@]:1}"; do [ "$o" -le 255 ] || die "ADDR out of range: $a"; done
  ADDR=$a
}

base_dn() { local r=${REALM,,}; echo "DC=${r//./,DC=}"; }

read_pid() { [ -s "$1" ] && tr -dc 0-9 < "$1" || true; }

# pid_alive PID: the process exists, is not a zombie, and is Samba or this
# script (a pid file left by a killed run may name a reused pid)
pid_alive() {
  [ -n "${1:-}" ] || return 1
  local line cmd
  { read -r line < "/proc/$1/stat"; } 2>/dev/null || return 1
  line=${line##*) }
  [ "${line%% *}" != Z ] || return 1
  cmd=$(tr '\0' ' ' < "/proc/$1/cmdline" 2>/dev/null) || return 1
  [[ "$cmd" == *samba* ]]
}

add_addr() {
  if ip -4 addr show dev lo | grep -q "inet $ADDR/"; then return 0; fi
  ip addr add "$ADDR/32" dev lo || die "cannot add $ADDR to lo"
  echo "$ADDR" > "$D/added-addr"
}

remove_addr() {
  local a
  [ -f "$D/added-addr" ] || return 0
  read -r a < "$D/added-addr" || true
  [ -n "${a:-}" ] && ip addr del "$a/32" dev lo 2>/dev/null || true
  rm -f "$D/added-addr"
}

make_tls() {
  local t="$D/tls"
  [ -s "$t/cert.pem" ] && return 0
  mkdir -p "$t"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
    -subj "/CN=sambadc test CA" -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -keyout "$t/ca.key" -out "$t/ca.pem" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=localhost" \
    -keyout "$t/key.pem" -out "$t/req.pem" 2>/dev/null
  printf 'subjectAltName=IP:%s,DNS:localhost\nextendedKeyUsage=serverAuth\n' "$ADDR" > "$t/ext.cnf"
  openssl x509 -req -in "$t/req.pem" -CA "$t/ca.pem" -CAkey "$t/ca.key" -CAcreateserial \
    -days 3650 -extfile "$t/ext.cnf" -out "$t/cert.pem" 2>/dev/null
  chmod 600 "$t/key.pem" "$t/ca.key"
}

# template_key: what a provisioned domain depends on; a template is made once
# per key and machine and copied for each DC
template_key() {
  local v; v=$(samba -V 2>/dev/null | tr -dc 'A-Za-z0-9.-')
  printf '%s\n' "$TEMPLATE_FORMAT" "$v" "$REALM" "$DOMAIN" "$PASSWORD" | sha256sum | cut -c1-16
}

# make_template: provision a domain once into $TEMPLATE (about 10 s on a quiet
# machine, a minute under load), under a lock so parallel callers wait for one
make_template() {
  [ -f "$TEMPLATE/dc/etc/smb.conf" ] && return 0
  mkdir -p "$(dirname "$TEMPLATE")"
  exec 8>"$TEMPLATE.lock"
  flock -w 900 8 || die "timed out waiting for $TEMPLATE.lock"
  if [ -f "$TEMPLATE/dc/etc/smb.conf" ]; then exec 8>&-; return 0; fi
  local t0=$SECONDS tmp="$TEMPLATE.new"
  rm -rf "$tmp"; mkdir -p "$tmp"
  : > "$tmp/empty.conf"  # so that /etc/samba/smb.conf is not copied into the domain's
  samba-tool domain provision -s "$tmp/empty.conf" --targetdir="$tmp/dc" --realm="$REALM" --domain="$DOMAIN" \
    --server-role=dc --dns-backend=NONE --adminpass="$PASSWORD" --host-ip=127.0.0.1 \
    --option="interfaces = 127.0.0.1" --option="bind interfaces only = yes" \
    --option="server services = ldap" >"$tmp/provision.log" 2>&1 \
    || { tail -n 15 "$tmp/provision.log" >&2; die "provision failed (log: $tmp/provision.log)"; }
  # a template may be months old: the Administrator's password must not expire
  samba-tool user setexpiry Administrator --noexpiry -H "tdb://$tmp/dc/private/sam.ldb" \
    >>"$tmp/provision.log" 2>&1 || { tail -n 5 "$tmp/provision.log" >&2; die "setexpiry failed"; }
  printf '%s\n' "$tmp" > "$tmp/dc/template-path"
  mv "$tmp" "$TEMPLATE"
  exec 8>&-
  log "provisioned $REALM in $((SECONDS - t0)) s (template $TEMPLATE)"
}

# provision: DIR/dc from the template, its smb.conf pointed at DIR, ADDR and
# DIR's own certificate
provision() {
  [ "$(id -u)" = 0 ] || die "must run as root"
  if [ -f "$D/dc/etc/smb.conf" ]; then
    grep -q "^	interfaces = $ADDR\$" "$D/dc/etc/smb.conf" || die "$D was provisioned for another address"
    return 0
  fi
  install_packages
  TEMPLATE="$TEMPLATE_ROOT/$(template_key)"
  make_template
  local from
  read -r from < "$TEMPLATE/dc/template-path"
  make_tls
  rm -rf "$D/dc.new"
  cp -a "$TEMPLATE/dc" "$D/dc.new"
  rm -f "$D/dc.new/template-path"
  mkdir -p "$D/dc.new/run"
  # Only smb.conf names the directory and the address (the databases hold
  # neither): point it at DIR and ADDR, keep the pid file and sockets out of
  # /run/samba (one DC per machine otherwise), and add the certificate.
  sed -i -e "s|$from/dc|$D/dc|g" -e "s|^	interfaces = .*|	interfaces = $ADDR|" \
    -e "/^\[global\]/a\\	pid directory = $D/dc/run\n	ncalrpc dir = $D/dc/run/ncalrpc\n	tls keyfile = $D/tls/key.pem\n	tls certfile = $D/tls/cert.pem\n	tls cafile = $D/tls/ca.pem" \
    "$D/dc.new/etc/smb.conf"
  mv "$D/dc.new" "$D/dc"
}

# samba_args: Samba's command line; the process model and the sync setting are
# given at each start, so one DIR can be started either way
samba_args() {
  SAMBA=(samba -s "$D/dc/etc/smb.conf" -i -M "$MODEL" --debug-stdout)
  [ "$NOSYNC" = 1 ] && SAMBA+=(--option="ldb:nosync = true")
  [ "$SCHEMA_UPDATES" = 1 ] && SAMBA+=(--option="dsdb:schema update allowed = true")
  return 0
}

write_env() {
  cat > "$D/sambadc.env.new" <<EOF
SAMBADC_ADDR=$ADDR
SAMBADC_LDAPS_URL=ldaps://$ADDR:636
SAMBADC_LDAP_URL=ldap://$ADDR:389
SAMBADC_BASE_DN=$(base_dn)
SAMBADC_BIND_DN=CN=Administrator,CN=Users,$(base_dn)
SAMBADC_PASSWORD=$PASSWORD
SAMBADC_CA_CERT=$D/tls/ca.pem
SAMBADC_LOG=$D/samba.log
SAMBADC_PID_FILE=$D/samba.pid
EOF
  mv "$D/sambadc.env.new" "$D/sambadc.env"
}

# prepare: everything before Samba itself starts
prepare() {
  if pid_alive "$(read_pid "$D/samba.pid")"; then die "already running in $D (run: $0 stop $D)"; fi
  provision
  add_addr
  write_env
}

check() {
  [ -f "$D/sambadc.env" ] || die "$D has no DC (run: $0 start $D ADDR)"
  # shellcheck disable=SC1091
  . "$D/sambadc.env"
  LDAPTLS_CACERT="$SAMBADC_CA_CERT" LDAPTLS_REQCERT=demand ldapsearch -H "$SAMBADC_LDAPS_URL" -x -o nettimeout=5 \
    -D "$SAMBADC_BIND_DN" -w "$SAMBADC_PASSWORD" -b "$SAMBADC_BASE_DN" -s base dn >/dev/null 2>&1
}

cmd_run() {
  prepare
  samba_args
  echo $$ > "$D/samba.pid"
  # exec keeps this pid. Samba in the foreground (-i) exits when its stdin is a
  # pipe that reaches EOF: a caller that holds the other end can never leak it.
  exec "${SAMBA[@]}" >"$D/samba.log" 2>&1
}

cmd_start() {
  prepare
  samba_args
  local t0=$SECONDS pid i
  # With stdin on /dev/null, Samba in the foreground (-i) stays up; setsid puts
  # it in a session of its own, away from the caller's terminal and signals.
  setsid "${SAMBA[@]}" </dev/null >"$D/samba.log" 2>&1 &
  pid=$!
  echo "$pid" > "$D/samba.pid"
  for i in $(seq 300); do
    check && { log "up on $ADDR (pid $pid) in $((SECONDS - t0)) s; env in $D/sambadc.env"; return 0; }
    pid_alive "$pid" || break
    sleep 0.2
  done
  tail -n 15 "$D/samba.log" >&2
  cmd_stop
  die "LDAPS on $ADDR did not answer (log: $D/samba.log)"
}

cmd_stop() {
  local pid i
  pid=$(read_pid "$D/samba.pid")
  if pid_alive "$pid"; then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 100); do pid_alive "$pid" || break; sleep 0.1; done
    if pid_alive "$pid"; then
      log "samba ($pid) did not exit after SIGTERM; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      for i in $(seq 50); do pid_alive "$pid" || break; sleep 0.1; done
    fi
  fi
  rm -f "$D/samba.pid"
  remove_addr
}

cmd_ldif() { # FILE
  [ -f "$D/sambadc.env" ] || die "$D has no DC"
  # shellcheck disable=SC1091
  . "$D/sambadc.env"
  LDAPTLS_CACERT="$SAMBADC_CA_CERT" LDAPTLS_REQCERT=demand ldapmodify -a -H "$SAMBADC_LDAPS_URL" -x \
    -D "$SAMBADC_BIND_DN" -w "$SAMBADC_PASSWORD" -f "$1"
}

case "${1:-}" in
  install) install_packages ;;
  start) set_dir "${2:-}" create; set_addr "${3:-}"; cmd_start ;;
  run) set_dir "${2:-}" create; set_addr "${3:-}"; cmd_run ;;
  check) set_dir "${2:-}"; check ;;
  stop) set_dir "${2:-}"; cmd_stop ;;
  ldif) set_dir "${2:-}"; [ -f "${3:-}" ] || die "no such LDIF file: ${3:-}"; cmd_ldif "$3" ;;
  *) sed -n '2,25p' "$0" >&2; exit 2 ;;
esac
