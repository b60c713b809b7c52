"""A whole database in one portable file, and back: every table, row for row, any dialect.

The file is gzip-compressed JSON lines, written and read as a stream so that no table has to
fit in memory:

    {"format": "eventmap-backup", "format_version": 1, "schema_revision": "0007", ...,
     "tables": [{"name": "campaigns", "columns": ["id", ...], "rows": 2}, ...]}
    [1, "openstack6bday", ...]                     one JSON array per row, in column order
    {"table": "campaigns", "rows": 2, "sha256": "..."}   after each table's rows
    {"end": "eventmap-backup", "tables": 8}

The first line (the manifest) says what follows and at which schema revision; the SHA-256 of
each table covers the bytes of its row lines one after the other (newlines included), and
gzip's own CRC the rest, so a truncated, damaged or edited file is refused. Values are written
as JSON knows them, except dates and times (ISO 8601, timestamps in UTC with their offset)
and enums (their stored value). The
alembic_version table is not copied: the manifest records the revision, and a restore needs a
database already migrated to it (so the schema, indexes and constraints are the migrations',
never the backup's).

The restore's writes are done by operations.restore_database, which commits them (and an
audit entry) in one transaction; this module reads, checks and loads.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import tempfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from importlib import metadata
from pathlib import Path
from typing import IO, Any

from flask import current_app
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Enum,
    Float,
    Integer,
    String,
    Table,
    Text,
    Time,
    func,
    select,
)
from sqlalchemy.engine import Connection

from .extensions import db
from .models import DataVersion, utcnow

FORMAT = "eventmap-backup"
FORMAT_VERSION = 1
# Rows per INSERT batch on restore, and per fetch on backup: bounds the memory either uses.
BATCH_ROWS = 1000
# Written by the migrations, so present in every freshly migrated database: not "data".
NOT_DATA = frozenset({DataVersion.__tablename__})
# gzip's level: 6 is zlib's default, about as small as 9 at a fraction of the time.
COMPRESSION = 6

Progress = Callable[[int], None]
# Called once with the number of rows to come; returns the callback that counts them off.
StartProgress = Callable[[int], Progress]


class BackupError(Exception):
    """A backup that cannot be written or restored; the message says why and what to do."""


@dataclass(frozen=True)
class TableInfo:
    """One table as the manifest lists it."""

    name: str
    columns: list[str]
    rows: int


@dataclass(frozen=True)
class Manifest:
    """What a backup holds: the first line of the file."""

    schema_revision: str
    app_version: str
    created_at: str
    dialect: str
    tables: list[TableInfo] = field(default_factory=list)

    @property
    def total_rows(self) -> int:
        """Return the number of rows in every table together."""
        return sum(table.rows for table in self.tables)

    def as_json(self) -> dict[str, Any]:
        """Return the manifest as its JSON line holds it."""
        return {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "schema_revision": self.schema_revision,
            "app_version": self.app_version,
            "created_at": self.created_at,
            "dialect": self.dialect,
            "tables": [{"name": t.name, "columns": t.columns, "rows": t.rows} for t in self.tables],
        }


def app_version() -> str:
    """Return eventmap's version, from its installed metadata or pyproject.toml."""
    try:
        return metadata.version("eventmap")
    except metadata.PackageNotFoundError:
        import tomllib

        pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
        try:
            return str(tomllib.loads(pyproject.read_text())["project"]["version"])
        except (OSError, KeyError, tomllib.TOMLDecodeError):
            return "unknown"


def head_revision() -> str:
    """Return the schema revision this code's models describe: the newest migration."""
    from alembic.script import ScriptDirectory

    directory = current_app.extensions["migrate"].directory
    heads = ScriptDirectory(directory).get_heads()
    return ",".join(sorted(heads))


def database_revision(connection: Connection) -> str | None:
    """Return the database's schema revision, None when it was never migrated."""
    from alembic.runtime.migration import MigrationContext

    heads = MigrationContext.configure(connection).get_current_heads()
    return ",".join(sorted(heads)) if heads else None


def tables() -> list[Table]:
    """Return every table of the models, parents before children (the order of restore)."""
    return list(db.metadata.sorted_tables)


# Encoding and decoding of values, by column type. A type not listed here is refused when a
# backup is written, so that a new kind of column cannot be copied wrongly without notice.


