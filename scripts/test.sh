#!/usr/bin/env bash
# Second command of the README: set everything up (as start.sh does) and run the whole test suite.
# Prints one closing line "N passed, N failed, N skipped" read from vitest's JSON report.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
cd "$HUAKU_ROOT"
mkdir -p test-results
report="test-results/vitest.json"
rm -f "$report" test-results/summary.txt
status=0
node --env-file-if-exists=.env node_modules/vitest/vitest.mjs run --reporter=default --reporter=json --outputFile.json="$report" "$@" || status=$?
if [ ! -s "$report" ]; then
  echo "huaku: vitest wrote no report ($report); exit code $status" >&2
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi
node scripts/summarize-vitest.mjs "$report" test-results/summary.txt || status=1
exit "$status"
