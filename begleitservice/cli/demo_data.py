"""``demo-data``: a realistic, deterministic demo of the service at Dortmund's size (shared/DOMAIN.md)."""

import logging
import random
from datetime import date, timedelta
from decimal import Decimal

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import SQLAlchemyError

from .. import clock
from ..admin.operations import UserError, save_user
from ..extensions import db
from ..models import (
    Appointment,
    AppointmentStatus,
    DementiaGroup,
    District,
    GroupParticipant,
    GroupSession,
    Pairing,
    PairingStatus,
    ParticipantStatus,
    Pflegekasse,
    Request,
    RequestStatus,
    Senior,
    SeniorStatus,
    User,
    Volunteer,
)
from ..provider.operations import save_provider
from ..reference import ensure_reference_data
from . import demo_names as names
from .demo_groups import demo_groups
from .demo_people import PeopleFactory
from .demo_plan import Planner

log = logging.getLogger(__name__)

DEMO_IK = "999999994"  # fictional, valid check digit
DEMO_IBAN = "DE02120300000000202051"  # a well-known test IBAN, valid mod-97 check

# Figures of 2024/2025 (shared/DOMAIN.md); --scale multiplies all of them.
COUNTS = {
    "besuchsdienst_volunteers": 51,
    "entlastung_volunteers": 75,
    "paired_besuchsdienst": 36,
    "paired_entlastung": 44,
    "vermittelt": 62,  # requests of the last year that led to one of the running pairings
    "abgeschlossen": 5,  # ditto, already closed after the start
    "zurueckgezogen": 5,  # withdrawn requests of seniors paired before the last year
    "offen": 9,  # still open: their seniors wait and come on top of the paired ones
    "vorgeschlagen": 4,
}


@click.command("demo-data")
@click.option(
    "--seed", type=int, default=2025, show_default=True, help="Startwert des Zufalls: gleicher Wert, gleiche Daten."
)
@click.option("--scale", type=click.IntRange(1, 100), default=1, show_default=True, help="Vervielfacht die Mengen.")
@click.option("--if-empty", is_flag=True, help="Nichts tun (nur Hinweis), wenn es schon Ehrenamtliche gibt.")
@click.option("--reset", is_flag=True, help="Vorher alle Tabellen außer den Benutzerkonten leeren.")
@click.option(
    "--login", "login_email", metavar="EMAIL", help="Zusätzlich einen Admin-Zugang mit dieser E-Mail anlegen."
)
@click.option(
    "--password",
    metavar="PASSWORT",
    help="Passwort für --login (mindestens 12 Zeichen, kein verbreitetes, nicht die E-Mail).",
)
@click.help_option("--help", help="Diese Hilfe anzeigen.")
@with_appcontext
def demo_data(seed: int, scale: int, if_empty: bool, reset: bool, login_email: str | None, password: str | None):
    """Legt erfundene, aber realistische Demodaten in der Größe des Dortmunder Dienstes an.

    \b
    12 Stadtbezirke, 126 Ehrenamtliche (51 Besuchsdienst, 75 Häusliche Entlastung),
    80 Senior:innen mit laufender Begleitung und Terminen der letzten acht Wochen,
    85 Anfragen aus den letzten zwölf Monaten (davon 13 offen, deren Senior:innen zusätzlich),
    Pflegekassen mit gültigem IK. Gleicher --seed ergibt dieselben Namen und Daten.
    Ohne --reset wird abgebrochen, wenn es schon Ehrenamtliche oder Senior:innen gibt.
    """
    if bool(login_email) != bool(password):
        raise click.UsageError("--login und --password bitte zusammen angeben.")
    try:
        existing = db.session.scalar(sa.select(sa.func.count()).select_from(Volunteer))
        existing += db.session.scalar(sa.select(sa.func.count()).select_from(Senior))
        if existing and if_empty and not reset:
            click.echo("Es gibt schon Daten – keine Demodaten angelegt (--if-empty).")
            _ensure_login(login_email, password)
            db.session.commit()
            return
        if existing and not reset:
            raise click.ClickException(
                "Die Datenbank enthält schon Ehrenamtliche oder Senior:innen. "
                "Mit --reset werden alle Daten außer den Benutzerkonten vorher gelöscht."
            )
        if reset:
            _empty_all_but_users()
        ensure_reference_data()
        build(seed=seed, scale=scale, today=clock.today())
        _ensure_login(login_email, password)
        db.session.commit()
    except (SQLAlchemyError, UserError) as error:
        db.session.rollback()
        log.exception("demo data failed")
        raise click.ClickException(f"Nichts angelegt: {error}") from error
    except BaseException:
        db.session.rollback()
        raise
    log.info("demo data created with seed %s and scale %s", seed, scale)
    _analyze()
    for line in summary():
        click.echo(line)


