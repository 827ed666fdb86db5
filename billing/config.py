"""Dated configuration: every rate, amount and cap is a table of values with the date from which each applies.

The defaults are the figures of shared/DOMAIN.md; the app overrides them with ``config_from_dict``. A day for
which a table has no value (before its first entry, or a Pflegegrad missing from a cap table) is an error,
``MissingValue``, whose German message names the figure and the day – never a silent 0.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Generic, TypeVar

from billing.money import to_decimal
from billing.provider import Provider

T = TypeVar("T")

UEBUNGSLEITER = "uebungsleiter"  # §3 Nr. 26 EStG
EHRENAMT = "ehrenamt"  # §3 Nr. 26a EStG
CAP_NAMES = {
    UEBUNGSLEITER: "Übungsleiterpauschale (§3 Nr. 26 EStG)",
    EHRENAMT: "Ehrenamtspauschale (§3 Nr. 26a EStG)",
}
CATEGORY_TEXT = "Angebote zur Unterstützung im Alltag nach §45a SGB XI"


def _as_date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


class MissingValue(LookupError):
    """No configured value for a day: the German message names the figure and the day."""

    def __init__(self, name: str, day: date):
        self.name, self.day = name, day
        super().__init__(
            f"Für den {day:%d.%m.%Y} ist kein Wert für „{name}“ hinterlegt; "
            "bitte in den Abrechnungseinstellungen ergänzen."
        )


@dataclass(frozen=True)
class Dated(Generic[T]):
    """Values that change over time: each entry ``(valid_from, value)`` applies until the next one starts."""

    entries: tuple[tuple[date, T], ...]
    name: str = "Wert"  # German, for the message when a day has no value

    def __post_init__(self) -> None:
        if not self.entries:
            raise ValueError("a dated value needs at least one entry")
        object.__setattr__(self, "entries", tuple(sorted(self.entries, key=lambda e: e[0])))

    @classmethod
    def of(cls, mapping: Mapping[date | str, T], *, name: str = "Wert") -> Dated[T]:
        """From ``{"2025-01-01": value, ...}`` (ISO strings or dates as keys)."""
        return cls(tuple((_as_date(k), v) for k, v in mapping.items()), name)

    def value_on(self, day: date) -> T:
        """The value in force on ``day``; a day before the first entry is ``MissingValue``, not a guess."""
        found = None
        for valid_from, value in self.entries:
            if valid_from > day:
                break
            found = (valid_from, value)
        if found is None:
            raise MissingValue(self.name, day)
        return found[1]

    def valid_from_on(self, day: date) -> date:
        """The start date of the entry in force on ``day`` (to say what a figure rests on)."""
        return max(d for d, _ in self.entries if d <= day)


def _dec(mapping: Mapping[str, str], name: str) -> Dated[Decimal]:
    return Dated.of({k: Decimal(v) for k, v in mapping.items()}, name=name)


NAMES = {
    "hourly_rate": "Stundensatz",
    "entlastungsbetrag": "Entlastungsbetrag je Monat",
    "umwandlung_caps": "Höchstbetrag Umwandlung (§45a Abs. 4 SGB XI)",
    "allowance_per_hour": "Aufwandsentschädigung je Stunde",
    "km_rate": "Fahrtkosten je Kilometer",
    UEBUNGSLEITER: CAP_NAMES[UEBUNGSLEITER],
    EHRENAMT: CAP_NAMES[EHRENAMT],
}
# 40 % of the Pflegesachleistung (§36 SGB XI) per Pflegegrad: 2017–2021 689/1,298/1,612/1,995 EUR,
# 2022–2023 724/1,363/1,693/2,095 EUR, 2024 761/1,432/1,778/2,200 EUR, from 2025 796/1,497/1,859/2,299 EUR
# (unchanged in 2026). The Umwandlung exists since 2017 (PSG II), like the Entlastungsbetrag of 125 EUR.
_UMWANDLUNG = {
    "2017-01-01": {2: "275.60", 3: "519.20", 4: "644.80", 5: "798.00"},
    "2022-01-01": {2: "289.60", 3: "545.20", 4: "677.20", 5: "838.00"},
    "2024-01-01": {2: "304.40", 3: "572.80", 4: "711.20", 5: "880.00"},
    "2025-01-01": {2: "318.40", 3: "598.80", 4: "743.60", 5: "919.60"},
}


def _caps(mapping: Mapping[str, Mapping[Any, Any]]) -> Dated[Mapping[int, Decimal]]:
    return Dated.of(
        {k: {int(g): to_decimal(str(v)) for g, v in caps.items()} for k, caps in mapping.items()},
        name=NAMES["umwandlung_caps"],
    )


@dataclass(frozen=True)
class BillingConfig:
    """All figures billing depends on, each dated; ``DEFAULT_CONFIG`` holds the figures of DOMAIN.md."""

    hourly_rate: Dated[Decimal] = field(default_factory=lambda: _dec({"2020-01-01": "7.50"}, NAMES["hourly_rate"]))
    entlastungsbetrag: Dated[Decimal] = field(
        default_factory=lambda: _dec({"2017-01-01": "125.00", "2025-01-01": "131.00"}, NAMES["entlastungsbetrag"])
    )
    # Umwandlung cap per Pflegegrad 2–5 and month (§45a Abs. 4); every grade 2–5 must be in each entry.
    umwandlung_caps: Dated[Mapping[int, Decimal]] = field(default_factory=lambda: _caps(_UMWANDLUNG))
    allowance_per_hour: Dated[Decimal] = field(
        default_factory=lambda: _dec({"2020-01-01": "5.00"}, NAMES["allowance_per_hour"])
    )
    km_rate: Dated[Decimal] = field(default_factory=lambda: _dec({"2020-01-01": "0.30"}, NAMES["km_rate"]))
    tax_free_caps: Mapping[str, Dated[Decimal]] = field(
        default_factory=lambda: {
            UEBUNGSLEITER: _dec({"2021-01-01": "3000.00", "2026-01-01": "3300.00"}, NAMES[UEBUNGSLEITER]),
            EHRENAMT: _dec({"2021-01-01": "840.00", "2026-01-01": "960.00"}, NAMES[EHRENAMT]),
        }
    )
    tax_free_cap_kind: str = UEBUNGSLEITER  # which Pauschale applies unless a volunteer says otherwise
    cap_warning_ratio: Decimal = Decimal("0.90")
    retention_years: int = 8
    provider: Provider = field(default_factory=Provider)  # empty here: the app sets the provider of the day

    def umwandlung_cap(self, grade: int | None, day: date) -> Decimal:
        """Monthly Umwandlung cap for ``grade`` on ``day``: 0 without a grade or with grade 1 (no claim by law);
        for grades 2–5 a day without a configured cap is ``MissingValue`` naming the day."""
        if grade is None or grade < 2:
            return Decimal("0.00")
        caps = self.umwandlung_caps.value_on(day)
        if grade not in caps:
            raise MissingValue(f"{NAMES['umwandlung_caps']}, Pflegegrad {grade}", day)
        return caps[grade]

    def tax_free_cap(self, year: int, kind: str | None = None) -> Decimal:
        """The yearly tax-free cap of ``kind`` (default: the configured one) in ``year``."""
        return self.tax_free_caps[kind or self.tax_free_cap_kind].value_on(date(year, 12, 31))

    def retention_until(self, document_date: date) -> date:
        """Last day a bill dated ``document_date`` must be kept: end of its year plus the retention years."""
        return date(document_date.year + self.retention_years, 12, 31)


DEFAULT_CONFIG = BillingConfig()


def config_from_dict(values: Mapping[str, Any], *, base: BillingConfig = DEFAULT_CONFIG) -> BillingConfig:
    """``base`` with the entries of ``values`` replaced, e.g. loaded from env or a settings file.

    Dated values are ``{"2025-01-01": "131.00", ...}`` or a single value (valid from 2000-01-01);
    ``umwandlung_caps`` is ``{"2025-01-01": {"2": "318.40", ...}}``; ``tax_free_caps`` maps a kind to a dated
    value. The provider is not here: the app keeps it, dated, in its database.
    """
    changes: dict[str, Any] = {}
    for key, raw in values.items():
        if key in ("hourly_rate", "entlastungsbetrag", "allowance_per_hour", "km_rate"):
            changes[key] = _dated_decimal(raw, NAMES[key])
        elif key == "umwandlung_caps":
            changes[key] = _caps(raw)
        elif key == "tax_free_caps":
            changes[key] = {**base.tax_free_caps, **{k: _dated_decimal(v, NAMES.get(k, k)) for k, v in raw.items()}}
        elif key == "cap_warning_ratio":
            changes[key] = to_decimal(str(raw))
        elif key == "retention_years":
            changes[key] = int(raw)
        elif key == "tax_free_cap_kind":
            if raw not in CAP_NAMES:
                raise ValueError(f"unknown tax-free cap kind: {raw!r}")
            changes[key] = raw
        elif key == "provider":
            raise KeyError("provider: Trägerdaten werden in der App gepflegt (Seite „Träger“, /admin/traeger/)")
        else:
            raise KeyError(f"unknown billing setting: {key!r}")
    return dataclasses.replace(base, **changes)


def _dated_decimal(raw: Any, name: str) -> Dated[Decimal]:
    if isinstance(raw, Mapping):
        return Dated.of({k: to_decimal(str(v)) for k, v in raw.items()}, name=name)
    return Dated(((date(2000, 1, 1), to_decimal(str(raw))),), name)
