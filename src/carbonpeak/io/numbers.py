"""Figures typed as text: a decimal point, and a thousands separator only in groups of three.

A figure that reaches a reader as text (a CSV field, an xlsx cell formatted as text) is
NFKC-normalised (full-width digits and the full-width comma ``，`` become ASCII, a no-break or
thin space a space) and trimmed. A comma or a space inside it is accepted only as a thousands
separator, one kind throughout, between groups of exactly three digits::

    1,234,567   1,234.5   1 234 567   -12,000      → 1234567, 1234.5, 1234567, -12000
    1,5   12,34   1,2345   1.234,5   1 5   1,234 567  → refused (bad separator)

``1,5`` is a European decimal comma: read by stripping the comma it would be 15, ten times the
figure meant, so it is never guessed at; the readers report it at its cell with the code
``bad_thousands_separator`` (``intake_bad_separator`` in the reporting template and its CSV),
zh and en. Text without a comma or inner space is left to the usual number parser.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

import numpy as np
import pandas as pd

__all__ = ["number_text", "parse_numbers"]

#: a comma, space or underscore inside the (trimmed) text: a separator that must be a thousands
#: one (an underscore never is: Python's float() would read "1_5" as 15)
_SEPARATOR = re.compile(r"[,\s_]")
#: what a figure with separators is made of (anything else is plain text, not a figure)
_NUMERIC = re.compile(r"[+-]?[\d,\s_.]*\d[\d,\s_.]*")
#: digits in groups of three after the first (1–3 digits), one separator kind throughout
_GROUPED = re.compile(r"[+-]?\d{1,3}(?P<sep>[, ])\d{3}(?:(?P=sep)\d{3})*(?:\.\d*)?")


def number_text(text: str) -> str | None:
    """*text* ready for ``float()``: normalised, trimmed, thousands separators removed; None
    when it holds a comma or inner space that is not a thousands separator (``1,5``)."""
    t = unicodedata.normalize("NFKC", text).strip()
    if not _SEPARATOR.search(t) or not _NUMERIC.fullmatch(t):
        return t  # no separator, or not a figure at all (left to the number parser to refuse)
    t = re.sub(r"\s+", " ", t)
    if _GROUPED.fullmatch(t) is None:
        return None
    return t.replace(",", "").replace(" ", "")


def parse_numbers(texts: Iterable[object]) -> tuple[np.ndarray, np.ndarray]:
    """(value, bad separator) for cells read as text: the value is NaN where the text is not a
    number (or has a bad separator); *bad separator* marks the ``1,5`` kind.

    Parameters
    ----------
    texts
        The cells, each a ``str`` (anything else is taken by ``str()``).
    """
    cleaned = [number_text(v if isinstance(v, str) else str(v)) for v in texts]
    bad = np.fromiter((c is None for c in cleaned), dtype=bool, count=len(cleaned))
    values = pd.to_numeric(pd.Series([c or "" for c in cleaned], dtype=object), errors="coerce")
    out = np.array(values.to_numpy(dtype=float, na_value=np.nan), dtype=float)
    out[bad] = np.nan
    return out, bad
