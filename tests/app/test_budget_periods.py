"""Living situation and Abtretung history on the budget page, and what the monthly run makes of them."""

import html
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from begleitservice.accounting.files import commit_with_files
from begleitservice.accounting.operations import OpenProblems, run_month
from begleitservice.extensions import db
from begleitservice.models import (
    AbtretungPeriod,
    BilledVisit,
    BudgetOtherUse,
    Invoice,
    LivingSituation,
    PflegegradPeriod,
    Pflegekasse,
)
from begleitservice.privacy.export import export_person
from begleitservice.privacy.operations import erase
from billing.month import Month
from tests.factories import (
    make_appointment,
    make_pairing,
    make_pflegekasse,
    make_provider,
    make_senior,
    make_volunteer,
)


def text(response) -> str:
    page = html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).replace("\xa0", " ")
    return " ".join(page.split())


@pytest.fixture
def on_day(app_ctx, monkeypatch):
    """Set the service's today (and now) to a given date."""

    def _set(day: date):
        monkeypatch.setitem(app_ctx.config, "TODAY", day)
        monkeypatch.setitem(app_ctx.config, "NOW", datetime(day.year, day.month, day.day, 7, tzinfo=UTC))

    return _set


def graded_senior(grade=2, since=date(2024, 1, 1), **kw):
    kasse = db.session.scalar(sa.select(Pflegekasse)) or make_pflegekasse()
    senior = make_senior(pflegegrad=grade, pflegekasse=kasse, **kw)
    db.session.add(PflegegradPeriod(senior=senior, grade=grade, valid_from=since))
    db.session.commit()
    return senior


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


# Living situation


def test_a_care_home_period_is_saved_and_shown(app_ctx, coordinator, on_day):
    on_day(date(2026, 5, 10))
    senior = graded_senior()
    response = coordinator.post(
        f"/seniors/{senior.id}/budget/wohnsituation",
        data={
            "living-situation": "pflegeheim",
            "living-valid_from": "2026-02-12",
            "living-valid_until": "2026-04-30",
            "living-note": "Haus Am Park",
        },
    )
    assert response.status_code == 302
    page = text(coordinator.get(response.location))
    assert "Wohnsituation gespeichert." in page
    assert "im Pflegeheim 12.02.2026 bis 30.04.2026" in page
    row = db.session.scalar(sa.select(LivingSituation))
    assert (row.situation, row.valid_from, row.valid_until, row.note) == (
        "pflegeheim",
        date(2026, 2, 12),
        date(2026, 4, 30),
        "Haus Am Park",
    )


@pytest.mark.parametrize(
    "values, message",
    [
        (
            {"living-situation": "pflegeheim", "living-valid_from": "2026-03-01"},
            "Überschneidet sich mit „im Pflegeheim“ 12.02.2026 bis 30.04.2026 – bitte den Zeitraum dort beenden "
            "oder löschen.",
        ),
        (
            {"living-situation": "verstorben", "living-valid_from": "2026-05-11"},
            "Das Sterbedatum liegt in der Zukunft.",
        ),
        (
            {"living-situation": "verstorben", "living-valid_from": "2026-05-01", "living-valid_until": "2026-05-02"},
            "Beim Sterbedatum gibt es kein „bis“.",
        ),
        (
            {"living-situation": "pflegeheim", "living-valid_from": "2026-07-01"},
            "Das Datum 01.07.2026 liegt mehr als 31 Tage in der Zukunft.",
        ),
        (
            {"living-situation": "pflegeheim", "living-valid_from": "2026-05-01", "living-valid_until": "2026-04-01"},
            "„Bis“ kann nicht vor „ab“ liegen.",
        ),
        ({"living-situation": "zu_hause", "living-valid_from": ""}, "Bitte das Datum angeben, ab dem das gilt."),
        ({"living-situation": "anderswo", "living-valid_from": "2026-05-01"}, "Not a valid choice"),
    ],
)
def test_bad_living_situations_are_refused_in_german_and_nothing_changes(app_ctx, coordinator, on_day, values, message):
    on_day(date(2026, 5, 10))
    senior = graded_senior()
    db.session.add(
        LivingSituation(
            senior=senior, situation="pflegeheim", valid_from=date(2026, 2, 12), valid_until=date(2026, 4, 30)
        )
    )
    db.session.commit()
    response = coordinator.post(f"/seniors/{senior.id}/budget/wohnsituation", data=values)
    assert response.status_code == 200
    page = text(response)
    assert "Es wurde nichts gespeichert." in page
    if message != "Not a valid choice":  # WTForms' own message for a tampered select
        assert message in page
    assert count(LivingSituation) == 1


# Abtretung history


