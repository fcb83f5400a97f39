"""The API docs work under the site's Content-Security-Policy from vendored files (issue 15
item 5): Swagger UI renders the operations, and the page fixture fails on any CSP refusal."""

import pytest

pytestmark = pytest.mark.browser


def test_the_api_docs_render_under_the_content_security_policy(page, db):
    failed = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.goto("/api/v1/docs", timeout=90_000)  # Swagger UI is 1.5 MB of script from the test server
    page.get_by_text("/api/v1/orgs/{slug}/offerings", exact=True).first.wait_for(timeout=90_000)
    assert failed == []
