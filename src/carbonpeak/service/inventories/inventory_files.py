"""Activity files and accounting choices for the faces (the command line's ``inventory``
commands, the API's ``POST /inventory/compute``), so that a face imports neither
:mod:`carbonpeak.io` nor :mod:`carbonpeak.accounting`.

The computing and storing themselves are :mod:`carbonpeak.service.inventories.inventory`'s.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from carbonpeak.accounting.carriers import parse_equal_value
from carbonpeak.accounting.engine import CATEGORIES
from carbonpeak.accounting.factors import AccountingChoices
from carbonpeak.io.activity import ACTIVITY_COLUMNS, ACTIVITY_OPTIONAL, read_activity_frame
from carbonpeak.io.tabular import Table, read_rows
from carbonpeak.settings import get_settings

__all__ = [
    "BULK_CSV_BYTES",
    "CATEGORIES",
    "ActivityFile",
    "accounting_choices",
    "read_activity_file",
    "read_activity_upload",
    "recompute_choices",
]

#: CSV files larger than this are read with pyarrow (columnar) rather than row by row.
BULK_CSV_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class ActivityFile:
    """An activity file read for :func:`carbonpeak.service.inventories.inventory.compute_table`:
    a :class:`~carbonpeak.io.tabular.Table` or, for a bulk file, a columnar frame."""

    table: Any
    rows: int
    bulk: bool


def read_activity_file(path: Path) -> ActivityFile:
    """Read an activity CSV/XLSX (row by row) or a Parquet file or a large CSV (columnar)."""
    bulk = path.suffix.lower() == ".parquet" or (
        path.suffix.lower() == ".csv" and path.stat().st_size > BULK_CSV_BYTES
    )
    data = path.read_bytes()
    if bulk:
        frame = read_activity_frame(data, path.name)
        return ActivityFile(table=frame, rows=len(frame), bulk=True)
    table = read_rows(data, path.name, ACTIVITY_COLUMNS, ACTIVITY_OPTIONAL)
    return ActivityFile(table=table, rows=len(table.rows), bulk=False)


def accounting_choices(
    method: str,
    gwp: str | None = None,
    grid: str | None = None,
    factor_set: str | None = None,
    region: str | None = None,
    equal_value: Iterable[str] | None = None,
    tce_variants: Iterable[str] | None = None,
) -> AccountingChoices:
    """The accounting choices of a command line (method ``auto`` → the 其他有色 2015 guideline;
    *region*: the grid series' region, default Hunan ``430000``; *equal_value*: the user's
    电力等价值 texts, ``0.3055`` or ``2022=0.3055`` [kgce/kWh], None: the ``equal_value`` setting
    (``CARBONPEAK_EQUAL_VALUE``); *tce_variants*: GB/T 2589
    coefficient variants such as ``natural_gas:oil_field``)."""
    base = AccountingChoices(
        method="other_nonferrous_2015" if method == "auto" else method,
        gwp_set=gwp,
        grid_series=grid,
        factor_set=factor_set,
        equal_value=parse_equal_value(
            get_settings().equal_value.replace(",", " ").split() if equal_value is None else equal_value
        ),
        tce_variants=tuple(tce_variants or ()),
    )
    return replace(base, grid_region=region) if region else base


def recompute_choices(method: str, factor_set: str | None = None) -> AccountingChoices:
    """The choices to recompute a run stored with *method*: its defaults, with *factor_set*."""
    return replace(AccountingChoices(method=method), factor_set=factor_set)


def read_activity_upload(data: bytes, filename: str) -> Table:
    """An uploaded activity CSV/XLSX (*data*, named *filename*), row by row, for
    :func:`carbonpeak.service.inventories.inventory.compute_table`; a missing column is an ``InputError``."""
    return read_rows(data, filename, ACTIVITY_COLUMNS, ACTIVITY_OPTIONAL)
