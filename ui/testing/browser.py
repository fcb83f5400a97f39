"""The browser-test harness for every page test: a pytest plugin (conftest.py: pytest_plugins).

Fixtures
    browser      Debian's Chromium (CHROMIUM_PATH, else `chromium` on PATH, else /usr/bin/chromium)
                 through Playwright, headless, one per test session; skips with the reason when
                 Playwright or the browser is missing. Never a browser that Playwright downloads.
    page         a fresh 1280x800 desktop tab whose relative URLs go to the live server
                 (page.goto("/accounts/login/")); its own cookies.
    phone_page   the same at 390x844 with touch, as a phone.
    login        login(page, "parker"): that user's session in the tab's cookies, no form.

Helpers (import them: from ui.testing.browser import assert_accessible, ...)
    assert_accessible(page)         axe-core, WCAG 2.0/2.1 A and AA: fails listing every violation
    assert_no_sideways_scroll(page) fails naming what sticks out past the viewport's right edge
    tab_to(page, name, role=None)   presses Tab until the element with that accessible name has focus
    press_on(page, name, key="Enter", role=None)   tab_to, then Enter (or key="Space")
    screenshot(page, name)          docs/screenshots/<name>-desktop.png or -phone.png, only with
                                    SCREENSHOTS=1 (`make screenshots`)

Mark page tests with @pytest.mark.browser (pytestmark = pytest.mark.browser). They run after the
other tests of a session: Playwright's sync API keeps an event loop open in the test thread, so
Django must be told that synchronous ORM calls there are fine (DJANGO_ALLOW_ASYNC_UNSAFE) for as
long as the browser is up, and no other test should run under that setting.
"""

import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

import pytest

from core.words import counted

