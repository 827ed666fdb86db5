"""The billing PDFs as a Pflegekasse, a senior and an archive see them: text per page (pdftotext), PDF/A metadata
(pikepdf) and the GiroCode as a banking app reads it (zxing-cpp on the rendered page)."""

import dataclasses
import io
import re
import shutil
import subprocess
from datetime import date, time

import pikepdf
import pytest

from billing.documents import (
    merge_pdfs,
    render,
    render_all,
    render_combined,
    render_invoice,
    render_leistungsnachweis,
)
from billing.invoices import Abtretung, build_storno, number_invoices
from billing.money import minutes_between
from billing.month import Month
from billing.run import prepare_month
from tests.billing.billing_factories import CONFIG, TK, make_appointment, make_senior, make_senior_month

MARCH = Month(2026, 3)

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) not installed")


def pages_of(pdf: bytes) -> list[str]:
    """The text of each page as pdftotext reads it, whitespace collapsed."""
    out = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return [" ".join(page.split()) for page in out.split("\f")[:-1]]


def flat(pdf: bytes) -> str:
    return " ".join(pages_of(pdf))


@pytest.fixture(scope="module")
def run():
    """March 2026: Erika (Abtretung, 30 visits → private part, two pages) and Anna (TK, no Abtretung, 3 visits).

    Erika's visit of 5 March was planned 09:30–12:30 and reported as 165 minutes; every other one has a note."""
    erika = make_senior("s1", abtretungen=(Abtretung(date(2025, 1, 1)),))
    anna = make_senior("s2", name="Anna Albers", kvnr="Z987654326", pflegekasse=TK)
    erika_visits = [make_appointment(f"e{d}", date(2026, 3, d), minutes=120) for d in range(1, 31)]
    erika_visits[4] = make_appointment("e5", date(2026, 3, 5), minutes=165, start=time(9, 30), end=time(12, 30))
    for day in range(6, 31, 2):  # notes make it two pages
        erika_visits[day - 1] = dataclasses.replace(erika_visits[day - 1], note="Arztbesuch begleitet, Einkauf")
    anna_visits = [
        make_appointment(f"a{d}", date(2026, 3, d), minutes=47, senior_ref="s2", volunteer_name="Olga Petrova")
        for d in (3, 10, 17)
    ]
    inputs = [make_senior_month(erika, erika_visits), make_senior_month(anna, anna_visits)]
    return prepare_month(MARCH, inputs, config=CONFIG)


@pytest.fixture(scope="module")
def invoices(run):
    return number_invoices(run.invoices, last="2026-000122", issued_on=date(2026, 4, 2))


@pytest.fixture(scope="module")
def erika_ln(run):
    return render_leistungsnachweis(run.seniors[0].leistungsnachweis)


@pytest.fixture(scope="module")
def kasse_pdf(invoices):
    return render_invoice(invoices[0])


@pytest.fixture(scope="module")
def own(invoices):
    return next(inv for inv in invoices if inv.recipient.name == "Erika Mustermann")


def test_leistungsnachweis_lists_visits_totals_and_fields(run):
    anna = run.seniors[1].leistungsnachweis
    text = flat(render_leistungsnachweis(anna))
    assert "Leistungsnachweis März 2026" in text
    assert "Angebote zur Unterstützung im Alltag nach §45a SGB XI" in text
    assert "Anna Albers" in text and "12.04.1938" in text and "Hohe Straße 12" in text
    assert "Z987654326" in text
    assert "Pflegekasse TK-Pflegeversicherung" in text and "IK Pflegekasse 260326822" in text
    assert "Pflegegrad 2" in text
    assert "3 17.03.2026 10:00 10:47 47 0,78 2 Olga Petrova 5,88 €" in text
    assert "Summe (3 Einsätze) 141 2,35 Stundensatz 7,50 € 17,64 €" in text
    assert "davon Entlastungsbetrag (§45b SGB XI) 17,64 €" in text
    assert "davon privat (Selbstzahler) 0,00 €" in text
    assert "Unterschrift Versicherte/r" in text and "Unterschrift Ehrenamtliche/r (Olga Petrova)" in text
    assert "Abrechnungsmonat: März 2026" in text
    assert "Seite 1 von 1" in text


def test_planned_times_that_contradict_the_reported_minutes_are_not_printed(erika_ln):
    text = flat(erika_ln)
    assert "09:30" not in text and "12:30" not in text
    assert "5 05.03.2026 – – 165 2,75 2 Jürgen Schäfer 20,63 €" in text
    assert "Beginn und Ende stehen nur dort, wo sie mit den gemeldeten Minuten übereinstimmen." in text


