"""X1 for every office page and action: each route of the URL configuration, for every role
(a customer, each demo staff role, another organization's administrator, nobody signed in):
allowed ones work, the others get 403 (staff without the permission) or 404 (anyone who is not
this organization's staff, exactly as for an unknown organization) and change nothing. The
routes come from the URL configuration, so a page added tomorrow is in the matrix at once."""

import pytest
from django.urls import reverse

from office.tests.matrix import office_routes, route_problems
from office.tests.world import ROLES

ROUTES = office_routes()
CASES = [
    pytest.param(route, role, method, id=f"{route.name}-{role}-{method}")
    for route in ROUTES
    for role in ROLES
    for method in ("GET", "POST")
]


def test_x1_the_matrix_finds_the_office_routes():
    names = {route.name for route in ROUTES}
    assert {"office:home", "office:setup"} <= names


def test_x1_every_office_route_declares_who_may_open_it():
    undeclared = [route.name for route in ROUTES if route.access is None]
    assert undeclared == [], f"wrap these views in office.access.staff_page: {undeclared}"


def test_x1_every_url_keyword_of_an_office_route_has_a_value_in_the_world(world):
    missing = sorted({(route.name, k) for route in ROUTES for k in route.keywords if k not in world.url_kwargs})
    assert missing == [], f"add these to office/tests/world.py's url_kwargs: {missing}"


@pytest.mark.parametrize(("route", "role", "method"), CASES)
def test_x1_route_role_matrix(world, route, role, method):
    path = reverse(route.name, kwargs={k: world.url_kwargs[k] for k in route.keywords})
    assert route_problems(world, route, role, method, path) == []
