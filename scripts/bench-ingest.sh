#!/usr/bin/env bash
# Measures mailbox ingest against a real Dovecot and prints it beside mbsync
# pulling the same mailbox in the same run.
#
#   scripts/bench-ingest.sh [N...]     (default: 1000 10000; as root, on Debian)
#   scripts/bench-ingest.sh 1000 10000 20000     the growth table
#
# For each load below, the connector's INBOX is filled by writing Maildir
# files straight into it (internal/mailbench), Dovecot indexes it (doveadm
# mailbox status), and then, each on a fresh copy of that mailbox:
#
#   connectord  `connectord poll -once` takes every message: streamed into a
#               spool segment fsynced once per imap.batch_size messages,
#               classified (MIME walk, SHA-256, Authentication-Results,
#               roster, the CSV read with the engine's reader), recorded
#               with its reply in one SQLite transaction per batch (the
#               sender's earlier file of the day superseded), then moved to
#               Processed.
#   mbsync      isync's mbsync (default FSync yes) pulls INBOX into a local
#               Maildir, nothing else.
#
# Loads: N messages for each N given, each with a ~2 KB CSV, and one message
# with a ~20 MB CSV, to show peak memory does not grow with count or size.
# The shape (SHAPE, default real): 100 senders on the roster, all trusted,
# each sending many files on one day, every message authenticated by the
# trusted MTA's Authentication-Results header; so every message runs the
# whole path (no early rejection), supersedes the sender's file before it
# and is acknowledged. SHAPE=easy is the shape first measured: 50 senders,
# half first-time (held), one file each a day, nothing superseded.
# Peak memory is the process's maximum resident set size (/usr/bin/time);
# cpu s is user + system time. Knobs: SENDERS (the shape's), BATCH
# (imap.batch_size, 200), BIG=0 (no 20 MB message), TLS=starttls (both tools
# over STARTTLS instead of plaintext on loopback), PROFILE=1 (the largest
# load once more, connectord under Linux perf: its CPU profile summarised),
# KEEP=1 (keep the work directory).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v go >/dev/null 2>&1 || export PATH="$PATH:/usr/local/go/bin"
[ $# -gt 0 ] || set -- 1000 ${N:-10000}
SHAPE=${SHAPE:-real}
SENDERS=${SENDERS:-}
BATCH=${BATCH:-200}
TLS=${TLS:-none}
case $SHAPE in real|easy) ;; *) echo "bench-ingest: SHAPE must be real or easy" >&2; exit 2 ;; esac
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
[ "${PROFILE:-0}" != 1 ] || need perf linux-perf
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

# free_port VAR: a free loopback port for the stack into VAR, never one
# given before (a port that accepts a connection is taken). Not run in a
# subshell, so the list of ports given is kept.
taken=" "
free_port() {
  local p
  while :; do
    p=$((20000 + RANDOM % 30000))
    case $taken in *" $p "*) continue ;; esac
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then taken+="$p "; printf -v "$1" '%s' "$p"; return; fi
  done
}
# Another program may take a port between the check and Dovecot's listen;
# then the stack is started again on other ports (a fresh choice each time).
for attempt in 1 2 3; do
  for v in MAILSTACK_IMAP_PORT MAILSTACK_IMAPS_PORT MAILSTACK_SMTP_PORT MAILSTACK_SMTPS_PORT MAILSTACK_LMTP_PORT; do free_port "$v"; done
  export MAILSTACK_IMAP_PORT MAILSTACK_IMAPS_PORT MAILSTACK_SMTP_PORT MAILSTACK_SMTPS_PORT MAILSTACK_LMTP_PORT
  if scripts/mailstack.sh start "$stack" >"$work/stack.log" 2>&1; then break; fi
  if [ "$attempt" = 3 ] || ! grep -q 'Address already in use' "$work/stack.log"; then cat "$work/stack.log" >&2; exit 1; fi
  scripts/mailstack.sh stop "$stack" >/dev/null 2>&1 || true
done
set -a; . "$stack/mailstack.env"; set +a
user=connector.data@nhs.net
maildir="$stack/mail/nhs.net/connector.data/Maildir"
doveadm() { command doveadm -c "$MAILSTACK_DOVECOT_CONF" "$@"; }

mkdir -p "$work/bin"
go build -o "$work/bin/connectord" ./cmd/connectord
go build -o "$work/bin/mkmaildir" ./internal/mailbench/cmd/mkmaildir
go build -o "$work/bin/benchprof" ./internal/benchprof/cmd/benchprof
shape_flags=(-shape "$SHAPE" ${SENDERS:+-senders "$SENDERS"})
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

# measure NAME CMD...: wall seconds, CPU seconds (user + system) and peak
# RSS (KB) of one command into $secs, $cpu, $kb
measure() {
  local name=$1; shift
  if ! /usr/bin/time -f "%e %U %S %M" -o "$work/time" "$@" >"$work/$name.out" 2>"$work/$name.err"; then
    echo "bench-ingest: $name failed:" >&2; tail -n 20 "$work/$name.err" >&2; exit 1
  fi
  local u s
  read -r secs u s kb < "$work/time"
  cpu=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
}

imap_tls=none; mbsync_ssl=None
if [ "$TLS" = starttls ]; then imap_tls=starttls; mbsync_ssl=STARTTLS; fi

