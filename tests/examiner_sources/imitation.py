"""The examiner's own imitation of the five source formats, written from sources.md and the real samples.

Each builder returns plain data (JSON-able objects or HTML/XML text); `install_*` routes it on a
`FixtureServer`. Deliberately varied: what real sites vary (missing fields, odd shapes, paging edges).
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable
from typing import Any

from tests.httpserver import FixtureServer, Reply, Request

# --------------------------------------------------------------------------------------------- greenhouse


def _gh_escape(markup: str) -> str:
    """Greenhouse escapes `content` once."""
    return html.escape(markup, quote=True)


def greenhouse_board() -> dict[str, Any]:
    """A board with location variants, metadata lists and a job without first_published."""
    jobs: list[dict[str, Any]] = [
        {
            "absolute_url": "https://acme.example/careers?gh_jid=5100001",
            "data_compliance": [{"type": "gdpr", "requires_consent": False}],
            "internal_job_id": 4100001,
            "location": {"name": "New York, NY"},
            "metadata": [
                {"id": 11, "name": "Remote eligible", "value": "No", "value_type": "single_select"},
                {"id": 12, "name": "Level", "value": ["L5", "L6"], "value_type": "multi_select"},
            ],
            "id": 5100001,
            "updated_at": "2026-10-20T09:15:00-04:00",
            "requisition_id": "REQ-77",
            "title": "Senior Data Scientist",
            "company_name": "Acme Analytics",
            "first_published": "2026-10-01T12:00:00-04:00",
            "language": "en",
            "content": _gh_escape(
                '<div class="content-intro"><p>Acme builds &amp; ships.</p></div>'
                "<h2>About the role</h2><p>Python, SQL and experimentation.</p>"
            ),
            "departments": [{"id": 1, "name": "Data", "child_ids": [], "parent_id": None}],
            "offices": [{"id": 2, "name": "NYC", "location": "New York, NY", "child_ids": [], "parent_id": None}],
        },
        {
            "absolute_url": "https://acme.example/careers?gh_jid=5100002",
            "internal_job_id": 4100002,
            "location": {"name": "Remote - Canada"},
            "metadata": None,
            "id": 5100002,
            "updated_at": "2026-10-21T10:00:00Z",
            "requisition_id": None,
            "title": "Machine Learning Engineer",
            "company_name": "Acme Analytics",
            "language": "en",
            "content": _gh_escape("<p>Train and deploy models with PyTorch.</p>"),
            "departments": [],
            "offices": [],
        },
        {
            "absolute_url": "https://acme.example/careers?gh_jid=5100003",
            "internal_job_id": 4100003,
            "location": {"name": "Austin, TX"},
            "metadata": [],
            "id": 5100003,
            "updated_at": "2026-10-22T10:00:00Z",
            "title": "Data Analyst (Contract)",
            "company_name": "Acme Analytics",
            "first_published": "2026-10-22T08:30:00Z",
            "content": _gh_escape("<p>Dashboards in Looker.</p>"),
        },
        {
            "absolute_url": "https://acme.example/careers?gh_jid=5100004",
            "internal_job_id": 4100004,
            "location": None,
            "metadata": None,
            "id": 5100004,
            "updated_at": "2026-10-23T10:00:00Z",
            "title": "Data Engineer",
            "company_name": "Acme Analytics",
            "first_published": "2026-10-23T08:30:00+02:00",
            "content": _gh_escape("<p>Pipelines in Spark.</p>"),
        },
        {
            "absolute_url": "https://acme.example/careers?gh_jid=5100005",
            "internal_job_id": 4100005,
            "location": {"name": ""},
            "id": 5100005,
            "updated_at": "2026-10-24T10:00:00Z",
            "title": "Office Manager",
            "company_name": "Acme Analytics",
            "first_published": "2026-10-24T08:30:00Z",
            "content": _gh_escape("<p>Keep the office running.</p>"),
        },
    ]
    return {"jobs": jobs, "meta": {"total": len(jobs)}}


GREENHOUSE_DETAILS: dict[int, list[dict[str, Any]]] = {
    5100001: [
        {"min_cents": 16000000, "max_cents": 19000000, "currency_type": "USD", "title": "New York zone",
         "blurb": "<p>Base salary for NYC.</p>"},
        {"min_cents": 14000000, "max_cents": 17000000, "currency_type": "USD", "title": "Zone 2", "blurb": ""},
    ],
    5100002: [
        {"min_cents": 15000000, "max_cents": 18500000, "currency_type": "CAD", "title": "Canada",
         "blurb": "Annual base salary"},
    ],
    5100003: [
        {"min_cents": 4500, "max_cents": 6250, "currency_type": "USD", "title": "Hourly rate",
         "blurb": "This is an hourly contract role."},
    ],
    5100004: [],
}


def install_greenhouse(server: FixtureServer) -> None:
    """Board `acme`, an empty board `quiet`, a gone board `vanished` (404)."""
    board = greenhouse_board()
    server.route("/v1/boards/acme/jobs", Reply.json(board))
    for job in board["jobs"]:
        detail = dict(job)
        if job["id"] in GREENHOUSE_DETAILS:
            detail["pay_input_ranges"] = GREENHOUSE_DETAILS[job["id"]]
        server.route(f"/v1/boards/acme/jobs/{job['id']}", Reply.json(detail))
    server.route("/v1/boards/quiet/jobs", Reply.json({"jobs": [], "meta": {"total": 0}}))
    server.route("/v1/boards/vanished/jobs", Reply.json({"status": 404, "error": "Job not found"}, status=404))


# --------------------------------------------------------------------------------------------- lever


def _lever(pid: str, text: str, created: int, **extra: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "additional": "<div>Benefits: health, 401k.</div>",
        "additionalPlain": "Benefits: health, 401k.",
        "categories": {"commitment": "Full-time", "department": "Data", "location": "San Francisco, CA",
                       "team": "Analytics", "allLocations": ["San Francisco, CA"]},
        "createdAt": created,
        "descriptionPlain": f"{text} at Beacon. Python and SQL.",
        "description": f"<div>{text} at Beacon. Python and SQL.</div>",
        "id": pid,
        "lists": [{"text": "What you'll do", "content": "<li>Build things</li><li>Ship</li>"}],
        "text": text,
        "country": "US",
        "workplaceType": "on-site",
        "hostedUrl": f"https://jobs.lever.co/beacon/{pid}",
        "applyUrl": f"https://jobs.lever.co/beacon/{pid}/apply",
    }
    item.update(extra)
    return item


def lever_postings() -> list[dict[str, Any]]:
    """Six postings (two full pages of three) with every kind of salaryRange interval."""
    base = 1_793_000_000_000
    return [
        _lever("a1b2c3d4-0000-4000-8000-000000000001", "Senior Data Scientist", base,
               salaryRange={"currency": "USD", "interval": "per-year-salary", "min": 150000, "max": 190000}),
        _lever("a1b2c3d4-0000-4000-8000-000000000002", "Data Analyst", base + 1000,
               salaryRange={"currency": "USD", "interval": "per-hour-wage", "min": 40, "max": 55}),
        _lever("a1b2c3d4-0000-4000-8000-000000000003", "Machine Learning Engineer", base + 2000,
               categories={"commitment": "Full-time", "location": "Berlin, Germany", "allLocations": ["Berlin, Germany"]},
               country="DE", workplaceType="hybrid",
               salaryRange={"currency": "EUR", "interval": "per-month-salary", "min": 6000, "max": 7500}),
        _lever("a1b2c3d4-0000-4000-8000-000000000004", "Data Engineer", base + 3000,
               salaryRange={"currency": "USD", "interval": "per-year-salary", "min": 0, "max": 0}),
        # no categories at all, no country
        {k: v for k, v in _lever("a1b2c3d4-0000-4000-8000-000000000005", "Analytics Engineer", base + 4000,
                                  workplaceType="remote").items() if k not in ("categories", "country")},
        _lever("a1b2c3d4-0000-4000-8000-000000000006", "Applied Scientist", base + 5000,
               salaryRange={"currency": "GBP", "interval": "per-day-wage", "min": 500, "max": 650},
               salaryDescription="<div>Day rate £500 - £650 outside IR35.</div>",
               categories={"commitment": "Contract", "location": "London", "allLocations": ["London", "Remote UK"]},
               country="GB"),
    ]


def lever_eu_postings() -> list[dict[str, Any]]:
    """An EU-host site with intervals paid several times a year."""
    base = 1_793_100_000_000
    return [
        _lever("e0000000-0000-4000-8000-000000000001", "Data Scientist", base,
               categories={"location": "Amsterdam, Netherlands", "commitment": "Permanent"}, country="NL",
               salaryRange={"currency": "EUR", "interval": "bi-week-salary", "min": 2500, "max": 3000}),
        _lever("e0000000-0000-4000-8000-000000000002", "Data Engineer", base + 1,
               categories={"location": "Paris, France"}, country="FR",
               salaryRange={"currency": "EUR", "interval": "semi-month-salary", "min": 2600, "max": 3100}),
        _lever("e0000000-0000-4000-8000-000000000003", "ML Engineer", base + 2,
               categories={"location": "Dublin, Ireland"}, country="IE",
               salaryRange={"currency": "EUR", "interval": "per-week-salary", "min": 1200, "max": 1400}),
        _lever("e0000000-0000-4000-8000-000000000004", "Data Scientist Intern", base + 3,
               categories={"location": "Madrid, Spain"}, country="ES",
               salaryRange={"currency": "EUR", "interval": "one-time", "min": 3000, "max": 3000}),
    ]


def _pager(items: list[dict[str, Any]]) -> Callable[[Request], Reply]:
    def reply(req: Request) -> Reply:
        if req.query.get("mode") != "json":
            return Reply.text("mode=json expected", status=400)
        skip = int(req.query.get("skip", "0"))
        limit = req.query.get("limit")
        page = items[skip:] if limit is None else items[skip : skip + int(limit)]
        return Reply.json(page)

    return reply


def install_lever(server: FixtureServer) -> None:
    """Site `beacon` (paged), site `northwind` (EU host mirror), site `dead` (404)."""
    server.route("/v0/postings/beacon", _pager(lever_postings()))
    server.route("/v0/postings/northwind", _pager(lever_eu_postings()))
    server.route("/v0/postings/dead", Reply.json({"ok": False, "error": "Document not found"}, status=404))


# --------------------------------------------------------------------------------------------- ashby


def _comp(*components: dict[str, Any], tiers: bool = True, summary: bool = True) -> dict[str, Any]:
    comps = list(components)
    return {
        "compensationTierSummary": "summary text",
        "scrapeableCompensationSalarySummary": None,
        "compensationTiers": [{"id": "tier-1", "tierSummary": "x", "title": "Zone A", "additionalInformation": None,
                               "components": comps}] if tiers else [],
        "summaryComponents": comps if summary else [],
    }


def _component(kind: str, interval: str, currency: str | None, lo: float | None, hi: float | None) -> dict[str, Any]:
    return {"id": f"c-{kind}-{lo}", "summary": "s", "compensationType": kind, "interval": interval,
            "currencyCode": currency, "minValue": lo, "maxValue": hi}


def _ashby_job(jid: str, title: str, **extra: Any) -> dict[str, Any]:
    job: dict[str, Any] = {
        "id": jid,
        "title": title,
        "department": "Data",
        "team": "Data Platform",
        "employmentType": "FullTime",
        "location": "San Francisco",
        "secondaryLocations": [],
        "publishedAt": "2026-10-05T17:22:31.527+00:00",
        "isListed": True,
        "isRemote": False,
        "workplaceType": "OnSite",
        "address": {"postalAddress": {"addressLocality": "San Francisco", "addressRegion": "California",
                                      "addressCountry": "United States"}},
        "jobUrl": f"https://jobs.ashbyhq.com/cobalt/{jid}",
        "applyUrl": f"https://jobs.ashbyhq.com/cobalt/{jid}/application",
        "descriptionHtml": f"<p>{title}: Python, SQL.</p>",
        "descriptionPlain": f"{title}: Python, SQL.",
        "shouldDisplayCompensationOnJobPostings": True,
        "compensation": {"compensationTierSummary": None, "scrapeableCompensationSalarySummary": None,
                         "compensationTiers": [], "summaryComponents": []},
    }
    job.update(extra)
    return job


def ashby_board() -> dict[str, Any]:
    """Listed and unlisted jobs, salary with equity, equity only, null compensation, three workplaces."""
    return {
        "apiVersion": "1",
        "jobs": [
            _ashby_job("3f0e1a2b-0001-4000-8000-00000000aaaa", "Senior Data Scientist",
                       compensation=_comp(_component("EquityPercentage", "NONE", None, 0.05, 0.1),
                                          _component("Salary", "1 YEAR", "USD", 170000, 210000))),
            _ashby_job("3f0e1a2b-0002-4000-8000-00000000aaaa", "Machine Learning Engineer",
                       workplaceType="Remote", isRemote=True, location="Remote (US)", address=None,
                       compensation=_comp(_component("EquityCashValue", "1 YEAR", "USD", 20000, 40000),
                                          _component("EquityPercentage", "NONE", None, 0.1, 0.2))),
            _ashby_job("3f0e1a2b-0003-4000-8000-00000000aaaa", "Data Analyst",
                       workplaceType="Hybrid", location="London",
                       address={"postalAddress": {"addressLocality": "London", "addressCountry": "United Kingdom"}},
                       compensation=None),
            _ashby_job("3f0e1a2b-0004-4000-8000-00000000aaaa", "Data Engineer", isListed=False,
                       compensation=_comp(_component("Salary", "1 YEAR", "USD", 1, 2))),
            _ashby_job("3f0e1a2b-0005-4000-8000-00000000aaaa", "Analytics Engineer", employmentType="Contract",
                       compensation=_comp(_component("Salary", "1 HOUR", "USD", 70, 90), summary=False)),
            _ashby_job("3f0e1a2b-0006-4000-8000-00000000aaaa", "Applied Scientist",
                       compensation=_comp(_component("Salary", "1 YEAR", "EUR", 90000, 110000),
                                          _component("Bonus", "1 YEAR", "EUR", 10000, 20000), tiers=False)),
        ],
    }


def install_ashby(server: FixtureServer) -> None:
    """Board `cobalt` and an unknown board `nobody` (404)."""
    server.route("/posting-api/job-board/cobalt", Reply.json(ashby_board()))
    server.route("/posting-api/job-board/nobody", Reply.json({"success": False}, status=404))


# --------------------------------------------------------------------------------------------- linkedin

LI = "https://www.linkedin.com"
CARD_CLASSES = ("base-card relative w-full hover:no-underline focus:no-underline base-card--link "
                "base-search-card base-search-card--link job-search-card")


def li_card(job_id: int, title: str, company: str | None, location: str, posted: str, *,
            salary: str | None = None, new: bool = False, anchor_root: bool = False,
            benefits: str | None = None) -> str:
    """One guest search card; `anchor_root` gives the `a.base-card` variant (company without a page)."""
    slug = title.lower().replace(" ", "-")
    link = f"{LI}/jobs/view/{slug}-at-x-{job_id}?position=1&amp;pageNum=0&amp;refId=abc%3D%3D&amp;trackingId=t%3D%3D"
    time_cls = "job-search-card__listdate--new" if new else "job-search-card__listdate"
    salary_html = (f'\n            <span class="job-search-card__salary-info">\n                {salary}\n'
                   "            </span>") if salary else ""
    benefits_html = (f'\n            <div class="job-posting-benefits text-sm">\n              <icon class="x"></icon>'
                     f'\n              <span class="job-posting-benefits__text">\n                {benefits}\n'
                     "              </span>\n            </div>") if benefits else ""
    if company is None:
        subtitle = '<h4 class="base-search-card__subtitle">\n                Confidential\n          </h4>'
    elif anchor_root:
        subtitle = f'<h4 class="base-search-card__subtitle">\n                {company}\n          </h4>'
    else:
        subtitle = (
            '<h4 class="base-search-card__subtitle">\n              <a class="hidden-nested-link" '
            'data-tracking-control-name="public_jobs_jserp-result_job-search-card-subtitle" '
            f'href="{LI}/company/{company.lower()}?trk=public_jobs">\n                {company}\n'
            "              </a>\n          </h4>"
        )
    info = f"""
      <div class="search-entity-media">
          <img class="artdeco-entity-image" data-delayed-url="https://media.licdn.com/x.png" alt="">
      </div>
      <div class="base-search-card__info">
        <h3 class="base-search-card__title">
              {title}
        </h3>
          {subtitle}
        <div class="base-search-card__metadata">
            <span class="job-search-card__location">
                {location}
            </span>{salary_html}{benefits_html}
              <time class="{time_cls}" datetime="{posted}">
                2 days ago
              </time>
        </div>
      </div>"""
    urn = f"urn:li:jobPosting:{job_id}"
    if anchor_root:
        return (f'<li>\n  <a class="{CARD_CLASSES}" href="{link}" data-entity-urn="{urn}" '
                f'data-impression-id="jobs-search-result-0" data-tracking-control-name="public_jobs_jserp-result_search-card">'
                f"{info}\n  </a>\n</li>\n")
    return (f'<li>\n    <div class="{CARD_CLASSES}" data-entity-urn="{urn}" data-impression-id="jobs-search-result-0">\n'
            f'        <a class="base-card__full-link absolute top-0 right-0 bottom-0 left-0 p-0 z-[2]" href="{link}" '
            'data-tracking-control-name="public_jobs_jserp-result_search-card">\n'
            f'          <span class="sr-only">\n              {title}\n          </span>\n        </a>{info}\n    </div>\n</li>\n')


TITLES = ["Data Scientist", "Senior Data Scientist", "Machine Learning Engineer", "Data Analyst", "Data Engineer"]


def li_jobs() -> list[tuple[int, str]]:
    """Card specs: 42 distinct jobs (ids) with titles."""
    return [(4_100_000_000 + i, f"{TITLES[i % len(TITLES)]} {i}") for i in range(42)]


def li_page_cards(start: int) -> list[str]:
    """Pages by `start`: 25 cards, then 7 (a short page that is not the last), then 10 incl. a repeat."""
    jobs = li_jobs()
    if start == 0:
        chosen = list(range(0, 25))
    elif start == 25:
        chosen = list(range(25, 32))
    elif start == 32:
        chosen = [*range(32, 41), 5]  # LinkedIn repeats a card across pages
    else:
        return []
    cards: list[str] = []
    for i in chosen:
        job_id, title = jobs[i]
        if i == 0:
            cards.append(li_card(job_id, title, "Acme", "Toronto, Ontario, Canada", "2026-10-30",
                                 salary="$116,002.00\n                -\n                $137,000.00",
                                 benefits="Actively Hiring"))
        elif i == 1:
            cards.append(li_card(job_id, title, "Stealth Co", "Sydney, New South Wales, Australia", "2026-11-01",
                                 salary="A$160,000.00\n            -\n            A$200,000.00", new=True,
                                 anchor_root=True))
        elif i == 2:
            cards.append(li_card(job_id, title, None, "United States", "2026-10-31",
                                 salary="$45.00/hr\n - \n$60.00/hr", anchor_root=True))
        else:
            cards.append(li_card(job_id, title, f"Company{i}", "Toronto, Ontario, Canada", "2026-10-29",
                                 new=i % 4 == 0, anchor_root=i % 3 == 0))
    return cards


SIMILAR_JOBS = """
<section class="similar-jobs">
  <ul>
    <li><div class="base-card base-search-card job-search-card" data-entity-urn="urn:li:jobPosting:999999">
      <h3 class="base-search-card__title">Other Job</h3>
      <span class="job-search-card__salary-info">$500,000.00 - $900,000.00</span>
    </div></li>
  </ul>
