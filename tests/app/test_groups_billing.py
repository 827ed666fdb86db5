"""Demenzgruppen in the monthly billing run: each attended session is a line of the participant on that day at
the group's price, routed to the Pflegekasse or the senior by the Abtretung of that day; excused and unexcused
absences are not billed; the Leistungsnachweis lists the sessions; a billed month's attendance stays as billed."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from begleitservice.accounting.files import commit_with_files
from begleitservice.accounting.operations import run_month
from begleitservice.extensions import db
from begleitservice.groups import operations as ops
from begleitservice.models import BilledVisit, GroupPrice, Invoice
from billing.month import Month
from tests.factories import VALID_IKS, make_group, make_pflegekasse, make_provider, make_senior

FEBRUARY = Month(2026, 2)
TODAY = date(2026, 3, 10)


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


@pytest.fixture
def february(app_ctx):
    """A Wednesday group at 22,50 € per session; Ida (Abtretung from 15 Feb) came on the 4th and 18th, was excused
    on the 11th and missed the 25th without notice."""
    make_provider()
    kasse = make_pflegekasse(
        name="AOK NordWest", ik=VALID_IKS[0], street="Kopenhagener Str. 1", postal_code="44269", city="Dortmund"
    )
    ida = make_senior(
        first_name="Ida", last_name="Ilse", pflegegrad=3, pflegekasse=kasse, abtretung_on=date(2026, 2, 15)
    )
    group = make_group(name="Café Vergissmeinnicht")
    group.prices.append(GroupPrice(valid_from=date(2026, 1, 1), unit="sitzung", amount=Decimal("22.50")))
    participant = ops.enrol(group, ida)
    ops.admit(participant, starts_on=date(2026, 2, 1))
    sessions, _ = ops.generate_sessions(group, first=date(2026, 2, 1), last=date(2026, 2, 28))
    for session, mark in zip(sessions, ("anwesend", "entschuldigt", "anwesend", "unentschuldigt"), strict=True):
        ops.record_attendance(session, {ida.id: mark}, today=TODAY)
    db.session.commit()
    return {"ida": ida, "sessions": sessions}


def test_attended_sessions_are_billed_by_the_day(february, tmp_path):
    result = run_month(FEBRUARY, out_dir=tmp_path, today=TODAY, issued_on=TODAY)
    commit_with_files(result.staged)
    rows = db.session.scalars(sa.select(BilledVisit).order_by(BilledVisit.on)).all()
    assert [(r.on, r.amount, r.group_session_id is not None, r.appointment_id) for r in rows] == [
        (date(2026, 2, 4), Decimal("22.50"), True, None),
        (date(2026, 2, 18), Decimal("22.50"), True, None),
    ]
    first, second = rows
    assert first.senior_invoice is not None and first.kasse_invoice is None  # before the Abtretung: to Ida
    assert second.kasse_invoice is not None and second.senior_invoice is None  # from 15 Feb: to the AOK
    assert sorted(i.total for i in db.session.scalars(sa.select(Invoice))) == [Decimal("22.50"), Decimal("22.50")]
    path = tmp_path / f"Leistungsnachweis-2026-02-{february['ida'].id}.pdf"
    note = pdf_text(path)
    assert "04.02.2026" in note and "18.02.2026" in note and "Demenzbetreuungsgruppe – Angebote" in note
    assert "je Gruppentermin 22,50 €" in note and "Stundensatz" not in note
    assert "Unterschrift Gruppenleitung (Demenzgruppe" in note
    assert "11.02.2026" not in note and "25.02.2026" not in note
    kasse = db.session.scalar(sa.select(Invoice).where(Invoice.recipient_kind == "pflegekasse"))
    assert "– Demenzbetreuungsgruppe" in pdf_text(tmp_path / kasse.pdf_file)


def test_storno_of_an_invoice_with_sessions_rebills_them(february, tmp_path):
    from begleitservice.accounting.corrections import storno_and_rebill

    commit_with_files(run_month(FEBRUARY, out_dir=tmp_path, today=TODAY, issued_on=TODAY).staged)
    own = db.session.scalar(sa.select(Invoice).where(Invoice.recipient_kind == "senior"))
    result = storno_and_rebill(own, reason="Anschrift falsch", issued_on=TODAY)
    commit_with_files(result.staged)
    active = db.session.scalars(sa.select(BilledVisit).where(sa.not_(BilledVisit.is_cancelled))).all()
    assert sorted((v.on, v.amount) for v in active) == [
        (date(2026, 2, 4), Decimal("22.50")),
        (date(2026, 2, 18), Decimal("22.50")),
    ]


def test_billed_month_keeps_its_attendance(february, tmp_path):
    commit_with_files(run_month(FEBRUARY, out_dir=tmp_path, today=TODAY, issued_on=TODAY).staged)
    with pytest.raises(ops.GroupError, match="bereits abgerechnet"):
        ops.record_attendance(february["sessions"][1], {february["ida"].id: "anwesend"}, today=TODAY)


def test_second_run_bills_nothing_twice(february, tmp_path):
    commit_with_files(run_month(FEBRUARY, out_dir=tmp_path, today=TODAY, issued_on=TODAY).staged)
    again = run_month(FEBRUARY, out_dir=tmp_path, today=TODAY, issued_on=TODAY)
    assert not again.created
    assert db.session.scalar(sa.select(sa.func.count()).select_from(BilledVisit)) == 2
