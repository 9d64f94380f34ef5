#!/usr/bin/env bash
# The main job: installs the project into .venv, builds the graph from the bundled example articles,
# and shows what it found (the build summary, then the treaties and their parties as tables).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e .
TG=.venv/bin/treatygraph
"$TG" build examples --out out/examples "$@"
echo
echo "== treaties (treatygraph query treaties --graph out/examples/treatygraph.ttl --format table)"
"$TG" query treaties --graph out/examples/treatygraph.ttl --format table
echo
echo "== who violated what, and who found so (query violations)"
"$TG" query violations --graph out/examples/treatygraph.ttl --format table
