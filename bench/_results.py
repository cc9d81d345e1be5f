"""Merge one benchmark's figures into bench/results.json (other benchmarks share the file)."""

from __future__ import annotations

import json
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results.json"


def record(key: str, figures: dict[str, Any]) -> None:
    """Store `figures` under `key`, stamped with the time and machine."""
    data = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    data[key] = {
        **figures,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()} {platform.python_implementation()} {platform.python_version()}",
    }
    RESULTS.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
