"""The web pages through HTTP: sign-in, CSRF, cookies, redirects, scope, language, CSP."""

from __future__ import annotations

import json
import re

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient

from carbonpeak.app import create_app
from carbonpeak.errors import message
from carbonpeak.settings import Settings
from carbonpeak.web.pages import _ENV, error_page
from tests.conftest import DEMO_PASSWORDS, api_token
from tests.web.conftest import csrf_token, set_cookie_headers, web_login

ENT_LINK = re.compile(r'href="/enterprises/(\d+)"')
ROW_CITY = re.compile(r'<tr data-city="(\d+)">')
SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.IGNORECASE)
EVENT_ATTR = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def assert_no_inline_script(name: str, r: httpx.Response) -> None:
    """The page is HTML under the CSP, with no inline script, handler or javascript: URL."""
    assert "text/html" in r.headers["content-type"], name
    assert "script-src 'self'" in r.headers["content-security-policy"], name
    tags = SCRIPT_TAG.findall(r.text)
    bad = [t for t in tags if "src=" not in t and 'type="application/json"' not in t]
    assert bad == [], name
    assert EVENT_ATTR.findall(r.text) == [], name
    assert "javascript:" not in r.text.lower(), name


POST_FORM = re.compile(r'<form[^>]*method="post"[^>]*>(.*?)</form>', re.IGNORECASE | re.DOTALL)
HENGYANG = "430400"
PBZN = "91430400XU6TWF13XG"


def _ids(html: str) -> list[int]:
    return [int(i) for i in ENT_LINK.findall(html)]


def _logout(client: TestClient) -> None:
    r = client.post("/logout", data={"csrf_token": csrf_token(client, "/")}, follow_redirects=False)
    assert r.status_code == 303


# --- sign in ---------------------------------------------------------------------------


def test_wrong_password_rerenders_login_with_401_and_no_session(client: TestClient) -> None:
    r = client.post(
        "/login",
        data={"username": "province", "password": "wrong-password", "csrf_token": csrf_token(client)},
        follow_redirects=False,
    )
    assert r.status_code == 401
    assert "用户名或密码错误" in r.text
    assert "cp_session" not in r.cookies
    assert set_cookie_headers(r, "cp_session") == []
    assert 'value="province"' in r.text  # the user name is kept, the password is not
    assert "wrong-password" not in r.text


def test_unknown_user_gets_the_same_message(client: TestClient) -> None:
    r = client.post(
        "/login", data={"username": "nobody", "password": "x" * 12, "csrf_token": csrf_token(client)}
    )
    assert r.status_code == 401
    assert "用户名或密码错误" in r.text


def test_wrong_password_message_in_english(client: TestClient) -> None:
    client.get("/lang/en?next=/login")
    r = client.post(
        "/login",
        data={"username": "province", "password": "nope-nope-nope", "csrf_token": csrf_token(client)},
    )
    assert r.status_code == 401
    assert "Wrong user name or password" in r.text
    assert '<html lang="en">' in r.text


@pytest.mark.parametrize("token", [None, "", "forged-token", "x" * 43])
def test_login_without_matching_csrf_is_refused(client: TestClient, token: str | None) -> None:
    csrf_token(client)  # the browser holds a cookie, but the form does not echo it
    data = {"username": "province", "password": DEMO_PASSWORDS["province"]}
    if token is not None:
        data["csrf_token"] = token
    r = client.post("/login", data=data, follow_redirects=False)
    assert r.status_code == 403
    assert "表单已过期或来源不可信" in r.text
    assert set_cookie_headers(r, "cp_session") == []


def test_login_with_a_token_but_no_csrf_cookie_is_refused(client: TestClient) -> None:
    token = csrf_token(client)
    client.cookies.clear()
    r = client.post(
        "/login", data={"username": "province", "csrf_token": token, "password": DEMO_PASSWORDS["province"]}
    )
    assert r.status_code == 403


def test_non_ascii_csrf_token_is_refused_not_crashed(client: TestClient) -> None:
    csrf_token(client)
    r = client.post(
        "/login", data={"username": "province", "csrf_token": "令牌", "password": DEMO_PASSWORDS["province"]}
    )
    assert r.status_code == 403


def test_csrf_cookie_is_httponly_and_strict(client: TestClient) -> None:
    r = client.get("/login")
    [header] = set_cookie_headers(r, "cp_csrf")
    attrs = header.lower()
    assert "httponly" in attrs
    assert "samesite=strict" in attrs
    assert "path=/" in attrs
    # a second page reuses the token instead of rotating it under an open form
    assert set_cookie_headers(client.get("/"), "cp_csrf") == []


