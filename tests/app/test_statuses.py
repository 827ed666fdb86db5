"""Status enums: the stored codes never change (no data migration), labels are German, groups are named."""

import re

import sqlalchemy as sa

from begleitservice.extensions import db
from begleitservice.models import (
    APPOINTMENT_STATUSES,
    REQUEST_STATUSES,
    AppointmentStatus,
    CoverOfferStatus,
    MatchRunStatus,
    OutboxStatus,
    Pairing,
    PairingStatus,
    ProposalDecision,
    RequestStatus,
    SeniorStatus,
    VolunteerStatus,
)
from begleitservice.models.base import label_of, labels
from tests.codescan import lines_matching
from tests.factories import make_pairing

STORED = {
    AppointmentStatus: ["geplant", "bestaetigt", "abgesagt", "stattgefunden", "ausgefallen"],
    PairingStatus: ["aktiv", "pausiert", "beendet"],
    RequestStatus: ["offen", "vorgeschlagen", "vermittelt", "abgeschlossen", "zurueckgezogen"],
    SeniorStatus: ["aktiv", "wartend", "pausiert", "beendet", "gesperrt"],
    VolunteerStatus: ["bewerbung", "aktiv", "pausiert", "ausgeschieden"],
    ProposalDecision: ["offen", "angenommen", "abgelehnt", "ersetzt"],
    CoverOfferStatus: ["offen", "angenommen", "vergeben", "zurueckgezogen"],
    OutboxStatus: ["pending", "sending", "sent", "failed"],
    MatchRunStatus: ["laeuft", "fertig", "fehler"],
}


def test_the_stored_codes_are_the_ones_in_the_database():
    for enum, codes in STORED.items():
        assert [member.value for member in enum] == codes, enum.__name__
        assert list(labels(enum)) == codes


def test_members_are_their_codes_and_carry_german_labels():
    assert RequestStatus.ZURUECKGEZOGEN == "zurueckgezogen" and f"{RequestStatus.ZURUECKGEZOGEN}" == "zurueckgezogen"
    assert REQUEST_STATUSES["zurueckgezogen"] == "zurückgezogen" == RequestStatus.ZURUECKGEZOGEN.label
    assert APPOINTMENT_STATUSES[AppointmentStatus.BESTAETIGT] == "bestätigt"
    assert label_of(SeniorStatus, "wartend") == "wartet auf Vermittlung"
    assert label_of(OutboxStatus, "failed") == "fehlgeschlagen"
    assert ProposalDecision.ERSETZT.label == "durch neuere Berechnung ersetzt"


def test_groups():
    assert AppointmentStatus.OPEN == ("geplant", "bestaetigt")
    assert AppointmentStatus.LIVE == ("geplant", "bestaetigt", "stattgefunden")
    assert AppointmentStatus.CANCELLED == ("abgesagt", "ausgefallen")
    assert set(AppointmentStatus.LIVE) | set(AppointmentStatus.CANCELLED) == set(AppointmentStatus)
    assert PairingStatus.RUNNING == ("aktiv", "pausiert")
    assert RequestStatus.OPEN == ("offen", "vorgeschlagen")
    assert SeniorStatus.CURRENT == ("aktiv", "wartend", "pausiert")
    assert SeniorStatus.MATCHABLE == ("aktiv", "wartend")
    assert VolunteerStatus.CURRENT == ("bewerbung", "aktiv", "pausiert")


def test_a_status_set_from_the_enum_is_stored_as_its_code(app_ctx):
    pairing = make_pairing()
    pairing.status = PairingStatus.PAUSIERT
    db.session.commit()
    stored = db.session.scalar(sa.text("SELECT status FROM pairing WHERE id = :id"), {"id": pairing.id})
    assert stored == "pausiert" and type(stored) is str
    running = db.session.scalars(sa.select(Pairing.id).where(Pairing.status.in_(PairingStatus.RUNNING))).all()
    assert running == [pairing.id]


# A status or decision compared with, set to or filtered by a bare string (the list filters' "alle"/"" aside).
BARE_STATUS = re.compile(
    r"""\b(status|decision)\s*(==|!=|=)\s*["'](?!alle["']|["'])"""
    r"""|\b(status|decision)\.(in_|not_in)\(\s*[(\[]\s*["']"""
    r"""|\b(status|decision)\s+(not\s+)?in\s+[(\[]\s*["']"""
)


def test_app_code_uses_the_enums_not_bare_status_strings():
    assert BARE_STATUS.search('if appointment.status in ("geplant", "bestaetigt"):')  # the check can bite
    assert BARE_STATUS.search('run.status = "fertig"') and not BARE_STATUS.search('elif status != "alle":')
    found = [
        line
        for line in lines_matching(BARE_STATUS, home="")
        if line.startswith("begleitservice/") and not line.startswith("begleitservice/models/")  # SQL text there
    ]
    assert found == []