def _analyze() -> None:
    """Give PostgreSQL's planner statistics of the tables just filled (autovacuum may take a while or be off):
    without them it guesses a few rows per table and, at 10x size, picks plans that scan thousands of visits."""
    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE")


def _empty_all_but_users() -> None:
    """Delete every row of every table except the staff accounts (children first)."""
    for table in reversed(db.metadata.sorted_tables):
        if table.name != User.__tablename__:
            db.session.execute(table.delete())
    db.session.flush()


def _ensure_login(email: str | None, password: str | None) -> None:
    """Create an admin account with that login unless one exists (then it is kept as it is)."""
    if not email:
        return
    if db.session.scalar(sa.select(User).where(User.email == email.strip().lower())):
        click.echo(f"Zugang {email} gibt es schon – unverändert gelassen.")
        return
    save_user(User(), name="Demo-Zugang", email=email, role="admin", password=password)
    click.echo(f"Admin-Zugang {email} angelegt.")


def _kassen() -> list[Pflegekasse]:
    stored = {k.ik: k for k in db.session.scalars(sa.select(Pflegekasse))}
    result = []
    for name, ik in names.PFLEGEKASSEN:
        kasse = stored.get(ik) or Pflegekasse(name=name, ik=ik, city="Dortmund")
        db.session.add(kasse)
        result.append(kasse)
    return result


def demo_provider(today: date) -> None:
    """A clearly fictional provider (test IK and test IBAN with valid check digits), so demo months can be billed."""
    save_provider(
        valid_from=date(today.year - 1, 1, 1),
        name="Seniorenbegleitservice Musterstadt (Demo)",
        address="Musterstraße 1\n44135 Musterstadt",
        ik=DEMO_IK,
        recognition="Anerkennung nach AnFöVO NRW, Az. DEMO-0000 (fiktiv)",
        account_holder="Seniorenbegleitservice Musterstadt (Demo)",
        iban=DEMO_IBAN,
        bic="BYLADEM1001",
        payment_days=14,
        note="Demodaten – keine echte Rechnung. Die Leistungen sind nach § 4 Nr. 16 UStG umsatzsteuerfrei.",
        user=None,
        contact_phone="0231 000000-0",
        contact_hours="Mo–Do 9–12 Uhr, Di 14–16 Uhr",
        contact_email="koordination@example.org",
    )


def demo_travel(rng: random.Random, objects: list) -> None:
    """Kilometres (2 to 25, one decimal) on about two in three visits that took place with reported minutes."""
    for obj in objects:
        if isinstance(obj, Appointment) and obj.actual_minutes and rng.random() < 0.65:
            obj.km = Decimal(rng.randint(20, 250)) / 10


