"""The password policy: one checker, used by every form and command that sets a password."""

import re
from functools import cache
from pathlib import Path

MIN_LENGTH = 12
MAX_LENGTH = 200
MIN_DISTINCT = 5
COMMON_LIST = Path(__file__).with_name("common_passwords.txt")

POLICY_HINT = (
    f"Mindestens {MIN_LENGTH} Zeichen, kein verbreitetes Passwort und nicht Ihre E-Mail-Adresse. "
    "Gut merkbar: mehrere Wörter hintereinander."
)


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords and words (lower case)."""
    lines = COMMON_LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def password_problem(password: str, *, email: str | None = None) -> str | None:
    """A German message saying why ``password`` may not be used, or None when it may."""
    if len(password) < MIN_LENGTH:
        return f"Das Passwort braucht mindestens {MIN_LENGTH} Zeichen (hier {len(password)})."
    if len(password) > MAX_LENGTH:
        return f"Das Passwort darf höchstens {MAX_LENGTH} Zeichen haben."
    if len(set(password)) < MIN_DISTINCT or not password.strip():
        return "Das Passwort besteht aus zu wenigen verschiedenen Zeichen."
    lowered = password.lower()
    if email:
        email = email.strip().lower()
        local = email.partition("@")[0]
        if email in lowered or (len(local) >= 4 and local in lowered):
            return "Das Passwort darf nicht Ihre E-Mail-Adresse enthalten."
    letters = re.sub(r"[\W\d_]+", "", lowered)
    if lowered in common_passwords() or lowered.strip() in common_passwords() or letters in common_passwords():
        return "Dieses Passwort ist zu verbreitet und leicht zu erraten. Bitte wählen Sie ein anderes."
    return None
