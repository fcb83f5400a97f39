"""X1 for every API operation (issue 15 item 3): each operation of the API's routers, for every
role (nobody signed in, a customer, each demo staff role, another organization's administrator):
allowed callers are let in, the others get 401 (not signed in), 404 (not this organization's
staff: the unknown organization's answer, no existence oracle), 403 (staff without the declared
permission, or a user with no household here for a customer operation), and change nothing.
The operations come from the routers, so an endpoint added tomorrow is in the matrix at once."""

import re

import pytest

from api.access import access_of
from api.root import ROUTERS, api
from api.tests.matrix import api_operations, operation_problems
from api.tests.world import add_api_rows
from office.tests.world import ROLES, make_world
from organizations.models import Permission

OPERATIONS = api_operations(ROUTERS)
CASES = [pytest.param(op, role, id=f"{op.name}-{role}") for op in OPERATIONS for role in ROLES]


def fill(path, world):
    values = {"slug": world.organization.slug, "day": "2026-01-05", "provider": "sandbox"} | world.api_kwargs
    return re.sub(r"{(\w+)}", lambda m: str(values.get(m.group(1), 1)), path)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def api_world(db):
    world = make_world()
    add_api_rows(world)
    return world


def test_x1_the_matrix_finds_every_operation_of_the_schema():
    schema = api.get_openapi_schema()
    in_schema = {(m.upper(), p.removeprefix("/api/v1")) for p, ops in schema["paths"].items() for m in ops}
    assert {(op.method, op.path) for op in OPERATIONS} == in_schema
    assert len(OPERATIONS) > 40


def test_x1_every_operation_declares_who_may_call_it():
    undeclared = [op.name for op in OPERATIONS if op.access is None]
    assert undeclared == [], f"declare these with api.access (public, signed, customer, staff): {undeclared}"


def test_x1_instructors_reach_no_organization_wide_staff_operation():
    """Issue 15: an instructor (teach only) sees and acts on their own classes and orders only:
    no occupancy, registrations with amounts, alerts, settings or catalog. The few operations
    open to *teach* narrow to the instructor's own rows in their service."""
    reachable = sorted(
        op.name
        for op in OPERATIONS
        if (a := access_of(op.view)) and a.audience == "staff" and Permission.TEACH in a.permissions
    )
    assert reachable == [
        "GET /orgs/{slug}/staff/classes",  # attendance.rosters: the classes assigned to them
        "GET /orgs/{slug}/staff/meetings/{meeting_id}/roster",
        "POST /orgs/{slug}/staff/orders/{order_id}/on-account",  # payments.services: orders they made
        "PUT /orgs/{slug}/staff/meetings/{meeting_id}/attendance",
    ]


@pytest.mark.parametrize(("operation", "role"), CASES)
def test_x1_api_route_role_matrix(api_world, operation, role):
    assert operation_problems(api_world, operation, role, fill(operation.path, api_world)) == []
