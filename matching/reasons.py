"""Explanations in German: the criteria a proposed pair meets, and why a request stayed open.

Unserved reasons are computed by walking the rules in the order a coordinator would check them, so each
reason names the first rule that leaves no volunteer, and the volunteers it concerns.
"""

from __future__ import annotations

import logging

from matching import candidates as cands
from matching.greedy import Plan
from matching.schedule import timetable
from matching.schema import WEEKDAYS_DE, Instance, Request, Unserved, Visit, Volunteer, format_hhmm

logger = logging.getLogger(__name__)

SERVICE_LABELS = {"besuchsdienst": "Besuchsdienst", "entlastung": "Häusliche Entlastung"}
GENDER_LABELS = {"w": "eine Frau", "m": "ein Mann", "d": "divers"}
SHORT_DAYS = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")
MAX_NAMED = 5


def hours(minutes: int) -> str:
    """German duration text: "45 Min.", "2 Std.", "1,5 Std."."""
    if minutes < 60:
        return f"{minutes} Min."
    value = f"{minutes / 60:.2f}".rstrip("0").rstrip(".").replace(".", ",")
    return f"{value} Std."


def km_text(km: float) -> str:
    return f"{km:.1f}".replace(".", ",") + " km"


def service_label(service: str) -> str:
    return SERVICE_LABELS.get(service, service)


def names(volunteers: list[Volunteer]) -> str:
    """Up to a few names, then how many more."""
    shown = ", ".join(v.label for v in volunteers[:MAX_NAMED])
    rest = len(volunteers) - MAX_NAMED
    return f"{shown} und {rest} weitere" if rest > 0 else shown


def windows_text(req: Request) -> str:
    return (
        ", ".join(f"{SHORT_DAYS[w.weekday]} {format_hhmm(w.start)}–{format_hhmm(w.end)}" for w in sorted(req.windows))
        or "keine Wunschzeiten angegeben"
    )


def explain_assignment(inst: Instance, plan: Plan, pair: cands.Pair, visits: list[Visit]) -> list[str]:
    """The criteria a proposed pair meets, in German."""
    req, vol = inst.requests[pair.r], inst.volunteers[pair.v]
    reasons = [f"bietet {service_label(req.service)} an"]
    if pair.home:
        reasons.append(f"wohnt im Stadtbezirk {req.district}")
    elif pair.km is not None:
        reasons.append(f"fährt nach {req.district} ({km_text(pair.km)})")
    else:
        reasons.append(f"fährt nach {req.district}")
    for lang in pair.languages:
        reasons.append(f"spricht {lang}")
    if req.languages and not pair.languages:
        reasons.extend(f"spricht {lang}" for lang in req.languages if lang in vol.languages)
    if req.volunteer_gender:
        reasons.append(f"ist {GENDER_LABELS.get(req.volunteer_gender, req.volunteer_gender)}, wie gewünscht")
    if req.pinned_volunteer is not None:
        reasons.append("von der Koordination bereits angenommen")
    for visit in visits:
        reasons.append(f"{WEEKDAYS_DE[visit.weekday]} {format_hhmm(visit.start)}–{format_hhmm(visit.end)} passt")
    left = vol.max_minutes_per_week - plan.minutes[pair.v]
    reasons.append(f"noch {hours(left)}/Woche frei" if left > 0 else "damit ist die freie Zeit pro Woche belegt")
    if req.urgency >= 3:
        reasons.append("dringende Anfrage (Stufe 3)")
    if req.waiting_days:
        reasons.append(f"wartet seit {req.waiting_days} Tagen")
    return reasons


def explain_unserved(inst: Instance, cand: cands.Candidates, plan: Plan, r: int) -> Unserved:
    """Why no volunteer takes this request in this proposal, as German text and a code."""
    req = inst.requests[r]
    code, text, concerned = _diagnose(inst, cand, plan, r)
    if code != "all_excluded" and (rejected := _rejected(inst, inst.requests[r])):
        text += f"; vom Team abgelehnt: {names(rejected)}"
    logger.debug("request %s unserved: %s", req.id, code)
    return Unserved(request=req.id, reasons=[text], reason_codes=[code], volunteers=[v.id for v in concerned])


def _rejected(inst: Instance, req) -> list[Volunteer]:
    """Volunteers the team rejected for this request (they would otherwise fit its service and district)."""
    excluded = set(req.excluded_volunteers)
    return [v for v in inst.volunteers if v.id in excluded and cands.offers_service(req, v)]


