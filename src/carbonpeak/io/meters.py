"""Meters and meter readings in files and messages (issue 14; formats in docs/monitoring.md).

- **Meter register** (CSV or XLSX, one row per meter): ``enterprise`` (credit code), ``site``,
  ``meter_code``, ``name_zh``, ``carrier`` (an item of refdata/accounting/items.csv, by id or
  name), ``unit`` (of the register, compatible with the carrier's unit), ``kind``
  (cumulative/interval, 累计/区间), ``gb17167_level`` (unit/secondary/equipment,
  进出用能单位/次级用能单位/主要用能设备); optional ``name_en``, ``workshop``, ``process``,
  ``multiplier`` (CT/PT ratio, default 1), ``counter_max``, ``interval`` (15min, 1h, 900 …;
  default 15min), ``accuracy_class``, ``line_code``, ``parent_meter``. Every cell is checked and
  every problem collected (:func:`parse_meter_register`).
- **Readings** (CSV or Parquet): ``enterprise``, ``meter``, ``ts``, ``value``, optional
  ``quality``; ``ts`` an ISO 8601 time (with an offset; without one it is Beijing time) or
  UTC epoch seconds (:func:`parse_readings_file`).
- **MQTT payloads** on ``carbonpeak/<enterprise>/<meter>``: JSON — ``{"ts": …, "value": …}``,
  a list of those, or ``{"readings": [...]}`` — or compact CSV lines ``ts,value[,quality]``
  (:func:`parse_payload`).
"""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd

from carbonpeak import refdata, units
from carbonpeak.errors import InputError, Problem, UnitError
from carbonpeak.io.numbers import number_text
from carbonpeak.io.tabular import Table, read_rows

__all__ = [
    "METER_COLUMNS",
    "METER_OPTIONAL",
    "QUALITY_FLAGS",
    "READING_FILE_COLUMNS",
    "MeterSpec",
    "PayloadReading",
    "parse_interval",
    "parse_meter_register",
    "parse_payload",
    "parse_readings_file",
    "parse_timestamps",
    "read_meter_table",
    "topic_parts",
]

METER_COLUMNS: Final = (
    "enterprise",
    "site",
    "meter_code",
    "name_zh",
    "carrier",
    "unit",
    "kind",
    "gb17167_level",
)
METER_OPTIONAL: Final = (
    "name_en",
    "workshop",
    "process",
    "multiplier",
    "counter_max",
    "interval",
    "accuracy_class",
    "line_code",
    "parent_meter",
)
READING_FILE_COLUMNS: Final = ("enterprise", "meter", "ts", "value")
#: quality flags a reading may carry (good: measured; estimated: filled; manual: typed in by hand)
QUALITY_FLAGS: Final = ("good", "estimated", "manual")
_KINDS = {"cumulative": "cumulative", "累计": "cumulative", "interval": "interval", "区间": "interval"}
_LEVELS = {
    "unit": "unit",
    "进出用能单位": "unit",
    "secondary": "secondary",
    "次级用能单位": "secondary",
    "equipment": "equipment",
    "主要用能设备": "equipment",
}
_INTERVALS = {"15min": 900, "15m": 900, "30min": 1800, "30m": 1800, "1h": 3600, "hour": 3600, "60min": 3600}
_TZ = re.compile(r"(?:Z|[+-]\d\d:?\d\d)$", re.IGNORECASE)
BEIJING_OFFSET_S: Final = 8 * 3600
MAX_PROBLEMS: Final = 200


@dataclass(frozen=True)
class MeterSpec:
    """One validated row of a meter register (references still by code; the service resolves
    the enterprise, the line and the parent meter)."""

    row: int
    enterprise: str
    site: str
    workshop: str
    process: str
    code: str
    name_zh: str
    name_en: str
    carrier: str
    unit: str
    multiplier: float
    kind: str
    counter_max: float | None
    interval_s: int
    accuracy_class: str
    gb17167_level: str
    line_code: str
    parent_code: str


@dataclass(frozen=True)
class PayloadReading:
    """One reading of an MQTT message: UTC epoch seconds, value, quality flag."""

    ts: int
    value: float
    quality: str


