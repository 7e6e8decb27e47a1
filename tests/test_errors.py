"""The error tree and its bilingual catalogue."""

from __future__ import annotations

import re

import pytest

from carbonpeak import errors
from carbonpeak.errors import MESSAGES, InputError, NotFound, Problem, message
from carbonpeak.settings import DEFAULT_SECRET, Settings


def test_every_message_has_both_languages_with_the_same_fields() -> None:
    for code, (zh, en) in MESSAGES.items():
        assert zh and en and zh != en, code
        assert re.search(r"[\u4e00-\u9fff]", zh), f"{code}: the zh message has no Chinese"

        def fields(t: str) -> set[str]:
            return {re.sub(r"_(zh|en)$", "", f) for f in re.findall(r"{(\w+)}", t)}

        assert fields(zh) == fields(en), code


def test_missing_fields_never_hide_the_error() -> None:
    assert message("unknown_unit", "en") == "Unknown unit '{value}'"


def test_errors_inherit_the_builtin_a_caller_expects() -> None:
    assert issubclass(errors.InputError, ValueError)
    assert issubclass(errors.UnitError, errors.InputError)
    assert issubclass(errors.NotFound, LookupError)
    assert issubclass(errors.RefdataError, LookupError)
    assert issubclass(errors.PermissionDenied, PermissionError)
    assert all(
        issubclass(getattr(errors, n), errors.CarbonpeakError)
        for n in errors.__all__
        if n[0].isupper() and n not in ("MESSAGES", "OBJECT_NAMES", "Problem")
    )


def test_object_names_are_translated() -> None:
    e = NotFound(object="enterprise", key=7)
    assert e.message_zh == "未找到企业：7"
    assert e.message_en == "Not found: enterprise 7"


def test_an_input_error_lists_every_problem_with_its_location() -> None:
    probs = [
        Problem("unknown_unit", column="unit", value="x", row=3, file="a.csv"),
        Problem("negative", column="capacity", value=-1, row=4, file="a.csv"),
    ]
    e = InputError(probs)
    assert e.fields["count"] == 2
    body = e.as_dict()
    assert [p["row"] for p in body["problems"]] == [3, 4]
    assert body["problems"][0]["message_zh"] == "无法识别的单位“x”"
    assert "[file=a.csv, row=4, column=capacity]" in e.message_en


def test_production_refuses_the_default_secret() -> None:
    with pytest.raises(errors.CarbonpeakError) as err:
        Settings(env="production", secret_key=DEFAULT_SECRET).check()
    assert "CARBONPEAK_SECRET_KEY" in err.value.message_en
    Settings(env="production", secret_key="a-real-secret-from-the-vault-0123456789").check()
