#!/usr/bin/env bash
# pgstack.sh - a private PostgreSQL server on loopback, for tests and for
# trying two connectord nodes by hand. All state (the cluster, its config,
# the log, the unix socket, the pid file) lives under DIR; nothing under /etc
# is touched and the system cluster is never started.
#
#   pgstack.sh install        install Debian's postgresql if missing
#   pgstack.sh start  DIR     initdb DIR/data when new, start, create the
#                             role and database, wait until they answer
#   pgstack.sh stop   DIR     fast shutdown (sessions are ended), wait for exit
#   pgstack.sh status DIR     show the pid and the env file (exit 1 if stopped)
#
# After start, DIR/pgstack.env holds shell-style KEY=VALUE lines for tests,
# among them PGSTACK_URL (the role below, over TCP) and PGSTACK_ADMIN_URL
# (the superuser postgres, over TCP). Restarting a DIR keeps its databases;
# without PGSTACK_PORT it keeps its port too.
#
# PostgreSQL refuses to run as root: as root the server runs as the postgres
# user and DIR is made its own (use a DIR from mktemp -d or os.MkdirTemp,
# never Go's t.TempDir(), whose parent the postgres user cannot enter). As
# any other user it runs as that user. DIR must be at most 80 characters
# (the unix socket's path). docs/testing.md has more.
#
# Environment knobs (defaults in brackets; the server listens on 127.0.0.1):
#   PGSTACK_PORT [15432]            TCP port, also the socket's name in DIR
#   PGSTACK_USER [connectord]       login role made at start (LOGIN CREATEDB)
#   PGSTACK_PASSWORD [secret]       its password, and the superuser's
#   PGSTACK_DB [connectord]         database made at start, owned by the role
#   PGSTACK_MAX_CONNECTIONS [100]
#
# The server keeps fsync on (tests check durability) and sets no TCP
# keepalives of its own: the defaults of a real server, so that a client that
# needs dead-peer detection (the leader's lock) must ask for it per session.
set -euo pipefail

PORT=${PGSTACK_PORT:-}
PGUSER_NAME=${PGSTACK_USER:-connectord}
PASSWORD=${PGSTACK_PASSWORD:-secret}
DBNAME=${PGSTACK_DB:-connectord}
MAX_CONNECTIONS=${PGSTACK_MAX_CONNECTIONS:-100}
PACKAGES="postgresql"
INSTALL_LOCK=/var/lock/pgstack-install.lock

die() { echo "pgstack: $*" >&2; exit 1; }
log() { echo "pgstack: $*" >&2; }

# bindir: the newest installed server's bin directory, or nothing
bindir() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  [ -n "$d" ] && [ -x "$d/postgres" ] && echo "$d"
  return 0
}

missing_packages() {
  local p
  for p in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || echo "$p"
  done
}

install_packages() {
  local missing
  missing=$(missing_packages | tr '\n' ' ')
  [ -z "${missing// /}" ] && [ -n "$(bindir)" ] && return 0
  [ "$(id -u)" = 0 ] || die "packages missing ($missing) and not root"
  # Several test binaries may start servers at once: install only once.
  exec 9>"$INSTALL_LOCK"
  flock -w 900 9 || die "timed out waiting for $INSTALL_LOCK"
  missing=$(missing_packages | tr '\n' ' ')
  if [ -z "${missing// /}" ] && [ -n "$(bindir)" ]; then exec 9>&-; return 0; fi
  log "installing $missing"
  # Keep the package scripts from starting the system cluster (containers
  # here already have a policy-rc.d that does this). The package still makes
  # its "main" cluster under /var/lib/postgresql; it stays down.
  local made_policy=0 out rc=0 t0=$SECONDS
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; made_policy=1
  fi
  out=$(mktemp)
  {
    apt-get -q -o DPkg::Lock::Timeout=300 update &&
    # shellcheck disable=SC2086  # word splitting intended
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
      -o DPkg::Lock::Timeout=300 $PACKAGES
  } >"$out" 2>&1 || rc=$?
  [ $made_policy = 1 ] && rm -f /usr/sbin/policy-rc.d
  if [ $rc != 0 ]; then tail -n 30 "$out" >&2; rm -f "$out"; die "apt-get failed (exit $rc)"; fi
  rm -f "$out"
  exec 9>&-
  [ -n "$(bindir)" ] || die "installed $PACKAGES but found no /usr/lib/postgresql/*/bin/postgres"
  log "installed in $((SECONDS - t0)) s"
}