if TYPE_CHECKING:  # Playwright is a development dependency; nothing imports it at run time here
    from playwright.sync_api import Browser, Locator, Page

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
# As root, in a sandbox with no network: no setuid sandbox, no GPU, nothing phoning home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
PHONE_MAX_WIDTH = 600
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
SCREENSHOT_DIR = ROOT / "docs" / "screenshots"
DEFAULT_TIMEOUT_MS = 10_000
# The roles tab_to() and press_on() look for: any of them, or the one named.
Role = Literal["link", "button", "textbox", "checkbox", "radio", "combobox", "searchbox", "tab", "menuitem"]
INTERACTIVE_ROLES: tuple[Role, ...] = get_args(Role)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests last (a stable sort keeps every other order, pytest-django's included)."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(scope="session")
def browser() -> Iterator["Browser"]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (requirements/dev.in)")
    if not os.path.exists(CHROMIUM_PATH):
        pytest.skip(f"needs Debian's chromium at {CHROMIUM_PATH} (apt-get install chromium; .ci/run installs it)")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_api.sync_playwright() as playwright:
            launched = playwright.chromium.launch(executable_path=CHROMIUM_PATH, headless=True, args=CHROMIUM_ARGS)
            yield launched
            launched.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _new_page(browser: "Browser", base_url: str, **options: Any) -> Iterator["Page"]:
    """A fresh page; at its end, fails the test if the browser refused anything under the
    site's Content-Security-Policy (an inline script or style, a script from elsewhere)."""
    context = browser.new_context(base_url=base_url, locale="en-US", **options)
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    refused: list[str] = []
    try:
        page = context.new_page()
        page.on(
            "console",
            lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None,
        )
        yield page
    finally:
        context.close()
    assert not refused, "the page broke its Content-Security-Policy:\n" + "\n".join(refused)


@pytest.fixture
def page(browser: "Browser", live_server: Any) -> Iterator["Page"]:
    yield from _new_page(browser, live_server.url, viewport=DESKTOP)


@pytest.fixture
def phone_page(browser: "Browser", live_server: Any) -> Iterator["Page"]:
    yield from _new_page(browser, live_server.url, viewport=PHONE, is_mobile=True, has_touch=True)


@pytest.fixture
def login(live_server: Any) -> Callable[["Page", str], None]:
    """login(page, username): the user's session cookie in the page's browser context, as if they
    had signed in (Django's force_login: no password, no form; test the form itself elsewhere)."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    def login(page: "Page", username: str) -> None:
        client = Client()
        client.force_login(get_user_model().objects.get(username=username))
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}])

    return login


# --- helpers -------------------------------------------------------------------------------


def _format_violations(url: str, violations: list[dict[str, Any]]) -> str:
    lines = [
        f"{counted(len(violations), 'accessibility violation', 'accessibility violations')} (WCAG 2.0/2.1 A/AA, axe-core) on {url}:"
    ]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            target = " ".join(json.dumps(part) if not isinstance(part, str) else part for part in node["target"])
            lines.append(f"    at {target}: {node['html'][:200]}")
            summary = node.get("failureSummary") or ""
            lines.extend(f"      {line}" for line in summary.splitlines())
    return "\n".join(lines)


def assert_accessible(page: "Page", *, disabled_rules: tuple[str, ...] = ()) -> None:
    """Run axe-core (vendored, ui/vendor.json) on the page as it is now; fail listing every
    violation of the WCAG 2.0/2.1 A and AA rules with the elements at fault. The script goes in
    through the DevTools protocol, not a <script> tag, so a strict Content-Security-Policy on the
    page does not stop it. Disable a rule only with a comment saying why."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate("() => {\n" + AXE_JS.read_text(encoding="utf-8") + "\n}")
    options = {
        "runOnly": {"type": "tag", "values": list(WCAG_TAGS)},
        "rules": {rule: {"enabled": False} for rule in disabled_rules},
        "resultTypes": ["violations"],
    }
    results = page.evaluate("async (options) => await window.axe.run(document, options)", options)
    violations = results["violations"]
    assert not violations, _format_violations(page.url, violations)


def assert_no_sideways_scroll(page: "Page") -> None:
    """Nothing is wider than the window: the page never needs scrolling sideways (WCAG 1.4.10).
    Measured against the window's width, so a page laid out wider than a phone's screen (no
    <meta name="viewport">) fails too."""
    width = (page.viewport_size or DESKTOP)["width"]
    overflow = page.evaluate(
        """(width) => {
            const laidOut = document.documentElement.scrollWidth;
            const culprits = [];
            for (const element of document.body.querySelectorAll('*')) {
                const box = element.getBoundingClientRect();
                if (box.width && box.right > width + 1) {
                    const name = element.tagName.toLowerCase() + (element.id ? '#' + element.id : '')
                        + (element.className && typeof element.className === 'string'
                           ? '.' + element.className.trim().split(/\\s+/).join('.') : '');
                    culprits.push(`${name} (right edge at ${Math.round(box.right)}px)`);
                }
            }
            return {laidOut, culprits: culprits.slice(0, 10)};
        }""",
        width,
    )
    assert overflow["laidOut"] <= width, (
        f"{page.url} scrolls sideways at {width}px wide (laid out {overflow['laidOut']}px wide); too wide: "
        + ("; ".join(overflow["culprits"]) or "the layout viewport (is <meta name=viewport> missing?)")
    )


def _target(page: "Page", name: str, role: Role | None) -> "Locator":
    if role:
        return page.get_by_role(role, name=name, exact=True)
    locator = page.get_by_role(INTERACTIVE_ROLES[0], name=name, exact=True)
    for other in INTERACTIVE_ROLES[1:]:
        locator = locator.or_(page.get_by_role(other, name=name, exact=True))
    return locator


def focused_description(page: "Page") -> str:
    """The focused element as the accessibility tree shows it ('- button "Sign in"'), or 'nothing'."""
    focused = page.locator(":focus")
    return focused.aria_snapshot().strip() if focused.count() else "nothing"


def tab_to(page: "Page", name: str, *, role: Role | None = None, max_presses: int = 80) -> "Locator":
    """Press Tab, as a keyboard user does, until the element with this accessible name has focus
    (of `role` if given, else any link, button or form control). Fails listing where focus went.
    80: the office's navigation alone is 14 stops before a page's own first control."""
    target = _target(page, name, role)
    visited = []
    for _ in range(max_presses):
        page.keyboard.press("Tab")
        if target.count() and target.first.evaluate("element => element === document.activeElement"):
            return target.first
        visited.append(focused_description(page))
    raise AssertionError(
        f"{max_presses} presses of Tab never reached {role or 'element'} {name!r}; focus went to:\n  "
        + "\n  ".join(visited)
    )


def press_on(page: "Page", name: str, *, key: str = "Enter", role: Role | None = None) -> None:
    """tab_to(name), then press Enter (links, buttons, submitting) or "Space" (checkboxes, buttons)."""
    tab_to(page, name, role=role)
    page.keyboard.press(key)


def screenshot(page: "Page", name: str) -> Path | None:
    """docs/screenshots/<name>-desktop.png (or -phone.png by the viewport), the whole page; only
    when SCREENSHOTS=1 (`make screenshots`), so ordinary runs leave the committed files alone."""
    if os.environ.get("SCREENSHOTS") != "1":
        return None
    viewport = page.viewport_size or DESKTOP
    size = "phone" if viewport["width"] <= PHONE_MAX_WIDTH else "desktop"
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"{name}-{size}.png"
    page.screenshot(path=str(path), full_page=True, animations="disabled", caret="hide")
    return path
