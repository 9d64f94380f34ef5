#!/usr/bin/env bash
# Runs the whole test suite: creates .venv (if needed), installs the project with its test extras, runs pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
export PATH="$PWD/.venv/bin:$PATH"  # tools the test extras install (the oxigraph server) are found
exec .venv/bin/python -m pytest "$@"
