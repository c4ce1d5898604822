#!/usr/bin/env bash
# The demo: runs the engine on the shipped sample data in a scratch
# database and shows what a connector admin would get back.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v go >/dev/null 2>&1 || export PATH="$PATH:/usr/local/go/bin"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/connectord" ./cmd/connectord
cd_() { "$work/connectord" -db "$work/connectord.db" "$@"; }

echo "== Loading the sample organisations, Connector roster and directory"
cd_ org import testdata/organisations.csv
cd_ senders add admin.leeds@nhs.net -org RR8,A81001
cd_ directory import testdata/directory.csv
cd_ org list
echo
echo "== Validating testdata/push-sample.csv (the Portal's Validate step)"
cd_ validate testdata/push-sample.csv || true
echo
echo "== Processing it for admin.leeds@nhs.net"
cd_ process -sender admin.leeds@nhs.net -o "$work/results.csv" testdata/push-sample.csv
echo
echo "== The results file the sender gets back (selected columns)"
cd_ show -width 100 -columns "FirstName,LastName,Local ID,Organisation,Result,EmailAddress,GeneratedPassword,Detail" "$work/results.csv"
