#!/usr/bin/env bash
# Measures mailbox ingest against a real Dovecot and prints it beside mbsync
# pulling the same mailbox in the same run.
#
#   scripts/bench-ingest.sh [N]        (default 10000; as root, on Debian)
#
# For each load below, the connector's INBOX is filled by writing Maildir
# files straight into it (internal/mailbench), Dovecot indexes it (doveadm
# mailbox status), and then, each on a fresh copy of that mailbox:
#
#   connectord  `connectord poll -once` takes every message: streamed into a
#               spool segment fsynced once per imap.batch_size messages,
#               classified (MIME walk, SHA-256, Authentication-Results,
#               roster, the CSV read with the engine's reader) and recorded
#               with its reply in one SQLite transaction per batch, then
#               moved to Processed.
#   mbsync      isync's mbsync (default FSync yes) pulls INBOX into a local
#               Maildir, nothing else.
#
# Loads: 1,000 and N messages, each with a ~2 KB CSV from senders on the
# roster (half trusted, so accepted; half first-time, so held), and one
# message with a ~20 MB CSV, to show peak memory does not grow with count
# or size. Peak memory is the process's maximum resident set size
# (/usr/bin/time). Knobs: SENDERS (50), BATCH (imap.batch_size, 200),
# TLS=starttls (both tools over STARTTLS instead of plaintext on loopback),
# KEEP=1 (keep the work directory).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v go >/dev/null 2>&1 || export PATH="$PATH:/usr/local/go/bin"
N=${1:-${N:-10000}}
SENDERS=${SENDERS:-50}
BATCH=${BATCH:-200}
TLS=${TLS:-none}
[ "$(id -u)" = 0 ] || { echo "bench-ingest: run as root (the mail stack needs it)" >&2; exit 1; }
case $TLS in none|starttls) ;; *) echo "bench-ingest: TLS must be none or starttls" >&2; exit 2 ;; esac

need() { # COMMAND PACKAGE
  command -v "$1" >/dev/null 2>&1 && return 0
  echo "bench-ingest: installing $2" >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$2" >/dev/null 2>&1 ||
    { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$2" >/dev/null; }
}
[ -x /usr/bin/time ] || need /usr/bin/time time
need mbsync isync
scripts/mailstack.sh install

# The stack's directory must be short and traversable by the mail users.
work=$(mktemp -d /tmp/bi.XXXXXX)
chmod 755 "$work"
stack="$work/ms"
cleanup() {
  if [ -f "$stack/mailstack.env" ]; then scripts/mailstack.sh stop "$stack" >/dev/null 2>&1 || true; fi
  if [ "${KEEP:-0}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

# Free loopback ports for the stack (a port that accepts a connection is taken).
taken=" "
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 30000))
    case $taken in *" $p "*) continue ;; esac
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then taken+="$p "; echo "$p"; return; fi
  done
}
MAILSTACK_IMAP_PORT=$(free_port); MAILSTACK_IMAPS_PORT=$(free_port); MAILSTACK_SMTP_PORT=$(free_port)
MAILSTACK_SMTPS_PORT=$(free_port); MAILSTACK_LMTP_PORT=$(free_port)
export MAILSTACK_IMAP_PORT MAILSTACK_IMAPS_PORT MAILSTACK_SMTP_PORT MAILSTACK_SMTPS_PORT MAILSTACK_LMTP_PORT
scripts/mailstack.sh start "$stack" >"$work/stack.log" 2>&1 || { cat "$work/stack.log" >&2; exit 1; }
set -a; . "$stack/mailstack.env"; set +a
user=connector.data@nhs.net
maildir="$stack/mail/nhs.net/connector.data/Maildir"
doveadm() { command doveadm -c "$MAILSTACK_DOVECOT_CONF" "$@"; }

mkdir -p "$work/bin"
go build -o "$work/bin/connectord" ./cmd/connectord
go build -o "$work/bin/mkmaildir" ./internal/mailbench/cmd/mkmaildir
printf '%s\n' "$MAILSTACK_PASSWORD" > "$work/imap.pass"

# count MAILBOX: messages Dovecot has in the connector's MAILBOX (0 if none)
count() { doveadm mailbox status -u "$user" messages "$1" 2>/dev/null | sed -n 's/.*messages=//p' || true; }

# reload LOAD: the connector's INBOX becomes a fresh copy of LOAD, indexed
reload() {
  rm -rf "$maildir"
  cp -a "$work/$1" "$maildir"
  local got
  got=$(count INBOX)
  [ "${got:-0}" = "$(cat "$work/$1.n")" ] || { echo "bench-ingest: Dovecot sees ${got:-0} messages in INBOX, want $(cat "$work/$1.n")" >&2; exit 1; }
}

# measure NAME CMD...: wall seconds and peak RSS (KB) of one command into $secs, $kb
measure() {
  local name=$1; shift
  if ! /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/$name.out" 2>"$work/$name.err"; then
    echo "bench-ingest: $name failed:" >&2; tail -n 20 "$work/$name.err" >&2; exit 1
  fi
  read -r secs kb < "$work/time"
}

imap_tls=none; mbsync_ssl=None
if [ "$TLS" = starttls ]; then imap_tls=starttls; mbsync_ssl=STARTTLS; fi

