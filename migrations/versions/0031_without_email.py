"""volunteer.email optional (volunteers who only use the phone), appointment.by_phone ("telefonisch")

Revision ID: 0031
Revises: 0030
Create Date: 2026-11-29 18:25:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None

EMAIL_NOT_NULL = 'email VARCHAR(254) NOT NULL'
EMAIL_NULL = 'email VARCHAR(254)'


def upgrade():
    op.add_column('appointment', sa.Column('by_phone', sa.Boolean(), server_default=sa.false(), nullable=False))
    if op.get_context().dialect.name == 'sqlite':
        _sqlite_table_sql('volunteer', EMAIL_NOT_NULL, EMAIL_NULL)
    else:
        op.alter_column('volunteer', 'email', existing_type=sa.String(254), nullable=True)


def downgrade():
    # Volunteers without an address get a placeholder that cannot receive mail, so the column can be required again.
    op.execute("UPDATE volunteer SET email = 'ohne-email-' || id || '@example.invalid' WHERE email IS NULL")
    if op.get_context().dialect.name == 'sqlite':
        _sqlite_table_sql('volunteer', EMAIL_NULL, EMAIL_NOT_NULL)
    else:
        op.alter_column('volunteer', 'email', existing_type=sa.String(254), nullable=False)
    op.drop_column('appointment', 'by_phone')


def _sqlite_table_sql(table: str, old: str, new: str) -> None:
    """Change a NOT NULL in a SQLite table's stored definition without recreating it (recreating "volunteer"
    breaks the pairing triggers): the procedure of https://sqlite.org/lang_altertable.html ("writable_schema"),
    safe here because the stored rows stay as they are."""
    bind = op.get_bind()
    sql = bind.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :t"), {'t': table}).scalar()
    assert sql.count(old) == 1, sql
    version = bind.execute(sa.text('PRAGMA schema_version')).scalar()
    bind.execute(sa.text('PRAGMA writable_schema = ON'))
    bind.execute(
        sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = :t"),
        {'sql': sql.replace(old, new), 't': table},
    )
    bind.execute(sa.text(f'PRAGMA schema_version = {version + 1}'))
    bind.execute(sa.text('PRAGMA writable_schema = OFF'))
