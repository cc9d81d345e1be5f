"""Ingestion storage: upserts, first/last seen, closing and reopening, clusters, skills, on both backends."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select, text

from tests.conftest import DB
from tracker.store import db as store_db
from tracker.store import repository as repo
from tracker.store.models import POSTING_SKILLS, Posting, PostingCluster, Skill

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DESC = (
    "We are looking for a machine learning engineer to build ranking models in Python and PyTorch, "
    "deploy them on Kubernetes, and own the training pipelines end to end with the search team."
)
OTHER_DESC = (
    "Join the fraud team to design features, evaluate classifiers, and run experiments on payments data "
    "with Spark and SQL; you will partner with risk analysts and product managers every week."
)


@dataclass(frozen=True)
class P:
    """A normalized posting as the repository takes it."""

    external_id: str
    title_raw: str = "Machine Learning Engineer"
    family: str = "ml_engineer"
    seniority: str = "mid"
    company: str | None = "Acme, Inc."
    url: str | None = None
    location_raw: str | None = "San Francisco, CA"
    city: str | None = "San Francisco"
    region: str | None = "CA"
    country: str | None = "US"
    workplace: str | None = "onsite"
    employment_type: str | None = "full_time"
    pay_text: str | None = None
    pay_min: float | None = 150000.0
    pay_max: float | None = 200000.0
    pay_currency: str | None = "USD"
    pay_period: str | None = "year"
    annual_min: float | None = 150000.0
    annual_max: float | None = 200000.0
    pay_source: str | None = "employer"
    description_text: str | None = DESC
    description_hash: str | None = "h1"
    posted_at: datetime | None = None
    skills: frozenset[str] = field(default_factory=lambda: frozenset({"python", "pytorch"}))


def _source(db: DB, name: str = "gh") -> int:
    return repo.ensure_source(db.session, kind="greenhouse", name=name).id


def test_new_postings_are_inserted_once_with_seen_times(db: DB) -> None:
    sid = _source(db)
    res = repo.upsert_postings(db.session, sid, "board", [P("1"), P("2", description_text=OTHER_DESC), P("1")], T0)
    assert (res.seen, res.new, res.updated) == (2, 2, 0)
    again = repo.upsert_postings(db.session, sid, "board", [P("1"), P("2", description_text=OTHER_DESC)], T0 + timedelta(days=1))
    assert (again.new, again.updated) == (0, 0)
    rows = db.session.scalars(select(Posting).order_by(Posting.external_id)).all()
    assert [r.external_id for r in rows] == ["1", "2"]
    assert rows[0].first_seen_at == T0 and rows[0].last_seen_at == T0 + timedelta(days=1)
    assert rows[0].annual_mid is not None and abs(rows[0].annual_mid - (150000 * 200000) ** 0.5) < 1e-6


def test_changed_posting_counts_as_updated_and_replaces_skills(db: DB) -> None:
    sid = _source(db)
    repo.upsert_postings(db.session, sid, "b", [P("1")], T0)
    res = repo.upsert_postings(
        db.session, sid, "b", [P("1", pay_max=220000.0, annual_max=220000.0, description_hash="h2", skills=frozenset({"go"}))], T0
    )
    assert res.updated == 1
    skills = set(db.session.scalars(select(POSTING_SKILLS.c.skill_id)))
    assert skills == {"go"}


def test_skills_follow_a_new_title_over_the_same_description(db: DB) -> None:
    sid = _source(db)
    repo.upsert_postings(db.session, sid, "b", [P("1")], T0)
    res = repo.upsert_postings(db.session, sid, "b", [P("1", title_raw="Go Engineer", skills=frozenset({"go", "python"}))], T0)
    assert res.updated == 1
    assert db.session.scalars(select(Posting.skills)).one() == ["go", "python"]
    assert set(db.session.scalars(select(POSTING_SKILLS.c.skill_id))) == {"go", "python"}
    assert set(db.session.scalars(select(Skill.id))) >= {"go", "python", "pytorch"}  # the catalog lists every id


def test_card_without_description_keeps_the_stored_description(db: DB) -> None:
    sid = _source(db)
    repo.upsert_postings(db.session, sid, "q", [P("1")], T0)
    repo.upsert_postings(db.session, sid, "q", [P("1", description_text=None, description_hash=None, skills=frozenset())], T0)
    row = db.session.scalars(select(Posting)).one()
    assert row.description_text == DESC
    assert set(db.session.scalars(select(POSTING_SKILLS.c.skill_id))) == {"python", "pytorch"}


def test_completed_scope_closes_unseen_postings_and_a_repost_reopens(db: DB) -> None:
    sid = _source(db)
    repo.upsert_postings(db.session, sid, "b", [P("1"), P("2", description_text=OTHER_DESC)], T0)
    later = T0 + timedelta(days=7)
    repo.upsert_postings(db.session, sid, "b", [P("1")], later)
    closed = repo.close_missing(db.session, sid, "b", before=later, closed_at=later)
    assert closed == 1
    two = db.session.scalars(select(Posting).where(Posting.external_id == "2")).one()
    assert two.closed_at == later
    cluster = db.session.get(PostingCluster, two.cluster_id)
    assert cluster is not None and cluster.closed_at == later
    # another scope of the same source is untouched
    assert repo.close_missing(db.session, sid, "other", before=later, closed_at=later) == 0
    repo.upsert_postings(db.session, sid, "b", [P("2", description_text=OTHER_DESC)], later + timedelta(days=1))
    db.session.expire_all()
    two = db.session.scalars(select(Posting).where(Posting.external_id == "2")).one()
    assert two.closed_at is None
    cluster = db.session.get(PostingCluster, two.cluster_id)
    assert cluster is not None and cluster.closed_at is None


def test_same_job_on_two_sources_is_one_cluster(db: DB) -> None:
    gh, li = _source(db, "gh"), _source(db, "li")
    repo.upsert_postings(db.session, gh, "b", [P("100", company="Acme Inc")], T0)
    repo.upsert_postings(
        db.session, li, "q", [P("li-9", company="ACME", title_raw="Machine Learning Engineer (Remote)", pay_min=None,
                                pay_max=None, annual_min=None, annual_max=None, pay_source=None)], T0 + timedelta(days=2)
    )
    clusters = db.session.scalars(select(PostingCluster)).all()
    assert len(clusters) == 1
    assert clusters[0].size == 2 and clusters[0].first_seen_at == T0
    # the priced posting stays the representative
    rep = db.session.get(Posting, clusters[0].representative_id)
    assert rep is not None and rep.external_id == "100"


def test_same_title_with_a_different_description_is_another_job(db: DB) -> None:
    sid = _source(db)
    repo.upsert_postings(db.session, sid, "b", [P("1"), P("2", description_text=OTHER_DESC)], T0)
    assert db.session.scalar(select(func.count()).select_from(PostingCluster)) == 2


def test_unpriced_representative_is_replaced_by_a_priced_repost(db: DB) -> None:
    sid = _source(db)
    unpriced = P("1", pay_min=None, pay_max=None, annual_min=None, annual_max=None, pay_source=None)
    repo.upsert_postings(db.session, sid, "b", [unpriced], T0)
    repo.upsert_postings(db.session, sid, "b", [replace(unpriced, external_id="2", annual_min=1.0e5, annual_max=1.2e5)], T0)
    cluster = db.session.scalars(select(PostingCluster)).one()
    rep = db.session.get(Posting, cluster.representative_id)
    assert rep is not None and rep.external_id == "2"


def test_runs_record_their_outcome(db: DB) -> None:
    sid = _source(db)
    run = repo.start_run(db.session, sid, T0)
    repo.finish_run(db.session, run.id, status="partial", finished_at=T0, result=repo.UpsertResult(3, 2, 1), closed=0, error="b2: boom")
    [(source, last)] = repo.last_runs(db.session)
    db.session.refresh(last)  # type: ignore[arg-type]
    assert source.name == "gh" and last is not None
    assert (last.status, last.seen, last.new, last.updated, last.error) == ("partial", 3, 2, 1, "b2: boom")


def test_imported_postings_keep_their_own_seen_times(db: DB) -> None:
    sid = _source(db, "import:x")
    times = {"a": T0, "b": T0 + timedelta(days=3)}
    repo.upsert_postings(db.session, sid, "", [P("a"), P("b", description_text=OTHER_DESC)], T0 + timedelta(days=30), times)
    got = {p.external_id: p.first_seen_at for p in db.session.scalars(select(Posting))}
    assert got == times


def test_a_search_window_closes_young_postings_now_and_aged_out_ones_at_their_last_sighting(db: DB) -> None:
    sid = _source(db, "li")
    old = P("old", posted_at=T0 - timedelta(days=20), description_text=OTHER_DESC)
    young = P("young", posted_at=T0 - timedelta(days=2))
    repo.upsert_postings(db.session, sid, "q", [old, young], T0)
    later = T0 + timedelta(days=1)
    closed = repo.close_missing(db.session, sid, "q", before=later, closed_at=later, posted_after=later - timedelta(days=6))
    assert closed == 2
    db.session.expire_all()
    states = {p.external_id: p.closed_at for p in db.session.scalars(select(Posting))}
    # the young one vanished from a search that still lists its age: closed now; the old one aged out
    # of the window, so all we know is when it was last seen
    assert states == {"old": T0, "young": later}
    assert {c.closed_at for c in db.session.scalars(select(PostingCluster))} == {T0, later}


def test_linkedin_searches_declare_their_listing_window() -> None:
    from tracker.sources import build_source

    source = build_source("linkedin", "li", None, {"queries": ["data scientist"], "locations": ["US"], "recency_hours": 48})
    assert source.listing_window() == timedelta(hours=48)  # type: ignore[attr-defined]
    board = build_source("greenhouse", "gh", None, {"boards": ["x"]})
    assert board.listing_window() is None  # type: ignore[attr-defined]


def test_abbreviated_title_on_another_source_is_the_same_job(db: DB) -> None:
    board, search = _source(db, "gh"), _source(db, "li")
    repo.upsert_postings(db.session, board, "b", [P("1", title_raw="Senior Machine Learning Engineer", seniority="senior")], T0)
    repo.upsert_postings(db.session, search, "q", [P("li-1", title_raw="Sr. ML Engineer (Remote)", seniority="senior")], T0)
    assert db.session.scalar(select(func.count()).select_from(PostingCluster)) == 1


def test_a_new_cluster_takes_its_first_member_as_representative(db: DB) -> None:
    sid = _source(db)
    batch = [P("7", company="Other Co"), P("5"), P("6"), P("8", description_text=OTHER_DESC)]
    repo.upsert_postings(db.session, sid, "b", batch, T0)
    ids = dict(db.session.execute(select(Posting.external_id, Posting.id)).tuples().all())
    clusters = {c.representative_id: c for c in db.session.scalars(select(PostingCluster))}
    assert set(clusters) == {ids["7"], ids["5"], ids["8"]}
    assert clusters[ids["5"]].size == 2  # "6" joined the cluster of "5", its first member
    members = db.session.scalars(select(Posting.external_id).where(Posting.cluster_id == clusters[ids["5"]].id))
    assert sorted(members) == ["5", "6"]


def test_skill_ids_with_copy_control_characters_are_stored_as_given(db: DB) -> None:
    sid = _source(db)
    odd = frozenset({"c\\c++", "tab\tbed", "line\nbreak", "cr\rlf", r"\N"})
    repo.upsert_postings(db.session, sid, "b", [P("1", skills=odd)], T0)
    assert set(db.session.scalars(select(POSTING_SKILLS.c.skill_id))) == odd


def test_a_retitled_posting_leaves_its_cluster_and_both_clusters_stay_consistent(db: DB) -> None:
    sid = _source(db)
    repo.upsert_postings(db.session, sid, "b", [P("1", title_raw="Data Scientist", family="data_scientist")], T0)
    repo.upsert_postings(
        db.session, sid, "b", [P("1", title_raw="Machine Learning Engineer", family="ml_engineer", description_hash="h9")], T0
    )
    db.session.expire_all()
    posting = db.session.scalars(select(Posting)).one()
    cluster = db.session.get(PostingCluster, posting.cluster_id)
    assert cluster is not None and cluster.family == "ml_engineer" and cluster.representative_id == posting.id
    assert [c.family for c in db.session.scalars(select(PostingCluster))] == ["ml_engineer"]  # the empty one is gone


def test_employer_pay_beats_an_estimate_as_representative(db: DB) -> None:
    board, estimates = _source(db, "gh"), _source(db, "est")
    repo.upsert_postings(db.session, estimates, "e", [P("e1", pay_source="estimated", annual_min=9e4, annual_max=9e4)], T0)
    repo.upsert_postings(db.session, board, "b", [P("b1", pay_source="employer")], T0 + timedelta(hours=1))
    db.session.expire_all()
    cluster = db.session.scalars(select(PostingCluster)).one()
    rep = db.session.get(Posting, cluster.representative_id)
    assert rep is not None and rep.external_id == "b1"
    assert cluster.size == 2 and cluster.first_seen_at == T0 and cluster.last_seen_at == T0 + timedelta(hours=1)


def test_card_without_detail_keeps_employment_type_and_description_pay(db: DB) -> None:
    sid = _source(db, "li")
    full = P("1", employment_type="full_time", pay_source="description", pay_text="$150,000 - $200,000")
    repo.upsert_postings(db.session, sid, "q", [full], T0)
    card = P(
        "1", employment_type=None, description_text=None, description_hash=None, skills=frozenset(), pay_text=None,
        pay_min=None, pay_max=None, pay_currency=None, pay_period=None, annual_min=None, annual_max=None, pay_source=None,
    )  # fmt: skip
    result = repo.upsert_postings(db.session, sid, "q", [card], T0 + timedelta(days=1))
    assert result.updated == 0
    db.session.expire_all()
    row = db.session.scalars(select(Posting)).one()
    assert (row.employment_type, row.pay_source, row.annual_min) == ("full_time", "description", 150000.0)
    assert repo.known_postings(db.session, sid)["1"][2] is None  # description pay is not a card's salary text


def test_an_earlier_sighting_moves_first_seen_back_on_posting_and_cluster(db: DB) -> None:
    sid = _source(db, "import:x")
    repo.upsert_postings(db.session, sid, "", [P("a")], T0, first_seen_times={"a": T0 - timedelta(days=14)})
    repo.upsert_postings(db.session, sid, "", [P("a")], T0 - timedelta(days=21))
    db.session.expire_all()
    posting = db.session.scalars(select(Posting)).one()
    cluster = db.session.get(PostingCluster, posting.cluster_id)
    assert posting.first_seen_at == T0 - timedelta(days=21) and posting.last_seen_at == T0
    assert cluster is not None and (cluster.first_seen_at, cluster.last_seen_at) == (posting.first_seen_at, T0)


def test_a_batch_of_lone_keys_repeated_keys_and_a_repost_clusters_each_posting(db: DB) -> None:
    sid = _source(db)
    repo.upsert_postings(db.session, sid, "b", [P("old")], T0)
    batch = [
        P("lone", company="Solo Co", skills=frozenset({"go"})),
        P("repost", skills=frozenset({"sql"})),
        P("twin-1", company="Twin Co", description_text=OTHER_DESC),
        P("twin-2", company="Twin Co", description_text=OTHER_DESC, annual_min=None, annual_max=None),
        P("other-job", company="Twin Co"),
    ]
    result = repo.upsert_postings(db.session, sid, "b", batch, T0 + timedelta(days=1))
    assert (result.seen, result.new) == (5, 5)
    db.session.expire_all()
    ids = dict(db.session.execute(select(Posting.external_id, Posting.id)).tuples().all())
    members: dict[int, set[str]] = {}
    for external_id, cluster_id in db.session.execute(select(Posting.external_id, Posting.cluster_id)):
        members.setdefault(cluster_id, set()).add(external_id)
    assert sorted(map(sorted, members.values())) == [["lone"], ["old", "repost"], ["other-job"], ["twin-1", "twin-2"]]
    clusters = {c.representative_id: c for c in db.session.scalars(select(PostingCluster))}
    assert set(clusters) == {ids["old"], ids["lone"], ids["twin-1"], ids["other-job"]}
    assert (clusters[ids["old"]].size, clusters[ids["old"]].last_seen_at) == (2, T0 + timedelta(days=1))
    assert clusters[ids["twin-1"]].size == 2 and clusters[ids["twin-1"]].signature is not None
    assert clusters[ids["lone"]].signature is None  # never compared, never signed
    skills = db.session.execute(select(POSTING_SKILLS.c.posting_id, POSTING_SKILLS.c.skill_id)).tuples().all()
    assert {(pid, s) for pid, s in skills if pid in (ids["lone"], ids["repost"])} == {(ids["lone"], "go"), (ids["repost"], "sql")}
    assert len(skills) == 2 + 2 + 1 + 1 + 2 + 2


def test_statistics_are_taken_when_missing_and_again_once_a_table_has_outgrown_them(db_url: str) -> None:
    engine = store_db.make_engine(db_url)
    sessions = store_db.session_factory(engine)
    postgres = engine.dialect.name == "postgresql"

    def load(first: int, count: int) -> None:
        with store_db.transaction(sessions) as session:
            sid = repo.ensure_source(session, kind="greenhouse", name="gh").id
            repo.upsert_postings(session, sid, "b", [P(str(i), company=f"Co {i}") for i in range(first, first + count)], T0)
            if postgres:  # the server publishes a transaction's row counts up to a second later
                session.execute(text("SELECT pg_stat_force_next_flush()"))

    def refresh() -> dict[str, float]:
        with store_db.transaction(sessions) as session:
            repo.refresh_statistics(session)  # a no-op on SQLite
            if not postgres:
                return {}
            rows = session.execute(text("SELECT relname, reltuples FROM pg_class WHERE relname IN ('postings', 'posting_clusters')"))
            return dict(rows.tuples().all())

    try:
        load(0, 50)
        first = refresh()
        load(50, 5)
        grown_a_little = refresh()
        load(55, 45)
        doubled = refresh()
    finally:
        engine.dispose()
    if postgres:
        assert first == {"postings": 50, "posting_clusters": 50}
        assert grown_a_little == first
        assert doubled == {"postings": 100, "posting_clusters": 100}
