#!/usr/bin/env bash
# mailstack.sh - a private, loopback-only Dovecot (IMAP+LMTP) + Postfix (SMTP)
# stack for tests. All state (configs, queues, Maildirs, logs, pid files, TLS
# cert) lives under DIR; nothing under /etc is touched. Needs root (Postfix's
# master must start as root; Dovecot drops to the mail uid).
#
#   mailstack.sh install                 install the Debian packages if missing
#   mailstack.sh start   DIR             (re)generate configs, start, wait until ready
#   mailstack.sh stop    DIR             stop both masters by PID, wait for exit
#   mailstack.sh status  DIR             show PIDs / ports (exit 1 if not running)
#   mailstack.sh adduser DIR ADDR [PW]   add a mailbox (works while running)
#
# After start, DIR/mailstack.env holds shell-style KEY=VALUE lines for tests.
# DIR must be at most 70 chars and reachable by other users (use a dir made by
# mktemp -d or os.MkdirTemp, never Go's t.TempDir()). docs/testing.md has more.
#
# Environment knobs (defaults in brackets; every listener is on 127.0.0.1):
#   MAILSTACK_IMAP_PORT [10143]  plaintext IMAP (+ STARTTLS offered)
#   MAILSTACK_IMAPS_PORT [10993] implicit-TLS IMAP (0 = off)
#   MAILSTACK_SMTP_PORT [10025]  SMTP: no auth needed from loopback, AUTH offered
#                                without TLS, STARTTLS offered
#   MAILSTACK_SMTPS_PORT [10465] implicit-TLS SMTP (0 = off)
#   MAILSTACK_LMTP_PORT [10024]  Dovecot LMTP on TCP for direct test delivery (0 = off;
#                                Postfix always uses the unix socket DIR/dovecot/run/lmtp)
#   MAILSTACK_TLS [1]            0 = no TLS anywhere (no STARTTLS, no imaps/smtps)
#   MAILSTACK_DOMAINS ["nhs.net nhs.uk"]
#   MAILSTACK_USERS ["connector.data@nhs.net alice@nhs.net bob@nhs.net reviewer@nhs.net support@nhs.net"]
#   MAILSTACK_PASSWORD [secret]
#   MAILSTACK_MAIL_UID/GID [65534/65534]  uid/gid owning the Maildirs (never 0)
#   MAILSTACK_OAUTH2_INTROSPECTION_URL [unset]  http://127.0.0.1:PORT/PATH: also accept
#                                SASL XOAUTH2 and OAUTHBEARER on IMAP and SMTP, each token
#                                checked against this RFC 7662 endpoint (see below)
#   MAILSTACK_OAUTH2_INTROSPECTION_MODE [post]  post | get | auth (Dovecot's names)
#
# The test domains are virtual mailbox domains delivered to Dovecot only: the
# stack never relays off-host (any other domain gets 550 5.7.1 at RCPT time).
#
# OAuth2 (Dovecot 2.3.19.1 passdb oauth2; every line below was checked
# against this stack with a logging endpoint). For each XOAUTH2/OAUTHBEARER
# login Dovecot's auth process sends, in the default mode "post":
#
#   POST /introspect HTTP/1.1
#   Host: 127.0.0.1:PORT
#   Content-Type: application/x-www-form-urlencoded
#   User-Agent: dovecot-oauth2-passdb/2.3.19.1
#   Connection: Keep-Alive                  (no Accept, no Authorization)
#
#   token=<token, form-encoded>&client_id=&client_secret=
#
# (client_id/client_secret stay empty as we set none; user:pass@ in the URL
# would add "Authorization: Basic"). It reads the reply as one flat JSON
# object and wants, e.g.:
#
#   {"active": true, "username": "connector.data@nhs.net"}
#
#  - "username" (username_attribute) must equal the SASL login name (user=...
#    in XOAUTH2); both are lowercased (%Lu) first. Another name fails the
#    login ("Username 'a' did not match 'b'"); no username is a temporary
#    failure (IMAP NO [UNAVAILABLE]).
#  - "active" (active_attribute/active_value): the JSON literal true and the
#    string "true" both pass; false, 1 or any other value fail ("Provided
#    token is not valid"). A reply with NO "active" at all passes.
#  - Nothing else is checked: not "exp", "scope" or "client_id".
#  - The body is read for 2xx and 4xx alike: a 401 or 404 carrying the JSON
#    above still logs the user in. A 5xx or a body that is not JSON is a
#    temporary failure. So refuse a token with {"active": false}, as
#    RFC 7662 says, not with a status code.
# On failure Dovecot sends the client the challenge
# {"status":"401","schemes":"bearer","scope":"mail"}, waits for an empty
# answer, then says NO (IMAP) or 535 5.7.8 (SMTP, through Postfix).
# Why "post": it is RFC 7662's request, and it keeps the token out of URLs and
# so out of access logs. Mode "get" sends GET <url><token>&client_id=&
# client_secret= (the url must end in "?token=" or similar); mode "auth"
# sends GET <url> with "Authorization: Bearer <token>" and no body; both were
# checked to work. No tokeninfo_url is set, so Dovecot goes straight to the
# introspection endpoint: one request per login (no auth cache is set).
set -euo pipefail