</section>"""


def li_detail(job_id: int, title: str, *, full_page: bool) -> str:
    """The detail fragment (title in h2) or the full page (h1, with a similar-jobs block carrying salaries)."""
    tag = "h1" if full_page else "h2"
    body = f"""
<section class="top-card-layout container-lined overflow-hidden babybear:rounded-[0px]">
  <div class="top-card-layout__card relative p-2 papabear:p-details-container-padding">
    <div class="top-card-layout__entity-info-container flex flex-wrap papabear:flex-nowrap">
      <div class="top-card-layout__entity-info flex-grow flex-shrink-0 basis-0 babybear:flex-none babybear:w-full">
        <{tag} class="top-card-layout__title font-sans text-lg papabear:text-xl font-bold leading-open text-color-text mb-0 topcard__title">
          {title}
        </{tag}>
        <h4 class="top-card-layout__second-subline font-sans text-sm leading-open text-color-text-low-emphasis mt-0.5">
          <div class="topcard__flavor-row">
            <span class="topcard__flavor">
              <a href="{LI}/company/acme?trk=public_jobs_topcard-org-name" class="topcard__org-name-link topcard__flavor--black-link">
                Acme
              </a>
            </span>
            <span class="topcard__flavor topcard__flavor--bullet">
              Toronto, Ontario, Canada
            </span>
          </div>
        </h4>
      </div>
    </div>
  </div>