def _diagnose(inst: Instance, cand: cands.Candidates, plan: Plan, r: int) -> tuple[str, str, list[Volunteer]]:
    req = inst.requests[r]
    service = service_label(req.service)
    if req.visits_per_week < 1 or req.minutes_per_visit < 1 or req.visits_per_week > 7:
        return "invalid_request", "Anfrage unvollständig: Besuche pro Woche oder Dauer fehlen", []
    offering = [v for v in inst.volunteers if cands.offers_service(req, v)]
    local = [v for v in offering if cands.covers_district(req, v)]
    if not local:
        text = f"Niemand bietet {service} im Stadtbezirk {req.district or '(ohne Bezirk)'} an"
        if offering:
            text += f" ({len(offering)} Ehrenamtliche bieten es in anderen Stadtbezirken an)"
        return "no_service_in_district", text, []
    prefix = f"{len(local)} Ehrenamtliche bieten {service} in {req.district} an, aber"
    speaking = [v for v in local if cands.speaks_language(req, v)]
    if not speaking:
        return "no_language", f"{prefix} niemand spricht {' oder '.join(req.languages)}", []
    gendered = [v for v in speaking if cands.meets_gender(req, v)]
    if not gendered:
        wanted = GENDER_LABELS.get(req.volunteer_gender or "", req.volunteer_gender)
        return "no_gender", f"{prefix} keine passende Person ist {wanted} (Wunsch der Anfrage)", speaking
    allowed = [v for v in gendered if cands.allowed_by_coordinator(req, v)]
    if not allowed:
        if req.pinned_volunteer is not None:
            return (
                "pinned_unfit",
                f"Die angenommene Person ({req.pinned_volunteer}) erfüllt die Anfrage nicht mehr "
                "(Angebot, Bezirk, Sprache oder Geschlecht)",
                [],
            )
        return "all_excluded", f"Alle passenden Ehrenamtlichen wurden vom Team abgelehnt: {names(gendered)}", gendered
    roomy = [v for v in allowed if cands.has_capacity(req, v)]
    if not roomy:
        details = "; ".join(_capacity_text(req, v) for v in allowed[:MAX_NAMED])
        return "no_capacity_left", f"Alle passenden Ehrenamtlichen sind schon ausgelastet: {details}", allowed
    timed = [inst.volunteers[cand.pairs[i].v] for i in cand.by_request[r]]
    if not timed:
        return _time_reason(inst, req, roomy)
    return _taken_reason(inst, cand, plan, r, timed)


def _capacity_text(req: Request, vol: Volunteer) -> str:
    if vol.max_seniors < 1:
        return f"{vol.label} kann keine weiteren Senior(inn)en übernehmen"
    return f"{vol.label} hat noch {hours(vol.max_minutes_per_week)}/Woche frei, nötig {hours(req.weekly_minutes)}"


def _time_reason(inst: Instance, req: Request, roomy: list[Volunteer]) -> tuple[str, str, list[Volunteer]]:
    """No fitting volunteer has k weekdays where their free time covers a visit inside the windows."""
    settings = inst.settings
    windows = cands.by_weekday(req.windows, merged=False)
    unblocked = []
    for vol in roomy:
        available = cands.by_weekday(vol.availability, merged=False)
        days = cands.day_starts(windows, available, req.minutes_per_visit, settings.slot_minutes)
        if len(days) >= req.visits_per_week:
            unblocked.append(vol)
    if unblocked:
        return (
            "busy_blocks",
            f"Die Zeiten von {names(unblocked)} passen nur ohne ihre bestehenden Termine oder Abwesenheiten "
            f"(mit {settings.travel_buffer_minutes} Min. Wegezeit dazwischen); Wunschzeiten: {windows_text(req)}",
            unblocked,
        )
    days_text = f"an {req.visits_per_week} verschiedenen Wochentagen " if req.visits_per_week > 1 else ""
    return (
        "no_time_overlap",
        f"Die Verfügbarkeit von {names(roomy)} überschneidet sich nicht {days_text}mit den Wunschzeiten "
        f"({windows_text(req)}) für {req.minutes_per_visit} Min.",
        roomy,
    )


def _taken_reason(inst, cand, plan: Plan, r: int, timed: list[Volunteer]) -> tuple[str, str, list[Volunteer]]:
    """Every fitting volunteer is full or taken by other requests in this proposal: say by which."""
    details, free = [], []
    for i in cand.by_request[r]:
        pair = cand.pairs[i]
        vol = inst.volunteers[pair.v]
        others = plan.on_volunteer[pair.v]
        taken = ", ".join(inst.requests[p.r].label for p in others)
        if len(others) + 1 > vol.max_seniors:
            details.append(f"{vol.label} übernimmt bereits {taken} (max. {vol.max_seniors})")
        elif plan.minutes[pair.v] + pair.need > vol.max_minutes_per_week:
            left = vol.max_minutes_per_week - plan.minutes[pair.v]
            details.append(f"{vol.label} hat nach {taken} nur noch {hours(left)}/Woche frei")
        elif timetable([*others, pair], plan.planner) is None:
            details.append(f"{vol.label}: Termine kollidieren mit {taken}")
        else:
            free.append(vol)
    if free:
        return (
            "not_chosen",
            f"{names(free)} könnte(n) noch übernehmen; der Vorschlag ist nicht bewiesen optimal, bitte neu berechnen",
            free,
        )
    shown = "; ".join(details[:MAX_NAMED])
    more = f" und {len(details) - MAX_NAMED} weitere" if len(details) > MAX_NAMED else ""
    return "taken", f"Alle passenden Ehrenamtlichen sind in diesem Vorschlag vergeben: {shown}{more}", timed