IMAP_PORT=${MAILSTACK_IMAP_PORT:-10143}
IMAPS_PORT=${MAILSTACK_IMAPS_PORT:-10993}
SMTP_PORT=${MAILSTACK_SMTP_PORT:-10025}
SMTPS_PORT=${MAILSTACK_SMTPS_PORT:-10465}
LMTP_PORT=${MAILSTACK_LMTP_PORT:-10024}
DOMAINS=${MAILSTACK_DOMAINS:-nhs.net nhs.uk}
USERS=${MAILSTACK_USERS:-connector.data@nhs.net alice@nhs.net bob@nhs.net reviewer@nhs.net support@nhs.net}
PASSWORD=${MAILSTACK_PASSWORD:-secret}
MAIL_UID=${MAILSTACK_MAIL_UID:-65534}
MAIL_GID=${MAILSTACK_MAIL_GID:-65534}
TLS=${MAILSTACK_TLS:-1}
OAUTH2_URL=${MAILSTACK_OAUTH2_INTROSPECTION_URL:-}
OAUTH2_MODE=${MAILSTACK_OAUTH2_INTROSPECTION_MODE:-post}
if [ "$TLS" = 0 ]; then IMAPS_PORT=0; SMTPS_PORT=0; fi
PACKAGES="dovecot-imapd dovecot-lmtpd postfix swaks libnet-ssleay-perl"  # ssleay: swaks --tls
INSTALL_LOCK=/var/lock/mailstack-install.lock

die() { echo "mailstack: $*" >&2; exit 1; }
log() { echo "mailstack: $*" >&2; }

. "$(dirname "${BASH_SOURCE[0]}")/debian-packages.sh"

# Answered before apt-get, so that postfix installs without asking.
deb_preinstall() {
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
}

install_packages() {
  # shellcheck disable=SC2086  # word splitting intended
  deb_install "$INSTALL_LOCK" $PACKAGES
}

