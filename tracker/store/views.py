"""SQL views for direct querying, one definition per backend; created and dropped by migrations.

The names and columns are a public contract (README, "Query the database directly"). A change to a
view is a new migration with a new version of the definitions here; old versions stay so that old
migrations keep working.

All weeks are ISO weeks in UTC, labelled like `2026-W47`.
"""

from __future__ import annotations

from typing import Final

# ISO week label of a Monday date expression (SQLite has no %V before 3.46, so compute it from the Thursday).
_SQLITE_WEEK_LABEL = (
    "strftime('%Y', date({m}, '+3 days')) || '-W' || "
    "printf('%02d', (CAST(strftime('%j', date({m}, '+3 days')) AS INTEGER) - 1) / 7 + 1)"
)


def _sqlite_monday(expr: str) -> str:
    return f"date({expr}, '-6 days', 'weekday 1')"


_SQLITE_V_POSTINGS = f"""
CREATE VIEW v_postings AS
SELECT
    p.id AS posting_id,
    p.cluster_id,
    s.name AS source,
    s.kind AS source_kind,
    p.external_id,
    p.url,
    p.company,
    p.title_raw AS title,
    p.family,
    p.seniority,
    p.location_raw,
    p.city,
    p.region,
    p.country,
    p.workplace,
    p.employment_type,
    p.pay_min,
    p.pay_max,
    p.pay_currency,
    p.pay_period,
    p.annual_min,
    p.annual_max,
    p.annual_mid,
    p.pay_source,
    p.posted_at,
    COALESCE(c.first_seen_at, p.first_seen_at) AS first_seen_at,
    COALESCE(c.last_seen_at, p.last_seen_at) AS last_seen_at,
    CASE WHEN c.id IS NULL THEN p.closed_at ELSE c.closed_at END AS closed_at,
    {_SQLITE_WEEK_LABEL.format(m=_sqlite_monday("COALESCE(c.first_seen_at, p.first_seen_at)"))} AS first_seen_week
FROM postings AS p
JOIN sources AS s ON s.id = p.source_id
LEFT JOIN posting_clusters AS c ON c.id = p.cluster_id
WHERE p.cluster_id IS NULL OR c.representative_id = p.id
"""

_SQLITE_V_WEEKLY_FAMILY = f"""
CREATE VIEW v_weekly_family AS
WITH RECURSIVE
bounds AS (
    SELECT {_sqlite_monday("MIN(first_seen_at)")} AS lo,
           MAX(COALESCE(closed_at, last_seen_at)) AS hi
    FROM v_postings
),
weeks(week_start) AS (
    SELECT lo FROM bounds WHERE lo IS NOT NULL
    UNION ALL
    SELECT date(week_start, '+7 days') FROM weeks, bounds WHERE date(week_start, '+7 days') <= hi
),
grid AS (
    SELECT w.week_start, date(w.week_start, '+7 days') AS week_end, f.family
    FROM weeks AS w CROSS JOIN (SELECT DISTINCT family FROM v_postings) AS f
),
priced AS (
    SELECT g.week_start, g.family, p.annual_mid,
           ROW_NUMBER() OVER (PARTITION BY g.week_start, g.family ORDER BY p.annual_mid) AS rn,
           COUNT(*) OVER (PARTITION BY g.week_start, g.family) AS cnt
    FROM grid AS g
    JOIN v_postings AS p
      ON p.family = g.family AND p.first_seen_at >= g.week_start AND p.first_seen_at < g.week_end
    WHERE p.annual_mid IS NOT NULL AND p.pay_currency = 'USD' AND p.pay_source IN ('employer', 'description')
),
medians AS (
    SELECT week_start, family, AVG(annual_mid) AS median_annual_mid, MAX(cnt) AS priced_n
    FROM priced WHERE rn IN ((cnt + 1) / 2, (cnt + 2) / 2)
    GROUP BY week_start, family
)
SELECT
    {_SQLITE_WEEK_LABEL.format(m="g.week_start")} AS iso_week,
    g.week_start,
    g.family,
    (SELECT COUNT(*) FROM v_postings AS p
      WHERE p.family = g.family AND p.first_seen_at >= g.week_start AND p.first_seen_at < g.week_end) AS new,
    (SELECT COUNT(*) FROM v_postings AS p
      WHERE p.family = g.family AND p.first_seen_at < g.week_end
        AND (p.closed_at IS NULL OR p.closed_at >= g.week_start)) AS active,
    (SELECT COUNT(*) FROM v_postings AS p
      WHERE p.family = g.family AND p.closed_at >= g.week_start AND p.closed_at < g.week_end) AS closed,
    COALESCE(m.priced_n, 0) AS priced_n,
    m.median_annual_mid,
    'USD' AS pay_currency
FROM grid AS g
LEFT JOIN medians AS m ON m.week_start = g.week_start AND m.family = g.family
"""

