#!/usr/bin/env bash
# Set up and run Shtab. Without BOT_TOKEN: the local console chat on SQLite (data/).
# With BOT_TOKEN (in the environment or .env): the real bot by long polling.
# Extra arguments go to `python -m bot` (e.g. ./run.sh console --admin, ./run.sh webhook).
set -euo pipefail
cd "$(dirname "$0")"
scripts/setup.sh
exec .venv/bin/python -m bot "$@"