def test_successful_login_sets_a_hardened_session_cookie(client: TestClient) -> None:
    r = web_login(client, "province")
    assert r.headers["location"] == "/"
    [header] = set_cookie_headers(r, "cp_session")
    attrs = [a.strip().lower() for a in header.split(";")]
    assert "httponly" in attrs
    assert "samesite=lax" in attrs
    assert "path=/" in attrs
    assert f"max-age={12 * 3600}" in attrs
    assert "secure" not in attrs  # plain http, cookie_secure="auto"
    home = client.get("/")
    assert "省工信厅（示例）" in home.text
    assert "省级主管部门" in home.text


def test_session_cookie_is_secure_when_forced(settings: Settings) -> None:
    with TestClient(create_app(settings.model_copy(update={"cookie_secure": "true"}))) as c:
        form = c.get("/login")
        [csrf_header] = set_cookie_headers(form, "cp_csrf")
        assert "secure" in [a.strip().lower() for a in csrf_header.split(";")]
        token = csrf_header.split(";")[0].removeprefix("cp_csrf=")
        # the client keeps Secure cookies off plain http, so send the token by hand
        r = c.post(
            "/login",
            data={"username": "province", "csrf_token": token, "password": DEMO_PASSWORDS["province"]},
            headers={"cookie": f"cp_csrf={token}"},
            follow_redirects=False,
        )
    assert r.status_code == 303
    [header] = set_cookie_headers(r, "cp_session")
    assert "secure" in [a.strip().lower() for a in header.split(";")]


def test_session_cookie_is_secure_over_https_in_auto_mode(settings: Settings) -> None:
    with TestClient(create_app(settings), base_url="https://testserver") as c:
        r = web_login(c, "province")
    [header] = set_cookie_headers(r, "cp_session")
    assert "secure" in [a.strip().lower() for a in header.split(";")]
    [csrf_header] = set_cookie_headers(r, "cp_csrf")
    assert "secure" in [a.strip().lower() for a in csrf_header.split(";")]


