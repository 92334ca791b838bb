"""What the browser journeys share: serving the workspace, a Chromium page driven by
Playwright (Debian's /usr/bin/chromium, never a downloaded build), and the steps a person
takes on a Streamlit page. The benchmark's browser sessions (benchmarks/cases_browser.py)
serve and drive the workspace with the same pieces."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "docs" / "screenshots"
PASSWORD = "correct horse battery"
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]

# True once Streamlit has finished its run: no running widget, stale element or skeleton.
SETTLED = ("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
           " && !document.querySelector('[data-stale=\"true\"]')"
           " && !document.querySelector('[data-testid=\"stSkeleton\"]')")

browser_test = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(),
                       reason="needs Debian's chromium at /usr/bin/chromium "
                              "(apt-get install chromium)"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def migrated_with_users(url: str, roles: dict[str, str]):
    """A migrated database at `url` with one account per {username: role} (all with
    PASSWORD); its engine and the accounts as principals. The caller disposes the engine."""
    from records.db import make_engine, read_session, unit_of_work
    from records.services.access import SYSTEM
    from records.services.setup import prepare_database
    from records.services.users import add_user, list_users, principal_of

    engine = make_engine(url)
    prepare_database(engine)
    for name, role in roles.items():  # the first is the admin of an empty database
        with unit_of_work(engine) as session:
            add_user(session, name, PASSWORD, role=role, by=SYSTEM, display_name=name.title())
    with read_session(engine) as session:
        return engine, {u.username: principal_of(u) for u in list_users(session)}


@contextmanager
def serve(tmp_path: Path, url: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """The workspace served on a free port over database `url` the way users start it,
    `sijil ui --port N` (so through ui/server.py, on SIJIL_HOST's default); its address.
    What the command prints (the setup code of an empty database) is in streamlit.log."""
    port = free_port()
    # A developer's own SIJIL_USER or SIJIL_HOST would change what is tested.
    inherited = {k: v for k, v in os.environ.items() if k not in ("SIJIL_USER", "SIJIL_HOST")}
    env = {**inherited, "SIJIL_DATABASE_URL": url, "SIJIL_FILES_DIR": str(tmp_path / "files"),
           "SIJIL_SETUP_CODE_FILE": str(tmp_path / "sijil.setup-code"),
           "STREAMLIT_SERVER_FILE_WATCHER_TYPE": "none", **(env or {})}
    log = (tmp_path / "streamlit.log").open("w")
    process = subprocess.Popen(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "records", "ui", "--port", str(port)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, process, tmp_path / "streamlit.log")
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def listening_addresses(port: int) -> set[str]:
    """The local addresses a socket listens on at `port`, read from the Linux kernel's
    tables (so a test sees the real bind address, not what the server says it did)."""
    import ipaddress

    found = set()
    for table, size in (("/proc/net/tcp", 4), ("/proc/net/tcp6", 16)):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            address, _, port_hex = fields[1].partition(":")
            if fields[3] != "0A" or int(port_hex, 16) != port:  # 0A: LISTEN
                continue
            # The kernel prints each 32-bit word in host (little-endian) order.
            raw = bytes.fromhex(address)
            words = b"".join(raw[i:i + 4][::-1] for i in range(0, size, 4))
            found.add(str(ipaddress.ip_address(words)))
    return found


def wait_until_healthy(base: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError(log.read_text())
        time.sleep(0.3)


def settle(page) -> None:
    """Wait until Streamlit has finished the current run."""
    page.wait_for_timeout(300)
    page.wait_for_function(SETTLED, timeout=30000)
    page.wait_for_timeout(200)


def shot(page, name: str) -> None:
    settle(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def log_in(page, base: str | None, username: str) -> None:
    if base:
        page.goto(base)
    page.get_by_label("Username", exact=True).fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_text("Role:").wait_for()
    settle(page)


def choose(page, label: str, option: str, scope=None) -> None:
    """Pick `option` in the select box labelled `label`. Streamlit's combobox may take a
    first click as focus only, or open late while an expander animates: click again only
    while it says it is closed (a click on an open list would close it)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    box = (scope or page).get_by_label(label, exact=True)
    choice = page.get_by_role("option", name=option, exact=True)
    for _attempt in range(8):
        if box.get_attribute("aria-expanded") != "true":
            box.click()
        try:
            choice.wait_for(timeout=4000)
            break
        except PlaywrightTimeoutError:
            continue
    choice.click()
    settle(page)


def nav(page, title: str) -> None:
    """Follow a link of the sidebar menu (a new address would start a new session)."""
    page.locator('[data-testid="stSidebarNav"]').get_by_text(title, exact=True).click()
    settle(page)
