"""German texts of a matching run, shared by the page and the ``match`` command."""

from ..models import WEEKDAYS, MatchRunStatus
from ..models.base import minutes_label


def visit_label(visit) -> str:
    """'Dienstag 10:00–12:00' for a stored visit [weekday, start, end]."""
    weekday, start, end = visit
    return f"{WEEKDAYS[weekday]} {minutes_label(start)}–{minutes_label(end)}"


def seconds_label(seconds: float | None) -> str:
    """'1,2 s' (German decimal comma)."""
    return f"{seconds or 0:.1f}".replace(".", ",") + " s"


def status_line(run) -> str:
    """What the result is worth: proven optimal, only the number proven, or the best found in time."""
    if run.status == MatchRunStatus.LAEUFT:
        return "Berechnung läuft …"
    if run.status == MatchRunStatus.FEHLER:
        return f"Berechnung fehlgeschlagen: {run.error}"
    served, total = run.served or 0, run.requests_count
    if total == 0:
        text = "Keine offenen Anfragen für Besuchsdienst oder Entlastung"
    elif run.solver_status == "OPTIMAL" and run.served_proven:
        text = (
            f"Bestmögliche Verteilung: {served} von {total} Anfragen können vermittelt werden – "
            "mehr geht mit den heutigen Zeiten und Plätzen nicht (rechnerisch geprüft)"
        )
    elif run.served_proven:
        text = (
            f"{served} von {total} Anfragen können vermittelt werden – mehr geht nicht (rechnerisch geprüft); "
            "Wege und Auslastung sind gut verteilt, aber nicht nachweislich bestmöglich"
        )
    else:
        text = (
            f"Bester Vorschlag in der Rechenzeit: {served} von {total} Anfragen; "
            f"möglicherweise wären bis zu {run.served_bound} vermittelbar"
        )
    return f"{text}; Rechenzeit {seconds_label(run.wall_s)}"
