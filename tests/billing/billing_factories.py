"""Factories for the pure billing inputs: sensible defaults, override what the test is about."""

import dataclasses
from datetime import date, time
from decimal import Decimal

from billing.config import DEFAULT_CONFIG
from billing.invoices import Pflegekasse, Senior
from billing.ledger import GradePeriod, LedgerInput
from billing.lines import Appointment, Service
from billing.month import Month
from billing.provider import Provider
from billing.run import SeniorMonth


def D(text):
    return Decimal(text)


def make_appointment(ref, day, *, minutes=60, start=time(10, 0), senior_ref="s1", service=Service.ENTLASTUNG, **kw):
    """An Entlastung appointment that took place, ``minutes`` long from ``start``."""
    end_minutes = start.hour * 60 + start.minute + (minutes or 0)
    values = dict(
        ref=str(ref),
        senior_ref=senior_ref,
        day=day,
        start=start,
        end=time(end_minutes // 60 % 24, end_minutes % 60),
        volunteer_ref="v1",
        volunteer_name="Jürgen Schäfer",
        service=service,
        minutes=minutes,
    )
    values.update(kw)
    return Appointment(**values)


AOK = Pflegekasse("AOK NordWest – Die Pflegekasse", "100696012", ("Kopenhagener Str. 1", "44269 Dortmund"))
TK = Pflegekasse("TK-Pflegeversicherung", "260326822", ("Bramfelder Str. 140", "22305 Hamburg"))
PG2_SINCE_2020 = (GradePeriod(2, date(2020, 1, 1)),)
PROVIDER = Provider(
    name="Seniorenbegleitservice Musterstadt (Test)",
    address=("Musterstraße 1", "44135 Musterstadt"),
    ik="260326822",
    recognition="Anerkennung nach AnFöVO NRW, Az. TEST-42",
    account_holder="Seniorenbegleitservice Musterstadt",
    iban="DE02120300000000202051",
    bic="BYLADEM1001",
    note="Die Leistungen sind nach § 4 Nr. 16 UStG umsatzsteuerfrei.",
)
CONFIG = dataclasses.replace(DEFAULT_CONFIG, provider=PROVIDER)  # the figures of DOMAIN.md with a test provider


def make_senior(ref="s1", **kw):
    """A senior with valid KVNR and Pflegekasse and no Abtretung."""
    values = dict(
        ref=ref,
        name="Erika Mustermann",
        birth_date=date(1938, 4, 12),
        address=("Hohe Straße 12", "44139 Dortmund"),
        kvnr="A123456780",
        pflegekasse=AOK,
        abtretungen=(),
    )
    values.update(kw)
    return Senior(**values)


def make_senior_month(senior, appointments, *, grades=PG2_SINCE_2020, start=None, **ledger):
    """Run input for ``senior``: a ledger from ``start`` (no opening balance) and the appointments."""
    data = LedgerInput(grades=grades, service_start=start or Month(2026, 1), **ledger)
    return SeniorMonth(senior, data, tuple(appointments))
