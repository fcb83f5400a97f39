import pytest

from bulk.tests import helpers
from organizations.tests.factories import make_staff


@pytest.fixture
def admin(org):
    return make_staff(org)  # every permission


@pytest.fixture
def enroll():
    return helpers.enroll


@pytest.fixture
def hold():
    return helpers.hold
