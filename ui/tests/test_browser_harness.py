"""The harness's own checks fail when they should: a page test that passes means something."""

import os

import pytest

from ui.testing import browser as harness

pytestmark = pytest.mark.browser

INACCESSIBLE = """<!doctype html><html lang="en"><head><title>Bad</title></head><body><main>
<h1>Bad</h1><img src="x.png"><input type="text"><a href="/x"></a></main></body></html>"""
WIDE = """<!doctype html><html lang="en"><head><title>Wide</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head><body><main>
<h1>Wide</h1><div id="banner" class="hero big">x</div></main></body></html>"""


def test_assert_accessible_lists_every_violation_with_its_element(page):
    page.set_content(INACCESSIBLE)
    with pytest.raises(AssertionError) as failure:
        harness.assert_accessible(page)
    report = str(failure.value)
    for rule in ("image-alt", "label", "link-name"):
        assert f"- {rule} (" in report
    assert '<img src="x.png">' in report


def test_a_rule_can_be_disabled_by_name(page):
    page.set_content(INACCESSIBLE.replace('<input type="text"><a href="/x"></a>', ""))
    harness.assert_accessible(page, disabled_rules=("image-alt",))


def test_assert_no_sideways_scroll_names_what_sticks_out(phone_page):
    phone_page.set_content(WIDE)
    phone_page.add_style_tag(content="#banner { width: 600px; }")
    with pytest.raises(
        AssertionError, match=r"scrolls sideways at 390px wide \(laid out \d+px wide\); too wide: div#banner\.hero\.big"
    ):
        harness.assert_no_sideways_scroll(phone_page)


def test_a_page_without_a_viewport_meta_scrolls_sideways_on_a_phone(phone_page):
    phone_page.set_content(INACCESSIBLE)
    with pytest.raises(AssertionError, match=r"laid out 980px wide"):
        harness.assert_no_sideways_scroll(phone_page)


def test_tab_to_says_where_focus_went_when_the_name_is_never_reached(page):
    page.set_content('<main><a href="/a">First</a><button>Second</button></main>')
    with pytest.raises(AssertionError, match=r'never reached button \'Third\'; focus went to:\n  - link "First"'):
        harness.tab_to(page, "Third", role="button", max_presses=3)
    page.locator("body").focus()
    assert harness.tab_to(page, "Second").evaluate("element => element.tagName") == "BUTTON"


def test_screenshots_are_written_only_when_asked(page, monkeypatch, tmp_path):
    page.set_content(WIDE)
    monkeypatch.setattr(harness, "SCREENSHOT_DIR", tmp_path)
    monkeypatch.delenv("SCREENSHOTS", raising=False)
    assert harness.screenshot(page, "wide") is None
    monkeypatch.setenv("SCREENSHOTS", "1")
    path = harness.screenshot(page, "wide")
    assert path == tmp_path / "wide-desktop.png"
    assert os.path.getsize(path) > 0
