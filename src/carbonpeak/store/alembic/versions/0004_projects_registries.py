"""Projects (register with status history), energy-saving reviews and the registries:
green manufacturing, cleaner-production audits, recycled output, solid waste (issue 5).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cleaner_production_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("level", sa.String(length=4), nullable=False),
        sa.Column("certificate_no", sa.String(length=64), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_cleaner_production_audit_enterprise_id_enterprise"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cleaner_production_audit")),
        sa.UniqueConstraint("enterprise_id", "year", name=op.f("uq_cleaner_production_audit_enterprise_id")),
    )
    op.create_index(
        op.f("ix_cleaner_production_audit_enterprise_id"),
        "cleaner_production_audit",
        ["enterprise_id"],
        unique=False,
    )

    op.create_table(
        "green_certification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("certificate_no", sa.String(length=64), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("park_id", sa.String(length=64), nullable=True),
        sa.Column("city_code", sa.String(length=6), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_green_certification_enterprise_id_enterprise"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_green_certification")),
        sa.UniqueConstraint("kind", "level", "certificate_no", name=op.f("uq_green_certification_kind")),
    )
    op.create_index(
        op.f("ix_green_certification_city_code"), "green_certification", ["city_code"], unique=False
    )
    op.create_index(
        op.f("ix_green_certification_enterprise_id"), "green_certification", ["enterprise_id"], unique=False
    )

    op.create_table(
        "recycled_output",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("metal", sa.String(length=8), nullable=False),
        sa.Column("recycled_output_t", sa.Float(), nullable=False),
        sa.Column("total_output_t", sa.Float(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_recycled_output_enterprise_id_enterprise"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recycled_output")),
        sa.UniqueConstraint("enterprise_id", "year", "metal", name=op.f("uq_recycled_output_enterprise_id")),
    )
    op.create_index(
        op.f("ix_recycled_output_enterprise_id"), "recycled_output", ["enterprise_id"], unique=False
    )

    op.create_table(
        "solid_waste",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("waste", sa.String(length=16), nullable=False),
        sa.Column("generated_t", sa.Float(), nullable=False),
        sa.Column("utilised_t", sa.Float(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_solid_waste_enterprise_id_enterprise"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_solid_waste")),
        sa.UniqueConstraint("enterprise_id", "year", "waste", name=op.f("uq_solid_waste_enterprise_id")),
    )
    op.create_index(op.f("ix_solid_waste_enterprise_id"), "solid_waste", ["enterprise_id"], unique=False)

    op.create_table(
        "project",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name_zh", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("city_code", sa.String(length=6), nullable=False),
        sa.Column("park_id", sa.String(length=64), nullable=True),
        sa.Column("metal", sa.String(length=8), nullable=False),
        sa.Column("route", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("capacity_t_per_a", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("expected_year", sa.Integer(), nullable=True),
        sa.Column("line_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("is_demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_project_enterprise_id_enterprise"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["production_line.id"],
            name=op.f("fk_project_line_id_production_line"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project")),
        sa.UniqueConstraint("code", name=op.f("uq_project_code")),
    )
    op.create_index(op.f("ix_project_city_code"), "project", ["city_code"], unique=False)
    op.create_index(op.f("ix_project_enterprise_id"), "project", ["enterprise_id"], unique=False)

    op.create_table(
        "energy_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("enterprise_id", sa.Integer(), nullable=True),
        sa.Column("city_code", sa.String(length=6), nullable=False),
        sa.Column("metal", sa.String(length=8), nullable=False),
        sa.Column("route", sa.String(length=64), nullable=False),
        sa.Column("capacity_t_per_a", sa.Float(), nullable=False),
        sa.Column("review_date", sa.String(length=10), nullable=False),
        sa.Column("unit_energy_kgce_per_t", sa.Float(), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("level_id", sa.String(length=128), nullable=False),
        sa.Column("inputs", sa.Text(), nullable=False),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprise.id"],
            name=op.f("fk_energy_review_enterprise_id_enterprise"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_energy_review_project_id_project"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_energy_review")),
    )
    op.create_index(op.f("ix_energy_review_city_code"), "energy_review", ["city_code"], unique=False)
    op.create_index(op.f("ix_energy_review_project_id"), "energy_review", ["project_id"], unique=False)

    op.create_table(
        "project_status_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=24), nullable=True),
        sa.Column("to_status", sa.String(length=24), nullable=False),
        sa.Column("effective_date", sa.String(length=10), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["project.id"],
            name=op.f("fk_project_status_change_project_id_project"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_status_change")),
    )
    op.create_index(
        op.f("ix_project_status_change_project_id"), "project_status_change", ["project_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_project_status_change_project_id"), table_name="project_status_change")

    op.drop_table("project_status_change")
    op.drop_index(op.f("ix_energy_review_project_id"), table_name="energy_review")
    op.drop_index(op.f("ix_energy_review_city_code"), table_name="energy_review")

    op.drop_table("energy_review")
    op.drop_index(op.f("ix_project_enterprise_id"), table_name="project")
    op.drop_index(op.f("ix_project_city_code"), table_name="project")

    op.drop_table("project")
    op.drop_index(op.f("ix_solid_waste_enterprise_id"), table_name="solid_waste")

    op.drop_table("solid_waste")
    op.drop_index(op.f("ix_recycled_output_enterprise_id"), table_name="recycled_output")

    op.drop_table("recycled_output")
    op.drop_index(op.f("ix_green_certification_enterprise_id"), table_name="green_certification")
    op.drop_index(op.f("ix_green_certification_city_code"), table_name="green_certification")

    op.drop_table("green_certification")
    op.drop_index(op.f("ix_cleaner_production_audit_enterprise_id"), table_name="cleaner_production_audit")

    op.drop_table("cleaner_production_audit")