</section>
<div class="decorated-job-posting__details">
  <section class="core-section-container my-3 description">
    <div class="core-section-container__content break-words">
      <div class="description__text description__text--rich">
        <section class="show-more-less-html" data-max-lines="5">
          <div class="show-more-less-html__markup show-more-less-html__markup--clamp-after-5 relative overflow-hidden">
            <strong>About the job {job_id}</strong><br><br>We build models in Python and SQL on AWS.<ul><li>Own experiments</li></ul>
          </div>
        </section>
      </div>
      <ul class="description__job-criteria-list">
        <li class="description__job-criteria-item">
          <h3 class="description__job-criteria-subheader">
            Seniority level
          </h3>
          <span class="description__job-criteria-text description__job-criteria-text--criteria">
            Mid-Senior level
          </span>
        </li>
        <li class="description__job-criteria-item">
          <h3 class="description__job-criteria-subheader">
            Employment type
          </h3>
          <span class="description__job-criteria-text description__job-criteria-text--criteria">
            Full-time
          </span>
        </li>
      </ul>
    </div>
  </section>
</div>"""
    if full_page:
        return (f"<!DOCTYPE html><html lang=\"en\"><head><title>{title} | LinkedIn</title></head>"
                f"<body><main>{body}</main>{SIMILAR_JOBS}</body></html>")
    return body


def install_linkedin(server: FixtureServer) -> dict[str, int]:
    """Search pages by `start`; the first hit of start=25 answers 429. Query "blocked" hits the authwall."""
    counters: dict[str, int] = {"429": 0}

    def search(req: Request) -> Reply:
        if req.query.get("keywords") == "blocked":
            return Reply.redirect("/authwall?trk=qf&sessionRedirect=https%3A%2F%2Fwww.linkedin.com%2Fjobs")
        if req.query.get("keywords") == "signup":
            return Reply.redirect(f"{server.url('')}/signup/cold-join?session_redirect=%2Fjobs")
        start = int(req.query.get("start", "0"))
        if start not in (0, 25, 32, 42):
            return Reply.text(f"unexpected start={start}", status=400)
        if start == 25 and counters["429"] == 0:
            counters["429"] += 1
            return Reply(status=429, headers={"Retry-After": "0"})
        cards = li_page_cards(start)
        return Reply.html("".join(cards) if cards else "\n   \n")

    server.route("/jobs-guest/jobs/api/seeMoreJobPostings/search", search)
    for i, (job_id, title) in enumerate(li_jobs()):
        server.route(f"/jobs-guest/jobs/api/jobPosting/{job_id}", Reply.html(li_detail(job_id, title, full_page=i % 2 == 1)))
    server.route("/authwall", Reply.html("<html><body>Sign in to view</body></html>"))
    server.route("/signup/cold-join", Reply.html("<html><body>Join now</body></html>"))
    return counters


# --------------------------------------------------------------------------------------------- json-ld


def _ld(obj: Any) -> str:
    return f'<script type="application/ld+json">{json.dumps(obj)}</script>'


def jsonld_page_one() -> str:
    """Several blocks: an Organization, an invalid block, a JobPosting with @type as a list."""
    desc = html.escape(html.escape("<p>Model churn with Python &amp; SQL.</p>"))  # escaped twice
    job = {
        "@context": "https://schema.org/",
        "@type": ["JobPosting"],
        "title": "Senior Data Scientist",
        "description": desc,
        "identifier": {"@type": "PropertyValue", "name": "Delta Corp", "value": "DS-1001"},
        "datePosted": "2026-10-12",
        "validThrough": "2026-12-31T00:00",
        "employmentType": ["FULL_TIME", "CONTRACTOR"],
        "hiringOrganization": {"@type": "Organization", "name": "Delta Corp", "sameAs": "https://delta.example"},
        "jobLocation": [
            {"@type": "Place", "address": {"@type": "PostalAddress", "addressLocality": "Chicago",
                                           "addressRegion": "IL", "addressCountry": "US"}},
            {"@type": "Place", "address": {"@type": "PostalAddress", "addressLocality": "Denver",
                                           "addressRegion": "CO", "addressCountry": {"@type": "Country", "name": "US"}}},
        ],
        "baseSalary": {"@type": "MonetaryAmount", "currency": "USD",
                       "value": {"@type": "QuantitativeValue", "minValue": "$140,000", "maxValue": "$175,000",
                                 "unitText": "YEAR"}},
    }
    return (
        "<!DOCTYPE html><html><head><title>Careers</title>"
        + _ld({"@context": "https://schema.org", "@type": "Organization", "name": "Delta Corp"})
        + '<script type="application/ld+json">{"@type": "JobPosting", "title": "Broken", }</script>'
        + _ld(job)
        + "</head><body><h1>Senior Data Scientist</h1></body></html>"
    )


def jsonld_page_graph() -> str:
    """@graph with a WebPage and a remote JobPosting; value.value hourly pay; no identifier."""
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebPage", "@id": "https://delta.example/jobs/2", "name": "Data Analyst"},
            {
                "@type": "JobPosting",
                "title": "Data Analyst",
                "description": "<p>SQL and dashboards.</p>",
                "datePosted": "2026-10-15T09:30:00-05:00",
                "employmentType": "PART_TIME",
                "hiringOrganization": {"@type": "Organization", "name": "Delta Corp"},
                "jobLocationType": "TELECOMMUTE",
                "applicantLocationRequirements": {"@type": "Country", "name": "USA"},
                "baseSalary": {"@type": "MonetaryAmount", "currency": "USD",
                               "value": {"@type": "QuantitativeValue", "value": 38.5, "unitText": "HOUR"}},
            },
        ],
    }
    return f"<html><head>{_ld(graph)}</head><body>x</body></html>"


def jsonld_page_array() -> str:
    """A top-level array of two JobPostings: missing unitText; PriceSpecification with top-level salaryCurrency."""
    items = [
        {
            "@context": "https://schema.org",
            "@type": "JobPosting",
            "title": "Data Engineer",
            "description": "&lt;p&gt;Spark &amp;amp; Airflow.&lt;/p&gt;",
            "identifier": "DE-7",
            "datePosted": "2026-10-16",
            "hiringOrganization": "Delta Corp",
            "jobLocation": {"@type": "Place", "address": {"addressLocality": "Berlin", "addressCountry": "DE"}},
            "baseSalary": {"@type": "MonetaryAmount", "currency": "EUR",
                           "value": {"@type": "QuantitativeValue", "minValue": 65000, "maxValue": 80000}},
        },
        {
            "@context": "https://schema.org",
            "@type": "JobPosting",
            "title": "Machine Learning Engineer",
            "description": "<p>PyTorch in production.</p>",
            "identifier": {"name": "Delta Corp", "value": 8812},
            "datePosted": "2026-10-17",
            "hiringOrganization": {"name": "Delta Corp"},
            "jobLocation": {"@type": "Place", "address": {"addressLocality": "London", "addressCountry": "GB"}},
            "salaryCurrency": "GBP",
            "baseSalary": {"@type": "PriceSpecification", "minPrice": 85000, "maxPrice": 100000,
                           "unitText": "YEAR"},
        },
    ]
    return f"<html><head>{_ld(items)}</head><body></body></html>"


def jsonld_sitemap_page(n: int) -> str:
    """A sitemap-listed page; n=4 carries a plain Number salary with top-level salaryCurrency."""
    job: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "title": f"Data Scientist {n}",
        "description": "<p>Forecasting in Python.</p>",
        "identifier": {"name": "Delta Corp", "value": f"SM-{n}"},
        "datePosted": "2026-10-18",
        "hiringOrganization": {"name": "Delta Corp"},
        "jobLocation": {"@type": "Place", "address": {"addressLocality": "Toronto", "addressRegion": "ON",
                                                      "addressCountry": "CA"}},
    }
    if n == 4:
        job["salaryCurrency"] = "CAD"
        job["baseSalary"] = {"@type": "MonetaryAmount", "value": {"@type": "QuantitativeValue", "value": "120000",
                                                                  "unitText": "yearly"}}
    return f"<html><head>{_ld(job)}</head><body></body></html>"


def jsonld_sitemap(server: FixtureServer) -> str:
    """Relative and absolute locs, a page on another host (skipped), a gone page (skipped)."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        "  <url><loc>/careers/4</loc><lastmod>2026-10-18</lastmod></url>\n"
        f"  <url><loc>{server.url('/careers/5')}</loc></url>\n"
        "  <url><loc>https://elsewhere.example/careers/9</loc></url>\n"
        "  <url><loc>/careers/gone</loc></url>\n"
        "</urlset>\n"
    )


def install_jsonld(server: FixtureServer) -> None:
    """Three career pages and a sitemap of two more."""
    server.route("/careers/1", Reply.html(jsonld_page_one()))
    server.route("/careers/2", Reply.html(jsonld_page_graph()))
    server.route("/careers/3", Reply.html(jsonld_page_array()))
    server.route("/careers/4", Reply.html(jsonld_sitemap_page(4)))
    server.route("/careers/5", Reply.html(jsonld_sitemap_page(5)))
    server.route("/sitemap.xml", Reply.text(jsonld_sitemap(server), content_type="application/xml"))
    server.route("/careers/missing", Reply.html("<h1>Not found</h1>", status=404))
