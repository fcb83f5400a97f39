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
    assert '<td class="num">1</td>' in html  # the held seat
