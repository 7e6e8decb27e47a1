"""The one bilingual message catalogue covers every code the code raises.

Walks the source for the codes passed to :class:`~carbonpeak.errors.Problem` and to the
error classes (first argument or ``code=``, string literals and both branches of a
conditional), and the ``code`` class attributes of the error tree: each must have a Chinese
and an English message in :data:`~carbonpeak.errors.MESSAGES` — a code without one would
reach a user as its bare identifier.
"""

from __future__ import annotations

import ast
from pathlib import Path

import carbonpeak
from carbonpeak.errors import MESSAGES

SRC = Path(carbonpeak.__file__).parent
RAISERS = {
    "Problem",
    "CarbonpeakError",
    "InputError",
    "UnitError",
    "SettingsError",
    "RefdataError",
    "NotFound",
    "Conflict",
    "AuthenticationFailed",
    "PermissionDenied",
    "PayloadTooLarge",
    "IntegrityViolation",
}


def _strings(node: ast.AST | None) -> list[str]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    return []


def _codes(path: Path) -> set[tuple[str, int, str]]:
    out: set[tuple[str, int, str]] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
            if name in RAISERS:
                first = (
                    node.args[0] if node.args and name in ("Problem", "CarbonpeakError", "Conflict") else None
                )
                for s in _strings(first):
                    out.add((s, node.lineno, name))
                for kw in node.keywords:
                    if kw.arg == "code":
                        out.update((s, node.lineno, name) for s in _strings(kw.value))
        elif isinstance(node, ast.ClassDef):
            for stmt in node.body:
                if isinstance(stmt, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == "code" for t in stmt.targets
                ):
                    out.update((s, stmt.lineno, node.name) for s in _strings(stmt.value))
    return out


def test_the_walk_finds_codes() -> None:
    found = {c for p in SRC.rglob("*.py") for c, _l, _n in _codes(p)}
    assert {"input_invalid", "not_found", "unknown_enterprise", "intake_submission_locked"} <= found


def test_every_raised_code_has_a_message_in_both_languages() -> None:
    missing = sorted(
        f"{p.relative_to(SRC)}:{line} {name}({code!r})"
        for p in SRC.rglob("*.py")
        for code, line, name in _codes(p)
        if code not in MESSAGES or not all(MESSAGES[code])
    )
    assert missing == []
