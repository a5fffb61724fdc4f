#!/usr/bin/env bash
# Fault and load suite: soak at 70 % of the measured maximum, PostgreSQL
# stopped under traffic, the identity provider stopped, SIGKILL under
# writes, the search index damaged on disk. Loopback only; it stops and
# starts this machine's PostgreSQL, so run it alone. Prints a Markdown table.
#   bash bench/faults.sh                 (10-minute soak, about 13 minutes)
#   SOAK=1m bash bench/faults.sh         (a shorter soak)
set -euo pipefail
cd "$(dirname "$0")/.."
soak=${SOAK:-10m}
report=${REPORT:-$(mktemp)}
if [ ! -d node_modules/oidc-provider ]; then npm ci --no-audit --no-fund; fi
go test -tags faults ./bench/faults -run TestFaults -count 1 -timeout 60m -v \
  -soak "$soak" -report "$report" 2>&1 | grep -v '^=== \(RUN\|PAUSE\|CONT\)'
echo "summary: $report"
