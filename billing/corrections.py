"""Corrections of billed months, one senior at a time: the Storno/rebill plan and the Nachberechnung.

Correction plan (a Storno of month M, or a fact changed retroactively, e.g. the Pflegegrad):
- Every billed line before M keeps its billed split (locked). The billed lines of M and of every later billed
  month are covered afresh, in day order, as if everything had been known when they were billed: correcting
  September upward takes the money from October's lines, never from the Pflegekasse a second time, so the
  Kasse is never billed more than the entitlement. A corrected line gets its new minutes and amount; a line
  corrected to "did not take place" goes. Visits never billed (reported late) are not pulled in: they wait for
  their Nachberechnung, which then sees the corrected months.
- Per month and recipient (Pflegekasse or the senior) an invoice stays valid when each of the senior's lines on
  it is unchanged (date, minutes, amount and the part charged on it). Otherwise the senior's part of it is
  cancelled (Storno) and the month's lines for that recipient which no valid invoice carries go on one new
  invoice. A month where nothing changes is not touched; ``reissue`` forces named invoices to be cancelled and
  issued again with the same figures (a correction of printed data only).

Nachberechnung (minutes of a billed month reported after its run):
- The late line is covered from its own month's ledger with every billed line (of that month and of the later
  months) locked, placed after that month's billed lines: it gets what is left for its day, and of that only
  as much as no later billed month needed (money a later month used is not spent again; money that lapsed on
  30 June unused may be). What it cannot get from the Entlastungsbetrag goes to the month's Umwandlung left,
  the rest is private. Several late lines are covered one after the other in day order.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from billing.config import BillingConfig, Provider
from billing.invoices import BilledLine, Invoice, InvoiceLine, RecipientKind, Senior, plan_invoices, route_lines
from billing.ledger import Charge, Ledger, LedgerInput, LedgerMonth, Split, compute_ledger, sum_splits
from billing.lines import Appointment, Line, build_line, build_lines, charges_from_lines
from billing.money import CENT, ZERO
from billing.month import Month
from billing.run import Leistungsnachweis, SeniorResult

NACHBERECHNUNG = "Nachberechnung"
ZERO_SPLIT = Split()
UNLIMITED = Decimal("1000000.00")  # a probe amount beyond any balance


def nachberechnung_label(month: Month) -> str:
    """``Nachberechnung September 2026``: how a supplement is named on documents and pages."""
    return f"{NACHBERECHNUNG} {month.label}"


@dataclass(frozen=True)
class Billed:
    """A line as billed: its split and the numbers of the invoices it is on."""

    line: Line
    split: Split
    kasse_invoice: str | None = None
    senior_invoice: str | None = None
    grade: int | None = None  # Pflegegrad on the visit day, as billed

    @property
    def ref(self) -> str:
        return self.line.ref

    @property
    def month(self) -> Month:
        return self.line.month

    def as_billed_line(self) -> BilledLine:
        return BilledLine(self.line, self.split, self.kasse_invoice is not None, self.grade)


@dataclass(frozen=True)
class InvoiceChange:
    """One recipient's part of the senior's month: the invoices cancelled and what the new invoice carries."""

    kind: RecipientKind
    cancelled: tuple[str, ...]  # invoice numbers whose part of this senior is cancelled
    old: Split  # the senior's part on the cancelled invoices
    new: Split  # the senior's part on the new invoice
    issues: bool  # a new invoice is issued for this recipient


@dataclass(frozen=True)
class MonthCorrection:
    """What one billed month of one senior needs."""

    month: Month
    grade: int | None
    lines: tuple[BilledLine, ...]  # the month's lines as billed after the correction
    cancel: tuple[str, ...]  # invoice numbers to cancel (the senior's part of them)
    keep: tuple[str, ...]  # invoice numbers of the month that stay valid
    issue: Mapping[RecipientKind, frozenset[str]]  # per recipient, the line refs for the new invoice
    changes: tuple[InvoiceChange, ...]
    old: Split  # the month's total as billed
    new: Split  # the month's total after the correction
    budget: LedgerMonth | None = None

    @property
    def refs(self) -> frozenset[str]:
        return frozenset(bl.line.ref for bl in self.lines)


@dataclass(frozen=True)
class SeniorCorrection:
    """The correction plan of one senior from ``start``: only the months that change."""

    senior: Senior
    start: Month
    months: tuple[MonthCorrection, ...]
    ledger: Ledger | None = None
    dropped: tuple[str, ...] = ()  # refs corrected to "did not take place"

    @property
    def is_empty(self) -> bool:
        return not self.months


@dataclass(frozen=True)
class LateCover:
    """The split of a late line and why."""

    ref: str
    month: Month
    split: Split
    basis: str


def _order(line: Line) -> tuple:
    return line.day, line.appointment.start, line.ref


def _charge(line: Line, locked: Split | None = None) -> Charge | None:
    """The ledger charge of a billable line (None for a line without an amount)."""
    found = charges_from_lines([line])
    if not found:
        return None
    return dataclasses.replace(found[0], locked=locked) if locked is not None else found[0]


def _charges(pairs: Iterable[tuple[Line, Split | None]]) -> tuple[Charge, ...]:
    return tuple(c for line, split in pairs if (c := _charge(line, split)) is not None)


def _corrected_line(line: Line, minutes: int | None, *, config: BillingConfig) -> Line | None:
    """The line with corrected minutes at the rate of its day (None: did not take place)."""
    if not minutes:
        return None
    appointment = dataclasses.replace(line.appointment, minutes=minutes, took_place=True)
    return build_line(appointment, config=config)


def _parts(
    month: Month, senior: Senior, grade: int | None, lines: Sequence[BilledLine], provider: Provider
) -> dict[RecipientKind, dict[str, InvoiceLine]]:
    found: dict[RecipientKind, dict[str, InvoiceLine]] = defaultdict(dict)
    for draft in plan_invoices(month, [(senior, grade, lines)], provider=provider, collective=False):
        for section in draft.sections:
            for line in section.lines:
                found[draft.recipient.kind][line.ref] = line
    return found


def _figures(line: InvoiceLine) -> tuple:
    return line.day, line.start, line.minutes, line.rate, line.amount, line.split


def plan_correction(
    senior: Senior,
    ledger: LedgerInput,
    billed: Sequence[Billed],
    *,
    start: Month,
    config: BillingConfig,
    corrected: Mapping[str, int | None] | None = None,
    reissue: Collection[str] = (),
) -> SeniorCorrection:
    """The corrections the senior's billed months from ``start`` need.

    ``billed``: every line of the senior that is billed and not cancelled (any month); ``ledger``: the senior's
    facts (its charges are ignored); ``corrected``: ref → corrected minutes (None or 0: did not take place).
    """
    corrected = corrected or {}
    unknown = set(corrected) - {b.ref for b in billed if b.month >= start}
    if unknown:
        raise ValueError(f"corrected lines not billed from {start}: {', '.join(sorted(unknown))}")
    billed = sorted(billed, key=lambda b: _order(b.line))
    later = [b for b in billed if b.month >= start]
    if not later:
        return SeniorCorrection(senior, start, ())
    now: dict[str, Line] = {}
    for b in later:
        line = _corrected_line(b.line, corrected[b.ref], config=config) if b.ref in corrected else b.line
        if line is not None:
            now[b.ref] = line
    history = [(b.line, b.split) for b in billed if b.month < start]
    fresh = sorted(now.values(), key=_order)
    last = max(b.month for b in later)
    result = compute_ledger(
        dataclasses.replace(ledger, charges=_charges(history) + _charges((line, None) for line in fresh)),
        config=config,
        until=max(last, start),
    )
    splits = {ref: cs.split for ref, cs in result.splits.items()}
    grades = {ref: cs.grade for ref, cs in result.splits.items()}
    months = []
    for month in sorted({b.month for b in later}):
        old = [b for b in later if b.month == month]
        lines = route_lines(senior, [now[b.ref] for b in old if b.ref in now], splits, grades=grades)
        correction = _month_correction(
            senior, month, ledger.grade_in(month), old, lines, config.provider, set(reissue), result.get(month)
        )
        if correction is not None:
            months.append(correction)
    dropped = tuple(ref for ref in corrected if ref not in now)
    return SeniorCorrection(senior, start, tuple(months), result, dropped)


def _month_correction(
    senior: Senior,
    month: Month,
    grade: int | None,
    old: Sequence[Billed],
    lines: Sequence[BilledLine],
    provider: Provider,
    reissue: set[str],
    budget: LedgerMonth | None,
) -> MonthCorrection | None:
    old_parts = _parts(month, senior, grade, [b.as_billed_line() for b in old], provider)
    new_parts = _parts(month, senior, grade, lines, provider)
    numbers: dict[RecipientKind, dict[str, list[str]]] = {kind: defaultdict(list) for kind in RecipientKind}
    for b in old:
        if b.kasse_invoice:
            numbers[RecipientKind.PFLEGEKASSE][b.kasse_invoice].append(b.ref)
        if b.senior_invoice:
            numbers[RecipientKind.SENIOR][b.senior_invoice].append(b.ref)
    keep, cancel, changes = [], [], []
    issue: dict[RecipientKind, frozenset[str]] = {}
    for kind in RecipientKind:
        covered: set[str] = set()
        cancelled: list[str] = []
        old_split = ZERO_SPLIT
        for number, refs in numbers[kind].items():
            same = number not in reissue and all(
                ref in new_parts[kind] and _figures(new_parts[kind][ref]) == _figures(old_parts[kind][ref])
                for ref in refs
            )
            if same:
                keep.append(number)
                covered.update(refs)
            else:
                cancelled.append(number)
                old_split = old_split + sum_splits(old_parts[kind][ref].split for ref in refs if ref in old_parts[kind])
        refs = frozenset(ref for ref in new_parts[kind] if ref not in covered)
        if refs:
            issue[kind] = refs
        if cancelled or refs:
            new_split = sum_splits(new_parts[kind][ref].split for ref in refs)
            changes.append(InvoiceChange(kind, tuple(cancelled), old_split, new_split, bool(refs)))
        cancel.extend(cancelled)
    if not changes:
        return None
    return MonthCorrection(
        month=month,
        grade=grade,
        lines=tuple(lines),
        cancel=tuple(cancel),
        keep=tuple(keep),
        issue=issue,
        changes=tuple(changes),
        old=sum_splits(b.split for b in old),
        new=sum_splits(bl.split for bl in lines),
        budget=budget,
    )


def correction_invoices(
    month: Month,
    items: Iterable[tuple[Senior, MonthCorrection]],
    *,
    provider: Provider,
    collective: bool = True,
    note: str = "",
) -> list[Invoice]:
    """The unnumbered new invoices of ``month`` for these seniors' corrections: per recipient only the lines
    that no valid invoice carries (collective per Pflegekasse like the run when ``collective``)."""
    items = list(items)
    wanted = {(senior.ref, kind): refs for senior, c in items for kind, refs in c.issue.items()}
    drafts = plan_invoices(
        month,
        [(senior, c.grade, c.lines) for senior, c in items if c.issue],
        provider=provider,
        collective=collective,
    )
    invoices = []
    for draft in drafts:
        sections = []
        for section in draft.sections:
            refs = wanted.get((section.senior.ref, draft.recipient.kind), frozenset())
            lines = tuple(line for line in section.lines if line.ref in refs)
            if lines:
                sections.append(dataclasses.replace(section, lines=lines))
        if sections:
            invoices.append(dataclasses.replace(draft, sections=tuple(sections), note=note or draft.note))
    return invoices


def fingerprint(plans: Iterable[SeniorCorrection]) -> str:
    """A short digest of what the plans would do: the plan shown is the plan applied, or nothing happens."""
    parts = []
    for plan in sorted(plans, key=lambda p: p.senior.ref):
        parts.append(f"S{plan.senior.ref}@{plan.start.iso}:{','.join(sorted(plan.dropped))}")
        for m in plan.months:
            parts.append(f"M{m.month.iso}|C{','.join(sorted(m.cancel))}|K{','.join(sorted(m.keep))}")
            for kind, refs in sorted(m.issue.items()):
                parts.append(f"I{kind.value}:{','.join(sorted(refs))}")
            for bl in m.lines:
                s = bl.split
                parts.append(
                    f"L{bl.line.ref}:{bl.line.minutes}:{bl.line.amount}:{s.entlastungsbetrag}:{s.umwandlung}:"
                    f"{s.private}:{int(bl.to_pflegekasse)}"
                )
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def cover_late(
    ledger: LedgerInput,
    billed: Sequence[Billed],
    late: Sequence[Line],
    *,
    config: BillingConfig,
) -> dict[str, LateCover]:
    """The split of each late line (by ref), from its own month's ledger, spending nothing twice."""
    history = sorted(billed, key=lambda b: _order(b.line))
    locked: list[tuple[Line, Split]] = [(b.line, b.split) for b in history]
    last = max([b.month for b in history] + [line.month for line in late], default=None)
    covers: dict[str, LateCover] = {}
    for line in sorted((line for line in late if line.billable), key=_order):
        if not line.amount:
            covers[line.ref] = LateCover(line.ref, line.month, Split(), "ohne Betrag")
            continue
        split, basis = _cover_one(ledger, locked, line, config=config, until=last)
        covers[line.ref] = LateCover(line.ref, line.month, split, basis)
        locked.append((line, split))
    return covers


