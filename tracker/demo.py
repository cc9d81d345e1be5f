"""`make demo`: the whole product offline, on a fresh SQLite database in demo/."""

from __future__ import annotations

import sys
from pathlib import Path

from tracker.store import db as store_db

DEMO_DIR = Path("demo")


def main() -> int:
    """Run the demo; return the exit status."""
    DEMO_DIR.mkdir(exist_ok=True)
    path = DEMO_DIR / "tracker.db"
    for leftover in DEMO_DIR.glob("tracker.db*"):
        leftover.unlink()
    url = f"sqlite:///{path}"
    store_db.upgrade(url)
    engine = store_db.make_engine(url)
    tables = sorted(store_db.table_names(engine))
    engine.dispose()
    print(f"demo database {path} created with: {', '.join(tables)}")
    print(f"query it directly: sqlite3 {path} 'select * from v_weekly_family'")
    return 0


if __name__ == "__main__":
    sys.exit(main())
