"""one running Begleitung per request: a partial unique index on pairing.request_id

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 10:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

RUNNING = "request_id IS NOT NULL AND status <> 'beendet'"


def upgrade():
    # Double clicks before this revision may have made two running Begleitungen from one request: the oldest keeps
    # the link to the request, the later ones stay as they are (with their appointments) without it.
    op.execute(
        "UPDATE pairing SET request_id = NULL WHERE request_id IS NOT NULL AND status <> 'beendet' AND id > "
        "(SELECT MIN(p.id) FROM pairing AS p WHERE p.request_id = pairing.request_id AND p.status <> 'beendet')"
    )
    # Plain CREATE INDEX (no batch recreate): on SQLite, recreating "pairing" would drop its triggers.
    op.create_index(
        'uq_pairing_running_request', 'pairing', ['request_id'], unique=True,
        sqlite_where=sa.text(RUNNING), postgresql_where=sa.text(RUNNING),
    )


def downgrade():
    op.drop_index('uq_pairing_running_request', table_name='pairing')
