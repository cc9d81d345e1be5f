"""Initial schema: sources, runs, postings, clusters, skills, reports, deliveries, and the query views.

Revision ID: 0001
Revises:
Create Date: 2026-11-26 18:48:23.045515
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from tracker.store.views import VIEWS_V1, create_statements, drop_statements

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "email_deliveries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("iso_week", sa.String(length=8), nullable=False),
        sa.Column("market", sa.String(length=3), nullable=False),
        sa.Column("recipients", sa.String(length=2000), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claim_token", sa.String(length=64), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("message_id", sa.String(length=300), nullable=True),
        sa.Column("size_bytes", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'sending', 'sent', 'failed')", name=op.f("ck_email_deliveries_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_email_deliveries")),
        sa.UniqueConstraint(
            "iso_week", "market", "recipients", name=op.f("uq_email_deliveries_iso_week_market_recipients")
        ),
    )
    op.create_table(
        "posting_clusters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("company_key", sa.String(length=200), nullable=False),
        sa.Column("family", sa.String(length=32), nullable=False),
        sa.Column("title_key", sa.String(length=300), nullable=False),
        sa.Column("location_key", sa.String(length=200), nullable=False),
        sa.Column("representative_id", sa.Integer(), nullable=True),
        sa.Column("signature", sa.Text(), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_posting_clusters")),
    )
    with op.batch_alter_table("posting_clusters", schema=None) as batch_op:
        batch_op.create_index("ix_posting_clusters_closed_at", ["closed_at"], unique=False)
        batch_op.create_index(
            "ix_posting_clusters_family_first_seen", ["family", "first_seen_at"], unique=False
        )
        batch_op.create_index(
            "ix_posting_clusters_key", ["company_key", "family", "title_key", "location_key"], unique=False
        )

    op.create_table(
        "skills",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("category", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skills")),
    )
    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("settings_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sources")),
        sa.UniqueConstraint("name", name=op.f("uq_sources_name")),
    )
    op.create_table(
        "weekly_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("iso_week", sa.String(length=8), nullable=False),
        sa.Column("market", sa.String(length=3), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ds_new", sa.Integer(), nullable=True),
        sa.Column("mle_new", sa.Integer(), nullable=True),
        sa.Column("ds_pay_n", sa.Integer(), nullable=True),
        sa.Column("mle_pay_n", sa.Integer(), nullable=True),
        sa.Column("ds_pay_median", sa.Float(), nullable=True),
        sa.Column("mle_pay_median", sa.Float(), nullable=True),
        sa.Column("gap_abs", sa.Float(), nullable=True),
        sa.Column("gap_pct", sa.Float(), nullable=True),
        sa.Column("gap_ci_low", sa.Float(), nullable=True),
        sa.Column("gap_ci_high", sa.Float(), nullable=True),
        sa.Column("gap_p_value", sa.Float(), nullable=True),
        sa.Column("adjusted_pct", sa.Float(), nullable=True),
        sa.Column(
            "payload",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_weekly_reports")),
        sa.UniqueConstraint("iso_week", "market", name=op.f("uq_weekly_reports_iso_week_market")),
    )
    op.create_table(
        "postings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=300), nullable=False),
        sa.Column("scope", sa.String(length=500), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("company", sa.String(length=300), nullable=True),
        sa.Column("title_raw", sa.Text(), nullable=False),
        sa.Column("family", sa.String(length=32), nullable=False),
        sa.Column("seniority", sa.String(length=16), nullable=False),
        sa.Column("location_raw", sa.Text(), nullable=True),
        sa.Column("city", sa.String(length=200), nullable=True),
        sa.Column("region", sa.String(length=200), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("workplace", sa.String(length=8), nullable=True),
        sa.Column("employment_type", sa.String(length=16), nullable=True),
        sa.Column("pay_text", sa.Text(), nullable=True),
        sa.Column("pay_min", sa.Float(), nullable=True),
        sa.Column("pay_max", sa.Float(), nullable=True),
        sa.Column("pay_currency", sa.String(length=3), nullable=True),
        sa.Column("pay_period", sa.String(length=8), nullable=True),
        sa.Column("annual_min", sa.Float(), nullable=True),
        sa.Column("annual_max", sa.Float(), nullable=True),
        sa.Column("annual_mid", sa.Float(), nullable=True),
        sa.Column("pay_source", sa.String(length=16), nullable=True),
        sa.Column("description_text", sa.Text(), nullable=True),
        sa.Column("description_hash", sa.String(length=64), nullable=True),
        sa.Column("posted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cluster_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "pay_period IS NULL OR pay_period IN ('hour', 'day', 'week', 'month', 'year')",
            name=op.f("ck_postings_pay_period"),
        ),
        sa.CheckConstraint(
            "pay_source IS NULL OR pay_source IN ('employer', 'description', 'estimated')",
            name=op.f("ck_postings_pay_source"),
        ),
        sa.CheckConstraint(
            "workplace IS NULL OR workplace IN ('remote', 'hybrid', 'onsite')",
            name=op.f("ck_postings_workplace"),
        ),
        sa.ForeignKeyConstraint(
            ["cluster_id"],
            ["posting_clusters.id"],
            name=op.f("fk_postings_cluster_id_posting_clusters"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_postings_source_id_sources"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_postings")),
        sa.UniqueConstraint("source_id", "external_id", name=op.f("uq_postings_source_id_external_id")),
    )
    with op.batch_alter_table("postings", schema=None) as batch_op:
        batch_op.create_index("ix_postings_closed_at", ["closed_at"], unique=False)
        batch_op.create_index("ix_postings_cluster_id", ["cluster_id"], unique=False)
        batch_op.create_index("ix_postings_family_first_seen", ["family", "first_seen_at"], unique=False)
        batch_op.create_index("ix_postings_first_seen_at", ["first_seen_at"], unique=False)
        batch_op.create_index("ix_postings_last_seen_at", ["last_seen_at"], unique=False)
        batch_op.create_index("ix_postings_source_scope", ["source_id", "scope"], unique=False)

    op.create_table(
        "scrape_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("seen", sa.Integer(), nullable=False),
        sa.Column("new", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("closed", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('running', 'ok', 'partial', 'failed')", name=op.f("ck_scrape_runs_status")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_scrape_runs_source_id_sources"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scrape_runs")),
    )
    with op.batch_alter_table("scrape_runs", schema=None) as batch_op:
        batch_op.create_index("ix_scrape_runs_source_started", ["source_id", "started_at"], unique=False)

    op.create_table(
        "posting_skills",
        sa.Column("posting_id", sa.Integer(), nullable=False),
        sa.Column("skill_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["posting_id"],
            ["postings.id"],
            name=op.f("fk_posting_skills_posting_id_postings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["skill_id"], ["skills.id"], name=op.f("fk_posting_skills_skill_id_skills"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("posting_id", "skill_id", name=op.f("pk_posting_skills")),
    )
    with op.batch_alter_table("posting_skills", schema=None) as batch_op:
        batch_op.create_index("ix_posting_skills_skill_id", ["skill_id"], unique=False)

    for statement in create_statements(op.get_bind().dialect.name, VIEWS_V1):
        op.execute(statement)


def downgrade() -> None:
    for statement in drop_statements():
        op.execute(statement)

    with op.batch_alter_table("posting_skills", schema=None) as batch_op:
        batch_op.drop_index("ix_posting_skills_skill_id")

    op.drop_table("posting_skills")
    with op.batch_alter_table("scrape_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_scrape_runs_source_started")

    op.drop_table("scrape_runs")
    with op.batch_alter_table("postings", schema=None) as batch_op:
        batch_op.drop_index("ix_postings_source_scope")
        batch_op.drop_index("ix_postings_last_seen_at")
        batch_op.drop_index("ix_postings_first_seen_at")
        batch_op.drop_index("ix_postings_family_first_seen")
        batch_op.drop_index("ix_postings_cluster_id")
        batch_op.drop_index("ix_postings_closed_at")

    op.drop_table("postings")
    op.drop_table("weekly_reports")
    op.drop_table("sources")
    op.drop_table("skills")
    with op.batch_alter_table("posting_clusters", schema=None) as batch_op:
        batch_op.drop_index("ix_posting_clusters_key")
        batch_op.drop_index("ix_posting_clusters_family_first_seen")
        batch_op.drop_index("ix_posting_clusters_closed_at")

    op.drop_table("posting_clusters")
    op.drop_table("email_deliveries")