def test_abtretung_given_revoked_and_given_again(app_ctx, coordinator, on_day):
    on_day(date(2026, 6, 10))
    senior = graded_senior()
    url = f"/seniors/{senior.id}/budget"
    response = coordinator.post(
        f"{url}/abtretung", data={"abtretung-given_on": "2026-01-01", "abtretung-document_on": "2025-12-20"}
    )
    assert response.status_code == 302
    first = db.session.scalar(sa.select(AbtretungPeriod))
    response = coordinator.post(
        f"{url}/abtretung/{first.id}/widerruf", data={f"revoke{first.id}-revoked_on": "2026-03-01"}
    )
    assert response.status_code == 302
    response = coordinator.post(
        f"{url}/abtretung", data={"abtretung-given_on": "2026-04-15", "abtretung-document_on": "2026-04-10"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert [(a.given_on, a.document_on, a.revoked_on) for a in senior.abtretungen] == [
        (date(2026, 1, 1), date(2025, 12, 20), date(2026, 3, 1)),
        (date(2026, 4, 15), date(2026, 4, 10), None),
    ]
    page = text(coordinator.get(url))
    assert "ab 01.01.2026 (Erklärung vom 20.12.2025), widerrufen zum 01.03.2026" in page
    assert "ab 15.04.2026 (Erklärung vom 10.04.2026)" in page
    detail = text(coordinator.get(f"/seniors/{senior.id}"))
    assert "seit 15.04.2026" in detail and "Rechnung an Pflegekasse (Abtretung)" in detail


@pytest.mark.parametrize(
    "values, message",
    [
        (
            {"abtretung-given_on": "2026-05-01", "abtretung-document_on": "2026-05-01"},
            "Überschneidet sich mit der Abtretung ab 01.01.2026 – bitte diese zuerst widerrufen.",
        ),
        (
            {"abtretung-given_on": "2025-06-01", "abtretung-document_on": "2026-06-11"},
            "Das Datum der Erklärung liegt in der Zukunft.",
        ),
        (
            {"abtretung-given_on": "2029-01-01", "abtretung-document_on": "2026-06-01"},
            "Das Datum 01.01.2029 liegt mehr als 31 Tage in der Zukunft.",
        ),
        (
            {"abtretung-given_on": "", "abtretung-document_on": "2026-06-01"},
            "Bitte angeben, ab wann die Abtretung gilt.",
        ),
    ],
)
def test_bad_abtretungen_are_refused_in_german(app_ctx, coordinator, on_day, values, message):
    on_day(date(2026, 6, 10))
    senior = graded_senior(abtretung_on=date(2026, 1, 1))
    response = coordinator.post(f"/seniors/{senior.id}/budget/abtretung", data=values)
    assert response.status_code == 200
    assert message in text(response)
    assert count(AbtretungPeriod) == 1


def test_a_revocation_before_the_abtretung_is_refused(app_ctx, coordinator, on_day):
    on_day(date(2026, 6, 10))
    senior = graded_senior(abtretung_on=date(2026, 2, 1))
    period = senior.abtretungen[0]
    response = coordinator.post(
        f"/seniors/{senior.id}/budget/abtretung/{period.id}/widerruf",
        data={f"revoke{period.id}-revoked_on": "2026-01-31"},
    )
    assert "Der Widerruf kann nicht vor der Erteilung der Abtretung liegen." in text(response)
    db.session.expire_all()
    assert period.revoked_on is None


def test_senior_list_filters_by_the_abtretung_valid_today(app_ctx, coordinator, on_day):
    on_day(date(2026, 6, 10))
    graded_senior(last_name="Gueltig", abtretung_on=date(2026, 1, 1))
    graded_senior(last_name="Widerrufen", abtretung_on=date(2026, 1, 1), abtretung_revoked_on=date(2026, 6, 10))
    graded_senior(last_name="Ohne")
    with_one = text(coordinator.get("/seniors/?abtretung=vorhanden"))
    without = text(coordinator.get("/seniors/?abtretung=keine"))
    assert "Gueltig" in with_one and "Widerrufen" not in with_one and "Ohne" not in with_one
    assert "Widerrufen" in without and "Ohne" in without and "Gueltig" not in without


# The monthly run


def bill(month: Month, today: date, out, **kw):
    make_provider()
    result = run_month(month, today=today, issued_on=today, out_dir=out, **kw)
    commit_with_files(result.staged)
    return result


def visits(senior, days, minutes=120):
    pairing = make_pairing(senior=senior, volunteer=make_volunteer(offers_entlastung=True), starts_on=date(2026, 1, 5))
    return [make_appointment(pairing=pairing, on=day, status="stattgefunden", actual_minutes=minutes) for day in days]


def test_run_routes_each_visit_by_the_abtretung_valid_on_its_day(app_ctx, tmp_path):
    senior = graded_senior(abtretung_on=date(2026, 1, 1), abtretung_revoked_on=date(2026, 3, 10))
    senior.abtretungen.append(AbtretungPeriod(given_on=date(2026, 3, 20), document_on=date(2026, 3, 18)))
    db.session.commit()
    visits(senior, [date(2026, 3, 9), date(2026, 3, 10), date(2026, 3, 19), date(2026, 3, 20)])
    bill(Month(2026, 3), date(2026, 4, 2), tmp_path)
    rows = db.session.scalars(sa.select(Invoice).order_by(Invoice.seq)).all()
    # 4 visits of 2 h at 7.50: 15.00 each, all within the 125 + 3 × 131 saved since January
    assert [(i.recipient_kind, i.entlastungsbetrag, i.private, i.total) for i in rows] == [
        ("pflegekasse", Decimal("30.00"), Decimal("0.00"), Decimal("30.00")),  # 9 and 20 March
        ("senior", Decimal("30.00"), Decimal("0.00"), Decimal("30.00")),  # 10 (day of revocation) and 19 March
    ]
    kasse_days = db.session.scalars(
        sa.select(BilledVisit.on).where(BilledVisit.kasse_invoice_id == rows[0].id).order_by(BilledVisit.on)
    ).all()
    assert kasse_days == [date(2026, 3, 9), date(2026, 3, 20)]


def test_run_bills_privately_after_the_move_to_a_care_home_and_stores_the_day_grade(app_ctx, tmp_path):
    senior = make_senior(pflegegrad=3, pflegekasse=make_pflegekasse())
    db.session.add_all(
        [
            PflegegradPeriod(senior=senior, grade=2, valid_from=date(2025, 1, 1), valid_until=date(2026, 3, 4)),
            PflegegradPeriod(senior=senior, grade=3, valid_from=date(2026, 3, 5)),
            LivingSituation(senior=senior, situation="pflegeheim", valid_from=date(2026, 3, 20)),
        ]
    )
    db.session.commit()
    visits(senior, [date(2026, 3, 2), date(2026, 3, 16), date(2026, 3, 23)])
    with pytest.raises(OpenProblems):  # a visit without a claim is an open point of the month
        bill(Month(2026, 3), date(2026, 4, 2), tmp_path)
    db.session.rollback()
    result = bill(Month(2026, 3), date(2026, 4, 2), tmp_path, accept_open=True)
    billed = db.session.scalars(sa.select(BilledVisit).order_by(BilledVisit.on)).all()
    assert [(v.on.day, v.grade, v.entlastungsbetrag, v.private) for v in billed] == [
        (2, 2, Decimal("15.00"), Decimal("0.00")),
        (16, 3, Decimal("15.00"), Decimal("0.00")),
        (23, 3, Decimal("0.00"), Decimal("15.00")),
    ]
    assert result.problems == (
        f"{senior.name} ({senior.id}): kein Anspruch auf den Entlastungsbetrag am Besuchstag (am 23.03.2026 im "
        "Pflegeheim) – 1 von 3 Besuchen werden privat berechnet.",
    )


def test_budget_page_flags_other_use_beyond_the_balance(app_ctx, coordinator, on_day):
    on_day(date(2026, 3, 10))
    senior = graded_senior(since=date(2026, 1, 1))
    visits(senior, [date(2026, 1, 12)])
    db.session.add(BudgetOtherUse(senior=senior, month=date(2026, 2, 1), amount=Decimal("400.00"), note="Tagespflege"))
    db.session.commit()
    page = text(coordinator.get(f"/seniors/{senior.id}/budget"))
    # January 131 − 15 = 116, February + 131 = 247: 153 of the 400 are beyond the balance
    assert "153,00 € über dem Guthaben – Kontostand bei der Pflegekasse erfragen" in page
    march = re.search(r"März 2026 .*?(?=April 2026)", page).group(0)
    assert "131,00 €" in march and "-" not in march.split("Grundlage")[0]


def test_umwandlung_for_a_month_without_a_configured_cap_names_the_day(app_ctx, coordinator, on_day, monkeypatch):
    on_day(date(2026, 3, 10))
    caps = {"2024-01-01": {"2": "304.40", "3": "572.80", "4": "711.20", "5": "880.00"}}
    monkeypatch.setitem(app_ctx.config, "BILLING", {"umwandlung_caps": caps})
    senior = graded_senior(since=date(2022, 1, 1))
    response = coordinator.post(
        f"/seniors/{senior.id}/budget/umwandlung", data={"umw-month": "03/2023", "umw-amount": "100,00"}
    )
    assert "Für den 01.03.2023 ist kein Wert für „Höchstbetrag Umwandlung (§45a Abs. 4 SGB XI)“ hinterlegt" in text(
        response
    )


def test_dsgvo_export_shows_the_histories_and_erasure_removes_them(app_ctx):
    senior = graded_senior(abtretung_on=date(2026, 1, 1))
    db.session.add(LivingSituation(senior=senior, situation="pflegeheim", valid_from=date(2026, 4, 1)))
    db.session.commit()
    now = datetime(2026, 6, 1, 9, tzinfo=UTC)
    budget = export_person(senior, now=now)["budget"]
    assert [(row["situation"], row["valid_from"]) for row in budget["wohnsituation"]] == [("pflegeheim", "2026-04-01")]
    assert [row["given_on"] for row in budget["abtretungen"]] == ["2026-01-01"]
    erase(senior, user=None, now=now)
    db.session.commit()
    assert count(LivingSituation) == 0 and count(AbtretungPeriod) == 0
