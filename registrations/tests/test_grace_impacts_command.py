from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from carts.services import add_to_cart
from carts.services.checkout import checkout
from catalog.tests.factories import make_offering
from households.tests.factories import make_household
from organizations.tests.factories import make_organization
from registrations.models import Registration

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


def test_g6_command_prints_what_would_happen_and_changes_nothing(db):
    org = make_organization(slug="riverside", grace_period_hours=0, admin_email="office@parks.example")
    household = make_household(org)
    with time_machine.travel(T0, tick=False):
        add_to_cart(
            household=household,
            offering_id=make_offering(org, name="Swim Level 2").pk,
            participant_id=household.participants.first().pk,
            channel="portal",
        )
        checkout(household=household, channel="portal")
    out = StringIO()
    with time_machine.travel(T0 + timedelta(hours=30), tick=False):
        call_command("grace_impacts", "--org", "riverside", "--hours", "24", stdout=out)
    text = out.getvalue()
    assert "Swim Level 2" in text
    assert "DELETE now" in text
    assert f"registrant_deleted -> {household.email}" in text
    assert "1 registration would be deleted now, 0 scheduled for later; 2 emails would be sent." in text
    assert not Registration.objects.filter(deleted_at__isnull=False).exists()
    assert org.__class__.objects.get(pk=org.pk).grace_period_hours == 0


def test_g6_command_refuses_bad_input(db):
    make_organization(slug="riverside")
    with pytest.raises(CommandError, match="No organization"):
        call_command("grace_impacts", "--org", "nope", "--hours", "24")
    with pytest.raises(CommandError, match="-1"):
        call_command("grace_impacts", "--org", "riverside", "--hours", "-5")
