"""`treatygraph build DIR --out OUT`: read every article under DIR, write the graph, its inferences and reports."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..ingest import IngestLimits
from ..pipeline import BuildOptions, BuildResult, build
from ..vocab import DEFAULT_BASE


def positive_int(text: str) -> int:
    """argparse type for a limit: a whole number above zero (argparse names the option in its one-line error)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"{text} is not above zero")
    return value


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("build", help="build the graph from a folder of articles (.txt, .html, .wiki)")
    parser.add_argument("corpus", type=Path, help="folder of articles, read recursively")
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    parser.add_argument("--base", default=DEFAULT_BASE, help=f"base of every minted IRI (default {DEFAULT_BASE})")
    parser.add_argument("--no-reason", dest="reason", action="store_false", help="skip OWL-RL reasoning")
    parser.add_argument("--no-validate", dest="validate", action="store_false", help="skip SHACL validation")
    parser.add_argument("--workers", type=int, default=0, help="worker processes (default: one per core)")
    parser.add_argument("--max-bytes", type=positive_int, default=IngestLimits().max_bytes, help="largest article read")
    parser.add_argument("--max-template-depth", type=positive_int, default=IngestLimits().max_template_depth)
    parser.add_argument(
        "--max-seconds-per-article",
        type=float,
        default=BuildOptions().max_seconds_per_article,
        help="an article whose reading and extraction takes longer is reported as failed (0: no limit)",
    )
    parser.add_argument("--no-cache", dest="use_cache", action="store_false", help="re-extract every article (OUT/.cache)")
    parser.add_argument("--no-store", dest="store", action="store_false", help="do not write OUT/store (query then parses the file)")
    parser.add_argument("--strict", action="store_true", help="exit 1 when any article failed")
    parser.add_argument("--quiet", action="store_true", help="no summary")
    parser.set_defaults(func=run, leave_heap=True)


def run(args: argparse.Namespace) -> int:
    base = args.base if args.base.endswith(("/", "#")) else args.base + "/"
    options = BuildOptions(
        base=base,
        reason=args.reason,
        validate=args.validate,
        workers=args.workers,
        limits=IngestLimits(max_bytes=args.max_bytes, max_template_depth=args.max_template_depth),
        progress=not args.quiet,
        max_seconds_per_article=args.max_seconds_per_article,
        use_cache=args.use_cache,
        store=args.store,
    )
    result = build(args.corpus, args.out, options)
    if not args.quiet:
        print(render_summary(result))
    if not any(r.status != "failed" for r in result.reports):
        sys.stderr.write("treatygraph: error: no article could be read\n")
        return 1
    return 1 if args.strict and any(r.status == "failed" for r in result.reports) else 0


def render_summary(result: BuildResult) -> str:
    s = result.summary
    lines = [
        f"articles read     {s['articles']} ({s['articles_failed']} failed, {s['articles_without_treaty']} without a treaty)",
        f"treaties          {s['treaties']}",
        f"parties           {s['parties']}",
        f"signers           {s['signers']}",
        f"lineage links     {s['lineage_links']}",
        f"violations        {s['violations']}",
        f"resolutions       {s['resolutions']}",
        f"triples           {s['triples']}",
        f"problems          {s['problems']}",
        f"names linked      {s['names_linked']} (unlinked or ambiguous: {s['names_unlinked']})",
    ]
    if result.conforms is not None:
        lines.append(f"validation        {'conforms' if result.conforms else 'VIOLATIONS: see validation.txt'}")
    lines.append("files:")
    lines += [f"  {name:12} {path}" for name, path in result.outputs.items()]
    return "\n".join(lines)
