"""`tracker report`: compute, store and print the weekly report of one ISO week and market."""

from __future__ import annotations

import argparse
import re
import sys
from typing import Any


def _week(value: str) -> str:
    from tracker.analyze.weeks import parse_week, week_label

    try:
        return week_label(*parse_week(value))
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _market(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z]{3}", value.strip()):
        raise argparse.ArgumentTypeError(f"expected an ISO 4217 currency code like USD, got {value!r}")
    return value.strip().upper()


def cmd_report(args: argparse.Namespace) -> int:
    """Compute and store the week's report, then print it."""
    from tracker.commands import load_app
    from tracker.report import render
    from tracker.reporting import run_report
    from tracker.store.db import require_schema

    app = load_app(args)
    try:
        require_schema(app.engine)
        payload = run_report(app, week=args.week, market=args.market)
    finally:
        app.close()
    text = render(payload, args.format)
    sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def register(sub: Any) -> None:
    """Add the `report` subcommand."""
    p = sub.add_parser(
        "report",
        help="compute, store and print the weekly DS-vs-MLE report",
        description="Compute the report of one ISO week (default: the last complete week in [report] timezone) "
        "and market (default: [report] market), store it (replacing that week's row) and print it.",
    )
    p.add_argument("--week", type=_week, metavar="YYYY-Www", help="ISO week, e.g. 2026-W47")
    p.add_argument("--market", type=_market, metavar="CUR", help="currency of the comparison, e.g. USD")
    p.add_argument("--format", choices=["text", "json", "html"], default="text", help="output format (default: text)")
    p.set_defaults(func=cmd_report)
