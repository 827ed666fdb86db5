"""The report as a PDF for the city's committees, laid out by Typst with the billing documents' engine.

``report_data`` turns the figures into German text (one dict, see ``templates/reports/annual.typ``);
``billing.documents.render`` makes the PDF/A. Tables are the export tables (exports.py) cut to what fits an A4
page; the charts are the page's SVG.
"""

from __future__ import annotations

from datetime import date

from ..clock import today
from ..inputs import german_date
from ..models import SERVICES
from ..models.names import sort_key
from . import charts
from .exports import OFFER_NAMES, Table, csv_text, offer_table
from .queries import Missing, Report

AUTHOR = "Ehrenamtlicher Seniorenbegleitservice"
DEFINITIONS = (
    "Anfragen zählen nach dem Tag ihres Eingangs im Stadtbezirk (Sozialraum) der Senior:in; „vermittelt“ heißt: "
    "daraus wurde eine Begleitung oder ein Platz in einer Demenzgruppe; „zurückgezogen“ und „wartet noch“ sind der "
    "Stand am Erstellungstag.",
    "Tage bis zur Vermittlung: vom Eingang der Anfrage bis zum Beginn der ersten Begleitung (bzw. des Gruppenplatzes), "
    "der Median je Gruppe.",
    "Senior:innen begleitet, Ehrenamtliche aktiv: verschiedene Personen mit mindestens einem Besuch, der im Zeitraum "
    "stattgefunden hat (eine Vertretung zählt für ihren Besuch), im Bezirk der besuchten Senior:in; „Gesamt“ zählt "
    "jede Person einmal. In Demenzgruppen: anwesende Teilnehmende bzw. Ehrenamtliche im Bezirk der Gruppe.",
    "Stunden: gemeldete Minuten der stattgefundenen Besuche durch 60; Demenzgruppen: Dauer der besuchten "
    "Gruppentreffen je Teilnehmer:in; die Stunden der Ehrenamtlichen in den Gruppen stehen gesondert.",
    "Ehrenamtliche neu: im Zeitraum aufgenommen; ausgeschieden: im Zeitraum auf „ausgeschieden“ gesetzt (im "
    "Wohnbezirk).",
    "Raten je 1.000: bezogen auf die Einwohner:innen ab 65 Jahren des Sozialraums (Zahlen der Stadt, letzter "
    "importierter Stand bis zum Berichtsjahr).",
)


def _text(table: Table, *, right_from: int = 1, total: bool = True, note: str = "", first: int = 30) -> dict:
    """A table as German text for the template (``first``: width of the first column in mm)."""
    return {
        "first": first,
        "title": table.title,
        "headers": table.headers,
        "right": list(range(right_from, len(table.headers))),
        "rows": [["–" if value is None else csv_text(value) for value in row] for row in table.rows],
        "total": total,
        "note": note,
    }


def _median(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}".replace(".", ",")


