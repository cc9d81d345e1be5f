"""Command groups of the pipeline stages, one module each; importing this package registers them in the CLI.

Each module defines `register(sub)` taking argparse's subparsers object, and is listed in MODULES.
"""

from __future__ import annotations

import argparse
import importlib
from typing import Any

MODULES = ("tracker.commands.scrape", "tracker.commands.report", "tracker.commands.daemon")


def register_all(sub: Any) -> None:
    """Register every command group that is present."""
    for name in MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        module.register(sub)


def load_app(args: argparse.Namespace) -> Any:
    """Build the app from --config (and the environment)."""
    from tracker.bootstrap import App
    from tracker.config import load_settings

    return App(load_settings(args.config))