def _encode_datetime(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite keeps no zone; the app always writes UTC
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat()


def _encode_iso(value: date | time | None) -> str | None:
    return None if value is None else value.isoformat()


def _encode_enum(value: Any) -> Any:
    return None if value is None else getattr(value, "value", value)


def _same(value: Any) -> Any:
    return value


def _optional(parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda value: None if value is None else parse(value)


def _codec(table: Table, column: Any) -> tuple[Callable[[Any], Any], Callable[[Any], Any]]:
    """Return (encode, decode) for one column's values."""
    kind = column.type
    if isinstance(kind, DateTime):
        if not kind.timezone:
            return _encode_iso, _optional(datetime.fromisoformat)
        return _encode_datetime, _optional(datetime.fromisoformat)
    if isinstance(kind, Date):
        return _encode_iso, _optional(date.fromisoformat)
    if isinstance(kind, Time):
        return _encode_iso, _optional(time.fromisoformat)
    if isinstance(kind, Enum):  # before String: an Enum is a String
        enum_class = kind.enum_class
        if enum_class is None:
            return _same, _same
        return _encode_enum, _optional(enum_class)
    if isinstance(kind, Boolean):  # JSON true/false; SQLite may hand back 0 or 1
        return _optional(bool), _optional(bool)
    if isinstance(kind, Integer | Float | String | Text | JSON):
        return _same, _same
    raise BackupError(
        f"column {table.name}.{column.name} has type {kind!r}, which backups do not know yet"
    )


def _encoders(table: Table) -> list[Callable[[Any], Any]]:
    return [_codec(table, column)[0] for column in table.columns]


def _decoders(table: Table) -> list[Callable[[Any], Any]]:
    return [_codec(table, column)[1] for column in table.columns]


def _line(value: Any) -> bytes:
    """Write one JSON line: compact, UTF-8 as it is (emoji and RTL text stay readable)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"


def _snapshot(connection: Connection) -> None:
    """Read every table from one moment: a transaction that sees no later commit."""
    if connection.dialect.name == "sqlite":
        # Python's sqlite3 opens no transaction before a SELECT; a deferred BEGIN takes the
        # read snapshot at the first one and keeps it.
        driver = connection.connection.driver_connection
        if driver is not None and not driver.in_transaction:
            driver.execute("BEGIN")


def write_backup(out: IO[bytes], progress: StartProgress | None = None) -> Manifest:
    """Write the whole database to `out` as a backup file; return its manifest.

    `progress(total)` is called once the rows are counted, and its callback with each batch.
    """
    options: dict[str, Any] = {}
    if db.engine.dialect.name == "postgresql":
        options["isolation_level"] = "REPEATABLE READ"  # one snapshot for every table
    with db.engine.connect().execution_options(**options) as connection, connection.begin():
        _snapshot(connection)
        revision = database_revision(connection)
        head = head_revision()
        if revision is None:
            raise BackupError("the database has no schema yet: run `flask db upgrade` first")
        if revision != head:
            raise BackupError(
                f"the database is at schema revision {revision}, this eventmap expects {head}:"
                " run `flask db upgrade` first"
            )
        listed = tables()
        encoders = {table.name: _encoders(table) for table in listed}
        counts = {
            table.name: connection.scalar(select(func.count()).select_from(table)) or 0
            for table in listed
        }
        manifest = Manifest(
            schema_revision=revision,
            app_version=app_version(),
            created_at=utcnow().isoformat(),
            dialect=connection.dialect.name,
            tables=[TableInfo(t.name, [c.name for c in t.columns], counts[t.name]) for t in listed],
        )
        advance = progress(manifest.total_rows) if progress is not None else None
        with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=COMPRESSION) as packed:
            packed.write(_line(manifest.as_json()))
            for table in listed:
                _write_table(connection, table, encoders[table.name], packed, advance)
            packed.write(_line({"end": FORMAT, "tables": len(listed)}))
    return manifest


def _write_table(
    connection: Connection,
    table: Table,
    encoders: list[Callable[[Any], Any]],
    packed: IO[bytes],
    progress: Progress | None,
) -> None:
    """Write one table's rows, in primary-key order, then its count and checksum."""
    digest = hashlib.sha256()
    rows = 0
    query = select(table).order_by(*table.primary_key.columns)
    result = connection.execute(
        query, execution_options={"stream_results": True, "yield_per": BATCH_ROWS}
    )
    for batch in result.partitions():
        # One write per batch: gzip's cost is per call as much as per byte.
        chunk = b"".join(
            _line([encode(value) for encode, value in zip(encoders, row, strict=True)])
            for row in batch
        )
        digest.update(chunk)
        packed.write(chunk)
        rows += len(batch)
        if progress is not None:
            progress(len(batch))
    packed.write(_line({"table": table.name, "rows": rows, "sha256": digest.hexdigest()}))


def write_backup_file(path: Path, progress: StartProgress | None = None) -> Manifest:
    """Write a backup to `path` atomically: a temporary file beside it, renamed when complete.

    A backup that fails leaves no file (and an older backup under that name stays as it was).
    The file is readable by its owner only: it holds password hashes and organizers' e-mail.
    """
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent or ".", prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            manifest = write_backup(out, progress)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return manifest


# Reading


def _damaged(detail: str) -> BackupError:
    return BackupError(f"the backup file is damaged or incomplete ({detail}); nothing was restored")


class BackupReader:
    """Read a backup file as a stream, checking every part against its manifest."""

    def __init__(self, stream: IO[bytes]) -> None:
        """Open the file and read its manifest; refuse anything that is not a backup."""
        self._file = gzip.GzipFile(fileobj=stream, mode="rb")
        first = self._readline(first=True)
        try:
            head = json.loads(first)
        except ValueError:
            head = None
        if not isinstance(head, dict) or head.get("format") != FORMAT:
            raise BackupError("this is not an eventmap backup (no manifest); nothing was restored")
        if head.get("format_version") != FORMAT_VERSION:
            raise BackupError(
                f"this backup has format version {head.get('format_version')!r}; this eventmap"
                f" reads version {FORMAT_VERSION}: restore it with a matching eventmap"
            )
        try:
            self.manifest = Manifest(
                schema_revision=str(head["schema_revision"]),
                app_version=str(head.get("app_version", "unknown")),
                created_at=str(head.get("created_at", "")),
                dialect=str(head.get("dialect", "")),
                tables=[
                    TableInfo(str(t["name"]), [str(c) for c in t["columns"]], int(t["rows"]))
                    for t in head["tables"]
                ],
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise _damaged(f"unreadable manifest: {exc!r}") from exc

    def _readline(self, first: bool = False) -> bytes:
        """Read one line; a file that is not gzip, or is cut or corrupt, is refused."""
        try:
            line = self._file.readline()
        except (OSError, EOFError, zlib.error) as exc:
            if first and isinstance(exc, gzip.BadGzipFile):
                raise BackupError(
                    "this is not an eventmap backup (not a gzip file); nothing was restored"
                ) from exc
            raise _damaged(str(exc) or type(exc).__name__) from exc
        if first and not line:
            raise BackupError("this is not an eventmap backup (it is empty); nothing was restored")
        return line

    def check_tables(self, expected: list[Table]) -> None:
        """Refuse a backup whose tables or columns differ from this schema's."""
        want = {t.name: [c.name for c in t.columns] for t in expected}
        have = {t.name: t.columns for t in self.manifest.tables}
        if want != have:
            raise _damaged("its tables or columns do not match its schema revision")

    def rows(self, table: Table, progress: Progress | None = None) -> Iterator[list[dict]]:
        """Yield the next table's rows in batches of dicts, checked against its checksum."""
        decoders = _decoders(table)
        names = [column.name for column in table.columns]
        digest = hashlib.sha256()
        batch: list[dict] = []
        count = 0
        while True:
            line = self._readline()
            if not line:
                raise _damaged(f"it ends inside table {table.name}")
            try:
                value = json.loads(line)
            except ValueError as exc:
                raise _damaged(f"unreadable line in table {table.name}") from exc
            if isinstance(value, dict):
                break
            if not isinstance(value, list) or len(value) != len(names):
                raise _damaged(f"a row of {table.name} has the wrong shape")
            digest.update(line)
            try:
                batch.append(
                    {
                        name: decode(item)
                        for name, decode, item in zip(names, decoders, value, strict=True)
                    }
                )
            except (TypeError, ValueError) as exc:
                raise _damaged(f"a value in {table.name} cannot be read: {exc}") from exc
            count += 1
            if len(batch) >= BATCH_ROWS:
                yield batch
                if progress is not None:
                    progress(len(batch))
                batch = []
        if (
            value.get("table") != table.name
            or value.get("rows") != count
            or value.get("sha256") != digest.hexdigest()
        ):
            raise _damaged(f"the checksum of table {table.name} does not match its rows")
        if batch:
            yield batch
            if progress is not None:
                progress(len(batch))

    def finish(self) -> None:
        """Check the end marker and that nothing follows it."""
        line = self._readline()
        try:
            value = json.loads(line) if line else None
        except ValueError:
            value = None
        if not isinstance(value, dict) or value.get("end") != FORMAT:
            raise _damaged("its end marker is missing")
        if self._readline():
            raise _damaged("something follows its end marker")


def check_revision(connection: Connection, manifest: Manifest) -> None:
    """Refuse to restore into a database at another schema revision than the backup's."""
    revision = database_revision(connection)
    head = head_revision()
    needed = manifest.schema_revision
    if revision == needed == head:
        return
    if needed != head:
        raise BackupError(
            f"this backup was made at schema revision {needed}, and this eventmap restores"
            f" revision {head} only: restore it with the eventmap version that made it"
            f" ({manifest.app_version}), then upgrade that database with `flask db upgrade`"
        )
    where = "has no schema yet" if revision is None else f"is at schema revision {revision}"
    raise BackupError(
        f"the database {where}, and this backup needs revision {needed}:"
        f" run `flask db upgrade` first (nothing was restored)"
    )


def lock_for_restore(connection: Connection) -> None:
    """Keep other writers out from the first check to the commit; readers see the old rows.

    SQLite: the write lock, taken now rather than at the first DELETE. PostgreSQL: EXCLUSIVE
    on every table, which lets plain SELECTs through until the commit.
    """
    if connection.dialect.name == "sqlite":
        driver = connection.connection.driver_connection
        if driver is not None and not driver.in_transaction:
            driver.execute("BEGIN IMMEDIATE")
    elif connection.dialect.name == "postgresql":
        names = ", ".join(connection.dialect.identifier_preparer.format_table(t) for t in tables())
        connection.exec_driver_sql(f"LOCK TABLE {names} IN EXCLUSIVE MODE")


def data_rows(connection: Connection) -> dict[str, int]:
    """Count the rows of every table that holds data (all but the data version)."""
    counts = {}
    for table in tables():
        if table.name in NOT_DATA:
            continue
        found = connection.scalar(select(func.count()).select_from(table)) or 0
        if found:
            counts[table.name] = found
    return counts


def empty_tables(connection: Connection) -> int:
    """Delete every row, children first, without committing; return how many were deleted."""
    deleted = 0
    for table in reversed(tables()):
        deleted += connection.execute(table.delete()).rowcount or 0
    return deleted


def version_value(connection: Connection) -> int | None:
    """Return the data version's counter, None when there is no row."""
    return connection.scalar(select(DataVersion.value).where(DataVersion.id == 1))


def load(
    connection: Connection, reader: BackupReader, progress: Progress | None = None
) -> dict[str, int]:
    """Insert every table of the backup, in the caller's transaction; return rows per table."""
    loaded = {}
    listed = tables()
    reader.check_tables(listed)
    listed_rows = {info.name: info.rows for info in reader.manifest.tables}
    for table in listed:
        count = 0
        for batch in reader.rows(table, progress):
            connection.execute(table.insert(), batch)
            count += len(batch)
        if count != listed_rows[table.name]:
            raise _damaged(f"table {table.name} has {count} rows, its manifest says otherwise")
        loaded[table.name] = count
    reader.finish()
    return loaded


def keep_version_ahead(connection: Connection, before: int | None) -> bool:
    """Make the data version newer than any the database had before the restore.

    Caches and browsers key on the counter: if a restore gave it a value the database had
    already served with other data, a revalidation would answer 304 with the old content.
    So the backup's value stays unless it is not above the one it replaces. Tell whether it
    was raised.
    """
    if before is None:
        return False
    restored = version_value(connection)
    if restored is not None and restored > before:
        return False
    values = {"value": before + 1, "changed_at": utcnow()}
    if restored is None:
        connection.execute(DataVersion.__table__.insert().values(id=1, **values))
    else:
        connection.execute(
            DataVersion.__table__.update().where(DataVersion.id == 1).values(**values)
        )
    return True


def reset_sequences(connection: Connection) -> None:
    """Set PostgreSQL's id sequences past the restored ids, so that new rows get free ones.

    SQLite needs nothing: a new rowid is one more than the largest in the table.
    """
    if connection.dialect.name != "postgresql":
        return
    for table in tables():
        for column in table.primary_key.columns:
            if not isinstance(column.type, Integer):
                continue
            sequence = func.pg_get_serial_sequence(table.name, column.name)
            highest = select(func.max(column)).scalar_subquery()
            # is_called false: the next value is max + 1 itself, and 1 for an empty table
            connection.execute(select(func.setval(sequence, func.coalesce(highest, 0) + 1, False)))
