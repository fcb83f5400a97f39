"""The vendored front-end files and the rules every page template keeps (docs/ui.md): no inline
script or style, no hx-on, nothing for a strict Content-Security-Policy to block."""

import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client

from ui import vendor

ROOT = Path(__file__).resolve().parents[2]
# The page templates of the interface apps (emails are not pages: they keep their inline styles).
PAGE_TEMPLATE_DIRS = [ROOT / app / "templates" for app in ("ui", "portal", "office")]
INLINE = {
    "an inline <script> (use a file under static/)": re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.I),
    "a <style> element (use ui/static/ui/ui.css)": re.compile(r"<style[\s>]", re.I),
    "a style attribute (use a class)": re.compile(r"\sstyle\s*=", re.I),
    "an on* event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "hx-on (htmx eval; use a listener in a static script)": re.compile(r"\s(hx|data-hx)-on", re.I),
    "a javascript: URL": re.compile(r"javascript:", re.I),
}


def page_templates() -> list[Path]:
    return sorted(path for top in PAGE_TEMPLATE_DIRS if top.is_dir() for path in top.rglob("*.html"))


def test_the_vendored_files_are_those_of_the_versions_in_vendor_json():
    assert vendor.check() == []


def test_the_readme_names_the_vendored_versions():
    readme = (ROOT / "README.md").read_text()
    for name, package in json.loads(vendor.MANIFEST.read_text())["packages"].items():
        assert f"{name} {package['version']}" in readme, f"README.md should say {name} {package['version']}"


def test_a_stylesheets_local_references_are_found_relative_to_it():
    css = b"a{background:url(../img/a.svg)} b{src:url('../fonts/x.woff2?v=1#f')} c{mask:url(data:image/svg+xml;x)}"
    assert vendor.css_references(css, "dist/css/uswds.min.css") == ["dist/fonts/x.woff2", "dist/img/a.svg"]


def test_no_page_template_has_inline_script_style_or_event_handlers():
    templates = page_templates()
    assert any(path.name == "base.html" for path in templates)  # the scan looked at something
    found = [
        f"{path.relative_to(ROOT)}:{source[: match.start()].count(chr(10)) + 1}: {what}"
        for path in templates
        for source in [path.read_text(encoding="utf-8")]
        for what, pattern in INLINE.items()
        for match in pattern.finditer(source)
    ]
    assert not found, "\n".join(found)


def test_the_inline_rules_catch_what_they_should():
    bad = '<script>x()</script><style>a{}</style><p style="x" onclick="y" hx-on:click="z"><a href="javascript:x">'
    assert all(pattern.search(bad) for pattern in INLINE.values())
    assert not any(pattern.search('<script src="/static/ui/ui.js"></script>') for pattern in INLINE.values())


@pytest.mark.slow
@pytest.mark.django_db
def test_collectstatic_with_the_manifest_storage_finds_every_file_the_css_needs_and_whitenoise_serves_it(
    settings, tmp_path
):
    """What production runs: collectstatic (here with the hashed manifest storage, the strictest:
    it fails on any url() whose file is missing), then whitenoise serves the files."""
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    settings.DEBUG = False
    settings.WHITENOISE_AUTOREFRESH = False
    call_command("collectstatic", interactive=False, verbosity=0)
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    assert "ui/vendor/uswds/fonts/source-sans-pro/sourcesanspro-regular-webfont.woff2" in manifest
    html = Client().get("/accounts/login/").content.decode()
    css_url = re.search(r'href="(/static/ui/vendor/uswds/css/uswds\.min\.[0-9a-f]{12}\.css)"', html).group(1)
    response = Client().get(css_url)
    assert response.status_code == 200
    assert "immutable" in response["Cache-Control"]
    body = b"".join(response.streaming_content)
    response.close()
    font = re.search(
        rb"url\(\"?\.\./fonts/source-sans-pro/(sourcesanspro-regular-webfont\.[0-9a-f]{12}\.woff2)\"?\)", body
    )
    assert font, "the stylesheet points at the hashed font"
    font_response = Client().get(f"/static/ui/vendor/uswds/fonts/source-sans-pro/{font.group(1).decode()}")
    font_response.close()
    assert font_response.status_code == 200
