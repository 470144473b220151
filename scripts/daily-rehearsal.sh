#!/usr/bin/env bash
# Seven simulated days of `npm run ingest -- daily` against the offline fakes, with MariaDB (TEST_MYSQL_URL; SQLite
# without it), Redis (TEST_REDIS_URL, optional) and s3rver, and the real site build (`npm run build`, ~15 s a day):
# one table row per day, then the job summary of day 2. Exits non-zero if any day falls short (not deployed,
# wrong diff, a phase skipped or failed, an alert on a normal day or none on the outage day).
#   bash scripts/daily-rehearsal.sh               real astro builds (writes dist/ and cache/ in the project)
#   bash scripts/daily-rehearsal.sh --tiny-build  the stand-in build the CI test uses (ingest/testing/tiny-site-build.ts)
set -euo pipefail
cd "$(dirname "$0")/.."
export ASTRO_TELEMETRY_DISABLED=1
exec node ingest/testing/daily-rehearsal.ts "$@"
