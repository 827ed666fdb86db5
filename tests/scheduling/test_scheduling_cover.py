"""Ranking stand-ins for a declined visit."""

from datetime import date

from scheduling.cover import CoverCandidate, rank_cover
from scheduling.model import Status
from tests.scheduling.sched_factories import make_appointment

DECLINED = make_appointment(date(2026, 11, 18), id=100, volunteer_id=1, senior_id=10, district="Eving")

ANNA = CoverCandidate(2, "Anna", "Eving")
BERND = CoverCandidate(3, "Bernd", "Eving")
CLARA = CoverCandidate(4, "Clara", "Hörde")
DORIS = CoverCandidate(5, "Doris", "Hörde")
DECLINER = CoverCandidate(1, "Fritz", "Eving")

HISTORY = [
    # Bernd visited Frau M. twice before; Doris once.
    make_appointment(date(2026, 10, 1), id=1, volunteer_id=3, senior_id=10, status=Status.STATTGEFUNDEN),
    make_appointment(date(2026, 10, 8), id=2, volunteer_id=3, senior_id=10, status=Status.STATTGEFUNDEN),
    make_appointment(date(2026, 10, 8), id=3, volunteer_id=5, senior_id=10, status=Status.STATTGEFUNDEN),
    # Load in the week of 16.11.: Anna 3 h, Bernd 1 h, Clara 0 (her visit is cancelled).
    make_appointment(date(2026, 11, 16), "09:00", "12:00", id=4, volunteer_id=2, senior_id=11),
    make_appointment(date(2026, 11, 17), "09:00", "10:00", id=5, volunteer_id=3, senior_id=11),
    make_appointment(date(2026, 11, 19), id=6, volunteer_id=4, senior_id=12, status=Status.ABGESAGT),
]


def test_ranking_order_and_reasons():
    ranked = rank_cover(DECLINED, [CLARA, DORIS, ANNA, BERND, DECLINER], history=HISTORY)
    assert [r.candidate.name for r in ranked] == ["Bernd", "Anna", "Doris", "Clara"]
    assert [r.rank for r in ranked] == [1, 2, 3, 4]
    bernd, anna, doris, clara = ranked
    assert bernd.reasons == (
        "Im selben Stadtbezirk (Eving)",
        "Kennt Frau M. (2 Besuche)",
        "Diese Woche bereits 1 Std. eingeplant",
    )
    assert anna.same_district and not anna.knows_senior and anna.week_minutes == 180
    assert doris.reasons == ("Kennt Frau M. (1 Besuch)", "Diese Woche noch keine Termine")
    assert clara.week_minutes == 0 and not clara.knows_senior


def test_lower_load_breaks_ties():
    ranked = rank_cover(DECLINED, [ANNA, CoverCandidate(7, "Gerd", "Eving")], history=HISTORY)
    assert [r.candidate.name for r in ranked] == ["Gerd", "Anna"]


def test_no_candidates():
    assert rank_cover(DECLINED, []) == []
