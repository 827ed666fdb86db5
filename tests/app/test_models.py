"""The database itself refuses what the forms refuse: constraints, check digits and service rules."""

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError, IntegrityError

from begleitservice.extensions import db
from begleitservice.models import AbtretungPeriod, LivingSituation, Pflegekasse, Senior, Volunteer
from tests.factories import district, make_pairing, make_request, make_senior, make_volunteer


def _raw_insert(table: str, **values):
    columns = ", ".join(f'"{k}"' for k in values)
    params = ", ".join(f":{k}" for k in values)
    db.session.execute(sa.text(f'INSERT INTO "{table}" ({columns}) VALUES ({params})'), values)
    db.session.flush()


def _senior_row(**kw):
    row = dict(
        first_name="A",
        last_name="B",
        birth_on=date(1940, 1, 1),
        street="X 1",
        postal_code="44135",
        city="Dortmund",
        district_id=district().id,
        languages="Deutsch",
        has_dementia=False,
        status="aktiv",
        created_at=sa.func.now(),
        updated_at=sa.func.now(),
    )
    row.update(kw)
    return row


def test_reference_data_has_the_twelve_districts(app_ctx):
    names = db.session.scalars(sa.select(sa.func.count()).select_from(sa.table("district"))).one()
    assert names == 12


@pytest.mark.parametrize("kvnr, ok", [("A123456780", True), ("A123456789", False), ("G995030567", False)])
def test_database_checks_the_kvnr_check_digit(app_ctx, kvnr, ok):
    row = _senior_row(kvnr=kvnr)
    row.pop("created_at"), row.pop("updated_at")
    stmt = sa.insert(Senior.__table__).values(
        **row, created_at=sa.func.current_timestamp(), updated_at=sa.func.current_timestamp()
    )
    if ok:
        db.session.execute(stmt)
        db.session.flush()
    else:
        with pytest.raises((IntegrityError, DBAPIError)):
            db.session.execute(stmt)
            db.session.flush()
    db.session.rollback()


@pytest.mark.parametrize(
    "ik, ok", [("260326822", True), ("100696012", True), ("260326821", False), ("26032682X", False)]
)
def test_database_checks_the_ik_check_digit(app_ctx, ik, ok):
    stmt = sa.insert(Pflegekasse.__table__).values(
        name="Kasse", ik=ik, created_at=sa.func.current_timestamp(), updated_at=sa.func.current_timestamp()
    )
    if ok:
        db.session.execute(stmt)
        db.session.flush()
    else:
        with pytest.raises((IntegrityError, DBAPIError)):
            db.session.execute(stmt)
            db.session.flush()
    db.session.rollback()


def test_orm_refuses_a_wrong_kvnr_with_a_german_message(app_ctx):
    with pytest.raises(ValueError, match="Prüfziffer"):
        Senior(kvnr="A123456789")


def test_besuchsdienst_request_needs_a_senior_without_pflegegrad(app_ctx):
    senior = make_senior(pflegegrad=2)
    with pytest.raises((IntegrityError, DBAPIError)):
        make_request(senior=senior, service="besuchsdienst")
    db.session.rollback()


def test_entlastung_request_needs_a_pflegegrad(app_ctx):
    senior = make_senior(pflegegrad=None)
    with pytest.raises((IntegrityError, DBAPIError)):
        make_request(senior=senior, service="entlastung")
    db.session.rollback()


def test_matching_requests_are_accepted(app_ctx):
    assert make_request(senior=make_senior(pflegegrad=None)).service == "besuchsdienst"
    assert make_request(senior=make_senior(pflegegrad=3)).service == "entlastung"


def test_entlastung_volunteer_needs_basisqualifizierung(app_ctx):
    with pytest.raises(IntegrityError):
        make_volunteer(offers_entlastung=True, basisqualifizierung_on=None)
    db.session.rollback()


def test_entlastung_pairing_needs_a_qualified_volunteer(app_ctx):
    volunteer = make_volunteer(offers_besuchsdienst=True)
    with pytest.raises((IntegrityError, DBAPIError)):
        make_pairing(volunteer=volunteer, senior=make_senior(pflegegrad=2), service="entlastung")
    db.session.rollback()


