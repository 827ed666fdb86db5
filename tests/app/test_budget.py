"""The Entlastungsbetrag ledger in the app: inputs from the stored facts, the ledger page, forms, the budget flag."""

import html
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa

from begleitservice.budget.inputs import billing_config, ledger_input
from begleitservice.budget.operations import budget_warning
from begleitservice.extensions import db
from begleitservice.models import BudgetOpening, BudgetOtherUse, PflegegradPeriod, Senior, UmwandlungDeclaration
from begleitservice.seniors.operations import FIELDS, save_senior
from billing.ledger import compute_ledger
from billing.month import Month
from tests.factories import (
    VALID_KVNRS,
    district,
    make_appointment,
    make_pairing,
    make_pflegekasse,
    make_senior,
    make_volunteer,
)

WEEKDAYS_9_TO_18 = tuple((d, 9 * 60, 18 * 60) for d in range(5))


def entlastung_senior(*, since: date | None = date(2023, 1, 1), **kw):
    """A senior with Pflegegrad (KVNR and Pflegekasse as billing needs), with history from ``since``."""
    kw.setdefault("pflegegrad", 2)
    senior = make_senior(pflegekasse=make_pflegekasse(), **kw)
    if since is not None:
        db.session.add(PflegegradPeriod(senior=senior, grade=senior.pflegegrad, valid_from=since))
        db.session.commit()
    return senior


def entlastung_pairing(senior, **kw):
    """An Entlastung pairing of ``senior`` with a qualified volunteer (default: Mondays 10–12)."""
    return make_pairing(senior=senior, volunteer=make_volunteer(offers_entlastung=True), **kw)


def row(page: str, month: str) -> str:
    """The text of the ledger row of ``month`` (``2025-06``), tags stripped, spaces normalised."""
    match = re.search(rf'<tr id="monat-{month}">(.*?)</tr>', page, re.S)
    assert match, f"no ledger row for {month}"
    text = html.unescape(re.sub(r"<[^>]+>", " ", match.group(1))).replace("\xa0", " ")
    return " ".join(text.split())


@pytest.fixture
def on_day(app_ctx, monkeypatch):
    """Set the service's today (and the appointments' now) to a given date."""

    def _set(day: date):
        monkeypatch.setitem(app_ctx.config, "TODAY", day)
        monkeypatch.setitem(app_ctx.config, "NOW", datetime(day.year, day.month, day.day, 7, tzinfo=UTC))

    return _set


def test_ledger_input_maps_stored_facts(app_ctx):
    senior = entlastung_senior(since=date(2024, 1, 1))
    entlastung_pairing(senior, starts_on=date(2025, 3, 10))
    db.session.add_all(
        [
            BudgetOpening(senior=senior, as_of=date(2025, 1, 15), current_year=Decimal("131.00"), source="AOK"),
            BudgetOtherUse(senior=senior, month=date(2025, 2, 1), amount=Decimal("40.00"), note="Pflegedienst"),
            UmwandlungDeclaration(senior=senior, month=date(2025, 3, 1), amount=Decimal("100.00")),
        ]
    )
    db.session.commit()
    data = ledger_input(senior)
    assert data.service_start == Month(2025, 3)
    assert [(g.grade, g.valid_from) for g in data.grades] == [(2, date(2024, 1, 1))]
    ledger = compute_ledger(data, config=billing_config(), until=Month(2025, 3))
    assert ledger.months[0].month == Month(2025, 1)  # the opening balance starts the account earlier
    assert ledger.month(Month(2025, 3)).balance == Decimal("353.00")  # 131 + 131 − 40 + 131
    assert ledger.month(Month(2025, 3)).umwandlung_available == Decimal("100.00")


def test_ledger_input_without_history_uses_current_grade(app_ctx):
    senior = entlastung_senior(pflegegrad=3, since=None)
    entlastung_pairing(senior, starts_on=date(2020, 5, 4))
    data = ledger_input(senior)
    assert data.service_start == Month(2020, 5)
    assert [(g.grade, g.valid_from) for g in data.grades] == [(3, date(2020, 5, 4))]


def test_billing_config_reads_app_overrides(app_ctx, monkeypatch):
    monkeypatch.setitem(app_ctx.config, "BILLING", {"hourly_rate": "8.00"})
    assert billing_config().hourly_rate.value_on(date(2026, 1, 1)) == Decimal("8.00")


