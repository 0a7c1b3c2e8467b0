#!/usr/bin/env bash
# Install, create or upgrade the database, sync roles, seed the demo, serve on 127.0.0.1:8000.
# DATABASE_URL selects the database (default: SQLite file instance/portal.db).
source "$(dirname "${BASH_SOURCE[0]}")/_env.sh"
mkdir -p instance
if [ -z "${SECRET_KEY:-}" ]; then
    # A local key kept in instance/ (not in git), so sessions survive restarts.
    [ -s instance/secret_key ] || python -c 'import secrets; print(secrets.token_hex(32))' > instance/secret_key
    SECRET_KEY="$(cat instance/secret_key)"
    export SECRET_KEY
fi
flask --app run:app db upgrade
flask --app run:app roles sync
flask --app run:app seed demo
echo "Portal on http://127.0.0.1:8000 (demo logins in README.md)"
exec gunicorn --workers "${WEB_CONCURRENCY:-2}" --bind 127.0.0.1:8000 --access-logfile - run:app
