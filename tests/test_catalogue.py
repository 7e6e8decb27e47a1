"""The one bilingual catalogue (:mod:`carbonpeak.catalogue`): its files and its coverage.

Every data file loads and keeps the rules (both languages, non-blank, the same fields);
the loader refuses a file that breaks one; every file is used by the source.

Every code the source raises has a message: walks the source for the codes passed to
:class:`~carbonpeak.errors.Problem` and to the error classes (first argument or ``code=``,
string literals and both branches of a conditional), and the ``code`` class attributes of
the error tree: each must have a Chinese and an English message in
:data:`~carbonpeak.errors.MESSAGES` — a code without one would reach a user as its bare
identifier.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import carbonpeak
from carbonpeak import catalogue
from carbonpeak.catalogue import CatalogueError
from carbonpeak.errors import MESSAGES
from carbonpeak.web import TEMPLATES_DIR, i18n

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


# --- the data files ------------------------------------------------------------------------

CATALOGUE_DIR = SRC / "catalogue"


def test_every_data_file_loads_with_both_languages_and_the_same_fields() -> None:
    names = catalogue.namespaces()
    assert names == tuple(sorted(p.stem for p in CATALOGUE_DIR.glob("*.toml")))
    assert {"errors", "objects"} <= set(names)
    for name in names:
        entries = catalogue.pairs(name)
        assert entries, name
        for key, (zh, en) in entries.items():
            assert isinstance(zh, str) and isinstance(en, str), (name, key)
            assert catalogue.fields(zh, "zh") == catalogue.fields(en, "en"), (name, key)


def test_every_data_file_is_used_by_the_source() -> None:
    source = "\n".join(p.read_text("utf-8") for p in SRC.rglob("*.py") if p.parent != CATALOGUE_DIR)
    unused = [n for n in catalogue.namespaces() if f'pairs("{n}")' not in source and f'"{n}.' not in source]
    assert unused == []


def test_every_data_file_is_listed_in_the_docs() -> None:
    docs = (Path(__file__).parents[1] / "docs" / "catalogue.md").read_text("utf-8")
    assert [n for n in catalogue.namespaces() if f"`{n}.toml`" not in docs] == []


def test_pairs_is_a_fresh_dict_in_file_order() -> None:
    first = catalogue.pairs("objects")
    first["enterprise"] = ("x", "y")
    assert catalogue.pairs("objects")["enterprise"] == ("企业", "enterprise")
    assert next(iter(catalogue.pairs("errors"))) == "internal"


def test_text_looks_up_namespace_dot_key_and_formats() -> None:
    assert catalogue.text("objects.enterprise") == "企业"
    assert catalogue.text("objects.enterprise", "en") == "enterprise"
    assert catalogue.text("objects.factor set", "fr") == "因子集"
    assert catalogue.text("errors.not_found", "en", object="user", key=7) == "Not found: user 7"
    for missing in ("objects.no_such", "no_such_file.key", "objects"):
        with pytest.raises(KeyError):
            catalogue.text(missing)


def test_pair_formats_both_languages_with_their_own_fields() -> None:
    assert catalogue.pair("rounds.year", year=2025) == ("2025 年度", "2025")
    assert catalogue.pair("target_notes.no_base_value", reason_zh="无数据", reason_en="no data") == (
        "无基准年值：无数据",
        "no base-year value: no data",
    )
    assert catalogue.pair("credit_code.region")[1].startswith("characters 3-8")


def test_the_loader_accepts_paired_language_fields_and_a_noted_blank() -> None:
    source = """
a = { zh = "{n} 家", en = "{n:,d} enterprises" }
b = { zh = "原因：{reason_zh}", en = "Because {reason_en}", note = "the caller passes both" }
"c.d" = { zh = "家", en = "", note = "a measure word; English shows the bare number" }
"""
    assert catalogue.parse("t", source) == {
        "a": ("{n} 家", "{n:,d} enterprises"),
        "b": ("原因：{reason_zh}", "Because {reason_en}"),
        "c.d": ("家", ""),
    }


@pytest.mark.parametrize(
    ("source", "reason"),
    [
        ('a = { zh = "甲" }', "no en text"),
        ('a = { en = "A" }', "no zh text"),
        ('a = { zh = "甲", en = " " }', "blank en text"),
        ('a = { zh = "", en = "A" }', "blank zh text"),
        ('a = { zh = "甲", en = "A", other = "x" }', "unknown fields"),
        ('a = { zh = "甲", en = 1 }', "no en text"),
        ('a = "甲"', "an entry is a table"),
        ('a = { zh = "{n} 个", en = "{count} items" }', "fields differ"),
        ('a = { zh = "{n} 个", en = "items" }', "fields differ"),
        ('a = { zh = "{reason_en}", en = "{reason_en}" }', "other language"),
        ('a = { zh = "{} 个", en = "{} items" }', "positional field"),
        ('a = { zh = "{n 个", en = "{n} items" }', "'}'"),
        ('" a" = { zh = "甲", en = "A" }', "surrounding blanks"),
        ('a = { zh = "甲", en = "A" }\na = { zh = "乙", en = "B" }', "overwrite"),
    ],
)
def test_the_loader_refuses_a_broken_file(source: str, reason: str) -> None:
    with pytest.raises(CatalogueError, match=re.escape(reason)) as info:
        catalogue.parse("t", source)
    assert str(info.value).startswith("catalogue t.toml")
    assert isinstance(info.value, ValueError)


# --- the page strings ----------------------------------------------------------------------

T_KEY = re.compile(r"""\bt\(\s*'([^']+)'\s*(~)?""")
TEXT_CALL = re.compile(r'\btext\(\s*"([^"]+)"')


