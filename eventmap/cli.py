"""Command-line tools: import and export event files, load campaigns, geocode places, moderators."""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

from . import backup, operations
from .campaigns import CatalogueError, load_catalogue
from .eventdata import ImportFileError
from .exporting import export_csv, export_geojson
from .extensions import db
from .geocoding import Place
from .geocoding.place import answer
from .importer import import_file
from .models import Admin, Campaign, Event
from .rules import password_problem
from .services import geocoder

# Files with more rows than this get a progress bar while they are checked.
PROGRESS_MIN_ROWS = 100


@contextmanager
def _progress_bar(
    label: str = "Checking rows", terminal_only: bool = False
) -> Iterator[Callable[[int], Callable[[int], None]]]:
    """Yield a factory for a click progress bar on stderr, shown for large files only.

    With `terminal_only`, nothing is written when stderr is no terminal (cron mails stderr).
    """
    bars = []

    def start(total: int) -> Callable[[int], None]:
        if total < PROGRESS_MIN_ROWS or (terminal_only and not sys.stderr.isatty()):
            return lambda _n: None
        bar = click.progressbar(length=total, label=label, file=sys.stderr, show_pos=True)
        bar.__enter__()
        bars.append(bar)
        return bar.update

    try:
        yield start
    finally:
        for bar in bars:
            bar.__exit__(None, None, None)


def _fail(errors: list[str], summary: str) -> None:
    """Print every problem to stderr and exit with status 1."""
    for line in errors:
        click.echo(f"  {line}", err=True)
    raise click.ClickException(summary)


@click.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--skip-bad-rows",
    is_flag=True,
    help="Import the good rows and list the rejected ones, instead of importing nothing.",
)
@click.option("--campaign", "default_campaign", help="Campaign for rows whose campaign is empty.")
@with_appcontext
def import_command(path: Path, skip_bad_rows: bool, default_campaign: str | None) -> None:
    """Import events from a CSV or GeoJSON file (running it twice changes nothing)."""
    if not path.exists():
        raise click.BadParameter(f"{path} does not exist", param_hint="PATH")
    try:
        with _progress_bar() as progress:
            report = import_file(
                path,
                geocoder=geocoder(),
                catalogue_path=current_app.config["CAMPAIGNS_FILE"],
                default_campaign=default_campaign,
                skip_bad_rows=skip_bad_rows,
                progress=progress,
            )
    except CatalogueError as exc:
        raise click.ClickException(f"campaign catalogue: {exc}") from exc
    except ImportFileError as exc:
        _fail(
            [str(error) for error in exc.errors],
            f"{path}: {len(exc.errors)} problem(s) found; nothing was imported."
            " Fix them, or pass --skip-bad-rows to import the good rows only.",
        )
    for slug in report.campaigns_created:
        click.echo(f"Created campaign {slug} from {current_app.config['CAMPAIGNS_FILE']}")
    click.echo(
        f"{path}: {report.rows} row(s): {len(report.created)} created,"
        f" {len(report.updated)} updated, {len(report.unchanged)} unchanged,"
        f" {len(report.rejected)} rejected."
    )
    if report.rejected:
        click.echo("Rejected rows (not imported):", err=True)
        for error in report.rejected:
            click.echo(f"  {error}", err=True)


@click.command("export")
@click.option(
    "--format", "fmt", type=click.Choice(["csv", "geojson"]), default="csv", show_default=True
)
@click.option(
    "--output",
    "-o",
    type=click.File("w", encoding="utf-8"),
    default="-",
    help="File to write (default: standard output).",
)
@click.option("--campaign", help="Only this campaign's events.")
@with_appcontext
def export_command(fmt: str, output: TextIO, campaign: str | None) -> None:
    """Write every event (all statuses, with contacts) in a form `import` reads back."""
    query = select(Event).join(Event.campaign).order_by(Campaign.slug, Event.id)
    if campaign:
        if db.session.scalar(Campaign.by_slug(campaign)) is None:
            raise click.BadParameter(f"no campaign {campaign!r}", param_hint="--campaign")
        query = query.where(Campaign.slug == campaign)
    events = db.session.scalars(query)
    if fmt == "csv":
        export_csv(events, csv.writer(output, lineterminator="\n"))
    else:
        json.dump(export_geojson(events), output, ensure_ascii=False, indent=1)
        output.write("\n")


@click.command("campaigns")
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def campaigns_command(path: Path | None) -> None:
    """Create or update campaigns from a catalogue file (default: data/campaigns.toml)."""
    path = path or Path(current_app.config["CAMPAIGNS_FILE"])
    if not path.exists():
        raise click.BadParameter(f"{path} does not exist", param_hint="PATH")
    try:
        catalogue = load_catalogue(path)
    except CatalogueError as exc:
        raise click.ClickException(str(exc)) from exc
    changed = operations.save_campaigns(catalogue.values())
    click.echo(f"{path}: {len(catalogue)} campaign(s), {len(changed)} created or updated.")