def parse_interval(text: str) -> int | None:
    """Seconds of a reading interval written ``15min``, ``1h`` or as seconds; None if not one."""
    t = text.strip().lower()
    if t in _INTERVALS:
        return _INTERVALS[t]
    try:
        s = int(float(t))
    except ValueError:
        return None
    return s if 60 <= s <= 86400 and 86400 % s == 0 else None


def read_meter_table(data: bytes, filename: str) -> Table:
    """The meter register's rows, header checked."""
    return read_rows(data, filename, METER_COLUMNS, METER_OPTIONAL)


def _number(text: str) -> float | None:
    cleaned = number_text(text)  # "1,5" is refused, never read as 15 (carbonpeak.io.numbers)
    if cleaned is None:
        return None
    try:
        v = float(cleaned)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def parse_meter_register(table: Table) -> list[MeterSpec]:
    """Validate every row of the meter register; raise :class:`InputError` listing every problem."""
    problems: list[Problem] = []

    def add(code: str, row: int, column: str, value: Any = None, **fields: Any) -> None:
        problems.append(
            Problem(
                code, column=column, value=value, row=row, file=table.file, sheet=table.sheet, fields=fields
            )
        )

    out: list[MeterSpec] = []
    seen: dict[tuple[str, str], int] = {}
    for n, r in table.rows:
        before = len(problems)
        for col in ("enterprise", "site", "meter_code", "name_zh"):
            if not r[col]:
                add("required", n, col)
        ent, code = r["enterprise"].upper(), r["meter_code"]
        if ent and code:
            if (ent, code) in seen:
                add("duplicate", n, "meter_code", code, first_row=seen[(ent, code)])
            else:
                seen[(ent, code)] = n
        carrier = refdata.resolve("accounting/items", r["carrier"])
        if carrier is None:
            add("required" if not r["carrier"] else "unknown_item", n, "carrier", r["carrier"] or None)
        elif r["unit"]:
            canonical = str(refdata.load_table("accounting/items").by_id[carrier]["canonical_unit"])
            try:
                units.conversion_factor(r["unit"], canonical)
            except UnitError as exc:
                for p in exc.problems:
                    add(p.code, n, "unit", r["unit"], **dict(p.fields))
        if not r["unit"]:
            add("required", n, "unit")
        kind = _KINDS.get(r["kind"].strip().lower())
        if kind is None:
            add(
                "required" if not r["kind"] else "bad_enum",
                n,
                "kind",
                r["kind"] or None,
                allowed="cumulative/interval/累计/区间",
            )
        level = _LEVELS.get(r["gb17167_level"].strip().lower())
        if level is None:
            add(
                "required" if not r["gb17167_level"] else "bad_enum",
                n,
                "gb17167_level",
                r["gb17167_level"] or None,
                allowed="unit/secondary/equipment/进出用能单位/次级用能单位/主要用能设备",
            )
        mult = 1.0
        if r.get("multiplier"):
            got = _number(r["multiplier"])
            if got is None or got <= 0:
                add("not_a_number" if got is None else "must_be_positive", n, "multiplier", r["multiplier"])
            else:
                mult = got
        cmax = None
        if r.get("counter_max"):
            got = _number(r["counter_max"])
            if got is None or got <= 0:
                add("not_a_number" if got is None else "must_be_positive", n, "counter_max", r["counter_max"])
            else:
                cmax = got
        interval = 900
        if r.get("interval"):
            got_s = parse_interval(r["interval"])
            if got_s is None:
                add("bad_enum", n, "interval", r["interval"], allowed="15min/30min/1h/seconds dividing a day")
            else:
                interval = got_s
        if r.get("workshop", "") == "" and r.get("process"):
            add("required", n, "workshop")
        if len(problems) > before or carrier is None or kind is None or level is None:
            continue
        out.append(
            MeterSpec(
                row=n,
                enterprise=ent,
                site=r["site"],
                workshop=r.get("workshop", ""),
                process=r.get("process", ""),
                code=code,
                name_zh=r["name_zh"],
                name_en=r.get("name_en", ""),
                carrier=carrier,
                unit=r["unit"],
                multiplier=mult,
                kind=kind,
                counter_max=cmax,
                interval_s=interval,
                accuracy_class=r.get("accuracy_class", ""),
                gb17167_level=level,
                line_code=r.get("line_code", ""),
                parent_code=r.get("parent_meter", ""),
            )
        )
    for s in out:  # a parent elsewhere in the file or already stored: the service checks
        if s.parent_code == s.code:
            add("meter_cycle", s.row, "parent_meter", s.parent_code)
    if problems:
        raise InputError(problems)
    return out


