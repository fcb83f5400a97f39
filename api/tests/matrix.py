"""The route x role x tenant matrix of the JSON API, as functions the tests call (and the
negative control feeds a broken operation): every operation, from the API's own routers,
requested as every role of office/tests/world.py."""

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.test import Client
from ninja import Router

from accounts.services import issue_token
from api.access import ApiAccess, access_of
from office.tests.matrix import changed_tables, snapshot
from office.tests.world import OUTSIDERS, World

# What a refused caller gets, by the operation's audience (README "The JSON API").
REFUSED_STAFF = {"anonymous": (401,), "customer": (404,), "other_org_admin": (404,)}
# Statuses that mean "let in" (the operation ran; a missing row or a bad body is its own answer).
LET_IN = {200, 201, 204, 400, 404, 409, 413}
PREFIX = "/api/v1"


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # "/orgs/{slug}/cart"
    view: Callable[..., Any]

    @property
    def access(self) -> ApiAccess | None:
        return access_of(self.view)

    @property
    def name(self) -> str:
        return f"{self.method} {self.path}"

    @property
    def keywords(self) -> list[str]:
        return re.findall(r"{(\w+)}", self.path)


def api_operations(routers: list[Router]) -> list[Operation]:
    found = []
    for router in routers:
        for path, path_view in router.path_operations.items():
            for operation in path_view.operations:
                for method in operation.methods:
                    found.append(Operation(method, path, operation.view_func))
    return found


def client_for(world: World, role: str) -> tuple[Client, dict[str, str]]:
    """A client as the mobile app is: a bearer token, no session."""
    user = world.user(role)
    return Client(), ({"Authorization": f"Bearer {issue_token(user=user)}"} if user else {})


def expected(world: World, access: ApiAccess, role: str) -> tuple[str, tuple[int, ...]]:
    """("works", statuses) or ("refused", statuses) for this role on an operation."""
    if access.audience in ("public", "signed"):
        return "works", tuple(LET_IN)
    if role == "anonymous":
        return "refused", (401,)
    if access.audience == "user":
        return "works", tuple(LET_IN)
    if access.audience == "customer":
        return ("works", tuple(LET_IN)) if role == "customer" else ("refused", (403,))
    if role in REFUSED_STAFF:
        return "refused", REFUSED_STAFF[role]
    if not access.allows(world.staff[role]):
        return "refused", (403,)
    return "works", tuple(LET_IN)


def operation_problems(world: World, operation: Operation, role: str, path: str, prefix: str = PREFIX) -> list[str]:
    """What is wrong with one request of the matrix: a wrong status, a refused request that
    changed something, or one that shows the organization to an outsider."""
    access = operation.access
    if access is None:
        return [f"{operation.name} declares no access (api.access: public, signed, signed_in, customer or staff)"]
    outcome, statuses = expected(world, access, role)
    client, headers = client_for(world, role)
    before = snapshot() if outcome == "refused" else None
    kwargs: dict[str, Any] = {"headers": headers}
    if operation.method in ("POST", "PUT", "PATCH"):
        kwargs |= {"data": json.dumps({}), "content_type": "application/json"}
    response = getattr(client, operation.method.lower())(prefix + path, **kwargs)
    problems = []
    if response.status_code not in statuses:
        problems.append(
            f"{operation.method} {path} as {role}: {response.status_code}, expected {outcome} with {sorted(statuses)}"
        )
    if response.status_code >= 400 and not response["Content-Type"].startswith("application/json"):
        problems.append(f"{operation.method} {path} as {role}: a {response.status_code} that is not JSON")
    if before is not None:
        changed = changed_tables(before, snapshot())
        if changed:
            problems.append(f"{operation.method} {path} as {role} was refused but changed {', '.join(changed)}")
    if outcome == "refused" and role in OUTSIDERS and world.organization.name.encode() in response.content:
        problems.append(f"{operation.method} {path} as {role} shows the organization's name: an existence oracle")
    return problems
