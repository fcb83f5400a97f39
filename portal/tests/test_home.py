import re

import pytest
from django.test import Client

from carts.services import add_to_cart


def test_home_lists_organizations_with_live_seats(org, household, offering):
    add_to_cart(
        household=household, offering_id=offering.pk, participant_id=household.participants.first().pk, channel="portal"
    )
    page = Client().get("/")
    assert page.status_code == 200
    html = page.content.decode()
    assert org.name in html
    assert f"/api/v1/orgs/{org.slug}/offerings" in html
    assert re.search(r'data-label="Seats held in carts" class="ui-num">\s*1\s*<', html)  # the held seat


def test_home_links_each_organizations_pages_once_they_exist(org):
    html = Client().get("/").content.decode()
    assert f'href="/o/{org.slug}/"' not in html  # the portal has no page yet (issue 12)
    assert "Customer portal" not in html


@pytest.mark.urls("ui.tests.urls")  # the project's URLs plus a portal home at /o/<slug>/
def test_home_links_the_customer_portal_when_its_url_resolves(org):
    html = Client().get("/").content.decode()
    assert f'<a class="usa-link" href="/o/{org.slug}/">Customer portal</a>' in html
    assert f'<a class="usa-link" href="/office/{org.slug}/">Office</a>' in html
