#!/usr/bin/env bash
# Runs every test: go vet, a gofmt check and the whole suite with the race
# detector, including the integration tests against a real Dovecot and
# Postfix, a real PostgreSQL and a real Samba AD domain controller on
# loopback (installed here when missing). Run as root on Debian.
set -euo pipefail
cd "$(dirname "$0")/.."

command -v go >/dev/null 2>&1 || export PATH="$PATH:/usr/local/go/bin"
command -v go >/dev/null 2>&1 || { echo "test.sh: Go is not installed (expected in /usr/local/go)" >&2; exit 1; }

if [ "$(id -u)" = 0 ]; then
  scripts/mailstack.sh install
  scripts/pgstack.sh install
  # Samba AD DC, ldb-tools and ldap-utils: about 35 s from nothing, with its
  # own apt-get update; no system service is started.
  scripts/sambadc.sh install
else
  echo "test.sh: not root: the mail-stack and Samba DC tests will be skipped" >&2
  [ -n "$(ls -d /usr/lib/postgresql/*/bin/postgres 2>/dev/null)" ] ||
    echo "test.sh: not root and no PostgreSQL installed: the PostgreSQL tests will be skipped" >&2
fi

# The web console's browser tests: Debian's Chromium (Liberation fonts give
# the pages' Arial fallback), and the NHS.UK frontend and axe-core from npm.
if [ "$(id -u)" = 0 ] && [ ! -x /usr/bin/chromium ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-liberation >/dev/null
fi
scripts/console-assets.sh

echo "== go vet"
go vet ./...

echo "== gofmt"
unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:" >&2
  echo "$unformatted" >&2
  exit 1
fi

echo "== go test -race"
go test -race -count=1 -shuffle=on -timeout 30m ./...

# The store, ingest, night and outbox tests again on PostgreSQL (one
# private server per package, a database per test copied from a migrated
# template; see internal/storetest).
echo "== go test -race on PostgreSQL"
CONNECTORD_TEST_STORE=postgres go test -race -count=1 -shuffle=on -timeout 30m \
  ./store ./internal/storetest ./spool ./ingest ./scheduler ./mailout
