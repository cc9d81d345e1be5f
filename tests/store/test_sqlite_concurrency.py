"""SQLite: two processes writing the same database wait for each other instead of failing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tracker.store import db as store_db

WRITER = """
import sys, time
from datetime import UTC, datetime
from tracker.store import db, repository as repo
engine = db.make_engine(sys.argv[1])
sessions = db.session_factory(engine)
for i in range(40):
    with db.transaction(sessions) as session:
        repo.known_postings(session, 1)          # read first ...
        time.sleep(0.005)
        repo.ensure_source(session, kind="import", name=f"{sys.argv[2]}-{i}")  # ... then write
print("ok")
"""


def test_concurrent_read_then_write_transactions_do_not_fail(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'c.db'}"
    store_db.upgrade(url)
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, url, name], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for name in ("a", "b")
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    for proc, (out, err) in zip(procs, outs, strict=True):
        assert proc.returncode == 0 and out.strip() == "ok", err[-2000:]
    engine = store_db.make_engine(url)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("select count(*) from sources").scalar() == 80
    engine.dispose()
