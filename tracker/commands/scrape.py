"""`tracker scrape` and `tracker import`: collect postings and store them."""

from __future__ import annotations

import argparse
import itertools
import logging
import sys
from pathlib import Path
from typing import Any

from tracker.commands import load_app

log = logging.getLogger("tracker.scrape")
SUMMARY_COLUMNS = ("source", "status", "pages", "seen", "new", "updated", "closed", "errors")


def register(sub: Any) -> None:
    """Add the scrape and import commands."""
    p = sub.add_parser("scrape", help="crawl the configured sources once and store what they list")
    p.add_argument("--source", metavar="NAME", help="only this source (even when disabled)")
    p.set_defaults(func=cmd_scrape)
    p = sub.add_parser("import", help="store postings from a JSON Lines or CSV file (backfills, datasets)")
    p.add_argument("file", type=Path, help="a .jsonl or .csv file with columns external_id, title, company, ...")
    p.add_argument("--source", metavar="NAME", help="source name to file them under (default: import:<file name>)")
    p.set_defaults(func=cmd_import)


def print_summary(rows: list[dict[str, Any]], *, title: str, stream: Any = None) -> None:
    """A table of per-source counts: rich on a terminal, plain aligned text otherwise."""
    stream = stream or sys.stdout
    if stream.isatty():
        from rich.console import Console
        from rich.table import Table

        table = Table(title=title)
        for column in SUMMARY_COLUMNS:
            table.add_column(column, justify="left" if column in {"source", "status"} else "right")
        for row in rows:
            table.add_row(*(str(row.get(c, "")) for c in SUMMARY_COLUMNS))
        Console(file=stream).print(table)
    else:
        widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) if rows else len(c) for c in SUMMARY_COLUMNS}
        print(title, file=stream)
        print("  ".join(c.ljust(widths[c]) for c in SUMMARY_COLUMNS).rstrip(), file=stream)
        for row in rows:
            print("  ".join(str(row.get(c, "")).ljust(widths[c]) for c in SUMMARY_COLUMNS).rstrip(), file=stream)
    for row in rows:
        if row.get("error"):
            first = str(row["error"]).splitlines()[0]
            print(f"{row['source']}: {first}", file=sys.stderr)


class _Progress:
    """Live per-source progress on a terminal; plain log lines otherwise."""

    def __init__(self) -> None:
        self.live: Any = None
        self.rows: dict[str, dict[str, Any]] = {}
        if sys.stderr.isatty():
            from rich.live import Live

            self.live = Live(self._render(), refresh_per_second=4, transient=True, console=None)

    def _render(self) -> Any:
        from rich.table import Table

        table = Table(title="scraping")
        for column in ("source", "status", "seen", "new", "updated", "closed"):
            table.add_column(column)
        for name, row in self.rows.items():
            table.add_row(name, str(row.get("status", "running")), *(str(row.get(c, 0)) for c in ("seen", "new", "updated", "closed")))
        return table

    def __call__(self, source: str, event: str, counts: dict[str, Any]) -> None:
        row = self.rows.setdefault(source, {})
        row.update(counts)
        if event != "done":
            row["status"] = "running"
        if self.live is not None:
            self.live.update(self._render())
        elif event in {"start", "scope", "done"}:
            log.info(
                "%s: %s seen=%s new=%s updated=%s closed=%s",
                source,
                event if event != "done" else f"done ({counts.get('status')})",
                row.get("seen", 0),
                row.get("new", 0),
                row.get("updated", 0),
                row.get("closed", 0),
            )

    def __enter__(self) -> _Progress:
        if self.live is not None:
            self.live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.live is not None:
            self.live.stop()


def cmd_scrape(args: argparse.Namespace) -> int:
    """Crawl sources; exit 1 if any failed."""
    from tracker.pipeline import scrape
    from tracker.store.db import require_schema

    app = load_app(args)
    require_schema(app.engine)
    if not app.settings.sources:
        print("no sources configured: add [[sources]] tables to the settings (see tracker.example.toml)", file=sys.stderr)
        return 2
    with _Progress() as progress:
        results = scrape(app.settings, app.sessions, only=args.source, progress=progress)
    rows = [r.as_row() for r in results]
    print_summary(rows, title="scrape summary")
    return 1 if any(r.status == "failed" for r in results) else 0


def cmd_import(args: argparse.Namespace) -> int:
    """Import a file; bad rows are reported and skipped."""
    from tracker.importer import ImportErrors, read_file
    from tracker.pipeline import import_postings, utc_now
    from tracker.store.db import require_schema

    app = load_app(args)
    require_schema(app.engine)
    path: Path = args.file
    if not path.is_file():
        print(f"tracker: error: no such file: {path}", file=sys.stderr)
        return 2
    errors = ImportErrors()
    name = args.source or f"import:{path.name}"
    rows = read_file(path, now=utc_now(), errors=errors)
    first = next(rows, None)  # reads the header: a file that is not an import file fails before any write
    result = import_postings(
        app.sessions, itertools.chain([first] if first else [], rows), source_name=name
    )
    for line, message in errors.rows[:50]:
        print(f"{path}:{line}: skipped: {message}", file=sys.stderr)
    if len(errors.rows) > 50:
        print(f"{path}: {len(errors.rows) - 50} more bad rows skipped", file=sys.stderr)
    row = result.as_row()
    row["errors"] = len(errors.rows)
    print_summary([row], title="import summary")
    return 0
