import pytest
from django.db import connection

from capacity.hints import RECENTLY_FULL
from catalog.tests.factories import make_offering
from households.tests.factories import make_household
from organizations.tests.factories import make_organization

# The browser-test harness: browser, page, phone_page, login (docs/ui.md).
pytest_plugins = ["ui.testing.browser"]


@pytest.fixture(autouse=True)
def _no_hints_from_other_tests():
    """Which path an add takes follows what this process saw of earlier adds
    (capacity.hints); each test starts from nothing seen."""
    RECENTLY_FULL.forget()


@pytest.fixture
def org(db):
    return make_organization()


@pytest.fixture
def household(org):
    return make_household(org)


@pytest.fixture
def offering(org):
    return make_offering(org, capacity=20)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("postgres") and connection.vendor != "postgresql":
            item.add_marker(
                pytest.mark.skip(
                    reason="needs PostgreSQL: run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/registrar (as .ci/run does)"
                )
            )
