"""What /metrics counts is what happened, whichever way it came in (issue 16): the portal's
and the office's pages count their adds, refusals, checkouts and payments as the API's routes
do, and a payment provider's webhook counts a payment only when it recorded one."""

import pytest
from django.test import Client
from django.utils import timezone
from prometheus_client import REGISTRY

from api.tests.conftest import ApiClient
from catalog.tests.factories import make_offering
from households.tests.factories import make_household
from orders.models import Order
from organizations.models import Permission
from organizations.tests.factories import make_organization, make_staff
from payments.models import PaymentSession
from payments.tests.conftest import SANDBOX_WEBHOOK_SECRET, SandboxSigner


class Counted:
    """The counters' values before, to compare with after."""

    def __init__(self, *samples: tuple[str, dict[str, str]]) -> None:
        self.samples = samples
        self.before = [self.value(name, labels) for name, labels in samples]

    @staticmethod
    def value(name: str, labels: dict[str, str]) -> float:
        return REGISTRY.get_sample_value(name, labels) or 0.0

    def moved(self) -> list[float]:
        return [
            self.value(name, labels) - before for (name, labels), before in zip(self.samples, self.before, strict=True)
        ]


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def sandbox(db, settings):
    settings.SANDBOX_WEBHOOK_SECRET = SANDBOX_WEBHOOK_SECRET
    settings.SITE_URL = "http://testserver"
    return make_organization(payment_provider="sandbox")


def test_portal_pages_count_adds_refusals_by_code_and_checkouts(sandbox):
    org = sandbox
    offering = make_offering(org, capacity=1, price="20.00")
    first, second = make_household(org), make_household(org)
    counted = Counted(
        ("registrar_adds_total", {"channel": "portal"}),
        ("registrar_refusals_total", {"action": "add", "channel": "portal", "code": "offering_full"}),
        ("registrar_checkouts_total", {"channel": "portal"}),
    )

    for household in (first, second):
        signed_in(household.payer).post(
            f"/o/{org.slug}/cart/add/",
            {"offering": offering.pk, "participants": [household.participants.first().pk]},
        )
    signed_in(first.payer).post(f"/o/{org.slug}/checkout/", {})

    assert Order.objects.count() == 1
    assert counted.moved() == [1, 1, 1]


def test_office_pages_count_adds_checkouts_and_payments(sandbox):
    org = sandbox
    clerk = make_staff(org, [Permission.ENROLL, Permission.TAKE_PAYMENTS])
    household = make_household(org)
    offering = make_offering(org, capacity=5, price="20.00")
    desk = signed_in(clerk.user)
    counted = Counted(
        ("registrar_adds_total", {"channel": "office"}),
        ("registrar_checkouts_total", {"channel": "office"}),
        ("registrar_payments_total", {"channel": "office"}),
    )

    desk.post(
        f"/office/{org.slug}/households/{household.pk}/enroll/add/",
        {"offering": offering.pk, "participant": household.participants.first().pk},
    )
    desk.post(f"/office/{org.slug}/households/{household.pk}/checkout/")
    order = Order.objects.get()
    desk.post(f"/office/{org.slug}/walk-up/orders/{order.pk}/", {"amount": "20.00", "method": "cash", "key": "k1"})

    order.refresh_from_db()
    assert order.balance == 0
    assert counted.moved() == [1, 1, 1]


def test_a_webhook_counts_a_payment_only_when_it_recorded_one(sandbox):
    org = sandbox
    household = make_household(org)
    offering = make_offering(org, capacity=5, price="20.00")
    family = signed_in(household.payer)
    family.post(
        f"/o/{org.slug}/cart/add/", {"offering": offering.pk, "participants": [household.participants.first().pk]}
    )
    family.post(f"/o/{org.slug}/checkout/", {})
    session = PaymentSession.objects.get()
    provider = SandboxSigner(Client())
    counted = Counted(("registrar_payments_total", {"channel": "webhook"}))

    assert provider.deliver(provider.declined(session)).json() == {"status": "declined"}
    assert counted.moved() == [0]
    paid = provider.paid(session)
    # The same event sent again under a new signature (an identical delivery is a replay: 400).
    # Both timestamps are fixed: "now - 1" read after the first delivery equals the first's
    # timestamp whenever a second ends between the two, and the test then failed as a replay.
    first_sent = int(timezone.now().timestamp())
    assert provider.deliver(paid, timestamp=first_sent).json()["status"] == "recorded"
    again = provider.deliver(paid, timestamp=first_sent - 1)  # the provider sends the event again
    assert again.json().get("status") == "duplicate", (again.status_code, again.json())
    assert counted.moved() == [1]


def test_group_enroll_counts_each_seat_it_held_on_the_page_and_in_the_api(sandbox):
    org = sandbox
    clerk = make_staff(org, [Permission.ENROLL])
    families = [make_household(org, children=2) for _ in range(2)]
    offering = make_offering(org, capacity=3)
    members = [(h.pk, p.pk) for h in families for p in h.participants.order_by("pk")]
    counted = Counted(
        ("registrar_adds_total", {"channel": "office"}),
        ("registrar_refusals_total", {"action": "add", "channel": "office", "code": "group_does_not_fit"}),
    )

    page = signed_in(clerk.user).post(
        f"/office/{org.slug}/offerings/{offering.pk}/group-enroll/",
        {"member": [f"{h}:{p}" for h, p in members[:2]], "mode": "all"},
    )
    assert page.status_code == 200
    api = ApiClient(clerk.user)
    fit = api.post(
        f"/orgs/{org.slug}/staff/offerings/{offering.pk}/group-enroll",
        {"members": [{"household_id": h, "participant_id": p} for h, p in members[2:]], "mode": "fit"},
    )
    assert (len(fit.json()["enrolled"]), len(fit.json()["refused"])) == (1, 1)
    refused = api.post(
        f"/orgs/{org.slug}/staff/offerings/{offering.pk}/group-enroll",
        {"members": [{"household_id": h, "participant_id": p} for h, p in members[3:]], "mode": "all"},
    )
    assert refused.status_code == 409

    assert counted.moved() == [3, 1]
