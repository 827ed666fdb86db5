import io
from datetime import date

import pytest
from pypdf import PdfReader

from billing.documents import Renderer, render_all, render_invoice, render_leistungsnachweis
from billing.invoices import Abtretung, build_storno, number_invoices
from billing.month import Month
from billing.run import prepare_month
from tests.billing.billing_factories import CONFIG, TK, make_appointment, make_senior, make_senior_month

MARCH = Month(2026, 3)


def text_of(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def flat(pdf: bytes) -> str:
    return " ".join(text_of(pdf).split())


@pytest.fixture(scope="module")
def run():
    """March 2026: Erika (Abtretung, 30 visits → private part) and Anna (TK, no Abtretung, 3 visits)."""
    erika = make_senior("s1", abtretungen=(Abtretung(date(2025, 1, 1)),))
    anna = make_senior("s2", name="Anna Albers", kvnr="Z987654326", pflegekasse=TK)
    erika_visits = [make_appointment(f"e{d}", date(2026, 3, d), minutes=120) for d in range(1, 31)]
    anna_visits = [
        make_appointment(f"a{d}", date(2026, 3, d), minutes=47, senior_ref="s2", volunteer_name="Olga Petrova")
        for d in (3, 10, 17)
    ]
    inputs = [make_senior_month(erika, erika_visits), make_senior_month(anna, anna_visits)]
    return prepare_month(MARCH, inputs, config=CONFIG)


@pytest.fixture(scope="module")
def invoices(run):
    return number_invoices(run.invoices, last="2026-000122", issued_on=date(2026, 4, 2))


def test_leistungsnachweis_lists_visits_totals_and_fields(run):
    anna = run.seniors[1].leistungsnachweis
    text = flat(render_leistungsnachweis(anna))
    assert "Leistungsnachweis März 2026" in text
    assert "Angebote zur Unterstützung im Alltag nach §45a SGB XI" in text
    assert "Anna Albers" in text and "12.04.1938" in text and "Hohe Straße 12" in text
    assert "Z987654326" in text
    assert "TK-Pflegeversicherung, IK 260326822" in text
    assert "Pflegegrad 2" in text
    assert "17.03.2026 10:00 10:47 0,78 2 Olga Petrova 5,88 €" in text
    assert "Summe (3 Einsätze) 2,35 Stundensatz 7,50 € 17,64 €" in text
    assert "davon Entlastungsbetrag (§45b SGB XI) 17,64 €" in text
    assert "davon privat (Selbstzahler) 0,00 €" in text
    assert "Unterschrift Versicherte/r" in text and "Unterschrift Ehrenamtliche/r (Olga Petrova)" in text
    assert "Abrechnungsmonat: März 2026" in text


def test_kasse_invoice_names_category_ik_and_split(invoices):
    kasse = invoices[0]
    text = flat(render_invoice(kasse))
    assert "Rechnungsnummer 2026-000123" in text
    assert "Rechnungsdatum 02.04.2026" in text and "Leistungszeitraum März 2026" in text
    assert "IK Pflegekasse 100696012" in text and "IK Leistungserbringer 260326822" in text
    assert "Angebote zur Unterstützung im Alltag nach §45a SGB XI" in text
    assert "A123456780" in text
    assert "Abtretungserklärung vom 01.01.2025" in text
    assert "27.03.2026 10:00 12:00 2,00 7,50 € 2 Jürgen Schäfer 15,00 € 3,00 €" in text
    assert "Nicht in dieser Rechnung: 12,00 €" in text  # private part of the 27th visit
    assert "Rechnungsbetrag 393,00 €" in text
    assert "bis zum 16.04.2026" in text


def test_senior_invoice_for_the_private_part(invoices):
    own = next(inv for inv in invoices if inv.recipient.name == "Erika Mustermann")
    text = flat(render_invoice(own))
    assert "davon privat (Selbstzahler) 57,00 €" in text
    assert "Bitte überweisen Sie 57,00 €" in text
    assert "Hohe Straße 12" in text


def test_storno_pdf_shows_negated_lines_and_the_original(invoices):
    storno = number_invoices(
        [build_storno(invoices[0], reason="Minuten korrigiert")], last="2026-000125", issued_on=date(2026, 4, 20)
    )[0]
    text = flat(render_invoice(storno))
    assert "Stornorechnung" in text and "Rechnungsnummer 2026-000126" in text
    assert "Storno zu 2026-000123" in text
    assert "Storno der Rechnung 2026-000123: Minuten korrigiert" in text
    assert "-15,00 €" in text and "Rechnungsbetrag -393,00 €" in text


def test_collective_invoice_has_a_section_per_person(run):
    both = [
        make_senior_month(
            make_senior("s1", abtretungen=(Abtretung(date(2025, 1, 1)),)), [make_appointment("x", date(2026, 3, 2))]
        ),
        make_senior_month(
            make_senior("s2", name="Anna Albers", abtretungen=(Abtretung(date(2025, 1, 1)),)),
            [make_appointment("y", date(2026, 3, 3), senior_ref="s2")],
        ),
    ]
    (invoice,) = prepare_month(MARCH, both, config=CONFIG).invoices
    text = flat(render_invoice(invoice))
    assert "Rechnung (Sammelrechnung)" in text and "ENTWURF" in text
    assert "Summe Anna Albers 7,50 €" in text and "Summe Erika Mustermann 7,50 €" in text
    assert text.index("Anna Albers") < text.index("Erika Mustermann")
    assert "Rechnungsbetrag 15,00 €" in text
    assert "Übersicht Versicherte/r Versichertennr." in text


def test_render_many_cuts_one_pdf_per_document(run, invoices):
    docs = [r.leistungsnachweis for r in run.seniors] + list(invoices)
    renderer = Renderer()
    pdfs = renderer.render_many(docs)
    assert len(pdfs) == len(docs)
    assert "Leistungsnachweis März 2026" in text_of(pdfs[0]) and "Anna Albers" in text_of(pdfs[1])
    assert "2026-000123" in text_of(pdfs[2])
    for single, cut in zip(docs, pdfs, strict=True):
        assert len(PdfReader(io.BytesIO(cut)).pages) == len(PdfReader(io.BytesIO(renderer.render(single))).pages)
    combined = PdfReader(io.BytesIO(renderer.render_combined(docs)))
    assert len(combined.pages) == sum(len(PdfReader(io.BytesIO(p)).pages) for p in pdfs)
    assert renderer.render_many([]) == []


def test_render_all_in_worker_processes_keeps_the_order(run, invoices):
    docs = [r.leistungsnachweis for r in run.seniors] + list(invoices)
    pdfs = render_all(docs, workers=2, chunk=2)
    assert [text_of(p).split()[0:2] for p in pdfs[:2]] == [["Leistungsnachweis", "März"]] * 2
    assert "Anna Albers" in text_of(pdfs[1]) and "2026-000124" in text_of(pdfs[3])
