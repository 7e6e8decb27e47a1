"""The string catalogue covers every template key; redirect targets stay on the site."""

from __future__ import annotations

import re

import pytest

from carbonpeak.service.reporting import workflow
from carbonpeak.web import STATIC_DIR, TEMPLATES_DIR, i18n, security
from carbonpeak.web.routers import WEB_ROUTERS

T_CALL = re.compile(r"""\bt\(\s*'([a-z0-9_.]+)'""")
T_PREFIX = re.compile(r"""\bt\(\s*'([a-z0-9_.]+\.)'\s*~""")


def test_every_template_key_is_in_the_catalogue() -> None:
    used: set[str] = set()
    prefixes: set[str] = set()
    for path in TEMPLATES_DIR.glob("*.html"):
        source = path.read_text("utf-8")
        used.update(T_CALL.findall(source))
        prefixes.update(T_PREFIX.findall(source))
    assert used, "no t('…') call found"
    assert sorted(used - prefixes - set(i18n.TEXT)) == []
    # keys built from a prefix ('role.' ~ role, 'status.' ~ status, 'intake.status.' ~ a
    # submission's workflow status) have one entry per value
    assert prefixes == {"role.", "status.", "intake.status."}
    assert {k for k in i18n.TEXT if k.startswith("intake.status.")} == {
        f"intake.status.{s.value}" for s in workflow.Status
    }
    assert {k for k in i18n.TEXT if k.startswith("role.")} == {
        "role.province",
        "role.city",
        "role.enterprise",
        "role.verifier",
        "role.public",
    }
    assert {k for k in i18n.TEXT if k.startswith("status.")} == {
        "status.existing",
        "status.under_construction",
        "status.planned",
    }


def test_every_entry_has_chinese_and_english() -> None:
    for key, (zh, en) in i18n.TEXT.items():
        assert zh.strip(), key
        # only the Chinese measure words (家, 条, 个) have no English counterpart
        assert en.strip() or key.startswith("home.unit."), key


def test_text_formats_fields_and_defaults_to_chinese() -> None:
    assert i18n.text("ent.count", "zh", n=3) == "共 3 家"
    assert i18n.text("ent.count", "en", n=3) == "3 enterprises"
    assert i18n.text("nav.home", "fr") == "首页"
    assert i18n.normalise_lang("en") == "en"
    assert i18n.normalise_lang("EN") == "zh"
    assert i18n.normalise_lang(None) == "zh"
    assert i18n.html_lang("zh") == "zh-CN"
    with pytest.raises(KeyError):
        i18n.text("no.such.key")


@pytest.mark.parametrize("value", ["/", "/enterprises", "/enterprises?city=430400&q=铅", "/enterprises/12"])
def test_safe_next_keeps_site_paths(value: str) -> None:
    assert security.safe_next(value) == value


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "//evil.example",
        "///evil.example",
        "https://evil.example",
        "http:/evil",
        "/\\evil.example",
        "/a\\b",
        "evil.example",
        "javascript:alert(1)",
        "/\r\nSet-Cookie: x=1",
        "/\x7f",
    ],
)
def test_safe_next_refuses_everything_else(value: str | None) -> None:
    assert security.safe_next(value) is None


def test_csrf_tokens_are_random_and_shaped() -> None:
    a, b = security.new_csrf(), security.new_csrf()
    assert a != b
    assert len(a) == len(b) == 43


def test_no_inline_script_in_templates_and_static_files_exist() -> None:
    for path in TEMPLATES_DIR.glob("*.html"):
        source = path.read_text("utf-8")
        for tag in re.findall(r"<script\b[^>]*>", source):
            assert "src=" in tag or 'type="application/json"' in tag, (path.name, tag)
        assert not re.search(r"\son[a-z]+\s*=", source), path.name
    for name in (
        "app.css",
        "app.js",
        "favicon.svg",
        "vendor/echarts.min.js",
        "vendor/echarts.LICENSE.txt",
        "vendor/README.md",
    ):
        assert (STATIC_DIR / name).is_file(), name


def test_web_routes_stay_out_of_the_api_schema() -> None:
    routes = [r for router in WEB_ROUTERS for r in router.routes]
    paths = {getattr(r, "path", "") for r in routes}
    assert {
        "/",
        "/login",
        "/logout",
        "/lang/{lang}",
        "/enterprises",
        "/enterprises/{enterprise_id}",
        "/inventories/{run_id}",
        "/inventories/{run_id}/lines/{line_no}",
    } <= paths
    assert not any(p.startswith("/api/") for p in paths)
    assert all(getattr(r, "include_in_schema", False) is False for r in routes)