def _ledger(ledger: LedgerInput, charges: Sequence[Charge], *, config: BillingConfig, until: Month) -> Ledger:
    """The ledger over ``charges``, each month's in the order given (months in calendar order)."""
    ordered = sorted(charges, key=lambda c: c.month)  # stable: keeps the order within a month
    return compute_ledger(dataclasses.replace(ledger, charges=tuple(ordered)), config=config, until=until)


def _cover_one(
    ledger: LedgerInput, locked: Sequence[tuple[Line, Split]], line: Line, *, config: BillingConfig, until: Month
) -> tuple[Split, str]:
    """Free cover after the month's billed lines; if that spends money a later billed month used, the largest
    Entlastungsbetrag part (to the cent) that does not, the Umwandlung left of the month for the rest."""
    history = list(_charges(locked))
    charge = _charge(line)
    base = _ledger(ledger, history, config=config, until=until)

    def free(reserve: Decimal = ZERO, amount: Decimal | None = None) -> Split:
        """The ledger's own cover of the line (or of ``amount`` in its place) with ``reserve`` held back."""
        probe = charge if amount is None else dataclasses.replace(charge, amount=amount)
        held = [dataclasses.replace(charge, ref=f"{line.ref}/reserve", amount=reserve, locked=Split(reserve))]
        charges = [*history, *(held if reserve else []), probe]
        return _ledger(ledger, charges, config=config, until=until).splits[line.ref].split

    def spends_nothing_twice(from_budget: Decimal) -> bool:
        split = Split(from_budget, ZERO, line.amount - from_budget)  # Umwandlung is monthly: it moves no balance
        after = _ledger(ledger, [*history, dataclasses.replace(charge, locked=split)], config=config, until=until)
        # the balance stops at 0: money spent twice shows as locked Entlastungsbetrag the balance did not reach
        return all(
            row.overbilled <= base.month(row.month).overbilled for row in after.months if row.month >= line.month
        )

    split = free()
    if spends_nothing_twice(split.entlastungsbetrag):
        return split, "Rest des Monats" if split.entlastungsbetrag else "kein Entlastungsbetrag übrig"
    low, high = 0, int(split.entlastungsbetrag / CENT)  # in cents: low spends nothing twice, high does
    while high - low > 1:
        middle = (low + high) // 2
        if spends_nothing_twice(middle * CENT):
            low = middle
        else:
            high = middle
    usable = free(amount=UNLIMITED).entlastungsbetrag  # all the Entlastungsbetrag usable on the line's day
    return free(reserve=usable - low * CENT), "nur der Rest, den spätere abgerechnete Monate nicht brauchen"


