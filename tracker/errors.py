"""The project's exception tree.

Every error the project raises on purpose derives from `TrackerError`; third-party errors are
translated at the boundary (`raise ... from exc`) so callers handle one tree:

    TrackerError
    +-- ConfigError            bad settings or command-line usage (the CLI exits 2)
    +-- FetchError             a page could not be fetched; carries the URL (and source, where known)
    |   +-- HTTPStatusFailure   a non-success status after the retries were spent
    |   +-- RobotsDisallowed    robots.txt forbids the URL and the source respects robots.txt
    |   +-- ResponseTooLarge    the body (after decompression) passed the size cap
    |   +-- BlockedByAuthwall   a redirect to a login/signup wall: treated as an error, never as "no results"
    |   +-- TooManyRedirects    a redirect loop or chain past the limit
    |   +-- SourceFormatError   the body arrived but is not in the source's format (truncated JSON, ...)
    |   +-- ListingTruncated    a listing stopped at the site's result cap: what was read is kept, nothing closed
    +-- StoreError             the database refused an operation
    +-- NormalizationFailed    some postings of a crawl scope could not be normalized (the rest are stored)
    +-- AnalysisError          a weekly report could not be computed
    +-- DeliveryError          an email could not be delivered
"""

from __future__ import annotations


class TrackerError(Exception):
    """Base of every error the project raises on purpose."""


class ConfigError(TrackerError):
    """Settings or command-line usage are wrong; the message names the key and the problem."""


class FetchError(TrackerError):
    """A page could not be fetched."""

    def __init__(self, message: str, *, url: str | None = None, source: str | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.source = source

    def __str__(self) -> str:
        base = super().__str__()
        parts = []
        if self.source:
            parts.append(f"source {self.source}")
        if self.url and self.url not in base:
            parts.append(self.url)
        return f"{base} ({', '.join(parts)})" if parts else base


class HTTPStatusFailure(FetchError):
    """The server answered with a failure status after the retries were spent."""

    def __init__(self, message: str, *, status: int, url: str | None = None, source: str | None = None) -> None:
        super().__init__(message, url=url, source=source)
        self.status = status


class RobotsDisallowed(FetchError):
    """robots.txt disallows the URL for our user agent."""


class ResponseTooLarge(FetchError):
    """The response body passed the configured size cap."""


class BlockedByAuthwall(FetchError):
    """The site redirected to a login or signup wall."""


class TooManyRedirects(FetchError):
    """A redirect loop or a chain longer than the limit."""


class SourceFormatError(FetchError):
    """The body is not in the format the source expects."""


class StoreError(TrackerError):
    """The database refused an operation."""


class AnalysisError(TrackerError):
    """A weekly report could not be computed."""


class DeliveryError(TrackerError):
    """An email could not be delivered."""


class BoardGone(HTTPStatusFailure):
    """A whole crawl unit (board, site, page) answered 404/410: it no longer exists at the source."""


class ListingTruncated(FetchError):
    """A listing stopped at the site's result cap: postings beyond it were not seen.

    Raised after every posting read was yielded, so they are stored; the scope is not complete, so
    nothing is closed for it.
    """


class NormalizationFailed(TrackerError):
    """Some postings of a batch could not be normalized; the others were stored.

    The scope they came from is not complete (their `last_seen_at` was not bumped), so nothing is
    closed for it.
    """
