"""Benchmark: wall time of the whole offline demo (`python -m tracker.demo`) after installation.

Target: under 60 s on a 2-core machine. Runs in a scratch folder so the checkout's demo/ is untouched.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench._results import record


def main() -> int:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as scratch:
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-m", "tracker.demo"], cwd=scratch, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - start
    if out.returncode != 0:
        print(out.stderr[-2000:], file=sys.stderr)
        return 1
    figures = {
        "wall_s": round(seconds, 1),
        "target_s": 60,
        "meets_target": seconds < 60,
        "cpus": os.cpu_count(),
        "load_average_1m_before": round(load_before, 2),
    }
    record("demo", figures)
    print(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