@dataclass(frozen=True)
class LateInput:
    """A senior's visits of billed months reported after the run, with everything billed for them so far."""

    senior: Senior
    ledger: LedgerInput  # the senior's facts (charges ignored)
    billed: tuple[Billed, ...]  # every billed, not cancelled line of the senior
    appointments: tuple[Appointment, ...]  # the late visits


@dataclass(frozen=True)
class Supplement:
    """The Nachberechnung of one month: per senior the late lines with their split, and the invoice drafts."""

    month: Month
    seniors: tuple[SeniorResult, ...]
    invoices: tuple[Invoice, ...]

    @property
    def label(self) -> str:
        return nachberechnung_label(self.month)

    @property
    def split(self) -> Split:
        return sum_splits(bl.split for result in self.seniors for bl in result.billed)


def prepare_supplements(
    inputs: Iterable[LateInput], *, config: BillingConfig, collective: bool = True
) -> list[Supplement]:
    """The Nachberechnungen of a run, one per month the late visits belong to (oldest first); their invoices
    carry the note "Nachberechnung <Monat>" and the month they belong to."""
    by_month: dict[Month, list[SeniorResult]] = defaultdict(list)
    for data in inputs:
        lines = build_lines(data.appointments, config=config)
        covers = cover_late(data.ledger, data.billed, lines, config=config)
        splits = {ref: cover.split for ref, cover in covers.items()}
        charges = _charges([(b.line, b.split) for b in data.billed] + [(line, splits.get(line.ref)) for line in lines])
        ledger = _ledger(data.ledger, charges, config=config, until=max(c.month for c in charges)) if charges else None
        grades = {ref: cs.grade for ref, cs in ledger.splits.items()} if ledger else {}
        for month in sorted({line.month for line in lines}):
            own = [line for line in lines if line.month == month]
            billed = tuple(route_lines(data.senior, own, splits, grades=grades))
            if not billed:
                continue
            grade = data.ledger.grade_in(month)
            budget = ledger.get(month) if ledger else None
            note = Leistungsnachweis(
                month, data.senior, grade, billed, config.provider, budget, note=nachberechnung_label(month)
            )
            by_month[month].append(SeniorResult(data.senior, grade, tuple(own), billed, ledger, note))
    supplements = []
    for month, results in sorted(by_month.items()):
        results.sort(key=lambda r: (r.senior.name, r.senior.ref))
        drafts = plan_invoices(
            month, [(r.senior, r.grade, r.billed) for r in results], provider=config.provider, collective=collective
        )
        label = nachberechnung_label(month)
        invoices = tuple(dataclasses.replace(inv, note=label) for inv in drafts)
        supplements.append(Supplement(month, tuple(results), invoices))
    return supplements