def parse_timestamps(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """UTC epoch seconds of *values* (ISO 8601 text — Beijing time when it names no offset —
    or epoch seconds) and a mask of those that did not parse."""
    n = len(values)
    out = np.zeros(n, dtype="int64")
    bad = np.zeros(n, dtype=bool)
    if n == 0:
        return out, bad
    if pd.api.types.is_numeric_dtype(values.dtype):
        f = values.to_numpy(dtype=float)
        bad = ~np.isfinite(f)
        out[~bad] = np.rint(f[~bad]).astype("int64")
        return out, bad
    text = values.astype(str).str.strip()
    numeric = pd.to_numeric(text, errors="coerce")
    is_num = numeric.notna().to_numpy()
    out[is_num] = np.rint(numeric[is_num].to_numpy(dtype=float)).astype("int64")
    has_tz = text.str.contains(_TZ) & ~is_num
    naive = ~has_tz & ~is_num
    for mask, shift in ((has_tz.to_numpy(), 0), (naive.to_numpy(), BEIJING_OFFSET_S)):
        if mask.any():
            parsed = pd.to_datetime(text[mask], format="ISO8601", utc=True, errors="coerce")
            ok = parsed.notna().to_numpy()
            secs = np.zeros(len(parsed), dtype="int64")
            secs[ok] = parsed[ok].to_numpy(dtype="datetime64[s]").astype("int64") - shift
            out[mask] = secs
            bad[np.flatnonzero(mask)[~ok]] = True
    return out, bad


def parse_readings_file(data: bytes, filename: str) -> pd.DataFrame:
    """The readings of a CSV or Parquet file as a frame (``row``, ``enterprise``, ``meter``,
    ``ts`` [s, UTC epoch], ``value``, ``quality``); problems of form (a missing column, a value
    that is no number, a time that does not parse, an unknown quality flag) raise one
    :class:`InputError` listing them by row."""
    name = filename.rsplit("/", 1)[-1]
    if name.lower().endswith(".parquet"):
        try:
            frame = pd.read_parquet(io.BytesIO(data))
        except Exception as exc:
            raise InputError(
                [Problem("bad_file", file=name, fields={"reason": f"not a Parquet file ({exc})"})]
            ) from exc
        first_row = 1
    elif name.lower().endswith((".csv", ".txt")):
        try:
            frame = pd.read_csv(
                io.BytesIO(data), dtype={"enterprise": str, "meter": str}, encoding="utf-8-sig"
            )
        except (ValueError, UnicodeDecodeError) as exc:
            raise InputError(
                [Problem("bad_file", file=name, fields={"reason": f"malformed CSV ({exc})"})]
            ) from exc
        first_row = 2
    else:
        raise InputError([Problem("bad_file", file=name, fields={"reason": "not .csv or .parquet"})])
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    missing = [c for c in READING_FILE_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError([Problem("missing_column", file=name, row=1, column=c) for c in missing])
    return validate_reading_frame(frame, name, first_row)


def _text(s: pd.Series) -> pd.Series:
    """A column as stripped text, missing cells blank (whatever dtype the reader chose)."""
    return s.astype(object).where(s.notna(), "").astype(str).str.strip()


def validate_reading_frame(frame: pd.DataFrame, name: str | None, first_row: int = 1) -> pd.DataFrame:
    """Check the values, times and flags of a readings frame (``enterprise``, ``meter``, ``ts``,
    ``value``, optional ``quality``); raise every problem at once."""
    rows = np.arange(len(frame)) + first_row
    problems: list[Problem] = []
    ts, bad_ts = parse_timestamps(frame["ts"])
    values = pd.to_numeric(frame["value"], errors="coerce").to_numpy(dtype=float)
    bad_v = ~np.isfinite(values)
    quality = (
        _text(frame["quality"]).str.lower().replace("", "good")
        if "quality" in frame.columns
        else pd.Series("good", index=frame.index)
    )
    bad_q = ~quality.isin(QUALITY_FLAGS).to_numpy()
    ent = _text(frame["enterprise"]).str.upper()
    meter = _text(frame["meter"])
    for col, mask in (("enterprise", (ent == "").to_numpy()), ("meter", (meter == "").to_numpy())):
        problems.extend(
            Problem("required", column=col, row=int(r), file=name) for r in rows[mask][:MAX_PROBLEMS]
        )
    raw_v, raw_t = frame["value"].to_numpy(dtype=object), frame["ts"].to_numpy(dtype=object)
    problems.extend(
        Problem("not_a_number", column="value", value=str(raw_v[i]), row=int(rows[i]), file=name)
        for i in np.flatnonzero(bad_v)[:MAX_PROBLEMS]
    )
    problems.extend(
        Problem("reading_bad_time", column="ts", value=str(raw_t[i]), row=int(rows[i]), file=name)
        for i in np.flatnonzero(bad_ts)[:MAX_PROBLEMS]
    )
    problems.extend(
        Problem(
            "bad_enum",
            column="quality",
            value=quality.iloc[i],
            row=int(rows[i]),
            file=name,
            fields={"allowed": "/".join(QUALITY_FLAGS)},
        )
        for i in np.flatnonzero(bad_q)[:MAX_PROBLEMS]
    )
    if problems:
        raise InputError(problems)
    return pd.DataFrame(
        {
            "row": rows,
            "enterprise": ent.to_numpy(dtype=object),
            "meter": meter.to_numpy(dtype=object),
            "ts": ts,
            "value": values,
            "quality": quality.to_numpy(dtype=object),
        }
    )


def topic_parts(topic: str) -> tuple[str, str] | None:
    """(enterprise credit code, meter code) of ``carbonpeak/<enterprise>/<meter>``; None otherwise."""
    parts = topic.split("/")
    if len(parts) != 3 or parts[0] != "carbonpeak" or not parts[1] or not parts[2]:
        return None
    return parts[1].upper(), parts[2]


def _one(item: Any) -> PayloadReading:
    if not isinstance(item, dict) or "ts" not in item or "value" not in item:
        raise ValueError("payload_shape")
    value = item["value"]
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError("payload_value")
    v = _number(str(value))
    if v is None:
        raise ValueError("payload_value")
    ts, bad = parse_timestamps(
        pd.Series([item["ts"]], dtype=object if isinstance(item["ts"], str) else float)
    )
    if bad[0]:
        raise ValueError("payload_time")
    q = str(item.get("quality") or "good").lower()
    if q not in QUALITY_FLAGS:
        raise ValueError("payload_quality")
    return PayloadReading(int(ts[0]), v, q)


def parse_payload(payload: bytes) -> list[PayloadReading]:
    """The readings of one MQTT message (JSON or compact CSV). Raises :class:`ValueError` whose
    text is the reason code (``payload_malformed``, ``payload_shape``, ``payload_value``,
    ``payload_time``, ``payload_quality``)."""
    try:
        text = payload.decode("utf-8").strip()
    except UnicodeDecodeError as exc:
        raise ValueError("payload_malformed") from exc
    if not text:
        raise ValueError("payload_malformed")
    if text[0] in "[{":
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError("payload_malformed") from exc
        items: Sequence[Any] = doc["readings"] if isinstance(doc, dict) and "readings" in doc else doc
        if isinstance(items, dict):
            items = [items]
        if not isinstance(items, list):
            raise ValueError("payload_shape")
        return [_one(i) for i in items]
    out = []
    for line in text.splitlines():
        if not line.strip():
            continue
        cells = [c.strip() for c in line.split(",")]
        if len(cells) not in (2, 3):
            raise ValueError("payload_malformed")
        item: dict[str, Any] = {"ts": cells[0], "value": cells[1]}
        if len(cells) == 3:
            item["quality"] = cells[2]
        out.append(_one(item))
    return out
