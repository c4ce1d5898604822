#!/usr/bin/env bash
# Fetches the web console's front-end assets with npm, at the versions
# pinned in package-lock.json, and copies the NHS.UK frontend (its
# stylesheet and images) into web/assets/nhsuk, which `go build` embeds.
# Run it before building; without it the console serves plain pages.
# npm ci also installs axe-core into node_modules for the browser tests'
# accessibility audit. Installs Debian's npm when it is missing (as root).
#
#   scripts/console-assets.sh && go build ./cmd/connectord
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "console-assets.sh: npm is not installed (apt-get install npm, as root)" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq npm >/dev/null
fi

npm ci --no-audit --no-fund --loglevel=error

src=node_modules/nhsuk-frontend/dist/nhsuk
dst=web/assets/nhsuk
[ -f "$src/nhsuk-frontend.min.css" ] || { echo "console-assets.sh: $src/nhsuk-frontend.min.css is missing" >&2; exit 1; }
find "$dst" -mindepth 1 ! -name .keep -exec rm -rf {} +
# The stylesheet refers to its images as /assets/images/..., where the
# console serves this directory. Its fonts come from assets.nhs.uk, which
# the console's Content-Security-Policy does not allow: pages fall back to
# Arial, and no browser of ours asks a third party for anything.
cp "$src/nhsuk-frontend.min.css" "$dst/"
cp -R "$src/assets/images" "$dst/images"
sed -i '/sourceMappingURL/d' "$dst/nhsuk-frontend.min.css"
version=$(node -p 'require("./node_modules/nhsuk-frontend/package.json").version' 2>/dev/null || echo unknown)
echo "nhsuk-frontend $version (MIT licence) copied into $dst"
