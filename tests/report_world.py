"""A small data set for the reports whose figures were computed by hand (see build_report_world)."""

from datetime import UTC, date, datetime, time

from begleitservice.extensions import db
from begleitservice.models import MatchRun, MatchUnserved, VolunteerStatus
from tests.factories import make_appointment, make_pairing, make_request, make_senior, make_volunteer

DONE = "stattgefunden"


def visit(pairing, on, minutes, **kw):
    return make_appointment(
        pairing=pairing, on=on, status=DONE, actual_minutes=minutes, planned_start=time(10), planned_end=time(12), **kw
    )


def build_report_world() -> dict:
    """Eving: S1, S2 (Besuchsdienst); Hörde: S3 (Entlastung), S4 (Besuchsdienst). Hand-computed figures for 2025:

    Eving  – requests R1, R2, R4 (withdrawn), R5 (waiting): 4 received, 2 placed (10 and 30 days → median 20);
             visits 90 + 60 (stand-in V3) + 45 min = 3,25 h; seniors S1, S2; volunteers V1, V3.
    Hörde  – request R3: 1 received, 1 placed (20 days); visits 120 + 135 min Entlastung = 4,25 h (V2, S3)
             and 30 min Besuchsdienst (V1, S4) = 0,50 h; seniors S3, S4; volunteers V1, V2.
    Gesamt – 5 received, 3 placed, median 20 days, 4 seniors, 3 volunteers (V1 counted once), 3,75 h + 4,25 h.
    """
    v1 = make_volunteer(
        first_name="Anna", created_at=datetime(2025, 3, 1, 9, tzinfo=UTC), languages="Deutsch, Türkisch"
    )
    v2 = make_volunteer(district_name="Hörde", offers_entlastung=True, created_at=datetime(2024, 5, 1, tzinfo=UTC))
    v3 = make_volunteer(created_at=datetime(2024, 5, 1, tzinfo=UTC))
    s1 = make_senior(languages="Deutsch, Türkisch", birth_on=date(1950, 3, 1))
    s2 = make_senior(birth_on=date(1940, 1, 1))
    s3 = make_senior(district_name="Hörde", pflegegrad=2, birth_on=date(1962, 6, 1))
    s4 = make_senior(district_name="Hörde", birth_on=date(1955, 12, 31))
    r1 = make_request(senior=s1, received_on=date(2025, 1, 10), status="vermittelt")
    r2 = make_request(senior=s2, received_on=date(2025, 2, 1), status="vermittelt")
    r3 = make_request(senior=s3, received_on=date(2025, 3, 1), status="vermittelt")
    make_request(senior=s2, received_on=date(2025, 5, 1), status="zurueckgezogen")
    r5 = make_request(senior=s1, received_on=date(2025, 12, 1), languages="Türkisch")
    make_request(senior=s1, received_on=date(2024, 12, 15), status="zurueckgezogen")
    p1 = make_pairing(volunteer=v1, senior=s1, request_id=r1.id, starts_on=date(2025, 1, 20))
    p2 = make_pairing(
        volunteer=v1,
        senior=s2,
        request_id=r2.id,
        starts_on=date(2025, 3, 3),
        ends_on=date(2025, 9, 30),
        status="beendet",
        end_reason="verstorben",
    )
    p3 = make_pairing(volunteer=v2, senior=s3, request_id=r3.id, starts_on=date(2025, 3, 21))
    p4 = make_pairing(volunteer=v1, senior=s4, starts_on=date(2025, 6, 1))
    visit(p1, date(2025, 2, 3), 90)
    visit(p1, date(2025, 2, 10), 60, cover_volunteer_id=v3.id)
    make_appointment(pairing=p1, on=date(2025, 2, 17), status="abgesagt")
    visit(p1, date(2026, 1, 5), 120)
    visit(p2, date(2025, 3, 10), 45)
    visit(p3, date(2025, 4, 1), 120)
    visit(p3, date(2025, 4, 8), 135)
    visit(p4, date(2025, 6, 2), 30)
    v2.status = VolunteerStatus.AUSGESCHIEDEN
    v2.left_on = date(2025, 11, 1)
    run = MatchRun(status="fertig")
    run.unserved = [MatchUnserved(request_id=r5.id, reasons=["niemand spricht Türkisch"], reason_codes=["no_language"])]
    db.session.add(run)
    db.session.commit()
    return {"v1": v1, "v3": v3}
