"""Issue 15 item 5: a Content-Security-Policy on every answer, and the API docs from this
site's own files, public in development and for staff only (or off) in production."""

import re

from organizations.models import Permission
from organizations.tests.factories import make_organization, make_staff, make_user


def test_every_answer_carries_a_strict_content_security_policy(client, db):
    for url in ("/", "/accounts/login/", "/api/v1/openapi.json", "/api/v1/docs"):
        policy = client.get(url)["Content-Security-Policy"]
        assert "default-src 'self'" in policy
        assert "script-src 'self';" in policy
        assert "unsafe-inline" not in policy
        assert "unsafe-eval" not in policy
        assert "frame-ancestors 'none'" in policy


def test_the_api_docs_load_only_this_sites_files(client, db):
    page = client.get("/api/v1/docs").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any("swagger-ui-bundle.js" in s for s in sources)
    assert all(s.startswith("/") for s in sources), sources
    assert "<script>" not in page.replace(" ", "")  # nothing inline to execute


def test_the_api_docs_are_for_staff_in_production(client, db, settings):
    settings.API_DOCS = "staff"
    assert client.get("/api/v1/docs").status_code == 404
    client.force_login(make_user())
    assert client.get("/api/v1/docs").status_code == 404
    client.force_login(make_staff(make_organization(), [Permission.ENROLL]).user)
    assert client.get("/api/v1/docs").status_code == 200
    assert client.get("/api/v1/openapi.json").status_code == 200  # the schema stays public (X3)
    settings.API_DOCS = "off"
    assert client.get("/api/v1/docs").status_code == 404