def test_ledger_page_exact_cents_over_the_year_boundary(app_ctx, coordinator, on_day):
    on_day(date(2025, 8, 15))
    senior = entlastung_senior()
    db.session.add_all(
        [
            BudgetOpening(
                senior=senior,
                as_of=date(2024, 3, 10),
                current_year=Decimal("300.00"),
                carried=Decimal("50.00"),
                source="AOK, Schreiben vom 08.03.2024",
            ),
            BudgetOtherUse(senior=senior, month=date(2024, 5, 1), amount=Decimal("80.00"), note="Tagespflege"),
            BudgetOtherUse(senior=senior, month=date(2025, 3, 1), amount=Decimal("100.00"), note="Haushaltshilfe"),
            UmwandlungDeclaration(senior=senior, month=date(2025, 7, 1), amount=Decimal("200.00")),
        ]
    )
    db.session.commit()
    pairing = entlastung_pairing(senior, starts_on=date(2025, 7, 7))
    make_appointment(pairing=pairing, on=date(2025, 7, 7), status="stattgefunden", actual_minutes=120)

    page = coordinator.get(f"/seniors/{senior.id}/budget").get_data(as_text=True)

    assert "Entlastungsbetrag: " in page
    assert "Anfangsbestand" in row(page, "2024-03") and "350,00 €" in row(page, "2024-03")
    assert "AOK, Schreiben vom 08.03.2024" in page  # the opening's source is shown as its basis
    # May 2024: 350 + 125 + 125 − 80 (carried money first) = 520
    assert row(page, "2024-05").endswith("0,00 € 520,00 €")
    assert "80,00 €" in row(page, "2024-05")
    # December 2024 still 125 €, January 2025 131 €; the rest of 2024 is carried
    assert "125,00 €" in row(page, "2024-12") and row(page, "2024-12").endswith("1.395,00 €")
    assert row(page, "2025-01").startswith("Januar 2025 2 131,00 € 1.395,00 € 1.526,00 €")
    assert "gültig ab 01.01.2025" in page
    # March 2025: 100 € other use from the carried money; June 2025: the rest of the carry-over lapses
    assert row(page, "2025-06").endswith("1.295,00 € 786,00 €")
    # July 2025: 131 € credited, the visit (2 h × 7,50 €) is expected, paid from the Entlastungsbetrag
    july = row(page, "2025-07")
    assert "voraussichtlich" in july and "15,00 €" in july and july.endswith("902,00 €")
    assert "von 200,00 €" in july  # the declared Umwandlung
    assert "Verfügbar im August 2025" in page and "1.033,00\xa0€" in page


def _senior_form(senior, **changes) -> dict:
    """The senior edit form's data as a browser would post it."""
    data = {}
    for name in FIELDS:
        value = getattr(senior, name)
        if value is None or value is False:
            continue
        data[name] = "y" if value is True else value.isoformat() if isinstance(value, date) else str(value)
    for name, value in changes.items():
        data[name] = value
    return data


def test_pflegegrad_change_keeps_history_and_the_ledger_credits_from_that_month(app_ctx, coordinator, on_day):
    on_day(date(2026, 11, 10))
    kasse = make_pflegekasse()
    senior = make_senior()  # Besuchsdienst, no Pflegegrad
    response = coordinator.post(
        f"/seniors/{senior.id}/bearbeiten",
        data=_senior_form(
            senior, pflegegrad="2", kvnr=VALID_KVNRS[0], pflegekasse_id=str(kasse.id), pflegegrad_since="2026-07-15"
        ),
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    response = coordinator.post(
        f"/seniors/{senior.id}/bearbeiten", data=_senior_form(senior, pflegegrad="3", pflegegrad_since="2026-10-01")
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    periods = db.session.scalars(sa.select(PflegegradPeriod).order_by(PflegegradPeriod.valid_from)).all()
    assert [(p.grade, p.valid_from, p.valid_until) for p in periods] == [
        (2, date(2026, 7, 15), date(2026, 9, 30)),
        (3, date(2026, 10, 1), None),
    ]
    db.session.add(
        BudgetOpening(senior=senior, as_of=date(2026, 1, 5), current_year=Decimal("0"), source="Pflegekasse")
    )
    db.session.commit()
    page = coordinator.get(f"/seniors/{senior.id}/budget").get_data(as_text=True)
    assert row(page, "2026-06").startswith("Juni 2026 – 0,00 €")
    assert row(page, "2026-07").startswith("Juli 2026 2 131,00 €")  # gained mid-July: July is credited
    assert row(page, "2026-10").startswith("Oktober 2026 3 131,00 €")
    assert row(page, "2026-12").endswith("786,00 €")  # July to December
    assert "3 ab 01.10.2026" in page


def test_pflegegrad_since_cannot_lie_before_the_running_grade(app_ctx, coordinator, on_day):
    on_day(date(2026, 11, 10))
    senior = entlastung_senior(since=date(2026, 5, 1))
    response = coordinator.post(
        f"/seniors/{senior.id}/bearbeiten", data=_senior_form(senior, pflegegrad="3", pflegegrad_since="2026-04-01")
    )
    assert "gilt seit 01.05.2026; der neue kann nicht früher beginnen" in response.get_data(as_text=True)
    db.session.expire_all()
    assert senior.pflegegrad == 2
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PflegegradPeriod)) == 1


