#!/usr/bin/env bash
# Runs every check and test DataPull has. It works on a fresh machine of the
# project's kind: whatever the tests need beyond Go, it installs or starts.
# With CI=true a test whose component is missing fails instead of skipping.
set -euo pipefail
cd "$(dirname "$0")/.."

# PostgreSQL: the store's tests run against a real server on 127.0.0.1:5432.
if command -v pg_ctlcluster >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
fi

# Chromium: the web app's browser tests drive a real one (Debian's package).
if ! command -v chromium >/dev/null 2>&1; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq && $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi

unformatted=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi
go vet ./...
go test -count=1 -timeout 25m ./...
