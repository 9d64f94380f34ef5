"""Which `min_confidence` default gives the best F1: runs the shared scorer once per threshold.

    python benchmarks/confidence_sweep.py ARTICLES GOLD [--thresholds 0.3 0.5 0.7 0.8 0.9]

The scorer calls `treatygraph query` without parameters, so each run uses a small wrapper that sets the
project-wide default (query.SHARED_DEFAULTS["MIN_CONFIDENCE"]) before the CLI starts.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCORER = ROOT.parent / "shared" / "tools" / "score.py"


def wrapper(folder: Path, threshold: str) -> Path:
    script = folder / f"treatygraph-{threshold}"
    script.write_text(
        f"#!{sys.executable}\n"
        "import sys\n"
        "import treatygraph.query as q\n"
        f'q.SHARED_DEFAULTS["MIN_CONFIDENCE"] = "{threshold}"\n'
        "from treatygraph.cli import main\n"
        "sys.exit(main())\n"
    )
    script.chmod(0o755)
    return script


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("articles")
    parser.add_argument("gold")
    parser.add_argument("--thresholds", nargs="+", default=["0.3", "0.5", "0.6", "0.7", "0.75", "0.8", "0.85", "0.9"])
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for threshold in args.thresholds:
            command = [
                sys.executable,
                str(SCORER),
                args.articles,
                args.gold,
                "--bin",
                str(wrapper(Path(tmp), threshold)),
                "--json",
            ]
            out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
            micro = json.loads(out[: out.rindex("}") + 1])["micro"]
            rows.append((threshold, micro["p"], micro["r"], micro["f1"]))
            print(
                f"min_confidence={threshold:5}  P={micro['p']:.3f}  R={micro['r']:.3f}  F1={micro['f1']:.3f}",
                flush=True,
            )
    best = max(rows, key=lambda r: (r[3], r[1]))
    print(f"best: min_confidence={best[0]} (F1 {best[3]:.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