def test_umwandlung_above_the_cap_is_refused(app_ctx, coordinator, on_day):
    on_day(date(2026, 3, 10))
    senior = entlastung_senior()
    url = f"/seniors/{senior.id}/budget/umwandlung"
    response = coordinator.post(url, data={"umw-month": "03/2026", "umw-amount": "318,41"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Höchstens 318,40 € im Monat bei Pflegegrad 2" in html.unescape(page)
    assert "Es wurde nichts gespeichert." in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UmwandlungDeclaration)) == 0

    response = coordinator.post(url, data={"umw-month": "03/2026", "umw-amount": "318.40", "umw-note": "Tochter"})
    assert response.status_code == 302
    saved = db.session.scalar(sa.select(UmwandlungDeclaration))
    assert (saved.month, saved.amount) == (date(2026, 3, 1), Decimal("318.40"))


def test_no_umwandlung_with_pflegegrad_1(app_ctx, coordinator, on_day):
    on_day(date(2026, 3, 10))
    senior = entlastung_senior(pflegegrad=1)
    response = coordinator.post(
        f"/seniors/{senior.id}/budget/umwandlung", data={"umw-month": "03/2026", "umw-amount": "10"}
    )
    assert "Bei Pflegegrad 1 gibt es keinen Umwandlungsanspruch" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(UmwandlungDeclaration)) == 0


def test_bad_input_is_refused_and_nothing_saved(app_ctx, coordinator, on_day):
    on_day(date(2026, 3, 10))
    senior = entlastung_senior()
    response = coordinator.post(
        f"/seniors/{senior.id}/budget/nutzung", data={"use-month": "02/2026", "use-amount": "-5", "use-note": "x"}
    )
    assert "Der Betrag muss größer als 0 € sein." in response.get_data(as_text=True)
    response = coordinator.post(
        f"/seniors/{senior.id}/budget/nutzung", data={"use-month": "Februar", "use-amount": "5", "use-note": "x"}
    )
    assert "Bitte den Monat als MM/JJJJ angeben" in response.get_data(as_text=True)
    response = coordinator.post(
        f"/seniors/{senior.id}/budget/anfangsbestand",
        data={"opening-as_of": "2026-01-10", "opening-current_year": "131", "opening-source": " "},
    )
    assert "Bitte angeben, wer den Stand mitgeteilt hat und wann." in response.get_data(as_text=True)
    response = coordinator.post(
        f"/seniors/{senior.id}/budget/anfangsbestand",
        data={"opening-as_of": "2026-01-10", "opening-current_year": "-1", "opening-source": "AOK"},
    )
    assert "Der Betrag kann nicht negativ sein." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BudgetOtherUse)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BudgetOpening)) == 0


