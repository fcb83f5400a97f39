import pytest
from django.test import Client

from office.tests.world import make_world


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The world signs in seven people; the real hasher takes a good part of a second each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world(db):
    return make_world()


@pytest.fixture
def client_for(world):
    """client_for("frontdesk"): a test client signed in as that role of the world."""

    def client_for(role: str) -> Client:
        client = Client()
        user = world.user(role)
        if user is not None:
            client.force_login(user)
        return client

    return client_for