results=()
run_load() { # LABEL MESSAGES ROWS [profile]
  local label=$1 n=$2 rows=$3 load="load-$2x$3" profile=${4:-}
  if [ ! -d "$work/$load" ]; then
    "$work/bin/mkmaildir" "${shape_flags[@]}" -n "$n" -rows "$rows" -chown "${MAILSTACK_MAIL_UID:-65534}:${MAILSTACK_MAIL_GID:-65534}" \
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
ingest:
  trusted_authserv_ids: [mx.nhs.net]
reviewers: [support@nhs.net]
log:
  level: warn
EOF
  "$work/bin/mkmaildir" "${shape_flags[@]}" -roster "$var/connectord.db"
  if [ "$profile" = profile ]; then
    measure "connectord-$load" perf record -q -F 499 -g -o "$work/ingest.perf" -- "$work/bin/connectord" -config "$work/connectord.yaml" poll -once
  else
    measure "connectord-$load" "$work/bin/connectord" -config "$work/connectord.yaml" poll -once
  fi
  local c_secs=$secs c_cpu=$cpu c_kb=$kb
  local lines; lines=$(wc -l < "$work/connectord-$load.out")
  # The final states (poll prints a file superseded in a later batch as accepted).
  local states; states=$("$work/bin/connectord" -config "$work/connectord.yaml" submissions list -json |
    grep -o '"state":"[a-z]*"' | cut -d'"' -f4 | sort | uniq -c | awk '{printf "%s%s %s", sep, $1, $2; sep=", "}')
  states+="; $("$work/bin/connectord" -config "$work/connectord.yaml" outbox list -json 2>/dev/null |
    grep -o '"kind":"[a-z_]*"' | cut -d'"' -f4 | sort | uniq -c | awk '{printf "%s%s %s", sep, $1, $2; sep=", "}') emails queued"
  local left processed; left=$(count INBOX); processed=$(count Processed)
  if [ "$lines" != "$n" ] || [ "${left:-0}" != 0 ] || [ "${processed:-0}" != "$n" ]; then
    echo "bench-ingest: connectord printed $lines lines, left ${left:-?} in INBOX, moved ${processed:-?}; want $n, 0, $n" >&2
    exit 1
  fi
  if grep -q $'\trejected\t' "$work/connectord-$load.out"; then
    echo "bench-ingest: messages were rejected, so the whole path did not run for them:" >&2
    grep $'\trejected\t' "$work/connectord-$load.out" | head -n 5 >&2
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
  local m_secs=$secs m_cpu=$cpu m_kb=$kb pulled
  pulled=$(find "$work/mbsync/INBOX/cur" "$work/mbsync/INBOX/new" -type f | wc -l)
  [ "$pulled" = "$n" ] || { echo "bench-ingest: mbsync pulled $pulled messages, want $n" >&2; exit 1; }

  results+=("$label|$n|$bytes|$c_secs|$c_cpu|$c_kb|$m_secs|$m_cpu|$m_kb|$states")
}

thousands() { sed ':a;s/\B[0-9]\{3\}\>/,&/;ta' <<<"$1"; }
load_before=$(uptime | sed 's/.*load average/load average/')
for n in "$@"; do run_load "$(thousands "$n") x 2 KB CSV" "$n" 14; done
if [ "${PROFILE:-0}" = 1 ]; then
  n=$(printf '%s\n' "$@" | sort -n | tail -n 1)
  run_load "$(thousands "$n") under perf" "$n" 14 profile
fi
[ "${BIG:-1}" = 0 ] || run_load "1 x 20 MB CSV" 1 140000

printf '\nmailbox ingest vs mbsync: %s shape, Dovecot %s on loopback (%s), imap.batch_size %s, %s cores, %s\n' \
  "$SHAPE" "$(dovecot --version | cut -d' ' -f1)" "$([ "$TLS" = none ] && echo plaintext || echo STARTTLS)" "$BATCH" "$(nproc)" "$(date -u +%Y-%m-%dT%H:%MZ)"
printf 'before: %s\nafter:  %s\n\n' "$load_before" "$(uptime | sed 's/.*load average/load average/')"
printf '%-20s %7s %10s %7s %8s %8s %10s %7s %8s %8s %12s\n' load MB connectord "cpu s" "us/msg" "RSS MB" mbsync "cpu s" "us/msg" "RSS MB" "mbsync/ours"
for r in "${results[@]}"; do
  IFS='|' read -r label n bytes cs cc ckb ms mc mkb states <<<"$r"
  awk -v l="$label" -v n="$n" -v b="$bytes" -v cs="$cs" -v cc="$cc" -v ck="$ckb" -v ms="$ms" -v mc="$mc" -v mk="$mkb" 'BEGIN {
    printf "%-20s %7.1f %9.2fs %7.2f %8d %8.1f %9.2fs %7.2f %8d %8.1f %11.2fx\n", l, b/1e6, cs, cc, 1e6*cs/n, ck/1024,
      ms, mc, 1e6*ms/n, mk/1024, (cs > 0 ? ms/cs : 0) }'
done
printf '\ndispositions:\n'
for r in "${results[@]}"; do
  IFS='|' read -r label n bytes cs cc ckb ms mc mkb states <<<"$r"
  printf '  %-20s %s\n' "$label" "$states"
done
if [ -f "$work/ingest.perf" ]; then
  printf '\n== CPU profile of connectord poll -once, the largest load (perf, 499 Hz) ==\n'
  perf script -i "$work/ingest.perf" 2>/dev/null | "$work/bin/benchprof" -preset ingest -top 30
fi
