"""The unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters from the 31-character set ``0-9 A-H J-N P-R T U W-Y`` (no I, O, S, V, Z):
registration authority (1), organisation type (1), administrative division code (6),
organisation identifier (9), check character (1). The check character is
``31 - (Σ value_i × weight_i mod 31)`` (31 → 0) with the weights below (GB 32100-2015 §4).
"""

from __future__ import annotations

from carbonpeak import catalogue

__all__ = ["CHARSET", "WEIGHTS", "check_character", "credit_code_problem"]

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {c: i for i, c in enumerate(CHARSET)}


def check_character(first17: str) -> str:
    """The check character for the first 17 characters of a code."""
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> tuple[str, str] | None:
    """None if *code* is a valid credit code, else the reason as (zh, en) (catalogue/credit_code.toml)."""
    if len(code) != 18:
        return catalogue.pair("credit_code.length", n=len(code))
    bad = sorted({c for c in code if c not in _VALUE})
    if bad:
        return catalogue.pair("credit_code.characters", chars="".join(bad))
    if not code[2:8].isdigit():
        return catalogue.pair("credit_code.region")
    expected = check_character(code[:17])
    if code[17] != expected:
        return catalogue.pair("credit_code.check", expected=expected)
    return None
