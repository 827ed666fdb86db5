"""The month's Leistungsnachweis signed on the volunteer's phone: stored once, checked, void when a line changes,
printed with "Digital unterschrieben am … von …" in the PDF."""

import base64
import io
import re
import shutil
import subprocess
from datetime import date

import pytest
import sqlalchemy as sa
from PIL import Image, ImageDraw

from begleitservice.appointments.links.tokens import make_area_token
from begleitservice.extensions import db
from begleitservice.models import MonthSignature
from begleitservice.signatures import is_valid, with_signatures
from billing.documents import render_leistungsnachweis
from billing.month import Month
from tests.app.test_scheduling_support import berlin, clock_fixture, weekly_pairing  # noqa: F401 (fixtures)
from tests.billing.billing_factories import CONFIG, make_senior, make_senior_month
from tests.billing.billing_factories import make_appointment as billing_visit
from tests.factories import make_appointment

NOW = berlin(2026, 11, 20, 10)


def drawn_png(*, width=600, height=200, stroke=True, kind="PNG") -> str:
    """A canvas like the phone's: transparent, with a line drawn on it (or nothing)."""
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    if stroke:
        ImageDraw.Draw(image).line([(20, 150), (200, 40), (380, 160), (560, 50)], fill=(27, 31, 36, 255), width=6)
    out = io.BytesIO()
    image.save(out, format=kind)
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


@pytest.fixture
def month_held(app_ctx, clock):
    """Erika visited Hildegard on 2, 9 and 16 November 2026 (held, 120 min each); now is 20 November."""
    pairing = weekly_pairing(starts_on=date(2026, 11, 2))
    visits = [
        make_appointment(pairing=pairing, on=date(2026, 11, day), status="stattgefunden", actual_minutes=120)
        for day in (2, 9, 16)
    ]
    clock(NOW)
    return pairing, visits


def token_of(volunteer) -> str:
    return make_area_token(volunteer, issued_at=NOW)


def sign_path(pairing) -> str:
    return f"/mein-bereich/{token_of(pairing.volunteer)}/unterschrift/{pairing.senior_id}/2026/11"


GOOD = {"signer_name": "Hildegard Beispiel", "confirmed": "y"}


def test_the_senior_signs_the_month_once(client, month_held):
    pairing, _visits = month_held
    page = client.get(sign_path(pairing)).get_data(as_text=True)
    assert "Leistungsnachweis November 2026" in page and "Montag, 02.11.2026, 10:00–12:00 Uhr" in page
    assert "signature_pad.umd.min.js" in page and "<script>" not in page  # static files only (CSP)

    response = client.post(sign_path(pairing), data={**GOOD, "signature": drawn_png()}, follow_redirects=True)
    text = response.get_data(as_text=True)
    assert "Vielen Dank! Die Unterschrift ist gespeichert." in text
    assert "Digital unterschrieben am 20.11.2026, 10:00 Uhr von Hildegard Beispiel." in text
    signature = db.session.scalar(sa.select(MonthSignature))
    assert signature.signer_name == "Hildegard Beispiel" and signature.signed_at == berlin(2026, 11, 20, 10)
    assert signature.signed_at.tzinfo is not None and signature.line_count == 3 and len(signature.lines_hash) == 64
    with Image.open(io.BytesIO(signature.image)) as stored:
        assert stored.format == "PNG" and stored.mode == "L" and stored.size == (600, 200)
    assert is_valid(signature)
    image = client.get(re.search(r'src="(/mein-bereich/[^"]+\.png)"', text).group(1))
    assert image.status_code == 200 and image.mimetype == "image/png"

    again = client.post(sign_path(pairing), data={**GOOD, "signature": drawn_png(), "signer_name": "Jemand"})
    assert "Digital unterschrieben am 20.11.2026, 10:00 Uhr von Hildegard Beispiel." in again.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MonthSignature)) == 1
    db.session.refresh(signature)
    assert signature.signer_name == "Hildegard Beispiel"


@pytest.mark.parametrize(
    "data, message",
    [
        ({"signature": ""}, "Bitte lassen Sie im Feld unterschreiben."),
        ({"signature": drawn_png(stroke=False)}, "Das Unterschriftsfeld ist leer."),
        ({"signature": "data:image/png;base64,kein-bild!!"}, "Die Unterschrift ist zu groß oder kein Bild."),
        ({"signature": drawn_png(kind="GIF")}, "Die Unterschrift ist kein PNG-Bild."),
        ({"signature": "data:image/svg+xml;base64,PHN2Zz4="}, "Die Unterschrift ist zu groß oder kein Bild."),
        ({"signature": drawn_png(width=20, height=20)}, "ungewöhnliche Größe"),
        ({"signature": "data:image/png;base64," + "A" * 200_000}, "Die Unterschrift ist zu groß oder kein Bild."),
        ({"signer_name": "  "}, "Bitte den Namen der Person eintragen, die unterschreibt."),
        ({"signer_name": "x" * 121}, "Bitte höchstens 120 Zeichen für den Namen."),
        ({"confirmed": ""}, "Bitte bestätigen Sie, dass die Unterschrift eben auf Ihrem Handy geleistet wurde."),
    ],
)
def test_a_bad_signature_is_refused_in_german_and_nothing_is_stored(client, month_held, data, message):
    pairing, _visits = month_held
    response = client.post(sign_path(pairing), data={**GOOD, "signature": drawn_png(), **data})
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in text and "Die Unterschrift wurde nicht gespeichert." in text
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MonthSignature)) == 0