@click.command("geocode")
@click.argument("queries", nargs=-1)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per query.")
@click.option("--events", is_flag=True, help="Place stored events again (manual points kept).")
@click.option("--campaign", help="With --events: only this campaign's events.")
@with_appcontext
def geocode_command(
    queries: tuple[str, ...], as_json: bool, events: bool, campaign: str | None
) -> None:
    """Geocode places ("-" reads one per line from stdin), or re-geocode stored events."""
    if events:
        if queries:
            raise click.UsageError("give either place queries or --events, not both")
        _regeocode(campaign)
        return
    if campaign:
        raise click.UsageError("--campaign goes with --events")
    if not queries:
        raise click.UsageError('give a place, such as "Kazan, Russia", or - to read stdin')
    service = geocoder()
    for query in _expand_stdin(queries):
        place = service.lookup(query)
        if as_json:
            click.echo(json.dumps(answer(query, place), ensure_ascii=False))
        else:
            click.echo(_readable(query, place))


def _expand_stdin(queries: tuple[str, ...]) -> Iterator[str]:
    """Yield the queries, replacing "-" with the lines of standard input, in order."""
    for query in queries:
        if query == "-":
            for line in sys.stdin:
                yield line.rstrip("\r\n")
        else:
            yield query


def _readable(query: str, place: Place | None) -> str:
    """Write an answer for a person: the place, the point, how sure, and the alternatives."""
    if place is None:
        return f"{query}\n  not found: not a place, or not one this geocoder knows\n"
    lines = [
        query,
        f"  {place.display_name}",
        f"  {place.latitude:.5f}, {place.longitude:.5f} · {place.precision.value}"
        f" · {place.country_code or '??'} · {place.timezone or 'no time zone'}"
        f" · confidence {place.confidence:.2f}",
    ]
    if place.ambiguous:
        lines.append("  ambiguous; it could also be:")
        lines.extend(
            f"    - {c.display_name} ({c.precision.value}) {c.latitude:.4f}, {c.longitude:.4f}"
            for c in place.candidates
        )
    return "\n".join(lines) + "\n"


def _regeocode(campaign_slug: str | None) -> None:
    """Re-run the geocoder over stored events with a progress bar."""
    campaign = None
    if campaign_slug:
        campaign = db.session.scalar(Campaign.by_slug(campaign_slug))
        if campaign is None:
            raise click.BadParameter(f"no campaign {campaign_slug!r}", param_hint="--campaign")
    query = select(func.count(Event.id))
    if campaign is not None:
        query = query.where(Event.campaign_id == campaign.id)
    total = db.session.scalar(query) or 0
    service = geocoder()
    with click.progressbar(
        length=total, label="Geocoding events", file=sys.stderr, show_pos=True
    ) as bar:
        report = operations.regeocode_events(service, campaign, progress=bar.update)
    click.echo(
        f"{report.checked} event(s): {len(report.moved)} moved, {report.unchanged} unchanged,"
        f" {len(report.manual_kept)} manual point(s) kept, {len(report.not_found)} not found."
    )
    for label in report.moved:
        click.echo(f"  moved: {label}")
    for label in report.not_found:
        click.echo(f"  not found (point left as it was): {label}", err=True)


# Moderator names end up in the audit trail as "admin:<name>": keep them plain.
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@-]{0,63}")


