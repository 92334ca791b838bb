"""Downloads through the workspace server (ui/server.py): its cookie and its route on their
own, then in a real Chromium an export reaching only the browser that made it, and the first
start asking for the setup code printed by `sijil ui`.

The browser journeys start the server the way `sijil ui` does (tests/ui/browser.py: serve)."""

from __future__ import annotations

import asyncio
import re
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

from records.db import make_engine, read_session, unit_of_work
from records.services.users import count_users, list_users
from tests.factories import incident_data
from tests.test_export_data import verified_incident
from tests.ui.browser import (
    PASSWORD,
    browser_test,
    choose,
    listening_addresses,
    log_in,
    migrated_with_users,
    nav,
    serve,
    settle,
    shot,
)


def in_chromium(test):
    for mark in browser_test:
        test = mark(test)
    return test

# A fictional contact: internal exports carry it, nobody without the session may fetch it.
CONTACT = "+964-770-CONTACT-4711"


def _prepare(url: str) -> None:
    engine, users = migrated_with_users(
        url, {"admin": "admin", "carla": "caseworker", "rana": "reviewer"})
    with unit_of_work(engine) as session:
        verified_incident(session, incident_data(victims=[
            {"person": {"full_name": "Layla Example", "contact": CONTACT},
             "outcome": "injured", "consent_to_publish_name": False}]), users)
    engine.dispose()


