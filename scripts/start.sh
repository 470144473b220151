#!/usr/bin/env bash
# First command of the README: set everything up on a fresh machine (Node 24 if needed, dependencies),
# then run the main job on embedded defaults: migrate the SQLite database, build the site and serve it.
# Pass --no-serve to stop after the build (CI, scripts).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/bootstrap.sh"
cd "$HUAKU_ROOT"
exec node --env-file-if-exists=.env ingest/cli.ts start "$@"
