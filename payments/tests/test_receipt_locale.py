"""N6 in the organization's locale (issue 12, decision 0025): the confirmation with its receipt is
written by the payment provider's webhook, a request of no organization's page, and still shows
money and dates as the organization's pages do."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import translation

from catalog.models import Meeting
from notifications.models import Notification
from organizations.models import Organization
from payments.tests.conftest import SANDBOX_WEBHOOK_SECRET, T0, SandboxSigner, unpaid_order


@pytest.fixture(autouse=True)
def sandbox_settings(settings):
    settings.SANDBOX_WEBHOOK_SECRET = SANDBOX_WEBHOOK_SECRET
    settings.SITE_URL = "http://testserver"


def paid_receipt(locale: str) -> Notification:
    unpaid = unpaid_order(provider="sandbox", price="1234.50")
    Organization.objects.filter(pk=unpaid.order.organization_id).update(locale=locale)
    [line] = unpaid.order.lines.all()
    Meeting.objects.create(
        offering=line.offering, starts_at=T0 + timedelta(days=2), ends_at=T0 + timedelta(days=2, hours=1)
    )
    signer = SandboxSigner(Client())
    assert signer.deliver(signer.paid(unpaid.session)).status_code == 200
    return Notification.objects.get(kind="registrant_receipt")


def test_n6_a_french_canadian_organizations_receipt_shows_french_money_and_month_names(db, clock):
    receipt = paid_receipt("fr-ca")
    for words in (
        "Starts:       mercredi 4 mars 2026",  # the first meeting, in the organization's time zone
        "Total:        $1\xa0234,50",
        "Balance:      $0,00",
        "Paid on:      lundi 2 mars 2026",
        "is paid in full. This is your receipt.",  # the words stay English
    ):
        assert words in receipt.body_text, words
    assert "$1\xa0234,50" in receipt.body_html
    assert "mercredi 4 mars 2026" in receipt.body_html
    assert translation.get_language() == "en-us"  # the webhook's thread is back to the default


def test_n6_a_us_organizations_receipt_shows_us_money_and_english_dates(db, clock):
    receipt = paid_receipt("en-us")
    assert "Total:        $1,234.50" in receipt.body_text
    assert "Starts:       Wednesday 4 March 2026" in receipt.body_text
