"""The command line: parses arguments, builds the app from settings, calls pipeline functions.

Exit codes: 0 ok, 1 failure, 2 usage or configuration error. Errors are one line on stderr.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from typing import Any

from tracker import __version__
from tracker.errors import ConfigError, TrackerError

log = logging.getLogger("tracker.cli")

Handler = Callable[[argparse.Namespace], int]


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line and exit status 2."""

    def error(self, message: str) -> Any:
        self.exit(2, f"{self.prog}: error: {message}\n")


def _app(args: argparse.Namespace) -> Any:
    from tracker.commands import load_app

    return load_app(args)


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    """Apply migrations."""
    app = _app(args)
    app.migrate(args.revision)
    from tracker.config import mask_url

    print(f"database {mask_url(app.settings.database.url)} is at revision {args.revision}")
    return 0


def cmd_db_downgrade(args: argparse.Namespace) -> int:
    """Revert migrations."""
    from tracker.store import db

    app = _app(args)
    db.downgrade(app.settings.database_url(), args.revision)
    print(f"database downgraded to {args.revision}")
    return 0


def cmd_db_current(args: argparse.Namespace) -> int:
    """Print the schema revision."""
    from tracker.store import db

    app = _app(args)
    current = db.current_revision(app.engine)
    head = db.head_revision()
    print(f"current: {current or '(empty)'}  head: {head}")
    return 0 if current == head else 1


def cmd_config_check(args: argparse.Namespace) -> int:
    """Validate and print the effective configuration, secrets masked."""
    from tracker.config import describe, load_settings

    settings = load_settings(args.config)
    _check_sources(settings)
    data = describe(settings)
    if args.format == "json":
        print(json.dumps(data, indent=2, default=str))
    else:
        print(f"# configuration OK ({settings.config_path or 'defaults and environment only'})")
        print(_to_toml(data))
    return 0


def _check_sources(settings: Any) -> None:
    """Validate kind-specific source options (the sources package knows them)."""
    from tracker.bootstrap import build_configured_source

    for src in settings.sources:
        build_configured_source(settings, src)


def _to_toml(data: dict[str, Any]) -> str:
    lines: list[str] = []

    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int | float):
            return repr(v)
        if isinstance(v, list | tuple):
            return "[" + ", ".join(value(x) for x in v) + "]"
        if v is None:
            return '""  # not set'
        return json.dumps(str(v), ensure_ascii=False)

    for section, table in data.items():
        if section == "sources":
            for src in table:
                lines.append("\n[[sources]]")
                lines.extend(f"{k} = {value(v)}" for k, v in src.items() if v is not None)
            continue
        lines.append(f"\n[{section}]")
        lines.extend(f"{k} = {value(v)}" for k, v in table.items())
    return "\n".join(lines).strip()


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every command."""
    parser = _Parser(
        prog="tracker",
        description="Track the pay gap between Data Scientist and ML Engineer job postings, weekly.",
        epilog="Exit codes: 0 ok, 1 failure, 2 usage or configuration error. "
        "Settings: tracker.toml, --config, TRACKER_CONFIG and TRACKER_<SECTION>_<KEY> variables.",
    )
    parser.add_argument("--version", action="version", version=f"tracker {__version__}")
    parser.add_argument("--config", metavar="PATH", help="settings file (default: $TRACKER_CONFIG or ./tracker.toml)")
    parser.add_argument("--log-format", choices=["text", "json"], default="text", help="log line format")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p_db = sub.add_parser("db", help="database schema: upgrade, downgrade, current")
    db_sub = p_db.add_subparsers(dest="db_command", metavar="ACTION", parser_class=_Parser)
    p = db_sub.add_parser("upgrade", help="apply migrations (creates tables and views)")
    p.add_argument("--revision", default="head", help="target revision (default: head)")
    p.set_defaults(func=cmd_db_upgrade)
    p = db_sub.add_parser("downgrade", help="revert migrations down to a revision ('base' drops everything)")
    p.add_argument("revision", help="target revision, e.g. base or -1")
    p.set_defaults(func=cmd_db_downgrade)
    p = db_sub.add_parser("current", help="print the schema revision; exit 1 when not at head")
    p.set_defaults(func=cmd_db_current)
    p_db.set_defaults(func=lambda a: _missing(p_db))

    p_cfg = sub.add_parser("config", help="configuration: check")
    cfg_sub = p_cfg.add_subparsers(dest="config_command", metavar="ACTION", parser_class=_Parser)
    p = cfg_sub.add_parser("check", help="validate and print the effective configuration (secrets masked)")
    p.add_argument("--format", choices=["toml", "json"], default="toml")
    p.set_defaults(func=cmd_config_check)
    p_cfg.set_defaults(func=lambda a: _missing(p_cfg))

    from tracker.commands import register_all

    register_all(sub)
    return parser


def _missing(parser: argparse.ArgumentParser) -> int:
    parser.print_usage(sys.stderr)
    print(f"{parser.prog}: error: an action is required", file=sys.stderr)
    return 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    from tracker.logs import setup_logging

    parser = build_parser()
    args = parser.parse_args(argv)
    setup_logging(args.log_format, logging.DEBUG if args.verbose else logging.INFO)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args))
    except ConfigError as exc:
        print(f"tracker: config error: {_one_line(exc)}", file=sys.stderr)
        return 2
    except TrackerError as exc:
        print(f"tracker: error: {_one_line(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("tracker: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # a bug or an untranslated library error: one line, the traceback with -v
        if args.verbose:
            raise
        from sqlalchemy.exc import SQLAlchemyError

        what = "database error" if isinstance(exc, SQLAlchemyError) else f"unexpected {type(exc).__name__}"
        detail = getattr(exc, "orig", None) or exc
        print(f"tracker: {what}: {_one_line(detail)} (run with -v for the traceback)", file=sys.stderr)
        return 1


def _one_line(exc: object) -> str:
    """An error message on one line, shortened."""
    text = " ".join(str(exc).split())
    return text if len(text) <= 500 else text[:497] + "..."
