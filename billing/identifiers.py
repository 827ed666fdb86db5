"""Check digits of the identifiers a bill carries: the Versichertennummer (KVNR), the Institutionskennzeichen (IK)
and the provider's bank account (IBAN with its mod-97 check, BIC).

KVNR and IK follow shared/DOMAIN.md, the IBAN ISO 13616; each ``*_error`` returns a German message for a wrong
value, or None.
"""

import re

_KVNR = re.compile(r"[A-Z][0-9]{9}")
_IK = re.compile(r"[0-9]{9}")
_IBAN = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}")
_BIC = re.compile(r"[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?")
IBAN_LENGTHS = {"DE": 22, "AT": 20, "NL": 18, "BE": 16, "LU": 20, "FR": 27, "CH": 21}  # the neighbours; others 15–34


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


def compact_iban(value: str) -> str:
    """An IBAN as stored: spaces removed, capital letters (``de02 1203 …`` → ``DE021203…``)."""
    return "".join((value or "").split()).upper()


def format_iban(value: str) -> str:
    """An IBAN as printed: groups of four (``DE02 1203 0000 0000 2020 51``)."""
    iban = compact_iban(value)
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


def iban_error(value: str) -> str | None:
    """German message if ``value`` (spaces allowed) is not a valid IBAN, else None."""
    iban = compact_iban(value)
    if not _IBAN.fullmatch(iban):
        return "Die IBAN beginnt mit dem Ländercode und zwei Prüfziffern (z. B. DE02 1203 0000 0000 2020 51)."
    expected = IBAN_LENGTHS.get(iban[:2])
    if expected and len(iban) != expected:
        return f"Eine IBAN aus {iban[:2]} hat {expected} Stellen, diese hat {len(iban)} – bitte die Nummer prüfen."
    digits = "".join(str(int(c, 36)) for c in iban[4:] + iban[:4])
    if int(digits) % 97 != 1:
        return "Die Prüfziffer der IBAN stimmt nicht – bitte die Nummer prüfen."
    return None


def bic_error(value: str) -> str | None:
    """German message if ``value`` is not a BIC (8 or 11 characters), else None."""
    if not _BIC.fullmatch("".join((value or "").split()).upper()):
        return "Der BIC hat 8 oder 11 Zeichen, z. B. BYLADEM1001."
    return None