def test_accounting_can_view_enter_and_delete(app_ctx, login, on_day):
    on_day(date(2026, 3, 10))
    senior = entlastung_senior()
    accounting = login("accounting")
    assert accounting.get(f"/seniors/{senior.id}/budget").status_code == 200
    response = accounting.post(
        f"/seniors/{senior.id}/budget/nutzung",
        data={"use-month": "02/2026", "use-amount": "12,50", "use-note": "Tagespflege laut Sohn"},
    )
    assert response.status_code == 302
    use = db.session.scalar(sa.select(BudgetOtherUse))
    assert (use.month, use.amount, use.note) == (date(2026, 2, 1), Decimal("12.50"), "Tagespflege laut Sohn")
    page = accounting.get(f"/seniors/{senior.id}/budget").get_data(as_text=True)
    assert "Tagespflege laut Sohn" in page and "12,50 €" in row(page, "2026-02")
    response = accounting.post(f"/seniors/{senior.id}/budget/nutzung/{use.id}/loeschen")
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BudgetOtherUse)) == 0


def test_senior_page_links_the_ledger(app_ctx, coordinator):
    senior = entlastung_senior()
    page = coordinator.get(f"/seniors/{senior.id}").get_data(as_text=True)
    assert f'href="/seniors/{senior.id}/budget"' in page and "Entlastungsbetrag" in page


def _create_pairing(client, senior, slots: str):
    volunteer = make_volunteer(offers_entlastung=True, availability=WEEKDAYS_9_TO_18, max_minutes_per_week=600)
    return client.post(
        "/pairings/neu",
        data={
            "volunteer_id": volunteer.id,
            "senior_id": senior.id,
            "service": "entlastung",
            "slots": slots,
            "interval_weeks": "1",
            "starts_on": "2026-03-02",
            "status": "aktiv",
        },
        follow_redirects=True,
    )


def test_budget_warning_for_a_pairing_beyond_the_budget(app_ctx, coordinator, on_day):
    on_day(date(2026, 3, 2))
    senior = entlastung_senior(since=date(2026, 3, 1))
    # 5 hours a week: 21.67 hours = 162,50 € a month against 131 €
    page = _create_pairing(coordinator, senior, "Mo 10:00-12:00; Mi 10:00-12:00; Fr 10:00-11:00")
    text = html.unescape(page.get_data(as_text=True))
    assert "angelegt" in text
    assert "Ab 03/2026 reicht das Budget nicht: voraussichtlich 31,50 € privat" in text


def test_no_budget_warning_within_the_budget(app_ctx, coordinator, on_day):
    on_day(date(2026, 3, 2))
    senior = entlastung_senior(since=date(2026, 3, 1))
    # 4 hours a week: 17.33 hours = 130,00 € a month, within 131 €
    page = _create_pairing(coordinator, senior, "Mo 10:00-12:00; Mi 10:00-12:00")
    text = page.get_data(as_text=True)
    assert "angelegt" in text and "reicht das Budget nicht" not in text


def test_budget_warning_counts_running_pairings_and_biweekly_slots(app_ctx, on_day):
    on_day(date(2026, 3, 2))
    senior = entlastung_senior(since=date(2026, 3, 1))
    entlastung_pairing(senior, slots=((0, 10 * 60, 240),), interval_weeks=2, starts_on=date(2026, 3, 2))
    # 4 hours every second week count as 2 hours a week: + 2 h = 130 € a month (covered), + 3 h = 162,50 € (not)
    assert budget_warning(senior, 2 * 60) is None
    assert budget_warning(senior, 3 * 60).startswith("Ab 03/2026 reicht das Budget nicht")


def test_new_senior_records_a_pflegegrad_history_only_with_a_date(app_ctx):
    kasse = make_pflegekasse()
    base = dict(
        first_name="Anna",
        birth_on=date(1940, 2, 3),
        street="Hauptstr. 1",
        postal_code="44339",
        city="Dortmund",
        district_id=district("Eving").id,
        pflegegrad=2,
        pflegekasse_id=kasse.id,
    )
    dated = save_senior(Senior(), last_name="Mit", kvnr=VALID_KVNRS[1], pflegegrad_since=date(2025, 4, 1), **base)
    undated = save_senior(Senior(), last_name="Ohne", kvnr=VALID_KVNRS[2], **base)
    db.session.commit()
    periods = db.session.scalars(sa.select(PflegegradPeriod)).all()
    assert [(p.senior_id, p.grade, p.valid_from) for p in periods] == [(dated.id, 2, date(2025, 4, 1))]
    assert [g.grade for g in ledger_input(undated).grades] == [2]  # the current grade, from the record's start
