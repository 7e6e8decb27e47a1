"""Every string the web pages show, in Chinese and English, keyed by a dotted name.

The strings are data: ``catalogue/web.toml`` and one ``web_<area>.toml`` per page area
(:mod:`carbonpeak.catalogue`, docs/catalogue.md). Templates call ``t('key')`` (a Jinja
global bound to the page's language); Python code calls :func:`text`. Error messages
come from :mod:`carbonpeak.errors`, not from here. Chinese is the default language; a key
missing here is a bug (``KeyError``), so the page tests find it.
"""

from __future__ import annotations

from typing import Any, Final, Literal

from carbonpeak import catalogue
from carbonpeak.catalogue import loc
from carbonpeak.service.reporting.assignments import STATE_NAMES
from carbonpeak.service.reporting.workflow import MOVE_NAMES, STATUS_NAMES

__all__ = ["DEFAULT_LANG", "LANGS", "TEXT", "Lang", "html_lang", "loc", "normalise_lang", "text"]

Lang = Literal["zh", "en"]
LANGS: Final[tuple[Lang, ...]] = ("zh", "en")
DEFAULT_LANG: Final[Lang] = "zh"

#: key -> (Chinese, English), from catalogue/web.toml and the other page areas' web_*.toml
#: (merged below). Values may hold ``str.format`` fields. New strings go into those files.
TEXT: Final[dict[str, tuple[str, str]]] = catalogue.pairs("web")


def _merge(*areas: dict[str, tuple[str, str]]) -> None:
    for area in areas:
        clash = TEXT.keys() & area.keys()
        if clash:
            raise KeyError(f"page strings defined twice: {sorted(clash)}")
        TEXT.update(area)


_merge(
    catalogue.pairs("web_dashboard"),
    catalogue.pairs("web_intake"),
    catalogue.pairs("web_scenarios"),
    catalogue.pairs("web_assign"),
    catalogue.pairs("web_accounts"),
    catalogue.pairs("web_meters"),
    # state, move and line-status names have one source (catalogue/workflow_*.toml, line_status.toml)
    {f"intake.status.{k}": v for k, v in STATUS_NAMES.items()},
    {f"intake.move.{k}": v for k, v in MOVE_NAMES.items()},
    {f"round.state.{k}": v for k, v in STATE_NAMES.items()},
    {f"status.{k}": v for k, v in catalogue.pairs("line_status").items()},
)


def normalise_lang(value: str | None) -> Lang:
    """*value* if it is a supported language, else the default (Chinese)."""
    return "en" if value == "en" else DEFAULT_LANG


def text(key: str, lang: str = DEFAULT_LANG, **fields: Any) -> str:
    """The catalogue string *key* in *lang*, formatted with *fields*."""
    zh, en = TEXT[key]
    template = en if lang == "en" else zh
    return template.format(**fields) if fields else template


def html_lang(lang: str) -> str:
    """The value of ``<html lang>`` for *lang*."""
    return "en" if lang == "en" else "zh-CN"
