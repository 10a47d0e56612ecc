"""Command-line tasks: `flask --app app data load`, `flask --app app files copy-to-store`..."""

from __future__ import annotations

import click
from flask import Flask
from flask import current_app
from flask.cli import AppGroup
from flask.cli import with_appcontext
from sqlalchemy.exc import IntegrityError

from domain.workflow import ROLES
from extensions import db
from models import Unit

data_cli = AppGroup("data", help="Load reference data (units, procedures, guides) from data/.")


@data_cli.command("load")
def load_command() -> None:
    """Load the unit list and this commune's procedure catalogue; safe to run again."""
    from loaders.catalog import load_commune_catalog
    from loaders.divisions import load_divisions

    provinces, units = load_divisions()
    click.echo(f"Units: {provinces} provinces, {units} commune-level units.")
    config = current_app.config
    unit = db.session.get(Unit, config["UNIT_CODE"])
    if unit is None:
        raise click.ClickException(f"MOTCUA_UNIT={config['UNIT_CODE']} is not in the unit list.")
    if unit.province_code != config["PROVINCE_CODE"]:
        raise click.ClickException(
            f"MOTCUA_UNIT={unit.code} ({unit.name}) is in {unit.province.name} "
            f"(code {unit.province_code}), not in MOTCUA_PROVINCE={config['PROVINCE_CODE']}."
        )
    from services.centres import seed

    if seed(config):
        click.echo(f"Centre of {unit.name}: settings from MOTCUA_CENTRE_*, now edited on the web.")
    counts = load_commune_catalog(unit.province.name)
    without = counts["without_detail"]
    click.echo(
        f"Catalogue for {unit.name}, {unit.province.name}: {counts['procedures']} procedures "
        f"done at commune level, {counts['detailed']} with details, {len(without)} without; "
        f"{counts['guides']} plain guides, {counts['names_en']} English names."
    )
    # Those without a detail record show only their name, field and agency: list them, so
    # someone can find their records.
    click.echo(f"Without details ({len(without)}): {', '.join(without)}")
    from services.limits import published_counter_limits

    # The counter refuses a procedure without a time limit: say how many wait for one.
    limited, unlimited = published_counter_limits()
    click.echo(
        f"Time limits at the counter: {limited} from the published records, {len(unlimited)} "
        "left for an administrator to set (/can-bo/thu-tuc)."
    )
    from services.forms import all_form_codes
    from services.forms import form_for

    # A broken form must stop the deployment here, not reach a citizen.
    for code in all_form_codes():
        form_for(code)
    click.echo(f"Online forms: {len(all_form_codes())} checked.")


@data_cli.command("load-national")
def load_national_command() -> None:
    """Add every procedure of the national catalogue (5,670), for search at full scale."""
    from loaders.catalog import load_national_catalog

    click.echo(f"National catalogue: {load_national_catalog()} procedures.")


drafts_cli = AppGroup("drafts", help="Online drafts not yet sent.")


@drafts_cli.command("purge")
def purge_command() -> None:
    """Delete expired drafts and their files, refresh statistics (run daily from cron)."""
    from services.drafts import purge_expired
    from services.maintenance import refresh_statistics

    click.echo(f"Purged {purge_expired()} expired drafts.")
    refresh_statistics()  # the same daily job keeps the query planner's statistics fresh


outbox_cli = AppGroup("outbox", help="Messages to people (SMS, e-mail) waiting to be sent.")


@outbox_cli.command("send")
def outbox_send_command() -> None:
    """Send what is due; failures stay queued and are tried again later (run every minute)."""
    from services.notify import send_due

    sent, failed = send_due()
    click.echo(f"Sent {sent}, will retry {failed}.")


files_cli = AppGroup("files", help="Uploaded papers and where they are kept.")


@files_cli.command("copy-to-store")
def copy_to_store_command() -> None:
    """Copy papers kept in the upload folder into the object store; safe to run again."""
    from services.files import Copied
    from services.files import copy_to_store
    from services.storage import StoreUnavailable

    if current_app.config["STORAGE"] is None:
        raise click.ClickException("MOTCUA_STORAGE_URL is not set: there is no store to copy to.")
    done = Copied()
    try:
        copy_to_store(done)
    except StoreUnavailable as error:
        # What was copied stays copied: running the command again goes on from there.
        raise click.ClickException(
            f"the store stopped answering after {done.copied} copied: {error}"
        ) from None
    finally:
        click.echo(
            f"Copied {done.copied}, already in the store {done.present}, "
            f"missing from the upload folder {done.missing}."
        )
    if done.missing:
        raise click.ClickException(
            f"{done.missing} recorded files are in neither the folder nor the store."
        )


@click.command("create-user")
@click.argument("username")
@click.option("--role", required=True, type=click.Choice(sorted(ROLES)), help="The account's role.")
@click.option("--unit", "unit_code", required=True, type=int, help="Commune unit code, e.g. 8566.")
@click.option("--name", "full_name", default="", help="Full name shown to colleagues.")
@click.password_option(help="Prompted for when not given.")
@with_appcontext
def create_user_command(
    username: str, role: str, unit_code: int, full_name: str, password: str
) -> None:
    """Create a staff account (the first administrator is made this way)."""
    from services.staff import create_user

    if db.session.get(Unit, unit_code) is None:
        raise click.ClickException(f"unit {unit_code} is not in the unit list (run `data load`)")
    try:
        user = create_user(username, password, role, unit_code, full_name)
    except ValueError as problem:
        raise click.ClickException(str(problem)) from None
    except IntegrityError:
        raise click.ClickException(f"the username {username!r} is taken") from None
    click.echo(f"Created {user.username} ({role}) in unit {unit_code}.")


def register_commands(app: Flask) -> None:
    app.cli.add_command(data_cli)
    app.cli.add_command(drafts_cli)
    app.cli.add_command(create_user_command)
    app.cli.add_command(outbox_cli)
    app.cli.add_command(files_cli)
