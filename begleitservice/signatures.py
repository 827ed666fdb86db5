"""Signatures on the phone: the senior (or their representative) signs a month's Leistungsnachweis in "Mein Bereich".

One home for what a signature covers and when it holds: :func:`signed_lines` are the visits one volunteer made to
one senior in a month that took place with minutes; :func:`lines_hash` is their fingerprint; a signature is valid
while the lines still have the hash it was given (:func:`is_valid`) – changing, adding or removing a line voids it.
Flush only; the view commits. Paper stays possible: nothing requires a digital signature.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import io
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from PIL import Image, UnidentifiedImageError

from billing.month import Month
from billing.run import DigitalSignature, Leistungsnachweis

from .accounting.operations import billing_run_of
from .database import lock
from .extensions import db
from .models import Appointment, AppointmentStatus, MonthSignature, Pairing, Senior, Volunteer

log = logging.getLogger(__name__)

DATA_URL = "data:image/png;base64,"
MAX_SIDE = 3000  # pixels: a phone canvas at 3x is about 1200 x 600
MIN_SIDE = 50
MAX_NAME = 120


def not_an_image() -> str:
    """The message for anything that is not a usable signature image (translated when raised)."""
    return _("Die Unterschrift ist zu groß oder kein Bild. Bitte noch einmal unterschreiben.")


class SignatureError(ValueError):
    """The signature cannot be stored; the message is German (``field`` names the form field)."""

    def __init__(self, message: str, field: str = "signature"):
        super().__init__(message)
        self.field = field


def signed_lines(senior_id: int, volunteer_id: int, month: Month) -> list[Appointment]:
    """The lines a signature covers: visits the volunteer made (own or as stand-in) to the senior in the month that
    took place with minutes, in visit order."""
    done_by = sa.or_(
        sa.and_(Pairing.volunteer_id == volunteer_id, Appointment.cover_volunteer_id.is_(None)),
        Appointment.cover_volunteer_id == volunteer_id,
    )
    return list(
        db.session.scalars(
            sa.select(Appointment)
            .join(Appointment.pairing)
            .where(
                Pairing.senior_id == senior_id,
                done_by,
                Appointment.on.between(month.first_day, month.last_day),
                Appointment.status == AppointmentStatus.STATTGEFUNDEN,
                Appointment.actual_minutes.is_not(None),
            )
            .order_by(Appointment.on, Appointment.planned_start, Appointment.id)
        )
    )


def lines_hash(lines: list[Appointment]) -> str:
    """SHA-256 of what the Leistungsnachweis shows of each line: visit, date, start, end and minutes."""
    text = "\n".join(
        f"{a.id}|{a.on.isoformat()}|{a.planned_start:%H:%M}|{a.planned_end:%H:%M}|{a.actual_minutes}" for a in lines
    )
    return hashlib.sha256(text.encode()).hexdigest()


def is_valid(signature: MonthSignature, lines: list[Appointment] | None = None) -> bool:
    """The signature still covers exactly the lines it was given (else it is void); ``lines``: its
    :func:`signed_lines` when already loaded."""
    if lines is None:
        lines = signed_lines(signature.senior_id, signature.volunteer_id, Month.of(signature.month))
    return bool(lines) and lines_hash(lines) == signature.lines_hash


def signature_of(senior_id: int, volunteer_id: int, month: Month) -> MonthSignature | None:
    """The stored signature of that senior, volunteer and month (valid or void), if any."""
    return db.session.scalar(
        sa.select(MonthSignature).where(
            MonthSignature.senior_id == senior_id,
            MonthSignature.volunteer_id == volunteer_id,
            MonthSignature.month == month.first_day,
        )
    )


def decode_png(value: str | None) -> bytes:
    """The signature drawn in the browser (a PNG data URL) checked and re-encoded as a small greyscale PNG."""
    if not value:
        raise SignatureError(_("Bitte lassen Sie im Feld unterschreiben."))
    limit = current_app.config["SIGNATURE_MAX_KB"] * 1024
    if not value.startswith(DATA_URL) or len(value) > limit * 4 // 3 + len(DATA_URL) + 4:
        raise SignatureError(not_an_image())
    try:
        raw = base64.b64decode(value[len(DATA_URL) :], validate=True)
        with Image.open(io.BytesIO(raw)) as image:
            if image.format != "PNG":
                raise SignatureError(_("Die Unterschrift ist kein PNG-Bild. Bitte noch einmal unterschreiben."))
            width, height = image.size
            if not (MIN_SIDE <= width <= MAX_SIDE and MIN_SIDE <= height <= MAX_SIDE):
                raise SignatureError(
                    _("Die Unterschrift hat eine ungewöhnliche Größe. Bitte noch einmal unterschreiben.")
                )
            image.load()
            rgba = image.convert("RGBA")
    except (binascii.Error, UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise SignatureError(
            _("Die Unterschrift ist zu groß oder kein Bild. Bitte noch einmal unterschreiben.")
        ) from error
    flat = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    flat.alpha_composite(rgba)
    grey = flat.convert("L")
    if grey.point(lambda v: 255 if v < 200 else 0).getbbox() is None:
        raise SignatureError(_("Das Unterschriftsfeld ist leer. Bitte lassen Sie im Feld unterschreiben."))
    out = io.BytesIO()
    grey.save(out, format="PNG", optimize=True)
    png = out.getvalue()
    if len(png) > limit:
        raise SignatureError(not_an_image())
    return png


def sign(
    volunteer: Volunteer,
    senior: Senior,
    month: Month,
    *,
    signer_name: str | None,
    image: str | None,
    confirmed: bool,
    now: datetime,
) -> MonthSignature:
    """Store the signature of the senior's month for this volunteer's visits; a void one is replaced, a valid one
    stays (a second submit changes nothing and says so)."""
    name = (signer_name or "").strip()
    if not name:
        raise SignatureError(_("Bitte den Namen der Person eintragen, die unterschreibt."), "signer_name")
    if len(name) > MAX_NAME:
        raise SignatureError(_("Bitte höchstens 120 Zeichen für den Namen."), "signer_name")
    if not confirmed:
        raise SignatureError(
            _("Bitte bestätigen Sie, dass die Unterschrift eben auf Ihrem Handy geleistet wurde."), "confirmed"
        )
    png = decode_png(image)
    if billing_run_of(month.first_day) is not None:
        raise SignatureError(_("Der Monat ist schon abgerechnet. Bitte unterschreiben Sie auf Papier."))
    lock(Volunteer, volunteer.id)  # the same form twice at once: the second sees the first one's signature
    lines = signed_lines(senior.id, volunteer.id, month)
    if not lines:
        raise SignatureError(_("In diesem Monat gibt es keine gemeldeten Besuche zum Unterschreiben."))
    signature = signature_of(senior.id, volunteer.id, month)
    if signature is not None and is_valid(signature):
        raise SignatureError(_("Dieser Monat ist schon unterschrieben."))
    if signature is None:
        signature = MonthSignature(senior_id=senior.id, volunteer_id=volunteer.id, month=month.first_day)
        db.session.add(signature)
    signature.signer_name, signature.signed_at, signature.image = name, now, png
    signature.lines_hash, signature.line_count = lines_hash(lines), len(lines)
    db.session.flush()
    log.info("month %s of senior %d signed for volunteer %d (%d lines)", month, senior.id, volunteer.id, len(lines))
    return signature


@dataclass
class MonthToSign:
    """A senior's month with the volunteer's held visits, and its signature (valid, void or none)."""

    senior: Senior
    month: Month
    lines: list[Appointment]
    signature: MonthSignature | None

    @property
    def valid(self) -> bool:
        return self.signature is not None and is_valid(self.signature, self.lines)

    @property
    def void(self) -> bool:
        return self.signature is not None and not self.valid

    @property
    def billed(self) -> bool:
        return billing_run_of(self.month.first_day) is not None


def months_to_sign(volunteer: Volunteer, *, today: date) -> list[MonthToSign]:
    """This and last month: each senior the volunteer visited with held visits, with its signature state."""
    current = Month.of(today)
    found = []
    for month in (Month.of(current.first_day - timedelta(days=1)), current):
        seniors = db.session.scalars(
            sa.select(Senior)
            .join(Pairing, Pairing.senior_id == Senior.id)
            .join(Appointment, Appointment.pairing_id == Pairing.id)
            .where(
                Appointment.on.between(month.first_day, month.last_day),
                Appointment.status == AppointmentStatus.STATTGEFUNDEN,
                sa.or_(
                    sa.and_(Pairing.volunteer_id == volunteer.id, Appointment.cover_volunteer_id.is_(None)),
                    Appointment.cover_volunteer_id == volunteer.id,
                ),
            )
            .distinct()
            .order_by(Senior.first_name, Senior.id)
        ).all()
        for senior in seniors:
            lines = signed_lines(senior.id, volunteer.id, month)
            if lines:
                found.append(MonthToSign(senior, month, lines, signature_of(senior.id, volunteer.id, month)))
    return found


def with_signatures(document):
    """A Leistungsnachweis with the valid digital signatures of its lines (other documents unchanged): what the
    PDF prints as "digital unterschrieben am … von …"."""
    if not isinstance(document, Leistungsnachweis):
        return document
    refs = {bl.line.ref for bl in document.lines}
    rows = db.session.scalars(
        sa.select(MonthSignature)
        .where(
            MonthSignature.senior_id == int(document.senior.ref),
            MonthSignature.month == document.month.first_day,
        )
        .order_by(MonthSignature.signed_at, MonthSignature.id)
    ).all()
    found = []
    for row in rows:
        lines = signed_lines(row.senior_id, row.volunteer_id, document.month)
        if is_valid(row, lines) and {str(a.id) for a in lines} <= refs:
            found.append(DigitalSignature(row.volunteer.name, row.signer_name, row.signed_at, row.image))
    return replace(document, digital=tuple(found)) if found else document


def with_signatures_all(documents: Sequence) -> list:
    """``with_signatures`` for a run's documents: one query finds the seniors with a signature in the month, only
    their Leistungsnachweise are checked line by line."""
    months = {doc.month.first_day for doc in documents if isinstance(doc, Leistungsnachweis)}
    if not months:
        return list(documents)
    signed = set(
        db.session.execute(
            sa.select(MonthSignature.senior_id, MonthSignature.month).where(MonthSignature.month.in_(months))
        ).all()
    )
    return [
        with_signatures(doc)
        if isinstance(doc, Leistungsnachweis) and (int(doc.senior.ref), doc.month.first_day) in signed
        else doc
        for doc in documents
    ]
