"""Demo Demenzgruppen: a few groups at Dortmund's size with participants, waiting lists, sessions of the last
and the next weeks, rosters with steady teams and attendance (next month left to the staffing proposal)."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from ..extensions import db
from ..groups import operations as ops
from ..models import (
    Attendance,
    DementiaGroup,
    District,
    GroupAttendance,
    GroupClosure,
    GroupParticipant,
    GroupPrice,
    ParticipantStatus,
    PriceUnit,
    RosterSource,
    SeniorStatus,
    Volunteer,
)

# name, place, street, postal code, district, weekday, start, end
GROUPS = (
    ("Café Vergissmeinnicht", "Begegnungsstätte Hörde", "Hörder Bahnhofstraße 12", "44263", "Hörde", 2, 840, 1020),
    ("Montagsrunde Eving", "Seniorentreff Eving", "Evinger Platz 4", "44339", "Eving", 0, 870, 1050),
    ("Gedächtniscafé Brackel", "Gemeindehaus Brackel", "Brackeler Hellweg 150", "44309", "Brackel", 3, 840, 1020),
    ("Donnerstagsgruppe Mengede", "Begegnungsstätte Mengede", "Mengeder Markt 2", "44359", "Mengede", 3, 600, 780),
    (
        "Nachmittag am Borsigplatz",
        "Nachbarschaftshaus Borsigplatz",
        "Oesterholzstraße 40",
        "44145",
        "Innenstadt-Nord",
        1,
        840,
        1020,
    ),
)


def _staff(session, need: int, candidates: list[Volunteer]) -> None:
    """Put up to ``need`` volunteers on the roster, the group's team first, each through the roster rules."""
    for volunteer in dict.fromkeys(candidates):
        if len(session.roster) >= need:
            return
        try:
            ops.add_to_roster(session, volunteer, source=RosterSource.MANUELL)
        except ops.GroupError:
            continue


_MARKS = (Attendance.ANWESEND, Attendance.ENTSCHULDIGT, Attendance.UNENTSCHULDIGT)


def demo_groups(
    rng: random.Random, people, today: date, volunteers: list[Volunteer], districts: list[District], *, scale: int
) -> list:
    """Create the demo groups (added to the session and flushed); return what was made besides the groups."""
    by_name = {d.name: d for d in districts}
    helpers = [v for v in volunteers if v.offers_demenzgruppe]
    first_session = today - timedelta(weeks=8)
    made = []
    pool = list(helpers)
    rng.shuffle(pool)
    for copy in range(scale):
        for name, place, street, plz, district, weekday, start, end in GROUPS:
            label = name if copy == 0 else f"{name} {copy + 1}"
            group = DementiaGroup(
                name=label,
                place=place,
                street=street,
                postal_code=plz,
                district=by_name[district],
                sozialraum=next(iter(by_name[district].sozialraeume), None),
                weekday=weekday,
                start_minute=start,
                end_minute=end,
                starts_on=first_session - timedelta(weeks=rng.randint(10, 80)),
                capacity=rng.choice((8, 10, 12)),
                participants_per_volunteer=3,
                min_volunteers=2,
                lead_name=rng.choice(("Petra Hoffmann", "Ayşe Demir", "Thomas Krüger", "Monika Wiese")),
                lead_phone=f"0231 50-{rng.randint(10000, 29999)}",
            )
            group.prices.append(GroupPrice(valid_from=group.starts_on, unit=PriceUnit.SITZUNG, amount=Decimal("22.50")))
            group.closures.append(
                GroupClosure(
                    starts_on=date(today.year, 12, 24), ends_on=date(today.year + 1, 1, 6), reason="Weihnachtspause"
                )
            )
            db.session.add(group)
            taking_part = rng.randint(6, group.capacity)
            for index in range(taking_part + rng.randint(0, 3)):
                senior = people.senior(service="entlastung", status=SeniorStatus.AKTIV)
                senior.has_dementia = True
                people.place(senior, group.district, since=group.starts_on - timedelta(days=30))
                made.append(senior)
                waiting = index >= taking_part
                participant = GroupParticipant(
                    group=group,
                    senior=senior,
                    status=ParticipantStatus.WARTEND if waiting else ParticipantStatus.AKTIV,
                    starts_on=None if waiting else group.starts_on + timedelta(weeks=rng.randint(0, 8)),
                    waiting_since_at=datetime.combine(today - timedelta(days=rng.randint(5, 200)), time(9), tzinfo=UTC),
                    needs_transport=rng.random() < 0.4,
                )
                db.session.add(participant)
            db.session.flush()
            team = [pool.pop() for _ in range(min(3, len(pool)))]
            current_month_end = (today.replace(day=1) + timedelta(days=32)).replace(day=1) - timedelta(days=1)
            sessions, _ = ops.generate_sessions(group, first=first_session, last=current_month_end + timedelta(days=31))
            for session in sessions:
                if session.on > current_month_end:
                    continue  # next month: for the staffing proposal
                _staff(session, ops.needed_volunteers(group, session.on), team + helpers)
                if session.on >= today:
                    continue
                for participant in ops.participants_on(group, session.on):
                    roll = rng.random()
                    mark = (
                        Attendance.ANWESEND
                        if roll < 0.85
                        else Attendance.ENTSCHULDIGT
                        if roll < 0.95
                        else Attendance.UNENTSCHULDIGT
                    )
                    session.attendance.append(
                        GroupAttendance(senior=participant.senior, status=mark, recorded_by="Demo")
                    )
    db.session.flush()
    return made