def test_every_key_a_template_asks_for_is_in_the_catalogue() -> None:
    used: set[str] = set()
    prefixes: set[str] = set()
    for path in TEMPLATES_DIR.rglob("*.html"):
        for key, tilde in T_KEY.findall(path.read_text("utf-8")):
            (prefixes if tilde else used).add(key)
    assert len(used) > 300, "the template walk finds the t('…') calls"
    assert sorted(used - set(i18n.TEXT)) == []
    # a key built from a prefix ('intake.status.' ~ status) has entries under that prefix
    assert sorted(p for p in prefixes if not any(k.startswith(p) for k in i18n.TEXT)) == []


def test_every_page_string_the_web_code_asks_for_is_in_the_catalogue() -> None:
    web = SRC / "web"
    used = {k for p in web.rglob("*.py") for k in TEXT_CALL.findall(p.read_text("utf-8"))}
    assert len(used) > 20
    assert sorted(used - set(i18n.TEXT)) == []


def test_every_gwp_set_and_punctuation_has_a_page_string() -> None:
    from carbonpeak import refdata

    sets = {str(r["id"]).split(":", 1)[0] for r in refdata.load_table("accounting/gwp")}
    assert {"SAR", "AR4", "AR5", "AR6"} <= sets
    assert {f"gwp.{s}" for s in sets} <= set(i18n.TEXT)
    assert i18n.text("punct.colon", "zh") == "："
    assert i18n.text("punct.list", "en") == ", "


LANG_SWITCH = re.compile(r"""\blang\s*[!=]=\s*['"](?:en|zh)['"]""")
#: Templates that may test the language: the language switcher, and the enterprise page's
#: name in the other language under the heading.
MAY_SWITCH = {"base.html", "enterprise.html"}


def test_templates_take_texts_from_the_catalogue_not_from_language_switches() -> None:
    switching = {
        str(p.relative_to(TEMPLATES_DIR))
        for p in TEMPLATES_DIR.rglob("*.html")
        if LANG_SWITCH.search(p.read_text("utf-8"))
    }
    assert switching <= MAY_SWITCH


def test_loc_picks_data_named_in_both_languages() -> None:
    row = {"name_zh": "衡阳市", "name_en": "Hengyang", "park_name_zh": "园区", "park_name_en": None}
    assert i18n.loc(row, "en") == "Hengyang"
    assert i18n.loc(row, "zh") == "衡阳市"
    assert i18n.loc(row, "en", "park_name") == "园区"  # a blank English name falls back
    assert i18n.loc(("铜", "Copper"), "en") == "Copper"
    assert i18n.loc(MESSAGES["not_found"], "zh").startswith("未找到")
    assert i18n.loc is catalogue.loc  # one helper for pages, services, reports and the CLI


CATALOGUE_CALL = re.compile(r'\bcatalogue\.(?:text|pair)\(\s*(f?)"([a-z_]+\.[^"]*)"')


def test_every_key_the_source_asks_the_catalogue_for_exists() -> None:
    """``catalogue.text("ns.key")`` and ``catalogue.pair("ns.key")`` with a literal key (an
    f-string key: some key starts with its literal prefix)."""
    keys = {f"{n}.{k}" for n in catalogue.namespaces() for k in catalogue.pairs(n)}
    missing = []
    calls = 0
    for path in SRC.rglob("*.py"):
        source = path.read_text("utf-8")
        if "catalogue" not in source:
            continue
        for f, key in CATALOGUE_CALL.findall(source):
            calls += 1
            prefix = key.split("{", 1)[0] if f else key
            if (f and not any(k.startswith(prefix) for k in keys)) or (not f and key not in keys):
                missing.append(f"{path.relative_to(SRC)}: {key}")
    assert calls > 15
    assert missing == []


def test_every_review_report_label_the_report_asks_for_exists() -> None:
    from carbonpeak.reporting.review_report import LABELS

    source = (SRC / "reporting" / "review_report.py").read_text("utf-8")
    used = set(re.findall(r"""\b_t\(\s*['"]([a-z_0-9]+)['"]""", source))
    assert len(used) > 20
    assert sorted(used - set(LABELS)) == []


#: Modules that may test the language, and why: the catalogue and the error messages choose
#: the text; i18n normalises the language and names <html lang>; the home chart shortens city
#: names differently per language; an explanation shows its formula in both, the page's first;
#: the intake template normalises its language; the review workbook names its sheets.
MAY_TEST_LANG = {
    "catalogue/__init__.py",
    "errors.py",
    "web/i18n.py",
    "web/pages.py",
    "web/inventory_view.py",
    "service/reporting/intake.py",
    "reporting/review_report.py",
}


def test_modules_pick_names_with_loc_not_language_switches() -> None:
    switching = {
        p.relative_to(SRC).as_posix() for p in SRC.rglob("*.py") if LANG_SWITCH.search(p.read_text("utf-8"))
    }
    assert switching <= MAY_TEST_LANG
