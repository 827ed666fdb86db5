"""TOTP second factor (RFC 6238, pyotp) with a QR code (segno, SVG) and single-use recovery codes."""

import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
import segno

from ..extensions import db
from ..models import RecoveryCode, User

ISSUER = "Seniorenbegleitservice Dortmund"
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read from paper
RECOVERY_LENGTH = 16  # ~79 bits: a fast hash is enough for codes this random


def new_secret() -> str:
    """A fresh base32 TOTP secret."""
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The QR code of ``uri`` as inline SVG markup (no script, no data: URL)."""
    return segno.make(uri, error="m").svg_inline(scale=5, dark="#1b1f24", light="#ffffff")


def grouped(key: str) -> str:
    """'JBSWY3DPEHPK3PXP' → 'JBSW Y3DP EHPK 3PXP' for typing it by hand."""
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def matching_step(secret: str, code: str, *, now: datetime, after: int | None) -> int | None:
    """The time step whose code ``code`` is (this one or one next to it, for clocks a little off), if it is later
    than ``after`` (a code already used does not work twice); else None."""
    code = "".join(code.split())
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if (after is None or step > after) and hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def verify_code(user: User, code: str, *, now: datetime) -> bool:
    """Whether ``code`` is the user's current TOTP code, not used before; remembers its step (flush)."""
    if not user.totp_secret:
        return False
    step = matching_step(user.totp_secret, code, now=now, after=user.totp_last_step)
    if step is None:
        return False
    user.totp_last_step = step
    db.session.flush()
    return True


def _hash(code: str) -> str:
    normal = "".join(ch for ch in code.lower() if ch.isalnum())
    return hashlib.sha256(normal.encode()).hexdigest()


def new_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes with fresh ones; return them in clear (shown once, stored hashed)."""
    codes = ["".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH)) for _ in range(RECOVERY_CODES)]
    user.recovery_codes = [RecoveryCode(code_hash=_hash(code)) for code in codes]
    db.session.flush()
    return ["-".join(code[i : i + 4] for i in range(0, RECOVERY_LENGTH, 4)) for code in codes]


def use_recovery_code(user: User, code: str, *, now: datetime) -> bool:
    """Whether ``code`` is one of the user's unused recovery codes; marks it used (flush)."""
    wanted = _hash(code)
    for stored in user.recovery_codes:
        if stored.used_at is None and hmac.compare_digest(stored.code_hash, wanted):
            stored.used_at = now
            db.session.flush()
            return True
    return False


def unused_recovery_codes(user: User) -> int:
    """How many recovery codes the user has left."""
    return sum(1 for code in user.recovery_codes if code.used_at is None)


def disable(user: User) -> None:
    """Remove the second factor and its recovery codes (flush)."""
    user.totp_secret = None
    user.totp_last_step = None
    user.recovery_codes = []
    db.session.flush()