def overview_tables(report: Report, previous: Report) -> list[dict]:
    """Key figures beside the previous period, per offer, and per district (persons and hours)."""
    now, before = report.total, previous.total
    key = Table(
        "Auf einen Blick",
        ["Kennzahl", report.period.label, previous.period.label],
        [
            ["Anfragen eingegangen", now.total.received, before.total.received],
            ["davon vermittelt", now.total.placed, before.total.placed],
            ["davon zurückgezogen", now.total.withdrawn, before.total.withdrawn],
            ["davon wartet noch", now.total.waiting, before.total.waiting],
            ["Median Tage bis zur Vermittlung", _median(now.total.median_days), _median(before.total.median_days)],
            ["Senior:innen begleitet", now.total.seniors, before.total.seniors],
            ["Ehrenamtliche aktiv", now.total.volunteers, before.total.volunteers],
            ["Ehrenamtliche neu", now.volunteers_new, before.volunteers_new],
            ["Ehrenamtliche ausgeschieden", now.volunteers_left, before.volunteers_left],
            ["Begleitungen beendet", now.pairs_ended, before.pairs_ended],
            ["Stunden zusammen", now.total.hours, before.total.hours],
        ],
    )
    offers = offer_table(report)
    districts = [*sorted(report.areas, key=lambda a: sort_key(a.name)), report.total]
    persons = Table(
        "Je Stadtbezirk",
        [
            "Stadtbezirk",
            "Anfragen",
            "vermittelt",
            "wartet noch",
            "Tage (Median)",  # soft hyphens: the narrow heads break instead of running into each other
            "Senior:\u00adinnen",
            "Ehren\u00adamtliche",
            "neu",
            "ausge\u00adschieden",
            "beendet",
        ],
        [
            [
                a.name,
                a.total.received,
                a.total.placed,
                a.total.waiting,
                _median(a.total.median_days),
                a.total.seniors,
                a.total.volunteers,
                a.volunteers_new,
                a.volunteers_left,
                a.pairs_ended,
            ]
            for a in districts
        ],
    )
    hours = Table(
        "Stunden je Stadtbezirk",
        ["Stadtbezirk", *(OFFER_NAMES[c] for c in SERVICES), "zusammen", "Ehrenamtliche in Demenzgruppen"],
        [[a.name, *(a.offers[c].hours for c in SERVICES), a.total.hours, a.group_volunteer_hours] for a in districts],
    )
    return [
        _text(key, total=False, first=55),
        _text(offers, total=False, note=f"Vorzeitraum {previous.period.label}: siehe „Auf einen Blick“."),
        _text(persons, note="Senior:innen begleitet und Ehrenamtliche aktiv; „Gesamt“ zählt jede Person einmal."),
        _text(hours),
    ]


def _share(title: str, head: str, rows, whole: int) -> dict:
    body = [[label, count, f"{count * 100 / whole:.1f} %".replace(".", ",") if whole else "–"] for label, count in rows]
    return _text(Table(title, [head, "Anzahl", "Anteil"], body or [["niemand", 0, "–"]]), total=False, first=25)


def share_tables(report: Report) -> list[dict]:
    seniors, volunteers = report.total.total.seniors, report.total.total.volunteers
    return [
        _share("Senior:innen nach Sprache", "Sprache", report.seniors_by_language, seniors),
        _share("Senior:innen nach Alter", "Altersgruppe", report.seniors_by_age, seniors),
        _share("Ehrenamtliche nach Sprache", "Sprache", report.volunteers_by_language, volunteers),
        _text(
            Table(
                "Beendete Begleitungen",
                ["Grund", "Anzahl"],
                [list(r) for r in report.ended_by_reason] or [["keine", 0]],
            ),
            total=False,
            first=45,
        ),
    ]


def _thousands(value: int | None) -> str | None:
    return None if value is None else f"{value:,}".replace(",", ".")


def sozialraum_tables(report: Report) -> list[dict]:
    """One row per Sozialraum (its district and the Aktionsraum mark under the name); rates when imported."""
    rated = report.population_year is not None
    headers = ["Sozialraum (Stadtbezirk)", "Anfragen", "vermittelt", "begleitet", "Ehrenamtliche", "Stunden"]
    if rated:
        headers += ["Einw. 65+", "Anfragen je 1.000", "Begleitete je 1.000"]
    rows = []
    for area in [*report.areas, report.total]:
        name = area.name + (" · Aktionsraum" if area.is_aktionsraum else "")
        row = [
            f"{name}\n({area.district})" if area.district else name,
            area.total.received,
            area.total.placed,
            area.total.seniors,
            area.total.volunteers,
            area.total.hours,
        ]
        if rated:
            row += [
                _thousands(area.residents_65plus),
                area.per_1000(area.total.received),
                area.per_1000(area.total.seniors),
            ]
        rows.append(row)
    note = (
        f"Einwohner:innen ab 65 Jahren: Stand {report.population_year}; Raten nur, wo die Zahl der Stadt vorliegt."
        if rated
        else "Einwohnerzahlen der Stadt sind nicht importiert: keine Raten je 1.000."
    )
    return [_text(Table("Nach Sozialraum", headers, rows), note=note, first=55)]


