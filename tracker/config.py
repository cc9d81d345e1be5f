"""Typed settings, loaded once from one TOML file and the environment.

Where settings come from, later winning:
1. the defaults declared on the dataclasses below (each field documents itself),
2. the TOML file (`--config PATH`, else `$TRACKER_CONFIG`, else `./tracker.toml` when it exists),
3. environment variables `TRACKER_<SECTION>_<KEY>` for every scalar key
   (`TRACKER_DATABASE_URL`, `TRACKER_REPORT_MIN_N`, ...; for a source, `TRACKER_SOURCES_<NAME>_<KEY>`).

Secrets come from the environment only and are never printed: `TRACKER_EMAIL_PASSWORD`,
`TRACKER_DATABASE_PASSWORD`. Every problem raises `ConfigError` naming the key.
Nothing here reads files or the environment at import time.
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, get_args, get_origin, get_type_hints
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tracker.errors import ConfigError

PLACEHOLDER_CONTACT = "contact@example.com"
DEFAULT_USER_AGENT = f"tracker/0.1 (+mailto:{PLACEHOLDER_CONTACT})"
SECRET_ENV = {"email.password": "TRACKER_EMAIL_PASSWORD", "database.password": "TRACKER_DATABASE_PASSWORD"}
FAMILIES = (
    "data_scientist",
    "ml_engineer",
    "ai_engineer",
    "applied_scientist",
    "data_analyst",
    "data_engineer",
    "other",
)
_INTERVAL_RE = re.compile(r"^\s*(?:every\s+)?(\d+)\s*(s|m|h|d|w)\s*$", re.IGNORECASE)


def _doc(text: str, **kwargs: Any) -> Any:
    """A dataclass field carrying its documentation."""
    if "default_factory" in kwargs:
        return field(default_factory=kwargs["default_factory"], metadata={"doc": text})
    return field(default=kwargs["default"], metadata={"doc": text})


@dataclass(frozen=True)
class DatabaseSettings:
    """[database]: where postings, reports and deliveries are stored."""

    url: str = _doc(
        "SQLAlchemy URL. Default: an embedded SQLite file ./tracker.db. Production: "
        "postgresql+psycopg://user@host:5432/db (password from TRACKER_DATABASE_PASSWORD).",
        default="sqlite:///tracker.db",
    )
    echo: bool = _doc("Log every SQL statement (debugging).", default=False)


@dataclass(frozen=True)
class ScrapeSettings:
    """[scrape]: how politely every source is fetched."""

    user_agent: str = _doc(
        "User-Agent sent with every request; must carry a real contact (the placeholder is refused).",
        default=DEFAULT_USER_AGENT,
    )
    per_host_rate: float = _doc("Requests per second per host (token bucket); sources may override.", default=1.0)
    max_concurrency: int = _doc("Requests in flight at once across all hosts.", default=8)
    respect_robots: bool = _doc("Obey robots.txt; sources may opt out explicitly.", default=True)
    timeout_s: float = _doc("Timeout of one request, in seconds.", default=20.0)
    max_response_bytes: int = _doc("Largest response body accepted, after decompression.", default=10_000_000)
    max_retries: int = _doc("Retries of a request on 429, 5xx and connection errors.", default=4)
    retry_after_cap_s: float = _doc("Longest Retry-After honoured, in seconds.", default=120.0)
    jitter_s: int = _doc("Random delay added to each scheduled scrape, in seconds.", default=120)


@dataclass(frozen=True)
class SourceSettings:
    """[[sources]]: one configured job board, search or page set."""

    kind: str = _doc("greenhouse, lever, ashby, linkedin or jsonld.", default="")
    name: str = _doc("Unique name of this source (used in logs, status and --source).", default="")
    base_url: str | None = _doc("Where every request of this source goes; default: the kind's public host.", default=None)
    enabled: bool = _doc("Scrape this source.", default=True)
    schedule: str = _doc("When the daemon scrapes it: a crontab line ('0 */6 * * *') or an interval ('6h').", default="6h")
    respect_robots: bool | None = _doc("Per-source robots.txt override (false opts out explicitly).", default=None)
    per_host_rate: float | None = _doc("Per-source rate override, requests per second.", default=None)
    options: Mapping[str, Any] = _doc("Kind-specific keys (boards, sites, queries, urls, ...).", default_factory=dict)


@dataclass(frozen=True)
class ReportSettings:
    """[report]: the weekly analysis."""

    schedule: str = _doc("When the weekly job runs: a crontab line in `timezone`.", default="0 7 * * mon")
    timezone: str = _doc("IANA timezone for weeks and the schedule.", default="UTC")
    market: str = _doc("Currency of the headline comparison (ISO 4217); others are reported separately.", default="USD")
    window_weeks: int = _doc("Weeks pooled when a family has fewer than min_n priced postings.", default=4)
    min_n: int = _doc("Fewest priced postings for which a CI or p-value is printed.", default=30)
    bootstrap_resamples: int = _doc("Bootstrap resamples for the gap CI (>= 5000).", default=5000)
    seed: int = _doc("Random seed of the bootstrap (results are deterministic).", default=20240101)
    include_estimated: bool = _doc("Count pay estimated by a job board (not posted by the employer).", default=False)


@dataclass(frozen=True)
class EmailSettings:
    """[email]: the weekly summary."""

    smtp_host: str = _doc("SMTP server host.", default="localhost")
    smtp_port: int = _doc("SMTP server port.", default=587)
    security: str = _doc("starttls, ssl or none.", default="starttls")
    username: str | None = _doc("SMTP user; the password comes from TRACKER_EMAIL_PASSWORD only.", default=None)
    from_addr: str = _doc("From address (key `from`).", default="tracker@localhost")
    to: tuple[str, ...] = _doc("Recipients (list).", default=())
    timeout_s: float = _doc("SMTP timeout, in seconds.", default=30.0)
    max_attempts: int = _doc("Attempts at a transient SMTP failure before giving up until the next run.", default=5)


@dataclass(frozen=True)
class Settings:
    """All settings."""

    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    scrape: ScrapeSettings = field(default_factory=ScrapeSettings)
    sources: tuple[SourceSettings, ...] = ()
    report: ReportSettings = field(default_factory=ReportSettings)
    email: EmailSettings = field(default_factory=EmailSettings)
    secrets: Mapping[str, str] = field(default_factory=dict, repr=False)
    config_path: str | None = None

    @property
    def email_password(self) -> str | None:
        """The SMTP password, from the environment only."""
        return self.secrets.get("email.password")

    def database_url(self) -> str:
        """The database URL with the password from the environment filled in."""
        url = self.database.url
        password = self.secrets.get("database.password")
        if password:
            from sqlalchemy.engine import make_url

            parsed = make_url(url)
            if parsed.password is None and parsed.username:
                return parsed.set(password=password).render_as_string(hide_password=False)
        return url


SECTIONS: dict[str, type] = {
    "database": DatabaseSettings,
    "scrape": ScrapeSettings,
    "report": ReportSettings,
    "email": EmailSettings,
}
# TOML keys that differ from the attribute name.
KEY_ALIASES = {("email", "from"): "from_addr"}


def toml_key(section: str, attr: str) -> str:
    """The TOML key of a settings attribute."""
    for (sec, key), name in KEY_ALIASES.items():
        if sec == section and name == attr:
            return key
    return attr


def _attr(section: str, key: str) -> str:
    return KEY_ALIASES.get((section, key), key)


def _type_name(tp: Any) -> str:
    origin = get_origin(tp)
    if origin is tuple:
        return "list of strings"
    args = [a for a in get_args(tp) if a is not type(None)]
    if args:
        return _type_name(args[0])
    return {str: "string", int: "integer", float: "number", bool: "boolean"}.get(tp, str(tp))


def _coerce(where: str, value: Any, tp: Any, *, from_env: bool) -> Any:
    """Check (and, for environment strings, convert) one value against its declared type."""
    args = get_args(tp)
    if type(None) in args:
        if value is None or (from_env and value == ""):
            return None
        tp = next(a for a in args if a is not type(None))
    if get_origin(tp) is tuple:
        if from_env and isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{where}: expected a list of strings, got {value!r}")
        return tuple(value)
    if tp is bool:
        if from_env and isinstance(value, str):
            low = value.strip().lower()
            if low in {"1", "true", "yes", "on"}:
                return True
            if low in {"0", "false", "no", "off"}:
                return False
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: expected true or false, got {value!r}")
        return value
    if tp is int:
        if from_env and isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                raise ConfigError(f"{where}: expected an integer, got {value!r}") from None
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where}: expected an integer, got {value!r}")
        return value
    if tp is float:
        if from_env and isinstance(value, str):
            try:
                return float(value.strip())
            except ValueError:
                raise ConfigError(f"{where}: expected a number, got {value!r}") from None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{where}: expected a number, got {value!r}")
        return float(value)
    if tp is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where}: expected a string, got {value!r}")
        return value
    raise ConfigError(f"{where}: unsupported setting type")  # pragma: no cover - declared types only


def _build_section(section: str, cls: type, raw: Mapping[str, Any], env: Mapping[str, str]) -> Any:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"[{section}]: expected a table, got {raw!r}")
    hints = get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if (section, key) in {("email", "password"), ("database", "password")}:
            raise ConfigError(
                f"{section}.{key}: secrets come from the environment only; set {SECRET_ENV[f'{section}.{key}']} instead"
            )
        attr = _attr(section, key)
        if attr not in names or (attr != key and (section, key) not in KEY_ALIASES):
            raise ConfigError(f"{section}.{key}: unknown setting{_suggest(key, [toml_key(section, n) for n in names])}")
        values[attr] = _coerce(f"{section}.{key}", value, hints[attr], from_env=False)
    for name in names:
        env_name = f"TRACKER_{section.upper()}_{toml_key(section, name).upper()}"
        if env_name in env:
            values[name] = _coerce(env_name, env[env_name], hints[name], from_env=True)
    return cls(**values)


def _suggest(key: str, choices: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(key, choices, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _env_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").upper()


def _build_source(index: int, raw: Mapping[str, Any], env: Mapping[str, str]) -> SourceSettings:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"sources[{index}]: expected a table")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"sources[{index}].name: required, a non-empty string")
    where = f"sources.{name}"
    hints = get_type_hints(SourceSettings)
    common = {f.name for f in dataclasses.fields(SourceSettings)} - {"options"}
    values: dict[str, Any] = {}
    options: dict[str, Any] = {}
    for key, value in raw.items():
        if key in common:
            values[key] = _coerce(f"{where}.{key}", value, hints[key], from_env=False)
        else:
            options[key] = value
    prefix = f"TRACKER_SOURCES_{_env_name(name)}_"
    for env_key, env_value in env.items():
        if not env_key.startswith(prefix):
            continue
        key = env_key[len(prefix) :].lower()
        if key in common:
            values[key] = _coerce(env_key, env_value, hints[key], from_env=True)
        elif key in options and not isinstance(options[key], list | dict):
            options[key] = _coerce(env_key, env_value, type(options[key]), from_env=True)
        elif key in options:
            raise ConfigError(f"{env_key}: only scalar keys can be set from the environment")
        else:
            options[key] = env_value
    kind = values.get("kind", "")
    if not kind:
        raise ConfigError(f"{where}.kind: required (greenhouse, lever, ashby, linkedin or jsonld)")
    values["options"] = options
    settings = SourceSettings(**values)
    validate_schedule(f"{where}.schedule", settings.schedule)
    if settings.per_host_rate is not None and settings.per_host_rate <= 0:
        raise ConfigError(f"{where}.per_host_rate: must be greater than 0, got {settings.per_host_rate}")
    return settings


def validate_schedule(where: str, text: str) -> None:
    """Check that a schedule is an interval ('6h') or a five-field crontab line."""
    if _INTERVAL_RE.match(text):
        if parse_interval(text) <= 0:
            raise ConfigError(f"{where}: the interval must be positive, got {text!r}")
        return
    if len(text.split()) != 5:
        raise ConfigError(f"{where}: expected an interval like '6h' or a crontab line like '0 7 * * mon', got {text!r}")
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(text, timezone="UTC")
    except ValueError as exc:
        raise ConfigError(f"{where}: invalid crontab line {text!r}: {exc}") from None


def parse_interval(text: str) -> int:
    """Seconds in an interval schedule such as '6h', '30m', 'every 2d'."""
    match = _INTERVAL_RE.match(text)
    if not match:
        raise ConfigError(f"not an interval: {text!r}")
    amount, unit = int(match.group(1)), match.group(2).lower()
    return amount * {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}[unit]


def _validate(settings: Settings) -> None:
    s, r, e = settings.scrape, settings.report, settings.email
    checks: list[tuple[bool, str]] = [
        (s.per_host_rate > 0, f"scrape.per_host_rate: must be greater than 0, got {s.per_host_rate}"),
        (s.max_concurrency >= 1, f"scrape.max_concurrency: must be at least 1, got {s.max_concurrency}"),
        (s.timeout_s > 0, f"scrape.timeout_s: must be greater than 0, got {s.timeout_s}"),
        (s.max_response_bytes >= 1024, f"scrape.max_response_bytes: must be at least 1024, got {s.max_response_bytes}"),
        (s.max_retries >= 0, f"scrape.max_retries: must not be negative, got {s.max_retries}"),
        (s.retry_after_cap_s >= 0, f"scrape.retry_after_cap_s: must not be negative, got {s.retry_after_cap_s}"),
        (s.jitter_s >= 0, f"scrape.jitter_s: must not be negative, got {s.jitter_s}"),
        (bool(s.user_agent.strip()), "scrape.user_agent: must not be empty"),
        (r.window_weeks >= 1, f"report.window_weeks: must be at least 1, got {r.window_weeks}"),
        (r.min_n >= 2, f"report.min_n: must be at least 2, got {r.min_n}"),
        (r.bootstrap_resamples >= 5000, f"report.bootstrap_resamples: must be at least 5000, got {r.bootstrap_resamples}"),
        (bool(re.fullmatch(r"[A-Z]{3}", r.market)), f"report.market: expected an ISO 4217 code like USD, got {r.market!r}"),
        (e.security in {"starttls", "ssl", "none"}, f"email.security: expected starttls, ssl or none, got {e.security!r}"),
        (1 <= e.smtp_port <= 65535, f"email.smtp_port: must be between 1 and 65535, got {e.smtp_port}"),
        (e.timeout_s > 0, f"email.timeout_s: must be greater than 0, got {e.timeout_s}"),
        (e.max_attempts >= 1, f"email.max_attempts: must be at least 1, got {e.max_attempts}"),
    ]
    for ok, message in checks:
        if not ok:
            raise ConfigError(message)
    for addr in (*e.to, e.from_addr):
        if not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+", addr):
            raise ConfigError(f"email: not an email address: {addr!r}")
    try:
        ZoneInfo(r.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"report.timezone: unknown timezone {r.timezone!r}") from None
    validate_schedule("report.schedule", r.schedule)
    if not settings.database.url.strip():
        raise ConfigError("database.url: must not be empty")
    try:
        from sqlalchemy.engine import make_url

        make_url(settings.database.url)
    except Exception:
        raise ConfigError(f"database.url: not a database URL: {settings.database.url!r}") from None
    seen: set[str] = set()
    for src in settings.sources:
        if src.name in seen:
            raise ConfigError(f"sources.{src.name}: the name is used twice")
        seen.add(src.name)


def resolve_path(path: str | os.PathLike[str] | None, env: Mapping[str, str]) -> Path | None:
    """The config file to read: the argument, else $TRACKER_CONFIG, else ./tracker.toml if present."""
    if path:
        return Path(path)
    if env.get("TRACKER_CONFIG"):
        return Path(env["TRACKER_CONFIG"])
    default = Path("tracker.toml")
    return default if default.exists() else None


def load_settings(
    path: str | os.PathLike[str] | None = None, env: Mapping[str, str] | None = None
) -> Settings:
    """Load, merge and validate settings; raise ConfigError naming the key on any problem."""
    env = dict(os.environ) if env is None else dict(env)
    config_path = resolve_path(path, env)
    raw: dict[str, Any] = {}
    if config_path is not None:
        try:
            raw = tomllib.loads(config_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ConfigError(f"config file not found: {config_path}") from None
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{config_path}: not valid TOML: {exc}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{config_path}: cannot read: {exc}") from None
    return settings_from_mapping(raw, env, config_path=str(config_path) if config_path else None)


def settings_from_mapping(
    raw: Mapping[str, Any], env: Mapping[str, str] | None = None, *, config_path: str | None = None
) -> Settings:
    """Build validated settings from a parsed TOML mapping and an environment."""
    env = {} if env is None else env
    for key in raw:
        if key not in SECTIONS and key != "sources":
            raise ConfigError(f"{key}: unknown section{_suggest(key, [*SECTIONS, 'sources'])}")
    sections = {name: _build_section(name, cls, raw.get(name, {}), env) for name, cls in SECTIONS.items()}
    raw_sources = raw.get("sources", [])
    if not isinstance(raw_sources, list):
        raise ConfigError("sources: expected an array of tables ([[sources]])")
    sources = tuple(_build_source(i, item, env) for i, item in enumerate(raw_sources))
    secrets = {key: env[var] for key, var in SECRET_ENV.items() if env.get(var)}
    settings = Settings(sources=sources, secrets=secrets, config_path=config_path, **sections)
    _validate(settings)
    return settings


def mask_url(url: str) -> str:
    """A database URL with any password hidden."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return re.sub(r"//([^:/@]+):[^@]*@", r"//\1:***@", url)