def test_signed_in_visitor_of_login_page_goes_home(client: TestClient) -> None:
    web_login(client, "province")
    r = client.get("/login", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/"


def test_logout_ends_the_session_server_side(client: TestClient) -> None:
    web_login(client, "province")
    old = client.cookies["cp_session"]
    r = client.post("/logout", data={"csrf_token": csrf_token(client, "/")}, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/"
    [header] = set_cookie_headers(r, "cp_session")
    assert "max-age=0" in header.lower()
    client.cookies.set("cp_session", old)  # replaying the old cookie does not help
    r = client.get("/enterprises", follow_redirects=False)
    assert r.status_code == 303


def test_logout_without_csrf_is_refused_and_keeps_the_session(client: TestClient) -> None:
    web_login(client, "province")
    r = client.post("/logout", data={"csrf_token": "forged"}, follow_redirects=False)
    assert r.status_code == 403
    assert client.get("/enterprises", follow_redirects=False).status_code == 200


def test_every_post_form_carries_the_csrf_token(client: TestClient) -> None:
    def forms(path: str) -> list[tuple[str, str]]:
        html = client.get(path).text
        return [(f, client.cookies["cp_csrf"]) for f in POST_FORM.findall(html)]

    found = forms("/login")
    web_login(client, "province")  # a new identity gets a new token
    found += forms("/") + forms("/enterprises")
    assert len(found) == 3  # login; logout button on two pages
    assert all(f'name="csrf_token" value="{token}"' in f for f, token in found)


# --- redirects ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/enterprises", "/enterprises/1", "/enterprises?city=430400"])
def test_enterprise_pages_send_anonymous_visitors_to_login(client: TestClient, path: str) -> None:
    r = client.get(path, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/login?next=/enterprises")


def test_login_returns_to_the_page_asked_for(client: TestClient) -> None:
    first = client.get("/enterprises?city=430400", follow_redirects=False)
    assert first.headers["location"] == "/login?next=/enterprises%3Fcity%3D430400"
    form = client.get(first.headers["location"]).text
    assert 'name="next" value="/enterprises?city=430400"' in form
    r = web_login(client, "province", next_path="/enterprises?city=430400")
    assert r.headers["location"] == "/enterprises?city=430400"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "//evil.example/x",
        "https://evil.example",
        "/\\evil.example",
        "evil.example",
        "javascript:alert(1)",
        "/\tevil",
    ],
)
def test_login_does_not_follow_foreign_next(client: TestClient, target: str) -> None:
    form = client.get("/login", params={"next": target}).text
    assert 'name="next" value=""' in form
    r = web_login(client, "province", next_path=target)
    assert r.headers["location"] == "/"


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example", "/\\evil.example"])
def test_language_switch_does_not_follow_foreign_next(client: TestClient, target: str) -> None:
    r = client.get("/lang/en", params={"next": target}, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/"


# --- scope -------------------------------------------------------------------------------


def test_province_sees_all_108_enterprises(client: TestClient) -> None:
    web_login(client, "province")
    html = client.get("/enterprises").text
    assert "共 108 家" in html
    assert len(ROW_CITY.findall(html)) == 108
    assert "示例" in html  # the demo badge


def test_city_user_sees_only_its_city(client: TestClient) -> None:
    web_login(client, "city-hengyang")
    html = client.get("/enterprises").text
    cities = ROW_CITY.findall(html)
    assert cities == [HENGYANG] * 14
    assert "共 14 家" in html
    assert "衡阳市" in html
    # asking for another city's enterprises shows none
    assert "共 0 家" in client.get("/enterprises", params={"city": "431000"}).text


def test_enterprise_user_sees_only_its_own_and_404s_on_others(client: TestClient) -> None:
    web_login(client, "province")
    all_ids = _ids(client.get("/enterprises").text)
    _logout(client)
    web_login(client, "ent-hengyang-pbzn")
    html = client.get("/enterprises").text
    assert "共 1 家" in html
    assert PBZN in html
    [own] = _ids(html)
    assert client.get(f"/enterprises/{own}").status_code == 200
    other = next(i for i in all_ids if i != own)
    r = client.get(f"/enterprises/{other}")
    assert r.status_code == 404
    assert message("not_found", "zh", object="企业", key=other) in r.text
    assert "text/html" in r.headers["content-type"]


def test_verifier_sees_only_its_assigned_park(client: TestClient) -> None:
    web_login(client, "verifier")
    html = client.get("/enterprises").text
    rows = ROW_CITY.findall(html)
    assert rows
    assert set(rows) == {HENGYANG}
    assert html.count("水口山") >= len(rows)


def test_public_user_signed_in_sees_no_enterprise(client: TestClient) -> None:
    web_login(client, "public")
    html = client.get("/enterprises").text
    assert "共 0 家" in html
    assert ROW_CITY.findall(html) == []


@pytest.mark.parametrize("bad", ["999999", "abc", "1e3", "９", "1" * 40])
def test_unknown_enterprise_is_a_404_page(client: TestClient, bad: str) -> None:
    web_login(client, "province")
    r = client.get(f"/enterprises/{bad}")
    assert r.status_code == 404
    assert "text/html" in r.headers["content-type"]
    assert "页面不存在" in r.text


def test_filters_narrow_the_list(client: TestClient) -> None:
    web_login(client, "province")
    html = client.get("/enterprises", params={"city": HENGYANG}).text
    assert ROW_CITY.findall(html) == [HENGYANG] * 14
    assert f'<option value="{HENGYANG}" selected>' in html
    by_code = client.get("/enterprises", params={"q": PBZN}).text
    assert "共 1 家" in by_code
    assert 'value="91430400XU6TWF13XG"' in by_code  # the search box keeps the query
    antimony = client.get("/enterprises", params={"metal": "Sb"}).text
    n = len(ROW_CITY.findall(antimony))
    assert 0 < n < 108
    assert antimony.count("锑") >= n


def test_enterprise_detail_lists_lines_with_thousands_separators(client: TestClient) -> None:
    headers = api_token(client, "province")
    ents = client.get("/api/v1/enterprises", headers=headers).json()
    big = next(e for e in ents if e["capacity_t_per_a"] >= 10_000)
    detail = client.get(f"/api/v1/enterprises/{big['id']}", headers=headers).json()
    web_login(client, "province")
    html = client.get(f"/enterprises/{big['id']}").text
    assert big["credit_code"] in html
    for line in detail["lines"]:
        assert line["code"] in html
        assert f"{line['capacity_t_per_a']:,.0f}" in html
    assert any(f"{ln['capacity_t_per_a']:,.0f}".count(",") for ln in detail["lines"])
    assert "存量（在产）" in html or "在建" in html or "拟建" in html


# --- home, language, CSP -------------------------------------------------------------------


def test_home_is_public_with_demo_banner_and_chart_data(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    html = r.text
    assert '<html lang="zh-CN">' in html
    assert "演示数据：全部为虚构的合成数据，并非湖南省统计数据" in html
    assert 'id="kpi-enterprises">108' in html
    city = json.loads(
        re.search(
            r'<script type="application/json" id="chart-city-data">(.*?)'
            r"</script>",
            html,
            re.DOTALL,
        ).group(1)
    )  # type: ignore[union-attr]
    # the cities with a published city × metal cell (small cells suppressed: test_small_cells.py)
    ov = client.get("/api/v1/sector/overview").json()
    assert len(city["categories"]) == len({c for c, _m, n in ov["city_metal"] if n is not None}) >= 5
    assert "衡阳" in city["categories"]
    assert city["series"]
    hengyang = city["categories"].index("衡阳")
    # stacked by metal: an enterprise with two metals counts once per metal
    shown = sum(n for c, _m, n in ov["city_metal"] if c == "430400" and n is not None)
    assert sum(s["data"][hengyang] or 0 for s in city["series"]) == shown >= 6
    metal = json.loads(re.search(r'id="chart-metal-data">(.*?)</script>', html, re.DOTALL).group(1))  # type: ignore[union-attr]
    assert len(metal["categories"]) == len(metal["enterprises"]) == len(metal["capacity"])
    assert "/static/vendor/echarts.min.js" in html


def test_language_switch_renders_english(client: TestClient) -> None:
    r = client.get("/lang/en", params={"next": "/"}, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/"
    [header] = set_cookie_headers(r, "cp_lang")
    attrs = [a.strip().lower() for a in header.split(";")]
    assert "cp_lang=en" in attrs
    assert "samesite=lax" in attrs
    assert f"max-age={365 * 24 * 3600}" in attrs
    html = client.get("/").text
    assert '<html lang="en">' in html
    for s in (
        "Home",
        "Enterprises",
        "The sector at a glance",
        "Demo data: every figure is synthetic, not a Hunan statistic",
    ):
        assert s in html
    web_login(client, "city-hengyang")
    listing = client.get("/enterprises").text
    assert "14 enterprises" in listing
    assert "Hengyang" in listing
    assert "City authority" in listing
    client.get("/lang/zh")
    assert "首页" in client.get("/").text


def test_unknown_language_is_a_404_page(client: TestClient) -> None:
    r = client.get("/lang/fr")
    assert r.status_code == 404
    assert "text/html" in r.headers["content-type"]


def test_static_assets_are_served(client: TestClient) -> None:
    for path in (
        "/static/app.css",
        "/static/app.js",
        "/static/vendor/echarts.min.js",
        "/static/vendor/echarts.LICENSE.txt",
        "/static/favicon.svg",
    ):
        assert client.get(path).status_code == 200, path


def test_no_inline_script_on_any_page(client: TestClient) -> None:
    pages = {
        "/": client.get("/"),
        "/login": client.get("/login"),
        "/login 401": client.post(
            "/login", data={"username": "x", "password": "y", "csrf_token": csrf_token(client)}
        ),
        "/login 403": client.post("/login", data={"username": "x"}),
        "/lang/fr": client.get("/lang/fr"),
    }
    web_login(client, "province")
    ids = _ids(client.get("/enterprises").text)
    pages |= {
        "/ signed in": client.get("/"),
        "/enterprises": client.get("/enterprises"),
        "/enterprises/id": client.get(f"/enterprises/{ids[0]}"),
        "/enterprises/404": client.get("/enterprises/999999"),
    }
    client.get("/lang/en")
    pages |= {"/ en": client.get("/"), "/enterprises en": client.get("/enterprises")}
    for name, r in pages.items():
        assert_no_inline_script(name, r)
    assert len(SCRIPT_TAG.findall(pages["/"].text)) == 4  # 2 data blocks, echarts, app.js


def test_chart_data_cannot_break_out_of_its_script_block() -> None:
    html = _ENV.from_string('<script type="application/json">{{ d|tojson }}</script>').render(
        d={"name": "</script><script>alert(1)</script>"}
    )
    assert html.count("</script>") == 1
    assert json.loads(html.removeprefix('<script type="application/json">').removesuffix("</script>"))[
        "name"
    ].startswith("</script>")


def test_pages_are_not_cached(client: TestClient) -> None:
    assert client.get("/").headers["cache-control"] == "no-store"


def test_error_page_hook_renders_html_for_the_visitor(client: TestClient) -> None:
    """``error_page`` is what the app's 404 handler can return for non-API paths."""
    web_login(client, "province")
    client.get("/lang/en")
    app = client.app
    assert isinstance(app, FastAPI)

    @app.get("/_probe")
    def probe(request: Request) -> HTMLResponse:
        return error_page(request, 404)

    r = client.get("/_probe")
    assert r.status_code == 404
    assert message("not_found", "en", object="page", key="/_probe") in r.text
    assert "Province authority" in r.text  # the visitor's session was resolved
