"""A local replay server: the demo world rendered in each source's real format, as of a simulated time.

Serves, on 127.0.0.1 only: Greenhouse (`/v1/boards/{board}/jobs`, job detail with pay_input_ranges),
Lever (`/v0/postings/{site}` with skip/limit), Ashby (`/posting-api/job-board/{board}`), LinkedIn guest
search cards and detail fragments (`/jobs-guest/jobs/api/...`), and JSON-LD career pages with a sitemap
(`/careers/{board}/sitemap.xml`, `/careers/{board}/jobs/{id}`). Untrusted-looking text is escaped as the
real sites do. `set_time()` moves the simulated clock.
"""

from __future__ import annotations

import html
import json
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tracker.demo.world import JobPost, World

LINKEDIN_PAGE = 10


def _iso(when: datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")


def _lever_id(job: JobPost) -> str:
    return str(uuid.UUID(int=job.id * 7919 + 10**12))


def _html_description(job: JobPost) -> str:
    return f"<div><p>{html.escape(job.description)}</p></div>"


class ReplayWorld:
    """Renders the world's open jobs at the current simulated time."""

    def __init__(self, world: World, base_url: str = "") -> None:
        self.world = world
        self.base_url = base_url
        self.now = datetime.min

    def open_jobs(self, board: str) -> list[JobPost]:
        """Jobs open on a board now."""
        return [j for j in self.world.by_company.get(board, []) if j.open_at(self.now)]

    def greenhouse_list(self, board: str) -> dict[str, Any]:
        """The board list, `content=true`."""
        jobs = []
        for job in self.open_jobs(board):
            content = _html_description(job)
            jobs.append(
                {
                    "id": 4_000_000 + job.id,
                    "internal_job_id": 9_000_000 + job.id,
                    "title": job.title,
                    "updated_at": _iso(job.posted_at),
                    "requisition_id": f"REQ-{job.id}",
                    "location": {"name": job.location_text},
                    "absolute_url": f"{self.base_url}/{board}/jobs/{4_000_000 + job.id}",
                    "language": "en",
                    "metadata": None,
                    "content": html.escape(content),
                    "departments": [{"id": 1, "name": "Data", "child_ids": [], "parent_id": None}],
                    "offices": [{"id": 1, "name": job.city, "location": job.location_text, "child_ids": [], "parent_id": None}],
                    "company_name": job.company.name,
                    "first_published": _iso(job.posted_at),
                }
            )
        return {"jobs": jobs, "meta": {"total": len(jobs)}}

    def greenhouse_detail(self, board: str, job_id: int) -> dict[str, Any] | None:
        """One job with `pay_transparency=true`."""
        for job in self.open_jobs(board):
            if 4_000_000 + job.id == job_id:
                ranges = []
                if job.annual_min is not None and job.annual_max is not None and not job.pay_in_text:
                    ranges.append(
                        {
                            "min_cents": int(job.annual_min * 100),
                            "max_cents": int(job.annual_max * 100),
                            "currency_type": "USD",
                            "title": "Base salary",
                            "blurb": "Base salary range for this role in the United States.",
                        }
                    )
                return {"id": job_id, "title": job.title, "pay_input_ranges": ranges}
        return None

    def lever(self, site: str, skip: int, limit: int) -> list[dict[str, Any]]:
        """A page of Lever postings, `mode=json`."""
        out = []
        for job in self.open_jobs(site)[skip : skip + limit]:
            posting: dict[str, Any] = {
                "id": _lever_id(job),
                "text": job.title,
                "categories": {
                    "location": job.location_text,
                    "commitment": "Full-time",
                    "team": "Data",
                    "department": "Engineering",
                    "allLocations": [job.location_text],
                },
                "country": "US",
                "createdAt": int(job.posted_at.timestamp() * 1000),
                "descriptionPlain": job.description,
                "description": _html_description(job),
                "lists": [],
                "additional": "",
                "hostedUrl": f"{self.base_url}/lever/{site}/{_lever_id(job)}",
                "applyUrl": f"{self.base_url}/lever/{site}/{_lever_id(job)}/apply",
                "workplaceType": "remote" if job.remote else "on-site",
            }
            if job.annual_min is not None:
                posting["salaryRange"] = {
                    "currency": "USD",
                    "interval": "per-year-salary",
                    "min": job.annual_min,
                    "max": job.annual_max,
                }
            out.append(posting)
        return out

    def ashby(self, board: str) -> dict[str, Any]:
        """The Ashby board, `includeCompensation=true`."""
        jobs = []
        for job in self.open_jobs(board):
            components = []
            summary = None
            if job.annual_min is not None and job.annual_max is not None:
                components = [
                    {
                        "compensationType": "Salary",
                        "interval": "1 YEAR",
                        "currencyCode": "USD",
                        "minValue": job.annual_min,
                        "maxValue": job.annual_max,
                    },
                    {"compensationType": "EquityPercentage", "interval": "NONE", "currencyCode": None, "minValue": 0.01, "maxValue": 0.05},
                ]
                summary = f"${job.annual_min / 1000:.0f}K – ${job.annual_max / 1000:.0f}K • 0.01% – 0.05%"
            jobs.append(
                {
                    "id": str(uuid.UUID(int=job.id * 104729 + 5 * 10**12)),
                    "title": job.title,
                    "department": "Data",
                    "team": "Data",
                    "location": job.location_text,
                    "secondaryLocations": [],
                    "address": {
                        "postalAddress": {
                            "addressLocality": job.city,
                            "addressRegion": job.region_name,
                            "addressCountry": "United States",
                        }
                    },
                    "isListed": True,
                    "isRemote": job.remote,
                    "workplaceType": "Remote" if job.remote else "OnSite",
                    "employmentType": "FullTime",
                    "publishedAt": _iso(job.posted_at),
                    "jobUrl": f"{self.base_url}/ashby/{board}/{job.id}",
                    "applyUrl": f"{self.base_url}/ashby/{board}/{job.id}/application",
                    "descriptionHtml": _html_description(job),
                    "descriptionPlain": job.description,
                    "compensation": {
                        "compensationTierSummary": summary,
                        "scrapeableCompensationSalarySummary": summary,
                        "compensationTiers": [{"components": components}] if components else [],
                        "summaryComponents": components,
                    },
                }
            )
        return {"apiVersion": "1", "jobs": jobs}

    def linkedin_matches(self, keywords: str, recency_s: int) -> list[JobPost]:
        """LinkedIn search results: open jobs whose title matches, posted within the recency window."""
        words = keywords.lower().split()
        since = self.now - timedelta(seconds=recency_s)
        found = [
            j
            for j in self.world.jobs
            if j.on_linkedin and j.open_at(self.now) and j.posted_at >= since
            and (all(w in j.title.lower() for w in words) or (words == ["machine", "learning", "engineer"] and j.family == "ml_engineer"))
        ]
        return sorted(found, key=lambda j: j.posted_at, reverse=True)

    def linkedin_cards(self, keywords: str, recency_s: int, start: int) -> str:
        """A page of guest search cards (bare `<li>` fragments); both card root variants appear."""
        out = []
        for job in self.linkedin_matches(keywords, recency_s)[start : start + LINKEDIN_PAGE]:
            job_id = 3_900_000_000 + job.id
            link = f"https://www.linkedin.com/jobs/view/{job.title.lower().replace(' ', '-')}-{job_id}?refId=demo"
            salary = ""
            if job.annual_min is not None and job.id % 3 != 0:
                salary = (
                    '<span class="job-search-card__salary-info">\n            '
                    f"${job.annual_min:,.2f}\n            -\n            ${job.annual_max:,.2f}\n          </span>"
                )
            listdate = "job-search-card__listdate--new" if self.now - job.posted_at < timedelta(days=1) else "job-search-card__listdate"
            location = f"{job.city}, {job.region_name}, United States"
            title = html.escape(job.title)
            company = html.escape(job.company.name)
            info = (
                f'<div class="base-search-card__info"><h3 class="base-search-card__title">{title}</h3>'
                '<h4 class="base-search-card__subtitle">{subtitle}</h4>'
                f'<div class="base-search-card__metadata"><span class="job-search-card__location">{location}</span>'
                f'{salary}<time class="{listdate}" datetime="{job.posted_at.date().isoformat()}">recently</time></div></div>'
            )
            if job.id % 5 == 0:  # a company without a page: the card root is the link itself
                out.append(
                    f'<li><a class="base-card base-card--link base-search-card job-search-card" href="{link}" '
                    f'data-entity-urn="urn:li:jobPosting:{job_id}"><span class="sr-only">{title}</span>'
                    + info.format(subtitle=company)
                    + "</a></li>"
                )
            else:
                out.append(
                    f'<li><div class="base-card base-search-card job-search-card" data-entity-urn="urn:li:jobPosting:{job_id}">'
                    f'<a class="base-card__full-link" href="{link}"><span class="sr-only">{title}</span></a>'
                    + info.format(
                        subtitle=f'<a class="hidden-nested-link" href="https://www.linkedin.com/company/{job.company.board or "c"}">{company}</a>'
                    )
                    + "</div></li>"
                )
        return "\n".join(out)

    def linkedin_detail(self, job_id: int) -> str | None:
        """The guest detail fragment of one job."""
        for job in self.world.jobs:
            if 3_900_000_000 + job.id == job_id and job.on_linkedin:
                level = {"junior": "Entry level", "mid": "Associate", "senior": "Mid-Senior level"}.get(job.seniority, "Director")
                return (
                    '<section class="top-card-layout"><h2 class="top-card-layout__title">'
                    f"{html.escape(job.title)}</h2>"
                    f'<a class="topcard__org-name-link" href="https://www.linkedin.com/company/x">{html.escape(job.company.name)}</a>'
                    f'<span class="topcard__flavor topcard__flavor--bullet">{job.city}, {job.region_name}, United States</span></section>'
                    f'<div class="show-more-less-html__markup">{_html_description(job)}</div>'
                    '<ul class="description__job-criteria-list">'
                    f'<li class="description__job-criteria-item"><h3 class="description__job-criteria-subheader">Seniority level</h3>'
                    f'<span class="description__job-criteria-text">{level}</span></li>'
                    '<li class="description__job-criteria-item"><h3 class="description__job-criteria-subheader">Employment type</h3>'
                    '<span class="description__job-criteria-text">Full-time</span></li></ul>'
                )
        return None

    def sitemap(self, board: str) -> str:
        """The career site's sitemap of open job pages."""
        urls = "".join(f"<url><loc>{self.base_url}/careers/{board}/jobs/{j.id}</loc></url>" for j in self.open_jobs(board))
        return f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'

    def career_page(self, board: str, job_id: int) -> str | None:
        """A career page with a schema.org JobPosting in JSON-LD."""
        for job in self.open_jobs(board):
            if job.id != job_id:
                continue
            posting: dict[str, Any] = {
                "@context": "https://schema.org/",
                "@type": "JobPosting",
                "title": job.title,
                "description": _html_description(job),
                "identifier": {"@type": "PropertyValue", "name": job.company.name, "value": f"{board}-{job.id}"},
                "datePosted": job.posted_at.date().isoformat(),
                "validThrough": job.closes_at.date().isoformat(),
                "employmentType": "FULL_TIME",
                "hiringOrganization": {"@type": "Organization", "name": job.company.name},
                "jobLocation": {
                    "@type": "Place",
                    "address": {
                        "@type": "PostalAddress",
                        "addressLocality": job.city,
                        "addressRegion": job.region,
                        "addressCountry": "US",
                    },
                },
            }
            if job.remote:
                posting["jobLocationType"] = "TELECOMMUTE"
            if job.annual_min is not None and not job.pay_in_text:
                posting["baseSalary"] = {
                    "@type": "MonetaryAmount",
                    "currency": "USD",
                    "value": {"@type": "QuantitativeValue", "minValue": job.annual_min, "maxValue": job.annual_max, "unitText": "YEAR"},
                }
            data = json.dumps(posting).replace("</", "<\\/")
            return (
                f"<!doctype html><html><head><title>{html.escape(job.title)}</title>"
                f'<script type="application/ld+json">{data}</script></head>'
                f"<body><h1>{html.escape(job.title)}</h1>{_html_description(job)}</body></html>"
            )
        return None

    def route(self, path: str, query: dict[str, str]) -> tuple[int, str, str]:
        """(status, content type, body) for a request."""
        parts = [p for p in path.split("/") if p]
        json_type, html_type = "application/json", "text/html; charset=utf-8"
        if path == "/robots.txt":
            return 200, "text/plain", "User-agent: *\nAllow: /\n"
        if parts[:2] == ["v1", "boards"] and len(parts) == 4 and parts[3] == "jobs":
            return 200, json_type, json.dumps(self.greenhouse_list(parts[2]))
        if parts[:2] == ["v1", "boards"] and len(parts) == 5 and parts[3] == "jobs" and parts[4].isdigit():
            detail = self.greenhouse_detail(parts[2], int(parts[4]))
            return (200, json_type, json.dumps(detail)) if detail else (404, json_type, "{}")
        if parts[:2] == ["v0", "postings"] and len(parts) == 3:
            skip, limit = int(query.get("skip", "0") or 0), int(query.get("limit", "1000") or 1000)
            return 200, json_type, json.dumps(self.lever(parts[2], skip, limit))
        if parts[:2] == ["posting-api", "job-board"] and len(parts) == 3:
            return 200, json_type, json.dumps(self.ashby(parts[2]))
        if path == "/jobs-guest/jobs/api/seeMoreJobPostings/search":
            recency = int(query.get("f_TPR", "r604800").lstrip("r") or 604800)
            return 200, html_type, self.linkedin_cards(query.get("keywords", ""), recency, int(query.get("start", "0") or 0))
        if parts[:4] == ["jobs-guest", "jobs", "api", "jobPosting"] and len(parts) == 5 and parts[4].isdigit():
            page = self.linkedin_detail(int(parts[4]))
            return (200, html_type, page) if page else (404, html_type, "")
        if parts[:1] == ["careers"] and len(parts) == 3 and parts[2] == "sitemap.xml":
            return 200, "application/xml", self.sitemap(parts[1])
        if parts[:1] == ["careers"] and len(parts) == 4 and parts[2] == "jobs" and parts[3].isdigit():
            page = self.career_page(parts[1], int(parts[3]))
            return (200, html_type, page) if page else (404, html_type, "")
        return 404, "text/plain", "not found"


class ReplayServer:
    """The replay world over HTTP on 127.0.0.1 (a free port), in a daemon thread."""

    def __init__(self, world: World) -> None:
        self.replay = ReplayWorld(world)
        self.requests = 0
        replay = self.replay
        counter: Callable[[], None] = self._count

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                counter()
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                status, ctype, body = replay.route(parts.path, query)
                data = body.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self.replay.base_url = self.base_url
        self._thread = threading.Thread(target=self._server.serve_forever, name="demo-replay", daemon=True)

    def _count(self) -> None:
        self.requests += 1

    def set_time(self, when: datetime) -> None:
        """Move the simulated clock."""
        self.replay.now = when

    def __enter__(self) -> ReplayServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