results=()
run_load() { # LABEL MESSAGES ROWS
  local label=$1 n=$2 rows=$3 load="load-$2x$3"
  if [ ! -d "$work/$load" ]; then
    "$work/bin/mkmaildir" -n "$n" -senders "$SENDERS" -rows "$rows" -chown "${MAILSTACK_MAIL_UID:-65534}:${MAILSTACK_MAIL_GID:-65534}" \
      -maildir "$work/$load" > "$work/$load.info"
    echo "$n" > "$work/$load.n"
  fi
  local bytes; bytes=$(awk '{print $3}' "$work/$load.info")

  # connectord: a fresh data directory and roster, then poll -once.
  reload "$load"
  local var="$work/var-$load"
  rm -rf "$var"; mkdir -p "$var"
  cat > "$work/connectord.yaml" <<EOF
data_dir: $var
imap:
  address: 127.0.0.1:$MAILSTACK_IMAP_PORT
  tls: $imap_tls
  ca_file: ${MAILSTACK_CA_CERT:-}
  username: $user
  password_file: $work/imap.pass
  batch_size: $BATCH
reviewers: [support@nhs.net]
log:
  level: warn
EOF
  "$work/bin/mkmaildir" -roster "$var/connectord.db" -senders "$SENDERS"
  measure "connectord-$load" "$work/bin/connectord" -config "$work/connectord.yaml" poll -once
  local c_secs=$secs c_kb=$kb
  local lines; lines=$(wc -l < "$work/connectord-$load.out")
  local states; states=$(awk -F'\t' '{print $3}' "$work/connectord-$load.out" | sort | uniq -c | awk '{printf "%s%s %s", sep, $1, $2; sep=", "}')
  local left processed; left=$(count INBOX); processed=$(count Processed)
  if [ "$lines" != "$n" ] || [ "${left:-0}" != 0 ] || [ "${processed:-0}" != "$n" ]; then
    echo "bench-ingest: connectord printed $lines lines, left ${left:-?} in INBOX, moved ${processed:-?}; want $n, 0, $n" >&2
    exit 1
  fi

  # mbsync: the same mailbox, fresh, pulled into an empty local Maildir.
  reload "$load"
  rm -rf "$work/mbsync"; mkdir -p "$work/mbsync"
  cat > "$work/mbsyncrc" <<EOF
IMAPAccount bench
Host localhost
Port $MAILSTACK_IMAP_PORT
User $user
Pass $MAILSTACK_PASSWORD
SSLType $mbsync_ssl
AuthMechs LOGIN
${MAILSTACK_CA_CERT:+CertificateFile $MAILSTACK_CA_CERT}

IMAPStore far
Account bench

MaildirStore near
Path $work/mbsync/
Inbox $work/mbsync/INBOX

Channel bench
Far :far:
Near :near:
Patterns INBOX
Create Near
Sync Pull
SyncState *
EOF
  measure "mbsync-$load" mbsync -q -c "$work/mbsyncrc" bench
  local m_secs=$secs m_kb=$kb pulled
  pulled=$(find "$work/mbsync/INBOX/cur" "$work/mbsync/INBOX/new" -type f | wc -l)
  [ "$pulled" = "$n" ] || { echo "bench-ingest: mbsync pulled $pulled messages, want $n" >&2; exit 1; }

  results+=("$label|$n|$bytes|$c_secs|$c_kb|$m_secs|$m_kb|$states")
}

thousands() { sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$1"; }
run_load "1,000 x 2 KB CSV" 1000 14
if [ "$N" != 1000 ]; then run_load "$(thousands "$N") x 2 KB CSV" "$N" 14; fi
run_load "1 x 20 MB CSV" 1 140000

printf '\nmailbox ingest vs mbsync: Dovecot %s on loopback (%s), imap.batch_size %s, %s cores, %s\n\n' \
  "$(dovecot --version | cut -d' ' -f1)" "$([ "$TLS" = none ] && echo plaintext || echo STARTTLS)" "$BATCH" "$(nproc)" "$(date -u +%Y-%m-%d)"
printf '%-20s %8s %10s %10s %8s %10s %10s %8s %13s\n' load MB "connectord" "msg/s" "RSS MB" mbsync "msg/s" "RSS MB" "mbsync/ours"
for r in "${results[@]}"; do
  IFS='|' read -r label n bytes cs ckb ms mkb states <<<"$r"
  awk -v l="$label" -v n="$n" -v b="$bytes" -v cs="$cs" -v ck="$ckb" -v ms="$ms" -v mk="$mkb" 'BEGIN {
    printf "%-20s %8.1f %9.2fs %10d %8.1f %9.2fs %10d %8.1f %12.1fx\n", l, b/1e6, cs, (cs > 0 ? n/cs : 0), ck/1024,
      ms, (ms > 0 ? n/ms : 0), mk/1024, (cs > 0 ? ms/cs : 0) }'
done
printf '\ndispositions:\n'
for r in "${results[@]}"; do
  IFS='|' read -r label n bytes cs ckb ms mkb states <<<"$r"
  printf '  %-20s %s\n' "$label" "$states"
done
