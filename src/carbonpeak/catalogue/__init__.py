"""The one bilingual catalogue: every text the platform shows, in Chinese and English.

The texts are data, not code: one TOML file per area beside this module
(``<namespace>.toml``), one entry per key::

    not_found = { zh = "未找到{object}：{key}", en = "Not found: {object} {key}" }
    "inv.exp.line" = { zh = "核算行", en = "The line" }

A key is addressed as ``<namespace>.<key>`` (``errors.not_found``, ``web.inv.exp.line``);
modules bind a whole namespace once (``MESSAGES = catalogue.pairs("errors")``) and keep
their ``key -> (Chinese, English)`` dictionaries, so call sites do not change.

Each file is checked when it is first loaded (and every file by ``tests/test_catalogue.py``):

- every entry has a Chinese (``zh``) and an English (``en``) text, non-blank — a text may be
  blank only with a ``note`` saying why (a Chinese measure word has no English counterpart);
- no key twice (the TOML parser refuses a repeated key);
- both languages use the same ``str.format`` fields, where a field named ``<x>_zh`` in the
  Chinese text pairs with ``<x>_en`` in the English one (the caller passes both).

A malformed file raises :class:`CatalogueError` (a ``ValueError``) naming the file and the
key. This module imports nothing from carbonpeak, so :mod:`carbonpeak.errors` can load its
messages from here. How to add a text: ``docs/catalogue.md``.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any, Final

__all__ = ["ENTRY_FIELDS", "CatalogueError", "fields", "loc", "namespaces", "pair", "pairs", "parse", "text"]

#: The fields an entry may have: the two texts and a note for translators and reviewers.
ENTRY_FIELDS: Final[frozenset[str]] = frozenset({"zh", "en", "note"})
_FORMATTER = string.Formatter()


class CatalogueError(ValueError):
    """A catalogue file that does not parse or breaks a rule (a packaging bug, found at import)."""

    def __init__(self, namespace: str, key: str | None, reason: str) -> None:
        self.namespace = namespace
        self.key = key
        self.reason = reason
        where = f"{namespace}.toml" + (f" [{key}]" if key is not None else "")
        super().__init__(f"catalogue {where}: {reason}")


def fields(template: str, lang: str) -> frozenset[str]:
    """The ``str.format`` fields of *template* in *lang*, with the language suffix removed.

    ``{reason_zh}`` in a Chinese text and ``{reason_en}`` in an English one both count as
    ``reason``; a suffix of the other language is refused. Raises ``ValueError`` on
    unbalanced braces.
    """
    other = "_en" if lang == "zh" else "_zh"
    out: set[str] = set()
    for _literal, name, _spec, _conv in _FORMATTER.parse(template):
        if name is None:
            continue
        base = name.split(".", 1)[0].split("[", 1)[0]
        if not base:
            raise ValueError(f"positional field {{{name}}}: name every field")
        if base.endswith(other):
            raise ValueError(f"field {{{name}}} of the other language in the {lang} text")
        out.add(base.removesuffix(f"_{lang}"))
    return frozenset(out)


def parse(namespace: str, source: str) -> dict[str, tuple[str, str]]:
    """The entries of one catalogue file's text *source*, checked: key -> (Chinese, English)."""
    try:
        raw = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:  # a repeated key is refused here too
        raise CatalogueError(namespace, None, str(exc)) from exc
    out: dict[str, tuple[str, str]] = {}
    for key, entry in raw.items():
        out[key] = _entry(namespace, key, entry)
    return out


def _entry(namespace: str, key: str, entry: Any) -> tuple[str, str]:
    def bad(reason: str) -> CatalogueError:
        return CatalogueError(namespace, key, reason)

    if not key or key != key.strip():
        raise bad("a key is non-empty and has no surrounding blanks")
    if not isinstance(entry, dict):
        raise bad('an entry is a table { zh = "…", en = "…" }')
    unknown = set(entry) - ENTRY_FIELDS
    if unknown:
        raise bad(f"unknown fields {sorted(unknown)}; allowed: zh, en, note")
    texts: list[str] = []
    for lang in ("zh", "en"):
        value = entry.get(lang)
        if not isinstance(value, str):
            raise bad(f"no {lang} text")
        if not value.strip() and not entry.get("note"):
            raise bad(f"blank {lang} text without a note saying why")
        texts.append(value)
    zh, en = texts
    try:
        zh_fields, en_fields = fields(zh, "zh"), fields(en, "en")
    except ValueError as exc:
        raise bad(str(exc)) from exc
    if zh_fields != en_fields:
        raise bad(f"fields differ: zh {sorted(zh_fields)}, en {sorted(en_fields)}")
    return zh, en


@cache
def namespaces() -> tuple[str, ...]:
    """The names of the catalogue files shipped with the package, sorted."""
    root = resources.files(__name__)
    return tuple(sorted(p.name.removesuffix(".toml") for p in root.iterdir() if p.name.endswith(".toml")))


@cache
def _load(namespace: str) -> Mapping[str, tuple[str, str]]:
    path = resources.files(__name__).joinpath(f"{namespace}.toml")
    if not path.is_file():
        raise CatalogueError(namespace, None, "no such catalogue file")
    return MappingProxyType(parse(namespace, path.read_text("utf-8")))


def pairs(namespace: str) -> dict[str, tuple[str, str]]:
    """Every entry of *namespace* as a new dict ``key -> (Chinese, English)``, in file order."""
    return dict(_load(namespace))


def text(key: str, lang: str = "zh", /, **values: Any) -> str:
    """The text ``<namespace>.<key>`` in *lang* (English for ``"en"``, else Chinese).

    Formatted with *values* when any are given. An unknown key raises ``KeyError``.
    """
    namespace, _, name = key.partition(".")
    entries = _load(namespace) if namespace in namespaces() else {}
    if name not in entries:
        raise KeyError(key)
    zh, en = entries[name]
    template = en if lang == "en" else zh
    return template.format(**values) if values else template


def pair(key: str, /, **values: Any) -> tuple[str, str]:
    """The text ``<namespace>.<key>`` in both languages, ``(Chinese, English)``, formatted.

    For results that carry both languages (``note_zh``, ``note_en``); pass ``<x>_zh`` and
    ``<x>_en`` for a field whose value differs by language.
    """
    return text(key, "zh", **values), text(key, "en", **values)


def loc(obj: Any, lang: str, field: str = "name") -> Any:
    """Data named in both languages, in *lang*: *obj*'s ``<field>_en`` in English when it is
    not blank, else its ``<field>_zh`` (*obj* a mapping or an object); a ``(zh, en)`` pair
    likewise. For names that come with the data (an enterprise's, an error's message), not
    catalogue texts; pages use it as the template filter ``x|loc('city_name')``."""
    if isinstance(obj, tuple):
        zh, en = obj
    elif isinstance(obj, Mapping):
        zh, en = obj.get(f"{field}_zh"), obj.get(f"{field}_en")
    else:
        zh, en = getattr(obj, f"{field}_zh", None), getattr(obj, f"{field}_en", None)
    return en if lang == "en" and en else zh