def test_no_printed_start_and_end_contradicts_the_minutes(erika_ln, kasse_pdf):
    rows = re.findall(r"\d\d\.\d\d\.\d{4} (\d\d):(\d\d) (\d\d):(\d\d) (\d+) ", flat(erika_ln) + " " + flat(kasse_pdf))
    assert len(rows) == 29 + 25  # every visit but the 5th, on the Leistungsnachweis and the Kasse invoice
    for h1, m1, h2, m2, minutes in rows:
        assert minutes_between(time(int(h1), int(m1)), time(int(h2), int(m2))) == int(minutes)


def test_a_visit_note_is_printed_under_its_line(erika_ln, kasse_pdf):
    assert "6 06.03.2026 10:00 12:00 120 2,00 2 Jürgen Schäfer 15,00 € Entlastungsbetrag Tätigkeit: Arztbesuch" in (
        flat(erika_ln)
    )
    assert "Tätigkeit: Arztbesuch begleitet, Einkauf" in flat(kasse_pdf)


def test_every_page_of_a_long_leistungsnachweis_is_numbered_and_it_keeps_the_signatures(erika_ln):
    pages = pages_of(erika_ln)
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert f"Seite {number} von {len(pages)}" in page
        assert "Leistungsnachweis 03/2026 · Erika Mustermann" in page
    assert "Ort, Datum, Unterschrift Versicherte/r oder Vertretung" in pages[-1]
    assert "Ort, Datum, Unterschrift Ehrenamtliche/r (Jürgen Schäfer)" in pages[-1]


def test_kasse_invoice_names_category_ik_and_split(kasse_pdf):
    text = flat(kasse_pdf)
    assert "Rechnungsnummer 2026-000123" in text
    assert "Rechnungsdatum 02.04.2026" in text and "Leistungszeitraum März 2026" in text
    assert "IK Leistungserbringer 260326822" in text and "IK Pflegekasse 100696012" in text
    assert "Anerkennung Anerkennung nach AnFöVO" in text and "Az. TEST-42" in text
    assert "Kopenhagener Str. 1" in text and "44269 Dortmund" in text
    assert "Angebote zur Unterstützung im Alltag nach §45a SGB XI" in text
    assert "A123456780" in text
    assert "Abtretungserklärung vom" in text and "01.01.2025 (§ 398 BGB)" in text
    assert "26.03.2026 10:00 12:00 120 2,00 7,50 € 2 Jürgen Schäfer 15,00 € 12,37 €" in text
    assert "Nicht in dieser Rechnung: 2,63 €" in text  # private part of the 26th visit
    assert "Rechnungsbetrag 393,00 €" in text
    assert "bis zum 16.04.2026" in text
    assert "Die Leistungen sind nach § 4 Nr. 16 UStG umsatzsteuerfrei." in text


def test_every_invoice_page_carries_number_recipient_date_and_page_of_pages(kasse_pdf):
    pages = pages_of(kasse_pdf)
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert "Rechnung 2026-000123 · AOK NordWest – Die Pflegekasse" in page
        assert "Rechnungsdatum 02.04.2026" in page
        assert f"Seite {number} von {len(pages)}" in page


def test_senior_invoice_names_the_account_and_the_reference(own):
    text = flat(render_invoice(own))
    assert "davon privat (Selbstzahler) 62,63 €" in text
    assert "Bitte überweisen Sie 62,63 € bis zum 16.04.2026" in text
    assert "Hohe Straße 12" in text
    assert "Kontoinhaber Seniorenbegleitservice Musterstadt" in text
    assert "IBAN DE02 1203 0000 0000 2020 51" in text and "BIC BYLADEM1001" in text
    assert "Verwendungszweck Rechnung 2026-000125" in text


def test_the_girocode_on_a_senior_invoice_reads_as_the_transfer(own, tmp_path):
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    (tmp_path / "own.pdf").write_bytes(render_invoice(own))
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", tmp_path / "own.pdf", tmp_path / "p"], check=True
    )
    (page,) = tmp_path.glob("p*.png")
    (code,) = zxingcpp.read_barcodes(Image.open(page))
    lines = code.text.split("\n")
    assert lines[:4] == ["BCD", "002", "2", "SCT"]  # EPC QR code, version 2, UTF-8, SEPA credit transfer
    assert lines[4:8] == ["BYLADEM1001", "Seniorenbegleitservice Musterstadt", "DE02120300000000202051", "EUR62.63"]
    assert lines[-1] == "Rechnung 2026-000125"