_SQLITE_V_SKILL_SHARE = f"""
CREATE VIEW v_skill_share AS
WITH weekly AS (
    SELECT p.posting_id, p.family, {_SQLITE_WEEK_LABEL.format(m=_sqlite_monday("p.first_seen_at"))} AS iso_week
    FROM v_postings AS p
),
totals AS (
    SELECT iso_week, family, COUNT(*) AS postings FROM weekly GROUP BY iso_week, family
)
SELECT w.iso_week, w.family, ps.skill_id AS skill,
       COUNT(*) AS postings_with_skill,
       t.postings,
       CAST(COUNT(*) AS REAL) / t.postings AS share
FROM weekly AS w
JOIN posting_skills AS ps ON ps.posting_id = w.posting_id
JOIN totals AS t ON t.iso_week = w.iso_week AND t.family = w.family
GROUP BY w.iso_week, w.family, ps.skill_id, t.postings
"""

_PG_WEEK_LABEL = "to_char({m}, 'IYYY-\"W\"IW')"

_PG_V_POSTINGS = _SQLITE_V_POSTINGS.replace(
    _SQLITE_WEEK_LABEL.format(m=_sqlite_monday("COALESCE(c.first_seen_at, p.first_seen_at)")),
    _PG_WEEK_LABEL.format(m="COALESCE(c.first_seen_at, p.first_seen_at) AT TIME ZONE 'UTC'"),
)

_PG_V_WEEKLY_FAMILY = """
CREATE VIEW v_weekly_family AS
WITH
bounds AS (
    SELECT date_trunc('week', MIN(first_seen_at) AT TIME ZONE 'UTC') AS lo,
           MAX(COALESCE(closed_at, last_seen_at)) AT TIME ZONE 'UTC' AS hi
    FROM v_postings
),
grid AS (
    SELECT (w.week_start AT TIME ZONE 'UTC') AS week_start,
           ((w.week_start + INTERVAL '7 days') AT TIME ZONE 'UTC') AS week_end,
           w.week_start AS week_start_local,
           f.family
    FROM bounds
    CROSS JOIN LATERAL generate_series(bounds.lo, bounds.hi, INTERVAL '7 days') AS w(week_start)
    CROSS JOIN (SELECT DISTINCT family FROM v_postings) AS f
)
SELECT
    to_char(g.week_start_local, 'IYYY-"W"IW') AS iso_week,
    g.week_start_local::date AS week_start,
    g.family,
    (SELECT COUNT(*) FROM v_postings AS p
      WHERE p.family = g.family AND p.first_seen_at >= g.week_start AND p.first_seen_at < g.week_end) AS new,
    (SELECT COUNT(*) FROM v_postings AS p
      WHERE p.family = g.family AND p.first_seen_at < g.week_end
        AND (p.closed_at IS NULL OR p.closed_at >= g.week_start)) AS active,
    (SELECT COUNT(*) FROM v_postings AS p
      WHERE p.family = g.family AND p.closed_at >= g.week_start AND p.closed_at < g.week_end) AS closed,
    (SELECT COUNT(*) FROM v_postings AS p
      WHERE p.family = g.family AND p.first_seen_at >= g.week_start AND p.first_seen_at < g.week_end
        AND p.annual_mid IS NOT NULL AND p.pay_currency = 'USD'
        AND p.pay_source IN ('employer', 'description')) AS priced_n,
    (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY p.annual_mid) FROM v_postings AS p
      WHERE p.family = g.family AND p.first_seen_at >= g.week_start AND p.first_seen_at < g.week_end
        AND p.annual_mid IS NOT NULL AND p.pay_currency = 'USD'
        AND p.pay_source IN ('employer', 'description')) AS median_annual_mid,
    'USD'::text AS pay_currency
FROM grid AS g
"""

