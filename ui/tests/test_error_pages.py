"""Error pages in the design system for people; the API keeps answering JSON in its own shape."""

import pytest
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("ui.tests.urls")]


def assert_design_system_page(html: str) -> None:
    assert '<a class="usa-skipnav" href="#main-content">' in html
    assert '<main id="main-content"' in html
    assert "ui/vendor/uswds/css/uswds.min.css" in html


def test_an_unknown_page_is_a_404_page_in_the_design_system():
    response = Client().get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "<title>Page not found | Registrar</title>" in html
    assert_design_system_page(html)


def test_an_unknown_api_path_is_a_json_404_in_the_apis_shape():
    response = Client().get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Not found.", "details": {}}


def test_the_apis_own_404_is_unchanged(org):
    response = Client().get("/api/v1/orgs/no-such-org")
    assert response.status_code == 404
    assert response.json()["code"] == "organization_not_found"  # the service's refusal, not the fallback


def test_a_refused_page_is_a_403_page_that_offers_sign_in():
    response = Client().get("/_ui/forbidden/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "You cannot see this page" in html
    assert 'href="/accounts/login/?next=/_ui/forbidden/"' in html
    assert_design_system_page(html)


def test_a_failing_page_is_a_500_page_that_needs_nothing_from_the_request():
    response = Client(raise_request_exception=False).get("/_ui/fail/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "Sorry, something went wrong on our side" in html
    assert_design_system_page(html)


def test_a_failing_api_call_answers_json():
    response = Client(raise_request_exception=False).get("/api/v1/_ui/fail/")
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"


def test_a_session_post_to_the_api_without_csrf_is_still_refused_in_json(household):
    client = Client(enforce_csrf_checks=True)
    client.force_login(household.payer)
    response = client.post(
        f"/api/v1/orgs/{household.organization.slug}/household/participants",
        {"first_name": "A", "last_name": "B"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
