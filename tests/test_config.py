"""Settings: typed, validated, overridable by the environment, secrets never printed."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tracker.config import describe, load_settings, settings_from_mapping, settings_reference
from tracker.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def test_defaults_use_embedded_sqlite_and_usd_market() -> None:
    settings = settings_from_mapping({}, {})
    assert settings.database.url == "sqlite:///tracker.db"
    assert settings.report.market == "USD"
    assert settings.report.min_n == 30
    assert settings.report.window_weeks == 4


def test_environment_overrides_scalar_keys() -> None:
    env = {
        "TRACKER_DATABASE_URL": "postgresql+psycopg://u@h/db",
        "TRACKER_REPORT_MIN_N": "12",
        "TRACKER_SCRAPE_RESPECT_ROBOTS": "false",
        "TRACKER_EMAIL_TO": "a@x.org, b@y.org",
        "TRACKER_EMAIL_FROM": "me@x.org",
    }
    settings = settings_from_mapping({"report": {"min_n": 40}}, env)
    assert settings.database.url == "postgresql+psycopg://u@h/db"
    assert settings.report.min_n == 12
    assert settings.scrape.respect_robots is False
    assert settings.email.to == ("a@x.org", "b@y.org")
    assert settings.email.from_addr == "me@x.org"


def test_source_keys_can_be_overridden_by_name() -> None:
    raw = {"sources": [{"kind": "lever", "name": "lever-eu", "sites": ["a"], "page_size": 50}]}
    settings = settings_from_mapping(raw, {"TRACKER_SOURCES_LEVER_EU_ENABLED": "no", "TRACKER_SOURCES_LEVER_EU_PAGE_SIZE": "20"})
    src = settings.sources[0]
    assert src.enabled is False
    assert src.options["page_size"] == 20
    assert src.options["sites"] == ["a"]


@pytest.mark.parametrize(
    ("raw", "env", "fragment"),
    [
        ({"databse": {"url": "x"}}, {}, "databse: unknown section (did you mean 'database'?)"),
        ({"database": {"urll": "x"}}, {}, "database.urll: unknown setting (did you mean 'url'?)"),
        ({"report": {"min_n": "thirty"}}, {}, "report.min_n: expected an integer"),
        ({"report": {"min_n": 1}}, {}, "report.min_n: must be at least 2"),
        ({"scrape": {"per_host_rate": 0}}, {}, "scrape.per_host_rate: must be greater than 0"),
        ({"scrape": {"respect_robots": "yes"}}, {}, "scrape.respect_robots: expected true or false"),
        ({"email": {"security": "tls"}}, {}, "email.security: expected starttls, ssl or none"),
        ({"email": {"password": "hunter2"}}, {}, "email.password: secrets come from the environment only"),
        ({"report": {"timezone": "Mars/Base"}}, {}, "report.timezone: unknown timezone"),
        ({"report": {"schedule": "every tuesday"}}, {}, "report.schedule:"),
        ({"report": {"market": "dollars"}}, {}, "report.market: expected an ISO 4217 code"),
        ({}, {"TRACKER_SCRAPE_TIMEOUT_S": "soon"}, "TRACKER_SCRAPE_TIMEOUT_S: expected a number"),
        ({"sources": [{"kind": "lever"}]}, {}, "sources[0].name: required"),
        ({"sources": [{"name": "x"}]}, {}, "sources.x.kind: required"),
        ({"sources": [{"name": "x", "kind": "lever", "schedule": "61 * * * *"}]}, {}, "sources.x.schedule: invalid crontab"),
        (
            {"sources": [{"name": "x", "kind": "lever"}, {"name": "x", "kind": "ashby"}]},
            {},
            "sources.x: the name is used twice",
        ),
    ],
)
def test_bad_settings_raise_one_line_naming_the_key(raw: dict, env: dict, fragment: str) -> None:
    with pytest.raises(ConfigError) as info:
        settings_from_mapping(raw, env)
    message = str(info.value)
    assert fragment in message
    assert "\n" not in message


def test_secrets_come_from_environment_and_are_masked() -> None:
    env = {
        "TRACKER_EMAIL_PASSWORD": "hunter2",
        "TRACKER_DATABASE_PASSWORD": "s3cret",
        "TRACKER_DATABASE_URL": "postgresql+psycopg://tracker@db:5432/tracker",
    }
    settings = settings_from_mapping({"email": {"username": "bot"}}, env)
    assert settings.email_password == "hunter2"
    assert "s3cret" in settings.database_url()
    shown = repr(describe(settings)) + repr(settings)
    assert "hunter2" not in shown and "s3cret" not in shown


def test_database_password_in_url_is_masked_by_config_check(tmp_path: Path) -> None:
    cfg = tmp_path / "t.toml"
    cfg.write_text('[database]\nurl = "postgresql+psycopg://u:topsecret@h/db"\n')
    out = _run("--config", str(cfg), "config", "check")
    assert out.returncode == 0, out.stderr
    assert "topsecret" not in out.stdout
    assert "***" in out.stdout


def _run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    import os

    full_env = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "tracker", *args], capture_output=True, text=True, env=full_env, cwd=cwd or ROOT, timeout=120
    )


def test_misspelled_key_exits_2_with_one_line(tmp_path: Path) -> None:
    cfg = tmp_path / "t.toml"
    cfg.write_text('[scrape]\nuser_agnet = "x"\n')
    out = _run("--config", str(cfg), "config", "check")
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0
    assert "scrape.user_agnet" in out.stderr and "Traceback" not in out.stderr


def test_tracker_config_env_variable_selects_the_file(tmp_path: Path) -> None:
    cfg = tmp_path / "t.toml"
    cfg.write_text("[report]\nmin_n = 31\n")
    out = _run("config", "check", "--format", "json", env={"TRACKER_CONFIG": str(cfg)})
    assert out.returncode == 0, out.stderr
    assert '"min_n": 31' in out.stdout


def test_missing_config_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "nope.toml", env={})


def test_invalid_toml_is_a_config_error(tmp_path: Path) -> None:
    cfg = tmp_path / "t.toml"
    cfg.write_text("[report\nmin_n = 3")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(cfg, env={})


def test_example_config_is_valid() -> None:
    out = _run("--config", str(ROOT / "tracker.example.toml"), "config", "check")
    assert out.returncode == 0, out.stderr


def test_every_setting_is_in_the_readme_reference() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Configuration reference", 1)[1]
    documented = set(re.findall(r"^\| `([a-z_.]+)` \|", section, flags=re.M))
    missing = [key for key, *_ in settings_reference() if key not in documented]
    assert not missing, f"settings missing from README's configuration reference: {missing}"


def test_every_setting_appears_in_the_example_config() -> None:
    example = (ROOT / "tracker.example.toml").read_text()
    missing = []
    for key, *_ in settings_reference():
        section, name = key.split(".")
        if section == "sources":
            continue
        if not re.search(rf"^#?\s*{re.escape(name)}\s*=", example, flags=re.M):
            missing.append(key)
    assert not missing, f"settings missing from tracker.example.toml: {missing}"