@click.command("create-admin")
@click.argument("username")
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from the first line of standard input instead of asking.",
)
@with_appcontext
def create_admin_command(username: str, password_stdin: bool) -> None:
    """Create a moderator account, or set a new password on an existing one."""
    if not USERNAME.fullmatch(username):
        raise click.BadParameter(
            "use 1 to 64 letters, digits, '.', '_', '-' or '@', starting with a letter or digit",
            param_hint="USERNAME",
        )
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(
            "Password", hide_input=True, confirmation_prompt="Repeat the password"
        )
    problem = password_problem(password)
    if problem is not None:
        raise click.ClickException(f"The password {problem}; nothing was changed.")
    existed = db.session.scalar(Admin.by_username(username)) is not None
    operations.create_admin(username, password)
    if existed:
        click.echo(f"Updated the password of moderator {username}; they are signed out everywhere.")
    else:
        click.echo(f"Created moderator {username}; they can sign in at /admin/login.")


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@with_appcontext
def backup_command(path: Path) -> None:
    """Write the whole database to one file ("-": standard output) that `restore` reads back."""
    to_stdout = str(path) == "-"
    if to_stdout and sys.stdout.isatty():
        raise click.UsageError("a backup is binary (gzip): redirect standard output to a file")
    try:
        with _progress_bar("Backing up", terminal_only=True) as bar:
            if to_stdout:
                manifest = backup.write_backup(sys.stdout.buffer, progress=bar)
                sys.stdout.buffer.flush()
            else:
                manifest = backup.write_backup_file(path, progress=bar)
    except backup.BackupError as exc:
        raise click.ClickException(f"{exc}; no backup was written") from exc
    except OSError as exc:  # a missing folder, a full disk, a closed pipe
        raise click.ClickException(
            f"cannot write {path}: {exc.strerror or exc}; no backup was written"
        ) from exc
    click.echo(
        f"Backed up {manifest.total_rows} row(s) of {len(manifest.tables)} table(s)"
        f" (schema revision {manifest.schema_revision})" + ("" if to_stdout else f" to {path}"),
        err=to_stdout,
    )


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
@click.option(
    "--replace",
    is_flag=True,
    help="Delete everything in the database first (in the same transaction as the restore).",
)
@with_appcontext
def restore_command(path: Path, replace: bool) -> None:
    """Fill an empty database from a `backup` file ("-": standard input), all or nothing."""
    from_stdin = str(path) == "-"
    if not from_stdin and not path.exists():
        raise click.BadParameter(f"{path} does not exist", param_hint="PATH")
    try:
        with (
            nullcontext(sys.stdin.buffer) if from_stdin else path.open("rb") as stream,
            _progress_bar("Restoring", terminal_only=True) as bar,
        ):
            report = operations.restore_database(
                stream, replace=replace, source=str(path), progress=bar
            )
    except backup.BackupError as exc:
        raise click.ClickException(f"{path}: {exc}") from exc
    manifest = report.manifest
    click.echo(
        f"Restored {sum(report.loaded.values())} row(s) of {len(report.loaded)} table(s) from"
        f" {path} (made {manifest.created_at} by eventmap {manifest.app_version}"
        f" on {manifest.dialect})"
        + (f"; {report.deleted} row(s) replaced" if replace else "")
        + "."
    )


def _now(text: str | None) -> datetime:
    """Read --now (ISO 8601; UTC when no offset is given), or take the current time."""
    if not text:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise click.BadParameter(f"not an ISO 8601 time: {text!r}", param_hint="--now") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@click.command("send-reminders")
@click.option("--now", "now_text", help="Act as if it were this time (ISO 8601), for testing.")
@with_appcontext
def send_reminders_command(now_text: str | None) -> None:
    """Mail each confirmed attendee once, a day before the party, and organizers a summary.

    Run it as often as you like (every 10 minutes from cron or a systemd timer): each reminder
    is recorded per attendee before it is sent, so none goes out twice, even from two runs.
    """
    from .rsvp_mail import send_organizer_summary, send_reminder
    from .rsvps import due_reminders, due_summaries, standings

    now = _now(now_text)
    sent = failed = summaries = 0
    for rsvp in due_reminders(now):
        if not operations.claim_reminder(rsvp, now):
            continue  # another run has it
        if send_reminder(rsvp):
            sent += 1
        else:
            operations.release_reminder(rsvp)  # tried again on the next run
            failed += 1
    for event in due_summaries(now):
        if operations.claim_summary(event, now) and send_organizer_summary(event, standings(event)):
            summaries += 1
    click.echo(
        f"{sent} reminder(s) sent, {failed} failed (tried again next run), "
        f"{summaries} organizer summary(ies) sent."
    )


@click.command("purge-attendees")
@click.option(
    "--days",
    type=click.IntRange(min=0),
    default=None,
    help="Days after a party to keep its attendees' data (default EVENTMAP_RSVP_PURGE_DAYS, 30).",
)
@click.option("--now", "now_text", help="Act as if it were this time (ISO 8601), for testing.")
@with_appcontext
def purge_attendees_command(days: int | None, now_text: str | None) -> None:
    """Delete attendees' names, addresses and notes some days after their party.

    Also deletes answers never confirmed within 48 hours. Counts stay.
    """
    if days is None:
        days = int(current_app.config.get("RSVP_PURGE_DAYS", 30))
    report = operations.purge_attendees(_now(now_text), days)
    click.echo(
        f"{report.anonymised} answer(s) emptied of names, addresses and notes, "
        f"{report.deleted} cancelled or unconfirmed deleted ({days} days after the party); "
        f"{report.expired} unconfirmed answer(s) expired after 48 hours."
    )


def register_cli(app: Flask) -> None:
    """Add the commands to `flask --app wsgi`."""
    for command in (
        import_command,
        export_command,
        campaigns_command,
        geocode_command,
        create_admin_command,
        backup_command,
        restore_command,
        send_reminders_command,
        purge_attendees_command,
    ):
        app.cli.add_command(command)
