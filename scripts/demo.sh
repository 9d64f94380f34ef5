#!/usr/bin/env bash
# The main job: installs the project into .venv and builds the graph from the bundled example articles.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e .
exec .venv/bin/treatygraph build examples --out out/examples "$@"
