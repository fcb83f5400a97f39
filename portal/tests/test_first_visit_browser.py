"""A family's first visit, tried as a new user would on a phone (issue 12): what a trial of
the demo found. Asked to sign in, the family stays on its organization's pages (with the way to
make an account); a place it takes is counted on the page at once, not at the next poll."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from attendance.tests.factories import make_meetings, register
from catalog.tests.factories import make_offering
from households.tests.factories import make_household, make_participant
from orders.paylink import pay_token
from orders.policies import Share
from organizations.tests.factories import make_organization
from payments.providers.sandbox import deliver_sandbox_webhooks
from payments.services import record_payment
from payments.tests.conftest import SANDBOX_WEBHOOK_SECRET
from ui.templatetags.ui import instant_date, instant_time
from ui.testing.browser import assert_accessible, assert_no_sideways_scroll

pytestmark = pytest.mark.browser


@pytest.fixture
def family(transactional_db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    org = make_organization(name="Riverside Parks & Recreation")
    household = make_household(org, children=0)
    make_participant(household, first_name="Maya", born=date(2018, 6, 1))
    household.payer.set_password("a long passphrase 42")
    household.payer.save()
    swim = make_offering(org, name="Swim Level 2", capacity=5, min_age=5, max_age=12)
    return org, household, swim


def test_a_visitor_sent_to_sign_in_stays_with_the_organization_and_comes_back(phone_page, family):
    from playwright.sync_api import expect

    org, household, _swim = family
    page = phone_page
    page.goto(f"/o/{org.slug}/account/")  # from an email's link, not signed in
    assert page.url.endswith(f"/o/{org.slug}/account/login/?next=/o/{org.slug}/account/")
    expect(page.get_by_text(f"Sign in to your family account at {org.name}")).to_be_visible()
    expect(page.get_by_role("link", name="Create an account")).to_be_visible()  # a new family's way on
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    page.get_by_label("Username").or_(page.get_by_label("Email")).first.fill(household.payer.username)
    page.get_by_label("Password").fill("a long passphrase 42")
    page.get_by_role("main").get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My account", exact=True)).to_be_visible()


def test_a_place_just_taken_is_counted_on_the_page_at_once(phone_page, family, login):
    from playwright.sync_api import expect

    org, household, swim = family
    page = phone_page
    login(page, household.payer.username)
    page.goto(f"/o/{org.slug}/offerings/{swim.pk}/")
    seats = page.locator(f"#seats-{swim.pk}")
    expect(seats).to_have_text("5 of 5 left", ignore_case=True)
    page.get_by_role("checkbox", name=f"Maya {household.name}").check()
    page.get_by_role("button", name="Add Swim Level 2 to cart").click()
    expect(page.get_by_role("status").filter(has_text="is in your cart")).to_be_visible()
    # The poll runs every 15 seconds; the add's answer asks for the count again at once.
    expect(seats).to_have_text("4 of 5 left", ignore_case=True, timeout=5_000)


def test_a_child_added_twice_in_another_case_is_refused_beside_the_field(phone_page, family, login):
    from playwright.sync_api import expect

    org, household, _swim = family
    page = phone_page
    login(page, household.payer.username)
    for first, last in (("Zoë", "Ñúñez"), ("zoë ", "ñúñez")):  # a second try, typed in lower case
        page.goto(f"/o/{org.slug}/account/participants/")
        page.get_by_label("First name").fill(first)
        page.get_by_label("Last name").fill(last)
        page.get_by_label("Date of birth").fill("2018-04-01")
        page.get_by_role("button", name="Add the participant").click()
    expect(page.locator(".usa-error-message")).to_have_text(
        "Zoë Ñúñez, born 1 April 2018, is already in this household."
    )
    assert household.participants.filter(date_of_birth="2018-04-01").count() == 1
    assert_accessible(page)
    assert_no_sideways_scroll(page)


def test_b6_an_order_paid_twice_from_two_pages_shows_as_credit_on_the_account(phone_page, family, login):
    """Two tabs: the family left the first payment page open, paid from the account, then paid
    on the first page too. The second payment is kept as credit; the account says so."""
    from playwright.sync_api import expect

    org, household, swim = family
    registration = register(household, swim)  # $50.00, awaiting payment
    for ref in ("first-tab", "second-tab"):
        with transaction.atomic():
            record_payment(
                organization=org,
                household_id=household.pk,
                amount=Decimal("50.00"),
                plan=[Share(registration.order_id, Decimal("50.00"))],
                provider="sandbox",
                method="card",
                channel="portal",
                now=timezone.now(),
                provider_ref=ref,
            )
    page = phone_page
    login(page, household.payer.username)
    page.goto(f"/o/{org.slug}/account/")
    expect(page.get_by_role("heading", name="You have $50.00 of credit")).to_be_visible()
    expect(page.get_by_text("Your next checkout uses this credit first")).to_be_visible()
    assert_accessible(page)
    assert_no_sideways_scroll(page)


def test_a2_without_reasons_for_families_no_meeting_offers_an_empty_choice(phone_page, family, login):
    """A new organization has no absence reasons usable by customers yet: each meeting says to
    call the office, instead of a 'Mark absent' form whose list has nothing to choose."""
    from playwright.sync_api import expect

    org, household, swim = family
    make_meetings(swim, first=timezone.now() + timedelta(days=2), count=2)
    register(household, swim)
    page = phone_page
    login(page, household.payer.username)
    page.goto(f"/o/{org.slug}/account/courses/")
    expect(page.get_by_text("To report an absence, call the office.")).to_have_count(2)
    expect(page.get_by_role("button", name=re.compile("Mark absent"))).to_have_count(0)
    expect(page.get_by_role("combobox")).to_have_count(0)
    assert_accessible(page)
    assert_no_sideways_scroll(page)


def test_signed_in_with_an_account_elsewhere_the_page_says_how_to_start_here(phone_page, family, login):
    from playwright.sync_api import expect

    _org, household, _swim = family
    elsewhere = make_organization(name="Loisirs Laval", locale="fr-ca")
    page = phone_page
    login(page, household.payer.username)
    page.goto(f"/o/{elsewhere.slug}/account/")
    expect(page.get_by_role("heading", name="No account here yet")).to_be_visible()
    expect(page.get_by_text("no family account with Loisirs Laval yet")).to_be_visible()
    expect(page.get_by_text("no cart to show")).to_have_count(0)  # it was the account page, not the cart
    page.get_by_role("link", name="Create a family account").click()
    expect(page.get_by_role("heading", name="Create your family account here")).to_be_visible()  # for this login
    assert_accessible(page)


def test_a_class_without_a_weekly_schedule_says_when_it_meets_first(phone_page, family):
    """The demo's classes have meetings but no weekly schedule: the catalog said only
    'Meetings (8 meetings)', with no day or time; it names the first one now."""
    from playwright.sync_api import expect

    org, _household, swim = family
    first = (timezone.localtime(timezone.now(), org.zone) + timedelta(days=3)).replace(hour=16, minute=30)
    make_meetings(swim, first=first, count=8)
    page = phone_page
    page.goto(f"/o/{org.slug}/")
    when = f"{instant_date(first, org.zone)}, {instant_time(first, org.zone)}"  # "Wednesday 9 December 2026, 4:30 p.m. EST"
    expect(page.get_by_text(f"8 meetings, the first {when}")).to_be_visible()
    assert_no_sideways_scroll(page)


def test_p7_back_from_paying_by_the_emailed_link_the_page_does_not_offer_to_pay_again(
    phone_page, family, settings, live_server
):
    """The pay link's page sent the payer back to itself, where 'Pay $50.00 online' stood until
    the provider's webhook came: a second press paid the order twice."""
    from playwright.sync_api import expect

    settings.SANDBOX_WEBHOOK_SECRET = SANDBOX_WEBHOOK_SECRET
    settings.SANDBOX_WEBHOOK_DELAY_SECONDS = 0
    settings.SITE_URL = live_server.url
    org, household, swim = family
    org.payment_provider = "sandbox"
    org.save(update_fields=["payment_provider"])
    registration = register(household, swim)
    page = phone_page
    page.goto(f"/pay/order/{pay_token(registration.order)}/")  # from the email, signed out
    page.get_by_role("button", name="Pay $50.00 online").click()
    page.get_by_role("button", name="Pay", exact=True).click()
    # The choice is recorded before going back (the page's "Back to" link is there before it too).
    expect(page.get_by_role("status")).to_contain_text("your payment is being confirmed")
    page.get_by_role("link", name=f"Back to {org.name}").click()
    expect(page.get_by_role("heading", name="Your payment is being confirmed")).to_be_visible()
    expect(page.get_by_role("button", name="Pay $50.00 online")).to_have_count(0)
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    assert deliver_sandbox_webhooks(now=timezone.now() + timedelta(seconds=1)) == 1
    page.get_by_role("link", name="Check again").click()
    expect(page.get_by_text("This order is paid in full. Thank you.")).to_be_visible()


def test_a_class_whose_registration_closed_says_so_instead_of_offering_the_add(phone_page, family, login):
    """Swim Level 5 in the demo: registration closed yesterday and the catalog leaves it out, yet
    its own page (a link kept from before) offered 'Add to cart' under 'Registration closes', and
    only the add's refusal told the family."""
    from playwright.sync_api import expect

    org, household, _swim = family
    closed = make_offering(
        org, name="Swim Level 5", min_age=5, max_age=12, registration_closes_at=timezone.now() - timedelta(days=1)
    )
    page = phone_page
    login(page, household.payer.username)
    page.goto(f"/o/{org.slug}/offerings/{closed.pk}/")
    expect(page.get_by_text("Registration closed", exact=True)).to_be_visible()
    expect(page.get_by_text("Registration for it has closed")).to_be_visible()
    expect(page.get_by_role("button", name="Add Swim Level 5 to cart")).to_have_count(0)
    assert_accessible(page)
    assert_no_sideways_scroll(page)