def test_a_senior_may_gain_a_pflegegrad_and_end_an_old_besuchsdienst_pairing(app_ctx):
    pairing = make_pairing(senior=make_senior(pflegegrad=None))
    pairing.senior.pflegegrad = 2
    db.session.commit()
    pairing.status, pairing.ends_on = "beendet", date(2026, 11, 30)
    db.session.commit()
    assert pairing.status == "beendet"


def test_volunteer_emails_are_unique_ignoring_case(app_ctx):
    make_volunteer(email="Anna@Example.org")
    with pytest.raises(IntegrityError):
        make_volunteer(email="anna@example.org")
    db.session.rollback()


@pytest.mark.parametrize(
    "field, value",
    [("max_seniors", -1), ("max_minutes_per_week", 5000), ("gender", "x"), ("status", "unbekannt")],
)
def test_volunteer_ranges_are_checked(app_ctx, field, value):
    with pytest.raises(IntegrityError):
        make_volunteer(**{field: value})
    db.session.rollback()


@pytest.mark.parametrize(
    "field, value", [("pflegegrad", 6), ("postal_code", "4413"), ("postal_code", "4413a"), ("status", "weg")]
)
def test_senior_ranges_are_checked(app_ctx, field, value):
    with pytest.raises(IntegrityError):
        make_senior(**{field: value})
    db.session.rollback()


def test_abtretung_cannot_be_revoked_before_it_was_given(app_ctx):
    with pytest.raises(IntegrityError):
        make_senior(pflegegrad=2, abtretung_on=date(2026, 5, 1), abtretung_revoked_on=date(2026, 4, 1))
    db.session.rollback()


def test_abtretung_validity_by_day(app_ctx):
    senior = make_senior(pflegegrad=2, abtretung_on=date(2026, 5, 10), abtretung_revoked_on=date(2026, 5, 20))
    assert not senior.abtretung_valid_on(date(2026, 5, 9))
    assert senior.abtretung_valid_on(date(2026, 5, 10))
    assert senior.abtretung_valid_on(date(2026, 5, 19))
    assert not senior.abtretung_valid_on(date(2026, 5, 20))


def test_abtretung_given_revoked_and_given_again(app_ctx):
    senior = make_senior(pflegegrad=2, abtretung_on=date(2026, 1, 1), abtretung_revoked_on=date(2026, 3, 1))
    senior.abtretungen.append(AbtretungPeriod(given_on=date(2026, 4, 15), document_on=date(2026, 4, 10)))
    db.session.flush()
    assert [senior.abtretung_valid_on(date(2026, m, d)) for m, d in ((2, 28), (3, 1), (4, 14), (4, 15))] == [
        True,
        False,
        False,
        True,
    ]
    assert senior.abtretung_on(date(2026, 5, 1)).document_on == date(2026, 4, 10)
    assert senior.latest_abtretung.given_on == date(2026, 4, 15)


def test_death_has_no_end(app_ctx):
    senior = make_senior(pflegegrad=2)
    db.session.add(
        LivingSituation(
            senior=senior, situation="verstorben", valid_from=date(2026, 3, 1), valid_until=date(2026, 4, 1)
        )
    )
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_timestamps_come_back_timezone_aware(app_ctx):
    volunteer = make_volunteer()
    db.session.expire_all()
    volunteer = db.session.get(Volunteer, volunteer.id)
    assert volunteer.created_at.tzinfo is not None
    assert volunteer.created_at.utcoffset().total_seconds() == 0


def test_request_visits_and_urgency_ranges(app_ctx):
    with pytest.raises(IntegrityError):
        make_request(visits_per_week=8)
    db.session.rollback()
    with pytest.raises(IntegrityError):
        make_request(urgency=4)
    db.session.rollback()


def test_a_kvnr_belongs_to_one_senior(app_ctx):
    make_senior(pflegegrad=2, kvnr="A123456780")
    with pytest.raises(IntegrityError):
        make_senior(pflegegrad=3, kvnr="A123456780")
    db.session.rollback()