def test_no_girocode_where_nothing_is_to_be_transferred(kasse_pdf, invoices, tmp_path):
    zxingcpp = pytest.importorskip("zxingcpp")
    from PIL import Image

    storno = number_invoices([build_storno(invoices[2])], last="2026-000125", issued_on=date(2026, 4, 20))[0]
    for name, pdf in (("kasse", kasse_pdf), ("storno", render_invoice(storno))):
        (tmp_path / f"{name}.pdf").write_bytes(pdf)
        subprocess.run(["pdftoppm", "-png", "-r", "100", tmp_path / f"{name}.pdf", tmp_path / name], check=True)
        for page in tmp_path.glob(f"{name}*.png"):
            assert zxingcpp.read_barcodes(Image.open(page)) == []


def test_pdfs_are_pdf_a_2b_with_embedded_fonts_and_german_metadata(kasse_pdf, erika_ln):
    for pdf, title in (
        (kasse_pdf, "Rechnung 2026-000123 – AOK NordWest – Die Pflegekasse"),
        (erika_ln, "Leistungsnachweis März 2026 – Erika Mustermann"),
    ):
        with pikepdf.open(io.BytesIO(pdf)) as doc:
            meta = doc.open_metadata()
            assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"
            assert meta["dc:title"] == title
            assert meta["dc:creator"] == ["Seniorenbegleitservice Musterstadt (Test)"]
            assert str(doc.Root.Lang) == "de-DE"
            (intent,) = doc.Root.OutputIntents  # the colour space every PDF/A names, with its ICC profile
            assert intent.S == "/GTS_PDFA1" and "/DestOutputProfile" in intent
            assert doc.trailer.ID is not None
            for font in doc.pages[0].Resources.Font.values():
                descriptor = font.DescendantFonts[0].FontDescriptor
                assert "/FontFile2" in descriptor, font.BaseFont


def test_storno_pdf_shows_negated_lines_and_the_original(invoices):
    storno = number_invoices(
        [build_storno(invoices[0], reason="Minuten korrigiert")], last="2026-000125", issued_on=date(2026, 4, 20)
    )[0]
    text = flat(render_invoice(storno))
    assert "Stornorechnung" in text and "Rechnungsnummer 2026-000126" in text
    assert "Storno zu 2026-000123" in text
    assert "Storno der Rechnung 2026-000123: Minuten korrigiert" in text
    assert "26.03.2026 10:00 12:00 -120 -2,00" in text  # negated minutes keep their times
    assert "-15,00 €" in text and "Rechnungsbetrag -393,00 €" in text
    assert "IBAN" not in text


def test_collective_invoice_has_a_section_per_person():
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
    assert text.count("Summe (1 Einsätze) 60 1,00 7,50 €") == 2
    assert text.index("Anna Albers") < text.index("Erika Mustermann")
    assert "Rechnungsbetrag 15,00 €" in text
    assert "Übersicht Versicherte/r Versichertennr." in text


def test_combined_print_file_numbers_each_leistungsnachweis_on_its_own(run):
    docs = [r.leistungsnachweis for r in run.seniors]
    erika = len(pages_of(render_leistungsnachweis(docs[0])))
    pages = pages_of(render_combined(docs))
    assert len(pages) == erika + 1
    for number in range(1, erika + 1):
        assert f"Seite {number} von {erika}" in pages[number - 1] and "Erika Mustermann" in pages[number - 1]
    assert "Seite 1 von 1" in pages[-1] and "Anna Albers" in pages[-1]


def test_render_all_in_worker_processes_keeps_the_order(run, invoices):
    docs = [r.leistungsnachweis for r in run.seniors] + list(invoices)
    seen = []
    pdfs = render_all(docs, workers=2, parallel_from=1, progress=lambda done, total: seen.append((done, total)))
    assert [flat(p).split()[0:2] for p in pdfs[:2]] == [["Seniorenbegleitservice", "Musterstadt"]] * 2
    assert "Leistungsnachweis März 2026" in flat(pdfs[0]) and "Anna Albers" in flat(pdfs[1])
    assert "Rechnung 2026-000124 · Anna Albers" in flat(pdfs[3])
    assert seen == [(n, 5) for n in range(6)]


def test_merged_print_file_keeps_every_page_in_order(run, erika_ln):
    anna = render_leistungsnachweis(run.seniors[1].leistungsnachweis)
    pages = pages_of(merge_pdfs([anna, erika_ln]))
    assert len(pages) == 1 + len(pages_of(erika_ln))
    assert "Anna Albers" in pages[0] and "Seite 1 von 1" in pages[0]
    assert "Erika Mustermann" in pages[1] and "Seite 1 von" in pages[1]


def test_render_refuses_an_unknown_template():
    with pytest.raises(FileNotFoundError):
        render("billing/nichts.typ", {})
