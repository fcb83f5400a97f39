"""X6: a superuser sees sign-in lock-outs (an address's too) and API tokens in the Django admin."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from accounts.models import LoginThrottle
from accounts.tokens import issue


@pytest.mark.django_db
def test_x6_the_admin_lists_lock_outs_and_tokens():
    root = User.objects.create_superuser("root", "root@example.test", "pw-12345-secret")
    now = timezone.now()
    LoginThrottle.objects.create(
        scope="address",
        key="203.0.113.9",
        failures=50,
        window_started_at=now,
        last_failed_at=now,
        locked_until=now + timedelta(minutes=15),
    )
    issue(user=root, label="phone")
    client = Client()
    client.force_login(root)
    assert "203.0.113.9" in client.get("/admin/accounts/loginthrottle/").content.decode()
    assert "phone" in client.get("/admin/accounts/apitoken/").content.decode()
