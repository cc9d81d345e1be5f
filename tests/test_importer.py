"""Import rows: amounts and periods as people write them, a single bound keeps its currency."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tracker.importer import row_to_raw
from tracker.normalize import normalize_posting

NOW = datetime(2026, 11, 20, tzinfo=UTC)


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        ({"pay_min": "150000", "pay_max": "180000", "pay_currency": "USD", "pay_period": "year"}, (150000, 180000, "USD", "year")),
        ({"pay_min": "$150,000", "pay_max": "$180,000", "pay_currency": "usd", "pay_period": "Yearly"}, (150000, 180000, "USD", "year")),
        ({"pay_min": "150k", "pay_max": "180K", "pay_currency": "USD", "pay_period": "annual"}, (150000, 180000, "USD", "year")),
        ({"pay_min": 60, "pay_max": 75, "pay_currency": "USD", "pay_period": "hourly"}, (60, 75, "USD", "hour")),
        ({"pay_min": "5,000", "pay_max": "6,000", "pay_currency": "EUR", "pay_period": "per month"}, (5000, 6000, "EUR", "month")),
        ({"pay_min": "150000", "pay_currency": "USD", "pay_period": "year"}, (150000, None, "USD", "year")),
        ({"pay_max": "90000", "pay_currency": "GBP", "pay_period": "year"}, (None, 90000, "GBP", "year")),
    ],
)
def test_pay_columns_as_people_write_them(columns: dict[str, object], expected: tuple[object, ...]) -> None:
    raw, _ = row_to_raw({"external_id": "1", "title": "Data Scientist", **columns}, now=NOW)
    posting = normalize_posting(raw)
    assert (posting.pay_min, posting.pay_max, posting.pay_currency, posting.pay_period) == expected
    assert posting.pay_source == "employer"


@pytest.mark.parametrize(
    ("columns", "problem"),
    [
        ({"pay_min": "lots", "pay_currency": "USD", "pay_period": "year"}, "pay_min: not a number"),
        ({"pay_min": "100", "pay_currency": "USD", "pay_period": "fortnight"}, "pay_period: expected one of"),
        ({"pay_min": "100", "pay_period": "year"}, "pay_currency: expected an ISO 4217 code"),
        ({"pay_min": "200", "pay_max": "100", "pay_currency": "USD", "pay_period": "year"}, "pay_min: greater than pay_max"),
    ],
)
def test_bad_pay_columns_name_the_column(columns: dict[str, object], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        row_to_raw({"external_id": "1", "title": "Data Scientist", **columns}, now=NOW)


def test_a_job_listed_twice_in_one_file_keeps_its_first_and_last_sighting(db_url: str, tmp_path: object) -> None:
    from pathlib import Path

    from sqlalchemy import select

    from tracker.importer import ImportErrors, read_file
    from tracker.pipeline import import_postings
    from tracker.store import db as store_db
    from tracker.store.models import Posting

    data = Path(str(tmp_path)) / "snapshots.csv"
    data.write_text(
        "external_id,title,pay_text,seen_at\n"
        "j1,Data Scientist,\"$150,000 - $170,000 a year\",2026-01-19\n"
        "j1,Data Scientist,\"$150,000 - $170,000 a year\",2026-01-05\n"
        "j1,Data Scientist,\"$150,000 - $170,000 a year\",2026-01-12\n"
    )
    engine = store_db.make_engine(db_url)
    sessions = store_db.session_factory(engine)
    import_postings(sessions, read_file(data, now=NOW, errors=ImportErrors()), source_name="snap")
    with sessions() as session:
        posting = session.scalars(select(Posting)).one()
    assert posting.first_seen_at == datetime(2026, 1, 5, tzinfo=UTC)
    assert posting.last_seen_at == datetime(2026, 1, 19, tzinfo=UTC)
    engine.dispose()


@pytest.mark.parametrize(
    ("columns", "problem"),
    [
        ({"seen_at": "2026-03-10", "closed_at": "2026-03-01"}, "closed_at: earlier than the time the job was seen"),
        ({"seen_at": "2026-03-10", "closed_at": "2027-01-01"}, "closed_at: in the future"),
        ({"seen_at": "2026-03-10", "closed_at": "last week"}, "closed_at: not an ISO 8601 date"),
    ],
)
def test_bad_closing_times_name_the_column(columns: dict[str, object], problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        row_to_raw({"external_id": "1", "title": "Data Scientist", **columns}, now=NOW)


def _import(db_url: str, tmp_path: object, name: str, body: str) -> tuple[object, object]:
    from pathlib import Path

    from tracker.importer import ImportErrors, read_file
    from tracker.pipeline import import_postings
    from tracker.store import db as store_db

    data = Path(str(tmp_path)) / name
    data.write_text("external_id,title,company,location,seen_at,closed_at\n" + body)
    engine = store_db.make_engine(db_url)
    sessions = store_db.session_factory(engine)
    errors = ImportErrors()
    result = import_postings(sessions, read_file(data, now=NOW, errors=errors), source_name="dataset")
    assert errors.rows == []
    engine.dispose()
    return result, sessions


def _state(db_url: str) -> dict[str, tuple[datetime | None, datetime | None]]:
    from sqlalchemy import select

    from tracker.store import db as store_db
    from tracker.store.models import Posting, PostingCluster

    engine = store_db.make_engine(db_url)
    with store_db.session_factory(engine)() as session:
        rows = session.execute(
            select(Posting.external_id, Posting.closed_at, PostingCluster.closed_at).join(
                PostingCluster, PostingCluster.id == Posting.cluster_id
            )
        ).all()
    engine.dispose()
    return {ext: (closed, cluster_closed) for ext, closed, cluster_closed in rows}


def test_an_imported_closing_time_closes_the_posting_and_its_cluster(db_url: str, tmp_path: object) -> None:
    result, _ = _import(
        db_url, tmp_path, "closings.csv",
        "j1,Data Scientist,Acme,\"Austin, TX\",2026-03-02,2026-03-20\n"
        "j2,Machine Learning Engineer,Acme,\"Austin, TX\",2026-03-02,\n",
    )  # fmt: skip
    assert result.closed == 1  # type: ignore[attr-defined]
    march_20 = datetime(2026, 3, 20, tzinfo=UTC)
    assert _state(db_url) == {"j1": (march_20, march_20), "j2": (None, None)}


def test_a_later_row_of_the_same_job_decides_whether_it_closed(db_url: str, tmp_path: object) -> None:
    _import(
        db_url, tmp_path, "snapshots.csv",
        "j1,Data Scientist,Acme,Austin,2026-03-02,2026-03-05\n"
        "j1,Data Scientist,Acme,Austin,2026-03-09,\n"
        "j2,Data Scientist,Beta,Austin,2026-03-02,\n"
        "j2,Data Scientist,Beta,Austin,2026-03-09,2026-03-12\n",
    )  # fmt: skip
    assert _state(db_url) == {"j1": (None, None), "j2": (datetime(2026, 3, 12, tzinfo=UTC),) * 2}


def test_an_older_sighting_does_not_reopen_a_closed_posting_and_a_newer_one_does(db_url: str, tmp_path: object) -> None:
    _import(db_url, tmp_path, "first.csv", "j1,Data Scientist,Acme,Austin,2026-03-02,2026-03-20\n")
    _import(db_url, tmp_path, "older.csv", "j1,Data Scientist,Acme,Austin,2026-03-10,\n")
    march_20 = datetime(2026, 3, 20, tzinfo=UTC)
    assert _state(db_url) == {"j1": (march_20, march_20)}
    _import(db_url, tmp_path, "newer.csv", "j1,Data Scientist,Acme,Austin,2026-04-01,\n")
    assert _state(db_url) == {"j1": (None, None)}