def describe(settings: Settings) -> dict[str, Any]:
    """The effective configuration as plain data, secrets masked."""
    out: dict[str, Any] = {}
    for name in SECTIONS:
        section = getattr(settings, name)
        table = {toml_key(name, f.name): getattr(section, f.name) for f in dataclasses.fields(section)}
        if name == "database":
            table["url"] = mask_url(table["url"])
            table["password"] = "***" if "database.password" in settings.secrets else "(not set)"
        if name == "email":
            table["to"] = list(table["to"])
            table["password"] = "***" if "email.password" in settings.secrets else "(not set)"
        out[name] = table
    out["sources"] = [
        {
            **{f.name: getattr(src, f.name) for f in dataclasses.fields(src) if f.name != "options"},
            **dict(src.options),
        }
        for src in settings.sources
    ]
    return out


def settings_reference() -> list[tuple[str, str, str, str]]:
    """(key, type, default, doc) of every documented setting, for the README reference and its test."""
    rows: list[tuple[str, str, str, str]] = []
    for name, cls in [*SECTIONS.items(), ("sources", SourceSettings)]:
        hints = get_type_hints(cls)
        for f in dataclasses.fields(cls):
            if f.name == "options":
                continue
            default = f.default if f.default is not dataclasses.MISSING else f.default_factory()  # type: ignore[misc]
            rows.append((f"{name}.{toml_key(name, f.name)}", _type_name(hints[f.name]), repr(default), f.metadata["doc"]))
    return rows
