#!/usr/bin/env bash
# Second command of the README: set everything up (as start.sh does) and run the whole test suite.
# MariaDB and Redis are used when they answer on their default local ports (scripts/services.sh creates the
# test database and user); otherwise their tiers are skipped and named. With REQUIRE_SERVICES=1 (CI)
# a missing service fails the run instead. Arguments go to vitest (e.g. `--project site`, a file path).
# Without arguments the static checks run beside the suite (scripts/static-checks.sh: boundaries, astro check, tsc).
# Ends with the skipped tests by name and one closing line "N passed, N failed, N skipped" read from
# vitest's JSON report.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
source "$(dirname "${BASH_SOURCE[0]}")/services.sh"
source "$(dirname "${BASH_SOURCE[0]}")/static-checks.sh"
cd "$HUAKU_ROOT"
started=$SECONDS
if [ "${REQUIRE_SERVICES:-}" = 1 ]; then
  prepare_test_services require || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }
else
  prepare_test_services detect
fi
mkdir -p test-results
# The whole suite (no arguments) runs the static checks beside vitest; a run of one file or project skips them.
if [ "$#" -eq 0 ]; then start_static_checks; fi
report="test-results/vitest.json"
rm -f "$report" test-results/summary.txt
status=0
node --env-file-if-exists=.env node_modules/vitest/vitest.mjs run --reporter=default --reporter=json --outputFile.json="$report" "$@" || status=$?
if [ ! -s "$report" ]; then
  echo "huaku: vitest wrote no report ($report); exit code $status" >&2
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi
report_static_checks
echo "huaku: tests ran in $((SECONDS - started)) s" >&2
node scripts/summarize-vitest.mjs "$report" test-results/summary.txt || status=1
exit "$status"
