"""The weekly report as a standalone HTML page (Jinja2, autoescaped: titles, skills and notes are untrusted)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from tracker.report.formatting import FILTERS


@lru_cache(maxsize=1)
def environment() -> Environment:
    """The Jinja2 environment of the report templates, autoescape on for every template."""
    env = Environment(
        loader=PackageLoader("tracker.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(FILTERS)
    return env


def render_html(payload: dict[str, Any]) -> str:
    """The report as one standalone HTML page."""
    return environment().get_template("report.html.j2").render(r=payload)
