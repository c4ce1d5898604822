#!/usr/bin/env bash
# The demo: connectord end to end on a private loopback Postfix + Dovecot.
# Connector admins email CSV files to connector.data@nhs.net; connectord
# takes them from the mailbox, holds a first-time sender's file for review,
# runs the night and mails each sender the results. The demo prints every
# email each person receives, and the results file as a table.
#
# Run as root on Debian (it installs Dovecot and Postfix when missing).
# Nothing leaves this machine: the mail stack only delivers to itself.
#
#   demo.sh                the files go to connectord's own directory
#   demo.sh -directory ad  they go to a private Samba AD DC on 127.0.11.1
#                          (scripts/sambadc.sh), loaded with the same sample
#                          directory; the demo ends with the accounts in AD
set -euo pipefail
directory=sqlite
case "${1:-}" in
  "") ;;
  -directory) [ "${2:-}" = ad ] || [ "${2:-}" = sqlite ] || { echo "demo.sh: -directory ad or sqlite" >&2; exit 2; }
    [ "$2" = ad ] && directory=ldap ;;
  *) echo "usage: demo.sh [-directory ad]" >&2; exit 2 ;;
esac
cd "$(dirname "$0")/.."
command -v go >/dev/null 2>&1 || export PATH="$PATH:/usr/local/go/bin"
[ "$(id -u)" = 0 ] || { echo "demo.sh: run as root (the private Postfix needs it)" >&2; exit 1; }

