#!/usr/bin/env bash
# Sourced by scripts/test.sh: the static checks of the whole suite (the README's test command and .ci/run).
# astro check runs first, on its own: it writes the generated `.astro/` types, which a site build in the suite
# also writes (tests/browser/harness.ts: withBuildLock). The others then run beside vitest (one core each,
# while the suite starts and builds its site). Each counts as one test in the closing line, so a wrong
# import or a type error fails CI.
#   layer boundaries   dependency-cruiser (.dependency-cruiser.cjs): no cycles, no import against the layers
#   astro check        the Astro app's .astro files (tsconfig.astro.json); also generates the astro:content types
#   tsc                the whole repository (SQLite's query types), then the store once more with MySQL's
#   workflows          .github/workflows/*.yml against GitHub's workflow schema (@action-validator/cli, offline)
STATIC_CHECKS_RESULTS="test-results/static-checks.txt"

run_static_check() {
  local name="$1" started=$SECONDS
  shift
  if "$@" >"test-results/check-${name// /-}.log" 2>&1; then
    echo "passed $((SECONDS - started)) $name" >>"$STATIC_CHECKS_RESULTS"
  else
    echo "failed $((SECONDS - started)) $name" >>"$STATIC_CHECKS_RESULTS"
  fi
}

# Every workflow file against the GitHub Actions workflow schema (one file per call: the CLI takes one).
validate_workflows() {
  local file
  for file in .github/workflows/*.yml; do
    echo "$file"
    node node_modules/@action-validator/cli/cli.mjs "$file" || return 1
  done
}

# astro check now, the others in the background; report_static_checks waits for them.
start_static_checks() {
  mkdir -p test-results
  : >"$STATIC_CHECKS_RESULTS"
  run_static_check "astro check" node node_modules/astro/bin/astro.mjs check --tsconfig tsconfig.astro.json
  (
    run_static_check "layer boundaries" node node_modules/dependency-cruiser/bin/dependency-cruiser.mjs src ingest fakes tests bench astro.config.mjs --config .dependency-cruiser.cjs --output-type err
    run_static_check "tsc" node node_modules/typescript/bin/tsc --noEmit
    run_static_check "tsc mysql" node node_modules/typescript/bin/tsc --noEmit -p tsconfig.mysql.json
    run_static_check "workflows" validate_workflows
  ) &
  STATIC_CHECKS_PID=$!
}

# Wait for the checks, print each result (a failure with its output) and export the counts for the summary.
report_static_checks() {
  [ -n "${STATIC_CHECKS_PID:-}" ] || return 0
  wait "$STATIC_CHECKS_PID" || true
  STATIC_CHECKS_PASSED=0
  STATIC_CHECKS_FAILED=0
  local result seconds name
  while read -r result seconds name; do
    if [ "$result" = passed ]; then
      STATIC_CHECKS_PASSED=$((STATIC_CHECKS_PASSED + 1))
      echo "check: $name passed ($seconds s)" >&2
    else
      STATIC_CHECKS_FAILED=$((STATIC_CHECKS_FAILED + 1))
      echo "check: $name FAILED ($seconds s); its output (test-results/check-${name// /-}.log):" >&2
      tail -n 60 "test-results/check-${name// /-}.log" >&2
    fi
  done <"$STATIC_CHECKS_RESULTS"
  export STATIC_CHECKS_PASSED STATIC_CHECKS_FAILED
}
