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
# Scratch space in RAM when there is room (4 GiB free on /dev/shm): every test makes its databases, blob
# stores, builds and crawls under os.tmpdir(), and the durable writes they do as production does (an fsync per
# blob and per SQLite commit) cost nothing on tmpfs instead of waiting on a disk shared with other work.
if [ -z "${HUAKU_TEST_TMPDIR:-}" ] && [ -d /dev/shm ] && [ "$(df -Pk /dev/shm 2>/dev/null | awk 'NR==2 {print $4}')" -gt 4194304 ] 2>/dev/null; then
  HUAKU_TEST_TMPDIR="$(mktemp -d /dev/shm/huaku-tests.XXXXXX)"
  export TMPDIR="$HUAKU_TEST_TMPDIR"
  trap 'rm -rf "$HUAKU_TEST_TMPDIR"' EXIT
  # Node's compile cache for every process of the run: the suite starts ~60 Node processes (built servers, CLI
  # children, builds, vitest's workers) over the same modules, and each compiles them again without it (a built
  # server's start-up: 1.2 → 1.0 CPU-s). One per run, in its scratch space: nothing carries over to the next.
  export NODE_COMPILE_CACHE="$HUAKU_TEST_TMPDIR/node-compile-cache"
fi
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
