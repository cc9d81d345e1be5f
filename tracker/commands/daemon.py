"""`tracker run` (the daemon), `tracker status` and `tracker send-summary`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from tracker.commands import load_app


def register(sub: Any) -> None:
    """Add the run, status and send-summary commands."""
    p = sub.add_parser(
        "run", help="the daemon: scrape on schedule and send the weekly summary (SIGTERM stops it)"
    )
    p.add_argument(
        "--standby-poll",
        type=float,
        default=15.0,
        metavar="SECONDS",
        help="while another daemon holds this database, check every SECONDS whether it is gone (default: 15)",
    )
    p.set_defaults(func=cmd_run)
    p = sub.add_parser("status", help="last run per source, next scheduled runs, last email sent")
    p.set_defaults(func=cmd_status)
    p = sub.add_parser("send-summary", help="send the weekly summary email (once per week and recipients)")
    p.add_argument("--week", metavar="W", help="ISO week like 2026-W47 (default: the last complete week)")
    p.add_argument("--to", metavar="ADDR", nargs="+", help="recipients (default: [email] to)")
    p.add_argument(
        "--dry-run",
        metavar="FILE.eml",
        type=Path,
        help="write the message to a file; send and record nothing",
    )
    p.set_defaults(func=cmd_send_summary)


def _week(value: str | None, tz: str) -> str:
    from tracker.analyze.weeks import last_complete_week, parse_week
    from tracker.errors import ConfigError
    from tracker.store.models import utcnow

    if value is None:
        return last_complete_week(utcnow(), tz)
    try:
        parse_week(value)
    except ValueError as exc:
        raise ConfigError(f"--week: {exc}") from None
    return value.strip()


def cmd_send_summary(args: argparse.Namespace) -> int:
    """Send (or write) one week's summary; exit 1 when it could not be delivered."""
    from tracker.deliveries import deliver_summary, ensure_report
    from tracker.store.db import require_schema

    app = load_app(args)
    try:
        require_schema(app.engine)
        week = _week(args.week, app.settings.report.timezone)
        ensure_report(app, week)
        result = deliver_summary(app, week, to=args.to, dry_run=args.dry_run)
    finally:
        app.close()
    if result.status == "dry_run":
        print(
            f"wrote {args.dry_run} ({result.week} {result.market}, to {result.recipients}); nothing was sent or recorded"
        )
        return 0
    print(f"{result.week} {result.market} to {result.recipients}: {result.status.replace('_', ' ')}")
    if result.status == "failed":
        print(f"tracker: error: {result.error}", file=sys.stderr)
        return 1
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    """Run the daemon until SIGTERM/SIGINT."""
    from tracker.config import load_settings
    from tracker.scheduler import run_daemon

    settings = load_settings(args.config)
    return run_daemon(settings, standby_poll_s=args.standby_poll)


def cmd_status(args: argparse.Namespace) -> int:
    """Print the daemon's state from the database."""
    from tracker.scheduler import status_report
    from tracker.store.db import require_schema

    app = load_app(args)
    try:
        require_schema(app.engine)
        print(status_report(app))
    finally:
        app.close()
    return 0
