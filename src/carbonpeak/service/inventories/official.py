"""Official figures: which inventories count, how much of the sector they cover, and a
cache of the province views keyed by the store's data version.

The rule (ARCHITECTURE.md, "Official figures"): province and city figures use one official
inventory per enterprise and year — its submission approved (or verified too, where the
province sets ``CARBONPEAK_OFFICIAL_FROM=verified``). An enterprise's drafts never reach
them. Every aggregate states its **coverage**: enterprises with an official figure for the
year over the enterprises in scope, and the share of existing (在产) capacity they hold. A
year whose capacity coverage is below ``CARBONPEAK_COVERAGE_THRESHOLD`` (default 0.8) is
**provisional** and is never the default year of a view.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, TypeVar

import pandas as pd

from carbonpeak import catalogue
from carbonpeak.service.platform import budget
from carbonpeak.service.platform.context import Context
from carbonpeak.settings import get_settings
from carbonpeak.store import facts

__all__ = [
    "Coverage",
    "base_totals",
    "cached",
    "coverage",
    "coverage_by_year",
    "coverage_threshold",
    "default_year",
    "line_totals",
    "official_statuses",
    "peek",
    "register_lines",
    "year_totals",
]

T = TypeVar("T")

DEFAULT_THRESHOLD = 0.8  # the setting's default (settings.Settings.coverage_threshold)


def official_statuses() -> tuple[str, ...]:
    """The submission statuses whose figures are official (setting ``official_from``,
    ``CARBONPEAK_OFFICIAL_FROM``: ``approved``, the default, or ``verified``)."""
    return facts.OFFICIAL_STATUSES[get_settings().official_from]


def coverage_threshold() -> float:
    """The capacity coverage below which a year is provisional (setting
    ``coverage_threshold``, ``CARBONPEAK_COVERAGE_THRESHOLD``, 0–1)."""
    return float(get_settings().coverage_threshold)


# --- the cache ------------------------------------------------------------------------------

_CACHE: OrderedDict[Hashable, Any] = OrderedDict()
_LOCK = threading.Lock()
_MAX = 256
#: Views being computed, by key: a second caller of the same cold view waits for the
#: first instead of computing it again (fifty officials opening the dashboard after an
#: approval cost one computation, not fifty).
_FLIGHTS: dict[Hashable, threading.Lock] = {}


def _scope_key(ctx: Context) -> Hashable:
    p = ctx.principal
    return (str(p.role), p.user_id, p.city_code, tuple(sorted(p.enterprise_ids)))


def _key(ctx: Context, name: str, args: Hashable) -> Hashable:
    return (
        str(ctx.db.get_bind().engine.url),
        name,
        args,
        _scope_key(ctx),
        official_statuses(),
        facts.data_version(ctx.db),
    )


_MISSING: Any = object()


def _held(key: Hashable) -> Any:
    """The cached value of *key* (marked recently used), or :data:`_MISSING`."""
    with _LOCK:
        if key not in _CACHE:
            return _MISSING
        _CACHE.move_to_end(key)
        return _CACHE[key]


def peek(ctx: Context, name: str, args: Hashable) -> Any | None:
    """The value :func:`cached` holds for (*name*, *args*) at the current data version, or
    None (nothing is computed)."""
    value = _held(_key(ctx, name, args))
    return None if value is _MISSING else value


def cached(ctx: Context, name: str, args: Hashable, fn: Callable[[], T]) -> T:
    """``fn()``, cached per (view *name*, *args*, the caller's scope, the official rule and
    the store's data version): any import, move, approval or recompute writes an audit
    event, which moves the data version, so a cached view is never stale. One computation
    per key at a time (callers of a view being computed wait for it). The value must not
    be mutated by callers."""
    key = _key(ctx, name, args)
    value = _held(key)
    if value is not _MISSING:
        return value  # type: ignore[no-any-return]
    with _LOCK:
        flight = _FLIGHTS.setdefault(key, threading.Lock())
    with flight:  # the first caller computes; the others wait here, then find it cached
        value = _held(key)
        if value is not _MISSING:
            return value  # type: ignore[no-any-return]
        try:
            budget.check()  # a request that gave up or ran out of time computes nothing more
            value = fn()
            with _LOCK:
                _CACHE[key] = value
                while len(_CACHE) > _MAX:
                    _CACHE.popitem(last=False)
        finally:
            with _LOCK:
                _FLIGHTS.pop(key, None)
    return value


def clear_cache() -> None:
    with _LOCK:
        _CACHE.clear()


# --- official facts ---------------------------------------------------------------------------


def year_totals(ctx: Context) -> pd.DataFrame:
    """Official year totals per enterprise in scope (:func:`carbonpeak.store.facts.year_totals`)."""
    return cached(
        ctx, "year_totals", (), lambda: facts.year_totals(ctx.db, ctx.principal, official_statuses())
    )


def line_totals(ctx: Context) -> pd.DataFrame:
    """Official figures per production line and year (:func:`carbonpeak.store.facts.line_totals`)."""
    return cached(
        ctx, "line_totals", (), lambda: facts.line_totals(ctx.db, ctx.principal, official_statuses())
    )


def base_totals(ctx: Context, year: int | None = None) -> pd.DataFrame:
    """The scenario base's sums per official enterprise, line and year, of *year* or of every
    year (:func:`carbonpeak.store.facts.base_totals`)."""
    return cached(
        ctx,
        "base_totals",
        (year,),
        lambda: facts.base_totals(ctx.db, ctx.principal, official_statuses(), year=year),
    )


def register_lines(ctx: Context) -> pd.DataFrame:
    """The production lines in scope with their enterprise (:func:`carbonpeak.store.facts.register_lines`)."""
    return cached(ctx, "register_lines", (), lambda: facts.register_lines(ctx.db, ctx.principal))


@dataclass(frozen=True)
class Coverage:
    """How much of the sector in scope an aggregate of *year* rests on."""

    year: int
    enterprises: int  # in scope
    reported: int  # with a submission past draft, or an official figure
    official: int  # with an official figure
    capacity_t_per_a: float  # existing (在产) capacity in scope
    official_capacity_t_per_a: float
    capacity_share: float | None  # official / all (None: no capacity registered)
    threshold: float
    provisional: bool
    official_from: str

    @property
    def label_zh(self) -> str:
        return self._label("zh")

    @property
    def label_en(self) -> str:
        return self._label("en")

    def _label(self, lang: str) -> str:
        share = "—" if self.capacity_share is None else f"{self.capacity_share * 100:.0f} %"
        text = catalogue.text(
            "coverage.label",
            lang,
            reported=self.reported,
            enterprises=self.enterprises,
            official=self.official,
            share=share,
        )
        return text + (catalogue.text("coverage.provisional", lang) if self.provisional else "")

    def as_dict(self) -> dict[str, Any]:
        return {
            "year": self.year,
            "enterprises": self.enterprises,
            "reported": self.reported,
            "official": self.official,
            "capacity_t_per_a": self.capacity_t_per_a,
            "official_capacity_t_per_a": self.official_capacity_t_per_a,
            "capacity_share": self.capacity_share,
            "threshold": self.threshold,
            "provisional": self.provisional,
            "official_from": self.official_from,
            "label_zh": self.label_zh,
            "label_en": self.label_en,
        }


def _reported(ctx: Context) -> pd.DataFrame:
    return cached(ctx, "reported", (), lambda: facts.reported(ctx.db, ctx.principal, official_statuses()))


def _coverage_of(d: pd.DataFrame, year: int, threshold: float) -> Coverage:
    ents = d.drop_duplicates("enterprise_id")
    cap = ents.set_index("enterprise_id")["capacity_t_per_a"]
    y = d[d["year"] == year]
    official_ids = set(y.loc[y["official"], "enterprise_id"].tolist())
    reported_ids = set(y.loc[y["official"] | (y["status"] != "draft"), "enterprise_id"].tolist())
    total = float(cap.sum())
    off_cap = float(cap[cap.index.isin(official_ids)].sum())
    share = off_cap / total if total > 0 else None
    provisional = (share if share is not None else (1.0 if official_ids else 0.0)) < threshold
    return Coverage(
        year=year,
        enterprises=len(ents),
        reported=len(reported_ids),
        official=len(official_ids),
        capacity_t_per_a=total,
        official_capacity_t_per_a=off_cap,
        capacity_share=share,
        threshold=threshold,
        provisional=provisional,
        official_from=official_statuses()[0],
    )


def coverage(ctx: Context, year: int) -> Coverage:
    """The coverage of *year* in the caller's scope."""
    known = coverage_by_year(ctx)
    if year in known:
        return known[year]
    return cached(ctx, "coverage", (year,), lambda: _coverage_of(_reported(ctx), year, coverage_threshold()))


def coverage_by_year(ctx: Context) -> dict[int, Coverage]:
    """The coverage of every year with any submission in scope (cached by data version)."""

    def build() -> dict[int, Coverage]:
        d = _reported(ctx)
        th = coverage_threshold()
        years = sorted({int(y) for y in d["year"].dropna().unique()})
        return {y: _coverage_of(d, y, th) for y in years}

    return cached(ctx, "coverage_by_year", (coverage_threshold(),), build)


def default_year(ctx: Context) -> int | None:
    """The newest year that is not provisional (else the newest year with official data)."""
    cov = coverage_by_year(ctx)
    ok = [y for y, c in cov.items() if not c.provisional]
    if ok:
        return max(ok)
    any_official = [y for y, c in cov.items() if c.official]
    return max(any_official) if any_official else None