def _fetch(url: str, cookie: str | None = None) -> tuple[int, bytes]:
    """GET `url` outside the browser: no cookies unless given."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:  # noqa: S310 - test server
            return reply.status, reply.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _asgi_get(path: str, cookie: str | None = None, scheme: str = "http",
              fetch_site: str | None = None) -> tuple[int, dict[str, list[str]], bytes]:
    """One GET through ui/server.py's own routes and middleware (not Streamlit's)."""
    from starlette.applications import Starlette

    from ui import server

    app = Starlette(routes=server.routes, middleware=server.middleware)
    headers = [(b"cookie", cookie.encode())] if cookie else []
    if fetch_site:
        headers.append((b"sec-fetch-site", fetch_site.encode()))
    scope = {"type": "http", "http_version": "1.1", "method": "GET", "scheme": scheme,
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": headers, "server": ("127.0.0.1", 8501), "client": ("127.0.0.1", 1)}
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    replied: dict[str, list[str]] = {}
    for name, value in start["headers"]:
        replied.setdefault(name.decode().lower(), []).append(value.decode())
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], replied, body


def test_every_browser_gets_a_private_cookie_and_only_it_gets_its_file():
    from ui import downloads

    status, headers, _body = _asgi_get("/download/nothing")
    assert status == 404
    [cookie] = headers["set-cookie"]
    name, _, rest = cookie.partition("=")
    value, *flags = [part.strip() for part in rest.split(";")]
    assert name == "sijil_client" and downloads.valid_client_id(value)
    assert sorted(flags) == ["HttpOnly", "Path=/", "SameSite=Strict"]
    assert "Secure" in _asgi_get("/download/nothing", scheme="https")[1]["set-cookie"][0]
    # A link from another site comes without the Strict cookie: the browser's own is kept.
    assert "set-cookie" not in _asgi_get("/", fetch_site="cross-site")[1]

    token = downloads.offer(value, CONTACT.encode(), "sijil-internal-x.csv", "text/csv")
    status, headers, body = _asgi_get(f"/download/{token}", f"sijil_client={value}")
    assert (status, body) == (200, CONTACT.encode())
    assert headers["content-disposition"] == ['attachment; filename="sijil-internal-x.csv"']
    assert headers["cache-control"] == ["no-store"]
    assert "set-cookie" not in headers
    for cookie in (None, "sijil_client=" + "A" * 43, "sijil_client=" + value[:-1]):
        status, _headers, body = _asgi_get(f"/download/{token}", cookie)
        assert (status, body) == (404, b"Not found\n")


@pytest.mark.parametrize(("name", "header"), [
    ("sijil-internal-x.csv", 'attachment; filename="sijil-internal-x.csv"'),
    ("شهادة الشاهد.pdf", "attachment; filename=\"file.pdf\"; filename*=UTF-8''"
     "%D8%B4%D9%87%D8%A7%D8%AF%D8%A9%20%D8%A7%D9%84%D8%B4%D8%A7%D9%87%D8%AF.pdf"),
    ("Déclaration 1.txt", "attachment; filename=\"Declaration 1.txt\"; "
     "filename*=UTF-8''D%C3%A9claration%201.txt"),
    ('a"b\\c%41.txt', "attachment; filename=\"a_b_c_41.txt\"; "
     "filename*=UTF-8''a%22b%5Cc%2541.txt"),
    ("evil\r\nSet-Cookie: x=1.txt", 'attachment; filename="evilSet-Cookie: x=1.txt"'),
    ("", 'attachment; filename="file"')])
def test_a_file_name_becomes_a_header_every_browser_reads(name, header):
    from ui.downloads import content_disposition

    assert content_disposition(name) == header
    header.encode("ascii")


def test_a_file_with_an_arabic_name_is_served():
    from ui import downloads

    _status, headers, _body = _asgi_get("/download/nothing")
    client = headers["set-cookie"][0].partition("=")[2].partition(";")[0]
    token = downloads.offer(client, b"statement", "شهادة.txt", "text/plain")
    status, headers, body = _asgi_get(f"/download/{token}", f"sijil_client={client}")
    assert (status, body) == (200, b"statement")
    assert headers["content-disposition"] == [
        "attachment; filename=\"file.txt\"; "
        "filename*=UTF-8''%D8%B4%D9%87%D8%A7%D8%AF%D8%A9.txt"]


@pytest.fixture
def server(tmp_path):
    url = f"sqlite:///{tmp_path / 'sijil.db'}"
    _prepare(url)
    with serve(tmp_path, url) as base:
        yield base


@in_chromium
def test_an_internal_export_downloads_only_in_the_browser_that_made_it(server, page):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    log_in(page, server, "rana")
    nav(page, "Export")
    choose(page, "Redaction level", "Internal")
    page.get_by_role("button", name="Export", exact=True).click()
    page.get_by_text(re.compile(r"exported at the Internal level")).wait_for(timeout=60000)
    shot(page, "11-export")

    with page.expect_download() as arrived:
        page.get_by_role("link", name=re.compile(r"Download sijil-internal-\S+\.csv$")).click()
    download = arrived.value
    assert CONTACT in Path(download.path()).read_text(encoding="utf-8")
    url = download.url

    # The same address without the browser's cookies, with another browser's cookie, and
    # from another browser that has logged in itself: nothing.
    for cookie in (None, "sijil_client=" + "A" * 43):
        status, body = _fetch(url, cookie)
        assert status == 404, (url, cookie, status, CONTACT.encode() in body)
        assert CONTACT.encode() not in body
    other = page.context.browser.new_context()
    other_page = other.new_page()
    log_in(other_page, server, "rana")
    reply = other_page.request.get(url)
    assert reply.status == 404
    assert CONTACT.encode() not in reply.body()
    other.close()

    # Streamlit's own file server (/media/…; its fonts are under /static/media/) never saw
    # the export, and the page links to nothing there.
    assert [u for u in requested if urlparse(u).path.startswith("/media/")] == []
    settle(page)
    assert not re.search(r"""["'(]/media/|//[^/"']+/media/""", page.content())


@in_chromium
def test_the_first_start_asks_for_the_setup_code_and_listens_on_localhost_only(tmp_path, page):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    with serve(tmp_path, url) as base:
        port = int(base.rsplit(":", 1)[1])
        if Path("/proc/net/tcp").exists():  # where the kernel lists listening sockets
            assert listening_addresses(port) == {"127.0.0.1"}
        log = (tmp_path / "streamlit.log").read_text()
        code = re.search(r"Setup code: (\S+)", log).group(1)

        page.goto(base)
        page.get_by_text("Welcome to Sijil").wait_for()
        page.get_by_label("Username", exact=True).fill("amira")
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_label("Repeat the password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Create admin account").click()
        page.get_by_text("Enter the setup code").first.wait_for()
        settle(page)
        engine = make_engine(url)
        with read_session(engine) as session:
            assert count_users(session) == 0

        page.get_by_label("Setup code", exact=True).fill("WRONG-CODE-0000")
        page.get_by_role("button", name="Create admin account").click()
        page.get_by_text("The setup code is wrong").first.wait_for()
        shot(page, "00-first-admin")
        with read_session(engine) as session:
            assert count_users(session) == 0

        page.get_by_label("Setup code", exact=True).fill(code)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_label("Repeat the password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Create admin account").click()
        page.get_by_text("Account created: please log in.").wait_for()
        with read_session(engine) as session:
            assert [u.username for u in list_users(session)] == ["amira"]
        engine.dispose()
