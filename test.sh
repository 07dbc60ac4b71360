#!/usr/bin/env bash
# Set up and run the checks: ruff, then the whole pytest suite.
# PostgreSQL (127.0.0.1:5432, database test) and Redis (127.0.0.1:6379) tests are skipped
# when those servers are unreachable, unless SHTAB_REQUIRE_SERVICES=1 (CI) requires them.
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh dev
.venv/bin/ruff check .
.venv/bin/ruff format --check .
exec .venv/bin/python -m pytest "$@"