_PG_V_SKILL_SHARE = f"""
CREATE VIEW v_skill_share AS
WITH weekly AS (
    SELECT p.posting_id, p.family,
           {_PG_WEEK_LABEL.format(m="p.first_seen_at AT TIME ZONE 'UTC'")} AS iso_week
    FROM v_postings AS p
),
totals AS (
    SELECT iso_week, family, COUNT(*) AS postings FROM weekly GROUP BY iso_week, family
)
SELECT w.iso_week, w.family, ps.skill_id AS skill,
       COUNT(*) AS postings_with_skill,
       t.postings,
       COUNT(*)::double precision / t.postings AS share
FROM weekly AS w
JOIN posting_skills AS ps ON ps.posting_id = w.posting_id
JOIN totals AS t ON t.iso_week = w.iso_week AND t.family = w.family
GROUP BY w.iso_week, w.family, ps.skill_id, t.postings
"""

# posting_skills was a table until migration 0002; since then a view over postings.skills, same columns.
_SQLITE_POSTING_SKILLS = """
CREATE VIEW posting_skills AS
SELECT p.id AS posting_id, j.value AS skill_id
FROM postings AS p, json_each(p.skills) AS j
"""

_PG_POSTING_SKILLS = """
CREATE VIEW posting_skills AS
SELECT p.id AS posting_id, s.skill_id
FROM postings AS p CROSS JOIN LATERAL unnest(p.skills) AS s(skill_id)
"""

VIEW_NAMES: Final = ("posting_skills", "v_postings", "v_weekly_family", "v_skill_share")
"""Every view of the newest schema, in dependency order."""

VIEWS_V1: Final[dict[str, dict[str, str]]] = {
    "sqlite": {
        "v_postings": _SQLITE_V_POSTINGS,
        "v_weekly_family": _SQLITE_V_WEEKLY_FAMILY,
        "v_skill_share": _SQLITE_V_SKILL_SHARE,
    },
    "postgresql": {
        "v_postings": _PG_V_POSTINGS,
        "v_weekly_family": _PG_V_WEEKLY_FAMILY,
        "v_skill_share": _PG_V_SKILL_SHARE,
    },
}

VIEWS_V2: Final[dict[str, dict[str, str]]] = {
    "sqlite": {"posting_skills": _SQLITE_POSTING_SKILLS, **VIEWS_V1["sqlite"]},
    "postgresql": {"posting_skills": _PG_POSTING_SKILLS, **VIEWS_V1["postgresql"]},
}


def create_statements(dialect: str, version: dict[str, dict[str, str]] = VIEWS_V1) -> list[str]:
    """CREATE VIEW statements of one version, in dependency order, for a backend."""
    if dialect not in version:
        raise ValueError(f"no view definitions for the {dialect} backend")
    return [version[dialect][name] for name in VIEW_NAMES if name in version[dialect]]


def drop_statements(version: dict[str, dict[str, str]] = VIEWS_V1) -> list[str]:
    """DROP VIEW statements of one version, dependants first."""
    names = {name for views in version.values() for name in views}
    return [f"DROP VIEW IF EXISTS {name}" for name in reversed(VIEW_NAMES) if name in names]
