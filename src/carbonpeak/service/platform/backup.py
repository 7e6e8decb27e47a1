"""Back up the store to one file and restore it, on SQLite and PostgreSQL.

- **SQLite**: :func:`backup` copies the database with SQLite's online backup API
  (``sqlite3.Connection.backup``): a consistent copy while the server keeps reading and
  writing (a write during the copy makes it start again). :func:`restore` checks that the
  file is a carbonpeak store, then copies it over the target's pages with the same API.
- **PostgreSQL**: :func:`backup` runs ``pg_dump --format=custom`` (one consistent snapshot
  while the server runs); :func:`restore` checks the file with ``pg_restore --list``, then
  replays it with ``pg_restore -f -`` into ``psql --single-transaction`` after dropping the
  store's schemas (``public`` and those its migrations made) in that same transaction: a
  failed restore leaves the store as it was.
  The connection comes from the store URL through the ``PG*`` environment variables, never
  the command line (a password would show in ``ps``). ``pg_dump``, ``pg_restore`` and
  ``psql`` must be on ``PATH``, of the server's major version or newer.

Both write the backup to a temporary file beside *dest* and rename it, so a failed backup
never leaves a half-written file under the requested name.

:func:`restore` refuses a store holding any row (accounts, the register, the audit trail …)
unless *force* is given; afterwards it migrates the store to the newest schema (a backup of
an older version) and walks the audit chain with the configured key
(:func:`carbonpeak.service.platform.audit.verify`): the result carries the events checked
and any problem. Restore with the server stopped; start it afterwards (the views' cache of
a running server would not know the store went back in time).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from carbonpeak.errors import CarbonpeakError, Conflict, InputError, Problem
from carbonpeak.service.platform import audit
from carbonpeak.store.db import dispose, engine_for, migrate, normalise_url, sessionmaker_for

__all__ = ["BackupResult", "RestoreResult", "backup", "is_blank", "restore", "store_kind"]

#: The tables whose rows do not make a store "non-empty": the schema's version and the audit
#: chain's head (a new store holds its genesis row).
_BOOKKEEPING = frozenset({"alembic_version", "audit_head"})


@dataclass(frozen=True)
class BackupResult:
    """A backup written: the file, its size [bytes] and the store kind (``sqlite`` | ``postgresql``)."""

    path: Path
    bytes: int
    kind: str


@dataclass(frozen=True)
class RestoreResult:
    """A restore done: the store kind, the audit events checked and any chain problem."""

    kind: str
    events: int
    problems: list[audit.AuditProblem] = field(default_factory=list)


def store_kind(url: str) -> str:
    """``sqlite`` or ``postgresql`` for a store URL; a located error for another kind."""
    name = sa.make_url(normalise_url(url)).get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise InputError([Problem("backup_unsupported", column="CARBONPEAK_DATABASE_URL", value=name)])
    return name


def _sqlite_path(url: str) -> Path:
    db = sa.make_url(url).database
    if not db or db == ":memory:":
        raise InputError([Problem("backup_unsupported", column="CARBONPEAK_DATABASE_URL", value=":memory:")])
    return Path(db)


def is_blank(url: str) -> bool:
    """True when no table of the store (but the schema's bookkeeping) holds a row."""
    eng = engine_for(url)
    names = [t for t in sa.inspect(eng).get_table_names() if t not in _BOOKKEEPING]
    with eng.connect() as conn:
        prep = eng.dialect.identifier_preparer
        return not any(
            conn.exec_driver_sql(f"SELECT 1 FROM {prep.quote(t)} LIMIT 1").first()  # noqa: S608 — table names from the schema
            for t in names
        )


def _tmp_beside(dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    os.close(fd)
    return Path(name)


def _bad_file(path: Path, kind: str | None = None) -> InputError:
    """No file at *path* (*kind* None), or one that is not a carbonpeak backup of *kind*."""
    if kind is None:
        return InputError([Problem("backup_no_file", file=str(path), value=str(path))])
    return InputError([Problem("backup_not_carbonpeak", file=str(path), fields={"kind": kind})])


# --- PostgreSQL: the client programs --------------------------------------------------------


def _pg_env(url: str) -> dict[str, str]:
    u = sa.make_url(normalise_url(url))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    pairs = {
        "PGHOST": u.host,
        "PGPORT": str(u.port) if u.port else None,
        "PGUSER": u.username,
        "PGPASSWORD": u.password,
        "PGDATABASE": u.database,
        "PGSSLMODE": u.query.get("sslmode"),
    }
    env.update({k: str(v) for k, v in pairs.items() if v})
    return env


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise CarbonpeakError("backup_tool_missing", tool=name)
    return found


def _pg_failed(tool: str, stderr: bytes) -> CarbonpeakError:
    lines = [ln for ln in stderr.decode("utf-8", "replace").splitlines() if ln.strip()]
    return CarbonpeakError("backup_tool_failed", tool=tool, detail=(lines[-1] if lines else "?")[:300])


def _pg_backup(url: str, tmp: Path) -> None:
    cmd = [_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={tmp}"]
    done = subprocess.run(cmd, env=_pg_env(url), capture_output=True, check=False)  # noqa: S603 — fixed arguments
    if done.returncode != 0:
        raise _pg_failed("pg_dump", done.stderr)


def _pg_schemas(url: str) -> list[str]:
    """The store's own schemas (``public`` and those its migrations made, e.g. partitions'),
    quoted: emptied before a restore, which makes them again."""
    with engine_for(url).connect() as conn:
        names = conn.exec_driver_sql(
            "SELECT nspname FROM pg_namespace WHERE left(nspname, 3) <> 'pg_' "
            "AND nspname <> 'information_schema' ORDER BY nspname"
        ).scalars()
        prep = engine_for(url).dialect.identifier_preparer
        return [prep.quote_identifier(n) for n in names]


def _pg_restore(url: str, src: Path) -> None:
    env = _pg_env(url)
    listed = subprocess.run(  # noqa: S603 — fixed arguments
        [_pg_tool("pg_restore"), "--list", str(src)], env=env, capture_output=True, check=False
    )
    if listed.returncode != 0 or b"TABLE DATA public alembic_version" not in listed.stdout:
        raise _bad_file(src, "PostgreSQL (pg_dump --format=custom)")
    preamble = "".join(f"DROP SCHEMA {s} CASCADE;\n" for s in _pg_schemas(url))
    preamble += "CREATE SCHEMA public;\n"
    dispose(url)
    script = subprocess.Popen(  # noqa: S603 — fixed arguments
        [_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--file=-", str(src)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    psql = subprocess.Popen(  # noqa: S603 — fixed arguments
        [
            _pg_tool("psql"),
            "--no-psqlrc",
            "--quiet",
            "--single-transaction",
            "-v",
            "ON_ERROR_STOP=1",
            "--file=-",
        ],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    assert script.stdout is not None  # noqa: S101 — a pipe, asked for above
    assert psql.stdin is not None  # noqa: S101 — a pipe, asked for above
    assert script.stderr is not None  # noqa: S101 — a pipe, asked for above
    assert psql.stderr is not None  # noqa: S101 — a pipe, asked for above
    try:
        # the same transaction as the backup's own statements: all of it, or nothing
        psql.stdin.write(preamble.encode("utf-8"))
        shutil.copyfileobj(script.stdout, psql.stdin)
    except BrokenPipeError:  # psql stopped at an error: its message below
        pass
    finally:
        with contextlib.suppress(BrokenPipeError):
            psql.stdin.close()
        script.stdout.close()
    script_err, psql_err = script.stderr.read(), psql.stderr.read()
    for proc in (script, psql):
        proc.stderr.close()  # type: ignore[union-attr]
        proc.wait()
    if script.returncode != 0:
        raise _pg_failed("pg_restore", script_err)
    if psql.returncode != 0:
        raise _pg_failed("psql", psql_err)


# --- SQLite ---------------------------------------------------------------------------------


def _sqlite_copy(src: Path, dst: Path) -> None:
    with closing(sqlite3.connect(src)) as a, closing(sqlite3.connect(dst)) as b:
        a.execute("PRAGMA busy_timeout=10000")
        b.execute("PRAGMA busy_timeout=10000")
        a.backup(b)


def _sqlite_restore(url: str, src: Path) -> None:
    try:
        with closing(sqlite3.connect(f"file:{src}?mode=ro", uri=True)) as c:
            c.execute("SELECT version_num FROM alembic_version").fetchall()
    except sqlite3.Error:
        raise _bad_file(src, "SQLite") from None
    dispose(url)
    _sqlite_copy(src, _sqlite_path(url))


# --- the two operations ---------------------------------------------------------------------


def backup(url: str, dest: Path) -> BackupResult:
    """Write a consistent copy of the store at *url* to *dest* (replaced if it exists)."""
    kind = store_kind(url)
    tmp = _tmp_beside(dest)
    try:
        if kind == "sqlite":
            src = _sqlite_path(url)
            if not src.exists():
                raise _bad_file(src)
            _sqlite_copy(src, tmp)
        else:
            _pg_backup(url, tmp)
        tmp.replace(dest)
    finally:
        tmp.unlink(missing_ok=True)
    return BackupResult(path=dest, bytes=dest.stat().st_size, kind=kind)


def restore(url: str, src: Path, *, force: bool = False) -> RestoreResult:
    """Replace the store at *url* with the backup *src*, migrate it and verify its audit chain.

    A store holding any row is refused (409 ``restore_not_empty``) unless *force*."""
    kind = store_kind(url)
    if not src.is_file():
        raise _bad_file(src)
    if kind == "sqlite" and not _sqlite_path(url).exists():
        _sqlite_path(url).parent.mkdir(parents=True, exist_ok=True)
    elif not force and not is_blank(url):
        raise Conflict("restore_not_empty", value=sa.make_url(url).database)
    if kind == "sqlite":
        _sqlite_restore(url, src)
    else:
        _pg_restore(url, src)
    dispose(url)
    migrate(url)
    with sessionmaker_for(url)() as db:
        events, problems = audit.verify(db)
    return RestoreResult(kind=kind, events=events, problems=list(problems))