# as_owner CMD...: run CMD as the user the server runs as
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

read_pid() { # the postmaster's pid from DIR/data/postmaster.pid, or nothing
  local line
  { read -r line < "$D/data/postmaster.pid"; } 2>/dev/null || return 0
  tr -dc 0-9 <<<"$line"
}

pid_alive() { # PID: exists and is not a zombie
  [ -n "${1:-}" ] || return 1
  local line
  { read -r line < "/proc/$1/stat"; } 2>/dev/null || return 1
  line=${line##*) }
  [ "${line%% *}" != Z ]
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

env_value() { # KEY: its value in DIR/pgstack.env, or nothing
  [ -f "$D/pgstack.env" ] || return 0
  sed -n "s/^$1=//p" "$D/pgstack.env"
}

write_conf() {
  cat > "$D/data/pgstack.conf" <<EOF
# generated by pgstack.sh at every start - private test server, do not edit
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$D'
unix_socket_permissions = 0700
max_connections = $MAX_CONNECTIONS
# small and fixed: a fast start, and no huge-page attempt
shared_buffers = 32MB
huge_pages = off
# durable commits, as in production (tests kill processes and check the data)
fsync = on
synchronous_commit = on
full_page_writes = on
# the log goes to DIR/postgres.log (pg_ctl -l)
logging_collector = off
log_line_prefix = '%m [%p] %q%u@%d '
log_min_messages = warning
log_timezone = 'UTC'
timezone = 'UTC'
EOF
}

do_initdb() {
  local bin=$1 pwfile
  pwfile=$(mktemp "$D/pw.XXXXXX")
  echo "$PASSWORD" > "$pwfile"
  [ "$(id -u)" = 0 ] && chown postgres "$pwfile"
  # --no-sync: a crash right after initdb leaves a DIR nobody wants; the
  # server itself runs with fsync on.
  if ! as_owner "$bin/initdb" -D "$D/data" -U postgres --pwfile="$pwfile" \
      --auth-host=scram-sha-256 --auth-local=trust -E UTF8 --locale=C \
      --no-sync --no-instructions >"$D/initdb.log" 2>&1; then
    rm -f "$pwfile"; tail -n 20 "$D/initdb.log" >&2; die "initdb failed; see $D/initdb.log"
  fi
  rm -f "$pwfile"
  echo "include_if_exists = 'pgstack.conf'" >> "$D/data/postgresql.conf"
}

psql_admin() { # SQL...: run as the superuser over the socket
  as_owner "$BIN/psql" -h "$D" -p "$PORT" -U postgres -d postgres -X -q -v ON_ERROR_STOP=1 "$@"
}

make_role_and_db() {
  psql_admin <<EOF
SELECT format('CREATE ROLE %I LOGIN CREATEDB PASSWORD %L', '$PGUSER_NAME', '$PASSWORD')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$PGUSER_NAME') \gexec
SELECT format('ALTER ROLE %I LOGIN CREATEDB PASSWORD %L', '$PGUSER_NAME', '$PASSWORD') \gexec
SELECT format('CREATE DATABASE %I OWNER %I', '$DBNAME', '$PGUSER_NAME')
 WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$DBNAME') \gexec
EOF
}

write_env() {
  local url_base="127.0.0.1:$PORT"
  cat > "$D/pgstack.env.new" <<EOF
PGSTACK_DIR=$D
PGSTACK_HOST=127.0.0.1
PGSTACK_PORT=$PORT
PGSTACK_SOCKET_DIR=$D
PGSTACK_USER=$PGUSER_NAME
PGSTACK_PASSWORD=$PASSWORD
PGSTACK_DB=$DBNAME
PGSTACK_URL=postgres://$PGUSER_NAME:$PASSWORD@$url_base/$DBNAME?sslmode=disable
PGSTACK_ADMIN_URL=postgres://postgres:$PASSWORD@$url_base/postgres?sslmode=disable
PGSTACK_DATA=$D/data
PGSTACK_LOG=$D/postgres.log
PGSTACK_BIN=$BIN
PGSTACK_VERSION=$("$BIN/postgres" --version | awk '{print $3}')
EOF
  mv "$D/pgstack.env.new" "$D/pgstack.env"
}

check_settings() {
  [[ "$PORT" =~ ^[0-9]+$ ]] && [ "$PORT" -gt 0 ] && [ "$PORT" -lt 65536 ] || die "PGSTACK_PORT must be a port number: $PORT"
  [[ "$PGUSER_NAME" =~ ^[a-z_][a-z0-9_]*$ ]] || die "PGSTACK_USER must be a plain lower-case name: $PGUSER_NAME"
  [[ "$DBNAME" =~ ^[a-z_][a-z0-9_]*$ ]] || die "PGSTACK_DB must be a plain lower-case name: $DBNAME"
  # it goes into a URL and an SQL literal unquoted
  [[ "$PASSWORD" =~ ^[A-Za-z0-9._~-]+$ ]] || die "PGSTACK_PASSWORD may hold only letters, digits and . _ ~ -"
}

cmd_start() {
  install_packages
  BIN=$(bindir)
  [ -n "$BIN" ] || die "no PostgreSQL server installed (run: $0 install as root)"
  [ -n "$PORT" ] || PORT=$(env_value PGSTACK_PORT)
  [ -n "$PORT" ] || PORT=15432
  check_settings
  if pid_alive "$(read_pid)"; then die "already running in $D (run: $0 stop $D)"; fi
  port_busy "$PORT" && die "127.0.0.1:$PORT is already in use (set PGSTACK_PORT)"
  if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$D"
    runuser -u postgres -- test -w "$D" 2>/dev/null || die "$D is not reachable by the postgres user (a parent dir is not o+x); use a DIR under /tmp"
  fi
  chmod 700 "$D"
  local t0 t1 t2
  t0=$(date +%s%N)
  [ -f "$D/data/PG_VERSION" ] || do_initdb "$BIN"
  t1=$(date +%s%N)
  write_conf
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$D/data/pgstack.conf"
  # The server must not inherit our stdout/stderr: a caller reading them
  # through a pipe would otherwise never see EOF.
  if ! as_owner "$BIN/pg_ctl" start -D "$D/data" -l "$D/postgres.log" -w -t 60 -s </dev/null >"$D/start.log" 2>&1; then
    tail -n 20 "$D/postgres.log" >&2 || true
    die "the server did not start; see $D/postgres.log"
  fi
  make_role_and_db >"$D/setup.log" 2>&1 || { cat "$D/setup.log" >&2; cmd_stop; die "could not create role $PGUSER_NAME and database $DBNAME"; }
  write_env
  t2=$(date +%s%N)
  log "up: 127.0.0.1:$PORT (socket in $D), pid $(read_pid), initdb $(( (t1 - t0) / 1000000 )) ms, start $(( (t2 - t1) / 1000000 )) ms; env in $D/pgstack.env"
}

cmd_stop() {
  local pid t0
  pid=$(read_pid)
  if ! pid_alive "$pid"; then log "not running in $D"; return 0; fi
  BIN=${BIN:-$(bindir)}
  t0=$(date +%s%N)
  # fast: roll back open transactions, end the sessions, checkpoint, exit
  if ! as_owner "$BIN/pg_ctl" stop -D "$D/data" -m fast -w -t 60 -s </dev/null >"$D/stop.log" 2>&1; then
    cat "$D/stop.log" >&2
    log "fast shutdown did not finish in 60 s; sending SIGQUIT (immediate)"
    kill -QUIT "$pid" 2>/dev/null || true
  fi
  local i; for i in $(seq 200); do pid_alive "$pid" || break; sleep 0.05; done
  pid_alive "$pid" && die "server $pid still running"
  log "stopped (pid $pid) in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
}

cmd_status() {
  local pid
  pid=$(read_pid)
  if pid_alive "$pid"; then echo "postgres running pid $pid"; else echo "postgres stopped"; fi
  [ -f "$D/pgstack.env" ] && cat "$D/pgstack.env"
  pid_alive "$pid"
}

set_dir() { # DIR [create]
  [ -n "${1:-}" ] || die "usage: $0 start|stop|status DIR"
  if [ "${2:-}" = create ]; then mkdir -p "$1"; elif [ ! -d "$1" ]; then die "no such DIR: $1"; fi
  D=$(cd "$1" && pwd -P)
  [ "${#D}" -le 80 ] || die "DIR path too long for the unix socket (${#D} > 80 chars): $D"
}

case "${1:-}" in
  install) install_packages ;;
  start)   set_dir "${2:-}" create; cmd_start ;;
  stop)    set_dir "${2:-}"; cmd_stop ;;
  status)  set_dir "${2:-}"; cmd_status ;;
  *) sed -n '2,16p' "$0" >&2; exit 2 ;;
esac
