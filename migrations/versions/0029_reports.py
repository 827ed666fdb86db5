"""reports: volunteer.left_on, pairing.end_reason, sozialraum_population (residents 65+ per Sozialraum and year)

Revision ID: 0029
Revises: 0028
Create Date: 2026-11-29 18:20:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None

END_REASONS = (
    "'wunsch_senior', 'wunsch_ehrenamt', 'ehrenamt_ausgeschieden', 'passt_nicht', 'umzug', 'verstorben', 'sonstiges'"
)


def upgrade():
    # Plain ALTER TABLE like 0016: no batch recreate of tables other tables hang on.
    op.add_column("volunteer", sa.Column("left_on", sa.Date(), nullable=True))
    op.add_column("pairing", sa.Column("end_reason", sa.String(length=30), nullable=True))
    if op.get_context().dialect.name == "postgresql":  # SQLite cannot add a CHECK to an existing table
        op.create_check_constraint(
            op.f("ck_pairing_end_reason"), "pairing", f"end_reason IS NULL OR end_reason IN ({END_REASONS})"
        )
    op.create_table(
        "sozialraum_population",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sozialraum_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("residents_65plus", sa.Integer(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name=op.f("ck_sozialraum_population_year")),
        sa.CheckConstraint("residents_65plus BETWEEN 0 AND 1000000", name=op.f("ck_sozialraum_population_residents")),
        sa.ForeignKeyConstraint(
            ["sozialraum_id"],
            ["sozialraum.id"],
            name=op.f("fk_sozialraum_population_sozialraum_id_sozialraum"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sozialraum_population")),
        sa.UniqueConstraint("sozialraum_id", "year", name="uq_sozialraum_population_year"),
    )
    with op.batch_alter_table("sozialraum_population", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sozialraum_population_sozialraum_id"), ["sozialraum_id"], unique=False)


def downgrade():
    op.drop_table("sozialraum_population")
    if op.get_context().dialect.name == "postgresql":
        op.drop_constraint(op.f("ck_pairing_end_reason"), "pairing", type_="check")
    op.drop_column("pairing", "end_reason")
    op.drop_column("volunteer", "left_on")
