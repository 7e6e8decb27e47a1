"""The unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters from the 31-character set ``0-9 A-H J-N P-R T U W-Y`` (no I, O, S, V, Z):
registration authority (1), organisation type (1), administrative division code (6),
organisation identifier (9), check character (1). The check character is
``31 - (Σ value_i × weight_i mod 31)`` (31 → 0) with the weights below (GB 32100-2015 §4).
"""

from __future__ import annotations

__all__ = ["CHARSET", "WEIGHTS", "check_character", "credit_code_problem"]

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {c: i for i, c in enumerate(CHARSET)}


def check_character(first17: str) -> str:
    """The check character for the first 17 characters of a code."""
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def credit_code_problem(code: str) -> tuple[str, str] | None:
    """None if *code* is a valid credit code, else the reason as (zh, en)."""
    if len(code) != 18:
        return (f"应为 18 位，实为 {len(code)} 位", f"must have 18 characters, has {len(code)}")
    bad = sorted({c for c in code if c not in _VALUE})
    if bad:
        return (f"含非法字符 {''.join(bad)}", f"contains characters not allowed: {''.join(bad)}")
    if not code[2:8].isdigit():
        return ("第 3–8 位应为行政区划代码", "characters 3-8 must be an administrative division code")
    expected = check_character(code[:17])
    if code[17] != expected:
        return (f"校验位应为 {expected}", f"the check character should be {expected}")
    return None
