"""Check digits of the identifiers a bill carries: the Versichertennummer (KVNR) and the Institutionskennzeichen (IK).

Both rules are in shared/DOMAIN.md; each function returns a German message for a wrong value, or None.
"""

import re

_KVNR = re.compile(r"[A-Z][0-9]{9}")
_IK = re.compile(r"[0-9]{9}")


def _digit_sum(n: int) -> int:
    return n // 10 + n % 10


def kvnr_check_digit(first_nine: str) -> int:
    """Check digit of a KVNR from its letter and eight digits (A=01 … Z=26, weights 1,2,1,2,… from the left)."""
    digits = f"{ord(first_nine[0]) - ord('A') + 1:02d}" + first_nine[1:9]
    return sum(_digit_sum(int(d) * (1 if i % 2 == 0 else 2)) for i, d in enumerate(digits)) % 10


def ik_check_digit(first_eight: str) -> int:
    """Check digit of an IK from its first eight digits (positions 3–8 weighted 2,1,2,1,2,1)."""
    return sum(_digit_sum(int(d) * w) for d, w in zip(first_eight[2:8], (2, 1, 2, 1, 2, 1), strict=True)) % 10


def kvnr_error(value: str) -> str | None:
    """German message if ``value`` is not a valid KVNR, else None."""
    if not _KVNR.fullmatch(value or ""):
        return "Die Versichertennummer besteht aus einem Großbuchstaben und neun Ziffern (z. B. A123456780)."
    if kvnr_check_digit(value[:9]) != int(value[9]):
        return "Die Prüfziffer der Versichertennummer stimmt nicht – bitte die Nummer prüfen."
    return None


def ik_error(value: str) -> str | None:
    """German message if ``value`` is not a valid IK, else None."""
    if not _IK.fullmatch(value or ""):
        return "Das Institutionskennzeichen (IK) besteht aus genau neun Ziffern."
    if ik_check_digit(value[:8]) != int(value[8]):
        return "Die Prüfziffer des Institutionskennzeichens (IK) stimmt nicht – bitte die Nummer prüfen."
    return None
