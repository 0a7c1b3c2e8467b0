# Shared by serve.sh and test.sh: a virtualenv in .venv with the pinned dependencies, and the
# translation catalogs compiled (a failed compile stops everything).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
export PATH="$PWD/.venv/bin:$PATH"
bash translations/compile.sh >/dev/null
