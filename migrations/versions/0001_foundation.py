"""foundation

Revision ID: 0001
Revises: 
Create Date: 2026-11-21 06:01:29.324348

"""
from alembic import op
import sqlalchemy as sa

# Frozen copy of begleitservice.models.checks.service_rule_ddl() at this revision.
SERVICE_RULE_DDL = {'postgresql': {'pairing': ['CREATE OR REPLACE FUNCTION fn_pairing_service_rule() RETURNS trigger AS $$ '
                            "BEGIN IF (NEW.service = 'besuchsdienst' AND (SELECT pflegegrad FROM senior "
                            "WHERE id = NEW.senior_id) IS NOT NULL) OR (NEW.service = 'entlastung' AND "
                            '(SELECT pflegegrad FROM senior WHERE id = NEW.senior_id) IS NULL) OR '
                            "(NEW.service = 'entlastung' AND (SELECT basisqualifizierung_on FROM volunteer "
                            "WHERE id = NEW.volunteer_id) IS NULL) THEN RAISE EXCEPTION 'Besuchsdienst nur "
                            'ohne Pflegegrad, Häusliche Entlastung nur mit Pflegegrad 1–5; Entlastung nur '
                            "durch Ehrenamtliche mit Basisqualifizierung' USING ERRCODE = 'check_violation'; "
                            'END IF; RETURN NEW; END; $$ LANGUAGE plpgsql',
                            'CREATE TRIGGER trg_pairing_service_rule BEFORE INSERT OR UPDATE OF service, '
                            'senior_id, volunteer_id ON pairing FOR EACH ROW EXECUTE FUNCTION '
                            'fn_pairing_service_rule()'],
                'request': ['CREATE OR REPLACE FUNCTION fn_request_service_rule() RETURNS trigger AS $$ '
                            "BEGIN IF (NEW.service = 'besuchsdienst' AND (SELECT pflegegrad FROM senior "
                            "WHERE id = NEW.senior_id) IS NOT NULL) OR (NEW.service = 'entlastung' AND "
                            '(SELECT pflegegrad FROM senior WHERE id = NEW.senior_id) IS NULL) THEN RAISE '
                            "EXCEPTION 'Besuchsdienst nur ohne Pflegegrad, Häusliche Entlastung nur mit "
                            "Pflegegrad 1–5; Entlastung nur durch Ehrenamtliche mit Basisqualifizierung' "
                            "USING ERRCODE = 'check_violation'; END IF; RETURN NEW; END; $$ LANGUAGE plpgsql",
                            'CREATE TRIGGER trg_request_service_rule BEFORE INSERT OR UPDATE OF service, '
                            'senior_id ON request FOR EACH ROW EXECUTE FUNCTION fn_request_service_rule()']},
 'sqlite': {'pairing': ['CREATE TRIGGER trg_pairing_service_rule_insert BEFORE INSERT ON pairing FOR EACH '
                        "ROW WHEN (NEW.service = 'besuchsdienst' AND (SELECT pflegegrad FROM senior WHERE id "
                        "= NEW.senior_id) IS NOT NULL) OR (NEW.service = 'entlastung' AND (SELECT pflegegrad "
                        "FROM senior WHERE id = NEW.senior_id) IS NULL) OR (NEW.service = 'entlastung' AND "
                        '(SELECT basisqualifizierung_on FROM volunteer WHERE id = NEW.volunteer_id) IS NULL) '
                        "BEGIN SELECT RAISE(ABORT, 'Besuchsdienst nur ohne Pflegegrad, Häusliche Entlastung "
                        'nur mit Pflegegrad 1–5; Entlastung nur durch Ehrenamtliche mit '
                        "Basisqualifizierung'); END",
                        'CREATE TRIGGER trg_pairing_service_rule_update BEFORE UPDATE OF service, senior_id, '
                        "volunteer_id ON pairing FOR EACH ROW WHEN (NEW.service = 'besuchsdienst' AND "
                        '(SELECT pflegegrad FROM senior WHERE id = NEW.senior_id) IS NOT NULL) OR '
                        "(NEW.service = 'entlastung' AND (SELECT pflegegrad FROM senior WHERE id = "
                        "NEW.senior_id) IS NULL) OR (NEW.service = 'entlastung' AND (SELECT "
                        'basisqualifizierung_on FROM volunteer WHERE id = NEW.volunteer_id) IS NULL) BEGIN '
                        "SELECT RAISE(ABORT, 'Besuchsdienst nur ohne Pflegegrad, Häusliche Entlastung nur "
                        "mit Pflegegrad 1–5; Entlastung nur durch Ehrenamtliche mit Basisqualifizierung'); "
                        'END'],
            'request': ['CREATE TRIGGER trg_request_service_rule_insert BEFORE INSERT ON request FOR EACH '
                        "ROW WHEN (NEW.service = 'besuchsdienst' AND (SELECT pflegegrad FROM senior WHERE id "
                        "= NEW.senior_id) IS NOT NULL) OR (NEW.service = 'entlastung' AND (SELECT pflegegrad "
                        'FROM senior WHERE id = NEW.senior_id) IS NULL) BEGIN SELECT RAISE(ABORT, '
                        "'Besuchsdienst nur ohne Pflegegrad, Häusliche Entlastung nur mit Pflegegrad 1–5; "
                        "Entlastung nur durch Ehrenamtliche mit Basisqualifizierung'); END",
                        'CREATE TRIGGER trg_request_service_rule_update BEFORE UPDATE OF service, senior_id '
                        "ON request FOR EACH ROW WHEN (NEW.service = 'besuchsdienst' AND (SELECT pflegegrad "
                        "FROM senior WHERE id = NEW.senior_id) IS NOT NULL) OR (NEW.service = 'entlastung' "
                        'AND (SELECT pflegegrad FROM senior WHERE id = NEW.senior_id) IS NULL) BEGIN SELECT '
                        "RAISE(ABORT, 'Besuchsdienst nur ohne Pflegegrad, Häusliche Entlastung nur mit "
                        "Pflegegrad 1–5; Entlastung nur durch Ehrenamtliche mit Basisqualifizierung'); END"]}}


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    # ### commands auto generated by Alembic - please adjust! ###
    op.create_table('district',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.CheckConstraint('lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180', name=op.f('ck_district_coordinates')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_district')),
    sa.UniqueConstraint('name', name=op.f('uq_district_name'))
    )
    op.create_table('pflegekasse',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('ik', sa.String(length=9), nullable=False),
    sa.Column('street', sa.String(length=120), nullable=True),
    sa.Column('postal_code', sa.String(length=5), nullable=True),
    sa.Column('city', sa.String(length=80), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("length(ik) = 9 AND substr(ik, 1, 1) BETWEEN '0' AND '9' AND substr(ik, 2, 1) BETWEEN '0' AND '9' AND substr(ik, 3, 1) BETWEEN '0' AND '9' AND substr(ik, 4, 1) BETWEEN '0' AND '9' AND substr(ik, 5, 1) BETWEEN '0' AND '9' AND substr(ik, 6, 1) BETWEEN '0' AND '9' AND substr(ik, 7, 1) BETWEEN '0' AND '9' AND substr(ik, 8, 1) BETWEEN '0' AND '9' AND substr(ik, 9, 1) BETWEEN '0' AND '9' AND (((2 * CAST(substr(ik, 3, 1) AS INTEGER)) % 10 + (2 * CAST(substr(ik, 3, 1) AS INTEGER)) / 10) + CAST(substr(ik, 4, 1) AS INTEGER) + ((2 * CAST(substr(ik, 5, 1) AS INTEGER)) % 10 + (2 * CAST(substr(ik, 5, 1) AS INTEGER)) / 10) + CAST(substr(ik, 6, 1) AS INTEGER) + ((2 * CAST(substr(ik, 7, 1) AS INTEGER)) % 10 + (2 * CAST(substr(ik, 7, 1) AS INTEGER)) / 10) + CAST(substr(ik, 8, 1) AS INTEGER)) % 10 = CAST(substr(ik, 9, 1) AS INTEGER)", name=op.f('ck_pflegekasse_ik_check_digit')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pflegekasse')),
    sa.UniqueConstraint('ik', name=op.f('uq_pflegekasse_ik'))
    )
    op.create_table('user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("role IN ('coordinator', 'accounting', 'admin')", name=op.f('ck_user_role')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user')),
    sa.UniqueConstraint('email', name=op.f('uq_user_email'))
    )
    op.create_table('sozialraum',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('is_aktionsraum', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['district.id'], name=op.f('fk_sozialraum_district_id_district')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sozialraum')),
    sa.UniqueConstraint('name', name=op.f('uq_sozialraum_name'))
    )
    op.create_table('volunteer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('first_name', sa.String(length=80), nullable=False),
    sa.Column('last_name', sa.String(length=80), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('home_district_id', sa.Integer(), nullable=False),
    sa.Column('offers_besuchsdienst', sa.Boolean(), nullable=False),
    sa.Column('offers_entlastung', sa.Boolean(), nullable=False),
    sa.Column('offers_demenzgruppe', sa.Boolean(), nullable=False),
    sa.Column('languages', sa.String(length=200), nullable=False),
    sa.Column('gender', sa.String(length=1), nullable=False),
    sa.Column('max_minutes_per_week', sa.Integer(), nullable=False),
    sa.Column('max_seniors', sa.Integer(), nullable=False),
    sa.Column('basisqualifizierung_on', sa.Date(), nullable=True),
    sa.Column('basisqualifizierung_ref', sa.String(length=80), nullable=True),
    sa.Column('fuehrungszeugnis_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("email = lower(email) AND email LIKE '%_@_%'", name=op.f('ck_volunteer_email')),
    sa.CheckConstraint("gender IN ('w', 'm', 'd')", name=op.f('ck_volunteer_gender')),
    sa.CheckConstraint("status IN ('bewerbung', 'aktiv', 'pausiert', 'ausgeschieden')", name=op.f('ck_volunteer_status')),
    sa.CheckConstraint('NOT offers_entlastung OR basisqualifizierung_on IS NOT NULL', name=op.f('ck_volunteer_entlastung_needs_qualification')),
    sa.CheckConstraint('max_minutes_per_week BETWEEN 0 AND 2400', name=op.f('ck_volunteer_max_minutes_per_week')),
    sa.CheckConstraint('max_seniors BETWEEN 0 AND 20', name=op.f('ck_volunteer_max_seniors')),
    sa.ForeignKeyConstraint(['home_district_id'], ['district.id'], name=op.f('fk_volunteer_home_district_id_district')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer')),
    sa.UniqueConstraint('email', name=op.f('uq_volunteer_email'))
    )
    op.create_table('senior',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('first_name', sa.String(length=80), nullable=False),
    sa.Column('last_name', sa.String(length=80), nullable=False),
    sa.Column('birth_on', sa.Date(), nullable=False),
    sa.Column('street', sa.String(length=120), nullable=False),
    sa.Column('postal_code', sa.String(length=5), nullable=False),
    sa.Column('city', sa.String(length=80), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('sozialraum_id', sa.Integer(), nullable=True),
    sa.Column('phone', sa.String(length=40), nullable=True),
    sa.Column('contact_name', sa.String(length=120), nullable=True),
    sa.Column('contact_relation', sa.String(length=60), nullable=True),
    sa.Column('contact_phone', sa.String(length=40), nullable=True),
    sa.Column('contact_email', sa.String(length=254), nullable=True),
    sa.Column('pflegegrad', sa.Integer(), nullable=True),
    sa.Column('pflegekasse_id', sa.Integer(), nullable=True),
    sa.Column('kvnr', sa.String(length=10), nullable=True),
    sa.Column('languages', sa.String(length=200), nullable=False),
    sa.Column('preferred_volunteer_gender', sa.String(length=1), nullable=True),
    sa.Column('has_dementia', sa.Boolean(), nullable=False),
    sa.Column('consent_on', sa.Date(), nullable=True),
    sa.Column('consent_scope', sa.String(length=200), nullable=True),
    sa.Column('abtretung_on', sa.Date(), nullable=True),
    sa.Column('abtretung_revoked_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('care_notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kvnr IS NULL OR (length(kvnr) = 10 AND (CASE substr(kvnr, 1, 1) WHEN 'A' THEN 1 WHEN 'B' THEN 2 WHEN 'C' THEN 3 WHEN 'D' THEN 4 WHEN 'E' THEN 5 WHEN 'F' THEN 6 WHEN 'G' THEN 7 WHEN 'H' THEN 8 WHEN 'I' THEN 9 WHEN 'J' THEN 10 WHEN 'K' THEN 11 WHEN 'L' THEN 12 WHEN 'M' THEN 13 WHEN 'N' THEN 14 WHEN 'O' THEN 15 WHEN 'P' THEN 16 WHEN 'Q' THEN 17 WHEN 'R' THEN 18 WHEN 'S' THEN 19 WHEN 'T' THEN 20 WHEN 'U' THEN 21 WHEN 'V' THEN 22 WHEN 'W' THEN 23 WHEN 'X' THEN 24 WHEN 'Y' THEN 25 WHEN 'Z' THEN 26 END) IS NOT NULL AND substr(kvnr, 2, 1) BETWEEN '0' AND '9' AND substr(kvnr, 3, 1) BETWEEN '0' AND '9' AND substr(kvnr, 4, 1) BETWEEN '0' AND '9' AND substr(kvnr, 5, 1) BETWEEN '0' AND '9' AND substr(kvnr, 6, 1) BETWEEN '0' AND '9' AND substr(kvnr, 7, 1) BETWEEN '0' AND '9' AND substr(kvnr, 8, 1) BETWEEN '0' AND '9' AND substr(kvnr, 9, 1) BETWEEN '0' AND '9' AND substr(kvnr, 10, 1) BETWEEN '0' AND '9' AND (((CASE substr(kvnr, 1, 1) WHEN 'A' THEN 1 WHEN 'B' THEN 2 WHEN 'C' THEN 3 WHEN 'D' THEN 4 WHEN 'E' THEN 5 WHEN 'F' THEN 6 WHEN 'G' THEN 7 WHEN 'H' THEN 8 WHEN 'I' THEN 9 WHEN 'J' THEN 10 WHEN 'K' THEN 11 WHEN 'L' THEN 12 WHEN 'M' THEN 13 WHEN 'N' THEN 14 WHEN 'O' THEN 15 WHEN 'P' THEN 16 WHEN 'Q' THEN 17 WHEN 'R' THEN 18 WHEN 'S' THEN 19 WHEN 'T' THEN 20 WHEN 'U' THEN 21 WHEN 'V' THEN 22 WHEN 'W' THEN 23 WHEN 'X' THEN 24 WHEN 'Y' THEN 25 WHEN 'Z' THEN 26 END) / 10) + ((2 * ((CASE substr(kvnr, 1, 1) WHEN 'A' THEN 1 WHEN 'B' THEN 2 WHEN 'C' THEN 3 WHEN 'D' THEN 4 WHEN 'E' THEN 5 WHEN 'F' THEN 6 WHEN 'G' THEN 7 WHEN 'H' THEN 8 WHEN 'I' THEN 9 WHEN 'J' THEN 10 WHEN 'K' THEN 11 WHEN 'L' THEN 12 WHEN 'M' THEN 13 WHEN 'N' THEN 14 WHEN 'O' THEN 15 WHEN 'P' THEN 16 WHEN 'Q' THEN 17 WHEN 'R' THEN 18 WHEN 'S' THEN 19 WHEN 'T' THEN 20 WHEN 'U' THEN 21 WHEN 'V' THEN 22 WHEN 'W' THEN 23 WHEN 'X' THEN 24 WHEN 'Y' THEN 25 WHEN 'Z' THEN 26 END) % 10)) % 10 + (2 * ((CASE substr(kvnr, 1, 1) WHEN 'A' THEN 1 WHEN 'B' THEN 2 WHEN 'C' THEN 3 WHEN 'D' THEN 4 WHEN 'E' THEN 5 WHEN 'F' THEN 6 WHEN 'G' THEN 7 WHEN 'H' THEN 8 WHEN 'I' THEN 9 WHEN 'J' THEN 10 WHEN 'K' THEN 11 WHEN 'L' THEN 12 WHEN 'M' THEN 13 WHEN 'N' THEN 14 WHEN 'O' THEN 15 WHEN 'P' THEN 16 WHEN 'Q' THEN 17 WHEN 'R' THEN 18 WHEN 'S' THEN 19 WHEN 'T' THEN 20 WHEN 'U' THEN 21 WHEN 'V' THEN 22 WHEN 'W' THEN 23 WHEN 'X' THEN 24 WHEN 'Y' THEN 25 WHEN 'Z' THEN 26 END) % 10)) / 10) + CAST(substr(kvnr, 2, 1) AS INTEGER) + ((2 * CAST(substr(kvnr, 3, 1) AS INTEGER)) % 10 + (2 * CAST(substr(kvnr, 3, 1) AS INTEGER)) / 10) + CAST(substr(kvnr, 4, 1) AS INTEGER) + ((2 * CAST(substr(kvnr, 5, 1) AS INTEGER)) % 10 + (2 * CAST(substr(kvnr, 5, 1) AS INTEGER)) / 10) + CAST(substr(kvnr, 6, 1) AS INTEGER) + ((2 * CAST(substr(kvnr, 7, 1) AS INTEGER)) % 10 + (2 * CAST(substr(kvnr, 7, 1) AS INTEGER)) / 10) + CAST(substr(kvnr, 8, 1) AS INTEGER) + ((2 * CAST(substr(kvnr, 9, 1) AS INTEGER)) % 10 + (2 * CAST(substr(kvnr, 9, 1) AS INTEGER)) / 10)) % 10 = CAST(substr(kvnr, 10, 1) AS INTEGER))", name=op.f('ck_senior_kvnr_check_digit')),
    sa.CheckConstraint("length(postal_code) = 5 AND substr(postal_code, 1, 1) BETWEEN '0' AND '9' AND substr(postal_code, 2, 1) BETWEEN '0' AND '9' AND substr(postal_code, 3, 1) BETWEEN '0' AND '9' AND substr(postal_code, 4, 1) BETWEEN '0' AND '9' AND substr(postal_code, 5, 1) BETWEEN '0' AND '9'", name=op.f('ck_senior_postal_code')),
    sa.CheckConstraint("preferred_volunteer_gender IS NULL OR preferred_volunteer_gender IN ('w', 'm', 'd')", name=op.f('ck_senior_preferred_volunteer_gender')),
    sa.CheckConstraint("status IN ('aktiv', 'wartend', 'pausiert', 'beendet', 'gesperrt')", name=op.f('ck_senior_status')),
    sa.CheckConstraint('abtretung_revoked_on IS NULL OR (abtretung_on IS NOT NULL AND abtretung_revoked_on >= abtretung_on)', name=op.f('ck_senior_abtretung_range')),
    sa.CheckConstraint('consent_on IS NULL OR consent_scope IS NOT NULL', name=op.f('ck_senior_consent_scope')),
    sa.CheckConstraint('pflegegrad IS NULL OR pflegegrad BETWEEN 1 AND 5', name=op.f('ck_senior_pflegegrad')),
    sa.ForeignKeyConstraint(['district_id'], ['district.id'], name=op.f('fk_senior_district_id_district')),
    sa.ForeignKeyConstraint(['pflegekasse_id'], ['pflegekasse.id'], name=op.f('fk_senior_pflegekasse_id_pflegekasse')),
    sa.ForeignKeyConstraint(['sozialraum_id'], ['sozialraum.id'], name=op.f('fk_senior_sozialraum_id_sozialraum')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_senior')),
    sa.UniqueConstraint('kvnr', name=op.f('uq_senior_kvnr'))
    )
    with op.batch_alter_table('senior', schema=None) as batch_op:
        batch_op.create_index('ix_senior_name', ['last_name', 'first_name'], unique=False)

    op.create_table('volunteer_absence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.String(length=120), nullable=True),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_volunteer_absence_range')),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id'], name=op.f('fk_volunteer_absence_volunteer_id_volunteer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer_absence'))
    )
    with op.batch_alter_table('volunteer_absence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_volunteer_absence_volunteer_id'), ['volunteer_id'], unique=False)

    op.create_table('volunteer_availability',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('start_minute', sa.Integer(), nullable=False),
    sa.Column('end_minute', sa.Integer(), nullable=False),
    sa.CheckConstraint('start_minute >= 0 AND end_minute <= 1440 AND start_minute < end_minute', name=op.f('ck_volunteer_availability_range')),
    sa.CheckConstraint('weekday BETWEEN 0 AND 6', name=op.f('ck_volunteer_availability_weekday')),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id'], name=op.f('fk_volunteer_availability_volunteer_id_volunteer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_volunteer_availability'))
    )
    with op.batch_alter_table('volunteer_availability', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_volunteer_availability_volunteer_id'), ['volunteer_id'], unique=False)

    op.create_table('volunteer_travel_district',
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['district.id'], name=op.f('fk_volunteer_travel_district_district_id_district')),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id'], name=op.f('fk_volunteer_travel_district_volunteer_id_volunteer'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('volunteer_id', 'district_id', name=op.f('pk_volunteer_travel_district'))
    )
    op.create_table('request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('senior_id', sa.Integer(), nullable=False),
    sa.Column('service', sa.String(length=20), nullable=False),
    sa.Column('visits_per_week', sa.Integer(), nullable=False),
    sa.Column('minutes_per_visit', sa.Integer(), nullable=False),
    sa.Column('languages', sa.String(length=200), nullable=False),
    sa.Column('volunteer_gender', sa.String(length=1), nullable=True),
    sa.Column('urgency', sa.Integer(), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=120), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("service IN ('besuchsdienst', 'entlastung', 'demenzgruppe')", name=op.f('ck_request_service')),
    sa.CheckConstraint("status IN ('offen', 'vorgeschlagen', 'vermittelt', 'abgeschlossen', 'zurueckgezogen')", name=op.f('ck_request_status')),
    sa.CheckConstraint("volunteer_gender IS NULL OR volunteer_gender IN ('w', 'm', 'd')", name=op.f('ck_request_volunteer_gender')),
    sa.CheckConstraint('minutes_per_visit BETWEEN 15 AND 600', name=op.f('ck_request_minutes_per_visit')),
    sa.CheckConstraint('urgency BETWEEN 1 AND 3', name=op.f('ck_request_urgency')),
    sa.CheckConstraint('visits_per_week BETWEEN 1 AND 7', name=op.f('ck_request_visits_per_week')),
    sa.ForeignKeyConstraint(['senior_id'], ['senior.id'], name=op.f('fk_request_senior_id_senior')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_request'))
    )
    with op.batch_alter_table('request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_request_senior_id'), ['senior_id'], unique=False)
        batch_op.create_index('ix_request_status_received', ['status', 'received_on'], unique=False)

    op.create_table('pairing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('volunteer_id', sa.Integer(), nullable=False),
    sa.Column('senior_id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=True),
    sa.Column('service', sa.String(length=20), nullable=False),
    sa.Column('interval_weeks', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("service IN ('besuchsdienst', 'entlastung', 'demenzgruppe')", name=op.f('ck_pairing_service')),
    sa.CheckConstraint("status IN ('aktiv', 'pausiert', 'beendet')", name=op.f('ck_pairing_status')),
    sa.CheckConstraint('ends_on IS NULL OR ends_on >= starts_on', name=op.f('ck_pairing_range')),
    sa.CheckConstraint('interval_weeks IN (1, 2)', name=op.f('ck_pairing_interval_weeks')),
    sa.ForeignKeyConstraint(['request_id'], ['request.id'], name=op.f('fk_pairing_request_id_request')),
    sa.ForeignKeyConstraint(['senior_id'], ['senior.id'], name=op.f('fk_pairing_senior_id_senior')),
    sa.ForeignKeyConstraint(['volunteer_id'], ['volunteer.id'], name=op.f('fk_pairing_volunteer_id_volunteer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pairing'))
    )
    with op.batch_alter_table('pairing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pairing_senior_id'), ['senior_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_pairing_volunteer_id'), ['volunteer_id'], unique=False)

    op.create_table('request_status_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.CheckConstraint("status IN ('offen', 'vorgeschlagen', 'vermittelt', 'abgeschlossen', 'zurueckgezogen')", name=op.f('ck_request_status_change_status')),
    sa.ForeignKeyConstraint(['changed_by_id'], ['user.id'], name=op.f('fk_request_status_change_changed_by_id_user')),
    sa.ForeignKeyConstraint(['request_id'], ['request.id'], name=op.f('fk_request_status_change_request_id_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_request_status_change'))
    )
    with op.batch_alter_table('request_status_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_request_status_change_request_id'), ['request_id'], unique=False)

    op.create_table('request_window',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('start_minute', sa.Integer(), nullable=False),
    sa.Column('end_minute', sa.Integer(), nullable=False),
    sa.CheckConstraint('start_minute >= 0 AND end_minute <= 1440 AND start_minute < end_minute', name=op.f('ck_request_window_range')),
    sa.CheckConstraint('weekday BETWEEN 0 AND 6', name=op.f('ck_request_window_weekday')),
    sa.ForeignKeyConstraint(['request_id'], ['request.id'], name=op.f('fk_request_window_request_id_request'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_request_window'))
    )
    with op.batch_alter_table('request_window', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_request_window_request_id'), ['request_id'], unique=False)

    op.create_table('appointment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pairing_id', sa.Integer(), nullable=False),
    sa.Column('on', sa.Date(), nullable=False),
    sa.Column('planned_start', sa.Time(), nullable=False),
    sa.Column('planned_end', sa.Time(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('actual_minutes', sa.Integer(), nullable=True),
    sa.Column('is_one_off', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("actual_minutes IS NULL OR (status = 'stattgefunden' AND actual_minutes BETWEEN 1 AND 720)", name=op.f('ck_appointment_actual_minutes')),
    sa.CheckConstraint("status IN ('geplant', 'bestaetigt', 'abgesagt', 'stattgefunden', 'ausgefallen')", name=op.f('ck_appointment_status')),
    sa.CheckConstraint('planned_end > planned_start', name=op.f('ck_appointment_range')),
    sa.ForeignKeyConstraint(['pairing_id'], ['pairing.id'], name=op.f('fk_appointment_pairing_id_pairing')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_appointment')),
    sa.UniqueConstraint('pairing_id', 'on', 'planned_start', name='uq_appointment_slot')
    )
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appointment_on'), ['on'], unique=False)
        batch_op.create_index(batch_op.f('ix_appointment_pairing_id'), ['pairing_id'], unique=False)

    op.create_table('pairing_slot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('pairing_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('start_minute', sa.Integer(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.CheckConstraint('start_minute >= 0 AND duration_minutes BETWEEN 15 AND 600 AND start_minute + duration_minutes <= 1440', name=op.f('ck_pairing_slot_range')),
    sa.CheckConstraint('weekday BETWEEN 0 AND 6', name=op.f('ck_pairing_slot_weekday')),
    sa.ForeignKeyConstraint(['pairing_id'], ['pairing.id'], name=op.f('fk_pairing_slot_pairing_id_pairing'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pairing_slot'))
    )
    with op.batch_alter_table('pairing_slot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pairing_slot_pairing_id'), ['pairing_id'], unique=False)

    # ### end Alembic commands ###

    # Cross-table service rules (Besuchsdienst/Entlastung vs. Pflegegrad and Basisqualifizierung) as triggers.
    for statements in SERVICE_RULE_DDL.get(op.get_bind().dialect.name, {}).values():
        for statement in statements:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in ("request", "pairing"):
            op.execute(f"DROP TRIGGER IF EXISTS trg_{table}_service_rule ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS fn_{table}_service_rule()")
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('pairing_slot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pairing_slot_pairing_id'))

    op.drop_table('pairing_slot')
    with op.batch_alter_table('appointment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appointment_pairing_id'))
        batch_op.drop_index(batch_op.f('ix_appointment_on'))

    op.drop_table('appointment')
    with op.batch_alter_table('request_window', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_request_window_request_id'))

    op.drop_table('request_window')
    with op.batch_alter_table('request_status_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_request_status_change_request_id'))

    op.drop_table('request_status_change')
    with op.batch_alter_table('pairing', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pairing_volunteer_id'))
        batch_op.drop_index(batch_op.f('ix_pairing_senior_id'))

    op.drop_table('pairing')
    with op.batch_alter_table('request', schema=None) as batch_op:
        batch_op.drop_index('ix_request_status_received')
        batch_op.drop_index(batch_op.f('ix_request_senior_id'))

    op.drop_table('request')
    op.drop_table('volunteer_travel_district')
    with op.batch_alter_table('volunteer_availability', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_volunteer_availability_volunteer_id'))

    op.drop_table('volunteer_availability')
    with op.batch_alter_table('volunteer_absence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_volunteer_absence_volunteer_id'))

    op.drop_table('volunteer_absence')
    with op.batch_alter_table('senior', schema=None) as batch_op:
        batch_op.drop_index('ix_senior_name')

    op.drop_table('senior')
    op.drop_table('volunteer')
    op.drop_table('sozialraum')
    op.drop_table('user')
    op.drop_table('pflegekasse')
    op.drop_table('district')
    # ### end Alembic commands ###
