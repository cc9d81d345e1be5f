"""docker-compose.yml is parsed (there is no Docker engine here) and its wiring checked."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_compose_services_and_wiring() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert {"postgres", "tracker", "mailpit"} <= set(services)
    pg = services["postgres"]
    assert pg["image"].startswith("postgres:")
    assert "healthcheck" in pg
    assert any("/var/lib/postgresql/data" in v for v in pg["volumes"])
    assert "pgdata" in compose["volumes"]
    tracker = services["tracker"]
    assert tracker["build"] == "."
    assert (ROOT / "Dockerfile").exists()
    command = " ".join(tracker["command"])
    assert command.index("tracker db upgrade") < command.index("tracker run")
    env = tracker["environment"]
    assert env["TRACKER_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert "@postgres:5432/" in env["TRACKER_DATABASE_URL"]
    assert env["TRACKER_EMAIL_SMTP_HOST"] == "mailpit"
    assert "TRACKER_EMAIL_PASSWORD" in env and "TRACKER_DATABASE_PASSWORD" in env
    assert tracker["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["mailpit"]["image"].startswith("axllent/mailpit")
    assert pg["environment"]["POSTGRES_DB"] in env["TRACKER_DATABASE_URL"]
