"""A real `tracker run` in a subprocess, on a clock the test moves, scraping a loopback fixture server.

    clock = ClockFile(tmp_path / "clock", START)            # the daemon reads "now" from this file
    with FixtureServer() as web:
        sources = SourceFixtures(web)                       # greenhouse + lever fixtures; one can be slowed
        config = write_config(tmp_path, db_url, web, smtp_port)
        daemon = Daemon.start(config, clock, tmp_path / "d.log")
        daemon.wait_ready()
        clock.set(START + timedelta(hours=12))              # due jobs run within a tick
        ...
        assert daemon.terminate() == 0                      # SIGTERM

Waiting is always polling with a deadline (`wait_until`), never a fixed sleep, so the tests hold on a
loaded machine.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.httpserver import FixtureServer, Reply, Request
from tracker.scheduler import FAKE_CLOCK_ENV

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "sources" / "fixtures"
LIST_PATH = "/v1/boards/vercel/jobs"
SLOW_PATH = "/v1/boards/vercel/jobs/7002002004"
"""The last detail request of a greenhouse crawl: slowed, it holds the crawl in the middle of its scope."""
LEVER_PATH = "/v0/postings/spotify"


def fixture_json(name: str) -> Any:
    """A recorded response from tests/sources/fixtures."""
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def expected_postings() -> int:
    """How many postings one complete crawl of both fixture sources stores."""
    return len(fixture_json("greenhouse_vercel_list.json")["jobs"]) + len(
        fixture_json("lever_spotify_postings.json")
    )


def wait_until(check: Callable[[], bool], what: str, timeout: float = 30.0, every: float = 0.05) -> None:
    """Poll `check` until it is true; AssertionError naming `what` at the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(every)


class ClockFile:
    """The fake clock the daemon reads (TRACKER_FAKE_CLOCK_FILE), replaced atomically on every move."""

    def __init__(self, path: Path, start: datetime) -> None:
        self.path = path
        self.now = start
        self.set(start)

    def set(self, moment: datetime) -> None:
        """Move the daemon's clock to `moment` (timezone-aware)."""
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(moment.isoformat(), encoding="utf-8")
        os.replace(tmp, self.path)
        self.now = moment


class SourceFixtures:
    """Greenhouse board 'vercel' and lever site 'spotify' served from recorded fixtures."""

    def __init__(self, server: FixtureServer, slow_s: float = 60.0) -> None:
        self.server = server
        self.slow = threading.Event()
        """While set, SLOW_PATH answers only after `slow_s` seconds."""
        self.slow_s = slow_s
        server.route(LIST_PATH, Reply.json(fixture_json("greenhouse_vercel_list.json")))
        server.route(
            "/v1/boards/vercel/jobs/7001001004",
            Reply.json(fixture_json("greenhouse_vercel_detail_7001001004.json")),
        )
        detail = Reply.json(fixture_json("greenhouse_vercel_detail_7002002004.json"))
        slow = Reply(detail.status, detail.body, detail.headers, delay_s=slow_s)
        server.route(SLOW_PATH, lambda _req: slow if self.slow.is_set() else detail)
        server.route(LEVER_PATH, Reply.json(fixture_json("lever_spotify_postings.json")))

    def hits(self, path: str, since: int = 0) -> int:
        """Requests to `path` after the first `since` requests the server saw."""
        seen: list[Request] = list(self.server.requests[since:])
        return sum(1 for r in seen if r.path == path)


def write_config(
    directory: Path,
    db_url: str,
    web: FixtureServer,
    smtp_port: int,
    *,
    to: list[str],
    gh_schedule: str = "12h",
    lever_schedule: str = "24h",
) -> Path:
    """A tracker.toml: both sources on the fixture server, no jitter, mail to the loopback SMTP server."""
    base = web.url("")
    config = directory / "tracker.toml"
    config.write_text(
        f"""
[database]
url = "{db_url}"

[scrape]
user_agent = "tracker-tests/1 (+mailto:ci@tracker.invalid)"
per_host_rate = 200.0
max_retries = 0
timeout_s = 120.0
retry_after_cap_s = 0.1
jitter_s = 0

[report]
schedule = "0 7 * * mon"
timezone = "UTC"
market = "USD"

[email]
smtp_host = "127.0.0.1"
smtp_port = {smtp_port}
security = "none"
from = "tracker@example.net"
to = {json.dumps(to)}
timeout_s = 5.0
max_attempts = 1

[[sources]]
kind = "greenhouse"
name = "gh"
base_url = "{base}"
boards = ["vercel"]
schedule = "{gh_schedule}"

[[sources]]
kind = "lever"
name = "lever"
base_url = "{base}"
sites = ["spotify"]
schedule = "{lever_schedule}"
""",
        encoding="utf-8",
    )
    return config


class Daemon:
    """One `python -m tracker run` process on the fake clock."""

    def __init__(self, proc: subprocess.Popen[bytes], log: Path) -> None:
        self.proc = proc
        self.log = log

    @classmethod
    def start(cls, config: Path, clock: ClockFile, log: Path) -> Daemon:
        """Start the daemon; its output goes to `log` (appended, so a restart keeps the history)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
        env.update({"PYTHONPATH": str(ROOT), FAKE_CLOCK_ENV: str(clock.path)})
        with log.open("ab") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "tracker", "--config", str(config), "run", "--standby-poll", "0.2"],
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
                env=env,
            )
        return cls(proc, log)

    def text(self) -> str:
        """Everything the daemon logged so far."""
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_for_log(self, needle: str, count: int = 1, timeout: float = 30.0) -> None:
        """Wait until `needle` appears `count` times in the log (or the process exits)."""

        def seen() -> bool:
            if self.proc.poll() is not None and self.text().count(needle) < count:
                raise AssertionError(
                    f"daemon exited ({self.proc.returncode}) before {needle!r}:\n{self.text()}"
                )
            return self.text().count(needle) >= count

        try:
            wait_until(seen, repr(needle), timeout)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- daemon log ---\n{self.text()}") from None

    def wait_ready(self, starts: int = 1) -> None:
        """Wait until the `starts`-th start of a daemon on this log has installed its jobs (and read the clock)."""
        self.wait_for_log("job weekly-summary: next run", count=starts)

    def kill(self) -> None:
        """SIGKILL, as a crash or the OOM killer would."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def terminate(self, timeout: float = 60.0) -> int:
        """SIGTERM and wait for the exit code."""
        self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=timeout)

    def ensure_dead(self) -> None:
        """Kill the process if a failing test left it running."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)
