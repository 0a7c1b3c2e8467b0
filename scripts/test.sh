#!/usr/bin/env bash
# Install and run the whole test suite on SQLite, then again on PostgreSQL when
# TEST_DATABASE_URL is set (that database's public schema is dropped and rebuilt by the tests).
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"
export APP_ENV=testing SECRET_KEY="${SECRET_KEY:-test-secret-key-of-at-least-32-bytes-long}"
pg_url="${TEST_DATABASE_URL:-}"
echo "== lint"
ruff check .
lint-imports --no-cache
echo "== tests on SQLite"
env -u TEST_DATABASE_URL python -m pytest -p no:cacheprovider "$@"
if [ -n "$pg_url" ]; then
    echo "== tests on PostgreSQL ($pg_url)"
    TEST_DATABASE_URL="$pg_url" python -m pytest -p no:cacheprovider "$@"
fi
