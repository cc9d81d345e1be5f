"""Skills in the posting row: postings.skills (varchar array / JSON array) replaces the posting_skills table.

`posting_skills` stays as a view with the same columns (posting_id, skill_id), so queries written
against it keep working. Writing a posting is then one row instead of one per skill, each with two
foreign-key checks (the link table was most of ingestion's cost).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 23:10:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from tracker.store.views import VIEWS_V1, VIEWS_V2, create_statements, drop_statements

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in drop_statements(VIEWS_V1):
        op.execute(statement)
    if dialect == "postgresql":
        column = sa.Column("skills", postgresql.ARRAY(sa.String(length=64)), nullable=False, server_default="{}")
    else:
        column = sa.Column("skills", sa.JSON(), nullable=False, server_default="[]")
    with op.batch_alter_table("postings", schema=None) as batch_op:
        batch_op.add_column(column)
    if dialect == "postgresql":
        op.execute(
            "UPDATE postings AS p SET skills = s.ids FROM ("
            " SELECT posting_id, array_agg(skill_id ORDER BY skill_id) AS ids FROM posting_skills GROUP BY posting_id"
            ") AS s WHERE s.posting_id = p.id"
        )
    else:
        op.execute(
            "UPDATE postings SET skills = (SELECT json_group_array(skill_id) FROM ("
            " SELECT skill_id FROM posting_skills WHERE posting_id = postings.id ORDER BY skill_id))"
            " WHERE id IN (SELECT posting_id FROM posting_skills)"
        )
    with op.batch_alter_table("posting_skills", schema=None) as batch_op:
        batch_op.drop_index("ix_posting_skills_skill_id")
    op.drop_table("posting_skills")
    for statement in create_statements(dialect, VIEWS_V2):
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in drop_statements(VIEWS_V2):
        op.execute(statement)
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
    if dialect == "postgresql":
        pairs = "SELECT DISTINCT p.id, s.skill_id FROM postings AS p CROSS JOIN LATERAL unnest(p.skills) AS s(skill_id)"
        op.execute(f"INSERT INTO skills (id) SELECT DISTINCT skill_id FROM ({pairs}) AS x ON CONFLICT DO NOTHING")
    else:
        pairs = "SELECT DISTINCT p.id, j.value FROM postings AS p, json_each(p.skills) AS j"
        op.execute(f"INSERT OR IGNORE INTO skills (id) SELECT DISTINCT value FROM ({pairs})")
    op.execute(f"INSERT INTO posting_skills (posting_id, skill_id) {pairs}")
    with op.batch_alter_table("postings", schema=None) as batch_op:
        batch_op.drop_column("skills")
    for statement in create_statements(dialect, VIEWS_V1):
        op.execute(statement)
