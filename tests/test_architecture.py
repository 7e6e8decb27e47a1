"""The import rules of ARCHITECTURE.md: imports only point down.

Engines (accounting, benchmark, …) and the foundations (model, units, refdata, errors)
must not import store/, io/, service/, http/, api/, web/, the CLI or the app; the catalogue
(bilingual texts) imports nothing from carbonpeak; store/ and io/ must not import the layers
above them. The faces import only service/, model/, errors, catalogue and settings — the
HTTP faces (api/, web/) also http/, the request plumbing they share, and never each other;
http/ imports only service/, model/, errors and settings (and FastAPI/Starlette). Only the
composition root (app.py) sees both HTTP faces; the CLI's ``run`` command serves it (the one
exception below).
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import carbonpeak

SRC = Path(carbonpeak.__file__).parent
ENGINES = [
    "accounting",
    "benchmark",
    "targets",
    "scenarios",
    "reporting",
]
#: Engines the plan's later issues add (one-enterprise-one-policy, energy centre, product
#: footprint): held to the engine rule as soon as they exist; no empty package waits for them.
FUTURE_ENGINES = ["planning", "monitoring", "footprint"]
FACES_AND_SERVICE = {"service", "http", "api", "web", "cli", "app"}
BANNED: dict[str, set[str]] = {
    **{e: {"store", "io", *FACES_AND_SERVICE} for e in ENGINES},
    **{e: {"store", "io", *FACES_AND_SERVICE} for e in FUTURE_ENGINES if (SRC / e).exists()},
    "model": {"store", "io", "refdata", *FACES_AND_SERVICE, *ENGINES},
    "units.py": {"store", "io", *FACES_AND_SERVICE, *ENGINES},
    "errors.py": {"store", "io", "refdata", "units", "model", *FACES_AND_SERVICE, *ENGINES},
    "refdata": {"store", "io", *FACES_AND_SERVICE, *ENGINES},
    "store": {"io", *FACES_AND_SERVICE},
    "io": {"store", *FACES_AND_SERVICE},
    "service": {"http", "api", "web", "cli", "app"},
}
#: Every top-level part of the package (sub-package or module).
PARTS = {
    p.stem
    for p in SRC.iterdir()
    if (p.is_dir() and (p / "__init__.py").is_file()) or (p.suffix == ".py" and p.stem != "__init__")
}
#: What a face may import: the use cases and the types, errors, texts and settings they speak.
FACE_MAY_IMPORT = {"service", "model", "errors", "catalogue", "settings"}
#: The bilingual catalogue is the floor under errors.py: it imports nothing from carbonpeak.
BANNED["catalogue"] = PARTS - {"catalogue"}
BANNED["cli"] = PARTS - FACE_MAY_IMPORT - {"cli"}
#: The HTTP faces also use the request plumbing they share; never each other.
BANNED["api"] = PARTS - FACE_MAY_IMPORT - {"http", "api"}
BANNED["web"] = PARTS - FACE_MAY_IMPORT - {"http", "web"}
#: The shared request plumbing: below both HTTP faces, above the use cases.
BANNED["http"] = PARTS - FACE_MAY_IMPORT - {"http"}
#: Allowed on purpose (file, part): why.
EXCEPTIONS: dict[tuple[str, str], str] = {
    ("cli/main.py", "app"): "`carbonpeak run` serves the ASGI app of app.py, the composition root",
}


def _imports(path: Path) -> set[str]:
    """First component under carbonpeak of every carbonpeak import in *path*."""
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        for n in names:
            parts = n.split(".")
            if parts[0] == "carbonpeak" and len(parts) > 1:
                out.add(parts[1])
    return out


def _files(part: str) -> list[Path]:
    target = SRC / part
    return [target] if target.is_file() else sorted(target.rglob("*.py"))


@pytest.mark.parametrize("part", sorted(BANNED))
def test_imports_point_down(part: str) -> None:
    files = _files(part)
    assert files, f"{part} has no Python files"
    offenders = {
        f"{f.relative_to(SRC)} imports carbonpeak.{m}"
        for f in files
        for m in _imports(f) & BANNED[part]
        if (f.relative_to(SRC).as_posix(), m) not in EXCEPTIONS
    }
    assert not offenders, sorted(offenders)


def test_the_rule_checker_sees_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "engine.py"
    bad.write_text("from carbonpeak.store.models import Enterprise\nimport carbonpeak.io\n")
    assert _imports(bad) == {"store", "io"}


@pytest.mark.parametrize("engine", ENGINES)
def test_engine_packages_exist(engine: str) -> None:
    assert (SRC / engine / "__init__.py").is_file()


def test_no_empty_placeholder_package() -> None:
    """Every package holds code: a package whose only module is an empty ``__init__`` is a
    placeholder for a future feature (STYLE.md: avoid)."""
    empty = [
        str(d.relative_to(SRC))
        for d in SRC.rglob("*")
        if d.is_dir()
        and (d / "__init__.py").is_file()
        and [p.name for p in d.iterdir() if p.name != "__pycache__"] == ["__init__.py"]
        and len([ln for ln in (d / "__init__.py").read_text("utf-8").splitlines() if ln.strip()]) <= 1
    ]
    assert empty == []


def test_every_module_imports_and_exports_what_all_names() -> None:
    for mod in pkgutil.walk_packages([str(SRC)], prefix="carbonpeak."):
        if ".alembic" in mod.name:
            continue
        m = importlib.import_module(mod.name)
        for name in getattr(m, "__all__", []):
            assert hasattr(m, name), f"{mod.name}.__all__ names missing {name}"


def test_the_cli_rule_bans_every_other_part() -> None:
    assert {"store", "io", "refdata", "units", "accounting", "scenarios", "api", "web"} <= BANNED["cli"]
    assert not (FACE_MAY_IMPORT & BANNED["cli"])


@pytest.mark.parametrize("face", ["api", "web"])
def test_the_http_face_rules_ban_every_other_part(face: str) -> None:
    other = "web" if face == "api" else "api"
    assert {
        "store",
        "io",
        "refdata",
        "units",
        "accounting",
        "scenarios",
        "reporting",
        other,
        "app",
    } <= BANNED[face]
    assert not ((FACE_MAY_IMPORT | {"http"}) & BANNED[face])


def test_the_plumbing_sits_below_both_faces() -> None:
    assert {"api", "web", "cli", "app", "store", "io", "refdata", "units"} <= BANNED["http"]
    assert not (FACE_MAY_IMPORT & BANNED["http"])
    assert "http" in BANNED["service"]
