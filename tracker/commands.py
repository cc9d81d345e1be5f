"""Commands of the pipeline stages (scrape, import, report, run, ...), registered into the CLI."""

from __future__ import annotations
