"""Rendering of the weekly report payload (text, HTML); mail delivery may live beside it.

`render(payload, fmt)` with fmt in text, json or html; `render_text` and `render_html` directly.
Everything here reads the payload only (see tracker.analyze.weekly for its keys).
"""

from __future__ import annotations

import json
from typing import Any

from tracker.report.html import render_html
from tracker.report.text import render_text

FORMATS = ("text", "json", "html")


def render_json(payload: dict[str, Any]) -> str:
    """The payload as indented JSON."""
    return json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=False)


def render(payload: dict[str, Any], fmt: str = "text") -> str:
    """The report in one of FORMATS."""
    if fmt == "json":
        return render_json(payload)
    if fmt == "html":
        return render_html(payload)
    if fmt == "text":
        return render_text(payload)
    raise ValueError(f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}")


__all__ = ["FORMATS", "render", "render_html", "render_json", "render_text"]
