"""The account side in Debian's Chromium (issue 12 items 2, 5-8): axe on every page at desktop
and phone size with no sideways scroll, the keyboard alone through sign-up and through checkout
-> pay in the sandbox -> confirmation, and the screenshots in docs/screenshots/."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from attendance.services import record_attendance
from attendance.tests.factories import make_meetings, make_reason, register
from carts.services import add_to_cart
from catalog.tests.factories import make_offering
from households.tests.factories import make_household
from notifications.templatetags.notification_format import format_instant
from organizations.tests.factories import make_organization, make_staff
from payments.desk import put_on_account
from payments.models import PaymentSession
from payments.providers.sandbox import deliver_sandbox_webhooks
from payments.services import start_online_payment
from payments.tests.conftest import SANDBOX_WEBHOOK_SECRET
from ui.testing.browser import assert_accessible, assert_no_sideways_scroll, press_on, screenshot, tab_to

pytestmark = pytest.mark.browser

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


@pytest.fixture
def world(db, live_server, settings):
    """An organization paying through the sandbox, a family with a course (meetings, one
    absence by the instructor), a balance on account, an unpaid order and a declined payment."""
    settings.SANDBOX_WEBHOOK_SECRET = SANDBOX_WEBHOOK_SECRET
    settings.SANDBOX_WEBHOOK_DELAY_SECONDS = 0
    settings.SITE_URL = live_server.url
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    org = make_organization(payment_provider="sandbox", pay_balances_online=True, grace_period_hours=48)
    household = make_household(org)
    swim = make_offering(org, name="Swim Level 3", price="42.50")
    tomorrow_evening = (timezone.localtime(timezone.now(), org.zone) + timedelta(days=1)).replace(
        hour=17, minute=30, second=0, microsecond=0
    )
    meetings = make_meetings(swim, first=tomorrow_evening, count=3)
    registration = register(household, swim)
    sick = make_reason(org, "Sick")
    make_reason(org, "Family trip")
    staff = make_staff(org)
    record_attendance(
        membership=staff,
        meeting_id=meetings[2].pk,
        participant_id=registration.participant_id,
        status="absent",
        reason_id=sick.pk,
        channel="office",
    )
    pottery = make_offering(org, name="Pottery")
    on_account = register(household, pottery)
    put_on_account(membership=staff, order_id=on_account.order_id, payable_online=True, customer_note="Due by May 1")
    return {"org": org, "household": household, "registration": registration, "swim": swim, "meetings": meetings}


PAGES = {
    "account-home": "/o/{slug}/account/",
    "account-participants": "/o/{slug}/account/participants/",
    "account-upcoming": "/o/{slug}/account/courses/",
    "account-pay-order": "/o/{slug}/account/orders/{order}/pay/",
}


@pytest.mark.parametrize("size", ["page", "phone_page"])
@pytest.mark.parametrize("name", sorted(PAGES))
def test_account_pages_are_accessible_at_both_sizes(request, size, name, world, login):
    page = request.getfixturevalue(size)
    login(page, world["household"].payer.username)
    page.goto(PAGES[name].format(slug=world["org"].slug, order=world["registration"].order_id))
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    screenshot(page, name)


@pytest.mark.parametrize("size", ["page", "phone_page"])
@pytest.mark.parametrize(
    "path",
    [
        "signup/",
        "account/login/",
        "account/password-reset/",
        "account/password-reset/sent/",
        "account/password-reset/MQ/not-a-token/",  # an old or used link
        "account/password-reset/done/",
        "account/verify/not-a-token/",
    ],
)
def test_visitor_pages_are_accessible_at_both_sizes(request, size, path, world):
    page = request.getfixturevalue(size)
    page.goto(f"/o/{world['org'].slug}/{path}")
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    if path == "signup/":
        screenshot(page, "signup")


def test_a_sign_up_with_the_keyboard_alone_and_its_errors_are_accessible(page, world):
    from playwright.sync_api import expect

    page.goto(f"/o/{world['org'].slug}/signup/")
    tab_to(page, "Your name", role="textbox")
    page.keyboard.type("Grace Hopper")
    tab_to(page, "Email address", role="textbox")
    page.keyboard.type("grace@example.test")
    tab_to(page, "Password", role="textbox")
    page.keyboard.type("12345678")
    press_on(page, "Create the account", role="button")
    expect(page.get_by_text("There is a problem")).to_be_visible()
    assert_accessible(page)  # the error summary and the messages beside the fields
    tab_to(page, "Password", role="textbox")
    page.keyboard.type("a long passphrase 42")
    press_on(page, "Create the account", role="button")
    expect(page.get_by_role("heading", name="My account", exact=True)).to_be_visible()
    expect(page.get_by_text("Your account is ready")).to_be_visible()


def test_checkout_pay_in_the_sandbox_and_confirmation_with_the_keyboard_alone(page, world, login):
    from playwright.sync_api import expect

    household, org = world["household"], world["org"]
    add_to_cart(
        household=household,
        offering_id=make_offering(org, name="Tennis", price="30.00").pk,
        participant_id=household.participants.get().pk,
        channel="portal",
    )
    login(page, household.payer.username)
    page.goto(f"/o/{org.slug}/cart/")
    press_on(page, "Check out", role="button")
    expect(page.get_by_role("heading", name="Sandbox payment page")).to_be_visible()
    press_on(page, "Pay", role="button")
    expect(page.get_by_role("status")).to_contain_text("your payment is being confirmed")
    press_on(page, f"Back to {org.name}", role="link")
    expect(page.get_by_role("heading", name="Waiting for your payment")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "checkout-pending")

    assert deliver_sandbox_webhooks(now=timezone.now() + timedelta(seconds=1)) == 1
    # The page asks again by itself (htmx polling) and says so in its live region.
    expect(page.get_by_role("heading", name="You are registered")).to_be_visible(timeout=15_000)
    expect(page.get_by_role("status").filter(has_text="A receipt is on its way")).to_be_visible()
    expect(page.get_by_text("Paid: the places are yours")).to_be_visible()  # not "Paid: yours"
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    screenshot(page, "checkout-paid")


@pytest.mark.parametrize("size", ["page", "phone_page"])
def test_a_declined_payment_shows_the_deadline_and_pay_now(request, size, world, login):
    from playwright.sync_api import expect

    page = request.getfixturevalue(size)
    household, registration = world["household"], world["registration"]
    session = start_online_payment(
        household=household,
        plan=[_share(registration)],
        return_url=f"{world['org'].slug}",
    )
    PaymentSession.objects.filter(pk=session.pk).update(status=PaymentSession.Status.DECLINED)
    login(page, household.payer.username)
    page.goto(f"/o/{world['org'].slug}/checkout/return/?payment={session.pk}")
    expect(page.get_by_role("heading", name="Your payment was declined")).to_be_visible()
    expect(page.get_by_role("button", name="Pay now")).to_be_visible()
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    screenshot(page, "checkout-declined")


def test_marking_an_absence_with_the_keyboard_alone(page, world, login):
    from playwright.sync_api import expect

    login(page, world["household"].payer.username)
    page.goto(f"/o/{world['org'].slug}/account/courses/")
    tab_to(page, "Reason", role="combobox")
    page.keyboard.press("ArrowDown")  # the first reason of the list: Family trip
    day = format_instant(world["meetings"][0].starts_at, zone=world["org"].time_zone, fmt="l j F Y")
    press_on(page, f"Mark absent {day}", role="button")
    expect(page.get_by_text("Absent: Family trip").first).to_be_visible()
    expect(page.get_by_text("Recorded by the instructor or the office")).to_be_visible()
    assert_accessible(page)


def _share(registration):
    from orders.policies import Share

    return Share(registration.order_id, registration.order.balance)


def test_a_long_unbroken_name_does_not_make_the_phone_scroll_sideways(phone_page, world, login):
    """A name as long as the form allows (100 letters, no space) wraps on a phone: the
    participants page and the catalog's "Who is it for?" choices stay 390px wide."""
    household = world["household"]
    household.participants.create(first_name="A" * 100, last_name="B", date_of_birth="2015-01-01")
    login(phone_page, household.payer.username)
    for path in ("account/participants/", "", "account/"):
        phone_page.goto(f"/o/{world['org'].slug}/{path}")
        assert_no_sideways_scroll(phone_page)