scripts/mailstack.sh install
work=$(mktemp -d /tmp/connectord-demo.XXXXXX)
chmod 755 "$work"
stack="$work/mail"
export MAILSTACK_TLS=0 MAILSTACK_USERS="connector.data@nhs.net admin.leeds@nhs.net new.admin@nhs.net stranger@nhs.net support@nhs.net"
cleanup() {
  scripts/mailstack.sh stop "$stack" >/dev/null 2>&1 || true
  [ "$directory" = ldap ] && scripts/sambadc.sh stop "$work/dc" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
scripts/mailstack.sh start "$stack" 2>/dev/null
set -a; . "$stack/mailstack.env"; set +a
ldap_yaml=""
if [ "$directory" = ldap ]; then
  scripts/sambadc.sh install
  echo "Starting a private Samba AD DC on 127.0.11.1 (the first time provisions a template: about a minute)"
  scripts/sambadc.sh start "$work/dc" 127.0.11.1 >/dev/null
  set -a; . "$work/dc/sambadc.env"; set +a
  echo "$SAMBADC_PASSWORD" > "$work/ad.pass"
  ldap_yaml="directory:
  backend: ldap
  ldap:
    url: $SAMBADC_LDAPS_URL
    ca_file: $SAMBADC_CA_CERT
    bind_dn: $SAMBADC_BIND_DN
    password_file: $work/ad.pass
    base_dn: OU=Connectord,$SAMBADC_BASE_DN
    organisation_dn: \"OU={organisation},OU=Connectord,$SAMBADC_BASE_DN\"
    attributes:
      OrganisationUnit: department
      ClinicalRole: employeeType
      ClinicalSpeciality: division
      WorkArea: physicalDeliveryOfficeName
      EmailSize: roomNumber"
fi

go build -o "$work/connectord" ./cmd/connectord
go build -o "$work/mailview" ./internal/mailview
echo "$MAILSTACK_PASSWORD" > "$work/imap.pass"
cat > "$work/connectord.yaml" <<YAML
data_dir: $work/var
imap:
  address: 127.0.0.1:$MAILSTACK_IMAP_PORT
  tls: none
  username: connector.data@nhs.net
  password_file: $work/imap.pass
smtp:
  address: 127.0.0.1:$MAILSTACK_SMTP_PORT
  tls: none
  auth: none
  from: connector.data@nhs.net
reviewers: [support@nhs.net]
log:
  level: warn
$ldap_yaml
YAML
cd_() { "$work/connectord" -config "$work/connectord.yaml" "$@"; }
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# send FROM FILE NAME SUBJECT: an email with a CSV attachment, stamped by
# "the sender's MTA" with a passing DMARC result, as NHSmail's would be.
send() {
  swaks --silent 2 --server "127.0.0.1:$MAILSTACK_SMTP_PORT" --from "$1" --to connector.data@nhs.net \
    --header "Subject: $4" --add-header "Authentication-Results: mx.nhs.net; dmarc=pass header.from=nhs.net" \
    --body "Please find our update attached." --attach-type text/csv --attach-name "$3" --attach "@$2" >/dev/null
}
wait_mail() { # wait until connector.data has N messages in its INBOX
  local n=$1 i
  for i in $(seq 200); do
    [ "$(ls "$stack"/mail/nhs.net/connector.data/Maildir/new "$stack"/mail/nhs.net/connector.data/Maildir/cur 2>/dev/null | grep -c '^[0-9]')" -ge "$n" ] && return 0
    sleep 0.05
  done
}

step "Loading the organisations, the Connector roster and the directory"
cd_ org import testdata/organisations.csv
cd_ senders add admin.leeds@nhs.net -org RR8,A81001
cd_ senders add new.admin@nhs.net -org RR8
if [ "$directory" = ldap ]; then
  scripts/sambadc.sh ldif "$work/dc" testdata/directory-ad.ldif >/dev/null
else
  cd_ directory import testdata/directory.csv
fi

step "admin.leeds@nhs.net sends its first file; connectord holds it for review"
printf 'FirstName,LastName,Local ID,Organisation\r\nAnn,Other,N1,RR8\r\n' > "$work/morning.csv"
send admin.leeds@nhs.net "$work/morning.csv" morning.csv "Morning update"
wait_mail 1
cd_ poll -once
cd_ review list
step "A support reviewer approves it"
cd_ review approve 1 -by reviewer.demo

step "More mail arrives: a corrected file from admin.leeds, a first file from new.admin, one from someone without the Connector role"
send admin.leeds@nhs.net testdata/push-sample.csv staff.csv "Staff changes"
send new.admin@nhs.net "$work/morning.csv" first.csv "Hello"
send stranger@nhs.net "$work/morning.csv" x.csv "Please add"
wait_mail 4
cd_ poll -once
cd_ outbox send

step "The night runs (connectord serve would do this at 20:30 Europe/London)"
# The demo's files are in a batch day that is still open (its cutoff has
# not passed), so the run is forced: a file sent later that day would get a
# second results email.
cd_ batch run -no-sync -force -day "$(TZ=Europe/London date -d "$( [ "$(TZ=Europe/London date +%H%M)" -ge 2000 ] && echo tomorrow || echo today)" +%F)"
cd_ outbox send
# Postfix delivers in the background: wait for the results email to land.
for i in $(seq 200); do
  grep -lq '^Subject: Results:' "$stack"/mail/nhs.net/admin.leeds/Maildir/new/* 2>/dev/null && break
  sleep 0.05
done

mkdir -p "$work/attachments"
for who in admin.leeds new.admin stranger support; do
  step "What $who@nhs.net received"
  "$work/mailview" -save "$work/attachments" "$stack/mail/nhs.net/$who/Maildir"
done

step "The results file admin.leeds@nhs.net got back (selected columns)"
cd_ show -width 90 -columns "FirstName,LastName,Local ID,Organisation,Result,EmailAddress,GeneratedPassword,Detail" "$work/attachments/staff-results.csv"

step "Every message connectord took, with its disposition"
cd_ submissions list

if [ "$directory" = ldap ]; then
  step "The directory afterwards, read back from Active Directory (directory export)"
  cd_ directory export -o "$work/export.csv"
  cd_ show -width 90 -columns "EmailAddress,Local ID,Organisation,Type,FirstName,LastName,JobTitle" "$work/export.csv"
fi