def build(*, seed: int, scale: int, today: date) -> None:
    """Add the demo people, pairings, appointments and requests to the session and flush once."""
    rng = random.Random(seed)
    counts = {key: value * scale for key, value in COUNTS.items()}
    districts = list(db.session.scalars(sa.select(District).order_by(District.name)))
    for district in districts:
        district.sozialraeume  # noqa: B018 - load now, before objects are pending
    people = PeopleFactory(rng, today, districts, _kassen())
    kinds = [False] * counts["besuchsdienst_volunteers"] + [True] * counts["entlastung_volunteers"]
    rng.shuffle(kinds)
    volunteers = [people.volunteer(n, entlastung=kind) for n, kind in enumerate(kinds, start=1)]
    config = current_app.config
    planner = Planner(
        rng, today, volunteers, buffer=config["TRAVEL_BUFFER_MINUTES"], years=config["FUEHRUNGSZEUGNIS_MAX_YEARS"]
    )
    objects: list = [*volunteers]

    services = ["besuchsdienst"] * counts["paired_besuchsdienst"] + ["entlastung"] * counts["paired_entlastung"]
    rng.shuffle(services)
    recent = counts["vermittelt"] + counts["abgeschlossen"]
    for index, service in enumerate(services):
        senior = people.senior(service=service, status=SeniorStatus.AKTIV)
        if index < recent:
            received = people.days_ago(75, 364)
            proposed = received + timedelta(days=rng.randint(3, 14))
            placed = proposed + timedelta(days=rng.randint(2, 10))
            starts = placed + timedelta(days=rng.randint(3, 14))
        else:
            starts = people.days_ago(366, 4 * 365)
        pairing = planner.pair(senior, service, starts_on=starts)
        people.place(senior, rng.choice(planner.districts_of(pairing.volunteer)), since=starts - timedelta(days=14))
        objects += [senior, pairing, *planner.appointments(pairing)]
        if index < recent:
            history = [
                (RequestStatus.OFFEN, received),
                (RequestStatus.VORGESCHLAGEN, proposed),
                (RequestStatus.VERMITTELT, placed),
            ]
            if index >= counts["vermittelt"]:
                closed = min(today - timedelta(days=1), starts + timedelta(days=rng.randint(28, 60)))
                history.append((RequestStatus.ABGESCHLOSSEN, closed))
            objects.append(planner.request(senior, service, history, pairing))
        elif index < recent + counts["zurueckgezogen"]:
            received = people.days_ago(20, 364)
            withdrawn = min(today, received + timedelta(days=rng.randint(5, 20)))
            objects.append(
                planner.request(
                    senior, service, [(RequestStatus.OFFEN, received), (RequestStatus.ZURUECKGEZOGEN, withdrawn)]
                )
            )

    waiting = [RequestStatus.OFFEN] * counts["offen"] + [RequestStatus.VORGESCHLAGEN] * counts["vorgeschlagen"]
    for status in waiting:
        service = "entlastung" if rng.random() < 0.55 else "besuchsdienst"
        senior = people.senior(service=service, status=SeniorStatus.WARTEND)
        received = people.days_ago(0, 120) if status == RequestStatus.OFFEN else people.days_ago(10, 90)
        people.place(senior, rng.choice(districts), since=received)
        history = [(RequestStatus.OFFEN, received)]
        if status == RequestStatus.VORGESCHLAGEN:
            history.append((RequestStatus.VORGESCHLAGEN, min(today, received + timedelta(days=rng.randint(3, 10)))))
        objects += [senior, planner.request(senior, service, history)]
    demo_travel(random.Random(seed + 1), objects)  # its own random stream: the other demo data stay as they were
    db.session.add_all(objects)
    db.session.flush()
    # Demenzgruppen last, with their own random stream: the data above stay as they were
    people.rng = random.Random(seed + 2)
    demo_groups(people.rng, people, today, volunteers, districts, scale=scale)
    demo_provider(today)


def summary() -> list[str]:
    """German lines with what the database now holds."""

    def count(model, *where) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))

    today = clock.today()
    running = count(Pairing, Pairing.status == PairingStatus.AKTIV)
    held = count(Appointment, Appointment.status == AppointmentStatus.STATTGEFUNDEN)
    return [
        f"Stadtbezirke: {count(District)}",
        f"Pflegekassen: {count(Pflegekasse)}",
        f"Ehrenamtliche: {count(Volunteer)} (Besuchsdienst {count(Volunteer, Volunteer.offers_besuchsdienst)}, "
        f"Häusliche Entlastung {count(Volunteer, Volunteer.offers_entlastung)}, "
        f"Demenzgruppe {count(Volunteer, Volunteer.offers_demenzgruppe)})",
        f"Senior:innen: {count(Senior)} (mit laufender Begleitung {running}, "
        f"wartend {count(Senior, Senior.status == SeniorStatus.WARTEND)})",
        f"Demenzgruppen: {count(DementiaGroup)} "
        f"(Teilnehmende {count(GroupParticipant, GroupParticipant.status == ParticipantStatus.AKTIV)}, "
        f"Termine {count(GroupSession)})",
        f"Termine: {count(Appointment)} (stattgefunden {held}, "
        f"mit gemeldeten Minuten {count(Appointment, Appointment.actual_minutes.is_not(None))}, "
        f"kommend {count(Appointment, Appointment.on >= today)})",
        f"Anfragen der letzten zwölf Monate: {count(Request, Request.received_on > today - timedelta(days=365))} "
        f"(offen {count(Request, Request.status.in_(RequestStatus.OPEN))})",
    ]
