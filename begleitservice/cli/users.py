"""``create-user``: a staff account from the command line."""

import click

from ..admin.operations import UserError, save_user
from ..extensions import db
from ..models import ROLES, User


@click.command("create-user")
@click.option("--email", required=True, help="E-Mail-Adresse (Anmeldename).")
@click.option("--name", required=True, help="Anzeigename.")
@click.option("--role", type=click.Choice(list(ROLES)), default="coordinator", show_default=True, help="Rolle.")
@click.password_option("--password", help="Passwort (mindestens 10 Zeichen); ohne Angabe wird gefragt.")
def create_user(email: str, name: str, role: str, password: str) -> None:
    """Legt einen Zugang für Mitarbeitende an (Koordination, Buchhaltung oder Administration)."""
    try:
        user = save_user(User(), name=name, email=email, role=role, password=password)
    except UserError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    db.session.commit()
    click.echo(f"Benutzer {user.email} ({user.role_label}) angelegt.")
