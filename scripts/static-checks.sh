#!/usr/bin/env bash
# Sourced by scripts/test.sh: the static checks of the whole suite (the README's test command and .ci/run).
# They all run beside vitest, on the core its global setup (one site build at a time) leaves free. astro check
# writes the generated `.astro/` types, which the suite's site builds also write, so it takes the same lock
# (tests/browser/harness.ts: withBuildLock, a directory made atomically); tsc reads those types, so it comes
# after. Each counts as one test in the closing line, so a wrong import or a type error fails CI.
#   layer boundaries   dependency-cruiser (.dependency-cruiser.cjs): no cycles, no import against the layers
#   astro check        the Astro app's .astro files (tsconfig.astro.json); also generates the astro:content types
#   tsc                the whole repository (SQLite's query types), then the store once more with MySQL's, with
#                      TypeScript 7's native compiler (package alias typescript-native): 15 CPU-s for both instead of
#                      TypeScript 5.9's 38; single-threaded, since the suite has the other core (its threads cost 60 % more
#                      CPU for the same answer). astro check keeps TypeScript 5.9, whose JS API its language server uses.
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

# The lock of tests/browser/harness.ts (same path, same staleness rule): one writer of `.astro/` at a time.
ASTRO_BUILD_LOCK=".astro-build.lock"
with_astro_build_lock() {
  until mkdir "$ASTRO_BUILD_LOCK" 2>/dev/null; do
    # A lock older than any build was left by a crashed holder.
    find "$ASTRO_BUILD_LOCK" -maxdepth 0 -mmin +5 -exec rm -rf {} + 2>/dev/null || true
    sleep 0.2
  done
  local status=0
  "$@" || status=$?
  rm -rf "$ASTRO_BUILD_LOCK"
  return "$status"
}

# All in the background; report_static_checks waits for them.
start_static_checks() {
  mkdir -p test-results
  : >"$STATIC_CHECKS_RESULTS"
  (
    run_static_check "layer boundaries" node node_modules/dependency-cruiser/bin/dependency-cruiser.mjs src ingest fakes tests bench astro.config.mjs --config .dependency-cruiser.cjs --output-type err
    run_static_check "workflows" validate_workflows
    with_astro_build_lock run_static_check "astro check" node node_modules/astro/bin/astro.mjs check --tsconfig tsconfig.astro.json
    run_static_check "tsc" node node_modules/typescript-native/bin/tsc --noEmit --singleThreaded
    run_static_check "tsc mysql" node node_modules/typescript-native/bin/tsc --noEmit --singleThreaded -p tsconfig.mysql.json
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
