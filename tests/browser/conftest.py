"""Browser fixtures: the app served on 127.0.0.1 in a thread, and Debian's Chromium."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from werkzeug.serving import make_server

from eventmap.services import use_geocoder

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() == "true"
PARTIES = Path(__file__).resolve().parent.parent.parent / "data" / "parties.csv"
ARTIFACTS = Path(__file__).resolve().parent.parent.parent / "artifacts"
# Flags for a root, offline, headless run: no sandbox, no calls home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test in this folder as a browser test.

    When a browser context closes, the live server may be cut off while it streams a static
    file; werkzeug then leaves that file for the garbage collector. Only that warning is
    ignored here, and only in browser tests.
    """
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.filterwarnings("ignore:unclosed file:ResourceWarning"))
            item.add_marker(
                pytest.mark.filterwarnings(
                    "ignore:Exception ignored in.*FileIO:pytest.PytestUnraisableExceptionWarning"
                )
            )


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Return Chromium's path; skip without it, but under CI its absence is a failure."""
    found = CHROMIUM if os.access(CHROMIUM, os.X_OK) else shutil.which("chromium")
    if not found:
        message = f"Chromium not found at {CHROMIUM}; `make browser` installs Debian's package"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return found


@pytest.fixture(scope="session")
def browser(chromium_path: str) -> Iterator[object]:
    """Launch one headless Chromium for the session through Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """Serve the test app on a free port of 127.0.0.1 for the duration of a test."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # Served here, so its public links (the private edit link, feeds) are here too.
    app.config["PUBLIC_URL"] = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def _open_local_page(
    browser: object, live_server: str, width: int, height: int, **options: object
) -> Iterator[object]:
    """Open a page that may talk to the live server only and fails on page errors.

    Other keyword arguments go to the browser context (reduced_motion="reduce", ...).
    """
    context = browser.new_context(viewport={"width": width, "height": height}, **options)  # type: ignore[attr-defined]
    errors: list[str] = []
    blocked: list[str] = []

    def only_local(route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        if url.startswith(live_server):
            route.continue_()  # type: ignore[attr-defined]
        else:
            blocked.append(url)
            route.abort()  # type: ignore[attr-defined]

    context.route("**/*", only_local)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # Chromium reports every Content-Security-Policy refusal on the console.
    page.on(
        "console",
        lambda message: (
            errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.blocked = blocked  # type: ignore[attr-defined]
    yield page
    context.close()
    assert errors == [], f"errors in the page: {errors}"


@pytest.fixture
def page(browser: object, live_server: str) -> Iterator[object]:
    """Open a phone-sized page that may talk to 127.0.0.1 only, and fails on page errors."""
    yield from _open_local_page(browser, live_server, 390, 844)


@pytest.fixture
def wide_page(browser: object, live_server: str) -> Iterator[object]:
    """Open a desktop-sized page with the same rules."""
    yield from _open_local_page(browser, live_server, 1280, 900)


@pytest.fixture
def seeded(app: Flask, runner: object) -> None:
    """Import the 45 parties of data/parties.csv with the real offline geocoder."""
    from eventmap.geocoding import OfflineGeocoder

    use_geocoder(app, OfflineGeocoder())
    result = runner.invoke(args=["import", str(PARTIES)])  # type: ignore[attr-defined]
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Return the git-ignored folder where browser tests leave screenshots for reviewers."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


def wait_until(page: object, expression: str, timeout: float = 10.0) -> None:
    """Poll a page expression from Python until it is true.

    Playwright's wait_for_function evaluates its predicate with eval(), which the app's
    Content-Security-Policy rightly forbids; page.evaluate goes through DevTools instead.
    """
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):  # type: ignore[attr-defined]
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        time.sleep(0.05)
