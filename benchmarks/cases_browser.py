"""Case 6: several caseworkers at once. The workspace is served as users start it
(`sijil ui`), and N headless Chromium sessions (Debian's /usr/bin/chromium through
Playwright, each its own browser context, so its own cookies and Streamlit session) each
log in, open the Incidents page, search, and open the review queue, `rounds` times. Each
step is timed from the click to the page being settled; the p95 of each step with N
sessions is compared with the same with one session."""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from pathlib import Path

from benchmarks.harness import PASSWORD, Row
from tests.ui.browser import CHROMIUM, CHROMIUM_ARGS, SETTLED, serve

STEPS = ("log in", "Incidents page", "search", "review queue")


async def _settle(page) -> None:
    await page.wait_for_timeout(150)
    await page.wait_for_function(SETTLED, timeout=120_000)


async def _journey(browser, base: str, username: str, rounds: int,
                   times: dict[str, list[float]], errors: list[str]) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    try:
        for _ in range(rounds):
            await page.goto(base)
            await page.get_by_label("Username", exact=True).fill(username)
            await page.get_by_label("Password", exact=True).fill(PASSWORD)
            started = time.perf_counter()
            await page.get_by_role("button", name="Log in").click()
            await page.get_by_text("Role:").wait_for(timeout=120_000)
            await _settle(page)
            times["log in"].append(time.perf_counter() - started)
            nav = page.locator('[data-testid="stSidebarNav"]')
            started = time.perf_counter()
            await nav.get_by_text("Incidents", exact=True).click()
            await page.get_by_role("button", name="Apply filters").wait_for(timeout=120_000)
            await _settle(page)
            times["Incidents page"].append(time.perf_counter() - started)
            await page.get_by_label("Search words in titles, narratives, places and names",
                                    exact=True).fill("killing basrah")
            started = time.perf_counter()
            await page.get_by_role("button", name="Apply filters").click()
            await _settle(page)
            times["search"].append(time.perf_counter() - started)
            started = time.perf_counter()
            await nav.get_by_text("Review queue", exact=True).click()
            await _settle(page)
            times["review queue"].append(time.perf_counter() - started)
            await page.get_by_role("button", name="Log out").click()
            await _settle(page)
    except Exception as error:  # noqa: BLE001 - counted and reported, the run goes on
        errors.append(f"{username}: {type(error).__name__}: {str(error).splitlines()[0]}")
    finally:
        await context.close()


async def _sessions(base: str, count: int, rounds: int) -> tuple[dict, list[str]]:
    from playwright.async_api import async_playwright

    times: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=str(CHROMIUM),
                                          args=CHROMIUM_ARGS)
        await asyncio.gather(*(_journey(browser, base, f"bench_user_{i + 1}", rounds,
                                        times, errors) for i in range(count)))
        await browser.close()
    return times, errors


def browser_rows(engine_name: str, url: str, size: int, work: Path, sessions: int,
                 rounds: int, *, warm: bool = True) -> list[Row]:
    if not CHROMIUM.exists():
        return []
    # Served as the browser journeys serve it; SIJIL_SECRET_KEY is the benchmark's
    # (benchmarks/__main__.py sets it for the whole run).
    with serve(work, url) as base:
        if warm:
            asyncio.run(_sessions(base, 1, 1))  # imports, caches, the dummy hash
        alone, errors_alone = asyncio.run(_sessions(base, 1, rounds))
        crowd, errors = asyncio.run(_sessions(base, sessions, rounds))
    errors += errors_alone
    note = f"{len(errors)} errors: {errors[0]}" if errors else "no error"
    return [Row(f"{step}, {sessions} browser sessions", engine_name, size, crowd[step] or [0.0],
                p95=True, baseline="1 session", baseline_runs=alone[step] or [0.0],
                target=2.0, target_text="ratio ≤ 2", note=note)
            for step in STEPS]
