"""The senior's side of the service rule: a change of Pflegegrad must not strand a running Begleitung or request."""

import sqlalchemy as sa

from ..extensions import db
from ..models import Pairing, PairingStatus, Request, RequestStatus, Senior


def grade_change_error(senior: Senior, grade: int | None) -> str | None:
    """The German reason why the senior's Pflegegrad may not become ``grade``: a running Begleitung or an open request
    of the service that would no longer fit (Besuchsdienst only without, Entlastung only with a Pflegegrad), or None.
    Used by the senior form and the senior import."""
    if (grade is None) == (senior.pflegegrad is None):
        return None
    clashing = "entlastung" if grade is None else "besuchsdienst"
    pairings = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Pairing)
        .where(Pairing.senior_id == senior.id, Pairing.service == clashing, Pairing.status.in_(PairingStatus.RUNNING))
    )
    requests = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Request)
        .where(Request.senior_id == senior.id, Request.service == clashing, Request.status.in_(RequestStatus.OPEN))
    )
    if not pairings and not requests:
        return None
    service = "Häusliche Entlastung" if clashing == "entlastung" else "Besuchsdienst"
    return (
        f"Es laufen noch {pairings} Begleitung(en) und {requests} offene Anfrage(n) im Dienst {service}. "
        "Bitte diese zuerst beenden oder umstellen, dann den Pflegegrad ändern."
    )