def test_changing_a_signed_line_voids_the_signature_and_it_can_be_signed_again(client, month_held):
    pairing, visits = month_held
    client.post(sign_path(pairing), data={**GOOD, "signature": drawn_png()})
    signature = db.session.scalar(sa.select(MonthSignature))
    token = token_of(pairing.volunteer)

    client.post(
        f"/mein-bereich/{token}/stunden/{visits[2].id}",
        data={f"b{visits[2].id}-outcome": "stattgefunden", f"b{visits[2].id}-minutes": "90"},
    )
    db.session.expire_all()
    assert not is_valid(signature)
    home = client.get(f"/mein-bereich/{token}").get_data(as_text=True)
    assert "Unterschrift ungültig: Angaben wurden geändert." in home
    page = client.get(sign_path(pairing)).get_data(as_text=True)
    assert "gilt nicht mehr: Die Angaben wurden danach geändert." in page

    client.post(sign_path(pairing), data={**GOOD, "signer_name": "Petra Beispiel (Tochter)", "signature": drawn_png()})
    db.session.expire_all()
    signature = db.session.scalar(sa.select(MonthSignature))
    assert signature.signer_name == "Petra Beispiel (Tochter)" and is_valid(signature)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MonthSignature)) == 1


def test_a_billed_month_is_signed_on_paper(client, month_held):
    from begleitservice.models import BillingRun

    pairing, _visits = month_held
    db.session.add(BillingRun(month=date(2026, 11, 1), documents_dir="/nicht/benutzt"))
    db.session.commit()
    assert "Bitte unterschreiben Sie auf Papier." in client.get(sign_path(pairing)).get_data(as_text=True)
    response = client.post(sign_path(pairing), data={**GOOD, "signature": drawn_png()})
    assert "Der Monat ist schon abgerechnet." in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MonthSignature)) == 0


def test_someone_elses_link_or_month_shows_nothing(client, month_held):
    from tests.factories import make_volunteer

    pairing, _visits = month_held
    other = make_volunteer()
    assert client.get(f"/mein-bereich/{token_of(other)}/unterschrift/{pairing.senior_id}/2026/11").status_code == 404
    assert client.get(sign_path(pairing).replace("/2026/11", "/2026/13")).status_code == 404
    assert client.get(sign_path(pairing).replace("/2026/11", "/2026/10")).status_code == 404


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) not installed")
def test_the_leistungsnachweis_prints_the_valid_signature(month_held, client):
    pairing, visits = month_held
    client.post(sign_path(pairing), data={**GOOD, "signature": drawn_png()})
    senior = make_senior(str(pairing.senior_id), name="Hildegard Beispiel")
    lines = [billing_visit(str(v.id), v.on, minutes=120, senior_ref=senior.ref) for v in visits]
    from billing.run import prepare_month

    ln = prepare_month(Month(2026, 11), [make_senior_month(senior, lines)], config=CONFIG).seniors[0].leistungsnachweis
    signed = with_signatures(ln)
    assert [s.signer for s in signed.digital] == ["Hildegard Beispiel"]
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=render_leistungsnachweis(signed), capture_output=True, check=True
    ).stdout.decode()
    assert "Digital unterschrieben am 20.11.2026, 10:00 Uhr von Hildegard Beispiel" in " ".join(text.split())
    assert "Unterschrift Versicherte/r oder Vertretung" in text  # paper stays possible

    visits[0].actual_minutes = 60
    db.session.commit()
    assert with_signatures(ln).digital == ()  # void: printed without it


def test_the_signature_is_part_of_the_seniors_data_export_and_not_its_image_in_the_volunteers(client, month_held):
    from begleitservice.privacy.export import export_person

    pairing, _visits = month_held
    client.post(sign_path(pairing), data={**GOOD, "signature": drawn_png()})
    (own,) = export_person(pairing.senior, now=NOW)["unterschriften"]
    assert own["signer_name"] == "Hildegard Beispiel" and own["image"].startswith("data:image/png;base64,")
    (theirs,) = export_person(pairing.volunteer, now=NOW)["unterschriften"]
    assert theirs["signer_name"] == "Hildegard Beispiel" and "image" not in theirs
