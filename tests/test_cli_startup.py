"""``carbonpeak --help`` starts without the heavy libraries: the command modules import the
service (and with it pandas, SQLAlchemy, …) only when a command runs."""

from __future__ import annotations

import subprocess
import sys

from carbonpeak.cli import scenarios as scenarios_cli
from carbonpeak.service.outlook import scenario_tools

#: Libraries the CLI must not import at start-up (each costs tenths of a second or more).
#: Not pydantic: Typer itself imports it (typer._adapters) when it builds the commands.
HEAVY = {
    "alembic",
    "argon2",
    "dask",
    "distributed",
    "fastapi",
    "jinja2",
    "numpy",
    "openpyxl",
    "pandas",
    "pint",
    "psycopg",
    "pyarrow",
    "pydantic_settings",
    "reportlab",
    "scipy",
    "sqlalchemy",
    "starlette",
    "uvicorn",
}


def _loaded_after(code: str) -> set[str]:
    """Top-level packages in ``sys.modules`` after running *code* in a fresh interpreter."""
    probe = f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"
    out = subprocess.run(  # noqa: S603 — our own interpreter and code
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    return {name.split(".")[0] for name in out.stdout.split()}


def test_importing_the_cli_loads_no_heavy_library() -> None:
    loaded = _loaded_after("import carbonpeak.cli.main")
    assert "carbonpeak" in loaded and "typer" in loaded
    assert loaded & HEAVY == set()


def test_the_help_screen_loads_no_heavy_library() -> None:
    code = (
        "import contextlib, io\n"
        "from carbonpeak.cli.main import app\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "    app(['scenario', 'montecarlo', '--help'])"
    )
    assert _loaded_after(code) & HEAVY == set()


def test_the_probe_sees_a_heavy_import() -> None:
    assert "argon2" in _loaded_after("import argon2")  # the lightest of HEAVY


def test_option_defaults_written_in_the_cli_are_the_engines() -> None:
    assert scenarios_cli._DEFAULT_TOLERANCE == scenario_tools.DEFAULT_TOLERANCE
    assert scenarios_cli._DEFAULT_CONNECT_TIMEOUT == scenario_tools.DEFAULT_CONNECT_TIMEOUT
    assert scenarios_cli._DEFAULT_SCENARIO == scenario_tools.DEFAULT_SCENARIO