def missing_tables(missing: Missing) -> list[dict]:
    headers = [
        "Stadtbezirk",
        *(f"wartet: {OFFER_NAMES[c]}" for c in SERVICES),
        "Std./Woche gewünscht",
        "Ehrenamtliche aktiv",
        "freie Std./Woche",
    ]
    rows = [
        [g.name, *(g.waiting[c] for c in SERVICES), g.needed_hours, g.volunteers, g.free_hours]
        for g in [*missing.gaps, missing.total]
    ]
    tables = [
        _text(
            Table(f"Wo Hilfe fehlt (Stand {german_date(today())})", headers, rows),
            note="Ehrenamtliche zählen in ihrem Wohnbezirk und in jedem Bezirk, in den sie fahren; in „Gesamt“ einmal.",
        )
    ]
    for title, head, rows in (
        ("Nach Angebot", "Angebot", [[OFFER_NAMES[code], *rest] for code, *rest in missing.by_offer]),
        ("Nach Sprachwunsch", "Sprache", [list(r) for r in missing.by_language]),
        ("Nach Wunschzeit", "Tageszeit", [list(r) for r in missing.by_daytime]),
    ):
        headers = [head, "wartende Anfragen", "Ehrenamtliche", "freie Std./Woche"]
        tables.append(_text(Table(title, headers, rows or [["keine", 0, 0, "–"]]), total=False, first=50))
    if missing.reasons:
        tables.append(
            _text(
                Table(
                    "Warum kein Vorschlag (letzte Berechnung)",
                    ["Grund", "Anfragen"],
                    [list(r) for r in missing.reasons],
                ),
                total=False,
                first=90,
            )
        )
    return tables


def report_data(report: Report, previous: Report, sozialraeume: Report, missing: Missing, *, created: date) -> dict:
    """The JSON-able dict of ``templates/reports/annual.typ``."""
    period = report.period
    districts = sorted(report.areas, key=lambda a: sort_key(a.name))
    title = f"Bericht {period.label}"
    return {
        "title": title,
        "author": AUTHOR,
        "created": german_date(created),
        "subtitle": f"Zeitraum {german_date(period.start)} bis {german_date(period.end)}, "
        f"daneben {previous.period.label}. {AUTHOR} – Zahlen für die Ausschüsse der Stadt.",
        "overview": overview_tables(report, previous),
        "charts": {
            "hours": str(
                charts.bar_chart(
                    f"Stunden je Stadtbezirk, {period.label}",
                    [(a.name, a.total.hours) for a in districts],
                    unit="Stunden",
                )
            ),
            "hours_caption": "Stunden aller Angebote je Stadtbezirk (Werte in der Tabelle „Stunden je Stadtbezirk“).",
            "requests": str(
                charts.bar_chart(
                    f"Anfragen je Stadtbezirk, {period.label}",
                    [(a.name, a.total.received) for a in districts],
                    unit="Anfragen",
                )
            ),
            "requests_caption": "Eingegangene Anfragen je Stadtbezirk (Werte in der Tabelle „Je Stadtbezirk“).",
        },
        "shares": share_tables(report),
        "sozialraum": sozialraum_tables(sozialraeume),
        "missing": missing_tables(missing),
        "definitions": list(DEFINITIONS),
    }


def annual_pdf(report: Report, previous: Report, sozialraeume: Report, missing: Missing) -> bytes:
    """The report as a PDF/A (the billing documents' Typst engine)."""
    from billing.documents import render

    data = report_data(report, previous, sozialraeume, missing, created=today())
    return render("reports/annual.typ", data, title=data["title"], author=AUTHOR)
