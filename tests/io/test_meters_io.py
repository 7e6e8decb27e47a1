"""Meter files and messages: the register (CSV and XLSX, every problem located), readings
times (offsets, Beijing time without one, epoch seconds), MQTT payloads (JSON and compact CSV,
each malformed shape with its reason)."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import openpyxl
import pandas as pd
import pytest

from carbonpeak.errors import InputError
from carbonpeak.io.meters import (
    parse_interval,
    parse_meter_register,
    parse_payload,
    parse_readings_file,
    parse_timestamps,
    read_meter_table,
    topic_parts,
)

PBZN = "91430400XU6TWF13XG"
EPOCH_0800_BJ = int(dt.datetime(2026, 12, 1, 0, 0, tzinfo=dt.UTC).timestamp())  # 08:00 Beijing


def test_times_with_an_offset_without_one_and_as_epoch_seconds() -> None:
    ts, bad = parse_timestamps(
        pd.Series(
            [
                "2026-12-01T08:00:00+08:00",
                "2026-12-01T00:00:00Z",
                "2026-12-01 08:00:00",
                str(EPOCH_0800_BJ),
                "soon",
            ]
        )
    )
    assert ts[:4].tolist() == [EPOCH_0800_BJ] * 4
    assert bad.tolist() == [False, False, False, False, True]
    ts, bad = parse_timestamps(pd.Series([EPOCH_0800_BJ, np.nan]))
    assert ts[0] == EPOCH_0800_BJ and bad.tolist() == [False, True]


def test_intervals() -> None:
    assert [parse_interval(x) for x in ("15min", "1h", "900", "30min", "7", "700", "x")] == [
        900,
        3600,
        900,
        1800,
        None,
        None,
        None,
    ]


def test_payloads_json_csv_and_their_reasons() -> None:
    one = parse_payload(b'{"ts": 1764547200, "value": 12.5}')
    assert [(r.ts, r.value, r.quality) for r in one] == [(1764547200, 12.5, "good")]
    many = parse_payload(
        b'{"readings": [{"ts": "2026-12-01T08:00:00+08:00", "value": "1", "quality": "manual"}, '
        b'{"ts": 1, "value": 2}]}'
    )
    assert [(r.ts, r.value, r.quality) for r in many] == [(EPOCH_0800_BJ, 1.0, "manual"), (1, 2.0, "good")]
    assert len(parse_payload(b'[{"ts": 1, "value": 1}, {"ts": 2, "value": 2}]')) == 2
    lines = parse_payload(b"1764547200,10.5\n1764548100,11,estimated\n")
    assert [(r.ts, r.value, r.quality) for r in lines] == [
        (1764547200, 10.5, "good"),
        (1764548100, 11.0, "estimated"),
    ]
    for payload, reason in (
        (b"{oops", "payload_malformed"),
        (b"", "payload_malformed"),
        (b"\xff\xfe", "payload_malformed"),
        (b'{"ts": 1}', "payload_shape"),
        (b'"text"', "payload_malformed"),
        (b'{"ts": 1, "value": "abc"}', "payload_value"),
        (b'{"ts": 1, "value": true}', "payload_value"),
        (b'{"ts": 1, "value": NaN}', "payload_value"),
        (b'{"ts": "yesterday", "value": 1}', "payload_time"),
        (b'{"ts": 1, "value": 1, "quality": "great"}', "payload_quality"),
        (b"1,2,3,4", "payload_malformed"),
    ):
        with pytest.raises(ValueError, match=reason):
            parse_payload(payload)


def test_topics() -> None:
    assert topic_parts(f"carbonpeak/{PBZN.lower()}/M-001") == (PBZN, "M-001")
    assert topic_parts("carbonpeak/x") is None
    assert topic_parts("other/a/b") is None
    assert topic_parts("carbonpeak/a/b/c") is None


def test_a_readings_file_lists_every_problem_by_row() -> None:
    data = (
        "enterprise,meter,ts,value,quality\n"
        f"{PBZN},M-1,2026-12-01T08:00:00+08:00,1,\n"
        f"{PBZN},M-1,later,2,good\n"
        f",M-1,2026-12-01T08:15:00+08:00,x,bad\n"
    ).encode()
    with pytest.raises(InputError) as err:
        parse_readings_file(data, "r.csv")
    got = sorted((p.code, p.row, p.column) for p in err.value.problems)
    assert got == [
        ("bad_enum", 4, "quality"),
        ("not_a_number", 4, "value"),
        ("reading_bad_time", 3, "ts"),
        ("required", 4, "enterprise"),
    ]
    good = parse_readings_file(data.split(b"\n", 2)[0] + b"\n" + data.split(b"\n")[1] + b"\n", "r.csv")
    assert good[["row", "enterprise", "meter", "ts", "value", "quality"]].values.tolist() == [
        [2, PBZN, "M-1", EPOCH_0800_BJ, 1.0, "good"]
    ]


def test_a_parquet_readings_file() -> None:
    buf = io.BytesIO()
    pd.DataFrame({"enterprise": [PBZN], "meter": ["M-1"], "ts": [EPOCH_0800_BJ], "value": [3.5]}).to_parquet(
        buf
    )
    got = parse_readings_file(buf.getvalue(), "r.parquet")
    assert got[["ts", "value", "quality"]].values.tolist() == [[EPOCH_0800_BJ, 3.5, "good"]]
    with pytest.raises(InputError):
        parse_readings_file(b"not parquet", "r.parquet")
    with pytest.raises(InputError):
        parse_readings_file(b"", "r.json")


def test_the_meter_register_from_xlsx_with_its_problems_located() -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "meters"
    ws.append(
        [
            "enterprise",
            "site",
            "workshop",
            "process",
            "meter_code",
            "name_zh",
            "carrier",
            "unit",
            "kind",
            "gb17167_level",
            "multiplier",
            "counter_max",
            "interval",
        ]
    )
    ws.append(
        [
            PBZN,
            "厂区",
            "",
            "",
            "M-1",
            "总表",
            "购入电力",
            "万kWh",
            "累计",
            "进出用能单位",
            120,
            999999,
            "15min",
        ]
    )
    ws.append(
        [
            PBZN,
            "厂区",
            "",
            "电解",
            "M-2",
            "分表",
            "natural_gas",
            "kWh",
            "interval",
            "secondary",
            -1,
            "x",
            "7min",
        ]
    )
    ws.append(
        [
            PBZN,
            "厂区",
            "",
            "",
            "M-1",
            "重复",
            "electricity_purchased",
            "kWh",
            "interval",
            "equipment",
            "",
            "",
            "",
        ]
    )
    buf = io.BytesIO()
    wb.save(buf)
    table = read_meter_table(buf.getvalue(), "meters.xlsx")
    with pytest.raises(InputError) as err:
        parse_meter_register(table)
    got = sorted((p.code, p.row, p.column) for p in err.value.problems)
    assert got == [
        ("bad_enum", 3, "interval"),
        ("duplicate", 4, "meter_code"),
        ("must_be_positive", 3, "multiplier"),
        ("not_a_number", 3, "counter_max"),
        ("required", 3, "workshop"),
        ("wrong_dimension", 3, "unit"),
    ]
    assert {p.sheet for p in err.value.problems} == {"meters"}
    [spec] = parse_meter_register(read_meter_table(_only_first(buf.getvalue()), "meters.xlsx"))
    assert (
        spec.carrier,
        spec.unit,
        spec.kind,
        spec.gb17167_level,
        spec.multiplier,
        spec.counter_max,
        spec.interval_s,
    ) == (
        "electricity_purchased",
        "万kWh",
        "cumulative",
        "unit",
        120.0,
        999999.0,
        900,
    )


def _only_first(data: bytes) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb.active
    assert ws is not None
    ws.delete_rows(3, 2)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