# wait_port PORT SECONDS: wait until something accepts on 127.0.0.1:PORT
wait_port() {
  local port=$1 deadline=$((SECONDS + $2))
  until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    [ $SECONDS -ge $deadline ] && return 1
    sleep 0.05
  done
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# proc_state PID: the process state letter (R, S, Z...), or nothing if gone
proc_state() {
  local line
  # read, not $(<file): bash 5.2 with set -e exits when $(<file) fails
  { read -r line < "/proc/$1/stat"; } 2>/dev/null || return 0
  line=${line##*) }
  echo "${line%% *}"
}

# pid_alive PID: the process exists and is not a zombie. Both masters
# daemonize, so once they exit they wait as zombies for init to reap them,
# which on some machines takes seconds; kill -0 alone would count those.
pid_alive() {
  [ -n "${1:-}" ] || return 1
  local st; st=$(proc_state "$1")
  [ -n "$st" ] && [ "$st" != Z ]
}

# group_alive PGID: some live (non-zombie) process is in the process group.
# Each master calls setsid, so its pid is the group of all its children.
group_alive() {
  local f line st pgrp
  [ -n "${1:-}" ] || return 1
  for f in /proc/[0-9]*/stat; do
    { read -r line < "$f"; } 2>/dev/null || continue  # it may have just exited
    line=${line##*) }
    read -r st _ pgrp _ <<<"$line"
    [ "$pgrp" = "$1" ] && [ "$st" != Z ] && return 0
  done
  return 1
}

read_pid() { [ -s "$1" ] && tr -dc 0-9 < "$1" || true; }

# stop_group PGID NAME: wait up to 10 s for the group (already sent SIGTERM)
# to exit, then SIGKILL what is left of it
stop_group() {
  local pgid=$1 name=$2 i
  [ -n "$pgid" ] || return 0
  for i in $(seq 200); do group_alive "$pgid" || return 0; sleep 0.05; done
  log "$name ($pgid) did not exit after SIGTERM; sending SIGKILL to its process group"
  kill -KILL -- "-$pgid" 2>/dev/null || true
  for i in $(seq 100); do group_alive "$pgid" || return 0; sleep 0.05; done
  log "warning: processes of $name ($pgid) still alive"
}

# backdate FILE...: Postfix sleeps (0.3 s steps, >1 s) while a config or
# texthash file is less than a second old ("wait until the file is stable").
backdate() { touch -d "@$(( $(date +%s) - 5 ))" "$@"; }

# show_logs: the end of both daemons' logs, for failure messages
show_logs() {
  local f
  for f in "$D/dovecot/start.log" "$D/dovecot/dovecot.log" "$D/postfix/start.log" "$D/postfix/postfix.log"; do
    [ -s "$f" ] || continue
    echo "--- tail $f" >&2; tail -n 15 "$f" >&2
  done
}

hash_line() { # passwd-file line for ADDR PASSWORD
  local addr=$1 pw=$2 user=${1%@*} dom=${1#*@}
  echo "$addr:{PLAIN}$pw:$MAIL_UID:$MAIL_GID::$D/mail/$dom/$user::"
}

make_maildir() { # ADDR
  local addr=$1 user=${1%@*} dom=${1#*@} m
  m="$D/mail/$dom/$user/Maildir"
  mkdir -p "$m/cur" "$m/new" "$m/tmp"
  chown -R "$MAIL_UID:$MAIL_GID" "$D/mail/$dom/$user"
}

add_user() { # ADDR PASSWORD  (idempotent)
  local addr=${1,,} pw=$2 dom
  dom=${addr#*@}
  [[ "$addr" =~ ^[a-z0-9._+-]+@[a-z0-9.-]+$ ]] || die "user must be a plain address: $1"
  [[ "$pw" != *:* ]] || die "password must not contain ':'"
  mkdir -p "$D/mail/$dom"; chmod 755 "$D/mail" "$D/mail/$dom"
  local re=${addr//./\\.}  # the address as a grep pattern
  grep -q "^$re:" "$D/dovecot/users" 2>/dev/null || hash_line "$addr" "$pw" >> "$D/dovecot/users"
  grep -q "^$re " "$D/postfix/etc/vmailbox" 2>/dev/null || echo "$addr OK" >> "$D/postfix/etc/vmailbox"
  grep -qw "$dom" <<<"$DOMAINS" || log "warning: $dom is not in MAILSTACK_DOMAINS ($DOMAINS); SMTP will not deliver there"
  make_maildir "$addr"
}

write_tls() {
  mkdir -p "$D/tls"
  [ -s "$D/tls/cert.pem" ] && return 0
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
    -subj "/CN=localhost" -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" \
    -keyout "$D/tls/key.pem" -out "$D/tls/cert.pem" 2>/dev/null
  chmod 600 "$D/tls/key.pem"; chmod 644 "$D/tls/cert.pem"
}

check_oauth2() {
  [ -n "$OAUTH2_URL" ] || return 0
  # loopback only: the stack must never talk to anything off this machine
  [[ "$OAUTH2_URL" =~ ^http://127\.0\.0\.1:[0-9]+(/.*)?$ ]] \
    || die "MAILSTACK_OAUTH2_INTROSPECTION_URL must be http://127.0.0.1:PORT/...: $OAUTH2_URL"
  case "$OAUTH2_MODE" in post|get|auth) ;; *) die "MAILSTACK_OAUTH2_INTROSPECTION_MODE must be post, get or auth: $OAUTH2_MODE" ;; esac
}

write_oauth2_conf() {
  cat > "$D/dovecot/oauth2.conf.ext" <<EOF
# generated by mailstack.sh - passdb oauth2 args (Dovecot 2.3), see the
# comment at the top of mailstack.sh for the request and the expected JSON
introspection_mode = $OAUTH2_MODE
introspection_url = $OAUTH2_URL
username_attribute = username
active_attribute = active
active_value = true
timeout_msecs = 5000
EOF
}

write_dovecot_conf() {
  local first_domain=${DOMAINS%% *} imaps_block="" lmtp_inet="" mechs="plain login" oauth2_passdb="" pw_mechs=""
  if [ "$IMAPS_PORT" != 0 ]; then
    imaps_block="  inet_listener imaps {
    address = 127.0.0.1
    port = $IMAPS_PORT
    ssl = yes
  }"
  else
    imaps_block="  inet_listener imaps {
    port = 0
  }"
  fi
  if [ "$LMTP_PORT" != 0 ]; then
    lmtp_inet="  inet_listener lmtp {
    address = 127.0.0.1
    port = $LMTP_PORT
  }"
  fi
  if [ -n "$OAUTH2_URL" ]; then
    write_oauth2_conf
    mechs="plain login xoauth2 oauthbearer"
    # each passdb only sees its own mechanisms: a token is never compared
    # with passwords, a password never sent to the introspection endpoint
    # ("none" = lookups without a login, such as doveadm auth lookup)
    pw_mechs="  mechanisms = plain login none"
    oauth2_passdb="passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $D/dovecot/oauth2.conf.ext
}"
  else
    rm -f "$D/dovecot/oauth2.conf.ext"
  fi
  cat > "$D/dovecot/dovecot.conf" <<EOF
# generated by mailstack.sh - private instance, do not edit
instance_name = mailstack-$(echo "$D" | md5sum | cut -c1-8)
base_dir = $D/dovecot/run
state_dir = $D/dovecot/state
log_path = $D/dovecot/dovecot.log
protocols = imap lmtp
listen = 127.0.0.1
$(if [ "$TLS" = 0 ]; then echo "ssl = no"; else printf '%s\n' "ssl = yes" "ssl_cert = <$D/tls/cert.pem" "ssl_key = <$D/tls/key.pem" "ssl_min_protocol = TLSv1.2"; fi)
disable_plaintext_auth = no
auth_mechanisms = $mechs
# tests check failed logins: answer at once instead of after 2 s
auth_failure_delay = 0
first_valid_uid = 1
# throwaway test data: no fsync (did not change the LMTP rate measurably; spares slow disks)
mail_fsync = never
mail_location = maildir:~/Maildir:LAYOUT=fs
namespace inbox {
  inbox = yes
  separator = /
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%Lu $D/dovecot/users
$pw_mechs
}
$oauth2_passdb
userdb {
  driver = passwd-file
  args = username_format=%Lu $D/dovecot/users
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = $IMAP_PORT
  }
$imaps_block
}
service lmtp {
  unix_listener lmtp {
    mode = 0660
    user = postfix
    group = postfix
  }
$lmtp_inet
}
# No auth penalty: Dovecot's anvil would otherwise delay every login from
# 127.0.0.1 by 2, 4, 8... up to 15 s after a failed one (tests fail logins on
# purpose), and Postfix gives up on a slow AUTH with "454 4.7.0 Temporary
# authentication failure". Without this listener auth skips the penalty.
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service auth {
  unix_listener auth-postfix {
    mode = 0660
    user = postfix
    group = postfix
  }
}
protocol lmtp {
  postmaster_address = postmaster@$first_domain
}
EOF
}

write_postfix_conf() {
  local pe="$D/postfix/etc" doms
  doms=$(echo "$DOMAINS" | tr ' ' ',')
  cat > "$pe/main.cf" <<EOF
# generated by mailstack.sh - private instance (postfix -c $pe), do not edit
compatibility_level = 3.6
queue_directory = $D/postfix/spool
data_directory = $D/postfix/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mailstack.localdomain
mydomain = localdomain
myorigin = \$myhostname
mydestination =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
biff = no
maillog_file = $D/postfix/postfix.log
maillog_file_prefixes = $D/postfix
smtpd_banner = \$myhostname ESMTP mailstack
message_size_limit = 52428800
# every test domain is a virtual mailbox domain delivered to Dovecot over LMTP
virtual_mailbox_domains = $doms
virtual_mailbox_maps = texthash:$pe/vmailbox
virtual_transport = lmtp:unix:$D/dovecot/run/lmtp
# nothing ever leaves this machine: anything not for a test domain bounces
default_transport = error:5.7.1 mailstack test stack does not relay off-host
relay_transport = error:5.7.1 mailstack test stack does not relay off-host
local_transport = error:5.7.1 mailstack test stack has no local delivery
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
# AUTH (by Dovecot: passwords, and XOAUTH2/OAUTHBEARER in oauth2 mode) is offered but not required
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = $D/dovecot/run/auth-postfix
$(if [ "$TLS" = 0 ]; then echo "smtpd_tls_security_level = none"; else printf '%s\n' "smtpd_tls_security_level = may" "smtpd_tls_cert_file = $D/tls/cert.pem" "smtpd_tls_key_file = $D/tls/key.pem"; fi)
smtp_tls_security_level = none
queue_run_delay = 10s
minimal_backoff_time = 10s
maximal_backoff_time = 60s
EOF
  # smtpd is the only process that reads vmailbox (texthash is read once, when
  # a process starts). max_use=1 gives every SMTP connection a fresh smtpd, so
  # a user added by adduser is known to the very next connection, without the
  # race of an asynchronous "postfix reload".
  local smtps_line=""
  [ "$SMTPS_PORT" != 0 ] && smtps_line="127.0.0.1:$SMTPS_PORT inet n - n - - smtpd -o syslog_name=postfix/smtps -o smtpd_tls_wrappermode=yes -o max_use=1"
  cat > "$pe/master.cf" <<EOF
# generated by mailstack.sh. service type private unpriv chroot wakeup maxproc command
127.0.0.1:$SMTP_PORT inet n - n - - smtpd -o max_use=1
$smtps_line
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
}

write_env() {
  cat > "$D/mailstack.env.new" <<EOF
MAILSTACK_DIR=$D
MAILSTACK_HOST=127.0.0.1
MAILSTACK_IMAP_PORT=$IMAP_PORT
MAILSTACK_IMAPS_PORT=$IMAPS_PORT
MAILSTACK_SMTP_PORT=$SMTP_PORT
MAILSTACK_SMTPS_PORT=$SMTPS_PORT
MAILSTACK_LMTP_PORT=$LMTP_PORT
MAILSTACK_LMTP_SOCKET=$D/dovecot/run/lmtp
MAILSTACK_TLS=$TLS
MAILSTACK_CA_CERT=$( [ "$TLS" = 0 ] || echo "$D/tls/cert.pem")
MAILSTACK_DOMAINS="$DOMAINS"
MAILSTACK_PASSWORD=$PASSWORD
MAILSTACK_MAIL_UID=$MAIL_UID
MAILSTACK_MAIL_GID=$MAIL_GID
MAILSTACK_USERS="$USERS"
MAILSTACK_OAUTH2_INTROSPECTION_URL=$OAUTH2_URL
MAILSTACK_OAUTH2_INTROSPECTION_MODE=$( [ -z "$OAUTH2_URL" ] || echo "$OAUTH2_MODE")
MAILSTACK_DOVECOT_CONF=$D/dovecot/dovecot.conf
MAILSTACK_POSTFIX_CONF=$D/postfix/etc
EOF
  mv "$D/mailstack.env.new" "$D/mailstack.env"
}

set_dir() { # DIR [create]
  [ -n "${1:-}" ] || die "usage: $0 start|stop|status|adduser DIR"
  if [ "${2:-}" = create ]; then mkdir -p "$1"; elif [ ! -d "$1" ]; then die "no such DIR: $1"; fi
  D=$(cd "$1" && pwd -P)
  [ "${#D}" -le 70 ] || die "DIR path too long for unix sockets (${#D} > 70 chars): $D"
}

# The queue layout from /etc/postfix/postfix-files (Postfix 3.7). Creating it
# here and touching "quick-start" skips postfix-script's check-fatal/check-warn
# (post-install create-missing + finds), which cost ~1 s per start.
# MAILSTACK_POSTFIX_CHECK=1 runs the full checks instead.
make_postfix_spool() {
  local q="$D/postfix/spool" d
  if [ "${MAILSTACK_POSTFIX_CHECK:-0}" = 1 ]; then rm -f "$q/quick-start"; return 0; fi
  for d in active bounce corrupt defer deferred flush hold incoming private saved trace; do
    mkdir -p "$q/$d"; chown postfix:root "$q/$d"; chmod 700 "$q/$d"
  done
  mkdir -p "$q/maildrop" "$q/public" "$q/pid"
  chown postfix:postdrop "$q/maildrop" "$q/public"; chmod 730 "$q/maildrop"; chmod 710 "$q/public"
  chown root:root "$q/pid"; chmod 755 "$q/pid"
  chown postfix:postfix "$D/postfix/data"; chmod 700 "$D/postfix/data"
  touch "$q/quick-start"
}

dovecot_pid() { read_pid "$D/dovecot/run/master.pid"; }
postfix_pid() { read_pid "$D/postfix/spool/pid/master.pid"; }

# fail_start MSG: show the logs, stop whatever started, exit non-zero
fail_start() { show_logs; cmd_stop; die "$*"; }

cmd_start() {
  [ "$(id -u)" = 0 ] || die "must run as root (Postfix master needs it)"
  [ "$MAIL_UID" != 0 ] || die "MAILSTACK_MAIL_UID must not be 0"
  check_oauth2
  install_packages
  if pid_alive "$(dovecot_pid)" || pid_alive "$(postfix_pid)"; then
    die "already running in $D (run: $0 stop $D)"
  fi
  local p u
  for p in $IMAP_PORT $IMAPS_PORT $SMTP_PORT $SMTPS_PORT $LMTP_PORT; do
    [ "$p" = 0 ] && continue
    port_busy "$p" && die "127.0.0.1:$p is already in use (set MAILSTACK_*_PORT)"
  done
  # Dovecot's auth/login users and postfix must traverse DIR.
  chmod 755 "$D"
  runuser -u nobody -- test -x "$D" 2>/dev/null || die "$D is not reachable by other users (a parent dir is not o+x); use a DIR under /tmp"
  mkdir -p "$D/dovecot" "$D/postfix/etc" "$D/postfix/spool" "$D/postfix/data" "$D/mail"
  chown root:root "$D/postfix/spool"; chmod 755 "$D/postfix/spool"
  chown postfix:postfix "$D/postfix/data"
  chmod 755 "$D/mail"
  [ "$TLS" = 0 ] || write_tls
  # keep users added earlier with adduser
  touch "$D/dovecot/users" "$D/postfix/etc/vmailbox"
  chmod 644 "$D/dovecot/users"
  for u in $USERS; do add_user "$u" "$PASSWORD"; done
  write_dovecot_conf
  write_postfix_conf
  write_env

  # Daemons must not inherit our stdout/stderr: a caller reading them through a
  # pipe (exec.Command(...).Output(), "| tee") would otherwise never see EOF.
  dovecot -c "$D/dovecot/dovecot.conf" </dev/null >"$D/dovecot/start.log" 2>&1 \
    || fail_start "dovecot failed to start; see $D/dovecot/dovecot.log"
  make_postfix_spool
  backdate "$D/postfix/etc/main.cf" "$D/postfix/etc/master.cf" "$D/postfix/etc/vmailbox"
  postfix -c "$D/postfix/etc" start </dev/null >"$D/postfix/start.log" 2>&1 \
    || fail_start "postfix failed to start; see $D/postfix/postfix.log"
  for p in $IMAP_PORT $IMAPS_PORT $SMTP_PORT $SMTPS_PORT $LMTP_PORT; do
    [ "$p" = 0 ] && continue
    wait_port "$p" 10 || fail_start "nothing listening on 127.0.0.1:$p after 10 s"
  done
  local i; for i in $(seq 100); do [ -S "$D/dovecot/run/lmtp" ] && break; sleep 0.05; done
  [ -S "$D/dovecot/run/lmtp" ] || fail_start "no LMTP socket $D/dovecot/run/lmtp after 5 s"
  log "up: IMAP 127.0.0.1:$IMAP_PORT (imaps $IMAPS_PORT) SMTP 127.0.0.1:$SMTP_PORT (smtps $SMTPS_PORT) LMTP $LMTP_PORT${OAUTH2_URL:+ oauth2 $OAUTH2_URL}; dovecot pid $(dovecot_pid), postfix pid $(postfix_pid); env in $D/mailstack.env"
}

cmd_stop() {
  local pp dp
  pp=$(postfix_pid); dp=$(dovecot_pid)
  pid_alive "$pp" || pp=""
  pid_alive "$dp" || dp=""
  # signal both first, then wait for both (each takes about 1.5 s)
  if [ -n "$pp" ]; then kill -TERM "$pp" 2>/dev/null || true; fi
  if [ -n "$dp" ]; then kill -TERM "$dp" 2>/dev/null || true; fi
  stop_group "$pp" postfix-master
  stop_group "$dp" dovecot-master
  rm -f "$D/postfix/spool/pid/master.pid"
  log "stopped (postfix ${pp:-none}, dovecot ${dp:-none})"
}

cmd_status() {
  local pp dp rc=0
  pp=$(postfix_pid); dp=$(dovecot_pid)
  if pid_alive "$dp"; then echo "dovecot running pid $dp"; else echo "dovecot stopped"; rc=1; fi
  if pid_alive "$pp"; then echo "postfix running pid $pp"; else echo "postfix stopped"; rc=1; fi
  if [ -f "$D/mailstack.env" ]; then cat "$D/mailstack.env"; fi
  return $rc
}

cmd_adduser() { # ADDR [PW]
  # a stack started with other MAILSTACK_* settings keeps them
  if [ -f "$D/mailstack.env" ]; then
    DOMAINS=$(sed -n 's/^MAILSTACK_DOMAINS="\(.*\)"$/\1/p' "$D/mailstack.env")
    MAIL_UID=$(sed -n 's/^MAILSTACK_MAIL_UID=//p' "$D/mailstack.env")
    MAIL_GID=$(sed -n 's/^MAILSTACK_MAIL_GID=//p' "$D/mailstack.env")
    [ -n "${2:-}" ] || PASSWORD=$(sed -n 's/^MAILSTACK_PASSWORD=//p' "$D/mailstack.env")
  fi
  [ -f "$D/dovecot/users" ] || die "$D has no stack (run: $0 start $D)"
  exec 8>"$D/adduser.lock"; flock -w 30 8 || die "timed out waiting for $D/adduser.lock"
  add_user "$1" "${2:-$PASSWORD}"
  # smtpd re-reads vmailbox on every connection (max_use=1); keep Postfix
  # from waiting for the file to be a second old.
  backdate "$D/postfix/etc/vmailbox"
  # Dovecot re-reads the passwd-file when it changes, but looks at it at most
  # once a second: a lookup earlier in the same second hides the new user
  # (LMTP then bounces with "550 5.1.1 User doesn't exist"). Return only once
  # both the userdb and the passdb know it.
  pid_alive "$(dovecot_pid)" || return 0
  local addr=${1,,} conf="$D/dovecot/dovecot.conf" i
  for i in $(seq 100); do
    doveadm -c "$conf" user "$addr" >/dev/null 2>&1 &&
      doveadm -c "$conf" auth lookup "$addr" >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  die "dovecot does not know $addr after 5 s"
}

case "${1:-}" in
  install) install_packages ;;
  start)   set_dir "${2:-}" create; cmd_start ;;
  stop)    set_dir "${2:-}"; cmd_stop ;;
  status)  set_dir "${2:-}"; cmd_status ;;
  adduser)
    set_dir "${2:-}"; [ -n "${3:-}" ] || die "usage: $0 adduser DIR ADDR [PASSWORD]"
    cmd_adduser "$3" "${4:-}" ;;
  *) sed -n '2,15p' "$0" >&2; exit 2 ;;
esac
