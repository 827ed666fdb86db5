"""``create-user``: a staff account from the command line, with a password by policy or an invitation mail."""

import click

from ..admin.operations import UserError, save_user
from ..auth.operations import invite
from ..auth.passwords import MIN_LENGTH
from ..extensions import db
from ..models import ROLES, User


@click.command("create-user")
@click.option("--email", required=True, help="E-Mail-Adresse (Anmeldename).")
@click.option("--name", required=True, help="Anzeigename.")
@click.option("--role", type=click.Choice(list(ROLES)), default="coordinator", show_default=True, help="Rolle.")
@click.option(
    "--einladen",
    "send_invitation",
    is_flag=True,
    help="Kein Passwort setzen, sondern eine Einladung per E-Mail schicken (der Link legt das Passwort fest).",
)
@click.option(
    "--password",
    help=f"Passwort (mindestens {MIN_LENGTH} Zeichen, kein verbreitetes, nicht die E-Mail); ohne Angabe wird gefragt.",
)
def create_user(email: str, name: str, role: str, send_invitation: bool, password: str | None) -> None:
    """Legt einen Zugang für Mitarbeitende an (Koordination, Buchhaltung oder Administration)."""
    if not send_invitation and password is None:
        password = click.prompt("Passwort", hide_input=True, confirmation_prompt="Passwort wiederholen")
    try:
        user = save_user(User(), name=name, email=email, role=role, password=None if send_invitation else password)
    except UserError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    if send_invitation:
        invite(user)
    db.session.commit()
    how = "; Einladung in den Postausgang gelegt" if send_invitation else ""
    click.echo(f"Benutzer {user.email} ({user.role_label}) angelegt{how}.")
