"""Benchmark (a): LinkedIn search cards parsed per second, selectolax (lexbor) vs BeautifulSoup + lxml.

Both parsers extract the same fields (id, title, company, location, salary, date, link, benefits) from
the same pages in the same run; pages are built from the recorded-format card fixtures in
tests/sources/fixtures (both card roots, salary spans with newlines, missing fields), 25 cards a page.
The figures are merged into bench/results.json under "linkedin_parse".

    .venv/bin/python bench/linkedin_parse.py [--pages 40] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bs4 import BeautifulSoup, Tag  # noqa: E402

from bench._results import record  # noqa: E402
from tracker.sources.linkedin import Card, parse_search_page  # noqa: E402

FIXTURES = ROOT / "tests" / "sources" / "fixtures"
TARGET_RATIO = 10.0

_URN_ID = re.compile(r"urn:li:jobPosting:(\d+)")
_LINK_ID = re.compile(r"/jobs/view/(?:[^/?#]*?-)?(\d+)(?:[/?#]|$)")
_WS = re.compile(r"\s+")


def build_pages(pages: int, per_page: int = 25) -> list[str]:
    """Search pages of `per_page` cards with distinct ids, cycling through the fixture cards."""
    cards: list[str] = []
    for name in ("linkedin_search_page1.html", "linkedin_search_page2.html"):
        text = (FIXTURES / name).read_text(encoding="utf-8")
        cards.extend(chunk + "</li>" for chunk in text.split("</li>") if "base-card" in chunk)
    ids = re.compile(r"\d{10}")
    out: list[str] = []
    n = 0
    for _ in range(pages):
        page: list[str] = []
        for i in range(per_page):
            n += 1
            page.append(ids.sub(str(5_000_000_000 + n), cards[i % len(cards)]))
        out.append("\n".join(page))
    return out


def _bs_text(node: Tag | None) -> str | None:
    if node is None:
        return None
    return _WS.sub(" ", node.get_text()).strip() or None


def bs4_parse(html: str) -> list[Card]:
    """The same extraction as tracker.sources.linkedin.parse_card, through BeautifulSoup with lxml."""
    soup = BeautifulSoup(html, "lxml")
    cards: list[Card] = []
    for root in soup.select("div.base-card, a.base-card"):
        job_id = None
        holder = root if root.get("data-entity-urn") else root.select_one("[data-entity-urn]")
        if holder is not None:
            match = _URN_ID.search(str(holder.get("data-entity-urn") or ""))
            job_id = match.group(1) if match else None
        links = [str(root.get("href"))] if root.name == "a" and root.get("href") else []
        full = root.select_one("a.base-card__full-link")
        if full is not None and full.get("href"):
            links.append(str(full.get("href")))
        if job_id is None:
            for href in links:
                match = _LINK_ID.search(href)
                if match:
                    job_id = match.group(1)
                    break
        title = _bs_text(root.select_one(".base-search-card__title")) or _bs_text(
            root.select_one(".base-card__full-link .sr-only")
        )
        if job_id is None or title is None:
            continue
        time_node = root.select_one("time.job-search-card__listdate, time.job-search-card__listdate--new")
        cards.append(
            Card(
                job_id=job_id,
                title=title,
                company=_bs_text(root.select_one(".base-search-card__subtitle")),
                location=_bs_text(root.select_one(".job-search-card__location")),
                salary=_bs_text(root.select_one(".job-search-card__salary-info")),
                posted=str(time_node.get("datetime")) if time_node is not None else None,
                link=links[0].split("?")[0] if links else None,
                benefits=_bs_text(root.select_one(".job-posting-benefits__text")),
            )
        )
    return cards


def selectolax_parse(html: str) -> list[Card]:
    """The production parser."""
    return parse_search_page(html).cards


def measure(parse: Callable[[str], list[Card]], pages: list[str], rounds: int) -> tuple[float, int]:
    """Best cards/s over `rounds` passes over all pages, and the card count of one pass."""
    best = 0.0
    count = 0
    for _ in range(rounds):
        start = time.perf_counter()
        count = sum(len(parse(page)) for page in pages)
        elapsed = time.perf_counter() - start
        best = max(best, count / elapsed)
    return best, count


def main() -> int:
    """Run the benchmark, print and record the figures; exit 1 below the target ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    pages = build_pages(args.pages)
    fast = selectolax_parse(pages[0])
    slow = bs4_parse(pages[0])
    if fast != slow:
        raise SystemExit("selectolax and BeautifulSoup extractions differ: the comparison would be unfair")
    lexbor_rate, cards = measure(selectolax_parse, pages, args.rounds)
    bs4_rate, bs4_cards = measure(bs4_parse, pages, max(1, args.rounds // 2))
    assert cards == bs4_cards
    ratio = lexbor_rate / bs4_rate
    result = {
        "pages": len(pages),
        "cards_per_pass": cards,
        "selectolax_cards_per_s": round(lexbor_rate),
        "bs4_lxml_cards_per_s": round(bs4_rate),
        "ratio": round(ratio, 1),
        "target_ratio": TARGET_RATIO,
        "meets_target": ratio >= TARGET_RATIO,
    }
    record("linkedin_parse", result)
    print(json.dumps(result, indent=2))
    return 0 if ratio >= TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
