"""The desk's two flows in Debian's Chromium with the keyboard alone, on the demo: taking over a
cart the family started and checking it out for them (S3), and a walk-up sale from finding the
household to paid in full (issue 13 item 6). Every page on the way passes axe."""

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.utils import timezone

from catalog.models import Offering
from households.models import Household
from ui.testing.browser import assert_accessible, screenshot, tab_to

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", quiet_logins=True, verbosity=0)


def expect():
    from playwright.sync_api import expect

    return expect


def press(page, name, role="button", key="Enter"):
    tab_to(page, name, role=role)
    page.keyboard.press(key)


def open_to(participant):
    """A demo offering this participant may join now: of their age, registration open, seats to spare."""
    now = timezone.now()
    age = participant.age_on(now.date())
    return (
        Offering.objects.filter(organization__slug="riverside", is_archived=False)
        .filter(kind__in=["class", "camp", "membership"])
        .filter(Q(min_age__isnull=True) | Q(min_age__lte=age - 1), Q(max_age__isnull=True) | Q(max_age__gte=age + 1))
        .filter(Q(registration_opens_at__isnull=True) | Q(registration_opens_at__lte=now))
        .filter(Q(registration_closes_at__isnull=True) | Q(registration_closes_at__gt=now))
        .filter(Q(capacity__isnull=True) | Q(capacity__gte=5))
        .order_by("kind", "starts_at", "name", "pk")
        .first()
    )


def test_s3_take_over_a_family_cart_and_check_it_out_with_the_keyboard_alone(page, demo, login):
    parker = Household.objects.get(payer__username="parker")
    login(page, "manager")
    page.goto(f"/office/riverside/households/{parker.pk}/", timeout=60_000)  # the server's first request is slow
    press(page, "Enroll (already started a registration)", role="link")
    expect()(page.get_by_role("heading", name="This contact has already started a registration")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "desk-enroll-started")
    press(page, "Take over the cart")
    expect()(page.get_by_text("You took over the cart")).to_be_visible()
    expect()(page.get_by_text("Held by the office until")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "desk-enroll-taken-over")
    press(page, "Check out")  # a manager takes no payments: the order waits on the household's page
    expect()(page.get_by_text("was placed")).to_be_visible()
    expect()(page.get_by_role("heading", level=1)).to_contain_text(parker.name)
    assert_accessible(page)


def test_walk_up_sale_from_finding_the_household_to_paid_with_the_keyboard_alone(page, demo, login):
    login(page, "admin")
    page.goto("/office/riverside/walk-up/", timeout=60_000)  # the server's first request is slow
    tab_to(page, "Find a household", role="searchbox")
    page.keyboard.type("cohen")
    link = page.locator("#results").get_by_role("link").first
    expect()(link).to_be_visible()
    assert_accessible(page)
    screenshot(page, "desk-walkup")
    press(page, link.inner_text(), role="link")
    expect()(page.get_by_role("heading", level=1)).to_contain_text("Enroll")
    cohen = Household.objects.get(payer__username="cohen")
    choice = open_to(cohen.participants.order_by("first_name", "pk").first())
    select = tab_to(page, "Class, camp or membership", role="combobox")
    for _ in range(80):  # down the list, option by option, as a keyboard user does
        if select.input_value() == str(choice.pk):
            break
        page.keyboard.press("ArrowDown")
    assert select.input_value() == str(choice.pk)
    press(page, "Add to the cart")
    expect()(page.get_by_text("is held in the cart")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "desk-enroll")
    press(page, "Check out and take the payment")
    expect()(page.get_by_role("heading", level=1)).to_contain_text("Payment for order")
    assert_accessible(page)
    screenshot(page, "desk-pay")
    press(page, "Record the payment")
    expect()(page.get_by_role("heading", name="Paid in full")).to_be_visible()
    assert_accessible(page)


def test_walk_up_sale_for_a_new_family_creates_the_household_and_goes_on_to_step_2(phone_page, demo, login):
    """'Step 1 of 3: find the caller's household, or create it': creating it used to end the
    sale on the household page, off the walk-up's steps. Now it goes on to step 2, at phone size."""
    from ui.testing.browser import assert_no_sideways_scroll

    page = phone_page
    login(page, "frontdesk")
    page.goto("/office/riverside/walk-up/?q=Zed+Newfamily", timeout=60_000)
    press(page, "Create a household", role="link")
    expect()(page.get_by_text("Walk-up sale, step 1 of 3")).to_be_visible()
    assert page.get_by_label("Payer's name").input_value() == "Zed Newfamily"
    tab_to(page, "Payer's email", role="textbox")
    page.keyboard.type("zed@example.com")
    tab_to(page, "First name (optional)", role="textbox")
    page.keyboard.type("Zoë")
    page.keyboard.press("Tab")
    page.keyboard.type("Newfamily")
    page.keyboard.press("Tab")
    page.keyboard.type("05052016")  # the date picker's month, day, year
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    press(page, "Create the household")
    expect()(page.get_by_text("Walk-up sale, step 2 of 3")).to_be_visible()
    expect()(page.get_by_role("heading", level=1)).to_contain_text("Enroll: Zed Newfamily")
    assert Household.objects.filter(name="Zed Newfamily", participants__first_name="Zoë").exists()
    assert_accessible(page)
    assert_no_sideways_scroll(page)
