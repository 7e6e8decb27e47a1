"""The energy-saving review's report (PDF or xlsx) for the faces, built by
:mod:`carbonpeak.reporting.review_report` from a
:func:`carbonpeak.service.efficiency.review.review` result."""

from __future__ import annotations

from typing import Any

from carbonpeak.errors import InputError, Problem
from carbonpeak.reporting.review_report import build_review_pdf, build_review_xlsx

__all__ = ["REPORT_FORMATS", "review_report"]

#: The report formats, by file suffix.
REPORT_FORMATS = (".pdf", ".xlsx")


def review_report(result: dict[str, Any], lang: str, suffix: str) -> bytes:
    """The report of a review *result* in *lang* (zh or en) as a PDF or xlsx file (*suffix*)."""
    fmt = suffix.lower()
    if fmt == ".pdf":
        return build_review_pdf(result, lang)
    if fmt == ".xlsx":
        return build_review_xlsx(result, lang)
    raise InputError([Problem("bad_enum", column="out", value=suffix, fields={"allowed": ".pdf, .xlsx"})])
