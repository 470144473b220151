#!/usr/bin/env bash
# Sourced by scripts/test.sh: the static checks that run before the test suite (the README's test command and
# .ci/run). Each check counts as one test in the closing line, so a wrong import or a type error fails CI.
#   layer boundaries   dependency-cruiser (.dependency-cruiser.cjs): no cycles, no import against the layers
#   astro check        the Astro app's .astro files (tsconfig.astro.json); also generates the astro:content types
#   tsc                the whole repository (SQLite's query types), then the store once more with MySQL's
STATIC_CHECKS_PASSED=0
STATIC_CHECKS_FAILED=0

run_static_check() {
  local name="$1" started=$SECONDS log
  shift
  log="test-results/check-${name// /-}.log"
  if "$@" >"$log" 2>&1; then
    STATIC_CHECKS_PASSED=$((STATIC_CHECKS_PASSED + 1))
    echo "check: $name passed ($((SECONDS - started)) s)" >&2
  else
    STATIC_CHECKS_FAILED=$((STATIC_CHECKS_FAILED + 1))
    echo "check: $name FAILED ($((SECONDS - started)) s); its output ($log):" >&2
    tail -n 60 "$log" >&2
  fi
}

run_static_checks() {
  mkdir -p test-results
  run_static_check "layer boundaries" node node_modules/dependency-cruiser/bin/dependency-cruiser.mjs src ingest fakes tests bench astro.config.mjs --config .dependency-cruiser.cjs --output-type err
  run_static_check "astro check" node node_modules/astro/bin/astro.mjs check --tsconfig tsconfig.astro.json
  run_static_check "tsc" node node_modules/typescript/bin/tsc --noEmit
  run_static_check "tsc mysql" node node_modules/typescript/bin/tsc --noEmit -p tsconfig.mysql.json
  export STATIC_CHECKS_PASSED STATIC_CHECKS_FAILED
}
