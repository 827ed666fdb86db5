"""living situation and Abtretung history: where a senior lived (at home / care home / deceased) by dates, and
the Abtretungserklärungen as periods (given, revoked, given again) with their document dates; the two Abtretung
columns on senior move into the history

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-29 15:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

CHECK = 'ck_senior_abtretung_range'
CHECK_SQL = 'abtretung_revoked_on IS NULL OR (abtretung_on IS NOT NULL AND abtretung_revoked_on >= abtretung_on)'


def upgrade():
    op.create_table('living_situation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('senior_id', sa.Integer(), nullable=False),
    sa.Column('situation', sa.String(length=20), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=True),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("situation <> 'verstorben' OR valid_until IS NULL", name=op.f('ck_living_situation_death_final')),
    sa.CheckConstraint("situation IN ('zu_hause', 'pflegeheim', 'verstorben')", name=op.f('ck_living_situation_situation')),
    sa.CheckConstraint('valid_until IS NULL OR valid_until >= valid_from', name=op.f('ck_living_situation_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_living_situation_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['senior_id'], ['senior.id'], name=op.f('fk_living_situation_senior_id_senior'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_living_situation'))
    )
    op.create_index(op.f('ix_living_situation_senior_id'), 'living_situation', ['senior_id'], unique=False)
    op.create_table('abtretung_period',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('senior_id', sa.Integer(), nullable=False),
    sa.Column('given_on', sa.Date(), nullable=False),
    sa.Column('document_on', sa.Date(), nullable=False),
    sa.Column('revoked_on', sa.Date(), nullable=True),
    sa.Column('note', sa.String(length=300), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('revoked_on IS NULL OR revoked_on >= given_on', name=op.f('ck_abtretung_period_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_abtretung_period_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['senior_id'], ['senior.id'], name=op.f('fk_abtretung_period_senior_id_senior'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_abtretung_period'))
    )
    op.create_index(op.f('ix_abtretung_period_senior_id'), 'abtretung_period', ['senior_id'], unique=False)
    # The one Abtretung a senior had becomes the first period of the history (the declaration's own date was not
    # recorded: the date given stands for it).
    op.execute(
        "INSERT INTO abtretung_period (senior_id, given_on, document_on, revoked_on, note, created_at) "
        "SELECT id, abtretung_on, abtretung_on, abtretung_revoked_on, 'aus den Stammdaten übernommen', "
        "CURRENT_TIMESTAMP FROM senior WHERE abtretung_on IS NOT NULL"
    )
    if op.get_context().dialect.name == 'sqlite':
        _drop_sqlite_check('senior', CHECK)
    else:
        op.drop_constraint(op.f(CHECK), 'senior', type_='check')
    # Plain ALTER TABLE (no batch recreate): on SQLite, recreating "senior" breaks the pairing triggers.
    op.drop_column('senior', 'abtretung_revoked_on')
    op.drop_column('senior', 'abtretung_on')


def downgrade():
    op.add_column('senior', sa.Column('abtretung_on', sa.Date(), nullable=True))
    op.add_column('senior', sa.Column('abtretung_revoked_on', sa.Date(), nullable=True))
    # The latest period goes back onto the senior (the earlier ones cannot be kept there).
    op.execute(
        "UPDATE senior SET abtretung_on = (SELECT a.given_on FROM abtretung_period a WHERE a.senior_id = senior.id "
        "ORDER BY a.given_on DESC LIMIT 1), abtretung_revoked_on = (SELECT a.revoked_on FROM abtretung_period a "
        "WHERE a.senior_id = senior.id ORDER BY a.given_on DESC LIMIT 1)"
    )
    if op.get_context().dialect.name == 'postgresql':  # SQLite cannot add a CHECK to an existing table
        op.create_check_constraint(op.f(CHECK), 'senior', CHECK_SQL)
    op.drop_index(op.f('ix_abtretung_period_senior_id'), table_name='abtretung_period')
    op.drop_table('abtretung_period')
    op.drop_index(op.f('ix_living_situation_senior_id'), table_name='living_situation')
    op.drop_table('living_situation')


def _drop_sqlite_check(table: str, name: str) -> None:
    """Remove a CHECK constraint from a SQLite table without recreating it: the procedure the SQLite manual gives
    for changes that leave the stored rows as they are (https://sqlite.org/lang_altertable.html, "writable_schema")."""
    bind = op.get_bind()
    sql = bind.execute(sa.text("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = :t"), {'t': table}).scalar()
    start = sql.index(f'CONSTRAINT {name} CHECK')
    depth, end = 0, sql.index('(', start)
    for end in range(end, len(sql)):
        depth += {'(': 1, ')': -1}.get(sql[end], 0)
        if depth == 0:
            break
    cut = sql.rindex(',', 0, start)
    version = bind.execute(sa.text('PRAGMA schema_version')).scalar()
    bind.execute(sa.text('PRAGMA writable_schema = ON'))
    bind.execute(
        sa.text("UPDATE sqlite_master SET sql = :sql WHERE type = 'table' AND name = :t"),
        {'sql': sql[:cut] + sql[end + 1 :], 't': table},
    )
    bind.execute(sa.text(f'PRAGMA schema_version = {version + 1}'))
    bind.execute(sa.text('PRAGMA writable_schema = OFF'))
